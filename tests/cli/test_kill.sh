# End-to-end: a process killed with SIGKILL in the middle of a large `set` batch leaves all of
# the batch or none of it, and a store that passes integrity_check and verify.
# Beside tests/reliability/test_crash.py, which aims 200 kills at the measured BEGIN..COMMIT
# window of a store made by docket-bench-gen and checks the sequence and the state after each:
# this is the short version (10 kills) that runs with the cli tests, so also in the ASan and
# UBSan build of `make test`, where test_crash does not run; its store is made by `init` and an
# import of 1,000 instances from CSV; and its kills are spread over the whole run of the
# process, so that they can land before BEGIN or after COMMIT too, where test_crash does not aim.
. "$(dirname "$0")/lib.sh"

RUNS=10
init_store

# 1,000 instances to set in one batch, imported from CSV in one command.
keys=$(i=1; while [ $i -le 1000 ]; do printf 'undg.regional/C%04d ' $i; i=$((i + 1)); done)
{
    echo "key,title"
    for key in $keys; do
        echo "$key,Country ${key#*/C}"
    done
} >"$tmp/instances.csv"
run_ok import --csv "$tmp/instances.csv"
expect_out "^imported 1000 items"
expect_eq "instances" "$(sql "select count(*) from items where key like 'undg.regional/C%'")" 1000

ms_now() {
    date +%s%3N
}

# The window: how long one whole batch takes, traced as in the runs below.
t0=$(ms_now)
# shellcheck disable=SC2086 # the keys are meant to be split
DOCKET_TRACE_SQL=1 "$DOCKET" set $keys member -m "warm-up" --force >/dev/null 2>"$tmp/trace.warm" ||
    fail "the warm-up batch failed: $(grep -v '^docket: sql:' "$tmp/trace.warm" | head -n 3)"
window=$(($(ms_now) - t0))
expect_eq "warm-up events" "$(sql "select count(*) from event where reason = 'warm-up'")" 1000
grep -q '^docket: sql: BEGIN IMMEDIATE' "$tmp/trace.warm" || fail "the SQL trace shows no BEGIN IMMEDIATE"
pass
echo "# one batch of 1,000 takes $window ms"

before_begin=0
mid=0
in_commit=0
after_commit=0
finished=0
run_no=1
while [ $run_no -le $RUNS ]; do
    if [ $((run_no % 2)) -eq 1 ]; then status=approached; else status=member; fi
    delay_ms=$(shuf -i 0-"$window" -n 1)
    delay=$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
    n_before=$(events)
    # shellcheck disable=SC2086
    DOCKET_TRACE_SQL=1 "$DOCKET" set $keys "$status" -m "run $run_no" --force >/dev/null 2>"$tmp/trace" &
    pid=$!
    bg_pids="$pid"
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    code=$?
    bg_pids=""

    got=$(sql "select count(*) from event where reason = 'run $run_no'")
    [ "$got" -eq 0 ] || [ "$got" -eq 1000 ] ||
        fail "run $run_no (killed after ${delay}s): $got of 1,000 events of the batch were written"
    pass
    expect_eq "run $run_no: all events" "$(events)" $((n_before + got))
    expect_eq "run $run_no: integrity_check" "$(sql 'pragma integrity_check')" ok
    run verify
    [ "$rc" -eq 0 ] || fail "run $run_no (killed after ${delay}s, $got events): verify exit $rc"
    pass
    if [ "$got" -eq 1000 ]; then
        expect_eq "run $run_no: state" \
            "$(sql "select count(*) from items where key like 'undg.regional/C%' and status = '$status'")" 1000
    fi

    # Where the kill landed, from the SQL trace (written unbuffered as each statement starts),
    # checked against what the store holds: a batch killed before its COMMIT began has no event.
    if [ "$code" -eq 137 ]; then
        if ! grep -q '^docket: sql: BEGIN IMMEDIATE' "$tmp/trace"; then
            expect_eq "run $run_no (killed before BEGIN): events" "$got" 0
            before_begin=$((before_begin + 1))
        elif ! grep -q '^docket: sql: COMMIT' "$tmp/trace"; then
            expect_eq "run $run_no (killed mid-transaction): events" "$got" 0
            mid=$((mid + 1))
        elif [ "$got" -eq 0 ]; then
            in_commit=$((in_commit + 1))
        else
            after_commit=$((after_commit + 1))
        fi
    else
        [ "$code" -eq 0 ] || fail "run $run_no finished with exit $code: $(grep -v '^docket: sql:' "$tmp/trace" | head -n 3)"
        expect_eq "run $run_no (finished before the kill): events" "$got" 1000
        finished=$((finished + 1))
    fi
    echo "# run $run_no: kill after ${delay}s, exit $code, $got events"
    run_no=$((run_no + 1))
done

echo "# $RUNS runs: $mid killed mid-transaction (0 events), $in_commit killed during COMMIT," \
    "$before_begin killed before BEGIN, $after_commit killed after COMMIT (1000 events)," \
    "$finished finished before the kill"
# Each run lands in exactly one of the counts above, so their sum says nothing. What the test
# is for is a kill inside the transaction: with the kills spread over one whole batch, about
# two in three land there (10 runs without one: about 1 in 30,000).
[ "$mid" -gt 0 ] || fail "none of the $RUNS kills landed mid-transaction"
pass
run_ok verify
expect_eq "no gaps in seq" "$(sql 'select max(seq) = count(*) from event')" 1
done_ok
