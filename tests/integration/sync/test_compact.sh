# A compacted etcd history: after `etcdctl compact` (and a defrag), a new clone still gets the
# whole log, an office that was behind catches up, and publishing goes on: docket pulls by key
# range from its position, never by revision.
# Usage: sh tests/integration/sync/test_compact.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=compact
C=$tmp/c.db

# revision: the cluster's current revision.
revision() {
    ectl get $P/head -w json | python3 -c 'import json, sys; print(json.load(sys.stdin)["header"]["revision"])'
}

two_offices
bpos=$(shared_head "$B" | cut -d' ' -f1) # b's position: the log as it cloned it
[ -n "$bpos" ] || fail "verify on b printed no shared-log head"
# b stays behind while a publishes in many small syncs (many revisions of P/head).
make_events a A 300
office_ok a sync --once
for i in 1 2 3 4 5 6 7 8 9 10; do
    office_ok a set "undg.regional/A$(printf %04d "$i")" member -m "joined" --on 2016-0$((i % 9 + 1))
    office_ok a sync --once
done
rev=$(revision)
office_ok a set ceb.hlcm approached -m "after the compaction point" --on 2016-03
office_ok a sync --once

ectl compact "$rev" --physical >"$tmp/compact.out" 2>&1 || {
    cat "$tmp/compact.out" >&2
    fail "etcdctl compact $rev failed"
}
ectl defrag >/dev/null 2>&1 || fail "etcdctl defrag failed"
# The history before $rev is gone: reading at revision 2 is refused.
if ectl get $P/head --rev=2 >"$tmp/old.out" 2>&1; then
    fail "a read at revision 2 still works after compacting to $rev"
fi
grep -q "compacted" "$tmp/old.out" || fail "unexpected answer to a compacted read: $(cat "$tmp/old.out")"
pass
echo "compacted at revision $rev of $(revision); a read at revision 2 is refused: $(grep -o "required revision has been compacted" "$tmp/old.out" | head -n 1)"

# A new clone gets everything; b, behind since its clone, catches up.
total=$(events "$A")
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
expect_out "^published 0, pulled $total; shared log: $total events"
office_ok b sync --once
expect_out "^published 0, pulled $((total - bpos)); shared log: $total events"
expect_converged "$A" "$B" "$C"

# Publishing goes on after the compaction, from every office (c once a has admitted it).
admit a c
office_ok b sync --once
office_ok c sync --once
office_ok b set echa approached -m "letter to ECHA" --on 2016-04
office_ok c set iasc member -m "full member of the IASC" --on 2016-06
office_ok b sync --once
office_ok c sync --once
office_ok a sync --once
office_ok b sync --once
expect_converged "$A" "$B" "$C"
expect_log_exact $P "$A"
echo "after the compaction: $(events "$A") events on each office"
done_ok
