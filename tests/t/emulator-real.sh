#!/bin/sh
# What makes an emulated cloud DP real on loopback: the VIP served with
# the deployment's service certificate (judged by openssl s_client, curl
# and clouddp-vip), nothing served while Suspended, nothing left
# listening after a stop; and <service>.cloudapp.net registered in a BIND
# by RFC 2136 with TSIG, seen by dig, then removed.  First each part on
# its own, then clouddp-emulator with Azurite and BIND, driven by curl.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need curl curl
need dig bind9-dnsutils
need tsig-keygen bind9-utils
need ss iproute2
need jq jq
need xmllint libxml2-utils

# Azurite first: a missing one fails the test before its plan.
AZP=$(free_port 127.0.0.1)
azurite_start 127.0.0.1 "$AZP" || exit 1

plan 50
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
	openssl pkcs12 -export -legacy -in dp.pem -inkey dp.key \
	    -certfile ca.pem -passout pass:pfx-pass -out dp.pfx &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout mgmt.key \
	    -out mgmt.pem -subj "/CN=clouddp management" -days 400 \
	    2>/dev/null &&
	openssl x509 -in mgmt.pem -outform DER -out mgmt.cer
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

# A deployment deleted and another Ready at once: the removal is still in
# flight when the add comes, and the add wins.
SVC0=$SVC
SVC=f11bd4527614a09b934d4700
reg 4 "$T_TMP/key.conf"
echo flip >&4
wait_for 10 grep -Eq '^(readded|error)' "$T_TMP/reg4.log"
like "$(cat "$T_TMP/reg4.log")" "readded $SVC.cloudapp.net" \
    "removed and added again at once: the add is not refused"
is "$(a)" "$A" "and the record is there"
exec 4>&-
SVC=$SVC0

sed 's/secret "[^"]*"/secret "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="/' \
    "$T_TMP/key.conf" >"$T_TMP/bad.conf"
chmod 600 "$T_TMP/bad.conf"
reg 3 "$T_TMP/bad.conf"
like "$(cat "$T_TMP/reg3.log")" '^error=.*(BADSIG|NOTAUTH|TSIG|refused)' \
    "a wrong TSIG key is refused in words"
is "$(a)" "" "and nothing is registered"

# The emulator, Azurite and BIND together --------------------------------------
CLOUDDP_BLOB_KEY=$AZURITE_KEY blobreq "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" \
    create pkg >/dev/null &&
head -c 50000 /dev/urandom >"$T_TMP/cdp.cspkg" &&
CLOUDDP_BLOB_KEY=$AZURITE_KEY blobreq "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" \
    put pkg cdp.cspkg "$T_TMP/cdp.cspkg" >/dev/null
ok $? "the package is uploaded to Azurite"

EA=$(loopback_addr)
(
	cd "$D" || exit 1
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
	    -subj /CN=management.test 2>/dev/null &&
	printf 'subjectAltName=IP:%s\n' "$EA" >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 400 -extfile srv.ext -out srv.pem 2>/dev/null
) || { ok 1 "management endpoint certificate"; exit 1; }
# The VIP pool: 16 addresses of their own, the first one handed out.
POOL=$(echo "$EA" | awk -F. '{ printf "%s.%s.%s.32/28", $1, $2, $3 }')
VIP=$(echo "$EA" | awk -F. '{ printf "%s.%s.%s.33", $1, $2, $3 }')
VHP=$(free_port "$VIP")
VP=$(free_port "$VIP")
SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
NS=http://schemas.microsoft.com/windowsazure
printf '%s\n' "$AZURITE_KEY" >"$T_TMP/blob.key"
spawn emu clouddp-emulator --listen "$EA:0" --tls-cert "$D/srv.pem" \
    --tls-key "$D/srv.key" --subscription "$SUB" \
    --management-cer "$D/mgmt.cer" --ready-file "$T_TMP/emu.ready" \
    --delay all=0 --vip-pool "$POOL" --vip-https-port "$VHP" \
    --vip-http-port "$VP" --blob-endpoint "$AZURITE_ENDPOINT" \
    --blob-account "$AZURITE_ACCOUNT" --blob-key-file "$T_TMP/blob.key" \
    --dns-update "$DA:$DP" --tsig-file "$T_TMP/key.conf" \
    --cloudapp-zone cloudapp.net
