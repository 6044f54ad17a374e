# End-to-end: docket docs (the documents with their aliases and figures), a document's alias
# renamed, ALIAS:KEY naming an item, and an alias that is taken refused.
. "$(dirname "$0")/lib.sh"

data=${DOCKET_TESTS:-$(dirname "$0")/..}/data
init_store

# The shipped checklist names its alias.
run_ok docs
expect_out "^ALIAS  *SYMBOL  *ADOPTED  *REQS  *PROG  *OVERDUE  *BREACHED  TITLE\$"
expect_out "^res1309  *C/106/RES/1309  *2015-11-24  *31  *[0-9.]*%  *1  *0  IOM–UN Relations\$"
run_ok docs --json
expect_json
expect_eq "docs --json" "$(pyjson 'print(sorted(d[0]), d[0]["alias"], d[0]["symbol"], d[0]["requests"], d[0]["overdue"])')" \
    "['adopted', 'alias', 'breached', 'overdue', 'progress', 'requests', 'symbol', 'title'] res1309 C/106/RES/1309 31 1"

# A second document, drafted from a General Assembly resolution: its alias is made from its
# symbol, and its figures are its own.
run draft --symbol A/RES/68/262 "$data/a-res-68-262.txt"
expect_rc 0
cp "$tmp/out" "$tmp/ga.json"
run_ok import "$tmp/ga.json"
run_ok docs
expect_out "^a-res-68-262  *A/RES/68/262  *2014-03-27  *4  *0.0%  *0  *0  Territorial integrity of Ukraine\$"
expect_out "^res1309  *C/106/RES/1309 "
expect_eq "documents, by adoption" "$(awk 'NR > 1 { print $1 }' "$tmp/out" | tr '\n' ' ')" \
    "a-res-68-262 res1309 "

# ALIAS:KEY names an item wherever a key is taken; an alias that names no document, or a key of
# another document, is refused with nothing written.
run_ok set a-res-68-262:p3.urges-all-parties in-progress -m "a dialogue opened" --on 2014-05
run_ok show a-res-68-262:p3.urges-all-parties
expect_out "in-progress"
run_ok set res1309:ceb approached -m "letter to the CEB secretary" --on 2016-02
run_ok list --under res1309:unct
expect_out "^unct "
run_ok log res1309:ceb
expect_out "letter to the CEB secretary"
run_fails 3 "no document has the alias 'nope' in 'nope:ceb' (see 'docket docs')" show nope:ceb
run_fails 3 "'ceb' is not an item of a-res-68-262 (A/RES/68/262)" \
    set a-res-68-262:ceb member -m "wrong document"
run_ok docs
expect_out "^a-res-68-262  *A/RES/68/262  *2014-03-27  *4  *[1-9][0-9.]*%  "

# --doc ALIAS (repeatable) keeps list and log to those documents.
run_ok list --doc a-res-68-262
expect_eq "list --doc a-res-68-262 keys" "$(awk 'NR > 1 { print $1 }' "$tmp/out" | tr '\n' ' ')" \
    "p2.calls-upon-all p3.urges-all-parties p4.welcomes-the-efforts p6.calls-upon-all "
run_ok list --doc res1309
expect_eq "list --doc res1309 items" "$(($(wc -l <"$tmp/out") - 1))" 31
run_ok list --doc res1309 --doc a-res-68-262
expect_eq "list with both documents" "$(($(wc -l <"$tmp/out") - 1))" 35
run_ok log --doc a-res-68-262 --json
expect_eq "log --doc a-res-68-262: document, 6 paragraphs, its 2 kinds, 4 items, a status" \
    "$(python3 -c 'import json, sys
print(" ".join(json.loads(l)["event_type"] for l in open(sys.argv[1])))' "$tmp/out")" \
    "document paragraph paragraph paragraph paragraph paragraph paragraph kind vocab vocab vocab vocab vocab vocab vocab kind vocab vocab item item item item status"
run_ok diff 2014-04 2017 --doc a-res-68-262 --json
expect_eq "diff --doc a-res-68-262 keys" "$(pyjson 'print(" ".join(r["key"] for r in d))')" \
    "p3.urges-all-parties"
run_ok diff 2014 2017 --doc res1309 --json
expect_eq "diff --doc res1309: no item of the other" "$(pyjson 'print(len(d), any(r["key"][:2] in ("p2", "p3", "p4", "p6") for r in d))')" \
    "31 False"
run_fails 3 "no document has the alias 'nope' (see 'docket docs')" diff 2014 --doc nope
run_fails 3 "no document has the alias 'nope' (see 'docket docs')" list --doc nope
run_fails 3 "no document has the alias 'nope' (see 'docket docs')" log --doc nope

# docs alias renames (an event); the old alias then names nothing, the new one works.
run_ok docs alias a-res-68-262 ukraine -m "the name the working group uses"
expect_out "^alias a-res-68-262 is now ukraine (event [0-9]*)\$"
run_ok docs
expect_out "^ukraine  *A/RES/68/262 "
run_ok show ukraine:p3.urges-all-parties
run_fails 3 "no document has the alias 'a-res-68-262'" show a-res-68-262:p3.urges-all-parties
run_fails 3 "the alias 'res1309' is taken by C/106/RES/1309: choose another" \
    docs alias ukraine res1309 -m "taken"
run_fails 3 "bad alias 'Ukraine'" docs alias ukraine Ukraine -m "upper case"
run_fails 3 "A/RES/68/262 already has the alias 'ukraine'" docs alias ukraine ukraine -m "same"
run_fails 2 "usage: docket docs alias OLD NEW -m REASON" docs alias ukraine kyiv
run_fails 2 "'rename' is not 'alias'" docs rename ukraine kyiv
# Loading the checklist again keeps the alias it was given.
run_ok import "$tmp/ga.json"
run_ok docs
expect_out "^ukraine  *A/RES/68/262 "

