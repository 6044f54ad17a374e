# A member that hangs rather than dies (SIGSTOP: connections are accepted, nothing answers),
# and it is the leader and the offices' first endpoint: each request to it times out after
# docket's 2 s and moves on to the next endpoint, the other two elect a leader, and the syncs
# succeed; thawed, the member catches up.
# Usage: sh tests/integration/sync/test_frozen_member.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=frozen
two_offices
make_events a A 500
make_events b B 100

cluster_move_leader 1
kill -STOP "$ETCD_PID_1" || fail "cannot stop member 1"
echo "member 1 (leader, first endpoint) frozen"
t0=$(now_ms)
office_ok a sync --once
t1=$(now_ms)
expect_out "^published 1000, pulled 0; "
office_ok b sync --once
t2=$(now_ms)
expect_out "^published 201, pulled 1001; "
office_ok a sync --once
t3=$(now_ms)
echo "with member 1 frozen: a published 1000 in $((t1 - t0)) ms; b published 200 and pulled 1000 in $((t2 - t1)) ms; a pulled 200 in $((t3 - t2)) ms"
# Which member leads now, asked of the two that answer.
leader=$(etcdctl --endpoints="$ETCD_URL_2,$ETCD_URL_3" endpoint status -w json | python3 -c 'import json, sys
for i, st in enumerate(json.load(sys.stdin)):
    if st["Status"]["header"]["member_id"] == st["Status"]["leader"]:
        print(i + 2)')
echo "leader now: member $leader"
expect_ne "the leader while member 1 is frozen" "$leader" ""
# Each sync pays the 2 s timeout once (and perhaps an election); far less than the 10 s for
# which docket tries the endpoints in turn.
for ms in $((t1 - t0)) $((t2 - t1)) $((t3 - t2)); do
    [ "$ms" -lt 9000 ] || fail "a sync took $ms ms with one member frozen"
    pass
done
expect_converged "$A" "$B"

kill -CONT "$ETCD_PID_1"
cluster_wait_healthy 1
i=0
while :; do
    n=$(etcdctl --endpoints="$ETCD_URL_1" get $P/log/ --prefix --keys-only --limit=1 --consistency=s -w json |
        python3 -c 'import json, sys; print(json.load(sys.stdin).get("count", 0))')
    [ "$n" = "$(events "$A")" ] && break
    i=$((i + 1))
    [ "$i" -lt 100 ] || fail "the thawed member 1 holds $n log keys, not $(events "$A")"
    sleep 0.1
done
pass
echo "member 1 thawed: it holds $n log keys"
expect_log_exact $P "$A"
done_ok
