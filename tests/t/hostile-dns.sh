#!/bin/sh
# clouddp-resolve (and clouddp-verify) against hostile DNS servers on
# loopback (dnscanned): answers under a wrong ID, for another name, type
# or class, from another port or address, a query sent back, garbage, a
# short header, more records claimed than sent, compression loops,
# records for other names, 1,000 CNAMEs, 1,000 addresses, a truncated
# answer whose TCP retry drips one byte a second, TSIG-typed records in
# the additional section.  Every case must end with its exact verdict
# and message, within the documented time (--timeout T --tries N waits
# T + 2T + ... + 2^(N-1)T, plus a margin) and within a memory bound
# (maximum RSS no more than 4 MiB over a sound answer's).  resolve.sh
# has SERVFAIL, FORMERR, silence, a record cut short and a slow TCP
# server; they are not repeated.  dig judges what the server sends.
. "$top_srcdir/tests/lib.sh"
need dig bind9-dnsutils
need /usr/bin/time time

plan 70

P=$(free_port)
N=ok.contoso.test
T=0.3
TRIES=2
BOUND=0.9		# 0.3 + 0.6 s
MARGIN=0.6
RSS_SLACK=4096		# KiB over the sound answer's maximum RSS

# start MODE: a dnscanned on a fresh address; sets $a.
start() {
	a=$(loopback_addr)
	spawn "$1" dnscanned "$a" "$P" "$1"
	wait_for 5 grep -q ready "$T_TMP/$1.log"
}

# measure CMD...: run it under /usr/bin/time; sets out, err, rc, el
# (seconds) and rss (KiB).
measure() {
	/usr/bin/time -f '%e %M' -o "$T_TMP/.time" "$@" >"$T_TMP/.out" \
	    2>"$T_TMP/.err"
	rc=$?
	out=$(cat "$T_TMP/.out")
	err=$(cat "$T_TMP/.err")
	set -- $(tail -1 "$T_TMP/.time")
	el=$1
	rss=$2
}

# bounded WHAT LIMIT: the last run took under LIMIT + MARGIN seconds and
# its RSS stayed under the sound answer's plus RSS_SLACK.
bounded() {
	awk -v e="$el" -v b="$2" -v m="$MARGIN" 'BEGIN { exit !(e < b + m) }'
	ok $? "$1: ${el}s, under ${2}s + ${MARGIN}s"
	[ "$rss" -le $((RSS0 + RSS_SLACK)) ]
	ok $? "$1: max RSS ${rss} KiB, under ${RSS0} + ${RSS_SLACK} KiB"
}

# hostile MODE VERDICT PATTERN [ARGS...]: one name on a dnscanned in
# MODE; the verdict, the message (grep -E PATTERN), time and memory.
hostile() {
	mode=$1 want=$2 pat=$3
	shift 3
	start "$mode"
	measure clouddp-resolve --resolver "$a:$P" --timeout "$T" \
	    --tries "$TRIES" "$@" "$N"
	like "$out" "^$N @$a:$P $want: $pat" "$mode: $want, $pat"
	bounded "$mode" "$BOUND"
	kill "$(eval echo "\$PID_$mode")"
}

# --- A sound answer: the baseline for memory -------------------------------
start plain
measure clouddp-resolve --resolver "$a:$P" --expect-vip 192.0.2.1 "$N"
like "$out" "^$N @$a:$P ok: CNAME t.$N \(ttl 60\) -> 192.0.2.1" \
    "a sound answer is ok"
RSS0=$rss
diag "a sound answer: ${el}s, max RSS ${RSS0} KiB"
kill "$PID_plain"

# --- Answers c-ares drops: a timeout that says what came instead ----------
TO="no answer within 0.9s \(2 tries: 0.3s then 0.6s\)"
hostile wrongid timeout "$TO; the server sent 2 answers that matched no query: 2 under a wrong ID$"
hostile othername timeout "$TO; the server sent 2 answers that matched no query: 2 for another question \(xk.contoso.test A\)$"
hostile othertype timeout "$TO; .*2 for another question \($N TXT\)$"
hostile otherclass timeout "$TO; .*2 for another question \($N A CH\)$"
hostile garbage timeout "$TO; the server sent 2 answers that matched no query: 2 unreadable$"
hostile random timeout "$TO; .*: 2 unreadable$"
hostile shorthdr timeout "$TO; .*: 2 too short for a header$"
# From another port or address the kernel drops the answer (the socket is
# connected): nothing came, and dig sees nothing either.
hostile otherport timeout "$TO$"
hostile otheraddr timeout "$TO$"
start otherport
d=$(dig +tries=1 +time=1 -p "$P" @"$a" "$N" 2>&1)
kill "$PID_otherport"
like "$d" "timed out" "dig ignores the answer from another port too"

