#!/bin/sh
# clouddp-resolve (and clouddp-verify) against hostile DNS servers on
# loopback (dnscanned): answers under a wrong ID, for another name, type
# or class, from another port or address, a query sent back, garbage, a
# short header, more records claimed than sent, compression loops,
# records for other names, 1,000 CNAMEs, 1,000 addresses, a truncated
# answer whose TCP retry drips one byte a second or comes under a wrong
# ID, TSIG-typed records in the additional section; and hostile answers
# to an RFC 2136 UPDATE (clouddp-cname --apply).  Every case must end with its exact verdict
# and message, within the documented time (--timeout T --tries N waits
# T + 2T + ... + 2^(N-1)T, plus a margin) and within a memory bound
# (maximum RSS no more than 4 MiB over a sound answer's).  resolve.sh
# has SERVFAIL, FORMERR, silence, a record cut short and a slow TCP
# server; they are not repeated.  dig judges what the server sends.
. "$top_srcdir/tests/lib.sh"
need dig bind9-dnsutils
need /usr/bin/time time
need valgrind valgrind

plan 107

P=$(free_port)
N=ok.contoso.test
T=0.3
TRIES=2
BOUND=0.9		# 0.3 + 0.6 s
MARGIN=0.8		# plus twice a sound answer's run: start-up under load
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
	t_vg_skip "$1: max RSS" "it is valgrind's own" && return
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
MARGIN=$(awk -v m="$MARGIN" -v e="$el" 'BEGIN { print m + 2 * e }')
diag "a sound answer: ${el}s, max RSS ${RSS0} KiB; time margin ${MARGIN}s"
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
# Over TCP too, an answer under a wrong ID is named.
hostile tcwrongid timeout "the UDP answer was truncated, and no answer came over TCP in time; the server sent 1 answer that matched no query: 1 under a wrong ID$"

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

# --- 100,000 answers with TSIG-typed records in the additional section ----
# ldns 1.8.3 leaks the first of two TSIG records ldns_wire2pkt reads;
# answers are read by hand, so the maximum RSS over 100,000 such answers
# stays within 1 MiB of 100,000 sound ones (read with ldns_wire2pkt, it
# grew by 12 MiB: 15.0 to 27.6 MiB).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "n%d.contoso.test\n", i }' \
    >"$T_TMP/100k.txt"
# A sanitizer build keeps freed memory in quarantine: keep it small, so
# that RSS follows live memory (and LeakSanitizer checks the exit).
for m in plain tsigadd; do
	start "$m"
	measure env \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" \
	    clouddp-resolve --resolver "$a:$P" --expect-vip 192.0.2.1 \
	    --input "$T_TMP/100k.txt"
	like "$(printf '%s\n' "$out" | grep '^summary: 1') (exit $rc)" \
	    "^summary: 100000 names, 100000 ok, .* \(exit 0\)$" \
	    "100,000 $m answers: all ok, exit 0"
	eval "rss_$m=\$rss el_$m=\$el"
	kill "$(eval echo "\$PID_$m")"
done
diag "100,000 names: sound answers ${el_plain}s, max RSS ${rss_plain} KiB;" \
    "with TSIG records ${el_tsigadd}s, max RSS ${rss_tsigadd} KiB"
if ! t_vg_skip "100,000 TSIG answers: max RSS" "it is valgrind's own"; then
	[ "$rss_tsigadd" -le $((rss_plain + 1024)) ]
	ok $? "100,000 TSIG answers: max RSS ${rss_tsigadd} KiB, within 1 MiB of ${rss_plain} KiB"
fi

# --- RFC 2136: hostile answers to an UPDATE (clouddp-cname --apply) -------
# dnsupd answers every query NXDOMAIN, so the UPDATE is sent, and answers
# it as MODE says.  Each is read by hand before ldns sees it: a clear
# error, exit 3, within -t 1, bounded memory; under valgrind no leak
# (ldns 1.8.3's ldns_wire2pkt leaks the first of two TSIG records).
G=0123456789abcdef01234567.cloudapp.net
MAY="hint: the update may or may not have been applied"
# apply MODE: clouddp-cname --apply against a dnsupd in MODE; sets $a.
apply() {
	a=$(loopback_addr)
	spawn "u$1" dnsupd "$a" "$P" "$1"
	wait_for 5 grep -q ready "$T_TMP/u$1.log"
	shift
	measure "$@" clouddp-cname --apply --server "$a:$P" \
	    --origin contoso.test --fqdn dp1.contoso.test --target "$G" -t 1
}
apply noerror
like "$rc:$err" "^2:clouddp-cname: $a:$P answered NOERROR but dp1.contoso.test. has no CNAME $G. afterwards" \
    "UPDATE noerror: sent, answered, and the check after it finds nothing"
RSS0=$rss
diag "a sound UPDATE answer: ${el}s, max RSS ${RSS0} KiB"
kill "$PID_unoerror"
# update MODE PATTERN: the error of a hostile UPDATE answer.
update() {
	apply "$1"
	like "$rc:$err" "^3:clouddp-cname: $a:$P: $2
clouddp-cname: $MAY" "UPDATE $1: $2"
	bounded "UPDATE $1" 1
	kill "$(eval echo "\$PID_u$1")"
}
update wrongid "the answer's ID \([0-9]+\) does not match the query's \([0-9]+\)$"
update echo "the server sent back a message \(QR bit clear\), not an answer$"
update opcode "the answer's opcode \(0\) is not the message's \(5\)$"
update tsig2 "the answer holds 2 TSIG records: one at most is allowed, as its last record \(RFC 8945\)$"
update tsigmid "the answer's TSIG record is not its last record \(RFC 8945\)$"
update overcount "malformed answer: the header claims 3 additional records, the message ends after 0$"
update ptrloop "malformed answer: question 1 of 1: a compression pointer points to itself \(a loop\)$"
update short "a 6-byte TCP answer is too short for a header \(12\)$"
update cut "closed the TCP connection 20 bytes into a 100-byte answer$"
# valgrind is the judge; a sanitizer build (which valgrind cannot run)
# has LeakSanitizer's instead, at every exit; under make check-valgrind
# the tool already runs under memcheck (a leak: exit 97).
leak="valgrind -q --leak-check=full --errors-for-leak-kinds=definite
    --error-exitcode=9"
judge=valgrind
if ldd "$top_builddir/tools/clouddp-cname" | grep -q libasan; then
	leak=env
	judge=LeakSanitizer
elif [ -n "${CLOUDDP_VALGRIND:-}" ]; then
	leak=env
fi
for m in tsig2 tsigmid cut; do
	apply "$m" $leak
	is "$rc" 3 "UPDATE $m under $judge: exit 3, no definite leak"
	[ "$rc" -eq 3 ] || diag "$err"
	kill "$(eval echo "\$PID_u$m")"
done
