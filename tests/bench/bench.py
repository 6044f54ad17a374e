#!/usr/bin/env python3
"""bench.py: times docket's commands as whole processes on generated stores of three sizes,
beside the sqlite3 shell doing the equivalent work on the same file and Taskwarrior holding the
same items and changes, and prints Markdown tables of medians with their ratios.

usage: bench.py BUILD_DIR [--sizes small,medium,large] [--runs N]
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = {"small": (1000, 10000), "medium": (10000, 100000), "large": (10000, 1000000)}
RSS_FILE = os.path.join(tempfile.gettempdir(), "docket-bench-rss")


def run_once(argv, env, rss=False, stdin=None):
    """Runs ARGV; returns (seconds, peak RSS in KiB or 0). The peak is taken in a separate run
    under GNU time, whose own start would otherwise count in the time: a child forked from this
    Python would report Python's own pages as its peak."""
    if rss:
        argv = ["/usr/bin/time", "-f", "%M", "-o", RSS_FILE, *argv]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdin=stdin or subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(argv)} exited {proc.returncode}: "
                 f"{proc.stderr.decode(errors='replace').strip()}")
    if not rss:
        return elapsed, 0
    with open(RSS_FILE) as f:
        return elapsed, int(f.read().split()[-1])


def measure(argv, env, runs, setup=None):
    """Returns (median s, min s, max s, peak KiB): RUNS timed runs after a warm-up run that
    also takes the peak memory."""
    if setup:
        setup()
    _, peak = run_once(argv, env, rss=True)
    times = []
    for _ in range(runs):
        if setup:
            setup()
        times.append(run_once(argv, env)[0])
    return statistics.median(times), min(times), max(times), peak


def ms(s):
    return f"{s * 1000:.1f}"


def schema_digest(root):
    h = hashlib.sha1()
    for path in sorted(glob.glob(os.path.join(root, "schema", "*.sql"))):
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:10]


