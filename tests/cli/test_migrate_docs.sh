# End-to-end: a store of two documents made by the release before documents owned their kinds
# and keys (tests/fixtures/*-docs.sql, by tests/fixtures/make-docs.sh) migrates (#15): the same
# head before and after, every item as it stood, every key still working, and each document's
# kinds its own from then on.
. "$(dirname "$0")/lib.sh"

state="select key, coalesce(doc, '-'), kind, coalesce(status, '-'), coalesce(progress, '-'),
    coalesce(since, '-'), coalesce(next_due, '-'), breach from items order by key, doc"
for f in "$DOCKET_TESTS"/fixtures/*-docs.sql; do
    r=$(basename "$f" .sql)
    head=$(cat "$DOCKET_TESTS/fixtures/$r.head")
    db=$tmp/$r.db
    fixture_store "$r" "$db"
    export DOCKET_DB=$db
    before=$(sql "$state")
    version=$(sql "pragma user_version")
    run_ok -r verify --against "$head"
    expect_eq "$r: the schema after a read" "$(sql "pragma user_version")" "$version"
    run_ok verify --against "$head"
    expect_eq "$r: the items after the migration" "$(sql "$state")" "$before"
    n=${head#local:}
    expect_eq "$r: no event added" "$(sql "select count(*) from event")" "${n%%:*}"
    # Every key, bare and as ALIAS:KEY, names its item.
    sql "select key || ' ' || coalesce(doc, '') from items order by key" >"$tmp/keys"
    while read -r key doc; do
        run_ok show "$key"
        expect_out "^$key: "
        [ -n "$doc" ] || continue
        alias=$(sql "select coalesce((select json_extract(attrs, '\$.alias') from event where
            type = 'document' and subject = '$doc' and json_extract(attrs, '\$.alias') is not null
            order by seq desc limit 1), lower('$doc'))" | sed 's/[^a-z0-9]\{1,\}/-/g')
        run_ok show "$alias:$key"
    done <"$tmp/keys"
    pass
    # The kinds recorded before are every document's, and the item of no document's.
    run_ok kinds --doc a-res-68-262 --json
    expect_eq "$r: the GA resolution's kinds" "$(pyjson 'print(" ".join(sorted(k["name"] for k in d)))')" \
        "acknowledgement action approach cost ga-acknowledgement ga-action membership proposal reporting safeguard"
    run_ok show loose.item
    expect_out "approached"
    # The fixture comes without its office's key file: this copy writes under a new one.
    run_ok key new
    run_ok set loose.item member -m "admitted" --on 2018
    # From now on a document's kind is its own: the GA resolution takes its own 'action'
    # (not-started, done), and Resolution 1309's stays as it was.
    run_ok kinds --doc res1309
    grep '^action ' "$tmp/out" >"$tmp/action-before"
    run_ok add a-res-68-262:p5.underscores --title "Underscores the referendum's invalidity" --kind membership --on 2014-03-27
    cat >"$tmp/own.json" <<'JSON'
{"format": "docket-checklist", "version": 2,
 "document": {"symbol": "A/RES/68/262", "title": "Territorial integrity of Ukraine",
              "adopted": "2014-03-27", "paragraphs": []},
 "kinds": [{"name": "action", "label": "Action", "initial": "not-started",
            "statuses": [{"name": "not-started", "label": "Not started", "progress": 0,
                          "final": false},
                         {"name": "done", "label": "Done", "progress": 100, "final": true}]}],
 "items": [{"key": "p7.own", "title": "An action of its own", "kind": "action"}]}
JSON
    run_ok import "$tmp/own.json"
    run_ok set a-res-68-262:p7.own done -m "done" --on 2015
    run_ok kinds --doc res1309
    grep '^action ' "$tmp/out" >"$tmp/action-after"
    cmp -s "$tmp/action-before" "$tmp/action-after" || fail "$r: res1309's action changed"
    run_fails 3 "unknown status 'done' for kind action" set res1309:legal.approach done -m "not its status"
    run_ok verify
    run_ok verify --against "$head"
    echo "release $r: migrated, same head, every key works"
done
done_ok
