#!/bin/sh
# The kill matrix of clouddp-provision: for each step, a create killed
# with SIGKILL while that step is in flight, then taken up again (with
# resume, once with create).  A create step is killed twice: once while
# its operation, journaled, is still running, and once between its
# request and the journal write that records it (the test hook
# CLOUDDP_TEST_KILL_AFTER_SEND).  After each rerun the emulator has
# exactly one storage account, cloud service, certificate and
# deployment, asked for once each (its request log and Get
# Subscription's counters), and the inventory agrees with it.  Then two
# creates of one DP at once: one refuses, naming the other.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need curl curl

emu_azurite || exit 1

plan 78
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"

# emu NAME ARGS...: a fresh emulator; sets EP, PID and U (its API).
emu() {
	name=$1
	shift
	emu_start "$name" --delay all=0 "$@" || return 1
	U=$EP/$SUB
}
DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
# provx SUBCOMMAND ARGS...: the provisioner with every common argument;
# exec, so that "provx ... &" makes $! the provisioner itself.
provx() {
	cmd=$1
	shift
	exec clouddp-provision "$cmd" "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
	    --db "$DB" --log "$T_TMP/cloudmgr.log"
}
provsub() { (provx "$@"); }
prov() { run provsub "$@" --json; }
q() { sqlite3 "$DB" "$1"; }
# count NAME OPERATION: requests the emulator logged for an operation.
count() { jq -r .operation "$T_TMP/$1.req" | grep -cx "$2"; }
# A loaded machine can drop a handshake: asked again, never left empty.
api() {
	curl -s --retry 3 --retry-all-errors --max-time 20 --cacert "$D/ca.pem" --cert "$D/mgmt.pem" --key "$D/mgmt.key" \
	    -H 'x-ms-version: 2014-06-01' "$U$1"
}
# xml TAG: the first TAG's text on stdin.
xml() { sed -n "s/.*<$1>\([^<]*\)<\/$1>.*/\1/p" | head -1; }
# journal STEP COND: the step's journal entry for DP meets COND.
journal() {
	sqlite3 "$DB" "SELECT 1 FROM step WHERE dp = '$DP' AND step = '$1' AND ended = 0 $2" |
	    grep -q 1
}

# kill_at NAME STEP MODE EMULATOR-ARGS...: create DP-NAME against a
# fresh emulator and SIGKILL it while STEP is in flight: once its
# operation id is journaled (MODE request), the moment its request was
# accepted but before its id is journaled (sent: the test hook
# CLOUDDP_TEST_KILL_AFTER_SEND), or once the step is begun (begun).
# Then resume (or, with rerun=create, create again), and check the end
# state.
rerun=resume
kill_at() {
	name=$1 step=$2 mode=$3
	shift 3
	DP=DP-$name
	emu "$name" "$@"
	if [ "$mode" = sent ]; then
		(CLOUDDP_TEST_KILL_AFTER_SEND=$step
		export CLOUDDP_TEST_KILL_AFTER_SEND
		provx create --name "$DP" --region "West Europe" \
		    >/dev/null 2>&1) &
		wait $! 2>/dev/null
		is "$?" 137 "$name: killed by SIGKILL once $step was accepted"
	else
		provx create --name "$DP" --region "West Europe" \
		    >/dev/null 2>&1 &
		pid=$!
		if [ "$mode" = request ]; then
			wait_for 20 journal "$step" "AND request_id <> ''"
		else
			wait_for 20 journal "$step" ""
		fi
		ok $? "$name: $step in flight ($mode)"
		kill -9 $pid
		wait $pid 2>/dev/null
	fi
	case $mode in
	request) want="^$step:[0-9a-f]{32}\$" ;;
	sent) want="^$step:\$" ;;
	*) want="^$step:" ;;
	esac
	like "$(q "SELECT step || ':' || request_id FROM step WHERE dp = '$DP' AND ended = 0")" \
	    "$want" "$name: killed, the $step step is left open ($mode)"
	if [ "$rerun" = create ]; then
		prov create --name "$DP" --region "West Europe"
	else
		prov resume --name "$DP"
	fi
	is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
	    "$name: $rerun: Ready"
	end_state "$name"
	kill "$PID"
}

