# Progress on a terminal: `sync` and `clone` run under `script` (a pseudo-terminal, as a person
# sees them) show on stderr how many events they published and how many entries of the shared
# log they applied, of how many, and how fast; the last line counts all of them. Not on a
# terminal, or with NO_COLOR set, they show nothing.
# Usage: sh tests/integration/sync/test_progress.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"
command -v script >/dev/null 2>&1 || {
    echo "$0: needs script (bsdutils)" >&2
    exit 2
}

cluster_start
P=progress
A=$tmp/a.db
B=$tmp/b.db

# on_tty OUT CMD: runs docket CMD on a pseudo-terminal, colour allowed; what the terminal
# showed goes to OUT, with carriage returns as line ends.
on_tty() {
    _out=$1
    shift
    last_cmd="$* (on a terminal)"
    env -u NO_COLOR timeout -k 5 120 script -qec "$DOCKET $*" /dev/null >"$tmp/tty.raw" 2>&1
    rc=$?
    tr '\r' '\n' <"$tmp/tty.raw" | grep -v '^ *$' >"$_out"
    cp "$_out" "$tmp/out"
    expect_rc 0
}

office_ok a init
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
make_events a A 1500
n=$(events "$A")
on_tty "$tmp/sync.tty" -d "$A" sync --once
grep -q "^sync: published $n of $n events, [0-9]* a second *$" "$tmp/sync.tty" ||
    fail "no final progress line for $n published events: $(cat "$tmp/sync.tty")"
pass
grep -q "^published $n, pulled 0; shared log: $n events" "$tmp/sync.tty" ||
    fail "the sync's own line is missing"
pass
echo "sync on a terminal: $(grep -c '^sync: published' "$tmp/sync.tty") progress lines, the last: $(grep '^sync: published' "$tmp/sync.tty" | tail -n 1)"

on_tty "$tmp/clone.tty" -d "$B" clone --endpoints "$ETCD_ENDPOINTS" --prefix $P
grep -q "^sync: applied $n of $n entries of the shared log, [0-9]* a second *$" "$tmp/clone.tty" ||
    fail "no final progress line for $n applied entries: $(cat "$tmp/clone.tty")"
pass
echo "clone on a terminal: the last: $(grep '^sync: applied' "$tmp/clone.tty" | tail -n 1)"
expect_converged "$A" "$B"

# Not on a terminal (office_ok: nothing on stderr), and NO_COLOR on a terminal: no progress.
admit a b
office_ok b sync --once
office_ok a set ceb.hlcm approached -m "letter" --on 2016-03
office_ok a sync --once
office_ok b set ceb.hlcp approached -m "letter" --on 2016-03 # (after b's office event)
last_cmd="sync on a terminal with NO_COLOR"
NO_COLOR=1 timeout -k 5 60 script -qec "$DOCKET -d $B sync --once" /dev/null >"$tmp/out" 2>&1
rc=$?
expect_rc 0
expect_not_out "^sync: "
expect_out "^published 2, pulled 1; "
pass
