# End-to-end: docket report (reports as SQL, rendered as Markdown, HTML, CSV and JSON).
# Golden outputs live in tests/cli/golden/report.{md,html,csv,json}; regenerate them with
#   DOCKET_UPDATE_GOLDEN=1 sh tests/cli/test_report.sh build/docket
# then read them through before committing them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_history.sh"

here=$(cd "$(dirname "$0")" && pwd)
golden=$here/golden
reports_src=$here/../../reports

# Each group of checks runs in a subshell, so that one failing group is reported and the others
# still run; the test fails at the end if any did.
failed_groups=""
group() {
    (
        "$1"
        echo "$checks" >"$tmp/checks"
    )
    if [ $? -ne 0 ]; then
        failed_groups="$failed_groups $1"
    else
        checks=$(cat "$tmp/checks")
    fi
}

# The golden reports speak as of this date, so that "today" (the overdue flags, the days in a
# status, the last month over time) does not move them.
ASOF=2017-12-31

# ---------------------------------------------------------------------------------------------
# The scripted history (report_history.sh), in a new store.
init_store
report_history

run_ok verify --head
head=$(sed -n 's/^local:\([0-9]*\):/\1 /p' "$tmp/out")
hex=${head#* }
nevents=$(sql 'select max(seq) from event')
expect_eq "trail position" "${head% *}" "$nevents"
replica=$(sql "select value from meta where key like '%replica%'")
expect_ne "replica id" "$replica" ""

# report_json [ARGS...]: the report as JSON in $tmp/out, checked to parse.
report_json() {
    run_ok report --format json --reproducible "$@"
    expect_json
}

# ---------------------------------------------------------------------------------------------
# Golden outputs in English (report.FMT), and in French and Spanish for the formats people
# read (report.LANG.FMT); csv and json, which machines read, are the same in every language.
golden_outputs() {
    differ=""
    for name in md html csv json fr.md fr.html es.md es.html; do
        fmt=${name##*.}
        lang=en
        [ "$name" = "$fmt" ] || lang=${name%%.*}
        run_ok report --reproducible --as-of $ASOF --format $fmt --lang $lang
        cp "$tmp/out" "$tmp/report.$name"
        # The run-dependent parts are the trail's head alone; it must be the trail's.
        case $fmt in
        md) want=1 ;;
        html) want=4 ;;
        json) want=2 ;;
        csv) want=1 ;;
        esac
        expect_eq "head in the $fmt report" "$(grep -o "$hex" "$tmp/out" | wc -l | tr -d ' ')" $want
        # No event, item or replica ids and no recorded times: nothing else varies by run.
        expect_not_out '[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
        expect_not_out "$replica"
        expect_not_out '[0-9]T[0-9][0-9]:[0-9][0-9]'
        sed "s/$hex/HEAD/g" "$tmp/out" >"$tmp/report.$name.norm"
        if [ "${DOCKET_UPDATE_GOLDEN:-}" = 1 ]; then
            mkdir -p "$golden"
            cp "$tmp/report.$name.norm" "$golden/report.$name"
            echo "wrote $golden/report.$name" >&2
        elif ! cmp -s "$tmp/report.$name.norm" "$golden/report.$name"; then
            diff -u "$golden/report.$name" "$tmp/report.$name.norm" | head -n 40 >&2
            differ="$differ $name"
        fi
    done
    for fmt in csv json; do
        for lang in fr es; do
            run_ok report --reproducible --as-of $ASOF --format $fmt --lang $lang
            sed "s/$hex/HEAD/g" "$tmp/out" | cmp -s - "$tmp/report.$fmt.norm" ||
                differ="$differ $fmt($lang)"
        done
    done
    # Without --lang, the language comes from the environment.
    env LANGUAGE=fr:en LC_ALL= LC_MESSAGES= LANG=C "$DOCKET" report --reproducible --as-of $ASOF \
        >"$tmp/out"
    sed "s/$hex/HEAD/g" "$tmp/out" | cmp -s - "$tmp/report.fr.md.norm" || differ="$differ LANGUAGE=fr"
    env LANGUAGE= LC_ALL= LC_MESSAGES=es_ES.UTF-8 LANG=fr_FR.UTF-8 "$DOCKET" report \
        --reproducible --as-of $ASOF >"$tmp/out"
    sed "s/$hex/HEAD/g" "$tmp/out" | cmp -s - "$tmp/report.es.md.norm" ||
        differ="$differ LC_MESSAGES=es"
    env LANGUAGE= LC_ALL= LC_MESSAGES= LANG= "$DOCKET" report --reproducible --as-of $ASOF \
        >"$tmp/out"
    sed "s/$hex/HEAD/g" "$tmp/out" | cmp -s - "$tmp/report.md.norm" || differ="$differ no-locale"
    run_fails 2 "report: unknown language 'de' (en, fr or es)" report --lang de
    # What people read in French: the checklist's labels translated, dates and amounts as CLDR
    # writes them (U+202F groups thousands, U+00A0 comes before the currency code).
    for want in "| Membre |" "24 novembre 2015" "250$(printf '\342\200\257')000,50$(printf '\302\240')CHF" \
        "Non évalué"; do
        grep -q -F -e "$want" "$tmp/report.fr.md" || differ="$differ fr:'$want'"
    done
    for want in "250.000,50$(printf '\302\240')CHF" "de noviembre de 2015"; do
        grep -q -F -e "$want" "$tmp/report.es.md" || differ="$differ es:'$want'"
    done
    grep -q -F -e "CHF$(printf '\302\240')250,000.50" "$tmp/report.md" || differ="$differ en:amount"
    # The summary people read, written from the data in their language, as sentences.
    for want in "15 requests are tracked: 2 have been met and 1 is overdue." \
        "The mean progress of the requests is 20.0%." "1 safeguard is at risk." \
        "1 safeguard has been breached." "13 essential elements have not yet been assessed."; do
        grep -q -x -F -e "$want" "$tmp/report.md" || differ="$differ en:'$want'"
    done
    grep -q -x -F -e "15 demandes font l’objet d’un suivi$(printf '\302\240'): 2 ont été satisfaites et 1 est en retard." \
        "$tmp/report.fr.md" || differ="$differ fr:summary"
    grep -q -x -F -e "Se hace el seguimiento de 15 solicitudes: 2 han sido atendidas y 1 está atrasada." \
        "$tmp/report.es.md" || differ="$differ es:summary"
    # Progress over time: the first and last month, and those in which the figure changed; the
    # chart draws every month (26, from 2015-11 to 2017-12).
    # People read the months in words, in their language; machines as kept.
    over=$(sed -n '/^## Progress over time/,/^## /p' "$tmp/report.md" | grep '^| [A-Z][a-z]* 20' |
        cut -d'|' -f2-3 | tr -d ' ' | tr '\n' ' ')
    expect_eq "months in which progress changed" "$over" \
        "November2015|17.3 March2016|18.7 April2016|25.3 August2016|26.7 October2016|20 December2017|20 "
    grep -q -F -e "| novembre 2015 | 17,3 |" "$tmp/report.fr.md" || differ="$differ fr:month"
    grep -q -F -e "| noviembre de 2015 | 17,3 |" "$tmp/report.es.md" || differ="$differ es:month"
    # The charts too: months and figures as the language writes them.
    grep -q -F -e "<title>noviembre de 2015: 17,3$(printf '\302\240')%</title>" "$tmp/report.es.html" ||
        differ="$differ es:chart-month"
    grep -q -e '^month,progress' "$tmp/report.csv" && grep -q -e '^2015-11,17.3' "$tmp/report.csv" ||
        differ="$differ csv:month"
    # What a screen reader reads of each chart (its <desc>) is in the report's language too.
    pct=$(printf '\342\200\257')%
    grep -q -F -e "<desc id=\"chart3-desc\">Graphique linéaire (avancement par mois), de novembre 2015 (17,3$pct) à décembre 2017 (20$pct) ; maximum de 26,7$pct en août 2016" \
        "$tmp/report.fr.html" || differ="$differ fr:desc"
    grep -q -F -e "<desc id=\"chart11-desc\">Gráfico de barras de avance por tipo, 6 barras: Medida: 0$(printf '\302\240')%" \
        "$tmp/report.es.html" || differ="$differ es:desc"
    for lang in fr es; do
        ! grep -q -e "<desc[^>]*>[^<]*\(chart of\|highest\|lowest\|split by\| bars[:;]\)" "$tmp/report.$lang.html" ||
            differ="$differ $lang:english-desc"
    done
    expect_eq "months the chart draws" "$(sed -n '/<section id="over-time"/,/<\/section>/p' "$tmp/report.html" |
        grep -o '<circle' | wc -l | tr -d ' ')" 26
    [ -z "$differ" ] ||
        fail "reports differ from $golden/report.*:$differ (DOCKET_UPDATE_GOLDEN=1 rewrites them)"
    pass
    # The head as the report states it is "verify --head", so a reader can check it.
    grep -q -F -e "- Audit trail: \`local:$nevents:$hex\`" "$tmp/report.md" || fail "md: no audit trail line"
    grep -q -F -e "verify --against local:$nevents:$hex" "$tmp/report.html" ||
        fail "html: no verify --against line"
    pass
}

