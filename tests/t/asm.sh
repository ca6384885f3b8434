#!/bin/sh
# The classic back end (asm.c) against clouddp-emulator: each operation,
# x-ms-version on every request (from the emulator's request log), 409 on
# a create re-read and accepted, 503/429/500/307 and a dropped answer
# retried, a failed operation and a wrong certificate reported with the
# Azure error code, a timeout reported as such.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq

plan 56

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
SVC=0123456789abcdef01234567
D=$T_TMP/certs
emu_certs "$D"
GOOD_THUMB=$(openssl x509 -in "$D/good.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')

# emu NAME ARGS...: start an emulator; sets EP and PID.
emu() {
	name=$1
	shift
	emu_start "$name" --delay all=0 "$@"
}
drive() {
	run asmdrive "$EP" "$SUB" "$D/mgmt.pfx" "$D/pw" "$D/ca.pem" "$@"
}
# count LOG OPERATION: requests the emulator logged for an operation.
count() { jq -r .operation "$T_TMP/$1.req" | grep -cx "$2"; }

emu e1
ok $? "emulator started"
drive validate
is "$rc $out" "0 ok" "validate: Get Subscription"
drive usage
like "$out" '^services=0/20 storage=0/100 cores=0/20$' "usage: the quotas"
drive regions
like "$out" 'region=West Europe compute=1 storage=1' "regions: West Europe"
drive name-free $SVC
is "$out" "free=1" "the name is free"
is "$(count e1 check-service-name) $(count e1 check-storage-name)" "1 1" \
    "both availability checks asked"
drive storage $SVC "West Europe"
is "$rc" 0 "storage account created"
like "$out" "^accepted=[0-9a-f]{32}" "its operation reported when accepted"
like "$out" "name=$SVC existed=0 request_id=[0-9a-f]{32}" "a new account"
drive storage $SVC "West Europe"
like "$out" "name=$SVC existed=1" "409 on a second create: re-read, ours"
drive storage $SVC "North Europe"
is "$rc" 2 "the same name elsewhere is a conflict"
like "$out" "^error conflict: storage account $SVC exists in West Europe" \
    "said so"
drive name-free $SVC
is "$out" "free=0" "now the name is taken"
drive service $SVC "West Europe"
like "$out" "name=$SVC existed=0" "cloud service created"
drive service $SVC "West Europe"
like "$out" "existed=1" "and again: 409, re-read, ours"
drive cert $SVC "$D/good-legacy.pfx" "$D/pw"
like "$out" "name=$SVC existed=0" "service certificate added"
drive cert $SVC "$D/good-legacy.pfx" "$D/pw"
like "$out" "existed=1" "a second add: its operation's 409 is ours"
printf 'wrong' >"$D/badpw"
drive cert $SVC "$D/good-legacy.pfx" "$D/badpw"
is "$rc" 2 "a wrong .pfx password fails"
like "$out" "^error api: operation failed: Add Service Certificate: 400 BadRequest: .*request id [0-9a-f]{32}" \
    "reported with the Azure code and the request id"
drive poll $SVC
like "$out" "^error api: Get Deployment: 404 ResourceNotFound" \
    "no deployment yet: 404 in words"
drive deploy $SVC "$GOOD_THUMB" "https://$SVC.blob.core.windows.net/p/x.cspkg" 2
like "$out" "name=$SVC existed=0 request_id=" "deployment created"
drive deploy $SVC "$GOOD_THUMB" "https://$SVC.blob.core.windows.net/p/x.cspkg" 2
like "$out" "existed=1" "a second deploy: 409, re-read, ours"
wait_for 5 sh -c "asmdrive $EP $SUB $D/mgmt.pfx $D/pw $D/ca.pem poll $SVC | grep -q ready=1"
drive poll $SVC
like "$out" "^status=Running fqdn=$SVC.cloudapp.net vip=127.0.0.17 ready=1" \
    "Running and Ready: the FQDN and the VIP as reported"
like "$out" "instance=[A-Za-z]+_IN_1 ReadyRole" "each instance's state"
# exists: the reads a resumed create makes before asking again.
n=$(wc -l <"$T_TMP/e1.req")
drive exists storage $SVC "West Europe"
like "$out" "^name=$SVC existed=1" "exists: the storage account"
drive exists storage $SVC "North Europe"
like "$out" "^error conflict: $SVC: exists in West Europe, not North Europe" \
    "exists in another region: not ours, a conflict"
drive exists service $SVC "West Europe"
like "$out" "^name=$SVC existed=1" "exists: the cloud service"
drive exists certificate $SVC "$GOOD_THUMB"
like "$out" "^name=$SVC existed=1" "exists: the certificate, by thumbprint"
drive exists certificate $SVC 0123456789012345678901234567890123456789
like "$out" "^name=$SVC existed=0" "exists: another thumbprint is not there"
drive exists deployment $SVC
like "$out" "^name=$SVC existed=1" "exists: the deployment"
drive exists deployment 0123456789abcdef0123456a
like "$out" "existed=0" "exists: none there, 404 is no"
is "$(tail -n +$((n + 1)) "$T_TMP/e1.req" | jq -r .method | sort -u)" GET \
    "exists only reads"
drive stop $SVC
like "$out" "^status=Suspended" "stop: Suspended, waited for"
drive start $SVC
like "$out" "^status=Running" "start: Running again"
op=$(jq -r 'select(.operation == "create-storage") | .request_id' \
    "$T_TMP/e1.req" | head -1)
drive wait "$op"
is "$out" "ok" "an old operation re-polled: Succeeded"
drive wait 00000000000000000000000000000000
like "$out" "^error api: Get Operation Status: 404" "an unknown one: 404"
is "$(jq -r .x_ms_version "$T_TMP/e1.req" | sort -u)" "2014-06-01" \
    "x-ms-version on every request"
drive remove $SVC
like "$out" "^ok$" "remove: deployment, service, storage"
drive poll $SVC
like "$out" "404" "the deployment is gone"
is "$(jq -r 'select(.operation == "get-storage") | .status' "$T_TMP/e1.req" |
    tail -1)" 404 "the storage account confirmed gone"
