#!/bin/sh
# --dp NAME [--db PATH] in clouddp-cname, clouddp-resolve, clouddp-vip and
# clouddp-cert, on an inventory written by a real clouddp-provision create
# against the emulator (Azurite for Blob, BIND for cloudapp.net and the
# customer's zone): each tool takes the DP's names, VIP and thumbprint
# from it and does what it does with them given by hand; a DP that is not
# Ready is said so; a DP, an inventory or options that do not fit are
# clear errors that change nothing.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need named bind9
need dig bind9-dnsutils
need tsig-keygen bind9-utils
need jq jq
need sqlite3 sqlite3

AZP=$(free_port 127.0.0.1)
azurite_start 127.0.0.1 "$AZP" || exit 1
CLOUDDP_BLOB_KEY=$AZURITE_KEY
export CLOUDDP_BLOB_KEY
XDG_STATE_HOME=$T_TMP/state
export XDG_STATE_HOME

plan 43
SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
D=$T_TMP/certs
sh "$top_srcdir/tests/data/gen-certs.sh" "$D" >/dev/null 2>&1
ok $? "gen-certs.sh made the certificates"
A=$(loopback_addr)
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/srv.key" \
    -out "$D/srv.csr" -subj /CN=management.test 2>/dev/null &&
printf 'subjectAltName=IP:%s\n' "$A" >"$D/srv.ext" &&
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
    -CAcreateserial -days 30 -extfile "$D/srv.ext" -out "$D/srv.pem" \
    2>/dev/null
