# Conflicts mean concurrency: two offices' status changes of one item, neither having seen the
# other's. One office's back-dated changes are no conflict; a change made offline against two
# changes of another office is two; the same status set by both is none; a revert, once in the
# log, settles the pair it belongs to; a later change made with both in view settles the rest.
# Every office lists the same, in `conflicts` and in the progress report.
# Usage: sh tests/integration/sync/test_conflict.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=conf
two_offices

# conflicts_of DB: the conflicts, one "key STATUS OFFICE STATUS OFFICE" line each (the earlier
# change in the log first), sorted.
conflicts_of() {
    "$DOCKET" -d "$1" conflicts --json | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    f, s = c["first"], c["second"]
    assert f["position"] < s["position"], c
    print(c["key"], f["status"], f["office"], s["status"], s["office"])' | sort
}
# report_conflicts DB: the rows of the progress report's conflicts section (CSV, no header).
report_conflicts() {
    "$DOCKET" -d "$1" report --section conflicts --format csv --reproducible | sed 1d
}
# expect_conflicts WHAT LINES: both offices list exactly LINES (conflicts_of's form).
expect_conflicts() {
    for db in "$A" "$B"; do
        expect_eq "$1 on $db" "$(conflicts_of "$db")" "$2"
        expect_eq "report rows, $1, on $db" "$(report_conflicts "$db" | grep -c .)" \
            "$(printf '%s' "$2" | grep -c .)"
    done
}

# 1. One office, no concurrency: changes back-dated and out of order are not conflicts.
office_ok a set echa member -m "admitted" --on 2020
office_ok a set echa approached -m "the letter, recorded late" --on 2016
office_ok a set echa observer -m "observer status, recorded late" --on 2018
sync_until_done a b
expect_conflicts "one office's back-dated changes" ""
DOCKET_DB=$A
run_ok conflicts
expect_out_fixed "no conflicts"

# 2. a sets member, then a back-dated not-approached; b, which never saw either, sets observer:
# two concurrent pairs. Both also set iasc to the same status (no conflict), and each changes
# an item of its own.
office_ok a set ceb.hlcm member -m "admitted to the HLCM" --on 2016-06
office_ok a set ceb.hlcm not-approached -m "the admission was recorded in error" --on 2016-01 --force
office_ok b set ceb.hlcm observer -m "observer at the HLCM" --on 2017
office_ok a set iasc member -m "full member" --on 2016-06
office_ok b set iasc member -m "full member, as we heard" --on 2016-06
office_ok a set ceb.hlcp approached -m "letter to the HLCP" --on 2016-03
office_ok b set undg.regional approached -m "letter to the regional teams" --on 2016-03
office_ok a sync --once
office_ok b sync --once
office_ok a sync --once
pairs="ceb.hlcm member a observer b
ceb.hlcm not-approached a observer b"
expect_conflicts "a's two changes against b's one" "$pairs"
DOCKET_DB=$A
run_ok conflicts
expect_eq "lines of conflicts" "$(grep -c . "$tmp/out")" 2
expect_out "^ceb.hlcm: member (office a, by [^,]*, position [0-9]*, effective 2016-06) and observer (office b, by [^,]*, position [0-9]*, effective 2017) were set without either office seeing the other$"
expect_out "^ceb.hlcm: not-approached (office a, by [^,]*, position [0-9]*, effective 2016-01) and observer (office b, by [^,]*, position [0-9]*, effective 2017) were set without either office seeing the other$"
run_ok report --reproducible
expect_out_fixed "## Conflicts between offices"
# People read the item's title, the statuses' labels and the dates in words; csv keeps keys.
expect_out_fixed "| Become a member of the High-level Committee on Management (HLCM) | Member (a, June 2016) | Observer (b, 2017) |"
run_ok report --reproducible --section conflicts --format csv
expect_out "^ceb.hlcm,Become a member of the High-level Committee on Management (HLCM),\"member (a, 2016-06)\",\"observer (b, 2017)\",[0-9]*"
expect_converged "$A" "$B"

# 3. a reverts its not-approached: until the revert is in the log, every office still lists the
# pair (conflicts follow from the log alone); then only the other pair is left.
nap=$(sqlite3 "$A" "select e.seq from event e join items i on i.uuid = e.item where i.key = 'ceb.hlcm' and e.new_value = 'not-approached' and e.type = 'status' order by e.seq desc limit 1")
office_ok a revert "$nap" -m "not-approached was a slip"
expect_conflicts "a revert not yet in the log" "$pairs"
office_ok a sync --once
office_ok b sync --once
expect_conflicts "one of the pair reverted" "ceb.hlcm member a observer b"

# 4. b, having seen both, settles the item: no conflicts left anywhere.
office_ok b set ceb.hlcm observer -m "observer, as agreed with the HLCM" --on 2017-02
office_ok b sync --once
office_ok a sync --once
expect_conflicts "a change made with both in view" ""
for db in "$A" "$B"; do
    DOCKET_DB=$db
    expect_eq "ceb.hlcm on $db once settled" "$(status_of ceb.hlcm)" observer
done
expect_converged "$A" "$B"
done_ok