reproducible() {
    for lang in en fr es; do
        for fmt in md html csv json; do
            run_ok report --reproducible --format $fmt --lang $lang
            cp "$tmp/out" "$tmp/again1"
            run_ok report --reproducible --format $fmt --lang $lang
            cmp -s "$tmp/out" "$tmp/again1" || fail "two --reproducible $fmt $lang reports differ"
            pass
            run_ok report --reproducible --format $fmt --lang $lang --as-of 2016-06-30
            cp "$tmp/out" "$tmp/again1"
            run_ok report --reproducible --format $fmt --lang $lang --as-of 2016-06-30
            cmp -s "$tmp/out" "$tmp/again1" ||
                fail "two --reproducible --as-of $fmt $lang reports differ"
            pass
        done
    done
    run_ok report --reproducible
    expect_not_out '^- Generated:'
    # Today, as an English reader reads a date (LC_ALL=C: python's month names are English).
    expect_out "^- As of: $(python3 -c 'import datetime; d = datetime.date.today(); print(d.day, d.strftime("%B %Y"))')\$"
    run_ok report
    expect_out '^- Generated: [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z$'
    report_json
    expect_eq "generated with --reproducible" "$(pyjson 'print(d["generated"])')" None
    run_ok report --format json
    expect_eq "generated" "$(pyjson 'import re; print(bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["generated"])))')" True
    run_ok report --format html
    expect_out '<time class="generated" datetime="[0-9-]*T[0-9:.]*Z">'
    # -o writes the same bytes as stdout, and nothing on stdout.
    run_ok report --reproducible --as-of $ASOF --format html
    cp "$tmp/out" "$tmp/stdout.html"
    run_ok report --reproducible --as-of $ASOF --format html -o "$tmp/written.html"
    expect_no_out
    cmp -s "$tmp/written.html" "$tmp/stdout.html" || fail "-o wrote other bytes than stdout"
    pass
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
}

html() {
    run_ok report --reproducible --as-of $ASOF --format html
    python3 "$here/html_check.py" "$tmp/out" --chart over-time --chart by-kind \
        --chart by-paragraph --chart statuses --text "$odd_title" \
        --text "C/106/RES/1309" --text "Preserve: IOM has its own governance system" \
        >"$tmp/check" 2>&1 || fail "html_check: $(cat "$tmp/check")"
    pass
    # People read titles, not keys: a key is in csv and json alone.
    expect_not_out "safeguard.own-governance"
    # Exactly the four charts, each a figure; the odd title escaped in the text and attributes.
    expect_eq "svg elements" "$(grep -c '<svg ' "$tmp/out")" 4
    expect_out_fixed '&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;, a comma'
    expect_not_out '<script'
    expect_out_fixed '<title id="chart3-title">Progress over time</title>'
    expect_out_fixed '<circle class="dot" cx="64.0" cy="187.4" r="3.0"><title>November 2015: 17.3%</title></circle>'
    expect_out_fixed '<circle class="dot" cx="696.0" cy="182.0" r="3.0"><title>December 2017: 20%</title></circle>'
    expect_out '<time class="asof" datetime="2017-12-31">'
    # An empty section says so.
    report_json --as-of 2015-12 --section cost-totals
    expect_eq "no costs in 2015" "$(pyjson 'print(d["sections"][0]["rows"])')" "[]"
    run_ok report --reproducible --as-of 2015-12 --format html
    python3 "$here/html_check.py" "$tmp/out" --chart over-time >"$tmp/check" 2>&1 ||
        fail "html_check as of 2015-12: $(cat "$tmp/check")"
    pass
    expect_out_fixed '<p class="empty">No rows.</p>'
}

csv_check='import csv, io, json, sys
raw = open(sys.argv[1], "rb").read()
d = json.load(open(sys.argv[2], encoding="utf-8"))
whole = sys.argv[3] == "all"
quoted = False
for i, b in enumerate(raw):
    if b == 0x22:
        quoted = not quoted
    elif not quoted and b == 0x0A and raw[i - 1:i] != b"\r":
        sys.exit("a bare LF at byte %d" % i)
    elif not quoted and b == 0x0D and raw[i + 1:i + 2] != b"\n":
        sys.exit("a bare CR at byte %d" % i)
if not raw.endswith(b"\r\n"):
    sys.exit("no CRLF at the end")
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
def cell(v):
    return "" if v is None else "%.15g" % v if isinstance(v, float) else str(v)
i = 0
if whole:
    want = [["report", d["report"]]]
    want += [["document", x["symbol"] or "", x["title"] or "", x["adopted"] or ""] for x in d["documents"]]
    want += [["as_of", d["as_of"]]]
    while i < len(want):
        if rows[i] != want[i]:
            sys.exit("row %d: %r, expected %r" % (i, rows[i], want[i]))
        i += 1
    if rows[i][0] == "generated":
        i += 1
    if rows[i][:2] != ["trail", d["trail"]["stamp"]] or rows[i + 1] != []:
        sys.exit("row %d: %r, not the trail row and a blank one" % (i, rows[i]))
    i += 2
for s in d["sections"]:
    if whole:
        if rows[i] != [s["title"]]:
            sys.exit("row %d: %r, not the title of %s" % (i, rows[i], s["name"]))
        i += 1
    if rows[i] != s["columns"]:
        sys.exit("row %d: %r, not the columns of %s" % (i, rows[i], s["name"]))
    i += 1
    for r in s["rows"]:
        if rows[i] != [cell(v) for v in r]:
            sys.exit("row %d: %r, expected %r" % (i, rows[i], [cell(v) for v in r]))
        i += 1
if i != len(rows):
    sys.exit("%d rows more than the sections hold" % (len(rows) - i))
odd = [r for r in rows if r[:1] == ["safeguard.odd"] and len(r) == 5]
print(len(d["sections"]), len(rows), odd[0][1] if odd else "")'

csv_readback() {
    report_json --as-of $ASOF
    cp "$tmp/out" "$tmp/all.json"
    run_ok report --reproducible --as-of $ASOF --format csv
    cp "$tmp/out" "$tmp/all.csv"
    python3 -c "$csv_check" "$tmp/all.csv" "$tmp/all.json" all >"$tmp/csv" 2>&1 ||
        fail "csv: $(cat "$tmp/csv")"
    pass
    # 17 sections, each a title row and a header row, and the odd title read back whole.
    expect_eq "csv sections" "$(sed -n '1{s/ .*//;p}' "$tmp/csv")" 17
    expect_eq "csv odd title" "$(sed '1s/^[0-9]* [0-9]* //' "$tmp/csv")" "$odd_title"
    expect_out_fixed "$(printf 'safeguard.odd,"<script>alert(1)</script> ""&'"'"', a comma\nand a new line | pipe",not-assessed,\r')"
    expect_out_fixed "$(printf 'Overall progress\r\nitems,mean progress %%,done,overdue,breaches\r\n15,20.0,2,1,1\r\n')"
    # One section: its header and rows only, no title row.
    run_ok report --reproducible --as-of $ASOF --format csv --section costs
    cp "$tmp/out" "$tmp/costs.csv"
    report_json --as-of $ASOF --section costs
    python3 -c "$csv_check" "$tmp/costs.csv" "$tmp/out" one >"$tmp/csv" 2>&1 ||
        fail "csv --section costs: $(cat "$tmp/csv")"
    pass
    expect_eq "costs.csv" "$(tr -d '\r' <"$tmp/costs.csv")" "key,request,basis,currency,estimate,instances,estimates,latest estimate
cost.legal,Report the cost implications of the envisaged improved legal arrangements,one-off,CHF,250000.50,,1,2016-06
cost.legal,Report the cost implications of the envisaged improved legal arrangements,per year,USD,1200.00,,1,2016-07
legal.approach,Develop with the United Nations a way to improve the legal basis of the relationship,one-off,CHF,10000.00,,1,2017-01"
    # The totals are the store's, in minor units.
    run_ok report --reproducible --as-of $ASOF --format csv --section cost-totals
    expect_eq "cost totals" "$(tr -d '\r' <"$tmp/out")" "currency,basis,total,entries
CHF,one-off,260000.50,2
USD,per year,1200.00,1"
    expect_eq "store's totals" "$(sql "select group_concat(c || ' ' || t, ', ') from (select json_extract(attrs, '\$.currency') as c, sum(cast(new_value as integer)) as t from event where type = 'cost' group by c order by c)")" \
        "CHF 26000050, USD 120000"
}

