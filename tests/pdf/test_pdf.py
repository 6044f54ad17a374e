#!/usr/bin/env python3
"""test_pdf.py: `report --format pdf` through the real headless Chromium, read back with
poppler's pdfinfo and pdftotext: the demo store's report and a 500-item store's, each A4, with
every section of the report in order, the document, the as-of date, the trail's head and
"Page N of M" on every page, and no word past the page's right margin. Then, with fake
`chromium` scripts on PATH: no Chromium, no -o, a failing Chromium, one that writes no PDF, one
that outlives DOCKET_PDF_TIMEOUT, the arguments it is given (--no-sandbox only as root), and
--publish.

usage: test_pdf.py DOCKET BENCH_GEN
Prints "ok NAME" per check and "N passed, N failed"; exits 1 when any failed.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

DOCKET = os.path.abspath(sys.argv[1])
GEN = os.path.abspath(sys.argv[2])
# Each docket run's own bound, well above what the 500-item print takes on a busy machine.
RUN_LIMIT = 240
# A word may end this many points short of the page's right edge (the margin is 14 mm, 39.7 pt,
# and the footer's page number ends at it).
EDGE = 20.0
A4 = (595, 842)

passed = 0
failed = 0

ODD_CHECKLIST = {
    "format": "docket-checklist", "version": 1,
    "document": {"symbol": "T/1\"</style><b>\\41 'é—ü'", "title": "Odd", "body": "b",
                 "session": "s", "adopted": "2015-11-24", "published": "2015-12-04",
                 "preamble": "p", "paragraphs": [{"ref": "1", "text": "t"}]},
    "kinds": [{"name": "hk", "label": "l", "description": "d", "initial": "open",
               "statuses": [{"name": "open", "label": "Open", "progress": 0, "final": False},
                            {"name": "done", "label": "Done", "progress": 100, "final": True}]}],
    "items": [{"key": "hi", "title": "t", "kind": "hk", "ref": "1", "description": "d"}],
}



MONTHS = ("January February March April May June July August September October November "
          "December").split()


def long_date(iso):
    """An ISO day as the English report writes it: 5 December 2026."""
    y, m, d = (int(x) for x in iso.split("-"))
    return "%d %s %d" % (d, MONTHS[m - 1], y)


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok", name)
    else:
        failed += 1
        print("FAIL", name + (": " + detail if detail else ""))


def run(args, env=None, timeout=RUN_LIMIT, user=None, docket=None):
    cmd = [docket or DOCKET] + args
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=env, timeout=timeout)


def tool(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=True).stdout


def section_titles(report):
    """The titles of the report's sections, in order, from its JSON (sections may nest)."""
    titles = []

    def walk(sections):
        for s in sections:
            t = s.get("title") or s.get("name")
            if t:
                titles.append(t)
            walk(s.get("sections") or [])

    walk(report.get("sections") or [])
    for doc in report.get("documents") or []:
        if isinstance(doc, dict):
            walk(doc.get("sections") or [])
    return titles


def squash(s):
    return " ".join(s.split())