ok $? "the management endpoint's certificate"
printf 's3cret' >"$D/pw"
thumb() { openssl x509 -in "$D/$1.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g'; }
GOOD=$(thumb good)

# BIND: the customer's zone and cloudapp.net, each with its update key.
NA=127.0.0.1
NP=$(free_port $NA)
N=$T_TMP/named
mkdir -p "$N"
tsig-keygen -a hmac-sha256 contoso-update >"$N/contoso.key"
tsig-keygen -a hmac-sha256 cloudapp-update >"$N/cloudapp.key"
zone() {
	printf '$TTL 300\n@ SOA ns1.%s. h.%s. 1 3600 600 86400 60\n' "$1" "$1"
	printf '@ NS ns1.%s.\nns1 A %s\n' "$1" "$NA"
}
zone contoso.test >"$N/contoso.test.zone"
zone cloudapp.net >"$N/cloudapp.net.zone"
cat >"$N/named.conf" <<CONF
options { directory "$N"; pid-file "$N/named.pid";
  listen-on port $NP { $NA; }; listen-on-v6 { none; };
  recursion no; notify no; dnssec-validation no; };
controls { };
include "$N/contoso.key";
include "$N/cloudapp.key";
zone "contoso.test" { type primary; file "contoso.test.zone";
  allow-update { key "contoso-update"; }; };
zone "cloudapp.net" { type primary; file "cloudapp.net.zone";
  allow-update { key "cloudapp-update"; }; };
CONF
spawn named named -g -n 1 -c "$N/named.conf"
wait_for 20 dns_up $NA "$NP" contoso.test
ok $? "BIND serves contoso.test and cloudapp.net" ||
    sed 's/^/# /' "$T_TMP/named.log"

POOL=$(echo "$A" | awk -F. '{ printf "%s.%s.%s.32/28", $1, $2, $3 }')
VIP=$(echo "$A" | awk -F. '{ printf "%s.%s.%s.33", $1, $2, $3 }')
HP=$(free_port "$VIP")
spawn emu clouddp-emulator --listen "$A:0" --tls-cert "$D/srv.pem" \
    --tls-key "$D/srv.key" --subscription "$SUB" \
    --management-cer "$D/mgmt.cer" --ready-file "$T_TMP/emu.ready" \
    --delay all=0 --vip-pool "$POOL" --vip-https-port "$HP" \
    --vip-http-port none --blob-endpoint "$AZURITE_ENDPOINT" \
    --blob-key-env CLOUDDP_BLOB_KEY \
    --dns-update "$NA:$NP" --tsig-file "$N/cloudapp.key"
wait_for 10 test -s "$T_TMP/emu.ready"
ok $? "the emulator listens" || sed 's/^/# /' "$T_TMP/emu.log"
EP=https://$A:$(jq -r .port "$T_TMP/emu.ready")

DB=$T_TMP/inv/inventory.db
mkdir -p "$T_TMP/inv"
run clouddp-provision create --name DP1 --region "West Europe" \
    --subscription "$SUB" --management-pfx "$D/mgmt.pfx" \
    --management-password-file "$D/pw" --service-pfx "$D/good-legacy.pfx" \
    --service-password-file "$D/pw" --endpoint "$EP" --cacert "$D/ca.pem" \
    --poll-interval 0.02 --db "$DB" --json
is "$rc $(printf '%s' "$out" | jq -r .state)" "0 ready" \
    "clouddp-provision create: DP1 is Ready" || diag "$err"
T=$(printf '%s' "$out" | jq -r .azure_fqdn)
like "$T" '^[0-9a-f]{24}\.cloudapp\.net$' "its Azure FQDN $T"
is "$(printf '%s' "$out" | jq -r .vip)" "$VIP" "its VIP"
F=clouddp1.contoso.test

# clouddp-cname ----------------------------------------------------------------
run clouddp-cname --fqdn $F --target "$T" --origin contoso.test
want=$out
like "$want" "^; service FQDN $F\\. -> classic cloud DP $T\\.\$" \
    "an ASCII name: no U-label, no stray parenthesis in the header"
run clouddp-cname --dp DP1 --db "$DB" --origin contoso.test
is "$rc" 0 "cname --dp: exit 0"
is "$out" "$want" "the same record as --fqdn $F --target $T"
q() { dig +short +norec -p "$NP" @$NA "$@"; }
run clouddp-cname --dp DP1 --db "$DB" --apply --server "$NA:$NP" \
    --tsig-file "$N/contoso.key"
like "$rc $out" "^0 added +$F\\. CNAME $T\\. " "cname --dp --apply: added"
is "$(q $F CNAME)" "$T." "dig sees the CNAME"
is "$(q "$T" A)" "$VIP" "and the emulator's A record of the target"

# clouddp-resolve --------------------------------------------------------------
run clouddp-resolve --dp DP1 --db "$DB" --resolver "$NA:$NP" --json
is "$rc" 0 "resolve --dp: exit 0" || diag "$out" "$err"
is "$(printf '%s' "$out" | head -1 | jq -r '[.name, .expect_target, .expect_vip, .status] | join(" ")')" \
    "$F $T $VIP ok" "the DP's name, target and VIP, checked: ok"
run clouddp-resolve --dp DP1 --db "$DB" --resolver "$NA:$NP" $F
is "$rc" 3 "resolve --dp with a NAME: exit 3"
like "$err" "--dp with a NAME" "said so"

# clouddp-vip ------------------------------------------------------------------
run clouddp-vip --dp DP1 --db "$DB" --port "$HP" --http-port none \
    --cacert "$D/ca.pem" --json
is "$rc" 0 "vip --dp: exit 0" || diag "$out" "$err"
is "$(printf '%s' "$out" | jq -r '[.vip, .fqdn] | join(" ")')" "$VIP $F" \
    "the DP's VIP and Service FQDN"
is "$(printf '%s' "$out" | jq -r '.checks[] | select(.check == "cert_expect") | .status')" \
    ok "cert_expect: the DP's certificate is served"
is "$(printf '%s' "$out" | jq -r '.phases.cert_expect.expected_sha1')" "$GOOD" \
    "judged by the inventory's thumbprint"
# The inventory says another certificate was deployed.
cp "$DB" "$T_TMP/other.db"
sqlite3 "$T_TMP/other.db" \
    "UPDATE dp SET service_thumbprint = '$(thumb san)' WHERE name = 'DP1'"
run clouddp-vip --dp DP1 --db "$T_TMP/other.db" --port "$HP" \
    --http-port none --cacert "$D/ca.pem" --json
is "$rc" 2 "a VIP serving another certificate than the DP's: exit 2"
check() { printf '%s' "$out" | jq -r ".checks[] | select(.check == \"$1\") | .status + \": \" + .message"; }
is "$(check cert_expect)" "critical: the VIP serves SHA-1 $GOOD, expected SHA-1 $(thumb san): another certificate is deployed" \
    "cert_expect names both thumbprints"
run clouddp-vip --dp DP1 --db "$DB" --vip "$VIP" --port "$HP"
like "$rc $err" "^3 .*--dp with --vip" "vip --dp with --vip: exit 3, said so"

# clouddp-cert -----------------------------------------------------------------
run clouddp-cert --dp DP1 --db "$DB" --service "$D/good-legacy.pfx" \
    --password-file "$D/pw" --json
is "$rc" 0 "cert --dp: the DP's own .pfx, exit 0" || diag "$out"
is "$(printf '%s' "$out" | jq -r '.checks[] | select(.check == "dp_certificate") | .status')" \
    ok "dp_certificate: ok"
is "$(printf '%s' "$out" | jq -r .dp)" DP1 "the DP named in the report"
run clouddp-cert --dp DP1 --db "$DB" --service "$D/san.pfx" \
    --password-file "$D/pw" --json
is "$rc" 2 "another certificate for the same name: exit 2"
is "$(check dp_certificate)" "critical: $D/san.pfx is not the service certificate of DP DP1: SHA-1 $(thumb san), the DP has $GOOD" \
    "said so, with both thumbprints"
run clouddp-cert --dp DP1 --db "$DB" --service "$D/wild.pfx" \
    --password-file "$D/pw" --json
like "$(check service_fqdn)" "^warning: Service FQDN $F from the wildcard" \
    "a wildcard certificate: the DP's Service FQDN is the one judged"
run clouddp-cert --dp DP1 --db "$DB" --management "$D/mgmt.pfx" \
    --password-file "$D/pw"
like "$rc $err" "^3 .*--dp without --service" "cert --dp with --management: exit 3"

# A DP that is not Ready, and errors --------------------------------------------
cp "$DB" "$T_TMP/stopped.db"
sqlite3 "$T_TMP/stopped.db" "UPDATE dp SET state = 'stopped'"
run clouddp-cname --dp DP1 --db "$T_TMP/stopped.db" --origin contoso.test
is "$rc $out" "0 $want" "a stopped DP: cname writes its record"
like "$err" "DP DP1 is stopped, not ready" "with a warning that says so"
run clouddp-resolve --dp DP1 --db "$T_TMP/stopped.db" --resolver "$NA:$NP"
like "$rc $err" "^0 .*warning: .*DP DP1 is stopped, not ready" \
    "resolve: checked, with the warning"
cp "$DB" "$T_TMP/prov.db"
sqlite3 "$T_TMP/prov.db" "UPDATE dp SET state = 'provisioning', vip = ''"
run clouddp-vip --dp DP1 --db "$T_TMP/prov.db" --port "$HP"
is "$rc" 3 "a DP still provisioning has no VIP to probe: exit 3"
like "$err" "DP DP1 is provisioning and has no VIP yet" "said so"
run clouddp-cname --dp DP9 --db "$DB"
is "$rc" 3 "an unknown DP: exit 3"
like "$err" "no DP named 'DP9'" "named"
run clouddp-resolve --dp DP1 --db "$T_TMP/none.db"
like "$rc $err" "^3 .*none.db: no inventory" "no inventory there: exit 3"
test -e "$T_TMP/none.db"
ok $((! $?)) "and none is created"
run clouddp-cname --dp DP1 --db "$DB" --fqdn $F
like "$rc $err" "^3 .*--dp with --fqdn" "cname --dp with --fqdn: exit 3"
run clouddp-cname --db "$DB" --fqdn $F --target "$T"
like "$rc $err" "^3 .*--db without --dp" "--db without --dp: exit 3"
# Without --db: the default inventory, where clouddp-provision keeps it.
mkdir -p "$XDG_STATE_HOME/clouddp"
cp "$DB" "$XDG_STATE_HOME/clouddp/inventory.db"
run clouddp-cname --dp DP1 --origin contoso.test
is "$rc $out" "0 $want" "no --db: the default inventory"
