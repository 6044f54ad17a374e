"""Corrupt and foreign files: 500 copies of a store with 1-16 random bytes flipped, a non-docket
SQLite file, a text file, an empty file, a store from a newer docket. On each, list, show,
verify --deep and set: no crash (no exit by a signal, no sanitizer report with the ASan build,
no hang); every command either works, or exits 4 (verify: 1, naming the damaged event, row or
file) with one line on stderr. A read-only command leaves the file byte-identical, a failed set
too: docket never repairs or rewrites a damaged file on its own. Output that differs from the
undamaged store's must not pass verify --deep: damage that a reader sees is damage that verify
reports.

usage: python3 test_corrupt.py DOCKET [COPIES]
(COPIES: 500, or 100 in a sanitizer build)
"""

import collections
import os
import re
import sqlite3
import sys

import rel

(docket,) = rel.args(["docket"])
COPIES = int(sys.argv[2]) if len(sys.argv) > 2 else rel.rounds(500, 100)
tmp = rel.tmpdir()
base = os.path.join(tmp, "base.db")
work = os.path.join(tmp, "work.db")
rng = rel.rng()
timer = rel.Timer()

rel.ok(docket, ["init"], base)
for argv in (["add", "unct/KEN", "--title", "UN country team, Kenya", "--on", "2016-09"],
             ["add", "unct/UGA", "--title", "UN country team, Uganda"],
             ["set", "ceb", "ceb.hlcm", "approached", "-m", "letter", "--on", "2016-03",
              "--evidence", "https://example.org/letter.pdf"],
             ["set", "unct/KEN", "member", "-m", "joined", "--on", "2016-09"],
             ["note", "ceb", "-m", "meeting planned"],
             ["cost", "cost.legal", "250000.50", "CHF", "--basis", "one-off", "-m", "estimate"],
             ["edit", "unct/UGA", "description=Kampala office", "-m", "detail"]):
    rel.ok(docket, argv, base)
rel.checkpoint(base)
size = os.path.getsize(base)

COMMANDS = {
    "list": ["list"],
    "show": ["show", "ceb"],
    "verify": ["verify", "--deep"],
    "set": ["set", "ceb", "under-consideration", "-m", "after the damage"],
}
READ_ONLY = ("list", "show", "verify")
n_base = rel.scalar(base, "SELECT count(*) FROM event")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def clean():
    for side in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(work + side):
            os.unlink(work + side)


pristine = {}
clean()
rel.copy_store(base, work)
for name, argv in COMMANDS.items():
    pristine[name] = rel.ok(docket, argv, work).out

# Exit codes each command may give on a damaged file, besides 0: 4 always; verify 1 (a finding);
# show and set 3 (the damage hid the item they name: 'unknown item').
ALLOWED = {"list": {0, 4}, "show": {0, 3, 4}, "verify": {0, 1, 4}, "set": {0, 3, 4}}
tally = {name: collections.Counter() for name in COMMANDS}
messages = collections.Counter()
problems = []
differs_undetected = 0
touched = 0
# Failed commands that had printed part of their output before the damage stopped them.
partial = collections.Counter()


# What a clear message on a damaged or foreign file says: that it is damaged or not docket's,
# or which event, row, item, status or date is wrong.
CLEAR = re.compile(rb"damaged|malformed|not a docket store|newer docket|no valid|event \d+|"
                   rb"differs from a replay|unknown item|unknown status|unknown kind|bad date|"
                   rb"state")
unclear = set()
WARNING = re.compile(rb"docket: [a-z]+: warning: ")
warned = 0


def integrity(path):
    try:
        return rel.query(path, "PRAGMA integrity_check")[0][0][:80]
    except sqlite3.DatabaseError as e:
        return str(e)


def message_shape(err):
    """The message with its numbers and quoted parts blanked, to count kinds of messages."""
    s = err.decode("utf-8", "replace").strip()
    s = re.sub(r"'[^']*'", "'...'", s)
    return re.sub(r"\d+", "N", s)


