#!/bin/sh
# One input file for every tool: the same fqdn,target,vip inventory feeds
# clouddp-cname, clouddp-resolve (against NSD on loopback) and clouddp-vip
# (against closed loopback ports), with an internationalised name and a
# cloud management gateway target.  Then the input that used to go wrong:
# a pipe, a FIFO, <(...), /dev/zero, a FIFO that never closes, a NUL, a
# control character, a 10 MB line, a UTF-16 file, the older VIP-first
# order.
. "$top_srcdir/tests/lib.sh"
need nsd nsd
need iconv libc-bin
need timeout coreutils
need jq jq

A=$(loopback_addr)
P=$(free_port "$A")
V1=$(loopback_addr)
V2=$(loopback_addr)
CLOSED=$(free_port "$V1")
DP=d1594d4527614a09b934d470.cloudapp.net
CMG=cmg1.westeurope.cloudapp.azure.com
U=$(printf 'b\303\274cher.contoso.test')
TOOLS="clouddp-cname clouddp-resolve clouddp-vip"

plan 78

cat >"$T_TMP/contoso.zone" <<EOF
\$TTL 300
@ IN SOA ns.contoso.test. h.contoso.test. 1 3600 600 86400 60
  IN NS ns.contoso.test.
ns IN A 192.0.2.53
dp1 IN CNAME $DP.
xn--bcher-kva IN CNAME $CMG.
EOF
cat >"$T_TMP/cloudapp.zone" <<EOF
\$TTL 300
@ IN SOA ns.cloudapp.net. h.cloudapp.net. 1 3600 600 86400 60
  IN NS ns.cloudapp.net.
ns IN A 192.0.2.53
d1594d4527614a09b934d470 IN A $V1
EOF
cat >"$T_TMP/azure.zone" <<EOF
\$TTL 300
@ IN SOA ns.cloudapp.azure.com. h.cloudapp.azure.com. 1 3600 600 86400 60
  IN NS ns.cloudapp.azure.com.
ns IN A 192.0.2.53
cmg1.westeurope IN A $V2
EOF
nsd_start "$A" "$P" contoso.test "$T_TMP/contoso.zone" \
    cloudapp.net "$T_TMP/cloudapp.zone" \
    cloudapp.azure.com "$T_TMP/azure.zone" || exit 1

INV=$T_TMP/inventory.csv
printf 'fqdn,target,vip\ndp1.contoso.test,%s,%s\n%s,%s,%s\n' \
    "$DP" "$V1" "$U" "$CMG" "$V2" >"$INV"

# each TOOL ARGS...: the tool with the options its subject needs.
each() {
	t=$1
	shift
	case $t in
	clouddp-cname) run timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-cname "$@" ;;
	clouddp-resolve) run timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-resolve --resolver "$A:$P" \
	    --tries 1 "$@" ;;
	clouddp-vip) run timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-vip --port "$CLOSED" \
	    --http-port none "$@" ;;
	esac
}

# --- One inventory for every tool ------------------------------------------
each clouddp-cname --input "$INV" --json
is "$rc" 0 "cname reads the inventory"
is "$(printf '%s\n' "$out" | jq -r 'select(.fqdn) | .fqdn' | tr '\n' ' ')" \
    "dp1.contoso.test. xn--bcher-kva.contoso.test. " \
    "cname: both records, the IDN as its A-label"
is "$(printf '%s\n' "$out" | jq -r 'select(.fqdn) | .target_shape' | tr '\n' ' ')" \
    "classic_cloud_dp cmg " "cname: the target shapes are named"
is "$(printf '%s\n' "$out" | jq -r 'select(.fqdn_unicode) | .fqdn_unicode')" \
    "$U." "cname: the U-label beside the A-label"
each clouddp-cname --fqdn dp9.contoso.test --target "$CMG"
is "$rc" 0 "a cloud management gateway target needs no --allow-any-target"
like "$out" "cloud management gateway $CMG" "and is said to be one"
each clouddp-cname --fqdn dp9.contoso.test --target cmg1.usgovcloudapp.net
is "$rc" 0 "a US Government target is accepted"
each clouddp-cname --fqdn dp9.contoso.test --target cmg1.chinacloudapp.cn
is "$rc" 0 "an Azure China target is accepted"
each clouddp-cname --fqdn dp9.contoso.test --target a.b.cloudapp.azure.com.x
is "$rc" 3 "other targets still need --allow-any-target"

