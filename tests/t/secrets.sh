#!/bin/sh
# The secrets audit.  clouddp-provision create (against the emulator),
# clouddp-cert, clouddp-vip (through tinyproxy asking for a password),
# clouddp-cname --apply (TSIG, against BIND) and clouddp-verify --junit
# run with passwords, keys and a TSIG secret unique to this run; then
# every place a secret could end up is searched for each of them, plain
# and base64 (the TSIG secret also as its decoded bytes):
# /proc/PID/cmdline and /proc/PID/environ sampled mid-run, a core taken
# mid-run with gcore while the tool is blocked with the secret in use, the
# CMTrace log, the inventory (raw and as .dump), --json output, the JUnit
# file, stdout and stderr.  The inventory and the log are mode 0600.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need gcore gdb
need tsig-keygen bind9-utils
need base64 coreutils

# An ASan build's core maps terabytes of shadow memory: no cores there.
# Under make check-valgrind a core would be valgrind's, not the tool's.
cores=1
nocore="an ASan core maps terabytes of shadow memory"
grep -q __asan_init "$(command -v clouddp-cert)" && cores=0
if [ -n "${CLOUDDP_VALGRIND:-}" ]; then
	cores=0
	nocore="under valgrind memcheck the core is valgrind's"
fi

emu_azurite || exit 1
plan 50
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME
cd "$T_TMP" || exit 1

# --- The secrets --------------------------------------------------------------
MGMT_PW=mgmtpw-$$-Qx7Lm2
SVC_PW=svcpw-$$-Wz3Kp9
CERT_PW=certpw-$$-Tn2Rv4
PROXY_PW=proxypw-$$-Rk5Hs8
SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
openssl pkcs12 -export -in "$D/mgmt.pem" -inkey "$D/mgmt.key" \
    -passout "pass:$MGMT_PW" -out mgmt.pfx
openssl pkcs12 -export -legacy -in "$D/good.pem" -inkey "$D/good.key" \
    -certfile "$D/ca.pem" -passout "pass:$SVC_PW" -out svc.pfx
openssl pkcs12 -export -in "$D/mgmt.pem" -inkey "$D/mgmt.key" \
    -passout "pass:$CERT_PW" -out cert.pfx
tsig-keygen -a hmac-sha256 clouddp-audit >key.conf
chmod 600 key.conf
TSIG_B64=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' key.conf)
# The decoded key as a PCRE of \xNN escapes.
TSIG_RAW=$(printf '%s' "$TSIG_B64" | base64 -d | od -An -v -tx1 |
    tr -s ' \n' '  ' | sed 's/^ //; s/ $//; s/ /\\x/g; s/^/\\x/')
printf '%s\n' "$MGMT_PW" >mgmt-pw
chmod 600 mgmt-pw

