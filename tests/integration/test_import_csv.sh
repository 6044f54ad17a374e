# Integration: docket import --csv: the CSV that export --format csv writes imports back; a
# secretariat's own file adds items and statuses; errors name the row and the column; one bad
# row writes nothing.
. "$(dirname "$0")/lib.sh"

# A store with statuses, new items and an instance (the edits of checklist items are checked
# at the end).
init_store
run_ok set ceb.hlcm ceb.hlcp approached -m "letter" --on 2016-03
run_ok set iasc member -m "joined" --on 2016-06-15
run_ok add unct/KEN --title "UN country team, Kenya" --on 2016-01
run_ok set unct/KEN member -m "joined" --on 2016-09
run_ok add report.extra --title 'An extra report, "quoted", with commas' --kind reporting \
    --due 2027-01-01 --cadence 6
run_ok add action.multi --title "Multi-line" --kind action --ref "2(c)" --goal obtain
run_ok edit action.multi "description=$(printf 'first line\nsecond line, with "quotes"')" -m "text"
run_ok set action.multi in-progress -m "started"
run_ok export --format csv -o "$tmp/a.csv"
head -n 1 "$tmp/a.csv" | grep -q '^key,title,kind,parent,ref,goal,due,cadence_months,description,status,date' ||
    fail "the CSV header: $(head -n 1 "$tmp/a.csv")"
pass
expect_eq "CSV rows" "$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))) - 1)' "$tmp/a.csv")" \
    "$(sql 'select count(*) from items')"
run_ok list --json
cp "$tmp/out" "$tmp/list.a"

# Round trip: into a fresh store with the checklist, the CSV makes the same items.
b="$tmp/b.db"
run_ok -d "$b" init
run_ok -d "$b" import --csv "$tmp/a.csv"
expect_out "^imported 3 items and 5 statuses; [0-9]* rows unchanged$"
run_ok -d "$b" export --format csv -o "$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" || {
    diff "$tmp/a.csv" "$tmp/b.csv" | head -n 20 >&2
    fail "export --format csv of the copy differs"
}
pass
run_ok -d "$b" list --json
cmp -s "$tmp/list.a" "$tmp/out" || fail "list --json of the copy differs"
pass
expect_eq "a status set from the CSV" "$(sql "select status, since from items where key = 'iasc'" "$b")" "member|2016-06-15"
expect_eq "the reason names the file and row" \
    "$(sql "select reason from event where subject = 'iasc' and type = 'status' order by seq desc limit 1" "$b")" \
    "imported from $tmp/a.csv, row $(python3 -c 'import csv,sys; print(1 + [r[0] for r in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))].index("iasc"))' "$tmp/a.csv")"
run_ok -d "$b" verify
# The same CSV again, into either store: nothing changes.
fp=$(fingerprint "$b")
run_ok -d "$b" import --csv "$tmp/a.csv"
expect_out "^imported 0 items and 0 statuses; $(sql 'select count(*) from items') rows unchanged$"
expect_eq "copy after a second import" "$(fingerprint "$b")" "$fp"
fp=$(fingerprint)
run_ok import --csv "$tmp/a.csv" --json
expect_json
expect_eq "import --json: the events recorded, none" "$(pyjson 'print(d)')" "[]"
expect_eq "store after importing its own CSV" "$(fingerprint)" "$fp"

# By URL from a local server.
mkdir -p "$tmp/root"
cp "$tmp/a.csv" "$tmp/root/a.csv"
start_server web http --root "$tmp/root"
run_ok -d "$tmp/c.db" init
run_ok -d "$tmp/c.db" import --csv "http://127.0.0.1:$web_PORT/files/a.csv"
expect_out "^imported 3 items and 5 statuses"
run_fails 5 "docket: import: http://127.0.0.1:$web_PORT/files/none.csv: HTTP 404" \
    -d "$tmp/c.db" import --csv "http://127.0.0.1:$web_PORT/files/none.csv"

# Without --csv: a file or a URL whose name ends in .csv (in any case) is read as CSV; any other
# input that looks like CSV is refused by name, exit 2, nothing written, rather than handed to
# the JSON parser ("'[' or '{' expected").
run_ok -d "$tmp/d.db" init
run_ok -d "$tmp/d.db" import "$tmp/a.csv"
expect_out "^imported 3 items and 5 statuses"
cp "$tmp/a.csv" "$tmp/root/A.CSV"
run_ok -d "$tmp/e.db" init
run_ok -d "$tmp/e.db" import "http://127.0.0.1:$web_PORT/files/A.CSV?v=1"
expect_out "^imported 3 items and 5 statuses"
cp "$tmp/a.csv" "$tmp/items.txt"
cp "$tmp/a.csv" "$tmp/root/items.txt"
run_fails 2 "^docket: import: '$tmp/items.txt' looks like CSV: use --csv$" import "$tmp/items.txt"
run_fails 2 "^docket: import: the standard input looks like CSV: use --csv$" import - <"$tmp/items.txt"
run_fails 2 "^docket: import: 'http://127.0.0.1:$web_PORT/files/items.txt' looks like CSV: use --csv$" \
    import "http://127.0.0.1:$web_PORT/files/items.txt"
