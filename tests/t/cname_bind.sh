#!/bin/sh
# clouddp-cname against a live BIND on loopback: --apply with TSIG (the
# nsupdate script is in cname_nsupdate.sh).  dig is the judge of what the
# zone holds; the SOA serial shows whether anything changed.
. "$top_srcdir/tests/lib.sh"
need named bind9
need nsupdate bind9-dnsutils
need dig bind9-dnsutils
need tsig-keygen bind9-utils

plan 64
GUID=d1594d4527614a09b934d470.cloudapp.net
ADDR=127.0.0.1	# named listens only on addresses configured on an interface
PORT=$(free_port "$ADDR")
tsig-keygen -a hmac-sha256 clouddp-update >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
named_start "$ADDR" "$PORT" contoso.com "$top_srcdir/tests/data/cname/contoso.zone" "$T_TMP/key.conf" ||
    { ok 1 "named starts"; exit 1; }

q() { dig +short +norec -p "$PORT" @"$ADDR" "$@"; }
serial() { q contoso.com SOA | awk '{ print $3 }'; }

# --apply: RFC 2136 with TSIG, then confirmed by a fresh query.
apply() {
	run clouddp-cname --apply --server "$ADDR:$PORT" --tsig-file "$T_TMP/key.conf" -t 3 "$@"
}
apply --fqdn clouddp5.contoso.com --target $GUID --origin contoso.com
is "$rc" 0 "--apply: exit 0"
like "$out" "^added +clouddp5.contoso.com. CNAME $GUID." "--apply says it added the record"
is "$(q clouddp5.contoso.com CNAME)" "$GUID." "dig returns the applied CNAME"
s2=$(serial)
apply --fqdn clouddp5.contoso.com --target $GUID --json
is "$rc" 0 "--apply twice (zone found by asking the server): exit 0"
like "$out" '"action":"present"' "the second apply changes nothing"
is "$(serial)" "$s2" "serial unchanged by the second apply"

# Refusals: explained in words, zone unchanged.
sed 's/secret "[^"]*"/secret "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="/' \
    "$T_TMP/key.conf" >"$T_TMP/wrong.conf"
chmod 600 "$T_TMP/wrong.conf"
run clouddp-cname --apply --server "$ADDR:$PORT" --tsig-file "$T_TMP/wrong.conf" \
    --fqdn clouddp6.contoso.com --target $GUID --origin contoso.com
is "$rc" 2 "a wrong secret: exit 2"
like "$err" "BADSIG" "the wrong secret is named: BADSIG"
like "$err" "hint: " "with a hint"
sed 's/clouddp-update/no-such-key/' "$T_TMP/key.conf" >"$T_TMP/unknown.conf"
chmod 600 "$T_TMP/unknown.conf"
run clouddp-cname --apply --server "$ADDR:$PORT" --tsig-file "$T_TMP/unknown.conf" \
    --fqdn clouddp6.contoso.com --target $GUID --origin contoso.com
is "$rc" 2 "an unknown key: exit 2"
like "$err" "BADKEY" "the unknown key is named: BADKEY"
apply --fqdn clouddp6.fabrikam.com --target $GUID --origin fabrikam.com
is "$rc" 2 "a zone the server does not serve: exit 2"
like "$err" "NOTAUTH|REFUSED|not authoritative" "the wrong zone is explained"
is "$(q clouddp6.contoso.com CNAME)" "" "nothing was added by the refused updates"
is "$(serial)" "$s2" "serial unchanged by the refused updates"

apply --fqdn host7.contoso.com --target $GUID
is "$rc" 2 "--apply to a name with an A record: exit 2"
like "$err" "already holds A data" "the conflict is explained"
apply --fqdn clouddp2.contoso.com --target $GUID
is "$rc" 2 "--apply over a CNAME to elsewhere: exit 2"
like "$err" "already a CNAME to 00000000000000000000aaaa.cloudapp.net" "the old target is named"
apply --fqdn clouddp2.contoso.com --target $GUID --replace
is "$rc" 0 "--replace: exit 0"
like "$out" "^replaced .*was 00000000000000000000aaaa.cloudapp.net." "replaced, old target named"
is "$(q clouddp2.contoso.com CNAME)" "$GUID." "dig returns the new target"

# A closed port is "connection refused" at once, naming server and port.
dead=$(free_port "$ADDR")
t0=$(date +%s)
run clouddp-cname --apply --server "$ADDR:$dead" --tsig-file "$T_TMP/key.conf" \
    -t $((5 * CLOUDDP_TEST_SLOW)) \
    --fqdn clouddp7.contoso.com --target $GUID --origin contoso.com
t1=$(date +%s)
is "$rc" 3 "no server listening: exit 3 (could not check)"
like "$err" "$ADDR:$dead: connection refused" "the closed port is named as refused, with the port"
unlike "$err" "no answer|LDNS" "and not as a silent server"
is "$([ $((t1 - t0)) -lt $((3 * CLOUDDP_TEST_SLOW)) ] && echo fast)" fast \
    "refused at once, not after the $((5 * CLOUDDP_TEST_SLOW)) s timeout"

# No --tsig-file: the refusal says that no key was given.
run clouddp-cname --apply --server "$ADDR:$PORT" --fqdn clouddp8.contoso.com \
    --target $GUID --origin contoso.com
is "$rc" 2 "an unsigned update: exit 2"
like "$err" "no TSIG key was given" "the missing key is named"
like "$err" "hint: .*--tsig-file" "the hint points at --tsig-file"
unlike "$err" "for this key" "no talk of a key that was never given"

