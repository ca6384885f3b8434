#!/bin/sh
# clouddp-provision's credentials and network paths against
# clouddp-emulator and Azurite: a .publishsettings file as the management
# credential; every request through tinyproxy, with and without proxy
# credentials, the proxy password nowhere to be seen; each emulator fault
# ridden out or reported in words, timeouts as timeouts, names that do
# not resolve reported promptly; the progress lines, plain and on a
# terminal.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need tinyproxy tinyproxy

# Never the invoking user's proxies or inventory.
unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

AZP=$(free_port 127.0.0.1)
emu_azurite "$AZP" || exit 1

plan 64

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
A=$EMU_ADDR

DB=$T_TMP/inventory.db
SERVICE="--service-pfx $D/good-legacy.pfx --service-password-file $D/pw"
# prov ARGS...: a create with the service certificate, fast polling.
prov() {
	run clouddp-provision "$@" $SERVICE --cacert "$D/ca.pem" \
	    --poll-interval 0.02 --db "$DB" --log "$T_TMP/cloudmgr.log" --json
}
count() { jq -r .operation "$T_TMP/$1.req" | grep -cx "$2"; }
# The error lines of $err, without the progress lines before them.
errs() { printf '%s\n' "$err" | grep -Ev '^clouddp-provision: [0-9]{2}:[0-9]{2} \['; }

emu_start e1 --delay all=0
ok $? "emulator started"

# --- A .publishsettings file as the management credential -----------
# Version 2, with the endpoint in it; the certificate is the test's
# management .pfx without its password, as the portal wrote it.
openssl pkcs12 -in "$D/mgmt.pfx" -passin file:"$D/pw" -nodes \
    -out "$D/mgmt-all.pem" 2>/dev/null &&
openssl pkcs12 -export -in "$D/mgmt-all.pem" -passout pass: \
    -out "$D/mgmt-nopw.pfx" 2>/dev/null
ok $? "the management certificate as a PKCS#12 without a password"
B64=$(base64 -w0 "$D/mgmt-nopw.pfx")
cat >"$D/v2.publishsettings" <<EOF
<PublishData>
  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">
    <Subscription ServiceManagementUrl="$EP" Id="11111111-2222-3333-4444-555555555555"
        Name="Other" ManagementCertificate="$B64" />
    <Subscription ServiceManagementUrl="$EP" Id="$SUB" Name="Pay-As-You-Go"
        ManagementCertificate="$B64" />
  </PublishProfile>
</PublishData>
EOF
prov create --name PS1 --region "West Europe" --subscription "$SUB" \
    --publishsettings "$D/v2.publishsettings"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "--publishsettings v2: Ready, at the file's endpoint" || diag "$err"
# Version 1: one subscription, the endpoint with a final slash; the
# subscription comes from the file, --endpoint overrides its URL.
cat >"$D/v1.publishsettings" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile PublishMethod="AzureServiceManagementAPI"
      Url="https://192.0.2.1/" ManagementCertificate="$B64">
    <Subscription Id="$SUB" Name="hjereztest" />
  </PublishProfile>
</PublishData>
EOF
prov create --name PS2 --region "West Europe" --endpoint "$EP/" \
    --publishsettings "$D/v1.publishsettings"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "--publishsettings v1 and --endpoint: Ready" || diag "$err"
is "$(count e1 create-deployment)" 2 "both deployments were made"
prov create --name PS3 --region "West Europe" --endpoint "$EP" \
    --publishsettings "$D/v1.publishsettings" --management-pfx "$D/mgmt.pfx"
like "$rc $(errs)" "^3 .*--publishsettings and --management-pfx cannot be used together" \
    "--publishsettings with --management-pfx: a usage error"
prov create --name PS3 --region "West Europe" --endpoint "$EP" \
    --publishsettings "$D/v1.publishsettings" \
    --management-password-file "$D/pw"
like "$rc $(errs)" "^3 .*password options cannot be used together" \
    "--publishsettings with a management password: a usage error"
prov create --name PS3 --region "West Europe" \
    --publishsettings "$D/v2.publishsettings"
like "$rc $(errs)" "^3 .*holds 2 subscriptions" \
    "two subscriptions and no --subscription: which one?"
like "$err" "hint: pass --subscription" "the hint names --subscription"
is "$(count e1 create-storage)" 2 "nothing created by the refused runs"

