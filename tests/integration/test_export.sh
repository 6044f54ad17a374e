# Integration: docket export and its import into an empty store: a store with a history
# (statuses, notes, evidence files and URLs, costs, an instance, a revert, a published report)
# comes back identical, by file, by stdin and by URL; an export cut short, altered, or
# imported into a store that is not empty is refused whole. An office that synced comes back
# with the same shared log, and every shared-log field that cannot be is refused. A restore
# refused for its header or a store that is not empty leaves the store's files untouched.
. "$(dirname "$0")/lib.sh"

CHAIN="$IT_DIR/chain.py"

# A store with a history.
init_store
printf 'signed letter\n' >"$tmp/letter.txt"
printf 'minutes\n' >"$tmp/minutes.txt"
run_ok set ceb.hlcm ceb.hlcp approached -m "letter to the CEB secretary" --on 2016-03 \
    --evidence https://example.org/letter.pdf --evidence "$tmp/letter.txt"
run_ok set ceb.hlcm under-consideration -m "on the agenda" --on 2016-05-12
run_ok note iasc -m "principals meeting" --on 2016-06 --evidence "$tmp/minutes.txt" \
    --evidence http://127.0.0.1:9/minutes
run_ok cost ceb 250000.50 CHF -m "a secretariat post" --basis "one P-4 for a year"
run_ok cost iasc 1200 USD -m "travel"
run_ok add unct/KEN --title "UN country team, Kenya" --on 2016-01
run_ok --by field.nairobi set unct/KEN member -m "IOM joined the UNCT" --on 2016-09
run_ok set iasc member -m "entered by mistake"
run_ok revert "$(sql 'select max(seq) from event')" -m "a mistake"
# Text that must come back byte for byte: quotes, a newline, a non-Latin script, an emoji.
run_ok note ceb -m "$(printf 'said "yes",\nthen: \316\261\316\262 \360\237\223\204')"
run_ok report --publish -o "$tmp/report.md"
run_ok edit unct/KEN "ref=2(c)" -m "the paragraph"
run_ok verify --head
head0=$(cat "$tmp/out")
n0=$(events)
expect_eq "a publication in the trail" "$(sql "select count(*) from event where type = 'publication'")" 1
expect_eq "a revert in the trail" "$(sql "select count(*) from event where type = 'revert'")" 1
expect_eq "costs in the trail" "$(sql "select count(*) from event where type = 'cost'")" 2
expect_eq "evidence in the trail" "$(sql "select count(*) from event where type = 'evidence'")" 6

t0=$(now_ms)
run_ok export -o "$tmp/a.jsonl"
t1=$(now_ms)
figure "export of $n0 events: $((t1 - t0)) ms"
expect_no_out
run_ok export
expect_eq "export to stdout and to a file" "$(tail -n +2 "$tmp/out" | cksum)" "$(tail -n +2 "$tmp/a.jsonl" | cksum)"
# The export's hashes are the README's chain, recomputed independently.
python3 "$CHAIN" check "$tmp/a.jsonl" >"$tmp/chain.out" || fail "chain.py: $(cat "$tmp/chain.out")"
expect_eq "chain recomputed from the export" "local:$(cut -d' ' -f2,3 "$tmp/chain.out" | tr ' ' :)" "$head0"
pass
expect_eq "header" "$(head -n 1 "$tmp/a.jsonl" | python3 -c 'import json,sys
h = json.load(sys.stdin); print(h["format"], h["version"], "local:%d:%s" % (h["events"], h["head"]))')" "docket-export 1 $head0"
expect_eq "event lines" "$(grep -c '"type":"event"' "$tmp/a.jsonl")" "$n0"
# Every line is JSON that a line reader (such as jq) takes on its own.
python3 -c 'import json,sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    json.loads(l)' "$tmp/a.jsonl" || fail "a line of the export is not JSON"
pass