def check_pdf(name, store, env, work, extra=()):
    """Prints STORE's report (EXTRA: more arguments of `report`) to PDF and checks it against
    its JSON; returns the report's JSON and the PDF's text."""
    extra = list(extra)
    r = run(["-d", store, "report", "--format", "json"] + extra, env=env)
    check(name + ": the JSON report", r.returncode == 0, r.stderr)
    report = json.loads(r.stdout)
    titles = section_titles(report)
    head = report["trail"]["stamp"]
    docs = report.get("documents") or []
    symbol = docs[0]["symbol"] if len(docs) == 1 else "%d documents" % len(docs)
    pdf = os.path.join(work, name + ".pdf")
    t0 = time.monotonic()
    r = run(["-d", store, "report", "--format", "pdf", "-o", pdf] + extra, env=env)
    took = time.monotonic() - t0
    check(name + ": printed", r.returncode == 0 and r.stdout == "" and r.stderr == "",
          "exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout[:200], r.stderr[:500]))
    if r.returncode != 0:
        return report, ""
    print("# %s: %.1f s" % (name, took))
    with open(pdf, "rb") as f:
        check(name + ": a PDF", f.read(5) == b"%PDF-")
    info = tool(["pdfinfo", pdf])
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    size = (round(float(m.group(1))), round(float(m.group(2)))) if m else None
    check(name + ": A4", size == A4, "page size %r" % (size,))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    check(name + ": pages", pages > 0, "%d pages" % pages)
    print("# %s: %d pages" % (name, pages))

    text = tool(["pdftotext", "-enc", "UTF-8", pdf, "-"])
    # Each section's title, in the report's order.
    flat, at, missing = squash(text), 0, []
    for t in titles:
        i = flat.find(squash(t), at)
        if i < 0:
            missing.append(t)
        else:
            at = i + len(squash(t))
    check(name + ": every section, in order (%d)" % len(titles), titles and not missing,
          "missing or out of order: %r" % missing)
    # Every page's margin: the document, the as-of date as people read it, the head, "Page N
    # of M".
    sheets = text.split("\f")
    if sheets and sheets[-1].strip() == "":
        sheets.pop()
    check(name + ": one text per page", len(sheets) == pages, "%d texts" % len(sheets))
    bad = []
    for n, sheet in enumerate(sheets, 1):
        words = squash(sheet)
        for want in (head, symbol, "As of: " + long_date(report["as_of"]),
                     "Page %d of %d" % (n, pages)):
            if want not in words:
                bad.append("page %d lacks %r" % (n, want))
    check(name + ": the margins of every page", not bad, "; ".join(bad[:5]))

    # No word beyond the right margin (nor left of the left one).
    bbox = tool(["pdftotext", "-bbox", pdf, "-"])
    over, n = [], 0
    for pm in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
        n += 1
        width = float(pm.group(1))
        for w in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" '
                             r'yMax="[\d.]+">(.*?)</word>', pm.group(3)):
            if float(w.group(2)) > width - EDGE or float(w.group(1)) < EDGE:
                over.append("page %d: %r at %s..%s" % (n, w.group(3), w.group(1), w.group(2)))
    check(name + ": every word within the page (%d pages)" % n, n == pages and not over,
          "; ".join(over[:5]))
    return report, text


def check_wide(store, env, work):
    """A report whose tables have 10 and 16 columns: each fits the page's width. A printed page
    cuts what runs past its edge, so that no word lies there: what is checked is that every
    cell is there, in order, the last column's too."""
    folder = os.path.join(work, "wide")
    os.makedirs(folder, exist_ok=True)
    sections = []
    for ncols in (10, 16):
        cols = ["key AS item_key", "title AS item_title",
                "'https://docs.example.org/a/long/path/without/spaces/' || key || '.pdf' AS url",
                "123456789.25 AS amount"]
        cols += ["'c%02d-abcdefgh' AS column_%02d" % (i, i) for i in range(5, ncols)]
        cols += ["'end-of-row' AS last_column"]
        sections.append("-- section: cols%d\n-- title: A table of %d columns\nSELECT %s FROM "
                        "items ORDER BY key LIMIT 40;\n" % (ncols, ncols, ", ".join(cols)))
    with open(os.path.join(folder, "wide.sql"), "w") as f:
        f.write("-- title: Wide tables\n\n" + "\n".join(sections))
    report, _ = check_pdf("wide tables", store, env, work, ["wide", "--reports", folder])
    # The text in the order it is drawn (cell by cell; plain pdftotext merges the lines of
    # cells side by side); words broken across lines join again once the whitespace is gone.
    raw = tool(["pdftotext", "-raw", "-enc", "UTF-8", os.path.join(work, "wide tables.pdf"),
                "-"])
    flat = "".join(raw.split())
    for s in report["sections"]:
        at, missing = 0, []
        for row in s["rows"]:
            for cell in row:
                # People read a figure grouped, in English: 123,456,789.25.
                want = "".join((f"{cell:,}" if isinstance(cell, float) else str(cell)).split())
                i = flat.find(want, at)
                if i < 0:
                    missing.append(want)
                else:
                    at = i + len(want)
        check("wide tables: every cell of %d columns, in order" % len(s["columns"]),
              s["rows"] and not missing, "missing: %r" % missing[:5])


