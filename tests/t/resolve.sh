#!/bin/sh
# clouddp-resolve against real servers on loopback: NSD (authoritative
# for the customer zone, serial 2, and for cloudapp.test), BIND (an older
# copy of the customer zone, serial 1), Unbound recursing in front of
# them, and dnscanned for what no real server does.  Every verdict, the
# TCP fallback, a split between two servers, stale serials, a silent
# resolver and the output forms.
. "$top_srcdir/tests/lib.sh"
need dig bind9-dnsutils

D=$top_srcdir/tests/data/resolve
R=clouddp-resolve
G=0123456789abcdef01234567.cloudapp.test
BIND=127.0.0.1
P=$(free_port $BIND)
NSD=$(loopback_addr)
UB=$(loopback_addr)
HOSTILE=$(loopback_addr)

plan 78

sed -e "s/@NS1@/$NSD/;s/@NS2@/$BIND/;s/@SERIAL@/2/" \
    "$D/contoso.zone.in" >"$T_TMP/contoso-2.zone"
sed -e "s/@NS1@/$NSD/;s/@NS2@/$BIND/;s/@SERIAL@/1/;/@NEW@/d" \
    "$D/contoso.zone.in" >"$T_TMP/contoso-1.zone"
sed -e "s/@NS3@/$UB/" "$D/lame.zone.in" >"$T_TMP/lame.zone"
nsd_start "$NSD" "$P" contoso.test "$T_TMP/contoso-2.zone" \
    cloudapp.test "$D/cloudapp.zone" lame.test "$T_TMP/lame.zone" || exit 1
named_start "$BIND" "$P" contoso.test "$T_TMP/contoso-1.zone" || exit 1
unbound_start "$UB" "$P" contoso.test "$NSD@$P" cloudapp.test "$NSD@$P" \
    lame.test "$NSD@$P" || exit 1

# verdict TEXT NAME SERVER VERDICT: the text line of NAME on SERVER.
verdict() {
	like "$1" "^$2 @$3 $4: " "$2 on $3: $4"
}

# --- Every verdict through a recursive resolver, input from a file --------
run $R --resolver "$UB" --port "$P" --input "$D/names.txt"
is "$rc" 2 "failures exit 2"
verdict "$out" ok.contoso.test "$UB:$P" ok
verdict "$out" wrong.contoso.test "$UB:$P" wrong_target
like "$out" "wrong_target: CNAME ffffffffffffffffffffffff.cloudapp.test .*expected CNAME $G" \
    "wrong_target names the actual and the expected target"
verdict "$out" host.contoso.test "$UB:$P" no_cname
like "$out" "no_cname: .*192.0.2.3" "no_cname shows the name's own address"
verdict "$out" nodata.contoso.test "$UB:$P" nodata
verdict "$out" nx.contoso.test "$UB:$P" nxdomain
like "$out" "nx.contoso.test .*cached up to 60s" "nxdomain shows the negative TTL"
verdict "$out" long0.contoso.test "$UB:$P" chain_too_long
verdict "$out" dangling.contoso.test "$UB:$P" dangling_cname
like "$out" "dangling CNAME: deadbeefdeadbeefdeadbeef.cloudapp.test does not exist" \
    "dangling_cname names the missing target"
verdict "$out" wrongvip.contoso.test "$UB:$P" wrong_vip
like "$out" "wrong_vip: .*192.0.2.77 .*expected 192.0.2.7$" \
    "wrong_vip shows actual and expected addresses"
verdict "$out" indirect.contoso.test "$UB:$P" indirect
like "$out" "indirect: CNAME alias.contoso.test \(ttl [0-9]+\) -> 88888888888888888888888" \
    "indirect reports every hop with its TTL"
verdict "$out" v6.contoso.test "$UB:$P" ok
like "$out" "^summary: 11 names, 3 ok, 1 warning, 7 critical;" "summary counts"
# name, server, verdict: TTLs count down and Unbound rotates addresses.
verdicts() { printf '%s\n' "$1" | awk '!/^summary/ { print $1, $2, $3 }' | sort; }
all=$(verdicts "$out")
run $R --resolver "$UB" --port "$P" --input "$D/names.txt" --concurrency 1
is "$(verdicts "$out")" "$all" \
    "--concurrency 1: the same verdicts, one name at a time"

# --- TCP fallback: the UDP answer is truncated, the VIP is the 60th --------
tc=$(dig +noedns +notcp +ignore +norec -p "$P" @"$NSD" big.cloudapp.test A)
like "$tc" "flags: qr aa tc" "dig: the UDP answer for big.cloudapp.test is truncated"
verdict "$out" big.contoso.test "$UB:$P" ok
like "$out" "big.contoso.test @.* and 44 more" "all 60 addresses were read over TCP"

