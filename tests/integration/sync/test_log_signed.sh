# The signed shared log checked by a second, independent implementation: read with etcdctl
# alone and checked by tests/integration/chain.py, which knows only the README (Python's
# standard library for the chain, `openssl pkeyutl -verify` for each signature, the admission
# rules). Two offices, the second admitted: the check passes, its head is the offices' and its
# fingerprints are those `docket office list` prints; one changed byte of a signature (in a
# copy of the log, not in etcd) is named. On a log made by hand whose entries exercise each
# admission rule, it quarantines exactly the entries docket quarantines, for the same reasons.
# Usage: sh tests/integration/sync/test_log_signed.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"
CHAIN=$DOCKET_TESTS/integration/chain.py
command -v openssl >/dev/null 2>&1 || {
    echo "$0: needs openssl" >&2
    exit 2
}
export PYTHONDONTWRITEBYTECODE=1

# offices_of DB: `docket office list --json` on DB, one line an office, worded as chain.py
# words them ("office NAME FINGERPRINT founded the log at N", ...).
offices_of() {
    "$DOCKET" -d "$1" office list --json | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    if o["admitted_by"] == "founder":
        s = "founded the log at %d" % o["admitted_at"]
    elif o["admitted_at"]:
        s = "admitted by %s at %d" % (o["admitted_by"], o["admitted_at"])
    else:
        s = "not admitted"
    if o["revoked_at"]:
        s += ", revoked at %d" % o["revoked_at"]
    if not o["seen"]:
        s += ", not seen in the log yet"
    print("office %s %s %s" % (o["name"], o["fingerprint"], s))'
}

# entries DUMP PREFIX: "POS TYPE REPLICA" for each entry of the log in an etcdctl JSON dump.
entries() {
    python3 -c 'import base64, json, sys
prefix = sys.argv[2] + "/log/"
for kv in json.load(open(sys.argv[1]))["kvs"]:
    k = base64.b64decode(kv["key"]).decode()
    if k.startswith(prefix):
        e = json.loads(base64.b64decode(kv["value"]))
        print(int(k[len(prefix):]), e["event_type"], e["replica"])' "$1" "$2"
}

# flip_sig DUMP PREFIX POS OUT: OUT is DUMP with one byte of entry POS's signature changed (one
# hex digit of its "sig"), every other byte of the log as it was.
flip_sig() {
    python3 -c 'import base64, json, sys
dump, out = json.load(open(sys.argv[1])), sys.argv[4]
key = "%s/log/%020d" % (sys.argv[2], int(sys.argv[3]))
for kv in dump["kvs"]:
    if base64.b64decode(kv["key"]).decode() == key:
        text = base64.b64decode(kv["value"]).decode()
        sig = json.loads(text)["sig"]
        bad = sig[:40] + ("1" if sig[40] == "0" else "0") + sig[41:]
        kv["value"] = base64.b64encode(text.replace(sig, bad).encode()).decode()
json.dump(dump, open(out, "w"))' "$@"
}

# failures FILE: "KEY: REASON" for each entry that chain.py's output in FILE names.
failures() {
    sed -n 's|^\([^ :]*/log/[0-9]*: [a-z ]*\): .*|\1|p' "$1"
}

# check PREFIX DUMP: chain.py log on DUMP, its output in $tmp/chain.out; sets $rc.
check() {
    python3 "$CHAIN" log "$1" "$2" >"$tmp/chain.out" 2>&1
    rc=$?
}

cluster_start
P=signed
A=$tmp/a.db
B=$tmp/b.db

# ---- 1. two offices, the second admitted, a few changes each ----
office_ok a init --office alpha
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
office_ok a sync --once
office_ok b clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office beta
office_ok b office show
expect_out "^beta [0-9a-f]\{64\}$"
beta=$(cat "$tmp/out")
office_ok a office admit $beta -m "admitted by the test"
office_ok a set ceb.hlcm approached -m "letter" --on 2016-03 --evidence https://example.org/l.pdf
office_ok b add unct/KEN --title "UN country team, Kenya" --on 2016
office_ok b set unct/KEN member -m "joined" --on 2016
office_ok b cost ceb 1200.50 CHF -m "fees"
office_ok a set report.wg submitted -m "report to the working group" --on 2016-05
sync_until_done a b
expect_converged "$A" "$B"

