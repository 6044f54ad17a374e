# End-to-end: the audit promises. Tampering behind docket's back is found; the triggers refuse
# UPDATE and DELETE; published heads detect truncation and rewrites; back-dated entries change
# --as-of answers but not --known-at answers.
. "$(dirname "$0")/lib.sh"

started=$(date -u +%Y-%m-%dT%H:%M:%S)
init_store
run_ok set ceb approached -m "letter"
run_ok note ceb -m "meeting" --evidence https://example.org/minutes
run_ok verify
pristine="$tmp/pristine.db"
run_ok backup "$pristine"
key="$DOCKET_DB.key" # a backup holds no key: each copy written to gets the office's

# fresh NAME: a copy of the pristine store to tamper with, as $DOCKET_DB.
fresh() {
    export DOCKET_DB="$tmp/$1.db"
    cp "$pristine" "$DOCKET_DB"
    cp -p "$key" "$DOCKET_DB.key"
}

# --- (1) An event edited behind docket's back is found and named.
fresh edited
expect_eq "event 40 exists" "$(sql 'select count(*) from event where seq = 40')" 1
behind_back "$DOCKET_DB" "
    update event set reason = 'nothing to see here' where seq = 40;" ||
    fail "could not tamper with event 40 in the sqlite3 shell"
expect_eq "the tampered reason" "$(sql 'select reason from event where seq = 40')" "nothing to see here"
run verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event 40[^0-9]"
run verify --head
expect_rc 1
expect_err "event 40[^0-9]"
run verify --json
expect_rc 1
expect_err "event 40[^0-9]"

# Other fields of an event are covered by the hash too.
for change in "actor = 'someone else'" "eff = '2015-01-01'" "recorded = '2015-01-01T00:00:00.000Z'" \
    "new_value = 'member'" "login = 'nobody'"; do
    fresh field
    behind_back "$DOCKET_DB" "
        update event set $change where seq = (select max(seq) - 2 from event);" ||
        fail "could not set $change"
    n=$(sql 'select max(seq) - 2 from event')
    run verify
    expect_rc 1
    expect_one_err_line
    expect_err "event ${n}[^0-9]"
done

# A forged event appended with the sqlite3 shell does not chain.
fresh forged
sqlite3 "$DOCKET_DB" "insert into event (seq, uuid, batch, type, item, subject, old_value, new_value,
        attrs, reason, eff, recorded, actor, login, replica, hash)
    select (select max(seq) + 1 from event), 'forged-uuid', batch, type, item, subject, new_value, 'member', attrs,
        'forged', eff, recorded, actor, login, replica, hash
    from event where type = 'status' order by seq desc limit 1;" ||
    fail "could not append a forged event"
forged=$(sql 'select max(seq) from event')
run verify
expect_rc 1
expect_one_err_line
expect_err "event ${forged}[^0-9]"

# --- (2) The triggers refuse UPDATE and DELETE on events in the sqlite3 shell.
fresh triggers
n0=$(events)
fp0=$(fingerprint)
if sqlite3 "$DOCKET_DB" "update event set reason = 'x' where seq = 40;" 2>"$tmp/sqlerr"; then
    fail "UPDATE on event succeeded"
fi
grep -q "append-only" "$tmp/sqlerr" || fail "UPDATE refused without the trigger's message: $(cat "$tmp/sqlerr")"
pass
if sqlite3 "$DOCKET_DB" "delete from event where seq = (select max(seq) from event);" 2>"$tmp/sqlerr"; then
    fail "DELETE on event succeeded"
fi
grep -q "append-only" "$tmp/sqlerr" || fail "DELETE refused without the trigger's message: $(cat "$tmp/sqlerr")"
pass
if sqlite3 "$DOCKET_DB" "delete from event;" 2>/dev/null; then
    fail "DELETE of all events succeeded"
fi
pass
if sqlite3 "$DOCKET_DB" "update event set hash = hash;" 2>/dev/null; then
    fail "a no-op UPDATE on event succeeded"
fi
pass
expect_eq "events after refused UPDATE and DELETE" "$(events)" "$n0"
expect_eq "store after refused UPDATE and DELETE" "$(fingerprint)" "$fp0"
run_ok verify

# --- (3) Published heads: appending keeps them; truncating or rewriting breaks them.
fresh heads
run_ok verify --head
grep -q '^local:[0-9][0-9]*:[0-9a-f]\{64\}$' "$tmp/out" || fail "verify --head is not 'local:N:HEX'"
pass
head1=$(sed -n 's/^local://p' "$tmp/out")
run_ok set echa approached -m "e1"
run_ok set echa under-consideration -m "e2"
run_ok note echa -m "e3"
run_ok note echa -m "e4"
run_ok note iasc -m "e5"
run_ok verify --against "$head1"
expect_out "^ok: "
run_ok verify --head
head2=$(sed -n 's/^local://p' "$tmp/out")
expect_eq "head2 count" "${head2%%:*}" $((${head1%%:*} + 5))

# Truncate the trail: drop the trigger and delete the last 3 events (notes, which the state
# table does not reflect, so that the shortened chain is consistent in itself).
behind_back "$DOCKET_DB" "
    delete from event where seq > (select max(seq) - 3 from event);" ||
    fail "could not truncate the trail"