# The same store, gathered for comparison: what list, log and show say, the event table.
snapshot() {
    _db=$1
    _to=$2
    {
        "$DOCKET" -d "$_db" list --json
        "$DOCKET" -d "$_db" log --json
        "$DOCKET" -d "$_db" show ceb.hlcm --json
        "$DOCKET" -d "$_db" show iasc --json
        "$DOCKET" -d "$_db" show unct --json
        "$DOCKET" -d "$_db" list --as-of 2016-06 --json
        "$DOCKET" -d "$_db" links --json
        "$DOCKET" -d "$_db" report --reproducible --format json
        sqlite3 "$_db" "select seq, uuid, batch, type, item, subject, old_value, new_value, attrs,
            reason, eff, recorded, actor, login, replica, hex(hash) from event order by seq"
        sqlite3 "$_db" "select * from items order by key"
        sqlite3 "$_db" "select * from vocab order by kind, ord"
    } >"$_to" 2>"$_to.err" || fail "snapshot of $_db failed: $(cat "$_to.err")"
}
snapshot "$DOCKET_DB" "$tmp/snap.a"

# Restored into an empty store: the same trail, the same head, the same state.
b="$tmp/b.db"
run_ok -d "$b" init --empty
t0=$(now_ms)
run_ok -d "$b" import "$tmp/a.jsonl"
t1=$(now_ms)
figure "import of $n0 events: $((t1 - t0)) ms"
expect_out "^restored $n0 events$"
run_ok -d "$b" verify --head
expect_eq "head of the copy" "$(cat "$tmp/out")" "$head0"
run_ok -d "$b" verify
expect_out "^ok: $n0 events"
run_ok list --json
cp "$tmp/out" "$tmp/list.a"
run_ok -d "$b" list --json
cmp -s "$tmp/list.a" "$tmp/out" || fail "list --json differs in the copy"
pass
snapshot "$b" "$tmp/snap.b"
cmp -s "$tmp/snap.a" "$tmp/snap.b" || {
    diff "$tmp/snap.a" "$tmp/snap.b" | head -n 20 >&2
    fail "the copy differs (list, log, show, links, report or the event table)"
}
pass
expect_ne "replica of the copy" "$(sql 'select value from meta where key = "replica"' "$b")" \
    "$(sql 'select value from meta where key = "replica"')"
# The copy's export: identical but for the header's replica and time.
run_ok -d "$b" export -o "$tmp/b.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" && fail "the two exports have the same header"
tail -n +2 "$tmp/a.jsonl" >"$tmp/a.body"
tail -n +2 "$tmp/b.jsonl" >"$tmp/b.body"
cmp -s "$tmp/a.body" "$tmp/b.body" || fail "the copy's export differs after its header"
pass
hdr() {
    head -n 1 "$1" | python3 -c 'import json,sys
h = json.load(sys.stdin)
assert set(h) >= {"replica", "exported"}, h
for k in ("replica", "exported"):
    del h[k]
print(json.dumps(h, sort_keys=True))'
}
expect_eq "headers but for replica and time" "$(hdr "$tmp/b.jsonl")" "$(hdr "$tmp/a.jsonl")"
# The copy lives on: a new event chains on the restored head.
run_ok -d "$b" set ceb.hlcp observer -m "after the restore"
run_ok -d "$b" verify
run_ok -d "$b" verify --against "$(echo "$head0" | tr ' ' :)"

# From stdin, and by URL from a local server.
run_ok -d "$tmp/c.db" init --empty
last_cmd="-d c.db import - <a.jsonl"
timeout 60 "$DOCKET" -d "$tmp/c.db" import - <"$tmp/a.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 0
expect_out "^restored $n0 events$"
run_ok -d "$tmp/c.db" verify --head
expect_eq "head after import from stdin" "$(cat "$tmp/out")" "$head0"
mkdir -p "$tmp/root"
cp "$tmp/a.jsonl" "$tmp/root/a.jsonl"
start_server web http --root "$tmp/root"
run_ok -d "$tmp/d.db" init --empty
run_ok -d "$tmp/d.db" import "http://127.0.0.1:$web_PORT/files/a.jsonl"
expect_out "^restored $n0 events$"
run_ok -d "$tmp/d.db" verify --head
expect_eq "head after import by URL" "$(cat "$tmp/out")" "$head0"

