# End-to-end: docket log (the audit trail), its filters and JSON Lines.
. "$(dirname "$0")/lib.sh"

init_store

# Phase A, then a recorded time T1, phase B, a recorded time T2, phase C.
run_ok set ceb approached -m "phase A"
sleep 1
t1=$(now_utc)
sleep 1
run_ok --by alice set ceb.hlcm member -m "phase B" --on 2016-01
run_ok --by alice note ceb.hlcm -m "phase B note"
sleep 1
t2=$(now_utc)
sleep 1
run_ok --by bob cost cost.legal 100 USD -m "phase C"

# All: one line per event, oldest first.
run_ok log
expect_eq "log lines" "$(wc -l <"$tmp/out" | tr -d ' ')" "$(events)"
expect_eq "log is in seq order" "$(sed 's/^#\([0-9]*\) .*/\1/' "$tmp/out" | sort -n -c && echo sorted)" sorted
expect_out "^#1 .*office "
expect_out "^#2 .*document C/106/RES/1309"
expect_out "tester  *ceb  not-approached -> approached: phase A$"
expect_out "^#[0-9]*  *2016-01  *20.*Z  *alice  *ceb.hlcm  not-approached -> member: phase B$"

# KEY: the events of that item only.
run_ok log ceb.hlcm
expect_eq "events of ceb.hlcm" "$(wc -l <"$tmp/out" | tr -d ' ')" 3
expect_out "created: "
expect_out "phase B$"
expect_out "note: phase B note"
expect_not_out "phase A"

# --by
run_ok log --by alice
expect_eq "events by alice" "$(wc -l <"$tmp/out" | tr -d ' ')" 2
expect_not_out "phase A\|phase C"
run_ok log --by nobody
expect_no_out
run_ok log ceb --by alice
expect_no_out

# --since / --until use the recorded time (UTC), not the effective date.
run_ok log --since "$t1"
expect_eq "events since T1" "$(wc -l <"$tmp/out" | tr -d ' ')" 3
expect_out "phase B$"
expect_out "phase C$"
expect_not_out "phase A"
run_ok log --until "$t1"
expect_out "phase A$"
expect_not_out "phase B\|phase C"
expect_eq "events until T1" "$(wc -l <"$tmp/out" | tr -d ' ')" $(($(events) - 3))
run_ok log --since "$t1" --until "$t2"
expect_eq "events between T1 and T2" "$(wc -l <"$tmp/out" | tr -d ' ')" 2
expect_not_out "phase A\|phase C"
run_ok log ceb.hlcm --since "$t1" --until "$t2" --by alice
expect_eq "all filters" "$(wc -l <"$tmp/out" | tr -d ' ')" 2
run_ok log --since "$t2" --until "$t1"
expect_no_out
# An event's own recorded time (milliseconds) is inside both bounds.
rec=$(sql "select substr(recorded, 1, 23) from event where reason = 'phase C'")
run_ok log --since "$rec"
expect_out "phase C$"
run_ok log --until "$rec" --since "$t2"
expect_out "phase C$"
# Partial times: a day.
run_ok log --since "$(today)"
expect_out "phase A$"
run_ok log --until 2015-12-31
expect_no_out

# --json: JSON Lines, each line an object with the event's fields, named as the export names
# them (event_type, eff); none under the names it had before.
run_ok log --json
expect_eq "json lines" "$(wc -l <"$tmp/out" | tr -d ' ')" "$(events)"
python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    for k in ("seq", "uuid", "batch", "event_type", "reason", "eff", "recorded", "actor", "hash"):
        assert k in e, (k, e)
    for k in ("type", "effective"):
        assert k not in e, (k, e)
    n += 1