def fake(folder, body):
    """Writes an executable `chromium` into FOLDER running the shell script BODY."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "chromium")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return folder


def left_behind(work, target):
    """What a failed print left: the target, its temporary files, work folders in TMPDIR."""
    out = []
    folder = os.path.dirname(target)
    base = os.path.basename(target)
    out += [f for f in os.listdir(folder) if f == base or f.startswith(base + ".tmp-")]
    out += os.listdir(os.path.join(work, "tmp"))
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
    return True


def failures(store, env, work):
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    os.chmod(out, 0o777)
    target = os.path.join(out, "r.pdf")
    base = ["-d", store, "report", "--format", "pdf"]
    system_path = "/usr/local/bin:/usr/bin:/bin"

    # A PDF is not written to stdout.
    for args in ([], ["-o", "-"]):
        r = run(base + args, env=env)
        check("no -o %r: exit 2, one line" % args, r.returncode == 2 and r.stdout == "" and
              r.stderr.count("\n") == 1 and "give -o FILE" in r.stderr, r.stderr)

    # No Chromium on PATH: a folder holding nothing (docket is called by its full name).
    empty = os.path.join(work, "empty")
    os.makedirs(empty, exist_ok=True)
    r = run(base + ["-o", target], env=dict(env, PATH=empty))
    check("no chromium: exit 6, one line",
          r.returncode == 6 and r.stderr == "docket: report: --format pdf needs chromium "
          "(apt install chromium)\n", "exit %d, %r" % (r.returncode, r.stderr))
    check("no chromium: nothing left", left_behind(work, target) == [],
          repr(left_behind(work, target)))

    # chromium-browser is taken when there is no chromium.
    alt = os.path.join(work, "alt")
    fake(alt, 'for a; do case "$a" in --print-to-pdf=*) echo "%PDF-1.4" '
         '>"${a#--print-to-pdf=}";; esac; done\n')
    os.rename(os.path.join(alt, "chromium"), os.path.join(alt, "chromium-browser"))
    # Only builtins in it: PATH holds nothing else (/bin is /usr/bin, Chromium's home).
    r = run(base + ["-o", target], env=dict(env, PATH=alt))
    check("chromium-browser when chromium is absent", r.returncode == 0 and
          open(target, "rb").read(5) == b"%PDF-", "exit %d, %r" % (r.returncode, r.stderr))
    os.unlink(target)

    # Its arguments, stdin and profile, as root and not.
    argdir = os.path.join(work, "args")
    record = os.path.join(work, "args.txt")
    fake(argdir, 'rec=%s\n: >"$rec"\nfor a; do echo "arg: $a" >>"$rec"; done\n'
         'for a; do case "$a" in\n'
         '  --print-to-pdf=*) echo "%%PDF-1.4" >"${a#--print-to-pdf=}";;\n'
         '  --user-data-dir=*) d="${a#--user-data-dir=}"; [ -d "$d" ] && '
         '[ -z "$(ls -A "$d")" ] && echo "profile: fresh" >>"$rec";;\n'
         'esac; done\necho "stdin: $(readlink /proc/$$/fd/0)" >>"$rec"\n' % record)
    runs = [(os.geteuid(), os.geteuid() == 0, store)]
    if os.geteuid() == 0:
        # Another user's run, on a store of its own in a folder open to all.
        other = os.path.join(work, "nobody")
        os.makedirs(other, mode=0o777)
        os.chmod(other, 0o777)
        runs.append((65534, False, os.path.join(other, "demo.db")))
        # A copy of the binary that the other user can reach, wherever the build is.
        theirs = os.path.join(other, "docket")
        shutil.copy(DOCKET, theirs)
        os.chmod(theirs, 0o755)
        r = run(["-d", runs[-1][2], "init"], env=env, user=65534, docket=theirs)
        check("a store as uid 65534", r.returncode == 0, r.stderr)
    for uid, sandboxless, st in runs:
        target_u = os.path.join(out, "u%d.pdf" % uid)
        r = run(["-d", st] + base[2:] + ["-o", target_u],
                env=dict(env, PATH=argdir + ":" + system_path),
                user=None if uid == os.geteuid() else uid,
                docket=None if uid == os.geteuid() else theirs)
        lines = open(record).read().split("\n") if os.path.exists(record) else []
        got = [a[5:] for a in lines if a.startswith("arg: ")]
        who = "as uid %d" % uid
        check(who + ": printed", r.returncode == 0 and os.path.exists(target_u),
              "exit %d, %r" % (r.returncode, r.stderr))
        check(who + ": --no-sandbox " + ("given" if sandboxless else "not given"),
              ("--no-sandbox" in got) == sandboxless, repr(got))
        for flag in ("--headless", "--disable-gpu", "--no-pdf-header-footer"):
            check(who + ": " + flag, flag in got, repr(got))
        check(who + ": a fresh profile", "profile: fresh" in lines, repr(lines))
        check(who + ": stdin from /dev/null", "stdin: /dev/null" in lines, repr(lines))
        check(who + ": a file: URL last", got and got[-1].startswith("file:///"), repr(got))
        check(who + ": nothing left in TMPDIR", os.listdir(os.path.join(work, "tmp")) == [],
              repr(os.listdir(os.path.join(work, "tmp"))))
        os.unlink(record)

    # Chromium fails after much chatter: exit 6, one line that quotes its last lines only.
    faildir = fake(os.path.join(work, "fail"),
                   'i=0; while [ $i -lt 40 ]; do echo "[1:2:3:ERROR:x.cc(1)] noise $i" >&2; '
                   'i=$((i+1)); done\necho "the last words" >&2\nexit 3\n')
    r = run(base + ["-o", target], env=dict(env, PATH=faildir + ":" + system_path))
    check("failing chromium: exit 6, one line", r.returncode == 6 and
          r.stderr.count("\n") == 1 and "exit status 3" in r.stderr and
          "the last words" in r.stderr and "noise 39" in r.stderr and "noise 2 " not in r.stderr,
          "exit %d, %r" % (r.returncode, r.stderr))
    check("failing chromium: nothing left", left_behind(work, target) == [],
          repr(left_behind(work, target)))

    # Chromium that writes something else than a PDF.
    junkdir = fake(os.path.join(work, "junk"),
                   'for a; do case "$a" in --print-to-pdf=*) echo "<html>" '
                   '>"${a#--print-to-pdf=}";; esac; done\n')
    r = run(base + ["-o", target], env=dict(env, PATH=junkdir + ":" + system_path))
    check("not a PDF: exit 6", r.returncode == 6 and "not a PDF" in r.stderr,
          "exit %d, %r" % (r.returncode, r.stderr))
    check("not a PDF: nothing left", left_behind(work, target) == [],
          repr(left_behind(work, target)))

    # Chromium that hangs, with a child of its own: both killed at DOCKET_PDF_TIMEOUT.
    pids = os.path.join(work, "pids")
    slowdir = fake(os.path.join(work, "slow"),
                   'sleep 300 &\necho $! >%s\necho $$ >>%s\nexec sleep 300\n' % (pids, pids))
    t0 = time.monotonic()
    r = run(base + ["-o", target], env=dict(env, PATH=slowdir + ":" + system_path,
                                            DOCKET_PDF_TIMEOUT="1"), timeout=60)
    took = time.monotonic() - t0
    check("timeout: exit 6, one line", r.returncode == 6 and r.stderr.count("\n") == 1 and
          "DOCKET_PDF_TIMEOUT" in r.stderr, "exit %d, %r" % (r.returncode, r.stderr))
    check("timeout: stopped in time", 1 <= took < 15, "%.1f s" % took)
    check("timeout: nothing left", left_behind(work, target) == [],
          repr(left_behind(work, target)))
    left = [int(p) for p in open(pids).read().split()] if os.path.exists(pids) else []
    time.sleep(0.2)
    check("timeout: its process group killed", len(left) == 2 and
          not any(alive(p) for p in left), repr(left))
    for p in left:
        if alive(p):
            os.kill(p, signal.SIGKILL)
    # Interrupted (Ctrl-C) while it prints: Chromium's group stopped, nothing left.
    os.unlink(pids)
    p = subprocess.Popen([DOCKET] + base + ["-o", target], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(env, PATH=slowdir + ":" + system_path))
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and not (os.path.exists(pids) and
                                              len(open(pids).read().split()) == 2):
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    check("interrupted: exit 6, one line", p.returncode == 6 and err.count("\n") == 1 and
          "stopped by signal 2" in err, "exit %d, %r" % (p.returncode, err))
    check("interrupted: nothing left", left_behind(work, target) == [],
          repr(left_behind(work, target)))
    left = [int(p) for p in open(pids).read().split()] if os.path.exists(pids) else []
    time.sleep(0.2)
    check("interrupted: its process group killed", len(left) == 2 and
          not any(alive(p) for p in left), repr(left))
    for p in left:
        if alive(p):
            os.kill(p, signal.SIGKILL)

    r = run(base + ["-o", target], env=dict(env, DOCKET_PDF_TIMEOUT="0"))
    check("DOCKET_PDF_TIMEOUT=0: exit 2", r.returncode == 2 and "DOCKET_PDF_TIMEOUT" in r.stderr,
          "exit %d, %r" % (r.returncode, r.stderr))

    # --publish records the publication, as format pdf, only when the PDF is written.
    def publications():
        with sqlite3.connect(store) as db:
            return db.execute("SELECT count(*), max(json_extract(attrs, '$.format')) FROM "
                              "event WHERE type = 'publication'").fetchone()

    before = publications()[0]
    r = run(base + ["-o", target, "--publish"], env=dict(env, PATH=faildir + ":" + system_path))
    check("--publish, chromium failing: exit 6, no publication", r.returncode == 6 and
          publications()[0] == before and left_behind(work, target) == [],
          "exit %d, %r" % (r.returncode, r.stderr))
    r = run(base + ["-o", target, "--publish"], env=dict(env, PATH=argdir + ":" + system_path))
    check("--publish: the PDF written and the publication recorded", r.returncode == 0 and
          os.path.exists(target) and publications() == (before + 1, "pdf"),
          "exit %d, %r, %r" % (r.returncode, r.stderr, publications()))


def main():
    for t in ("pdfinfo", "pdftotext", "chromium", "setpriv"):
        if shutil.which(t) is None:
            print("FAIL: %s is not installed (make deps installs deps.txt)" % t)
            return 1
    work = tempfile.mkdtemp(prefix="docket-test-pdf-")
    try:
        # Open to all: part of the test runs docket as another user.
        os.chmod(work, 0o777)
        os.makedirs(os.path.join(work, "tmp"), mode=0o777)
        os.chmod(os.path.join(work, "tmp"), 0o1777)
        # The report in English, whatever the machine's locale (the checks read its words).
        env = dict(os.environ, TMPDIR=os.path.join(work, "tmp"), LANGUAGE="", LC_ALL="C")
        env.pop("DOCKET_PDF_TIMEOUT", None)
        demo = os.path.join(work, "demo.db")
        r = run(["-d", demo, "init"], env=env)
        check("the demo store", r.returncode == 0, r.stderr)
        big = os.path.join(work, "b500.db")
        subprocess.run([GEN, big, "500", "5000"], check=True, capture_output=True,
                       timeout=RUN_LIMIT)
        # A symbol that CSS and HTML would take for their own: quoted in the margin as it is.
        odd = os.path.join(work, "odd.db")
        r = run(["-d", odd, "init", "--empty"], env=env)
        cl = os.path.join(work, "odd.json")
        with open(cl, "w", encoding="utf-8") as f:
            json.dump(ODD_CHECKLIST, f, ensure_ascii=False)
        r2 = run(["-d", odd, "import", cl], env=env)
        check("a store with an odd symbol", r.returncode == 0 and r2.returncode == 0,
              r.stderr + r2.stderr)
        check_pdf("demo", demo, env, work)
        check_pdf("500 items", big, env, work)
        check_pdf("odd symbol", odd, env, work)
        # The real Chromium stopped part-way: its own temporary files go with the work folder.
        target = os.path.join(work, "stopped.pdf")
        r = run(["-d", big, "report", "--format", "pdf", "-o", target],
                env=dict(env, DOCKET_PDF_TIMEOUT="1"))
        check("chromium stopped at 1 s: exit 6", r.returncode == 6 and
              "longer than 1 s" in r.stderr, "exit %d, %r" % (r.returncode, r.stderr))
        check("chromium stopped at 1 s: nothing left", left_behind(work, target) == [],
              repr(left_behind(work, target)))
        check_wide(demo, env, work)
        check("nothing left in TMPDIR", os.listdir(os.path.join(work, "tmp")) == [],
              repr(os.listdir(os.path.join(work, "tmp"))))
        failures(demo, env, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