json() {
    report_json --as-of $ASOF
    expect_eq "format" "$(pyjson 'print(d["format"], d["version"], d["report"], d["as_of"])')" \
        "docket-report 1 progress $ASOF"
    expect_eq "trail" "$(pyjson 'print(d["trail"]["events"], d["trail"]["head"])')" "$head"
    expect_eq "trail stamp" "$(pyjson 'print(d["trail"]["stamp"], d["trail"]["local"], d["trail"]["unpublished"])')" \
        "local:$nevents:$hex None 0"
    expect_eq "trail.events" "$(pyjson 'print(d["trail"]["events"])')" "$(sql 'select max(seq) from event')"
    expect_eq "documents" "$(pyjson 'print([(x["symbol"], x["adopted"]) for x in d["documents"]])')" \
        "[('C/106/RES/1309', '2015-11-24')]"
    expect_eq "section names" "$(pyjson 'print(" ".join(s["name"] for s in d["sections"]))')" \
        "overview summary over-time paragraphs changes conflicts quarantine reporting cost-totals costs by-kind by-paragraph statuses memberships safeguards longest evidence"
    expect_eq "section shape" "$(pyjson 'print(all(set(s) >= {"name", "title", "description", "chart", "columns", "rows"} and s["title"] and all(len(r) == len(s["columns"]) for r in s["rows"]) for s in d["sections"]))')" True
    expect_eq "charts" "$(pyjson 'print("; ".join("%s %s" % (s["name"], s["chart"]) for s in d["sections"] if s["chart"]))')" \
        "over-time {'kind': 'line', 'x': 'month', 'y': 'progress', 'series': None}; by-kind {'kind': 'bar', 'x': 'kind', 'y': 'progress', 'series': None}; by-paragraph {'kind': 'bar', 'x': 'paragraph', 'y': 'progress', 'series': None}; statuses {'kind': 'stack', 'x': 'kind', 'y': 'items', 'series': 'status'}"
    expect_eq "summary" "$(pyjson 'print(d["sections"][1]["columns"], d["sections"][1]["rows"])')" \
        "['items', 'mean progress %', 'done', 'overdue', 'breaches'] [[15, 20.0, 2, 1, 1]]"
    expect_eq "odd title in json" "$(pyjson 'print([r[1] for s in d["sections"] if s["name"] == "safeguards" for r in s["rows"] if r[0] == "safeguard.odd"][0])')" "$odd_title"
    run_ok verify --against "$nevents:$hex"
}

# asof_values DATE: the values an as-of report shows, one line per aspect.
asof_values() {
    report_json --as-of "$1"
    pyjson 'S = {s["name"]: s for s in d["sections"]}
def rows(n, key=None):
    return [r for r in S[n]["rows"] if key is None or r[0] == key]
print("as_of", d["as_of"])
print("summary", rows("summary")[0])
print("ceb", rows("memberships", "ceb")[0][3:5])
print("unct", rows("memberships", "unct")[0][3:])
print("echa", rows("memberships", "echa")[0][3:5])
print("safeguards", [r[0] + " " + r[2] for r in rows("safeguards")][:3], rows("safeguards")[-1][0])
print("reporting", rows("reporting")[0][2:])
print("costs", rows("cost-totals"))
print("evidence", [r[0] for r in rows("evidence")])
print("over-time", rows("over-time")[-1])'
}

asof() {
    asof_values 2016-02 >"$tmp/v" || fail "as of 2016-02"
    expect_eq "as of 2016-02" "$(cat "$tmp/v")" "as_of 2016-02-29
summary [15, 17.3, 2, 0, 0]
ceb ['not-approached', None]
unct ['not-approached', None, 0, '', 2, 0, 'not-approached 2']
echa ['not-approached', None]
safeguards ['safeguard.cost-effectiveness not-assessed', 'safeguard.decentralized not-assessed', 'safeguard.efficiency not-assessed'] safeguard.responsiveness
reporting ['not-started', 0, 6, None, '2016-05-24', '']
costs []
evidence []
over-time ['2016-02', 17.3]"
    asof_values 2016-06 >"$tmp/v" || fail "as of 2016-06"
    expect_eq "as of 2016-06" "$(cat "$tmp/v")" "as_of 2016-06-30
summary [15, 25.3, 2, 0, 0]
ceb ['approached', '2016-03']
unct ['not-approached', None, 0, '', 2, 0, 'not-approached 2']
echa ['not-approached', None]
safeguards ['safeguard.independence at-risk', 'safeguard.cost-effectiveness not-assessed', 'safeguard.decentralized not-assessed'] safeguard.responsiveness
reporting ['submitted', 100, 6, '2016-04', '2016-10-30', '']
costs [['CHF', 'one-off', '250000.50', 1]]
evidence ['ceb', 'report.wg']
over-time ['2016-06', 25.3]"
    asof_values 2017-06 >"$tmp/v" || fail "as of 2017-06"
    expect_eq "as of 2017-06" "$(cat "$tmp/v")" "as_of 2017-06-30
summary [15, 20.0, 2, 1, 1]
ceb ['approached', '2016-03']
unct ['not-approached', None, 0, '', 2, 1, 'member 1, not-approached 1']
echa ['not-approached', None]
safeguards ['safeguard.own-governance breached', 'safeguard.efficiency at-risk', 'safeguard.cost-effectiveness not-assessed'] safeguard.independence
reporting ['submitted', 0, 6, '2016-04', '2016-10-30', 'overdue']
costs [['CHF', 'one-off', '260000.50', 2], ['USD', 'per year', '1200.00', 1]]
evidence ['ceb', 'report.wg', 'unct/KEN']
over-time ['2017-06', 20.0]"
    # A whole year counts to its last day; the first day of the document is allowed.
    report_json --as-of 2016 --section summary
    expect_eq "as of 2016" "$(pyjson 'print(d["as_of"], d["sections"][0]["rows"])')" \
        "2016-12-31 [[15, 20.0, 2, 1, 0]]"
    report_json --as-of 2015-11-24 --section summary
    expect_eq "as of adoption" "$(pyjson 'print(d["as_of"], d["sections"][0]["rows"])')" \
        "2015-11-24 [[15, 17.3, 2, 0, 0]]"
    # As the tracker knew it before the revert: echa was a member then.
    report_json --as-of $ASOF --known-at "$reverted_at" --section memberships
    expect_eq "echa known before the revert" \
        "$(pyjson 'print([r[3] for r in d["sections"][0]["rows"] if r[0] == "echa"])')" "['member']"
}

# over_time_agrees MONTH...: the over-time value of each MONTH in the report as of $ASOF is
# the overall mean of a report as of the end of that month.
over_time_agrees() {
    report_json --as-of $ASOF --section over-time
    cp "$tmp/out" "$tmp/over-time.json"
    for m in "$@"; do
        ot=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([r[1] for r in d["sections"][0]["rows"] if r[0] == sys.argv[2]])' "$tmp/over-time.json" "$m")
        report_json --as-of "$m" --section summary
        expect_eq "over time in $m against the report as of $m" "$ot" "$(pyjson 'print([d["sections"][0]["rows"][0][1]])')"
    done
}

