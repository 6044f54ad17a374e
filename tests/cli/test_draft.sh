# End-to-end: docket draft: a checklist drafted from a resolution's plain text (the oracle:
# Resolution 1309's text gives the paragraphs of the shipped checklist), texts in other layouts
# against their published paragraphs, the import of a draft, and the texts it refuses.
. "$(dirname "$0")/lib.sh"

data=${DOCKET_TESTS:-$(dirname "$0")/..}/data
seed="$data/resolution-1309.txt"

# The oracle: every operative paragraph and subparagraph, as the shipped checklist has them.
run draft --symbol C/106/RES/1309 "$seed"
expect_rc 0
expect_json
# The seed gives every document field but the symbol, which the option gives.
expect_no_err
cp "$tmp/out" "$tmp/res1309.json"
expect_eq "paragraphs equal the shipped checklist's" "$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))["document"]
b = json.load(open(sys.argv[2], encoding="utf-8"))["document"]
print([p["ref"] for p in a["paragraphs"]], a["paragraphs"] == b["paragraphs"], a["preamble"] == b["preamble"])
' "$tmp/res1309.json" "$DOCKET_TESTS/../schema/checklists/res1309.json")" \
    "['1', '2', '2(a)', '2(b)', '2(c)', '3', '4'] True True"
expect_eq "document" "$(pyjson 'x = d["document"]; print(d["format"], d["version"], x["symbol"], x["alias"], x["title"], x["body"], x["session"], x["adopted"], x["published"], sep="|")')" \
    "docket-checklist|2|C/106/RES/1309|c-106-res-1309|IOM-UN RELATIONS|Council|106th Session|2015-11-24|2015-12-04"
expect_eq "kinds guessed for paragraphs 3 and 4" \
    "$(pyjson 'print([(i["ref"], i["kind"], i["guessed"]) for i in d["items"] if i["ref"] in ("3", "4")])')" \
    "[('3', 'reporting', True), ('3', 'cost', True), ('4', 'proposal', True)]"
expect_eq "the kinds its items use, defined" \
    "$(pyjson 'print(sorted(k["name"] for k in d["kinds"]) == sorted({i["kind"] for i in d["items"]}), all(k["statuses"] for k in d["kinds"]))')" \
    "True True"

# The draft imports, unchanged, into an empty store.
init_store --empty
run_ok import "$tmp/res1309.json"
expect_out "loaded the checklist: 8 items added"
run_ok show p3.also-requests-that-cost --json
expect_eq "the cost item" "$(pyjson 'print(d["kind"], d["ref"], d["status"])')" "cost 3 not-estimated"

# From standard input, with --alias.
run draft --symbol C/106/RES/1309 --alias res1309-draft - <"$seed"
expect_rc 0
expect_eq "alias" "$(pyjson 'print(d["document"]["alias"])')" "res1309-draft"

# Without a symbol: the field is left empty and named; import refuses it at document.symbol.
run draft "$seed"
expect_rc 0
expect_eq "stderr" "$(cat "$tmp/err")" "docket: draft: the text gives no symbol: left empty, fill it in"
expect_eq "symbol, alias" "$(pyjson 'print(repr(d["document"]["symbol"]), "alias" in d["document"])')" "'' False"
cp "$tmp/out" "$tmp/nosymbol.json"
init_store --empty
run_fails 3 "^docket: import: document.symbol: must be a string (non-empty UTF-8)\$" import "$tmp/nosymbol.json"

# Texts in other layouts, against the paragraphs of the published documents.
for want in "$data"/*.expected; do
    name=$(basename "$want" .expected)
    run draft --symbol X/1 "$data/$name.txt"
    expect_rc 0
    expect_eq "$name paragraphs" "$(python3 -c '
import json, sys
got = [(p["ref"], p["text"]) for p in json.load(open(sys.argv[1], encoding="utf-8"))["document"]["paragraphs"]]
want = [tuple(l.rstrip("\n").split("\t", 1)) for l in open(sys.argv[2], encoding="utf-8")]
print(got == want or (got, want))' "$tmp/out" "$want")" "True"
done
expect_eq "layouts compared" "$(ls "$data"/*.expected | wc -l)" "3"
run draft "$data/s-res-1839-2008.txt"
expect_rc 0
expect_eq "fields the Security Council text lacks" "$(cat "$tmp/err")" "docket: draft: the text gives no symbol: left empty, fill it in
docket: draft: the text gives no title: left empty, fill it in
docket: draft: the text gives no session: left empty, fill it in"
expect_eq "what it gives" "$(pyjson 'x = d["document"]; print(x["body"], x["adopted"], [i["ref"] for i in d["items"]])')" \
    "Security Council 2008-10-09 ['1']"
run draft "$data/wpr-rc47-r3.txt"
expect_rc 0
expect_eq "fields the Regional Committee text lacks" "$(cat "$tmp/err")" "docket: draft: the text gives no symbol: left empty, fill it in"
expect_eq "what it gives, the date at its foot" "$(pyjson 'x = d["document"]; print(x["title"], x["body"], x["session"], x["adopted"], sep="|")')" \
    "Report of the Regional Director|Regional Committee|Forty-seventh session|1996-09-11"
expect_eq "kinds: approving and agreeing ask nothing, a report named is not one asked for" \
    "$(pyjson 'print([(i["ref"], i["kind"]) for i in d["items"]])')" \
    "[('3', 'action'), ('3(1)', 'action'), ('3(2)', 'reporting'), ('3(3)', 'action')]"
run draft "$data/a-res-68-262.txt"
expect_eq "General Assembly fields" "$(pyjson 'x = d["document"]; print(x["title"], x["body"], x["adopted"], sep="|")')" \
    "Territorial integrity of Ukraine|General Assembly|2014-03-27"

# Hostile texts: one line, exit 3, nothing on stdout.
printf 'The Council,\nRecalling its resolutions,\nDecides to act;\n' >"$tmp/none.txt"
run_fails 3 "^docket: draft: no numbered operative paragraph" draft "$tmp/none.txt"
printf '1. Requests the Director General to act;\n2. Decides to act;\n1. Requests again;\n' >"$tmp/twice.txt"
run_fails 3 "^docket: draft: line 3: paragraph 1 is numbered twice (first at line 1)\$" draft "$tmp/twice.txt"
printf '1. Requests the Director General \377 to act;\n' >"$tmp/bad.txt"
run_fails 3 "^docket: draft: the text is not valid UTF-8" draft "$tmp/bad.txt"
python3 -c 'import sys; sys.stdout.write("1. Requests.\n" + "x" * (4 << 20))' >"$tmp/big.txt"
run_fails 3 "^docket: draft: '$tmp/big.txt': the text is larger than 4 MiB\$" draft "$tmp/big.txt"
run_fails 3 "^docket: draft: '-': the text is larger than 4 MiB\$" draft - <"$tmp/big.txt"
run_fails 3 "^docket: draft: bad alias 'Bad Alias'" draft --alias 'Bad Alias' "$seed"
run_fails 6 "^docket: draft: cannot read '$tmp/absent.txt': No such file or directory\$" draft "$tmp/absent.txt"
run_fails 2 "" draft

run_ok draft --help
expect_out "FILE.txt|-"
run_ok --help
expect_out "draft"

done_ok
