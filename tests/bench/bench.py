#!/usr/bin/env python3
"""bench.py: times docket's commands as whole processes on a generated store, beside the sqlite3
shell doing the equivalent work on the same file, and prints a Markdown table of medians.

usage: bench.py BUILD_DIR [--items N] [--events N] [--runs N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


RSS_FILE = "/tmp/docket-bench-rss"


def run_once(argv, env, stdin=None, rss=False):
    """Runs ARGV; returns (seconds, peak RSS in KiB or 0). The peak is taken in a separate run
    under GNU time, whose own start would otherwise count in the time: a child forked from
    this Python would report Python's own pages as its peak."""
    if rss:
        argv = ["/usr/bin/time", "-f", "%M", "-o", RSS_FILE, *argv]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin.encode() if stdin else None,
                          stdin=None if stdin else subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} exited {proc.returncode}: "
                 f"{proc.stderr.decode(errors='replace').strip()}")
    if not rss:
        return elapsed, 0
    with open(RSS_FILE) as f:
        return elapsed, int(f.read().split()[-1])


def measure(argv, env, runs, stdin=None, setup=None):
    """Returns (median s, min s, max s, peak KiB): RUNS timed runs after one warm-up that also
    takes the peak memory."""
    if setup:
        setup()
    _, peak = run_once(argv, env, stdin, rss=True)
    times = []
    for _ in range(runs):
        if setup:
            setup()
        times.append(run_once(argv, env, stdin)[0])
    return statistics.median(times), min(times), max(times), peak


def ms(s):
    return f"{s * 1000:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()

    docket = os.path.join(a.build, "docket")
    gen = os.path.join(a.build, "tests", "docket-bench-gen")
    work = os.path.join(a.build, "bench")
    os.makedirs(work, exist_ok=True)
    master = os.path.join(work, f"store-{a.items}-{a.events}.db")
    if not os.path.exists(master):
        t0 = time.perf_counter()
        subprocess.run([gen, master + ".tmp", str(a.items), str(a.events)], check=True)
        os.rename(master + ".tmp", master)
        print(f"generated {master} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    db = os.path.join(work, "run.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    shutil.copyfile(master, db)
    env = dict(os.environ, DOCKET_DB=db, DOCKET_ACTOR="bench")
    sqlite = ["sqlite3", db]
    subprocess.run(sqlite + ["CREATE TABLE IF NOT EXISTS bench_row (seq INTEGER PRIMARY KEY, "
                             "uuid TEXT, batch TEXT, type TEXT, item TEXT, subject TEXT, "
                             "old_value TEXT, new_value TEXT, reason TEXT, eff TEXT, "
                             "recorded TEXT, actor TEXT, login TEXT, replica TEXT, hash BLOB)"],
                   check=True)

    key = "unct/C00001"
    batch = [f"unct/C{n:05d}" for n in range(0, 500, 5)]  # multiples of 5 are unct
    list_sql = ("SELECT i.key, i.status, i.progress, i.since, i.next_due, i.title FROM items i "
                "LEFT JOIN paragraphs p ON p.doc = i.doc AND p.ref = i.ref "
                "ORDER BY i.doc, p.ord IS NULL, p.ord, i.key")
    item_sql = ("SELECT * FROM event WHERE item = (SELECT uuid FROM items WHERE key = "
                f"'{key}') ORDER BY seq")
    row_sql = ("PRAGMA synchronous = FULL; INSERT INTO bench_row (uuid, batch, type, item, "
               "subject, old_value, new_value, reason, eff, recorded, actor, login, replica, "
               "hash) VALUES (lower(hex(randomblob(16))), 'b', 'status', 'i', 'k', 'a', 'b', "
               "'r', '2016', strftime('%Y-%m-%dT%H:%M:%fZ'), 'a', 'l', 'r', randomblob(32))")

    def fresh_init():
        p = os.path.join(work, "init.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)

    rows = []

    def row(name, argv, base=None, stdin=None, setup=None, note=""):
        m = measure(argv, env, a.runs, stdin, setup)
        b = measure(base, env, a.runs) if base else None
        ratio = f"{m[0] / b[0]:.2f}x" if b else ""
        rows.append((name, m, b, ratio, note))

    row("list", [docket, "list"], sqlite + [list_sql])
    row("show KEY", [docket, "show", key], sqlite + [item_sql])
    row("log KEY", [docket, "log", key], sqlite + [item_sql])
    row("list --as-of", [docket, "list", "--as-of", "2020-06"])
    row("diff", [docket, "diff", "2019", "2021"])
    row("one set", [docket, "set", key, "member", "-m", "bench"], sqlite + [row_sql],
        note="writes one event")
    row("100-key set", [docket, "set", *batch, "member", "-m", "bench"],
        note="one batch of 100 events")
    for fmt in ("md", "html", "csv", "json"):
        row(f"report {fmt}", [docket, "report", "--format", fmt])
    row("verify", [docket, "verify"])
    row("init", [docket, "-d", os.path.join(work, "init.db"), "init"], setup=fresh_init)

    n_events = int(subprocess.run(sqlite + ["SELECT count(*) FROM event"], capture_output=True,
                                  text=True, check=True).stdout)
    verify = next(r for r in rows if r[0] == "verify")
    print(f"docket on {a.items} items and about {n_events} events; medians of {a.runs} runs "
          "after a warm-up, whole processes")
    print()
    print("| command | docket ms (min-max) | peak MiB | sqlite3 shell ms | ratio | note |")
    print("|---|---|---|---|---|---|")
    for name, m, b, ratio, note in rows:
        if name == "verify":
            note = f"{n_events / verify[1][0]:,.0f} events/s"
        print(f"| {name} | {ms(m[0])} ({ms(m[1])}-{ms(m[2])}) | {m[3] / 1024:.1f} | "
              f"{ms(b[0]) if b else ''} | {ratio} | {note} |")


if __name__ == "__main__":
    main()
