# End-to-end: the date rules of #14: a partial date ending after today, "since" as the start of
# the current run, creation dates. Dates come from today, never a literal current year.
. "$(dirname "$0")/lib.sh"

init_store

T=$(today)
Y=$(date +%Y)
M=$(date +%Y-%m)
NEXTY=$((Y + 1))
TOMORROW=$(date -d tomorrow +%Y-%m-%d)
YESTERDAY=$(date -d yesterday +%Y-%m-%d)

# A partial date counts from the end of its period or from the day it was recorded, whichever
# is earlier: set in this year (or month), it is in effect from today, as of today.
run_ok set ceb.hlcm approached -m "letter" --on "$Y"
run_ok set ceb.hlcp approached -m "letter" --on "$M"
run_ok list
expect_out "^ceb.hlcm  *approached "
run_ok list --as-of "$T"
expect_out "^ceb.hlcm  *approached "
expect_out "^ceb.hlcp  *approached "
expect_eq "show --as-of today, a year" "$(status_of ceb.hlcm --as-of "$T")" approached
expect_eq "show --as-of today, a month" "$(status_of ceb.hlcp --as-of "$T")" approached
expect_eq "show --as-of this year" "$(status_of ceb.hlcm --as-of "$Y")" approached
if [ "$YESTERDAY" \> "$Y-01-01" ] || [ "$YESTERDAY" = "$Y-01-01" ]; then
    # Not yet as of yesterday: it was recorded today.
    expect_eq "show --as-of yesterday" "$(status_of ceb.hlcm --as-of "$YESTERDAY")" not-approached
fi
run_ok diff "$YESTERDAY" "$T"
expect_out "^ceb.hlcm  *not-approached -> approached$"
expect_out "^ceb.hlcp  *not-approached -> approached$"
# The report agrees with itself: the item is approached in every section that names it.
run_ok report --format json --as-of "$T"
expect_json
expect_eq "report: ceb.hlcm's statuses" \
    "$(pyjson 'seen = set()
for s in d["sections"]:
    c = s["columns"]
    if "key" in c and "status" in c:
        seen.update(r[c.index("status")] for r in s["rows"] if r[c.index("key")] == "ceb.hlcm")
print(sorted(seen))')" "['approached']"
# The progress report's "longest" section counts days from the same effective day: 0, not a
# negative count to the end of the year (its LIMIT lifted, so that this year's item shows).
mkdir -p "$tmp/reports"
sed 's/^WITH shown (n) AS (SELECT 10)$/WITH shown (n) AS (SELECT 1000)/' \
    "$(dirname "$0")/../../reports/progress.sql" >"$tmp/reports/progress.sql"
grep -q "SELECT 1000" "$tmp/reports/progress.sql" || fail "the longest section's count was not lifted"
run_ok report progress --reports "$tmp/reports" --section longest --format csv --as-of "$T"
expect_out "^ceb.hlcm,[^,]*,approached,$Y,0[^0-9]*$"
# The stored eff_end is untouched (it is the period's end, and verify checks it).
expect_eq "eff_end as stored" "$(sql "select eff_end from event where type = 'status' and eff = '$Y'")" "$Y-12-31"
run_ok verify

# A store made before the rule (schema 4; its state tables emptied, as the migrations replay
# them) gets the same answer once opened, its events as they were: the effective day is computed
# as they are read.
cp "$DOCKET_DB" "$tmp/old.db"
sqlite3 "$tmp/old.db" "DROP TABLE kinds; DROP TABLE vocab; DROP TABLE items;
CREATE TABLE kinds (name TEXT PRIMARY KEY, label TEXT, description TEXT, initial TEXT,
    keep_baseline TEXT, cadence_months INTEGER);
CREATE TABLE vocab (kind TEXT NOT NULL, status TEXT NOT NULL, label TEXT, progress INTEGER NOT NULL,
    final INTEGER NOT NULL, breach INTEGER NOT NULL, submission INTEGER NOT NULL,
    ord INTEGER NOT NULL, lost INTEGER NOT NULL DEFAULT 0, at_risk INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, status));
CREATE TABLE items (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, doc TEXT, kind TEXT NOT NULL,
    parent TEXT, title TEXT NOT NULL, ref TEXT, goal TEXT, due TEXT, cadence_months INTEGER,
    description TEXT, created TEXT NOT NULL, status TEXT, since TEXT, status_seq INTEGER,
    progress INTEGER, final INTEGER, breach INTEGER, submitted TEXT, next_due TEXT,
    para_ord INTEGER NOT NULL, rollup TEXT);
ALTER TABLE vocab DROP COLUMN lost; ALTER TABLE vocab DROP COLUMN at_risk;
ALTER TABLE items DROP COLUMN rollup; DROP INDEX event_status; DROP INDEX event_edit;
ALTER TABLE event DROP COLUMN eff_day;
CREATE INDEX event_status ON event (item, eff_end, recorded, new_value, type) WHERE type = 'status';
CREATE INDEX event_edit ON event (item, subject, eff_end) WHERE type = 'edit';
PRAGMA user_version = 4;" || fail "cannot make a schema-4 store"
hash0=$(sqlite3 "$tmp/old.db" "select hex(hash) from event order by seq desc limit 1")
DOCKET_DB="$tmp/old.db" run_ok list --as-of "$T"
expect_out "^ceb.hlcm  *approached "
expect_eq "the old store's head" "$(sqlite3 "$tmp/old.db" "select hex(hash) from event order by seq desc limit 1")" "$hash0"
DOCKET_DB="$tmp/old.db" run_ok verify

