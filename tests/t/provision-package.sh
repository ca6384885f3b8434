#!/bin/sh
# clouddp-provision's service certificate and package against
# clouddp-emulator and Azurite: an AES (PBES2) .pfx, which the classic
# API refuses, is re-encrypted and the DP gets Ready; a wrong service
# certificate password is a clear error before any request.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need sqlite3 sqlite3
need curl curl

AZP=$(free_port 127.0.0.1)
azurite_start 127.0.0.1 "$AZP" || exit 1
CLOUDDP_BLOB_KEY=$AZURITE_KEY
export CLOUDDP_BLOB_KEY

plan 14
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
sh "$top_srcdir/tests/data/gen-certs.sh" "$D" >/dev/null 2>&1
ok $? "gen-certs.sh made the certificates"
A=$(loopback_addr)
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
    -out "$D/srv.csr" -subj /CN=management.test 2>/dev/null &&
printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$A" \
    >"$D/srv.ext" &&
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
    -CAcreateserial -days 30 -extfile "$D/srv.ext" -out "$D/srv.pem" \
    2>/dev/null
ok $? "server certificate made"
printf 's3cret' >"$D/pw"
printf 'wrong' >"$D/badpw"
GOOD_THUMB=$(openssl x509 -in "$D/good.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')

spawn emu clouddp-emulator --listen "$A:0" \
    --tls-cert "$D/srv.pem" --tls-key "$D/srv.key" \
    --subscription "$SUB" --management-cer "$D/mgmt.cer" \
    --ready-file "$T_TMP/emu.ready" --request-log "$T_TMP/emu.req" \
    --vip-pool 127.0.0.16/28 --delay all=0 \
    --vip-https-port "$(free_port 127.0.0.17)" --vip-http-port none \
    --blob-endpoint "$AZURITE_ENDPOINT" --blob-key-env CLOUDDP_BLOB_KEY
wait_for 10 test -s "$T_TMP/emu.ready"
ok $? "emulator started"
EP=https://$A:$(jq -r .port "$T_TMP/emu.ready")
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

# An AES-256 .pfx: the classic API refuses PBES2, so it is re-encrypted.
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
is "$(count add-certificate)" 1 "one Add Service Certificate"
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
