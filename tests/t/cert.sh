#!/bin/sh
# clouddp-cert against certificates made by tests/data/gen-certs.sh (a
# private CA, exact validity dates, SANs, EKUs, key sizes, .pfx in both
# encodings): one case per rule of the service certificate, the
# management certificate and .publishsettings, passing and failing, plus
# wrong passwords, damaged files and hostile XML.  openssl(1) is the
# judge of thumbprints.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need gcore gdb

D=$T_TMP/certs
PS=$top_srcdir/tests/data/publishsettings
plan 112

sh "$top_srcdir/tests/data/gen-certs.sh" "$D" >/dev/null 2>&1
ok $? "gen-certs.sh made the certificates"
cd "$D" || exit 1
pw="--password-file password"

# jqv EXPR: a value from the last run's JSON output.
jqv() { printf '%s\n' "$out" | jq -r "$1"; }
# status CHECK: the status of one check in the last run's JSON output.
status() { jqv "[.checks[] | select(.check == \"$1\")][0].status"; }
message() { jqv "[.checks[] | select(.check == \"$1\")][0].message"; }

# Service certificate: the good one, both encodings.
run clouddp-cert --service good-legacy.pfx $pw --json
is "$rc" 0 "legacy (RC2-40/3DES) .pfx: every check passes"
is "$(jqv .fqdn)" clouddp1.contoso.test "the Service FQDN is the CN"
want=$(openssl x509 -in good.pem -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
is "$(jqv .thumbprint_sha1)" "$want" "SHA-1 thumbprint equals openssl's"
want=$(openssl x509 -in good.pem -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g')
is "$(jqv .thumbprint_sha256)" "$want" "SHA-256 thumbprint equals openssl's"
want=$(openssl x509 -in good.pem -noout -enddate | sed 's/.*=//')
is "$(date -u -d "$(jqv .not_after)" +%s)" "$(date -u -d "$want" +%s)" \
    "not_after equals openssl's"
is "$(jqv .serial)" "$(openssl x509 -in good.pem -noout -serial |
    sed 's/.*=//')" "serial equals openssl's"
is "$(jqv .issuer)" "CN=clouddp test CA,O=clouddp test" "issuer"
is "$(jqv .self_signed)/$(jqv .key_type)/$(jqv .key_bits)" "false/RSA/2048" \
    "self-signed, key type and size"
is "$(jqv .pfx_cert_encryption)" pbeWithSHA1And40BitRC2-CBC \
    "the .pfx encryption is reported"
is "$(status pfx_encoding)" ok "Azure takes a legacy .pfx"
is "$(jqv '.checks | length')" 7 "seven checks"
run clouddp-cert --service good.pfx $pw --json
is "$rc" 1 "AES-256 .pfx: a warning"
is "$(status pfx_encoding)" warning "Azure's classic API refuses PBES2"
like "$(message pfx_encoding)" "PBES2/AES-256-CBC.*-legacy" \
    "and says how to re-export"
run clouddp-cert --service good.pfx $pw
like "$out" "^ok +service_fqdn: Service FQDN clouddp1.contoso.test" \
    "text output: one line per check"
run clouddp-cert --service good-legacy.pfx $pw --nagios
like "$out" "^CLOUDDP-CERT OK: .* \\| 'days_left'=799;30:;0:$" \
    "--nagios: days_left with --warn-days and --critical-days thresholds"
run clouddp-cert --service good-legacy.pfx $pw --nagios --warn-days 900 \
    --critical-days 800
want="^2 CLOUDDP-CERT CRITICAL: validity: expires .* 'days_left'=799;900:;800:$"
like "$rc $out" "$want" \
    "--critical-days: critical when it expires sooner"
run clouddp-cert --help
unlike "$out" "--timeout" "--help lists no --timeout: nothing here waits"
like "$out" "--critical-days" "but lists --critical-days"

# Passwords.
run clouddp-cert --service good-empty.pfx --json </dev/null
is "$(status private_key)" ok "empty password: no password option needed"
run clouddp-cert --service good.pfx </dev/null
is "$rc" 3 "no password, stdin not a terminal: exit 3"
like "$err" "password required for good.pfx" "and says a password is needed"
like "$err" "hint: pass --password-file" "with the options to use"
run clouddp-cert --service good.pfx --password-file wrongpassword
is "$rc" 3 "wrong password: exit 3"
is "$err" "clouddp-cert: wrong password for good.pfx
clouddp-cert: hint: check the password given by --password-file wrongpassword" \
    "wrong password: two clear lines, no OpenSSL dump"
run clouddp-cert --service good.pfx --password-file wrongpassword --json
is "$(jqv .status)/$(jqv .error.code)" unknown/password \
    "--json: one error object"
CLOUDDP_T_PW=s3cret run clouddp-cert --service good-legacy.pfx \
    --password-env CLOUDDP_T_PW
is "$rc" 0 "--password-env"
run sh -c 'exec clouddp-cert --service good-legacy.pfx --password-fd 3 \
    3<password'
is "$rc" 0 "--password-fd"
run clouddp-cert --service good-legacy.pfx $pw -v --json
unlike "$out$err" "s3cret" "the password appears nowhere"
printf '\357\273\277s3cret\r\n' >notepad-password
run clouddp-cert --service good-legacy.pfx --password-file notepad-password
is "$rc" 0 "a password file with a UTF-8 BOM and a CRLF (Notepad)"
run clouddp-cert --service good-nomac.pfx $pw --json
is "$rc/$(jqv .pfx_mac)/$(status private_key)" 0/none/ok \
    "a .pfx without a MAC opens with the right password"
run clouddp-cert --service good-nomac.pfx --password-file wrongpassword --json
is "$(jqv .error.code)" password "and a wrong one is a wrong password"
run clouddp-cert --service good-nomac-keyonly.pfx \
    --password-file wrongpassword --json
is "$rc/$(status private_key)" 2/critical \
    "no MAC, only the key encrypted, a wrong password: the certificate opens"
want="does not decrypt: a wrong password \\(the .pfx has no MAC"
like "$(message private_key)" "$want" \
    "and private_key says the key does not decrypt, and why"

# No copy of the password stays in memory once the .pfx is loaded, from
# any source: a core taken while the tool waits for the .cer on a FIFO
# (after the .pfx) holds none.  A variable the tool never reads shows
# that the core would show it.  mem_copies VAR=VALUE OPTION ARG
mem_copies() {
	rm -f slow.cer core.*
	mkfifo slow.cer
	exec 9<>slow.cer
	env "$1" CLOUDDP_T_CANARY="$canarytext" clouddp-cert \
	    --management mem.pfx --cer slow.cer "$2" "$3" >mem.out 2>&1 \
	    3<mem-password 9>&- &
	mpid=$!
	i=0
	while [ $i -lt 100 ] &&
	    ! ls -l /proc/$mpid/fd 2>/dev/null | grep -q slow.cer; do
		sleep 0.1
		i=$((i + 1))
	done
	gcore -o core $mpid >/dev/null 2>&1
	copies=$(grep -a -o -- "$mempw" core.$mpid 2>/dev/null | wc -l)
	canary=$(grep -a -c -- "$canarytext" core.$mpid 2>/dev/null)
	cat mgmt.cer >&9
	exec 9>&-
	wait $mpid
	mrc=$?
	rm -f slow.cer core.$mpid
}
mempw=clouddp-memory-$$-Xq9
canarytext=clouddp-canary-$$-Kv7
printf '%s\n' "$mempw" >mem-password
CLOUDDP_T_MEM=$mempw openssl pkcs12 -export -in mgmt.pem -inkey mgmt.key \
    -passout env:CLOUDDP_T_MEM -out mem.pfx
if grep -q __asan_init "$(command -v clouddp-cert)"; then
	for src in env file fd; do
		T_N=$((T_N + 1))
		echo "ok $T_N # SKIP --password-$src in a core: an ASan core" \
		    "maps terabytes of shadow memory; the plain build runs it"
	done
elif [ -n "${CLOUDDP_VALGRIND:-}" ]; then
	for src in env file fd; do
		T_N=$((T_N + 1))
		echo "ok $T_N # SKIP --password-$src in a core: under valgrind" \
		    "the core is valgrind's; the plain build runs it"
	done
else
	mem_copies "CLOUDDP_T_MEM=$mempw" --password-env CLOUDDP_T_MEM
	is "$mrc/${canary:-0}/$copies" 0/1/0 \
	    "--password-env: no copy of the password in a core"
	mem_copies CLOUDDP_T_UNUSED=1 --password-file mem-password
	is "$mrc/${canary:-0}/$copies" 0/1/0 "--password-file: none either"
	mem_copies CLOUDDP_T_UNUSED=1 --password-fd 3
	is "$mrc/${canary:-0}/$copies" 0/1/0 "--password-fd: none either"
fi

# Damaged files.
run clouddp-cert --service truncated.pfx $pw
is "$rc" 3 "truncated .pfx: exit 3"
like "$err" "truncated.pfx: truncated: 700 bytes of [0-9]+" "says truncated"
run clouddp-cert --service notapfx.pfx $pw
is "$rc" 3 "not a .pfx: exit 3"
like "$err" "notapfx.pfx: not a certificate file" "says what it is not"
run clouddp-cert --service no-such.pfx $pw
is "$rc" 3 "missing file: exit 3"
like "$err" "no-such.pfx: No such file" "names the file"

# Names: wildcards, SANs, --fqdn.
run clouddp-cert --service wild.pfx $pw --json
is "$rc/$(status service_fqdn)" 2/critical "wildcard CN without --fqdn fails"
like "$(message service_fqdn)" "--fqdn clouddp1.contoso.test" "hint: --fqdn"
run clouddp-cert --service wild.pfx $pw --json --fqdn clouddp1.contoso.test
is "$(status service_fqdn)" warning "wildcard with --fqdn inside: warning"
like "$(message service_fqdn)" "testing only" "wildcards are for testing"
is "$(jqv .fqdn)" clouddp1.contoso.test "the FQDN is the one given"
run clouddp-cert --service wild.pfx $pw --json --fqdn a.b.contoso.test
is "$(status service_fqdn)" critical "a wildcard never spans two labels"
run clouddp-cert --service wildsan.pfx $pw --json --fqdn CDP1.Contoso.Test.
is "$(status service_fqdn)" warning "wildcard SAN, any case, trailing dot"
run clouddp-cert --service good.pfx $pw --json --fqdn other.contoso.test
is "$(status service_fqdn)" critical "--fqdn not covered by the certificate"
run clouddp-cert --service san.pfx $pw --json
is "$(status service_fqdn)" ok "CN listed among the SANs"
is "$(jqv '.sans | join(",")')" clouddp1.contoso.test,cdp.contoso.test \
    "SANs reported"
run clouddp-cert --service san.pfx $pw --json --fqdn cdp.contoso.test
is "$(status service_fqdn)" warning "--fqdn matching a SAN but not the CN"
run clouddp-cert --service sanmismatch.pfx $pw --json
is "$(status service_fqdn)" critical "with SANs, a CN-only match fails"
like "$(message service_fqdn)" "clients ignore the CN" "and says why"

run clouddp-cert --service upper.pfx $pw --json
is "$(jqv .fqdn)/$(status service_fqdn)" clouddp1.contoso.test/ok \
    "an upper-case CN gives a lower-case FQDN"
run clouddp-cert --service wild.pfx $pw --json --fqdn CDP1.Contoso.Test
is "$(jqv .fqdn)" cdp1.contoso.test "and so does an upper-case --fqdn"
run clouddp-cert --service good.pfx $pw --fqdn 'bad name!'
is "$rc" 3 "--fqdn 'bad name!': a usage error, exit 3"
like "$err" "--fqdn: bad name!: invalid character" "saying what is wrong"
run clouddp-cert --service sanonly1.pfx $pw --json
is "$(jqv .fqdn)/$(status service_fqdn)" cdp.contoso.test/warning \
    "an empty subject and one SAN: the FQDN is the SAN"
like "$(message service_fqdn)" "subject is empty.*reissue with CN=cdp" \
    "with a warning that ConfigMgr reads the CN"
run clouddp-cert --service sanonly2.pfx $pw --json
is "$(jqv .fqdn)/$(status service_fqdn)" null/critical \
    "an empty subject and two SANs: no FQDN"
like "$(message service_fqdn)" \
    "subject is empty, and the SANs name several hosts.*ConfigMgr takes" \
    "says ConfigMgr needs a CN, or --fqdn"
run clouddp-cert --service sanonly2.pfx $pw --json --fqdn clouddp1.contoso.test
is "$(jqv .fqdn)/$(status service_fqdn)" clouddp1.contoso.test/warning \
    "two SANs and --fqdn naming one of them"

# EKU, key, validity.
run clouddp-cert --service noeku.pfx $pw --json
is "$rc/$(status server_auth)" 2/critical "no EKU fails"
run clouddp-cert --service clientonly.pfx $pw --json
like "$(message server_auth)" "clientAuth, without Server Auth" \
    "a client-auth-only EKU fails, naming what it has"
run clouddp-cert --service weak.pfx $pw --json
is "$(status key_size)" critical "a 1024-bit key fails"
is "$(jqv .key_bits)" 1024 "and its size is reported"
run clouddp-cert --service expired.pfx $pw --json
is "$rc/$(status validity)" 2/critical "expired fails"
like "$(message validity)" "expired on 2021-01-01 00:00:00 UTC" \
    "with the exact date"
run clouddp-cert --service notyet.pfx $pw --json
is "$(status validity)" critical "not yet valid fails"
like "$(message validity)" "not valid before 2045-01-01" "with the date"
run clouddp-cert --service soon.pfx $pw --json
is "$(status validity)" warning "expiring within 30 days warns"
run clouddp-cert --service soon.pfx $pw --json --warn-days 5
is "$(status validity)" ok "--warn-days 5: no warning"
run clouddp-cert --service mgmt.pfx $pw --json
is "$(status issuer)/$(status service_fqdn)" warning/critical \
    "self-signed warns; a CN that is no host name fails"

# Management certificate.
run clouddp-cert --management mgmt.pfx --cer mgmt.cer $pw --json
is "$rc" 0 "management .pfx + DER .cer: every check passes"
is "$(status cer_matches)" ok ".cer matches the .pfx"
run clouddp-cert --management mgmt.pfx --cer mgmt-pem.cer $pw --json
is "$(status cer_matches)" ok "a PEM .cer"
run clouddp-cert --management mgmt.pfx --cer other.cer $pw --json
is "$rc/$(status cer_matches)" 2/critical "a .cer of another certificate"
want=$(openssl x509 -in good.pem -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
like "$(message cer_matches)" "other.cer holds $want but mgmt.pfx holds" \
    "names both thumbprints"
run clouddp-cert --management mgmtweak.pfx $pw --json
is "$(status key_size)" critical "a 1024-bit management key fails"
run clouddp-cert --management mgmt-empty-legacy.pfx --json </dev/null
is "$rc" 0 "empty-password legacy management .pfx"
run clouddp-cert --management mgmt.cer $pw --json
is "$(status private_key)" critical "a .cer alone has no private key"

# .publishsettings.
run clouddp-cert --publishsettings v1.publishsettings --json
is "$rc" 0 "version 1: every check passes"
is "$(jqv .schema_version)/$(jqv '.subscriptions | length')" 1/2 \
    "version 1, two subscriptions"
is "$(jqv '.subscriptions[0].management_url')" \
    https://management.core.windows.net "URL normalised"
is "$(jqv '[.checks[] | select(.check == "key_size")] | length')" 1 \
    "the shared certificate is checked once"
is "$(jqv .thumbprint_sha1)" \
    "$(openssl x509 -in mgmt.pem -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')" "its thumbprint is the management cert's"
run clouddp-cert --publishsettings v2.publishsettings --json
is "$rc/$(jqv .schema_version)" 2/2 "version 2: the weak subscription fails"
like "$(jqv '[.checks[] | select(.status == "critical")][0].message')" \
    "^subscription 22222222-0000-0000-0000-000000000002: RSA 1024" \
    "the finding names its subscription"
is "$(jqv '.subscriptions[1].name')" "Weak & old" "names are decoded"
run clouddp-cert --publishsettings v2.publishsettings
want=$(openssl x509 -in mgmtweak.pem -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
like "$(printf '%s\n' "$out" | sed 's/^  *//' | tr '\n' ' ')" \
    "subscription: 22222222-[0-9-]* .* certificate CN=clouddp weak \
management \\(SHA-1 $want\\)" \
    "version 2, text: each subscription names its certificate"
run clouddp-cert --publishsettings v2.publishsettings --nagios --warn-days 60
like "$out" "\\| 'days_left'=36[45];60:;0:$" \
    "--nagios: days_left of a .publishsettings, with its thresholds"
run clouddp-cert --publishsettings v2-shared.publishsettings --json
is "$(jqv '[.checks[] | select(.check == "key_size")] | length')" 2 \
    "a certificate shared by two subscriptions out of three: checked once"
like "$(jqv '[.checks[] | select(.check == "subscription")][2].message')" \
    "checked once, with subscription 33333333-0000-0000-0000-000000000001" \
    "and the other says with which"
run clouddp-cert --publishsettings v2.publishsettings --json \
    --subscription 0BBBC191-0023-4bd1-8e68-a1b4a0ac5e2a
is "$rc/$(jqv '.subscriptions | length')" 0/1 "--subscription selects one"
run clouddp-cert --publishsettings v2.publishsettings --subscription nope
is "$rc" 3 "an unknown subscription: exit 3"
want="no subscription nope; the file holds 0bbbc191-.* \\(Pay-As-You-Go\\)"
like "$err" "$want, 2{8}-" "naming the ones present"
for f in doctype billion-laughs external-entity; do
	run clouddp-cert --publishsettings "$PS/$f.publishsettings" --json
	is "$rc/$(jqv .error.code)" 3/input "$f: refused, exit 3"
	like "$err" "refused: a DOCTYPE" "$f: says why"
done
run clouddp-cert --publishsettings "$PS/external-entity.publishsettings"
unlike "$out$err" "root:" "no local file was read"
run clouddp-cert --publishsettings "$PS/malformed.publishsettings"
like "$rc $err" "^3 .*line [0-9]+: not well-formed XML" "malformed XML"
run clouddp-cert --publishsettings "$PS/wrong-root.publishsettings"
like "$rc $err" "^3 .*root element <PublishSettings>" "wrong root element"

run clouddp-cert --publishsettings v1.publishsettings $pw
like "$rc $err" "^3 .*has no password" \
    "no password options for .publishsettings"

# Usage.
run clouddp-cert --service good.pfx --management mgmt.pfx
is "$rc" 3 "two files at once: usage error"
run clouddp-cert --service good.pfx --cer mgmt.cer
is "$rc" 3 "--cer without --management: usage error"
