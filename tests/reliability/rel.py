"""rel.py: shared helpers for the reliability tests (tests/reliability/test_*.py).

Each test is run as `python3 test_X.py DOCKET [MORE...]` by ctest (label "reliability"). It works
in a fresh temporary directory, counts its checks, stops at the first failed one with what went
wrong, and prints its figures as lines starting with "# ".
"""

import atexit
import hashlib
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0]
checks = 0

# What a sanitizer prints when it finds something; none may appear in any stderr.
SANITIZER = re.compile(rb"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|"
                       rb"SUMMARY: (Address|Undefined|Leak)")


def fail(msg):
    """Reports a failed check and stops the test."""
    print(f"FAIL {NAME}: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(cond, msg):
    """Counts one check; stops the test with MSG when COND is false."""
    global checks
    if not cond:
        fail(msg)
    checks += 1


def figure(line):
    """Prints a measured figure (a line ctest shows with --output-on-failure and -V)."""
    print("# " + line, flush=True)


def done():
    print(f"ok {NAME}: {checks} checks passed", flush=True)
    sys.exit(0)


def args(names):
    """Returns the absolute paths given on the command line, one per NAME."""
    if len(sys.argv) < len(names) + 1:
        print(f"usage: python3 {sys.argv[0]} " + " ".join(n.upper() for n in names),
              file=sys.stderr)
        sys.exit(2)
    out = [os.path.abspath(a) for a in sys.argv[1:len(names) + 1]]
    for n, p in zip(names, out):
        if not os.path.exists(p):
            print(f"{NAME}: {n} '{p}' does not exist", file=sys.stderr)
            sys.exit(2)
    return out


# A sanitizer or valgrind build (DOCKET_SANITIZED, set by tests/CMakeLists.txt), where each
# docket process is several times slower: the tests that start many run the same checks on
# fewer rounds there.
SANITIZED = bool(os.environ.get("DOCKET_SANITIZED"))


def rounds(full, fewer):
    """How many rounds a test runs: FULL, or FEWER in a sanitizer or valgrind build."""
    return fewer if SANITIZED else full


def tmpdir():
    """A fresh temporary directory, removed when the test ends."""
    d = tempfile.mkdtemp(prefix=f"docket-{NAME}.", dir=os.environ.get("TMPDIR", "/tmp"))
    atexit.register(shutil.rmtree, d, True)
    return d


def env(db, **extra):
    """The environment docket runs in: one store, one actor, UTC, no colour, no tracing."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("DOCKET_TRACE", "DOCKET_TRACE_SQL", "DOCKET_BY")}
    e.update(DOCKET_DB=db, DOCKET_ACTOR="tester", NO_COLOR="1", TZ="UTC", LC_ALL="C")
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def describe(self):
        shown = [a if len(a) < 80 else a[:60] + f"...({len(a)} bytes)"
                 for a in (x.decode("utf-8", "replace") if isinstance(x, bytes) else x
                           for x in self.argv)]
        return (f"docket {' '.join(shown)}: exit {self.rc}\n"
                f"  stdout: {self.out[:400]!r}\n  stderr: {self.err[:600]!r}")


def run(docket, argv, db, timeout=120, input=None, extra_env=None, prefix=()):
    """Runs docket ARGV (str or bytes items) on store DB; returns a Result with bytes output.
    A command that does not end within TIMEOUT seconds fails the test."""
    try:
        p = subprocess.run(list(prefix) + [docket] + list(argv), input=input,
                           capture_output=True, timeout=timeout, env=env(db, **(extra_env or {})))
    except subprocess.TimeoutExpired:
        fail(f"docket {argv[:6]} did not finish within {timeout} s")
    r = Result(argv, p.returncode, p.stdout, p.stderr)
    check(not SANITIZER.search(r.err), "a sanitizer report:\n" + r.describe())
    return r


def ok(docket, argv, db, **kw):
    """Runs docket and requires exit 0 with nothing on stderr."""
    r = run(docket, argv, db, **kw)
    check(r.rc == 0 and r.err == b"", "expected exit 0 and no stderr:\n" + r.describe())
    return r


def one_error_line(r):
    """True when stderr is exactly one line starting 'docket: '."""
    return r.err.startswith(b"docket: ") and r.err.endswith(b"\n") and r.err.count(b"\n") == 1


def query(db, sql, params=()):
    """Runs SQL on DB with Python's sqlite3 module, behind docket's back; returns the rows."""
    c = sqlite3.connect(db, timeout=30)
    try:
        return c.execute(sql, params).fetchall()
    finally:
        c.close()


def scalar(db, sql, params=()):
    return query(db, sql, params)[0][0]


def checkpoint(db):
    """Moves everything from the WAL into the main file and empties the WAL, so that copying
    the main file alone copies the store."""
    c = sqlite3.connect(db)
    try:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        c.close()
    for side in ("-wal", "-shm"):
        if os.path.exists(db + side) and os.path.getsize(db + side) == 0:
            os.unlink(db + side)


def copy_store(src, dst):
    """Copies a checkpointed store (main file only) to DST, removing DST's side files, and its
    office's key file (STORE.key) beside it, so that the copy can be written to."""
    for side in ("", "-wal", "-shm", "-journal", ".key"):
        if os.path.exists(dst + side):
            os.unlink(dst + side)
    shutil.copyfile(src, dst)
    if os.path.exists(src + ".key"):
        shutil.copy2(src + ".key", dst + ".key")


def dump_fingerprint(db):
    """A digest of the logical content of the store: its SQL dump, lines sorted."""
    c = sqlite3.connect(db)
    try:
        lines = sorted(c.iterdump())
    finally:
        c.close()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


# The canonical bytes of an event, version 1, or 2 with a base (README "The audit chain",
# src/event.c ev_canon).
CANON_FIELDS = ("uuid", "batch", "type", "item", "subject", "old_value", "new_value", "reason",
                "eff", "recorded", "actor", "login", "replica")


def _lp(v):
    if v is None:
        return b"\xff\xff\xff\xff"
    if isinstance(v, str):
        v = v.encode("utf-8")
    return struct.pack(">I", len(v)) + v


def canon(row):
    """The canonical bytes of the event ROW (a dict with the columns of table event)."""
    base = row.get("base")
    out = b"docket-event" + bytes([1 if base is None else 2])
    for f in CANON_FIELDS:
        out += _lp(row[f])
    if base is not None:
        out += _lp(str(base))
    attrs = json.loads(row["attrs"]) if row["attrs"] is not None else {}
    pairs = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in attrs.items())
    out += struct.pack(">I", len(pairs))
    for k, v in pairs:
        out += _lp(k) + _lp(v)
    return out


def event_hash(prev, row):
    return hashlib.sha256(prev + canon(row)).digest()


def events(db, where="1", params=()):
    """The events of DB as dicts, in sequence order."""
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute(f"SELECT * FROM event WHERE {where} ORDER BY seq",
                                           params)]
    finally:
        c.close()


def rng():
    """A random generator seeded from $DOCKET_SEED, else at random; the seed is printed so that
    a failure can be replayed."""
    import random
    seed = os.environ.get("DOCKET_SEED") or str(random.SystemRandom().randrange(1 << 32))
    figure(f"seed: {seed} (DOCKET_SEED={seed} replays this run)")
    return random.Random(int(seed))


class Timer:
    def __init__(self):
        self.t0 = time.monotonic()

    def s(self):
        return time.monotonic() - self.t0
