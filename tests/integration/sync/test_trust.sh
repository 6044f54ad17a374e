# Trust between offices, on a real 3-member cluster: `clone --trust` pins the founder's key (a
# wrong one leaves nothing behind); after a sync every office prints the same `shared:` head,
# which `verify --against` takes everywhere and `verify --shared --against` rejects once the log
# in etcd is cut short; an entry forged with etcdctl under an admitted office's replica id,
# placed correctly but signed with another key, is quarantined by every office ("signature")
# while the entries after it are applied; a copy of a store given a new key that nobody
# re-admitted publishes nothing that another office applies; and a revoked office publishes
# nothing more, what its key signs after the revocation being quarantined everywhere ("revoked");
# the founder rotates its own key (`office rotate`): the others apply what the new key signs and
# quarantine what the old one signs after it ("signature").
# The forgeries are made by tests/integration/forge.py (Python's standard library and the
# openssl command, from the README's description of the shared log alone).
# Usage: sh tests/integration/sync/test_trust.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
RUN_LIMIT=${RUN_LIMIT:-60}
. "$DOCKET_TESTS/integration/sync/cluster.sh"

command -v openssl >/dev/null 2>&1 || {
    echo "$0: needs openssl" >&2
    exit 2
}
FORGE="$DOCKET_TESTS/integration/forge.py"
HEX64='[0-9a-f]\{64\}'