# --- Through tinyproxy ----------------------------------------------
PA=$(loopback_addr)
PP=$(free_port "$PA")
PAUTH=$(free_port "$PA")
PXPW=pr0xy-Pa55
printf '%s\n' "$PXPW" >"$D/proxypw"
printf 'wrong\n' >"$D/proxywrong"
tinyproxy_start ok "$PA" "$PP" || exit 1
tinyproxy_start auth "$PA" "$PAUTH" "BasicAuth clouddp $PXPW" || exit 1
# through NAME: the requests tinyproxy NAME logged for the emulator and
# Azurite (the CONNECT tunnels and the plain Blob requests).
through() {
	c=$(grep -c "Request (file descriptor [0-9]*): CONNECT $A:" \
	    "$T_TMP/tinyproxy_$1.log")
	b=$(grep -c "Request (file descriptor [0-9]*): [A-Z]* http://127.0.0.1:$AZP/devstoreaccount1/content" \
	    "$T_TMP/tinyproxy_$1.log")
	echo "$c $b"
}
MGMT="--subscription $SUB --management-pfx $D/mgmt.pfx --management-password-file $D/pw --endpoint $EP"

prov create --name PX1 --region "West Europe" $MGMT --proxy "http://$PA:$PP"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "--proxy: Ready through tinyproxy" || diag "$err"
like "$(through ok)" '^[1-9][0-9]* [1-9]' \
    "tinyproxy carried the management (CONNECT) and Blob requests"
n0=$(through ok)
https_proxy=http://$PA:$PP http_proxy=http://$PA:$PP \
    prov create --name PX2 --region "West Europe" $MGMT
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "https_proxy and http_proxy: Ready" || diag "$err"
n1=$(through ok)
test "${n1% *}" -gt "${n0% *}" && test "${n1#* }" -gt "${n0#* }"
ok $? "the environment's proxy was used for both ($n0 -> $n1)"
https_proxy=http://$PA:$PP http_proxy=http://$PA:$PP no_proxy=$A,127.0.0.1 \
    prov create --name PX3 --region "West Europe" $MGMT
is "$rc $(through ok)" "0 $n1" "no_proxy: Ready, the proxy not used"

prov create --name PX4 --region "West Europe" $MGMT \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-file "$D/proxypw"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "a proxy asking for credentials: Ready with --proxy-password-file" ||
    diag "$err"
like "$(through auth)" '^[1-9][0-9]* [1-9]' "through the authenticating proxy"
PXENV=$PXPW prov create --name PX5 --region "West Europe" $MGMT \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-env PXENV -v
is "$rc" 0 "--proxy-password-env" || diag "$err"
B64PW=$(printf 'clouddp:%s' "$PXPW" | base64)
sqlite3 "$DB" .dump >"$T_TMP/dump.sql"
for f in "$T_TMP/tinyproxy_auth.log" "$T_TMP/cloudmgr.log" \
    "$T_TMP/dump.sql"; do
	grep -F -e "$PXPW" -e "$B64PW" "$f"
	ok $((! $?)) "the proxy password is not in $(basename "$f")"
done
unlike "$out$err" "$PXPW|$B64PW" "nor on stdout or stderr (-v)"

c0=$(wc -l <"$T_TMP/e1.req")
prov create --name PX6 --region "West Europe" $MGMT \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-file "$D/proxywrong"
like "$rc $(errs)" "^[1-9] .*proxy http://clouddp@$PA:$PAUTH did not accept the credentials \(40[17]\)" \
    "a wrong proxy password: refused in words (tinyproxy says 401)"
like "$err" "hint: check the user in the proxy URL and the password" \
    "with what to do"
prov create --name PX7 --region "West Europe" $MGMT \
    --proxy "http://$PA:$PAUTH"
like "$err" "proxy http://$PA:$PAUTH requires authentication \(407\)" \
    "no proxy credentials: 407 in words"
is "$(wc -l <"$T_TMP/e1.req")" "$c0" "nothing reached the emulator"
prov create --name PX8 --region "West Europe" $MGMT \
    --proxy "http://$PA:$PAUTH" --proxy-password-file "$D/proxypw"
like "$rc $(errs)" "^3 .*the proxy names no user" \
    "a proxy password for a proxy without a user: a usage error"
# status needs the management certificate only; through the proxy too,
# its password from a descriptor.
n0=$(through auth)
run clouddp-provision status --name PX4 $MGMT --cacert "$D/ca.pem" \
    --db "$DB" --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-fd 4 \
    --json 4<"$D/proxypw"
is "$rc $(printf '%s' "$out" | jq -r '.dps[0].deployment')" "0 Running" \
    "status through the proxy, --proxy-password-fd" || diag "$out$err"
