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
item_seq=$(sql "select min(seq) from event where type = 'item'")
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

run_fails 3 "event $item_seq is a 'item' event, which cannot be reverted\|cannot be reverted" revert "$item_seq" -m x
run_fails 3 "'document' event.*cannot be reverted" revert 2 -m x
run_fails 3 "'revert' event.*cannot be reverted" revert "$((bad + 1))" -m x
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
done_ok
