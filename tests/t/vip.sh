#!/bin/sh
# clouddp-vip against real servers on loopback: nginx serving HTTPS with
# certificates made by tests/data/gen-certs.sh (good, wrong name,
# expired, another than --expect-cert, another without SNI), a closed
# port, a listener that never speaks TLS, one that answers no SYN, and
# tinyproxy in front (working, denying CONNECT, asking for credentials,
# down).  openssl(1) judges the thumbprints.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need jq jq
need nginx nginx-light
need tinyproxy tinyproxy

plan 140

F=clouddp1.contoso.test
D=$T_TMP/certs
sh "$top_srcdir/tests/data/gen-certs.sh" "$D" >/dev/null 2>&1
ok $? "gen-certs.sh made the certificates"

A=$(loopback_addr)
B=$(loopback_addr)
P_GOOD=$(free_port "$A")
P_WRONG=$(free_port "$A")
P_EXPIRED=$(free_port "$A")
P_SAN=$(free_port "$A")
P_NOSNI=$(free_port "$A")
P_HTTP=$(free_port "$A")
P_CLOSED=$(free_port "$A")
P_STALL=$(free_port "$A")
P_DROP=$(free_port "$B")

# tls_server PORT NAME: a server block serving certificate NAME.
tls_server() {
	cat <<EOF
server {
  listen $A:$1 ssl;
  ssl_certificate $D/$2.pem;
  ssl_certificate_key $D/$2.key;
  location / { return 200 "ok\n"; }
  location /moved { return 301 https://$F/elsewhere; }
}
EOF
}
{
	tls_server "$P_GOOD" good
	tls_server "$P_WRONG" sanmismatch
	tls_server "$P_EXPIRED" expired
	tls_server "$P_SAN" san
	cat <<EOF
server {
  listen $A:$P_NOSNI ssl default_server;
  server_name _;
  ssl_certificate $D/mgmt.pem;
  ssl_certificate_key $D/mgmt.key;
  return 200 "default\n";
}
server {
  listen $A:$P_NOSNI ssl;
  server_name $F;
  ssl_certificate $D/good.pem;
  ssl_certificate_key $D/good.key;
  return 200 "named\n";
}
server {
  listen $A:$P_HTTP;
  location / { return 200 "plain \$host\n"; }
  location /missing { return 404; }
  location = /big.bin { alias $T_TMP/big.bin; }
  location = /slow { alias $T_TMP/big.bin; limit_rate 20k; }
}
EOF
} >"$T_TMP/servers.conf"
head -c 3000000 /dev/zero >"$T_TMP/big.bin"
nginx_start vip "$T_TMP/servers.conf" || exit 1
stall_start tls "$A" "$P_STALL" || exit 1
stall_start syn "$B" "$P_DROP" full || exit 1

jqv() { printf '%s\n' "$out" | jq -r "$1"; }
st() { jqv ".phases.$1.status"; }
detail() { jqv ".phases.$1.detail"; }
sha1() {
	openssl x509 -in "$D/$1.pem" -noout -fingerprint -sha1 |
	    sed 's/.*=//; s/://g'
}
vip() { run clouddp-vip --vip "$A" --fqdn "$F" "$@"; }
# within T0 T1 MIN MAX: MIN <= T1 - T0 < MAX seconds.
within() {
	awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" \
	    'BEGIN { exit !(b - a >= lo && b - a < hi) }'
}

# Everything passes.
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" --json
is "$rc" 0 "good certificate, trusted CA: exit 0"
is "$(jqv .status)" ok "overall status ok"
for ph in tcp_https tls cert_name cert_validity cert_chain cert_no_sni \
    https tcp_http http; do
	is "$(st "$ph")" ok "good: $ph ok"
done
like "$(jqv .phases.tls.protocol)" '^TLSv1\.[23]$' "TLS protocol reported"
like "$(jqv .phases.tls.cipher)" '[A-Z]' "TLS cipher reported"
is "$(jqv .phases.cert_name.sha1)" "$(sha1 good)" \
    "served SHA-1 equals openssl's thumbprint of good.pem"
is "$(jqv .phases.https.http_status)" 200 "HTTPS status 200"
is "$(jqv .phases.http.http_status)" 200 "HTTP status 200"
like "$(jqv .phases.https.ttfb_ms)" '^[0-9.]+$' "time to first byte given"
is "$(detail cert_no_sni)" "the same certificate as with SNI" \
    "without SNI the same certificate"
is "$(jqv .proxy)" none "no proxy used"
unlike "$(jqv '.phases | keys | join(" ")')" proxy_connect \
    "no proxy phase without a proxy"
# nginx saw the FQDN as Host on the HTTP port too.
run clouddp-vip --vip "$A" --fqdn "$F" --port "$P_GOOD" \
    --http-port "$P_HTTP" --cacert "$D/ca.pem" -v
is "$rc" 0 "text output: exit 0"
like "$out" "^ok +tcp_https: connected to $A port $P_GOOD \\([0-9.]+ ms\\)" \
    "text output: one line per phase with its time"
like "$out" "^ok +https: 200 for GET /" "text output: HTTPS status"

vip --port "$P_GOOD" --http-port none --nagios --cacert "$D/ca.pem"
is "$rc" 0 "--nagios: exit 0"
like "$out" "^CLOUDDP-VIP OK: .* \\| .*'tcp_https'=[0-9.]+ms.*'tls'=" \
    "--nagios: one line with perfdata per phase"
unlike "$out" "tcp_http'" "--http-port none: no HTTP probe"
like "$out" "'days_left'=[0-9]+;30:;0:( |\$)" \
    "--nagios: days_left with its warning and critical thresholds"
vip --port "$P_GOOD" --http-port none --nagios --cacert "$D/ca.pem" \
    --warn-days 2000
like "$out" "^CLOUDDP-VIP WARNING: .*'days_left'=[0-9]+;2000:;0:" \
    "--warn-days sets the days_left warning threshold"

# The FQDN in the one name form: lower case, A-labels, U-labels shown.
run clouddp-vip --vip "$A" --fqdn CLOUDDP1.Contoso.TEST --port "$P_GOOD" \
    --http-port none --cacert "$D/ca.pem" --json
is "$rc" 0 "an upper-case FQDN: exit 0"
is "$(jqv .fqdn)" "$F" "and it is lower-cased"
run clouddp-vip --vip "$A" --fqdn bücher.contoso.test --port "$P_GOOD" \
    --http-port none --cacert "$D/ca.pem" --json
is "$(jqv .fqdn)" xn--bcher-kva.contoso.test "an IDN is probed as its A-label"
is "$(jqv .fqdn_unicode)" bücher.contoso.test "and shown as its U-label too"
like "$(detail cert_name)" "^xn--bcher-kva.contoso.test does not match" \
    "the certificate is judged against the A-label"

# Without --cacert the test CA is unknown: a warning, not a failure.
vip --port "$P_GOOD" --http-port none --json
is "$rc" 1 "untrusted chain without --cacert: exit 1"
is "$(st cert_chain)" warning "cert_chain warning"
like "$(detail cert_chain)" "system store: unable to get local issuer" \
    "cert_chain says why"
is "$(st cert_name)" ok "and the name still matches"

# Wrong name, expired, other certificate than expected.
vip --port "$P_WRONG" --http-port none --cacert "$D/ca.pem" --json
is "$rc" 2 "wrong name: exit 2"
is "$(st cert_name)" critical "wrong name: cert_name critical"
like "$(detail cert_name)" "SAN other.contoso.test" "and names what it has"
is "$(st cert_chain)" ok "wrong name: the chain is still trusted"
is "$(st cert_validity)" ok "wrong name: validity ok"

vip --port "$P_EXPIRED" --http-port none --cacert "$D/ca.pem" --json
is "$rc" 2 "expired: exit 2"
is "$(st cert_validity)" critical "expired: cert_validity critical"
like "$(detail cert_validity)" "expired" "expired: said so"
is "$(st cert_name)" ok "expired: the name matches"
is "$(st cert_chain)" ok "expired: the chain is judged apart from dates"

vip --port "$P_SAN" --http-port none --cacert "$D/ca.pem" --json \
    --expect-cert "$D/good.pfx" --password-file "$D/password"
is "$rc" 2 "another certificate than --expect-cert: exit 2"
is "$(st cert_expect)" critical "cert_expect critical"
like "$(detail cert_expect)" "serves SHA-1 $(sha1 san), expected SHA-1 $(sha1 good)" \
    "the mismatch names both thumbprints"
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" --json \
    --expect-cert "$D/good.pfx" --password-file "$D/password"
is "$(st cert_expect)" ok "the expected certificate (.pfx): cert_expect ok"
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" --json \
    --expect-cert "$D/good.pfx" --password-file "$D/wrongpassword"
is "$rc" 3 "--expect-cert with a wrong password: exit 3"
like "$err" "password" "and says it is the password"

# What the VIP serves without SNI.
vip --port "$P_NOSNI" --http-port none --cacert "$D/ca.pem" --json
is "$rc" 1 "another certificate without SNI: exit 1"
is "$(st cert_no_sni)" warning "cert_no_sni warning"
like "$(detail cert_no_sni)" "clouddp management" "names what is served"
is "$(st cert_name)" ok "with SNI the right certificate"

# Redirects are reported, not followed; HTTP errors fail.
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --path /moved --json
is "$(st https)" warning "a redirect is a warning"
is "$(jqv .phases.https.location)" "https://$F/elsewhere" \
    "the redirect target is reported"
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --path /missing --json
is "$(st http)" critical "HTTP 404 is critical"

# A body is read up to a cap; an endless one is said as such.
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --path /big.bin --json
is "$(jqv .phases.http.body_bytes)" 1048576 "a 3 MB body: read up to 1 MiB"
like "$(detail http)" "^200 for GET /big.bin, .*1048576 bytes \\(reading stopped there: the cap is 1048576 bytes\\)" \
    "and the cap is said"
is "$(jqv .phases.http.body)" capped "body: capped"
# (Under memcheck the handshakes before it take longer: a longer timeout.)
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --path /slow --timeout "$CLOUDDP_TEST_SLOW" --json
is "$(st http)" critical "a body that does not end: critical"
like "$(detail http)" "^200 for GET /slow, but the body did not end within $((2 * CLOUDDP_TEST_SLOW)) s \\([0-9]+ bytes read\\)" \
    "said as an answer whose body did not end, not as no answer"
is "$(jqv .phases.http.http_status)" 200 "the status is reported"

# Refused, no TLS, no answer at all: distinct outcomes.
vip --port "$P_CLOSED" --http-port none --json
is "$rc" 2 "closed port: exit 2"
is "$(jqv .phases.tcp_https.outcome)" refused "closed port: refused"
is "$(st tls)" skipped "closed port: TLS not reached"
vip --port "$P_HTTP" --http-port none --json
like "$(detail tls)" "^handshake failed: .*(wrong version number|packet length)" \
    "TLS to a plain HTTP port: the handshake fails with OpenSSL's reason"
t0=$(date +%s.%N)
vip --port "$P_STALL" --http-port none --timeout 1 --json
t1=$(date +%s.%N)
is "$rc" 2 "a port that never speaks TLS: exit 2"
is "$(st tcp_https)" ok "it accepts TCP"
like "$(detail tls)" "^timeout: no TLS handshake within 1 s" \
    "the handshake times out"
within "$t0" "$t1" 0.9 "$(awk -v s="$(t_slack)" 'BEGIN { print 2.5 + s }')"
ok $? "the timeout is honoured within a small margin"
t0=$(date +%s.%N)
run clouddp-vip --vip "$B" --fqdn "$F" --port "$P_DROP" --http-port none \
    --timeout 1 --json
t1=$(date +%s.%N)
is "$(jqv .phases.tcp_https.outcome)" timeout "no answer to SYN: timeout"
within "$t0" "$t1" 0.9 "$(awk -v s="$(t_slack)" 'BEGIN { print 2.5 + s }')"
ok $? "no answer to SYN: given up after the timeout"

# Through tinyproxy.
PA=$(loopback_addr)
PP=$(free_port "$PA")
PDENY=$(free_port "$PA")
PAUTH=$(free_port "$PA")
PDOWN=$(free_port "$PA")
tinyproxy_start ok "$PA" "$PP" || exit 1
tinyproxy_start deny "$PA" "$PDENY" "ConnectPort 1" || exit 1
tinyproxy_start auth "$PA" "$PAUTH" "BasicAuth clouddp s3cret" || exit 1

vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --proxy "http://$PA:$PP" --json
is "$rc" 0 "through the proxy: exit 0"
is "$(st proxy_connect)" ok "proxy_connect ok"
is "$(jqv .phases.proxy_connect.http_status)" 200 "CONNECT answered 200"
like "$(detail proxy_connect)" "CONNECT $A:$P_GOOD through" \
    "CONNECT went to the VIP, not the name"
is "$(jqv .phases.tcp_https.peer)" "$PA" "TCP went to the proxy"
is "$(jqv .proxy)" "http://$PA:$PP" "the proxy is reported"
is "$(st http)" ok "HTTP through the proxy too"

https_proxy=http://$PA:$PP vip --port "$P_GOOD" --http-port none \
    --cacert "$D/ca.pem" --json
is "$(st proxy_connect)" ok "https_proxy from the environment is used"
https_proxy=http://$PA:$PP no_proxy=$F vip --port "$P_GOOD" \
    --http-port none --cacert "$D/ca.pem" --json
is "$(jqv .proxy)" bypassed "no_proxy: the proxy is bypassed"
like "$(detail proxy_connect)" "^bypassed: no_proxy exempts $F" \
    "and the report says so"
is "$(jqv .phases.tcp_https.peer)" "$A" "no_proxy: TCP went to the VIP"
https_proxy=http://$PA:$PP vip --port "$P_GOOD" --http-port none \
    --cacert "$D/ca.pem" --proxy "" --json
is "$(jqv .proxy)" none "--proxy \"\" overrides https_proxy"
http_proxy=http://$PA:$PP vip --port "$P_GOOD" --http-port "$P_HTTP" \
    --cacert "$D/ca.pem" --json
is "$(jqv .proxy)" none "http_proxy only: HTTPS went direct"
is "$(jqv .proxy_http)" "http://$PA:$PP" \
    "http_proxy only: the HTTP probe's proxy is reported"
is "$(jqv .phases.tcp_http.proxy)" "http://$PA:$PP" "per phase too"
is "$(jqv .phases.tcp_https.proxy)" none "and HTTPS's"
http_proxy=http://$PA:$PP vip --port "$P_GOOD" --http-port "$P_HTTP" \
    --cacert "$D/ca.pem"
like "$out" "^proxy_http: http://$PA:$PP" "text: the HTTP probe's proxy"

vip --port "$P_GOOD" --http-port none --proxy "http://$PA:$PDENY" --json
is "$rc" 2 "a proxy denying CONNECT: exit 2"
is "$(jqv .phases.proxy_connect.http_status)" 403 "CONNECT answered 403"
like "$(detail proxy_connect)" "refused CONNECT to $A port $P_GOOD" \
    "the denial is said plainly"
vip --port "$P_GOOD" --http-port none --proxy "http://$PA:$PAUTH" --json
like "$(detail proxy_connect)" "requires authentication \\(407\\)" \
    "a proxy asking for credentials: 407"
like "$(detail proxy_connect)" "^authentication failed: .*--proxy-password-file" \
    "an authentication failure, pointing at --proxy-password-file"
vip --port "$P_GOOD" --http-port "$P_HTTP" \
    --proxy "http://clouddp:wrong@$PA:$PAUTH" --json
like "$(detail proxy_connect)" "^authentication failed: proxy http://clouddp@$PA:$PAUTH did not accept the credentials \\(40[17]\\)" \
    "wrong credentials: an authentication failure"
unlike "$(detail proxy_connect)" "rules do not allow" \
    "not a proxy rule refusing the destination"
is "$(jqv .phases.proxy_connect.outcome)" authentication "outcome authentication"
like "$(detail http)" "^authentication failed" "the HTTP probe says so too"

# The proxy password without argv, and never shown in any proxy form.
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-file "$D/password" \
    --json
is "$(st proxy_connect)" ok "--proxy-password-file: through the proxy"
is "$(st http)" ok "--proxy-password-file: HTTP too"
PROXYPW=s3cret vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-env PROXYPW --json
is "$(st proxy_connect)" ok "--proxy-password-env"
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" \
    --proxy "http://clouddp@$PA:$PAUTH" --proxy-password-fd 4 --json \
    4<"$D/password"
is "$(st proxy_connect)" ok "--proxy-password-fd"
https_proxy=http://clouddp@$PA:$PAUTH vip --port "$P_GOOD" \
    --http-port none --cacert "$D/ca.pem" --proxy-password-file \
    "$D/password" --json
is "$(st proxy_connect)" ok "--proxy-password-file with https_proxy"
vip --port "$P_GOOD" --http-port none --proxy "http://$PA:$PAUTH" \
    --proxy-password-file "$D/password" --json
is "$rc" 3 "a proxy password for a proxy without a user: exit 3"
like "$err" "names no user" "and says why"
vip --port "$P_GOOD" --http-port "$P_HTTP" --cacert "$D/ca.pem" \
    --proxy "clouddp:s3cret@$PA:$PAUTH" --json -v
is "$(st proxy_connect)" ok "a proxy URL without a scheme works"
is "$(jqv .proxy)" "clouddp@$PA:$PAUTH" "and is shown without its password"
unlike "$out$err" "s3cret" "no scheme: the password appears nowhere"
https_proxy="clouddp:s3cret@$PA:$PAUTH" vip --port "$P_GOOD" \
    --http-port none --cacert "$D/ca.pem" -v
is "$rc" 0 "https_proxy without a scheme works"
unlike "$out$err" "s3cret" "https_proxy without a scheme: text and -v clean"
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" \
    --proxy "http://clouddp:s3cret@$PA:$PAUTH" --json -v
is "$(st proxy_connect)" ok "with the credentials the proxy lets us through"
is "$(jqv .proxy)" "http://clouddp@$PA:$PAUTH" \
    "the proxy's password is not in the report"
like "$err" "https: > CONNECT $A:$P_GOOD" "-v: curl's CONNECT on stderr"
like "$err" "Proxy-Authorization: \\[redacted\\]" "-v: credentials redacted"
unlike "$out$err" "s3cret|$(printf clouddp:s3cret | openssl base64)" \
    "the password appears nowhere, plain or base64"
vip --port "$P_CLOSED" --http-port none --proxy "http://$PA:$PP" --json
like "$(detail proxy_connect)" "could not reach $A port $P_CLOSED" \
    "the proxy could not reach the VIP"
vip --port "$P_GOOD" --http-port none --proxy "http://$PA:$PDOWN" --json
is "$rc" 2 "a proxy that is down: exit 2"
like "$(detail tcp_https)" "^refused: proxy http://$PA:$PDOWN" \
    "a proxy that is down: said so"

# --count: min/median/max.
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" --count 3 --json
is "$(jqv .phases.tls.samples)" 3 "--count 3: three samples per phase"
ok "$(jqv '.phases.tls | if .min_ms <= .ms and .ms <= .max_ms then 0 else 1 end')" \
    "min <= median <= max"
is "$(jqv '.phases.https | (.detail | capture("after (?<t>[0-9.]+) ms").t | tonumber) == .ttfb_ms')" \
    true "--count: the detail and ttfb_ms come from the same sample"
is "$(jqv .phases.https.sample)" 1 "--count: which sample is shown"
unlike "$(jqv '[.. | numbers | tostring] | join(" ")')" '\.[0-9]{2}' \
    "--json: times rounded to a tenth of a millisecond"
vip --port "$P_GOOD" --http-port none --cacert "$D/ca.pem" --count 3
# Text wraps within 80 columns: join each continuation to its line.
like "$(printf '%s\n' "$out" | sed -e ':a' -e 'N' -e '$!ba' \
    -e 's/\n         / /g')" \
    "^ok +https: 200 for GET /.* \\(sample 1 of 3; min/median/max" \
    "--count text: says which sample the words are from"

# A batch: many targets at once, one NDJSON line each plus a summary.
{
	i=0
	while [ $i -lt 10 ]; do
		echo "$A $F"
		echo "$A"
		i=$((i + 1))
	done
	echo "# a comment and a bad line"
	echo "not-an-address $F"
} >"$T_TMP/batch"
run clouddp-vip --input "$T_TMP/batch" --port "$P_GOOD" --http-port none \
    --cacert "$D/ca.pem" --json
is "$(printf '%s\n' "$out" | grep -c '"vip"')" 20 "batch: one object per target"
is "$(printf '%s\n' "$out" | tail -1 | jq -r '.targets, .unknown' | tr '\n' ' ')" \
    "21 1 " "batch: the summary counts the bad line as unknown"
like "$err" "batch:22: no vip" \
    "batch: the bad line is named"
is "$rc" 3 "batch with a bad line: exit 3"
printf '%s %s\n%s\n' "$A" "$F" "$A" >"$T_TMP/two"
run clouddp-vip --input - --port "$P_GOOD" --http-port none \
    --cacert "$D/ca.pem" --nagios <"$T_TMP/two"
is "$rc" 0 "batch from standard input: exit 0"
like "$out" "^CLOUDDP-VIP OK: 2 targets: 2 ok, 0 warning, 0 critical, 0 unknown in [0-9.]+ s \\| 'targets'=2 'wall'=" \
    "--nagios batch: one summary line"
run clouddp-vip --input - --port "$P_GOOD" --http-port none \
    --cacert "$D/ca.pem" <"$T_TMP/two"
like "$out" "^wall_ms: [0-9]+(\\.[0-9])?\$" "text: wall_ms rounded to a tenth"
run clouddp-vip --input "$T_TMP/nonexistent"
is "$rc" 3 "unreadable --input: exit 3"

# Bad usage: exit 3 before any network.
run clouddp-vip --vip example.com
is "$rc" 3 "--vip takes an address only"
run clouddp-vip --fqdn "$F"
is "$rc" 3 "neither --vip nor --input: exit 3"
run clouddp-vip --vip "$A" --cacert "$T_TMP/nonexistent"
is "$rc" 3 "unreadable --cacert: exit 3"
