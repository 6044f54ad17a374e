# A shared log whose head says more than its entries hold (P/log/N deleted behind docket's
# back): a sync, with or without something to publish, must stop promptly with exit 3 and one
# line, not loop on requests. And trackers whose prefixes nest (P and P/log, P/log/000...1)
# keep to their own keys: each clones, syncs and converges as if alone.
# Usage: sh tests/integration/sync/test_log_damaged.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUN_LIMIT=20
cluster_start

# revision: the cluster's current revision (each request docket sends that writes moves it).
revision() {
    ectl get any-key -w json | python3 -c 'import json, sys; print(json.load(sys.stdin)["header"]["revision"])'
}

# ---- 1. nested prefixes ----
office_ok a init
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix np
office_ok a sync --once
expect_out "^published 87, pulled 0; shared log: 87 events"
# A tracker under np/log (its keys np/log/head, np/log/ev/..., np/log/log/...) and one under a
# prefix made of log digits (np/log/00000000000000000001/...), inside np's log range.
for p in np/log np/log/00000000000000000001; do
    office_ok b init
    office_ok b remote set --endpoints "$ETCD_ENDPOINTS" --prefix "$p"
    office_ok b sync --once
    expect_out "^published 87, pulled 0; shared log: 87 events"
    rm -f "$tmp"/b.db*
done
ectl get np/log/ --prefix --keys-only | grep -c . >"$tmp/nkeys"
echo "keys under np/log/: $(cat "$tmp/nkeys") (87 of np's log, the rest the nested trackers')"
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix np
expect_out "^published 0, pulled 87; shared log: 87 events"
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
office_ok a sync --once
office_ok c sync --once
expect_out "^published 0, pulled 1; shared log: 88 events"
office_ok n clone --endpoints "$ETCD_ENDPOINTS" --prefix np/log
expect_out "^published 0, pulled 87; shared log: 87 events"
expect_converged "$tmp/a.db" "$tmp/c.db"
expect_eq "np's log entries" "$(ectl get np/log/ --prefix --keys-only | grep -c '^np/log/[0-9]\{20\}$')" 88

# ---- 2. a head past the log's last entry ----
office_ok d init
office_ok d remote set --endpoints "$ETCD_ENDPOINTS" --prefix dmg
office_ok d sync --once
ectl del dmg/log/00000000000000000087 >/dev/null || fail "etcdctl del failed"
echo "dmg/head says $(head_pos dmg) events; dmg/log/ holds $(log_count dmg)"

# judge WHAT T0 T1 REV0: the last sync stopped by itself, within 5 s, exit 3, one line, having
# written nothing to the cluster.
judge() {
    [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "$1: still running after $RUN_LIMIT s: it spins"
    expect_rc 3
    expect_one_err_line
    expect_err "^docket: [a-z]*: the shared log's head under 'dmg' says 87 events, but its entries end at 86"
    [ $(($3 - $2)) -lt 5000 ] || fail "$1 took $(($3 - $2)) ms"
    pass
    expect_eq "revisions written by $1" "$(revision)" "$4"
    echo "$1: exit $rc after $(($3 - $2)) ms: $(cat "$tmp/err")"
}

# A new office with nothing to publish.
rev0=$(revision)
t0=$(now_ms)
office e clone --endpoints "$ETCD_ENDPOINTS" --prefix dmg
t1=$(now_ms)
judge "a clone" "$t0" "$t1" "$rev0"
# An office with its own events to publish.
office_ok f init
office_ok f remote set --endpoints "$ETCD_ENDPOINTS" --prefix dmg
t0=$(now_ms)
office f sync --once
t1=$(now_ms)
judge "a sync with events to publish" "$t0" "$t1" "$rev0"
expect_eq "f's unpublished" "$(unpublished "$tmp/f.db")" 87
done_ok
