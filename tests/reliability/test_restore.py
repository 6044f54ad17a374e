"""Restoring an export at scale: 20,000 events, many batches of the restore's two parsing
threads. The restored store has the source's head and state; it is in WAL mode again, with no
journal left. The same holds when another connection has the store open (the restore then
writes through the WAL), and when no thread can be started (LD_PRELOAD nothread.so: the restore
and diff then work on one thread, with the same output). A bad line deep in the file is named
and nothing is written. The same export with a place in a shared log on every event, some of
them published after others recorded later, restores with the same two heads; a bad place deep
in the file is named and nothing is written. A restore killed with SIGKILL at random moments leaves the store empty or
whole, and the next docket command finds it in WAL mode, passing verify and integrity_check.

usage: python3 test_restore.py DOCKET DOCKET-BENCH-GEN NOTHREAD-SO [RUNS]
(RUNS: the kills; 20, or 6 in a sanitizer build)
"""

import json
import os
import sqlite3
import subprocess
import sys
import time

import rel

docket, gen, nothread = rel.args(["docket", "docket-bench-gen", "nothread-so"])
RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else rel.rounds(20, 6)
tmp = rel.tmpdir()

src = os.path.join(tmp, "src.db")
gp = subprocess.run([gen, src, "500", "20000"], capture_output=True)
rel.check(gp.returncode == 0, f"docket-bench-gen failed: {gp.stderr!r}")
head = rel.ok(docket, ["verify", "--head"], src).out
n = rel.scalar(src, "SELECT count(*) FROM event")
export = os.path.join(tmp, "export.jsonl")
rel.ok(docket, ["export", "-o", export], src)
with open(export, "rb") as f:
    lines = f.read().split(b"\n")
rel.check(sum(1 for ln in lines if ln.startswith(b'{"type":"event"')) == n,
          "the export holds another number of events than the store")
NOTHREAD = {"LD_PRELOAD": nothread}


def journal_mode(db):
    return rel.scalar(db, "PRAGMA journal_mode")


def empty_store(name):
    db = os.path.join(tmp, name + ".db")
    rel.ok(docket, ["init", "--empty"], db)
    return db


def check_whole(db, what):
    """DB is in WAL mode with no journal left (before docket opens it again), and holds the
    source's events, head and state."""
    rel.check(journal_mode(db) == "wal", f"{what}: the store is left in "
                                         f"'{journal_mode(db)}' mode")
    rel.check(not os.path.exists(db + "-journal"), f"{what}: a rollback journal is left")
    rel.check(rel.scalar(db, "PRAGMA integrity_check") == "ok", f"{what}: integrity_check")
    # The local head (a restored shared log adds its shared head on a second line).
    rel.check(rel.ok(docket, ["verify", "--head"], db).out.splitlines()[0] == head.strip(),
              f"{what}: another head")
    rel.ok(docket, ["verify"], db)
    rel.check(rel.ok(docket, ["list", "--json"], db).out == listed, f"{what}: another list")


def restore(db, extra_env=None):
    t0 = time.monotonic()
    r = rel.ok(docket, ["import", export], db, extra_env=extra_env)
    ms = (time.monotonic() - t0) * 1000
    rel.check(r.out == f"restored {n} events\n".encode(), "unexpected output:\n" + r.describe())
    return ms


listed = rel.ok(docket, ["list", "--json"], src).out

# Alone with the store: it leaves WAL for the restore, and comes back to it.
plain = empty_store("plain")
ms = restore(plain)
check_whole(plain, "a restore")
rel.figure(f"restore of {n} events: {ms:.0f} ms")

# Another connection has the store open: the mode cannot change, and the restore goes through
# the WAL, with the same result.
held = empty_store("held")
holder = sqlite3.connect(held)
holder.execute("SELECT count(*) FROM meta").fetchall()
ms = restore(held)
rel.check(holder.execute("PRAGMA journal_mode").fetchall()[0][0] == "wal",
          "the store left WAL while another connection had it open")
holder.close()
check_whole(held, "a restore beside another connection")
rel.figure(f"restore beside another open connection: {ms:.0f} ms")

