#!/bin/sh
# clouddp-provision against clouddp-emulator (delays 0): a create to
# Ready with the inventory, the CMTrace log and the emulator's request
# log checked; a rerun that changes nothing; a run killed while its
# deployment was in flight, resumed with exactly one of each resource;
# clear errors with nothing created for a wrong management certificate,
# an unknown region, a used-up quota, and an inventory that is read-only
# or has no room.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3

# The storage accounts' blob endpoint: the content container is made there.
emu_azurite || exit 1

plan 46
# Never the invoking user's own inventory.
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
GOOD_THUMB=$(openssl x509 -in "$D/good.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')

DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
prov() {
	run clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
	    --db "$DB" --log "$T_TMP/cloudmgr.log" --json
}
count() { jq -r .operation "$T_TMP/$1.req" | grep -cx "$2"; }
q() { sqlite3 "$DB" "$1"; }

emu_start e1 --delay all=0
ok $? "emulator started"
prov create --name DP1 --region "West Europe"
is "$rc" 0 "create: exit 0"
is "$(printf '%s' "$out" | jq -r .state)" ready "create: Ready"
SVC=$(printf '%s' "$out" | jq -r .service_name)
like "$SVC" '^[0-9a-f]{24}$' "a 24-hex service name"
is "$(printf '%s' "$out" | jq -r .azure_fqdn)" "$SVC.cloudapp.net" \
    "the Azure FQDN as the back end reported it"
is "$(printf '%s' "$out" | jq -r .vip)" 127.0.0.17 "the VIP"
is "$(printf '%s' "$out" | jq -r .service_fqdn)" clouddp1.contoso.test \
    "the Service FQDN from the service certificate"
is "$(printf '%s' "$out" | jq -r .cname)" \
    "clouddp1.contoso.test. IN CNAME $SVC.cloudapp.net." "the CNAME to publish"
is "$(printf '%s' "$out" | jq -r .changed)" true "changed"
is "$(q "SELECT state, vip, azure_fqdn, service_thumbprint FROM dp WHERE name = 'DP1'")" \
    "ready|127.0.0.17|$SVC.cloudapp.net|$GOOD_THUMB" "the inventory agrees"
is "$(q "SELECT group_concat(step || ':' || outcome, ' ') FROM step")" \
    "validate:ok region:ok usage:ok name:ok storage:ok container:ok \
service:ok certificate:ok package:ok deploy:ok ready:ok" \
    "every step journaled, in order"
is "$(q "SELECT count(*) FROM step WHERE step IN ('storage', 'service', 'certificate', 'deploy') AND request_id <> ''")" \
    4 "each create's operation id journaled"
is "$(stat -c %a "$DB")" 600 "the inventory is mode 0600"
is "$(q 'PRAGMA journal_mode')" wal "in WAL mode"
is "$(count e1 create-storage) $(count e1 create-service) $(count e1 add-certificate) $(count e1 create-deployment)" \
    "1 1 1 1" "one request per create"
is "$(count e1 get-subscription)" 1 \
    "one Get Subscription: validation and the quota check share it"
like "$(cat "$T_TMP/cloudmgr.log")" 'component="SMS_CLOUD_SERVICES_MANAGER"' \
    "the log is CMTrace, SMS_CLOUD_SERVICES_MANAGER"
like "$(cat "$T_TMP/cloudmgr.log")" "STATMSG: ID=9409" "status message 9409"
like "$(cat "$T_TMP/cloudmgr.log")" "Deployment instance status for service $SVC is ReadyRole" \
    "instance state changes logged"
grep -q s3cret "$T_TMP/cloudmgr.log"
ok $((! $?)) "no password in the log"
prov create --name DP1 --region "West Europe"
is "$rc $(printf '%s' "$out" | jq -r .changed)" "0 false" \
    "a second create: already Ready, nothing changed"
is "$(count e1 create-storage)" 1 "and nothing requested"
run clouddp-provision list --db "$DB" --json
is "$(printf '%s' "$out" | jq -r '.dps[0].name + " " + .dps[0].state')" \
    "DP1 ready" "list"
kill "$PID"

# Killed while the deployment is in flight, then resumed.  (Under
# memcheck the operation takes longer, so that the kill still finds it
# in flight.)
opd=3
[ -n "${CLOUDDP_VALGRIND:-}" ] && opd=10
emu_start e2 --delay all=0 --delay operation=$opd
clouddp-provision create --name DP2 --region "North Europe" \
    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --poll-interval 0.02 --db "$DB" --log "$T_TMP/cloudmgr.log" \
    >/dev/null 2>&1 &
pid=$!
wait_for 20 sh -c "sqlite3 '$DB' \"SELECT 1 FROM step WHERE dp = 'DP2' AND step = 'deploy' AND request_id <> ''\" | grep -q 1"
ok $? "the deploy step is in flight, its operation journaled"
kill -9 $pid
wait $pid 2>/dev/null
is "$(q "SELECT ended FROM step WHERE dp = 'DP2' AND step = 'deploy'")" 0 \
    "killed: the step is still open in the journal"
prov resume --name DP2
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" "resume: Ready"
is "$(count e2 create-storage) $(count e2 create-service) $(count e2 add-certificate)" \
    "1 1 1" "no second storage, service or certificate request"
is "$(count e2 create-deployment)" 1 "nor a second deployment request"
like "$(cat "$T_TMP/cloudmgr.log")" "Resuming deploy: polling operation [0-9a-f]{32}" \
    "the open operation was re-polled"
kill "$PID"

# Clear errors, nothing created.
emu_start e3 --delay all=0 --quota cores=1
prov create --name DP3 --region "Mars Central"
is "$rc" 3 "an unknown region: exit 3"
like "$err" "Mars Central: not a region" "said so"
prov create --name DP4 --region "West Europe"
like "$err" "cores quota is used up" "a used-up quota: said so"
is "$(count e3 create-storage)" 0 "nothing was created"
run clouddp-provision create --name DP5 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/good.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --db "$DB"
like "$err" "403 AuthenticationFailed" "a wrong management certificate: 403 in words"
kill "$PID"

# An inventory that cannot be written, or has no room left: a clear
# error before anything is asked of the cloud.  Root writes anywhere, so
# as root the provisioner runs as nobody.
emu_start e4 --delay all=0
asuser() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
[ "$(id -u)" -ne 0 ] || need setpriv util-linux
RO=$T_TMP/ro
mkdir -p "$RO"
sqlite3 "$DB" ".backup '$RO/inventory.db'"
[ "$(id -u)" -ne 0 ] || chown 65534 "$RO/inventory.db"
chmod 555 "$RO"
chmod 711 "$T_TMP"
chmod -R a+rX "$D"
run asuser clouddp-provision create --name DP6 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --db "$RO/inventory.db"
is "$rc" 3 "a read-only inventory directory: exit 3"
like "$err" "$RO/inventory.db: .*cannot write the inventory" "said so" ||
    diag "$err"
run sh -c 'trap "" XFSZ; exec prlimit --fsize=65536 "$@"' sh \
    clouddp-provision create --name DP7 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --db "$DB"
is "$rc" 3 "no room for the inventory to grow: exit 3"
like "$err" "the disk is full: [0-9]+ KiB under this process's file size limit" \
    "said so" || diag "$err"
is "$(wc -l <"$T_TMP/e4.req")" 0 "nothing was asked of the cloud"
is "$(q "SELECT count(*) FROM dp WHERE name IN ('DP6', 'DP7')")" 0 \
    "nor recorded"
chmod 755 "$RO"
kill "$PID"

# A wrong password's hint names the option that gave it, not a generic
# --password-file.
printf 'wrong' >"$D/badpw"
pwrun() {
	run clouddp-provision create --name DP8 --region "West Europe" \
	    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
	    --service-pfx "$D/good-legacy.pfx" --endpoint "$EP" \
	    --cacert "$D/ca.pem" --db "$DB" "$@"
	err=$(printf '%s' "$err" | tr '\n' ' ')
}
pwrun --management-password-file "$D/pw" --service-password-file "$D/badpw"
like "$rc $err" "^3 .*hint: check the password given by --service-password-file $D/badpw" \
    "a wrong service password: the hint names --service-password-file" ||
    diag "$err"
BADPW=wrong
export BADPW
pwrun --management-password-env BADPW --service-password-file "$D/pw"
like "$rc $err" "^3 .*hint: check the password given by --management-password-env BADPW" \
    "a wrong management password: --management-password-env"
pwrun --management-password-file "$D/pw" --service-password-fd 7
like "$rc $err" "^3 .*--service-password-fd 7: descriptor is not open" \
    "a closed descriptor: --service-password-fd named"
pwrun --management-password-file "$D/nosuch" --service-password-file "$D/pw"
like "$rc $err" "^3 .*hint: check the path given to --management-password-file" \
    "a missing password file: --management-password-file named"
