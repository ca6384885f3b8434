#!/bin/sh
# clouddp-cname without a server: every format, judged by named-checkzone
# where BIND can judge it; every name rule with a failing case; batch
# input; conflicts against a real zone file.
. "$top_srcdir/tests/lib.sh"
need named-checkzone bind9-utils

GUID=d1594d4527614a09b934d470.cloudapp.net
ZONE=$top_srcdir/tests/data/cname/contoso.zone
plan 96

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
# The header once read the U-label buffer before it was filled: an ASCII
# name then got whatever the stack held, often a stray ")".
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	clouddp-cname --fqdn clouddp$i.contoso.com --target $GUID |
	    grep -qx "; service FQDN clouddp$i\\.contoso\\.com\\. -> classic cloud DP $GUID\\." ||
	    bad=$((bad + 1))
done
is "$bad" 0 "an ASCII name's header: the name alone, in 20 runs"
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
like "$out" "^prereq nxdomain clouddp9.contoso.com.$" "nsupdate: the name must hold nothing yet"
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
like "$err" "not an Azure service name" "a target outside the Azure shapes refused"
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

# Zone files as administrators keep them.  named-checkzone loads each
# (the judge); every name BIND's dump shows is in use for clouddp-cname.
D=$top_srcdir/tests/data/cname
# says RC PATTERN DESCRIPTION: the exit status, and a line of stderr.
says() {
	if [ "$rc" = "$1" ] && printf '%s\n' "$err" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "exit $rc, expected $1" "stderr: $err" "does not match: $2"
	fi
}
zone_run() {
	zr_dir=$1 zr_file=$2 zr_origin=$3
	shift 3
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$zr_dir" \
	    clouddp-cname --zone "$zr_file" --origin "$zr_origin" --target $GUID "$@"
}
named-checkzone -q gen.test "$D/generate.zone"
ok $? "named-checkzone loads generate.zone"
names=$(named-checkzone -D -o - gen.test "$D/generate.zone" 2>/dev/null |
    awk '$4 != "SOA" && $4 != "NS" { print $1 }' | grep -v '\\' | sort -u)
is "$(printf '%s\n' "$names" | wc -l)" 18 "BIND expands \$GENERATE to 18 host names"
missed=""
for n in $names; do
	zone_run "$D" generate.zone gen.test --fqdn "$n"
	[ "$rc" = 2 ] || missed="$missed $n($rc)"
done
is "$missed" "" "\$GENERATE with \${offset,width,base} (d o x X n N): every name BIND makes is in use"
zone_run "$D" generate.zone gen.test --fqdn x002.gen.test
is "$rc" 0 "\$GENERATE's step: x002 was skipped, it is free"
zone_run "$D" generate.zone gen.test --fqdn x001.gen.test
like "$err" "x001.gen.test. already has an A record \\(line 8\\)" "a generated name's conflict names the \$GENERATE line"

named-checkzone -q odd.test "$D/oddities.zone"
ok $? "named-checkzone loads oddities.zone"
zone_run "$D" oddities.zone odd.test --fqdn new.odd.test
is "$rc" 0 "NXT, RESINFO, DSYNC, an RRSIG dated year 10, class before TTL: the zone loads (exit 0)"
like "$err" "warning: oddities.zone:9: NXT record kept without its data" "a record ldns cannot read is a warning with its line"
like "$err" "warning: oddities.zone:12: RRSIG record kept" "the RRSIG with the odd date too"
zone_run "$D" oddities.zone odd.test --fqdn resinfo.odd.test
says 2 "already owns RESINFO data \\(line 10\\)" "a type ldns does not know still holds its name"
zone_run "$D" oddities.zone odd.test --fqdn classttl.odd.test
says 2 "classttl.odd.test. already has an A record" "IN 600 A: the class before the TTL"
zone_run "$D" oddities.zone odd.test --fqdn deep.sub.odd.test
says 2 "deep.sub.odd.test. already has an A" "\$ORIGIN @ then a relative \$ORIGIN"

