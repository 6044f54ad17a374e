# End-to-end: the office's key file (STORE.key): init makes it, every write needs it, reads do
# not, `key new` makes a new one, no output or copy ever holds the private key.
. "$(dirname "$0")/lib.sh"

KEY="$DOCKET_DB.key"

# mode_of FILE: its permission bits in octal (600).
mode_of() {
    stat -c %a "$1"
}

# store_bytes: a digest of the store's files as they lie on disk (the database and its WAL).
store_bytes() {
    cat "$DOCKET_DB" "$DOCKET_DB-wal" 2>/dev/null | cksum
}

# write_refused RC PATTERN: a write (`set`) must exit RC with one line matching PATTERN, and
# leave the store's events, content and bytes as they were (the bytes are read just around the
# write: any last close of the store checkpoints its WAL).
write_refused() {
    _l0=$("$DOCKET" log --json | wc -l)
    _n0=$(events)
    _fp0=$(fingerprint)
    _b0=$(store_bytes)
    run set legal.approach in-progress -m "refused" --force
    _b1=$(store_bytes)
    expect_rc "$1"
    expect_one_err_line
    expect_err "$2"
    expect_no_out
    expect_eq "the store's bytes after a refused write" "$_b1" "$_b0"
    expect_eq "events after a refused write" "$(events)" "$_n0"
    expect_eq "the store's content after a refused write" "$(fingerprint)" "$_fp0"
    expect_eq "log lines after a refused write" "$("$DOCKET" log --json | wc -l)" "$_l0"
}

# openssl_fp FILE: the key's fingerprint as the README says openssl computes it.
openssl_fp() {
    openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | sha256sum | cut -c1-64
}

# init makes the key file beside the store, mode 0600, an Ed25519 private key.
init_store
[ -f "$KEY" ] || fail "init made no key file at $KEY"
pass
expect_eq "the key file's mode" "$(mode_of "$KEY")" 600
grep -q '^-----BEGIN PRIVATE KEY-----$' "$KEY" || fail "the key file is not a PEM private key"
pass
run_ok office show
fp=$(cut -d' ' -f2 "$tmp/out")
if command -v openssl >/dev/null 2>&1; then
    openssl pkey -in "$KEY" -noout -text 2>/dev/null | grep -q 'ED25519' || fail "not an Ed25519 key"
    expect_eq "the fingerprint, by openssl" "$(openssl_fp "$KEY")" "$fp"
fi
run_ok set legal.approach in-progress -m "first write" --force
expect_eq "the office event announces this key" \
    "$(sql "select count(*) from event where type = 'office' and seq = 1")" 1

# Missing: every write is refused (exit 4, one line naming the file and `docket key new`),
# nothing is written; reads still work.
mv "$KEY" "$tmp/key.saved"
write_refused 4 "docket\.db\.key.*docket key new"
run_fails 4 "docket\.db\.key" note legal.approach -m "refused too"
run_fails 4 "docket\.db\.key" office admit br "$fp" -m "refused too"
run_ok list
expect_out "^legal.approach"
run_ok verify
run_ok log --json
run_ok office list
run_fails 4 "docket\.db\.key.*missing" office show
mv "$tmp/key.saved" "$KEY"

# Open to others: refused, naming the mode; 0640 is accepted.
chmod 644 "$KEY"
write_refused 4 "mode 0644"
chmod 604 "$KEY"
write_refused 4 "mode 0604"
chmod 640 "$KEY"
run_ok set legal.approach in-progress -m "group-readable key" --force --on 2020-01
chmod 600 "$KEY"

# Not a regular file; not an Ed25519 key.
mv "$KEY" "$tmp/key.saved"
mkdir "$KEY"
write_refused 4 "docket\.db\.key"
rmdir "$KEY"
printf 'not a key\n' >"$KEY"
chmod 600 "$KEY"
write_refused 4 "docket\.db\.key.*Ed25519"
if command -v openssl >/dev/null 2>&1; then
    openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out "$KEY" 2>/dev/null ||
        fail "openssl made no RSA key"
    chmod 600 "$KEY"
    write_refused 4 "docket\.db\.key.*Ed25519"
