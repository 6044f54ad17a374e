# Large events and the shared log's limits (etcd takes requests up to 1.5 MiB; docket caps an
# answer at 16 MiB and asks for 256 log entries at a time):
#   1. 300 items imported with 100 KB descriptions: each event fits any request, and they are
#      published; another office must then be able to clone them all.
#   2. one item imported with a 2 MB description: an event no etcd request can hold. Its sync
#      must end promptly with one line naming the cause (a non-zero exit), publishing what
#      came before it, and must not spin.
# Both cases run; the test fails at the end if either went wrong.
# Usage: sh tests/integration/sync/test_big_events.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUN_LIMIT=20
cluster_start
wrong=""

# big_csv FILE TAG COUNT BYTES: a CSV of COUNT new instances with descriptions of BYTES.
big_csv() {
    python3 -c 'import csv, sys
w = csv.writer(open(sys.argv[1], "w", newline=""))
w.writerow(["key", "title", "description"])
for i in range(int(sys.argv[3])):
    w.writerow(["undg.regional/%s%03d" % (sys.argv[2], i), "UN regional team %s%03d" % (sys.argv[2], i),
                ("The long minutes of the meeting. " * 100000)[:int(sys.argv[4])]])' "$@"
}

# 1. Many events of 64 KiB.
office_ok a init --office a
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix wide
big_csv "$tmp/wide.csv" W 300 100000
office_ok a import --csv "$tmp/wide.csv"
na=$(events "$tmp/a.db") # init's events and the 300 instances
office_ok a sync --once
expect_out "^published $na, pulled 0; shared log: $na events"
t0=$(now_ms)
office b clone --endpoints "$ETCD_ENDPOINTS" --prefix wide --office b
t1=$(now_ms)
echo "1. 300 events of 100 KB published; a clone of them: exit $rc after $((t1 - t0)) ms: $(cat "$tmp/out" "$tmp/err" | head -c 300)"
if [ "$rc" -eq 0 ]; then
    expect_converged "$tmp/a.db" "$tmp/b.db"
else
    wrong="$wrong
  a clone of 300 published events of 100 KB: exit $rc: $(head -n 1 "$tmp/err")"
fi

# 2. One event of 2 MB, after one ordinary change.
office_ok c init --office c
office_ok c remote set --endpoints "$ETCD_ENDPOINTS" --prefix tall
office_ok c set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
nc=$(events "$tmp/c.db") # the events before the big one
big_csv "$tmp/tall.csv" T 1 2000000
office_ok c import --csv "$tmp/tall.csv"
t0=$(now_ms)
office c sync --once
t1=$(now_ms)
echo "2. an event of 2 MB: sync exit $rc after $((t1 - t0)) ms: $(cat "$tmp/out" "$tmp/err" | head -c 300)"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    wrong="$wrong
  a sync with an event of 2 MB: still running after $RUN_LIMIT s (killed by timeout): it spins"
elif [ "$rc" -eq 0 ] || [ "$(wc -l <"$tmp/err" | tr -d ' ')" -ne 1 ] || ! grep -q "large" "$tmp/err"; then
    wrong="$wrong
  a sync with an event of 2 MB: exit $rc, stderr: $(head -c 200 "$tmp/err")"
else
    pass
fi
# Whatever happened, the log holds the events before the big one, once each, and not it.
expect_eq "keys under tall/log/" "$(log_count tall)" "$nc"
expect_eq "unpublished in c" "$(unpublished "$tmp/c.db")" 1

[ -z "$wrong" ] || fail "large events:$wrong"
done_ok
