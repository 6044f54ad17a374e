"""Crash during a write: a 1,000-key `set` batch killed with SIGKILL at random moments inside
the window in which its transaction runs, 200 times. Every time: integrity_check is ok, the batch
is all there or not at all (events and state), the chain verifies, and the sequence has no gap.
Prints how many kills landed mid-transaction (it must be most of them).

Beside tests/cli/test_kill.sh (10 kills spread over a whole run of the process, on a store made
by `init` and `add`, in the ASan and UBSan build as well): this one aims at the transaction, 20
times as often, requires most kills to land inside it, and after each kill also checks that
the sequence has no gap and that the 1,000 items hold one status. Run alone, in the plain build.

usage: python3 test_crash.py DOCKET DOCKET-BENCH-GEN [RUNS]
"""

import os
import signal
import subprocess
import sys
import threading
import time

import rel

docket, gen = rel.args(["docket", "docket-bench-gen"])
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
tmp = rel.tmpdir()
db = os.path.join(tmp, "crash.db")
timer = rel.Timer()

# 1,000 instances (and the checklist) through docket's own core.
gp = subprocess.run([gen, db, "1000", "1000"], capture_output=True)
rel.check(gp.returncode == 0, f"docket-bench-gen failed: {gp.stderr!r}")
keys = [k for (k,) in rel.query(db, "SELECT key FROM items WHERE key GLOB '*/C[0-9]*' "
                                    "ORDER BY key")]
rel.check(len(keys) == 1000, f"expected 1,000 instances, got {len(keys)}")
rel.ok(docket, ["verify"], db)


def batch(status, reason):
    # --force: a killed batch leaves the status the next one may set again.
    return [docket, "set"] + keys + [status, "-m", reason, "--force"]


# The window: offsets from the start of the process to BEGIN IMMEDIATE and to COMMIT, as the
# SQL trace shows them arriving on a pipe, over a few whole batches traced as in the runs below.
def measure(status, reason):
    marks = {}
    p = subprocess.Popen(batch(status, reason), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=rel.env(db, DOCKET_TRACE_SQL="1"))
    t0 = time.monotonic()
    tail = b""

    def reader():
        nonlocal tail
        while True:
            chunk = os.read(p.stderr.fileno(), 1 << 16)
            if not chunk:
                break
            now = time.monotonic() - t0
            buf = tail + chunk
            if "begin" not in marks and b"sql: BEGIN IMMEDIATE" in buf:
                marks["begin"] = now
            if "commit" not in marks and b"sql: COMMIT" in buf:
                marks["commit"] = now
            tail = buf[-64:]

    th = threading.Thread(target=reader)
    th.start()
    rc = p.wait()
    marks["exit"] = time.monotonic() - t0
    th.join()
    p.stderr.close()
    rel.check(rc == 0, f"the warm-up batch failed with exit {rc}")
    rel.check("begin" in marks and "commit" in marks, "the SQL trace shows no BEGIN or COMMIT")
    return marks


windows = [measure("approached" if i % 2 else "member", f"warm-up {i}") for i in range(5)]
begin = sorted(w["begin"] for w in windows)[2]
commit = sorted(w["commit"] for w in windows)[2]
end = sorted(w["exit"] for w in windows)[2]
rel.figure(f"one batch of 1,000: BEGIN at {begin * 1000:.1f} ms, COMMIT at {commit * 1000:.1f} ms, "
           f"exit at {end * 1000:.1f} ms (medians of 5)")
rel.check(commit - begin > 0.005, "the transaction window is too short to aim at")

counts = {"before BEGIN": 0, "mid-transaction": 0, "during COMMIT": 0, "after COMMIT": 0,
          "finished": 0}
whole = 0
rng = rel.rng()
trace = os.path.join(tmp, "trace")
for run_no in range(1, RUNS + 1):
    status = "approached" if run_no % 2 else "member"
    reason = f"run {run_no}"
    n0 = rel.scalar(db, "SELECT count(*) FROM event")
    delay = rng.uniform(begin, commit)
    with open(trace, "wb") as tf:
        p = subprocess.Popen(batch(status, reason), stdout=subprocess.DEVNULL, stderr=tf,
                             env=rel.env(db, DOCKET_TRACE_SQL="1"))
        t0 = time.monotonic()
        while time.monotonic() - t0 < delay:
            time.sleep(min(0.0005, max(0.0, delay - (time.monotonic() - t0))))
        p.send_signal(signal.SIGKILL)
        code = p.wait()
    with open(trace, "rb") as tf:
        t = tf.read()

    got = rel.scalar(db, "SELECT count(*) FROM event WHERE reason = ?", (reason,))
    where = f"run {run_no} (kill after {delay * 1000:.1f} ms, exit {code})"
    rel.check(got in (0, 1000), f"{where}: {got} of the 1,000 events of the batch were written")
    rel.check(rel.scalar(db, "SELECT count(*) FROM event") == n0 + got,
              f"{where}: events other than the batch's appeared")
    rel.check(rel.query(db, "PRAGMA integrity_check") == [("ok",)], f"{where}: integrity_check")
    rel.check(rel.scalar(db, "SELECT max(seq) = count(*) FROM event") == 1,
              f"{where}: a gap in the sequence")
    statuses = rel.query(db, "SELECT DISTINCT status FROM items WHERE key GLOB '*/C[0-9]*'")
    rel.check(len(statuses) == 1, f"{where}: the 1,000 items hold {len(statuses)} statuses")
    if got == 1000:
        rel.check(statuses == [(status,)], f"{where}: the state does not hold the batch")
        whole += 1
    r = rel.run(docket, ["verify"], db)
    rel.check(r.rc == 0, f"{where}: verify failed\n" + r.describe())

    if code == -signal.SIGKILL:
        if b"sql: BEGIN IMMEDIATE" not in t:
            kind = "before BEGIN"
        elif b"sql: COMMIT" not in t:
            kind = "mid-transaction"
            rel.check(got == 0, f"{where}: killed before COMMIT, yet the batch is there")
        elif got == 0:
            kind = "during COMMIT"
        else:
            kind = "after COMMIT"
    else:
        rel.check(code == 0, f"{where}: the batch failed: {t[-300:]!r}")
        rel.check(got == 1000, f"{where}: finished, yet {got} events")
        kind = "finished"
    counts[kind] += 1
    # The warm-up may have run beside other tests (ctest -j) and this loop alone, or the other
    # way round: a batch that committed before the kill narrows the window aimed at, so that
    # most kills still land inside the transaction whatever the machine's load does meanwhile.
    if kind in ("after COMMIT", "finished"):
        commit = begin + (commit - begin) * 0.9

rel.figure(f"kills: {RUNS}, mid-transaction: {counts['mid-transaction']}, "
           f"all-or-nothing: {RUNS}/{RUNS} ({whole} whole, {RUNS - whole} none)")
rel.figure("where the kills landed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
rel.figure(f"{RUNS} runs took {timer.s():.1f} s; the window aimed at ended at "
           f"{commit * 1000:.1f} ms at the last")
rel.check(counts["mid-transaction"] * 2 > RUNS,
          f"only {counts['mid-transaction']} of {RUNS} kills landed mid-transaction")
rel.ok(docket, ["verify"], db)
rel.done()
