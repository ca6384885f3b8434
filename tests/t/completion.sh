#!/bin/sh
# The bash completion (contrib/bash-completion/clouddp), in real bash:
# the file is sourced, COMP_WORDS and COMP_CWORD set as bash sets them,
# the function called and COMPREPLY read.  Every tool completes exactly
# the long options its --help names; an option --help shows with a value
# completes no option after it, one without a value does; files, DP
# names from the inventory, environment variables, formats and
# clouddp-provision's subcommands are offered where they fit.  Then the
# same through bash-completion's loader, by each tool's name.
. "$top_srcdir/tests/lib.sh"
need bash bash
need sqlite3 sqlite3
BC=/usr/share/bash-completion/bash_completion
if [ ! -r "$BC" ]; then
	echo "1..1"
	echo "not ok 1 - $BC is missing: install the Debian package bash-completion"
	exit 1
fi

COMPL=$top_srcdir/contrib/bash-completion/clouddp
n=0
for t in $CLOUDDP_TOOLS; do n=$((n + 1)); done
plan $((n * 3 + 23))

# comp [-b] WORD...: the completions bash offers for the command line
# WORD... (the last word is the one being completed), one a line, sorted.
# With -b, bash-completion is loaded first and ours by its loader.
comp() {
	if [ "$1" = -b ]; then
		shift
		set -- "$BC" "$@"
	else
		set -- "" "$@"
	fi
	bash --norc --noprofile -c '
	    bc=$1; shift
	    if [ -n "$bc" ]; then
		. "$bc" || exit 1
		BASH_COMPLETION_USER_DIR=$LOADDIR
		__load_completion "$1" || exit 1
		fn=$(complete -p "$1" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
	    else
		. "$COMPL" || exit 1
		fn=_clouddp
	    fi
	    COMP_WORDS=("$@")
	    COMP_CWORD=$(($# - 1))
	    COMP_LINE="$*"
	    COMP_POINT=${#COMP_LINE}
	    COMPREPLY=()
	    "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	    printf "%s\n" "${COMPREPLY[@]}"' comp "$@" | sort
}
export COMPL

# Every tool's options, as its --help names them; and those --help shows
# with a value (an upper-case word after them).
for t in $CLOUDDP_TOOLS; do
	name=$(basename "$t")
	bin=$top_builddir/$t
	# make check-valgrind: through PATH, that is under memcheck.
	[ -n "${CLOUDDP_VALGRIND:-}" ] && bin=$name
	help=$("$bin" --help)
	want=$(printf '%s\n' "$help" | grep -o -- '--[a-z0-9][a-z0-9-]*' |
	    sort -u)
	got=$(comp "$name" --)
	is "$got" "$want" "$name: -- completes exactly the options of --help"
	valued=$(printf '%s\n' "$help" |
	    grep -o -- '--[a-z0-9][a-z0-9-]* [A-Z][A-Z]*' | sed 's/ .*//' |
	    sort -u)
	bad=""
	for o in $want; do
		after=$(comp "$name" "$o" --)
		if printf '%s\n' "$valued" | grep -qx -- "$o"; then
			printf '%s\n' "$after" | grep -q -- '^--' &&
			    bad="$bad $o(takes a value)"
		else
			printf '%s\n' "$after" | grep -q -- '^--help$' ||
			    bad="$bad $o(takes none)"
		fi
	done
	is "$bad" "" "$name: what follows each option fits --help"
	# Options --help shows with FILE or F, and --db PATH, complete files.
	files=$(printf '%s\n' "$help" |
	    grep -o -- '--[a-z0-9][a-z0-9-]* \(FILE\|F\)\b\|--db PATH' |
	    sed 's/ .*//' | sort -u)
	mkdir -p "$T_TMP/f"
	: >"$T_TMP/f/cert.pfx"
	bad=""
	for o in $files; do
		comp "$name" "$o" "$T_TMP/f/ce" | grep -qx "$T_TMP/f/cert.pfx" ||
		    bad="$bad $o"
	done
	is "$bad" "" \
	    "$name: every FILE option completes files ($(echo $files | wc -w))"
done

# clouddp-provision's subcommands: those of its source, before any other
# word; options after one; none twice.
subs=$(sed -n 's/.*{ \.name = "\([a-z]*\)",.*/\1/p' \
    "$top_srcdir/tools/clouddp-provision.c" | sort)
is "$(comp clouddp-provision "")" "$subs" \
    "clouddp-provision: the subcommands of its source"
is "$(comp clouddp-provision --db x.db st)" "$(printf 'start\nstatus\nstop')" \
    "a subcommand after an option and its value"
is "$(comp clouddp-provision --json de)" "delete" \
    "a subcommand after a flag"
comp clouddp-provision create --na | grep -qx -- --name
ok $? "options after the subcommand"
is "$(comp clouddp-provision create st)" "" "no second subcommand"

# --dp and --name: the DP names of the inventory --db names, quoted.
DB=$T_TMP/inv.db
sqlite3 "$DB" <"$top_srcdir/tests/data/verify/inventory-v1.sql"
row="'emu', 's', 'West US', 'svc', 'st', 'a.contoso.test', 'x.cloudapp.net',
    '127.0.0.17', 'ab', 2, 1, 1, 1, 1, 1, 1, 'ready', 0, 0, NULL, 0"
sqlite3 "$DB" "INSERT INTO dp VALUES ('DP1', $row);
    INSERT INTO dp VALUES ('DP two', $row)"
ok $? "an inventory with DP1 and 'DP two'"
is "$(comp clouddp-cert --db "$DB" --dp "")" "$(printf 'DP1\nDP\\ two')" \
    "clouddp-cert --dp: the inventory's DPs, quoted"
is "$(comp clouddp-verify --db = "$DB" --dp = D)" \
    "$(printf 'DP1\nDP\\ two')" "--dp=, with --db= after it"
is "$(comp clouddp-provision stop --db "$DB" --name 'DP\ ')" 'DP\ two' \
    "clouddp-provision --name: a DP name with a space"
mkdir -p "$T_TMP/state/clouddp"
cp "$DB" "$T_TMP/state/clouddp/inventory.db"
is "$(export XDG_STATE_HOME=$T_TMP/state; comp clouddp-vip --dp DP1)" "DP1" \
    "without --db: the default inventory"
is "$(export XDG_STATE_HOME=$T_TMP/none; comp clouddp-resolve --dp "")" "" \
    "no inventory: nothing offered"
test ! -e "$T_TMP/none"
ok $? "and none created"

# Values with a fixed set.
is "$(comp clouddp-cname --format n)" "nsupdate" "--format: the formats"
is "$(comp clouddp-verify --format "" | tr '\n' ' ')" \
    "bind dnscmd json nsupdate powershell " "clouddp-verify --format"
is "$(comp clouddp-vip --http-port n)" "none" "--http-port: none"
is "$(export CLOUDDP_T_PW=x; comp clouddp-cert --password-env CLOUDDP_T_)" \
    "CLOUDDP_T_PW" "--password-env: the environment's variables"
is "$(comp clouddp-emulator --quota c)" "cores=" "--quota: the quotas"
is "$(comp clouddp-cname --input = "$T_TMP/f/c")" "$T_TMP/f/cert.pfx" \
    "--input=: files"
is "$(comp clouddp-cert --ser)" "--service" "a prefix completes"
is "$(comp not-clouddp --)" "" "another command: nothing"

# Through bash-completion's loader, by each tool's name: installed by
# make install as clouddp and one link per tool.
LOADDIR=$T_TMP/bc
export LOADDIR
mkdir -p "$LOADDIR/completions"
cp "$COMPL" "$LOADDIR/completions/clouddp"
bad=""
for t in $CLOUDDP_TOOLS; do
	ln -s clouddp "$LOADDIR/completions/$(basename "$t")"
	comp -b "$(basename "$t")" --hel | grep -qx -- --help ||
	    bad="$bad $(basename "$t")"
done
is "$bad" "" "bash-completion loads it for every tool by name"
is "$(comp -b clouddp-cert --cer "$T_TMP/f/c")" "$T_TMP/f/cert.pfx" \
    "with bash-completion: files through _filedir"
is "$(comp -b clouddp-cert --db="$DB" --dp = D)" \
    "$(printf 'DP1\nDP\\ two')" "with bash-completion: --dp="
