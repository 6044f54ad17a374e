# A client timeout forced very short (DOCKET_ETCD_TIMEOUT_MS): many requests time out after
# etcd committed them, so docket retries transactions that already hold. Two offices sync at
# once, each with the short timeout, for at most $SHORT rounds, then with the normal timeout until
# done: each event is still written exactly once. Run with 20, 10 and 5 ms; the commits whose
# answer docket never saw are counted (an office's events in the log that no sync reported as
# "published"). How far the short rounds get depends on the machine's speed (on a loaded one a
# 5 ms bound may let no request through), so they are bounded in number, not required to finish.
# Usage: sh tests/integration/sync/test_short_timeout.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
N=150     # instances per office and timeout: 300 events each
SHORT=2   # rounds with the short timeout at most

# published_sum FILE...: the sum of "published N" over the sync outputs.
published_sum() {
    cat "$@" 2>/dev/null | sed -n 's/^published \([0-9]*\),.*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}

hidden_total=0
for ms in 20 10 5; do
    P=short$ms
    A=$tmp/a$ms.db
    B=$tmp/b$ms.db
    office_ok a$ms init --office a$ms
    office_ok a$ms remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
    office_ok a$ms sync --once
    office_ok b$ms clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office b$ms
    admit a$ms b$ms
    base=$(log_count $P)
    make_events a$ms A $N
    make_events b$ms B $N
    # What the two offices publish: their 2 N events each, and b's office announcing itself
    # with its first write.
    want=$(($(unpublished "$A") + $(unpublished "$B")))
    expect_eq "$ms ms: events to publish" "$want" $((4 * N + 1))
    : >"$tmp/a$ms.all"
    : >"$tmp/b$ms.all"

    # Both offices at once, every request bounded by $ms ms, then by the normal timeout, again
    # until nothing is left.
    tries=0
    t0=$(now_ms)
    while :; do
        tries=$((tries + 1))
        [ "$tries" -le $((SHORT + 5)) ] || fail "$ms ms: $((SHORT + 5)) rounds of sync did not publish everything"
        # A request that keeps failing is retried for 3 s rather than 10, and a short round is
        # stopped (SIGTERM) after 20 s: on a loaded machine one round could otherwise take
        # minutes. A sync stopped mid-way is one more case of commits whose answer was lost.
        limit=$RUN_LIMIT
        if [ "$tries" -le "$SHORT" ]; then
            DOCKET_ETCD_TIMEOUT_MS=$ms DOCKET_ETCD_RETRY_MS=3000 RUN_LIMIT=20
            export DOCKET_ETCD_TIMEOUT_MS DOCKET_ETCD_RETRY_MS
        fi
        sync_bg a$ms
        apid=$SYNC_PID
        sync_bg b$ms
        bpid=$SYNC_PID
        wait "$apid" || :
        wait "$bpid" || :
        unset DOCKET_ETCD_TIMEOUT_MS DOCKET_ETCD_RETRY_MS
        RUN_LIMIT=$limit
        cat "$tmp/a$ms.sync.out" >>"$tmp/a$ms.all"
        cat "$tmp/b$ms.sync.out" >>"$tmp/b$ms.all"
        [ "$(unpublished "$A")" = 0 ] && [ "$(unpublished "$B")" = 0 ] && break
    done
    t1=$(now_ms)
    # A last sync with the normal timeout brings both to the log's end.
    office_ok a$ms sync --once
    office_ok b$ms sync --once
    office_ok a$ms sync --once

    pa=$(published_sum "$tmp/a$ms.all")
    pb=$(published_sum "$tmp/b$ms.all")
    hidden=$((want - pa - pb))
    hidden_total=$((hidden_total + hidden))
    short=$((tries < SHORT ? tries : SHORT))
    echo "$ms ms: $short round(s) at $ms ms, $((tries - short)) at the normal timeout, in $((t1 - t0)) ms; reported published a $pa + b $pb of $want; commits whose answer was lost: $hidden events"
    expect_eq "$ms ms: new keys under $P/log/" "$(($(log_count $P) - base))" "$want"
    expect_log_exact $P "$A"
    expect_converged "$A" "$B"
done
echo "commits whose answer was lost, all timeouts: $hidden_total events"
# The point of the test: some retries did follow a commit. (Were this 0, the timeouts would
# not have been short enough to test anything.)
[ "$hidden_total" -gt 0 ] || fail "no request timed out after its commit: nothing was tested"
pass
done_ok