# replica DB: the store's replica id.
replica() {
    sqlite3 "$1" "select value from meta where key = 'replica'"
}
# item_uuid DB KEY: the uuid of item KEY.
item_uuid() {
    sqlite3 "$1" "select uuid from items where key = '$2'"
}
# last_status DB KEY: the uuid of DB's latest status event on item KEY.
last_status() {
    sqlite3 "$1" "select e.uuid from event e join items i on i.uuid = e.item where i.key = '$2' and e.type = 'status' order by e.seq desc limit 1"
}
# has_event DB UUID: 1 when DB holds the event UUID, else 0.
has_event() {
    sqlite3 "$1" "select count(*) from event where uuid = '$2'"
}
# fp_of PEM: the fingerprint of the Ed25519 key in PEM (private or public), as docket prints it.
fp_of() {
    openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 | sha256sum | cut -c1-64
}
# dump: the whole prefix $P as `etcdctl get -w json` prints it, in $tmp/dump.json.
dump() {
    ectl get "$P/" --prefix -w json >"$tmp/dump.json" || fail "etcdctl get $P/ failed"
}
# put_plan FILE: carries out a plan of forge.py with etcdctl, one operation a line.
put_plan() {
    _tab=$(printf '\t')
    while IFS=$_tab read -r _op _k _v; do
        case $_op in
        put) ectl put "$_k" "$_v" >/dev/null || fail "etcdctl put $_k failed" ;;
        del) ectl del "$_k" >/dev/null || fail "etcdctl del $_k failed" ;;
        *) fail "forge.py wrote a plan line '$_op'" ;;
        esac
    done <"$1"
}
# forge PLAN KEY REPLICA FIELD=VALUE...: forge.py's entry, appended to the log in etcd; sets
# FORGED (its uuid) and FPOS (its position); the entry's text is in PLAN.entry.
forge() {
    _plan=$1
    shift
    dump
    python3 "$FORGE" entry "$P" "$tmp/dump.json" "$@" >"$_plan" 2>"$_plan.err" ||
        fail "forge.py entry failed: $(cat "$_plan.err")"
    put_plan "$_plan"
    FORGED=$(sed -n 's/^uuid \([^ ]*\) pos .*/\1/p' "$_plan.err")
    FPOS=$(sed -n 's/^uuid .* pos \([0-9]*\)$/\1/p' "$_plan.err")
    [ -n "$FORGED" ] && [ -n "$FPOS" ] || fail "forge.py said no uuid and position"
    head -n 1 "$_plan" | cut -f 3 >"$_plan.entry"
    expect_eq "P/head after the forgery" "$(head_pos $P)" "$FPOS"
}
# quarantined DB: the entries DB holds in quarantine, "POS REASON" a line, from status --json.
quarantined() {
    "$DOCKET" -d "$1" status --json | python3 -c 'import json, sys
for q in json.load(sys.stdin)["quarantined"]:
    print(q["pos"], q["reason"])'
}
# etcd_head: PREFIX/head as "shared:POS:HEX", as verify --head prints a shared head.
etcd_head() {
    ectl get "$P/head" --print-value-only | python3 -c 'import json, sys
h = json.load(sys.stdin)
print("shared:%d:%s" % (h["pos"], h["hash"]))'
}
# shared_line NAME: LINE is the shared: line of office NAME's verify --head.
shared_line() {
    office_ok "$1" verify --head
    expect_out "^local:[0-9]*:$HEX64\$"
    expect_out "^shared:[0-9]*:$HEX64\$"
    LINE=$(grep '^shared:' "$tmp/out")
}
# heads_agree NAME...: every office prints the same shared: line, the head in etcd; each
# passes verify --against it, and verify --shared --against it. Sets SHARED.
heads_agree() {
    SHARED=$(etcd_head) || fail "cannot read $P/head"
    for _o in "$@"; do
        shared_line "$_o"
        expect_eq "the shared: line of office $_o (P/head in etcd: $SHARED)" "$LINE" "$SHARED"
        office_ok "$_o" verify --against "$SHARED"
        office_ok "$_o" verify --shared --against "$SHARED"
        _n=${SHARED#shared:}
        expect_out "^shared log in etcd: ${_n%%:*} entries, each as this store holds it\$"
    done
}
# quarantined_by NAME POS REASON WHAT: office NAME's sync exits 1 with one line on stderr naming
# entry POS as quarantined for REASON (WHAT: the "type, actor by office replica" it names, a
# regular expression), and no other entry; its status and verify then list it.
quarantined_by() {
    office "$1" sync --once
    expect_rc 1
    expect_err "^docket: sync: shared log entry $2 ($4) is quarantined: $3\$"
    expect_eq "entries office $1 names as quarantined" "$(grep -c '^docket: sync: shared log entry [0-9]* (.*) is quarantined: ' "$tmp/err")" 1
    office_ok "$1" status
    expect_out "^quarantined  entry $2: $3 ("
    office_ok "$1" verify
    expect_out "^quarantined: [0-9]* entr[a-z]* of the shared log, applied by no office: .*$2 ($3)"
    quarantined "$tmp/$1.db" | grep -x "$2 $3" >/dev/null || fail "status --json of $1 does not list entry $2 ($3)"
    pass
}
# same_state NAME...: the offices hold the same events, the same shared log in the same order,
# the same list --json, and each passes verify.
same_state() {
    uuids "$tmp/$1.db" >"$tmp/same.uuids"
    shared_order "$tmp/$1.db" >"$tmp/same.order"
    "$DOCKET" -d "$tmp/$1.db" list --json >"$tmp/same.list" || fail "list --json on $1 failed"
    for _o in "$@"; do
        office_ok "$_o" verify
        uuids "$tmp/$_o.db" | cmp -s - "$tmp/same.uuids" || fail "$_o holds other events than $1"
        pass
        shared_order "$tmp/$_o.db" | cmp -s - "$tmp/same.order" || fail "$_o has another shared order than $1"
        pass
        "$DOCKET" -d "$tmp/$_o.db" list --json | cmp -s - "$tmp/same.list" || fail "list --json differs between $_o and $1"
        pass
    done
}

cluster_start
P=trust
A=$tmp/a.db
B=$tmp/b.db
C=$tmp/c.db

# ---- The founder, and clone --trust ----
office_ok a init --office alpha
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
office_ok a sync --once
office_ok a office show
expect_out "^alpha $HEX64\$"
founder=$(cut -d ' ' -f 2 "$tmp/out")
expect_eq "the founder's fingerprint from its key file" "$(fp_of "$A.key")" "$founder"

# A wrong fingerprint (well formed, of another key): exit 1, no store, no key file.
openssl genpkey -algorithm ed25519 -out "$tmp/stranger.pem" 2>/dev/null || fail "openssl genpkey failed"
stranger=$(fp_of "$tmp/stranger.pem")
expect_ne "a stranger's fingerprint" "$stranger" "$founder"
office x clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office xray --trust "$stranger"
expect_rc 1
expect_one_err_line
expect_no_out
expect_err "founded by office alpha with key $founder, not the key given with --trust"
echo "clone --trust with a wrong fingerprint: exit $rc: $(cat "$tmp/err")"
left=$(find "$tmp" -maxdepth 1 -name 'x.db*')
expect_eq "files left by clone --trust with a wrong fingerprint" "$left" ""
office_ok b clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office bravo --trust "$founder"
[ -f "$B" ] && [ -f "$B.key" ] || fail "clone --trust left no store or no key file"
pass
# Without --trust, clone says which founder it trusted.
office c clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office charlie
expect_rc 0
grep -q "trusted the founding office alpha, key $founder" "$tmp/out" "$tmp/err" ||
    fail "clone without --trust does not print the founder's fingerprint"
pass
echo "clone without --trust: $(cat "$tmp/out" "$tmp/err" | grep -F "$founder")"

admit a b
office_ok b sync --once # bravo learns it is admitted; and any admitted office admits
admit b c
office_ok b set ceb.hlcp observer -m "observer at the HLCP" --on 2016-05
office_ok c set echa approached -m "letter to ECHA" --on 2016-04
sync_until_done a b c
expect_converged "$A" "$B" "$C"

# ---- One shared head on every office; verify --against it; a wrong one fails ----
heads_agree a b c
echo "every office: $SHARED"
pos=${SHARED#shared:}
pos=${pos%%:*}
office b verify --against "shared:$pos:$(printf '%064d' 0)"
expect_rc 1
office b verify --shared --against "shared:$pos:$(printf '%064d' 0)"
expect_rc 1

# ---- A forged entry under bravo's replica id, signed with another key ----
brep=$(replica "$B")
openssl genpkey -algorithm ed25519 -out "$tmp/forger.pem" 2>/dev/null || fail "openssl genpkey failed"
openssl pkey -in "$tmp/forger.pem" -pubout -out "$tmp/forger.pub" 2>/dev/null || fail "openssl pkey failed"
openssl pkey -in "$B.key" -pubout -out "$tmp/bravo.pub" 2>/dev/null || fail "openssl pkey on bravo's key failed"
forge "$tmp/forged" "$tmp/forger.pem" "$brep" event_type=status item="$(item_uuid "$A" ceb.hlcp)" \
    subject=ceb.hlcp old=observer new=member reason="full member, says the director general" \
    "actor=director general"
# An independent check of the forgery: signed, but not by bravo's key (whose own entries verify).
python3 "$FORGE" verify "$tmp/forged.entry" "$tmp/forger.pub" || fail "the forged entry does not verify under the forger's key"
pass
python3 "$FORGE" verify "$tmp/forged.entry" "$tmp/bravo.pub" && fail "the forged entry verifies under bravo's key"
pass
ectl get "$P/log/" --prefix --print-value-only | grep "\"replica\":\"$brep\"" | grep -v "$FORGED" | tail -n 1 >"$tmp/bravo.entry"
python3 "$FORGE" verify "$tmp/bravo.entry" "$tmp/bravo.pub" || fail "bravo's own last entry does not verify under its key"
pass
FPOS0=$FPOS
echo "forged: entry $FPOS ($FORGED), under bravo's replica id $brep"
what="status, director general by office $brep"

# charlie publishes after the forgery: it quarantines the forgery, and its event is placed next.
office_ok c set iasc member -m "full member of the IASC" --on 2016-06
after=$(last_status "$C" iasc)
quarantined_by c "$FPOS" signature "$what"

log_uuids $P >"$tmp/log.uuids"
expect_eq "the entry after the forgery" "$(sed -n "$((FPOS + 1))p" "$tmp/log.uuids")" "$after"
for o in a b; do
    quarantined_by "$o" "$FPOS" signature "$what"
done
for o in a b c; do
    expect_eq "charlie's event, applied by $o after the forgery" "$(has_event "$tmp/$o.db" "$after")" 1
    expect_eq "iasc on $o" "$(DOCKET_DB=$tmp/$o.db status_of iasc)" member
    expect_eq "the forged event in $o" "$(has_event "$tmp/$o.db" "$FORGED")" 0
    expect_eq "ceb.hlcp on $o" "$(DOCKET_DB=$tmp/$o.db status_of ceb.hlcp)" observer
    # Quarantined once: the next sync names nothing.
    office_ok "$o" sync --once
done
# The office impersonated is not blocked: it publishes, and the others apply what it did.
office_ok b set smt member -m "still a member" --on 2016-07 --force
office_ok b sync --once
office_ok a sync --once
office_ok c sync --once
for o in a b c; do
    expect_eq "smt on $o" "$(DOCKET_DB=$tmp/$o.db status_of smt)" member
done
same_state a b c
heads_agree a b c
echo "after the forgery, every office: $SHARED"

# ---- A copy of bravo's store with a new key that nobody re-admitted ----
E=$tmp/e.db
cp "$B" "$E" && cp -p "$B.key" "$E.key" || fail "cannot copy bravo's store"
if [ -e "$B-wal" ]; then
    cp "$B-wal" "$E-wal" || fail "cannot copy bravo's WAL"
fi
office_ok e key new --force
office_ok e office show
expect_out "^bravo $HEX64\$"
expect_ne "the copy's fingerprint" "$(cut -d ' ' -f 2 "$tmp/out")" "$(fp_of "$B.key")"
office_ok e set ceb.undg member -m "member of the UNDG, says the copy" --on 2016-08
copied=$(last_status "$E" ceb.undg)
undg=$(DOCKET_DB=$A status_of ceb.undg) || exit 1
n0=$(log_count $P)
office e sync --once
echo "the copy with a new key, not re-admitted: sync exit $rc: $(cat "$tmp/err")"
n1=$(log_count $P)
if [ "$n1" = "$n0" ]; then
    # It waits: it says so, and keeps its events.
    expect_rc 0
    expect_err "waits for admission"
    [ "$(unpublished "$E")" -ge 1 ] || fail "the copy has nothing unpublished"
    pass
else
    # What it published is quarantined by every other office, entry by entry.
    for o in a b c; do
        office "$o" sync --once
        expect_rc 1
        expect_eq "entries office $o quarantines from the copy" "$(grep -c '^docket: sync: shared log entry [0-9]* (.*) is quarantined: \(signature\|not admitted\)$' "$tmp/err")" $((n1 - n0))
    done
fi
for o in a b c; do
    office_ok "$o" sync --once
    expect_eq "the copy's event in $o" "$(has_event "$tmp/$o.db" "$copied")" 0
    expect_eq "ceb.undg on $o" "$(DOCKET_DB=$tmp/$o.db status_of ceb.undg)" "$undg"
done

# ---- Charlie revoked by the founder (only the founder revokes) ----
office_ok c office show
expect_out "^charlie $HEX64\$"
fpc=$(cut -d ' ' -f 2 "$tmp/out")
crep=$(replica "$C")
n0=$(log_count $P)
office b office revoke charlie "$fpc" -m "bravo is not the founder"
case $rc in
1 | 2) pass ;;
*) fail "a revocation by another office than the founder: exit $rc, expected 1 or 2" ;;
esac
expect_one_err_line
expect_err "founding office"
office_ok b sync --once
expect_eq "log keys after a revocation by another than the founder" "$(log_count $P)" "$n0"
office_ok a office revoke charlie "$fpc" -m "the Nairobi office closed"
office_ok a sync --once
office_ok a office list
expect_out "^charlie  *$fpc  admitted by bravo at [0-9]*, revoked at [0-9]*\$"
# Charlie, revoked, goes on writing: its sync pulls, publishes nothing and says so.
office_ok c set ceb.hlcp approached -m "charlie after its revocation" --on 2016-09
late=$(last_status "$C" ceb.hlcp)
n0=$(log_count $P)
office c sync --once
echo "the revoked office syncs: exit $rc: $(cat "$tmp/err")"
expect_rc 0
expect_err "this office (charlie) was revoked by the founding office"
expect_eq "log keys after the revoked office's sync" "$(log_count $P)" "$n0"
expect_eq "charlie's unpublished after its revocation" "$(unpublished "$C")" 1
# What charlie's key signs after the revocation, put in the log by a client that ignores it:
# every office, charlie's own included, quarantines it as revoked.
forge "$tmp/revoked" "$C.key" "$crep" event_type=status item="$(item_uuid "$A" ceb.hlcp)" \
    subject=ceb.hlcp old=observer new=approached reason="charlie after its revocation, by hand"
