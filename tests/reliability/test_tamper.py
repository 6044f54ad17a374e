"""Tampering: on a 100,000-event trail, changes made behind docket's back (with SQLite outside
docket), 20 times each at random places: edit a field; edit a field and recompute that event's
hash; delete an event; swap two; truncate the last few; rewrite the tail with recomputed hashes;
restore an older copy of the file; edit the last event and recompute its hash. The first four
(away from the last event) must be caught by `verify` alone, naming the event; the others by
`verify --against` a head published before. 100 untouched copies: 0 false alarms.

usage: python3 test_tamper.py DOCKET DOCKET-BENCH-GEN [RUNS-EACH]
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

import rel

docket, gen = rel.args(["docket", "docket-bench-gen"])
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
CLEAN_RUNS = 5 * RUNS
tmp = rel.tmpdir()
pristine = os.path.join(tmp, "pristine.db")
work = os.path.join(tmp, "work.db")
timer = rel.Timer()
rng = rel.rng()

gp = subprocess.run([gen, pristine, "1000", "100000"], capture_output=True)
rel.check(gp.returncode == 0, f"docket-bench-gen failed: {gp.stderr!r}")
rel.figure(f"generated a trail of {rel.scalar(pristine, 'SELECT count(*) FROM event')} events "
           f"in {timer.s():.1f} s")

# Older copies of the file: the trail as it stood before each of the last 20 commands.
older = []
for i in range(RUNS):
    rel.checkpoint(pristine)
    snap = os.path.join(tmp, f"older{i}.db")
    shutil.copyfile(pristine, snap)
    older.append(snap)
    rel.ok(docket, ["note", "ceb", "-m", f"later note {i}"], pristine)
rel.checkpoint(pristine)
rel.ok(docket, ["verify"], pristine)
r = rel.ok(docket, ["verify", "--head"], pristine)
published = r.out.decode().strip().split(":")
rel.check(published[0] == "local" and len(published) == 3, f"verify --head: {r.out!r}")
N = int(published[1])
HEAD = f"local:{N}:{published[2]}"
rel.check(N == rel.scalar(pristine, "SELECT max(seq) FROM event"), "verify --head: N")

TRIGGERS = rel.query(pristine, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                               "tbl_name = 'event'")
FIELDS = ["reason", "actor", "login", "new_value", "old_value", "subject", "eff", "recorded",
          "uuid", "batch", "type", "attrs"]


def tamper(sql_steps):
    """Runs SQL_STEPS ((sql, params) pairs) on the working copy as an outsider would: the
    append-only triggers dropped, the change made, the triggers put back as they were."""
    c = sqlite3.connect(work, isolation_level=None)
    try:
        c.execute("BEGIN")
        for name, _ in TRIGGERS:
            c.execute(f"DROP TRIGGER {name}")
        for sql, params in sql_steps:
            c.execute(sql, params)
        for _, sql in TRIGGERS:
            c.execute(sql)
        c.execute("COMMIT")
    finally:
        c.close()


def row(seq):
    ev = rel.events(work, "seq = ?", (seq,))
    rel.check(len(ev) == 1, f"no event {seq} to tamper with")
    return ev[0]


def changed(ev, field):
    """A new value for FIELD of event EV that changes its canonical bytes."""
    v = ev[field]
    if field == "attrs":
        a = json.loads(v) if v else {}
        a["tampered"] = "yes"
        return json.dumps(a, sort_keys=True, separators=(",", ":"))
    if field == "eff":
        return "2016-01-01" if v != "2016-01-01" else "2017-01-01"
    if field == "recorded":
        return "2020-01-01T00:00:00.000Z" if v != "2020-01-01T00:00:00.000Z" else \
            "2021-01-01T00:00:00.000Z"
    return (v or "") + "x"


def edit(seq, rehash):
    ev = row(seq)
    field = rng.choice(FIELDS)
    new = changed(ev, field)
    steps = [(f"UPDATE event SET {field} = ? WHERE seq = ?", (new, seq))]
    if rehash:
        prev = row(seq - 1)["hash"] if seq > 1 else bytes(32)
        ev[field] = new
        steps.append(("UPDATE event SET hash = ? WHERE seq = ?", (rel.event_hash(prev, ev), seq)))
    tamper(steps)
    return field


def swap(i, j):
    tamper([("UPDATE event SET seq = -1 WHERE seq = ?", (i,)),
            ("UPDATE event SET seq = ? WHERE seq = ?", (i, j)),
            ("UPDATE event SET seq = ? WHERE seq = -1", (j,))])


def rewrite_tail(start):
    """Changes the reason of event START and recomputes every hash from it to the end, so
    that the chain is whole again."""
    evs = rel.events(work, "seq >= ?", (start - 1,))
    prev = evs[0]["hash"] if start > 1 else bytes(32)
    steps = []
    for ev in evs[1:] if start > 1 else evs:
        if ev["seq"] == start:
            ev["reason"] = ev["reason"] + " (rewritten)"
            steps.append(("UPDATE event SET reason = ? WHERE seq = ?", (ev["reason"], start)))
        h = rel.event_hash(prev, ev)
        steps.append(("UPDATE event SET hash = ? WHERE seq = ?", (h, ev["seq"])))
        prev = h
    tamper(steps)


def verify(extra=()):
    r = rel.run(docket, ["verify"] + list(extra), work)
    rel.check(r.rc in (0, 1), "verify exited neither 0 nor 1:\n" + r.describe())
    if r.rc == 1:
        rel.check(rel.one_error_line(r), "verify's finding is not one stderr line:\n" +
                  r.describe())
    return r


def named(r):
    """The numbers that verify's message names."""
    return [int(x) for x in re.findall(rb"\b\d+\b", r.err)]


