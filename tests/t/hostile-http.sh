#!/bin/sh
# Hostile HTTP peers (tests/servers/hostile_http, one way of misbehaving
# per server) against clouddp-provision's management API client, its
# Blob client and clouddp-vip: a body without end, a body declared at
# 1 GB, headers without end, an entity bomb and external entities (a
# file and a URL) in XML, a drip of one byte a second, a 200 that is not
# XML, redirect loops, a reset in the TLS handshake, garbage and SSL 3.0
# instead of TLS, and certificates for another name, from an unknown CA
# or expired.  Each must end with its error in words (what and hint),
# within a bound stated from --timeout, in bounded memory (max RSS from
# /usr/bin/time, against the same tool's run on a sane server), and
# write nothing to the inventory as a success.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need sqlite3 sqlite3
need jq jq
need /usr/bin/time time

# Under memcheck each of the 41 bounds on time and memory is two test
# points: the time (with t_slack more) and a SKIP for the memory.
if [ -n "${CLOUDDP_VALGRIND:-}" ]; then
	plan $((138 + 41))
else
	plan 138
fi
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME
SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
A=$EMU_ADDR
DB=$T_TMP/inventory.db

T=5		# --timeout of every run
FAST=3		# seconds: a hostile answer read at once ends within this
SLOW=$((T + 3))	# seconds: a stall or retried failure ends within --timeout
MEM=24576	# KiB of max RSS above the same tool's run on a sane server

# measure CMD...: run CMD under /usr/bin/time; sets out, err, rc, secs
# (elapsed) and kb (max RSS in KiB).
measure() {
	/usr/bin/time -o "$T_TMP/.time" -f '%e %M' "$@" >"$T_TMP/.out" \
	    2>"$T_TMP/.err"
	rc=$?
	out=$(cat "$T_TMP/.out")
	err=$(cat "$T_TMP/.err")
	set -- $(tail -n 1 "$T_TMP/.time")
	secs=$1 kb=$2
}

# bounded SECONDS BASE-KB WHAT: the last run ended within SECONDS and
# within MEM KiB of BASE-KB.  Under memcheck, SECONDS grows by t_slack
# and by T_BEFORE, the time the run takes to reach the hostile peer.
bounded() {
	if [ -n "${CLOUDDP_VALGRIND:-}" ]; then
		hi=$(awk -v s="$1" -v x="$(t_slack)" -v y="${T_BEFORE:-0}" \
		    'BEGIN { print s + x + y }')
		awk -v s="$secs" -v S="$hi" 'BEGIN { exit !(s < S) }'
		ok $? "$3: ended in $secs s (< $hi s)"
		t_vg_skip "$3: max RSS" "it is valgrind's own"
		return
	fi
	awk -v s="$secs" -v k="$kb" -v S="$1" -v K="$(($2 + MEM))" \
	    'BEGIN { exit !(s < S && k < K) }'
	ok $? "$3: ended in $secs s (< $1 s), max RSS $kb KiB (< $(($2 + MEM)))"
}

# hostile CASE [CERT]: a hostile_http server for CASE on $A, speaking TLS
# with $D/CERT.pem when CERT is given.  Sets HPORT, HLOG and HPID.
N=0
hostile() {
	N=$((N + 1))
	if [ -n "${2:-}" ]; then
		spawn "h$N" hostile_http -c "$D/$2.pem" -k "$D/$2.key" "$A" 0 "$1"
	else
		spawn "h$N" hostile_http "$A" 0 "$1"
	fi
	HLOG=$T_TMP/h$N.log
	eval "HPID=\$PID_h$N"
	wait_for 10 grep -q '^ready' "$HLOG" || return 1
	HPORT=$(sed -n 's/^ready //p' "$HLOG")
}

# done_with: stop the server of the last case.
done_with() {
	kill "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
}

prov() {
	measure clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --cacert "$D/ca.pem" --db "$DB" -t "$T"
}