(cd "$D/include" && named-checkzone -q inc.test main.zone)
ok $? "named-checkzone loads include/main.zone"
zone_run "$D/include" main.zone inc.test --fqdn host2.inc.test
says 2 "already has an A record \\(line 2 of sub/hosts.inc\\)" "\$INCLUDE: the included file and line are named"
zone_run "$D/include" main.zone inc.test --fqdn srv.branch.inc.test
says 2 "srv.branch.inc.test. already has an A" "\$INCLUDE FILE ORIGIN"
zone_run "$D/include" main.zone inc.test --fqdn after.inc.test
says 2 "after.inc.test. already has an A record \\(line 8\\)" "the origin is restored after \$INCLUDE"
zone_run "$D" include/main.zone inc.test --fqdn host1.inc.test
is "$rc" 2 "\$INCLUDE is relative to the zone file's directory, not the working one"
zone_run "$D/include" loop.zone inc.test --fqdn dp.inc.test
says 3 "sub/loop.inc:1: \\\$INCLUDE loop.zone: a loop" "an \$INCLUDE loop is refused"
zone_run "$D/include" outside.zone inc.test --fqdn dp.inc.test
says 3 "outside.zone:4: \\\$INCLUDE ../contoso.zone: outside the zone file's directory" "an \$INCLUDE outside the zone's directory is refused"

mkdir "$T_TMP/z"
printf '$TTL 300\n@ IN SOA ns h 1 3600 600 86400 300\n@ IN NS ns\n$INCLUDE link.inc\n' >"$T_TMP/z/main.zone"
ln -s "$ZONE" "$T_TMP/z/link.inc"
zone_run "$T_TMP/z" main.zone contoso.com --fqdn dp.contoso.com
says 3 "INCLUDE link.inc: outside the zone file's directory" "a symbolic link out of the zone's directory is refused"

# A single-label zone (Active Directory's "corp").
printf '$TTL 300\n@ IN SOA dc1 hostmaster 1 3600 600 86400 300\n@ IN NS dc1\ndc1 IN A 192.0.2.1\n' >"$T_TMP/corp.zone"
named-checkzone -q corp "$T_TMP/corp.zone"
ok $? "named-checkzone loads the zone corp"
run clouddp-cname --zone "$T_TMP/corp.zone" --origin corp --fqdn dp1.corp --target $GUID
is "$rc:$(printf '%s\n' "$out" | grep "^dp1")" "0:dp1	3600	IN	CNAME	$GUID." "--origin corp: a single-label zone"
run clouddp-cname --zone "$T_TMP/corp.zone" --origin corp --fqdn dc1.corp --target $GUID
is "$rc" 2 "and its hosts are conflicts"
run clouddp-cname --origin 123 --fqdn dp.123 --target $GUID
is "$rc" 3 "a numeric single label is no zone"

# Anything but a regular file: said what it is, or read once.
run timeout $((10 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone "$D" --origin contoso.com --fqdn dp.contoso.com --target $GUID
says 3 "is a directory, not a zone file" "--zone DIRECTORY: exit 3 at once, named"
run timeout $((10 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone /dev/zero --origin contoso.com --fqdn dp.contoso.com --target $GUID
says 3 "/dev/zero is a character device" "--zone /dev/zero: exit 3 at once, named"
printf 'a\000b\n' >"$T_TMP/nul.zone"
run timeout $((10 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone "$T_TMP/nul.zone" --origin contoso.com --fqdn dp.contoso.com --target $GUID
says 3 "nul.zone:1: a NUL byte" "a NUL byte: not a text zone file"
printf '$TTL 300\n' | iconv -f UTF-8 -t UTF-16 >"$T_TMP/utf16.zone"
run clouddp-cname --zone "$T_TMP/utf16.zone" --origin contoso.com --fqdn dp.contoso.com --target $GUID
says 3 "hint: .*UTF-16" "a UTF-16 zone file: the hint says to convert it"
head -c 2000000 /dev/zero | tr '\0' a >"$T_TMP/long.zone"
run timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone "$T_TMP/long.zone" --origin contoso.com --fqdn dp.contoso.com --target $GUID
says 3 "long.zone:1: a record longer than 1048576 bytes" "a 2 MB line is one error"
mkfifo "$T_TMP/fifo"
(sleep 1; cat "$ZONE" >"$T_TMP/fifo") &
run timeout $((10 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone "$T_TMP/fifo" --origin contoso.com --fqdn host7.contoso.com --target $GUID
says 2 "host7.contoso.com. already has an A record \\(line 10\\)" "--zone FIFO: waits for its writer, read once, conflicts found"
run sh -c "cat '$ZONE' | timeout $((10 * CLOUDDP_TEST_SLOW)) clouddp-cname --zone /dev/stdin --origin contoso.com --fqdn dp.contoso.com --target $GUID"
is "$rc" 0 "--zone /dev/stdin from a pipe"
