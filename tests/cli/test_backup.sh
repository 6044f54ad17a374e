# End-to-end: docket backup (a consistent copy of a live store, written atomically).
. "$(dirname "$0")/lib.sh"

init_store
run_ok set ceb approached -m "letter"
run_ok cost cost.legal 100 CHF -m "estimate"

# files_in DIR: the names in DIR, to find stray temporary files. A store's -wal and -shm come
# and go with SQLite's checkpoints (docket leaves them; the sqlite3 shell removes them).
files_in() {
    (cd "$1" && ls -A | grep -v -e '-wal$' -e '-shm$' | sort | tr '\n' ' ')
}

# A quiet store: the backup holds the same trail, with the same head.
n0=$(events)
fp0=$(fingerprint)
mkdir "$tmp/bk"
run_ok backup "$tmp/bk/copy.db"
expect_out "^wrote $tmp/bk/copy.db"
expect_eq "files in the backup folder" "$(files_in "$tmp/bk")" "copy.db "
run_ok verify --head
head=$(cat "$tmp/out")
run_ok -d "$tmp/bk/copy.db" verify --head
expect_eq "head of the backup" "$(cat "$tmp/out")" "$head"
expect_eq "events of the original after backup" "$(events)" "$n0"
expect_eq "the original after backup" "$(fingerprint)" "$fp0"
expect_eq "content of the backup" "$(fingerprint "$tmp/bk/copy.db")" "$fp0"
expect_eq "integrity of the backup" "$(sqlite3 "$tmp/bk/copy.db" 'pragma integrity_check')" ok
# The backup is one self-contained file: copied alone it still opens and verifies.
cp "$tmp/bk/copy.db" "$tmp/alone.db"
run_ok -d "$tmp/alone.db" verify --head
expect_eq "head of a lone copy" "$(cat "$tmp/out")" "$head"
run_ok -d "$tmp/alone.db" show ceb
expect_out "^  status  *approached"
# A reader can take a backup.
run_ok -r backup "$tmp/bk/ro.db"
run_ok -d "$tmp/bk/ro.db" verify --head
expect_eq "head of a -r backup" "$(cat "$tmp/out")" "$head"

# The backup replaces an existing file.
printf 'old content\n' >"$tmp/bk/old.db"
run_ok backup "$tmp/bk/old.db"
run_ok -d "$tmp/bk/old.db" verify --head
expect_eq "head of a replaced file" "$(cat "$tmp/out")" "$head"

# The backup replaces another store, whose WAL holds its last commits: the WAL goes with it,
# else SQLite would apply it to the copy.
run_ok -d "$tmp/bk/other.db" init
hold_open "$tmp/bk/other.db" run_ok -d "$tmp/bk/other.db" set iasc member -m "joined"
[ -s "$tmp/bk/other.db-wal" ] || fail "the other store has no WAL to test with"
run_ok backup "$tmp/bk/other.db"
run_ok -d "$tmp/bk/other.db" verify --head
expect_eq "head of a backup over a store with a WAL" "$(cat "$tmp/out")" "$head"
expect_eq "integrity of that backup" "$(sqlite3 "$tmp/bk/other.db" 'pragma integrity_check')" ok
rm -f "$tmp/bk/other.db"*

# A live store: a writer keeps recording while the backup is taken (until it is done, at most
# 400 times). The backup is a consistent prefix of the trail: it verifies, and its head holds
# against the original.
(
    i=0
    while [ $i -lt 400 ] && [ ! -e "$tmp/backup.done" ]; do
        if [ $((i % 2)) -eq 0 ]; then s=approached; else s=under-consideration; fi
        "$DOCKET" set echa "$s" -m "writer $i" >/dev/null 2>>"$tmp/writer.err" || echo "$i" >>"$tmp/writer.fail"
        i=$((i + 1))
    done
) &
writer=$!
bg_pids="$bg_pids $writer"
sleep 0.3
run_ok backup "$tmp/bk/live.db"
: >"$tmp/backup.done"
run_ok -d "$tmp/bk/live.db" verify --head
live_head=$(sed -n 's/^local://p' "$tmp/out")
wait "$writer"
[ ! -s "$tmp/writer.fail" ] || fail "the writer failed during the backup: $(head -n 3 "$tmp/writer.err")"
pass
expect_eq "integrity of the live backup" "$(sqlite3 "$tmp/bk/live.db" 'pragma integrity_check')" ok
live_n=${live_head%%:*}
[ "$live_n" -ge "$n0" ] && [ "$live_n" -le "$(events)" ] || fail "the live backup holds $live_n events"
pass
run_ok verify --against "$live_head"
expect_eq "the backup is the original's prefix" \
    "$(sqlite3 "$tmp/bk/live.db" 'select group_concat(lower(hex(hash)), ",") from (select hash from event order by seq)')" \
    "$(sql "select group_concat(lower(hex(hash)), ',') from (select hash from event where seq <= $live_n order by seq)")"
