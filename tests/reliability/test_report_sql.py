"""Hostile report SQL. A report may come from any folder (--reports), so its sections run in a
sandbox (src/report.c): every SQL function SQLite offers is called from a section of its own, and
every table-valued pragma and virtual table module is read from one. Each either runs or is
refused with one line and exit 3, nothing on stdout; what reveals memory or the file system, or
describes the connection rather than the store, is always refused; what the shipped report uses
always runs. Statements that would write, attach, vacuum into a file or set a pragma are refused
too. In the end the store is byte for byte what it was, still in WAL, and no file appeared.

usage: python3 test_report_sql.py DOCKET
"""

import os
import re
import sqlite3

import rel

(docket,) = rel.args(["docket"])
tmp = rel.tmpdir()
db = os.path.join(tmp, "docket.db")
rdir = os.path.join(tmp, "reports")
os.makedirs(rdir)

# Always refused: they reveal memory or files, load code, or change from run to run. Names this
# SQLite does not have are refused as unknown.
MUST_REFUSE = {"fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "randomblob",
               "zeroblob", "random", "sqlite_compileoption_get", "sqlite_compileoption_used",
               "sqlite_source_id", "sqlite_version", "sqlite_offset", "changes", "total_changes",
               "last_insert_rowid", "matchinfo", "offsets", "snippet", "highlight", "optimize",
               "fts5_source_id", "rtreenode", "rtreedepth", "rtreecheck", "sqlite_log"}
# Always allowed: what reports/progress.sql and a reasonable report use.
MUST_ALLOW = {"count", "avg", "round", "sum", "total", "group_concat", "instr", "coalesce",
              "typeof", "julianday", "json_extract", "max", "min", "upper", "lower", "substr",
              "date", "datetime", "strftime", "printf", "length", "abs", "ifnull", "iif",
              "row_number", "rank", "lag", "lead", "replace", "trim", "->", "->>"}
# Table-valued functions a section may read: they read only their arguments.
TABLES_ALLOWED = {"json_each", "json_tree"}

rel.ok(docket, ["init"], db)
rel.ok(docket, ["set", "ceb", "approached", "-m", "letter", "--on", "2016-03"], db)
rel.checkpoint(db)
fp0 = rel.dump_fingerprint(db)
files0 = sorted(f for f in os.listdir(tmp) if not f.endswith(("-wal", "-shm")))


def section(name, sql):
    """Runs a report of one section NAME holding SQL; returns the Result."""
    with open(os.path.join(rdir, "probe.sql"), "w", encoding="utf-8") as f:
        f.write(f"-- title: Probe\n-- section: {name}\n-- title: Probe\n{sql}\n")
    return rel.run(docket, ["report", "probe", "--reports", rdir, "--format", "csv"], db,
                   timeout=60, extra_env={"DOCKET_REPORT_TIMEOUT_MS": "5000"})


def refused_line(r, kind, name):
    pat = (rf"^docket: report: {re.escape(rdir)}/probe\.sql:4: section 'p': "
           rf"({kind} '{re.escape(name)}' is not allowed in a report|"
           rf"no such (function|table): {re.escape(name)})\n$")
    return r.rc == 3 and rel.one_error_line(r) and r.out == b"" and \
        re.match(pat, r.err.decode("utf-8", "replace")) is not None


def clear_failure(r):
    """An argument SQLite does not take: one line, exit 3, nothing on stdout."""
    return r.rc == 3 and rel.one_error_line(r) and r.out == b""


def call(name, kind, narg):
    args = ", ".join(["'1'"] * (1 if narg < 0 else narg))
    if name in ("->", "->>"):
        expr = f"('{{\"a\": 1}}' {name} '$.a')"
    else:
        expr = f"{name}({args})"
    if kind == "w":
        expr += " OVER ()"
    return f"SELECT {expr} AS v FROM (SELECT 1);"


c = sqlite3.connect(":memory:")
functions = sorted(set(c.execute("SELECT name, type, narg FROM pragma_function_list")))
modules = sorted({r[0] for r in c.execute("SELECT name FROM pragma_module_list")})
pragmas = sorted({r[0] for r in c.execute("SELECT name FROM pragma_pragma_list")})
c.close()
listed = {f[0] for f in functions}
for name in MUST_REFUSE - listed:
    functions.append((name, "s", 1))

allowed, refused, failed_args = set(), set(), set()
for name, kind, narg in functions:
    r = section("p", call(name, kind, narg))
    if refused_line(r, "function", name):
        refused.add(name)
    elif r.rc == 0:
        allowed.add(name)
    else:
        rel.check(clear_failure(r) and b"is not allowed" not in r.err,
                  f"function {name}: neither run nor refused with one line:\n" + r.describe())
        failed_args.add(name)
        allowed.add(name)
