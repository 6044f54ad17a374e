# End-to-end: the one JSON rule (README "JSON output"), command by command: a bounded answer is
# one document (a list an array, one thing an object); the trail streams as JSON Lines; a writer
# answers with the events it recorded, spelled as log --json spells them; instances have one
# shape in list and show; a boolean is never null; --json stands for --format json.
. "$(dirname "$0")/lib.sh"

init_store

# The checker: `doc array|object`, `lines`, or `events N`, on stdout ($tmp/out). Every document
# or line it reads is kept in $tmp/seen.jsonl for the check of booleans at the end.
cat >"$tmp/check.py" <<'EOF'
import json, sys

mode, out, seen = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(out, encoding="utf-8").read()
docs = []
if mode == "lines":
    lines = text.split("\n")
    assert lines[-1] == "", "JSON Lines end with a newline"
    assert len(lines) > 1, "no line"
    for line in lines[:-1]:
        d = json.loads(line)
        assert isinstance(d, dict), "a line is not an object: %r" % line[:80]
        docs.append(d)
else:
    d = json.loads(text)  # one document: anything after it is an error
    want = {"array": list, "object": dict}[sys.argv[4]] if mode == "doc" else list
    assert isinstance(d, want), "not one %s: %r" % (want.__name__, text[:80])
    docs.append(d)
    if mode == "events":
        n = int(sys.argv[4])
        assert len(d) == n, "%d events, not %d" % (len(d), n)
        log = {}
        for line in open(sys.argv[5], encoding="utf-8"):
            e = json.loads(line)
            log[e["seq"]] = e
        last = max(log)
        # The events answered are the last N of the trail, each exactly as log --json has it.
        assert [e["seq"] for e in d] == list(range(last - n + 1, last + 1)), [e["seq"] for e in d]
        for e in d:
            assert e == log[e["seq"]], "event %d differs from log --json" % e["seq"]
        print(" ".join(e["event_type"] for e in d))
with open(seen, "a", encoding="utf-8") as f:
    for d in docs:
        f.write(json.dumps(d) + "\n")
if mode == "doc":  # docket's own answers, apart from the events' stored attrs and the export
    with open(seen + ".docs", "a", encoding="utf-8") as f:
        f.write(json.dumps(docs[0]) + "\n")
EOF

# json_doc array|object ARGS...: docket ARGS --json answers one document of that type.
json_doc() {
    _type=$1
    shift
    run_ok "$@" --json
    python3 "$tmp/check.py" doc "$tmp/out" "$tmp/seen.jsonl" "$_type" >"$tmp/check.out" 2>&1 ||
        fail "$* --json is not one JSON $_type: $(tail -1 "$tmp/check.out")"
    pass
}

# json_lines ARGS...: docket ARGS answers JSON Lines, one object a line.
json_lines() {
    run_ok "$@"
    python3 "$tmp/check.py" lines "$tmp/out" "$tmp/seen.jsonl" >"$tmp/check.out" 2>&1 ||
        fail "$* is not JSON Lines: $(tail -1 "$tmp/check.out")"
    pass
}

# json_events N TYPES ARGS...: docket ARGS --json answers the N events it recorded, the last N
# of the trail as log --json spells them, of TYPES (event types, space-separated, in order).
json_events() {
    _n=$1
    _types=$2
    shift 2
    _before=$(events)
    run_ok "$@" --json
    cp "$tmp/out" "$tmp/answer"
    expect_eq "events recorded by $1" "$(events)" $((_before + _n))
    "$DOCKET" log --json >"$tmp/log.jsonl" || fail "log --json failed"
    python3 "$tmp/check.py" events "$tmp/answer" "$tmp/seen.jsonl" "$_n" "$tmp/log.jsonl" \
        >"$tmp/check.out" 2>&1 || fail "$* --json does not answer its events: $(tail -1 "$tmp/check.out")"
    expect_eq "event types answered by $1" "$(cat "$tmp/check.out")" "$_types"
    cp "$tmp/answer" "$tmp/out"
}

# Writers: the events they recorded, one array, in one shape.
json_events 2 "status evidence" set ceb.hlcm approached -m "letter sent" --on 2016-03 \
    --evidence https://example.org/letter.pdf
expect_eq "set --json: old and new" "$(pyjson 'print(d[0]["key"], d[0]["old"], d[0]["new"])')" \
    "ceb.hlcm not-approached approached"
json_events 2 "status status" set ceb.hlcp ceb.undg approached -m "letters" --on 2016-04
json_events 1 "note" note ceb -m "a call with the secretariat"
json_events 1 "cost" cost ceb 2500 USD -m "estimate" --basis "per year"
expect_eq "cost --json: minor units in new" "$(pyjson 'print(d[0]["new"], d[0]["attrs"]["currency"])')" \
    "250000 USD"
json_events 1 "item" add unct/KEN --title "UN country team, Kenya" -m "tracked"
json_events 1 "status" set unct/KEN member -m "joined"
json_events 1 "item" add unct/TZA --title "UN country team, Tanzania" -m "tracked"
json_events 1 "edit" edit unct/TZA title="UN country team, United Republic of Tanzania" -m "full name"
expect_eq "edit --json: field and values" "$(pyjson 'print(d[0]["subject"], d[0]["old"])')" \
    "title UN country team, Tanzania"