# create NAME ENDPOINT: the first step of a create against ENDPOINT.
create() {
	prov create --name "$1" --endpoint "$2" --region "West Europe" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    -q
}

# --- The management endpoint: create ----------------------------------
# The baseline: a server that answers one sane (if useless) document.
hostile ok srv
create base "https://$A:$HPORT"
like "$rc $err" "^3 .*Get Subscription|subscription $SUB" \
    "baseline: a sane server that is not Azure: exit 3" || diag "$err"
BASE=$kb
diag "baseline: $secs s, max RSS $kb KiB"
done_with

# mcase CASE CERT BOUND WHAT-RE HINT-RE DESCRIPTION
mcase() {
	l=$1
	[ "$1" = ok ] && l="certificate $2"
	hostile "$1" "$2" || { ok 1 "$l: server started"; return; }
	create "dp$N" "https://$A:$HPORT"
	like "$rc $err" "^3 clouddp-provision: $4" "$l: $6" || diag "$err"
	like "$err" "hint: .*$5" "$l: the hint says what to do"
	bounded "$3" "$BASE" "$l"
	done_with
}

NOTASM='check that --endpoint is the Azure management API'
ADDR_RE=$(printf '%s' "$A" | sed 's/\./\\./g')
mcase endless srv "$FAST" \
    "Get Subscription: https://[^ ]*: the answer's body exceeds 1 MiB, the most this request reads: reading stopped there" \
    "$NOTASM" "an endless chunked body is cut at 1 MiB"
mcase huge srv "$FAST" \
    "Get Subscription: https://[^ ]*: the answer's body exceeds 1 MiB, the most this request reads: its Content-Length says more, none of it read" \
    "$NOTASM" "a 1 GB Content-Length is refused unread"
mcase headers srv "$FAST" \
    "Get Subscription: https://[^ ]*: the answer's headers exceed 64 KiB" \
    "$NOTASM" "headers without end are cut at 64 KiB"
mcase laughs srv "$FAST" \
    "Get Subscription: unreadable answer: https://[^ ]*: refused: a DOCTYPE \\(entity declarations could expand" \
    "$NOTASM" "billion laughs: refused at its DOCTYPE, nothing expanded"
mcase xxe-file srv "$FAST" \
    "Get Subscription: unreadable answer: .*refused: a DOCTYPE" \
    "$NOTASM" "an external entity to file:///etc/passwd: refused"
unlike "$out$err" "root:" "xxe-file: nothing of /etc/passwd is shown"
mcase xxe-net srv "$FAST" \
    "Get Subscription: unreadable answer: .*refused: a DOCTYPE" \
    "$NOTASM" "an external entity to http://$A:PORT/xxe: refused"
unlike "$(cat "$HLOG")" "request GET /xxe" \
    "xxe-net: the entity's URL was never fetched"
mcase notxml srv "$FAST" \
    "Get Subscription: unreadable answer: .*not well-formed XML" \
    "$NOTASM" "200 application/xml that is not XML"
mcase html srv "$FAST" \
    "Get Subscription: unreadable answer: 200 with a body of text/html, not XML" \
    "$NOTASM" "200 text/html: not taken for an empty success"
mcase html404 srv "$FAST" \
    "Get Subscription: 404, and the answer is no Azure error \\(text/html\\)" \
    "$NOTASM" "404 text/html: not taken for an Azure error"
mcase redirect srv "$FAST" \
    "Get Subscription: redirected 6 times, the last to https://$ADDR_RE:[0-9]+/$SUB" \
    "Azure kept redirecting the request" "a 307 to itself: followed 5 times"
mcase redirect-http srv "$FAST" \
    "Get Subscription: refused to follow a redirect to http://$ADDR_RE:[0-9]+/$SUB: not https" \
    "$NOTASM" "a 307 to plain http: not followed"
mcase drip srv "$SLOW" \
    "Get Subscription: timed out after $T s \\(--timeout\\): the answer stalled: less than 128 bytes/s for [0-9] s" \
    "the endpoint stalls" "a drip of one byte a second: cut as a stall"
