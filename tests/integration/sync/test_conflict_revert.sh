# Whether a change is a conflict is found from the shared log up to its position, the same on
# every office: a revert that the office applying the change holds but has not yet published
# (or that comes later in the log) does not count. Office a reverts its change while office b,
# having seen it, builds on it; both must then record and list the same conflicts (none).
# Usage: sh tests/integration/sync/test_conflict_revert.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=crev
C=$tmp/c.db
two_offices

# a: not-approached -> approached, published; b sees it and sets member on top of it.
office_ok a set ceb.hlcm approached -m "letter to the HLCM secretary" --on 2016-03-01
seq=$(sqlite3 "$A" "select max(seq) from event where type = 'status'")
office_ok a sync --once
office_ok b sync --once
office_ok b set ceb.hlcm member -m "IOM admitted to the HLCM" --on 2016-03-10
# a, offline, finds its letter was never sent and reverts it; b publishes first.
office_ok a revert "$seq" -m "the letter was never sent"
office_ok b sync --once
office_ok a sync --once
office_ok b sync --once
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P

# recorded DB: the conflicts the store recorded, by event uuid and position (seq is local).
recorded() {
    sqlite3 "$1" "select e.uuid, c.pos, c.saw, c.held from conflict c join event e on e.seq = c.seq order by c.pos"
}
# listed DB: what `conflicts --json` lists, without the local seq.
listed() {
    "$DOCKET" -d "$1" conflicts --json | python3 -c 'import json, sys
for line in sys.stdin:
    c = json.loads(line)
    print(c["key"], c["saw"], c["held"], c["status"], c["position"])'
}
for db in "$A" "$B" "$C"; do
    echo "$db: recorded [$(recorded "$db" | tr '\n' ' ')] listed [$(listed "$db" | tr '\n' ' ')]"
done
for db in "$B" "$C"; do
    expect_eq "conflicts recorded by $db and a" "$(recorded "$db")" "$(recorded "$A")"
    expect_eq "conflicts listed by $db and a" "$(listed "$db")" "$(listed "$A")"
done
# b set member having seen approached, which the log held: no conflict anywhere.
expect_eq "conflicts recorded by a" "$(recorded "$A")" ""
expect_converged "$A" "$B" "$C"
done_ok