wait_for 10 test -s "$T_TMP/emu.ready"
ok $? "the emulator listens" || sed 's/^/# /' "$T_TMP/emu.log"
U=https://$EA:$(jq -r .port "$T_TMP/emu.ready")/$SUB
api() {
	m=$1 p=$2
	shift 2
	code=$(curl -sS -o "$T_TMP/b" -D "$T_TMP/h" -w '%{http_code}' \
	    --cacert "$D/ca.pem" --cert "$D/mgmt.pem" --key "$D/mgmt.key" \
	    -H "x-ms-version: 2014-06-01" -H 'Content-Type: application/xml' \
	    -X "$m" "$@" "$U$p" 2>"$T_TMP/curl.err")
	body=$(cat "$T_TMP/b")
	rid=$(sed -n 's/^x-ms-request-id: *\([^ ]*\).*/\1/ip' "$T_TMP/h" |
	    tr -d '\r')
}
val() { printf '%s' "$body" |
    xmllint --xpath "string((//*[local-name()='$1'])[1])" - 2>/dev/null; }
b64() { printf '%s' "$1" | openssl base64 -A; }
# op: the last request's code, then its operation's status once it is
# no longer InProgress (10 s at most: a Create Deployment waits for the
# package's HEAD on Azurite), as "CODE Status HttpStatusCode Code" in
# $opst (and the operation in $body).
op() {
	c=$code o=$rid i=0
	while :; do
		api GET "/operations/$o"
		[ "$(val Status)" != InProgress ] || [ $i -ge 100 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	opst="$c $(val Status) $(val HttpStatusCode) $(val Code)"
}
L=$(b64 clouddp1)
ss_body() {
	printf '<CreateStorageServiceInput xmlns="%s"><ServiceName>%s' "$NS" "$SVC"
	printf '</ServiceName><Description/><Label>%s</Label>' "$L"
	printf '<Location>West US</Location><AccountType>Standard_GRS'
	printf '</AccountType></CreateStorageServiceInput>'
}
cs_body() {
	printf '<CreateHostedService xmlns="%s"><ServiceName>%s' "$NS" "$SVC"
	printf '</ServiceName><Label>%s</Label><Description>cloud DP' "$L"
	printf '</Description><Location>West US</Location></CreateHostedService>'
}
cert_body() {
	printf '<CertificateFile xmlns="%s"><Data>%s</Data>' "$NS" \
	    "$(openssl base64 -A -in "$D/dp.pfx")"
	printf '<CertificateFormat>pfx</CertificateFormat>'
	printf '<Password>pfx-pass</Password></CertificateFile>'
}
cscfg() {
	printf '<ServiceConfiguration serviceName="x" xmlns="http://schemas.'
	printf 'microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
	printf '<Role name="CloudDP"><Instances count="2"/>'
	printf '<Certificates><Certificate name="SSL" thumbprint="%s" ' "$1"
	printf 'thumbprintAlgorithm="sha1"/></Certificates></Role>'
	printf '</ServiceConfiguration>'
}
api POST /services/storageservices --data "$(ss_body)"
op; is "$opst" "202 Succeeded 200 " "Create Storage Account"
api POST /services/hostedservices --data "$(cs_body)"
is "$code" 201 "Create Cloud Service"
api POST "/services/hostedservices/$SVC/certificates" --data "$(cert_body)"
op; is "$opst" "202 Succeeded 200 " "Add Service Certificate"
THUMB=$(printf '%s' "$want" | tr -d :)
CSCFG=$(b64 "$(cscfg "$THUMB")")
dep() {
	printf '<CreateDeployment xmlns="%s"><Name>%s</Name>' "$NS" "$1"
	printf '<PackageUrl>%s</PackageUrl><Label>%s</Label>' "$2" "$L"
	printf '<Configuration>%s</Configuration>' "$CSCFG"
	printf '<StartDeployment>true</StartDeployment>'
	printf '<TreatWarningsAsError>false</TreatWarningsAsError>'
	printf '</CreateDeployment>'
}
DEP=/services/hostedservices/$SVC/deploymentslots/production
# Azurite paused: the package's HEAD cannot answer, and the operation
# reads InProgress until it does.
kill -STOP "$PID_azurite"
api POST "$DEP" --data "$(dep dep0 "$AZURITE_ENDPOINT/pkg/missing.cspkg")"
c0=$code r0=$rid
sleep 0.3
api GET "/operations/$r0"
pending=$(val Status)
kill -CONT "$PID_azurite"
is "$c0 $pending" "202 InProgress" \
    "the package not checked yet: the operation is InProgress"
code=$c0 rid=$r0
op
is "$opst" "202 Failed 400 BadRequest" \
    "a PackageUrl Azurite does not have: the operation fails"
like "$(val Message)" "does not exist" "and says so"
api POST "$DEP" --data "$(dep dep1 "$AZURITE_ENDPOINT/pkg/cdp.cspkg")"
op; is "$opst" "202 Succeeded 200 " \
    "Create Deployment with the package Azurite holds"
# registered: poll Get Deployment, as a client does, until dig sees the
# record (10 s at most).
registered() {
	i=0
	while [ $i -lt 100 ]; do
		api GET "$DEP"
		[ "$(dig +short +norec -p "$DP" @$DA "$SVC.cloudapp.net" A)" = \
		    "$VIP" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
registered
ok $? "Ready: dig sees $SVC.cloudapp.net A $VIP"
api GET "$DEP"
is "$(val Address)" "$VIP" "Get Deployment reports the same VIP"
A=$VIP HP=$VHP
is "$(served)" "$want" "openssl s_client on the VIP: the uploaded certificate"
run clouddp-vip --vip "$VIP" --fqdn "$F" --port "$VHP" --http-port "$VP" \
    --cacert "$D/ca.pem" --expect-cert "$D/dp.pfx" --password-file "$D/pw"
is "$rc" 0 "clouddp-vip: ok" || diag "$out"
ST='<UpdateDeploymentStatus xmlns="'$NS'"><Status>Suspended</Status>'
ST="$ST</UpdateDeploymentStatus>"
api POST "$DEP/?comp=status" --data "$ST"
op; is "$opst" "202 Succeeded 200 " "Suspended"
wait_for 5 sh -c "! curl -sk https://$VIP:$VHP/ >/dev/null"
ok $? "nothing served on the VIP while Suspended"
api POST "$DEP/?comp=status" --data "$(printf '%s' "$ST" |
    sed 's/Suspended/Running/')"
op; is "$opst" "202 Succeeded 200 " "Running again"
wait_for 5 sh -c "curl -sk https://$VIP:$VHP/ >/dev/null"
ok $? "served again"
api DELETE "$DEP"
op; is "$opst" "202 Succeeded 200 " "Delete Deployment"
wait_for 10 sh -c "[ -z \"\$(dig +short +norec -p $DP @$DA \
    $SVC.cloudapp.net A)\" ]"
ok $? "the record is gone"
wait_for 10 sh -c "[ \$(ss -Hltn 'src $VIP' | wc -l) -eq 0 ]"
ok $? "nothing listening on the VIP" || {
	ss -Hltnp "src $VIP" | sed 's/^/# /'
	tail -5 "$T_TMP/emu.log" | sed 's/^/# /'
}

api POST "$DEP" --data "$(dep dep2 "$AZURITE_ENDPOINT/pkg/cdp.cspkg")"
op
is "$opst" "202 Succeeded 200 " "a new deployment in the slot at once"
registered
ok $? "a new deployment: registered again"
kill -TERM "$PID_emu"
i=0
while kill -0 "$PID_emu" 2>/dev/null && [ $i -lt $((100 * CLOUDDP_TEST_SLOW)) ]; do
	sleep 0.1
	i=$((i + 1))
done
! kill -0 "$PID_emu" 2>/dev/null
ok $? "SIGTERM: the emulator exits"
is "$(dig +short +norec -p "$DP" @$DA "$SVC.cloudapp.net" A)" "" \
    "the records it added are removed"
is "$(ss -Hltn "src $VIP" | wc -l)" 0 "no VIP listener is left"