# end_state NAME: exactly one of each resource, asked for once, and the
# inventory agrees with the emulator.
end_state() {
	is "$(count "$1" create-storage) $(count "$1" create-service) $(count "$1" add-certificate) $(count "$1" create-deployment)" \
	    "1 1 1 1" "$1: one create request per resource"
	sub=$(api "")
	is "$(printf '%s' "$sub" | xml CurrentStorageAccounts) $(printf '%s' "$sub" | xml CurrentHostedServices) $(printf '%s' "$sub" | xml CurrentCoreCount)" \
	    "1 1 2" "$1: one storage account, one cloud service, one deployment"
	svc=$(q "SELECT service_name FROM dp WHERE name = '$DP'")
	is "$(api "/services/hostedservices/$svc/certificates" | grep -o '<Certificate>' | wc -l)" \
	    1 "$1: one certificate"
	dep=$(api "/services/hostedservices/$svc/deploymentslots/production")
	vip=$(printf '%s' "$dep" | xml Address)
	is "$(q "SELECT state || ' ' || vip || ' ' || azure_fqdn FROM dp WHERE name = '$DP'")" \
	    "ready $vip $svc.cloudapp.net" \
	    "$1: the inventory agrees with the emulator ($(printf '%s' "$dep" | xml Status), VIP $vip)"
}

# Under memcheck every step is slower: the steps a kill must find in
# flight last K times longer.
K=1
[ -n "${CLOUDDP_VALGRIND:-}" ] && K=4
k() { awk -v s="$1" -v k="$K" 'BEGIN { print s * k }'; }
# Each create step while its operation runs (the id journaled): resume
# polls it, then finds the resource instead of asking again.
kill_at st_op storage request --delay storage-creating="$(k 1.5)"
like "$(cat "$T_TMP/cloudmgr.log")" "Resuming storage: polling operation [0-9a-f]{32}" \
    "st_op: the open operation was polled again"
kill_at cert_op certificate request --delay operation="$(k 1)"
kill_at dep_op deploy request --delay operation="$(k 1)"
# Between the request and the journal write: resume finds what the lost
# answer made.
kill_at st_sent storage sent
like "$(cat "$T_TMP/cloudmgr.log")" "storage $(q "SELECT storage_account FROM dp WHERE name = 'DP-st_sent'") was already there" \
    "st_sent: the account was found, not made again"
kill_at svc_sent service sent
kill_at cert_sent certificate sent
rerun=create
kill_at dep_sent deploy sent
rerun=resume
# The steps that make nothing in the management API.
kill_at cont container begun --fault get-storage-keys:stall="$(k 1.5)"
kill_at ready ready begun --delay deploying="$(k 1.5)"
is "$(q "SELECT count(*) FROM step WHERE outcome = 'ok' AND step = 'container'")" \
    9 "every DP's container step ended ok"

# Two creates of one DP at once: the second refuses, naming the first.
emu two --delay operation=1
DP=DP-two
provx create --name "$DP" --region "West Europe" >/dev/null 2>&1 &
pid=$!
wait_for 20 sh -c "sqlite3 '$DB' \"SELECT lease_owner FROM dp WHERE name = '$DP'\" | grep -q :"
ok $? "the first create holds the lease"
until1=$(q "SELECT lease_until FROM dp WHERE name = '$DP'")
prov create --name "$DP" --region "West Europe"
is "$rc" 2 "a second create of the same DP: refused"
like "$err" "$DP: another provisioner \\([^)]*:$pid\\) is working on this DP" \
    "the refusal names the holder"
wait_for 20 journal deploy ""
until2=$(q "SELECT lease_until FROM dp WHERE name = '$DP'")
[ "$until2" -gt "$until1" ]
ok $? "the lease is renewed as the run goes on ($until1, then $until2)"
wait $pid
is "$?" 0 "the first create finished"
is "$(q "SELECT (SELECT started FROM step WHERE dp = '$DP' AND step = 'deploy') > (SELECT started FROM step WHERE dp = '$DP' AND step = 'validate')")" \
    1 "the journal's times move with the run"
end_state two
kill "$PID"
