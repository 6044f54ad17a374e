# The bash completion (completion/docket.bash) with the hidden helper `docket complete`: bash
# runs the completion function on command lines set up as bash splits them (at ':' too), and
# the candidates are checked: commands, options, keys from the store, statuses of the key typed,
# report names, formats, aliases, and ALIAS:KEY once a second document exists.
. "$(dirname "$0")/lib.sh"

script=${DOCKET_TESTS:-$(dirname "$0")/..}/../completion/docket.bash
data=${DOCKET_TESTS:-$(dirname "$0")/..}/data
[ -f "$script" ] || fail "no completion/docket.bash beside the tests"
command -v bash >/dev/null 2>&1 || fail "needs bash"
db=$DOCKET_DB

# comp WORD...: the candidates, one a line, that completing the last WORD gives (COMP_WORDS as
# given, the binary as its first word, with -d naming the test store); also in $tmp/comp.
comp() {
    bash -c '
        [ -z "$2" ] || . "$2"
        . "$1"
        shift 2
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _docket
        printf "%s\n" "${COMPREPLY[@]}"
    ' sh "$script" "${bc:-}" "$DOCKET" -d "$db" "$@" >"$tmp/comp" 2>"$tmp/comp.err" ||
        fail "the completion failed on '$*': $(cat "$tmp/comp.err")"
    [ ! -s "$tmp/comp.err" ] || fail "the completion wrote to stderr on '$*': $(cat "$tmp/comp.err")"
}

# has WORD...: each WORD is a candidate; lacks WORD...: none is.
has() {
    for w in "$@"; do
        grep -q -x -F -e "$w" "$tmp/comp" || fail "'$w' is not a candidate; got: $(tr '\n' ' ' <"$tmp/comp")"
        pass
    done
}
lacks() {
    for w in "$@"; do
        ! grep -q -x -F -e "$w" "$tmp/comp" || fail "'$w' is a candidate; got: $(tr '\n' ' ' <"$tmp/comp")"
        pass
    done
}

# Before any store: the helper prints nothing and succeeds, and commands still complete.
rm -f "$db"
run complete keys
expect_rc 0
expect_no_out
expect_no_err
[ ! -e "$db" ] || fail "complete created the store"
pass
comp ""
has init list set report show
lacks complete
comp s
has set show status sync
lacks list

init_store

# Global options, a command's options, and the hidden helper kept out of --help.
comp --
has --db --by --read-only --version
comp set --
has --message --on --evidence --force --baseline --json --help
lacks --format
run_ok --help
expect_not_out "complete"

# Keys from the store (-d on the line), and the statuses of the first key typed for set.
comp show ce
has ceb ceb.hlcm ceb.hlcp
lacks iasc
comp set ceb ""
has approached member ceb.hlcm
comp set ceb ceb.hlcm m
has member
lacks approached
comp set unknown-key ap
lacks approached

# The helper only reads: the store is the same, byte for byte, after it ran.
sum_before=$(cksum <"$db")
for what in keys docs reports "statuses ceb"; do
    run complete $what
    expect_rc 0
done
expect_eq "store after complete" "$(cksum <"$db")" "$sum_before"

# Report names, formats, document aliases, and a value that is a key.
comp report ""
has progress
comp report --format ""
has md html csv json pdf
comp export --format ""
has jsonl csv
lacks html
comp list --doc ""
has res1309
comp list --under ce
has ceb

# The store comes from $DOCKET_DB too, when the line names none.
bash -c '. "$1"; COMP_WORDS=("$2" show ce); COMP_CWORD=2; _docket; printf "%s\n" "${COMPREPLY[@]}"' \
    sh "$script" "$DOCKET" >"$tmp/comp" 2>&1
has ceb

# With a second document, ALIAS:KEY completes; bash splits the word at ':', so the candidates
# are what follows the ':'.
run draft --symbol A/RES/68/262 "$data/a-res-68-262.txt"
expect_rc 0
cp "$tmp/out" "$tmp/ga.json"
run_ok import "$tmp/ga.json"
comp list --doc ""
has res1309 a-res-68-262
# Both with bash-completion loaded (its __ltrim_colon_completions) and without it (the
# script's own trimming).
bc_script=/usr/share/bash-completion/bash_completion
[ -f "$bc_script" ] || fail "needs bash-completion (deps.txt)"
for bc in "" "$bc_script"; do
    comp show res1309 : ce
    has ceb ceb.hlcm
    lacks res1309:ceb
    comp show res1309 :
    has ceb
    comp show res
    has res1309:ceb
    comp set res1309 : ceb ""
    has approached member
done
bc=""
done_ok
