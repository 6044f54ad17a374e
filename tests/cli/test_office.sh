# End-to-end: docket office (show, list, admit, revoke, rekey) on one store, and the office's
# name that init sets. Offices that share a log are tested in tests/integration/sync.
. "$(dirname "$0")/lib.sh"

HEX64='[0-9a-f]\{64\}'

# A fresh store is named by --office; `office show` prints NAME FINGERPRINT on one line.
init_store --office hq
run_ok office show
expect_eq "office show lines" "$(wc -l <"$tmp/out" | tr -d ' ')" 1
grep -q "^hq $HEX64\$" "$tmp/out" || fail "office show is not 'hq FINGERPRINT'"
pass
fp=$(cut -d' ' -f2 "$tmp/out")
show=$(cat "$tmp/out")
if command -v openssl >/dev/null 2>&1; then
    expect_eq "the fingerprint, by openssl" \
        "$(openssl pkey -in "$DOCKET_DB.key" -pubout -outform DER | tail -c 32 | sha256sum | cut -c1-64)" \
        "$fp"
fi
run_ok office
expect_eq "office with no verb" "$(cat "$tmp/out")" "$show"
run_ok -r office show
expect_eq "office show with -r" "$(cat "$tmp/out")" "$show"
run_ok office show --json
expect_json
expect_eq "office show --json name" "$(pyjson 'print(d["name"])')" hq
expect_eq "office show --json fingerprint" "$(pyjson 'print(d["fingerprint"])')" "$fp"
expect_eq "office show --json replica" "$(pyjson 'print(d["replica"])')" \
    "$(sql "select value from meta where key = 'replica'")"

# The name survives writes, and the first write announces it (an office event, with the key).
run_ok note legal.approach -m "a first write"
expect_eq "the office event" "$(sql "select subject || ' ' || length(new_value) from event where type = 'office'")" \
    "hq 64"
run_ok office show
expect_eq "office show after a write" "$(cat "$tmp/out")" "$show"

# Without --office, the host name, made fit for an office name.
host=$(python3 -c 'import re, socket
n = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:64]
print(n or "office")')
DOCKET_DB="$tmp/default.db" run_ok init --empty
DOCKET_DB="$tmp/default.db" run_ok office show
expect_eq "the default office name" "$(cut -d' ' -f1 "$tmp/out")" "$host"

# init refuses a name an office cannot have (exit 3), and leaves no store and no key.
for bad in "two words" "" "a/b" "caf$(printf '\303\251')" \
    "$(python3 -c 'print("n" * 65)')"; do
    DOCKET_DB="$tmp/bad.db" run_fails 3 "office name" init --empty --office "$bad"
    if [ -e "$tmp/bad.db" ] || [ -e "$tmp/bad.db.key" ]; then
        fail "init --office '$bad' left files"
    fi
    pass
done
name64=$(python3 -c 'print("a.b-c_D9" * 8)')
DOCKET_DB="$tmp/long.db" run_ok init --empty --office "$name64"
DOCKET_DB="$tmp/long.db" run_ok office show
expect_eq "a 64-byte name" "$(cut -d' ' -f1 "$tmp/out")" "$name64"

# office list: nothing published, no office yet.
run_ok office list
expect_out "no office in the shared log yet"
run_ok office list --json
expect_eq "office list --json" "$(cat "$tmp/out")" "[]"

# Usage errors: exit 2, one line, nothing written.
other=$(printf 'another office' | sha256sum | cut -c1-64)
run_fails 2 "usage: docket office admit NAME FINGERPRINT -m REASON" office admit
run_fails 2 "usage: docket office admit NAME FINGERPRINT -m REASON" office admit br
run_fails 2 "usage: docket office rekey NAME FINGERPRINT -m REASON" office rekey br
run_fails 2 "needs -m REASON" office admit br "$other"
run_fails 2 "needs -m REASON" office admit br "$other" -m ""
run_fails 2 "needs -m REASON" office revoke br "$other"
run_fails 2 "takes no arguments" office show extra
run_fails 2 "takes no arguments" office list extra
run_fails 2 "-m is for admit" office show -m why
run_fails 2 "'frob' is not" office frob
run_fails 2 "" office admit br "$other" extra -m why
run_fails 2 "" -r office admit br "$other" -m why