test "$(through auth)" != "$n0"
ok $? "status went through the proxy"
kill "$PID"

# --- Emulator faults --------------------------------------------------
# rl NAME OP: the statuses the emulator answered OP with, in order.
rl() { jq -r "select(.operation == \"$2\") | .status" "$T_TMP/$1.req" | tr '\n' ' '; }
MGMT="--subscription $SUB --management-pfx $D/mgmt.pfx --management-password-file $D/pw"

# Each fault once: retried (or followed) and recovered.
emu_start f1 --delay all=0 --fault get-subscription:throttle=1 \
    --fault list-locations:busy --fault check-service-name:internal \
    --fault create-storage:drop --fault get-operation:redirect \
    --fault create-service:busy --fault get-deployment:drop
T0=$(date +%s)
prov create --name F1 --region "West Europe" $MGMT --endpoint "$EP"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "throttled, busy, internal error, dropped, redirected: Ready" ||
    diag "$err"
is "$(rl f1 get-subscription)" "429 200 " "429 with Retry-After, retried"
is "$(rl f1 list-locations)$(rl f1 create-service)" "503 200 503 201 " \
    "503 ServerBusy, retried"
is "$(rl f1 check-service-name)" "500 200 " "500 InternalError, retried"
is "$(rl f1 create-storage)" "202 409 " \
    "a dropped create: asked again, the 409 found it made (one account)"
like "$(rl f1 get-operation)" "^307 200 " "307 followed"
like "$(cat "$T_TMP/cloudmgr.log")" "Get Subscription: 429 TooManyRequests \\(request id [0-9a-f]{32}\\); retry 1 in" \
    "each retry logged with the Azure code and request id"
diag "all faults recovered in $(($(date +%s) - T0)) s"
kill "$PID"

# Faults that last: reported in words, with the code, the request id and
# what to do.
emu_start f2 --delay all=0 --fault get-subscription:busy:every=1 \
    --fault create-storage:fail-op
prov create --name F2 --region "West Europe" $MGMT --endpoint "$EP" -t 3
like "$rc $(errs)" "^3 .*Get Subscription: timed out after 3 s \\(--timeout\\): 503 ServerBusy \\(request id [0-9a-f]{32}\\)" \
    "503 every time: a timeout naming the code and the request id"
like "$err" "hint: raise --timeout, or resume later" "and what to do"
kill "$PID"
emu_start f3 --delay all=0 --fault create-storage:fail-op
prov create --name F3 --region "West Europe" $MGMT --endpoint "$EP"
like "$rc $(errs)" "^3 .*operation failed: Create Storage Account: 500 InternalError: .*\\(request id [0-9a-f]{32}\\)" \
    "a failed operation: its code and request id"
like "$err" "hint: Azure failed on its side: resume" "and what to do"
prov resume --name F3 $MGMT --endpoint "$EP"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" "resumed: Ready" ||
    diag "$err"
kill "$PID"

# Timeouts, said as such: an operation slower than --timeout, a stalled
# answer, a storage account and an instance that never get there.
# A stalled answer is cut and retried like a dropped connection, so
# this endpoint stalls every time.
# Under memcheck a TLS handshake alone can take a second: the short
# timeouts grow by the slack tests/lib.sh measures (none in a plain run).
S=$(t_slack | awk '{ printf "%d", $1 + 0.999 }')
TO1=$((1 + S))
TO2=$((2 + S))
emu_start f4 --delay all=0 --fault get-subscription:stall=30:every=1
T0=$(date +%s)
prov create --name F4 --region "West Europe" $MGMT --endpoint "$EP" -t $TO2
like "$rc $(errs)" "^3 .*Get Subscription: timed out after $TO2 s \\(--timeout\\): the answer stalled" \
    "a stalled answer: timed out after --timeout"
kill "$PID"
emu_start f4b --delay all=0 --delay operation=60
prov create --name F4 --region "West Europe" $MGMT --endpoint "$EP" -t $TO2
like "$rc $(errs)" "^3 .*Create Storage Account: timed out after $TO2 s \\(--timeout\\): operation [0-9a-f]{32} still InProgress" \
    "a slow operation: timed out, its id named"
