# Two offices each did `init` on their own (and worked) before their first sync: after the
# syncs they converge with one copy of each item: 30 checklist items, plus one unct/KEN that
# both added, and the later change in log order holds.
# Usage: sh tests/integration/sync/test_own_init.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=own
A=$tmp/a.db
B=$tmp/b.db

# items DB: the number of items `list --json` gives; keys DB: how many times KEY is listed.
items() {
    "$DOCKET" -d "$1" list --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
listed() {
    "$DOCKET" -d "$1" list --json | python3 -c 'import json, sys
print(sum(1 for i in json.load(sys.stdin) if i["key"] == sys.argv[1]))' "$2"
}

# Plain: two inits, three syncs: 31 items on each, once each.
office_ok p init --office p
office_ok q init --office q
np=$(events "$tmp/p.db")
nq=$(events "$tmp/q.db")
office_ok p remote set --endpoints "$ETCD_ENDPOINTS" --prefix plain
office_ok q remote set --endpoints "$ETCD_ENDPOINTS" --prefix plain
office_ok p sync --once
# q made its own store: it waits for admission (pulling meanwhile), then publishes.
office q sync --once
expect_rc 0
expect_err "this office waits for admission"
expect_out "^published 0, pulled $np; shared log: $np events"
admit p q
office_ok q sync --once
expect_out "^published $nq, pulled 1; shared log: $((np + 1 + nq)) events"
office_ok p sync --once
for db in "$tmp/p.db" "$tmp/q.db"; do
    expect_eq "items listed in $db after two inits and syncs" "$(items "$db")" 31
    expect_eq "rows in $db's items table" "$(sqlite3 "$db" 'select count(*) from items')" 31
done
expect_converged "$tmp/p.db" "$tmp/q.db"
echo "two inits, synced: $(items "$tmp/p.db") items on each office"

# With work done before the first sync, and one instance added by both.
office_ok a init --office a
office_ok b init --office b
expect_eq "a's items after init" "$(items "$A")" 31
expect_eq "b's items after init" "$(items "$B")" 31
# Each works before any sync; both add the same instance.
office_ok a set legal.approach in-progress -m "first contacts" --on 2016-02
office_ok a add unct/KEN --title "UN country team, Kenya" --on 2016-09
office_ok b add unct/KEN --title "UN country team, Kenya" --on 2016-09
office_ok b set unct/KEN member -m "IOM joined the UNCT" --on 2016-09
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
office_ok b remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
na=$(events "$A")
nb=$(events "$B")
echo "before the first sync: a holds $na events, b $nb"

office_ok a sync --once
expect_out "^published $na, pulled 0; shared log: $na events"
office b sync --once
expect_err "this office waits for admission"
expect_out "^published 0, pulled $na; shared log: $na events"
admit a b
office_ok b sync --once
expect_out "^published $nb, pulled 1; shared log: $((na + 1 + nb)) events"
office_ok a sync --once
expect_out "^published 0, pulled $nb; shared log: $((na + 1 + nb)) events"

for db in "$A" "$B"; do
    expect_eq "items listed in $db after both inits and syncs" "$(items "$db")" 32
    expect_eq "checklist items in $db" "$(sqlite3 "$db" "select count(*) from items where key not like 'unct/%'")" 31
    expect_eq "copies of ceb.hlcm in $db's list" "$(listed "$db" ceb.hlcm)" 1
    expect_eq "copies of unct/KEN in $db's list" "$(listed "$db" unct/KEN)" 1
    expect_eq "rows in $db's items table" "$(sqlite3 "$db" 'select count(*) from items')" 32
    DOCKET_DB=$db
    expect_eq "unct/KEN on $db" "$(status_of unct/KEN)" member
    expect_eq "legal.approach on $db" "$(status_of legal.approach)" in-progress
    run show unct
    expect_rc 0
    expect_out "instances  *member 1$"
done
DOCKET_DB=$tmp/docket.db
expect_converged "$A" "$B"
expect_log_exact $P "$A"
echo "items: $(items "$A") listed on each office (30 from the checklist, loaded twice, kept once)"

# A third office cloned from the log sees the same 31 items.
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
expect_eq "items in the clone" "$(items "$tmp/c.db")" 32
expect_converged "$A" "$B" "$tmp/c.db"
done_ok
