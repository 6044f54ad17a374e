"""import --csv under hostile input and at scale (issue 11, items 2, 5 and 10).

`import --csv` streams: its peak memory does not grow with the number of rows, and the CSV that
`export --format csv` writes from a 20,000-item store imports back, from a file or standard
input, and is written again byte for byte. A NUL byte anywhere, text after a closing quote, a
quote never closed, a cell over 4 MiB, more than 64 columns and running out of memory (LD_PRELOAD
failmalloc.so, at every large allocation in turn) are each refused with their own line on stderr
and nothing written. Standard input is spooled to a file that has no name from the start: none
is left behind, even by a SIGKILL. (The cells a spreadsheet would run: tests/cli/test_csv.sh.)

usage: python3 test_csv.py DOCKET FAILMALLOC-SO
"""

import os
import signal
import subprocess
import time

import rel

docket, failmalloc = rel.args(["docket", "failmalloc-so"])
tmp = rel.tmpdir()
timer = rel.Timer()
spool_dir = os.path.join(tmp, "spool")
os.mkdir(spool_dir)
SPOOL = {"TMPDIR": spool_dir}
CELL_MAX = 4 << 20


def store(name):
    db = os.path.join(tmp, name + ".db")
    rel.ok(docket, ["init"], db)
    return db


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def rows_csv(n, header=b"key,title,kind,status,date\n"):
    """N rows of new items, every other one with a status."""
    return header + b"".join(
        b"bulk.i%07d,Item %d,action,%s,2016-05\n" % (i, i, b"in-progress" if i % 2 else b"")
        for i in range(n))


def refused(db, argv, code, line, input=None, extra_env=None):
    """Runs docket ARGV on DB: exit CODE, stderr exactly LINE, nothing written, no spool left."""
    before = rel.dump_fingerprint(db)
    r = rel.run(docket, argv, db, input=input, extra_env=dict(SPOOL, **(extra_env or {})))
    rel.check(r.rc == code and r.err == line + b"\n" and r.out == b"",
              f"expected exit {code} and {line!r}:\n" + r.describe())
    rel.check(rel.dump_fingerprint(db) == before, "a refused import wrote:\n" + r.describe())
    rel.check(os.listdir(spool_dir) == [], f"left in TMPDIR: {os.listdir(spool_dir)}")
    return r


def max_rss_kib(argv, db):
    """Runs docket ARGV on DB under /usr/bin/time (deps.txt: time), whose own small size is all
    docket inherits of a peak before its exec; requires exit 0; returns docket's peak resident
    set in KiB."""
    report = os.path.join(tmp, "rss")
    r = rel.run(docket, argv, db, prefix=["/usr/bin/time", "-f", "%M", "-o", report])
    rel.check(r.rc == 0, "expected exit 0:\n" + r.describe())
    with open(report) as f:
        return int(f.read().split()[-1])


# Memory flat in the number of rows: 4,000 rows take what 1,000 take, give or take SQLite's
# page cache (2 MiB). Before, every cell held a copy of the rest of the file: 760 MB at 8,000.
rss = {}
for n in (1000, 4000):
    db = store(f"rss{n}")
    rss[n] = max_rss_kib(["import", "--csv", write(f"rss{n}.csv", rows_csv(n))], db)
    rel.check(rel.scalar(db, "SELECT count(*) FROM items WHERE key LIKE 'bulk.%'") == n,
              f"{n} rows imported {rel.scalar(db, 'SELECT count(*) FROM items')} items")
rel.figure(f"import --csv peak RSS: 1,000 rows {rss[1000] / 1024:.1f} MiB, "
           f"4,000 rows {rss[4000] / 1024:.1f} MiB")
rel.check(rss[4000] - rss[1000] < 4096,
          f"peak RSS grew by {(rss[4000] - rss[1000]) / 1024:.1f} MiB from 1,000 to 4,000 rows")

