# Concurrent changes to one item from two offices: both are kept, the later one in log order
# holds, `docket conflicts` and the progress report's "conflicts" section list it on both
# offices, and a later `set` settles it. The same status set by both is no conflict.
# Usage: sh tests/integration/sync/test_conflict.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=conf
two_offices

# Offline, both change ceb.hlcm from not-approached, on the same effective date; both set
# echa to the same status; each changes one item of its own.
office_ok a set ceb.hlcm approached -m "letter to the HLCM secretary" --on 2016-03-01
office_ok b set ceb.hlcm member -m "IOM admitted to the HLCM" --on 2016-03-01
office_ok a set echa approached -m "letter to ECHA" --on 2016-02
office_ok b set echa approached -m "letter to ECHA, again" --on 2016-02
office_ok a set ceb.hlcp approached -m "letter to the HLCP" --on 2016-03
office_ok b set undg.regional approached -m "letter to the regional teams" --on 2016-03

office_ok a sync --once
office_ok b sync --once
office_ok a sync --once

# conflicts_of DB: the conflicts as "key saw held status" lines.
conflicts_of() {
    "$DOCKET" -d "$1" conflicts --json | python3 -c 'import json, sys
for line in sys.stdin:
    c = json.loads(line)
    print(c["key"], c["saw"], c["held"], c["status"])'
}
# report_conflicts DB: the rows of the progress report's conflicts section (CSV, no header).
report_conflicts() {
    "$DOCKET" -d "$1" report --section conflicts --format csv --reproducible | sed 1d
}

for db in "$A" "$B"; do
    DOCKET_DB=$db
    # Both events are kept; the later in log order (b's, published second) holds.
    expect_eq "ceb.hlcm on $db" "$(status_of ceb.hlcm)" member
    expect_eq "status events of ceb.hlcm on $db" \
        "$(sqlite3 "$db" "select count(*) from event e join items i on i.uuid = e.item where i.key = 'ceb.hlcm' and e.type = 'status'")" 2
    run conflicts
    expect_rc 0
    expect_out "ceb.hlcm  *set member having seen not-approached, but the log held approached"
    expect_eq "conflict lines on $db" "$(wc -l <"$tmp/out" | tr -d ' ')" 1
    expect_eq "conflicts on $db" "$(conflicts_of "$db")" "ceb.hlcm not-approached approached member"
    run report --section conflicts --format csv --reproducible
    expect_rc 0
    expect_out "^ceb.hlcm,not-approached,approached,member,2016-03-01,"
    expect_eq "rows of the report's conflicts section on $db" "$(report_conflicts "$db" | wc -l | tr -d ' ')" 1
    run report --reproducible
    expect_rc 0
    expect_out_fixed "## Conflicts between offices"
    expect_out "| ceb.hlcm | not-approached | approached | member | 2016-03-01 |"
    echo "conflict on $db: $(conflicts_of "$db")"
done
expect_converged "$A" "$B"

# Office a, having seen the conflict, records the resolving change (made against member, what
# the log holds); once synced, the conflict is settled on both offices.
office_ok a set ceb.hlcm approached -m "the HLCM admission is still pending" --on 2016-03-02
office_ok a sync --once
office_ok b sync --once
for db in "$A" "$B"; do
    DOCKET_DB=$db
    run conflicts
    expect_rc 0
    expect_out_fixed "no conflicts"
    expect_eq "rows of the report's conflicts section on $db once settled" "$(report_conflicts "$db" | wc -l | tr -d ' ')" 0
    expect_eq "ceb.hlcm on $db once settled" "$(status_of ceb.hlcm)" approached
done
expect_converged "$A" "$B"
echo "settled: both offices list no conflicts; ceb.hlcm approached"
done_ok
