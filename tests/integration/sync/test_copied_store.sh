# A store copied by hand (cp of the .db: two offices with one replica id) is detected at sync,
# which stops with one line telling it to clone (exit 3) and writes nothing; nothing that either
# copy published, before or after the copy, is lost or doubled in the log; a fresh clone then
# converges with the original. Both orders: the copy syncs after the original published, and
# the copy publishes first (then it is the original that is told).
# Usage: sh tests/integration/sync/test_copied_store.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=copy
A=$tmp/a.db
C=$tmp/c.db

# copy_store FROM TO: what an office does by hand: cp of the closed store. docket leaves the
# store's WAL beside it after each command (no checkpoint on close), so a whole copy takes
# the .db, its -wal and its key file; the .db alone is tried at the end.
copy_store() {
    cp "$1" "$2" || fail "cp $1 $2"
    cp -p "$1.key" "$2.key" || fail "cp $1.key $2.key" # the folder copied whole, key included
    if [ -e "$1-wal" ]; then
        cp "$1-wal" "$2-wal" || fail "cp $1-wal $2-wal"
    fi
}
# last_status DB KEY: the uuid of DB's latest status event on item KEY.
last_status() {
    sqlite3 "$1" "select e.uuid from event e join items i on i.uuid = e.item where i.key = '$2' and e.type = 'status' order by e.seq desc limit 1"
}
# in_log UUID: how many times UUID is in the shared log.
in_log() {
    grep -c -x -F "$1" "$tmp/log.uuids"
}

office_ok a init --office a
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
office_ok a sync --once

# The copy is taken while a has an unpublished change (E0): both hold it, with one uuid.
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
copy_store "$A" "$C"
e0=$(last_status "$A" ceb.hlcm)
expect_eq "replica ids of a and its copy" "$(sqlite3 "$C" "select value from meta where key like '%replica%'")" \
    "$(sqlite3 "$A" "select value from meta where key like '%replica%'")"
office_ok a sync --once
expect_out "^published 1, pulled 0; "
# The copy finds its E0 already in the log: placed, not published again, nothing detected.
office_ok c sync --once
expect_out "^published 0, pulled 0; "
log_uuids $P >"$tmp/log.uuids"
expect_eq "E0 in the log" "$(in_log "$e0")" 1

# Each goes on offline; a publishes E1; c, syncing next, meets a's new event under its own
# replica id: told to clone, nothing written, its E2 still unpublished.
office_ok a set echa approached -m "letter to ECHA" --on 2016-04
office_ok c set iasc member -m "full member of the IASC" --on 2016-06
office_ok a sync --once
e1=$(last_status "$A" echa)
e2=$(last_status "$C" iasc)
DOCKET_DB=$C
run_fails 3 "^docket: sync: another store shares this store's replica id .*docket clone" sync --once
echo "the copy, syncing after the original: exit $rc: $(cat "$tmp/err")"
run_fails 3 "docket clone" sync --once
expect_eq "c's unpublished" "$(unpublished "$C")" 1
log_uuids $P >"$tmp/log.uuids"
expect_eq "E1 in the log" "$(in_log "$e1")" 1
expect_eq "E2 in the log" "$(in_log "$e2")" 0

# Made anew with clone, the second office converges with a; everything published is there once.
office_ok c2 clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c2
admit a c2
expect_ne "the clone's replica id" "$(sqlite3 "$tmp/c2.db" "select value from meta where key like '%replica%'")" \
    "$(sqlite3 "$A" "select value from meta where key like '%replica%'")"
office_ok c2 set iasc member -m "full member of the IASC (again, after the clone)" --on 2016-06 --force
office_ok c2 sync --once
office_ok a sync --once
expect_converged "$A" "$tmp/c2.db"
expect_log_exact $P "$A"
log_uuids $P >"$tmp/log.uuids"
for u in $e0 $e1; do
    expect_eq "$u in the log" "$(in_log "$u")" 1