openssl pkey -in "$C.key" -pubout -out "$tmp/charlie.pub" 2>/dev/null || fail "openssl pkey on charlie's key failed"
python3 "$FORGE" verify "$tmp/revoked.entry" "$tmp/charlie.pub" || fail "the entry does not verify under charlie's key"
pass
for o in a b c; do
    quarantined_by "$o" "$FPOS" revoked "status, tester by office $crep"
    expect_eq "the revoked office's entry in $o" "$(has_event "$tmp/$o.db" "$FORGED")" 0
done
for o in a b; do
    expect_eq "ceb.hlcp on $o" "$(DOCKET_DB=$tmp/$o.db status_of ceb.hlcp)" observer
    expect_eq "charlie's event after its revocation, in $o" "$(has_event "$tmp/$o.db" "$late")" 0
done
# The entries after it are applied.
office_ok a set ceb.undg approached -m "the founder, after it all" --on 2016-10
office_ok a sync --once
office_ok b sync --once
office c sync --once
expect_rc 0
for o in a b c; do
    expect_eq "ceb.undg on $o" "$(DOCKET_DB=$tmp/$o.db status_of ceb.undg)" approached
    quarantined "$tmp/$o.db" | grep -x "$FPOS0 signature" >/dev/null || fail "$o no longer holds entry $FPOS0 in quarantine"
    pass