each clouddp-resolve --input "$INV" --json
is "$rc" 0 "resolve reads the inventory: both names ok"
is "$(printf '%s\n' "$out" | jq -r 'select(.name) | .name + " " + .status' | tr '\n' ' ')" \
    "dp1.contoso.test ok xn--bcher-kva.contoso.test ok " \
    "resolve asks the A-label, and it resolves"
is "$(printf '%s\n' "$out" | jq -r 'select(.name_unicode) | .name_unicode')" \
    "$U" "resolve: the U-label in JSON"
each clouddp-resolve "$U"
is "$rc" 0 "an IDN on the command line resolves"
like "$out" "^xn--bcher-kva.contoso.test \\($U\\) @" "text shows both forms"

each clouddp-vip --input "$INV" --json
is "$rc" 2 "vip reads the inventory (closed ports: critical)"
is "$(printf '%s\n' "$out" | jq -r 'select(.vip) | .vip + " " + .fqdn' | tr '\n' ' ')" \
    "$V1 dp1.contoso.test $V2 xn--bcher-kva.contoso.test " \
    "vip: the vip and fqdn columns, the IDN accepted"
printf '# the older order\n%s dp1.contoso.test\n%s\n' "$V1" "$V2" >"$T_TMP/old"
each clouddp-vip --input "$T_TMP/old" --json
is "$(printf '%s\n' "$out" | jq -r 'select(.vip) | .vip + " " + (.fqdn // "-")' | tr '\n' ' ')" \
    "$V1 dp1.contoso.test $V2 - " "vip: the older VIP [FQDN] order still reads"
printf 'fqdn target vip\ndp1.contoso.test %s %s\n' "$DP" "$V1" >"$T_TMP/blank"
for t in $TOOLS; do
	each $t --input "$T_TMP/blank" --json
	unlike "$rc" "^3$" "$t: a blank-separated file with a header"
done

# --- Input that is not a regular file: read once, or copied aside ----------
if command -v bash >/dev/null; then
	run timeout $((20 * CLOUDDP_TEST_SLOW)) bash -c "clouddp-cname --input <(cat '$INV')"
	is "$rc" 0 "cname --input <(...): exit 0"
	is "$(printf '%s\n' "$out" | grep -c 'IN	CNAME')" 2 \
	    "cname --input <(...): both records written"
else
	ok 1 "bash is needed for <(...)"
	ok 1 "bash is needed for <(...)"
fi
run sh -c "cat '$INV' | timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-cname --input /dev/stdin"
is "$rc" 0 "cname --input /dev/stdin from a pipe: exit 0"
is "$(printf '%s\n' "$out" | grep -c 'IN	CNAME')" 2 \
    "cname from a pipe: both records written"
like "$err" "2 records checked: 2 written" "and counted"
mkfifo "$T_TMP/fifo"
(cat "$INV" >"$T_TMP/fifo") &
run timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-cname --input "$T_TMP/fifo"
is "$(printf '%s\n' "$out" | grep -c 'IN	CNAME')" 2 \
    "cname --input FIFO: both records written"
printf 'dp1.contoso.test %s\ndp1.contoso.test %s\n' "$DP" "$DP" >"$T_TMP/rep"
run sh -c "cat '$T_TMP/rep' | timeout $((20 * CLOUDDP_TEST_SLOW)) clouddp-cname --input /dev/stdin"
is "$rc" 2 "a repeat in a pipe is found by the second look (exit 2)"
like "$err" "stdin:2: dp1.contoso.test. is given again|/dev/stdin:2: dp1" \
    "and named by its line"
for t in $TOOLS; do
	(cat "$INV" >"$T_TMP/fifo") &
	each $t --input "$T_TMP/fifo" --json
	is "$(printf '%s\n' "$out" | grep -c '"fqdn"\|"name"')" 2 \
	    "$t reads a FIFO: two subjects"