# --- Straight at the authoritative servers --------------------------------
run $R --resolver "$NSD:$P" --input "$D/names.csv"
is "$rc" 2 "CSV input with a header: exit 2 for the loop"
verdict "$out" ok.contoso.test "$NSD:$P" ok
verdict "$out" loop1.contoso.test "$NSD:$P" loop
like "$out" "CNAME loop: loop1.contoso.test -> CNAME loop2.contoso.test \(ttl 300\) -> loop1.contoso.test" \
    "the loop is shown where it closes"
run $R --resolver "$NSD" --port "$P" other.example.test
verdict "$out" other.example.test "$NSD:$P" refused
run $R -v --aaaa --resolver "$NSD:$P" --expect-vip 192.0.2.10 ok.contoso.test
like "$out" "ok=1
summary: 0 disagreements; 2 queries" "--aaaa asks AAAA too"
like "$err" "resolver 1: $NSD:$P" "-v names the resolvers"
# BIND (recursion off) answers with the CNAME only: a second query, refused.
run $R --resolver "$BIND:$P" ok.contoso.test
like "$out" "refused: the server refused the query for $G" \
    "stage 2 on a server without the target zone is refused"

# --- Two resolvers disagree (a split): both results and the call-out -------
run $R --resolver "$NSD" --resolver "$BIND" --port "$P" --expect-target "$G" \
    split.contoso.test
is "$rc" 2 "split: exit 2"
verdict "$out" split.contoso.test "$NSD:$P" ok
verdict "$out" split.contoso.test "$BIND:$P" nxdomain
like "$out" "^split.contoso.test disagreement: .*$NSD:$P says ok .*$BIND:$P says nxdomain" \
    "the disagreement is called out"

# --- JSON: NDJSON per name, then one summary object -----------------------
run $R --json --resolver "$NSD" --resolver "$BIND" --port "$P" \
    --expect-target "$G" split.contoso.test host.contoso.test
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "--json: two names and a summary"
like "$(printf '%s\n' "$out" | grep '"name":"split.contoso.test"')" \
    '"disagreement":true.*"verdict":"ok".*"verdict":"nxdomain"' "JSON per resolver"
like "$(printf '%s\n' "$out" | tail -1)" \
    '^\{"summary":\{"names":2,.*"no_cname":2,.*\},"status":"critical"\}$' \
    "JSON summary object last"

# --- Authoritative: every NS of the zone, serials, the stale one ----------
dig +short -p "$P" @"$UB" dp.lame.test >/dev/null
run $R --authoritative --resolver "$UB" --port "$P" --expect-target "$G" \
    split.contoso.test ok.contoso.test
is "$rc" 2 "authoritative: the server lacking a name fails it"
verdict "$out" split.contoso.test "ns1.contoso.test/$NSD:$P" ok
verdict "$out" split.contoso.test "ns2.contoso.test/$BIND:$P" nxdomain
like "$out" "^ok.contoso.test @ns2.contoso.test/$BIND:$P stale: serial 1, another server has 2" \
    "the stale server is named with its serial"
like "$out" "ok.contoso.test @ns1.contoso.test/$NSD:$P ok: CNAME $G \(ttl 300\).*serial 2" \
    "each server's serial and the record's TTL"
run $R --json --authoritative --resolver "$UB" --port "$P" ok.contoso.test
like "$out" '"zone":"contoso.test","serial":1,"stale":true' "JSON: stale serial"
like "$out" '"aa":true' "JSON: the AA bit"
run $R --authoritative --resolver "$UB" --port "$P" --expect-target "$G" \
    dp.lame.test
is "$rc" 1 "not authoritative is a warning"
verdict "$out" dp.lame.test "ns.lame.test/$UB:$P" not_authoritative

# --- A resolver that does not answer: timeout within a margin -------------
spawn silent dnscanned "$HOSTILE" "$P" silent
wait_for 5 grep -q ready "$T_TMP/silent.log"
t0=$(date +%s.%N)
run $R --resolver "$HOSTILE" --port "$P" --timeout 0.5 --tries 2 ok.contoso.test
t1=$(date +%s.%N)
is "$rc" 3 "no resolver answered: exit 3"
verdict "$out" ok.contoso.test "$HOSTILE:$P" timeout
# c-ares doubles the timeout on each retry: 0.5 + 1.0 s.
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
hi=$(awk -v s="$(t_slack)" 'BEGIN { print 2.2 + s }')
awk -v e="$el" -v hi="$hi" 'BEGIN { exit !(e >= 1.4 && e < hi) }'
ok $? "the timeout is honoured: ${el}s for 0.5s then 1.0s (under ${hi}s)"
like "$out" "timeout: no answer within 1.5s \(2 tries: 0.5s then 1s\)$" \
    "the message gives the real schedule, not 0.5s x 2 tries"
