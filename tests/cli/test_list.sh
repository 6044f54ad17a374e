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
expect_out_fixed "[own: not-approached · instances: 0 of 2 member]"
run_ok set unct/KEN member -m "joined the UNCT"
run_ok list
expect_out "^unct .*\[own: not-approached · instances: 1 of 2 member\]"
expect_out "^unct/KEN  *member  *100%"

# A parent's own status and its instances' are two things, each named (#14 point 4): the
# shipped unct is "own" (system-wide membership); with "instances" its status and progress
# follow from its instances, and a status set on it is refused.
run_ok list --json
expect_eq "unct's rollup in list --json" \
    "$(pyjson 'print([i["rollup"] for i in d if i["key"] in ("unct", "ceb")])')" "[None, 'own']"
run_ok set unct member -m "system-wide membership"
run_ok list
expect_out "^unct  *member  *100% .*\[own: member · instances: 1 of 2 member\]"
run_ok edit unct rollup=instances -m "counted by country"
run_ok list
expect_out "^unct  *(by instances)  *50% .*\[instances: 1 of 2 member\]"
n=$(events)
run_fails 3 "docket: set: unct takes its status from its instances (rollup: instances): set the instances (such as unct/XXX), or \`edit unct rollup=own\`" \
    set unct approached -m "no"
expect_eq "nothing recorded by the refused set" "$(events)" "$n"
run_fails 3 "docket: edit: bad rollup 'some' (own or instances)" edit unct rollup=some -m "no"
run_ok set unct/UGA approached -m "approached the UNCT"
run_ok list --under unct
expect_out "^unct  *(by instances)  *60% "
run_ok edit unct rollup=own -m "back to system-wide"
run_ok list
expect_out "^unct  *member  *100% "

# A membership to keep whose status is lost (the vocabulary's flag) is a breach of that request;
# a safeguard at risk says so (#14 point 8).
run_ok set iasmn lapsed -m "the network dropped IOM"
run_ok list
expect_out "^iasmn  *lapsed  *0% .* breach  *Keep membership"
run_ok list --json
expect_eq "iasmn's breach in list --json" \
    "$(pyjson 'print([(i["breach"], i["at_risk"]) for i in d if i["key"] == "iasmn"])')" "[(True, False)]"
run_ok set ceb lapsed -m "an obtained membership lapsed: not a request to keep"
run_ok list
expect_out "^ceb  *lapsed  *0%  [0-9-]*  *Become"
run_ok set safeguard.independence at-risk -m "a draft clause"
run_ok list
expect_out "^safeguard.independence  *at-risk  *50% .* at risk  *Preserve"
run_ok set safeguard.independence breached -m "the clause was adopted"
run_ok list
expect_out "^safeguard.independence  *breached  *0% .* breach  *Preserve"

# A recurring duty that is overdue is not done (#14 point 16): its progress counts 0 until the
# next submission; as of a date before it fell due it counts 100.
since=$(date -u -d "$(today) -8 months" +%Y-%m-%d)
before=$(date -u -d "$(today) -7 months" +%Y-%m-%d)
run_ok list
expect_out "^report.wg  *submitted  *0% .* overdue  *Report"
run_ok list --as-of 2016-06
expect_out "^report.wg  *submitted  *100% "
run_ok set report.wg submitted --force --on "$since" -m "a report to the Working Group"
run_ok list
expect_out "^report.wg  *submitted  *0% .* overdue  *Report"
run_ok list --as-of "$before"
expect_out "^report.wg  *submitted  *100% "
expect_not_out "^report.wg .* overdue"
run_ok set report.wg submitted --force -m "the next report"
run_ok list
expect_out "^report.wg  *submitted  *100% "

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
