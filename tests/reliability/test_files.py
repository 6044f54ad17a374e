"""The store's files in other hands: what people and other programs do to them around docket.

- A backup named so that the store would be one of its side files (`docket -d audit-journal
  backup audit`, and -wal, -shm): refused, exit 2, the store intact.
- Killed `backup` and `report -o` runs: the temporary files they leave are removed by the next
  run that writes the same file.
- A backup on read-only media (a tmpfs mounted read-only, as a USB stick or a CD): `-r` reads it
  (list, show, verify, report); without -r, one line that says to use -r. Under CI=true a mount
  that fails fails the test; elsewhere it is skipped with a note.
- A store of an older schema read with -r: a private copy is migrated, the file is left byte for
  byte as it was, nothing stays in $TMPDIR; on read-only media too.
- The schema changed behind docket's back (a trigger dropped or added, a column, table or index
  added, an index dropped): every command refuses the store, exit 4, naming what differs.
- The replica id changed in meta: verify exits 1 naming it; list and report stay unchecked.

usage: python3 test_files.py DOCKET DOCKET-BENCH-GEN
"""

import os
import signal
import sqlite3
import subprocess
import time

import rel

docket, gen = rel.args(["docket", "docket-bench-gen"])
tmp = rel.tmpdir()
timer = rel.Timer()
IN_CI = os.environ.get("CI") == "true"


def path(name):
    return os.path.join(tmp, name)


def fresh(name):
    """A new store NAME made by init, with a few events, checkpointed into its main file."""
    db = path(name)
    for side in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + side):
            os.unlink(db + side)
    rel.ok(docket, ["init"], db)
    rel.ok(docket, ["set", "ceb.hlcm", "approached", "-m", "letter", "--on", "2016-03"], db)
    rel.ok(docket, ["note", "ceb", "-m", "a note"], db)
    rel.checkpoint(db)
    return db


def refused(r, code, words, what):
    rel.check(r.rc == code, f"{what}: expected exit {code}:\n" + r.describe())
    rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
    rel.check(words.encode() in r.err, f"{what}: stderr does not say {words!r}:\n" + r.describe())
    rel.check(r.out == b"", f"{what}: something on stdout:\n" + r.describe())


def file_bytes(p):
    with open(p, "rb") as f:
        return f.read()


# 1. Backup names whose side files are the store.
store = fresh("base.db")
for side in ("-journal", "-wal", "-shm"):
    live = path("audit" + side)
    rel.ok(docket, ["backup", live], store)
    before = rel.ok(docket, ["list", "--json"], live).out
    r = rel.run(docket, ["backup", path("audit")], live)
    refused(r, 2, "for its own -wal, -shm or -journal file", f"backup audit from audit{side}")
    rel.check(not os.path.exists(path("audit")), f"backup audit from audit{side} wrote a file")
    rel.check(rel.ok(docket, ["list", "--json"], live).out == before,
              f"the store audit{side} changed after a refused backup")
    rel.ok(docket, ["verify"], live)
    os.unlink(live)
rel.figure("backup over a name whose side file is the store: 3 of 3 refused, stores intact")

# 2. Temporary files of killed runs.
big = path("big.db")
g = subprocess.run([gen, big, "2000", "60000"], capture_output=True)
rel.check(g.returncode == 0, f"docket-bench-gen failed: {g.stderr!r}")
rel.checkpoint(big)


def leftovers(target):
    d, base = os.path.split(target)
    return sorted(n for n in os.listdir(d) if n.startswith(base + ".tmp-"))


