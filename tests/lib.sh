# Shell library for tests/t/*.sh: TAP output, a scratch directory, and
# real servers started on free loopback ports and stopped by PID from a
# trap, whatever way the test ends.  Source it first:  . "$top_srcdir/tests/lib.sh"

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PATH="$top_builddir/tools:$top_builddir/src:$top_builddir/tests/servers:$PATH"
# make check-valgrind: the tools run under memcheck (build-aux/valgrind-tool),
# and tests scale the time they give a tool by CLOUDDP_TEST_SLOW (10).
if [ -n "${CLOUDDP_VALGRIND:-}" ]; then
	PATH="$top_builddir/tests/valgrind/bin:$PATH"
	: "${CLOUDDP_TEST_SLOW:=10}"
fi
CLOUDDP_TEST_SLOW=${CLOUDDP_TEST_SLOW:-1}
export PATH CLOUDDP_TEST_SLOW

# t_slack: the seconds a run of a tool may take beyond what a test
# allows a plain build: 0, or under memcheck six times the wall time
# of one start-up and exit of a tool (clouddp-resolve --version) plus
# two, measured once per test on the machine as loaded now (make
# check-valgrind runs two tests at once, each one's load changing the
# other's).  For upper bounds on a run's wall time; lower bounds stay
# as they are; the plain suite holds the tools to the tight ones.
t_slack() {
	if [ -z "${CLOUDDP_VALGRIND:-}" ]; then
		echo 0
		return
	fi
	if [ ! -s "$T_TMP/.slack" ]; then
		ts=$(date +%s.%N)
		clouddp-resolve --version >/dev/null 2>&1
		te=$(date +%s.%N)
		awk -v a="$ts" -v b="$te" \
		    'BEGIN { printf "%.1f\n", 6 * (b - a) + 2 }' \
		    >"$T_TMP/.slack"
	fi
	cat "$T_TMP/.slack"
}

# t_catching PID: PID has its own SIGINT handler in place (SigCgt in
# /proc/PID/status).  A test that interrupts a tool waits for this
# first: a background job starts with SIGINT ignored, and a signal sent
# before the handler is there (valgrind's start-up is long) is lost.
t_catching() {
	tc=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$tc" ] || return 1
	tc=${tc#"${tc%?}"}
	[ $((0x$tc & 2)) -ne 0 ]
}

# t_vg_skip DESCRIPTION WHY...: under memcheck, the next test point is a
# SKIP saying WHY it means nothing there (e.g. a bound on maximum RSS,
# which is valgrind's own); returns 0 then, so that the caller does not
# make its check.  Returns 1 in a plain or sanitizer run.
t_vg_skip() {
	[ -n "${CLOUDDP_VALGRIND:-}" ] || return 1
	T_N=$((T_N + 1))
	tv=$1
	shift
	echo "ok $T_N # SKIP $tv: under valgrind memcheck $*"
	return 0
}

T_N=0
T_FAILED=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/clouddp-test.XXXXXX") || exit 99
export T_TMP

# t_mine PID: PID is still a child of this test.  A server the test
# stopped itself may have given its PID to another process by now (PIDs
# wrap at 32768 on a busy machine), which must not be signalled.
t_mine() {
	set -- $(ps -o ppid=,stat= -p "$1" 2>/dev/null)
	[ "${1:-}" = "$$" ] && case ${2:-Z} in Z*) false ;; esac
}

