# CLI: the CSV that docket writes (export --format csv, report --format csv) holds no cell a
# spreadsheet would run: text starting with =, +, -, @, a tab or a carriage return, and text
# starting with ', is written after a '; numbers are written as numbers. import --csv takes
# exactly one ' off, so the round trip is exact. Checked byte for byte.
. "$(dirname "$0")/lib.sh"

init_store
# key|title|the title's cell as written (both with printf %b escapes)
cat >"$tmp/titles" <<'EOF'
h01|=HYPERLINK("x")|"'=HYPERLINK(""x"")"
h02|'quoted|''quoted
h03|-minus|'-minus
h04|+plus|'+plus
h05|@at|'@at
h06|\tTab|'\tTab
h07|\rCR|"'\rCR"
h08|''two|'''two
h09|-5|-5
h10|-100.50|-100.50
h11|-1e5|'-1e5
h12|=1+1, with a comma|"'=1+1, with a comma"
h13|'|''
h14|plain = text|plain = text
EOF
while IFS='|' read -r key title cell; do
    run_ok add "action.$key" --title "$(printf '%b' "$title")" --kind action
done <"$tmp/titles"
run_ok edit action.h01 "description=@SUM(1)" -m "hostile"
run_ok export --format csv -o "$tmp/a.csv"
while IFS='|' read -r key title cell; do
    desc=""
    [ "$key" = h01 ] && desc="'@SUM(1)"
    printf '%b' "action.$key,$cell,action,,,,,,$desc,not-started,,0,\r\n" >"$tmp/want"
    grep -q -F -f "$tmp/want" "$tmp/a.csv" || {
        python3 -c 'import sys; print(repr(open(sys.argv[1], "rb").read()))' "$tmp/want" >&2
        fail "export --format csv: the row of action.$key is not written as above"
    }
    pass
done <"$tmp/titles"

# The round trip: the same titles, and the same CSV written again.
run_ok -d "$tmp/b.db" init
run_ok -d "$tmp/b.db" import --csv "$tmp/a.csv"
expect_out "^imported 14 items and 0 statuses"
while IFS='|' read -r key title cell; do
    expect_eq "the title of action.$key" \
        "$(sqlite3 "$tmp/b.db" "select hex(title) from items where key = 'action.$key'")" \
        "$(printf '%b' "$title" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
done <"$tmp/titles"
expect_eq "the description of action.h01" \
    "$(sql "select description from items where key = 'action.h01'" "$tmp/b.db")" "@SUM(1)"
run_ok -d "$tmp/b.db" export --format csv -o "$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "export --format csv of the copy differs"
pass
# A cell loses exactly one ', whoever wrote it.
printf "key,title,kind\naction.q1,'''three,action\naction.q2,'=x,action\n" >"$tmp/q.csv"
run_ok -d "$tmp/b.db" import --csv "$tmp/q.csv"
expect_eq "one ' taken off" \
    "$(sql "select group_concat(title, '|') from (select title from items where key in ('action.q1', 'action.q2') order by key)" "$tmp/b.db")" \
    "''three|=x"

# A report: text after a ', INTEGER and REAL values as numbers (a negative one too), a
# column name a spreadsheet would run after a ' as well.
mkdir "$tmp/reports"
cat >"$tmp/reports/cells.sql" <<'EOF'
-- title: Cells
-- description: Cells a spreadsheet would run.

-- section: cells
-- title: Cells
SELECT key, title, -5 AS "=n", -2.5 AS r, '-5' AS t
FROM items WHERE key IN ('action.h01', 'action.h03', 'action.h09') ORDER BY key;
EOF
run_ok report cells --reports "$tmp/reports" --format csv --reproducible --section cells
printf '%s\r\n' "key,title,'=n,r,t" "action.h01,\"'=HYPERLINK(\"\"x\"\")\",-5,-2.5,-5" \
    "action.h03,'-minus,-5,-2.5,-5" "action.h09,-5,-5,-2.5,-5" >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" || {
    diff "$tmp/want" "$tmp/out" >&2
    fail "report --format csv: the cells differ"
}
pass
# The same through the whole report, with its section's title row.
run_ok report cells --reports "$tmp/reports" --format csv --reproducible
expect_out_fixed "$(printf 'Cells\r\nkey,title,'"'"'=n,r,t\r\n')"
done_ok
