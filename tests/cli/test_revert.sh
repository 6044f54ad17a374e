# End-to-end: docket revert (cancel a mistaken event by a new one; both stay in the trail).
. "$(dirname "$0")/lib.sh"

init_store

last_seq() {
    sql 'select max(seq) from event'
}

# Revert a status change: the state falls back, both events stay, show marks the first.
run_ok set echa approached -m "letter sent" --on 2016-03
run_ok set echa member -m "typo: meant HLCM" --on 2016-05
bad=$(last_seq)
n0=$(events)
run_ok revert "$bad" -m "recorded on the wrong item"
expect_out "^reverted event $bad (by event $((bad + 1)))"
expect_eq "events after revert" "$(events)" $((n0 + 1))
expect_eq "the revert event" "$(sql 'select type, reason from event order by seq desc limit 1')" \
    "revert|recorded on the wrong item"
expect_eq "echa after revert" "$(sql "select status, since from items where key = 'echa'")" "approached|2016-03"
st=$(status_of echa) || exit 1
expect_eq "show echa" "$st" approached
st=$(status_of echa --as-of 2016-06) || exit 1
expect_eq "echa as of 2016-06" "$st" approached
run_ok show echa
expect_out "^#$bad .*approached -> member: typo: meant HLCM  *\[reverted by #$((bad + 1))\]"
expect_out "^#$((bad + 1)) .*revert of #$bad: recorded on the wrong item"
run_ok log echa
expect_out "^#$bad .*\[reverted by #$((bad + 1))\]"
expect_out "^#$((bad + 1)) "
run_ok log --json
expect_eq "reverted_by in log --json" \
    "$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["seq"] == '"$bad"': print(e["reverted_by"])' "$tmp/out")" $((bad + 1))
run_ok list --status member
expect_not_out "^echa "

# Revert an older status change that is no longer the latest: the latest still holds.
run_ok set iasc observer -m "wrong" --on 2016-01
older=$(last_seq)
run_ok set iasc member -m "joined" --on 2016-09
joined=$(last_seq)
run_ok revert "$older" -m "never an observer"
st=$(status_of iasc) || exit 1
expect_eq "iasc after reverting an older change" "$st" member
st=$(status_of iasc --as-of 2016-06) || exit 1
expect_eq "iasc as of 2016-06" "$st" invitee

# Revert an edit: the field falls back.
old_title=$(sql "select title from items where key = 'legal.approach'")
run_ok edit legal.approach "title=Wrong title" -m "oops"
run_ok revert "$(last_seq)" -m "undo the title"
expect_eq "title after reverting the edit" "$(sql "select title from items where key = 'legal.approach'")" "$old_title"

# Revert a cost: the total falls back.
run_ok cost cost.legal 1000 CHF -m "estimate"
run_ok cost cost.legal 5000 CHF -m "typo"
run_ok revert "$(last_seq)" -m "should have been 500"
run_ok show cost.legal --json
expect_eq "costs after reverting one" "$(pyjson 'print([(c["currency"], c["amount"]) for c in d["costs"]])')" \
    "[('CHF', '1000.00')]"

# Revert a note and evidence.
run_ok note ceb -m "wrong item" --evidence https://example.org/wrong
ev=$(last_seq)
run_ok revert "$ev" -m "wrong link"
run_ok show ceb --json
expect_eq "evidence after revert" "$(pyjson 'print(len(d["evidence"]))')" 0
run_ok revert "$((ev - 1))" -m "wrong note"

# Failures: exit code, one line on stderr, nothing written.
run_fails 3 "docket: revert: event $bad was already reverted by event $((bad + 1))" revert "$bad" -m again
# Reverting a parent edit brings the older parent back, which may by now lie below the item:
# refused as the edit itself would be, nothing written.
run_ok add x.a --title "A" --kind action --on 2016-01-01
run_ok add x.b --title "B" --kind action --on 2016-01-01
run_ok edit x.a parent=x.b -m "A under B"
run_ok edit x.a parent= -m "A alone"
detach=$(last_seq)
run_ok edit x.b parent=x.a -m "B under A"
n0=$(events)
run_fails 3 "docket: revert: event $detach cannot be reverted: it would put 'x.a' back under 'x.b', which is under it" \
    revert "$detach" -m "undo"
