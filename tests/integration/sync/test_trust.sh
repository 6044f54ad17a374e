# Trust between offices, on a real 3-member cluster: an entry forged with etcdctl under an
# admitted office's replica id (placed and chained correctly, signed with another key) is
# quarantined by every office with the reason `signature`, and the entries after it are applied;
# a revoked office's later entries are quarantined everywhere (`revoked`); a copy of a store
# given a new key and not re-admitted publishes nothing; after a sync every office prints the
# same shared head, which verifies everywhere; `clone --trust` pins the founder's key.
# Usage: sh tests/integration/sync/test_trust.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

FORGE=$DOCKET_TESTS/integration/forge.py
cluster_start
P=trust
C=$tmp/c.db
two_offices a b
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
admit a c
office_ok b note ceb -m "meeting with the CEB secretariat"
office_ok c set iasc member -m "full member" --on 2016-06
sync_until_done a b c
expect_converged "$A" "$B" "$C"

replica_of() {
    sqlite3 "$1" "select value from meta where key = 'replica'"
}
# forge REPLICA KEY ACTOR: appends a forged entry to the log with etcdctl; prints its position.
forge() {
    ectl get "$P/" --prefix -w json >"$tmp/dump.json" || fail "etcdctl get failed"
    python3 "$FORGE" "$P" "$tmp/dump.json" "$1" "$2" "$3" "forged" "$tmp/forged.kv" >"$tmp/pos" ||
        fail "forge.py failed"
    while IFS="	" read -r k v; do
        ectl put "$k" "$v" >/dev/null || fail "etcdctl put $k failed"
    done <"$tmp/forged.kv"
    cat "$tmp/pos"
}
# quarantined DB: the quarantined entries as "POS REASON" lines.
quarantined() {
    "$DOCKET" -d "$1" status --json | python3 -c 'import json, sys
for q in json.load(sys.stdin)["quarantined"]:
    print(q["pos"], q["reason"])'
}

# 1. A forged entry under b's replica id, signed with a key of the forger's own.
openssl genpkey -algorithm ed25519 -out "$tmp/forger.pem" 2>/dev/null || fail "openssl genpkey"
pos=$(forge "$(replica_of "$B")" "$tmp/forger.pem" "director general")
echo "forged entry at position $pos, under office b's replica id"
# An honest office publishes after it; every office then syncs.
office_ok a set echa approached -m "letter to ECHA" --on 2016-04
for o in a b c; do
    DOCKET_DB=$tmp/$o.db
    run sync --once
    expect_rc 1
    expect_err "^docket: sync: shared log entry $pos (note, director general by office .*) is quarantined: signature$"
    expect_err "^docket: sync: 1 entry of the shared log failed the checks and is quarantined"
    expect_eq "quarantine on $o" "$(quarantined "$tmp/$o.db")" "$pos signature"
    expect_eq "the entry after it, on $o" "$(status_of echa)" approached
    run_ok status
    expect_out "^quarantined  entry $pos: signature (note by director general, office "
    run_ok verify
    expect_out "^quarantined: 1 entry of the shared log, applied by no office: $pos (signature)"
done
expect_eq "the forged reason in b's trail" "$(sqlite3 "$B" "select count(*) from event where actor = 'director general'")" 0
sync_until_done a b c
expect_converged "$A" "$B" "$C"

# 2. After a sync every office prints the same shared head, and each verifies against it.
office_ok a verify --head
shared=$(grep '^shared:' "$tmp/out")
for o in b c; do
    office_ok "$o" verify --head
    expect_eq "the shared head of $o" "$(grep '^shared:' "$tmp/out")" "$shared"
done
for o in a b c; do
    office_ok "$o" verify --against "$shared"
    office_ok "$o" verify --deep
    expect_out "^signatures: "
done
echo "every office: $shared"

# 3. c is revoked by the founder; it keeps publishing with its own key behind docket's back:
# every office quarantines those entries as `revoked`.
office_ok c office show
fpc=$(cut -d' ' -f2 "$tmp/out")
office_ok a office revoke c "$fpc" -m "the Nairobi office closed"
office_ok a sync --once
sync_until_done a b c
office_ok c set ceb.undg approached -m "after the revocation" --on 2016-05
office c sync --once
expect_rc 0
expect_err "this office (c) was revoked by the founding office"
expect_eq "c's unpublished after its revocation" "$(unpublished "$C")" 1
pos=$(forge "$(replica_of "$C")" "$C.key" "c, still publishing")
for o in a b c; do
    DOCKET_DB=$tmp/$o.db
    run sync --once
    expect_rc 1
    expect_err "is quarantined: revoked$"
    expect_eq "the revoked entry on $o" "$(quarantined "$tmp/$o.db" | tail -n 1)" "$pos revoked"
done
DOCKET_DB=$A
run_ok office list
expect_out "^c  *$fpc  admitted by a at [0-9]*, revoked at [0-9]*$"

# 4. A copy of b's store given a new key, not re-admitted: it publishes nothing.
cp "$B" "$tmp/b2.db"
[ ! -e "$B-wal" ] || cp "$B-wal" "$tmp/b2.db-wal"
cp -p "$B.key" "$tmp/b2.db.key"
office_ok b2 key new --force
office_ok b2 set echa member -m "from the copy" --on 2016-09
n0=$(log_count $P)
office b2 sync --once
expect_rc 0
expect_err "this office waits for admission"
expect_eq "log entries after the copy's sync" "$(log_count $P)" "$n0"

# 5. clone --trust: the founder's key is pinned; another key fails and leaves nothing.
office_ok a office show
fpa=$(cut -d' ' -f2 "$tmp/out")
office_ok d clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --trust "$fpa"
expect_converged "$A" "$tmp/d.db"
office_ok e clone --endpoints "$ETCD_ENDPOINTS" --prefix $P
expect_out "^trusted the founding office a, key $fpa "
DOCKET_DB=$tmp/f.db
run_fails 1 "^docket: clone: the shared log was founded by office a with key $fpa, not the key given with --trust" \
    clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --trust "$fpc"
expect_eq "files left by a refused clone" "$(ls "$tmp/f.db"* 2>/dev/null | wc -l | tr -d ' ')" 0
done_ok
