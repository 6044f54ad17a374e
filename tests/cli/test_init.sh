# End-to-end: docket init, and opening stores that are missing, foreign, newer or read-only.
. "$(dirname "$0")/lib.sh"

# A fresh store with the checklist.
run_ok init
expect_out "^created .*docket.db"
expect_out "31 items"
[ -f "$DOCKET_DB" ] || fail "init did not create $DOCKET_DB"
n=$(events)
[ "$n" -gt 30 ] || fail "the checklist should have loaded more than 30 events, got $n"
expect_eq "items in the state" "$(sql 'select count(*) from items')" 31
run_ok verify
run_ok list
expect_out "^ceb  *not-approached"
expect_out "^report.wg "

# init again on the existing file: exit 4, and the file is left as it was.
sum0=$(cksum <"$DOCKET_DB")
run_fails 4 "docket: init: .*already exists" init
expect_eq "the store file after a second init" "$(cksum <"$DOCKET_DB")" "$sum0"
run_fails 4 "already exists" init --empty
expect_eq "events after a second init" "$(events)" "$n"

# init --empty: no events at all, and list shows no item.
run_ok -d "$tmp/empty.db" init --empty
expect_out "empty"
expect_eq "events in an empty store" "$(events "$tmp/empty.db")" 0
run_ok -d "$tmp/empty.db" list
expect_not_out "^[a-z]"
run_ok -d "$tmp/empty.db" list --json
expect_json
expect_eq "list --json on an empty store" "$(pyjson 'print(len(d))')" 0
run_ok -d "$tmp/empty.db" verify
expect_out "0 events"

# init --json parses and says what it loaded.
run_ok -d "$tmp/j.db" init --json
expect_json
expect_eq "items in init --json" "$(pyjson 'print(d["items"])')" 31
expect_eq "document in init --json" "$(pyjson 'print(d["document"])')" "C/106/RES/1309"

# The default store is ./docket.db when neither -d nor $DOCKET_DB is given.
mkdir "$tmp/cwd"
(
    cd "$tmp/cwd" || exit 1
    unset DOCKET_DB
    "$DOCKET" init --empty >/dev/null 2>&1
) || fail "init in a directory without DOCKET_DB failed"
[ -f "$tmp/cwd/docket.db" ] || fail "init without -d did not create ./docket.db"
pass

# A command on a missing store: exit 4 "no store", and no file is created.
run_fails 4 "docket: list: no store" -d "$tmp/missing.db" list
[ ! -e "$tmp/missing.db" ] || fail "list created the missing store"
run_fails 4 "no store" -d "$tmp/missing.db" set ceb member -m x
[ ! -e "$tmp/missing.db" ] || fail "set created the missing store"
pass
# init in a directory that does not exist: exit 6 (a file could not be written).
run_fails 6 "docket: init: " -d "$tmp/nodir/x.db" init
[ ! -e "$tmp/nodir" ] || fail "init created a directory"

# Files that are not docket stores: exit 4, "not a docket store", and left untouched.
printf 'hello, world\n' >"$tmp/text.db"
: >"$tmp/zero.db"
sqlite3 "$tmp/foreign.db" 'create table t (a); insert into t values (1);'
for f in text zero foreign; do
    sum0=$(cksum <"$tmp/$f.db")
    run -d "$tmp/$f.db" list
    expect_rc 4
    expect_one_err_line
    expect_err "not a docket store"
    expect_no_out
    expect_eq "$f.db after list" "$(cksum <"$tmp/$f.db")" "$sum0"
    run -d "$tmp/$f.db" set ceb member -m x
    expect_rc 4
    expect_one_err_line
    expect_err "not a docket store"
    expect_eq "$f.db after set" "$(cksum <"$tmp/$f.db")" "$sum0"
done
expect_eq "tables of the foreign file" "$(sqlite3 "$tmp/foreign.db" .tables)" "t"

# A store written by a newer docket: exit 4 "newer", for reading and for writing.
cp "$DOCKET_DB" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" 'pragma user_version = 99'
n_newer=$(events "$tmp/newer.db")
run_fails 4 "newer" -d "$tmp/newer.db" list
run_fails 4 "newer" -d "$tmp/newer.db" set ceb member -m x
expect_eq "user_version after refusing a newer store" "$(sqlite3 "$tmp/newer.db" 'pragma user_version')" 99
expect_eq "events in the newer store" "$(events "$tmp/newer.db")" "$n_newer"

# A schema version older than the store's tables (its header damaged): exit 4 "damaged", for
# reading and for writing, and no migration runs.
cp "$DOCKET_DB" "$tmp/older.db"
sqlite3 "$tmp/older.db" 'pragma user_version = 1'
run_fails 4 "docket: list: the store is damaged: its schema version (1) is older than its tables" \
    -d "$tmp/older.db" list
run_fails 4 "damaged: its schema version (1)" -d "$tmp/older.db" set ceb member -m x
sqlite3 "$tmp/older.db" 'pragma user_version = 0'
run_fails 4 "damaged: its schema version (0) is older than its tables (table meta already exists)" \
    -d "$tmp/older.db" show ceb
expect_eq "user_version after refusing a damaged store" "$(sqlite3 "$tmp/older.db" 'pragma user_version')" 0

# -r with a writing command: exit 2 and nothing written; -r with a reader works.
run_fails 2 "docket: set: .*-r" -r set ceb member -m x
run_fails 2 "-r" -r note ceb -m x
run_fails 2 "-r" -r add x.y --title t --kind action
run_fails 2 "-r" -r -d "$tmp/ro.db" init
[ ! -e "$tmp/ro.db" ] || fail "init -r created a file"
run_ok -r list
expect_out "^ceb "
run_ok -r verify
run_ok --read-only show ceb
expect_out "^ceb: "

# Usage errors on the command line itself.
run_fails 2 "docket: init: unknown option '--bogus'" -d "$tmp/bogus.db" init --bogus
[ ! -e "$tmp/bogus.db" ] || fail "init with a bad option created a file"
run_fails 2 "is not a command" bogus
run_fails 2 "did you mean 'list'" lsit
run_fails 2 "too many\|usage" init extra
run_ok --version
expect_out "^docket "
run_ok init --help
expect_out "^usage: docket init"

# docket --help: every command's summary starts in one column, after the longest name (once
# 'conflicts' was a column off), and one too long for a line goes on below in that column.
run_ok --help
python3 -c 'import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
block = lines[lines.index("commands:") + 1:]
block = block[:block.index("")]
names, cols = [], set()
for line in block:
    m = re.match(r"  ([a-z]+)( +)(\S)", line)
    if m:
        names.append(m.group(1))
        cols.add(m.start(3))
    else:
        cols.add(len(line) - len(line.lstrip(" ")))
assert len(cols) == 1, "summaries start in columns %s" % sorted(cols)
assert min(cols) > 2 + max(len(n) for n in names), "a name runs into its summary"
for line in block:
    assert len(line) < 80, "a line of 80 columns or more: %r" % line
for n in ("init", "conflicts", "office", "backup"):
    assert n in names, n
' "$tmp/out" || fail "docket --help: the commands are not in one column, or too wide"
pass

done_ok