expect_eq "events after a refused revert" "$(events)" "$n0"
expect_eq "parents" "$(sql "select key, coalesce(parent, '-') from items where key in ('x.a', 'x.b') order by key" | tr '\n' ' ')" \
    "x.a|- x.b|x.a "
run_ok edit x.b parent= -m "B alone again"
run_ok revert "$detach" -m "undo, now that B is alone"
expect_eq "x.a's parent after the revert" "$(sql "select parent from items where key = 'x.a'")" "x.b"

ceb_seq=$(sql "select seq from event where type = 'item' and subject = 'ceb'")
run_fails 3 "docket: revert: event $ceb_seq cannot be reverted: withdrawing 'ceb' would leave 'ceb.hlcm', 'ceb.hlcp', 'ceb.undg' under nothing (withdraw them first)" \
    revert "$ceb_seq" -m x
run_fails 3 "'document' event.*cannot be reverted" revert 2 -m x
run_fails 3 "docket: revert: event $((bad + 1)) reverts a 'status' event: only the revert of an item (its withdrawal) can be reverted; record the change again instead" \
    revert "$((bad + 1))" -m x
run_fails 2 "docket: revert: 'abc' is not an event number" revert abc -m x
run_fails 2 "is not an event number" revert 0 -m x
run_fails 2 "is not an event number" revert 12x -m x
run_fails 3 "docket: revert: no event 99999" revert 99999 -m x
run_fails 2 "not an event number" revert 99999999999999999999 -m x
run_fails 2 "docket: revert: -m REASON is required" revert "$joined"
run_fails 2 "docket: revert: " revert -m x
run_fails 2 "docket: revert: " revert "$joined" "$bad" -m x
run_fails 3 "not valid UTF-8" revert "$joined" -m "$(printf '\377')"
run_fails 2 "-r" -r revert "$joined" -m x
run_fails 2 "docket: revert: the reason (-m) holds no letter or digit" revert "$joined" -m "  "
run_ok verify

# Evidence goes with the status or note it was recorded with (#14): a revert of the set hides
# it from show, reports and links; the trail keeps it.
init_store
run_ok set echa ceb approached -m "letter" --on 2016-03 --evidence https://example.org/letter.pdf
set_seq=$(sql "select seq from event where type = 'status' and subject = 'echa'")
expect_out "^echa: not-approached -> approached (effective 2016-03, event $set_seq)$"
run_ok note echa -m "the reply" --on 2016-04 --evidence https://example.org/reply.pdf
note_seq=$(sql "select seq from event where type = 'note'")
expect_out "^noted on echa (1 evidence, event $note_seq)$"
run_ok links --key echa
expect_out "letter.pdf"
run_ok revert "$set_seq" -m "the letter was never sent"
run_ok show echa
expect_out "^  status       not-approached"
expect_not_out "^  evidence .*letter.pdf"
expect_out "^  evidence     https://example.org/reply.pdf"
expect_out "^#$((set_seq + 1)) .*evidence https://example.org/letter.pdf: letter  \[reverted with its status or note\]$"
run_ok show echa --json
expect_eq "evidence after the revert of its set" "$(pyjson 'print([e["ref"] for e in d["evidence"]])')" \
    "['https://example.org/reply.pdf']"
run_ok show ceb
expect_out "^  evidence     https://example.org/letter.pdf"
run_ok links --key echa
expect_not_out "letter.pdf"
expect_out "reply.pdf"
mkdir "$tmp/reports"
cat >"$tmp/reports/refs.sql" <<'EOF'
-- title: Evidence

