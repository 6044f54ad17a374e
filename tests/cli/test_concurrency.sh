# End-to-end: concurrent writers queue rather than fail (BEGIN IMMEDIATE and a busy timeout);
# readers are not blocked; a lock held past the timeout is exit 4 with nothing written.
# Beside tests/reliability/test_writers.py (4 writers x 2,500 calls that also contend for one
# shared item): this one has a reader running beside the writers, and a write lock held past the
# busy timeout (exit 4 after the timeout, one line, nothing written, readers still served, and
# writing again once it is gone); it runs with the cli tests, so also in the ASan and UBSan build
# of `make test`. Its two writers each write an item of their own, so its stale-value check
# cannot catch a read made outside the write transaction: test_writers' shared item can.
. "$(dirname "$0")/lib.sh"

# Calls per writer: 1,000, or 250 in a sanitizer build (rounds, lib.sh).
calls=$(rounds 1000 250)
init_store
n0=$(events)
seq0=$(sql 'select max(seq) from event')

# writer NAME KEY: $calls `set` calls on KEY, alternating two statuses; each failure is
# recorded in $tmp/NAME.fail, stderr collected in $tmp/NAME.err. Exit 1 when any call failed
# (a loop's own status is that of its last command, the counter, so it says so itself).
writer() {
    _i=0
    _f=0
    while [ $_i -lt "$calls" ]; do
        if [ $((_i % 2)) -eq 0 ]; then _s=approached; else _s=under-consideration; fi
        "$DOCKET" set "$2" "$_s" -m "$1 $_i" >/dev/null 2>>"$tmp/$1.err" || {
            echo "$_i exit $?" >>"$tmp/$1.fail"
            _f=$((_f + 1))
        }
        _i=$((_i + 1))
    done
    [ $_f -eq 0 ]
}

# reader: list while the writers run; each must succeed and show the 31 items. Exit 1 when
# any did not.
reader() {
    _i=0
    _f=0
    while [ ! -e "$tmp/writers.done" ] && [ $_i -lt 2000 ]; do
        "$DOCKET" list --json >"$tmp/reader.out" 2>>"$tmp/reader.err" || {
            echo "list exit $?" >>"$tmp/reader.fail"
            _f=$((_f + 1))
        }
        # One item per line, and the array closed: no python per call, which would take the
        # writers' CPU.
        [ "$(grep -c '^{"key":' "$tmp/reader.out")" -eq 31 ] &&
            [ "$(tail -n 1 "$tmp/reader.out")" = "]" ] || {
            echo "list output" >>"$tmp/reader.fail"
            _f=$((_f + 1))
        }
        _i=$((_i + 1))
    done
    [ $_f -eq 0 ]
}

: >"$tmp/p1.err"
: >"$tmp/p2.err"
: >"$tmp/reader.err"
start=$(date +%s)
writer p1 ceb &
p1=$!
writer p2 iasc &
p2=$!
reader &
pr=$!
bg_pids="$p1 $p2 $pr"
wait "$p1"
r1=$?
wait "$p2"
r2=$?
: >"$tmp/writers.done"
wait "$pr"
rr=$?
bg_pids=""
echo "# 2 x $calls concurrent set calls took $(($(date +%s) - start)) s"

[ "$r1" -eq 0 ] || fail "writer 1 exit $r1, $(wc -l <"$tmp/p1.fail") failures: $(head -n 3 "$tmp/p1.fail")"
pass
[ "$r2" -eq 0 ] || fail "writer 2 exit $r2, $(wc -l <"$tmp/p2.fail") failures: $(head -n 3 "$tmp/p2.fail")"
pass
[ "$rr" -eq 0 ] || fail "reader exit $rr, failures: $(head -n 3 "$tmp/reader.fail") $(head -n 3 "$tmp/reader.err")"
pass
if grep -i -q "locked\|busy" "$tmp/p1.err" "$tmp/p2.err" "$tmp/reader.err"; then
    fail "a 'locked' or 'busy' error: $(grep -i -h "locked\|busy" "$tmp/p1.err" "$tmp/p2.err" "$tmp/reader.err" | head -n 3)"
fi
pass
expect_eq "stderr of the writers" "$(cat "$tmp/p1.err" "$tmp/p2.err")" ""

# Exactly 2 x $calls new events, $calls each, in each writer's own order, without gaps in seq.
expect_eq "new events" "$(events)" $((n0 + 2 * calls))
expect_eq "events of writer 1" "$(sql "select count(*) from event where reason like 'p1 %' and subject = 'ceb'")" "$calls"
expect_eq "events of writer 2" "$(sql "select count(*) from event where reason like 'p2 %' and subject = 'iasc'")" "$calls"
expect_eq "no gaps in seq" "$(sql 'select max(seq) = count(*) and min(seq) = 1 from event')" 1
expect_eq "new seqs" "$(sql "select count(*) from event where seq > $seq0")" $((2 * calls))
for p in p1 p2; do
    sql "select reason from event where reason like '$p %' order by seq" >"$tmp/$p.order"
    python3 -c '
import sys
got = [int(l.split()[1]) for l in open(sys.argv[1])]
sys.exit(0 if got == list(range(int(sys.argv[2]))) else 1)' "$tmp/$p.order" "$calls" || fail "events of $p are not in its order"
    pass
done
# Each status change saw the status its predecessor left (the old value is never stale).
expect_eq "stale old values" "$(sql "select count(*) from event a join event b
    on b.subject = a.subject and b.type = 'status' and a.type = 'status'
    and b.seq = (select min(seq) from event c where c.subject = a.subject and c.type = 'status' and c.seq > a.seq)
    where a.seq > $seq0 and b.old_value <> a.new_value")" 0
expect_eq "ceb at the end" "$(sql "select status from items where key = 'ceb'")" under-consideration
expect_eq "iasc at the end" "$(sql "select status from items where key = 'iasc'")" under-consideration
run_ok verify
expect_eq "integrity" "$(sql 'pragma integrity_check')" ok

# A write lock held past the busy timeout: exit 4 naming the lock, nothing written, and
# readers are not blocked meanwhile.
mkfifo "$tmp/lock.in"
sqlite3 "$DOCKET_DB" <"$tmp/lock.in" >"$tmp/lock.out" 2>&1 &
holder=$!
bg_pids="$holder"
exec 3>"$tmp/lock.in"
printf "BEGIN IMMEDIATE;\nSELECT 'holding';\n" >&3
i=0
while ! grep -q holding "$tmp/lock.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the sqlite3 shell did not take the lock: $(cat "$tmp/lock.out")"
    sleep 0.1
done
run_ok list --kind membership
expect_out "^ceb "
n1=$(events)
fp1=$(fingerprint)
t0=$(date +%s)
run set echa approached -m "while locked"
took=$(($(date +%s) - t0))
expect_rc 4
expect_one_err_line
expect_err "docket: set: .*\(locked\|busy\)"
expect_no_out
[ "$took" -ge 5 ] || fail "set gave up on the lock after $took s, before the busy timeout"
pass
expect_eq "events after a lock timeout" "$(events)" "$n1"
expect_eq "store after a lock timeout" "$(fingerprint)" "$fp1"
printf "ROLLBACK;\n.quit\n" >&3
exec 3>&-
wait "$holder"
bg_pids=""
run_ok set echa approached -m "after the lock"
expect_eq "events after the lock is gone" "$(events)" $((n1 + 1))
run_ok verify
done_ok