# No thread can be started: the same restore on one thread, and diff's two dates one after the
# other, with the output they have on two.
alone = empty_store("alone")
ms = restore(alone, NOTHREAD)
check_whole(alone, "a restore on one thread")
rel.figure(f"restore on one thread: {ms:.0f} ms")
for dates in (["2016-06-30", "2020-12-31"], ["2018", "2024-03"]):
    two = rel.ok(docket, ["diff"] + dates + ["--json"], src).out
    one = rel.ok(docket, ["diff"] + dates + ["--json"], src, extra_env=NOTHREAD).out
    rel.check(two == one and len(two) > 2, f"diff {' '.join(dates)} differs on one thread")
rel.check(rel.ok(docket, ["verify"], src, extra_env=NOTHREAD).out ==
          rel.ok(docket, ["verify"], src).out, "verify says otherwise on one thread")


# A bad line deep in the file, in a late batch: named, with nothing written, in WAL mode.
def event_line(seq):
    key = b'{"type":"event","seq":%d,' % seq
    return next(i for i, ln in enumerate(lines) if ln.startswith(key))


def refused(name, altered, want):
    path = os.path.join(tmp, name + ".jsonl")
    with open(path, "wb") as f:
        f.write(b"\n".join(altered))
    db = empty_store(name)
    before = rel.dump_fingerprint(db)
    r = rel.run(docket, ["import", path], db)
    rel.check(r.rc == 3 and rel.one_error_line(r) and r.out == b"",
              "expected exit 3 and one line:\n" + r.describe())
    rel.check(want.encode() in r.err, f"expected '{want}' in:\n" + r.describe())
    rel.check(rel.dump_fingerprint(db) == before, f"{name}: the store changed")
    rel.check(journal_mode(db) == "wal", f"{name}: left in '{journal_mode(db)}' mode")
    rel.check(not os.path.exists(db + "-journal"), f"{name}: a rollback journal is left")


