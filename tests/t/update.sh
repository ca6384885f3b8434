#!/bin/sh
# RFC 2136 on the event loop: a slow server (dnsslow answers over TCP
# only after a delay) does not hold up an update to a live BIND on the
# same loop, and a batch --apply runs its exchanges side by side.
. "$top_srcdir/tests/lib.sh"
need named bind9
need dig bind9-dnsutils
need tsig-keygen bind9-utils

plan 20
GUID=d1594d4527614a09b934d470.cloudapp.net
ADDR=127.0.0.1
PORT=$(free_port "$ADDR")
SLOW=$(free_port "$ADDR")
DELAY=3
tsig-keygen -a hmac-sha256 clouddp-update >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
named_start "$ADDR" "$PORT" contoso.com "$top_srcdir/tests/data/cname/contoso.zone" "$T_TMP/key.conf" ||
    { ok 1 "named starts"; exit 1; }
spawn dnsslow dnsslow "$ADDR" "$SLOW" "$DELAY"
wait_for 10 grep -q ready "$T_TMP/dnsslow.log" || { ok 1 "dnsslow starts"; exit 1; }

# One loop, two servers: the update to BIND ends long before the slow
# server's answer, which still arrives.
run updatepair "$ADDR:$SLOW" "$ADDR:$PORT" "$T_TMP/key.conf" contoso.com \
    pair.contoso.com $GUID
is "$rc" 0 "both operations end"
fast=$(printf '%s\n' "$out" | awk '$1 == "fast" { print $2, $3 }')
slow=$(printf '%s\n' "$out" | awk '$1 == "slow" { print $2, $3 }')
is "${fast#* }" added "the update to BIND is done: added"
is "$(echo "${fast% *}" | awk '{ print ($1 < 1.0) ? "fast" : "stalled" }')" fast \
    "it took ${fast% *} s, not the slow server's $DELAY s"
is "${slow#* }" added "the slow server's answer is read too (a free name)"
is "$(echo "${slow% *}" | awk -v d=$DELAY '{ print ($1 >= d - 0.1) ? "waited" : "early" }')" waited \
    "after its ${slow% *} s"
is "$(printf '%s\n' "$out" | head -1 | awk '{ print $1 }')" fast "the fast one ends first"
is "$(dig +short +norec -p "$PORT" @"$ADDR" pair.contoso.com CNAME)" "$GUID." \
    "dig finds the record the fast update added"

# A batch's checks run side by side: 20 names on a server that takes
# 1 s per answer are checked in about 3 s, 8 at a time, not 20.  (dnsslow stores
# nothing, so the first update is not confirmed and the run stops there.)
kill "$PID_dnsslow"
SLOW2=$(free_port "$ADDR")
spawn dnsslow1 dnsslow "$ADDR" "$SLOW2" 1
wait_for 10 grep -q ready "$T_TMP/dnsslow1.log" || { ok 1 "dnsslow starts"; exit 1; }
i=1
: >"$T_TMP/batch.txt"
while [ $i -le 20 ]; do
	echo "n$i.contoso.com $GUID" >>"$T_TMP/batch.txt"
	i=$((i + 1))
done
t0=$(date +%s)
run clouddp-cname --apply --server "$ADDR:$SLOW2" --origin contoso.com -t 5 \
    --input "$T_TMP/batch.txt"
t1=$(date +%s)
like "$err" "batch.txt:1: .*NOERROR but n1.contoso.com. has no CNAME" \
    "the unconfirmed first update stops the run"
# One at a time would take over 20 s; under memcheck a run takes longer
# by twice t_slack, never past that.
lim=$(awk -v s="$(t_slack)" 'BEGIN { l = 12 + 2 * s; printf "%d\n", l < 19 ? l : 19 }')
is "$([ $((t1 - t0)) -le "$lim" ] && echo concurrent)" concurrent \
    "20 checks and one update in $((t1 - t0)) s, at most $lim (one at a time: over 20 s)"

# The same operation publishes an A record (the emulator's
# GUID.cloudapp.net A VIP): added, present, refused, replaced.
pair() {
	run updatepair "$ADDR:$SLOW2" "$ADDR:$PORT" "$T_TMP/key.conf" contoso.com. "$@"
	out=$(printf '%s\n' "$out" | awk '$1 == "fast" { $1 = ""; $2 = ""; print substr($0, 3) }')
}
pair vip.contoso.com. 192.0.2.10
is "$out" added "an A record: added"
is "$(dig +short +norec -p "$PORT" @"$ADDR" vip.contoso.com A)" 192.0.2.10 \
    "dig finds the address"
pair vip.contoso.com. 192.0.2.10
is "$out" present "the same address again: present"
pair vip.contoso.com. 192.0.2.11
is "$out" "error: vip.contoso.com. already has the address 192.0.2.10 on $ADDR:$PORT" \
    "another address without replace: refused, the old one named"
pair vip.contoso.com. 192.0.2.11 replace
is "$out" replaced "with replace: replaced"
is "$(dig +short +norec -p "$PORT" @"$ADDR" vip.contoso.com A)" 192.0.2.11 \
    "dig finds only the new address"

# SIGINT mid-batch: the loop stops between two answers, what was sent is
# named, nothing more is sent, exit 3.  With 2 s per answer the 16 checks
# end at about 4 s and the first update is in flight from 6 s to 8 s
# (under memcheck 4 s per answer: from 12 s to 16 s).
SLOW3=$(free_port "$ADDR")
D=2
[ -n "${CLOUDDP_VALGRIND:-}" ] && D=4
spawn dnsslow2 dnsslow "$ADDR" "$SLOW3" "$D"
wait_for 10 grep -q ready "$T_TMP/dnsslow2.log" || { ok 1 "dnsslow starts"; exit 1; }
i=1
: >"$T_TMP/b16.txt"
while [ $i -le 16 ]; do
	echo "s$i.contoso.com $GUID" >>"$T_TMP/b16.txt"
	i=$((i + 1))
done
clouddp-cname --apply --server "$ADDR:$SLOW3" --origin contoso.com -t $((D + 3)) \
    --input "$T_TMP/b16.txt" >"$T_TMP/int.out" 2>"$T_TMP/int.err" &
cpid=$!
wait_for 10 t_catching "$cpid"
sleep $((7 * D / 2))
kill -INT "$cpid"
wait "$cpid"
is "$?" 3 "SIGINT during the updates: exit 3"
err=$(cat "$T_TMP/int.err")
like "$err" "s1.contoso.com.: stopped with its update sent: it may have been applied" \
    "the update in flight is named"
like "$err" "interrupted by SIGINT: 0 records applied before, the rest not sent" \
    "the interruption is said with what was applied"
unlike "$err" "s2.contoso.com" "no other record was sent"
is "$(cat "$T_TMP/int.out")" "" "nothing is reported as applied"