def kill_until_left(argv, target):
    """Kills ARGV (writing TARGET) after a growing delay until a temporary file is left."""
    for attempt in range(60):
        p = subprocess.Popen([docket] + argv, env=rel.env(big), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(0.005 * (attempt % 20 + 1))
        p.send_signal(signal.SIGKILL)
        p.wait()
        if leftovers(target):
            return attempt + 1
    rel.fail(f"docket {' '.join(argv)} never left a temporary file in 60 kills")


for argv, target in ((["backup", path("copy.db")], path("copy.db")),
                     (["report", "--format", "html", "-o", path("r.html")], path("r.html"))):
    kills = kill_until_left(argv, target)
    left = leftovers(target)
    # A live process's temporary file is not touched: one named after this test's own PID.
    mine = f"{target}.tmp-{os.getpid()}-LIVE00"
    open(mine, "w").close()
    rel.ok(docket, argv, big)
    rel.check(leftovers(target) == [os.path.basename(mine)],
              f"{argv[0]}: after a new run, left: {leftovers(target)} (before: {left})")
    os.unlink(mine)
    rel.figure(f"{argv[0]}: killed after {kills} tries, left {len(left)} temporary files; "
               f"the next run removed them")


# 3 and 4. Read-only media, and older stores.
def older(dst, ref):
    """A store made by the last release (the upgrade fixture tests/fixtures/*-lone.sql, one
    schema or more older), made at DST; returns the schema version this docket migrates it to.
    A second copy, REF, is opened (and migrated) without -r, for what DST should read as."""
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    src = sorted(f for f in os.listdir(fixtures) if f.endswith("-lone.sql"))[-1]
    with open(os.path.join(fixtures, src)) as f:
        script = f.read()
    for path in (dst, ref):
        con = sqlite3.connect(path)
        con.executescript(script)
        con.close()
    rel.ok(docket, ["verify"], ref)
    return rel.scalar(ref, "PRAGMA user_version")


def reads(db, tmpdir, what, ref=None):
    """The reading commands work on DB with -r and leave its main file and TMPDIR unchanged; DB
    lists what REF (by default the store DB was copied from) lists."""
    before = file_bytes(db)
    want = rel.ok(docket, ["list", "--json"], ref or store).out
    extra = {"TMPDIR": tmpdir}
    rel.check(rel.ok(docket, ["-r", "list", "--json"], db, extra_env=extra).out == want,
              f"{what}: -r list differs from the store it was copied from")
    rel.ok(docket, ["-r", "show", "ceb.hlcm"], db, extra_env=extra)
    rel.ok(docket, ["-r", "verify"], db, extra_env=extra)
    rel.ok(docket, ["-r", "report", "--format", "json"], db, extra_env=extra)
    rel.check(file_bytes(db) == before, f"{what}: -r changed the file")
    rel.check(os.listdir(tmpdir) == [], f"{what}: left {os.listdir(tmpdir)} in $TMPDIR")


spool = path("spool")
os.mkdir(spool)
old = path("old.db")
version = older(old, path("old.ref"))
# The fixture is one schema older or more (005 came after the last release).
was = rel.scalar(old, "PRAGMA user_version")
rel.check(was < version, f"the fixture's schema {was} is not older than {version}")
reads(old, spool, "an older store", path("old.ref"))
rel.check(rel.scalar(old, "PRAGMA user_version") == was, "-r migrated the file itself")
rel.ok(docket, ["verify"], old)
rel.check(rel.scalar(old, "PRAGMA user_version") == version, "a writer did not migrate the file")
rel.figure(f"an older store (schema {was}) read with -r: the file unchanged, nothing "
           f"left in $TMPDIR; opened without -r: migrated to {version}")

media = path("media")
os.mkdir(media)
m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", media], capture_output=True)
if m.returncode != 0:
    msg = f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {m.stderr.decode().strip()}"
    if IN_CI:
        rel.fail(msg)
    rel.figure("read-only media: skipped, " + msg)
else:
    try:
        rel.ok(docket, ["backup", os.path.join(media, "stick.db")], store)
        older(os.path.join(media, "old-stick.db"), path("old-stick.ref"))
        r = subprocess.run(["mount", "-o", "remount,ro", media], capture_output=True)
        rel.check(r.returncode == 0, f"cannot remount read-only: {r.stderr!r}")
        rel.check(sorted(os.listdir(media)) == ["old-stick.db", "stick.db"],
                  f"side files on the stick: {os.listdir(media)}")
        reads(os.path.join(media, "stick.db"), spool, "a backup on read-only media")
        reads(os.path.join(media, "old-stick.db"), spool, "an older store on read-only media",
              path("old-stick.ref"))
        r = rel.run(docket, ["list"], os.path.join(media, "stick.db"))
        refused(r, 4, "read it with -r", "list without -r on read-only media")
        rel.figure("read-only media: a backup and an older store read with -r (list, show, "
                   "verify, report); without -r, exit 4 naming -r")
    finally:
        subprocess.run(["umount", media])

# 5. The schema changed behind docket's back.
CHANGES = [
    ("DROP TRIGGER event_no_update", "trigger 'event_no_update' is missing"),
    ("DROP TRIGGER shared_no_delete", "trigger 'shared_no_delete' is missing"),
    ("CREATE TRIGGER mine AFTER INSERT ON event BEGIN SELECT 1; END",
     "trigger 'mine' is not docket's"),
    ("ALTER TABLE items ADD COLUMN extra TEXT", "table 'items' differs"),
    ("CREATE TABLE notes (x)", "table 'notes' is not docket's"),
    ("DROP INDEX event_status", "index 'event_status' is missing"),
    ("CREATE INDEX mine ON items (title)", "index 'mine' is not docket's"),
    ("CREATE VIEW v AS SELECT 1", "view 'v' is not docket's"),
]
work = path("work.db")
for sql, words in CHANGES:
    rel.copy_store(store, work)
    c = sqlite3.connect(work, isolation_level=None)
    c.execute(sql)
    c.close()
    for argv in (["list"], ["-r", "verify"], ["set", "ceb.hlcp", "approached", "-m", "x"]):
        before = file_bytes(work)
        r = rel.run(docket, argv, work)
        refused(r, 4, words, f"{sql}; docket {' '.join(argv)}")
        rel.check(file_bytes(work) == before, f"{sql}; docket {' '.join(argv)}: wrote")
rel.figure(f"schema changed behind docket's back: {len(CHANGES)} kinds, each refused by list, "
           "verify and set (exit 4, named)")

# 6. The replica id changed by hand.
rel.copy_store(store, work)
c = sqlite3.connect(work, isolation_level=None)
c.execute("UPDATE meta SET value = '11111111-2222-4333-8444-555555555555' WHERE key = 'replica'")
c.close()
rel.ok(docket, ["list"], work)
r = rel.run(docket, ["verify"], work)
refused(r, 1, "the id was changed behind docket's back", "verify after the replica id changed")
rel.figure("replica id changed in meta: verify exit 1; list unchecked (exit 0)")
rel.figure(f"took {timer.s():.1f} s")
rel.done()
