# End-to-end: docket show (fields, history with both dates, evidence, costs, as-of, known-at).
. "$(dirname "$0")/lib.sh"

init_store

# The fields of a checklist item.
run_ok show ceb
expect_out "^ceb: Become a member of the United Nations System Chief Executives Board for Coordination (CEB)$"
expect_out "^  status  *not-approached (0%)"
expect_out "^  kind  *membership"
expect_out "^  goal  *obtain"
expect_out "^  document  *C/106/RES/1309"
expect_out "^  paragraph  *2(c)"
expect_out "^  parent  *-"
expect_out "^  created  *2015-11-24"
expect_out "^  below  *ceb.hlcm not-approached 0%"
expect_out "^history:"
expect_out "^#[0-9][0-9]*  *2015-11-24 .*ceb  created: "

# History lines carry the effective date and the recorded time, the actor and the reason.
run_ok set ceb approached -m "letter to the secretary" --on 2016-02
run_ok --by alice note ceb -m "meeting held" --evidence https://example.org/minutes
run_ok show ceb
expect_out "^  status  *approached (20%) since 2016-02"
expect_out "^#[0-9][0-9]*  *2016-02  *20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]Z  *tester  *ceb  not-approached -> approached: letter to the secretary"
expect_out "^#[0-9][0-9]*  *$(today)  *20.*Z  *alice  *ceb  note: meeting held"
expect_out "^  evidence  *https://example.org/minutes ($(today))"
# The recorded time in the history is the one in the store.
rec=$(sql "select recorded from event where type = 'status' and subject = 'ceb' order by seq desc limit 1")
expect_out_fixed " $rec "

# Costs.
run_ok cost cost.legal 250000.50 CHF -m "secretariat estimate" --basis "per year"
run_ok cost cost.legal 1000 CHF -m "legal review"
run_ok show cost.legal
expect_out "^  costs  *1000.00 CHF one-off, 250000.50 CHF per year$"
expect_out "cost 250000.50 CHF (per year): secretariat estimate"

# A reporting duty: the due date, the cadence, the next due date and the overdue flag, as list
# computes them (#14); in JSON the flag is a boolean, never null.
run_ok list --overdue
expect_out "^report.wg .*2016-05-24 *overdue"
run_ok show report.wg
expect_out "^  due  *-$"
expect_out "^  cadence  *6 months$"
expect_out "^  next due  *2016-05-24, overdue$"
run_ok show report.wg --json
expect_eq "show --json due" "$(pyjson 'print(d["due"], d["cadence_months"], d["next_due"], d["overdue"])')" "None 6 2016-05-24 True"
run_ok show report.wg --as-of 2016-01
expect_out "^  next due  *2016-05-24$"
run_ok show ceb --json
expect_eq "show --json, no cadence" "$(pyjson 'print(d["cadence_months"], d["next_due"], d["overdue"])')" "None None False"

# Instances: the parent counts them, the instance names its parent.
run_ok add unct/KEN --title "Kenya"
run_ok add unct/UGA --title "Uganda"
run_ok set unct/KEN member -m "joined"
run_ok show unct
expect_out "^  instances  *member 1, not-approached 1"
# The parent's own status and its instances' count, each named (#14 point 4); with rollup
# instances its status and progress follow from them.
expect_out "^  status  *not-approached (0%)$"
expect_out "^  rollup  *own: not-approached · instances: 1 of 2 member$"
run_ok edit unct rollup=instances -m "counted by country"
run_ok show unct
expect_out "^  status  *by instances (50%)$"
expect_out "^  rollup  *instances: 1 of 2 member (its status follows from them)$"
run_ok show unct --json
expect_eq "show --json rollup" "$(pyjson 'print(d["rollup"], d["progress"], d["breach"], d["at_risk"])')" \
    "instances 50 False False"

# A membership to keep that is lost is a breach; a safeguard at risk says so (#14 point 8).
run_ok set iasmn lapsed -m "the network dropped IOM"
run_ok show iasmn
expect_out "^  status  *lapsed (0%, breach) since $(today)$"
run_ok show iasmn --json
expect_eq "show --json breach" "$(pyjson 'print(d["breach"], d["at_risk"])')" "True False"
run_ok set safeguard.independence at-risk -m "a draft clause"
run_ok show safeguard.independence
expect_out "^  status  *at-risk (50%, at risk) since $(today)$"

