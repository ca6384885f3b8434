#!/bin/sh
# clouddp-cname without a server: every format, judged by named-checkzone
# where BIND can judge it; every name rule with a failing case; batch
# input; conflicts against a real zone file.
. "$top_srcdir/tests/lib.sh"
need named-checkzone bind9-utils

GUID=d1594d4527614a09b934d470.cloudapp.net
ZONE=$top_srcdir/tests/data/cname/contoso.zone
plan 64

# check_snippet FILE: the snippet, put into a zone, loads in BIND.
check_snippet() {
	{
		echo '$TTL 3600'
		echo '@ IN SOA ns1.contoso.com. hostmaster.contoso.com. 1 3600 600 86400 300'
		echo '@ IN NS ns1.contoso.com.'
		echo 'ns1 IN A 127.0.0.1'
		cat "$1"
	} >"$T_TMP/snippet.zone"
	named-checkzone -q contoso.com "$T_TMP/snippet.zone"
}

run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --origin contoso.com
is "$rc" 0 "bind snippet: exit 0"
like "$out" '^; clouddp-cname: ' "bind snippet: a comment says what it is for"
like "$out" "^clouddp9	3600	IN	CNAME	$GUID\\.\$" "owner relative to --origin, TTL and class explicit"
printf '%s\n' "$out" >"$T_TMP/a.snip"
check_snippet "$T_TMP/a.snip"
ok $? "named-checkzone accepts the relative snippet"

run clouddp-cname --fqdn CloudDP9.Contoso.COM. --target D1594D4527614A09B934D470.CLOUDAPP.NET --ttl 300
like "$out" "^clouddp9\\.contoso\\.com\\.	300	IN	CNAME	$GUID\\.\$" "no --origin: absolute owner, names lower-cased, trailing dot added"
printf '%s\n' "$out" >"$T_TMP/b.snip"
check_snippet "$T_TMP/b.snip"
ok $? "named-checkzone accepts the absolute snippet"

run clouddp-cname --fqdn bücher.contoso.com --target $GUID --origin contoso.com
like "$out" "^xn--bcher-kva	" "a UTF-8 name becomes its A-label"
printf '%s\n' "$out" >"$T_TMP/c.snip"
check_snippet "$T_TMP/c.snip"
ok $? "named-checkzone accepts the IDN snippet"

run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --format powershell --ttl 3600
like "$out" "Add-DnsServerResourceRecordCName -ZoneName 'contoso.com' -Name 'clouddp9' -HostNameAlias '$GUID' -TimeToLive '01:00:00'" "powershell: Add- line with a TimeSpan TTL"
like "$out" "Get-DnsServerResourceRecord -ZoneName 'contoso.com' -Name 'clouddp9'" "powershell: checks that the name is free first"
run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --format powershell --ttl 172800
like "$out" "-TimeToLive '2.00:00:00'" "powershell: two days as d.hh:mm:ss"
run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --format dnscmd --origin contoso.com
like "$out" "^dnscmd /recordadd contoso.com clouddp9 3600 CNAME $GUID\\.\$" "dnscmd /recordadd line"
run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --format json
like "$out" '^\{"fqdn":"clouddp9.contoso.com.","type":"CNAME","class":"IN","ttl":3600,' "json: the record as data"
run clouddp-cname --fqdn clouddp9.contoso.com --target $GUID --format nsupdate
like "$out" "prereq nxrrset clouddp9.contoso.com. A" "nsupdate: prerequisite against other data"
like "$out" "nsupdate -g" "nsupdate: notes GSS-TSIG for AD-integrated zones"

# Every bad-name rule fails with exit 3 and says why.
bad() {
	run clouddp-cname "$@"
	is "$rc" 3 "exit 3: $*"
}
bad --fqdn '*.contoso.com' --target $GUID
like "$err" "may not be a wildcard" "wildcard FQDN refused with a reason"
bad --fqdn contoso.com --target $GUID --origin contoso.com
like "$err" "apex of zone" "apex refused"
bad --fqdn clouddp1.fabrikam.com --target $GUID --origin contoso.com
like "$err" "outside zone contoso.com" "outside the origin refused"
bad --fqdn "$(printf 'a%.0s' $(seq 64)).contoso.com" --target $GUID
like "$err" "at most 63" "label over 63 octets refused"
long=$(for i in $(seq 26); do printf 'abcdefghi.'; done)contoso.com
bad --fqdn "$long" --target $GUID
like "$err" "255 octets" "name over 255 octets refused"
bad --fqdn 'cloud_dp.contoso.com' --target $GUID
like "$err" "invalid character '_'" "underscore refused (RFC 1123)"
bad --fqdn '-dp.contoso.com' --target $GUID
bad --fqdn 'a..contoso.com' --target $GUID
bad --fqdn clouddp9.contoso.com --target www.example.com
like "$err" "not one label directly under cloudapp.net" "a target outside cloudapp.net refused"
run clouddp-cname --fqdn clouddp9.contoso.com --target www.example.com --allow-any-target
is "$rc" 0 "--allow-any-target accepts it"
bad --fqdn clouddp9.contoso.com --target a.b.cloudapp.net
bad --fqdn clouddp9.contoso.com --target $GUID --ttl -5
bad --fqdn clouddp9.contoso.com
like "$err" "both --fqdn and --target" "missing --target explained"

