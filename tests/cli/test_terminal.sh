# End-to-end: terminal manners: colour, the pager and list's fitting, sorting and columns, on
# a terminal (a pty from util-linux's script) and through a pipe.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || fail "needs script (util-linux)"
init_store
unset NO_COLOR PAGER LESS COLUMNS

# A pager that records what it was given, and that it ran (a real less waits for a key).
cat >"$tmp/pager" <<'PAGER'
#!/bin/sh
echo ran >>"$PAGED.runs"
cat >>"$PAGED"
PAGER
chmod +x "$tmp/pager"
PAGED=$tmp/paged
DOCKET_PAGER=$tmp/pager
export PAGED DOCKET_PAGER

long="Élaborer une stratégie régionale pour l'Amérique latine y España, con informes periódicos detallados y años de seguimiento"
run_ok add accent --title "$long" --kind action --due 2020-01-01 -m "a long title"
run_ok set legal.approach in-force -m "done"

esc=$(printf '\033')

# tty ARGS...: runs docket ARGS on a terminal 80 columns wide (words without spaces only);
# what it wrote in $tmp/out without the pty's carriage returns, its exit code in $rc.
tty() {
    rm -f "$PAGED" "$PAGED.runs"
    script -qec "stty cols 80 2>/dev/null; exec \"$DOCKET\" $*" /dev/null >"$tmp/raw" 2>&1 </dev/null
    rc=$?
    tr -d '\r' <"$tmp/raw" >"$tmp/out"
}

# paged / not_paged: whether the last command's output went through the pager.
paged() {
    [ -s "$PAGED.runs" ] || fail "$last_cmd: the pager did not run"
    pass
}
not_paged() {
    [ ! -e "$PAGED.runs" ] || fail "$last_cmd: the pager ran"
    pass
}
has_escape() {
    grep -q "$esc\[" "$1" || fail "$last_cmd: no colour escape in $1"
    pass
}
no_escape() {
    if grep -q "$esc" "$1"; then
        fail "$last_cmd: a colour escape in $1"
    fi
    pass
}

# list on a terminal: colour (a final status in bold green, overdue in magenta), no pager,
# titles cut with an ellipsis to 80 columns, counted in characters.
last_cmd="list on a terminal"
tty list
expect_rc 0
not_paged
has_escape "$tmp/out"
grep -q "$esc\[1;32min-force$esc\[0m" "$tmp/out" || fail "in-force is not in green"
pass
grep -q "$esc\[35moverdue$esc\[0m" "$tmp/out" || fail "overdue is not in magenta"
pass
expect_out "^accent .*Élaborer une.*…\$"
expect_not_out "seguimiento"
sed "s/$esc\[[0-9;]*m//g" "$tmp/out" >"$tmp/plain"
widest=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$tmp/plain")
[ "$widest" -le 80 ] || fail "a line of list on 80 columns is $widest columns wide"
pass
[ "$widest" -ge 70 ] || fail "list on 80 columns uses only $widest of them"
pass
# The cut title is still valid UTF-8.
python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$tmp/plain" || fail "cut titles are not UTF-8"
pass

# --wide: titles whole, on a terminal too.
last_cmd="list --wide"
tty list --wide
expect_rc 0
expect_out_fixed "$long"

# Through a pipe: whole titles, no colour, no pager.
rm -f "$PAGED.runs"
run_ok list
expect_out_fixed "$long"
no_escape "$tmp/out"
[ ! -e "$PAGED.runs" ] || fail "list through a pipe ran the pager"
pass

# NO_COLOR (any non-empty value) and --color=never turn colour off on a terminal; an empty
# NO_COLOR does not.
last_cmd="NO_COLOR=1 list"
NO_COLOR=1 tty list
no_escape "$tmp/out"
expect_out "^accent "
last_cmd="NO_COLOR= list"
NO_COLOR= tty list
has_escape "$tmp/out"
last_cmd="--color=never list"
tty --color=never list
no_escape "$tmp/out"
expect_out "^accent "
last_cmd="--color never list"
tty --color never list
no_escape "$tmp/out"
# --color=always: colour through a pipe too.
run_ok --color=always list
has_escape "$tmp/out"
run_ok --color always show legal.approach
has_escape "$tmp/out"
run_fails 2 "^docket: --color: 'sometimes' is not auto, always or never\$" --color=sometimes list
run_fails 2 "^docket: --color needs a value\$" --color