# "Since" is the start of the current run of one status: a confirmation does not move it.
run_ok set iasmn member -m "confirmed" --on 2016-03-01 --force
run_ok set iasmn member -m "confirmed again" --on 2022-10-19 --force
run_ok list
expect_out "^iasmn  *member  *100%  2015-11-24 "
expect_not_out "2022-10-19"
run_ok show iasmn --json
expect_eq "show --json since" "$(pyjson 'print(d["since"])')" 2015-11-24
run_ok set iasc approached -m "asked" --on 2016-01
run_ok set iasc approached -m "asked again" --on 2017-05-02 --force
run_ok set iasc member -m "joined" --on 2018-02-03
run_ok set iasc member -m "confirmed" --on 2019 --force
run_ok list --json
expect_eq "list --json since" "$(pyjson 'print([x["since"] for x in d if x["key"] == "iasc"])')" "['2018-02-03']"
run_ok list --as-of 2017-12-31
expect_out "^iasc  *approached  *[0-9]*%  2016-01 "
run_ok show iasc
expect_out "^  status  *member (.*) since 2018-02-03$"
# A revert of the change that began the run takes the run back to the one before.
run_ok revert "$(sql "select seq from event where type = 'status' and eff = '2018-02-03'")" -m "not yet"
run_ok list --json
expect_eq "since after a revert" "$(pyjson 'print([x["since"] for x in d if x["key"] == "iasc"])')" "['2019']"

# Creation dates. An item or an instance added without --on is tracked from today, and list,
# show and --as-of agree; add --help says so.
run_ok add --help
expect_out "--on DATE  *since when it is tracked (default: today, for an instance too)"
run_ok add unct/KEN --title "UN country team, Kenya"
expect_eq "an instance's creation" "$(sql "select created from items where key = 'unct/KEN'")" "$T"
run_ok show unct/KEN
expect_out "^  created  *$T$"
run_ok list --as-of 2016-06
expect_not_out "^unct/KEN "
run_fails 3 "^docket: show: unknown item 'unct/KEN'" show unct/KEN --as-of 2016-06
run_ok list --as-of "$T"
expect_out "^unct/KEN "
# add --on tracks it from then.
run_ok add unct/UGA --title "UN country team, Uganda" --on 2016-02
run_ok list --as-of 2016-06
expect_out "^unct/UGA "
# A status before the creation is refused, naming the way to back-date it; edit created=D
# does, in effect from D, and the status can then be set.
run_ok add unnm --title "UN network" --kind membership
run_fails 3 "^docket: set: 'unnm' is tracked from $T, after 2018-05-23 (--baseline records it as a fact from before; \`edit unnm created=2018-05-23\` tracks it from then)\$" \
    set unnm member -m "joined" --on 2018-05-23
run_ok edit unnm created=2018-05-23 -m "tracked since it was joined"
expect_out "^unnm.created: 2018-05-23$"
expect_eq "the edit's effective date" "$(sql "select eff from event where type = 'edit' and subject = 'created'")" 2018-05-23
run_ok set unnm member -m "joined" --on 2018-05-23
run_ok show unnm
expect_out "^  created  *2018-05-23$"
expect_out "^  status  *member (.*) since 2018-05-23$"
run_ok list --as-of 2018-05-22
expect_not_out "^unnm "
run_ok list --as-of 2018-06
expect_out "^unnm  *member "
# What the tracker said before the edit: tracked from the day it was added.
t_before=$(sql "select recorded from event where type = 'item' and subject = 'unnm'")
run_ok show unnm --known-at "$t_before"
expect_out "^  created  *$T$"
# Refused: a creation after a status the item holds, a future one, an empty one.
run_fails 3 "^docket: edit: 'unnm' has a status from 2018-05-23, before 2019\$" edit unnm created=2019 -m "later"
run_fails 3 "^docket: edit: date '$NEXTY' is in the future (today is $T)\$" edit unnm created="$NEXTY" -m "x"
run_fails 3 "^docket: edit: the creation date of 'unnm' cannot be cleared\$" edit unnm created= -m "x"
run_ok verify

# --as-of and diff refuse a date after today, as --on does.
run_fails 3 "^docket: list: date '$NEXTY' is in the future (today is $T)\$" list --as-of "$NEXTY"
run_fails 3 "^docket: show: date '$TOMORROW' is in the future (today is $T)\$" show ceb --as-of "$TOMORROW"
run_fails 3 "^docket: report: date '$NEXTY' is in the future (today is $T)\$" report --as-of "$NEXTY"
run_fails 3 "^docket: diff: date '$NEXTY' is in the future (today is $T)\$" diff 2016 "$NEXTY"
run_fails 3 "^docket: diff: date '$TOMORROW' is in the future (today is $T)\$" diff "$TOMORROW"

done_ok
