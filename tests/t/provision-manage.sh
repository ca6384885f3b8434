#!/bin/sh
# clouddp-provision status, stop, start and delete against
# clouddp-emulator (delays 0): status as text, JSON and a monitoring
# line; stop and start seen in the emulator and on the VIP; delete
# leaves no cloud service behind and the record marked deleted.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need curl curl

# The storage accounts' blob endpoint: the content container is made there.
emu_azurite || exit 1

plan 34
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"

VIP=127.0.0.17
VP=$(free_port "$VIP")
emu_start emu --delay all=0 --vip-http-port "$VP"
ok $? "emulator started"
DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
mgmt() {
	run clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
	    --db "$DB" --log "$T_TMP/cloudmgr.log"
}
q() { sqlite3 "$DB" "$1"; }
count() { jq -r .operation "$T_TMP/emu.req" | grep -cx "$1"; }
served() { curl -s -o /dev/null --max-time 2 "http://$VIP:$VP/"; }

mgmt create --name DP1 --region "West Europe" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw"
is "$rc" 0 "create: exit 0" || diag "$err"
SVC=$(q "SELECT service_name FROM dp WHERE name = 'DP1'")

mgmt status --name DP1
is "$rc" 0 "status: exit 0" || diag "$out$err"
like "$out" "DP1: Running, 2 of 2 instances ready, VIP $VIP" \
    "status: live state from the back end"
like "$out" "transfer used unknown \\(quota 10000 GB\\)" \
    "status: transfer use unknown, never zero"
mgmt status --name DP1 --json
is "$(printf '%s' "$out" | jq -r '.dps[0].deployment + " " + (.dps[0].instances_ready|tostring) + " " + .dps[0].vip')" \
    "Running 2 $VIP" "status --json"
mgmt status --name DP1 --nagios
like "$out" '^CLOUDDP-PROVISION OK' "status --nagios: one OK line"
like "$out" "\\| *'instances_ready'=2" "status --nagios: perfdata" ||
    diag "$out"
wait_for 20 served
ok $? "the VIP is served while Running"

mgmt stop --name DP1
is "$rc" 0 "stop: exit 0" || diag "$err"
is "$(q "SELECT state FROM dp WHERE name = 'DP1'")" stopped \
    "stop: the inventory says stopped"
is "$(q "SELECT step || ':' || outcome FROM step WHERE dp = 'DP1' ORDER BY id DESC LIMIT 1")" \
    "stop:ok" "stop: journaled"
is "$(count update-deployment-status)" 1 "stop: one Update Deployment Status"
mgmt status --name DP1
is "$rc" 1 "status of a stopped DP: warning"
like "$out" "DP1: Suspended" "status says Suspended"
wait_for 5 sh -c "! curl -s -o /dev/null --max-time 1 http://$VIP:$VP/"
ok $? "nothing served on the VIP while Suspended"

mgmt start --name DP1
is "$rc" 0 "start: exit 0" || diag "$err"
mgmt status --name DP1
like "$out" "DP1: Running" "status says Running again"
is "$(q "SELECT state FROM dp WHERE name = 'DP1'")" ready \
    "start: the inventory says ready"

# An inventory entry that is not Ready is said so.
q "INSERT INTO dp VALUES ('DP9', 'asm', '$SUB', 'West Europe', '', '', 'x.test', '', '', '', 2, 2000, 50, 90, 10000, 50, 90, 'provisioning', 0, 0, NULL, 0)"
mgmt status
like "$out" "DP9: not Ready: provisioning" "status: a DP not Ready is said so"
is "$rc" 1 "status of all: the worst, warning"

mgmt delete --name DP1
is "$rc" 0 "delete: exit 0" || diag "$err"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$D/ca.pem" \
    --cert "$D/mgmt.pem" --key "$D/mgmt.key" -H "x-ms-version: 2014-06-01" \
    "$EP/$SUB/services/hostedservices/$SVC")
is "$code" 404 "delete: Get Cloud Service answers 404"
is "$(q "SELECT state FROM dp WHERE name = 'DP1'")" deleted \
    "the record is kept, marked deleted"
run clouddp-provision list --db "$DB" --json
is "$(printf '%s' "$out" | jq -r '[.dps[] | select(.state != "deleted") | .name] | join(" ")')" \
    "DP9" "list no longer shows it as live"
mgmt delete --name DP9
is "$rc $(q "SELECT state FROM dp WHERE name = 'DP9'")" "0 deleted" \
    "a DP that never reached the cloud: just marked deleted"
mgmt delete --name DP1
like "$rc $err" "^3 .*DP1: deleted" "a deleted DP cannot be deleted again"
kill "$(jq -r .pid "$T_TMP/emu.ready")"

# A delete killed while the cloud works on it, then run again.
emu_start emu2 --delay all=0 --delay operation=1
mgmt create --name DP2 --region "West Europe" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw"
is "$rc" 0 "create DP2" || diag "$err"
SVC2=$(q "SELECT service_name FROM dp WHERE name = 'DP2'")
clouddp-provision delete --name DP2 --subscription "$SUB" \
    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
    --db "$DB" >/dev/null 2>&1 &
pid=$!
wait_for 20 sh -c "sqlite3 '$DB' \"SELECT 1 FROM step WHERE dp = 'DP2' AND step = 'delete' AND request_id <> ''\" | grep -q 1"
ok $? "the delete is in flight, its operation journaled"
kill -9 $pid
wait $pid 2>/dev/null
is "$(q "SELECT state FROM dp WHERE name = 'DP2'")" deleting \
    "killed: the inventory says deleting"
mgmt delete --name DP2
is "$rc $(q "SELECT state FROM dp WHERE name = 'DP2'")" "0 deleted" \
    "the delete run again finishes" || diag "$err"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$D/ca.pem" \
    --cert "$D/mgmt.pem" --key "$D/mgmt.key" -H "x-ms-version: 2014-06-01" \
    "$EP/$SUB/services/storageservices/$SVC2")
is "$code" 404 "the storage account is gone too"
