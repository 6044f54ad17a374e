"""Clocks and zones. The same script under TZ=UTC, Pacific/Kiritimati (UTC+14) and
America/Los_Angeles stores the same events, and recorded times in UTC: the same format
(YYYY-MM-DDTHH:MM:SS.mmmZ), within the real UTC time of the run, and `log --since` with a UTC
time selects the same events in every zone. A clock stepped back an hour (faketime) keeps the
sequence order, is warned about on stderr, and verifies.

usage: python3 test_clock.py DOCKET
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import time

import rel

(docket,) = rel.args(["docket"])
tmp = rel.tmpdir()
ZONES = ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"]
RECORDED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

FIRST = [
    ["add", "unct/KEN", "--title", "UN country team, Kenya", "--on", "2016-01"],
    ["set", "ceb", "ceb.hlcm", "approached", "-m", "letter", "--on", "2016-03"],
    ["note", "ceb", "-m", "meeting", "--on", "2016-04-02"],
]
SECOND = [
    ["set", "unct/KEN", "member", "-m", "joined", "--on", "2016-09"],
    ["cost", "cost.legal", "1000", "CHF", "-m", "estimate", "--on", "2017"],
    ["edit", "unct/KEN", "description=Nairobi", "-m", "detail", "--on", "2016-10-01"],
    ["set", "iasc", "member", "-m", "admitted", "--on", "2016-05-15"],
]


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse(ts):
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def fmt(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"


# The zones must be real ones (tzdata), or the test would run three times in UTC.
for tz, offsets in (("Pacific/Kiritimati", ("+1400",)),
                    ("America/Los_Angeles", ("-0800", "-0700"))):
    got = subprocess.run(["date", "+%z"], capture_output=True, text=True,
                         env=dict(os.environ, TZ=tz)).stdout.strip()
    rel.check(got in offsets, f"TZ={tz} is not known here (date +%z gives {got}): install tzdata")

shapes = {}
for tz in ZONES:
    db = os.path.join(tmp, tz.replace("/", "_") + ".db")
    zone = {"TZ": tz}
    start = utc_now() - datetime.timedelta(seconds=1)
    rel.ok(docket, ["init"], db, extra_env=zone)
    for argv in FIRST:
        rel.ok(docket, argv, db, extra_env=zone)
    time.sleep(0.05)
    mid = utc_now()
    time.sleep(0.05)
    n_first = rel.scalar(db, "SELECT count(*) FROM event")
    for argv in SECOND:
        rel.ok(docket, argv, db, extra_env=zone)
    end = utc_now() + datetime.timedelta(seconds=1)
    n_all = rel.scalar(db, "SELECT count(*) FROM event")

    rows = rel.events(db)
    for e in rows:
        rel.check(RECORDED.match(e["recorded"]), f"{tz}: event {e['seq']} recorded "
                                                 f"'{e['recorded']}' is not UTC with Z")
        t = parse(e["recorded"])
        rel.check(start <= t <= end, f"{tz}: event {e['seq']} recorded at {e['recorded']}, "
                                     f"outside the run's UTC time {fmt(start)}..{fmt(end)}")
    rel.check([e["seq"] for e in rows] == list(range(1, len(rows) + 1)), f"{tz}: sequence")
    # What is the same in every zone: all but ids, hashes, the times themselves, and the
    # office's public key (each store makes its own; its office event is effective the UTC day).
    shapes[tz] = [(e["seq"], e["type"], e["subject"], e["old_value"],
                   None if e["type"] == "office" else e["new_value"],
                   e["reason"], e["eff"], e["attrs"], e["actor"],
                   RECORDED.match(e["recorded"]) is not None) for e in rows]
    # --since takes UTC in every zone.
    r = rel.ok(docket, ["log", "--since", fmt(mid), "--json"], db, extra_env=zone)
    got = [json.loads(line) for line in r.out.decode().splitlines()]
    rel.check(len(got) == n_all - n_first, f"{tz}: log --since {fmt(mid)} (UTC) gives "
                                           f"{len(got)} events, expected {n_all - n_first}")
    for e in got:
        rel.check(RECORDED.match(e["recorded"]), f"{tz}: log --json recorded {e['recorded']}")
    r = rel.ok(docket, ["show", "unct/KEN", "--json"], db, extra_env=zone)
    for e in json.loads(r.out)["history"]:
        rel.check(RECORDED.match(e["recorded"]), f"{tz}: show --json recorded {e['recorded']}")
    rel.ok(docket, ["verify"], db, extra_env=zone)

for tz in ZONES[1:]:
    rel.check(shapes[tz] == shapes[ZONES[0]],
              f"{tz} stored other events than {ZONES[0]}: " +
              str([(a, b) for a, b in zip(shapes[tz], shapes[ZONES[0]]) if a != b][:2]))
rel.figure(f"zones: {', '.join(ZONES)}: {len(shapes['UTC'])} events each, identical but for "
           f"ids and times; every recorded time UTC with Z, within the run's real UTC time")

# A clock stepped back an hour.
faketime = shutil.which("faketime")
rel.check(faketime is not None, "faketime is not installed (Debian package faketime; make deps)")
db = os.path.join(tmp, "stepped.db")
rel.ok(docket, ["init"], db)
rel.ok(docket, ["note", "ceb", "-m", "on time"], db)
last = rel.events(db)[-1]
r = rel.run(docket, ["note", "ceb", "-m", "an hour early"], db, prefix=[faketime, "-f", "-1h"])
rel.check(r.rc == 0, "a stepped-back clock failed the command:\n" + r.describe())
rel.check(r.err.count(b"\n") == 1 and re.match(rb"docket: note: warning: .*clock.*earlier", r.err),
          "no one-line warning about the clock on stderr:\n" + r.describe())
warning = r.err.decode().strip()
stepped = rel.events(db)[-1]
rel.check(stepped["seq"] == last["seq"] + 1, "the stepped-back event is not next in sequence")
back = parse(last["recorded"]) - parse(stepped["recorded"])
rel.check(datetime.timedelta(minutes=59) < back < datetime.timedelta(minutes=61),
          f"the stepped-back event is recorded {back} before the last one, not an hour")
rel.check(RECORDED.match(stepped["recorded"]), "the stepped-back time is not UTC with Z")
# The clock right again: next in sequence; log keeps sequence order.
rel.ok(docket, ["note", "ceb", "-m", "clock right again"], db)
r = rel.ok(docket, ["log", "--json"], db)
seqs = [json.loads(line)["seq"] for line in r.out.decode().splitlines()]
rel.check(seqs == sorted(seqs) and seqs[-3:] == [last["seq"], last["seq"] + 1, last["seq"] + 2],
          f"log does not keep sequence order: {seqs[-3:]}")
r = rel.ok(docket, ["verify"], db)
rel.figure(f"clock stepped back 1 h: exit 0, recorded {back} before the previous event, "
           f"sequence {last['seq']} -> {stepped['seq']}; verify: {r.out.decode().strip()[:40]}")
rel.figure("warning: " + warning)
rel.done()
