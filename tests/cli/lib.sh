# Shared helpers for the end-to-end tests: sourced by each tests/cli/test_*.sh.
# Usage: sh tests/cli/test_X.sh /path/to/docket
# Each test gets a fresh temporary directory (removed on exit) and its own store in it.

set -u

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: sh $0 /path/to/docket" >&2
    exit 2
fi
DOCKET=$1
case $DOCKET in
/*) ;;
*) DOCKET=$(pwd)/$DOCKET ;;
esac
if [ ! -x "$DOCKET" ]; then
    echo "$0: '$DOCKET' is not an executable" >&2
    exit 2
fi
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "$0: needs $tool" >&2
        exit 2
    }
done

test_name=$(basename "$0" .sh)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/docket-$test_name.XXXXXX") || exit 2
# Background processes a test starts: it appends their PIDs here, the trap stops them.
bg_pids=""
cleanup() {
    for p in $bg_pids; do
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DOCKET_DB="$tmp/docket.db"
export DOCKET_ACTOR=tester
unset DOCKET_TRACE DOCKET_TRACE_SQL
export NO_COLOR=1
# docket's "today" is the local date; one zone for docket and the tests keeps them equal.
export TZ=UTC
export LC_ALL=C
# The report speaks English unless a test asks otherwise (LANGUAGE outranks LC_ALL for it).
export LANGUAGE=
ESC=$(printf '\033')

# rounds FULL FEWER: how many rounds a test that starts many docket processes runs: FULL, or
# FEWER in a sanitizer or valgrind build (DOCKET_SANITIZED, set by tests/CMakeLists.txt), where
# each process is several times slower. The checks are the same either way.
rounds() {
    if [ -n "${DOCKET_SANITIZED:-}" ]; then echo "$2"; else echo "$1"; fi
}

# Helpers use variables named _*, as sh has no local variables; tests should not.
checks=0
rc=0
last_cmd=""
: >"$tmp/out"
: >"$tmp/err"

# fail MSG: report what went wrong, with the last command and its output, and stop.
# It writes to stderr so that it is seen even when called inside $(...); callers of
# such helpers write: x=$(helper) || exit 1
fail() {
    {
        echo "FAIL $test_name: $*"
        echo "  last command: docket $last_cmd (exit $rc)"
        echo "  --- stdout (first 40 lines):"
        head -n 40 "$tmp/out" | sed 's/^/  | /'
        echo "  --- stderr (first 20 lines):"
        head -n 20 "$tmp/err" | sed 's/^/  | /'
    } >&2
    exit 1
}

# pass: count one passed assertion (the expect_* helpers call it).
pass() {
    checks=$((checks + 1))
}

# run ARGS...: run docket; stdout in $tmp/out, stderr in $tmp/err, exit code in $rc.
run() {
    last_cmd="$*"
    "$DOCKET" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

expect_rc() {
    [ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc"
    pass
}

# expect_out PATTERN: stdout matches the grep (basic) regular expression.
expect_out() {
    grep -q -e "$1" "$tmp/out" || fail "stdout does not match '$1'"
    pass
}

# expect_out_fixed STRING: stdout contains STRING.
expect_out_fixed() {
    grep -q -F -e "$1" "$tmp/out" || fail "stdout does not contain '$1'"
    pass
}

# expect_not_out PATTERN: no line of stdout matches.
expect_not_out() {
    if grep -q -e "$1" "$tmp/out"; then
        fail "stdout unexpectedly matches '$1'"
    fi
    pass
}

expect_err() {
    grep -q -e "$1" "$tmp/err" || fail "stderr does not match '$1'"
    pass
}

expect_no_err() {
    [ ! -s "$tmp/err" ] || fail "stderr is not empty"
    pass
}

expect_no_out() {
    [ ! -s "$tmp/out" ] || fail "stdout is not empty"
    pass
}

# expect_one_err_line: stderr is exactly one newline-terminated line starting "docket: ".
expect_one_err_line() {
    _nl=$(wc -l <"$tmp/err" | tr -d ' ')
    _lines=$(awk 'END { print NR }' "$tmp/err")
    [ "$_nl" -eq 1 ] && [ "$_lines" -eq 1 ] || fail "stderr is not exactly one line ($_lines lines)"
    head -n 1 "$tmp/err" | grep -q '^docket: ' || fail "stderr does not start with 'docket: '"
    pass
}

# events [DB]: the number of events in the store.
events() {
    sqlite3 "${1:-$DOCKET_DB}" 'select count(*) from event'
}

# sql QUERY [DB]: run a query with the sqlite3 shell behind docket's back.
sql() {
    sqlite3 "${2:-$DOCKET_DB}" "$1"
}

# Makes DST the store that upgrade fixture NAME holds (tests/fixtures/NAME.sql: a store an
# earlier release made, kept as text, every row and the pragmas docket reads).
fixture_store() {
    rm -f "$2" "$2-wal" "$2-shm"
    sqlite3 "$2" <"$DOCKET_TESTS/fixtures/$1.sql" >/dev/null || fail "cannot load the fixture $1"
}

# behind_back DB SQL: runs SQL on DB in the sqlite3 shell as someone hiding a change would: the
# append-only triggers dropped first and put back after exactly as they were, so that docket's
# check of the schema at open sees nothing and only the audit chain can tell.
behind_back() {
    _triggers=$(sqlite3 "$1" "select group_concat(sql, ';' || char(10)) || ';' from sqlite_master
        where type = 'trigger'")
    _drops=$(sqlite3 "$1" "select group_concat('drop trigger ' || name, '; ') || ';' from sqlite_master
        where type = 'trigger'")
    sqlite3 "$1" "$_drops $2
$_triggers"
}

# hold_open DB CMD...: runs CMD while another process holds DB open, then ends that process
# without closing the store, as a crash or another office's reader would leave it: a docket
# writer checkpoints the WAL at its close only when it closes last, so CMD's commits stay in
# DB's WAL.
hold_open() {
    _db=$1
    shift
    rm -f "$tmp/hold.in" "$tmp/hold.out"
    mkfifo "$tmp/hold.in" || fail "mkfifo"
    python3 -c 'import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM meta").fetchall()
print("open", flush=True)
sys.stdin.read()
os._exit(0)' "$_db" <"$tmp/hold.in" >"$tmp/hold.out" &
    _holder=$!
    exec 9>"$tmp/hold.in"
    _waited=0
    while [ ! -s "$tmp/hold.out" ] && [ $_waited -lt 100 ]; do
        sleep 0.1
        _waited=$((_waited + 1))
    done
    [ -s "$tmp/hold.out" ] || fail "the process that holds $_db open did not start"
    "$@"
    exec 9>&-
    wait $_holder
    rm -f "$tmp/hold.in" "$tmp/hold.out"
}

# fingerprint [DB]: a digest of the whole logical content of the store (the lines of its
# SQL dump, sorted, as a copy may list its schema in another order).
fingerprint() {
    sqlite3 "${1:-$DOCKET_DB}" .dump | sort | cksum
}

# run_fails RC PATTERN ARGS...: docket ARGS must exit RC with one stderr line matching
# PATTERN, print nothing on stdout, and leave the store exactly as it was.
run_fails() {
    _want=$1
    _pat=$2
    shift 2
    if [ -f "$DOCKET_DB" ]; then
        _fp0=$(fingerprint)
        _n0=$(events)
    else
        _fp0=none
        _n0=none
    fi
    run "$@"
    expect_rc "$_want"
    expect_one_err_line
    expect_err "$_pat"
    expect_no_out
    if [ -f "$DOCKET_DB" ]; then
        _n1=$(events)
        _fp1=$(fingerprint)
    else
        _fp1=none
        _n1=none
    fi
    [ "$_n0" = "$_n1" ] || fail "the event count changed from $_n0 to $_n1"
    [ "$_fp0" = "$_fp1" ] || fail "the store changed although the command failed"
    pass
}

# run_ok ARGS...: docket ARGS must exit 0 with nothing on stderr.
run_ok() {
    run "$@"
    expect_rc 0
    expect_no_err
}

# expect_json: stdout is one JSON document.
expect_json() {
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$tmp/out" 2>/dev/null ||
        fail "stdout is not valid JSON"
    pass
}

# pyjson CODE: run Python CODE with d bound to the JSON document on stdout; print its output.
pyjson() {
    python3 -c "import json,sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
$1" "$tmp/out"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    pass
}

# expect_ne WHAT GOT UNWANTED
expect_ne() {
    [ "$2" != "$3" ] || fail "$1: got '$2', which it must not be"
    pass
}

# backup_to PATH: `docket backup PATH`, and the office's key beside it (a backup holds none),
# for a test that goes on writing to the copy as the same office.
backup_to() {
    run_ok backup "$1"
    cp -p "${DOCKET_DB:-docket.db}.key" "$1.key" || fail "cannot copy the key file"
}

# init_store [ARGS...]: a fresh store at $DOCKET_DB with the checklist (or as ARGS say).
init_store() {
    rm -f "$DOCKET_DB" "$DOCKET_DB-wal" "$DOCKET_DB-shm"
    run init "$@"
    [ "$rc" -eq 0 ] || fail "init failed"
}

# status_of KEY [ARGS...]: the item's status, from show --json (ARGS such as --as-of D).
# Use as: st=$(status_of KEY) || exit 1
status_of() {
    "$DOCKET" show "$@" --json >"$tmp/status.json" 2>"$tmp/status.err" ||
        {
            cp "$tmp/status.err" "$tmp/err"
            fail "show $* failed"
        }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1], encoding="utf-8"))["status"])' "$tmp/status.json"
}

# now_utc: the current UTC time as docket's --known-at and --since accept it.
now_utc() {
    date -u +%Y-%m-%dT%H:%M:%S
}

# today: the date docket takes as today (the local date, here UTC).
today() {
    date +%Y-%m-%d
}

done_ok() {
    echo "ok $test_name: $checks checks passed"
    exit 0
}
