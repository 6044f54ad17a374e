"""Failing storage: writes that fail in the middle of a command, a full disk, a failed sync.
Every command either fails with exit 4 and one line on stderr, leaving nothing of itself in the
store, or (when the failure came after its commit) succeeds whole; the trail verifies after
every run, and the store takes the same command once the storage is healthy again.

Two ways to make storage fail under docket's own connection (PRAGMA max_page_count would limit
only the connection that sets it):
  - failwrite.so, an LD_PRELOAD shim: the N-th byte written to the store's files fails with
    ENOSPC or EIO, or the N-th sync fails (works anywhere, root or not);
  - a real full disk: a small tmpfs mounted for the test and filled up to a few pages (needs
    root and the right to mount; skipped with a note where that is missing, but failed under
    CI=true).

usage: python3 test_storage.py DOCKET DOCKET-BENCH-GEN FAILWRITE.SO [RUNS-PER-COMMAND]
"""

import os
import subprocess
import sys

import rel

docket, gen, shim = rel.args(["docket", "docket-bench-gen", "failwrite.so"])
RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else 20
tmp = rel.tmpdir()
base = os.path.join(tmp, "base.db")
store = os.path.join(tmp, "store.db")
rng = rel.rng()
timer = rel.Timer()

gp = subprocess.run([gen, base, "200", "200"], capture_output=True)
rel.check(gp.returncode == 0, f"docket-bench-gen failed: {gp.stderr!r}")
rel.checkpoint(base)
keys = [k for (k,) in rel.query(base, "SELECT key FROM items WHERE key GLOB 'undg.regional/C*' "
                                      "ORDER BY key")]
rel.check(len(keys) >= 100, "the base store lacks instances")

# What each command adds when it succeeds: a check on the store after it.
COMMANDS = {
    "set (a batch of %d)" % len(keys): (["set"] + keys + ["approached", "-m", "batch", "--force"],
                                        len(keys)),
    "note": (["note", "ceb", "-m", "a note", "--evidence", "https://example.org/n.pdf"], 2),
    "add": (["add", "undg.regional/NEW", "--title", "A new regional team"], 1),
    "cost": (["cost", "ceb", "1250.50", "CHF", "--basis", "per year", "-m", "estimate"], 1),
}


# The WAL frames a fresh store starts with: just under the 128 past which a writer that
# closes last checkpoints the WAL, so that every command's close makes that checkpoint too.
PAD_FRAMES = 124
PAD = """import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
frames = lambda: (os.path.getsize(sys.argv[1] + "-wal") - 32) // (4096 + 24)
i = 0
while i == 0 or frames() < int(sys.argv[2]) - 2:
    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('test.pad', ?)", (str(i),))
    i += 1
c.execute("DELETE FROM meta WHERE key = 'test.pad'")
os._exit(0)  # no close: its checkpoint would empty the WAL
"""


def fresh():
    rel.copy_store(base, store)
    p = subprocess.run([sys.executable, "-c", PAD, store, str(PAD_FRAMES)], capture_output=True)
    rel.check(p.returncode == 0, f"cannot pad the WAL: {p.stderr!r}")
    frames = (os.path.getsize(store + "-wal") - 32) // (4096 + 24)
    rel.check(100 <= frames < 128, f"the padded WAL holds {frames} frames")


def shim_env(**kw):
    e = {"LD_PRELOAD": shim, "FAILWRITE_PATH": store}
    e.update({k: str(v) for k, v in kw.items()})
    return e


def measure(argv):
    """Bytes written to the store's files and syncs done by ARGV on a fresh store, and the
    same before the checkpoint that its close makes once it has committed."""
    fresh()
    report = os.path.join(tmp, "report")
    r = rel.run(docket, argv, store, extra_env=shim_env(FAILWRITE_REPORT=report))
    rel.check(r.rc == 0, "the command fails without any fault:\n" + r.describe())
    with open(report) as f:
        written, syncs, window, window_syncs = (int(x) for x in f.read().split())
    return written, syncs, window, window_syncs


# Runs that broke "nothing of a failed command is written": listed, and the test fails, at the
# end, so that every figure is printed first.
problems = []


