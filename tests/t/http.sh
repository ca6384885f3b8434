#!/bin/sh
# http.c as an API client, against nginx on loopback (through
# tests/servers/httpreq, which prints what a request's result holds):
# peer verification on by default, mutual TLS with ssl_verify_client,
# a body sent and read back, response headers, Retry-After, the body
# cap, and a proxy password kept out of the proxy URL (tinyproxy).
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need nginx nginx-light
need tinyproxy tinyproxy

plan 40

F=clouddp1.contoso.test
D=$T_TMP/certs
sh "$top_srcdir/tests/data/gen-certs.sh" "$D" >/dev/null 2>&1
ok $? "gen-certs.sh made the certificates"

A=$(loopback_addr)
P_TLS=$(free_port "$A")
P_MTLS=$(free_port "$A")
P_HTTP=$(free_port "$A")
mkdir -p "$T_TMP/bodies"
head -c 3000000 /dev/urandom >"$T_TMP/big.bin"
cat >"$T_TMP/servers.conf" <<EOF
server {
  listen $A:$P_TLS ssl;
  ssl_certificate $D/good.pem;
  ssl_certificate_key $D/good.key;
  location / { return 200 "verified\n"; }
}
server {
  listen $A:$P_MTLS ssl;
  ssl_certificate $D/good.pem;
  ssl_certificate_key $D/good.key;
  ssl_client_certificate $D/ca.pem;
  ssl_verify_client on;
  location / { return 200 "hello \$ssl_client_s_dn\n"; }
}
server {
  listen $A:$P_HTTP;
  # A body round trip: the body is kept in a file whose name comes
  # back, and /stored/ serves it.
  location = /upload {
    client_body_in_file_only on;
    client_body_temp_path $T_TMP/bodies;
    client_max_body_size 10m;
    proxy_set_header X-Body-File \$request_body_file;
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_pass http://$A:$P_HTTP/named;
  }
  location = /named { return 201 "\$http_x_body_file"; }
  location /stored/ { alias $T_TMP/bodies/; }
  location = /busy {
    add_header Retry-After 7 always;
    add_header x-ms-request-id 5f2c-0001 always;
    return 503 "busy\n";
  }
  location = /later {
    add_header Retry-After "Wed, 21 Oct 2037 07:28:00 GMT" always;
    return 429;
  }
  location = /created {
    add_header Location "http://$A:$P_HTTP/operations/1" always;
    return 202;
  }
  location = /big.bin { alias $T_TMP/big.bin; }
}
EOF
nginx_start http "$T_TMP/servers.conf" || exit 1

req() { run "$top_builddir/tests/servers/httpreq" "$@"; }
val() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -1; }
TO="$F:$P_TLS:$A:$P_TLS"
MO="$F:$P_MTLS:$A:$P_MTLS"

# Peer verification is on unless asked off.
req -c "$TO" "https://$F:$P_TLS/"
is "$(val fail)" verify "an unknown CA fails verification by default"
like "$(val error)" "unable to get local issuer certificate" \
    "and says why, in OpenSSL's words"
is "$(val stage)" tls "at the TLS stage"
req -c "$TO" -C "$D/ca.pem" "https://$F:$P_TLS/"
is "$(val status)" 200 "with the CA given, the request succeeds"
req -c "$A:$P_TLS:$A:$P_TLS" -C "$D/ca.pem" "https://$A:$P_TLS/"
is "$(val fail)" verify "a name the certificate does not hold fails"
like "$(val error)" "$A|subject" "and the error names the mismatch"
req -k "https://$A:$P_TLS/"
is "$(val status)" 200 "-k (probes): no verification"

# Mutual TLS.
req -c "$MO" -C "$D/ca.pem" -E "$D/clientonly.pfx" -p "$D/password" \
    "https://$F:$P_MTLS/"
is "$(val status)" 200 "a client certificate from the CA is accepted"
like "$out" "hello CN=clouddp1.contoso.test" "nginx saw it"
req -c "$MO" -C "$D/ca.pem" "https://$F:$P_MTLS/"
is "$(val status)" 400 "no client certificate: refused"
like "$out" "No required SSL certificate was sent" "nginx says so"
req -c "$MO" -C "$D/ca.pem" -E "$D/mgmt.pfx" -p "$D/password" \
    "https://$F:$P_MTLS/"