-- section: refs
-- title: Every piece of evidence that counts
SELECT key, ref FROM evidence ORDER BY seq;
EOF
run_ok report refs --reports "$tmp/reports" --format csv
# The rows below the report's header rows (up to the blank one), the section's title and columns.
expect_eq "the report's evidence" "$(tr -d '\r' <"$tmp/out" | awk 'f; /^$/ {f = 1}' | tail -n +3)" "ceb,https://example.org/letter.pdf
echa,https://example.org/reply.pdf"
ev_seq=$(sql "select seq from event where type = 'evidence' and item = (select uuid from items where key = 'echa') and new_value like '%letter.pdf'")
run_fails 3 "^docket: revert: event $ev_seq went with the status or note it was recorded with, which is reverted$" \
    revert "$ev_seq" -m "twice"
# As known before the revert, it was there.
run_ok show echa --known-at "$(sql "select recorded from event where seq = $set_seq + 1")"
expect_out "^  evidence     https://example.org/letter.pdf"
run_ok revert "$note_seq" -m "no such reply"
run_ok show echa
expect_not_out "^  evidence "
run_ok links --key echa
expect_not_out "reply.pdf"
expect_eq "the trail keeps both" "$(sql "select count(*) from event where type = 'evidence'")" 3
run_ok verify

# A mistaken add is undone by reverting the item event (#14): the item is withdrawn. It leaves
# every list, roll-up and report, stays in the trail, and `show --all` shows it marked.
init_store
d0=$(today)
run_ok add unct/KEN --title "UN country team, Kenya"
ken_seq=$(last_seq)
ken_uuid=$(sql "select uuid from items where key = 'unct/KEN'")
run_ok add unct/FRA --title "UN country team, France"
run_ok set unct/KEN member -m "joined" --on "$d0" --evidence https://example.org/ken.pdf
run_ok cost unct/KEN 100 USD -m "a fee"
run_ok list --under unct
expect_out "^unct .*instances: 1 of 2 member\]"
n0=$(events)
run_ok revert "$ken_seq" -m "added by mistake"
expect_out "^reverted event $ken_seq (by event $((n0 + 1)))$"
wd=$((n0 + 1))
expect_eq "events after the withdrawal" "$(events)" $((n0 + 1))
expect_eq "the revert names the item" "$(sql "select item, json_extract(attrs, '$.type'), json_extract(attrs, '$.key') from event where seq = $wd")" \
    "$ken_uuid|item|unct/KEN"
expect_eq "unct/KEN in the state" "$(sql "select count(*) from items where key = 'unct/KEN'")" 0
run_ok list
expect_not_out "unct/KEN"
run_ok list --under unct
expect_out "^unct .*instances: 0 of 1 member\]"
run_ok list --as-of "$d0"
expect_not_out "unct/KEN"
run_ok report --format csv
expect_not_out "unct/KEN"
expect_not_out "ken.pdf"
run_ok links
expect_not_out "ken.pdf"
run_ok show unct
expect_out "^  instances    not-approached 1$"
# Every command that names it says it was withdrawn, by which event.
run_fails 3 "^docket: show: 'unct/KEN' was withdrawn by event $wd (show --all shows it)$" show unct/KEN
run_fails 3 "^docket: set: 'unct/KEN' was withdrawn by event $wd (show --all shows it)$" \
    set unct/KEN observer -m x
run_fails 3 "^docket: note: 'unct/KEN' was withdrawn by event $wd" note unct/KEN -m x
run_fails 3 "^docket: edit: 'unct/KEN' was withdrawn by event $wd" edit unct/KEN title=y -m x
# The trail keeps it.
run_ok log
expect_out "^#$ken_seq .*unct/KEN  created: UN country team, Kenya  \[reverted by #$wd\]"
expect_out "^#$wd .*unct/KEN  revert of #$ken_seq: added by mistake"
run_ok log unct/KEN
expect_out "^#$ken_seq .*unct/KEN  created: UN country team, Kenya  \[reverted by #$wd\]"
expect_out "^#$((ken_seq + 2)) .*unct/KEN  not-approached -> member: joined"
expect_out "^#$wd .*unct/KEN  revert of #$ken_seq: added by mistake"
expect_not_out "unct/FRA"
run_ok show unct/KEN --all
expect_out "^unct/KEN: UN country team, Kenya$"
expect_out "^  withdrawn    by event $wd "
expect_out "^  status       member (100%, final) since $d0"
expect_out "^#$wd .*revert of #$ken_seq: added by mistake"
run_ok show unct/KEN --all --json
expect_eq "show --all --json" "$(pyjson 'print(d["key"], d["status"], d["withdrawn_by"])')" "unct/KEN member $wd"
run_ok show unct/FRA --all --json
expect_eq "withdrawn_by of an item in force" "$(pyjson 'print(d["withdrawn_by"])')" "None"
run_fails 3 "already reverted by event $wd" revert "$ken_seq" -m again
run_ok verify