drive remove $SVC
like "$out" "^ok$" "removing again: already gone is fine"
kill "$PID"

# Faults: each retried and recovered.
emu e2 --fault get-subscription:busy:times=2 \
    --fault list-locations:throttle=1 --fault check-service-name:internal \
    --fault check-storage-name:redirect --fault create-storage:drop \
    --fault get-operation:busy
ok $? "emulator with faults started"
drive validate
is "$out" "ok" "503 twice, then served"
is "$(count e2 get-subscription)" 3 "three Get Subscription requests"
t0=$(date +%s)
drive regions
like "$out" "region=" "429 with Retry-After, then served"
[ $(($(date +%s) - t0)) -ge 1 ]
ok $? "Retry-After: 1 honoured"
drive name-free $SVC
is "$out" "free=1" "500 retried, 307 followed"
drive storage $SVC "West Europe"
like "$out" "name=$SVC existed=1" \
    "a dropped answer: retried, 409, re-read, accepted as ours"
is "$(count e2 create-storage)" 2 "the create was sent twice, made once"
kill "$PID"

emu e3 --fault any:busy:every=1
drive validate
is "$rc" 2 "always busy: gives up"
like "$out" "^error api: Get Subscription: 503 ServerBusy \\(request id [0-9a-f]{32}\\), still after 7 tries" \
    "after the retries allowed, said so with the code and request id"
kill "$PID"

emu e4 --fault create-storage:fail-op
drive storage $SVC "West Europe"
like "$out" "^error api: operation failed: Create Storage Account: 500 InternalError" \
    "a failed operation: the Azure code"
kill "$PID"

emu e5 --fault create-storage:storage-stuck
# (Under memcheck the emulator's TLS handshake alone may take a second.)
ASMDRIVE_TIMEOUT=$CLOUDDP_TEST_SLOW drive storage $SVC "West Europe"
like "$out" "^error timeout: $SVC: still not Created after $CLOUDDP_TEST_SLOW s" \
    "a stuck account: a timeout said as such"
kill "$PID"

# A management certificate the subscription does not know: 403.
emu e6
run asmdrive "$EP" "$SUB" "$D/good.pfx" "$D/pw" "$D/ca.pem" validate
like "$out" "^error api: Get Subscription: 403 AuthenticationFailed" \
    "an unknown management certificate: 403 AuthenticationFailed"
kill "$PID"