mcase drip-body srv "$SLOW" \
    "Get Subscription: timed out after $T s \\(--timeout\\): the answer stalled: less than 128 bytes/s for [0-9] s \\([0-9]+ bytes of body read\\)" \
    "the endpoint stalls" "a drip after the headers: cut as a stall"
TLSHINT="it does not complete a TLS handshake"
mcase rst-hello "" "$SLOW" \
    "Get Subscription: timed out after $T s \\(--timeout\\): TLS handshake failed: the server reset the connection during the handshake" \
    "$TLSHINT" "RST after the ClientHello"
mcase garbage-tls "" "$SLOW" \
    "Get Subscription: timed out after $T s \\(--timeout\\): TLS handshake failed: the server answered with something that is not TLS" \
    "$TLSHINT" "garbage instead of a ServerHello"
mcase old-tls "" "$SLOW" \
    "Get Subscription: timed out after $T s \\(--timeout\\): TLS handshake failed: the server offers only a protocol version refused here" \
    "$TLSHINT" "an SSL 3.0 ServerHello"
mcase ok good "$FAST" \
    "Get Subscription: https://[^ ]*: the certificate for clouddp1\\.contoso\\.test does not match the endpoint name $ADDR_RE" \
    "give --endpoint the name the endpoint's certificate carries" \
    "a certificate for another name"
mcase ok mgmt "$FAST" \
    "Get Subscription: https://[^ ]*: the certificate served failed verification: self-signed certificate \\(no chain to a CA we trust\\)" \
    "pass the CA that signed the endpoint's certificate with --cacert" \
    "a certificate from an unknown CA"
mcase ok expired "$FAST" \
    "Get Subscription: https://[^ ]*: the certificate served failed verification: certificate has expired" \
    "the endpoint's certificate is out of its dates" "an expired certificate"

# Nothing a hostile endpoint said became a success.
is "$(sqlite3 "$DB" "SELECT count(*) FROM dp WHERE state != 'failed' OR
    coalesce(service_name, '') != '' OR coalesce(vip, '') != ''")" 0 \
    "every DP is failed, with no service and no VIP"
is "$(sqlite3 "$DB" "SELECT count(*) FROM step WHERE outcome != 'failed'")" \
    0 "no step of the journal succeeded"
run clouddp-provision list --db "$DB" --json
is "$(printf '%s' "$out" | jq -r '[.dps[] | select(.state != "failed")] |
    length')" 0 "list: every DP failed"

# --- The management endpoint: status of a Ready DP --------------------
# The baseline's DP made Ready, as a finished create leaves it (status
# reads the DP's record, not its journal).
sqlite3 "$DB" "UPDATE dp SET state = 'ready',
    service_name = '0123456789abcdef01234567',
    storage_account = '0123456789abcdef01234567',
    azure_fqdn = '0123456789abcdef01234567.cloudapp.net',
    vip = '127.0.0.17' WHERE name = 'base'"
ok $? "a Ready DP in the inventory"
ROW=$(sqlite3 "$DB" "SELECT * FROM dp WHERE name = 'base'")
js() { printf '%s' "$out" | jq -r "$1"; }

# scase CASE CERT BOUND WHAT-RE DESCRIPTION
scase() {
	l=$1
	[ "$1" = ok ] && l="certificate $2"
	hostile "$1" "$2" || { ok 1 "$l: server started"; return; }
	prov status --name base --endpoint "https://$A:$HPORT" --json
	like "$rc $(js '.checks[0].status') $(js '.checks[0].message')" \
	    "^3 critical $4" "status, $l: $5" || diag "$out$err"
	bounded "$3" "$BASE" "status, $l"
	is "$(sqlite3 "$DB" "SELECT * FROM dp WHERE name = 'base'")" \
	    "$ROW" "status, $l: the DP's record is unchanged"
	done_with
}
scase endless srv "$FAST" "Get Deployment: https://[^ ]*: the answer's body exceeds 1 MiB" \
    "an endless body"
