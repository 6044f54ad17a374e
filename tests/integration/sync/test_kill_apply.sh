# The sync process is killed (SIGKILL) 20 times at random while it pulls and applies a large
# pull (5,000 events): each run resumes where the last one's last committed transaction left
# it, so in the end every event is applied exactly once: no duplicate, positions 1..N without
# a gap, verify ok, and the store converges with the publishing office.
# Usage: sh tests/integration/sync/test_kill_apply.sh /path/to/docket [SEED]
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

KILLS=20
seed=${2:-$(($$ * 7919 % 100000))}
echo "seed $seed (rerun with: sh $0 DOCKET $seed)"

cluster_start
P=killed
two_offices src dst
S=$A
T=$B
# 5,000 events for dst to pull.
make_events src S 2500
office_ok src sync --once
expect_out "^published 5000, pulled 0; "
total=$(events "$S")
tpos=$(shared_head "$T" | cut -d' ' -f1) # dst's position: the log as it cloned it

# How long a whole pull takes, and a sync with nothing to do: measured on a throwaway clone.
t0=$(now_ms)
office_ok cal clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office cal
t1=$(now_ms)
office_ok cal sync --once
t2=$(now_ms)
full=$((t1 - t0))
idle=$((t2 - t1))
rm -f "$tmp/cal.db"
# Delays spread so that 20 kills are expected to cover about two thirds of the pull.
span=$(((full - idle) * 3 / 2 / KILLS + 1))
echo "a whole pull of $((total - tpos)) events takes $full ms, an idle sync $idle ms: kills after $idle..$((idle + span)) ms"
python3 -c 'import random, sys
r = random.Random(int(sys.argv[1]))
lo, span = int(sys.argv[2]), int(sys.argv[3])
for _ in range(400):
    print("%.3f" % ((lo + r.random() * span) / 1000))' "$seed" "$idle" "$span" >"$tmp/delays"

kills=0
runs=0
extra=0
moved=0
prev=$(sqlite3 "$T" 'select count(*) from shared')
: >"$tmp/progress"
while [ "$kills" -lt "$KILLS" ]; do
    runs=$((runs + 1))
    [ "$runs" -le 400 ] || fail "400 runs did not give $KILLS kills"
    delay=$(sed -n "${runs}p" "$tmp/delays")
    "$DOCKET" -d "$T" sync --once >"$tmp/run.out" 2>"$tmp/run.err" &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        kills=$((kills + 1))
    else
        # It finished before the kill: give it more to pull, so that the kills go on.
        wait "$pid"
        [ "$?" -eq 0 ] || {
            cp "$tmp/run.err" "$tmp/err"
            fail "a sync that was not killed failed"
        }
        make_events src X$extra 500
        office_ok src sync --once
        extra=$((extra + 1))
    fi
    # After each kill the store is whole: positions without a gap, each event once.
    expect_eq "shared positions after kill $kills" "$(gaps "$T")" ok
    expect_eq "duplicate uuids after kill $kills" "$(dup_uuids "$T")" 0
    now=$(sqlite3 "$T" 'select count(*) from shared')
    [ "$now" -gt "$prev" ] && moved=$((moved + 1))
    echo "$delay s: $now" >>"$tmp/progress"
    prev=$now
done
total=$(events "$S")
echo "$kills kills in $runs runs ($extra extra batch(es) of 1000 events published when a run finished first);" \
    "$moved runs moved the applied position; applied position after the last kill: $prev of $total"
echo "positions after each run: $(sed 's/.*: //' "$tmp/progress" | tr '\n' ' ')"
[ "$prev" -lt "$total" ] || fail "the last kill came after the pull had finished"
pass

# The last run resumes and finishes, exactly once.
office_ok dst sync --once
expect_out "^published 0, pulled $((total - prev)); shared log: $total events"
office_ok dst verify
expect_out "^ok: $total events, head local:$total:[0-9a-f]*; shared log: $total events, head shared:$total:"
expect_converged "$S" "$T"
expect_log_exact $P "$T"
done_ok