# Refusals: exit 3, one line, nothing written (run_fails compares the whole store).
e="$tmp/e.db"
run_ok -d "$e" init --empty
export DOCKET_DB="$e"
lines=$(wc -l <"$tmp/a.jsonl")
# Cut short at a line's end: the last three events gone.
head -n $((lines - 3)) "$tmp/a.jsonl" >"$tmp/short.jsonl"
run_fails 3 "docket: import: the export holds $((n0 - 3)) events but its header promises $n0.*cut short" \
    import "$tmp/short.jsonl"
# Cut in the middle of a line.
head -c $(($(wc -c <"$tmp/a.jsonl") - 40)) "$tmp/a.jsonl" >"$tmp/torn.jsonl"
run_fails 3 "docket: import: line $lines, column [0-9]*: " import "$tmp/torn.jsonl"
# Only the header and the state lines are left.
grep -v '"type":"event"' "$tmp/a.jsonl" >"$tmp/noevents.jsonl"
run_fails 3 "docket: import: the export holds 0 events but its header promises $n0" import "$tmp/noevents.jsonl"
# A changed reason: the line is named, and its event.
tl=$(grep -n '"reason":"a mistake"' "$tmp/a.jsonl" | cut -d: -f1)
ts=$(sed -n "${tl}p" "$tmp/a.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
sed "${tl}s/\"reason\":\"a mistake\"/\"reason\":\"no mistake\"/" "$tmp/a.jsonl" >"$tmp/tampered.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/tampered.jsonl" && fail "the tampering changed nothing"
run_fails 3 "docket: import: line $tl: event $ts does not match its hash" import "$tmp/tampered.jsonl"
# A changed effective date, a changed actor, a changed attribute (the evidence's hash).
sed "${tl}s/\"actor\":\"tester\"/\"actor\":\"someone\"/" "$tmp/a.jsonl" >"$tmp/actor.jsonl"
run_fails 3 "docket: import: line $tl: event $ts does not match its hash" import "$tmp/actor.jsonl"
al=$(grep -n '"event_type":"evidence".*"sha256"' "$tmp/a.jsonl" | head -n 1 | cut -d: -f1)
sed "${al}s/\"sha256\":\"[0-9a-f]/\"sha256\":\"X/" "$tmp/a.jsonl" >"$tmp/attr.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/attr.jsonl" && fail "the attribute edit changed nothing"
run_fails 3 "docket: import: line $al: event [0-9]* does not match its hash" import "$tmp/attr.jsonl"
# An event line left out in the middle.
sed "${tl}d" "$tmp/a.jsonl" >"$tmp/gap.jsonl"
run_fails 3 "docket: import: line $tl: expected event $ts" import "$tmp/gap.jsonl"
# Two event lines swapped.
python3 -c 'import sys
l = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = int(sys.argv[2]) - 1
l[i - 1], l[i] = l[i], l[i - 1]
open(sys.argv[3], "w", encoding="utf-8").write("\n".join(l))' "$tmp/a.jsonl" "$tl" "$tmp/swap.jsonl"
run_fails 3 "docket: import: line $((tl - 1)): expected event $((ts - 1))" import "$tmp/swap.jsonl"
# A header whose head is not the trail's (its first hex digit changed).
python3 -c 'import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
h = json.loads(lines[0])
h["head"] = ("0" if h["head"][0] == "f" else "f") + h["head"][1:]
lines[0] = json.dumps(h, separators=(",", ":"))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines))' "$tmp/a.jsonl" "$tmp/head.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/head.jsonl" && fail "the header edit changed nothing"
run_fails 3 "docket: import: .*cut short or altered" import "$tmp/head.jsonl"
# A header of another version, and an unknown line type.
sed '1s/"version":1/"version":2/' "$tmp/a.jsonl" >"$tmp/v2.jsonl"
run_fails 3 "docket: import: line 1: not a docket export of version 1" import "$tmp/v2.jsonl"
sed '2s/"type":"document"/"type":"gossip"/' "$tmp/a.jsonl" >"$tmp/type.jsonl"
run_fails 3 "docket: import: line 2: unknown line type" import "$tmp/type.jsonl"
expect_eq "events after every refusal" "$(events)" 0

