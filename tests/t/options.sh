#!/bin/sh
# Every tool: --help and --version work and exit 0, an unknown option
# exits 3, and every long option in the tool's table is documented both in
# --help and in its man page, which mandoc lints clean.
. "$top_srcdir/tests/lib.sh"
need mandoc mandoc

tools=$CLOUDDP_TOOLS
n=0
for t in $tools; do n=$((n + 1)); done
[ "$n" -gt 0 ] || { echo "1..1"; echo "ok 1 - no tools built yet"; exit 0; }

# The long options a tool accepts: from its source and the shared groups.
opts_h=$top_srcdir/src/core/opts.h
long_options() {
	src=$top_srcdir/tools/$(basename "$1").c
	{
		sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)",.*/\1/p' "$src"
		for group in $(grep -o 'CLOUDDP_LONGOPTS_[A-Z]*' "$src" | sort -u); do
			awk -v g="#define $group" '
			    index($0, g) == 1 { on = 1; next }
			    on && /^#define/ { on = 0 }
			    on { print }
			    on && !/\\$/ { on = 0 }' "$opts_h" |
			    sed -n 's/.*{ "\([a-z0-9-]*\)",.*/\1/p'
		done
	} | sort -u
}

plan $((n * 6 + 2))
# The shared option groups must be found, or no common option is checked.
grep -q '^#define CLOUDDP_LONGOPTS_COMMON' "$opts_h" 2>/dev/null
ok $? "the shared option table is in $(basename "$opts_h")"
lint=$(mandoc -Tlint -Wwarning "$top_srcdir/man/clouddp.7" 2>&1)
is "$lint" "" "clouddp(7) lints clean"
for t in $tools; do
	name=$(basename "$t")
	bin=$top_builddir/$t
	# make check-valgrind: through PATH, that is under memcheck.
	[ -n "${CLOUDDP_VALGRIND:-}" ] && bin=$name
	run "$bin" --help
	ok $rc "$name --help exits 0"
	help=$out
	run "$bin" --version
	like "$out" "^$name \\(clouddp\\) [0-9]" "$name --version"
	run "$bin" --no-such-option
	is "$rc" 3 "$name: an unknown option exits 3"
	man=$(ls "$top_srcdir"/man/"$name".[0-9] 2>/dev/null | head -1)
	if [ -z "$man" ]; then
		ok 1 "$name has a man page"
		ok 1 "$name man page lints clean"
		ok 1 "$name documents every option"
		continue
	fi
	ok 0 "$name has a man page"
	lint=$(mandoc -Tlint -Wwarning "$man" 2>&1)
	is "$lint" "" "$name man page lints clean"
	text=$(mandoc -Tascii "$man" | sed "s/.\x08//g")
	missing=""
	for o in $(long_options "$t"); do
		printf '%s\n' "$help" | grep -q -- "--$o" || missing="$missing help:--$o"
		printf '%s\n' "$text" | grep -q -- "--$o" || missing="$missing man:--$o"
	done
	is "$missing" "" "$name documents every option in --help and the man page"
done