run_ok -d "$tmp/f.db" init
run_ok -d "$tmp/f.db" import --csv "$tmp/items.txt"
expect_out "^imported 3 items and 5 statuses"

# A secretariat's file: a byte order mark, CRLF, columns in its own order, quoted cells, an
# instance (kind from its parent), statuses with dates and reasons, blank cells.
init_store
printf '\357\273\277status,key,title,kind,date,reason,due,description\r\n' >"$tmp/new.csv"
printf 'in-progress,action.one,"First, with a comma",action,,"began ""early""",2030-06-30,\r\n' >>"$tmp/new.csv"
printf ',action.two,Second,action,,,,"two\nlines"\r\n' >>"$tmp/new.csv"
printf 'member,unct/PER,"UN country team, Peru",,2019-02-01,,,\r\n' >>"$tmp/new.csv"
printf 'approached,ceb,Edited title,,2016,the letter,,\r\n' >>"$tmp/new.csv"
printf '\r\n' >>"$tmp/new.csv"
n0=$(events)
run_ok import --csv "$tmp/new.csv"
expect_out "^imported 3 items and 3 statuses; 1 fields edited; 0 rows unchanged$"
expect_eq "action.one" "$(sql "select title, kind, status, since, due from items where key = 'action.one'")" \
    "First, with a comma|action|in-progress|$(today)|2030-06-30"
expect_eq "action.one's reason" "$(sql "select reason from event where subject = 'action.one' and type = 'status'")" \
    'began "early"'
expect_eq "action.two" "$(sql "select kind, status, description from items where key = 'action.two'")" \
    "action|not-started|two
lines"
expect_eq "unct/PER" "$(sql "select kind, parent, status, since from items where key = 'unct/PER'")" \
    "membership|unct|member|2019-02-01"
expect_eq "ceb: status set, title edited" "$(sql "select status, since, title from items where key = 'ceb'")" \
    "approached|2016|Edited title"
expect_eq "events written" "$(events)" $((n0 + 7))
run_ok verify