done

# The other order: a copy d publishes first (it sees nothing of another's in the log), so the
# original a is the one told, at its next sync; d's events are in the log once.
D=$tmp/d.db
copy_store "$A" "$D"
office_ok d set ceb.undg approached -m "letter to the UNDG" --on 2016-05
office_ok d sync --once
expect_out "^published 1, pulled 0; "
e3=$(last_status "$D" ceb.undg)
office_ok a set smt member -m "still a member" --on 2016-07 --force
DOCKET_DB=$A
run_fails 3 "^docket: sync: another store shares this store's replica id .*docket clone" sync --once
echo "the original, syncing after its copy published: exit $rc: $(cat "$tmp/err")"
office_ok a2 clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office a2
office_ok c2 sync --once
office_ok d sync --once
expect_converged "$tmp/a2.db" "$tmp/c2.db" "$D"
expect_log_exact $P "$tmp/a2.db"
log_uuids $P >"$tmp/log.uuids"
for u in $e0 $e1 $e3; do
    expect_eq "$u in the log" "$(in_log "$u")" 1
done
echo "log: $(log_count $P) events, each uuid once; E0, E1 (original) and E3 (copy) once each"

# The .db alone, without the WAL that holds d's latest change (published): the copy is an
# older state of d, or no store at all. It must not sync in silence, nor publish twice.
# (No sqlite3 shell may open d.db in between: closing, it would checkpoint the WAL.)
hold_open "$D" office_ok d set ceb.hlcp approached -m "letter to the HLCP" --on 2016-05
hold_open "$D" office_ok d sync --once
[ -s "$D-wal" ] || fail "$D has no WAL: the case of a .db copied without it cannot be made"
cp "$D" "$tmp/e.db" || fail "cp"
wal=$(wc -c <"$D-wal" | tr -d ' ')
n0=$(log_count $P)
DOCKET_DB=$tmp/e.db
run sync --once
case $rc in
3 | 4) pass ;;
*) fail "a sync of the .db copied without its WAL: exit $rc, expected 3 (told to clone) or 4 (no store)" ;;
esac
expect_one_err_line
echo "the .db of d copied alone ($(wc -c <"$tmp/e.db" | tr -d ' ') bytes; a WAL of $wal bytes left behind): exit $rc: $(cat "$tmp/err")"
expect_eq "log keys after it" "$(log_count $P)" "$n0"
# A copy that kept its key and was given a new replica id by hand passes for no office: its
# office event announces c2's key under another replica, which verify names there, and which
# every other office quarantines ("not admitted") with all the copy publishes after it.
F=$tmp/f.db
copy_store "$tmp/c2.db" "$F"
sqlite3 "$F" "update meta set value = '0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e' where key = 'replica'" ||
    fail "cannot change the copy's replica id"
hlcm=$(DOCKET_DB=$tmp/c2.db status_of ceb.hlcm) || exit 1
office_ok f set ceb.hlcm member -m "the copy, under a new replica id" --on 2016-08
office f verify
expect_rc 1
expect_one_err_line
expect_err "announces this office's key under replica 0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e, which replica .* announced first"
n0=$(log_count $P)
office f sync --once
n1=$(log_count $P)
echo "the copy under a new replica id: sync exit $rc, $((n1 - n0)) entries published"
[ "$n1" -gt "$n0" ] || fail "the copy published nothing: the case is not made"
pass
for o in c2 a2; do
    office "$o" sync --once
    expect_rc 1
    expect_eq "entries $o quarantines from the copy" \
        "$(grep -c '^docket: sync: shared log entry [0-9]* (.*) is quarantined: not admitted$' "$tmp/err")" $((n1 - n0))
    expect_eq "ceb.hlcm on $o" "$(DOCKET_DB=$tmp/$o.db status_of ceb.hlcm)" "$hlcm"
done
done_ok