is "$(val status)" 400 "a certificate from another CA: refused"
like "$out" "The SSL certificate error" "nginx says so"
req -c "$MO" -C "$D/ca.pem" -E "$D/mgmt.cer" "https://$F:$P_MTLS/"
is "$(val fail)" client_cert "a certificate without its key cannot be used"
like "$(val error)" "no private key" "and the error says why"

# A body sent from memory and from a file, read back.
req -X PUT -H "Content-Type: text/plain" -d "hello, body" \
    "http://$A:$P_HTTP/upload"
is "$(val status)" 201 "PUT from memory: 201"
stored=$(printf '%s\n' "$out" | sed -n '/^body:$/{n;p;}')
req "http://$A:$P_HTTP/stored/$(basename "$stored")"
is "$(printf '%s\n' "$out" | sed -n '/^body:$/{n;p;}')" "hello, body" \
    "the body came back as sent"
req -X POST -T "$T_TMP/big.bin" "http://$A:$P_HTTP/upload"
is "$(val status)" 201 "POST streamed from a 3 MB file: 201"
stored=$(printf '%s\n' "$out" | sed -n '/^body:$/{n;p;}')
cmp -s "$T_TMP/big.bin" "$stored"
ok $? "the server stored the file byte for byte"
"$top_builddir/tests/servers/httpreq" -m 4000000 \
    "http://$A:$P_HTTP/stored/$(basename "$stored")" >"$T_TMP/back"
grep -q '^body_len=3000000$' "$T_TMP/back"
ok $? "it comes back whole under a 4 MB cap"
sed '1,/^body:$/d' "$T_TMP/back" | cmp -s - "$T_TMP/big.bin"
ok $? "byte for byte"

# The body cap.
req "http://$A:$P_HTTP/big.bin"
is "$(val fail)" body_max "a 3 MB body passes the default 1 MiB cap"
is "$(val body_len)" 1048576 "reading stopped at the cap"
is "$(val status)" 200 "the status is still known"
like "$(val error)" "the answer's body exceeds 1 MiB, the most this request reads: reading stopped there" \
    "and the cap is said as such"

# Response headers.
req "http://$A:$P_HTTP/busy"
is "$(val status)" 503 "503 answered"
is "$(val retry_after)" 7 "Retry-After in seconds"
is "$(val request_id)" 5f2c-0001 "x-ms-request-id captured"
like "$(val content_type)" "^text/plain" "Content-Type captured"
like "$out" "header Server: nginx" "any header can be looked up"
req "http://$A:$P_HTTP/later"
is "$(val retry_at)" "$(date -u -d '2037-10-21 07:28:00' +%s)" \
    "Retry-After as an HTTP date"
ok "$(val retry_after | awk '{ print ($1 > 300000000) ? 0 : 1 }')" \
    "counted from the response's Date"
req -X POST -d "{}" "http://$A:$P_HTTP/created"
is "$(val location)" "http://$A:$P_HTTP/operations/1" \
    "Location of a 202 captured"

# A proxy's password given apart from its URL.
PA=$(loopback_addr)
PAUTH=$(free_port "$PA")
PP=$(free_port "$PA")
tinyproxy_start auth "$PA" "$PAUTH" "BasicAuth clouddp s3cret" || exit 1
tinyproxy_start plain "$PA" "$PP" || exit 1
req -x "http://$PA:$PP" -c "$MO" -C "$D/ca.pem" -E "$D/clientonly.pfx" \
    -p "$D/password" "https://$F:$P_MTLS/"
is "$(val status)" 200 "mutual TLS with verification through a CONNECT tunnel"
run env https_proxy="http://$PA:$PP" "$top_builddir/tests/servers/httpreq" \
    -c "$TO" "https://$F:$P_TLS/"
is "$(val proxy)" "http://$PA:$PP" "https_proxy from the environment"
is "$(val fail)" verify "and verification still on through it"
req -x "http://clouddp@$PA:$PAUTH" -P "$D/password" \
    "http://$A:$P_HTTP/busy"
is "$(val status)" 503 "through the proxy with the password from a file"
is "$(val proxy)" "http://clouddp@$PA:$PAUTH" "the proxy as reported"
req -x "http://clouddp@$PA:$PAUTH" "http://$A:$P_HTTP/busy"
like "$(val status)" '^40[17]$' \
    "without the password the proxy asks for it (tinyproxy says 401)"