fi
mv "$tmp/key.saved" "$KEY"

# Unreadable (mode 000): root reads it anyway, so the write runs as nobody, on a copy of the
# store that nobody owns.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    as_nobody="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups"
    chmod 711 "$tmp"
    mkdir "$tmp/nb"
    backup_to "$tmp/nb/docket.db"
    chown -R nobody "$tmp/nb"
    chmod 000 "$tmp/nb/docket.db.key"
    n0=$(events "$tmp/nb/docket.db")
    last_cmd="set (as nobody, key mode 000)"
    DOCKET_DB="$tmp/nb/docket.db" $as_nobody "$DOCKET" set legal.approach in-progress -m x --force \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 4
    expect_one_err_line
    expect_err "cannot read the key file .*docket\.db\.key"
    expect_eq "events after a refused write as nobody" "$(events "$tmp/nb/docket.db")" "$n0"
    DOCKET_DB="$tmp/nb/docket.db" $as_nobody "$DOCKET" list >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 0
    chmod 600 "$tmp/nb/docket.db.key"
    DOCKET_DB="$tmp/nb/docket.db" $as_nobody "$DOCKET" set legal.approach in-progress -m x --force \
        --on 2021-01 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 0
    expect_eq "events after the write as nobody" "$(events "$tmp/nb/docket.db")" "$((n0 + 1))"
elif [ "$(id -u)" -ne 0 ]; then
    chmod 000 "$KEY"
    write_refused 4 "cannot read the key file"
    chmod 600 "$KEY"
else
    echo "note $test_name: no setpriv or no user nobody: the unreadable key is not tested" >&2
fi

# key new refuses while a key is there (exit 4: the store has one), and leaves it as it was.
cp -p "$KEY" "$tmp/key.before"
run_fails 4 "docket\.db\.key.*--force" key new
cmp -s "$KEY" "$tmp/key.before" || fail "key new changed the key file it refused to replace"
pass
run_fails 2 "usage" key
run_fails 2 "'old' is not 'new'" key old
run_fails 2 "" key new extra

# key new on a store without a key makes one (0600), prints its fingerprint and what makes it
# count; the store writes again, signed with the new key.
mv "$KEY" "$tmp/key.lost"
run_ok key new
expect_eq "the new key file's mode" "$(mode_of "$KEY")" 600
expect_out "fingerprint [0-9a-f]\{64\}$"
expect_out_fixed "docket office rekey"
newfp=$(sed -n 's/.*fingerprint \([0-9a-f]\{64\}\)$/\1/p' "$tmp/out")
expect_ne "the new fingerprint" "$newfp" "$fp"
run_ok office show
expect_eq "office show after key new" "$(cut -d' ' -f2 "$tmp/out")" "$newfp"
n0=$(events)
run_ok set legal.approach in-progress -m "after key new" --force --on 2022-01
expect_eq "events after key new and a write (an office event, then the change)" "$(events)" \
    "$((n0 + 2))"
expect_eq "the office event after key new" \
    "$(sql "select count(*) from event where type = 'office' and seq = $((n0 + 1))")" 1
run_ok verify --deep

# --force replaces it (and only then).
cp -p "$KEY" "$tmp/key.before"
run_ok key new --force
expect_eq "the replaced key file's mode" "$(mode_of "$KEY")" 600
cmp -s "$KEY" "$tmp/key.before" && fail "key new --force left the old key"
pass
run_ok set legal.approach in-progress -m "after --force" --force --on 2023-01

# key new needs a store; it makes no key for a store that is not there.
DOCKET_DB="$tmp/none.db" run_fails 4 "no store" key new
[ ! -e "$tmp/none.db.key" ] || fail "key new made a key for no store"
pass

