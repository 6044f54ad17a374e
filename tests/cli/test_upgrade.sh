# End-to-end: a store made by an earlier release (tests/fixtures) takes the shipped checklist's
# changes once, as events appended after its trail, with ids that every store derives alike;
# its old head still verifies (#14). A kind the revision changes is recorded whole, as the
# document's own (#15): the store's kinds were recorded before kinds were each document's.
. "$(dirname "$0")/lib.sh"

R="shipped checklist C/106/RES/1309 revision 2"
# The events a revision recorded: its own reason, and iasc's baseline from 1992, which gives
# the checklist's.
taken="reason = '$R' OR (type = 'status' AND eff = '1992')"

# Two copies of a lone office's store, upgraded apart.
for f in one two; do
    db=$tmp/$f.db
    fixture_store 0.1-lone "$db"
    head=$(cat "$DOCKET_TESTS/fixtures/0.1-lone.head")
    n0=${head%%:*}
    export DOCKET_DB=$db
    run_ok verify --against "$head"
    # A reader takes nothing: reading leaves the store as it was.
    run_ok list
    expect_eq "$f: events after a read" "$(events)" "$n0"
    expect_eq "$f: no legal.convey before a write" "$(sql "select count(*) from items where key = 'legal.convey'")" 0
    run_ok key new
    # The first write takes the revision, then records its own change.
    run_ok note ceb -m "first write of this release"
    n1=$(events)
    expect_eq "$f: the revision's events" "$(sql "select type || ' ' || coalesce(subject, '') from event where $taken order by seq")" \
        "document C/106/RES/1309
kind membership
$(printf 'vocab membership\n%.0s' 1 2 3 4 5 6 7 8 9)
kind approach
$(printf 'vocab approach\n%.0s' 1 2 3)
kind reporting
$(printf 'vocab reporting\n%.0s' 1 2 3 4 5 6)
kind safeguard
$(printf 'vocab safeguard\n%.0s' 1 2 3 4 5)
item legal.convey
edit title
edit description
edit title
edit instances
edit rollup
edit description
status iasc"
    expect_eq "$f: all after the old trail" "$(sql "select count(*) from event where ($taken) and seq <= $n0")" 0
    expect_eq "$f: the note is last" "$(sql "select type from event where seq = $n1")" note
    # Taken once: the next write adds only its own event.
    run_ok note ceb -m "second write"
    expect_eq "$f: events after a second write" "$(events)" $((n1 + 1))
    run_ok verify
    run_ok verify --against "$head"
    # What the store says now.
    run_ok show ceb
    expect_out "^ceb: Become a member of the United Nations System Chief Executives Board for Coordination (CEB)\$"
    run_ok show legal.convey
    expect_out "^  status       not-approached (0%)"
    run_ok set legal.convey approached -m "letter to the Secretary-General" --on 2016-02
    run_ok show iasc --as-of 2000
    expect_out "^  status       invitee (60%) since 1992\$"
    run_ok log iasc
    expect_out "iasc  baseline invitee: standing invitee since 1992"
    run_ok set report.wg ongoing -m "reporting continuously" --on 2016-03
    run_ok kinds
    expect_out "^reporting  *closed  *100%  final  *Fulfilled and closed\$"
    run_ok verify --against "$head"
    sql "select uuid from event where $taken order by uuid" >"$tmp/$f.uuids"
done

# Two stores that took the revision apart hold the same events, by id.
expect_eq "events of the revision" "$(wc -l <"$tmp/one.uuids" | tr -d ' ')" 36
expect_eq "the same revision ids in both" "$(cat "$tmp/one.uuids")" "$(cat "$tmp/two.uuids")"

# An office that shares a log (the fixture's a has synced) takes nothing on its own: two offices
# that took it apart would hold two copies of one event, which the log cannot reconcile.
export DOCKET_DB=$tmp/a.db
fixture_store 0.1-a "$DOCKET_DB"
n0=$(events)
run_ok key new
run_ok note ceb -m "first write of this release"
expect_eq "a's revision events" "$(sql "select count(*) from event where $taken")" 0
expect_eq "a's events after a write (its office, the note)" "$(events)" $((n0 + 2))
run_ok verify --against "$(cat "$DOCKET_TESTS/fixtures/0.1-a.head")"

# A store made by this release is at the shipped revision: a write takes nothing.
export DOCKET_DB=$tmp/new.db
init_store
n0=$(events)
run_ok note ceb -m "a note"
expect_eq "events after a write to a new store" "$(events)" $((n0 + 1))
done_ok
