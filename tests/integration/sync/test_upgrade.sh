# Upgrade fixtures: the stores that earlier releases made (tests/fixtures, written by
# tests/fixtures/make.sh) open with this docket, migrate, and still hold the heads they were made
# with; two offices that had synced go on syncing through their shared log, loaded into a new
# cluster with `etcdctl put`.
# Usage: sh tests/integration/sync/test_upgrade.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

fixtures=$DOCKET_TESTS/fixtures
releases=$(cd "$fixtures" && ls *-lone.sql | sed 's/-lone\.sql$//')
[ -n "$releases" ] || fail "no fixtures in $fixtures"
cluster_start
P=fixture

for r in $releases; do
    # A lone office: read as it is (-r leaves the fixture's bytes alone), then migrated.
    fixture_store "$r-lone" "$tmp/lone.db"
    before=$(cksum <"$tmp/lone.db")
    office lone -r verify $(sed 's/^/--against /' "$fixtures/$r-lone.head")
    expect_rc 0
    expect_eq "the fixture's bytes after a read" "$(cksum <"$tmp/lone.db")" "$before"
    office_ok lone verify $(sed 's/^/--against /' "$fixtures/$r-lone.head")
    # A store made before offices had keys gets one; its next write announces its office.
    office_ok lone key new
    office_ok lone set ceb.hlcp member -m "admitted to the HLCP" --on 2017
    office_ok lone verify $(sed 's/^/--against /' "$fixtures/$r-lone.head")

    # Two offices and their shared log.
    ectl del "$P/" --prefix >/dev/null || fail "cannot empty the log"
    python3 -c 'import base64, json, subprocess, sys
for line in open(sys.argv[1]):
    kv = json.loads(line)
    subprocess.run(["etcdctl", "--endpoints=" + sys.argv[2], "put",
                    base64.b64decode(kv["key"]).decode()],
                   input=base64.b64decode(kv["value"]), stdout=subprocess.DEVNULL, check=True)' \
        "$fixtures/$r-etcd.jsonl" "$ETCD_ENDPOINTS" || fail "cannot load $r-etcd.jsonl"
    for o in a b; do
        fixture_store "$r-$o" "$tmp/$o.db"
        office_ok "$o" key new
        office_ok "$o" remote set --endpoints "$ETCD_ENDPOINTS"
        office_ok "$o" sync --once
        office_ok "$o" verify $(sed 's/^/--against /' "$fixtures/$r-$o.head")
    done
    expect_converged "$tmp/a.db" "$tmp/b.db"
    # Both offices print the same shared head, and each holds the other's; their reports are
    # stamped with that head alone, as long as nothing waits to be published.
    same_shared_head() {
        office_ok a verify --head
        shared_a=$(grep '^shared:' "$tmp/out")
        office_ok b verify --head
        expect_eq "b's shared head" "$(grep '^shared:' "$tmp/out")" "$shared_a"
        for o in a b; do
            office_ok "$o" verify --against "$shared_a"
            office_ok "$o" report --reproducible
            expect_out_fixed "- Audit trail: \`$shared_a\`"
            expect_not_out "not yet in the shared log"
        done
        # The log lists the events in one order on both offices (their local numbers differ).
        for o in a b; do
            office_ok "$o" log --json
            python3 -c 'import json, sys
print(" ".join(json.loads(line)["uuid"] for line in sys.stdin))' <"$tmp/out" >"$tmp/order-$o"
        done
        cmp -s "$tmp/order-a" "$tmp/order-b" || fail "the log's order differs between a and b"
        pass
        # Every format is byte for byte the same on both offices.
        for f in md html csv json; do
            office_ok a report --reproducible --format $f
            cp "$tmp/out" "$tmp/report-a.$f"
            office_ok b report --reproducible --format $f
            cmp -s "$tmp/out" "$tmp/report-a.$f" || fail "the $f reports of a and b differ"
            pass
        done
    }
    same_shared_head
    office_ok b set ceb.hlcp member -m "admitted to the HLCP" --on 2017
    office_ok b verify --head
    local_b=$(grep '^local:' "$tmp/out")
    office_ok b report --reproducible
    # (b's office announcing itself, then its change)
    expect_out_fixed "- Audit trail: \`$shared_a\`; 2 events not yet in the shared log, this store's head \`$local_b\`"
    # The cut-over: a's first signed entry founds the log, stating the head up to which the
    # unsigned entries of the old release stand; they stay applied, and b, admitted by a,
    # publishes signed entries after it.
    office_ok a set unct/UGA approached -m "a second letter" --on 2016-11
    office_ok a sync --once
    office_ok a office list
    expect_out " founded the log at "
    cutover=$(sqlite3 "$tmp/a.db" "select json_extract(attrs, '$.head') from event where type = 'office'")
    expect_eq "the cut-over a's office event states" "shared:$cutover" "$shared_a"
    # Until the log had a founder neither office took the shipped checklist's revision; its
    # founder takes it at its next change, and b through sync, not on its own.
    revision() {
        sqlite3 "$tmp/$1.db" "select coalesce(max(cast(json_extract(attrs, '$.revision') as integer)), 1)
            from event where type = 'document' and item is null"
    }
    expect_eq "the revision a held when it founded the log" "$(revision a)" 1
    admit a b
    office_ok a note unct -m "the country teams were asked in writing"
    expect_eq "the revision a holds after its change" "$(revision a)" 2
    office_ok b set ceb.hlcp member -m "confirmed by the HLCP" --on 2017-06 --force
    expect_eq "the revision b holds before it syncs" "$(revision b)" 1
    sync_until_done a b
    expect_converged "$tmp/a.db" "$tmp/b.db"
    expect_eq "the revision b holds after sync" "$(revision b)" 2
    taken="select count(*) || ' ' || count(distinct replica) from event where reason like 'shipped checklist %'"
    expect_eq "the revision's events on b (count, replicas)" "$(sqlite3 "$tmp/b.db" "$taken")" \
        "$(sqlite3 "$tmp/a.db" "$taken")"
    expect_eq "replicas that made the revision's events" \
        "$(sqlite3 "$tmp/b.db" "select count(distinct replica) from event where reason like 'shipped checklist %'")" 1
    office_ok b show legal.convey
    same_shared_head
    # On both offices the old release's unsigned entries stay applied, exactly the positions
    # up to the cut-over; every entry after it is signed, and none was quarantined.
    cutpos=${cutover%%:*}
    [ "$cutpos" -gt 0 ] || fail "the cut-over is at position '$cutpos'"
    for o in a b; do
        expect_eq "unsigned entries in $o's shared log (count, last position)" \
            "$(sqlite3 "$tmp/$o.db" "select count(*) || ' ' || coalesce(max(pos), 0) from shared s
                where not exists (select 1 from signature g where g.uuid = s.uuid)")" "$cutpos $cutpos"
        expect_eq "quarantined entries on $o" "$(sqlite3 "$tmp/$o.db" 'select count(*) from quarantine')" 0
    done
    for o in a b; do
        office_ok "$o" verify $(sed 's/^/--against /' "$fixtures/$r-$o.head")
    done
    echo "release $r: the lone office and two offices open, migrate, verify and sync"
done
pass
