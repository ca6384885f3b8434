#!/bin/sh
# A batch of 100,000 names from NSD on loopback: every result present
# exactly once, and the verdict counts exact.  Every 1,000th name expects
# a wrong VIP and every 997th name is missing from the zone.
. "$top_srcdir/tests/lib.sh"
need nsd nsd
need script bsdutils

N=100000
A=$(loopback_addr)
P=$(free_port "$A")
plan 10

awk -v n=$N 'BEGIN {
	print "$TTL 300"
	print "@ IN SOA ns.contoso.test. h.contoso.test. 1 3600 600 86400 60"
	print "  IN NS ns.contoso.test."
	print "ns IN A 192.0.2.53"
	for (i = 1; i <= n; i++)
		if (i % 997 != 0)
			printf "dp%d IN CNAME %024x.cloudapp.test.\n", i, i
}' >"$T_TMP/contoso.zone"
awk -v n=$N 'BEGIN {
	print "$TTL 600"
	print "@ IN SOA ns.cloudapp.test. h.cloudapp.test. 1 3600 600 86400 60"
	print "  IN NS ns.cloudapp.test."
	print "ns IN A 192.0.2.53"
	for (i = 1; i <= n; i++)
		printf "%024x IN A 10.%d.%d.%d\n", i, int(i / 65536),
		    int(i / 256) % 256, i % 256
}' >"$T_TMP/cloudapp.zone"
awk -v n=$N 'BEGIN {
	print "# fqdn target vip"
	for (i = 1; i <= n; i++)
		printf "dp%d.contoso.test %024x.cloudapp.test 10.%d.%d.%d\n", i,
		    i, int(i / 65536), int(i / 256) % 256,
		    (i % 1000 == 0 ? i + 1 : i) % 256
}' >"$T_TMP/names.txt"
nsd_start "$A" "$P" contoso.test "$T_TMP/contoso.zone" \
    cloudapp.test "$T_TMP/cloudapp.zone" || exit 1

# Expected: 100 names end in 000 (wrong VIP); 100 are multiples of 997
# (missing); none is both, as 997 and 1000 share no factor below 997000.
nx=$((N / 997))
wv=$((N / 1000))
okn=$((N - nx - wv))

clouddp-resolve --json --resolver "$A:$P" --input "$T_TMP/names.txt" \
    >"$T_TMP/out.json" 2>"$T_TMP/err"
is "$?" 2 "a batch with failures exits 2"
is "$(grep -c '^{"name"' "$T_TMP/out.json")" "$N" "one object per name"
is "$(grep -o '^{"name":"[^"]*"' "$T_TMP/out.json" | sort -u | wc -l | tr -d ' ')" \
    "$N" "every name exactly once"
is "$(grep -c '"verdict":"ok"' "$T_TMP/out.json")" "$okn" "ok count"
is "$(grep -c '"verdict":"nxdomain"' "$T_TMP/out.json")" "$nx" "nxdomain count"
is "$(grep -c '"verdict":"wrong_vip"' "$T_TMP/out.json")" "$wv" "wrong_vip count"
summary=$(tail -1 "$T_TMP/out.json")
like "$summary" "^\\{\"summary\":\\{\"names\":$N,\"ok\":$okn,\"warning\":0,\"critical\":$((nx + wv))," \
    "summary object counts"
is "$(cat "$T_TMP/err")" "" "nothing on stderr (not a terminal: no progress)"

# On a terminal (script(1) gives one), a progress line on stderr only.
script -qec "clouddp-resolve --resolver $A:$P --input $T_TMP/names.txt \
    >$T_TMP/out.txt" "$T_TMP/typescript" >/dev/null
like "$(tr '\r' '\n' <"$T_TMP/typescript")" "^[0-9]+ names, [0-9]+ failed, [0-9]+ names/s" \
    "a progress line on the terminal"
unlike "$(cat "$T_TMP/out.txt")" "names/s" "and none in the results"
