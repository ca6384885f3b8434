#!/bin/sh
# TSIG with each algorithm a key file may name, BIND the judge: named
# takes a signed update from a key of each, and clouddp-cname verifies
# every signed answer on the way.  An answer altered between the two (a
# relay flips one bit of its MAC, then one bit of its record) is refused
# in words, and nothing is sent after it.  (tests/unit/t_tsig checks the
# MACs byte for byte against dig and named, and against ldns.)
. "$top_srcdir/tests/lib.sh"
need named bind9
need dig bind9-dnsutils
need tsig-keygen bind9-utils

ALGS="hmac-md5 hmac-sha1 hmac-sha224 hmac-sha256 hmac-sha384 hmac-sha512"
plan 18
GUID=d1594d4527614a09b934d470.cloudapp.net
ADDR=127.0.0.1
PORT=$(free_port "$ADDR")
D=$T_TMP/named
mkdir -p "$D"
cp "$top_srcdir/tests/data/cname/contoso.zone" "$D/contoso.com.zone"
allow=
for a in $ALGS; do
	tsig-keygen -a "$a" "update-$a" >"$T_TMP/$a.key"
	chmod 600 "$T_TMP/$a.key"
	allow="$allow key \"update-$a\";"
done
{
	echo "options { directory \"$D\"; pid-file \"$D/named.pid\";"
	echo "  listen-on port $PORT { $ADDR; }; listen-on-v6 { none; };"
	echo "  recursion no; notify no; dnssec-validation no; };"
	echo "controls { };"
	cat "$T_TMP"/*.key
	echo "zone \"contoso.com\" { type primary; file \"contoso.com.zone\";"
	echo "  allow-update {$allow }; };"
} >"$D/named.conf"
spawn named named -g -c "$D/named.conf" -n 1
if ! wait_for 20 dns_up "$ADDR" "$PORT" contoso.com; then
	sed 's/^/# /' "$T_TMP/named.log" | tail -20
	ok 1 "named starts"
	exit 1
fi

q() { dig +short +norec -p "$PORT" @"$ADDR" "$@"; }
# apply KEY FQDN [SERVER]: clouddp-cname --apply signed with KEY's key.
apply() {
	run clouddp-cname --apply --server "${3:-$ADDR:$PORT}" \
	    --tsig-file "$T_TMP/$1.key" -t 3 --fqdn "$2" --target "$GUID" \
	    --origin contoso.com
}

# Zone discovery, the lookup, the update and the check after it: four
# signed exchanges, four signed answers verified, for each algorithm.
for a in $ALGS; do
	apply "$a" "$a.contoso.com"
	is "$rc" 0 "$a: BIND takes the update; its signed answers verify" ||
	    diag "$err"
	is "$(q "$a.contoso.com" CNAME)" "$GUID." "$a: dig sees the record"
done

# relay NAME PORT OFFSET: passes each exchange to named, flipping the
# low bit of the answer's byte at OFFSET (from the end when negative).
relay() {
	name=$1
	shift
	spawn "$name" perl -MIO::Socket::INET -e '$| = 1;
	    my ($port, $to, $off) = @ARGV;
	    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
	        LocalPort => $port, Listen => 5, ReuseAddr => 1) or die $!;
	    sub msg { my ($s, $h, $b) = @_; read($s, $h, 2) == 2 or return;
	        read($s, $b, unpack("n", $h)); return $h . $b; }
	    print "ready\n";
	    while (my $c = $l->accept) {
	        my $s = IO::Socket::INET->new("127.0.0.1:$to") or die $!;
	        my $m = msg($c) or next; print $s $m; my $r = msg($s);
	        my $i = $off < 0 ? length($r) + $off : 2 + $off;
	        substr($r, $i, 1) = chr(ord(substr($r, $i, 1)) ^ 1);
	        print $c $r; print "altered\n"; }' "$1" "$PORT" "$2"
	wait_for 10 grep -q ready "$T_TMP/$name.log"
}
s0=$(q contoso.com SOA | awk '{ print $3 }')
# The MAC's last byte comes before the original ID, the error and the
# other length (6 bytes); byte 13 is the first letter of the question.
R1=$(free_port "$ADDR")
relay relay_mac "$R1" -7
apply hmac-sha256 altered1.contoso.com "$ADDR:$R1"
is "$rc" 2 "an answer whose MAC was altered: exit 2"
like "$err" "the TSIG signature of the answer does not verify" \
    "the altered MAC is named"
is "$(grep -c altered "$T_TMP/relay_mac.log")" 1 \
    "nothing is sent after the altered answer"
R2=$(free_port "$ADDR")
relay relay_name "$R2" 13
apply hmac-sha256 altered2.contoso.com "$ADDR:$R2"
is "$rc" 2 "an answer whose question was altered: exit 2"
like "$err" "the TSIG signature of the answer does not verify" \
    "the altered answer is named"
is "$(q contoso.com SOA | awk '{ print $3 }')" "$s0" \
    "the zone is unchanged by the refused answers"
