# The log is watched: an old entry rewritten in etcd (its text changed, its hash kept, as a
# forger with write access would) is named by the next sync of every office, which then writes
# nothing and exits 1; `verify --shared` names it; `sync --repair` from any office puts back the
# bytes it holds, after which every office syncs and verifies again. A log cut short in etcd is
# found by `verify --shared --against` and put back the same way.
# Usage: sh tests/integration/sync/test_log_rewritten.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

cluster_start
P=watched
two_offices a b
office_ok c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office c
office_ok a set ceb.hlcm approached -m "letter" --on 2016-03
office_ok b set ceb.hlcp observer -m "observer" --on 2016-05
sync_until_done a b c
expect_converged "$tmp/a.db" "$tmp/b.db" "$tmp/c.db"
office_ok a verify --head
shared=$(grep '^shared:' "$tmp/out")
n=${shared#shared:}
n=${n%%:*}

# Entry 5 rewritten: its reason changed, its hash left as it was.
key=$P/log/$(printf %020d 5)
ectl get "$key" --print-value-only >"$tmp/entry5.json" || fail "etcdctl get failed"
python3 -c 'import json, sys
e = json.load(open(sys.argv[1])); e["reason"] = "rewritten behind everyone'"'"'s back"
print(json.dumps(e, separators=(",", ":")))' "$tmp/entry5.json" >"$tmp/forged.json"
ectl put "$key" <"$tmp/forged.json" >/dev/null || fail "etcdctl put failed"
for o in a b c; do
    DOCKET_DB=$tmp/$o.db
    run_fails 1 "^docket: sync: the shared log in etcd was changed after this office read it at position 5 (1 in all)" sync --once
done
echo "a rewritten entry: exit $rc: $(cat "$tmp/err")"
DOCKET_DB=$tmp/a.db
run verify --shared
expect_rc 1
expect_one_err_line
expect_err "^docket: verify: the shared log in etcd differs from this office's at position 5 (1 in all)"

# Any office puts it back, byte for byte; then every office syncs and verifies again.
office_ok b sync --once --repair
expect_out "^put back 1 of 1 entries of the shared log"
expect_eq "entry 5 in etcd" "$(ectl get "$key" --print-value-only | cksum)" "$(cksum <"$tmp/entry5.json")"
for o in a b c; do
    office_ok "$o" sync --once
    office_ok "$o" verify --shared --against "$shared"
    expect_out "^shared log in etcd: $n entries, each as this store holds it$"
done
office_ok d clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office d
expect_converged "$tmp/a.db" "$tmp/b.db" "$tmp/c.db" "$tmp/d.db"

# The log cut short in etcd: its last two entries deleted.
ectl del "$P/log/$(printf %020d $((n - 1)))" >/dev/null && ectl del "$P/log/$(printf %020d "$n")" >/dev/null ||
    fail "etcdctl del failed"
DOCKET_DB=$tmp/c.db
run verify --shared --against "$shared"
expect_rc 1
expect_err "differs from this office's at positions $((n - 1)), $n (2 in all)"
office_ok c sync --once --repair
expect_out "^put back 2 of 2 entries"
office_ok a verify --shared --against "$shared"
office_ok d sync --once
echo "the log cut short: found by verify --shared, put back by sync --repair"
pass