def after_run(what, r, argv, n0, fp0, adds, tally):
    """Checks the store after a run under a fault: all or nothing, and it verifies."""
    n1 = rel.scalar(store, "SELECT count(*) FROM event")
    if r.rc == 4 and b"may or may not be saved" in r.err and n1 in (n0, n0 + adds):
        # A failed sync: the pages reached the WAL, unconfirmed. docket says the outcome is
        # unknown; the store must hold all of the command or none of it, and still verify.
        rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
        rel.check(r.out == b"", f"{what}: printed on stdout although it failed")
        v = rel.run(docket, ["verify"], store)
        rel.check(v.rc == 0, f"{what}: verify after the fault:\n" + v.describe())
        tally["unknown, said so"] += 1
        return
    if r.rc != 0 and n1 != n0:
        problems.append(f"{what}: exit {r.rc} ({r.err.decode(errors='replace').strip()}), "
                        f"yet {n1 - n0} events of the command are in the store")
        tally["failed, yet written"] += 1
        v = rel.run(docket, ["verify"], store)
        rel.check(v.rc == 0, f"{what}: verify after the fault:\n" + v.describe())
        return
    if r.rc == 0:
        rel.check(n1 == n0 + adds, f"{what}: exit 0 but {n1 - n0} events of {adds}")
        tally["whole"] += 1
    else:
        rel.check(r.rc == 4, f"{what}: expected exit 4:\n" + r.describe())
        rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
        rel.check(r.out == b"", f"{what}: printed on stdout although it failed")
        rel.check(n1 == n0, f"{what}: failed, yet {n1 - n0} events were written")
        rel.check(rel.dump_fingerprint(store) == fp0, f"{what}: failed, yet the store changed")
        tally["exit 4"] += 1
        tally["messages"].add(r.err.decode(errors="replace").strip())
    rel.check(rel.query(store, "PRAGMA integrity_check") == [("ok",)], f"{what}: integrity_check")
    v = rel.run(docket, ["verify"], store)
    rel.check(v.rc == 0, f"{what}: verify after the fault:\n" + v.describe())
    if r.rc != 0:
        # Healthy storage again: the same command goes through.
        again = rel.run(docket, argv, store)
        rel.check(again.rc == 0, f"{what}: the store refuses the command afterwards:\n" +
                  again.describe())
        rel.check(rel.scalar(store, "SELECT count(*) FROM event") == n0 + adds,
                  f"{what}: the retried command wrote the wrong number of events")


fp_base = rel.dump_fingerprint(base)
n_base = rel.scalar(base, "SELECT count(*) FROM event")
for name, (argv, adds) in COMMANDS.items():
    written, syncs, window, window_syncs = measure(argv)
    tally = {"whole": 0, "exit 4": 0, "unknown, said so": 0, "failed, yet written": 0,
             "messages": set()}
    # Most faults land in the command's own writes, up to its commit; a few in the checkpoint
    # that its close makes after it, which must leave the command whole and exit 0. Those aim
    # at the last quarter of the checkpoint: a run may write more pages to commit than the
    # measured one (its random ids can split the uuid index: one cost run in four here commits
    # 53,568 bytes where the measured one wrote 28,848 of 65,712), and a fault in the second
    # half of the checkpoint could then land inside its commit.
    points = [0, 1, window - 1] + sorted(rng.randrange(1, window) for _ in range(RUNS - 6))
    rel.check(written > window, f"{name}: its close made no checkpoint")
    in_window = len(points)
    late = window + 3 * (written - window) // 4
    if written > late:
        points += sorted(rng.randrange(late, written) for _ in range(3))
    after_commit = {"whole": 0}
    for i, after in enumerate(points):
        errno = "ENOSPC" if i % 2 == 0 else "EIO"
        fresh()
        what = f"{name}: {errno} after {after} of {written} bytes"
        r = rel.run(docket, argv, store,
                    extra_env=shim_env(FAILWRITE_AFTER=after, FAILWRITE_ERRNO=errno))
        if after >= late:
            rel.check(r.rc == 0, f"{what}: a fault in the checkpoint after the commit:\n" +
                      r.describe())
            after_commit["whole"] += 1
        after_run(what, r, argv, n_base, fp_base, adds, tally)
    for k in range(1, syncs + 1):
        fresh()
        what = f"{name}: sync {k} of {syncs} fails"
        r = rel.run(docket, argv, store, extra_env=shim_env(FAILWRITE_SYNC=k))
        after_run(what, r, argv, n_base, fp_base, adds, tally)
    rel.figure(f"{name}: writes {window} bytes and {window_syncs} syncs to commit, "
               f"{written} and {syncs} with the checkpoint at its close; {len(points)} write "
               f"faults ({len(points) - in_window} in the checkpoint, whole "
               f"{after_commit['whole']}) and {syncs} sync faults: exit 4 with nothing written "
               f"{tally['exit 4']}, whole {tally['whole']}, outcome unknown and said so "
               f"{tally['unknown, said so']}, failed yet written "
               f"{tally['failed, yet written']}")
    rel.check(tally["exit 4"] * 2 > in_window,
              f"{name}: most write faults before the commit should fail the command")
    for m in sorted(tally["messages"])[:3]:
        rel.figure(f"  {m}")