def remove_store(path):
    for suffix in ("", "-wal", "-shm", ".key"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def run_store(build, root, name, args, run):
    """A copy, BUILD/bench/RUN, of the store docket-bench-gen makes with ARGS (made once, kept as
    BUILD/bench/NAME-ARGS-SCHEMA.db until the schema changes), with its office key as init
    leaves it. Returns the copy's path."""
    gen = os.path.join(build, "tests", "docket-bench-gen")
    work = os.path.join(build, "bench")
    os.makedirs(work, exist_ok=True)
    master = os.path.join(work, f"{name}-{'-'.join(args)}-{schema_digest(root)}.db")
    if not os.path.exists(master):
        t0 = time.perf_counter()
        subprocess.run([gen, master + ".tmp"] + list(args), check=True)
        os.rename(master + ".tmp.key", master + ".key")
        os.rename(master + ".tmp", master)
        print(f"generated {master} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    db = os.path.join(work, run)
    remove_store(db)
    shutil.copyfile(master, db)
    shutil.copyfile(master + ".key", db + ".key")
    os.chmod(db + ".key", 0o600)
    return db


def sqlite_insert_baseline(export_path, empty_db):
    """Seconds to insert the export's events into an empty docket store with one prepared
    statement in one transaction (Python's sqlite3 over the system's SQLite); the rows are read
    and decoded before the clock starts."""
    rows = []
    with open(export_path) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") != "event":
                continue
            attrs = json.dumps(o["attrs"], separators=(",", ":"), sort_keys=True) \
                if o.get("attrs") else None
            rows.append((o["seq"], o["uuid"], o["batch"], o["event_type"], o["item"],
                         o["subject"], o["old"], o["new"], attrs, o["reason"], o["eff"],
                         o["recorded"], o["actor"], o["login"], o["replica"],
                         bytes.fromhex(o["hash"])))
    import sqlite3
    con = sqlite3.connect(empty_db, isolation_level=None)
    con.execute("PRAGMA synchronous = FULL")
    start = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO event (seq, uuid, batch, type, item, subject, old_value, "
                    "new_value, attrs, reason, eff, recorded, actor, login, replica, hash) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def taskwarrior(work, items, events):
    """Makes a Taskwarrior database holding ITEMS tasks and EVENTS changes (as annotations);
    returns its environment, or None when task is not installed."""
    if shutil.which("task") is None:
        return None
    data = os.path.join(work, f"task-{items}-{events}")
    env = dict(os.environ, TASKRC=os.path.join(data, "taskrc"), TASKDATA=data)
    if not os.path.exists(os.path.join(data, "pending.data")):
        os.makedirs(data, exist_ok=True)
        with open(env["TASKRC"], "w") as f:
            f.write(f"data.location={data}\nconfirmation=off\nverbose=nothing\n")
        per = max(1, events // items)
        tasks = [{"uuid": "%08x-0000-4000-8000-%012x" % (i, i),
                  "description": f"unct in country {i:05d}", "status": "pending",
                  "entry": "20151124T000000Z", "project": "unct",
                  "annotations": [{"entry": "2016%02d%02dT000000Z" % (1 + j % 12, 1 + j % 28),
                                   "description": f"change {j}: member"} for j in range(per)]}
                 for i in range(items)]
        path = os.path.join(data, "import.json")
        with open(path, "w") as f:
            json.dump(tasks, f)
        subprocess.run(["task", "import", path], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def bench_size(build, root, name, items, events, runs):
    docket = os.path.join(build, "docket")
    work = os.path.join(build, "bench")
    db = run_store(build, root, "store", [str(items), str(events)], "run.db")
    env = dict(os.environ, DOCKET_DB=db, DOCKET_ACTOR="bench")
    sqlite = ["sqlite3", db]
    # The one-row baseline commits into a WAL store of its own: a table docket does not know
    # would make docket refuse the store it measures.
    row_db = os.path.join(work, "row.db")
    remove_store(row_db)
    subprocess.run(["sqlite3", row_db, "PRAGMA journal_mode = WAL; CREATE TABLE bench_row (seq "
                    "INTEGER PRIMARY KEY, uuid TEXT, batch TEXT, type TEXT, item TEXT, subject "
                    "TEXT, old_value TEXT, new_value TEXT, reason TEXT, eff TEXT, recorded TEXT, "
                    "actor TEXT, login TEXT, replica TEXT, hash BLOB)"],
                   check=True, stdout=subprocess.DEVNULL)
    key = "undg.regional/C00001"
    batch = [f"undg.regional/C{n:05d}" for n in range(0, 500, 5)]  # multiples of 5 are undg.regional
    list_sql = ("SELECT i.key, i.status, i.progress, i.since, i.next_due, i.title FROM items i "
                "LEFT JOIN paragraphs p ON p.doc = i.doc AND p.ref = i.ref "
                "ORDER BY i.doc, p.ord IS NULL, p.ord, i.key")
    item_sql = ("SELECT * FROM event WHERE item = (SELECT uuid FROM items WHERE key = "
                f"'{key}') ORDER BY seq")
    row_sql = ("PRAGMA synchronous = FULL; INSERT INTO bench_row (uuid, batch, type, item, "
               "subject, old_value, new_value, reason, eff, recorded, actor, login, replica, "
               "hash) VALUES (lower(hex(randomblob(16))), 'b', 'status', 'i', 'k', 'a', 'b', "
               "'r', '2016', strftime('%Y-%m-%dT%H:%M:%fZ'), 'a', 'l', 'r', randomblob(32))")
    export = os.path.join(work, "export.jsonl")
    imported = os.path.join(work, "import.db")
    init_db = os.path.join(work, "init.db")
    rows = []

    def row(label, argv, base=None, base_env=None, setup=None, note=""):
        m = measure(argv, env, runs, setup)
        b = measure(base, base_env or env, runs) if base else None
        rows.append((label, m, b, note))

    row("init", [docket, "-d", init_db, "init"], setup=lambda: remove_store(init_db))
    # --force: each run sets the status the one before it left (a confirmation, same work).
    row("one set", [docket, "set", key, "member", "-m", "bench", "--force"],
        ["sqlite3", row_db, row_sql],
        note="vs the sqlite3 shell committing one row")
    row("100-key set", [docket, "set", *batch, "member", "-m", "bench", "--force"])
    row("list", [docket, "list"], sqlite + [list_sql], note="vs the same SELECT in sqlite3")
    row("list --as-of", [docket, "list", "--as-of", "2020-06"])
    row("show KEY", [docket, "show", key], sqlite + [item_sql])
    row("log KEY", [docket, "log", key], sqlite + [item_sql])
    row("diff", [docket, "diff", "2019", "2021"])
    for fmt in ("md", "html", "csv", "json"):
        row(f"report {fmt}", [docket, "report", "--format", fmt])
    row("verify", [docket, "verify"])
    row("verify --deep", [docket, "verify", "--deep"])
    row("export", [docket, "export", "-o", export])

    def fresh_import_target():
        remove_store(imported)
        subprocess.run([docket, "-d", imported, "init", "--empty"], check=True,
                       stdout=subprocess.DEVNULL)

    m = measure([docket, "-d", imported, "import", export], env, max(1, runs // 3),
                fresh_import_target)
    fresh_import_target()
    raw = sqlite_insert_baseline(export, imported)
    rows.append(("import of the export", m, (raw, raw, raw, 0),
                 "vs one prepared INSERT in one transaction"))
    tw = taskwarrior(work, items, events) if name == "medium" else None
    n_events = int(subprocess.run(sqlite + ["SELECT count(*) FROM event"], capture_output=True,
                                  text=True, check=True).stdout)

    print(f"### {name}: {items} items, {n_events} events\n")
    print("| command | docket ms (min-max) | peak MiB | baseline ms | docket/baseline | note |")
    print("|---|---|---|---|---|---|")
    for label, m, b, note in rows:
        if label.startswith("verify"):
            note = f"{n_events / m[0]:,.0f} events/s"
        ratio = f"{m[0] / b[0]:.2f}x" if b else ""
        print(f"| {label} | {ms(m[0])} ({ms(m[1])}-{ms(m[2])}) | {m[3] / 1024:.1f} | "
              f"{ms(b[0]) if b else ''} | {ratio} | {note} |")
    if tw:
        print(f"\nTaskwarrior {subprocess.run(['task', '--version'], capture_output=True, text=True, env=tw).stdout.strip()} "
              f"holding {items} tasks and {events} changes (annotations), same sitting:\n")
        print("| operation | docket ms | task ms | task/docket |")
        print("|---|---|---|---|")
        for label, argv, targv in (
                ("list", [docket, "list"], ["task", "list"]),
                ("one change", [docket, "set", key, "approached", "-m", "bench", "--force"],
                 ["task", "1", "modify", "project:x"]),
                ("history by month", [docket, "report", "--section", "over-time"],
                 ["task", "history"])):
            d = measure(argv, env, runs)
            t = measure(targv, tw, runs)
            print(f"| {label} | {ms(d[0])} | {ms(t[0])} | {t[0] / d[0]:.1f}x |")
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    print("docket benchmark: medians of runs after a warm-up, whole processes, "
          f"{os.cpu_count()} cores\n")
    for name in a.sizes.split(","):
        items, events = SIZES[name]
        bench_size(a.build, root, name, items, events, a.runs)


if __name__ == "__main__":
    main()