over_time() {
    report_json --as-of $ASOF --section over-time
    expect_eq "months" "$(pyjson 'print(len(d["sections"][0]["rows"]), d["sections"][0]["rows"][0], d["sections"][0]["rows"][-1])')" \
        "26 ['2015-11', 17.3] ['2017-12', 20.0]"
    expect_eq "changes over time" "$(pyjson 'r = d["sections"][0]["rows"]
print([(m, v) for i, (m, v) in enumerate(r) if i == 0 or r[i - 1][1] != v])')" \
        "[('2015-11', 17.3), ('2016-03', 18.7), ('2016-04', 25.3), ('2016-08', 26.7), ('2016-10', 20.0)]"
    # Every request counts once (#14 point 14): ceb counts, an instance never on its own, so
    # neither unct/UGA's arrival (2016-02) nor unct/KEN's membership (2016-09) moves it. The
    # reporting duty submitted in 2016-04 falls due on 2016-10-30 and counts 0 from October
    # (#14 point 16).
    over_time_agrees 2015-11 2016-01 2016-02 2016-03 2016-04 2016-08 2016-09 2016-10 2017-06
}

# An instance added later changes no month: instances never count on their own.
over_time_with_a_later_child() {
    backup_to "$tmp/later.db"
    DOCKET_DB=$tmp/later.db
    run_ok add undg.regional/AFR --title "Regional UNDG team, Africa" --on 2017-03 -m "tracked"
    over_time_agrees 2016-06 2017-02 2017-03
}

# A parent whose status follows from its instances counts once, by their mean, month by month
# as in the report as of each month (#14 points 4 and 14).
over_time_by_instances() {
    backup_to "$tmp/byinst.db"
    DOCKET_DB=$tmp/byinst.db
    run_ok edit unct rollup=instances --on 2015-11-24 -m "counted by country"
    report_json --as-of 2016-09 --section memberships
    expect_eq "unct by instances as of 2016-09" \
        "$(pyjson 'print([r[3:7] for r in d["sections"][0]["rows"] if r[0] == "unct"])')" \
        "[['(by instances)', None, 50, '']]"
    report_json --as-of 2016-09 --section summary
    expect_eq "summary with unct by instances" "$(pyjson 'print(d["sections"][0]["rows"])')" \
        "[[15, 30.0, 2, 0, 0]]"
    over_time_agrees 2015-11 2016-01 2016-02 2016-08 2016-09 2016-10 2017-06
}

# A membership to keep that is lost is a breach of that request, flagged as a breached
# safeguard is; the safeguards section names those at risk by the vocabulary's flag (#14 point 8).
lost_membership() {
    backup_to "$tmp/lost.db"
    DOCKET_DB=$tmp/lost.db
    run_ok set iasmn lapsed --on 2017-06 -m "the network dropped IOM"
    report_json --as-of $ASOF
    expect_eq "iasmn flagged" "$(pyjson 'S = {s["name"]: s for s in d["sections"]}
print([r[3:7] for r in S["memberships"]["rows"] if r[0] == "iasmn"], S["summary"]["rows"][0][4])
print([(r[0], r[4]) for r in S["safeguards"]["rows"] if r[4]])')" \
        "[['lapsed', '2017-06', 0, 'breach']] 2
[('safeguard.own-governance', 'breach'), ('safeguard.efficiency', 'at risk')]"
}

# Kinds and statuses are names of any length: progress over time reads them whole.
long_names() {
    DOCKET_DB=$tmp/long.db
    long_kind=$(python3 -c 'print("k" * 150)')
    long_done=$(python3 -c 'print("done-" + "d" * 150)')
    cat >"$tmp/long.json" <<EOF
{"format": "docket-checklist", "version": 1,
 "document": {"symbol": "T/1", "title": "A test resolution", "adopted": "2015-11-24",
              "paragraphs": [{"ref": "1", "text": "Requests a report."}]},
 "kinds": [{"name": "$long_kind", "initial": "not-started",
            "statuses": [{"name": "not-started", "progress": 0, "final": false},
                         {"name": "$long_done", "progress": 100, "final": true}]}],
 "items": [{"key": "report", "title": "Report back", "kind": "$long_kind", "ref": "1"}]}
EOF
    run_ok init --empty
    run_ok import "$tmp/long.json"
    run_ok set report "$long_done" -m "sent" --on 2016-03
    report_json --as-of 2016-06
    expect_eq "overall progress" "$(pyjson 'print(d["sections"][1]["rows"][0][1])')" 100.0
    expect_eq "progress over time" \
        "$(pyjson 'print([r for s in d["sections"] if s["name"] == "over-time" for r in s["rows"]][-4:])')" \
        "[['2016-03', 100.0], ['2016-04', 100.0], ['2016-05', 100.0], ['2016-06', 100.0]]"
    run_ok report --format html --as-of 2016-06 -o "$tmp/long.html"
    expect_ne "the kind in the chart" "$(grep -c "$long_kind" "$tmp/long.html")" 0
}

# ---------------------------------------------------------------------------------------------
# User report directories.
rdir=$tmp/reports
mkdir -p "$rdir"

user_reports() {
    report_json --as-of $ASOF
    cp "$tmp/out" "$tmp/builtin.json"
    # An override of progress with one more section.
    cp "$reports_src/progress.sql" "$rdir/progress.sql"
    cat >>"$rdir/progress.sql" <<'EOF'

-- section: extra
-- title: Safeguards at risk or breached
-- description: An extra section from the user's directory,
-- description: over two lines.
-- chart: bar x=status y=items
SELECT status, count(*) AS items FROM items
WHERE kind = 'safeguard' AND status IN ('at-risk', 'breached')
GROUP BY status ORDER BY status;
EOF
    report_json --as-of $ASOF --reports "$rdir"
    expect_eq "override sections" "$(pyjson 'print(len(d["sections"]), d["sections"][-1]["name"], d["sections"][-1]["rows"])')" \
        "18 extra [['at-risk', 1], ['breached', 1]]"
    expect_eq "extra description" "$(pyjson 'print(d["sections"][-1]["description"])')" \
        "An extra section from the user's directory, over two lines."
    # The rest is the built-in report, unchanged.
    python3 -c 'import json,sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a["sections"] = a["sections"][:-1]
sys.exit(a != b)' "$tmp/out" "$tmp/builtin.json" || fail "the override's other sections differ from the built-in ones"
    pass
    run_ok report --reproducible --as-of $ASOF --reports "$rdir" --format html
    python3 "$here/html_check.py" "$tmp/out" --chart extra --chart over-time >"$tmp/check" 2>&1 ||
        fail "html_check of the override: $(cat "$tmp/check")"
    pass
    # A report of a new name, with the report's bounds as parameters.
    cat >"$rdir/brief.sql" <<'EOF'
-- title: Brief
-- description: Two numbers.

-- section: counts
-- title: Items and events
SELECT (SELECT count(*) FROM items) AS items, :asof AS "as of",
       (SELECT count(*) FROM status_events) AS "status changes";
EOF
    run_ok report brief --reports "$rdir" --reproducible --as-of 2016-06 --format csv
    expect_eq "brief" "$(tr -d '\r' <"$tmp/out" | sed '1,/^$/d')" "Items and events
items,as of,status changes
34,2016-06-30,8"
    run_ok report brief --reports "$rdir" --reproducible --as-of 2016-06
    expect_out '^# Brief$'
    expect_out '^## Items and events$'
    run_fails 3 "docket: report: unknown report 'brief'" report brief
    # Without the file there, the built-in report is used.
    run_ok report --reports "$tmp" --reproducible --as-of $ASOF --format json
    cmp -s "$tmp/out" "$tmp/builtin.json" || fail "--reports without progress.sql is not the built-in report"
    pass
}

# bad_report FILE-CONTENT RC PATTERN: a report 'bad' holding CONTENT fails with RC and
# PATTERN, to a file and published: nothing is written either way.
bad_report() {
    printf '%s\n' "$1" >"$rdir/bad.sql"
    run_fails "$2" "$3" report bad --reports "$rdir" --publish
    run_fails "$2" "$3" report bad --reports "$rdir" --format html -o "$tmp/bad.html"
    run_fails "$2" "$3" report bad --reports "$rdir" --format csv -o "$tmp/bad.html" --publish
    [ ! -e "$tmp/bad.html" ] || fail "a failed report left $tmp/bad.html"
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
}