json_events 0 "" edit unct/TZA title="UN country team, United Republic of Tanzania" -m "again"
expect_eq "an edit that changes nothing" "$(cat "$tmp/out")" "[]"
note_seq=$(sql "select max(seq) from event where type = 'note'")
json_events 1 "revert" revert "$note_seq" -m "the call was about another matter"
expect_eq "revert --json names the event it cancels" "$(pyjson 'print(d[0]["reverts"])')" "$note_seq"
run_ok export --format csv -o "$tmp/items.csv"
json_events 0 "" import --csv "$tmp/items.csv"
json_events 1 "rekey" office rotate -m "a new key"
# Text stays text: without --json a writer prints its line, not JSON.
run_ok note ceb -m "text answer"
expect_out "^noted on ceb "

# Bounded answers: one document each, a list an array, one thing an object.
json_doc array list
json_doc array list --as-of 2016-03
json_doc array list --overdue
json_doc array diff 2016-01 2016-12
json_doc array kinds
json_doc array conflicts
json_doc array office list
json_doc object show ceb.hlcm
json_doc object show unct
json_doc object status
json_doc object verify
json_doc object office show
json_doc object report --reproducible
cp "$tmp/out" "$tmp/report-json"
json_doc object -d "$tmp/other.db" init

# --json stands for --format json: the same report; both given is a usage error.
run_ok report --format json --reproducible
expect_eq "report --json is report --format json" "$(cmp -s "$tmp/out" "$tmp/report-json" && echo same)" same
run_fails 2 "^docket: report: --json is --format json: give one of them\$" report --json --format md
run_fails 2 "^docket: report: --json is --format json: give one of them\$" report --format json --json
run_fails 2 "^docket: report: --json is --format json: give one of them\$" report --publish --json --format=json
run_ok report --help
expect_out "^  *--json  *the same as --format json\$"
# A command without --format json has no --json unless it declares one.
run_fails 2 "^docket: export: unknown option '--json'" export --json

# The trail streams as JSON Lines.
json_lines log --json
json_lines log ceb --json
json_lines export
json_lines links --json

# Instances: one shape in list and show.
run_ok list --json
expect_eq "instances in list --json" "$(pyjson 'print(json.dumps([x["instances"] for x in d if x["key"] == "unct"][0], sort_keys=True))')" \
    '{"by_status": {"member": 1, "not-approached": 1}, "done": 1, "total": 2}'
expect_eq "an item without instances" "$(pyjson 'print(json.dumps([x["instances"] for x in d if x["key"] == "ceb"][0], sort_keys=True))')" \
    '{"by_status": {}, "done": 0, "total": 0}'
run_ok show unct --json
expect_eq "instances in show --json" "$(pyjson 'print(json.dumps(d["instances"], sort_keys=True))')" \
    '{"by_status": {"member": 1, "not-approached": 1}, "done": 1, "total": 2}'
run_ok show unct --json --as-of 2016
expect_eq "instances in show --json as of 2016 (none added yet)" "$(pyjson 'print(json.dumps(d["instances"], sort_keys=True))')" \
    '{"by_status": {}, "done": 0, "total": 0}'

# Booleans are never null: in list, a flag that does not apply is false ...
run_ok list --json
expect_eq "list's flags are booleans" \
    "$(pyjson 'print(sorted({type(x[f]).__name__ for x in d for f in ("final", "overdue", "breach")}))')" \
    "['bool']"
expect_eq "overdue of an item with no due date" \
    "$(pyjson 'print([x["overdue"] for x in d if x["key"] == "ceb"][0])')" False
# ... and in every document and line read above, a field that is ever a boolean is never null;
# in the bounded answers (not the events' stored attrs or the export's lines, which spell the
# trail as it is stored), the flags are booleans only.
python3 -c 'import json, sys
types = {}
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            types.setdefault(k, set()).add(type(x).__name__)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for line in open(sys.argv[1], encoding="utf-8"):
    walk(json.loads(line))
bad = sorted(k for k, t in types.items() if "bool" in t and "NoneType" in t)
assert not bad, "booleans that are null somewhere: %s" % bad
types = {}
for line in open(sys.argv[1] + ".docs", encoding="utf-8"):
    walk(json.loads(line))
want = {"final", "overdue", "breach", "ok"}
assert all(types.get(k) == {"bool"} for k in want), {k: types.get(k) for k in want}
' "$tmp/seen.jsonl" >"$tmp/check.out" 2>&1 || fail "$(tail -1 "$tmp/check.out")"
pass

# Heads are printed as verify --against takes them (#14 point 12).
run_ok verify
head=$(sed -n 's/^ok: [0-9]* events, head \(local:[0-9]*:[0-9a-f]*\)$/\1/p' "$tmp/out")
expect_eq "verify's head" "$head" "local:$(events):$(sql 'select lower(hex(hash)) from event order by seq desc limit 1')"
run_ok verify --against "$head"
run_ok status
expect_out "^shared log   0 events, head shared:0:0\{64\}\$"
run_ok report --publish --reproducible -o "$tmp/published.md"
published=$(sql "select new_value from event where type = 'publication' order by seq desc limit 1")
expect_eq "a publication's recorded head" "$published" "$head"
run_ok verify --against "$published"

done_ok
