# A store that has applied more of the shared log than the log now holds: its remote was
# pointed at another prefix (or cluster), or the log was lost and the cluster rebuilt. Its
# sync must say so, promptly, in one line and with a non-zero exit, and publish nothing into
# a log whose history it does not continue; it must neither spin nor report success.
# Both cases run; the test fails at the end if either went wrong.
# Usage: sh tests/integration/sync/test_log_behind.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUN_LIMIT=20
cluster_start
A=$tmp/a.db
wrong=""

# judge WHAT: the last sync must have ended by itself, with a non-zero exit and one line.
judge() {
    _lines=$(wc -l <"$tmp/err" | tr -d ' ')
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        wrong="$wrong
  $1: still running after $RUN_LIMIT s (killed by timeout): it spins"
    elif [ "$rc" -eq 0 ]; then
        wrong="$wrong
  $1: exit 0, reporting success: $(cat "$tmp/out")"
    elif [ "$_lines" -ne 1 ]; then
        wrong="$wrong
  $1: exit $rc with $_lines lines on stderr"
    else
        pass
    fi
}

office_ok a init --office a
na=$(events "$A")
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix first
office_ok a sync --once
expect_out "^published $na, pulled 0; shared log: $na events"

# 1. The remote now names an empty prefix; a has one change to publish.
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix second
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
t0=$(now_ms)
office a sync --once
t1=$(now_ms)
echo "1. position $na, an empty log, one event to publish: exit $rc after $((t1 - t0)) ms: $(cat "$tmp/out" "$tmp/err" | head -c 300)"
judge "a sync into an empty log from position $na"
expect_eq "keys under second/ after it" "$(ectl get second --prefix --keys-only | grep -c .)" 0

# 2. The log under the first prefix is lost (the cluster rebuilt empty); nothing to publish.
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix first
office_ok a sync --once
expect_out "^published 1, pulled 0; shared log: $((na + 1)) events"
ectl del first --prefix >/dev/null || fail "etcdctl del failed"
t0=$(now_ms)
office a sync --once
t1=$(now_ms)
echo "2. position $((na + 1)), the log lost, nothing to publish: exit $rc after $((t1 - t0)) ms: $(cat "$tmp/out" "$tmp/err" | head -c 300)"
judge "a sync with its log lost"
expect_eq "keys under first/ after it" "$(ectl get first --prefix --keys-only | grep -c .)" 0

[ -z "$wrong" ] || fail "a store ahead of the shared log:$wrong"
done_ok
