# End-to-end: docket verify (the audit chain, the state, published heads).
. "$(dirname "$0")/lib.sh"

init_store

# A fresh store verifies; --head is "local:N:HEX" with the last event's hash (a store that never
# synced has no shared head).
run_ok verify
expect_out "^ok: $(events) events, head local:$(events):[0-9a-f]\{64\}$"
run_ok verify --head
expect_eq "verify --head" "$(cat "$tmp/out")" "local:$(events):$(sql 'select lower(hex(hash)) from event order by seq desc limit 1')"
head1=$(sed -n 's/^local://p' "$tmp/out")
run_ok verify --json
expect_json
expect_eq "verify --json" "$(pyjson 'print(d["ok"], d["events"], d["head"])')" "True $(events) ${head1#*:}"
run_ok -r verify
expect_out "^ok: "

# The head moves with every event; an earlier head still holds against the longer trail.
run_ok set ceb approached -m "letter"
run_ok note ceb -m "call"
run_ok verify --head
head2=$(sed -n 's/^local://p' "$tmp/out")
expect_ne "head after two events" "$head2" "$head1"
expect_eq "count in the head" "${head2%%:*}" $((${head1%%:*} + 2))
run_ok verify --against "$head1"
expect_out "^ok: "
run_ok verify --against "$head2"
# Upper-case hex is the same head; "local:" names the same head as a bare N:HEX; several heads
# are checked together.
run_ok verify --against "$(echo "$head1" | tr a-f A-F)"
run_ok verify --against "local:$head1" --against "local:$head2"
# A store that never synced holds no shared head but the empty one.
run_ok verify --against "shared:0:$(printf '%064d' 0)"
run_fails 1 "docket: verify: the shared log here holds 0 entries but 3 were published: this office has not synced that far" \
    verify --against "local:$head1" --against "shared:3:${head1#*:}"
run_fails 2 "is not a head (local:N:HEX, N:HEX or shared:POS:HEX" verify --against "global:$head1"
run_fails 2 "is not a head" verify --against "local:$head1" --against "shared:$head1:x"
# The empty head (what verify --head prints for an empty trail) holds against everything.
run_ok verify --against "0:$(printf '%064d' 0)"

# A head that was never this trail's: exit 1, one line, naming the event.
wrong="${head1%%:*}:$(printf '%064d' 0 | tr 0 a)"
run verify --against "$wrong"
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event ${head1%%:*} differs from the published head"
# A count of 0 with any other hash was never a head of any trail.
run verify --against "0:$(printf '%064d' 0 | tr 0 a)"
expect_rc 1
expect_one_err_line
# A head longer than the trail: it was truncated.
run verify --against "99999:${head1#*:}"
expect_rc 1
expect_one_err_line
expect_err "holds $(events) events but 99999 were published"

# A store from another init has another head.
run_ok -d "$tmp/other.db" init
run -d "$tmp/other.db" verify --against "$head1"
expect_rc 1
expect_one_err_line

# An empty store verifies, with the zero head.
run_ok -d "$tmp/empty.db" init --empty
run_ok -d "$tmp/empty.db" verify --head
expect_eq "empty head" "$(cat "$tmp/out")" "local:0:$(printf '%064d' 0)"

# A tampered hash is found and named (the full audit scenarios are in test_audit.sh).
cp "$DOCKET_DB" "$tmp/tampered.db"
behind_back "$tmp/tampered.db" "
    update event set hash = zeroblob(32) where seq = 12;"
run -d "$tmp/tampered.db" verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event 12"
run -d "$tmp/tampered.db" verify --head
expect_rc 1
expect_err "event 12"
run_ok verify

# What the hash cannot see is checked too. A field stored as bytes hashes the same, yet no
# longer matches in queries (type = 'status' is false for a blob).
cp "$DOCKET_DB" "$tmp/class.db"
behind_back "$tmp/class.db" "
    update event set type = cast(type as blob) where seq = 12;"