ectl get "$P/" --prefix -w json >"$tmp/dump.json" || fail "etcdctl get failed"
check $P "$tmp/dump.json"
[ "$rc" -eq 0 ] || fail "chain.py: $(cat "$tmp/chain.out")"
pass
n=$(log_count $P)
# Every entry was recorded by this release: each is signed, and each signature checked once.
summary=$(grep '^entries' "$tmp/chain.out")
expect_eq "chain.py's figures" "$summary" "entries $n, signed $n, signatures checked $n, failed 0"
for db in "$A" "$B"; do
    run_ok -d "$db" verify --head
    expect_eq "the shared head of $db, and the log's as chain.py computes it" \
        "$(grep '^shared:' "$tmp/out")" "$(sed -n 's/^ok //p' "$tmp/chain.out")"
done
echo "the log read with etcdctl, checked by chain.py and openssl: $summary"

# The offices and their fingerprints, as chain.py computes them from the log (SHA-256 of the
# key each office event announces) and as docket lists them; and each office's own, from its
# key file by openssl alone.
grep '^office ' "$tmp/chain.out" >"$tmp/chain.offices"
sed 's/^/  /' "$tmp/chain.offices"
expect_eq "offices chain.py finds" "$(wc -l <"$tmp/chain.offices" | tr -d ' ')" 2
grep -q "^office alpha [0-9a-f]\{64\} founded the log at 1$" "$tmp/chain.offices" ||
    fail "chain.py: alpha did not found the log"
grep -q "^office beta [0-9a-f]\{64\} admitted by alpha at [0-9]*$" "$tmp/chain.offices" ||
    fail "chain.py: beta is not admitted"
pass
for db in "$A" "$B"; do
    offices_of "$db" >"$tmp/docket.offices" || fail "office list --json on $db failed"
    cmp -s "$tmp/docket.offices" "$tmp/chain.offices" ||
        fail "office list on $db: $(cat "$tmp/docket.offices"); chain.py: $(cat "$tmp/chain.offices")"
    pass
    run_ok -d "$db" office show
    read -r name fp <"$tmp/out"
    grep -q "^office $name $fp " "$tmp/chain.offices" ||
        fail "chain.py does not find office $name, key $fp"
    pass
    expect_eq "the fingerprint of $db.key by openssl" "$(openssl pkey -in "$db.key" -pubout \
        -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)" "$fp"
done

# ---- 2. one byte of a signature changed, in a copy of the log: that entry is named ----
entries "$tmp/dump.json" $P >"$tmp/entries"
rb=$("$DOCKET" -d "$A" office list --json | python3 -c 'import json, sys
print([o["replica"] for o in json.load(sys.stdin) if o["name"] == "beta"][0])') ||
    fail "no office beta in office list"
pos=$(awk -v r="$rb" '$3 == r && $2 != "office" { p = $1 } END { print p }' "$tmp/entries")
[ -n "$pos" ] || fail "no entry of office beta in the log"
key=$P/log/$(printf %020d "$pos")
flip_sig "$tmp/dump.json" $P "$pos" "$tmp/flipped.json"
check $P "$tmp/flipped.json"
[ "$rc" -eq 1 ] || fail "chain.py on a changed signature: exit $rc: $(cat "$tmp/chain.out")"
expect_eq "entries chain.py names" "$(failures "$tmp/chain.out")" "$key: signature"
expect_eq "chain.py's figures" "$(grep '^entries' "$tmp/chain.out")" \
    "entries $n, signed $n, signatures checked $n, failed 1"
echo "a changed signature: $(grep "^$key: " "$tmp/chain.out")"

# beta's office event's signature: that entry fails, and every later entry of beta's, its
# replica having no key then, is not admitted.
opos=$(awk -v r="$rb" '$3 == r && $2 == "office" { print $1; exit }' "$tmp/entries")
[ -n "$opos" ] || fail "no office event of beta in the log"
flip_sig "$tmp/dump.json" $P "$opos" "$tmp/flipped.json"
check $P "$tmp/flipped.json"
[ "$rc" -eq 1 ] || fail "chain.py on a changed signature: exit $rc: $(cat "$tmp/chain.out")"
awk -v r="$rb" -v p=$P -v o="$opos" '$3 == r {
    printf "%s/log/%020d: %s\n", p, $1, $1 == o ? "signature" : "not admitted" }' \
    "$tmp/entries" >"$tmp/want"