done

# --- Input that never ends or never comes ----------------------------------
for t in $TOOLS; do
	start=$(date +%s)
	each $t --input /dev/zero --timeout 2
	is "$rc" 3 "$t --input /dev/zero: exit 3, no endless loop"
	like "$err" "/dev/zero:1: a NUL byte at column 1: not a text file" \
	    "$t: /dev/zero is not text"
done
sleep 600 >"$T_TMP/fifo" &
HOLD=$!
T_PIDS="$T_PIDS $HOLD"
for t in $TOOLS; do
	start=$(date +%s)
	each $t --input "$T_TMP/fifo" --timeout 1
	took=$(($(date +%s) - start))
	is "$rc" 3 "$t: a FIFO that never closes ends with --timeout (exit 3)"
	like "$err" "fifo:1: no input for 1s" "$t: and says so"
	lim=$(awk -v s="$(t_slack)" 'BEGIN { printf "%d\n", 5 + s }')
	ok "$([ "$took" -le "$lim" ] && echo 0 || echo 1)" "$t: within ${lim}s ($took s)"
done
kill "$HOLD" 2>/dev/null

# --- Bytes that are not text -----------------------------------------------
printf 'a\000zzz\nb.contoso.com %s %s\n' "$DP" "$V1" >"$T_TMP/nul"
for t in $TOOLS; do
	each $t --input "$T_TMP/nul" --json
	is "$rc" 3 "$t: a NUL refuses the input (exit 3)"
	like "$err" "nul:1: a NUL byte at column 2" "$t: by line and column"
	unlike "$out" "ab.contoso.com" "$t: no record for a name on neither line"
done
printf 'dp1.contoso.test\nbad\033]0;x\007name.contoso.test\n' >"$T_TMP/esc"
each clouddp-resolve --input "$T_TMP/esc"
is "$rc" 3 "resolve: a control character stops the run (exit 3)"
like "$err" 'esc:2: control character \\x1b at column 4' "named by line"
ok "$(printf '%s' "$err$out" | tr -d '\n' | LC_ALL=C grep -c "$(printf '[\033\007]')")" \
    "no raw ESC or BEL printed back"
run clouddp-vip --vip "$(printf 'a\033[31mb')"
like "$err" "'a\\\\x1b\\[31mb' is not an IPv4" \
    "vip: an escape in --vip is echoed escaped"
run clouddp-resolve --resolver "$A:$P" "$(printf 'a\033[31m.test')"
is "$rc" 3 "resolve: a name with ESC on the command line: exit 3"
ok "$(printf '%s' "$err" | LC_ALL=C grep -c "$(printf '\033')")" \
    "resolve: and it is not echoed raw"
printf 'dp1.contoso.test\nbad_name!!.contoso.test\n' >"$T_TMP/bang"
each clouddp-resolve --input "$T_TMP/bang"
is "$rc" 3 "resolve: bad_name!! stops the run"
like "$err" "bang:2: bad_name!!.contoso.test: invalid character '_'" \
    "with FILE:LINE: what"
head -c 10485760 /dev/zero | tr '\0' a >"$T_TMP/long"
printf '\ndp1.contoso.test %s %s\n' "$DP" "$V1" >>"$T_TMP/long"
for t in $TOOLS; do
	each $t --input "$T_TMP/long"
	is "$rc" 3 "$t: a 10 MB line: exit 3"
	is "$(printf '%s\n' "$err" | grep -c 'line longer')" 1 \
	    "$t: one error, not one per 8 kB"
done
iconv -f UTF-8 -t UTF-16 "$INV" >"$T_TMP/utf16.csv"
iconv -f UTF-8 -t UTF-16LE "$INV" >"$T_TMP/utf16le.csv"
for t in $TOOLS; do
	each $t --input "$T_TMP/utf16.csv"
	like "$err" "utf16.csv: the file is UTF-16LE text" \
	    "$t: UTF-16 with a BOM is named"
	like "$err" "iconv -f UTF-16 -t UTF-8" "$t: with the conversion"
	each $t --input "$T_TMP/utf16le.csv"
	is "$rc" 3 "$t: UTF-16 without a BOM refused too"
done
