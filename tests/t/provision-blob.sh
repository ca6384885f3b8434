#!/bin/sh
# clouddp-provision's storage side against clouddp-emulator and Azurite:
# the content container is asked for every poll interval until the blob
# endpoint answers (the CMTrace line ConfigMgr writes), then created and
# found by an independent Blob client.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need node nodejs

plan 8
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"

# The blob endpoint is named before Azurite listens on it.
AZP=$(free_port 127.0.0.1)
AZ_EP=http://127.0.0.1:$AZP/devstoreaccount1
CLOUDDP_BLOB_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
export CLOUDDP_BLOB_KEY
emu_start emu --delay all=0 \
    --blob-endpoint "$AZ_EP" --blob-key-env CLOUDDP_BLOB_KEY
ok $? "emulator started"

DB=$T_TMP/inventory.db
clouddp-provision create --name DP1 --region "West Europe" \
    --subscription "$SUB" \
    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 1 \
    --db "$DB" --log "$T_TMP/cloudmgr.log" --json >"$T_TMP/out" 2>&1 &
CP=$!
wait_for 20 grep -q 'Waiting for check if container exists' \
    "$T_TMP/cloudmgr.log"
ok $? "CMTrace: Waiting for check if container exists (endpoint down)"
like "$(cat "$T_TMP/cloudmgr.log")" \
    "Waiting for check if container exists\. Will check again in 1 seconds" \
    "the line says the poll interval"
azurite_start 127.0.0.1 "$AZP" || exit 1
wait "$CP"
is "$?" 0 "create reaches Ready once the endpoint answers" ||
    diag "$(cat "$T_TMP/out")"
run blobreq "$AZ_EP" devstoreaccount1 exists content
like "$out" "found=1" "Azurite has the content container"
is "$(sqlite3 "$DB" "SELECT outcome FROM step WHERE step = 'container'")" \
    ok "the container step is journaled"