done

# ---- The founder rotates its own key: a re-key signed with the old key binds the new one ----
cp -p "$A.key" "$tmp/alpha-old.key" || fail "cannot keep alpha's old key"
fp_old=$(fp_of "$A.key")
office b office rekey alpha "$fp_old" -m "bravo re-keys the founder"
case $rc in
1 | 2) pass ;;
*) fail "a re-key of the founder by another office: exit $rc, expected 1 or 2" ;;
esac
expect_err "only the founding office rotates its own key"
office_ok a office rotate -m "yearly rotation"
expect_out "^office alpha has a new key, fingerprint $HEX64,"
fp_new=$(fp_of "$A.key")
expect_ne "alpha's fingerprint after the rotation" "$fp_new" "$fp_old"
[ ! -e "$A.key.next" ] || fail "the rotation left $A.key.next"
pass
office_ok a set ceb.hlcm observer -m "the founder, with its new key" --on 2016-11
rotated=$(last_status "$A" ceb.hlcm)
office_ok a sync --once
for o in b c; do
    office "$o" sync --once
    expect_rc 0
    expect_eq "the founder's event under its new key, in $o" "$(has_event "$tmp/$o.db" "$rotated")" 1
    office_ok "$o" office list --json
    python3 -c 'import json, sys
fp = [o["fingerprint"] for o in json.load(open(sys.argv[1])) if o["name"] == "alpha"]
sys.exit(0 if sys.argv[2] in fp else 1)' "$tmp/out" "$fp_new" || fail "$o lists no alpha with the new key"
    pass
