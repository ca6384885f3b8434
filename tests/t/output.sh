#!/bin/sh
# The one report path of every tool, where output goes wrong: a full
# disk (/dev/full), a reader that goes away (| head -1), SIGINT in the
# middle of a batch, --json with --nagios, and --nagios being one line.
. "$top_srcdir/tests/lib.sh"
need jq jq

D=$top_srcdir/tests/data
R=clouddp-resolve
A=$(loopback_addr)
P=$(free_port 127.0.0.1)

plan 17

spawn servfail dnscanned "$A" "$P" servfail
spawn silent dnscanned "$A" "$((P + 1))" silent
sleep 0.2

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
awk -v e="$el" 'BEGIN { exit !(e < 1) }'
ok $? "| head -1: the run ends promptly (${el}s for 100,000 names)"

# --- SIGINT in the middle of a batch ----------------------------------------
# A silent server, one try of 0.3s, 5 names at once: a few names end
# with a timeout every 0.3s, the rest are in flight when SIGINT comes.
names 200 >"$T_TMP/200.txt"
$R --json --resolver "$A:$((P + 1))" --timeout 0.3 --tries 1 \
    --concurrency 5 --input "$T_TMP/200.txt" >"$T_TMP/int.json" \
    2>"$T_TMP/err" &
pid=$!
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

# --- --nagios: one line ------------------------------------------------------
run $R --nagios --resolver "$A:$P" ok.contoso.test ok2.contoso.test
like "$out" "^CLOUDDP-RESOLVE CRITICAL: 2 of 2 names failed; worst: ok.contoso.test servfail: " \
    "resolve --nagios: the worst name and its verdict"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "resolve --nagios: one line"
