#!/bin/sh
# clouddp-verify against the whole stack on loopback: NSD and BIND
# authoritative for the customer zone, NSD for cloudapp.net and
# cloudapp.azure.com, Unbound as the clients' resolver, nginx serving
# the service certificate on the VIP, tinyproxy in front.  All green
# first, then each fault on its own: the CNAME missing (pre-flight), a
# wrong target, a stale authoritative server, a dangling CNAME, the VIP
# down, the wrong certificate served, a certificate about to expire, a
# proxy refusing; each in text, JSON, --nagios and JUnit (xmllint
# judges the XML against the JUnit shape).
. "$top_srcdir/tests/lib.sh"
need dig bind9-dnsutils
need openssl openssl
need jq jq
need xmllint libxml2-utils
need nginx nginx-light
need tinyproxy tinyproxy

plan 109

D=$top_srcdir/tests/data/verify
C=$T_TMP/certs
G=0123456789abcdef01234567.cloudapp.net
BIND=127.0.0.1
P=$(free_port $BIND)
NSD=$(loopback_addr)
UB=$(loopback_addr)
VIP=$(loopback_addr)
PX=$(loopback_addr)
PH=$(free_port "$VIP")
PHTTP=$(free_port "$VIP")
PWRONG=$(free_port "$VIP")
PSOON=$(free_port "$VIP")
PCLOSED=$(free_port "$VIP")
PPROXY=$(free_port "$PX")
PREFUSE=$(free_port "$PX")

# --- Certificates: a CA, the service certificate, another with the same
# names, and one that expires in 10 days. ------------------------------
mkdir -p "$C"
NAMES=DNS:clouddp1.contoso.test,DNS:preflight.contoso.test,DNS:wrong.contoso.test
NAMES=$NAMES,DNS:dangling.contoso.test,DNS:stale.contoso.test,DNS:cmg.contoso.test
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" \
    -out "$C/ca.pem" -subj "/CN=clouddp verify test CA" -days 30 \
    2>/dev/null
# leaf NAME DAYS
leaf() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$C/$1.key" \
	    -out "$C/$1.csr" -subj "/CN=clouddp1.contoso.test" 2>/dev/null &&
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$NAMES" \
	    >"$C/$1.ext" &&
	openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
	    -CAcreateserial -days "$2" -extfile "$C/$1.ext" \
	    -out "$C/$1.pem" 2>/dev/null &&
	openssl pkcs12 -export -legacy -in "$C/$1.pem" -inkey "$C/$1.key" \
	    -passout pass:s3cret -out "$C/$1.pfx"
}
leaf svc 400 && leaf other 400 && leaf soon 10
ok $? "the test CA made the service, another and an expiring certificate"
printf 's3cret\n' >"$C/pw"
sha1() {
	openssl x509 -in "$C/$1.pem" -noout -fingerprint -sha1 |
	    sed 's/.*=//; s/://g'
}
SVC_SHA1=$(sha1 svc)

# --- DNS: NSD (serial 1, then 2), BIND (serial 1), Unbound. -----------
zone() {
	sed -e "s/@NS1@/$NSD/;s/@NS2@/$BIND/;s/@SERIAL@/$1/" \
	    "$D/contoso.zone.in" >"$T_TMP/contoso-$1.zone"
}
zone 1
sed -i '/@STALE@/d' "$T_TMP/contoso-1.zone"
zone 2
for o in cloudapp.net cloudapp.azure.com; do
	sed -e "s/@NS1@/$NSD/;s/@VIP@/$VIP/;s/@ORIGIN@/$o/" \
	    "$D/cloudapp.zone.in" >"$T_TMP/$o.zone"
done
nsd_start "$NSD" "$P" contoso.test "$T_TMP/contoso-1.zone" \
    cloudapp.net "$T_TMP/cloudapp.net.zone" \
    cloudapp.azure.com "$T_TMP/cloudapp.azure.com.zone" || exit 1
named_start "$BIND" "$P" contoso.test "$T_TMP/contoso-1.zone" || exit 1
unbound_start "$UB" "$P" contoso.test "$NSD@$P" cloudapp.net "$NSD@$P" \
    cloudapp.azure.com "$NSD@$P" || exit 1

