# Conflicts against a model: three offices work offline on a seeded random schedule (each step,
# one office sets a random status on one of three items, or syncs). The test derives the
# conflicts from its own schedule alone: which changes each office had seen when it made each
# one (its own, and what the log held at its last sync), and the order the syncs put them in
# the log; never from the bases docket wrote. After every sync, that office lists exactly the
# conflicts of the log it holds; once every office has synced twice, all three list exactly
# the conflicts of the whole schedule, in `conflicts --json`, in its text and in the report.
# Usage: sh tests/integration/sync/test_conflict_schedule.sh /path/to/docket
# SCHEDULE_SEED and SCHEDULE_STEPS (default 1309 and 60) choose another schedule.
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

SEED=${SCHEDULE_SEED:-1309}
STEPS=${SCHEDULE_STEPS:-60}

# The model: `schedule SEED STEPS` prints the schedule, one step a line ("OFFICE set ITEM STATUS
# DATE" or "OFFICE sync"), ending with every office syncing twice; `expect SCHEDULE DIR` writes,
# for each sync step N, DIR/N: the conflicts that office holds once that sync is done (then the
# figures on stdout); `seen JSON` prints `conflicts --json` (one array) in the same form. One line a
# conflict: key, then the earlier change's date, status and office, then the later one's.
cat >"$tmp/model.py" <<'EOF'
import datetime, itertools, json, os, random, sys

OFFICES = ["a", "b", "c"]
ITEMS = ["ceb.hlcm", "echa", "iasc"]
STATUSES = ["approached", "observer", "member", "invitee"]


def schedule(seed, steps):
    rng = random.Random(seed)
    # Each change gets a date of its own (so that a conflict's dates name its changes), in
    # random order: later changes are often back-dated.
    first = datetime.date(2016, 1, 1)
    days = rng.sample(range(3000), steps)
    for n in range(steps):
        office = rng.choice(OFFICES)
        if rng.random() < 0.3:
            print(office, "sync")
        else:
            day = first + datetime.timedelta(days=days[n])
            print(office, "set", rng.choice(ITEMS), rng.choice(STATUSES), day.isoformat())
    for office in OFFICES + OFFICES:
        print(office, "sync")


def conflicts(changes, log):
    """The conflicts among the changes in LOG (ids in log order): pairs of one item from two
    offices, the later made without having seen the earlier, with different statuses, that no
    change in the log made with both in view settles. Also the figures."""
    pos = {c: p for p, c in enumerate(log)}
    out, n = [], {"concurrent": 0, "same status": 0, "settled": 0}
    for x, y in itertools.combinations(log, 2):
        cx, cy = changes[x], changes[y]
        if cx["item"] != cy["item"] or cx["office"] == cy["office"] or x in cy["seen"]:
            continue
        n["concurrent"] += 1
        if cx["status"] == cy["status"]:
            n["same status"] += 1
            continue
        if any(changes[z]["item"] == cx["item"] and {x, y} <= changes[z]["seen"] for z in log):
            n["settled"] += 1
            continue
        out.append(" ".join([cx["item"], cx["date"], cx["status"], cx["office"],
                             cy["date"], cy["status"], cy["office"]]))
    return sorted(out), n


def expect(path, outdir):
    changes, log = {}, []
    pending = {o: [] for o in OFFICES}
    seen = {o: set() for o in OFFICES}  # the changes each office has seen: its own, and pulled
    n = {"sets": 0, "syncs": 0}
    with open(path) as f:
        steps = [line.split() for line in f]
    for step, (office, what, *rest) in enumerate(steps, 1):
        if what == "set":
            n["sets"] += 1
            item, status, date = rest
            changes[step] = {"office": office, "item": item, "status": status, "date": date,
                             "seen": frozenset(seen[office])}
            pending[office].append(step)
            seen[office].add(step)
        else:
            # A sync appends this office's changes to the log, then pulls all the log holds.
            n["syncs"] += 1
            log.extend(pending[office])
            pending[office] = []
            seen[office] |= set(log)
            with open(os.path.join(outdir, str(step)), "w") as out:
                lines, _ = conflicts(changes, log)
                out.write("".join(line + "\n" for line in lines))
    assert not any(pending.values())
    with open(os.path.join(outdir, "order"), "w") as out:
        out.write("".join("%d\n" % c for c in log))
    lines, figures = conflicts(changes, log)
    n.update(figures)
    n["conflicts"] = len(lines)
    print(" ".join("%s %d," % (k, v) for k, v in n.items()).rstrip(","))