# init on failing storage: exit 4, and no file left behind.
fresh_path = os.path.join(tmp, "new.db")
written, syncs = 0, 0
report = os.path.join(tmp, "report")
r = rel.run(docket, ["init"], fresh_path,
            extra_env={"LD_PRELOAD": shim, "FAILWRITE_PATH": fresh_path,
                       "FAILWRITE_REPORT": report})
rel.check(r.rc == 0, "init fails without any fault:\n" + r.describe())
with open(report) as f:
    written = int(f.read().split()[0])
init_fail = init_left = 0
for after in [0, 4096] + sorted(rng.randrange(1, written) for _ in range(RUNS - 2)):
    for side in ("", "-wal", "-shm"):
        if os.path.exists(fresh_path + side):
            os.unlink(fresh_path + side)
    r = rel.run(docket, ["init"], fresh_path,
                extra_env={"LD_PRELOAD": shim, "FAILWRITE_PATH": fresh_path,
                           "FAILWRITE_AFTER": str(after)})
    what = f"init: ENOSPC after {after} of {written} bytes"
    if r.rc == 0:
        rel.ok(docket, ["verify"], fresh_path)
        continue
    rel.check(r.rc == 4, f"{what}: expected exit 4:\n" + r.describe())
    rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
    left = [os.path.basename(fresh_path) + s for s in ("", "-wal", "-shm")
            if os.path.exists(fresh_path + s)]
    if left:
        problems.append(f"{what}: {r.err.decode(errors='replace').strip()}; the failed init "
                        f"left {', '.join(left)} behind")
        init_left += 1
    init_fail += 1
rel.figure(f"init: writes {written} bytes; {RUNS} write faults: exit 4 {init_fail}, "
           f"of which left files behind {init_left}")


# A real full disk: a small tmpfs filled up to FREE bytes.
def full_disk():
    disk = os.path.join(tmp, "disk")
    os.mkdir(disk)
    size = os.path.getsize(base) * 3
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", disk],
                       capture_output=True)
    if m.returncode != 0:
        msg = f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {m.stderr.decode().strip()}"
        # CI runs as root, where the mount must work: there a failed mount is a failed test.
        if os.environ.get("CI") == "true":
            rel.fail("full disk: " + msg)
        rel.figure("full disk: skipped, " + msg)
        return
    try:
        global store
        store = os.path.join(disk, "store.db")
        filler = os.path.join(disk, "filler")
        argv, adds = COMMANDS["set (a batch of %d)" % len(keys)]
        tally = {"whole": 0, "exit 4": 0, "unknown, said so": 0, "failed, yet written": 0,
             "messages": set()}
        for pages in range(0, 160, 8):
            fresh()
            st = os.statvfs(disk)
            fill = st.f_bavail * st.f_frsize - pages * 4096
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            try:
                os.posix_fallocate(fd, 0, fill)
            except OSError:
                os.write(fd, b"\0" * fill)
            os.close(fd)
            what = f"full disk with {pages} pages free"
            r = rel.run(docket, argv, store)
            os.unlink(filler)
            after_run(what, r, argv, n_base, fp_base, adds, tally)
        rel.figure(f"full disk (tmpfs): 20 runs with 0-152 pages free: exit 4 with nothing "
                   f"written {tally['exit 4']}, whole {tally['whole']}")
        for m in sorted(tally["messages"])[:3]:
            rel.figure(f"  {m}")
        rel.check(tally["exit 4"] > 0, "the disk never filled")
    finally:
        subprocess.run(["umount", disk])


full_disk()
rel.figure(f"took {timer.s():.1f} s")
for p in problems:
    print("problem: " + p, file=sys.stderr)
rel.check(not problems, f"{len(problems)} runs broke the promises above (listed before)")
rel.done()
