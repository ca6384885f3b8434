#!/bin/sh
# clouddp-provision's package and service certificate against
# clouddp-emulator and Azurite: the package given with --package, or the
# built-in one, is uploaded once to the DP's storage account and named
# by the deployment (the emulator checks that it exists), a rerun finds
# it there and does not send it again, and the generated .cscfg carries
# the certificate's thumbprint and the instance count; a missing package
# is reported with the Azure error code.  An AES (PBES2) .pfx, which the
# classic API refuses, is re-encrypted and the DP gets Ready; a wrong
# service certificate password or a bad package is a clear error before
# any request.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need curl curl
need unzip unzip

emu_azurite || exit 1

plan 42
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
emu_certs "$D"
printf 'wrong' >"$D/badpw"
GOOD_THUMB=$(openssl x509 -in "$D/good.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')

# With the account the emulator checks every PackageUrl with a Blob HEAD.
# The first Create Deployment's operation fails, so that a rerun is seen
# finding the package already uploaded.
emu_start emu --delay all=0 --blob-account "$AZURITE_ACCOUNT" \
    --fault create-deployment:fail-op:times=1
ok $? "emulator started"
DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
LOG=$T_TMP/cloudmgr.log

# prov PFX PASSWORD-FILE SUBCOMMAND ARGS...
prov() {
	pfx=$1 pw=$2
	shift 2
	run clouddp-provision "$@" --subscription "$SUB" \
	    --management-pfx "$D/mgmt.pfx" --management-password-file "$D/pw" \
	    --service-pfx "$pfx" --service-password-file "$pw" \
	    --endpoint "$EP" --cacert "$D/ca.pem" --poll-interval 0.02 \
	    --db "$DB" --log "$LOG" --json
}
count() { jq -r .operation "$T_TMP/emu.req" | grep -cx "$1"; }
q() { sqlite3 "$DB" "$1"; }
# api PATH: a GET on the emulator with the management certificate.
api() {
	curl -s --cacert "$D/ca.pem" --cert "$D/mgmt.pem" --key "$D/mgmt.key" \
	    -H 'x-ms-version: 2014-06-01' "$EP/$SUB$1"
}

# azget CONTAINER/BLOB OUT: Get Blob from Azurite, signed here with
# openssl, so that what it holds is judged without our Blob client.
azget() {
	d=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT')
	sts=$(printf 'GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:%s\nx-ms-version:%s\n/%s/%s/%s' \
	    "$d" 2020-04-08 "$AZURITE_ACCOUNT" "$AZURITE_ACCOUNT" "$1")
	hex=$(printf '%s' "$AZURITE_KEY" | openssl base64 -d -A |
	    od -An -tx1 | tr -d ' \n')
	sig=$(printf '%s' "$sts" | openssl dgst -sha256 -mac HMAC \
	    -macopt "hexkey:$hex" -binary | openssl base64 -A)
	curl -sf -o "$2" -H "x-ms-date: $d" -H 'x-ms-version: 2020-04-08' \
	    -H "Authorization: SharedKey $AZURITE_ACCOUNT:$sig" \
	    "$AZURITE_ENDPOINT/$1"
}
# cscfg SVC: the .cscfg of the service's deployment, as the emulator has it.
deployment() { api "/services/hostedservices/$1/deploymentslots/production"; }
cscfg() {
	deployment "$1" |
	    sed -n 's:.*<Configuration>\([^<]*\)</Configuration>.*:\1:p' |
	    openssl base64 -d -A
}
md5() { openssl md5 -binary "$1" | openssl base64 -A; }

# A package of our own (the emulator reads no further than its name, so
# a ZIP signature and random bytes will do), 3 instances; the first
# deployment fails, the rerun goes on from the journal.
printf 'PK\003\004' >"$T_TMP/my.cspkg" &&
    openssl rand 70000 >>"$T_TMP/my.cspkg"
prov "$D/good-legacy.pfx" "$D/pw" create --name PKG --region "West Europe" \
    --package "$T_TMP/my.cspkg" --instances 3
is "$rc" 3 "the first deployment's operation fails: exit 3"
like "$err" "Create Deployment: 500 InternalError" "said with the Azure code"
PSVC=$(q "SELECT service_name FROM dp WHERE name = 'PKG'")
is "$(q "SELECT step || ':' || outcome FROM step WHERE dp = 'PKG' AND step IN ('package', 'deploy') ORDER BY id")" \
    "package:ok
deploy:failed" "the package step is journaled ok, the deploy failed"
run blobreq "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" head packages "$PSVC.cspkg"
like "$out" "found=1" \
    "the package is in the packages container, named after the service"
like "$out" "size=$(wc -c <"$T_TMP/my.cspkg")" "whole"
is "$(printf '%s\n' "$out" | sed -n 's/^content_md5=//p')" \
    "$(md5 "$T_TMP/my.cspkg")" "with the MD5 openssl computes"
prov "$D/good-legacy.pfx" "$D/pw" create --name PKG --region "West Europe" \
    --package "$T_TMP/my.cspkg" --instances 3
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" "the rerun: Ready" ||
    diag "$err"
is "$(grep -c "Uploading package $T_TMP/my.cspkg" "$LOG")" 1 \
    "uploaded once"
like "$(cat "$LOG")" "Package packages/$PSVC.cspkg is already uploaded \(same size and Content-MD5\)" \
    "the rerun found it there"
is "$(count create-deployment)" 2 "two Create Deployment requests"
is "$(count add-certificate)" 1 "one Add Service Certificate"
azget "packages/$PSVC.cspkg" "$T_TMP/got.cspkg"
cmp -s "$T_TMP/got.cspkg" "$T_TMP/my.cspkg"
ok $? "Azurite holds the file byte for byte (Get Blob signed by openssl)"
C=$(cscfg "$PSVC")
like "$C" "thumbprint=\"$GOOD_THUMB\"" \
    "the .cscfg names the certificate's thumbprint"
like "$C" '<Instances count="3"/>' "and the instance count"
is "$(deployment "$PSVC" | grep -o '<RoleInstance>' | wc -l)" 3 \
    "the emulator runs 3 instances"

# A missing package: the deployment's operation fails, in words.
drive() {
	run asmdrive "$EP" "$SUB" "$D/mgmt.pfx" "$D/pw" "$D/ca.pem" "$@"
}
M=0123456789abcdef01234567
drive service $M "West Europe"
drive cert $M "$D/good-legacy.pfx" "$D/pw"
drive deploy $M "$GOOD_THUMB" "$AZURITE_ENDPOINT/packages/none.cspkg" 2
is "$rc" 2 "a missing package fails the deployment"
like "$out" "Create Deployment: 400 BadRequest: The blob named by PackageUrl does not exist\. \(request id [0-9a-f]{32}\)" \
    "reported with the Azure code, the message and the request id"

# A file that is no package, or none at all: said before any request.
before=$(wc -l <"$T_TMP/emu.req")
prov "$D/good-legacy.pfx" "$D/pw" create --name BADPKG \
    --region "West Europe" --package "$D/pw"
is "$rc" 3 "a package that is no ZIP: exit 3"
like "$err" "pw: not a \.cspkg" "said so"
prov "$D/good-legacy.pfx" "$D/pw" create --name NOPKG \
    --region "West Europe" --package "$T_TMP/none.cspkg"
is "$rc" 3 "a missing package file: exit 3"
like "$err" "none\.cspkg: No such file" "said so"
is "$(wc -l <"$T_TMP/emu.req")" "$before" "not one request was sent"

# An AES-256 .pfx: the classic API refuses PBES2, so it is re-encrypted;
# no --package: the built-in one.
openssl pkcs12 -in "$D/good.pfx" -passin pass:s3cret -info -noout 2>&1 |
    grep -q 'PBES2'
ok $? "good.pfx is PBES2 (AES), as openssl sees it"
prov "$D/good.pfx" "$D/pw" create --name AES --region "West Europe"
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "create with an AES .pfx: Ready" || diag "$err"
SVC=$(printf '%s' "$out" | jq -r .service_name)
like "$(cat "$LOG")" \
    "PBES2/AES-256-CBC, which the classic API refuses; re-encrypted with 3DES" \
    "the re-encryption is logged"
is "$(count add-certificate)" 3 "one more Add Service Certificate"
like "$(api "/services/hostedservices/$SVC/certificates")" \
    "<Thumbprint>$GOOD_THUMB</Thumbprint>" \
    "the emulator holds the certificate, same thumbprint"
grep -q s3cret "$LOG"
ok $((! $?)) "no password in the log"

# A wrong service certificate password: said before any request.
before=$(wc -l <"$T_TMP/emu.req")
prov "$D/good.pfx" "$D/badpw" create --name BADPW --region "West Europe"
is "$rc" 3 "a wrong service .pfx password: exit 3"
like "$err" "wrong password for .*good\.pfx" "said in words, naming the file"
is "$(printf '%s' "$out" | jq -r .error.code)" password "the JSON error"
is "$(wc -l <"$T_TMP/emu.req")" "$before" "not one request was sent"
is "$(q "SELECT count(*) FROM dp WHERE name = 'BADPW'")" 0 \
    "nothing in the inventory"

# The built-in package: a ZIP with the service definition whose role and
# certificate the .cscfg names.
like "$(cat "$LOG")" "Uploading package \\(built in\\) \\([0-9]+ bytes\\) to packages/$SVC.cspkg" \
    "no --package: the built-in one is uploaded"
azget "packages/$SVC.cspkg" "$T_TMP/builtin.cspkg"
unzip -tq "$T_TMP/builtin.cspkg" >/dev/null
ok $? "it is a sound ZIP archive (unzip -t)"
DEF=$(unzip -p "$T_TMP/builtin.cspkg" ServiceDefinition.csdef)
like "$DEF" '<WebRole name="ContentService"' "its role is the .cscfg's"
like "$DEF" 'certificate="SSLCertificate"' \
    "its HTTPS endpoint uses the .cscfg's certificate"
C=$(cscfg "$SVC")
like "$C" '<Role name="ContentService"><Instances count="2"/>' \
    "the .cscfg: that role, 2 instances by default"
like "$C" "<Certificate name=\"SSLCertificate\" thumbprint=\"$GOOD_THUMB\"" \
    "and that certificate by its thumbprint"