test $(($(date +%s) - T0)) -lt $((15 + 4 * S))
ok $? "both within --timeout ($(($(date +%s) - T0)) s)"
kill "$PID"
emu_start f5 --delay all=0 --fault create-storage:storage-stuck
prov create --name F5 --region "West Europe" $MGMT --endpoint "$EP" -t $TO1
like "$rc $(errs)" "^3 .*still not Created after $TO1 s \\(--timeout\\)" "a stuck storage account: timeout"
kill "$PID"
emu_start f6 --delay all=0 --fault create-deployment:instance-stuck
prov create --name F6 --region "West Europe" $MGMT --endpoint "$EP" -t $TO2
like "$rc $(errs)" "^3 .*not Ready after $TO2 s \\(--timeout\\): Running, instances .*BusyRole" \
    "an instance stuck BusyRole: timeout, the states named"
kill "$PID"

# A blob endpoint whose name does not resolve: a few tries, then a
# clear error, not --timeout's 30 minutes.
emu_start f7 --delay all=0 \
    --blob-endpoint http://nosuch.invalid:10000/devstoreaccount1
T0=$(date +%s)
run clouddp-provision create --name F7 --region "West Europe" $MGMT \
    --endpoint "$EP" $SERVICE --cacert "$D/ca.pem" --poll-interval 1 \
    --db "$DB"
like "$rc $(errs)" "^3 .*container content: .*nosuch.invalid.*, 3 tries" \
    "an unresolvable blob endpoint: said so after 3 tries"
T1=$(date +%s)
test $((T1 - T0)) -lt 20
ok $? "promptly ($((T1 - T0)) s), not after --timeout"
T0=$(date +%s)
prov create --name F8 --region "West Europe" $MGMT \
    --endpoint https://nosuch.invalid:1
like "$rc $(errs)" "^3 .*Get Subscription: Could not resolve host: nosuch.invalid, 3 tries" \
    "an unresolvable management endpoint: said so after 3 tries"
test $(($(date +%s) - T0)) -lt 15
ok $? "promptly ($(($(date +%s) - T0)) s)"

# --- Progress on stderr ---------------------------------------------
# Not a terminal: plain lines, one per change.  The deployment takes a
# little time, so its instances' states show.
# Under memcheck each poll is slow: the states last longer to be seen.
RS=0.3
[ "$S" -gt 0 ] && RS=$S
emu_start g1 --delay all=0 --delay role-unknown=$RS --delay busy-role=$RS
prov create --name G1 --region "West Europe" $MGMT --endpoint "$EP"
is "$rc" 0 "create for the progress lines" || diag "$err"
like "$err" "^clouddp-provision: [0-9]{2}:[0-9]{2} \\[1/[0-9]+\\] validate: checking the management certificate$" \
    "a line per step, with the elapsed time"
like "$err" "\\[[0-9]+/[0-9]+\\] storage: operation [0-9a-f]{32} accepted" \
    "the operation it waits for"
like "$err" "\\[[0-9]+/[0-9]+\\] ready: deployment Running; instances .*BusyRole" \
    "the instances' states as they change"
like "$err" "\\[([0-9]+)/[0-9]+\\] done: Ready; instances ReadyRole, ReadyRole$" \
    "and the end"
is "$(printf '%s' "$err" | tr -d -c '\r\033' | wc -c)" 0 \
    "no carriage returns or escapes when stderr is not a terminal"
is "$(printf '%s\n' "$err" | sort | uniq -d)" "" "no line repeated"
prov create --name G2 --region "West Europe" $MGMT --endpoint "$EP" -q
is "$rc $err" "0 " "-q: no progress"
# A terminal (script(1) gives it one): the line redrawn in place.
need script bsdutils
script -qec "clouddp-provision create --name G3 --region 'West Europe' \
    $MGMT --endpoint $EP $SERVICE --cacert $D/ca.pem --poll-interval 0.02 \
    --db $DB --json >$T_TMP/g3.json" /dev/null </dev/null >"$T_TMP/g3.tty"
is "$? $(jq -r .state "$T_TMP/g3.json")" "0 ready" "on a terminal: Ready"
tr '\r' '\n' <"$T_TMP/g3.tty" | sed "s/$(printf '\033')\\[K//g" \
    >"$T_TMP/g3.lines"
grep -q "$(printf '\033\\[K')" "$T_TMP/g3.tty"
ok $? "each redraw clears the line"
like "$(cat "$T_TMP/g3.lines")" "^[0-9]{2}:[0-9]{2} \\[11/11\\] ready: deployment Running; instances" \
    "the step, elapsed time, state and instances, drawn over each other"
is "$(grep -c '^clouddp-provision: [0-9]' "$T_TMP/g3.tty")" 0 \
    "no plain progress lines on a terminal"
kill "$PID"