failures "$tmp/chain.out" | cmp -s - "$tmp/want" || fail "chain.py: $(cat "$tmp/chain.out")"
pass
echo "beta's office event's signature changed: $(wc -l <"$tmp/want" | tr -d ' ') entries named"

# ---- 3. a log made by hand: chain.py and docket quarantine the same entries ----
H=handmade
python3 "$CHAIN" rules $H "$tmp/$H" >"$tmp/rules.out" 2>&1 ||
    fail "chain.py rules: $(cat "$tmp/rules.out")"
python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1])):
    print(k + "\t" + v)' "$tmp/$H/puts.json" >"$tmp/$H/puts"
tab=$(printf '\t')
while IFS="$tab" read -r k v; do
    ectl put -- "$k" "$v" >/dev/null || fail "etcdctl put $k failed"
done <"$tmp/$H/puts"
ectl get "$H/" --prefix -w json >"$tmp/$H.json" || fail "etcdctl get failed"
check $H "$tmp/$H.json"
[ "$rc" -eq 1 ] || fail "chain.py on the log made by hand: exit $rc: $(cat "$tmp/chain.out")"
failures "$tmp/chain.out" | cmp -s - "$tmp/$H/expect" ||
    fail "chain.py on the log made by hand: $(cat "$tmp/chain.out"); expected: $(cat "$tmp/$H/expect")"
pass
office_ok c init --empty --office reader
office_ok c remote set --endpoints "$ETCD_ENDPOINTS" --prefix $H
office c sync --once
expect_rc 1
expect_eq "lines sync printed" "$(grep -c 'is quarantined: ' "$tmp/err")" \
    "$(wc -l <"$tmp/$H/expect" | tr -d ' ')"
office_ok c status
sed -n 's|^quarantined  entry \([0-9]*\): \([a-z ]*\) (.*|\1 \2|p' "$tmp/out" |
    while read -r qpos reason; do
        printf '%s/log/%020d: %s\n' $H "$qpos" "$reason"
    done >"$tmp/docket.quarantined"
cmp -s "$tmp/docket.quarantined" "$tmp/$H/expect" ||
    fail "docket quarantined: $(cat "$tmp/docket.quarantined"); chain.py: $(cat "$tmp/$H/expect")"
pass
# The progress report's summary says how many entries are held.
nq=$(wc -l <"$tmp/docket.quarantined" | tr -d ' ')
office_ok c report --section overview
if [ "$nq" = 1 ]; then
    expect_out_fixed "1 entry of the shared log is held in quarantine."
else
    expect_out_fixed "$nq entries of the shared log are held in quarantine."
fi
offices_of "$tmp/c.db" >"$tmp/docket.offices"
grep '^office ' "$tmp/chain.out" | cmp -s - "$tmp/docket.offices" ||
    fail "office list: $(cat "$tmp/docket.offices"); chain.py: $(grep '^office ' "$tmp/chain.out")"
pass
echo "a log made by hand: $(grep '^entries' "$tmp/chain.out");" \
    "docket quarantined the same $(wc -l <"$tmp/docket.quarantined" | tr -d ' ')"
# The shared chain runs through the quarantined entries too (each next one chains from the
# hash the one before it states): its head is the log's last position and hash.
head=$(sed -n 's/^failed //p' "$tmp/chain.out")
expect_eq "the head of the log made by hand, by status" "shared:$(status_head "$tmp/c.db" |
    tr ' ' :)" "$head"
run_ok -d "$tmp/c.db" verify --head
expect_eq "the head of the log made by hand, by verify --head" "$(grep '^shared:' "$tmp/out")" "$head"
run_ok -d "$tmp/c.db" verify --against "$head"
done_ok