head3='-- title: Bad
-- description: A report that is refused.

-- section: fine
-- title: Fine
SELECT 1 AS one;
'

user_reports_refused() {
    n0=$(events)
    for w in "DELETE FROM items" "INSERT INTO items (uuid, key, kind, title, created) VALUES ('u', 'k', 'action', 't', '2016')" \
        "UPDATE items SET status = 'member'" "DROP TABLE items" "CREATE TABLE t (x)" \
        "INSERT INTO event (seq) VALUES (1000) RETURNING seq" "REPLACE INTO meta VALUES ('a', 'b')" \
        "WITH x AS (SELECT 1) DELETE FROM items" "VACUUM"; do
        bad_report "$head3
-- section: writes
-- title: Writes

$w;" 3 "^docket: report: $rdir/bad.sql:11: section 'writes' would write to the store\$"
    done
    expect_eq "events after refused writes" "$(events)" "$n0"
    uv0=$(sql 'PRAGMA user_version')
    bad_report "$head3
-- section: pragma
-- title: Pragma

PRAGMA user_version = 7;" 3 "^docket: report: $rdir/bad.sql:11: section 'pragma': PRAGMA 'user_version' is not allowed in a report\$"
    expect_eq "the store's user_version" "$(sql 'PRAGMA user_version')" "$uv0"
    expect_eq "items after refused writes" "$(sql 'select count(*) from items')" 34
    bad_report "$head3
-- section: broken
-- title: Broken
SELEC key FROM items;" 3 "^docket: report: $rdir/bad.sql:10: section 'broken': near \"SELEC\": syntax error\$"
    bad_report "$head3
-- section: nosuch
-- title: No such table
SELECT * FROM nosuch;" 3 "^docket: report: $rdir/bad.sql:10: section 'nosuch': no such table: nosuch\$"
    bad_report "$head3
-- section: two
-- title: Two statements
SELECT 1;
SELECT 2;" 3 "^docket: report: $rdir/bad.sql:10: section 'two' holds more than one statement\$"
    bad_report "$head3
-- section: untitled

SELECT 1;" 3 "^docket: report: $rdir/bad.sql:\(8\|10\): the section has no '-- title:'\$"
    bad_report "$head3
-- section: empty
-- title: Empty
" 3 "^docket: report: $rdir/bad.sql:8: the section has no SELECT\$"
    bad_report "$head3
-- section: unknown
-- title: Unknown header
-- owner: someone
SELECT 1;" 3 "^docket: report: $rdir/bad.sql:10: unknown header"
    cat >"$rdir/say.sql" <<'EOF'
-- title: Sentences
-- section: said
-- title: Said
-- layout: prose
SELECT say('%d item, %s%%', '%d items, %s%%', n, n, 'all') AS s FROM (SELECT 1 AS n UNION ALL SELECT 2)
UNION ALL SELECT say('%d and %s', '%d and %s', 1, 12345)
UNION ALL SELECT say('no %s here', 'no %s here', 3);
EOF
    run_ok report say --reports "$rdir" --reproducible --lang fr
    expect_eq "say() in French" "$(sed -n '/^## Said/,$p' "$tmp/out" | grep .)" "## Said
1 item, all%
2 items, all%
12$(printf '\342\200\257')345 and 
no  here"
    bad_report "$head3
-- section: say
-- title: Say without a count
SELECT say('a', 'b') AS s;" 3 "^docket: report: $rdir/bad.sql:10: section 'say': say() takes MSGID, PLURAL, N and the sentence's values\$"
    # "-- each:": a heading (and its quote) for each value of the first columns; a row of
    # nothing else only opens its heading; machines take the columns as they are.
    cat >"$rdir/each.sql" <<'EOF'
-- title: Grouped
-- section: grouped
-- title: Grouped
-- each: part, words
SELECT 'Part A' AS part, 'What A says' AS words, 'x' AS item, 1 AS n
UNION ALL SELECT 'Part A', 'What A says', 'y', 2
UNION ALL SELECT 'Part B', 'What B | says', NULL, NULL
UNION ALL SELECT 'Part C', NULL, 'z', 3;
EOF
    run_ok report each --reports "$rdir" --reproducible
    expect_eq "each, md" "$(sed -n '/^## Grouped/,$p' "$tmp/out" | grep .)" "## Grouped
### Part A
> What A says
| item | n |
|---|---|
| x | 1 |
| y | 2 |
### Part B
> What B \| says
### Part C
| item | n |
|---|---|
| z | 3 |"
    run_ok report each --reports "$rdir" --reproducible --format html
    expect_eq "each, html" "$(sed -n '/<section id="grouped">/,/<\/section>/p' "$tmp/out" |
        grep -c '<table>\|<h3>\|<blockquote>')" 7
    expect_out_fixed '<blockquote>What B | says</blockquote>'
    run_ok report each --reports "$rdir" --reproducible --format csv
    expect_eq "each, csv" "$(sed -n 7,8p "$tmp/out" | tr -d "\r")" "part,words,item,n
Part A,What A says,x,1"
    # "-- machines:" and "-- people:": columns for one audience, dropped for the other.
    cat >"$rdir/aud.sql" <<'EOF'
-- title: Audiences
-- section: aud
-- title: Audiences
-- machines: key, day
-- people: when
SELECT 'k1' AS key, 'Title one' AS title, 'on 1 May' AS "when", '2016-05-01' AS day;
EOF
    run_ok report aud --reports "$rdir" --reproducible
    expect_eq "audiences, md" "$(sed -n '/^## Audiences/,$p' "$tmp/out" | grep '^|')" "| title | when |
|---|---|
| Title one | on 1 May |"
    run_ok report aud --reports "$rdir" --reproducible --format html
    expect_out_fixed "<tr><td>Title one</td><td>on 1 May</td></tr>"
    expect_not_out "k1"
    run_ok report aud --reports "$rdir" --reproducible --format csv
    expect_eq "audiences, csv" "$(sed -n 7,8p "$tmp/out" | tr -d "\r")" "key,title,day
k1,Title one,2016-05-01"
    run_ok report aud --reports "$rdir" --reproducible --format json
    expect_eq "audiences, json" "$(pyjson 'print(d["sections"][0]["columns"], d["sections"][0]["rows"])')" \
        "['key', 'title', 'day'] [['k1', 'Title one', '2016-05-01']]"
    bad_report "$head3
-- section: aud
-- title: For machines, a column it lacks
-- machines: key, nothing
SELECT 1 AS key;" 3 "^docket: report: $rdir/bad.sql:11: section 'aud': '-- machines:' names nothing, which is not one of its columns\$"
    bad_report "$head3
-- section: aud
-- title: For both
-- machines: key
-- people: key
SELECT 1 AS key, 2 AS two;" 3 "^docket: report: $rdir/bad.sql:12: section 'aud': a column is for people or for machines, not both\$"
    bad_report "$head3
-- section: each
-- title: Each by a column not first
-- each: part
SELECT 1 AS n, 2 AS part;" 3 "^docket: report: $rdir/bad.sql:11: section 'each': '-- each: part' is not its first column, before at least one other\$"
    bad_report "$head3
-- section: each
-- title: Each of three
-- each: a, b, c
SELECT 1 AS a, 2 AS b, 3 AS c, 4 AS d;" 3 "^docket: report: $rdir/bad.sql:10: '-- each:' names a heading column and at most a quote column\$"
    bad_report "$head3
-- section: shown
-- title: Shown by a column not last
-- shown: keep
SELECT 1 AS keep, 2 AS two;" 3 "^docket: report: $rdir/bad.sql:11: section 'shown': '-- shown: keep' is not its last column\$"
    bad_report "$head3
-- section: shown
-- title: Shown twice
-- shown: keep
-- shown: keep
SELECT 1 AS keep;" 3 "^docket: report: $rdir/bad.sql:11: a section has one '-- shown:' column\$"
    bad_report "$head3
-- section: param
-- title: Unknown parameter
SELECT :nosuch;" 3 "^docket: report: $rdir/bad.sql:10: section 'param': unknown parameter :nosuch"
    bad_report "$head3
-- section: fine
-- title: Twice
SELECT 2;" 3 "^docket: report: $rdir/bad.sql:8: this section name is used twice\$"
    bad_report "$head3
