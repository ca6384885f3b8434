#!/bin/sh
# clouddp-cname --format nsupdate, run by BIND's own nsupdate against a
# live BIND on loopback.  The script's prerequisites must keep it from
# repointing a live record: dig is the judge of what the zone holds, the
# SOA serial shows whether anything changed.
. "$top_srcdir/tests/lib.sh"
need named bind9
need nsupdate bind9-dnsutils
need dig bind9-dnsutils
need tsig-keygen bind9-utils

plan 28
GUID=d1594d4527614a09b934d470.cloudapp.net
OLD=00000000000000000000aaaa.cloudapp.net
ZONE=$top_srcdir/tests/data/cname/contoso.zone
ADDR=127.0.0.1	# named listens only on addresses configured on an interface
PORT=$(free_port "$ADDR")
tsig-keygen -a hmac-sha256 clouddp-update >"$T_TMP/key.conf"
chmod 600 "$T_TMP/key.conf"
named_start "$ADDR" "$PORT" contoso.com "$ZONE" "$T_TMP/key.conf" ||
    { ok 1 "named starts"; exit 1; }

q() { dig +short +norec -p "$PORT" @"$ADDR" "$@"; }
serial() { q contoso.com SOA | awk '{ print $3 }'; }
# script FILE ARGS...: write the nsupdate script for ARGS into FILE.
script() {
	f=$1
	shift
	clouddp-cname --format nsupdate --server "$ADDR:$PORT" \
	    --origin contoso.com "$@" >"$T_TMP/$f"
}
nsup() { run nsupdate -k "$T_TMP/key.conf" "$T_TMP/$1"; }

# A new name: added; the second run is refused and changes nothing.
script new.txt --fqdn script.contoso.com --target $GUID
ok $? "nsupdate script written"
like "$(cat "$T_TMP/new.txt")" "^prereq nxdomain script.contoso.com.\$" \
    "the prerequisite: the name holds nothing yet"
nsup new.txt
is "$rc" 0 "nsupdate runs the script as-is"
is "$(q script.contoso.com CNAME)" "$GUID." "dig returns the CNAME"
s1=$(serial)
nsup new.txt
like "$rc:$err" "^2:update failed: YXDOMAIN" "a second run is refused (YXDOMAIN)"
is "$(serial)" "$s1" "and changes nothing (serial $s1)"
is "$(q script.contoso.com CNAME)" "$GUID." "the CNAME stays"

# A live CNAME to another target is never repointed.
script repoint.txt --fqdn clouddp2.contoso.com --target $GUID
ok $? "a script for a name that already points elsewhere (no --zone to tell)"
nsup repoint.txt
like "$rc:$err" "^2:update failed: YXDOMAIN" "nsupdate refuses it (YXDOMAIN)"
is "$(q clouddp2.contoso.com CNAME)" "$OLD." "the live CNAME still points at the old target"
is "$(serial)" "$s1" "the zone is unchanged"

# Other data at the name: refused, untouched.
script host7.txt --fqdn host7.contoso.com --target $GUID
nsup host7.txt
like "$rc:$err" "^2:update failed: YXDOMAIN" "a name with an A record: refused"
is "$(q host7.contoso.com A)" "192.0.2.7" "the host's A record is untouched"
is "$(q host7.contoso.com CNAME)" "" "and no CNAME was added"

# --replace, knowing the old target from the zone file: compare and swap.
run clouddp-cname --format nsupdate --origin contoso.com --fqdn clouddp2.contoso.com \
    --target $GUID --replace
is "$rc" 3 "--format nsupdate --replace without --zone: usage error"
like "$err" "needs --zone" "the zone file is asked for"
script swap.txt --fqdn clouddp2.contoso.com --target $GUID --replace --zone "$ZONE"
is "$?" 0 "--replace --zone: a CNAME elsewhere is no conflict"
like "$(cat "$T_TMP/swap.txt")" "^prereq yxrrset clouddp2.contoso.com. IN CNAME $OLD.\$" \
    "the prerequisite: the name still points at the old target"
nsup swap.txt
is "$rc" 0 "nsupdate runs the replacing script"
is "$(q clouddp2.contoso.com CNAME)" "$GUID." "dig returns the new target"
s2=$(serial)
nsup swap.txt
like "$rc:$err" "^2:update failed: NXRRSET" "run again, the name no longer points at the old target: refused (NXRRSET)"
is "$(serial)" "$s2" "and nothing changed"
script swap2.txt --fqdn clouddp2.contoso.com --target 0000000000000000000bbbbb.cloudapp.net \
    --replace --zone "$ZONE"
nsup swap2.txt
is "$rc" 2 "a zone file older than the zone: the swap is refused"
is "$(q clouddp2.contoso.com CNAME)" "$GUID." "and the live CNAME stays"
script free.txt --fqdn brandnew.contoso.com --target $GUID --replace --zone "$ZONE"
like "$(cat "$T_TMP/free.txt")" "^prereq nxdomain brandnew.contoso.com.\$" \
    "--replace for a free name: added only while it is free"
nsup free.txt
is "$rc:$(q brandnew.contoso.com CNAME)" "0:$GUID." "and it is added"

# --apply --replace with --zone: the zone file's CNAME elsewhere is no
# conflict either; the server's own compare-and-swap decides.
run clouddp-cname --apply --server "$ADDR:$PORT" --tsig-file "$T_TMP/key.conf" -t 3 \
    --origin contoso.com --zone "$ZONE" --replace --fqdn clouddp2.contoso.com \
    --target 0000000000000000000ccccc.cloudapp.net
is "$rc" 0 "--apply --replace --zone: a CNAME elsewhere in the zone file is replaced"
is "$(q clouddp2.contoso.com CNAME)" "0000000000000000000ccccc.cloudapp.net." "dig returns the replacement"
