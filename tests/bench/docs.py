#!/usr/bin/env python3
"""docs.py: many resolutions in one store (#15). Times `docs`, `list --doc` and the portfolio
report as whole processes on a generated store of DOCS documents, each with its own kinds and
ITEMS / DOCS items, and EVENTS events spread over them, beside the sqlite3 shell running the
same queries on the same file; prints a Markdown table of medians with their ratios.

usage: docs.py BUILD_DIR [--docs 100] [--items 10000] [--events 1000000] [--runs 5]
"""
import argparse
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import measure, ms, run_store  # noqa: E402

# The progress that counts and the requests, as view.h's VIEW_PROGRESS and VIEW_REQUESTS write
# them, and the queries of view.c's docs_sql and list_sql (with --doc's filter), as `docs` and
# `list --doc` run them through their own code.
COUNTED = ("CASE WHEN i.cadence_months IS NOT NULL AND i.next_due < '{today}' THEN 0 "
           "WHEN i.rollup = 'instances' AND r.n > 0 THEN CAST(round(r.psum * 1.0 / r.n) AS "
           "INTEGER) ELSE i.progress END")
ROLL = ("(SELECT doc, parent, count(*) AS n, sum(progress) AS psum, sum(progress = 100) AS done "
        "FROM items WHERE instr(key, '/') > 0 GROUP BY parent, doc) r ON r.parent = i.key AND "
        "r.doc IS i.doc")
DOCS_SQL = (
    "WITH q AS (SELECT i.*, " + COUNTED + " AS counted FROM items i LEFT JOIN " + ROLL +
    " WHERE instr(i.key, '/') = 0), f AS (SELECT doc, count(*) AS n, avg(CASE WHEN kind NOT IN "
    "('safeguard', 'acknowledgement') THEN counted END) AS progress, sum(next_due < '{today}') "
    "AS overdue, sum(kind NOT IN ('safeguard', 'acknowledgement') AND counted = 100 AND (final "
    "OR rollup IS 'instances')) AS done FROM q GROUP BY doc), b AS (SELECT doc, count(*) AS n "
    "FROM items WHERE breach GROUP BY doc) SELECT d.symbol, (SELECT json_extract(a.attrs, "
    "'$.alias') FROM event a WHERE a.type = 'document' AND a.item IS NULL AND a.subject = "
    "d.symbol AND json_extract(a.attrs, '$.alias') IS NOT NULL ORDER BY a.seq DESC LIMIT 1), "
    "d.title, d.adopted, coalesce(f.n, 0), f.progress, coalesce(f.overdue, 0), coalesce(b.n, 0), "
    "coalesce(f.done, 0) FROM documents d LEFT JOIN f ON f.doc = d.symbol LEFT JOIN b ON b.doc = "
    "d.symbol ORDER BY d.adopted, d.symbol")
LIST_SQL = (
    "SELECT i.key, i.title, i.kind, i.status, " + COUNTED + ", i.final, i.since, i.due, "
    "i.next_due, coalesce(i.next_due < '{today}', 0), i.breach, i.parent, i.ref, i.doc, r.n, "
    "r.done, i.rollup FROM items i LEFT JOIN " + ROLL + " WHERE i.doc IN (SELECT value FROM "
    "json_each('[\"{symbol}\"]')) ORDER BY i.doc, i.para_ord, i.key")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    docket = os.path.join(a.build, "docket")
    db = run_store(a.build, root, "docs", [str(a.items), str(a.events), "15", str(a.docs)],
                   "docs-run.db")
    # A report over many documents may run past the 30 s that a section is allowed by default.
    env = dict(os.environ, DOCKET_DB=db, DOCKET_ACTOR="bench", DOCKET_REPORT_TIMEOUT_MS="600000")
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    middle = f"{a.docs // 2:03d}"
    sqlite = ["sqlite3", db]
    rows = [
        ("docs", [docket, "docs"], sqlite + [DOCS_SQL.format(today=today)]),
        (f"list --doc d{middle}", [docket, "list", "--doc", f"d{middle}"],
         sqlite + [LIST_SQL.format(today=today, symbol=f"B/RES/{middle}")]),
        ("list (all)", [docket, "list"], None),
        ("report md (portfolio)", [docket, "report", "--format", "md"], None),
        (f"report --doc d{middle}", [docket, "report", "--doc", f"d{middle}"], None),
    ]
    print(f"docket with {a.docs} documents, {a.items} items, {a.events} events: medians of "
          f"{a.runs} runs after a warm-up, whole processes, {os.cpu_count()} cores\n")
    print("| operation | docket ms (min-max) | peak MiB | sqlite3 ms | ratio |")
    print("|---|---|---|---|---|")
    for label, argv, base in rows:
        m = measure(argv, env, a.runs)
        b = measure(base, env, a.runs) if base else None
        ratio = f"{m[0] / b[0]:.2f}x" if b else ""
        print(f"| {label} | {ms(m[0])} ({ms(m[1])}-{ms(m[2])}) | {m[3] / 1024:.1f} | "
              f"{ms(b[0]) if b else ''} | {ratio} |")
    print()


if __name__ == "__main__":
    main()