# A forgery consistent in itself (reason changed, every later hash and the head recomputed)
# imports, but the head published before shows it.
python3 "$CHAIN" rewrite "$tmp/a.jsonl" "$ts" "no mistake" "$tmp/forged.jsonl" || fail "chain.py rewrite"
run_ok -d "$tmp/f.db" init --empty
run_ok -d "$tmp/f.db" import "$tmp/forged.jsonl"
run -d "$tmp/f.db" verify --against "$(echo "$head0" | tr ' ' :)"
expect_rc 1
expect_one_err_line
expect_err "rewritten"

# One event id twice, in a chain consistent in itself: a restore builds the uuid index after
# the events are in, and still refuses the whole export.
dup=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("seq") == 2:
        print(o["uuid"])' "$tmp/a.jsonl")
python3 "$CHAIN" rewrite "$tmp/a.jsonl" 3 "$dup" "$tmp/dup.jsonl" uuid || fail "chain.py rewrite"
run_ok -d "$tmp/dup.db" init --empty
run_fails 3 "docket: import: \(line [0-9]*: \)\?the export holds an event id twice" -d "$tmp/dup.db" import "$tmp/dup.jsonl"
expect_eq "events after a duplicate id" "$(events "$tmp/dup.db")" 0
indexes="select count(*) from sqlite_schema where type = 'index' and tbl_name = 'event'"
expect_eq "indexes after a refused restore" "$(sql "$indexes" "$tmp/dup.db")" \
    "$(sql "$indexes" "$tmp/f.db")"

# Into a store that is not empty: the one with the checklist, or the copy itself.
export DOCKET_DB="$tmp/docket.db"
run_fails 3 "docket: import: an export restores into an empty store only" import "$tmp/a.jsonl"
run_fails 3 "docket: import: an export restores into an empty store only" -d "$b" import "$tmp/a.jsonl"
# Read-only: refused before anything.
run_fails 2 "docket: import: " -r -d "$e" import "$tmp/a.jsonl"
# An export to an unwritable place: exit 6, and no stray temporary file.
run_fails 6 "docket: export: " export -o "$tmp/no/such/dir/x.jsonl"
run_fails 2 "docket: export: unknown format 'xml'" export --format xml
run_ok verify

# An empty store exports the chain's start as its head (32 zero bytes), and the export
# imports back into another empty store, to the same head.
zero=$(printf '%064d' 0)
run_ok -d "$tmp/empty1.db" init --empty
run_ok -d "$tmp/empty1.db" export -o "$tmp/empty.jsonl"
expect_eq "header of an empty export" "$(head -n 1 "$tmp/empty.jsonl" | python3 -c 'import json,sys
h = json.load(sys.stdin); print(h["format"], h["version"], h["events"], h["head"])')" \
    "docket-export 1 0 $zero"
run_ok -d "$tmp/empty2.db" init --empty
run_ok -d "$tmp/empty2.db" import "$tmp/empty.jsonl"
expect_out "^restored 0 events$"
run_ok -d "$tmp/empty2.db" verify --head
expect_out "^local:0:$zero$"
# Cut to its header, a longer export is still refused as cut short.
head -n 1 "$tmp/a.jsonl" >"$tmp/header-only.jsonl"
run_fails 3 "docket: import: .*cut short" -d "$tmp/empty2.db" import "$tmp/header-only.jsonl"