# Bad data: a fingerprint that is not 64 lower-case hex digits, a name an office cannot have.
upper=$(printf '%s' "$other" | tr a-f A-F)
for badfp in "${other}0" "$(printf '%s' "$other" | cut -c1-63)" "$upper" \
    "$(printf '%s' "$other" | cut -c1-63)g" "" "sha256:$other"; do
    run_fails 3 "fingerprint .* is not 64 lower-case hex digits" office admit br "$badfp" -m why
done
run_fails 3 "fingerprint" office rekey br "$upper" -m why
run_fails 3 "fingerprint" office revoke br "x" -m why
for badname in "two words" "" "a/b" "$(python3 -c 'print("n" * 65)')"; do
    run_fails 3 "office name .* is not 1 to 64 letters" office admit "$badname" "$other" -m why
done

# A key file it cannot use stops a decision (exit 4), as any write.
mv "$DOCKET_DB.key" "$tmp/key.saved"
run_fails 4 "docket\.db\.key" office admit br "$other" -m why
mv "$tmp/key.saved" "$DOCKET_DB.key"

# Only the founder revokes: this office has founded nothing yet.
run_fails 2 "founding office" office revoke br "$other" -m "gone"

# The office about to found the log may admit: one admit event, no item, today.
n0=$(events)
run_ok office admit br "$other" -m "field office, Nairobi"
expect_out "admitted office br, key $other"
expect_eq "events after admit" "$(events)" "$((n0 + 1))"
expect_eq "the admit event" \
    "$(sql "select type || '|' || subject || '|' || new_value || '|' || reason || '|' || coalesce(item, '-') || '|' || eff from event order by seq desc limit 1")" \
    "admit|br|$other|field office, Nairobi|-|$(today)"
run_ok log
expect_out "admit br: field office, Nairobi"
run_ok verify --deep

# `office rotate -m REASON`: a new key in the key file, bound by a rekey that the old key signed;
# the next write announces it, and every signature verifies under the key in force when made.
run_fails 2 "office rotate needs -m REASON" office rotate
key0=$(cksum <"$DOCKET_DB.key")
run_fails 2 "^docket: office: the reason (-m) holds no letter or digit$" office rotate -m "  "
expect_eq "the key after a refused rotation" "$(cksum <"$DOCKET_DB.key")" "$key0"
[ ! -e "$DOCKET_DB.key.next" ] || fail "a refused rotation left its next key"
pass
[ ! -e "$DOCKET_DB.key.next" ] || fail "a refused rotation left $DOCKET_DB.key.next"
pass
old_key=$(cat "$DOCKET_DB.key")
n0=$(events)
run_ok office rotate -m "yearly rotation"
expect_out "^office hq has a new key, fingerprint $HEX64, bound by a re-key signed with the old one"
rotated=$(sed -n 's/.*fingerprint \([0-9a-f]*\),.*/\1/p' "$tmp/out")
expect_ne "the key file after a rotation" "$(cat "$DOCKET_DB.key")" "$old_key"
expect_eq "key file mode after a rotation" "$(stat -c %a "$DOCKET_DB.key")" 600
[ ! -e "$DOCKET_DB.key.next" ] || fail "the rotation left $DOCKET_DB.key.next"
pass
expect_eq "events after a rotation" "$(events)" "$((n0 + 1))"
expect_eq "the rekey event" "$(sql "select type || '|' || subject || '|' || new_value from event order by seq desc limit 1")" "rekey|hq|$rotated"
run_ok office show
expect_out "^hq $rotated\$"
run_ok set ceb.hlcm approached -m "after the rotation" --on 2016-03
expect_eq "the office event announcing the new key" \
    "$(sql "select subject || '|' || new_value from event where type = 'office' order by seq desc limit 1")" \
    "hq|$(openssl pkey -in "$DOCKET_DB.key" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n')"
run_ok verify --deep
expect_out "^signatures: [0-9]*, each by its office's key"

done_ok