print(n)' "$tmp/out" >"$tmp/n" 2>&1 || fail "a log --json line does not parse: $(cat "$tmp/n")"
pass
expect_eq "parsed lines" "$(cat "$tmp/n")" "$(events)"
# The fields log --json shares with the export's event lines say the same, under the same names.
cp "$tmp/out" "$tmp/log.jsonl"
run_ok export
expect_eq "log --json as the export spells it" "$(python3 -c '
import json, sys
exported = {}
for line in open(sys.argv[2], encoding="utf-8"):
    e = json.loads(line)
    if e.get("type") == "event":
        exported[e["uuid"]] = e
shared = differ = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    x = exported[e["uuid"]]
    for k in set(e) & set(x):
        if k == "attrs" and x[k] is None:
            continue
        shared += 1
        differ += e[k] != x[k]
print(differ, shared > 0)' "$tmp/log.jsonl" "$tmp/out")" "0 True"
run_ok log ceb.hlcm --json
expect_eq "log KEY --json" "$(python3 -c '
import json, sys
print([(e["event_type"], e["actor"], e["eff"]) for e in map(json.loads, open(sys.argv[1]))][1:])' "$tmp/out")" \
    "[('status', 'alice', '2016-01'), ('note', 'alice', '$(today)')]"
# The hash in the log is the one in the store.
expect_eq "hash" "$(python3 -c '
import json, sys
print(list(map(json.loads, open(sys.argv[1])))[-1]["hash"])' "$tmp/out")" \
    "$(sql "select lower(hex(hash)) from event where reason = 'phase B note'")"

# Failures.
run_fails 3 "docket: log: bad time 'garbage'" log --since garbage
run_fails 3 "bad time" log --until 2016-02-30
run_fails 3 "bad time" log --since 2016-01-01T25:00
run_fails 3 "docket: log: unknown item 'cbe' (did you mean 'ceb'?)" log cbe
run_fails 2 "unknown option '--bogus'" log --bogus
run_fails 2 "docket: log: " log ceb echa
run_ok -r log ceb
expect_out "phase A$"

# The actor is shown whole: its column is as wide as the widest actor printed (up to 40
# columns; a longer name is shown whole on its own line), two spaces, then the key. Once the
# column was 12 wide, and a longer name pushed its line's key out of the column.
long="Maria-Theresa Okonkwo-Lindqvist"
longer="Dr. Bartholomew Featherstonehaugh-Cholmondeley III"
run_ok --by "$long" note echa -m "long name"
run_ok log
expect_out "^#[0-9]*  *$(today)  *20.*Z  *$long  echa  note: long name$"
# key_columns FILE ACTOR...: the columns at which the keys start, after whichever ACTOR starts
# at the actor column (44: "#N" in 8, the date in 11, the recorded time in 25).
key_columns() {
    python3 -c 'import sys
cols = set()
actors = sorted(sys.argv[2:], key=len, reverse=True)
for line in open(sys.argv[1], encoding="utf-8"):
    a = [a for a in actors if line[44:44 + len(a)] == a]
    assert a, "no known actor at column 44: %r" % line
    i = 44 + len(a[0])
    while line[i] == " ":
        i += 1
    cols.add(i)
print(" ".join(map(str, sorted(cols))))' "$@"
}
expect_eq "key columns of log" "$(key_columns "$tmp/out" tester alice bob "$long")" $((44 + ${#long} + 2))
run_ok show echa
sed -n '/^history:$/,$p' "$tmp/out" | tail -n +2 >"$tmp/history"
expect_eq "key columns of show's history" "$(key_columns "$tmp/history" tester "$long")" $((44 + ${#long} + 2))
# Sized to what is printed: bob's events alone, a column of 3.
run_ok log --by bob
expect_out "^#[0-9]*  *[0-9-]*  *20.*Z  *bob  cost.legal  cost "
# Beyond 40 columns: that line's actor whole, the others' column 40 wide.
run_ok --by "$longer" note echa -m "longer name"
run_ok log
expect_out "Z $longer  echa  note: longer name$"
grep -v -F "$longer" "$tmp/out" >"$tmp/others"
expect_eq "key columns beside a name over 40 columns" "$(key_columns "$tmp/others" tester alice bob "$long")" $((44 + 40 + 2))
done_ok