done
# The old key signs nothing more: an entry it signs after the rotation is quarantined everywhere.
forge "$tmp/oldkey" "$tmp/alpha-old.key" "$(replica "$A")" event_type=status \
    item="$(item_uuid "$A" ceb.hlcm)" subject=ceb.hlcm old=observer new=member \
    reason="signed with the founder's old key"
for o in a b c; do
    quarantined_by "$o" "$FPOS" signature "status, tester by office $(replica "$A")"
done

# ---- The heads at the end; the log cut short in etcd ----
heads_agree a b c
echo "at the end, every office: $SHARED"
for o in a b c; do
    office_ok "$o" verify --deep
    expect_out "^signatures: "
done
n=${SHARED#shared:}
n=${n%%:*}
dump
python3 "$FORGE" cut "$P" "$tmp/dump.json" >"$tmp/cut" || fail "forge.py cut failed"
put_plan "$tmp/cut"
expect_eq "P/head after the cut" "$(head_pos $P)" $((n - 1))
expect_eq "log keys after the cut" "$(log_count $P)" $((n - 1))
for o in a b c; do
    office "$o" verify --shared --against "$SHARED"
    expect_rc 1
    expect_one_err_line
    expect_err "$n"
done
echo "the log cut short: verify --shared --against: exit $rc: $(cat "$tmp/err")"
done_ok
