#!/bin/sh
# blob.c against a real Blob service (Azurite on loopback): the content
# container and a package blob, each answer read as the service gave it,
# and a wrong key refused in words.
. "$top_srcdir/tests/lib.sh"

addr=127.0.0.1
port=$(free_port $addr)
azurite_start $addr "$port" || exit 1
CLOUDDP_BLOB_KEY=$AZURITE_KEY
export CLOUDDP_BLOB_KEY
b() { run blobreq "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" "$@"; }
field() { printf '%s\n' "$out" | sed -n "s/^$1=//p"; }

plan 28

b exists content
is "$rc/$(field status)/$(field found)/$(field error_code)" \
    "0/404/0/ContainerNotFound" "a missing container: found 0, not an error"
b create content
is "$rc/$(field status)" "0/201" "create the container: 201"
b create content
is "$rc/$(field status)/$(field error_code)" "1/409/ContainerAlreadyExists" \
    "create it again: 409 ContainerAlreadyExists"
like "$(field error)" 'already exists.*request id [0-9a-f-]{36}' \
    "said in words, with the request id"
b exists content
is "$rc/$(field status)/$(field found)" "0/200/1" "the container exists"

head -c 300000 /dev/urandom >"$T_TMP/pkg.cspkg"
b put content pkg/dp.cspkg "$T_TMP/pkg.cspkg"
is "$rc/$(field status)" "0/201" "put a package blob from a file: 201"
like "$(field etag)" '^"0x[0-9A-F]+"$' "with an ETag"
b head content pkg/dp.cspkg
is "$rc/$(field found)/$(field size)" "0/1/300000" \
    "HEAD: the blob exists with the file's size"
b headurl "$AZURITE_ENDPOINT/content/pkg/dp.cspkg"
is "$rc/$(field found)" "0/1" "HEAD by the blob's URL, as a PackageUrl"
b head content pkg/missing.cspkg
is "$rc/$(field status)/$(field found)/$(field error_code)" \
    "0/404/0/BlobNotFound" "HEAD of a missing blob: found 0"
b headurl "http://$addr:1/devstoreaccount1/content/pkg/dp.cspkg"
is "$rc" 3 "a URL under another endpoint is refused before any request"
like "$(field hint)" "endpoint" "and the hint says where a URL must be"

: >"$T_TMP/empty"
b put content empty.bin "$T_TMP/empty"
is "$rc/$(field status)" "0/201" "an empty blob is signed right too"
b list content
is "$rc/$(field nitems)/$(field total_size)" "0/2/300000" \
    "list: both blobs, sizes summed"
like "$out" 'blob pkg/dp.cspkg 300000' "each listed with name and size"
b put content pkg/more.bin "$T_TMP/empty"
CLOUDDP_BLOB_LIST_MAX=1 b list content
is "$rc/$(field nitems)/$(field total_size)" "0/3/300000" \
    "one blob a page: NextMarker followed to the end"
is "$(printf '%s\n' "$out" | awk '$1 == "blob" { print $2 }' | tr '\n' ' ')" \
    "empty.bin pkg/dp.cspkg pkg/more.bin " "each blob once, in order"
CLOUDDP_BLOB_LIST_MAX=1 b sum content
is "$rc/$(field nitems)/$(field total_size)/$(printf '%s\n' "$out" | grep -c '^blob ')" \
    "0/3/300000/0" "sum: every page counted, no names kept"

CLOUDDP_BLOB_KEY=$(printf '%s' "$AZURITE_KEY" | tr 'A-Ma-m' 'N-Zn-z') \
    b exists content
is "$rc/$(field status)" "1/403" "a wrong key: 403, an error"
like "$(field error)" \
    '403 (AuthenticationFailed|AuthorizationFailure): [a-z].*authenticate' \
    "the code and its meaning in words (HEAD has no body)"
like "$(field hint)" 'account name and key' "the hint names the key"
CLOUDDP_BLOB_KEY=$(printf '%s' "$AZURITE_KEY" | tr 'A-Ma-m' 'N-Zn-z') \
    b list content
like "$(field error)" '403 .*Server failed to authenticate' \
    "a GET's refusal quotes the service's message"

b delete content pkg/dp.cspkg
is "$rc/$(field status)" "0/202" "delete the blob: 202"
b head content pkg/dp.cspkg
is "$rc/$(field found)" "0/0" "and it is gone"

b exists Content
is "$rc" 3 "an invalid container name is refused before any request"
CLOUDDP_BLOB_KEY='not base64!' b exists content
is "$rc" 3 "a key that is not base64 is refused"
unlike "$out" 'base64!' "and not echoed"

dead=$(free_port $addr)
run blobreq "http://$addr:$dead/devstoreaccount1" devstoreaccount1 \
    exists content
like "$rc $(field error)" '^1 .*Could.*connect' \
    "nothing listening: the connection failure, not a 404"
