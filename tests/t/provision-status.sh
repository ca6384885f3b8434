#!/bin/sh
# clouddp-provision status against clouddp-emulator and Azurite: storage
# used is the exact sum of the content container's blobs, judged against
# the DP's quota with its warning and critical percents (text, JSON and
# a monitoring line with perfdata, exit 0/1/2); transfer is unknown,
# never zero.  Every Get Deployment is held back by the emulator, so a
# status of every DP that asked one after the other would take that long
# per DP: it must take about as long as one.  A DP of a subscription the
# certificate does not open cannot be checked, the others unharmed.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3

emu_azurite || exit 1

plan 24
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"

HOLD=1.5
[ -n "${CLOUDDP_VALGRIND:-}" ] && HOLD=4
emu_start emu --delay all=0 --fault "get-deployment:stall=$HOLD:every=1"
ok $? "emulator started"
DB=$T_TMP/inventory.db
prov() {
	clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.05 \
	    --db "$DB"
}
mgmt() { run prov "$@"; }
put() {
	head -c "$2" /dev/zero >"$T_TMP/blob" &&
	blobreq "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" put content "$1" \
	    "$T_TMP/blob" >/dev/null
}
now() { date +%s.%N; }
js() { printf '%s' "$out" | jq -r "$1"; }

# Four DPs created at once; DP1 has a 1 GB quota, warning at 1 %,
# critical at 2 %, so megabytes trip it.
pids=""
for n in 2 3 4; do
	prov create --name "DP$n" --region "West Europe" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    >"$T_TMP/create$n.out" 2>&1 &
	pids="$pids $!"
done
mgmt create --name DP1 --region "West Europe" --storage-quota 1 \
    --storage-warning 1 --storage-critical 2 \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw"
is "$rc" 0 "create DP1" || diag "$err"
wait $pids
is "$(sqlite3 "$DB" "SELECT group_concat(state) FROM dp")" \
    "ready,ready,ready,ready" "four DPs Ready"

mgmt status --name DP1 --json
is "$rc" 0 "status of DP1, storage within its quota: exit 0" ||
    diag "$out$err"
S0=$(js '.dps[0].storage_used_bytes')
is "$(js '.dps[0].transfer_used_bytes')" null \
    "--json: transfer used unknown (null), never zero"

put small.bin 3 && put big.bin 11534336
ok $? "blobs of 3 bytes and 11 MiB put in the content container"
S1=$((S0 + 11534339))
mgmt status --name DP1
is "$rc" 1 "1.07 % of 1 GB used, warning at 1 %: exit 1" || diag "$out$err"
like "$out" "DP1: storage used $S1 bytes \\(0\\.01 GB\\) of 1 GB, 1\\.0[0-9]%" \
    "text: the exact sum of the blob sizes against the quota"
like "$out" "DP1: transfer used unknown \\(quota 10000 GB\\)" \
    "text: transfer used unknown"
mgmt status --name DP1 --json
is "$(js '.dps[0].storage_used_bytes') $(js '.dps[0].status')" \
    "$S1 warning" "--json: storage_used_bytes and the DP's status"
mgmt status --name DP1 --nagios
like "$out" "^CLOUDDP-PROVISION WARNING: .*DP1: storage used $S1 bytes" \
    "--nagios: one WARNING line"
like "$out" "'storage_used'=${S1}B;10737418\\.24;21474836\\.48 'storage_pct'=1\\.0[0-9]+%;1;2" \
    "--nagios: storage perfdata with its thresholds" || diag "$out"

put big2.bin 11534336
S2=$((S1 + 11534336))
t0=$(now)
mgmt status --name DP1 --nagios
t1=$(now)
# One DP's run beyond its held answer: start-up, TLS and the rest,
# which under memcheck are slow.  Four DPs asked one after the other
# would take four times that too; counted only under memcheck.
over=0
[ -n "${CLOUDDP_VALGRIND:-}" ] &&
    over=$(awk -v a="$t0" -v b="$t1" -v h="$HOLD" 'BEGIN { print b - a - h }')
is "$rc" 2 "2.1 % of 1 GB used, critical at 2 %: exit 2"
like "$out" "^CLOUDDP-PROVISION CRITICAL: .*storage used $S2 bytes" \
    "--nagios: one CRITICAL line"

# Every DP: each Get Deployment is held $HOLD s; four in a row would
# take four times that.
keys() { jq -r .operation "$T_TMP/emu.req" | grep -cx get-storage-keys; }
k0=$(keys)
t0=$(now)
mgmt status --json
t1=$(now)
is "$rc" 2 "status of every DP: the worst, critical"
is "$(js '[.dps[] | .name + "=" + .deployment + "/" + (.storage_used_bytes|tostring)] | join(" ")')" \
    "DP1=Running/$S2 DP2=Running/$S2 DP3=Running/$S2 DP4=Running/$S2" \
    "every DP live, each container summed (one Azurite serves them all)"
is "$(js '[.dps[] | .status] | join(" ")')" "critical ok ok ok" \
    "each DP judged against its own quota"
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
awk -v e="$el" -v h="$HOLD" -v o="$over" \
    'BEGIN { exit !(e >= h && e < 2.5 * h + 4 * o) }'
ok $? "four DPs asked at once: ${el} s, one Get Deployment held ${HOLD} s" \
    "(one DP: $over s more)"
is "$(($(keys) - k0))" 4 "the storage keys asked once per DP"
mgmt status --nagios
like "$out" "'dps'=4 'dps_ok'=3 'storage_used'=$((S2 * 4))B" \
    "--nagios of every DP: counts and storage as perfdata" || diag "$out"

# A DP recorded under a subscription the certificate does not open.
sqlite3 "$DB" "UPDATE dp SET subscription = '0b5d4dd4-8bd9-4c0b-9f08-5a2d2f1c1d4e' WHERE name = 'DP4'"
mgmt status --json
is "$(js '[.dps[] | .name + "=" + .status] | join(" ")')" \
    "DP1=critical DP2=ok DP3=ok DP4=unknown" \
    "a DP of another subscription: unknown, the others unharmed"
like "$(js '.checks[] | select(.check == "DP4") | .message')" \
    "403|AuthenticationFailed" "said with the cloud's refusal"