# --- The VIP: nginx, and two proxies. ---------------------------------
tls() {
	printf 'server {\n  listen %s:%s ssl;\n  ssl_certificate %s;\n' \
	    "$VIP" "$1" "$C/$2.pem"
	printf '  ssl_certificate_key %s;\n  return 200 "ok\\n";\n}\n' \
	    "$C/$2.key"
}
{
	tls "$PH" svc
	tls "$PWRONG" other
	tls "$PSOON" soon
	printf 'server {\n  listen %s:%s;\n  return 200 "ok\\n";\n}\n' \
	    "$VIP" "$PHTTP"
} >"$T_TMP/servers.conf"
nginx_start vip "$T_TMP/servers.conf" || exit 1
tinyproxy_start ok "$PX" "$PPROXY" || exit 1
tinyproxy_start refuse "$PX" "$PREFUSE" "ConnectPort 1" || exit 1

V=clouddp-verify
NET="--resolver $UB:$P --dns-port $P --cacert $C/ca.pem --port $PH"
NET="$NET --http-port $PHTTP --proxy "
# verify ARGS...: each DP checked in the four forms; sets $text, $json,
# $nagios, $junit and the exit codes $rc_text...
verify() {
	run $V $NET "" "$@"
	text=$(unwrap "$out") rc_text=$rc
	run $V $NET "" --json --junit "$T_TMP/junit.xml" "$@"
	json=$out rc_json=$rc
	junit=$(cat "$T_TMP/junit.xml" 2>/dev/null)
	run $V $NET "" --nagios "$@"
	nagios=$out rc_nagios=$rc
}
# unwrap TEXT: the report's wrapped check lines joined again.
unwrap() {
	printf '%s\n' "$1" | awk '/^         / { sub(/^ +/, " ");
	    printf "%s", $0; next } NR > 1 { print "" } { printf "%s", $0 }
	    END { print "" }'
}
jqv() { printf '%s\n' "$json" | jq -r "$1"; }
# check_of STAGE CHECK-PREFIX: the status of the first such check.
check_of() {
	jqv "[.stages[] | select(.stage == \"$1\") | .checks[] |
	    select(.check | startswith(\"$2\")) | .status][0]"
}
stage_of() { jqv ".stages[] | select(.stage == \"$1\") | .status"; }
# faults WANT-RC STAGE CHECK WORDS DESC: the fault is seen in all four.
fault() {
	is "$rc_text $rc_json $rc_nagios" "$1 $1 $1" "$5: exit $1 in every form"
	like "$text" "^[a-z]+ +$2/$3[^ ]*: .*$4" "$5: the text names $2/$3"
	is "$(check_of "$2" "$3")" "$(test "$1" = 1 && echo warning ||
	    echo critical)" "$5: JSON check $2/$3"
	like "$nagios" "^CLOUDDP-VERIFY (WARNING|CRITICAL): $2: $3" \
	    "$5: --nagios names the stage and check"
	xmllint --noout --schema "$D/junit.xsd" "$T_TMP/junit.xml" 2>/dev/null
	ok $? "$5: JUnit XML is valid"
	if [ "$1" = 1 ]; then
		like "$junit" "WARNING: .*$4" "$5: JUnit says the warning"
	else
		printf '%s\n' "$junit" | grep -A1 "name=\"$3" |
		    grep -q '<failure'
		ok $? "$5: JUnit has the failing testcase"
	fi
}

# --- All green --------------------------------------------------------
verify --fqdn clouddp1.contoso.test --target "$G" --vip "$VIP" \
    --service-pfx "$C/svc.pfx" --password-file "$C/pw" --authoritative
is "$rc_text $rc_json $rc_nagios" "0 0 0" "all green: exit 0 in every form"
like "$text" "^chain: clouddp1.contoso.test -> $G -> $VIP$" \
    "the chain is drawn fqdn -> target -> vip"
for s in certificate dns_stage_1 dns_stage_2 authoritative vip; do
	is "$(stage_of $s)" ok "all green: stage $s ok"
done
unlike "$text" "^(warning|critical|unknown)" "all green: no check fails"
like "$text" "^ok +dns_stage_1/cname@$UB:$P: clouddp1.contoso.test -> $G" \
    "stage 1 per resolver"
like "$text" "^ok +dns_stage_2/vip@$UB:$P: $G -> $VIP" "stage 2 per resolver"
like "$text" "^ok +authoritative/cname@ns1.contoso.test/$NSD:$P" \
    "the first authoritative server"
like "$text" "^ok +authoritative/cname@ns2.contoso.test/$BIND:$P" \
    "the second authoritative server"
like "$text" "^ok +vip/cert_thumbprint: the VIP serves the DP's certificate \\(SHA-1 $SVC_SHA1\\)" \
    "the served certificate is the service certificate"
is "$(jqv .target_shape)" classic_cloud_dp "the classic name shape"
is "$(jqv .preflight)" false "not pre-flight"
like "$nagios" "^CLOUDDP-VERIFY OK: .* \\| .*'days_left'=[0-9]+;30:;7: .*'dns'=[0-9]+ms.*'vip_tls'=[0-9.]+ms.*'total'=" \
    "--nagios: perfdata for days left and each phase"
xmllint --noout --schema "$D/junit.xsd" "$T_TMP/junit.xml" 2>/dev/null
ok $? "all green: the JUnit XML is valid"
n=$(printf '%s\n' "$json" | jq '[.stages[].checks[]] | length')
is "$(printf '%s\n' "$junit" | grep -c '<testcase ')" "$n" \
    "JUnit: one testcase per check"
unlike "$junit" "<failure|<error" "all green: no JUnit failure"

# Through a proxy that works, and with the names from the CMG shape.
verify --fqdn cmg.contoso.test --target clouddpcmg.westeurope.cloudapp.azure.com \
    --expect-cert "$SVC_SHA1" --proxy "http://$PX:$PPROXY"
is "$rc_text" 0 "the CMG shape through a working proxy: exit 0"
is "$(jqv .target_shape)" cmg "the cloudapp.azure.com shape is understood"
is "$(jqv .vip)" "$VIP" "without --vip the VIP is what stage 2 found"
is "$(jqv .vip_source)" dns "and it says so"
is "$(check_of vip proxy_connect)" ok "the probe went through the proxy"

# --- --dp: everything from the inventory --------------------------------
need sqlite3 sqlite3
DB=$T_TMP/inventory.db
sqlite3 "$DB" <"$top_srcdir/tests/data/verify/inventory-v1.sql"
# dp NAME FQDN STATE
dp() {
	sqlite3 "$DB" "INSERT INTO dp VALUES ('$1', 'asm', 'sub', 'West Europe',
	    '$G', 'store', '$2', '$G', '$VIP', '$SVC_SHA1', 1, 2000, 50, 90,
	    10000, 50, 90, '$3', 1, 1, NULL, 0);"
}
dp DP1 clouddp1.contoso.test ready && dp DP2 clouddp1.contoso.test stopped
ok $? "an inventory with a ready and a stopped DP"
verify --dp DP1 --db "$DB"
is "$rc_text $rc_json $rc_nagios" "0 0 0" "--dp: a ready DP, all green"
is "$(jqv .vip_source)" inventory "--dp: the VIP from the inventory"
like "$text" "^ok +vip/cert_thumbprint: .*SHA-1 $SVC_SHA1" \
    "--dp: the served certificate has the inventory's thumbprint"
