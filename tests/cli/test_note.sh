# End-to-end: docket note (notes and evidence without a status change).
. "$(dirname "$0")/lib.sh"

init_store

# A note: one event, the status is unchanged.
run_ok set iasc member -m "joined" --on 2016-06
n0=$(events)
status_seq0=$(sql "select status_seq from items where key = 'iasc'")
run_ok note iasc -m "principals meeting attended"
expect_out "^noted on iasc (0 evidence, event $((n0 + 1)))$"
expect_eq "events after a note" "$(events)" $((n0 + 1))
expect_eq "the note event" "$(sql 'select type, subject, reason, actor from event order by seq desc limit 1')" \
    "note|iasc|principals meeting attended|tester"
expect_eq "status after a note" "$(sql "select status, since, status_seq from items where key = 'iasc'")" \
    "member|2016-06|$status_seq0"
run_ok show iasc
expect_out "note: principals meeting attended"
expect_out "^  status  *member (100%, final) since 2016-06"
run_ok log iasc
expect_out "tester  *iasc  note: principals meeting attended"

# Evidence: repeatable, URLs and local files (hashed), all in one batch with the note.
printf 'minutes of the meeting\n' >"$tmp/minutes.txt"
n0=$(events)
run_ok note iasc -m "minutes" --on 2016-07-01 --evidence https://example.org/a --evidence "$tmp/minutes.txt"
expect_out "2 evidence"
expect_eq "events after a note with 2 evidence" "$(events)" $((n0 + 3))
expect_eq "one batch" "$(sql "select count(distinct batch) from event where seq > $n0")" 1
expect_eq "effective dates" "$(sql "select group_concat(distinct eff) from event where seq > $n0")" 2016-07-01
run_ok show iasc --json
expect_eq "evidence refs" "$(pyjson 'print(sorted(e["ref"] for e in d["evidence"])[0])')" "$tmp/minutes.txt"
expect_eq "evidence hash" "$(pyjson 'print([e["sha256"] for e in d["evidence"] if e["ref"].startswith("/")][0])')" \
    "$(sha256sum "$tmp/minutes.txt" | cut -d' ' -f1)"
run_ok show iasc
expect_out "^  evidence  *https://example.org/a (2016-07-01)"

# Notes on an instance, by another actor.
run_ok add unct/KEN --title Kenya
run_ok --by field.nairobi note unct/KEN -m "UNCT retreat"
run_ok log --by field.nairobi
expect_out "unct/KEN  note: UNCT retreat"

# Failures: exit code, one line, nothing written.
run_fails 2 "docket: note: -m TEXT is required\|docket: note: -m .* required" note iasc
run_fails 2 "docket: note: " note -m "no key"
run_fails 3 "docket: note: unknown item 'iacs' (did you mean 'iasc'?)" note iacs -m x
run_fails 3 "not an http or https URL" note iasc -m x --evidence ftp://example.org/a
run_fails 3 "not an http or https URL\|evidence" note iasc -m x --evidence https://example.org/ok --evidence file:///etc/passwd
run_fails 3 "evidence" note iasc -m x --evidence "$tmp/missing.txt"
# Evidence must be a regular file: a FIFO (with no writer, which once held the open), a device
# (directly or through a symlink), a directory; and at most 1 GiB (a sparse file costs nothing).
mkfifo "$tmp/pipe" || fail "mkfifo failed"
ln -s /dev/zero "$tmp/zero-link"
mkdir "$tmp/folder"
truncate -s 1073741825 "$tmp/huge" || fail "truncate failed"
run_fails 3 "^docket: note: evidence '$tmp/pipe' is neither an http(s) URL nor a readable file: it is a FIFO, not a regular file$" \
    note iasc -m x --evidence "$tmp/pipe"
run_fails 3 "^docket: note: evidence '/dev/zero' is neither an http(s) URL nor a readable file: it is a character device, not a regular file$" \
    note iasc -m x --evidence /dev/zero
run_fails 3 "^docket: note: evidence '$tmp/zero-link' .*: it is a character device, not a regular file$" \
    note iasc -m x --evidence "$tmp/zero-link"
run_fails 3 "^docket: note: evidence '$tmp/folder' .*: it is a directory, not a regular file$" \
    note iasc -m x --evidence "$tmp/folder"
run_fails 3 "^docket: note: evidence '$tmp/huge' .*: it is larger than the 1 GiB limit$" \
    note iasc -m x --evidence "$tmp/huge"
run_fails 3 "^docket: note: evidence '$tmp/missing.txt' .*: No such file or directory$" \
    note iasc -m x --evidence "$tmp/missing.txt"
run_fails 3 "it is a FIFO" note iasc -m x --evidence https://example.org/ok --evidence "$tmp/pipe"
rm -f "$tmp/huge"
# A URL holding a user name or password is refused, without showing the password; an '@' in
# the path or the query is no user info.
run_fails 3 "^docket: note: evidence 'http://\*\*\*@example.org/a' holds a user name or password: attach the URL without them$" \
    note iasc -m x --evidence http://user:s3cret-pw@example.org/a
grep -q "s3cret" "$tmp/err" && fail "the password is shown"
run_fails 3 "evidence 'http://\*\*\*@example.org/' holds a user name or password" \
    note iasc -m x --evidence http://user@example.org/
run_fails 3 "evidence 'https://\*\*\*@example.org:8443?x' holds a user name" \
    note iasc -m x --evidence "https://u:p@ss@example.org:8443?x"
grep -q "p@ss\|u:p" "$tmp/err" && fail "the password is shown"
run_fails 3 "evidence 'ftp://\*\*\*@example.org/a' holds a user name" \
    note iasc -m x --evidence ftp://user:s3cret@example.org/a
n0=$(events)
run_ok note iasc -m "at signs" --evidence "https://example.org/a@b" --evidence "https://example.org/?u=a@b" \
    --evidence "https://example.org#x@y"
expect_eq "events after evidence with '@' outside the host" "$(events)" $((n0 + 4))
run_fails 3 "not valid UTF-8" note iasc -m "$(printf '\377\376')"
run_fails 3 "bad date" note iasc -m x --on 2016-02-30
run_fails 3 "in the future" note iasc -m x --on 2099
run_fails 2 "unknown option '--status'" note iasc -m x --status member
run_fails 2 "docket: note: " note iasc echa -m x
run_fails 2 "docket: note: .*-r" -r note iasc -m x
run_ok verify
# The note's number, for a revert without a look at the log; its evidence goes with it (#14).
n0=$(events)
run_ok note iasc -m "with a copy" --evidence https://example.org/copy.pdf --json
expect_eq "note --json: the events recorded, the note first" \
    "$(pyjson 'print(d[0]["seq"], d[-1]["seq"], [e["event_type"] for e in d], d[1]["new"])')" \
    "$((n0 + 1)) $((n0 + 2)) ['note', 'evidence'] https://example.org/copy.pdf"
run_fails 2 "^docket: note: the reason (-m) holds no letter or digit$" note iasc -m " "
run_fails 2 "no letter or digit" note iasc -m "$(printf '\342\200\203...')"
done_ok