run_ok -d "$tmp/bk/live.db" verify
run_ok verify
expect_eq "files in the backup folder after the live backup" "$(files_in "$tmp/bk")" \
    "copy.db live.db old.db ro.db "

# Failures: exit code, one line, nothing left behind.
before=$(files_in "$tmp")
run_fails 6 "docket: backup: cannot write '$tmp/nodir/copy.db'" backup "$tmp/nodir/copy.db"
[ ! -e "$tmp/nodir" ] || fail "backup created the missing folder"
expect_eq "files after a backup into a missing folder" "$(files_in "$tmp")" "$before"
run_fails 6 "docket: backup: cannot write '$tmp/bk'" backup "$tmp/bk"
expect_eq "files in the folder after a refused backup" "$(files_in "$tmp/bk")" "copy.db live.db old.db ro.db "
expect_eq "files after a backup onto a folder" "$(files_in "$tmp")" "$before"
run_fails 2 "docket: backup: too few arguments" backup
run_fails 2 "docket: backup: " backup "$tmp/a.db" "$tmp/b.db"
run_fails 2 "unknown option '--bogus'" backup "$tmp/bk/x.db" --bogus
run_fails 4 "docket: backup: no store" -d "$tmp/missing.db" backup "$tmp/bk/x.db"
[ ! -e "$tmp/bk/x.db" ] || fail "a backup of a missing store wrote a file"
pass

# A backup onto the store itself (by any name) is refused: replacing the live file would
# cut off every process that has it open, and their writes with it.
ino0=$(ls -i "$DOCKET_DB" | cut -d' ' -f1)
for target in "$DOCKET_DB" "$tmp/./docket.db"; do
    n0=$(events)
    run backup "$target"
    [ "$rc" -eq 2 ] || [ "$rc" -eq 3 ] || [ "$rc" -eq 6 ] ||
        fail "a backup onto the store itself: expected exit 2, 3 or 6, got $rc"
    pass
    expect_one_err_line
    expect_no_out
    expect_eq "the store file after a backup onto itself" "$(ls -i "$DOCKET_DB" | cut -d' ' -f1)" "$ino0"
    expect_eq "events after a backup onto itself" "$(events)" "$n0"
done
run_ok verify

# No output file of any command may replace the store or its -wal, -shm or -journal file, by
# any name: recent commits live in the WAL, so writing over it loses them.
fp0=$(fingerprint)
ln -s "$DOCKET_DB" "$tmp/link.db"
for args in "backup $DOCKET_DB-wal" "backup $tmp/./docket.db-shm" "backup $DOCKET_DB-journal" \
    "report -o $DOCKET_DB" "report -o $tmp/link.db" "report -o $DOCKET_DB-wal" \
    "export -o $DOCKET_DB" "export -o $tmp/./docket.db-wal"; do
    # shellcheck disable=SC2086
    run_fails 2 "is the store or one of its files" $args
done
[ ! -e "$DOCKET_DB-journal" ] || fail "a refused backup left a -journal file"
pass
expect_eq "the store after the refused outputs" "$(fingerprint)" "$fp0"
run_ok verify

# A backup is a store like any other: in WAL mode, so that readers and a writer can share it.
expect_eq "journal mode of a backup" "$(sqlite3 "$tmp/bk/copy.db" 'pragma journal_mode')" wal
done_ok