bad = sorted(MUST_REFUSE & allowed)
rel.check(not bad, f"functions that must be refused ran: {bad}")
bad = sorted(n for n in MUST_ALLOW & refused)
rel.check(not bad, f"functions a report needs were refused: {bad}")
for name, sql in (("money", "money(250050, 'CHF')"), ("period_end", "period_end('2016')"),
                  ("add_months", "add_months('2016-01-31', 1)")):
    r = section("p", f"SELECT {sql} AS v;")
    rel.check(r.rc == 0 and r.err == b"", f"docket's own {name} was refused:\n" + r.describe())
rel.figure(f"{len(allowed | refused)} SQL functions called from a section: {len(allowed)} run "
           f"({len(failed_args)} of them refusing the probe's arguments with one line), "
           f"{len(refused)} refused with one line")

# Every table-valued pragma, with and without an argument, and every module but json_each and
# json_tree.
tables = 0
for name in pragmas:
    for sql in (f"SELECT * FROM pragma_{name};", f"SELECT count(*) FROM pragma_{name}('x');"):
        r = section("p", sql)
        rel.check(refused_line(r, "table", f"pragma_{name}") or
                  (clear_failure(r) and b"is not allowed" not in r.err and
                   re.search(rb"no such table|not a function|no such", r.err) is not None),
                  f"pragma_{name}: not refused:\n" + r.describe())
        tables += 1
for name in modules:
    if name in TABLES_ALLOWED:
        continue
    for sql in (f"SELECT * FROM {name};", f"SELECT count(*) FROM {name};"):
        r = section("p", sql)
        rel.check(r.rc == 3 and rel.one_error_line(r) and r.out == b"",
                  f"module {name}: not refused:\n" + r.describe())
        tables += 1
for name, rows in (("json_each", b"3"), ("json_tree", b"4")):
    r = section("p", f"SELECT count(*) AS n FROM {name}('[1, 2, 3]');")
    rel.check(r.rc == 0 and r.out.replace(b"\r", b"").endswith(b"n\n" + rows + b"\n"),
              f"{name} is refused:\n" + r.describe())
rel.figure(f"{tables} reads of table-valued pragmas and virtual table modules: every one refused "
           f"with one line; json_each and json_tree run")

# Statements that are not a query.
statements = [
    ("ATTACH '{d}/other.db' AS other", "ATTACH is not allowed"),
    ("VACUUM INTO '{d}/copy.db'", "would write to the store"),
    ("PRAGMA writable_schema = 1", "PRAGMA 'writable_schema' is not allowed"),
    ("PRAGMA journal_mode = delete", "PRAGMA 'journal_mode' is not allowed"),
    ("SELECT 1; PRAGMA query_only = 0", "holds more than one statement"),
    ("DELETE FROM items", "would write to the store"),
    ("CREATE TEMP TABLE t AS SELECT 1", "would write to the store"),
    ("SAVEPOINT s", "is not a query"),
    ("SELECT count(*) FROM sqlite_master; DETACH main", "holds more than one statement"),
]
for sql, why in statements:
    r = section("p", sql.format(d=tmp) + ";")
    rel.check(r.rc == 3 and rel.one_error_line(r) and r.out == b"" and why.encode() in r.err,
              f"{sql}: not refused as '{why}':\n" + r.describe())

# Bounds: deep expressions, long LIKE patterns, many compound SELECTs, huge strings.
bounds = [
    ("SELECT " + " + ".join(["1"] * 150) + " AS v;", "Expression tree is too large"),
    ("SELECT 'a' LIKE printf('%.2000c', 'a') AS v;", "LIKE or GLOB pattern too complex"),
    (" UNION ALL ".join(["SELECT 1 AS v"] * 60) + ";", "too many terms in compound SELECT"),
    ("SELECT length(replace(printf('%.1000c', 'x'), 'x', printf('%.40000c', 'y'))) AS v;",
     "string or blob too big"),
    ("SELECT ?20 AS v;", "variable number must be between"),
]
for sql, why in bounds:
    r = section("p", sql)
    rel.check(r.rc == 3 and rel.one_error_line(r) and r.out == b"" and why.encode() in r.err,
              f"{sql[:60]}: not bounded ('{why}'):\n" + r.describe())
rel.figure(f"{len(statements)} statements that are not a query and {len(bounds)} past the "
           f"sandbox's bounds: each refused with one line")

rel.check(rel.dump_fingerprint(db) == fp0, "the store changed")
rel.check(rel.scalar(db, "PRAGMA journal_mode") == "wal", "the store left WAL")
rel.check(sorted(f for f in os.listdir(tmp) if not f.endswith(("-wal", "-shm"))) == files0,
          f"files appeared: {sorted(set(os.listdir(tmp)) - set(files0))}")
rel.ok(docket, ["verify"], db)
rel.done()
