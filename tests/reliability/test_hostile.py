"""Hostile strings: 300 strings, 160 under ASan (quotes and SQL fragments, printf formats, overlong
and truncated UTF-8, surrogates, bidi overrides, terminal escapes, CR/LF, the longest argument
Linux passes) into every text argument: titles, descriptions, reasons, notes, evidence URLs and
file names, cost bases, the actor, keys, and the values of options that name things. And through
a checklist file, into every string field of its JSON, with embedded NUL and a 1 MiB string (argv
can carry neither: a NUL ends an argument, and Linux refuses one longer than 128 KiB).

The schema never changes; invalid UTF-8 is refused with exit 3 and one line on stderr, and
nothing is written; a valid string comes back byte for byte through `show --json` and
`report --format json`; and no raw control byte or bidi override from data reaches a terminal
in list, show, log, report (Markdown) or an error message.

usage: python3 test_hostile.py DOCKET DOCKET-LOAD-CHECKLIST
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

import rel

docket, loader = rel.args(["docket", "docket-load-checklist"])
tmp = rel.tmpdir()
db = os.path.join(tmp, "hostile.db")
timer = rel.Timer()
# The longest argument Linux passes (MAX_ARG_STRLEN less its NUL), less room for a prefix.
ARG_MAX = 131072 - 1


def u(s):
    return s.encode("utf-8")


# The strings, as bytes. Valid ones must come back as they went in; invalid ones be refused.
BASE = [
    # quotes and SQL
    b"'", b'"', b"''", b"`", b"\\", b"\\'", b"'; DROP TABLE event; --",
    b"Robert'); DROP TABLE items;--", b"\" OR 1=1 --", b"' OR ''='", b"1; DELETE FROM event",
    b"x' UNION SELECT hash FROM event --", b"/* comment */", b"*/", b"--", b";", b"%", b"_",
    b"%' AND name LIKE '%", b":seq", b"?1", b"@x", b"$x", b"$(rm -rf /)", b"`id`",
    b"PRAGMA writable_schema=1", b"ATTACH DATABASE '/tmp/x' AS x", b"NULL", b"null", b"\\0",
    b"<script>alert(1)</script>", b"<!-- -->", b"]]>", b"&amp;", b"{\"a\":1}", b"[1,2]",
    b"| table | row |", b"# heading", b"**bold**", b"[link](javascript:alert(1))",
    b"a,b,\"c\"", b"=cmd|' /C calc'!A0", b"+1", b"-1", b"@SUM(1)",
    # printf formats
    b"%n", b"%n%n%n%n", b"%s", b"%s%s%s%s%s%s", b"%x%x%x", b"%p", b"%99999999s", b"%.*s",
    b"%1$s", b"%%", b"%c", b"%ls", b"%lln",
    # overlong, truncated, surrogate, out-of-range and stray UTF-8 (all invalid)
    b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xf8\x88\x80\x80\x80",
    b"\xe2\x82", b"\xf0\x9f\x98", b"abc\xc3", b"\x80", b"\xbf\xbf", b"\xed\xa0\x80",
    b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
    b"\xfe", b"\xff", b"\xfe\xff", b"caf\xe9", b"\xc3\x28", b"\xe2\x28\xa1",
    # bidi overrides, isolates, marks (valid, must be escaped in text output)
    u("\u202e"), u("abc\u202edcba"), u("\u202d\u202c"), u("\u2066x\u2069"), u("\u2067\u2068"),
    u("\u200e\u200f"), u("\u061c"), u("\u202ainvoice.pdf\u202c"), u("file\u202eFDP.exe"),
    # terminal escapes and control characters (valid, must be escaped in text output)
    b"\x1b[31mred\x1b[0m", b"\x1b]0;pwned\x07", b"\x1b[2J\x1b[H", b"\x1b[?1049h",
    b"\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\", b"\x1bP+q\x1b\\", b"\x1b[6n",
    b"\x07", b"\x08\x08\x08", b"\x7f", u("\u009b31m"), u("\u0085"), b"\x1b", b"\x1bc",
    b"a\x00b"[0:1] + b"\x01\x02\x03", b"\x0e\x0f", b"\x1a", b"\x1c\x1d\x1e\x1f",
    # CR, LF and other white space
    b"\r", b"\n", b"\r\n", b"a\r\nb", b"line1\nline2\nline3", b"over\rwrite", b"\t", b"a\tb",
    b"\x0b", b"\x0c", b" ", b"  leading", b"trailing  ", u("\u00a0"), u("\u2028\u2029"),
    u("\u3000"),
    # valid Unicode that tends to break things
    u("IOM\u2013UN Relations"), u("\U0001f600"), u("\U0001f468\u200d\U0001f469\u200d\U0001f467"),
    u("e\u0301\u0301\u0301"), u("\u200b"), u("\ufeff"), u("\ufffd"), u("\uffff"),
    u("\U0010ffff"), u("\U000e0001"), u("\u0627\u0644\u0639\u0631\u0628\u064a\u0629"),
    u("\u05e2\u05d1\u05e8\u05d9\u05ea"), u("\u4e2d\u6587"), u("\u0000".replace("\0", "nul")),
    u("Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357"), u("\u1680"), u("\ud7ff"), u("\ue000"),
    u("\U00010000"), u("\u00df\u0130\u0131"),
    # long
    b"x" * 4096, u("\u00e9") * 30000, b"%n" * 20000, b"\x1b[31m" * 10000, b"y" * (ARG_MAX - 64),
]

# Make 300: the base strings, then each wrapped in text and paired with another. A sanitizer
# build takes every sixth base string and the five long ones that close the list: each kind of
# string, through fewer docket processes.
if rel.SANITIZED:
    strings = BASE[:-5:6] + BASE[-5:]
else:
    strings = list(BASE)
    i = 0
    while len(strings) < 300:
        a = BASE[i % len(BASE)]
        b = BASE[(i * 7 + 3) % len(BASE)]
        if len(a) + len(b) < 10000:
            strings.append(b"before " + a + b" middle " + b + b" after")
        i += 1


def valid(s):
    try:
        s.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# The code points beyond ASCII that docket does not take as a letter or digit in a reason
# (text_has_word in src/text.c): spaces, punctuation, marks, symbols, emoji, invisibles.
NOT_WORD = [(0x80, 0xbf), (0xd7, 0xd7), (0xf7, 0xf7), (0x300, 0x36f), (0x1680, 0x1680),
            (0x2000, 0x2bff), (0x3000, 0x3003), (0x3008, 0x3020), (0xd800, 0xf8ff),
            (0xfe00, 0xfe0f), (0xfe10, 0xfe6f), (0xfeff, 0xfeff), (0xfff0, 0xffff),
            (0x1f000, 0x1faff), (0xe0000, 0x10ffff)]


def blank(s):
    """A valid string that holds no letter or digit: refused as a reason (exit 2)."""
    if not valid(s):
        return False
    for c in s.decode("utf-8"):
        cp = ord(c)
        if cp < 0x80 and c.isascii() and c.isalnum():
            return False
        if cp >= 0x80 and not any(lo <= cp <= hi for lo, hi in NOT_WORD):
            return False
    return True


def rsn(s):
    """S as a reason that docket takes: with a word before it when S is blank."""
    return b"r " + s if blank(s) else s


# What may not reach a terminal raw: C0 but LF, DEL, C1, and the bidi controls docket escapes.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f"
                 "\u061c]")


def terminal_safe(what, data):
    text = data.decode("utf-8", "replace")
    m = RAW.search(text)
    rel.check(m is None, f"{what}: a raw {m.group(0)!r} from data reaches the terminal, near "
                         f"{text[max(0, m.start() - 40):m.end() + 40]!r}" if m else "")


def schema():
    return rel.query(db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")


rel.ok(docket, ["init"], db)
schema0 = schema()
n_valid = sum(valid(s) for s in strings)
tally = {"accepted": 0, "refused (invalid UTF-8)": 0, "refused (other)": 0}
refused_valid = {}
files_dir = os.path.join(tmp, "files")
os.mkdir(files_dir)


def attempt(what, argv, s, extra_env=None, must_accept=True, reason=False):
    """Runs ARGV carrying S. Invalid UTF-8 must be refused (exit 3, one escaped line, nothing
    written); a valid S must be accepted when MUST_ACCEPT, else may be refused with exit 3; as
    a REASON, a blank S must be refused with exit 2."""
    n0 = rel.scalar(db, "SELECT count(*) FROM event")
    r = rel.run(docket, argv, db, extra_env=extra_env)
    n1 = rel.scalar(db, "SELECT count(*) FROM event")
    if reason and blank(s):
        rel.check(r.rc == 2 and b"no letter or digit" in r.err,
                  f"{what}: a blank reason was not refused with exit 2:\n" + r.describe())
        rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
        rel.check(n1 == n0, f"{what}: refused, yet {n1 - n0} events were written")
        tally["refused (blank reason)"] = tally.get("refused (blank reason)", 0) + 1
        return r
    if r.rc != 0:
        rel.check(r.rc == 3, f"{what}: expected exit 0 or 3:\n" + r.describe())
        rel.check(rel.one_error_line(r), f"{what}: not one line on stderr:\n" + r.describe())
        terminal_safe(f"{what}: the error message", r.err[:-1])
        rel.check(n1 == n0, f"{what}: refused, yet {n1 - n0} events were written")
    if not valid(s):
        rel.check(r.rc == 3, f"{what}: invalid UTF-8 was accepted:\n" + r.describe())
        tally["refused (invalid UTF-8)"] += 1
    elif r.rc == 0:
        tally["accepted"] += 1
    else:
        rel.check(not must_accept, f"{what}: a valid string was refused:\n" + r.describe())
        refused_valid[what.split(":")[0]] = refused_valid.get(what.split(":")[0], 0) + 1
        tally["refused (other)"] += 1
    return r


accepted = []  # (index, string) of the items that hold the string
for n, s in enumerate(strings):
    key = f"h{n:03d}"
    what = f"string {n} ({s[:40]!r}{'...' if len(s) > 40 else ''}, {len(s)} bytes)"
    # Titles, descriptions and reasons: a top-level safeguard, so that reports list it.
    r = attempt(f"add --title/--description/-m: {what}",
                ["add", key, "--title", s, "--kind", "safeguard", "--description", s, "-m", rsn(s),
                 "--on", "2016-01"], s)
    if r.rc != 0:
        # Invalid strings never get an item: try each argument alone with a valid item.
        rel.ok(docket, ["add", key, "--title", f"item {n}", "--kind", "safeguard"], db)
        for argv in (["add", key + ".t", "--title", s],
                     ["add", key + ".d", "--title", "x", "--description", s],
                     ["add", key + ".m", "--title", "x", "-m", s],
                     ["set", key, "at-risk", "-m", s],
                     ["note", key, "-m", s],
                     ["cost", key, "1.00", "USD", "-m", "m", "--basis", s],
                     ["cost", key, "1.00", "USD", "-m", s],
                     ["edit", key, b"title=" + s, "-m", "m"],
                     ["edit", key, "title=t", "-m", s],
                     ["set", key, "at-risk", "-m", "m", "--evidence", b"https://example.org/" + s]):
            attempt(f"{argv[0]} {argv[-2] if isinstance(argv[-2], str) else ''}: {what}",
                    argv, s)
        r = rel.run(docket, [b"--by", s, "set", key, "preserved", "-m", "m"], db)
        rel.check(r.rc == 3 and rel.one_error_line(r), f"--by: {what}: " + r.describe())
        continue
    accepted.append((n, s))
    attempt(f"add -m: {what}", ["add", key + ".m", "--title", "x", "--kind", "safeguard", "-m", s],
            s, reason=True)
    attempt(f"set -m: {what}", ["set", key, "at-risk", "-m", s, "--on", "2016-05"], s,
            reason=True)
    attempt(f"note -m: {what}", ["note", key, "-m", s], s, reason=True)
    attempt(f"cost --basis/-m: {what}",
            ["cost", key, "12.50", "EUR", "--basis", s, "-m", rsn(s)], s)
    attempt(f"edit: {what}", ["edit", key, b"description=" + s + b"!", "-m", rsn(s)], s)
    attempt(f"--by: {what}", [b"--by", s, "note", key, "-m", "by"], s)
    # Evidence as a URL (refused when it holds white space, which no URL holds) and as a file
    # whose name is the string (where a file name can be: no '/', at most 255 bytes).
    url = b"https://example.org/e?" + s
    attempt(f"--evidence URL: {what}", ["set", key, "preserved", "-m", "u", "--evidence", url],
            s, must_accept=not re.search(rb"[ \t\r\n]", s))
    if b"/" not in s and 0 < len(s) <= 255 and s not in (b".", b".."):
        path = os.path.join(files_dir.encode(), s)
        with open(path, "wb") as f:
            f.write(b"evidence " + s)
        attempt(f"--evidence FILE: {what}",
                ["note", key, "-m", "file", "--evidence", path], s)
    # Keys and the values of options that name something: refused or not found, never raw.
    for argv in (["add", s, "--title", "x"], ["add", b"unct/" + s, "--title", "x"],
                 ["show", s], ["set", s, "approached", "-m", "m"],
                 ["add", key + ".k", "--title", "x", "--kind", s],
                 ["add", key + ".r", "--title", "x", "--ref", s],
                 ["add", key + ".g", "--title", "x", "--goal", s],
                 ["set", key, s, "-m", "m"], ["set", key, "preserved", "-m", "m", "--on", s],
                 ["list", "--kind", s], ["list", "--under", s], ["log", "--by", s],
                 ["edit", key, b"ref=" + s, "-m", "m"]):
        r = rel.run(docket, argv, db)
        # A key that starts with '-' reads as an option: a usage error is right.
        codes = (0, 2, 3) if s.startswith(b"-") else (0, 3)
        rel.check(r.rc in codes, f"{argv[0]} {argv[1]!r:.40}: {what}:\n" + r.describe())
        if r.rc in (2, 3):
            rel.check(rel.one_error_line(r), f"{argv[0]}: {what}: " + r.describe())
            terminal_safe(f"{argv[0]}: {what}: the error message", r.err[:-1])
        elif argv[0] in ("list", "log", "show"):
            terminal_safe(f"{argv[0]}: {what}", r.out)
        else:
            rel.check(valid(s), f"{argv[0]}: {what}: invalid UTF-8 accepted")

rel.check(schema() == schema0, "the schema changed")

# Everything valid comes back byte for byte.
for n, s in accepted:
    key = f"h{n:03d}"
    want = s.decode("utf-8")
    r = rel.ok(docket, ["show", key, "--json"], db)
    js = json.loads(r.out.decode("utf-8"))
    what = f"show --json {key} (string {n}, {s[:40]!r})"
    rel.check(js["title"] == want, f"{what}: title differs")
    rel.check(js["description"] == want + "!", f"{what}: description differs")
    h = js["history"]
    reasons = [e["reason"] for e in h]
    if not blank(s):
        rel.check(reasons.count(want) >= 4, f"{what}: the reasons differ: {reasons!r:.300}")
    rel.check(any(e["actor"] == want for e in h), f"{what}: the actor differs")
    rel.check(any(e["attrs"].get("basis") == want for e in h if e["event_type"] == "cost"),
              f"{what}: the cost basis differs")
    rel.check(any(e["event_type"] == "edit" and e["new"] == want + "!" for e in h),
              f"{what}: the edited value differs")
    refs = [e["ref"] for e in js["evidence"]] + [e["new"] for e in h if e["event_type"] == "evidence"]
    if not re.search(rb"[ \t\r\n]", s):
        rel.check("https://example.org/e?" + want in refs, f"{what}: the evidence URL differs")
    if b"/" not in s and 0 < len(s) <= 255 and s not in (b".", b".."):
        rel.check(os.path.join(os.path.realpath(files_dir), want) in refs,
                  f"{what}: the evidence file name differs")
    r = rel.ok(docket, ["show", key], db)
    terminal_safe(f"show {key}", r.out)

# Reports: JSON carries them exactly, Markdown escapes them; list and log too.
r = rel.ok(docket, ["report", "--format", "json"], db)
rep = json.loads(r.out.decode("utf-8"))
sg = next(sec for sec in rep["sections"] if sec["name"] == "safeguards")
kcol, tcol = sg["columns"].index("key"), sg["columns"].index("title")
titles = {row[kcol]: row[tcol] for row in sg["rows"]}
for n, s in accepted:
    rel.check(titles.get(f"h{n:03d}") == s.decode("utf-8"),
              f"report --format json: the title of h{n:03d} differs")
ev = next((sec for sec in rep["sections"] if sec["name"] == "evidence"), None)
if ev is not None:
    shown = {row[ev["columns"].index("evidence")] for row in ev["rows"]}
    for n, s in accepted:
        if not re.search(rb"[ \t\r\n]", s) and (b"/" in s or not 0 < len(s) <= 255):
            rel.check("https://example.org/e?" + s.decode("utf-8") in shown,
                      f"report --format json: the evidence of h{n:03d} differs")
for argv in (["list"], ["log"], ["report"], ["report", "--format", "csv"], ["verify"]):
    r = rel.ok(docket, argv, db)
    if argv != ["report", "--format", "csv"]:
        terminal_safe(" ".join(argv), r.out)
rel.check(schema() == schema0, "the schema changed")

rel.figure(f"strings: {len(strings)} ({n_valid} valid UTF-8, {len(strings) - n_valid} not), "
           f"longest {max(len(s) for s in strings)} bytes; arguments tried: "
           + ", ".join(f"{k} {v}" for k, v in tally.items()))
rel.figure(f"came back byte for byte through show --json and report --format json: "
           f"{len(accepted)} of {n_valid} valid strings")
if refused_valid:
    rel.figure("valid strings refused: " + ", ".join(f"{k} {v}" for k, v in refused_valid.items()))
rel.figure("raw control bytes on a terminal: 0; schema changes: 0")

# Hostile evidence files: what docket must neither read nor wait on. Attaching one is refused
# with exit 3 and one line naming why, nothing written, at once (a FIFO with no writer once held
# the open for ever). Evidence attached as a regular file and later replaced by one of them is
# reported broken by `links --check`, which ends and exits 1.
ev_db = os.path.join(tmp, "evidence.db")
ev_dir = os.path.join(os.path.realpath(tmp), "evidence")
os.mkdir(ev_dir)
rel.ok(docket, ["init"], ev_db)


def hostile_files():
    """Makes every hostile file under ev_dir; returns (name, path, reason) for each."""
    out = []

    def at(name):
        return os.path.join(ev_dir, name)

    os.mkfifo(at("fifo"))
    out.append(("a FIFO with no writer", at("fifo"), "it is a FIFO, not a regular file"))
    os.symlink("/dev/zero", at("zero"))
    out.append(("a symlink to /dev/zero", at("zero"),
                "it is a character device, not a regular file"))
    os.symlink("/dev/urandom", at("urandom"))
    out.append(("a symlink to /dev/urandom", at("urandom"),
                "it is a character device, not a regular file"))
    os.mkdir(at("dir"))
    out.append(("a directory", at("dir"), "it is a directory, not a regular file"))
    sk = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sk.bind(at("socket"))
    sk.close()
    out.append(("a socket", at("socket"), "it is a socket, not a regular file"))
    with open(at("huge"), "wb") as f:
        f.truncate((1 << 30) + 1)
    out.append(("a sparse file of 1 GiB and a byte", at("huge"),
                "it is larger than the 1 GiB limit"))
    os.symlink(at("loop"), at("loop"))
    out.append(("a symlink to itself", at("loop"), "Too many levels of symbolic links"))
    return out


def clear_evidence_dir():
    for name in os.listdir(ev_dir):
        p = os.path.join(ev_dir, name)
        if os.path.isdir(p) and not os.path.islink(p):
            os.rmdir(p)
        else:
            os.unlink(p)


# Attached directly: refused.
for what, path, why in hostile_files():
    n0 = rel.scalar(ev_db, "SELECT count(*) FROM event")
    t0 = time.monotonic()
    r = rel.run(docket, ["note", "iasc", "-m", "m", "--evidence", path], ev_db, timeout=20)
    took = time.monotonic() - t0
    rel.check(r.rc == 3 and rel.one_error_line(r), f"--evidence {what}: " + r.describe())
    want = (f"docket: note: evidence '{path}' is neither an http(s) URL nor a readable file: "
            f"{why}\n")
    rel.check(r.err.decode() == want, f"--evidence {what}: the message: " + r.describe())
    rel.check(rel.scalar(ev_db, "SELECT count(*) FROM event") == n0,
              f"--evidence {what}: refused, yet written")
    rel.check(took < 10, f"--evidence {what}: took {took:.1f} s")

# Attached as regular files, then replaced: each broken, named with its reason.
clear_evidence_dir()
names = ["fifo", "zero", "urandom", "dir", "socket", "huge", "loop"]
for name in names:
    with open(os.path.join(ev_dir, name), "w") as f:
        f.write("evidence " + name)
rel.ok(docket, ["note", "iasc", "-m", "m"] +
       [a for name in names for a in ("--evidence", os.path.join(ev_dir, name))], ev_db)
clear_evidence_dir()
replaced = hostile_files()
n0 = rel.scalar(ev_db, "SELECT count(*) FROM event")
t0 = time.monotonic()
r = rel.run(docket, ["links", "--check", "--json"], ev_db, timeout=30)
took = time.monotonic() - t0
rel.check(r.rc == 1 and r.err == f"docket: links: {len(replaced)} of {len(replaced)} links are "
          f"broken\n".encode(), "links --check of replaced files: " + r.describe())
rows = {row["ref"]: row for row in map(json.loads, r.out.decode().splitlines())}
for what, path, why in replaced:
    row = rows.get(path, {})
    rel.check(row.get("result") == "broken" and
              row.get("error") == "the file cannot be read: " + why,
              f"links --check of {what}: {row!r}")
rel.check(rel.scalar(ev_db, "SELECT count(*) FROM event WHERE type = 'check' AND "
                            "json_extract(attrs, '$.result') = 'broken'") == len(replaced),
          "links --check: a check event per replaced file")
rel.check(rel.scalar(ev_db, "SELECT count(*) FROM event") == n0 + len(replaced),
          "links --check: the events written")
rel.ok(docket, ["verify"], ev_db)
rel.figure(f"hostile evidence files: {len(replaced)} refused when attached; replaced after, "
           f"checked as broken in {took:.2f} s")
clear_evidence_dir()

# Evidence URLs holding a user name or password: refused without showing the password. An '@'
# in the path, query or fragment is no user info.
CREDENTIALED = ["http://user:s3cret@example.org/a", "https://user@example.org/",
                "HTTPS://USER:S3CRET@EXAMPLE.ORG", "https://:s3cret@example.org/x",
                "https://user:@example.org", "http://us%40er:s3cret@[::1]:8080/a@b",
                "https://user:s3cret@example.org?q=1", "http://u:s3c@ret@example.org/",
                "ftp://user:s3cret@example.org/a", "https://user:s3cret@example.org#f"]
PLAIN = ["https://example.org/a@b", "https://example.org/?u=a@b", "https://example.org/#a@b",
         "https://example.org:443/@", "http://[::1]/x@y"]
for url in CREDENTIALED:
    n0 = rel.scalar(ev_db, "SELECT count(*) FROM event")
    r = rel.run(docket, ["set", "iasc", "member", "-m", "m", "--evidence", url], ev_db)
    rel.check(r.rc == 3 and rel.one_error_line(r) and b"holds a user name or password" in r.err,
              f"--evidence {url}: " + r.describe())
    auth = re.split("[/?#]", url.split("://", 1)[1], maxsplit=1)[0]
    shown = ("://" + auth[:auth.rindex("@") + 1]).encode()
    rel.check(b"s3c" not in r.err.lower() and shown not in r.err,
              f"--evidence {url}: the user info is shown: {r.err!r}")
    rel.check(rel.scalar(ev_db, "SELECT count(*) FROM event") == n0,
              f"--evidence {url}: refused, yet written")
for url in PLAIN:
    rel.ok(docket, ["note", "iasc", "-m", "m", "--evidence", url], ev_db)
    rel.check(rel.scalar(ev_db, "SELECT new_value FROM event WHERE type = 'evidence' ORDER BY "
                                "seq DESC LIMIT 1") == url, f"--evidence {url}: not stored as is")
rel.figure(f"evidence URLs: {len(CREDENTIALED)} with user info refused, the password never "
           f"shown; {len(PLAIN)} with '@' outside the host accepted")

# Through a checklist file: every string field of the JSON, with NUL and 1 MiB strings.
CL = {
    "format": "docket-checklist", "version": 1,
    "document": {"symbol": "T/1", "title": "t", "body": "b", "session": "s",
                 "adopted": "2015-11-24", "published": "2015-12-04", "preamble": "p",
                 "paragraphs": [{"ref": "1", "text": "t"}]},
    "kinds": [{"name": "hk", "label": "l", "description": "d", "initial": "open",
               "statuses": [{"name": "open", "label": "Open", "progress": 0, "final": False},
                            {"name": "done", "label": "Done", "progress": 100, "final": True}]}],
    "items": [{"key": "hi", "title": "t", "kind": "hk", "ref": "1", "description": "d"}],
}
# Where each free-text field lands: (path in the checklist, SQL reading it back).
FIELDS = [
    (("document", "title"), "SELECT title FROM documents WHERE symbol = 'T/1'"),
    (("document", "body"), "SELECT body FROM documents WHERE symbol = 'T/1'"),
    (("document", "session"), "SELECT session FROM documents WHERE symbol = 'T/1'"),
    (("document", "preamble"), "SELECT preamble FROM documents WHERE symbol = 'T/1'"),
    (("document", "paragraphs", 0, "text"), "SELECT text FROM paragraphs WHERE doc = 'T/1'"),
    (("kinds", 0, "label"), "SELECT label FROM kinds WHERE name = 'hk'"),
    (("kinds", 0, "description"), "SELECT description FROM kinds WHERE name = 'hk'"),
    (("kinds", 0, "statuses", 1, "label"), "SELECT label FROM vocab WHERE status = 'done'"),
    (("items", 0, "title"), "SELECT title FROM items WHERE key = 'hi'"),
    (("items", 0, "description"), "SELECT description FROM items WHERE key = 'hi'"),
]
# Fields that name things: any hostile value is refused or loaded as it is.
NAMES = [("document", "symbol"), ("document", "adopted"), ("document", "paragraphs", 0, "ref"),
         ("kinds", 0, "name"), ("kinds", 0, "initial"), ("kinds", 0, "statuses", 0, "name"),
         ("items", 0, "key"), ("items", 0, "kind"), ("items", 0, "ref"), ("items", 0, "due")]
json_strings = [s.decode("utf-8") for s in strings if valid(s)][:rel.rounds(120, 12)] + [
    "a\u0000b", "\u0000", "x" * (1 << 20), "\u00e9" * (1 << 19), "\ud800", "\udfff",
    "\ud83d\ude00", "\x1b[31m\u0000"]
empty = os.path.join(tmp, "empty.db")
rel.ok(docket, ["init", "--empty"], empty)
rel.checkpoint(empty)
cl_db = os.path.join(tmp, "cl.db")
cl_path = os.path.join(tmp, "cl.json")
cl_tally = {"loaded, read back exactly": 0, "refused": 0}


def put(obj, path, v):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = v


def load(s, path):
    cl = json.loads(json.dumps(CL))
    put(cl, path, s)
    # ensure_ascii writes NUL as \u0000 and a lone surrogate as \ud800, as a hostile file would.
    with open(cl_path, "w", encoding="ascii") as f:
        json.dump(cl, f, ensure_ascii=True)
    rel.copy_store(empty, cl_db)
    p = subprocess.run([loader, cl_db, cl_path], capture_output=True, timeout=120)
    r = rel.Result([cl_path], p.returncode, p.stdout, p.stderr)
    rel.check(not rel.SANITIZER.search(p.stderr), "a sanitizer report:\n" + r.describe())
    return r


for s in json_strings:
    # A JSON file holds UTF-16 escapes: a pair of them is one character, a lone one is none.
    try:
        want = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le").encode("utf-8")
        lone = False
    except UnicodeDecodeError:
        lone = True
    for path, sql in FIELDS + [(p, None) for p in NAMES]:
        r = load(s, path)
        what = f"checklist {'.'.join(map(str, path))} = {s[:30]!r} ({len(s)} chars)"
        rel.check(r.rc in (0, 3), f"{what}: exit {r.rc}: {r.err[:300]!r}")
        if "\0" in s or lone or s == "":
            rel.check(r.rc == 3, f"{what}: accepted a string with NUL or a lone surrogate")
        if r.rc == 3:
            cl_tally["refused"] += 1
            rel.check(rel.scalar(cl_db, "SELECT count(*) FROM event") ==
                      rel.scalar(empty, "SELECT count(*) FROM event"),
                      f"{what}: refused, yet written")
            continue
        if sql is not None:
            c = sqlite3.connect(cl_db)
            c.text_factory = bytes
            got = c.execute(sql).fetchone()[0]
            c.close()
            rel.check(got == want, f"{what}: read back {got[:60]!r}")
            cl_tally["loaded, read back exactly"] += 1
    rel.check(rel.query(cl_db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY "
                               "name") == schema0, "the schema changed")
r = rel.ok(docket, ["verify"], cl_db)
rel.figure(f"checklist fields: {len(FIELDS)} free-text and {len(NAMES)} naming fields x "
           f"{len(json_strings)} strings (with NUL, lone surrogates, 1 MiB): "
           + ", ".join(f"{k} {v}" for k, v in cl_tally.items()))
rel.figure(f"took {timer.s():.1f} s")
rel.done()