-- section: Not_A_Name
-- title: Bad name
SELECT 2;" 3 "^docket: report: $rdir/bad.sql:8: a section name is"
    bad_report "-- description: no title
-- section: a
-- title: A
SELECT 1;" 3 "^docket: report: $rdir/bad.sql:1: the report has no '-- title:'\$"
    bad_report "-- title: No sections" 3 "^docket: report: $rdir/bad.sql:[0-9]*: no '-- section:' in the report\$"
    printf -- '-- title: \377\n-- section: a\n-- title: A\nSELECT 1;\n' >"$rdir/bad.sql"
    run_fails 3 "^docket: report: $rdir/bad.sql: not valid UTF-8 text\$" report bad --reports "$rdir"
    expect_eq "events after refused reports" "$(events)" "$n0"
}

# A refused report prints nothing, on stdout either: its sections are checked before the first
# byte is written.
user_reports_refused_print_nothing() {
    for w in "DELETE FROM items" "SELEC 1" "SELECT * FROM nosuch" "SELECT 1; SELECT 2" "SELECT :nosuch"; do
        printf '%s\n-- section: late\n-- title: Late\n%s;\n' "$head3" "$w" >"$rdir/bad.sql"
        for fmt in md html csv json; do
            run_fails 3 "^docket: report: $rdir/bad.sql:10: section 'late'" report bad --reports "$rdir" --format $fmt
        done
    done
}

# Refusals that must name the line they are about.
user_reports_refused_lines() {
    bad_report "$head3
-- section: pie
-- title: A pie
-- chart: pie x=a y=b
SELECT 1 AS a, 2 AS b;

-- section: after
-- title: After
SELECT 3;" 3 "^docket: report: $rdir/bad.sql:10: a chart is bar, line or stack\$"
    bad_report "$head3
-- section: twice
-- title: One
-- title: Two
SELECT 1;

-- section: after
-- title: After
SELECT 3;" 3 "^docket: report: $rdir/bad.sql:10: the title is given twice\$"
    bad_report "-- title: Early
SELECT 1;
-- section: a
-- title: A
SELECT 1;

" 3 "^docket: report: $rdir/bad.sql:2: SQL before the first '-- section:' line\$"
}

# A section may not end the command's transaction: it is refused and nothing is recorded.
user_reports_transaction_control() {
    for w in COMMIT ROLLBACK END; do
        bad_report "$head3
-- section: tx
-- title: Transaction control
$w;" 3 "^docket: report: $rdir/bad.sql:10: section 'tx'"
    done
}

# ---------------------------------------------------------------------------------------------
bad_input() {
    run_fails 3 "^docket: report: unknown report 'progres' (did you mean 'progress'?)\$" report progres
    run_fails 3 "^docket: report: unknown section 'nosuch' in report 'progress' (valid: overview, summary, over-time, paragraphs, changes, conflicts, quarantine, reporting, cost-totals, costs, by-kind, by-paragraph, statuses, memberships, safeguards, longest, evidence)\$" report --section nosuch
    run_fails 2 "^docket: report: unknown format 'xml' (md, html, csv, json or pdf)\$" report --format xml
    run_fails 2 "^docket: report: too many arguments" report progress extra
    run_fails 2 "^docket: report: unknown option '--bogus'" report --bogus
    run_fails 3 "^docket: report: 2015-11-23 is before any document was adopted (the first, 2015-11-24)\$" \
        report --as-of 2015-11-23
    run_fails 3 "^docket: report: bad date '2016-13'" report --as-of 2016-13
    run_fails 3 "^docket: report: bad date '2016-02-30'" report --as-of 2016-02-30
    run_fails 3 "^docket: report: bad date 'soon'" report --as-of soon
    run_fails 3 "^docket: report: bad time 'yesterday'" report --since yesterday
    run_fails 3 "^docket: report: bad time '2016-02-30'" report --since 2016-02-30
    run_fails 3 "^docket: report: bad time 'then'" report --known-at then
    run_fails 3 "^docket: report: bad report name '../progress'" report ../progress
    # -o in a folder that does not exist: nothing at all is written there or beside it.
    run_fails 6 "^docket: report: cannot write '$tmp/missing/r.md': No such file or directory\$" \
        report -o "$tmp/missing/r.md"
    [ ! -e "$tmp/missing" ] || fail "the missing folder was created"
    pass
    # -o naming a folder: the temporary file beside it is removed.
    mkdir "$tmp/adir"
    run_fails 6 "^docket: report: cannot write '$tmp/adir': it is a folder\$" report -o "$tmp/adir"
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
    expect_eq "files in the folder" "$(ls "$tmp/adir" | wc -l | tr -d ' ')" 0
    # A report that fails keeps the old file whole.
    echo "the old report" >"$tmp/keep.md"
    run_fails 3 "unknown section 'nosuch'" report --section nosuch -o "$tmp/keep.md"
    run_fails 3 "is before any document" report --as-of 2015-01 -o "$tmp/keep.md"
    expect_eq "the old file" "$(cat "$tmp/keep.md")" "the old report"
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
}

# ---------------------------------------------------------------------------------------------
publish() {
    n0=$(events)
    run_ok verify --head
    head0=$(sed -n 's/^local:\([0-9]*\):/\1 /p' "$tmp/out")
    run_ok report --publish --reproducible
    expect_out_fixed "- Audit trail: \`local:${head0% *}:${head0#* }\`"
    expect_eq "events after publishing" "$(events)" $((n0 + 1))
    expect_eq "publications" "$(sql "select count(*) from event where type = 'publication'")" 1
    expect_eq "the publication" \
        "$(sql "select subject, new_value, json_extract(attrs, '\$.as_of'), json_extract(attrs, '\$.format') from event where seq = (select max(seq) from event)")" \
        "progress|local:${head0% *}:${head0#* }|$(today)|md"
    run_ok verify
    # Right after it, nothing has changed since.
    report_json --section changes
    expect_eq "changes right after publishing" "$(pyjson 'print(d["sections"][0]["rows"])')" "[]"
    run_ok set ceb.hlcp approached -m "letter to the HLCP" --on 2017-06
    run_ok add unct/TZA --title "UN country team, Tanzania" --on 2017-07 -m "tracked"
    run_ok note ceb -m "a note changes no status"
    report_json --section changes
    expect_eq "changes since the publication" "$(pyjson 'print(d["sections"][0]["rows"])')" \
        "[['ceb.hlcp', 'Become a member of the High-level Committee on Programmes (HLCP)', 'not-approached', 'approached', '2017-06'], ['unct/TZA', 'UN country team, Tanzania', '(new)', 'not-approached', None]]"
    # --since overrides the last publication.
    report_json --section changes --since 2000-01-01
    expect_eq "changes since 2000" "$(pyjson 'print(len(d["sections"][0]["rows"]))')" "$(sql 'select count(*) from items')"
    # Published as of a date, to a file: the file appears and holds the head before it.
    run_ok verify --head
    head1=$(sed -n 's/^local:\([0-9]*\):/\1 /p' "$tmp/out")
    run_ok report --publish --as-of 2017-06 --format html -o "$tmp/published.html"
    expect_no_out
    grep -q -F -e "verify --against local:${head1% *}:${head1#* }" "$tmp/published.html" ||
        fail "the published file does not state the head before the publication"
    pass
    expect_eq "the second publication" \
        "$(sql "select new_value, json_extract(attrs, '\$.as_of'), json_extract(attrs, '\$.format') from event where seq = (select max(seq) from event)")" \
        "local:${head1% *}:${head1#* }|2017-06-30|html"
    report_json --section changes
    expect_eq "changes after the second publication" "$(pyjson 'print(d["sections"][0]["rows"])')" "[]"
    # Publishing writes: -r refuses it; an unwritable file records nothing.
    run_fails 2 "^docket: report: this writes to the store, which -r forbids\$" -r report --publish
    run_fails 6 "^docket: report: cannot write '$tmp/missing/p.md'" report --publish -o "$tmp/missing/p.md"
    expect_eq "publications in the end" "$(sql "select count(*) from event where type = 'publication'")" 2
    run_ok -r report --reproducible --section summary
}

# A publication whose file cannot be put in place is not recorded.
publish_to_a_folder() {
    n0=$(events)
    mkdir -p "$tmp/pubdir"
    run_fails 6 "^docket: report: cannot write '$tmp/pubdir'" report --publish -o "$tmp/pubdir"
    expect_eq "events after a failed publication" "$(events)" "$n0"
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
}