caught_alone = {}
caught_against = {}
kinds = ["edit a field", "edit a field, recompute its hash", "delete an event", "swap two",
         "truncate the last few", "rewrite the tail, hashes recomputed", "restore an older copy",
         "edit the last event, recompute its hash"]
for kind in kinds:
    caught_alone[kind] = caught_against[kind] = 0
    for run_no in range(RUNS):
        rel.copy_store(pristine, work)
        where = f"{kind}, run {run_no + 1}"
        if kind == "edit a field":
            k = rng.randint(1, N - 1)
            where += f": event {k}, field {edit(k, False)}"
            want = {k}
        elif kind == "edit a field, recompute its hash":
            k = rng.randint(1, N - 1)
            where += f": event {k}, field {edit(k, True)}"
            # The chain cannot tell which of two adjacent events changed: the break is between
            # K and K+1, and verify names K+1, whose stored hash no longer follows.
            want = {k, k + 1}
        elif kind == "delete an event":
            k = rng.randint(1, N - 1)
            tamper([("DELETE FROM event WHERE seq = ?", (k,))])
            where += f": event {k}"
            want = {k}
        elif kind == "swap two":
            i, j = sorted(rng.sample(range(1, N), 2))
            swap(i, j)
            where += f": events {i} and {j}"
            want = {i}
        elif kind == "truncate the last few":
            m = rng.randint(1, 10)
            tamper([("DELETE FROM event WHERE seq > ?", (N - m,))])
            where += f": the last {m}"
            want = None
        elif kind == "rewrite the tail, hashes recomputed":
            k = N - rng.randint(0, 49)
            rewrite_tail(k)
            where += f": from event {k}"
            want = None
        elif kind == "restore an older copy":
            snap = rng.randrange(len(older))
            rel.copy_store(older[snap], work)
            where += f": {RUNS - snap} commands older"
            want = None
        else:
            where += f": field {edit(N, True)}"
            want = None

        r = verify()
        if want is not None:
            rel.check(r.rc == 1, f"{where}: verify did not notice:\n" + r.describe())
            rel.check(any(n in want for n in named(r)),
                      f"{where}: verify names {named(r)}, expected one of {sorted(want)}:\n"
                      + r.describe())
        if r.rc == 1:
            caught_alone[kind] += 1
        r = verify(["--against", HEAD])
        rel.check(r.rc == 1, f"{where}: verify --against {HEAD[:20]}... did not notice:\n" +
                  r.describe())
        caught_against[kind] += 1

for kind in kinds:
    rel.figure(f"{kind}: {RUNS} runs, caught by verify alone {caught_alone[kind]}, "
               f"by verify --against {caught_against[kind]}")

false_alarms = 0
for run_no in range(CLEAN_RUNS):
    rel.copy_store(pristine, work)
    for extra in ([], ["--against", HEAD]):
        r = verify(extra)
        if r.rc != 0:
            false_alarms += 1
        rel.check(r.rc == 0, f"untouched copy {run_no + 1}: a false alarm:\n" + r.describe())
rel.figure(f"untouched: {CLEAN_RUNS} runs, false alarms: {false_alarms}")
rel.figure(f"took {timer.s():.1f} s")
rel.done()