# Nothing writes over the key file.
cp -p "$KEY" "$tmp/key.before"
for cmd in "backup $KEY" "report progress -o $KEY" "report progress --format json -o $KEY" \
    "export -o $KEY" "export --format csv -o $KEY"; do
    # shellcheck disable=SC2086
    run_fails 2 "store or one of its files" $cmd
    cmp -s "$KEY" "$tmp/key.before" || fail "'$cmd' changed the key file"
    pass
done
(cd "$tmp" && "$DOCKET" backup docket.db.key >/dev/null 2>&1)
[ $? -eq 2 ] || fail "backup to the key file by a relative path did not exit 2"
cmp -s "$KEY" "$tmp/key.before" || fail "backup by a relative path changed the key file"
pass

# No private key appears in any output or copy: the PEM body, the 32 secret bytes raw, in hex
# or in base64, of any key the store has had.
cp "$KEY" "$tmp/key.1"
run_ok backup "$tmp/copy.db"
run_ok export -o "$tmp/export.jsonl"
"$DOCKET" export >"$tmp/o.export" 2>&1
"$DOCKET" export --format csv >"$tmp/o.csv" 2>&1
"$DOCKET" log --json >"$tmp/o.log" 2>&1
"$DOCKET" log >"$tmp/o.logtext" 2>&1
"$DOCKET" show legal.approach --json >"$tmp/o.show" 2>&1
"$DOCKET" office show --json >"$tmp/o.office" 2>&1
"$DOCKET" office list --json >"$tmp/o.offices" 2>&1
"$DOCKET" report progress --format json >"$tmp/o.report" 2>&1
"$DOCKET" verify --deep >"$tmp/o.verify" 2>&1
"$DOCKET" key new >"$tmp/o.keynew" 2>&1
"$DOCKET" key new --force >"$tmp/o.keyforce" 2>&1
cp "$KEY" "$tmp/key.2"
"$DOCKET" set legal.approach in-progress -m "last" --force --on 2024-01 >"$tmp/o.set" 2>&1
python3 - "$tmp/key.1" "$tmp/key.2" "$tmp/key.before" "$tmp/key.lost" -- "$tmp/copy.db" \
    "$tmp/export.jsonl" "$tmp"/o.* "$DOCKET_DB" "$DOCKET_DB-wal" <<'EOF' ||
import base64, binascii, sys
sep = sys.argv.index("--")
needles = []
for k in sys.argv[1:sep]:
    pem = open(k).read().split("\n")
    body = "".join(l for l in pem if l and not l.startswith("-----"))
    seed = base64.b64decode(body)[-32:]
    needles += [body.encode(), seed, binascii.hexlify(seed), binascii.hexlify(seed).upper(),
                base64.b64encode(seed).rstrip(b"=")]
found = [p for p in sys.argv[sep + 1:] if any(n in open(p, "rb").read() for n in needles)]
if found:
    print("the private key appears in: " + ", ".join(found), file=sys.stderr)
    sys.exit(1)
EOF
    fail "the private key leaked"
pass

# A failed init removes the key it made; an init where a key file is already keeps it.
DOCKET_DB="$tmp/other.db" run_fails 3 "office name" init --office "not a name"
if [ -e "$tmp/other.db" ] || [ -e "$tmp/other.db.key" ]; then
    fail "a failed init left a store or key"
fi
pass
cp -p "$KEY" "$tmp/kept.db.key"
DOCKET_DB="$tmp/kept.db" run_ok init --empty
cmp -s "$KEY" "$tmp/kept.db.key" || fail "init replaced the key file that was there"
pass
printf 'junk\n' >"$tmp/junk.db.key"
chmod 600 "$tmp/junk.db.key"
DOCKET_DB="$tmp/junk.db" run_fails 4 "junk\.db\.key" init --empty
[ ! -e "$tmp/junk.db" ] || fail "init with a bad key file left a store"
pass
expect_eq "the bad key file is left alone" "$(cat "$tmp/junk.db.key")" junk

done_ok