# The report names the server with its port, in text and JSON.
apply --fqdn clouddp8.contoso.com --target $GUID --origin contoso.com
like "$out" "server $ADDR:$PORT\)" "text: the server keeps its port"
apply --fqdn clouddp8.contoso.com --target $GUID --origin contoso.com --json
like "$out" "\"server\":\"$ADDR:$PORT\"" "json: the server keeps its port"

# Batch: a conflict on line 2 of 3 publishes nothing at all.
s3=$(serial)
printf 'b1.contoso.com %s\nhost7.contoso.com %s\nb3.contoso.com %s\n' \
    $GUID $GUID $GUID >"$T_TMP/conflict.txt"
apply --input "$T_TMP/conflict.txt"
is "$rc" 2 "a conflict on line 2 of 3: exit 2"
like "$err" "conflict.txt:2: host7.contoso.com. already holds A data" \
    "the conflict is named by its line"
is "$(q b1.contoso.com CNAME)$(q b3.contoso.com CNAME)" "" \
    "lines 1 and 3 were not published"
is "$(serial)" "$s3" "the zone is unchanged (serial $s3)"
is "$out" "" "nothing is reported as added"
like "$err" "0 applied" "the summary says nothing was applied"

# Batch: every record applied, reported once each, in input order.
i=1
: >"$T_TMP/batch.txt"
while [ $i -le 40 ]; do
	echo "batch$i.contoso.com $GUID" >>"$T_TMP/batch.txt"
	i=$((i + 1))
done
apply --input "$T_TMP/batch.txt"
is "$rc" 0 "a batch of 40: exit 0"
is "$(printf '%s\n' "$out" | awk '{ print $2 }' | tr '\n' ' ')" \
    "$(sed 's/ .*/./' "$T_TMP/batch.txt" | tr '\n' ' ')" \
    "each record reported once, in input order"
is "$(printf '%s\n' "$out" | grep -c '^added ')" 40 "all 40 added"
like "$err" "40 records checked: 40 applied" "the summary counts 40 applied"
n=0
i=1
while [ $i -le 40 ]; do
	[ "$(q batch$i.contoso.com CNAME)" = "$GUID." ] && n=$((n + 1))
	i=$((i + 1))
done
is "$n" 40 "dig finds all 40 on the server"
apply --input "$T_TMP/batch.txt" --json
is "$(printf '%s\n' "$out" | grep -c '"action":"present"')" 40 \
    "run again: all 40 present"

# --delete: only while the name points at the given target.
del() {
	run clouddp-cname --delete --server "$ADDR:$PORT" --tsig-file "$T_TMP/key.conf" -t 3 "$@"
}
del --fqdn clouddp5.contoso.com --target $GUID
is "$rc" 0 "--delete: exit 0"
like "$out" "^deleted +clouddp5.contoso.com. CNAME $GUID. \(zone contoso.com., server $ADDR:$PORT\)" \
    "--delete says it deleted the record"
is "$(q clouddp5.contoso.com CNAME)" "" "dig no longer finds it"
s4=$(serial)
del --fqdn clouddp5.contoso.com --target $GUID
is "$rc" 0 "--delete again: exit 0"
like "$out" "^absent +clouddp5.contoso.com." "a name holding nothing is absent"
is "$(serial)" "$s4" "and nothing was sent"
del --fqdn clouddp1.contoso.com --target 0123456789abcdef01234567.cloudapp.net
is "$rc" 2 "--delete of a CNAME pointing elsewhere: exit 2"
like "$err" "clouddp1.contoso.com. is a CNAME to $GUID. on $ADDR:$PORT, not to 0123456789abcdef01234567.cloudapp.net.: nothing was deleted" \
    "the refusal names where it points"
is "$(q clouddp1.contoso.com CNAME)" "$GUID." "dig still finds it"
del --fqdn host7.contoso.com --target $GUID
is "$rc" 2 "--delete on a name with an A record: exit 2"
is "$(q host7.contoso.com A)" "192.0.2.7" "the A record stays"
printf 'batch1.contoso.com %s\nbatch2.contoso.com %s\nclouddp1.contoso.com %s\n' \
    $GUID $GUID 0123456789abcdef01234567.cloudapp.net >"$T_TMP/del-conflict.txt"
s5=$(serial)
del --input "$T_TMP/del-conflict.txt"
is "$rc" 2 "--delete --input with a conflict on line 3: exit 2"
is "$(q batch1.contoso.com CNAME)$(q batch2.contoso.com CNAME)" "$GUID.$GUID." \
    "lines 1 and 2 were not deleted"
is "$(serial)" "$s5" "the zone is unchanged"
head -3 "$T_TMP/batch.txt" >"$T_TMP/del.txt"
echo "gone.contoso.com $GUID" >>"$T_TMP/del.txt"
del --input "$T_TMP/del.txt"
is "$rc" 0 "--delete --input: exit 0"
is "$(printf '%s\n' "$out" | awk '{ print $1 }' | tr '\n' ' ')" \
    "deleted deleted deleted absent " "three deleted, one absent, in order"
like "$err" "4 records checked: 3 deleted, 1 already absent" "the summary counts them"
is "$(q batch1.contoso.com CNAME)$(q batch3.contoso.com CNAME)" "" "dig no longer finds them"
is "$(q batch4.contoso.com CNAME)" "$GUID." "the next line's record stays"
run clouddp-cname --delete --replace --server "$ADDR:$PORT" \
    --fqdn clouddp5.contoso.com --target $GUID
is "$rc" 3 "--delete with --replace: usage error"
