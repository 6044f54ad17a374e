# End-to-end: docket diff (items whose status differs between two effective dates).
. "$(dirname "$0")/lib.sh"

init_store

run_ok set legal.approach in-progress -m "talks opened" --on 2017-03
run_ok set legal.approach draft-agreed -m "draft agreed" --on 2019-06-15
run_ok set ceb approached -m "letter" --on 2016-02-10
run_ok set ceb.hlcm member -m "admitted" --on 2018
run_ok add x.new --title "tracked later" --kind action --on 2019-01-01

# Between two dates: only what changed in between, old -> new.
run_ok diff 2016-01-01 2018-01-01
expect_out "^legal.approach  *not-started -> in-progress$"
expect_out "^ceb  *not-approached -> approached$"
expect_eq "changes 2016-2018, under a header" "$(wc -l <"$tmp/out" | tr -d ' ')" 3
# A header names the two dates (the ends of their periods); the keys are padded to the widest.
expect_eq "the header" "$(head -n 1 "$tmp/out")" "KEY             2016-01-01 -> 2018-01-01"
expect_out "^ceb             not-approached -> approached$"
run_ok diff 2018-01-01 2020-01-01
expect_out "^legal.approach  *in-progress -> draft-agreed$"
expect_out "^ceb.hlcm  *not-approached -> member$"
expect_out "^x.new  *(not yet tracked) -> not-started$"
expect_not_out "^ceb "
expect_eq "changes 2018-2020" "$(wc -l <"$tmp/out" | tr -d ' ')" 4
# A partial date counts from the end of its period: ceb.hlcm (2018) is member as of 2018-12-31.
run_ok diff 2018-06-30 2018-12-31
expect_out "^ceb.hlcm  *not-approached -> member$"
run_ok diff 2018-12-31 2019-06-14
expect_not_out "^ceb.hlcm "
# Reversed dates are refused (a slip, most likely), and nothing is printed.
run_fails 2 "^docket: diff: DATE1 '2020-01-01' is after DATE2 '2018-01-01' (give the earlier date first)\$" diff 2020-01-01 2018-01-01
run_fails 2 "^docket: diff: DATE1 '2018' is after DATE2 '2018-06' (give the earlier date first)\$" diff 2018 2018-06
# A key longer than any before sets the width of the column, header included.
run_ok add x.a-rather-long-key-for-the-column --title "long" --kind action --on 2019-01-01
run_ok diff 2018-01-01 2020-01-01
expect_eq "the header, widened" "$(head -n 1 "$tmp/out")" "KEY                                 2018-01-01 -> 2020-01-01"
expect_out "^x.a-rather-long-key-for-the-column  (not yet tracked) -> not-started$"
expect_out "^legal.approach                      in-progress -> draft-agreed$"
# One date: up to today.
run_ok diff 2016-01-01
expect_out "^legal.approach  *not-started -> draft-agreed$"
expect_out "^ceb  *not-approached -> approached$"
# The same date twice, or a quiet period: no changes.
run_ok diff 2017-06-01 2017-06-01
expect_no_out
run_ok diff 2020-01-01 2020-12-31
expect_no_out

# --json
run_ok diff 2018-01-01 2020-01-01 --json
expect_json
expect_eq "diff --json" \
    "$(pyjson 'print(sorted((x["key"], x["before"], x["after"]) for x in d if x["key"] == "legal.approach"))')" \
    "[('legal.approach', 'in-progress', 'draft-agreed')]"
expect_eq "progress in diff --json" \
    "$(pyjson 'print([(x["progress_before"], x["progress_after"]) for x in d if x["key"] == "ceb.hlcm"])')" "[(0, 100)]"
run_ok diff 2020-01-01 2020-12-31 --json
expect_json
expect_eq "empty diff --json" "$(pyjson 'print(d)')" "[]"

# A revert takes the change out of the diff.
run_ok set echa member -m "wrong" --on 2017-05
run_ok diff 2017-01-01 2017-12-31
expect_out "^echa  *not-approached -> member$"
run_ok revert "$(sql 'select max(seq) from event')" -m "mistake"
run_ok diff 2017-01-01 2017-12-31
expect_not_out "^echa "

# Failures.
run_fails 3 "docket: diff: bad date 'bad'" diff bad
run_fails 3 "bad date '2017-02-30'" diff 2016-01-01 2017-02-30
run_fails 2 "docket: diff: too few arguments" diff
run_fails 2 "docket: diff: " diff 2016 2017 2018
run_fails 2 "unknown option '--bogus'" diff 2016 --bogus
done_ok