# ---------------------------------------------------------------------------------------------
# --known-at: the changes count from the last publication known then, not from a later one.
known_at_publication() {
    backup_to "$tmp/known.db"
    DOCKET_DB=$tmp/known.db
    run_ok report --publish --reproducible
    run_ok set iasc member -m "joined the IASC" --on 2017-06
    known=$(sql 'select recorded from event where seq = (select max(seq) from event)')
    sleep 0.01
    run_ok set echa observer -m "invited to ECHA" --on 2017-07
    run_ok report --publish --reproducible
    report_json --section changes --known-at "$known"
    expect_eq "changes known at $known" "$(pyjson 'print([(r[0], r[3]) for r in d["sections"][0]["rows"]])')" \
        "[('iasc', 'member')]"
    report_json --section changes
    expect_eq "changes since the last publication" "$(pyjson 'print(d["sections"][0]["rows"])')" "[]"
}

# Cells no format can carry as they are: a long run of UTF-8 continuation bytes, infinities,
# invalid UTF-8 with a NUL. Every format ends, keeps every cell, and writes valid UTF-8.
odd_cells() {
    cdir=$tmp/cells
    mkdir -p "$cdir"
    cont=$(python3 -c 'print("80" * 300)')
    cat >"$cdir/cells.sql" <<EOF
-- title: Cells
-- section: cells
-- title: Cells
SELECT CAST(x'$cont' AS TEXT) AS cont, 1e999 AS inf, -1e999 AS ninf,
       CAST(x'41ff420043' AS TEXT) AS bad, 'ok' AS fine;
EOF
    for fmt in md html csv json; do
        last_cmd="report cells --reports $cdir --format $fmt (at most 20 s)"
        timeout 20 "$DOCKET" report cells --reports "$cdir" --reproducible --format $fmt \
            >"$tmp/cells.$fmt" 2>"$tmp/err"
        rc=$?
        expect_rc 0
    done
    expect_eq "md: the continuation bytes, each escaped" \
        "$(grep -o '\\x80' "$tmp/cells.md" | wc -l | tr -d ' ')" 300
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(d["sections"][0]["rows"] == [["\ufffd" * 300, None, None, "A\ufffdB\ufffdC", "ok"]])' \
        "$tmp/cells.json" >"$tmp/v" 2>&1 || fail "json cells: $(cat "$tmp/v")"
    expect_eq "json: every cell, infinities as null" "$(cat "$tmp/v")" True
    python3 -c 'import csv, io, sys
rows = list(csv.reader(io.StringIO(open(sys.argv[1], "rb").read().decode("utf-8"), newline="")))
print(rows[rows.index([]) + 3] == ["\ufffd" * 300, "inf", "-inf", "A\ufffdB\ufffdC", "ok"])' \
        "$tmp/cells.csv" >"$tmp/v" 2>&1 || fail "csv cells: $(cat "$tmp/v")"
    expect_eq "csv: valid UTF-8, bad bytes and NUL repaired" "$(cat "$tmp/v")" True
}

# --reports names a folder that must be there and readable: a slip never gives the built-in
# report instead.
reports_dir_missing() {
    run_fails 6 "^docket: report: cannot read the folder '$tmp/no/such': No such file or directory\$" \
        report --reports "$tmp/no/such"
    run_fails 6 "^docket: report: cannot read the folder '$tmp/no/such'" \
        report --reports "$tmp/no/such" --publish -o "$tmp/nodir.md"
    [ ! -e "$tmp/nodir.md" ] || fail "a refused report wrote $tmp/nodir.md"
    pass
    echo "not a folder" >"$tmp/plain"
    run_fails 6 "^docket: report: cannot read the folder '$tmp/plain': Not a directory\$" \
        report --reports "$tmp/plain"
    # (root reads any folder: the unreadable case is checked as another user only)
    if [ "$(id -u)" != 0 ]; then
        mkdir -p "$tmp/closed"
        chmod 000 "$tmp/closed"
        run_fails 6 "^docket: report: cannot read the folder '$tmp/closed': Permission denied\$" \
            report --reports "$tmp/closed"
        chmod 700 "$tmp/closed"
    fi
}

# -o - is the command's own output: a published report that fails part-way prints nothing
# and records nothing, as without -o.
publish_to_stdout() {
    sdir=$tmp/late
    mkdir -p "$sdir"
    printf '%s\n-- section: late\n-- title: Late\nSELECT sum(column1) FROM (VALUES (9223372036854775807), (1));\n' \
        "$head3" >"$sdir/late.sql"
    for fmt in md csv json; do
        run_fails 3 "^docket: report: $sdir/late.sql:10: section 'late': integer overflow\$" \
            report late --reports "$sdir" --format $fmt --publish -o -
    done
    backup_to "$tmp/stdout.db"
    DOCKET_DB=$tmp/stdout.db
    n0=$(events)
    run_ok report --reproducible --publish -o -
    expect_out '^# Progress report$'
    expect_eq "events after publishing to -o -" "$(events)" $((n0 + 1))
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
}

# The cost totals never fail the report: totals past 64 bits are said to be too large, and
# those that fit are exact, even beyond a double's 53 bits.
cost_overflow() {
    backup_to "$tmp/costs.db"
    DOCKET_DB=$tmp/costs.db
    # Amounts no command may take, written behind docket's back (as a sync from another
    # office could bring them); a report does not check the chain. On a basis of their own, so
    # that none replaces another item's estimate, and the two in CHF on two items.
    for c in CHF:1:cost.legal CHF:2:legal.approach USD:3:cost.legal; do
        n=${c#*:}
        k=${n#*:}
        n=${n%:*}
        sql "insert into event (seq, uuid, batch, type, item, subject, old_value, new_value,
                attrs, reason, eff, recorded, actor, login, replica, hash)
             select (select max(seq) from event) + 1, 'huge-$n', batch, type,
                (select uuid from items where key = '$k'), '$k', old_value,
                '9000000000000000000', json_set(attrs, '\$.basis', 'huge'), reason, eff,
                recorded, actor, login, replica, hash
             from event where type = 'cost' and json_extract(attrs, '\$.currency') = '${c%%:*}'
                and item = (select uuid from items where key = 'cost.legal')
             order by seq limit 1" || fail "inserting a cost"
    done
    expect_eq "huge costs" "$(sql "select count(*) from event where uuid like 'huge-%'")" 3
    run_ok report --reproducible --as-of $ASOF --format csv --section cost-totals
    expect_eq "cost totals" "$(tr -d '\r' <"$tmp/out")" "currency,basis,total,entries
CHF,huge,too large,2
CHF,one-off,260000.50,2
USD,huge,90000000000000000.00,1
USD,per year,1200.00,1"
    run_ok report --reproducible --as-of $ASOF --format csv --section costs
    expect_eq "costs" "$(tr -d '\r' <"$tmp/out")" "key,request,basis,currency,estimate,instances,estimates,latest estimate
cost.legal,Report the cost implications of the envisaged improved legal arrangements,huge,CHF,90000000000000000.00,,1,2016-06
cost.legal,Report the cost implications of the envisaged improved legal arrangements,huge,USD,90000000000000000.00,,1,2016-07
cost.legal,Report the cost implications of the envisaged improved legal arrangements,one-off,CHF,250000.50,,1,2016-06
cost.legal,Report the cost implications of the envisaged improved legal arrangements,per year,USD,1200.00,,1,2016-07
legal.approach,Develop with the United Nations a way to improve the legal basis of the relationship,huge,CHF,90000000000000000.00,,1,2016-06
legal.approach,Develop with the United Nations a way to improve the legal basis of the relationship,one-off,CHF,10000.00,,1,2017-01"
}

# ---------------------------------------------------------------------------------------------
# A report's own SQL runs in a sandbox: only reads, and the functions a report needs.
sandbox_refusals() {
    n0=$(events)
    bad_report "$head3
-- section: tok
-- title: Tokenizer
SELECT hex(fts3_tokenizer('simple')) AS address;" 3 \
        "^docket: report: $rdir/bad.sql:10: section 'tok': function 'fts3_tokenizer' is not allowed in a report\$"
    for fmt in md html csv json; do
        run_fails 3 "^docket: report: $rdir/bad.sql:10: section 'tok': function 'fts3_tokenizer' is not allowed in a report\$" \
            report bad --reports "$rdir" --format $fmt
    done
    bad_report "$head3
-- section: ext
-- title: Extension
SELECT load_extension('$tmp/nosuch.so') AS loaded;" 3 \
        "^docket: report: $rdir/bad.sql:10: section 'ext': function 'load_extension' is not allowed in a report\$"
    bad_report "$head3
-- section: files
-- title: Files
SELECT file FROM pragma_database_list;" 3 \
        "^docket: report: $rdir/bad.sql:10: section 'files': table 'pragma_database_list' is not allowed in a report\$"
    bad_report "$head3
-- section: mode
-- title: Journal mode
SELECT count(*) FROM pragma_journal_mode('delete');" 3 \
        "^docket: report: $rdir/bad.sql:10: section 'mode': table 'pragma_journal_mode' is not allowed in a report\$"
    bad_report "$head3
-- section: attach
-- title: Attach
ATTACH '$tmp/other.db' AS other;" 3 \
        "^docket: report: $rdir/bad.sql:10: section 'attach': ATTACH is not allowed in a report\$"
    [ ! -e "$tmp/other.db" ] || fail "ATTACH created $tmp/other.db"
    pass
    expect_eq "events after refused sections" "$(events)" "$n0"
    expect_eq "the journal mode" "$(sql 'PRAGMA journal_mode')" wal
    # What a report may use still works, json_each and counts over common table expressions
    # included.
    cat >"$rdir/fine.sql" <<'EOF'
-- title: Fine
-- section: fine
-- title: Fine
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5)
SELECT (SELECT count(*) FROM n) AS n, money(1250, 'USD') AS m, period_end('2016-02') AS p,
       (SELECT group_concat(value, '+') FROM json_each('[1,2]')) AS j,
       strftime('%Y', '2017-03-04') AS y;
EOF
    run_ok report fine --reports "$rdir" --format csv --reproducible --section fine
    expect_eq "the allowed functions" "$(tr -d '\r' <"$tmp/out")" "n,m,p,j,y
5,12.50,2016-02-29,1+2,2017"
}