def seen_by_docket():
    out = []
    for c in json.load(sys.stdin):
        f, s = c["first"], c["second"]
        assert f["position"] < s["position"], c
        out.append(" ".join([c["key"], f["effective"], f["status"], f["office"],
                             s["effective"], s["status"], s["office"]]))
    print("".join(line + "\n" for line in sorted(out)), end="")


if sys.argv[1] == "schedule":
    schedule(int(sys.argv[2]), int(sys.argv[3]))
elif sys.argv[1] == "expect":
    expect(sys.argv[2], sys.argv[3])
else:
    seen_by_docket()
EOF

python3 "$tmp/model.py" schedule "$SEED" "$STEPS" >"$tmp/schedule" || fail "cannot make the schedule"
mkdir "$tmp/expect" || fail "cannot make $tmp/expect"
figures=$(python3 "$tmp/model.py" expect "$tmp/schedule" "$tmp/expect") || fail "the model failed"
echo "schedule of seed $SEED, $STEPS steps: $figures"
# A schedule that shows nothing proves nothing: it must hold conflicts, concurrent pairs with
# one status, and pairs settled by a later change.
for what in conflicts "same status" settled; do
    n=$(printf '%s\n' "$figures" | sed -n "s/.*$what \([0-9]*\).*/\1/p")
    [ "${n:-0}" -gt 0 ] || fail "seed $SEED makes no schedule with $what: choose another"
    pass
done

# conflicts_of NAME: office NAME's conflicts, in the model's form.
conflicts_of() {
    office_ok "$1" conflicts --json
    python3 "$tmp/model.py" seen <"$tmp/out" || fail "conflicts --json of office $1 is not as expected"
}

cluster_start
P=sched
two_offices a b
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
admit a c

step=0
checked=0
while read -r who what item status day <&3; do
    step=$((step + 1))
    if [ "$what" = set ]; then
        # --force: the schedule may set a status an item already has on that day.
        office_ok "$who" set "$item" "$status" -m "schedule step $step" --on "$day" --force
        continue
    fi
    office_ok "$who" sync --once
    got=$(conflicts_of "$who") || exit 1
    expect_eq "conflicts of office $who after step $step" "$got" "$(cat "$tmp/expect/$step")"
    checked=$((checked + 1))
done 3<"$tmp/schedule"
echo "checked the conflicts of $checked syncs"

# The log holds the changes in the order the model put them in.
for name in a b c; do
    got=$(sqlite3 "$tmp/$name.db" "select substr(e.reason, 15) from shared s join event e on
        e.seq = s.seq where e.type = 'status' and e.reason like 'schedule step %' order by s.pos")
    expect_eq "the changes' order in office $name's log" "$got" "$(cat "$tmp/expect/order")"
done

# Every office lists the same conflicts: those of the whole schedule, in JSON, in text, in the
# report.
want=$(cat "$tmp/expect/$step")
nwant=$(printf '%s' "$want" | grep -c .)
for name in a b c; do
    expect_eq "conflicts of office $name at the end" "$(conflicts_of "$name")" "$want"
    t0=$(now_ms)
    office_ok "$name" conflicts
    t1=$(now_ms)
    expect_eq "lines of office $name's conflicts" "$(grep -c 'were set without either office seeing the other$' "$tmp/out")" "$nwant"
    office_ok "$name" report --section conflicts --format csv --reproducible
    expect_eq "rows of office $name's report" "$(sed 1d "$tmp/out" | grep -c .)" "$nwant"
done
echo "conflicts at the end: $nwant on each office; conflicts took $((t1 - t0)) ms on office c"
expect_converged "$tmp/a.db" "$tmp/b.db" "$tmp/c.db"
done_ok
