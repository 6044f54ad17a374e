# End-to-end: docket list, its filters, as-of queries, roll-ups and safe output.
. "$(dirname "$0")/lib.sh"

init_store

# All 31 checklist items, as text and as a JSON array of 31 objects.
run_ok list
expect_out "^KEY  *STATUS  *PROG"
expect_eq "item lines" "$(grep -c -v '^KEY ' "$tmp/out")" 31
run_ok list --json
expect_json
expect_eq "list --json length" "$(pyjson 'print(len(d), all(isinstance(x, dict) for x in d))')" "31 True"
expect_eq "list --json fields" "$(pyjson 'print(sorted(k for k in ("key","status","progress","kind","title") if k in d[0]))')" \
    "['key', 'kind', 'progress', 'status', 'title']"
expect_eq "iasc in list --json" "$(pyjson 'print([(x["status"], x["progress"]) for x in d if x["key"] == "iasc"][0])')" \
    "('invitee', 60)"

# --kind
run_ok list --kind safeguard
expect_eq "safeguards" "$(grep -c "^safeguard\." "$tmp/out")" 15
expect_not_out "^ceb "
run_ok list --kind reporting
expect_out "^report.wg "
expect_eq "reporting items" "$(grep -c -v '^KEY ' "$tmp/out")" 1
run_fails 3 "^docket: list: unknown kind 'nosuch' (valid: acknowledgement, action, approach, cost, membership, proposal, reporting, safeguard; see 'docket kinds')\$" \
    list --kind nosuch

# --status
run_ok list --status member
expect_out "^iasmn "
expect_out "^smt "
expect_not_out "^ceb "
# A status that the kind does not have cannot match: refused, naming the kind's statuses.
run_fails 3 "^docket: list: unknown status 'member' for kind action (valid: not-started, in-progress, draft-agreed, approved-by-one, approved-by-all, in-force, abandoned)\$" \
    list --status member --kind action
# A status that no kind has is a typo, like an unknown kind (exit 3), not an empty list.
run_fails 3 "^docket: list: unknown status 'membr' (did you mean 'member'? valid: abandoned, acted-upon, .*; see 'docket kinds')\$" \
    list --status membr

# --under KEY: the item and everything below it.
run_ok list --under ceb
for k in ceb ceb.hlcm ceb.hlcp ceb.undg undg.regional; do
    expect_out "^$k "
done
expect_eq "items under ceb" "$(grep -c -v '^KEY ' "$tmp/out")" 5
expect_not_out "^echa "
run_ok list --under ceb.hlcm
expect_eq "items under ceb.hlcm" "$(grep -c -v '^KEY ' "$tmp/out")" 1
run_fails 3 "docket: list: unknown item 'nosuch'" list --under nosuch
run_fails 3 "did you mean 'ceb'" list --under cbe

# --overdue: the reporting duty due in May 2016 is overdue; nothing else is.
run_ok list --overdue
expect_out "^report.wg .*2016-05-24 *overdue"
expect_eq "overdue items" "$(grep -c -v '^KEY ' "$tmp/out")" 1
run_ok list --overdue --json
expect_eq "overdue --json" "$(pyjson 'print([(x["key"], x["overdue"]) for x in d])')" "[('report.wg', True)]"
run_ok set report.wg submitted -m "report S/18/5 submitted" --on 2016-05
run_ok list --overdue
expect_not_out "^report.wg .*2016-05-24"

# --as-of before and after a back-dated change (a partial date counts from its end).
run_ok set legal.approach in-progress -m "talks opened" --on 2017-03
run_ok list --as-of 2017-02-28
expect_out "^legal.approach  *not-started"
run_ok list --as-of 2017-03-15
expect_out "^legal.approach  *not-started"
run_ok list --as-of 2017-03-31
expect_out "^legal.approach  *in-progress  *25%  *2017-03 "
run_ok list --as-of 2017
expect_out "^legal.approach  *in-progress"
run_ok list
expect_out "^legal.approach  *in-progress"
# Before the checklist was adopted nothing was tracked yet.
run_ok list --as-of 2015-01-01
expect_not_out "^legal.approach "
run_fails 3 "docket: list: bad date 'soon'" list --as-of soon
run_fails 3 "bad date" list --as-of 2017-13
run_fails 3 "docket: list: bad time" list --known-at yesterday

# Roll-up of per-country instances into their parent.
run_ok add unct/KEN --title "UN country team, Kenya"
run_ok add unct/UGA --title "UN country team, Uganda"
run_ok list --under unct
expect_out "^unct/KEN  *not-approached"
expect_out "^unct/UGA  *not-approached"
expect_out_fixed "[0 of 2 member]"
run_ok set unct/KEN member -m "joined the UNCT"
run_ok list
expect_out "^unct .*\[1 of 2 member\]"
expect_out "^unct/KEN  *member  *100%"

# Output escapes control characters; JSON keeps the bytes.
title=$(printf 'a\033[31mb')
run_ok add x.y --kind action --title "$title"
run_ok list
expect_out "^x.y "
if grep -q "$ESC" "$tmp/out"; then
    fail "list printed a raw ESC byte"
fi
pass
run_ok list --kind action
if grep -q "$ESC" "$tmp/out"; then
    fail "list --kind printed a raw ESC byte"
fi
pass
run_ok show x.y --json
expect_eq "title after JSON decoding" \
    "$(pyjson 'import sys; sys.stdout.write(d["title"] == "a\x1b[31mb" and "same" or repr(d["title"]))')" same
run_ok list --json
expect_eq "title in list --json" \
    "$(pyjson 'import sys; sys.stdout.write([x["title"] for x in d if x["key"] == "x.y"][0] == "a\x1b[31mb" and "same" or "differs")')" same

run_fails 2 "unknown option '--bogus'" list --bogus
run_fails 2 "docket: list: " list extra
done_ok