# What export --format csv writes from a 20,000-item store imports back, and is written again
# byte for byte; from standard input too (spooled).
src = os.path.join(tmp, "rss4000.db")
rel.ok(docket, ["import", "--csv", write("more.csv", rows_csv(16000).replace(b"bulk.", b"more."))],
       src)
a_csv = os.path.join(tmp, "a.csv")
rel.ok(docket, ["export", "--format", "csv", "-o", a_csv], src)
n_items = rel.scalar(src, "SELECT count(*) FROM items")
rel.check(n_items >= 20000, f"the source store holds {n_items} items")
for how in ("file", "stdin"):
    copy = store("copy-" + how)
    t = rel.Timer()
    if how == "file":
        r = rel.ok(docket, ["import", "--csv", a_csv], copy, extra_env=SPOOL)
    else:
        with open(a_csv, "rb") as f:
            r = rel.ok(docket, ["import", "--csv", "-"], copy, input=f.read(), extra_env=SPOOL)
    rel.figure(f"import --csv of a {n_items}-item export from {how}: {t.s():.1f} s")
    rel.check(os.listdir(spool_dir) == [], f"left in TMPDIR: {os.listdir(spool_dir)}")
    b_csv = os.path.join(tmp, "b.csv")
    rel.ok(docket, ["export", "--format", "csv", "-o", b_csv], copy)
    with open(a_csv, "rb") as fa, open(b_csv, "rb") as fb:
        rel.check(fa.read() == fb.read(), f"the export of the copy ({how}) differs")
    rel.ok(docket, ["verify"], copy)

# A NUL byte anywhere is refused, naming its row and column.
db = store("bad")
HEAD = b"key,title,kind,progress\n"
NUL = b": a NUL byte (a CSV file is text)"
for name, body, where in [
        ("title", b"action.n,abc\0HIDDEN,action,\n", b"row 2, column title"),
        ("quoted", b"action.n,\"abc\0HIDDEN\",action,\n", b"row 2, column title"),
        ("after quote", b"action.n,\"abc\"\0,action,\n", b"row 2, column title"),
        ("ignored column", b"action.n,abc,action,1\0\n", b"row 2, column progress"),
        ("extra field", b"action.n,abc,action,,\0\n", b"row 2, column 5"),
        ("key", b"\0action.n,abc,action,\n", b"row 2, column key"),
        ("last byte", b"action.n,abc,action,\0", b"row 2, column progress")]:
    refused(db, ["import", "--csv", write("nul.csv", HEAD + body)], 3,
            b"docket: import: " + where + NUL)
refused(db, ["import", "--csv", write("nul.csv", b"key,ti\0tle\n")], 3,
        b"docket: import: row 1, column 2" + NUL)
# After 2,000 good rows: none of them is written; from standard input too.
deep = rows_csv(2000) + b"action.n,abc\0,action,,\n"
refused(db, ["import", "--csv", write("nul.csv", deep)], 3,
        b"docket: import: row 2002, column title" + NUL)
refused(db, ["import", "--csv", "-"], 3, b"docket: import: row 2002, column title" + NUL,
        input=deep)

# Quotes: text after a closing quote and a quote never closed are told apart.
AFTER = (b": text after the closing quote of a quoted field (a quote inside one is written "
         b"twice)")
refused(db, ["import", "--csv", write("q.csv", HEAD + b"action.q,\"ab\"c,action,\n")], 3,
        b"docket: import: row 2, column title" + AFTER)
refused(db, ["import", "--csv", write("q.csv", HEAD + b"action.q,\"ab\" ,action,\n")], 3,
        b"docket: import: row 2, column title" + AFTER)
refused(db, ["import", "--csv", write("q.csv", HEAD + b"action.q,\"ab,action,\n")], 3,
        b"docket: import: row 2: a quoted field is not closed")

# Cells are bounded: 4 MiB is taken, one byte more is not, quoted or not.
BIG = b": a cell longer than %d bytes" % CELL_MAX
for quote in (b"", b"\""):
    body = b"action.big," + quote + b"x" * (CELL_MAX + 1) + quote + b",action,\n"
    refused(db, ["import", "--csv", write("big.csv", HEAD + body)], 3,
            b"docket: import: row 2, column title" + BIG)