# show on a terminal: through the pager, in colour.
last_cmd="show on a terminal"
tty show accent
expect_rc 0
paged
has_escape "$PAGED"
grep -q "^accent: $long\$" "$PAGED" || fail "show through the pager lost the title"
pass
grep -q "status.*$esc\[35mnot-started (0%, overdue)$esc\[0m" "$PAGED" || fail "show's overdue status is not in colour"
pass
# Through a pipe: no pager, no colour.
rm -f "$PAGED.runs"
run_ok show accent
no_escape "$tmp/out"
expect_out "^  status  *not-started (0%, overdue)\$"
[ ! -e "$PAGED.runs" ] || fail "show through a pipe ran the pager"
pass
# --json is not paged.
last_cmd="show --json on a terminal"
tty show accent --json
not_paged
expect_out '"key":"accent"'

# log on a terminal: through the pager, a final status in colour.
last_cmd="log on a terminal"
tty log
expect_rc 0
paged
grep -q "not-started -> $esc\[1;32min-force$esc\[0m" "$PAGED" || fail "log's final status is not in colour"
pass
last_cmd="log with NO_COLOR on a terminal"
NO_COLOR=yes tty log
paged
no_escape "$PAGED"
expect_no_out
rm -f "$PAGED.runs"
run_ok log
no_escape "$tmp/out"
expect_out "not-started -> in-force"
[ ! -e "$PAGED.runs" ] || fail "log through a pipe ran the pager"
pass

# report: md through the pager on a terminal; another format, or -o FILE, not.
last_cmd="report on a terminal"
tty report
expect_rc 0
paged
grep -q "Élaborer une stratégie régionale" "$PAGED" || fail "report through the pager lost its text"
pass
last_cmd="report --format csv on a terminal"
tty report --format csv
not_paged
expect_out "accent"
last_cmd="report -o FILE on a terminal"
tty report -o "$tmp/report.md"
not_paged
grep -q "Élaborer une stratégie régionale" "$tmp/report.md" || fail "report -o FILE wrote no report"
pass

# An empty DOCKET_PAGER or 'cat' means no pager; without DOCKET_PAGER, $PAGER.
last_cmd="log with an empty DOCKET_PAGER"
DOCKET_PAGER= PAGER=$tmp/pager tty log
not_paged
expect_out "not-started -> "
last_cmd="log with DOCKET_PAGER=cat"
DOCKET_PAGER=cat tty log
not_paged
expect_out "not-started -> "
last_cmd="log with PAGER"
(unset DOCKET_PAGER; PAGER=$tmp/pager tty log; [ -s "$PAGED.runs" ]) || fail "\$PAGER was not used"
pass

# A pager that quits at once (as a reader quitting less early): no error, exit 0.
printf '#!/bin/sh\nexit 0\n' >"$tmp/quitter"
chmod +x "$tmp/quitter"
for i in 1 2 3 4 5 6 7 8; do run_ok note accent -m "note $i of a long history to page"; done
last_cmd="log into a pager that quits"
DOCKET_PAGER=$tmp/quitter tty log
expect_rc 0
expect_not_out "docket:"

# --sort: by a field list shows; ties keep the store's order.
run_ok list --sort status --columns status
sed 1d "$tmp/out" >"$tmp/col"
LC_ALL=C sort -c "$tmp/col" || fail "list --sort status is not sorted by status"
pass
run_ok list --sort progress --columns progress,key
expect_eq "first by progress" "$(sed -n 2p "$tmp/out" | awk '{print $1}')" "0%"
# As numbers, not as text: 60% before 100%.
expect_eq "60% before 100%" "$(awk '$2 == "iasc" || $2 == "appreciation" { print $2 }' "$tmp/out" | tr '\n' ' ')" "iasc appreciation "
expect_eq "last by progress" "$(tail -n 1 "$tmp/out" | awk '{print $1}')" "100%"
run_ok list --sort key --columns key
sed 1d "$tmp/out" >"$tmp/col"
LC_ALL=C sort -c "$tmp/col" || fail "list --sort key is not sorted by key"
pass
run_fails 2 "^docket: list: --sort: 'colour' is not a field (fields: key, status, progress, since, due, flag, title)\$" \
    list --sort colour

# --columns: chosen and ordered.
run_ok list --columns title,key
expect_out "^TITLE  *KEY\$"
grep -q -F "$long  accent" "$tmp/out" || fail "list --columns title,key does not put the title first"
pass
run_ok list --columns key,status
expect_out "^accent  *not-started\$"
expect_not_out "overdue"
run_fails 2 "^docket: list: --columns: 'owner' is not a column, or is given twice (columns: key, status, progress, since, due, flag, title)\$" \
    list --columns key,owner
run_fails 2 "^docket: list: --columns: 'key' is given twice" list --columns key,title,key
run_fails 2 "^docket: list: --columns: '' is not a column" list --columns key,
# --json is unaffected by --columns and --sort.
run_ok list --json
cp "$tmp/out" "$tmp/json1"
run_ok list --json --columns key --sort title
cmp -s "$tmp/out" "$tmp/json1" || fail "--columns or --sort changed list --json"
pass

done_ok
