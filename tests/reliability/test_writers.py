"""Concurrent writers: 4 processes x 2,500 `set` calls on one store. Exactly 10,000 new events,
each writer's in its own order, sequence numbers without gaps, no old value that a concurrent
writer made stale, 0 errors (busy or other) shown to a user, and the chain verifies.

Beside tests/cli/test_concurrency.sh (2 writers on an item each, a reader beside them, a lock
held past the busy timeout, in the ASan and UBSan build as well): this one has four writers, five
times the calls, and has them take turns on one item they all share, so that a status change
whose old value was read outside the write transaction shows as stale. It prints the rate.

usage: python3 test_writers.py DOCKET [CALLS-PER-WRITER]
"""

import os
import subprocess
import sys

import rel

(docket,) = rel.args(["docket"])
CALLS = int(sys.argv[2]) if len(sys.argv) > 2 else 2500
WRITERS = 4
tmp = rel.tmpdir()
db = os.path.join(tmp, "writers.db")
rel.ok(docket, ["init"], db)
n0 = rel.scalar(db, "SELECT count(*) FROM event")
seq0 = rel.scalar(db, "SELECT max(seq) FROM event")

# Each writer alternates between a key of its own and a key all four share, so that the writers
# contend for the same rows as well as for the store. Each is a shell loop: a new process per
# call, as a user would run them.
SHARED = "iasc"
OWN = ["ceb", "ceb.hlcm", "ceb.hlcp", "ceb.undg"]
# A loop's own status is that of its last command (the counter, always 0), so the loop counts
# its failed calls and exits 1 when there were any.
LOOP = r'''
i=0
failed=0
while [ $i -lt "$CALLS" ]; do
    if [ $((i % 2)) -eq 0 ]; then key=$SHARED; else key=$OWN; fi
    if [ $((i / 2 % 2)) -eq 0 ]; then st=approached; else st=under-consideration; fi
    "$DOCKET" set "$key" "$st" -m "$NAME $i" --force >/dev/null 2>>"$ERRS" || {
        echo "$i exit $?" >>"$FAILS"
        failed=$((failed + 1))
    }
    i=$((i + 1))
done
[ "$failed" -eq 0 ]
'''
timer = rel.Timer()
procs = []
for w in range(WRITERS):
    name = f"w{w}"
    e = rel.env(db, DOCKET=docket, CALLS=str(CALLS), SHARED=SHARED, OWN=OWN[w], NAME=name,
                ERRS=os.path.join(tmp, name + ".err"), FAILS=os.path.join(tmp, name + ".fail"))
    open(e["ERRS"], "w").close()
    procs.append((name, e, subprocess.Popen(["sh", "-c", LOOP], env=e)))
for name, e, p in procs:
    rel.check(p.wait() == 0, f"writer {name} exited {p.returncode}: some of its calls failed: "
                             + (open(e["FAILS"]).read()[:200] if os.path.exists(e["FAILS"]) else ""))
took = timer.s()

errors = busy = 0
for name, e, p in procs:
    with open(e["ERRS"], "rb") as f:
        err = f.read()
    fails = open(e["FAILS"]).read().splitlines() if os.path.exists(e["FAILS"]) else []
    errors += len(fails)
    busy += sum(1 for line in err.splitlines() if b"locked" in line or b"busy" in line)
    rel.check(not fails, f"writer {name}: {len(fails)} calls failed, first {fails[:3]}; "
                         f"stderr {err[:300]!r}")
    rel.check(err == b"", f"writer {name} wrote on stderr: {err[:300]!r}")

total = WRITERS * CALLS
new = rel.scalar(db, "SELECT count(*) FROM event") - n0
rel.check(new == total, f"{new} new events, expected {total}")
rel.check(rel.scalar(db, "SELECT count(*) FROM event WHERE seq > ?", (seq0,)) == total,
          "new sequence numbers")
rel.check(rel.scalar(db, "SELECT min(seq) = 1 AND max(seq) = count(*) FROM event") == 1,
          "a gap in the sequence")
for w in range(WRITERS):
    got = [int(r.split()[1]) for (r,) in
           rel.query(db, "SELECT reason FROM event WHERE reason GLOB ? ORDER BY seq", (f"w{w} *",))]
    rel.check(got == list(range(CALLS)), f"the events of writer w{w} are missing or out of order")
# Each status change saw the status its predecessor on the same item left.
stale = rel.scalar(db, """
    SELECT count(*) FROM (
        SELECT subject, old_value,
               lag(new_value) OVER (PARTITION BY subject ORDER BY seq) AS before
        FROM event WHERE type = 'status')
    WHERE before IS NOT NULL AND old_value IS NOT before""")
rel.check(stale == 0, f"{stale} status events hold an old value a concurrent writer made stale")
r = rel.ok(docket, ["verify"], db)
rel.check(rel.query(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check")

rel.figure(f"writers: {WRITERS} x {CALLS} set calls in {took:.1f} s "
           f"({total / took:.0f} per second); new events: {new}, gaps: 0, "
           f"busy errors: {busy}, other errors: {errors}, stale old values: {stale}")
rel.figure("verify: " + r.out.decode().strip())
rel.done()
