# End-to-end: docket edit (field changes as events) and its refusals.
. "$(dirname "$0")/lib.sh"

init_store

# A title change shows in show and in the log, as one edit event.
old_title=$(sql "select title from items where key = 'legal.approach'")
n0=$(events)
run_ok edit legal.approach "title=Negotiate an improved legal basis with the UN" -m "wording agreed by the WG"
expect_out "title: Negotiate an improved legal basis with the UN"
expect_eq "events after edit" "$(events)" $((n0 + 1))
expect_eq "the edit event" "$(sql 'select type, subject, old_value, new_value from event order by seq desc limit 1')" \
    "edit|title|$old_title|Negotiate an improved legal basis with the UN"
run_ok show legal.approach
expect_out "^legal.approach: Negotiate an improved legal basis with the UN"
run_ok log legal.approach
expect_out "tester  *legal.approach  title: Develop with the United Nations.* -> Negotiate an improved legal basis with the UN: wording agreed by the WG"
run_ok list
expect_out "^legal.approach .*Negotiate an improved legal basis"

# Several fields in one batch; an unchanged value writes nothing.
n0=$(events)
run_fails 3 "has no paragraph '3bis'" edit cost.legal ref=3bis -m "no such paragraph"
run_ok edit cost.legal ref=4 due=2030-06 "description=What the arrangements cost" -m "from the WG"
expect_eq "events after a 3-field edit" "$(events)" $((n0 + 3))
expect_eq "one batch" "$(sql "select count(distinct batch) from event where seq > $n0")" 1
run_ok show cost.legal
expect_out "^  paragraph  *4"
expect_out "^  due  *2030-06"
expect_out "^  description  *What the arrangements cost"
n0=$(events)
run_ok edit cost.legal ref=4 -m "again"
expect_out "unchanged"
expect_eq "events after a no-op edit" "$(events)" "$n0"

# A back-dated title change: as-of sees the old title before its date.
run_ok add x.task --title "First title" --kind action --on 2016-01-01
run_ok edit x.task "title=Second title" --on 2017-01 -m "renamed"
run_ok show x.task --as-of 2016-12-31
expect_out "^x.task: First title"
run_ok show x.task --as-of 2017-01-31
expect_out "^x.task: Second title"

# A new parent moves the item in the tree; an empty parent detaches it.
run_ok edit x.task parent=ceb -m "belongs to the CEB work"
run_ok list --under ceb
expect_out "^x.task "
run_ok edit x.task parent= -m "stands alone"
run_ok list --under ceb
expect_not_out "^x.task "
run_ok edit x.task cadence_months=6 -m "every six months"
expect_eq "cadence" "$(sql "select cadence_months from items where key = 'x.task'")" 6
# An edited cadence moves the next due date: six months after its creation on 2016-01-01.
expect_eq "next due" "$(sql "select next_due from items where key = 'x.task'")" 2016-07-01

# Failures: exit code, one line on stderr, nothing written.
run_fails 3 "docket: edit: 'colour' is not a field that can be edited (title, ref, due, parent" \
    edit legal.approach colour=red -m x
run_fails 3 "'key' is not a field that can be edited" edit legal.approach key=other -m x
run_fails 2 "docket: edit: " edit legal.approach -m x
run_fails 2 "'notanassignment' is not FIELD=VALUE" edit legal.approach notanassignment -m x
run_fails 2 "docket: edit: -m REASON is required" edit legal.approach title=x
run_fails 3 "docket: edit: unknown item 'nosuch'" edit nosuch title=x -m x
run_fails 3 "'ceb' cannot be under 'ceb.hlcm': that would make a loop" edit ceb parent=ceb.hlcm -m x
run_fails 3 "'ceb' cannot be under 'ceb': that would make a loop" edit ceb parent=ceb -m x
run_fails 3 "loop" edit ceb parent=undg.regional -m x
run_fails 3 "unknown item 'nope'" edit ceb parent=nope -m x
run_fails 3 "bad date '2017-02-30'" edit legal.approach due=2017-02-30 -m x
run_fails 3 "in the future" edit legal.approach title=x --on 2099-01-01 -m x
run_fails 3 "bad cadence 'abc'" edit legal.approach cadence_months=abc -m x
run_fails 3 "cannot be empty" edit legal.approach title= -m x
run_fails 3 "not valid UTF-8" edit legal.approach "description=$(printf 'x\377')" -m x
run_ok add unct/KEN --title Kenya
run_fails 3 "instance" edit unct/KEN parent=ceb -m x
run_fails 2 "unknown option '--bogus'" edit legal.approach title=x -m x --bogus
run_fails 2 "-r" -r edit legal.approach title=x -m x

# One field given twice in one edit is refused (as 'set' refuses a key given twice), so
# that the trail never records an old value the writer did not see.
n0=$(events)
fp0=$(fingerprint)
run edit legal.approach title=B title=C -m "twice"
[ "$rc" -eq 2 ] || [ "$rc" -eq 3 ] || fail "a field given twice: expected exit 2 or 3, got $rc"
pass
expect_one_err_line
expect_err "twice"
expect_eq "events after a field given twice" "$(events)" "$n0"
expect_eq "store after a field given twice" "$(fingerprint)" "$fp0"

run_ok verify
done_ok
