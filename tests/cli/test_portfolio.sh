# End-to-end: the portfolio report. A report over several documents opens with one row of
# figures per document, then runs every section over each document's own items; --doc narrows
# a report to some documents, and a report over one looks as it always did.
. "$(dirname "$0")/lib.sh"

data=${DOCKET_TESTS:-$(dirname "$0")/..}/data
here=$(dirname "$0")

# The shipped Resolution 1309 alone: the reference for its part of the portfolio.
init_store
run_ok report --reproducible
sed -n '/^## Summary/,$p' "$tmp/out" >"$tmp/solo.md"
run_ok report --reproducible --as-of 2016-12-31
sed -n '/^## Summary/,$p' "$tmp/out" >"$tmp/solo-2016.md"
run_ok report --reproducible --format csv --section by-kind
cp "$tmp/out" "$tmp/solo-by-kind.csv"

# A second document, drafted from a General Assembly resolution, its kinds renamed so that
# none is one of res1309's: four requests (three ga-action, one ga-acknowledgement, which
# counts here, as only res1309's safeguards and acknowledgements are kept rather than achieved).
run draft --symbol A/RES/68/262 "$data/a-res-68-262.txt"
expect_rc 0
python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for k in d["kinds"]:
    k["name"] = "ga-" + k["name"]
for i in d["items"]:
    i["kind"] = "ga-" + i["kind"]
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"))' "$tmp/out" "$tmp/ga.json" ||
    fail "cannot rename the draft's kinds"
run_ok import "$tmp/ga.json"
# One of the four at 25%: the mean is 6.25, rounded 6.3; none done, overdue or in breach.
run_ok set a-res-68-262:p3.urges-all-parties in-progress -m "a dialogue opened" --on 2014-05

# The portfolio table: one row per document, by adoption, with docs' figures.
run_ok report --reproducible
expect_out "^## Portfolio\$"
expect_out_fixed "| a-res-68-262 | A/RES/68/262 | Territorial integrity of Ukraine | 2014-03-27 | 4 | 6.3 | 0 | 0 | 0 |"
expect_out "^| res1309 | C/106/RES/1309 | IOM–UN Relations | 2015-11-24 | 31 | [0-9.]* | [0-9]* | 1 | 0 |\$"
expect_eq "document headings" "$(grep '^## ' "$tmp/out" | tr '\n' '/')" \
    "## Portfolio/## a-res-68-262 — A/RES/68/262: Territorial integrity of Ukraine/## res1309 — C/106/RES/1309: IOM–UN Relations/"
cp "$tmp/out" "$tmp/all.md"
# Each document's sections are its own: the GA resolution's summary counts its four requests,
# its kinds and paragraphs are only its own.
sed -n '/^## a-res-68-262/,/^## res1309/p' "$tmp/all.md" >"$tmp/ga.md"
grep -q -F "| 4 | 6.3 | 0 |  | 0 |" "$tmp/ga.md" || fail "the GA summary is not its own"
pass
# (People read the kinds' labels, in the kinds' order: ga-acknowledgement, ga-action.)
expect_eq "GA kinds" "$(sed -n '/^### Progress by kind/,/^### /p' "$tmp/ga.md" | grep '^| A' |
    cut -d'|' -f2-5 | tr -d ' ' | tr '\n' ' ')" "Acknowledgement|1|0|0 Action|3|8.3|0 "
expect_eq "GA paragraphs" "$(sed -n '/^### Progress by operative/,/^### /p' "$tmp/ga.md" |
    grep '^| Paragraph [0-9]' | cut -d'|' -f2 | sed 's/Paragraph//' | tr -d ' ' | tr '\n' ' ')" \
    "2 3 4 6 "
if grep -q -e "safeguard\." -e "^| ceb " "$tmp/ga.md"; then
    fail "the GA part shows res1309's items"
fi
pass
# res1309's part is the report of a store holding it alone, every heading a level lower.
sed -n '/^## res1309/,$p' "$tmp/all.md" | tail -n +3 >"$tmp/res.md"
sed 's/^\(##*\) /\1# /' "$tmp/solo.md" | cmp -s - "$tmp/res.md" ||
    fail "res1309's part differs from its report alone"
pass

# --doc narrows to one document: no portfolio, and the report as it looks for that one alone.
run_ok report --reproducible --doc res1309
expect_not_out "Portfolio"
expect_not_out "A/RES/68/262"
sed -n '/^## Summary/,$p' "$tmp/out" | cmp -s - "$tmp/solo.md" ||
    fail "report --doc res1309 differs from res1309's report alone"
pass
run_ok report --reproducible --doc a-res-68-262 --section summary
expect_not_out "Portfolio"
expect_out_fixed "| 4 | 6.3 | 0 |  | 0 |"
# Both named: the portfolio again, in adoption order whatever the order of the options.
run_ok report --reproducible --doc res1309 --doc a-res-68-262
cmp -s "$tmp/out" "$tmp/all.md" || fail "--doc naming both differs from the whole store's"
pass

# An unknown alias: exit 3, nothing written, no file made.
run_fails 3 "no document has the alias 'nope' (see 'docket docs')" report --doc res1309 --doc nope
run_fails 3 "no document has the alias 'nope'" report --doc nope -o "$tmp/nope.md" --publish
[ ! -e "$tmp/nope.md" ] || fail "a report file was made for an unknown alias"
pass