run -d "$tmp/class.db" verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event 12: its type is stored as bytes, not as text"

# eff_end is derived from eff and not hashed, yet every as-of view compares it: a stored value
# that is not the end of eff's period (here from a changed column definition, put back after)
# is named.
cp "$DOCKET_DB" "$tmp/effend.db"
sqlite3 "$tmp/effend.db" "pragma writable_schema = on; update sqlite_schema
    set sql = replace(sql, 'ELSE eff END', 'ELSE ''2099-01-01'' END') where name = 'event';"
behind_back "$tmp/effend.db" "
    update event set eff = eff where seq = 12 and length(eff) = 10;
    select changes();" >"$tmp/changed"
expect_eq "rows rewritten" "$(cat "$tmp/changed")" 1
# Every open compares the schema with docket's: the changed definition is named at once.
run_fails 4 "docket: verify: the store is damaged, or its schema was changed behind docket's back: table 'event' differs" \
    -d "$tmp/effend.db" verify
sqlite3 "$tmp/effend.db" "pragma writable_schema = on; update sqlite_schema
    set sql = replace(sql, 'ELSE ''2099-01-01'' END', 'ELSE eff END') where name = 'event';"
run -d "$tmp/effend.db" verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event 12: its eff_end is not the end of its effective date's period"

# A partial index whose condition names a function docket never defined (a byte changed in
# the schema's text): the store was changed behind docket's back, and every command says so.
cp "$DOCKET_DB" "$tmp/func.db"
sqlite3 "$tmp/func.db" "pragma writable_schema = on; update sqlite_schema
    set sql = replace(sql, 'instr(', 'instx(') where name = 'items_instances';"
run_fails 4 "docket: verify: the store is damaged, or its schema was changed behind docket's back: index 'items_instances' differs" \
    -d "$tmp/func.db" verify --deep
run_fails 4 "docket: add: the store is damaged, or its schema was changed behind docket's back: index 'items_instances' differs" \
    -d "$tmp/func.db" add unct/KEN --title Kenya

# The chain starts at 1: an event numbered 0 (or below) lies outside it and is named.
cp "$DOCKET_DB" "$tmp/zero.db"
sqlite3 "$tmp/zero.db" "insert into event (seq, uuid, batch, type, item, subject, old_value,
    new_value, attrs, reason, eff, recorded, actor, login, replica, hash)
    select 0, uuid || '-0', batch, type, item, subject, old_value, new_value, attrs, reason,
    eff, recorded, actor, login, replica, hash from event where seq = 1;"
run -d "$tmp/zero.db" verify
expect_rc 1
expect_one_err_line
expect_err "docket: verify: event 0: the trail is numbered from 1"

# An index that no longer matches its table leaves every event intact, so the chain and the
# replay pass; --deep checks the file's pages and indexes and names the damage. (Built on another
# column, then given its own definition back, it has docket's schema and the wrong entries.)
cp "$DOCKET_DB" "$tmp/index.db"
sqlite3 "$tmp/index.db" "pragma writable_schema = on; update sqlite_schema
    set sql = 'CREATE INDEX event_recorded ON event (actor)' where name = 'event_recorded';"
sqlite3 "$tmp/index.db" "reindex event_recorded"
sqlite3 "$tmp/index.db" "pragma writable_schema = on; update sqlite_schema
    set sql = 'CREATE INDEX event_recorded ON event (recorded)' where name = 'event_recorded';"
run_ok -d "$tmp/index.db" verify
run -d "$tmp/index.db" verify --deep
expect_rc 1
expect_one_err_line
expect_err "docket: verify: the store's file is damaged: .*index event_recorded"
run -d "$tmp/index.db" verify --deep --json
expect_rc 1
expect_json
run_ok verify --deep
expect_out "^ok: $(events) events, head "

