#!/bin/sh
# The one report path of every tool, where output goes wrong: a full
# disk (/dev/full), a reader that goes away (| head -1), SIGINT in the
# middle of a batch, --json with --nagios, and --nagios being one line.
. "$top_srcdir/tests/lib.sh"
need jq jq
need openssl openssl
need named bind9
need tsig-keygen bind9-utils

D=$top_srcdir/tests/data
R=clouddp-resolve
A=$(loopback_addr)
P=$(free_port 127.0.0.1)
GUID=d1594d4527614a09b934d470.cloudapp.net

plan 39

PS=$(free_port 127.0.0.1)
PC=$(free_port 127.0.0.1)
spawn servfail dnscanned "$A" "$P" servfail
spawn silent dnscanned "$A" "$((P + 1))" silent
stall_start tls "$A" "$PS" || exit 1
for s in servfail silent; do
	wait_for 10 grep -q ready "$T_TMP/$s.log" ||
	    { ok 1 "dnscanned $s starts"; exit 1; }
done

# A self-signed service certificate in a .pfx with an empty password.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=dp.contoso.test \
    -days 100 -keyout "$T_TMP/k.pem" -out "$T_TMP/c.pem" >/dev/null 2>&1
openssl pkcs12 -export -in "$T_TMP/c.pem" -inkey "$T_TMP/k.pem" \
    -passout pass: -out "$T_TMP/dp.pfx" >/dev/null 2>&1

# names N: N names, one per line.
names() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "dp%d.contoso.test\n", i }'
}

# --- --json and --nagios together: a usage error in every tool ------------
for tool in clouddp-cert clouddp-cname clouddp-resolve clouddp-vip; do
	run $tool --json --nagios --help
	is "$rc" 3 "$tool --json --nagios: exit 3"
done

# --- A full disk -----------------------------------------------------------
$R --resolver "$A:$P" ok.contoso.test >/dev/full 2>"$T_TMP/err"
is "$?" 3 "resolve > /dev/full: exit 3"
like "$(cat "$T_TMP/err")" "^clouddp-resolve: standard output: No space left on device$" \
    "resolve > /dev/full: says what failed"
names 2000 >"$T_TMP/2000.txt"
$R --json --resolver "$A:$P" --input "$T_TMP/2000.txt" >/dev/full \
    2>"$T_TMP/err"
is "$?" 3 "resolve batch > /dev/full: exit 3"
is "$(cat "$T_TMP/err")" \
    "clouddp-resolve: standard output: No space left on device" \
    "resolve batch > /dev/full: said once"

for tool in cert vip; do
	case $tool in
	cert) set -- clouddp-cert --service "$T_TMP/dp.pfx" ;;
	vip) set -- clouddp-vip --vip "$A" --port "$PC" --http-port none \
	    --timeout 1 ;;
	esac
	"$@" </dev/null >/dev/full 2>"$T_TMP/err"
	is "$?" 3 "$tool > /dev/full: exit 3"
	like "$(cat "$T_TMP/err")" "^clouddp-$tool: standard output: No space left on device$" \
	    "$tool > /dev/full: says what failed"
done
clouddp-cname --fqdn dp1.contoso.com --target "$GUID" \
    --origin contoso.com >/dev/full 2>"$T_TMP/err"
is "$?" 3 "cname > /dev/full: exit 3"
is "$(cat "$T_TMP/err")" \
    "clouddp-cname: cannot write the output: No space left on device" \
    "cname > /dev/full: said once"
for i in 1 2 3 4 5 6; do echo "$A dp$i.contoso.test"; done >"$T_TMP/vips"
clouddp-vip --json --input "$T_TMP/vips" --port "$PC" --http-port none \
    >/dev/full 2>"$T_TMP/err"
is "$?" 3 "vip batch > /dev/full: exit 3"
is "$(cat "$T_TMP/err")" \
    "clouddp-vip: standard output: No space left on device" \
    "vip batch > /dev/full: said once"

# --- A reader that goes away ------------------------------------------------
names 100000 >"$T_TMP/100000.txt"
t0=$(date +%s.%N)
($R --json --resolver "$A:$P" --input "$T_TMP/100000.txt" 2>"$T_TMP/err";
    echo $? >"$T_TMP/rc") | head -1 >"$T_TMP/first"
t1=$(date +%s.%N)
first=$(cat "$T_TMP/first")
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
like "$first" '^\{"name":"dp[0-9]+\.contoso\.test",' "| head -1: the first line"
is "$(cat "$T_TMP/err")" "" "| head -1: nothing on stderr"
hi=$(awk -v s="$(t_slack)" 'BEGIN { print 1 + s }')
awk -v e="$el" -v hi="$hi" 'BEGIN { exit !(e < hi) }'
ok $? "| head -1: the run ends promptly (${el}s for 100,000 names, under ${hi}s)"

# --- SIGINT in the middle of a batch ----------------------------------------
# A silent server, one try of 0.3s, 5 names at once: a few names end
# with a timeout every 0.3s, the rest are in flight when SIGINT comes.
names 200 >"$T_TMP/200.txt"
$R --json --resolver "$A:$((P + 1))" --timeout 0.3 --tries 1 \
    --concurrency 5 --input "$T_TMP/200.txt" >"$T_TMP/int.json" \
    2>"$T_TMP/err" &