# A document not yet adopted at the as-of date leaves --doc with nothing to report.
run_fails 3 "no document of --doc was adopted by 2015-01-01" report --doc res1309 --as-of 2015-01-01

# A definition of one's own (--reports DIR) is run per document too: each counts its own items
# and paragraphs (31 and 6 items, 4 and 6 paragraphs, as list --doc and log --doc count them).
mkdir -p "$tmp/defs"
cat >"$tmp/defs/count.sql" <<'SQL'
-- title: Counts
-- section: counts
-- title: Items and paragraphs
SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM paragraphs) AS paragraphs;
SQL
run_ok report count --reports "$tmp/defs" --reproducible --format json
expect_eq "counts per document" "$(pyjson 'print(" ".join(x["alias"] + "=" + str(x["sections"][0]["rows"][0]) for x in d["documents"]))')" \
    "a-res-68-262=[4, 6] res1309=[31, $(sql "SELECT count(*) FROM paragraphs WHERE doc = 'C/106/RES/1309'")]"

# JSON: the portfolio's rows as objects, then each document with its sections.
run_ok report --reproducible --format json
expect_json
expect_eq "json keys" "$(pyjson 'print(" ".join(k for k in d if k in ("portfolio", "documents", "sections")))')" \
    "portfolio documents"
expect_eq "json portfolio" "$(pyjson 'p = d["portfolio"][0]
print(p["alias"], p["symbol"], p["adopted"], p["items"], p["progress"], p["done"], p["overdue"], p["breaches"], len(d["portfolio"]))')" \
    "a-res-68-262 A/RES/68/262 2014-03-27 4 6.3 0 0 0 2"
expect_eq "json documents" "$(pyjson 'print(" ".join(x["alias"] + ":" + x["symbol"] + ":" + str(len(x["sections"])) for x in d["documents"]))')" \
    "a-res-68-262:A/RES/68/262:17 res1309:C/106/RES/1309:17"
expect_eq "json GA summary" "$(pyjson 's = d["documents"][0]["sections"][1]
print(s["name"], s["rows"])')" "summary [[4, 6.3, 0, None, 0]]"

# CSV: the portfolio table, then every section with its document first in each row.
run_ok report --reproducible --format csv --section by-kind
expect_out "^Portfolio"
expect_out "^alias,symbol,title,adopted,items,progress,done,overdue,breaches"
expect_eq "csv by-kind headers" "$(grep -c '^document,kind,items,progress,done' "$tmp/out")" 2
expect_out "^a-res-68-262,ga-action,3,8.3,0"
# res1309's rows, without their first column, are its by-kind section alone.
sed -n '/^document,kind,/,$p' "$tmp/out" | grep '^res1309,' | cut -d, -f2- >"$tmp/res-by-kind.csv"
tail -n +2 "$tmp/solo-by-kind.csv" | cmp -s - "$tmp/res-by-kind.csv" ||
    fail "res1309's by-kind rows differ from its report alone"
pass

# HTML: self-contained, each document a section with its heading, its sections below with
# their own ids.
run_ok report --reproducible --format html
python3 "$here/html_check.py" "$tmp/out" --text "Territorial integrity of Ukraine" \
    --text "C/106/RES/1309" --chart a-res-68-262-by-kind --chart res1309-over-time \
    >"$tmp/check" 2>&1 || fail "html_check: $(cat "$tmp/check")"
pass
expect_out_fixed '<section class="document" id="doc-a-res-68-262">'
expect_out_fixed '<section id="res1309-summary">'
expect_out_fixed '<section id="portfolio">'
expect_eq "document headings" "$(grep -c '^<h2>.* — .*: ' "$tmp/out")" 2

# --as-of with two documents: each as it stood, the portfolio too. At the end of 2016 the GA
# resolution stood as now; res1309's part is its report alone as of then.
run_ok report --reproducible --as-of 2016-12-31
expect_out_fixed "| a-res-68-262 | A/RES/68/262 | Territorial integrity of Ukraine | 2014-03-27 | 4 | 6.3 | 0 | 0 | 0 |"
sed -n '/^## res1309/,$p' "$tmp/out" | tail -n +3 >"$tmp/res.md"
sed 's/^\(##*\) /\1# /' "$tmp/solo-2016.md" | cmp -s - "$tmp/res.md" ||
    fail "res1309's part as of 2016 differs from its report alone"
pass
# Before the status was set, the GA resolution's requests stood at 0; before res1309 was
# adopted, the report covers the GA resolution alone.
run_ok report --reproducible --as-of 2014-04-30 --section summary
expect_not_out "Portfolio"
expect_out_fixed "| 4 | 0 | 0 |  | 0 |"
run_ok report --reproducible --as-of 2016-12-31 --known-at "$(now_utc)" --section summary
expect_out "^## Portfolio"

# --publish over two documents records one publication; the file appears with it.
n0=$(events)
run_ok report --publish -o "$tmp/pub.md"
expect_eq "events after publishing" "$(events)" "$((n0 + 1))"
grep -q "^## Portfolio" "$tmp/pub.md" || fail "the published report has no portfolio"
pass
run_ok verify
done_ok