# Usage and store errors.
run_fails 2 "docket: verify: '5:abcd' is not a head" verify --against 5:abcd
run_fails 2 "is not a head" verify --against garbage
run_fails 2 "is not a head" verify --against ":${head1#*:}"
run_fails 2 "is not a head" verify --against "x:${head1#*:}"
run_fails 2 "is not a head" verify --against "${head1}0"
run_fails 2 "unknown option '--bogus'" verify --bogus
run_fails 2 "docket: verify: " verify extra
run_fails 4 "docket: verify: no store" -d "$tmp/missing.db" verify

# Twins: a store made before keys were unique without regard to case may hold unct/ken beside
# unct/KEN (#14). The second is written here as such a docket wrote it: an item event chained
# after the trail's head (README "The audit chain"), and its row in the state.
init_store
run_ok add unct/KEN --title "UN country team, Kenya"
run_ok add ceb.hlcm.fin --title "Finance network" --kind membership
twin() { # twin KEY TWIN: appends TWIN's creation, copied from KEY's
    python3 - "$DOCKET_DB" "$1" "$2" "$DOCKET_TESTS/reliability" <<'PY' || fail "cannot write the twin $2"
import sqlite3, sys, uuid, datetime
sys.path.insert(0, sys.argv[4])
import rel
db, key, twin = sys.argv[1:4]
c = sqlite3.connect(db)
c.row_factory = sqlite3.Row
ev = dict(c.execute("SELECT * FROM event WHERE type = 'item' AND subject = ?", (key,)).fetchone())
last = c.execute("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1").fetchone()
item = str(uuid.uuid4())
ev.update(seq=last["seq"] + 1, uuid=str(uuid.uuid4()), batch=str(uuid.uuid4()), item=item,
          subject=twin, new_value=ev["new_value"] + " (twin)",
          recorded=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
ev["hash"] = rel.event_hash(last["hash"], ev)
cols = [k for k in ev if k not in ("eff_end", "eff_day")]
c.execute("INSERT INTO event (%s) VALUES (%s)" % (", ".join(cols), ", ".join("?" * len(cols))),
          [ev[k] for k in cols])
row = dict(c.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone())
row.update(uuid=item, key=twin, title=ev["new_value"])
c.execute("INSERT INTO items (%s) VALUES (%s)" % (", ".join(row), ", ".join("?" * len(row))),
          list(row.values()))
c.commit()
PY
}
twin unct/KEN unct/ken
twin ceb.hlcm.fin ceb.hlcm.FIN
# Both are kept and verify; verify warns about each set of twins, one line each, and exits 0.
run verify
expect_rc 0
expect_out "^ok: $(events) events, head "
expect_eq "verify's warnings" "$(cat "$tmp/err")" "docket: verify: warning: 'ceb.hlcm.FIN' and 'ceb.hlcm.fin' differ only in case (kept from before keys were unique without regard to case; name each in its exact case)
docket: verify: warning: 'unct/KEN' and 'unct/ken' differ only in case (kept from before keys were unique without regard to case; name each in its exact case)"
run verify --json
expect_rc 0
expect_json
expect_err "^docket: verify: warning: 'unct/KEN' and 'unct/ken' differ only in case"
# Each is named in its exact case; another case names neither and says which are meant.
run_ok show unct/ken
expect_out "^unct/ken: UN country team, Kenya (twin)$"
run_ok show unct/KEN
expect_out "^unct/KEN: UN country team, Kenya$"
run_ok set unct/ken member -m "joined"
st=$(status_of unct/ken) || exit 1
expect_eq "unct/ken" "$st" member
st=$(status_of unct/KEN) || exit 1
expect_eq "unct/KEN" "$st" not-approached
run_fails 3 "^docket: show: unknown item 'unct/Ken' (did you mean 'unct/KEN' or 'unct/ken'?)$" show unct/Ken
run_fails 3 "^docket: add: item 'unct/ken' already exists$" add unct/ken --title x
run verify
expect_rc 0
expect_out "^ok: $(events) events, head "
done_ok