# A checklist whose alias another document has is refused, naming the field.
python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["document"]["symbol"] = "A/RES/68/999"
d["document"]["alias"] = "res1309"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"))' "$tmp/ga.json" "$tmp/taken.json"
run_fails 3 "document.alias: the alias 'res1309' is taken by C/106/RES/1309: choose another" \
    import "$tmp/taken.json"

# The collision of #15: a second resolution with its own item report.wg and its own kind action
# (not-started, done). Both report.wg items exist and are shown apart; Resolution 1309's action
# vocabulary is unchanged; a bare key that two documents have is refused, naming both.
run_ok kinds --doc res1309
grep '^action ' "$tmp/out" >"$tmp/action-before"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["document"]["symbol"] = "A/RES/70/999"
d["document"]["alias"] = "a70-999"
d["kinds"] = [{"name": "action", "label": "Action", "initial": "not-started",
               "statuses": [{"name": "not-started", "label": "Not started", "progress": 0,
                             "final": False},
                            {"name": "done", "label": "Done", "progress": 100, "final": True}]}]
d["items"] = [{"key": "report.wg", "title": "Report to the working group", "kind": "action",
               "ref": "4"}]
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"))
d["kinds"][0]["statuses"].pop()
json.dump(d, open(sys.argv[3], "w", encoding="utf-8"))' "$tmp/ga.json" "$tmp/wg.json" "$tmp/wg-less.json"
run_ok import "$tmp/wg.json"
expect_out "1 items added"
run_ok list --doc res1309 --doc a70-999 --json
expect_eq "both report.wg items" "$(pyjson 'print(sorted((r["document"], r["kind"], r["title"]) for r in d if r["key"] == "report.wg"))')" \
    "[('A/RES/70/999', 'action', 'Report to the working group'), ('C/106/RES/1309', 'reporting', 'Report continuously to Member States through the Working Group on IOM–UN Relations and the IOM Strategy')]"
# The table names each document's: ALIAS:KEY when it shows several documents' items.
run_ok list
expect_out "^a70-999:report.wg  *not-started "
expect_out "^res1309:report.wg  "
run_ok list --doc a70-999
expect_out "^report.wg  *not-started "
run_fails 3 "^docket: show: 'report.wg' is an item of 2 documents (did you mean a70-999:report.wg or res1309:report.wg?)\$" \
    show report.wg
run_fails 3 "^docket: set: 'report.wg' is an item of 2 documents (did you mean a70-999:report.wg or res1309:report.wg?)\$" \
    set report.wg done -m "which one?"
run_ok show a70-999:report.wg
expect_out "Report to the working group"
run_ok set a70-999:report.wg done -m "reported to the working group" --on 2016-06
run_fails 3 "^docket: set: unknown status 'done' for kind reporting" \
    set res1309:report.wg done -m "not a status of this kind"
run_ok kinds --doc res1309
grep '^action ' "$tmp/out" >"$tmp/action-after"
cmp -s "$tmp/action-before" "$tmp/action-after" || fail "the action vocabulary of res1309 changed"
pass
run_ok kinds --doc a70-999
expect_eq "a70-999's action" "$(awk 'NR > 1 { print $1, $2 }' "$tmp/out" | tr '\n' ' ')" \
    "action not-started action done "
# Each document's figures are its own.
run_ok docs
expect_out "^a70-999  *A/RES/70/999  *2014-03-27  *1  *100.0%  *0  *0  "
# A checklist may not take from its own kind a status that an item stands in.
run_fails 3 "^docket: import: kinds\[0\]\.statuses: 'done' is the status of 1 item of A/RES/70/999 (such as 'report.wg'): a checklist may add statuses to its kind action, not remove one in use\$" \
    import "$tmp/wg-less.json"

# show, export take the document too.
run_ok show report.wg --doc a70-999
expect_out "^report.wg: Report to the working group\$"
run_fails 2 "name the document once" show a70-999:report.wg --doc a70-999
run_ok export --format csv
expect_out "^res1309:report.wg,"
expect_out "^a70-999:report.wg,"
cp "$tmp/out" "$tmp/all.csv"
run_ok export --format csv --doc a70-999
expect_eq "export --format csv --doc a70-999" "$(cut -d, -f1 "$tmp/out" | tr -d '\r' | tr '\n' ' ')" "key a70-999:report.wg "
# Its keys name their documents, so it reads back: nothing changes.
run_ok import "$tmp/all.csv"
expect_out "^imported 0 items and 0 statuses; 36 rows unchanged$"
run_ok export --doc a70-999
python3 -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert lines[0]["documents"] == ["A/RES/70/999"], lines[0]
types = [l["type"] for l in lines[1:]]
assert types.count("document") == 1 and types.count("item") == 1, types
kinds = [l["doc"] for l in lines[1:] if l["type"] == "kind"]
assert kinds == ["A/RES/70/999"], kinds
events = [l for l in lines[1:] if l["type"] == "event"]
assert {e["event_type"] for e in events} == {"document", "paragraph", "kind", "vocab", "item", "status"}, events
' "$tmp/out" || fail "export --doc a70-999 holds more than its document"
pass
cp "$tmp/out" "$tmp/part.jsonl"
DOCKET_DB="$tmp/empty.db" run_ok init --empty
DOCKET_DB="$tmp/empty.db" run_fails 3 "^docket: import: line 1: an export of some documents (export --doc) is a part of the trail, for reading: only a whole export restores\$" \
    import "$tmp/part.jsonl"

run_ok verify
done_ok
