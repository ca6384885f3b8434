#!/bin/sh
# The real-world corpus (files from other projects' test suites, kept
# beside the source tree as ../shared/corpus): run.sh compares
# clouddp-cert with "openssl pkcs12" on every .pfx, and clouddp-cname
# with named-checkzone on every zone file.  One test line per part; each
# passes only when run.sh says every file of the part was handled like
# the reference.  CLOUDDP_CORPUS (configure --with-corpus) names it
# elsewhere, as make distcheck does for the tarball's suite; named and
# missing, the test fails.  A tree without the corpus and no
# CLOUDDP_CORPUS (a release tarball) has nothing to compare: the lines
# are skipped, saying so.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need named-checkzone bind9-utils
need timeout coreutils

CORPUS=${CLOUDDP_CORPUS:-$top_srcdir/../shared/corpus}
if [ -n "${CLOUDDP_CORPUS:-}" ] && [ ! -r "$CORPUS/run.sh" ]; then
	echo "1..1"
	echo "not ok 1 - CLOUDDP_CORPUS=$CORPUS has no run.sh"
	exit 1
fi
plan 2

# run_part PART: one TAP line for CORPUS_ONLY=PART (pkcs12 or zones).
run_part() {
	if [ ! -r "$CORPUS/run.sh" ]; then
		T_N=$((T_N + 1))
		echo "ok $T_N # SKIP $1 corpus: no ../shared/corpus beside" \
		    "the source tree (a release tarball has none)"
		return 0
	fi
	# Under memcheck a .pfx costs three tool runs of a second or more
	# each (kc-011.p12, whose key derivation takes 1.3 s of CPU plain,
	# takes 64 s): the zones are all run, the .pfx files are one in
	# eight of the manifest (every source is among them); the plain
	# and sanitizer suites run them all.
	dir=$CORPUS
	part=""
	if [ -n "${CLOUDDP_VALGRIND:-}" ] && [ "$1" = pkcs12 ]; then
		dir=$T_TMP/corpus
		mkdir -p "$dir/pkcs12"
		cp "$CORPUS/run.sh" "$dir/"
		awk -F '\t' 'NR == 1 || (NR - 2) % 8 == 0' \
		    "$CORPUS/pkcs12/manifest.tsv" >"$dir/pkcs12/manifest.tsv"
		for f in $(awk -F '\t' 'NR > 1 { print $1 }' \
		    "$dir/pkcs12/manifest.tsv"); do
			ln -s "$CORPUS/pkcs12/$f" "$dir/pkcs12/$f"
		done
		part=", one in eight under memcheck"
	fi
	# The tools as PATH finds them: under memcheck, through it.
	CORPUS_ONLY=$1 CORPUS_TIMEOUT=$((120 * CLOUDDP_TEST_SLOW)) \
	    bash "$dir/run.sh" "$(command -v clouddp-cert)" \
	    "$(command -v clouddp-cname)" >"$T_TMP/$1.out" \
	    2>"$T_TMP/$1.err"
	rc=$?
	last=$(tail -n 1 "$T_TMP/$1.out")
	printf '%s\n' "$last" |
	    grep -Eq '^corpus: ([0-9]+)/\1 files handled like the reference$'
	st=$?
	[ "$rc" -eq 0 ] || st=1
	ok "$st" "$1 corpus: ${last#corpus: } (run.sh exit $rc$part)" ||
	    diag "$(head -n 20 "$T_TMP/$1.out")" \
	    "$(head -n 5 "$T_TMP/$1.err")"
}

run_part pkcs12
run_part zones