t_cleanup() {
	live=""
	# Under memcheck a tool's leak check at exit takes a while.
	T_STOP=1
	[ -n "${CLOUDDP_VALGRIND:-}" ] && T_STOP=4
	for pid in $T_PIDS; do
		t_mine "$pid" && live="$live $pid" && kill "$pid" 2>/dev/null
	done
	for pid in $live; do
		# Give each server a moment, then insist.
		i=0
		while t_mine "$pid" && [ $i -lt $((50 * T_STOP)) ]; do
			sleep 0.1
			i=$((i + 1))
		done
		t_mine "$pid" && kill -9 "$pid" 2>/dev/null
	done
	if [ -n "${T_KEEP:-}" ]; then
		echo "# scratch kept in $T_TMP"
	else
		rm -rf "$T_TMP"
	fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

plan() { echo "1..$1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# ok CONDITION-STATUS DESCRIPTION: pass when the previous command ($?) was 0.
ok() {
	st=$1
	shift
	T_N=$((T_N + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $T_N - $*"
	else
		echo "not ok $T_N - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
	return "$st"
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:      '$1'" "expected: '$2'"
		return 1
	fi
}

# like TEXT PATTERN DESCRIPTION: grep -E PATTERN in TEXT.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "text: $1" "does not match: $2"
		return 1
	fi
}

# unlike TEXT PATTERN DESCRIPTION
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		diag "text: $1" "matches: $2"
		return 1
	fi
	ok 0 "$3"
}

# run CMD...: sets $out (stdout), $err (stderr) and $rc.
run() {
	"$@" >"$T_TMP/.out" 2>"$T_TMP/.err"
	rc=$?
	out=$(cat "$T_TMP/.out")
	err=$(cat "$T_TMP/.err")
}

# need PROGRAM PACKAGE: a test that needs a missing program fails, naming
# the package; it never skips silently.
need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "1..1"
		echo "not ok 1 - $1 is missing: install the Debian package $2"
		exit 1
	fi
}

# A free port on ADDR (default 127.0.0.1), free for both TCP and UDP.
# A port handed out once is never handed out again in the same test: the
# kernel may pick the same free port twice before a server binds it.  The
# record is a file because callers use $(free_port) (a subshell).
free_port() {
	while :; do
		fp=$(freeport "${1:-127.0.0.1}") || return 1
		grep -qx "$fp" "$T_TMP/.ports" 2>/dev/null && continue
		echo "$fp" >>"$T_TMP/.ports"
		echo "$fp"
		return 0
	done
}

# A random loopback address 127.0.X.Y, so that parallel tests keep apart.
# (sh has no $RANDOM: the bytes come from /dev/urandom.)
loopback_addr() {
	od -An -N3 -tu1 /dev/urandom |
	    awk '{ printf "127.%d.%d.%d\n", $1 % 200 + 20, $2 % 250 + 1, $3 % 250 + 1 }'
}

# spawn NAME CMD...: start a server in the background, remember its PID.
spawn() {
	name=$1
	shift
	# Emptied here, not by the background job's redirection: a caller
	# waiting for a line in the log must not find the last run's.
	: >"$T_TMP/$name.log"
	"$@" >>"$T_TMP/$name.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "PID_$name=$!"
}

# wait_for SECONDS CMD...: retry CMD every 0.1s until it succeeds, for
# CLOUDDP_TEST_SLOW times SECONDS at most.
wait_for() {
	limit=$(($1 * 10 * CLOUDDP_TEST_SLOW))
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

# dns_up ADDR PORT NAME: the server answers a query for NAME.
dns_up() {
	dig +time=1 +tries=1 +norec -p "$2" @"$1" "$3" SOA 2>/dev/null |
	    grep -q 'status: NOERROR'
}

# named_start ADDR PORT ZONE FILE [KEYFILE]: BIND, authoritative for
# (ADDR must be configured on an interface, e.g. 127.0.0.1: named does not
# bind the rest of 127/8)
# ZONE from FILE (a copy under $T_TMP); with KEYFILE, dynamic updates
# signed by that key are allowed.  Sets NAMED_DIR.
named_start() {
	need named bind9
	addr=$1 port=$2 zone=$3 file=$4 key=${5:-}
	NAMED_DIR=$T_TMP/named-$port
	mkdir -p "$NAMED_DIR"
	cp "$file" "$NAMED_DIR/$zone.zone"
	ctl=$(free_port "$addr")
	{
		echo "options {"
		echo "  directory \"$NAMED_DIR\";"
		echo "  pid-file \"$NAMED_DIR/named.pid\";"
		echo "  listen-on port $port { $addr; };"
		echo "  listen-on-v6 { none; };"
		echo "  recursion no; notify no;"
		echo "  dnssec-validation no;"
		echo "};"
		echo "controls { };"
		if [ -n "$key" ]; then
			cat "$key"
			keyname=$(sed -n 's/^key "\([^"]*\)".*/\1/p' "$key")
			echo "zone \"$zone\" { type primary; file \"$zone.zone\";"
			echo "  allow-update { key \"$keyname\"; }; };"
		else
			echo "zone \"$zone\" { type primary; file \"$zone.zone\"; };"
		fi
	} >"$NAMED_DIR/named.conf"
	spawn named named -g -c "$NAMED_DIR/named.conf" -n 1
	if ! wait_for 20 dns_up "$addr" "$port" "$zone"; then
		diag "named did not start:"
		sed 's/^/# /' "$T_TMP/named.log" | tail -20
		return 1
	fi
}

# nsd_start ADDR PORT ZONE FILE [ZONE FILE]...: NSD, authoritative for
# each ZONE from FILE (copied under $T_TMP).  Sets NSD_DIR.
nsd_start() {
	need nsd nsd
	addr=$1 port=$2
	shift 2
	NSD_DIR=$T_TMP/nsd-$addr-$port
	mkdir -p "$NSD_DIR"
	{
		echo "server:"
		echo "  ip-address: $addr"
		echo "  port: $port"
		echo "  username: \"\""
		echo "  chroot: \"\""
		echo "  zonesdir: \"$NSD_DIR\""
		echo "  database: \"\""
		echo "  zonelistfile: \"$NSD_DIR/zone.list\""
		echo "  xfrdfile: \"$NSD_DIR/xfrd.state\""
		echo "  xfrdir: \"$NSD_DIR\""
		echo "  pidfile: \"$NSD_DIR/nsd.pid\""
		echo "  server-count: 1"
		echo "  verbosity: 1"
		echo "remote-control:"
		echo "  control-enable: no"
	} >"$NSD_DIR/nsd.conf"
	first=""
	while [ $# -ge 2 ]; do
		[ -n "$first" ] || first=$1
		cp "$2" "$NSD_DIR/$1.zone"
		printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' \
		    "$1" "$1" >>"$NSD_DIR/nsd.conf"
		shift 2
	done
	spawn nsd nsd -d -c "$NSD_DIR/nsd.conf"
	if ! wait_for 20 dns_up "$addr" "$port" "$first"; then
		diag "nsd did not start:"
		sed 's/^/# /' "$T_TMP/nsd.log" | tail -20
		return 1
	fi
}

# unbound_start ADDR PORT ZONE SERVER [ZONE SERVER]...: Unbound as a
# recursive resolver, each ZONE a stub to SERVER ("ADDR@PORT").  Sets
# UNBOUND_DIR.
unbound_start() {
	need unbound unbound
	addr=$1 port=$2
	shift 2
	UNBOUND_DIR=$T_TMP/unbound-$addr-$port
	mkdir -p "$UNBOUND_DIR"
	{
		echo "server:"
		echo "  interface: $addr@$port"
		echo "  port: $port"
		echo "  username: \"\""
		echo "  chroot: \"\""
		echo "  directory: \"$UNBOUND_DIR\""
		echo "  pidfile: \"$UNBOUND_DIR/unbound.pid\""
		echo "  use-syslog: no"
		echo "  do-ip6: no"
		echo "  do-not-query-localhost: no"
		echo "  module-config: \"iterator\""
		echo "  access-control: 127.0.0.0/8 allow_snoop"
		echo "  num-threads: 1"
		echo "  verbosity: 0"
		echo "remote-control:"
		echo "  control-enable: no"
	} >"$UNBOUND_DIR/unbound.conf"
	first=""
	while [ $# -ge 2 ]; do
		[ -n "$first" ] || first=$1
		printf 'stub-zone:\n  name: "%s"\n  stub-addr: %s\n' \
		    "$1" "$2" >>"$UNBOUND_DIR/unbound.conf"
		printf 'server:\n  domain-insecure: "%s"\n  local-zone: "%s" transparent\n' \
		    "$1" "$1" >>"$UNBOUND_DIR/unbound.conf"
		shift 2
	done
	spawn unbound unbound -d -c "$UNBOUND_DIR/unbound.conf"
	if ! wait_for 20 dig +time=1 +tries=1 -p "$port" @"$addr" "$first" SOA; then
		diag "unbound did not start:"
		sed 's/^/# /' "$T_TMP/unbound.log" | tail -20
		return 1
	fi
}

# nginx_start NAME SERVERS: nginx in the foreground serving the
# "server { }" blocks of file SERVERS, with its pid, log and temporary
# files under $T_TMP/nginx-NAME.  Waits until it listens.
nginx_start() {
	need nginx nginx-light
	ngx_dir=$T_TMP/nginx-$1
	mkdir -p "$ngx_dir/tmp"
	{
		# As root, workers would otherwise run as nobody, who cannot
		# read the keys the test made.
		if [ "$(id -u)" -eq 0 ]; then echo "user root;"; fi
		echo "worker_processes 1;"
		echo "pid $ngx_dir/nginx.pid;"
		echo "error_log stderr notice;"
		echo "events { worker_connections 1024; }"
		echo "http {"
		echo "  access_log off;"
		for t in client_body proxy fastcgi uwsgi scgi; do
			echo "  ${t}_temp_path $ngx_dir/tmp/$t;"
		done
		cat "$2"
		echo "}"
	} >"$ngx_dir/nginx.conf"
	spawn "nginx_$1" nginx -e stderr -p "$ngx_dir" -c "$ngx_dir/nginx.conf" \
	    -g 'daemon off;'
	if ! wait_for 10 grep -q 'start worker process' "$T_TMP/nginx_$1.log"; then
		diag "nginx did not start:"
		sed 's/^/# /' "$T_TMP/nginx_$1.log" | tail -20
		return 1
	fi
}

# tinyproxy_start NAME ADDR PORT [CONFIG-LINES]: tinyproxy in the
# foreground on ADDR:PORT, allowing loopback clients, with any extra
# configuration lines (e.g. "ConnectPort 1", "BasicAuth user pass").
tinyproxy_start() {
	need tinyproxy tinyproxy
	tp_dir=$T_TMP/tinyproxy-$1
	mkdir -p "$tp_dir"
	{
		echo "Port $3"
		echo "Listen $2"
		echo "Timeout 30"
		echo "MaxClients 200"
		echo "LogLevel Info"
		echo "Allow 127.0.0.0/8"
		printf '%s\n' "${4:-}"
	} >"$tp_dir/tinyproxy.conf"
	spawn "tinyproxy_$1" tinyproxy -d -c "$tp_dir/tinyproxy.conf"
	if ! wait_for 10 grep -q 'Accepting connections' \
	    "$T_TMP/tinyproxy_$1.log"; then
		diag "tinyproxy did not start:"
		sed 's/^/# /' "$T_TMP/tinyproxy_$1.log" | tail -20
		return 1
	fi
}

# stall_start NAME ADDR PORT [full]: tests/servers/stall, a listener that
# accepts and never speaks (or, with "full", answers no SYN at all).
stall_start() {
	spawn "stall_$1" stall "$2" "$3" ${4:-}
	wait_for 10 grep -q ready "$T_TMP/stall_$1.log"
}

# azurite_dir: where Azurite's node_modules are: CLOUDDP_AZURITE_DIR
# (configure --with-azurite; a release tarball's suite points it at
# an installed copy), else the source tree's build-aux/azurite.
azurite_dir() {
	echo "${CLOUDDP_AZURITE_DIR:-$top_srcdir/build-aux/azurite/node_modules}"
}

# need_azurite: azurite-blob is there, or the test fails naming the npm
# package and how to install it.
need_azurite() {
	need node nodejs
	[ -x "$(azurite_dir)/.bin/azurite-blob" ] && return 0
	echo "1..1"
	echo "not ok 1 - azurite-blob is missing from $(azurite_dir):" \
	    "install the npm package azurite (build-aux/debian-deps runs" \
	    "npm ci in build-aux/azurite), or configure --with-azurite=DIR"
	exit 1
}

# azurite_start ADDR PORT: npm's azurite-blob (pinned in build-aux/azurite,
# installed by build-aux/debian-deps), in memory, on ADDR:PORT.  Sets
# AZURITE_ENDPOINT (path style), AZURITE_ACCOUNT and AZURITE_KEY: the
# development account, whose key is public.
azurite_start() {
	need_azurite
	spawn azurite "$(azurite_dir)/.bin/azurite-blob" --blobHost "$1" --blobPort "$2" \
	    --inMemoryPersistence --disableTelemetry --silent
	AZURITE_ENDPOINT=http://$1:$2/devstoreaccount1
	AZURITE_ACCOUNT=devstoreaccount1
	AZURITE_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
	if ! wait_for 30 grep -q 'successfully listens' "$T_TMP/azurite.log"; then
		diag "azurite did not start:"
		sed 's/^/# /' "$T_TMP/azurite.log" | tail -20
		return 1
	fi
}

# emu_certs DIR [ADDR]: the certificates a test of clouddp-emulator
# needs, in DIR: those of tests/data/gen-certs.sh (ca.*, mgmt.*, good*
# ...), the emulator's own server certificate srv.pem and srv.key from
# the same CA for ADDR (default a random loopback address) as an IP SAN,
# and the password file pw.  Sets EMU_CERTS (DIR) and EMU_ADDR (ADDR).
# Two test points: the certificates made, the server certificate made.
emu_certs() {
	EMU_CERTS=$1
	EMU_ADDR=${2:-$(loopback_addr)}
	sh "$top_srcdir/tests/data/gen-certs.sh" "$1" >/dev/null 2>&1
	ok $? "gen-certs.sh made the certificates"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1/srv.key" \
	    -out "$1/srv.csr" -subj /CN=management.test 2>/dev/null &&
	printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' \
	    "$EMU_ADDR" >"$1/srv.ext" &&
	openssl x509 -req -in "$1/srv.csr" -CA "$1/ca.pem" \
	    -CAkey "$1/ca.key" -CAcreateserial -days 30 \
	    -extfile "$1/srv.ext" -out "$1/srv.pem" 2>/dev/null
	ok $? "server certificate made"
	printf 's3cret' >"$1/pw"
}

# emu_azurite [PORT]: Azurite (azurite_start) on 127.0.0.1:PORT (default
# a free port) as the emulator's blob endpoint: sets EMU_BLOB and exports
# its key as CLOUDDP_BLOB_KEY.
emu_azurite() {
	azurite_start 127.0.0.1 "${1:-$(free_port 127.0.0.1)}" || return 1
	EMU_BLOB=$AZURITE_ENDPOINT
	CLOUDDP_BLOB_KEY=$AZURITE_KEY
	export CLOUDDP_BLOB_KEY
}

# emu_start NAME [OPTIONS...]: clouddp-emulator on $EMU_ADDR (port 0)
# with the certificates of emu_certs and the subscription $SUB, its
# ready file $T_TMP/NAME.ready, its request log $T_TMP/NAME.req, VIPs
# from 127.0.0.16/28 serving HTTPS on a free high port (never 443) and
# no HTTP, and, when EMU_BLOB is set, that blob endpoint with Azurite's
# account and the key in CLOUDDP_BLOB_KEY (so the emulator checks that
# a deployment's PackageUrl exists, as Azure does).  OPTIONS come last: the emulator takes the last of a
# repeated option, so they override any of these.  Waits for the ready
# file; sets EP (its https:// address), EMU_PORT and PID.
emu_start() {
	name=$1
	shift
	if [ -n "${EMU_BLOB:-}" ]; then
		set -- --blob-endpoint "$EMU_BLOB" \
		    --blob-account "$AZURITE_ACCOUNT" \
		    --blob-key-env CLOUDDP_BLOB_KEY "$@"
	fi
	spawn "$name" clouddp-emulator --listen "$EMU_ADDR:0" \
	    --tls-cert "$EMU_CERTS/srv.pem" --tls-key "$EMU_CERTS/srv.key" \
	    --subscription "$SUB" --management-cer "$EMU_CERTS/mgmt.cer" \
	    --ready-file "$T_TMP/$name.ready" \
	    --request-log "$T_TMP/$name.req" --vip-pool 127.0.0.16/28 \
	    --vip-https-port "$(free_port 127.0.0.17)" --vip-http-port none \
	    "$@"
	wait_for 10 test -s "$T_TMP/$name.ready" ||
	    return 1
	EMU_PORT=$(jq -r .port "$T_TMP/$name.ready")
	EP=https://$EMU_ADDR:$EMU_PORT
	PID=$(jq -r .pid "$T_TMP/$name.ready")
}