expect_eq "events after truncation" "$(events)" $((${head2%%:*} - 3))
# Plain verify may pass: what is left is a valid chain.
run verify
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "verify of a truncated trail: exit $rc"
pass
# The published head catches it.
run verify --against "$head2"
expect_rc 1
expect_one_err_line
expect_err "docket: verify: the trail holds $((${head2%%:*} - 3)) events but ${head2%%:*} were published: it was truncated"
expect_no_out
# The older head is still a prefix of what is left.
run_ok verify --against "$head1"

# Truncating status changes as well: the published head still fails (whatever is named first).
fresh truncated2
run_ok set echa approached -m "s1"
run_ok set iasc member -m "s2"
run_ok verify --head
head5=$(sed -n 's/^local://p' "$tmp/out")
behind_back "$DOCKET_DB" "
    delete from event where seq > (select max(seq) - 2 from event);" ||
    fail "could not truncate the trail"
run verify --against "$head5"
expect_rc 1
expect_one_err_line
expect_no_out

# Rewrite: truncate and append new events up to the same count; the head no longer holds.
fresh rewrite
run_ok set echa approached -m "e1"
run_ok set echa under-consideration -m "e2"
run_ok verify --head
head3=$(sed -n 's/^local://p' "$tmp/out")
behind_back "$DOCKET_DB" "
    delete from event where seq > (select max(seq) - 2 from event);" ||
    fail "could not truncate the trail"
run_ok set echa observer -m "r1"
run_ok set echa member -m "r2"
expect_eq "count after the rewrite" "$(events)" "${head3%%:*}"
run verify --against "$head3"
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event ${head3%%:*} differs from the published head"

# Rewriting the state table behind docket's back is found, naming the table.
fresh state
sqlite3 "$DOCKET_DB" "update items set status = 'member' where key = 'ceb';" ||
    fail "could not update items"
run verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: .*'items'"
fresh state2
sqlite3 "$DOCKET_DB" "delete from items where key = 'echa';" || fail "could not delete from items"
run verify
expect_rc 1
expect_one_err_line
expect_err "'items'"

# --- (4) A back-dated event changes --as-of answers, not --known-at answers.
fresh bitemporal
run_ok set legal.approach in-progress -m "A: talks opened" --on 2016-03
sleep 1
t=$(now_utc)
sleep 1
run_ok set legal.approach draft-agreed -m "B: draft agreed (reported late)" --on 2017-06
# Now: B holds, from 2017-06.
st=$(status_of legal.approach) || exit 1
expect_eq "now" "$st" draft-agreed
st=$(status_of legal.approach --as-of 2018-01-01) || exit 1
expect_eq "as of 2018" "$st" draft-agreed
st=$(status_of legal.approach --as-of 2017-05-31) || exit 1
expect_eq "as of 2017-05-31" "$st" in-progress
run_ok list --as-of 2018-01-01
expect_out "^legal.approach  *draft-agreed"
# What the tracker said at T: A, whatever date is asked about.
st=$(status_of legal.approach --known-at "$t") || exit 1
expect_eq "known at T" "$st" in-progress
st=$(status_of legal.approach --known-at "$t" --as-of 2018-01-01) || exit 1
expect_eq "known at T, as of 2018" "$st" in-progress
run_ok list --known-at "$t"
expect_out "^legal.approach  *in-progress"
run_ok list --known-at "$t" --as-of 2018-01-01
expect_out "^legal.approach  *in-progress"
run_ok show legal.approach --known-at "$t"
expect_out "A: talks opened"
expect_not_out "B: draft agreed"
run_ok diff 2017-01-01 2018-01-01
expect_out "^legal.approach  *in-progress -> draft-agreed$"
# A back-dated event earlier than A does not displace A, but answers for its own period.
run_ok set legal.approach abandoned -m "C: talks abandoned" --on 2016-01
st=$(status_of legal.approach) || exit 1
expect_eq "now, after C" "$st" draft-agreed
st=$(status_of legal.approach --as-of 2016-01-31) || exit 1
expect_eq "as of 2016-01-31" "$st" abandoned
st=$(status_of legal.approach --as-of 2016-03-31) || exit 1
expect_eq "as of 2016-03-31" "$st" in-progress

# The recorded times come from the clock: in order, and within this test's run.
ended=$(date -u +%Y-%m-%dT%H:%M:%S.999Z)
expect_eq "recorded times in seq order" \
    "$(sql 'select count(*) from event a join event b on b.seq = a.seq + 1 where b.recorded < a.recorded')" 0
expect_eq "recorded times within the run" \
    "$(sql "select count(*) from event where recorded < '$started' or recorded > '$ended'")" 0
# The actor is --by, else $DOCKET_ACTOR, else the login; the OS login is kept beside it.
login=$(id -un)
run_ok --by auditor.alice note ceb -m "who"
expect_eq "actor and login with --by" "$(sql 'select actor, login from event order by seq desc limit 1')" \
    "auditor.alice|$login"
(
    unset DOCKET_ACTOR
    USER=mallory LOGNAME=mallory "$DOCKET" note ceb -m "no actor" >/dev/null 2>&1
) || fail "note without an actor failed"
expect_eq "actor and login by default" "$(sql 'select actor, login from event order by seq desc limit 1')" \
    "$login|$login"
expect_eq "replica recorded" "$(sql 'select count(distinct replica) from event')" 1
run_ok verify
done_ok
