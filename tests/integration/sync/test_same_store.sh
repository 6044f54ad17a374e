# Two syncs of one store at the same time (a `sync --interval` left running and a `sync --once`
# by hand, or two cron jobs): both pull the same 5,000 events and publish the same 1,000. Each
# must end well (exit 0): the store's own transactions order them, so an entry the other sync
# applied first is simply already there. Every event is applied and published exactly once.
# Usage: sh tests/integration/sync/test_same_store.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUN_LIMIT=60
cluster_start
P=same
two_offices src dst
S=$A
T=$B
base=$(log_count $P) # init's events and src's admission of dst
make_events src S 2500
office_ok src sync --once
make_events dst D 500
# (dst's office announcing itself with its first write, then its 1,000 events)
expect_eq "dst's unpublished" "$(unpublished "$T")" 1001

t0=$(now_ms)
sync_bg dst
p1=$SYNC_PID
sleep 0.05
timeout -k 5 "$RUN_LIMIT" "$DOCKET" -d "$T" sync --once >"$tmp/dst2.sync.out" 2>"$tmp/dst2.sync.err" &
p2=$!
wait "$p1"
rc1=$?
wait "$p2"
rc2=$?
t1=$(now_ms)
echo "two syncs of one store at once, $((t1 - t0)) ms:"
echo "  first:  exit $rc1: $(cat "$tmp/dst.sync.out" "$tmp/dst.sync.err")"
echo "  second: exit $rc2: $(cat "$tmp/dst2.sync.out" "$tmp/dst2.sync.err")"

# Whatever they said, the store is whole, and a later sync finishes the work exactly once.
expect_eq "shared positions of dst" "$(gaps "$T")" ok
expect_eq "duplicate uuids in dst" "$(dup_uuids "$T")" 0
office_ok dst sync --once
office_ok src sync --once
expect_converged "$S" "$T"
expect_log_exact $P "$S"
expect_eq "new events in the log" "$(($(log_count $P) - base))" 6001

expect_eq "exit of the first of two syncs at once" "$rc1" 0
expect_eq "exit of the second of two syncs at once" "$rc2" 0
done_ok