# Errors name the row and the column, exit 3, nothing written; a bad row after good ones
# writes none of them.
good='action.g1,Good one,action,,
action.g2,Good two,action,in-progress,'
# csv NAME BODY: a file with the header key,title,kind,status,date, the good rows, then BODY.
csv() {
    printf 'key,title,kind,status,date\n%s\n%s\n' "$good" "$2" >"$tmp/$1.csv"
}
csv badkey 'Bad Key!,x,action,,'
run_fails 3 "docket: import: row 4, column key: bad key 'Bad Key!'" import --csv "$tmp/badkey.csv"
csv kind 'action.x,x,actoin,,'
run_fails 3 "^docket: import: row 4, column kind: unknown kind 'actoin' (did you mean 'action'? valid: acknowledgement, action, approach, cost, membership, proposal, reporting, safeguard; see 'docket kinds')\$" import --csv "$tmp/kind.csv"
csv status 'ceb,x,,membr,'
run_fails 3 "^docket: import: row 4, column status: unknown status 'membr' for kind membership (did you mean 'member'? valid: not-approached, " import --csv "$tmp/status.csv"
csv status2 'action.x,x,action,member,'
run_fails 3 "^docket: import: row 4, column status: unknown status 'member' for kind action (valid: not-started, in-progress, draft-agreed, approved-by-one, approved-by-all, in-force, abandoned)\$" import --csv "$tmp/status2.csv"
csv date 'ceb,x,,approached,2016-02-30'
run_fails 3 "docket: import: row 4, column date: bad date '2016-02-30'" import --csv "$tmp/date.csv"
csv future 'ceb,x,,approached,2999-01-01'
run_fails 3 "docket: import: row 4, column date: .*in the future" import --csv "$tmp/future.csv"
csv early 'ceb,x,,observer,2010'
run_fails 3 "docket: import: row 4, column date: .*tracked from 2015-11-24" import --csv "$tmp/early.csv"
csv quote 'action.x,"x,action,,'
run_fails 3 "docket: import: row 4: a quoted field is not closed" import --csv "$tmp/quote.csv"
csv quote2 'action.x,"x"y,action,,'
run_fails 3 "docket: import: row 4, column title: text after the closing quote of a quoted field" import --csv "$tmp/quote2.csv"
# A NUL byte is refused, not taken for the end of the cell (abc stored, HIDDEN dropped).
printf 'key,title,kind,status,date\n%s\naction.x,abc\000HIDDEN,action,,\n' "$good" >"$tmp/nul.csv"
run_fails 3 "docket: import: row 4, column title: a NUL byte (a CSV file is text)$" import --csv "$tmp/nul.csv"
run_fails 3 "docket: import: row 4, column title: a NUL byte (a CSV file is text)$" import --csv - <"$tmp/nul.csv"
csv more 'action.x,x,action,,,'
run_fails 3 "docket: import: row 4: more fields than the header has" import --csv "$tmp/more.csv"
csv fewer 'action.x,x'
run_fails 3 "docket: import: row 4: 2 fields where the header has 5" import --csv "$tmp/fewer.csv"
csv nokey ',x,action,,'
run_fails 3 "docket: import: row 4, column key: missing" import --csv "$tmp/nokey.csv"
csv parent 'action.x/y,x,,,'
run_fails 3 "docket: import: row 4, column parent: unknown item 'action.x'" import --csv "$tmp/parent.csv"
csv utf8 "action.x,$(printf 'x\377'),action,,"
run_fails 3 "docket: import: row 4, column title: not valid UTF-8" import --csv "$tmp/utf8.csv"
printf 'key,title,colour\nx.y,t,red\n' >"$tmp/column.csv"
run_fails 3 "docket: import: row 1, column 3: unknown column 'colour'" import --csv "$tmp/column.csv"
printf 'key,title,key\nx.y,t,x.y\n' >"$tmp/repeat.csv"
run_fails 3 "docket: import: row 1, column 3: repeated column 'key'" import --csv "$tmp/repeat.csv"
printf 'title,kind\nx,action\n' >"$tmp/nokeycol.csv"
run_fails 3 "docket: import: row 1: no 'key' column" import --csv "$tmp/nokeycol.csv"
printf 'key,title,due\nx.y,t,soon\n' >"$tmp/due.csv"
run_fails 3 "docket: import: row 2, column due: bad date 'soon'" import --csv "$tmp/due.csv"
printf 'key,title,kind,cadence_months\nx.y,t,reporting,0\n' >"$tmp/cadence.csv"
run_fails 3 "docket: import: row 2, column cadence_months: bad cadence '0'" import --csv "$tmp/cadence.csv"
printf 'key,title,kind,goal\nx.y,t,action,win\n' >"$tmp/goal.csv"
run_fails 3 "docket: import: row 2, column goal: 'win' is not a goal" import --csv "$tmp/goal.csv"
# A file that cannot be read is an I/O failure (exit 6), like any other.
run_fails 6 "docket: import: cannot read '$tmp/none.csv': No such file or directory$" import --csv "$tmp/none.csv"
run_fails 6 "docket: import: cannot read '$tmp': Is a directory$" import --csv "$tmp"
expect_eq "good rows before a bad one" "$(sql "select count(*) from items where key like 'action.g%'")" 0
run_ok verify

# The checks below found faults in docket (see the report of the integration tests).

# A row is a spreadsheet row: a cell holding a line break does not count as two rows.
printf 'key,title,kind,description,status\naction.m,M,action,"two\nlines",\nceb,x,,,membr\n' >"$tmp/rows.csv"
run_fails 3 "docket: import: row 3, column status: unknown status 'membr' for kind membership (did you mean 'member'?" import --csv "$tmp/rows.csv"

# A new item with a status dated in the past: the secretariat's spreadsheet holds the
# history of items docket has not seen yet.
printf 'key,title,kind,status,date\naction.old,Old,action,in-progress,2020-05\n' >"$tmp/past.csv"
run_ok import --csv "$tmp/past.csv"
expect_eq "action.old" "$(sql "select status, since from items where key = 'action.old'")" "in-progress|2020-05"

# Round trip of an item tracked from the past (add --on) with a past status.
run_ok -d "$tmp/p.db" init
run_ok -d "$tmp/p.db" add action.past --title Past --kind action --on 2016
run_ok -d "$tmp/p.db" set action.past in-progress -m "started" --on 2016-05
run_ok -d "$tmp/p.db" export --format csv -o "$tmp/p.csv"
run_ok -d "$tmp/q.db" init
run_ok -d "$tmp/q.db" import --csv "$tmp/p.csv"
run_ok -d "$tmp/q.db" export --format csv -o "$tmp/q.csv"
cmp -s "$tmp/p.csv" "$tmp/q.csv" || fail "export --format csv of the copy differs"
pass

