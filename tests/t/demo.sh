#!/bin/sh
# build-aux/demo, the README's first command without its install step,
# run from the build tree: it ends with its verdict and exit 0, keeps its
# files, and leaves none of the servers it started running or listening.
# Stopped by a signal halfway, it stops them all the same; a directory
# in use is refused before anything starts.
. "$top_srcdir/tests/lib.sh"
need named bind9
need unbound unbound
need dig bind9-dnsutils
need tsig-keygen bind9-utils
need openssl openssl
need node nodejs
need setsid util-linux
need ss iproute2
need_azurite

plan 19
# Under memcheck the demo's tools are the wrappers that run them there.
[ -n "${CLOUDDP_VALGRIND:-}" ] &&
    CLOUDDP_BINDIR=$top_builddir/tests/valgrind/bin && export CLOUDDP_BINDIR
demo() { sh "$top_srcdir/build-aux/demo" --dir "$@" "$top_builddir"; }

# left DIR: the demo's servers (pids file) still alive, or any process
# whose command line names DIR, or an address:port it used still
# listening (only that address: other tests may use the port elsewhere).
left() {
	while read -r pid name; do
		ps -p "$pid" >/dev/null 2>&1 && echo "$name ($pid) runs"
	done <"$1/pids"
	ps -eo pid=,args= | grep -F "$1/" | grep -v grep
	while read -r a p; do
		ss -Hltnu | awk -v l="$a:$p" '$5 == l { print l, "listens" }'
	done <"$1/ports"
}

D=$T_TMP/demo
start=$(date +%s)
run demo "$D"
took=$(($(date +%s) - start))
is "$rc" 0 "the demo exits 0" || diag "$out" "$err"
like "$out" '^demo: OK: DP1 is ready for clients: clouddp1\.contoso\.test -> [0-9a-f]{24}\.cloudapp\.net -> 127\.0\.0\.[0-9]+ ' \
    "its verdict: the DP, its name, its Azure name and its VIP"
like "$out" "^demo: files in $D\$" "it says where its files are"
like "$out" "^demo: stopped every server it started\$" "it says it stopped them"
is "$(left "$D")" "" "no process it started runs, nothing listens"
is "$(wc -l <"$D/pids")" 4 "it had started BIND, Unbound, Azurite and the emulator"
if ! t_vg_skip "it took ${took} s" "the two minutes are the plain build's speed"; then
	[ "$took" -lt 120 ]
	ok $? "it took ${took} s, under two minutes"
fi
test -s "$D/inventory.db" && test -s "$D/logs/CloudMgr.log" &&
    test -s "$D/certs/service.pfx" && test -s "$D/certs/management.cer"
ok $? "the inventory, the log and the certificates are kept"
like "$out" '^\$ clouddp-verify --dp DP1 --db inventory\.db ' \
    "clouddp-verify ran on the DP from the inventory"
grep -q '<testcase' "$D/verify.junit.xml" &&
    ! grep -q '<failure' "$D/verify.junit.xml"
ok $? "its JUnit report: test cases, none failed"
like "$out" "^added +clouddp1\.contoso\.test\. CNAME [0-9a-f]{24}\.cloudapp\.net\. " \
    "the CNAME was published by clouddp-cname --apply"
like "$(cat "$D/logs/named.log")" \
    "cloudapp-update: updating zone 'cloudapp.net/IN': deleting an RR" \
    "the emulator took its cloudapp.net name back before BIND stopped"

# A signal while provisioning (as Ctrl-C would come, to the demo's process
# group): everything is stopped all the same.
D2=$T_TMP/demo-term
setsid sh "$top_srcdir/build-aux/demo" --dir "$D2" "$top_builddir" \
    >"$T_TMP/term.out" 2>&1 &
pgid=$!
wait_for 60 grep -q '^\$ clouddp-provision create' "$T_TMP/term.out"
ok $? "the second demo reached clouddp-provision"
kill -TERM -- "-$pgid"
wait "$pgid"
is "$?" 143 "SIGTERM: exit 143"
like "$(cat "$T_TMP/term.out")" "^demo: interrupted by SIGTERM" "said so"
like "$(cat "$T_TMP/term.out")" "^demo: stopped every server it started" \
    "and stopped its servers"
is "$(left "$D2")" "" "no process it started runs, nothing listens"

# A directory already in use: refused, nothing started.
run demo "$D"
is "$rc" 3 "a directory that is not empty: exit 3"
like "$err" "not an empty directory" "said so"