scase laughs srv "$FAST" "Get Deployment: unreadable answer: .*refused: a DOCTYPE" \
    "billion laughs"
scase drip srv "$SLOW" "Get Deployment: timed out after $T s \\(--timeout\\): the answer stalled" \
    "a drip"
scase ok good "$FAST" "Get Deployment: https://[^ ]*: the certificate for clouddp1\\.contoso\\.test does not match" \
    "a certificate for another name"

# --- The Blob client ----------------------------------------------------
CLOUDDP_BLOB_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
CLOUDDP_BLOB_TIMEOUT=$T
export CLOUDDP_BLOB_KEY CLOUDDP_BLOB_TIMEOUT
blob() {
	measure blobreq "http://$A:$HPORT/devstoreaccount1" devstoreaccount1 \
	    "$@"
	error=$(printf '%s\n' "$out" | sed -n 's/^error=//p')
	hint=$(printf '%s\n' "$out" | sed -n 's/^hint=//p')
}
hostile ok
blob exists content
is "$rc" 0 "blob baseline: a container HEAD answered 200" || diag "$out"
BBASE=$kb
done_with

# bcase CASE OP BOUND ERROR-RE HINT-RE DESCRIPTION
bcase() {
	hostile "$1" || { ok 1 "$1: server started"; return; }
	blob "$2" content
	like "$rc $error" "^1 $4" "blob $2, $1: $6" || diag "$out"
	like "$hint" "$5" "blob $2, $1: the hint says what to do"
	bounded "$3" "$BBASE" "blob $2, $1"
	done_with
}
NOTSTORAGE="check that the Blob endpoint is Azure Storage's"
bcase endless list "$FAST" \
    "list blobs http://[^ ]*: the answer's body exceeds 4 MiB, the most this request reads" \
    "$NOTSTORAGE" "a listing without end is cut at 4 MiB, what XML takes"
bcase huge list "$FAST" \
    "list blobs http://[^ ]*: the answer's body exceeds 4 MiB.*none of it read" \
    "$NOTSTORAGE" "a 1 GB listing is refused unread"
bcase laughs list "$FAST" \
    "list blobs: http://[^ ]*: refused: a DOCTYPE" \
    "$NOTSTORAGE" "billion laughs in a listing: refused"
bcase xxe-net list "$FAST" \
    "list blobs: http://[^ ]*: refused: a DOCTYPE" \
    "$NOTSTORAGE" "an external entity in a listing: refused"
unlike "$(cat "$HLOG")" "request GET /xxe" \
    "blob xxe-net: the entity's URL was never fetched"
bcase notxml list "$FAST" \
    "list blobs: http://[^ ]*: line 1: not well-formed XML" \
    "$NOTSTORAGE" "a listing that is not XML"
bcase redirect create "$FAST" \
    "create container http://[^ ]*: 307" "$NOTSTORAGE" \
    "a redirect is not followed"
bcase drip exists "$SLOW" \
    "container properties http://[^ ]*: the answer stalled: less than 128 bytes/s for 3 s" \
    "the Blob endpoint stalls" "a drip of one byte a second"
bcase headers exists "$FAST" \
    "container properties http://[^ ]*: the answer's headers exceed 64 KiB" \
    "$NOTSTORAGE" "headers without end"

# The provisioner's Blob steps: the emulator hands out the hostile
# server as the storage account's blob endpoint.
# pcreate CASE: the emulator and a create through it, blob-CASE.
pcreate() {
	hostile "$1" || return 1
	EMU_BLOB=http://$A:$HPORT/devstoreaccount1
	AZURITE_ACCOUNT=devstoreaccount1
	emu_start "emu$N" --delay all=0 || return 1
	measure clouddp-provision create --name "blob-$1" --region "West Europe" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
	    --management-password-file "$D/pw" --endpoint "$EP" \
	    --cacert "$D/ca.pem" --db "$DB" -t "$T" -q --poll-interval 0.05
}
# The baseline: a blob endpoint that answers 200 where Azure says 201.
pcreate ok
like "$rc $err" "^3 clouddp-provision: create container http://[^ ]*: 200" \
    "blob baseline: a sane server that is not Azure Storage: exit 3" ||
    diag "$err"