like "$text" "^ok +inventory/dp_state: DP DP1 is ready" "--dp: the DP's state"
verify --dp DP2 --db "$DB"
fault 2 inventory dp_state "DP DP2 is stopped, not ready" "a stopped DP"

# --- --input: many DPs at once, each its own report -------------------
printf 'fqdn,target,vip\nclouddp1.contoso.test,%s,%s\nwrong.contoso.test,%s,%s\n' \
    "$G" "$VIP" "$G" "$VIP" >"$T_TMP/dps.csv"
run $V $NET "" --json --input "$T_TMP/dps.csv" --junit "$T_TMP/batch.xml"
is "$rc" 2 "--input: the worst DP decides the exit code"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 \
    "--input --json: one object per DP, then the summary"
like "$(printf '%s\n' "$out" | tail -1)" \
    '"summary":\{"dps":2,"ok":1,"warning":0,"critical":1,' \
    "--input: the summary counts"
is "$(grep -c '<testsuite ' "$T_TMP/batch.xml")" 2 \
    "--input --junit: one testsuite per DP"
run $V $NET "" --nagios --input "$T_TMP/dps.csv"
like "$out" "^CLOUDDP-VERIFY CRITICAL: 2 DPs: 1 ok, .*worst: wrong.contoso.test: dns_stage_1: cname@" \
    "--input --nagios: one line naming the worst DP"

# --- Faults, one at a time --------------------------------------------
verify --fqdn preflight.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1"
fault 2 dns_stage_1 cname@ "no CNAME" "CNAME missing"
is "$(jqv .preflight)" true "pre-flight: said so in JSON"
like "$nagios" "pre-flight: one step remains: publish the CNAME preflight.contoso.test -> $G" \
    "pre-flight: the one remaining step, in --nagios"
like "$text" "^preflight.contoso.test.	3600	IN	CNAME	$G.$" \
    "pre-flight: the exact record to publish"