def run_all(where, path_bytes, expect_fail=False):
    """Runs every command on the file at WORK (whose bytes are PATH_BYTES); returns the
    results by name."""
    global touched, warned
    results = {}
    for name, argv in COMMANDS.items():
        r = rel.run(docket, argv, work, timeout=120)
        results[name] = r
        what = f"{where}: {name}"
        rel.check(0 <= r.rc < 128, f"{what}: killed by a signal or crashed:\n" + r.describe())
        rel.check(r.rc in ALLOWED[name], f"{what}: unexpected exit code:\n" + r.describe())
        tally[name][r.rc] += 1
        if r.rc != 0:
            # A warning may come before the error: damage can make the last event's recorded
            # time read as later than the clock.
            lines = r.err.splitlines(keepends=True)
            warnings = [x for x in lines if WARNING.match(x)]
            errors = b"".join(x for x in lines if not WARNING.match(x))
            warned += len(warnings)
            rel.check(rel.one_error_line(rel.Result(argv, r.rc, r.out, errors)),
                      f"{what}: not one line on stderr (besides warnings):\n" + r.describe())
            if r.out != b"":
                partial[name] += 1
            messages[message_shape(errors)] += 1
            if not CLEAR.search(errors):
                unclear.add(errors.decode("utf-8", "replace").strip())
                problems.append(f"{what}: the message does not say what is wrong with the "
                                f"store: {errors.decode('utf-8', 'replace').strip()}")
        if name == "verify" and r.rc == 1:
            rel.check(re.search(rb"verify: (event \d+|.*item|.*state|.*row|the store's file is "
                                rb"damaged)", r.err),
                      f"{what}: the finding names no event or row:\n" + r.describe())
        if expect_fail:
            rel.check(r.rc != 0, f"{what}: worked on a file that is not a docket store")
        now = read(work)
        if name in READ_ONLY or r.rc != 0:
            if now != path_bytes:
                touched += 1
                problems.append(f"{what} (exit {r.rc}) changed the file")
        elif r.rc == 0 and name == "set" and results["verify"].rc == 0:
            # On a file that verify --deep passed, set adds exactly one event. (On one it
            # refused, counting reads damaged pages: the count proves nothing.)
            try:
                n = rel.scalar(work, "SELECT count(*) FROM event")
                rel.check(n == n_base + 1, f"{what}: set worked but the store holds {n} events, "
                                           f"expected {n_base + 1}")
            except sqlite3.DatabaseError:
                pass
    return results


kept = 0
for copy_no in range(1, COPIES + 1):
    clean()
    data = bytearray(read(base))
    flips = rng.randint(1, 16)
    where_flipped = sorted(rng.randrange(size) for _ in range(flips))
    for off in where_flipped:
        data[off] ^= rng.randint(1, 255)
    with open(work, "wb") as f:
        f.write(data)
    where = f"copy {copy_no} ({flips} bytes flipped at {where_flipped[:4]}...)"
    res = run_all(where, bytes(data))
    seen_differs = any(res[n].rc == 0 and res[n].out != pristine[n] for n in ("list", "show"))
    if seen_differs and res["verify"].rc == 0:
        differs_undetected += 1
        name = "list" if res["list"].rc == 0 and res["list"].out != pristine["list"] else "show"
        a, b = pristine[name].splitlines(), res[name].out.splitlines()
        first = next((i for i in range(max(len(a), len(b)))
                      if i >= len(a) or i >= len(b) or a[i] != b[i]), 0)
        problems.append(f"{where}: {name} prints something else than on the undamaged store "
                        f"({len(b)} lines, not {len(a)}; first difference at line {first + 1}: "
                        f"{a[first][:70] if first < len(a) else b''!r} became "
                        f"{b[first][:70] if first < len(b) else b''!r}), yet verify passes; "
                        f"integrity_check: {integrity(work)}")
    if problems and os.environ.get("DOCKET_KEEP") and len(problems) > kept:
        # Keeps the damaged copy that showed a problem, to look into.
        with open(os.path.join(os.environ["DOCKET_KEEP"], f"copy{copy_no}.db"), "wb") as f:
            f.write(data)
        kept = len(problems)

foreign = {
    "a non-docket SQLite file": None,
    "a text file": b"KEY STATUS\nceb member\n" * 50,
    "an empty file": b"",
    "a store from a newer docket": None,
}
for name in foreign:
    clean()
    if name == "a non-docket SQLite file":
        c = sqlite3.connect(work)
        c.executescript("CREATE TABLE event (seq INTEGER PRIMARY KEY, x TEXT); "
                        "INSERT INTO event (x) VALUES ('not docket');")
        c.close()
    elif name == "a store from a newer docket":
        rel.copy_store(base, work)
        c = sqlite3.connect(work)
        c.execute("PRAGMA user_version = 999")
        c.close()
        rel.checkpoint(work)
    else:
        with open(work, "wb") as f:
            f.write(foreign[name])
    before = read(work)
    res = run_all(name, before, expect_fail=True)
    for cmd, r in res.items():
        rel.check(r.rc == 4, f"{name}: {cmd}: expected exit 4:\n" + r.describe())
    rel.figure(f"{name}: " + res["list"].err.decode().strip())

rel.figure(f"copies: {COPIES}, 1-16 bytes flipped each, {4 * COPIES} commands in "
           f"{timer.s():.1f} s; crashes: 0, hangs: 0")
for name in COMMANDS:
    rel.figure(f"{name}: " + ", ".join(f"exit {k}: {v}" for k, v in sorted(tally[name].items())))
rel.figure(f"files changed by a read-only or failed command: {touched}; damage seen by list or "
           f"show that verify missed: {differs_undetected}")
rel.figure(f"messages that do not say what is wrong: {len(unclear)} distinct; warnings before "
           f"an error: {warned}")
rel.figure("failed after printing part of their output: " +
           (", ".join(f"{k} {v}" for k, v in sorted(partial.items())) or "none"))
rel.figure("most frequent messages:")
for m, n in messages.most_common(int(os.environ.get("SHOW_MESSAGES", "8"))):
    rel.figure(f"  {n:5d}  {m}")
for p in problems[:20]:
    print("problem: " + p, file=sys.stderr)
rel.check(not problems, f"{len(problems)} problems (listed before)")
rel.done()