# A report that runs past its time (DOCKET_REPORT_TIMEOUT_MS here, 30 s by default) is stopped:
# one line, exit 3, nothing on stdout, no file, no publication.
sandbox_timeout() {
    sdir=$tmp/loops
    mkdir -p "$sdir"
    printf '%s\n-- section: loop\n-- title: Loop\n%s\n' "$head3" \
        'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;' \
        >"$sdir/count.sql"
    printf '%s\n-- section: loop\n-- title: Loop\n%s\n' "$head3" \
        'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c;' \
        >"$sdir/rows.sql"
    n0=$(events)
    for args in "count" "count --format json" "rows -o $tmp/loop.md" \
        "rows --format csv -o $tmp/loop.md" "rows --publish" "count --publish -o $tmp/loop.md"; do
        last_cmd="report $args --reports $sdir (DOCKET_REPORT_TIMEOUT_MS=500, at most 20 s)"
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        DOCKET_REPORT_TIMEOUT_MS=500 timeout 20 "$DOCKET" report $args --reports "$sdir" \
            >"$tmp/out" 2>"$tmp/err"
        rc=$?
        ms=$((($(date +%s%N) - t0) / 1000000))
        expect_rc 3
        expect_one_err_line
        expect_err "^docket: report: $sdir/[a-z]*.sql:10: section 'loop' ran past 500 ms and was stopped\$"
        expect_no_out
        [ "$ms" -ge 500 ] && [ "$ms" -lt 10000 ] || fail "stopped after $ms ms"
        pass
        echo "report $args: stopped after $ms ms" >&2
    done
    [ ! -e "$tmp/loop.md" ] || fail "a stopped report left $tmp/loop.md"
    pass
    expect_eq "temporary files left" "$(ls "$tmp" | grep -c 'tmp-')" 0
    expect_eq "events after stopped reports" "$(events)" "$n0"
    # A bad value is a usage error.
    for v in 0 -1 abc 1.5 "" 86400001; do
        last_cmd="report (DOCKET_REPORT_TIMEOUT_MS='$v')"
        DOCKET_REPORT_TIMEOUT_MS=$v "$DOCKET" report >"$tmp/out" 2>"$tmp/err"
        rc=$?
        expect_rc 2
        expect_one_err_line
        expect_err "^docket: report: DOCKET_REPORT_TIMEOUT_MS must be a number of milliseconds from 1 to 86400000, not '$v'\$"
        expect_no_out
    done
    run_ok report --reproducible --as-of $ASOF --format json
    cp "$tmp/out" "$tmp/untimed.json"
    DOCKET_REPORT_TIMEOUT_MS=60000 run_ok report --reproducible --as-of $ASOF --format json
    cmp -s "$tmp/out" "$tmp/untimed.json" || fail "the report with a longer time differs"
    pass
}

# --publish makes the copy that is sent out: it first checks the chain and that the state is the
# replay of the trail, as verify does, and refuses (exit 1) what differs, writing nothing.
publish_checks_the_trail() {
    # State edited by hand: a plain report shows it (unchecked, for speed); publishing refuses.
    main_db=$DOCKET_DB
    backup_to "$tmp/forged.db"
    DOCKET_DB=$tmp/forged.db
    sql "UPDATE items SET status = 'member', progress = 100 WHERE key = 'ceb.hlcm'" ||
        fail "editing items"
    run_ok report --reproducible --format csv --section summary
    p0=$(sql "select count(*) from event where type = 'publication'")
    for args in "" "-o $tmp/forged.md" "--format html -o $tmp/forged.html" "-o -"; do
        # shellcheck disable=SC2086
        run_fails 1 "^docket: report: cannot publish: the state table 'items' differs from a replay of the events at 'ceb.hlcm'\$" \
            report --publish $args
    done
    [ ! -e "$tmp/forged.md" ] && [ ! -e "$tmp/forged.html" ] || fail "a refused publication wrote a file"
    pass
    expect_eq "publications in the forged store" \
        "$(sql "select count(*) from event where type = 'publication'")" "$p0"
    # An event changed behind the triggers (dropped, then put back as they were).
    DOCKET_DB=$main_db
    backup_to "$tmp/tampered.db"
    DOCKET_DB=$tmp/tampered.db
    triggers=$(sql "select sql || ';' from sqlite_master where type = 'trigger' and tbl_name = 'event'")
    seq=$(sql "select seq from event where type = 'status' order by seq limit 1")
    sql "DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;
         UPDATE event SET reason = 'a reason never given' WHERE seq = $seq; $triggers" ||
        fail "tampering with event $seq"
    expect_eq "the triggers, put back" \
        "$(sql "select count(*) from sqlite_master where type = 'trigger' and tbl_name = 'event'")" 2
    n0=$(events)
    run_fails 1 "^docket: report: cannot publish: event $seq: " report --publish -o "$tmp/tampered.md"
    [ ! -e "$tmp/tampered.md" ] || fail "a refused publication wrote $tmp/tampered.md"
    pass
    expect_eq "events after the refused publication" "$(events)" "$n0"
    # An intact copy still publishes.
    DOCKET_DB=$main_db
    backup_to "$tmp/intact.db"
    DOCKET_DB=$tmp/intact.db
    n0=$(events)
    run_ok report --publish --reproducible -o "$tmp/intact.md"
    [ -s "$tmp/intact.md" ] || fail "the publication wrote no file"
    pass
    expect_eq "events after publishing the intact copy" "$(events)" $((n0 + 1))
}

group golden_outputs
group reproducible
group html
group csv_readback
group json
group asof
group over_time
group user_reports
group user_reports_refused
group bad_input
group publish
group user_reports_refused_print_nothing
group user_reports_refused_lines
group user_reports_transaction_control
group publish_to_a_folder
group over_time_with_a_later_child
group over_time_by_instances
group lost_membership
group known_at_publication
group odd_cells
group reports_dir_missing
group long_names
group publish_to_stdout
group cost_overflow
group sandbox_refusals
group sandbox_timeout
group publish_checks_the_trail

if [ -n "$failed_groups" ]; then
    echo "FAIL $test_name: failed groups:$failed_groups ($checks checks passed in the others)" >&2
    exit 1
fi
done_ok
