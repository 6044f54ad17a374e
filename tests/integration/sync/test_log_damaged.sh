# A shared log whose head says more than its entries hold (P/log/N deleted behind docket's
# back): a sync, with or without something to publish (or waiting for admission), must stop
# promptly with exit 3 and one line, not loop on requests. And trackers whose prefixes nest (P and P/log, P/log/000...1)
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
office_ok a init --office a
na=$(events "$tmp/a.db")
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix np
office_ok a sync --once
expect_out "^published $na, pulled 0; shared log: $na events"
# A tracker under np/log (its keys np/log/head, np/log/ev/..., np/log/log/...) and one under a
# prefix made of log digits (np/log/00000000000000000001/...), inside np's log range.
for p in np/log np/log/00000000000000000001; do
    office_ok b init --office b
    nb=$(events "$tmp/b.db")
    office_ok b remote set --endpoints "$ETCD_ENDPOINTS" --prefix "$p"
    office_ok b sync --once
    expect_out "^published $nb, pulled 0; shared log: $nb events"
    rm -f "$tmp"/b.db*
done
ectl get np/log/ --prefix --keys-only | grep -c . >"$tmp/nkeys"
echo "keys under np/log/: $(cat "$tmp/nkeys") ($na of np's log, the rest the nested trackers')"
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix np --office c
expect_out "^published 0, pulled $na; shared log: $na events"
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
office_ok a sync --once
office_ok c sync --once
expect_out "^published 0, pulled 1; shared log: $((na + 1)) events"
office_ok n clone --endpoints "$ETCD_ENDPOINTS" --prefix np/log --office n
expect_out "^published 0, pulled $nb; shared log: $nb events"
expect_converged "$tmp/a.db" "$tmp/c.db"
expect_eq "np's log entries" "$(ectl get np/log/ --prefix --keys-only | grep -c '^np/log/[0-9]\{20\}$')" $((na + 1))

# ---- 2. a head past the log's last entry ----
# d founds the log and admits g, which publishes its store and then records a change it keeps
# for the next sync; d publishes one more change, and that last entry is deleted.
office_ok d init --office d
office_ok d remote set --endpoints "$ETCD_ENDPOINTS" --prefix dmg
office_ok d sync --once
office_ok g init --office g
office_ok g remote set --endpoints "$ETCD_ENDPOINTS" --prefix dmg
admit d g
office_ok g sync --once
office_ok g set ceb.hlcp approached -m "letter to the HLCP" --on 2016-03
office_ok d set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
office_ok d sync --once
last=$(head_pos dmg)
ectl del "dmg/log/$(printf %020d "$last")" >/dev/null || fail "etcdctl del failed"
echo "dmg/head says $(head_pos dmg) events; dmg/log/ holds $(log_count dmg)"
expect_eq "entries under dmg/log/" "$(log_count dmg)" $((last - 1))

# judge WHAT T0 T1 REV0: the last sync stopped by itself, within 5 s, exit 3, one line, having
# written nothing to the cluster.
judge() {
    [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "$1: still running after $RUN_LIMIT s: it spins"
    expect_rc 3
    expect_one_err_line
    expect_err "^docket: [a-z]*: the shared log's head under 'dmg' says $last events, but its entries end at $((last - 1))"
    [ $(($3 - $2)) -lt 5000 ] || fail "$1 took $(($3 - $2)) ms"
    pass
    expect_eq "revisions written by $1" "$(revision)" "$4"
    echo "$1: exit $rc after $(($3 - $2)) ms: $(cat "$tmp/err")"
}

# A new office with nothing to publish.
rev0=$(revision)
t0=$(now_ms)
office e clone --endpoints "$ETCD_ENDPOINTS" --prefix dmg --office e
t1=$(now_ms)
judge "a clone" "$t0" "$t1" "$rev0"
# An admitted office with its own events to publish.
expect_eq "g's unpublished" "$(unpublished "$tmp/g.db")" 1
t0=$(now_ms)
office g sync --once
t1=$(now_ms)
judge "a sync with events to publish" "$t0" "$t1" "$rev0"
expect_eq "g's unpublished" "$(unpublished "$tmp/g.db")" 1
# An office that waits for admission: its events stay its own, the log is checked all the same.
office_ok f init --office f
nf=$(events "$tmp/f.db")
office_ok f remote set --endpoints "$ETCD_ENDPOINTS" --prefix dmg
t0=$(now_ms)
office f sync --once
t1=$(now_ms)
judge "a sync of an office waiting for admission" "$t0" "$t1" "$rev0"
expect_eq "f's unpublished" "$(unpublished "$tmp/f.db")" "$nf"
done_ok
