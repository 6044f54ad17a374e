#!/usr/bin/env python3
"""check_report_words.py POT REPORTS_DIR: the words the shipped reports give people are
messages of the template, so that no heading falls back to English unnoticed: each title, each
description (its lines joined by one space, as report_def.c joins them), and each column name
(as a message of context "column"; not a "-- shown:" or "-- each:" column, which nobody reads
as a column, nor a "-- machines:" one, which people do not read)."""
import glob
import re
import sys

pot = open(sys.argv[1], encoding="utf-8").read()
ids = set()
for ctx, mid in re.findall(r'(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)*)"', pot):
    ids.add((ctx, mid.replace('\\"', '"')))
missing = set()
paths = glob.glob(sys.argv[2] + "/*.sql")
for path in paths:
    text = open(path, encoding="utf-8").read()
    for block in re.split(r"^-- section: .*$", text, flags=re.M):
        words = re.findall(r"^-- title: (.*)$", block, flags=re.M)
        desc = " ".join(re.findall(r"^-- description: (.*)$", block, flags=re.M))
        for w in words + ([desc] if desc else []):
            if ("", w) not in ids:
                missing.add(w)
        # The outermost SELECT's column names: quoted aliases, and bare ones ending a line or
        # followed by a comma.
        hidden = set(re.findall(r"^-- shown: (.*)$", block, flags=re.M))
        # "-- each:" columns head the rows rather than name a column people read.
        for each in re.findall(r"^-- each: (.*)$", block, flags=re.M):
            hidden |= {c.strip() for c in each.split(",")}
        # "-- machines:" columns are written for machines alone.
        for names in re.findall(r"^-- machines: (.*)$", block, flags=re.M):
            hidden |= {c.strip() for c in names.split(",")}
        if re.search(r"^-- layout: prose$", block, flags=re.M):
            continue  # sentences: nobody reads their column names
        sql = "\n".join(l for l in block.splitlines() if not l.startswith("--"))
        for col in re.findall(r'\bAS "([^"]+)"', sql) + re.findall(r"\bAS ([a-z_]+),?\s*$", sql,
                                                                    flags=re.M):
            if ("column", col) not in ids and col not in hidden | {"n", "minor", "day", "eff"}:
                missing.add("column " + col)
for m in sorted(missing):
    print("check_report_words: not in po/docket.pot: " + m, file=sys.stderr)
if not paths:
    print("check_report_words: no report in " + sys.argv[2], file=sys.stderr)
sys.exit(1 if missing or not paths else 0)
