# End-to-end: a command's output is whole or absent. A command that fails part-way prints its
# one line on stderr and nothing on stdout; a failed write to stdout is one line and exit 6.
. "$(dirname "$0")/lib.sh"

init_store

# A report whose second section fails while it runs (an integer overflow on its first row):
# the first section was rendered already, and is not shown.
mkdir "$tmp/rep"
cat >"$tmp/rep/boom.sql" <<'EOF'
-- title: Boom

-- section: fine
-- title: Fine
SELECT key FROM items ORDER BY key;

-- section: boom
-- title: Boom
SELECT key, abs(-9223372036854775807 - (key <> '')) AS n FROM items;
EOF
for format in md html csv json; do
    run_fails 3 "docket: report: .*boom.sql:9: section 'boom': integer overflow" \
        report boom --reports "$tmp/rep" --format "$format"
done

# The same report without the failing section is shown whole.
sed '/section: boom/,$d' "$tmp/rep/boom.sql" >"$tmp/rep/fine.sql"
run_ok report fine --reports "$tmp/rep" --format csv
# Its report, document, as_of, generated and trail rows, its title row, the header and the 31
# items.
expect_eq "rows of the report that works" "$(grep -c . "$tmp/out")" 39

# Output that cannot be written: exit 6 and one line, for readers and writers alike; the
# writer's change is recorded (its commit came first) and says so in the trail.
if [ -w /dev/full ]; then
    for args in list "show ceb" "log ceb" verify "report --format html"; do
        # shellcheck disable=SC2086
        "$DOCKET" $args >/dev/full 2>"$tmp/err"
        rc=$?
        last_cmd="docket $args >/dev/full"
        expect_rc 6
        expect_one_err_line
        expect_err "docket: [a-z]*: cannot write to stdout: No space left on device"
    done
    n0=$(events)
    "$DOCKET" note ceb -m "to a full disk" >/dev/full 2>"$tmp/err"
    rc=$?
    last_cmd="docket note ceb >/dev/full"
    expect_rc 6
    expect_one_err_line
    expect_eq "events after a note whose output failed" "$(events)" $((n0 + 1))
fi

# A long listing (more than the 8 MiB held back) still comes out whole: 90 notes of 100 KiB
# make `log ceb` over 8 MiB.
long=$(python3 -c 'print("x" * 102400)')
i=0
while [ $i -lt 90 ]; do
    "$DOCKET" note ceb -m "note $i $long" >/dev/null || fail "note $i"
    i=$((i + 1))
done
run_ok log ceb
[ "$(wc -c <"$tmp/out")" -gt $((8 * 1024 * 1024)) ] || fail "log ceb printed $(wc -c <"$tmp/out") bytes"
expect_eq "notes in an 8 MiB log" "$(grep -c "note [0-9]* x" "$tmp/out")" 90
expect_eq "the last note, whole" "$(grep -o "note 89 x*" "$tmp/out" | wc -c)" $((8 + 102400 + 1))
done_ok