# No size limit on a CSV file or standard input: it is read as it goes, twice (standard input
# through a temporary file). 65 MiB, once refused, of a header and blank lines.
{
    printf 'key,title\n'
    head -c 68157440 /dev/zero | tr '\000' '\n'
} >"$tmp/big.csv"
run_ok import --csv "$tmp/big.csv"
expect_out "^imported 0 items and 0 statuses; 0 rows unchanged$"
run_ok import --csv - <"$tmp/big.csv"
expect_out "^imported 0 items and 0 statuses; 0 rows unchanged$"
rm -f "$tmp/big.csv"

# A row that changes nothing on its own date is counted unchanged, not recorded: as set, it
# asks what the status was then, not what it is now (#14). A blank reason is refused.
init_store
run_ok set ceb approached -m "letter" --on 2016-02
run_ok set ceb member -m "joined" --on 2017-01
# (the items' own titles: a differing title would be an edit)
t_ceb=$(sql "select title from items where key = 'ceb'")
t_hlcm=$(sql "select title from items where key = 'ceb.hlcm'")
printf 'key,title,status,date,reason\nceb,"%s",approached,2016-06,again\nceb.hlcm,"%s",not-approached,2016-06,none yet\n' \
    "$t_ceb" "$t_hlcm" >"$tmp/same.csv"
n0=$(events)
run_ok import --csv "$tmp/same.csv"
expect_out "^imported 0 items and 0 statuses; 2 rows unchanged$"
expect_eq "events after an import that changes nothing" "$(events)" "$n0"
printf 'key,title,status,date,reason\nceb,"%s",under-consideration,2016-06,"  "\n' "$t_ceb" >"$tmp/blank.csv"
run_fails 3 "^docket: import: row 2, column reason: a reason holds no letter or digit$" import --csv "$tmp/blank.csv"

# Every field export --format csv writes is read back: checklist items edited in each field
# edit may change (title, ref, due, parent, cadence_months, description), with statuses; a new
# item brings kind and goal. Into a fresh store with the checklist, the edits are recorded as
# edit records them, and the CSV written again is the same; into the store it came from,
# nothing is recorded.
init_store
run_ok edit report.wg cadence_months=4 due=2016-11-29 -m "every four months" --on 2016-03
run_ok edit proposal.legal due=2016-11-29 -m "due before the Council" --on 2016-03
run_ok edit ceb.undg "title=UNDG, renamed" "ref=2(b)" "description=first, \"quoted\"" \
    -m "renamed" --on 2016-03
run_ok edit legal.approach parent=proposal.legal -m "under the proposal" --on 2016-03
run_ok set ceb.undg approached -m "letter" --on 2016-04
run_ok add action.new --title "A new action" --kind action --goal obtain --due 2017-01-01
run_ok export --format csv -o "$tmp/e.csv"
run_ok list
cp "$tmp/out" "$tmp/list.e"
run_ok list --overdue
cp "$tmp/out" "$tmp/overdue.e"
expect_out '^proposal.legal '
expect_out '^report.wg '
e="$tmp/edited.db"
run_ok -d "$e" init
run_ok -d "$e" import --csv "$tmp/e.csv"
expect_out "^imported 1 items and 1 statuses; 7 fields edited; [0-9]* rows unchanged$"
run_ok -d "$e" export --format csv -o "$tmp/e2.csv"
cmp -s "$tmp/e.csv" "$tmp/e2.csv" || {
    diff "$tmp/e.csv" "$tmp/e2.csv" | head -n 20 >&2
    fail "export --format csv of the edited copy differs"
}
pass
run_ok -d "$e" list
cmp -s "$tmp/list.e" "$tmp/out" || fail "list of the edited copy differs"
pass
run_ok -d "$e" list --overdue
cmp -s "$tmp/overdue.e" "$tmp/out" || fail "list --overdue of the edited copy differs"
pass
# The trail shows the edits, as edit records them.
run_ok -d "$e" log report.wg
expect_out 'imported from'
run_ok -d "$e" verify
n=$(sql 'select count(*) from events')
run_ok import --csv "$tmp/e.csv"
expect_out "^imported 0 items and 0 statuses; $(sql 'select count(*) from items') rows unchanged$"
expect_eq "events after importing the store's own CSV" "$(sql 'select count(*) from events')" "$n"
done_ok
