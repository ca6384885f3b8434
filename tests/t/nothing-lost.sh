#!/bin/sh
# Nothing lost: clouddp-provision's subcommands that work on recorded DPs
# refuse a path with no inventory (exit 3, a hint, no file made); an
# inventory that is read-only or on a full disk stops resume, stop and
# delete with a clear error before the cloud is asked anything, and the
# inventory is left as it was; a CMTrace log and a JUnit file that cannot
# be written are said so, with no half-written line or file left.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need prlimit util-linux

emu_azurite || exit 1

plan 28
cd "$T_TMP" || exit 1
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

# --- No inventory at the path: refused, nothing created ---------------------
mkdir -p "$T_TMP/none"
for cmd in list status start stop delete resume; do
	case $cmd in
	list | status) set -- ;;
	*) set -- --name DP1 ;;
	esac
	run clouddp-provision "$cmd" "$@" --db "$T_TMP/none/inventory.db"
	like "$rc $err" "^3 clouddp-provision: $T_TMP/none/inventory.db: no inventory: .*
clouddp-provision: hint: pass the inventory clouddp-provision create wrote with --db PATH" \
	    "$cmd on a path with no inventory: exit 3 and a hint"
done
is "$(ls -A "$T_TMP/none")" "" "and no file was created"

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
emu_start emu --delay all=0
ok $? "emulator started"
DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
prov() {
	run clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02
}
requests() { wc -l <"$T_TMP/emu.req" | tr -d ' '; }
prov create --name DP1 --region "West Europe" --db "$DB"
is "$rc" 0 "create: exit 0" || diag "$err"

# --- A read-only inventory: resume, stop, delete say so, change nothing -----
# Root writes anywhere, so as root the provisioner runs as nobody.
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
chmod 444 "$RO/inventory.db"
chmod 555 "$RO"
chmod 711 "$T_TMP"
chmod -R a+rX "$D"
before=$(sqlite3 "$RO/inventory.db" .dump)
n=$(requests)
for cmd in resume stop delete; do
	run asuser clouddp-provision "$cmd" --name DP1 \
	    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
	    --management-password-file "$D/pw" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --db "$RO/inventory.db"
	like "$rc $err" "^3 clouddp-provision: $RO/inventory.db: cannot open the inventory for writing" \
	    "$cmd, read-only inventory: exit 3, said so" || diag "$err"
done
is "$(requests)" "$n" "nothing was asked of the cloud"
is "$(sqlite3 "$RO/inventory.db" .dump)" "$before" \
    "the read-only inventory is as it was"
chmod 755 "$RO"

# --- A full disk: the inventory cannot grow ---------------------------------
# The file size limit stands in for a full file system: every write past
# it fails with EFBIG (SIGXFSZ ignored), as ENOSPC would.
full() {
	run sh -c 'trap "" XFSZ; exec prlimit --fsize="$0" "$@"' "$@"
}
before=$(sqlite3 "$DB" .dump)
n=$(requests)
for cmd in resume stop delete; do
	full 2048 clouddp-provision "$cmd" --name DP1 --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --db "$DB"
	like "$rc $err" "^3 clouddp-provision: $DB: .*the disk is full" \
	    "$cmd, full disk: exit 3, said so" || diag "$err"
done
is "$(requests)" "$n" "nothing was asked of the cloud"
is "$(sqlite3 "$DB" .dump)" "$before" "the inventory is as it was"
prov status --name DP1 --db "$DB" --json
is "$rc $(printf '%s' "$out" | jq -r '.dps[0].state')" "0 ready" \
    "and the DP is still Ready, usable"

# --- Output files on a full disk --------------------------------------------
# stdout and stderr go to pipes here, which the file size limit spares.
# fullrun LIMIT CMD...: sets $rc and $err.
fullrun() {
	err=$(sh -c 'trap "" XFSZ; exec prlimit --fsize="$0" "$@"' "$@" \
	    2>&1 >/dev/null)
	rc=$?
}
# The CMTrace log: the create is done and recorded, the log's failure is
# said, and the log keeps whole entries only (the first one fit in part).
yes 'earlier entry' | head -n 150000 >full.log
chmod 600 full.log
cp full.log full.before
fullrun $(($(stat -c %s full.log) + 60)) clouddp-provision create \
    --name DP2 --region "West Europe" --subscription "$SUB" \
    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
    --service-pfx "$D/good-legacy.pfx" --service-password-file "$D/pw" \
    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
    --db "$DB" --log full.log -q
like "$rc $err" "^3 clouddp-provision: full.log: cannot write the log: File too large" \
    "the CMTrace log on a full disk: exit 3, said so" || diag "$err"
is "$(sqlite3 "$DB" "SELECT state FROM dp WHERE name = 'DP2'")" ready \
    "the run itself is recorded"
cmp -s full.log full.before
ok $? "the log has no half-written entry"

# JUnit: the file is replaced whole or not at all.
echo '<testsuites/>' >junit.xml
fullrun 100 clouddp-verify --fqdn clouddp1.contoso.test \
    --target d1594d4527614a09b934d470.cloudapp.net --vip 127.0.0.1 \
    --port 1 --http-port none --resolver 127.0.0.1:1 -t 2 --junit junit.xml
like "$rc $err" "^3 clouddp-verify: junit.xml: cannot write: File too large" \
    "--junit on a full disk: exit 3, said why" || diag "$err"
is "$(cat junit.xml)" '<testsuites/>' "the JUnit file before is kept"
is "$(ls junit.xml?* 2>/dev/null)" "" "and no temporary file is left"