# Batch input: every bad line reported with its number; nothing written.
cat >"$T_TMP/in.txt" <<IN
# fqdn target ttl
dp1.contoso.com 00000000000000000000000a.cloudapp.net
dp2.contoso.com 00000000000000000000000b.cloudapp.net 600

bad_name.contoso.com 00000000000000000000000c.cloudapp.net
dp4.contoso.com www.example.com
IN
run clouddp-cname --input "$T_TMP/in.txt" --origin contoso.com
is "$rc" 3 "batch with bad lines: exit 3"
like "$err" "in.txt:5: bad_name" "bad line 5 reported with its number"
like "$err" "in.txt:6: target www.example.com" "bad line 6 reported with its number"
is "$out" "" "nothing written when a line is bad"

sed -i '/bad_name\|dp4/d' "$T_TMP/in.txt"
run sh -c "clouddp-cname --input - --origin contoso.com <'$T_TMP/in.txt'"
is "$rc" 0 "batch from stdin: exit 0"
is "$(printf '%s\n' "$out" | grep -c 'IN	CNAME')" 2 "two records written"
printf '%s\n' "$out" >"$T_TMP/d.snip"
check_snippet "$T_TMP/d.snip"
ok $? "named-checkzone accepts the batch snippet"

printf 'fqdn,target,ttl\ndp1.contoso.com,"00000000000000000000000a.cloudapp.net",60\nDP1.contoso.com.,00000000000000000000000b.cloudapp.net,\n' >"$T_TMP/in.csv"
run clouddp-cname --input "$T_TMP/in.csv"
is "$rc" 2 "CSV with a duplicate name: exit 2"
like "$err" "in.csv:3: dp1.contoso.com. is given again \\(first on line 2\\)" "duplicate reported with both lines"

# Conflicts against a real zone file, each with the line that causes it.
conflict() {
	want=$1
	shift
	run clouddp-cname --zone "$ZONE" --origin contoso.com --target $GUID "$@"
	is "$rc" 2 "conflict exit 2: $*"
	like "$err" "$want" "conflict explained: $want"
}
conflict 'host7.contoso.com. already has an A record \(line 10\): a host uses this name' --fqdn host7.contoso.com
conflict 'already owns MX data \(line 12\)' --fqdn mail.contoso.com
conflict 'already a CNAME to 00000000000000000000aaaa.cloudapp.net. \(line 15\)' --fqdn clouddp2.contoso.com
conflict 'has an AAAA record \(line 11\)' --fqdn v6host.contoso.com
conflict 'below the DNAME at old.contoso.com. \(line 18\)' --fqdn x.old.contoso.com
conflict 'below the delegation of branch.contoso.com. \(line 16\)' --fqdn dp.branch.contoso.com
run clouddp-cname --zone "$ZONE" --origin contoso.com --target $GUID --fqdn clouddp1.contoso.com
is "$rc" 0 "the same CNAME already in the zone: exit 0"
like "$err" "nothing to do" "and it says there is nothing to do"
run clouddp-cname --zone "$ZONE" --origin contoso.com --target $GUID --fqdn clouddp1.contoso.com --json
like "$out" '^\{"fqdn":"clouddp1.contoso.com.","target":"d1594d4527614a09b934d470.cloudapp.net.","action":"present"' "--json: one object, also with nothing to do"
printf '127.0.0.1 localhost\n' >"$T_TMP/hosts"
run clouddp-cname --zone "$T_TMP/hosts" --origin contoso.com --target $GUID --fqdn dp.contoso.com
is "$rc" 3 "a file that is not a zone: exit 3"
like "$err" "hosts:1: not a resource record" "and the line is named"
run clouddp-cname --zone "$ZONE" --origin fabrikam.com --target $GUID --fqdn dp.fabrikam.com
is "$rc" 3 "a zone file for another origin: exit 3"
like "$err" "no SOA record for fabrikam.com." "the wrong --origin is explained"
