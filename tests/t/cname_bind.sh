#!/bin/sh
# clouddp-cname against a live BIND on loopback: the nsupdate script run
# by nsupdate, and --apply with TSIG.  dig is the judge of what the zone
# holds; the SOA serial shows whether anything changed.
. "$top_srcdir/tests/lib.sh"
need named bind9
need nsupdate bind9-dnsutils
need dig bind9-dnsutils
need tsig-keygen bind9-utils

plan 32
GUID=d1594d4527614a09b934d470.cloudapp.net
ADDR=127.0.0.1	# named listens only on addresses configured on an interface
PORT=$(free_port "$ADDR")
tsig-keygen -a hmac-sha256 clouddp-update >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
named_start "$ADDR" "$PORT" contoso.com "$top_srcdir/tests/data/cname/contoso.zone" "$T_TMP/key.conf" ||
    { ok 1 "named starts"; exit 1; }

q() { dig +short +norec -p "$PORT" @"$ADDR" "$@"; }
serial() { q contoso.com SOA | awk '{ print $3 }'; }

# The nsupdate script, run by BIND's own nsupdate.
clouddp-cname --fqdn script.contoso.com --target $GUID --format nsupdate \
    --server "$ADDR:$PORT" --origin contoso.com >"$T_TMP/up.txt"
ok $? "nsupdate script written"
run nsupdate -k "$T_TMP/key.conf" "$T_TMP/up.txt"
is "$rc" 0 "nsupdate runs the script as-is"
is "$(q script.contoso.com CNAME)" "$GUID." "dig returns the CNAME"
s1=$(serial)
run nsupdate -k "$T_TMP/key.conf" "$T_TMP/up.txt"
is "$rc" 0 "running the script twice succeeds"
is "$(serial)" "$s1" "and changes nothing (serial $s1)"
clouddp-cname --fqdn host7.contoso.com --target $GUID --format nsupdate \
    --server "$ADDR:$PORT" --origin contoso.com >"$T_TMP/up7.txt"
run nsupdate -k "$T_TMP/key.conf" "$T_TMP/up7.txt"
isnt_zero=$([ "$rc" -ne 0 ] && echo yes)
is "$isnt_zero" yes "the script refuses a name that holds an A record"
is "$(q host7.contoso.com A)" "192.0.2.7" "the host's A record is untouched"
is "$(q host7.contoso.com CNAME)" "" "and no CNAME was added"

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

dead=$(free_port "$ADDR")
run clouddp-cname --apply --server "$ADDR:$dead" --tsig-file "$T_TMP/key.conf" -t 1 \
    --fqdn clouddp7.contoso.com --target $GUID --origin contoso.com
is "$rc" 3 "no server listening: exit 3 (could not check)"
like "$err" "no answer" "the dead server is explained"
