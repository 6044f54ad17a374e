# End-to-end: a checklist's texts in several languages (format version 2). Titles, labels and
# paragraph texts may be objects of texts by language, or the document may give "translations"
# by the English text; the store keeps the English text, and a report in another language shows
# the translation for as long as the text it translates stands. The shipped Resolution 1309
# gives its items' titles and its paragraphs (marked as unofficial) in French and Spanish.
. "$(dirname "$0")/lib.sh"

# The shipped checklist, in French and Spanish.
init_store
run_ok report --reproducible --lang fr --section paragraphs
expect_out_fixed "| Devenir membre du Comité permanent interorganisations (CPI) | Invité / invité permanent |"
expect_out_fixed "(traduction non officielle)"
run_ok report --reproducible --lang es --section memberships
expect_out_fixed "Pasar a ser miembro del Comité Permanente entre Organismos (IASC)"
# English and machines: the checklist's own English text.
run_ok report --reproducible --section paragraphs
expect_out_fixed "| Become a member of the Inter-Agency Standing Committee (IASC) | "
run_ok report --reproducible --lang fr --section paragraphs --format csv
expect_out_fixed "Become a member of the Inter-Agency Standing Committee (IASC),invitee"
# What the instances are called, as the checklist calls them, in the singular or the plural as
# the count asks in each language (French: "1 sur 1 équipe"; the plural above one).
run_ok add unct/KEN --title "UN country team, Kenya"
run_ok set unct/KEN member -m "joined"
run_ok report --reproducible --section paragraphs
expect_out_fixed "| 1 of 1 country team: Member |"
run_ok report --reproducible --lang fr --section paragraphs
expect_out_fixed "| 1 sur 1 équipe de pays : Membre |"
run_ok report --reproducible --lang es --section paragraphs
expect_out_fixed "| 1 de 1 equipo en el país: Miembro |"
run_ok add unct/UGA --title "UN country team, Uganda"
run_ok report --reproducible --lang fr --section paragraphs
expect_out_fixed "| 1 sur 2 équipes de pays : Membre; 1 sur 2 équipes de pays : Aucune démarche |"
run_ok report --reproducible --section paragraphs --format csv
expect_out_fixed ",1 of 2 country teams: member; 1 of 2 country teams: not-approached,"
# A title a user edits has no translation: the edit shows as it was written.
run_ok edit iasc "title=Join the IASC" -m "shorter"
run_ok report --reproducible --lang fr --section paragraphs
expect_out_fixed "| Join the IASC | Invité / invité permanent |"

# A checklist of its own, with texts by language inline.
cat >"$tmp/two.json" <<'EOF'
{"format": "docket-checklist", "version": 2,
 "document": {"symbol": "T/2", "alias": "t2", "title": {"en": "Two", "fr": "Deux"},
   "adopted": "2020-01-01",
   "paragraphs": [{"ref": "1", "text": {"en": "Requests a report;", "fr": "Demande un rapport ;"}}]},
 "kinds": [{"name": "task", "label": {"en": "Task", "es": "Tarea"}, "initial": "open",
   "statuses": [{"name": "open", "label": {"en": "Open", "fr": "Ouverte"}, "progress": 0,
                 "final": false},
                {"name": "closed", "label": "Closed", "progress": 100, "final": true}]}],
 "items": [{"key": "report", "title": {"en": "Write the report", "fr": "Rédiger le rapport"},
            "kind": "task", "ref": "1"},
           {"key": "visits", "title": "Visit the offices", "kind": "task", "ref": "1",
            "instance_noun": {"one": {"en": "office", "es": "oficina"}, "other": "offices"}},
           {"key": "calls", "title": "Call the offices", "kind": "task", "ref": "1"}]}
EOF
run_ok import "$tmp/two.json"
run_ok list --doc t2 --json
expect_out_fixed '"title":"Write the report"'
run_ok report --reproducible --lang fr --doc t2 --section paragraphs
expect_out_fixed "> Demande un rapport ;"
expect_out_fixed "| Rédiger le rapport | Ouverte |"
run_ok report --reproducible --lang es --doc t2 --section paragraphs
expect_out_fixed "| Write the report | Open |"
# Instances the checklist names, and those it does not ("instances", in the report's language).
run_ok add t2:visits/a --title "Office A"
run_ok add t2:visits/b --title "Office B"
run_ok add t2:calls/a --title "Office A"
run_ok report --reproducible --lang es --doc t2 --section paragraphs
expect_out_fixed "2 de 2 offices: Open"
expect_out_fixed "1 de 1 subelemento: Open"
run_ok report --reproducible --doc t2 --section paragraphs
expect_out_fixed "2 of 2 offices: Open"
expect_out_fixed "1 of 1 instance: Open"

# Refused, with the JSON path, and nothing written.
bad() {
    printf '%s' "$1" >"$tmp/bad.json"
    run_fails 3 "$2" import "$tmp/bad.json"
}
doc='"symbol": "T/3", "adopted": "2020-01-01"'
bad "{\"format\": \"docket-checklist\", \"version\": 1, \"document\": {$doc, \"title\": {\"en\": \"A\"}}}" \
    "document.title: texts in several languages need checklist format version 2"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": {\"fr\": \"A\"}}}" \
    "document.title.en: missing"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": {\"en\": \"A\", \"French\": \"B\"}}}" \
    "document.title.French: not a language code"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": {\"en\": \"A\", \"fr\": \"\"}}}" \
    "document.title.fr: must be a non-empty UTF-8 string"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": \"A\", \"translations\": {\"fr\": \"x\"}}}" \
    "document.translations.fr: must be an object"
