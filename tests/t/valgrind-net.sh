#!/bin/sh
# The network code under the same test as the rest, quick enough for
# "make check-valgrind": the provisioner against clouddp-emulator (the
# libcurl client, the management API, Blob through Azurite) from create
# to Ready, status, stop, start and delete; clouddp-vip against nginx,
# good and wrong; clouddp-resolve against NSD and against dnscanned's
# hostile answers.  Generous timeouts: it asserts outcomes, never times,
# so the tools (and the emulator) may run under memcheck.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need nginx nginx-light
need dig bind9-dnsutils

emu_azurite || exit 1

plan 28
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME
TO=$((6 * CLOUDDP_TEST_SLOW))

# --- The provisioner against the emulator ----------------------------------
SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
emu_start emu --delay all=0
ok $? "emulator started"
DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
mgmt() {
	run clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.05 \
	    --timeout "$TO" --db "$DB" --log "$T_TMP/cloudmgr.log"
}
q() { sqlite3 "$DB" "$1"; }

mgmt create --name DP1 --region "West Europe" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" --json
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" "create: Ready" ||
    diag "$err"
mgmt status --name DP1
is "$rc" 0 "status: exit 0" || diag "$out$err"
mgmt stop --name DP1
is "$rc $(q "SELECT state FROM dp WHERE name = 'DP1'")" "0 stopped" "stop" ||
    diag "$err"
mgmt status --name DP1
is "$rc" 1 "status of a stopped DP: warning"
mgmt start --name DP1
is "$rc $(q "SELECT state FROM dp WHERE name = 'DP1'")" "0 ready" "start" ||
    diag "$err"
mgmt delete --name DP1
is "$rc $(q "SELECT state FROM dp WHERE name = 'DP1'")" "0 deleted" \
    "delete" || diag "$err"
mgmt status --name DP1
is "$rc" 1 "status of a deleted DP: warning" || diag "$out$err"
like "$out" "DP1: not Ready: deleted" "status: deleted"
# Failures: the back end says no, the management certificate is refused,
# the endpoint's certificate is not trusted.
mgmt create --name DP2 --region "Mars Central" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw"
is "$rc" 3 "an unknown region: exit 3"
like "$err" "Mars Central: not a region" "an unknown region: said so"
run clouddp-provision create --name DP3 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/good.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --timeout "$TO" --db "$DB"
like "$err" "403 AuthenticationFailed" "a wrong management certificate: 403"
run clouddp-provision create --name DP4 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/good.pem" \
    --timeout "$TO" --db "$DB"
is "$rc" 3 "an untrusted endpoint: exit 3"
like "$err" "certificate served failed verification" \
    "an untrusted endpoint: said so"
kill "$PID"

# --- clouddp-vip against nginx ---------------------------------------------
F=clouddp1.contoso.test
A=$(loopback_addr)
P_GOOD=$(free_port "$A")
P_WRONG=$(free_port "$A")
P_CLOSED=$(free_port "$A")
for s in "$P_GOOD good" "$P_WRONG sanmismatch"; do
	set -- $s
	cat <<EOF
server {
  listen $A:$1 ssl;
  ssl_certificate $D/$2.pem;
  ssl_certificate_key $D/$2.key;
  location / { return 200 "ok\n"; }
}
EOF
done >"$T_TMP/servers.conf"
nginx_start vip "$T_TMP/servers.conf" || exit 1
vip() {
	run clouddp-vip --vip "$A" --fqdn "$F" --http-port none \
	    --cacert "$D/ca.pem" --timeout "$TO" --json "$@"
}
vip --port "$P_GOOD"
is "$rc $(printf '%s' "$out" | jq -r .status)" "0 ok" "vip: good certificate"
vip --port "$P_WRONG"
is "$rc $(printf '%s' "$out" | jq -r .phases.cert_name.status)" \
    "2 critical" "vip: wrong name, critical"
vip --port "$P_CLOSED"
is "$rc $(printf '%s' "$out" | jq -r .phases.tcp_https.outcome)" \
    "2 refused" "vip: closed port, refused"

# --- clouddp-resolve against NSD -------------------------------------------
R=$top_srcdir/tests/data/resolve
G=0123456789abcdef01234567.cloudapp.test
NSD=$(loopback_addr)
P=$(free_port "$NSD")
sed -e "s/@NS1@/$NSD/;s/@NS2@/$NSD/;s/@SERIAL@/2/" \
    "$R/contoso.zone.in" >"$T_TMP/contoso.zone"
nsd_start "$NSD" "$P" contoso.test "$T_TMP/contoso.zone" \
    cloudapp.test "$R/cloudapp.zone" || exit 1
printf '%s\n' "ok.contoso.test $G" "wrong.contoso.test $G" nx.contoso.test \
    "loop1.contoso.test $G" >"$T_TMP/names.txt"
run clouddp-resolve --resolver "$NSD:$P" --timeout "$TO" --tries 1 \
    --input "$T_TMP/names.txt"
is "$rc" 2 "resolve: failures exit 2"
like "$out" "^ok.contoso.test @$NSD:$P ok: " "resolve: ok"
like "$out" "^wrong.contoso.test @$NSD:$P wrong_target: " \
    "resolve: wrong_target"
like "$out" "^nx.contoso.test @$NSD:$P nxdomain: " "resolve: nxdomain"
like "$out" "^loop1.contoso.test @$NSD:$P loop: " "resolve: loop"

# --- clouddp-resolve against hostile answers -------------------------------
N=ok.contoso.test
# hostile MODE VERDICT PATTERN [ARGS...]: one name on a dnscanned in MODE.
hostile() {
	mode=$1 want=$2 pat=$3
	shift 3
	a=$(loopback_addr)
	spawn "$mode" dnscanned "$a" "$P" "$mode"
	wait_for 5 grep -q ready "$T_TMP/$mode.log"
	run clouddp-resolve --resolver "$a:$P" --timeout "$TO" --tries 1 \
	    "$@" "$N"
	like "$out" "^$N @$a:$P $want: $pat" "$mode: $want"
	kill "$(eval echo "\$PID_$mode")"
}
hostile ptrself bad_answer "malformed DNS answer: .*points to itself"
hostile tsigadd ok "CNAME t.$N \(ttl 60\) -> 192.0.2.1" --expect-vip 192.0.2.1
hostile chain1000 chain_too_long "more than 8 CNAMEs"
hostile strayrr nodata ".*ignored 1 answer record owned by evil.contoso.test"