# An overdue duty is not done (#14 point 16): submitted, but its next report is overdue.
since=$(date -u -d "$(today) -8 months" +%Y-%m-%d)
run_ok set report.wg submitted --on "$since" -m "a report"
run_ok show report.wg
expect_out "^  status  *submitted (0%, overdue) since $since$"
run_ok show report.wg --as-of "$since"
expect_out "^  status  *submitted (100%) since $since$"
run_ok show unct/KEN
expect_out "^unct/KEN: Kenya"
expect_out "^  parent  *unct"
expect_out "^  kind  *membership"
expect_out "^  status  *member (100%, final)"

# --json: one object with the fields, evidence, costs and history.
run_ok show ceb --json
expect_json
expect_eq "key, status, since" "$(pyjson 'print(d["key"], d["status"], d["since"], d["progress"])')" "ceb approached 2016-02 20"
expect_eq "evidence" "$(pyjson 'print([e["ref"] for e in d["evidence"]])')" "['https://example.org/minutes']"
expect_eq "history types" "$(pyjson 'print([h["event_type"] for h in d["history"]])')" "['item', 'status', 'note', 'evidence']"
expect_eq "history dates" "$(pyjson 'h = d["history"][1]; print(h["eff"], h["recorded"] == "'"$rec"'", h["actor"])')" "2016-02 True tester"
run_ok show cost.legal --json
expect_eq "costs" "$(pyjson 'print([(c["currency"], c["basis"], c["minor_units"], c["amount"]) for c in d["costs"]])')" \
    "[('CHF', 'one-off', 100000, '1000.00'), ('CHF', 'per year', 25000050, '250000.50')]"

# --as-of: by effective date.
run_ok show ceb --as-of 2016-01-31
expect_out "^  status  *not-approached"
run_ok show ceb --as-of 2016-02-29
expect_out "^  status  *approached (20%) since 2016-02"
st=$(status_of ceb --as-of 2016) || exit 1
expect_eq "ceb as of 2016" "$st" approached
run_fails 3 "docket: show: unknown item 'ceb'" show ceb --as-of 2015-01-01

# --known-at: by recorded time.
sleep 1
t1=$(now_utc)
sleep 1
run_ok set ceb under-consideration -m "on the agenda" --on 2016-06
st=$(status_of ceb) || exit 1
expect_eq "ceb now" "$st" under-consideration
st=$(status_of ceb --known-at "$t1") || exit 1
expect_eq "ceb known at $t1" "$st" approached
run_ok show ceb --known-at "$t1"
expect_not_out "on the agenda"
run_ok show ceb --known-at "$t1" --as-of 2016-01
expect_out "^  status  *not-approached"
# An item added after T was not known at T.
run_ok add unct/TZA --title "Tanzania"
run_fails 3 "unknown item 'unct/TZA'" show unct/TZA --known-at "$t1"

# Failures.
run_fails 3 "docket: show: unknown item 'nosuch'" show nosuch
run_fails 3 "did you mean 'ceb'" show cbe
# A key that matches only in case (#14): the one lookup all commands use says which is meant.
run_fails 3 "^docket: show: unknown item 'CEB' (did you mean 'ceb'?)$" show CEB
run_fails 3 "^docket: set: unknown item 'CEB' (did you mean 'ceb'?)$" set CEB approached -m x
run_fails 3 "^docket: note: unknown item 'Ceb.Hlcm' (did you mean 'ceb.hlcm'?)$" note Ceb.Hlcm -m x
run_fails 3 "^docket: log: unknown item 'ECHA' (did you mean 'echa'?)$" log ECHA
run_fails 3 "^docket: list: unknown item 'UNCT' (did you mean 'unct'?)$" list --under UNCT
run_fails 3 "^docket: show: unknown item 'unct/ken' (did you mean 'unct/KEN'?)$" show unct/ken
run_fails 3 "docket: show: bad date 'later'" show ceb --as-of later
run_fails 3 "docket: show: bad time" show ceb --known-at 2016-02-30T00:00
run_fails 2 "docket: show: " show
run_fails 2 "docket: show: " show ceb echa
run_fails 2 "unknown option '--bogus'" show ceb --bogus

# Stored text that is not UTF-8 (written behind docket's back) cannot be JSON: one line and
# exit 6, never an empty line with exit 0.
cp "$DOCKET_DB" "$tmp/badtext.db"
sqlite3 "$tmp/badtext.db" "update items set title = cast(x'41ff42' as text) where key = 'ceb'"
run_fails 6 "docket: show: cannot make the JSON output" -d "$tmp/badtext.db" show ceb --json
expect_no_out
run_ok -d "$tmp/badtext.db" show ceb
done_ok