# A restore refused before it reads an event (the store is not empty; the header is not an
# export's of this version) leaves the store's file byte for byte as it was, and its WAL
# where it was: no switch of the journal mode on the way in and out.
files() {
    [ -f "$1-wal" ] || fail "$1 has no WAL to watch"
    echo "$(cksum <"$1") $(stat -c '%i %s %y' "$1-wal") $(cksum <"$1-wal")"
}
for case in "$tmp/docket.db a.jsonl" "$tmp/empty2.db v2.jsonl"; do
    set -- $case
    export DOCKET_DB="$1"
    # The sqlite3 shell of run_fails, closing last, would remove the WAL itself: not here.
    run_ok list --json
    f0=$(files "$1")
    sleep 0.05
    run import "$tmp/$2"
    expect_rc 3
    expect_one_err_line
    expect_err "docket: import: "
    expect_eq "the store's files after a refused restore ($2)" "$(files "$1")" "$f0"
    expect_eq "journal mode after a refused restore" "$(sql 'pragma journal_mode')" wal
done

# An office that synced (the 0.1 fixture of office b: it published two events after it
# pulled others, so two lines give positions ahead of the lines before them) comes back with
# the same trail and shared log: verify prints the same two heads.
fixture_store 0.1-b "$tmp/office.db"
run_ok -d "$tmp/office.db" verify
verified=$(cat "$tmp/out")
case $verified in
*"shared log: 103 events"*) ;;
*) fail "the fixture's verify: $verified" ;;
esac
run_ok -d "$tmp/office.db" export -o "$tmp/office.jsonl"
run_ok -d "$tmp/office2.db" init --empty
run_ok -d "$tmp/office2.db" import "$tmp/office.jsonl"
expect_out "^restored 103 events$"
run_ok -d "$tmp/office2.db" verify
expect_eq "verify of the restored office" "$(cat "$tmp/out")" "$verified"
places='select seq, pos, hex(hash), received from shared order by seq'
expect_eq "the shared table restored" "$(sql "$places" "$tmp/office2.db" | cksum)" \
    "$(sql "$places" "$tmp/office.db" | cksum)"

# shared NAME SEQ PYTHON: the office's export with the "shared" of event SEQ's line (sh, a
# dict) changed by the Python statement; sets $sl to that line's number.
shared() {
    sl=$(grep -n "^{\"type\":\"event\",\"seq\":$2," "$tmp/office.jsonl" | cut -d: -f1)
    [ -n "$sl" ] || fail "no line for event $2"
    python3 -c 'import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = int(sys.argv[2]) - 1
o = json.loads(lines[i])
sh = o["shared"]
exec(sys.argv[3])
if "shared" in o:
    o["shared"] = sh
lines[i] = json.dumps(o, separators=(",", ":"), ensure_ascii=False)
open(sys.argv[4], "w", encoding="utf-8").write("\n".join(lines))' "$tmp/office.jsonl" "$sl" "$3" \
        "$tmp/$1.jsonl" || fail "could not make $1.jsonl"
    cmp -s "$tmp/office.jsonl" "$tmp/$1.jsonl" && fail "the edit for $1 changed nothing"
}
run_ok -d "$tmp/office3.db" init --empty
export DOCKET_DB="$tmp/office3.db"
whole='the shared-log position must be a whole number from 1$'
shared neg 50 'sh["pos"] = -7'
run_fails 3 "docket: import: line $sl: $whole" import "$tmp/neg.jsonl"
shared zero 50 'sh["pos"] = 0'
run_fails 3 "docket: import: line $sl: $whole" import "$tmp/zero.jsonl"
shared text 50 'sh["pos"] = "50"'
run_fails 3 "docket: import: line $sl: $whole" import "$tmp/text.jsonl"
shared huge 50 'sh["pos"] = 10**15'
run_fails 3 "docket: import: line $sl: shared-log position 1000000000000000 lies past the export's 103 events$" \
    import "$tmp/huge.jsonl"
