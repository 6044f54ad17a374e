# Benchmark of sync through a local 3-member etcd cluster (not run by ctest; prints figures):
# publishing 10,000 events (target: under 10 s) and pulling and applying them in another store
# (target: under 5 s), as the median of RUNS runs, each on a fresh prefix.
# Usage: sh tests/bench/sync.sh /path/to/docket [RUNS]   (default 3 runs)
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUNS=${2:-3}
EVENTS=10000
RUN_LIMIT=300
cluster_start
echo "docket: $DOCKET"
echo "etcd: $(etcd --version | head -n 1), 3 members on 127.0.0.1, data in $tmp/etcd ($(df -P "$tmp" | awk 'NR == 2 { print $1 }'))"
echo "cpus: $(nproc 2>/dev/null || echo '?')"

# median FILE: the median of the numbers in FILE, one a line.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

: >"$tmp/publish.ms"
: >"$tmp/pull.ms"
: >"$tmp/clone.ms"
r=1
while [ "$r" -le "$RUNS" ]; do
    P=bench$r
    rm -f "$tmp"/pub.db* "$tmp"/sub.db* "$tmp"/full.db*
    office_ok pub init
    first=$(events "$tmp/pub.db") # the checklist (and, since offices sign, the office event)
    office_ok pub remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
    office_ok pub sync --once
    office_ok sub clone --endpoints "$ETCD_ENDPOINTS" --prefix $P
    make_events pub B $((EVENTS / 2))
    [ "$(unpublished "$tmp/pub.db")" = "$EVENTS" ] || fail "pub holds $(unpublished "$tmp/pub.db") unpublished events, not $EVENTS"

    t0=$(now_ms)
    office_ok pub sync --once
    t1=$(now_ms)
    expect_out "^published $EVENTS, pulled 0; "
    office_ok sub sync --once
    t2=$(now_ms)
    expect_out "^published 0, pulled $EVENTS; "
    office_ok full clone --endpoints "$ETCD_ENDPOINTS" --prefix $P
    t3=$(now_ms)
    [ "$(log_count $P)" = $((EVENTS + first)) ] || fail "the log holds $(log_count $P) events"
    expect_converged "$tmp/pub.db" "$tmp/sub.db" "$tmp/full.db" >/dev/null
    echo "run $r: publish $EVENTS events $((t1 - t0)) ms; pull and apply them $((t2 - t1)) ms; clone of all $((EVENTS + first)) $((t3 - t2)) ms"
    echo $((t1 - t0)) >>"$tmp/publish.ms"
    echo $((t2 - t1)) >>"$tmp/pull.ms"
    echo $((t3 - t2)) >>"$tmp/clone.ms"
    r=$((r + 1))
done

pub=$(median "$tmp/publish.ms")
pull=$(median "$tmp/pull.ms")
clone=$(median "$tmp/clone.ms")
verdict() {
    [ "$1" -lt "$2" ] && echo "under the $(($2 / 1000)) s target" || echo "OVER the $(($2 / 1000)) s target"
}
echo "median of $RUNS runs:"
echo "  publish $EVENTS events:            $pub ms ($(verdict "$pub" 10000)); $((EVENTS * 1000 / (pub + 1))) events/s"
echo "  pull and apply $EVENTS events:     $pull ms ($(verdict "$pull" 5000)); $((EVENTS * 1000 / (pull + 1))) events/s"
echo "  clone (checklist + $EVENTS events): $clone ms"
done_ok