# --- Answers that reach the parser ----------------------------------------
hostile echo bad_answer "the server sent back a query \(QR bit clear\), not an answer$"
hostile overcount bad_answer "malformed DNS answer: the header claims 50 answer records, the message ends after 2$"
hostile ptrself bad_answer "malformed DNS answer: answer record 1 of 1: a compression pointer points to itself \(a loop\)$"
start ptrself
d=$(dig +tries=1 +time=1 -p "$P" @"$a" "$N" 2>&1)
like "$d" "bad compression pointer" "dig finds the self-pointer malformed too"
kill "$PID_ptrself"
hostile ptrmutual bad_answer "malformed DNS answer: answer record 1 of 2: a compression pointer points forward \(a loop, or past the end\)$"
hostile strayrr nodata "the name exists but has no CNAME and no address \(NODATA\); ignored 1 answer record owned by evil.contoso.test, not by the name asked$"
hostile tsigadd ok "CNAME t.$N \(ttl 60\) -> 192.0.2.1 \(ttl 60\)$" \
    --expect-vip 192.0.2.1

# --- Big answers over TCP, after a truncated UDP one ----------------------
hostile chain1000 chain_too_long "more than 8 CNAMEs: CNAME c1.$N \(ttl 60\) -> .* -> c8.$N \(ttl 60\)$"
start chain1000
d=$(dig +tcp -p "$P" @"$a" "$N")
like "$d" "ANSWER: 1000," "dig reads the 1,000 CNAMEs over TCP"
kill "$PID_chain1000"
hostile a1000 ok "CNAME t.$N \(ttl 60\) -> 10.0.0.1, .*, 10.0.0.16 and 984 more \(ttl 60\)$" \
    --expect-vip 10.0.3.232
hostile a1000 wrong_vip ".* and 984 more \(ttl 60\); expected 192.0.2.99$" \
    --expect-vip 192.0.2.99
# The drip: bytes keep coming, and the wait still ends on time.
hostile tcdrip timeout "the UDP answer was truncated, and no answer came over TCP in time$"

# --- Many names in flight at once, each bounded ---------------------------
start wrongid
i=0
while [ $i -lt 64 ]; do
	echo "n$i.contoso.test"
	i=$((i + 1))
done >"$T_TMP/names.txt"
measure clouddp-resolve --resolver "$a:$P" --timeout "$T" --tries "$TRIES" \
    --input "$T_TMP/names.txt"
is "$(printf '%s\n' "$out" | grep -Ec ' timeout: .*[0-9]+ under a wrong ID$')" \
    64 "64 names under wrong IDs: 64 timeouts that say so"
# The window starts at 32 names and only answers grow it: 64 names take
# two rounds of 0.9 s.
bounded "64 names, wrong IDs" 1.8
kill "$PID_wrongid"

# --- clouddp-verify sees the same ------------------------------------------
start ptrself
measure clouddp-verify --fqdn "$N" --target "t.$N" --resolver "$a" \
    --dns-port "$P" --timeout "$T" --http-port none
like "$out" "critical +dns_stage_1/cname@$a:$P: malformed DNS answer: answer" \
    "clouddp-verify: the loop is a malformed answer"
bounded "clouddp-verify, ptrself" "$BOUND"
kill "$PID_ptrself"
start wrongid
# clouddp-verify asks 3 times: 0.3 + 0.6 + 1.2 s.
measure clouddp-verify --fqdn "$N" --target "t.$N" --resolver "$a" \
    --dns-port "$P" --timeout "$T" --http-port none
like "$(printf '%s\n' "$out" | tr -s ' \n' '  ')" \
    "dns_stage_1/cname@$a:$P: no answer within 2.1s .*: [0-9]+ under a wrong ID" \
    "clouddp-verify: the wrong IDs are named"
bounded "clouddp-verify, wrongid" 2.1
kill "$PID_wrongid"
