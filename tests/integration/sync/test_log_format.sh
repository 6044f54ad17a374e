# The shared log as another program sees it: read with etcdctl alone and checked by
# tests/integration/chain.py from the README's description of the keys and fields (a second,
# independent implementation of the shared chain). Its head is the `shared:` head that every
# office prints after a sync, and a changed entry is named.
# Usage: sh tests/integration/sync/test_log_format.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"
CHAIN=$DOCKET_TESTS/integration/chain.py

cluster_start
P=format
two_offices a b
office_ok a set ceb.hlcm approached -m "letter" --on 2016-03 --evidence https://example.org/l.pdf
office_ok b add unct/KEN --title "UN country team, Kenya" --on 2016
office_ok b set unct/KEN member -m "joined" --on 2016
office_ok b cost ceb 1200.50 CHF -m "fees"
sync_until_done a b
expect_converged "$A" "$B"

ectl get "$P/" --prefix -w json >"$tmp/dump.json" || fail "etcdctl get failed"
python3 "$CHAIN" log "$P" "$tmp/dump.json" >"$tmp/chain.out" || fail "chain.py: $(cat "$tmp/chain.out")"
pass
for db in "$A" "$B"; do
    run_ok -d "$db" verify --head
    expect_eq "the shared head of $db, and the log's as chain.py computes it" \
        "$(grep '^shared:' "$tmp/out")" "$(sed -n 's/^ok //p' "$tmp/chain.out")"
done
echo "the log read with etcdctl and checked by chain.py: $(grep '^entries' "$tmp/chain.out")"

# An entry changed in etcd: the independent check names it.
key=$P/log/$(printf %020d 5)
ectl get "$key" --print-value-only | python3 -c 'import json, sys
e = json.load(sys.stdin); e["reason"] = "changed in etcd"; print(json.dumps(e))' >"$tmp/changed.json"
ectl put "$key" <"$tmp/changed.json" >/dev/null || fail "etcdctl put failed"
ectl get "$P/" --prefix -w json >"$tmp/dump.json" || fail "etcdctl get failed"
if python3 "$CHAIN" log "$P" "$tmp/dump.json" >"$tmp/chain.out"; then
    fail "chain.py passed a changed entry: $(cat "$tmp/chain.out")"
fi
grep -q "^$key: chain: .*: computed [0-9a-f]\{64\}, the entry says " "$tmp/chain.out" ||
    fail "chain.py: $(cat "$tmp/chain.out")"
expect_eq "entries chain.py names" "$(grep -c '/log/[0-9]*: ' "$tmp/chain.out")" 1
echo "a changed entry: $(grep "^$key: " "$tmp/chain.out")"