pid=$!
wait_for 10 t_catching $pid
sleep 1.2
kill -INT $pid
wait $pid
is "$?" 3 "resolve SIGINT: exit 3"
jq -c . "$T_TMP/int.json" >/dev/null 2>&1
ok $? "resolve SIGINT: every line is whole JSON"
last=$(tail -1 "$T_TMP/int.json")
like "$last" '^\{"summary":\{"names":[1-9][0-9]*,.*"interrupted":true\},"status":"unknown"\}$' \
    "resolve SIGINT: an interrupted summary last"
done_n=$(printf '%s\n' "$last" | jq .summary.names)
is "$(($(wc -l <"$T_TMP/int.json") - 1))" "$done_n" \
    "resolve SIGINT: the summary counts the names printed"

# The same for a vip batch against a port that accepts and never speaks:
# 2 targets at once, each given up after 0.4s.
for i in $(seq 1 40); do echo "$A dp$i.contoso.test"; done >"$T_TMP/vips40"
clouddp-vip --json --input "$T_TMP/vips40" --port "$PS" --http-port none \
    --timeout 0.4 --concurrency 2 >"$T_TMP/vint.json" 2>"$T_TMP/err" &
pid=$!
wait_for 10 t_catching $pid
sleep 1.5
kill -INT $pid
wait $pid
is "$?" 3 "vip SIGINT: exit 3"
jq -c . "$T_TMP/vint.json" >/dev/null 2>&1
ok $? "vip SIGINT: every line is whole JSON"
last=$(tail -1 "$T_TMP/vint.json")
like "$last" '"status":"unknown"' "vip SIGINT: the summary is unknown"
like "$last" '"check":"interrupted"' "vip SIGINT: and says it was interrupted"

# SIGINT while the input is a pipe whose writer says nothing: the wait
# for input ends, the run winds down with its summary.
mkfifo "$T_TMP/quiet.fifo"
sleep 30 >"$T_TMP/quiet.fifo" &
holder=$!
$R --json --resolver "$A:$P" --input "$T_TMP/quiet.fifo" \
    >"$T_TMP/fifo.json" 2>"$T_TMP/err" &
pid=$!
wait_for 10 t_catching $pid
sleep 0.5
kill -INT $pid
lim=$(awk -v s="$(t_slack)" 'BEGIN { printf "%d\n", 30 + 10 * s }')
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt "$lim" ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $pid 2>/dev/null
ok $((1 - $?)) "resolve SIGINT while waiting for input: ends within $((lim / 10))s"
kill -9 $pid 2>/dev/null
wait $pid
is "$?" 3 "resolve SIGINT while waiting for input: exit 3"
kill $holder 2>/dev/null
like "$(tail -1 "$T_TMP/fifo.json")" '"interrupted":true' \
    "resolve SIGINT while waiting for input: an interrupted summary"

# --- --nagios: one line ------------------------------------------------------
run $R --nagios --resolver "$A:$P" ok.contoso.test ok2.contoso.test
like "$out" "^CLOUDDP-RESOLVE CRITICAL: 2 of 2 names failed; worst: ok.contoso.test servfail: " \
    "resolve --nagios: the worst name and its verdict"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "resolve --nagios: one line"
run $R --nagios --resolver "$A:$((P + 1))" --timeout 0.2 --tries 1 \
    ok.contoso.test
like "$out" "^CLOUDDP-RESOLVE UNKNOWN: no server answered for 1 names; worst: ok.contoso.test timeout: no answer within 0.2s \(1 try\) \| 'names'=1 .*'time'=[0-9.]+s$" \
    "resolve --nagios, nothing answered: the name and its verdict"
printf '%s\n' "$A dp1.contoso.test" "not-an-address dp2" >"$T_TMP/vipbad"
run clouddp-vip --nagios --input "$T_TMP/vipbad" --port "$PC" \
    --http-port none --timeout 1
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 \
    "vip batch with a bad line --nagios: one line"
like "$out" "^CLOUDDP-VIP UNKNOWN: 2 targets: .*; worst: .*vipbad:2: " \
    "vip batch --nagios: the worst target named with its verdict"
printf '%s\n' "$A dp1.contoso.test" >"$T_TMP/vipone"
run clouddp-vip --nagios --input "$T_TMP/vipone" --port "$PC" \
    --http-port none --timeout 1
like "$out" "^CLOUDDP-VIP CRITICAL: 1 targets: .*; worst: $A dp1.contoso.test: tcp_https: refused" \
    "vip batch --nagios: a failed target named with its check"

# cname: a conflict found in a zone file, and one found by --apply on the
# server (line 2 of 3 holds an A record): each one line, naming it.
run clouddp-cname --nagios --fqdn host7.contoso.com --target $GUID \
    --zone "$D/cname/contoso.zone" --origin contoso.com
is "$out" "CLOUDDP-CNAME CRITICAL: host7.contoso.com. already has an A record (line 10): a host uses this name" \
    "cname --zone conflict --nagios: one line naming it"
PN=$(free_port 127.0.0.1)
tsig-keygen -a hmac-sha256 clouddp-update >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
named_start 127.0.0.1 "$PN" contoso.com "$D/cname/contoso.zone" \
    "$T_TMP/key.conf" || exit 1
printf 'b1.contoso.com %s\nhost7.contoso.com %s\nb3.contoso.com %s\n' \
    $GUID $GUID $GUID >"$T_TMP/conflict.txt"
run clouddp-cname --nagios --apply --server "127.0.0.1:$PN" \
    --tsig-file "$T_TMP/key.conf" -t 3 --input "$T_TMP/conflict.txt"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 \
    "cname --apply conflict --nagios: one line"
like "$out" "^CLOUDDP-CNAME CRITICAL: .*host7.contoso.com" \
    "cname --apply conflict --nagios: naming the record"