# b64 S: S in base64, less its last group, which depends on what
# follows S when S is encoded inside something longer.
b64() { printf '%s' "$1" | base64 -w0 | sed 's/....$//'; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
# The needles, "name hex" a line: each secret plain and in base64, the
# user:password the proxy is sent, the TSIG key's bytes.
for pair in mgmt="$MGMT_PW" service="$SVC_PW" cert="$CERT_PW" \
    proxy="$PROXY_PW" proxy-userpass="clouddp:$PROXY_PW" tsig="$TSIG_B64"; do
	name=${pair%%=*}
	val=${pair#*=}
	echo "$name $(printf '%s' "$val" | hex)"
	echo "$name(base64) $(b64 "$val" | tr -d '\n' | hex)"
done >needles
echo "tsig(bytes) $(printf '%s' "$TSIG_B64" | base64 -d | hex)" >>needles
# found FILE: the secrets FILE holds, by name ("" when none).  perl
# (perl-base, always there) reads binary files whole, newlines and all.
found() {
	perl -e 'open(my $n, "<", $ARGV[0]) or die; local $/;
	    open(my $f, "<:raw", $ARGV[1]) or exit 0; my $d = <$f>;
	    my @hits; $/ = "\n";
	    while (<$n>) { chomp; my ($k, $h) = split / /;
	        push @hits, $k if index($d, pack("H*", $h)) >= 0; }
	    print join(" ", @hits);' needles "$1"
}
# clean WHAT FILE: a test line: FILE holds none of the secrets.
clean() {
	is "$(found "$2")" "" "$1: no secret"
}
# sample NAME PID: /proc/PID/cmdline and environ into NAME.cmdline,
# NAME.environ, and, in a plain build, a core NAME.core (gcore).
sample() {
	cat "/proc/$2/cmdline" >"$1.cmdline" 2>/dev/null
	cat "/proc/$2/environ" >"$1.environ" 2>/dev/null
	[ -s "$1.cmdline" ] || echo "no process $2" >"$1.cmdline"
	if [ "$cores" -eq 1 ]; then
		gcore -o "$1.core" "$2" >/dev/null 2>&1
		mv "$1.core.$2" "$1.core" 2>/dev/null
	fi
}
# mid NAME WHAT: the test lines for a sample.
mid() {
	clean "$2: /proc/PID/cmdline" "$1.cmdline"
	t_vg_skip "$2: /proc/PID/environ" "it is valgrind's copy, which" \
	    "the tool cannot wipe; the plain build checks it" ||
	    clean "$2: /proc/PID/environ after start-up" "$1.environ"
	if [ "$cores" -eq 0 ]; then
		T_N=$((T_N + 1))
		echo "ok $T_N # SKIP $2: a core mid-run: $nocore;" \
		    "the plain build runs it"
	elif [ -s "$1.core" ]; then
		clean "$2: a core taken mid-run" "$1.core"
	else
		ok 1 "$2: a core taken mid-run (gcore made none)"
	fi
}

# --- clouddp-provision create -------------------------------------------------
# The deployment stays Deploying for 4 s: the certificate is uploaded
# by then, so the service password has been used.
emu_start emu --delay all=0 --delay deploying=4
DB=$T_TMP/inv/inventory.db
mkdir -p inv
# An inventory file someone else made, readable by all: made private.
: >"$DB"
chmod 644 "$DB"
SVC_ENV=$SVC_PW
export SVC_ENV
clouddp-provision create --name DP1 --region "West Europe" \
    --subscription "$SUB" --management-pfx mgmt.pfx \
    --management-password-file mgmt-pw \
    --service-pfx svc.pfx --service-password-env SVC_ENV \
    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.05 \
    --db "$DB" --log cloudmgr.log --json >prov.out 2>prov.err &
pid=$!
unset SVC_ENV
wait_for 30 sh -c "sqlite3 '$DB' \"SELECT 1 FROM step WHERE dp = 'DP1' AND step = 'deploy' AND outcome = 'ok'\" | grep -q 1"
ok $? "provision: the deployment is under way, the certificate uploaded"
modes=$(stat -c %a "$DB" "$DB-wal" cloudmgr.log 2>&1 | tr '\n' ' ')
sample prov $pid
wait $pid
is "$?" 0 "provision: exit 0" || diag "$(cat prov.err)"
mid prov "provision"
clean "provision: the CMTrace log" cloudmgr.log
clean "provision: stdout (--json)" prov.out
clean "provision: stderr" prov.err
clean "provision: the inventory file" "$DB"
sqlite3 "$DB" .dump >inv.dump
clean "provision: the inventory (.dump)" inv.dump
is "$modes" "600 600 600 " \
    "the inventory (made 0644 by another), its WAL and the log are 0600"
# The emulator's request log stands for the wire: the service password
# is sent to Azure with the certificate, and the emulator must not keep it.
clean "the emulator's request log" emu.req
kill "$PID"

# --- clouddp-cert ---------------------------------------------------------------
# The .pfx is read, then the tool waits for the .cer on a FIFO.
mkfifo slow.cer
exec 9<>slow.cer
clouddp-cert --management cert.pfx --password-fd 3 --cer slow.cer --json \
    >cert.out 2>cert.err 3<<EOF 9>&- &
$CERT_PW
EOF
pid=$!
wait_for 10 sh -c "ls -l /proc/$pid/fd | grep -q slow.cer"
ok $? "cert: waiting for the .cer, the .pfx loaded"
sample cert $pid
cat "$D/mgmt.cer" >&9
exec 9>&-
wait $pid
is "$?" 0 "cert: exit 0" || diag "$(cat cert.err)"
mid cert "cert"
clean "cert: stdout (--json)" cert.out
clean "cert: stderr" cert.err

# --- clouddp-vip through a proxy asking for a password -------------------------
PA=127.0.0.1
PAUTH=$(free_port $PA)
PSTALL=$(free_port $PA)
tinyproxy_start auth "$PA" "$PAUTH" "BasicAuth clouddp $PROXY_PW" || exit 1
stall_start tls "$PA" "$PSTALL" || exit 1
VIP_PROXY=$PROXY_PW
export VIP_PROXY
clouddp-vip --vip "$PA" --fqdn clouddp1.contoso.test --port "$PSTALL" \
    --http-port none --proxy "http://clouddp@$PA:$PAUTH" \
    --proxy-password-env VIP_PROXY --timeout 30 --json \
    >vip.out 2>vip.err &
pid=$!
unset VIP_PROXY
wait_for 10 grep -q "Established connection to host" "$T_TMP/tinyproxy_auth.log"
ok $? "vip: the proxy took the password and connected to the VIP"
sample vip $pid
kill -INT $pid
wait $pid
mid vip "vip"
clean "vip: stdout (--json)" vip.out
clean "vip: stderr" vip.err
# vip_mid NAME PORT WHAT LINE: clouddp-vip -vv through the proxy at PORT,
# sampled once it has said LINE and gone back to waiting.
vip_mid() {
	VIP_PROXY=$PROXY_PW
	export VIP_PROXY
	clouddp-vip --vip "$PA" --fqdn clouddp1.contoso.test --http-port none \
	    --proxy "http://clouddp@$PA:$2" --proxy-password-env VIP_PROXY \
	    --timeout 30 -vv >"$1.out" 2>"$1.err" &
	pid=$!
	unset VIP_PROXY
	wait_for 10 grep -q "$4" "$1.err"
	ok $? "vip $3: under way (-vv)"
	sleep 0.5
	sample "$1" $pid
	kill -INT $pid
	wait $pid
	mid "$1" "vip $3"
	clean "vip $3: stderr (-vv)" "$1.err"
}
# Before the tunnel stands: connecting to a proxy that answers no SYN,
# and a CONNECT, password and all, that a proxy takes and never answers.
PFULL=$(free_port $PA)
stall_start full "$PA" "$PFULL" full || exit 1
vip_mid vipt "$PFULL" "connecting to the proxy" "Trying $PA:$PFULL"
vip_mid vipc "$PSTALL" "mid-CONNECT" "> Proxy-Authorization: \[redacted\]"

# --- clouddp-cname --apply with a TSIG key --------------------------------------
GUID=d1594d4527614a09b934d470.cloudapp.net
PN=$(free_port 127.0.0.1)
named_start 127.0.0.1 "$PN" contoso.com "$top_srcdir/tests/data/cname/contoso.zone" \
    key.conf || exit 1
# Mid-run: a relay passes the signed lookup to BIND and its signed
# answer back (the key verified it), then takes the signed update and
# never answers it.
PR=$(free_port 127.0.0.1)
spawn relay perl -MIO::Socket::INET -e '$| = 1;
    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
        LocalPort => $ARGV[0], Listen => 5, ReuseAddr => 1) or die $!;
    sub msg { my ($s, $h, $b) = @_; read($s, $h, 2) == 2 or die "short";
        read($s, $b, unpack("n", $h)); return $h . $b; }
    print "ready\n"; my $c = $l->accept;
    my $s = IO::Socket::INET->new("127.0.0.1:$ARGV[1]") or die $!;
    print $s msg($c); print $c msg($s); print "relayed\n";
    my $u = $l->accept; msg($u); print "held\n"; sleep 60;' "$PR" "$PN"
wait_for 10 grep -q ready "$T_TMP/relay.log"
clouddp-cname --apply --server "127.0.0.1:$PR" --tsig-file key.conf \
    -t 30 --fqdn audit1.contoso.com --target "$GUID" --origin contoso.com \
    >/dev/null 2>&1 &
pid=$!
wait_for 10 grep -q held "$T_TMP/relay.log"
ok $? "cname: BIND's signed answer verified, the signed update held"
sample cname $pid
kill -INT $pid
wait $pid
mid cname "cname --apply"
run clouddp-cname --apply --server "127.0.0.1:$PN" --tsig-file key.conf \
    -t 5 --fqdn audit1.contoso.com --target "$GUID" --origin contoso.com \
    --json
is "$rc" 0 "cname --apply: exit 0" || diag "$err"
printf '%s' "$out" >cname.out
printf '%s' "$err" >cname.err
clean "cname --apply: stdout (--json)" cname.out
clean "cname --apply: stderr" cname.err

# --- clouddp-verify --junit --------------------------------------------------------
# A service certificate with its password, the proxy with its password.
printf '%s\n' "$CERT_PW" >cert-pw
printf '%s\n' "$PROXY_PW" >proxy-pw
run clouddp-verify --fqdn clouddp1.contoso.test --target "$GUID" \
    --vip "$PA" --port "$PSTALL" --http-port none --resolver "127.0.0.1:$PN" \
    --service-pfx cert.pfx --password-file cert-pw \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-file proxy-pw \
    --timeout 2 --json --junit verify.xml
like "$rc" '^[123]$' "verify: ran to a verdict (exit $rc)"
printf '%s' "$out" >verify.out
printf '%s' "$err" >verify.err
test -s verify.xml
ok $? "verify: the JUnit file was written"
clean "verify: the JUnit file" verify.xml
clean "verify: stdout (--json)" verify.out
clean "verify: stderr" verify.err

# The search itself finds what it looks for.
printf 'x%sx\n' "$(b64 "clouddp:$PROXY_PW")" >canary
printf '%s' "$TSIG_B64" | base64 -d >>canary
is "$(found canary)" "proxy-userpass(base64) tsig(bytes)" \
    "the search finds a secret in base64 and as bytes"