body = b"key,title,kind,description\naction.big,Big,action,\"" + b"y" * CELL_MAX + b"\"\n"
rel.ok(docket, ["import", "--csv", write("big.csv", body)], db)
rel.check(rel.scalar(db, "SELECT length(description) FROM items WHERE key = 'action.big'")
          == CELL_MAX, "a 4 MiB cell was not stored whole")
refused(db, ["import", "--csv", write("wide.csv", b",".join([b"progress"] * 65) + b"\n")], 3,
        b"docket: import: row 1: more than 64 columns")

# Out of memory is out of memory: fail each large allocation (64 KiB or more) of an import of a
# 600 KB cell in turn; every run ends with one line, no run claims a quote is not closed, and
# nothing is written. One of them is the CSV reader's own, said as such.
oom_csv = write("oom.csv", b"key,title,kind\naction.oom,\"" + b"z" * 600000 + b"\",action\n")
count = os.path.join(tmp, "count")
probe = store("oom-probe")
rel.ok(docket, ["import", "--csv", oom_csv], probe,
       extra_env={"LD_PRELOAD": failmalloc, "FAILMALLOC_OVER": "65536",
                  "FAILMALLOC_AFTER": "1000000", "FAILMALLOC_REPORT": count})
with open(count) as f:
    large = int(f.read())
rel.check(large >= 4, f"only {large} large allocations in an import of a 600 KB cell")
db = store("oom")
reader = 0
for k in range(large):
    before = rel.dump_fingerprint(db)
    r = rel.run(docket, ["import", "--csv", oom_csv], db,
                extra_env={"LD_PRELOAD": failmalloc, "FAILMALLOC_OVER": "65536",
                           "FAILMALLOC_AFTER": str(k)})
    rel.check(r.rc in (3, 4, 6) and rel.one_error_line(r),
              f"allocation {k + 1} of {large} failed:\n" + r.describe())
    rel.check(b"not closed" not in r.err, "out of memory taken for a quote:\n" + r.describe())
    rel.check(rel.dump_fingerprint(db) == before, "a failed import wrote:\n" + r.describe())
    if r.err == b"docket: import: row 2, column title: out of memory\n":
        rel.check(r.rc == 6, "the CSV reader's out of memory is not exit 6:\n" + r.describe())
        reader += 1
rel.check(reader > 0, "no run met the CSV reader's out of memory")
rel.figure(f"out of memory at each of {large} large allocations: {large} refusals, "
           f"{reader} in the CSV reader")

# Standard input goes to a file with no name: none in TMPDIR while docket reads it, none after
# a SIGKILL, and the store untouched.
db = store("spool")
before = rel.dump_fingerprint(db)
p = subprocess.Popen([docket, "import", "--csv", "-"], stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     env=rel.env(db, **SPOOL))
p.stdin.write(rows_csv(500))
p.stdin.flush()
spooled = None
deadline = time.monotonic() + 30
while spooled is None and time.monotonic() < deadline:
    for fd in os.listdir(f"/proc/{p.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{p.pid}/fd/{fd}")
        except OSError:
            continue
        if os.path.basename(target).startswith("docket-import-"):
            spooled = target
    time.sleep(0.05)
rel.check(spooled is not None and spooled.endswith(" (deleted)"),
          f"standard input is not spooled to a file without a name: {spooled!r}")
rel.check(os.listdir(spool_dir) == [], f"a spool file has a name: {os.listdir(spool_dir)}")
p.send_signal(signal.SIGKILL)
p.wait()
p.stdin.close()
rel.check(os.listdir(spool_dir) == [], f"left in TMPDIR after SIGKILL: {os.listdir(spool_dir)}")
rel.check(rel.dump_fingerprint(db) == before, "a killed import wrote")

rel.figure(f"{timer.s():.1f} s")
rel.done()