# A revert of the withdrawal brings it back, with its status, evidence and costs.
run_ok revert "$wd" -m "it was right after all"
back=$((wd + 1))
st=$(status_of unct/KEN) || exit 1
expect_eq "unct/KEN brought back" "$st" member
run_ok show unct/KEN
expect_out "^  evidence     https://example.org/ken.pdf"
expect_out "^#$ken_seq .*created: UN country team, Kenya$"
expect_out "^#$wd .*revert of #$ken_seq: added by mistake  \[reverted by #$back\]"
run_ok list --under unct
expect_out "^unct .*instances: 1 of 2 member\]"
# As known between the withdrawal and its revert, the item was withdrawn.
run_ok list --under unct --known-at "$(sql "select recorded from event where seq = $wd")"
expect_not_out "^unct/KEN"
expect_out "^unct/FRA"
run_ok list --under unct --known-at "$(sql "select recorded from event where seq = $back")"
expect_out "^unct/KEN"
run_fails 3 "event $wd was already reverted by event $back" revert "$wd" -m again
run_fails 3 "event $back reverts a 'revert' event: only the revert of an item" revert "$back" -m x
run_ok verify
# Withdrawn again, and the key added anew: a new item, under a new id, without the old one's
# events; the old one cannot come back beside it.
run_ok revert "$ken_seq" -m "a mistake after all"
wd2=$(last_seq)
run_ok add unct/KEN --title "Kenya, again"
st=$(status_of unct/KEN) || exit 1
expect_eq "the new unct/KEN's status" "$st" not-approached
expect_ne "the new unct/KEN's id" "$(sql "select uuid from items where key = 'unct/KEN'")" "$ken_uuid"
run_ok show unct/KEN
expect_not_out "ken.pdf"
expect_not_out "^  status       member"
run_fails 3 "^docket: revert: event $wd2 cannot be reverted: 'unct/KEN' would come back beside the item 'unct/KEN' added since (withdraw that first)$" \
    revert "$wd2" -m "bring the old one back"
run_ok show unct/KEN --all
expect_not_out "withdrawn"
run_ok verify

# An item with items under it that are not withdrawn cannot be withdrawn; they are named.
unct_seq=$(sql "select seq from event where type = 'item' and subject = 'unct'")
run_fails 3 "^docket: revert: event $unct_seq cannot be reverted: withdrawing 'unct' would leave 'unct/FRA', 'unct/KEN' under nothing (withdraw them first)$" \
    revert "$unct_seq" -m x
run_ok add x.top --title "Top" --kind action
top_seq=$(last_seq)
run_ok add x.top.sub --title "Sub" --kind action
sub_seq=$(last_seq)
run_fails 3 "withdrawing 'x.top' would leave 'x.top.sub' under nothing (withdraw it first)" revert "$top_seq" -m x
run_ok revert "$sub_seq" -m "sub first"
sub_wd=$(last_seq)
run_ok revert "$top_seq" -m "then the top"
# The sub cannot come back under a withdrawn item; once its parent is back, it can.
run_fails 3 "^docket: revert: event $sub_wd cannot be reverted: 'x.top.sub' would come back under 'x.top', which is withdrawn (bring it back first)$" \
    revert "$sub_wd" -m x
run_ok revert "$(last_seq)" -m "top back"
run_ok revert "$sub_wd" -m "sub back"
run_ok show x.top.sub
expect_out "^  parent       x.top$"
run_ok verify
done_ok