k = event_line(17000)
bad = list(lines)
bad[k] = bad[k].replace(b'"reason":"', b'"reason":"X', 1)
refused("altered", bad, f"line {k + 1}: event 17000 does not match its hash")
bad = list(lines)
bad[k] = bad[k][:len(bad[k]) // 2]
refused("cut", bad, f"line {k + 1}, column ")
bad = list(lines)
bad[k + 1], bad[k + 2] = bad[k + 2], bad[k + 1]
refused("swapped", bad, f"line {k + 2}: expected event 17001")
# The parse of a later batch fails while an earlier one is still being written.
bad = list(lines)
bad[event_line(19990)] = b'{"type":"mystery"}'
refused("unknown", bad, f"line {event_line(19990) + 1}: unknown line type")


# An office that synced, at scale: every event line with its place in the shared log, as sync
# gives them to an office that recorded events 5001-5300 offline and published them after it
# pulled 5301-5800 (recorded here later): those lines come first, their positions 500 later, and
# the restore holds them until the shared chain reaches them.
rows = {r["seq"]: r for r in rel.events(src)}
log = (list(range(1, 5001)) + list(range(5301, 5801)) + list(range(5001, 5301)) +
       list(range(5801, n + 1)))
place, prev = {}, bytes(32)
for pos, seq in enumerate(log, 1):
    prev = rel.event_hash(prev, rows[seq])
    place[seq] = {"pos": pos, "hash": prev.hex(),
                  "received": "2026-03-%02dT10:%02d:%02d.%03dZ" % (1 + pos % 28, pos % 60,
                                                                   pos // 60 % 60, pos % 1000)}
shared_head = prev.hex()
published = []
for ln in lines:
    if ln.startswith(b'{"type":"event"'):
        o = json.loads(ln)
        o["shared"] = place[o["seq"]]
        ln = json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    published.append(ln)
synced = os.path.join(tmp, "synced.jsonl")
with open(synced, "wb") as f:
    f.write(b"\n".join(published))
db = empty_store("synced")
t0 = time.monotonic()
r = rel.ok(docket, ["import", synced], db)
rel.figure(f"restore of {n} events with their shared-log places: "
           f"{(time.monotonic() - t0) * 1000:.0f} ms")
rel.check(r.out == f"restored {n} events\n".encode(), "unexpected output:\n" + r.describe())
rel.check(rel.ok(docket, ["verify"], db).out ==
          f"ok: {n} events, head {head.decode().splitlines()[0]}; shared log: {n} events, head "
          f"shared:{n}:{shared_head}\n".encode(), "verify gives other heads after a restore of a shared log")
check_whole(db, "a restore of a shared log")
rel.check(rel.scalar(db, "SELECT count(*) FROM shared WHERE pos = seq") == n - 800,
          "the positions restored are not the export's")


def placed(seq, **change):
    """The synced export with event SEQ's place changed."""
    out = list(published)
    i = event_line(seq)
    o = json.loads(out[i])
    o["shared"].update(change)
    out[i] = json.dumps(o, separators=(",", ":")).encode("utf-8")
    return out


refused("pos-past", placed(17000, pos=10**15),
        f"line {event_line(17000) + 1}: shared-log position 1000000000000000 lies past the "
        f"export's {n} events")
refused("pos-negative", placed(17000, pos=-7),
        f"line {event_line(17000) + 1}: the shared-log position must be a whole number from 1")
refused("received", placed(17000, received="2026-13-01T00:00:00.000Z"),
        f"line {event_line(17000) + 1}: the shared log's received time "
        f"'2026-13-01T00:00:00.000Z' is not a UTC time")
refused("shared-hash", placed(17000, hash="f" * 64),
        f"line {event_line(17000) + 1}: event 17000 does not match its shared-log hash "
        f"(position 17000)")
# A position held back: its hash is checked when the chain reaches it, 500 lines later.
refused("held-hash", placed(5100, hash="0" * 64),
        f"line {event_line(5100) + 1}: event 5100 does not match its shared-log hash "
        f"(position 5600)")
refused("held-twice", placed(5200, pos=5600),
        f"line {event_line(5200) + 1}: shared-log position 5600 is line {event_line(5100) + 1}'s "
        f"too")

# Killed at random moments while it runs: empty or whole, and WAL again at the next command.
window = sorted(restore(empty_store(f"warm{i}")) for i in range(3))[1] / 1000
rng = rel.rng()
outcome = {"empty": 0, "whole": 0, "finished": 0, "journal": 0}
for run in range(RUNS):
    db = empty_store(f"kill{run}")
    p = subprocess.Popen([docket, "import", export], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=rel.env(db))
    time.sleep(rng.uniform(0.02, window))
    p.kill()
    p.wait()
    if p.returncode == 0:
        outcome["finished"] += 1
    # A reader with -r may not undo a write cut short in the journal; it says so.
    if os.path.exists(db + "-journal"):
        r = rel.run(docket, ["-r", "verify"], db)
        rel.check(r.rc == 0 or (r.rc == 4 and rel.one_error_line(r) and
                                b"a write to the store was cut short" in r.err),
                  f"run {run}: -r after the kill:\n" + r.describe())
        outcome["journal"] += r.rc == 4
    # The next command, a reader, finds the store as the kill left it (a hot journal is rolled
    # back) and writes nothing else; the next writer (the restore again, refused when the
    # store is whole) brings it back to WAL.
    rel.ok(docket, ["verify"], db)
    got = rel.scalar(db, "SELECT count(*) FROM event")
    rel.check(got in (0, n), f"run {run}: {got} of {n} events after the kill")
    rel.check(rel.scalar(db, "PRAGMA integrity_check") == "ok", f"run {run}: integrity_check")
    if got == 0:
        outcome["empty"] += 1
        restore(db)
    else:
        outcome["whole"] += p.returncode != 0
        r = rel.run(docket, ["import", export], db)
        rel.check(r.rc == 3 and b"restores into an empty store only" in r.err,
                  f"run {run}: a restore into the whole store:\n" + r.describe())
    check_whole(db, f"run {run}")
rel.figure(f"{RUNS} kills within {window * 1000:.0f} ms: {outcome['empty']} left it empty "
           f"({outcome['journal']} with a journal to undo), {outcome['whole']} whole, "
           f"{outcome['finished']} came too late")
rel.check(outcome["empty"] > 0, "no kill landed inside the restore")
rel.done()