PBASE=$kb
# Under memcheck the steps before the Blob client's take seconds of
# their own: the baseline's time is added to the bounds of the cases.
[ -n "${CLOUDDP_VALGRIND:-}" ] && PSECS=$secs
kill "$PID" 2>/dev/null
done_with

# pcase CASE STEP BOUND WHAT-RE DESCRIPTION
pcase() {
	pcreate "$1"
	ok $? "blob $1: server and emulator started"
	like "$rc $err" "^3 clouddp-provision: $4" "create, blob $1: $5" ||
	    diag "$err"
	T_BEFORE=${PSECS:-0} bounded "$3" "$PBASE" "create, blob $1"
	is "$(sqlite3 "$DB" "SELECT state, coalesce(vip, '') FROM dp WHERE
	    name = 'blob-$1'") $(sqlite3 "$DB" "SELECT outcome FROM step
	    WHERE dp = 'blob-$1' AND step = '$2'")" "failed| failed" \
	    "create, blob $1: the DP failed at step $2, with no VIP"
	kill "$PID" 2>/dev/null
	done_with
}
pcase endless package "$FAST" \
    "create container http://[^ ]*: the answer's body exceeds 1 MiB" \
    "an endless body from the blob endpoint"
pcase drip container "$SLOW" \
    "container content: no answer after [0-9]+ seconds: container properties http://[^ ]*: the answer stalled" \
    "a drip from the blob endpoint"

# --- clouddp-vip -------------------------------------------------------
F=clouddp1.contoso.test
vip() {
	measure clouddp-vip --vip "$A" --port "$HPORT" --http-port none \
	    --fqdn "$F" --cacert "$D/ca.pem" -t "$T" --json
}
hostile ok good
vip
is "$rc $(js .phases.https.status)" "0 ok" \
    "vip baseline: the sane server with the right certificate: exit 0" ||
    diag "$out"
VBASE=$kb
done_with

# vcase CASE PHASE BOUND STATUS TEXT-RE DESCRIPTION
vcase() {
	hostile "$1" good || { ok 1 "$1: server started"; return; }
	vip
	is "$rc $(js ".phases.$2.status")" "$4" "vip, $1: $6" || diag "$out"
	like "$(js ".phases.$2.detail")" "$5" "vip, $1: in words"
	bounded "$3" "$VBASE" "vip, $1"
	done_with
}
vcase endless https "$FAST" "0 ok" \
    "^200 for GET /, first byte after .*, 1048576 bytes \\(reading stopped there: the cap is 1048576 bytes\\)" \
    "an endless body is read up to the cap"
vcase huge https "$FAST" "0 ok" \
    "^200 for GET /, first byte after .*, 1048576 bytes \\(reading stopped there: the cap is 1048576 bytes\\)" \
    "a 1 GB body is read up to the cap"
vcase headers https "$FAST" "2 critical" \
    "the answer's headers exceed 64 KiB" "headers without end"
vcase drip https "$SLOW" "2 critical" \
    "^GET / failed: the answer stalled: less than 128 bytes/s for $T s" \
    "a drip: cut as a stall"
vcase drip-body https "$SLOW" "2 critical" \
    "^200 for GET /, but reading the body failed after [0-9]+ bytes: the answer stalled: less than 128 bytes/s for $T s" \
    "a drip after the headers: cut as a stall"
vcase rst-hello tls "$FAST" "2 critical" \
    "^handshake failed: the server reset the connection during the handshake" \
    "RST after the ClientHello"
vcase garbage-tls tls "$FAST" "2 critical" \
    "^handshake failed: the server answered with something that is not TLS" \
    "garbage instead of a ServerHello"
vcase old-tls tls "$FAST" "2 critical" \
    "^handshake failed: the server offers only a protocol version refused here" \
    "an SSL 3.0 ServerHello"