run $R --resolver "$HOSTILE" --resolver "$NSD" --port "$P" --timeout 0.3 \
    --tries 1 --expect-target "$G" ok.contoso.test
is "$rc" 2 "one silent resolver among two: exit 2"
verdict "$out" ok.contoso.test "$NSD:$P" ok
verdict "$out" ok.contoso.test "$HOSTILE:$P" timeout
kill "$PID_silent"

# --- TCP fallback to a slow server ------------------------------------------
# dnsslow truncates every UDP answer; over TCP it answers after 2 s, or
# (close) hangs up after 0.2 s.
slow=$(loopback_addr)
spawn slow dnsslow "$slow" "$P" 2
hang=$(loopback_addr)
spawn hang dnsslow "$hang" "$P" 0.2 close
wait_for 5 grep -q ready "$T_TMP/slow.log"
wait_for 5 grep -q ready "$T_TMP/hang.log"
run $R --resolver "$slow:$P" --timeout 0.5 --tries 2 ok.contoso.test
verdict "$out" ok.contoso.test "$slow:$P" timeout
like "$out" "the UDP answer was truncated, and no answer came over TCP in time" \
    "a slow TCP fallback is a timeout over TCP"
run $R --resolver "$hang:$P" --timeout 1 --tries 2 ok.contoso.test
like "$out" "the UDP answer was truncated, and the server closed the TCP connection without answering" \
    "a TCP connection closed unanswered is said so"
unlike "$out" "refused|nothing listens" "and not called connection refused"
kill "$PID_slow" "$PID_hang"

# --- Hostile answers -------------------------------------------------------
# dropfirst answers only the retry: SERVFAIL proves the retry was sent.
for m in servfail:servfail formerr:bad_answer wrongid:timeout \
    garbage:timeout dropfirst:servfail truncrr:bad_answer; do
	mode=${m%%:*} want=${m#*:}
	a=$(loopback_addr)
	spawn "$mode" dnscanned "$a" "$P" "$mode"
	wait_for 5 grep -q ready "$T_TMP/$mode.log"
	run $R --resolver "$a:$P" --timeout 0.3 --tries 2 ok.contoso.test
	verdict "$out" ok.contoso.test "$a:$P" "$want"
done
like "$out" "malformed DNS answer" "a record cut short is reported, not trusted"

# --- Output forms and bad usage --------------------------------------------
run $R --nagios --resolver "$NSD:$P" --expect-target "$G" ok.contoso.test \
    nx.contoso.test
like "$out" "^CLOUDDP-RESOLVE CRITICAL: 1 of 2 names failed; worst: nx.contoso.test nxdomain: the name does not exist \(NXDOMAIN\).* \| 'names'=2 'ok'=1" \
    "--nagios: one line with perfdata, the worst name and its verdict"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "--nagios: one line"
run $R --quiet --resolver "$NSD:$P" ok.contoso.test
is "$out" "" "--quiet prints nothing"
is "$rc" 0 "--quiet keeps the exit status"
printf 'ok.contoso.test\nbad..name\n' >"$T_TMP/bad.txt"
run $R --resolver "$NSD:$P" --input "$T_TMP/bad.txt"
is "$rc" 3 "a bad input line exits 3"
like "$err" "bad.txt:2: bad..name: empty label" "the error names the line"
run $R --resolver "not-an-address" ok.contoso.test
is "$rc" 3 "a bad --resolver exits 3"
like "$err" "hint: give an IP address" "with a hint"
run $R --resolver "$NSD:$P" --expect-vip 300.1.1.1 ok.contoso.test
is "$rc" 3 "a bad --expect-vip exits 3"
run $R
is "$rc" 3 "no names exits 3"
printf '# only a comment\n' >"$T_TMP/empty.txt"
run $R --resolver "$NSD:$P" --input "$T_TMP/empty.txt"
is "$rc" 3 "an input without names exits 3"
like "$err" "empty.txt: no names to check" "and says so"
closed=$(loopback_addr)
run $R --resolver "$closed:$P" ok.contoso.test
is "$rc" 3 "a closed port: nothing answered, exit 3"
like "$out" "bad_answer: connection refused: nothing listens on that port" \
    "a closed port is told apart from silence"