like "$text" "^; service FQDN preflight.contoso.test. -> classic cloud DP $G.$" \
    "pre-flight: the record's header names the FQDN and the target's shape"
is "$(jqv .publish.format)" bind "pre-flight: the record's format in JSON"
is "$(stage_of vip)" ok "pre-flight: the VIP checked with the future FQDN"
run $V $NET "" --format nsupdate --fqdn preflight.contoso.test \
    --target "$G" --vip "$VIP"
like "$out" "^update add preflight.contoso.test. 3600 IN CNAME $G.$" \
    "pre-flight: --format nsupdate as clouddp-cname writes it"

verify --fqdn wrong.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1"
fault 2 dns_stage_1 cname@ "wrong target: wrong.contoso.test is a CNAME to ffffffffffffffffffffffff.cloudapp.net" \
    "wrong target"

verify --fqdn dangling.contoso.test \
    --target deadbeefdeadbeefdeadbeef.cloudapp.net --vip "$VIP" \
    --expect-cert "$SVC_SHA1"
fault 2 dns_stage_2 dangling_cname@ "takeover risk" "dangling CNAME"
is "$(stage_of dns_stage_1)" ok "dangling: stage 1 itself is fine"
run $V $NET "" --json --fqdn dangling.contoso.test \
    --target deadbeefdeadbeefdeadbeef.cloudapp.net
json=$out
is "$(check_of vip vip)" unknown \
    "dangling, no --vip: nothing to probe is said, not guessed"
like "$(jqv '.stages[] | select(.stage == "vip") | .checks[0].message')" \
    "no VIP to probe: deadbeefdeadbeefdeadbeef.cloudapp.net has no address" \
    "and why"

verify --fqdn clouddp1.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1" --port "$PCLOSED"
fault 2 vip tcp_https "" "VIP down"

verify --fqdn clouddp1.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1" --port "$PWRONG"
fault 2 vip cert_thumbprint "another certificate is deployed" \
    "wrong certificate served"

verify --fqdn clouddp1.contoso.test --target "$G" --vip "$VIP" \
    --service-pfx "$C/soon.pfx" --password-file "$C/pw" --port "$PSOON"
fault 1 certificate validity "expires" "certificate about to expire"
is "$(check_of vip cert_validity)" warning \
    "about to expire: the served one is flagged too"
run $V $NET "" --nagios --fqdn clouddp1.contoso.test --target "$G" \
    --vip "$VIP" --service-pfx "$C/soon.pfx" --password-file "$C/pw" \
    --port "$PSOON" --critical-days 14
is "$rc" 2 "--critical-days 14: ten days left is critical"

verify --fqdn clouddp1.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1" --proxy "http://$PX:$PREFUSE"
fault 2 vip proxy_connect "" "proxy refusing"

# Stale: NSD moves to serial 2 with a new name; BIND keeps serial 1.
kill "$PID_nsd"
wait "$PID_nsd" 2>/dev/null
# NSD's server and xfrd children let go of the port a moment later.
dns_down() { ! dns_up "$@"; }
wait_for 10 dns_down "$NSD" "$P" contoso.test
nsd_start "$NSD" "$P" contoso.test "$T_TMP/contoso-2.zone" \
    cloudapp.net "$T_TMP/cloudapp.net.zone" \
    cloudapp.azure.com "$T_TMP/cloudapp.azure.com.zone" || exit 1
verify --fqdn stale.contoso.test --target "$G" --vip "$VIP" \
    --expect-cert "$SVC_SHA1" --authoritative
fault 2 authoritative cname@ns2 "no CNAME" "stale authoritative server"
is "$(check_of authoritative serial@ns2)" warning \
    "stale: the older serial is named"
like "$text" "authoritative/serial@ns2.contoso.test/$BIND:$P: stale: zone contoso.test serial 1, another server has 2" \
    "stale: the serials in text"
is "$(check_of authoritative cname@ns1)" ok "stale: the newer server is fine"

# --- Bad usage --------------------------------------------------------
run $V --fqdn clouddp1.contoso.test
is "$rc" 3 "--fqdn without --target: exit 3"
like "$err" "hint: give the Azure FQDN with --target" "with a hint"
run $V --fqdn a.contoso.test --target "$G" --expect-cert 12:34
is "$rc" 3 "a bad thumbprint: exit 3"
run $V --dp nosuch --db "$T_TMP/none.db"
is "$rc" 3 "--dp without an inventory: exit 3"
test ! -e "$T_TMP/none.db"
ok $? "and no inventory is created"