shared twice 50 'sh["pos"] = 49'
run_fails 3 "docket: import: line $sl: shared-log position 49 was given by an earlier line$" import "$tmp/twice.jsonl"
shared hash 50 'sh["hash"] = sh["hash"][:-1] + ("0" if sh["hash"][-1] != "0" else "1")'
run_fails 3 "docket: import: line $sl: event 50 does not match its shared-log hash (position 50)$" \
    import "$tmp/hash.jsonl"
shared upper 50 'sh["hash"] = sh["hash"].upper()'
run_fails 3 "docket: import: line $sl: the shared-log hash must be 64 hex digits$" import "$tmp/upper.jsonl"
recv="the shared log's received time '%s' is not a UTC time as docket records it"
shared word 50 'sh["received"] = "yesterday"'
run_fails 3 "docket: import: line $sl: $(printf "$recv" yesterday)" import "$tmp/word.jsonl"
shared feb30 50 'sh["received"] = "2026-02-30T08:08:15.119Z"'
run_fails 3 "docket: import: line $sl: $(printf "$recv" 2026-02-30T08:08:15.119Z)" import "$tmp/feb30.jsonl"
shared day 50 'sh["received"] = "2026-12-03"'
run_fails 3 "docket: import: line $sl: $(printf "$recv" 2026-12-03)" import "$tmp/day.jsonl"
shared local 50 'sh["received"] = "2026-12-03T08:08:15.119+01:00"'
run_fails 3 "docket: import: line $sl: " import "$tmp/local.jsonl"
shared number 50 'sh["received"] = 1796285986'
run_fails 3 "docket: import: line $sl: $(printf "$recv" "")" import "$tmp/number.jsonl"
object="'shared' must be an object of pos, hash and received$"
shared extra 50 'sh["by"] = "me"'
run_fails 3 "docket: import: line $sl: $object" import "$tmp/extra.jsonl"
shared nopos 50 'del sh["pos"]'
run_fails 3 "docket: import: line $sl: $object" import "$tmp/nopos.jsonl"
shared null 50 'sh = None'
run_fails 3 "docket: import: line $sl: $object" import "$tmp/null.jsonl"
# Event 50 unpublished: position 50 is then in no line, and the next is named.
shared gap 50 'del o["shared"]'
run_fails 3 "docket: import: line $((sl + 1)): shared-log position 51, but no line holds position 50$" \
    import "$tmp/gap.jsonl"
# The events published late (87 and 88, at 101 and 102): checked when the chain reaches them.
shared late 88 'sh["hash"] = "0" * 64'
run_fails 3 "docket: import: line $sl: event 88 does not match its shared-log hash (position 102)$" \
    import "$tmp/late.jsonl"
shared late2 88 'sh["pos"] = 101'
run_fails 3 "docket: import: line $sl: shared-log position 101 is line $((sl - 1))'s too$" import "$tmp/late2.jsonl"
# Two pulled events' positions swapped: each hash then stands at another place in the chain.
shared swap 89 'sh["pos"] = 88'
python3 -c 'import sys
l = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = int(sys.argv[2])
assert "\"pos\":88," in l[i]
l[i] = l[i].replace("\"pos\":88,", "\"pos\":87,")
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(l))' "$tmp/swap.jsonl" "$sl"
run_fails 3 "docket: import: line $((sl + 1)): event 90 does not match its shared-log hash (position 87)$" \
    import "$tmp/swap.jsonl"
expect_eq "events after every refusal" "$(events)" 0
run_ok import "$tmp/office.jsonl"
run_ok verify
expect_eq "verify after the refusals" "$(cat "$tmp/out")" "$verified"
done_ok
