# Two offices edit offline, then sync, and converge: the same events in the same shared-log
# order, the same list, the same shared-log head in verify and status; each chain verifies.
# While the whole cluster is down, a sync fails with exit 5, one line, and changes nothing.
# Usage: sh tests/integration/sync/test_converge.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=conv
A=$tmp/a.db
B=$tmp/b.db

# Office a starts the tracker and publishes the checklist; office b is cloned from the log.
office_ok a init --office a
n0=$(events "$A") # the checklist, and a's office announcing itself
office_ok a status
expect_out "^unpublished  $n0 events$"
expect_out "^last sync    never$"
expect_out "^remote       none"
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
office_ok a sync --once
expect_out "^published $n0, pulled 0; shared log: $n0 events, head shared:$n0:[0-9a-f]\{64\}$"
office_ok b clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office b
expect_out "^published 0, pulled $n0; shared log: $n0 events, head shared:$n0:[0-9a-f]\{64\}$"
expect_converged "$A" "$B"
expect_eq "items in b's list" "$(DOCKET_DB=$B "$DOCKET" list --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" 31
# a admits b (one event in the log), before the cluster goes away.
admit a b
log0=$(events "$A")
expect_eq "the shared log after b's admission" "$log0" $((n0 + 1))

# The cluster goes away entirely; both offices keep working.
cluster_kill 1
cluster_kill 2
cluster_kill 3

office_ok a set ceb.hlcm ceb.hlcp approached -m "letters to the CEB secretary" --on 2016-03
office_ok a add unct/KEN --title "UN country team, Kenya" --on 2016-09
office_ok a set unct/KEN member -m "IOM joined the UNCT" --on 2016-09
office_ok a note iasc -m "standing invitee since 1992" --on 2016-01
office_ok a cost cost.legal 250000.50 CHF -m "first estimate"
office_ok b set echa approached -m "letter to ECHA" --on 2016-04
office_ok b add unct/ETH --title "UN country team, Ethiopia" --on 2016-10
office_ok b set unct/ETH observer -m "observer at the UNCT" --on 2016-10
office_ok b set report.wg submitted -m "report to the working group" --on 2016-05
office_ok b edit undg.regional title="Become a member of the Regional UNDG teams" -m "wording"
na=$(($(events "$A") - log0))
nb=$(($(events "$B") - n0)) # (b has not pulled its admission yet)
echo "offline: office a made $na events, office b $nb"
expect_eq "a's unpublished" "$(unpublished "$A")" "$na"
expect_eq "b's unpublished" "$(unpublished "$B")" "$nb"

# Offline, a sync fails cleanly: exit 5, one line, the store untouched.
fp=$(fingerprint "$A")
t0=$(date +%s)
office a sync --once
t1=$(date +%s)
expect_rc 5
expect_one_err_line
expect_err "^docket: sync: .*etcd"
expect_no_out
expect_eq "a's store after a failed sync" "$(fingerprint "$A")" "$fp"
echo "offline sync: exit $rc after $((t1 - t0)) s: $(cat "$tmp/err")"

# Back online (the members restart on their data); a, b, a sync.
_member_start 1
_member_start 2
_member_start 3
cluster_wait_healthy 1 2 3
echo "leader after the restart: member $(cluster_wait_leader)"

office_ok a sync --once
expect_out "^published $na, pulled 0; shared log: $((log0 + na)) events"
office_ok b sync --once
expect_out "^published $nb, pulled $((log0 - n0 + na)); shared log: $((log0 + na + nb)) events"
office_ok a sync --once
expect_out "^published 0, pulled $nb; shared log: $((log0 + na + nb)) events"
# Nothing new anywhere: another round changes nothing.
office_ok b sync --once
expect_out "^published 0, pulled 0; shared log: $((log0 + na + nb)) events"

expect_converged "$A" "$B"
expect_log_exact $P "$A"
office_ok b status
expect_out "^unpublished  0 events$"
expect_out "^last sync    20[0-9-]*T[0-9:.]*Z$"
expect_out "^remote       $ETCD_ENDPOINTS$"

# Both offices' changes hold on both.
for db in "$A" "$B"; do
    DOCKET_DB=$db
    expect_eq "ceb.hlcm on $db" "$(status_of ceb.hlcm)" approached
    expect_eq "unct/KEN on $db" "$(status_of unct/KEN)" member
    expect_eq "unct/ETH on $db" "$(status_of unct/ETH)" observer
    expect_eq "report.wg on $db" "$(status_of report.wg)" submitted
    run conflicts
    expect_rc 0
    expect_out_fixed "no conflicts"
done
DOCKET_DB=$tmp/docket.db

# A third office cloned now gets the same.
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
expect_out "^published 0, pulled $((log0 + na + nb)); "
expect_converged "$A" "$B" "$tmp/c.db"
done_ok