bad "{\"format\": \"docket-checklist\", \"version\": 1, \"document\": {$doc, \"title\": \"A\", \"translations\": {}}}" \
    "document.translations: needs checklist format version 2"
item='"items": [{"key": "a", "title": "A", "kind": "action"'
bad "{\"format\": \"docket-checklist\", \"version\": 1, \"document\": {$doc, \"title\": \"A\"}, $item, \"instance_noun\": {\"one\": \"x\", \"other\": \"xs\"}}]}" \
    "items\[0\].instance_noun: needs checklist format version 2"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": \"A\"}, $item, \"instance_noun\": {\"one\": \"x\"}}]}" \
    "items\[0\].instance_noun: needs \"one\" and \"other\""
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": \"A\"}, $item, \"instance_noun\": {\"one\": \"x\", \"other\": \"xs\", \"few\": \"x\"}}]}" \
    "items\[0\].instance_noun.few: unknown field (one, other)"
bad "{\"format\": \"docket-checklist\", \"version\": 2, \"document\": {$doc, \"title\": \"A\"}, $item, \"instance_noun\": {\"one\": {\"fr\": \"x\"}, \"other\": \"xs\"}}]}" \
    "items\[0\].instance_noun.one.en: missing"
run_ok verify

# What a screen reader reads of a chart (its <desc>), in the report's language, in every shape a
# description takes: a bar chart too long to name each bar, one with a bar without a value, a
# stacked chart with more series than its legend names, a line of one point. A store of one
# document, so that the report has no portfolio's parts.
DOCKET_DB=$tmp/charts.db
init_store
mkdir -p "$tmp/charts"
cat >"$tmp/charts/charts.sql" <<'SQL'
-- title: Charts
-- section: many
-- title: Many bars
-- chart: bar x=n y=v
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 25)
SELECT 'bar ' || n AS n, n * 1000.5 AS v FROM c;

-- section: few
-- title: Few bars
-- chart: bar x=n y=v
SELECT 'a' AS n, 1 AS v UNION ALL SELECT 'b', NULL;

-- section: stack
-- title: Many series
-- chart: stack x=k series=s y=v
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 50)
SELECT 'k' || (n % 22) AS k, 'series ' || n AS s, n AS v FROM c;

-- section: line
-- title: One point
-- chart: line x=m y=v
SELECT '2016-03' AS m, 5 AS v;
SQL
descs() {
    run_ok report --reports "$tmp/charts" charts --format html --reproducible --lang "$1"
    grep -o '<desc[^>]*>[^<]*' "$tmp/out" | sed 's/<desc[^>]*>//'
}
nb=$(printf '\342\200\257') sp=$(printf '\302\240')
expect_eq "descriptions, en" "$(descs en)" "Bar chart of v by n, 25 bars; highest 25,012.5 at bar 25, lowest 1,000.5 at bar 1.
Bar chart of v by n, 2 bars: a: 1, b: no value.
Stacked bar chart of v by k, split by s: series 1, series 2, series 3, series 4, series 5, series 6, series 7, series 8, series 9, series 10, series 11, series 12, series 13, series 14, series 15, series 16, series 17, series 18, series 19, series 20 and 30 more. 22 bars; the largest total is 84, at k6.
Line chart of v by m: one value, March 2016 (5); 1 point."
expect_eq "descriptions, fr" "$(descs fr)" "Diagramme en barres (v par n), 25 barres ; maximum de 25${nb}012,5 pour bar 25, minimum de 1${nb}000,5 pour bar 1.
Diagramme en barres (v par n), 2 barres${sp}: a${sp}: 1, b${sp}: sans valeur.
Diagramme en barres empilées (v par k), réparti par s${sp}: series 1, series 2, series 3, series 4, series 5, series 6, series 7, series 8, series 9, series 10, series 11, series 12, series 13, series 14, series 15, series 16, series 17, series 18, series 19, series 20 et 30 autres. 22 barres ; le total le plus élevé est de 84, pour k6.
Graphique linéaire (v par m)${sp}: une seule valeur, mars 2016 (5) ; 1 point."
expect_out_fixed ">et 30 autres</text>"
expect_out_fixed ">n.d.</text>"
expect_eq "descriptions, es" "$(descs es)" "Gráfico de barras de v por n, 25 barras; máximo de 25.012,5 en bar 25, mínimo de 1000,5 en bar 1.
Gráfico de barras de v por n, 2 barras: a: 1, b: sin valor.
Gráfico de barras apiladas de v por k, desglosado por s: series 1, series 2, series 3, series 4, series 5, series 6, series 7, series 8, series 9, series 10, series 11, series 12, series 13, series 14, series 15, series 16, series 17, series 18, series 19, series 20 y 30 más. 22 barras; el total más alto es 84, en k6.
Gráfico de líneas de v por m: un solo valor, marzo de 2016 (5); 1 punto."
done_ok
