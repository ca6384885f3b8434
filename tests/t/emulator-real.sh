#!/bin/sh
# What makes an emulated cloud DP real on loopback: the VIP served with
# the deployment's service certificate (judged by openssl s_client, curl
# and clouddp-vip), nothing served while Suspended, nothing left
# listening after a stop; and <service>.cloudapp.net registered in a BIND
# by RFC 2136 with TSIG, seen by dig, then removed.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need curl curl
need dig bind9-dnsutils
need tsig-keygen bind9-utils
need ss iproute2

plan 23
D=$T_TMP/certs
mkdir -p "$D"
F=dp1.contoso.com
SVC=d1594d4527614a09b934d470
(
	cd "$D" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
	    -subj "/CN=clouddp test CA" -days 400 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout dp.key -out dp.csr \
	    -subj "/CN=$F" 2>/dev/null &&
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$F" \
	    >ext.cnf &&
	openssl x509 -req -in dp.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 400 -extfile ext.cnf -out dp.pem \
	    2>/dev/null &&
	printf 'pfx-pass\n' >pw && chmod 600 pw &&
	openssl pkcs12 -export -in dp.pem -inkey dp.key -certfile ca.pem \
	    -passout pass:pfx-pass -out dp.pfx
)
ok $? "a CA and a service certificate as .pfx"
want=$(openssl x509 -in "$D/dp.pem" -noout -fingerprint -sha1 | sed 's/.*=//')

# The VIP ------------------------------------------------------------------
A=$(loopback_addr)
mkfifo "$T_TMP/ctl"
spawn vipserved sh -c 'exec vipserved "$@" <"$0"' "$T_TMP/ctl" "$A" 0 0 \
    "$SVC" "$D/dp.pfx" "$D/pw"
exec 3>"$T_TMP/ctl"
wait_for 10 grep -q '^https=' "$T_TMP/vipserved.log"
ok $? "vipserve listens on the VIP $A"
HP=$(sed -n 's/^https=\([0-9]*\) .*/\1/p' "$T_TMP/vipserved.log")
P=$(sed -n 's/^https=.* http=\([0-9]*\)$/\1/p' "$T_TMP/vipserved.log")
served() {
	echo | openssl s_client -connect "$A:$HP" -servername "$F" \
	    2>/dev/null | openssl x509 -noout -fingerprint -sha1 2>/dev/null |
	    sed 's/.*=//'
}
is "$(served)" "$want" "openssl s_client: the uploaded certificate is served"
run curl -s --cacert "$D/ca.pem" --resolve "$F:$HP:$A" "https://$F:$HP/"
like "$rc $out" "^0 .*$SVC" "curl over HTTPS, verified against the CA"
run curl -s -o /dev/null -w '%{http_code}' "http://$A:$P/any/path"
is "$out" 200 "plain HTTP on the HTTP port"
run clouddp-vip --vip "$A" --fqdn "$F" --port "$HP" --http-port "$P" \
    --cacert "$D/ca.pem" --expect-cert "$D/dp.pfx" --password-file "$D/pw"
is "$rc" 0 "clouddp-vip: every phase ok" || diag "$out"
like "$out" "ok +cert_expect" "clouddp-vip: the expected certificate"

ctl() {
	echo "$1" >&3
	wait_for 5 grep -q "^$1 serving=$2" "$T_TMP/vipserved.log"
}
ctl stop 0
ok $? "Suspended: the listeners close"
run curl -s -k "https://$A:$HP/"
is "$rc" 7 "nothing answers on the HTTPS port"
run curl -s "http://$A:$P/"
is "$rc" 7 "nor on the HTTP port"
run clouddp-vip --vip "$A" --fqdn "$F" --port "$HP" --http-port "$P" \
    --cacert "$D/ca.pem"
is "$rc" 2 "clouddp-vip: critical while Suspended"
ctl start 1
ok $? "Running again"
is "$(served)" "$want" "the same certificate on the same port"
kill -TERM "$PID_vipserved"
wait_for 10 grep -q '^stopped' "$T_TMP/vipserved.log"
ok $? "SIGTERM: a clean stop"
is "$(ss -Hltn "src $A" | wc -l)" 0 "nothing left listening on the VIP"

# DNS ------------------------------------------------------------------------
DA=127.0.0.1
DP=$(free_port $DA)
tsig-keygen -a hmac-sha256 clouddp-emulator >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
cat >"$T_TMP/cloudapp.zone" <<ZONE
\$TTL 300
@ IN SOA ns1.cloudapp.net. hostmaster.cloudapp.net. 1 3600 600 86400 60
@ IN NS ns1.cloudapp.net.
ns1 IN A 127.0.0.1
ZONE
named_start $DA "$DP" cloudapp.net "$T_TMP/cloudapp.zone" "$T_TMP/key.conf" ||
    { ok 1 "named starts"; exit 1; }
a() { dig +short +norec -p "$DP" @$DA "$SVC.cloudapp.net" A; }

reg() {
	mkfifo "$T_TMP/reg$1"
	spawn "reg$1" sh -c 'exec dnsregreq "$@" <"$0"' "$T_TMP/reg$1" \
	    "$DA:$DP" "$2" cloudapp.net "$SVC" "$A"
	exec 4>"$T_TMP/reg$1"
	wait_for 10 grep -Eq '^(added|error)' "$T_TMP/reg$1.log"
}
reg 1 "$T_TMP/key.conf"
like "$(cat "$T_TMP/reg1.log")" "^added $SVC.cloudapp.net" "dnsreg: added"
is "$(a)" "$A" "dig sees $SVC.cloudapp.net A $A"
echo remove >&4
wait_for 10 grep -q '^removed' "$T_TMP/reg1.log"
ok $? "dnsreg: removed (a deleted deployment)"
is "$(a)" "" "dig: the record is gone"
exec 4>&-

reg 2 "$T_TMP/key.conf"
is "$(a)" "$A" "registered again"
echo stop >&4
wait_for 10 grep -q '^removed' "$T_TMP/reg2.log"
is "$(a)" "" "a stop removes every record it added"
exec 4>&-

sed 's/secret "[^"]*"/secret "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="/' \
    "$T_TMP/key.conf" >"$T_TMP/bad.conf"
chmod 600 "$T_TMP/bad.conf"
reg 3 "$T_TMP/bad.conf"
like "$(cat "$T_TMP/reg3.log")" '^error=.*(BADSIG|NOTAUTH|TSIG|refused)' \
    "a wrong TSIG key is refused in words"
is "$(a)" "" "and nothing is registered"
