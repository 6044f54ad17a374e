# Integration: docket import URL against real local servers (HTTP and HTTPS on 127.0.0.1):
# a checklist fetched and loaded once, TLS verification, redirects, a silent peer, a trickle,
# the 64 MiB cap; and that only commands that use the network load libcurl.
. "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/root"
cp "$IT_DIR/data/checklist.json" "$tmp/root/checklist.json"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -days 2 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"

start_server web http --root "$tmp/root"
start_server tls http --root "$tmp/root" --tls "$tmp/cert.pem" "$tmp/key.pem"
start_server mute silent
start_server slow http
url="http://127.0.0.1:$web_PORT/files/checklist.json"

init_store --empty

# A checklist over HTTP: loaded; the same again changes nothing.
run_ok import "$url"
expect_out "^loaded the checklist: 3 items added"
n1=$(events)
fp1=$(fingerprint)
expect_eq "items after the import" "$(sql 'select group_concat(key) from (select key from items order by key)')" "t,t.one,t.two"
run_ok import "$url"
expect_out "^loaded the checklist: 0 items added, 0 definitions"
expect_eq "events after the second import" "$(events)" "$n1"
expect_eq "store after the second import" "$(fingerprint)" "$fp1"
run_ok import "$url" --json
expect_json
expect_eq "import --json: the events recorded, none" "$(pyjson 'print(d)')" "[]"
run_ok verify

# Every failure below: exit 5 (network), one stderr line naming the URL, nothing written.
# A 404.
run_fails 5 "docket: import: http://127.0.0.1:$web_PORT/files/missing.json: HTTP 404" \
    import "http://127.0.0.1:$web_PORT/files/missing.json"

# HTTPS with a self-signed certificate: refused without --cacert, accepted with it.
init_store --empty
turl="https://127.0.0.1:$tls_PORT/files/checklist.json"
run_fails 5 "docket: import: $turl: .*certificate" import "$turl"
# A CA file that cannot be read is the caller's mistake, found before any transfer.
run_fails 3 "docket: import: cannot read the CA file '$tmp/missing.pem'" import "$turl" --cacert "$tmp/missing.pem"
run_ok import "$turl" --cacert "$tmp/cert.pem"
expect_out "^loaded the checklist: 3 items added"
# The CA is added beside the system's, and only for this run: the next run verifies again.
run_fails 5 "docket: import: $turl: .*certificate" import "$turl"

# A redirect loop: at most 5 redirects.
run_fails 5 "docket: import: http://127.0.0.1:$web_PORT/loop/0: .*redirect" \
    import "http://127.0.0.1:$web_PORT/loop/0"
# The same over HTTPS.
run_fails 5 "docket: import: https://127.0.0.1:$tls_PORT/loop/0: .*redirect" \
    import "https://127.0.0.1:$tls_PORT/loop/0" --cacert "$tmp/cert.pem"
# A redirect to file:// is refused (http and https only, redirects included).
run_fails 5 "docket: import: http://127.0.0.1:$web_PORT/tofile: .*\"file\"" \
    import "http://127.0.0.1:$web_PORT/tofile"
# A port nothing listens on.
dead=$(free_port)
run_fails 5 "docket: import: http://127.0.0.1:$dead/x: " import "http://127.0.0.1:$dead/x"

# The 64 MiB cap: 65 MiB streamed by the server (never stored) is refused as soon as it is
# over; 64 MiB exactly is within the cap and gets to the parser (bad data, exit 3).
t0=$(now_ms)
run_fails 5 "docket: import: http://127.0.0.1:$web_PORT/big/68157440: .*larger than 67108864 bytes" \
    import "http://127.0.0.1:$web_PORT/big/68157440"
t1=$(now_ms)
figure "65 MiB body refused in $((t1 - t0)) ms"
run_fails 3 "docket: import: " import "http://127.0.0.1:$web_PORT/big/67108864"

# A peer that accepts and never answers, and one that trickles a byte a second: both given up
# on within the 30 s total timeout (the low-speed abort, 64 B/s for 10 s, comes first). They
# run side by side to keep the test short; each is checked as run_fails checks.
fp0=$(fingerprint)
t0=$(now_ms)
timeout -k 5 60 "$DOCKET" import "http://127.0.0.1:$mute_PORT/never" >"$tmp/mute.out" 2>"$tmp/mute.err" &
p1=$!
timeout -k 5 60 "$DOCKET" import "http://127.0.0.1:$slow_PORT/trickle" >"$tmp/slow.out" 2>"$tmp/slow.err" &
p2=$!
wait "$p1"
rc1=$?
t1=$(now_ms)
wait "$p2"
rc2=$?
t2=$(now_ms)
figure "silent peer given up on after $((t1 - t0)) ms, trickle after $((t2 - t0)) ms"
for which in mute slow; do
    cp "$tmp/$which.out" "$tmp/out"
    cp "$tmp/$which.err" "$tmp/err"
    last_cmd="import (the $which server)"
    if [ "$which" = mute ]; then rc=$rc1; else rc=$rc2; fi
    expect_rc 5
    expect_one_err_line
    expect_no_out
done
grep -q "^docket: import: http://127.0.0.1:$mute_PORT/never: " "$tmp/mute.err" || fail "silent: the message does not name the URL"
grep -q "^docket: import: http://127.0.0.1:$slow_PORT/trickle: " "$tmp/slow.err" || fail "trickle: the message does not name the URL"
expect_le "silent peer: ms until exit 5" $((t1 - t0)) 35000
expect_le "trickle: ms until exit 5" $((t2 - t0)) 35000
expect_eq "store after the silent and slow peers" "$(fingerprint)" "$fp0"

# Start-up: a command without network never loads libcurl; an import by URL does.
LD_DEBUG=files "$DOCKET" list >/dev/null 2>"$tmp/ld.err" || fail "list failed under LD_DEBUG"
if grep -q 'libcurl' "$tmp/ld.err"; then fail "docket list loaded libcurl"; fi
pass
for cmd in "show t" "export" "verify" "links" "log"; do
    # shellcheck disable=SC2086
    LD_DEBUG=files "$DOCKET" $cmd >/dev/null 2>"$tmp/ld.err" || fail "$cmd failed under LD_DEBUG"
    if grep -q 'libcurl' "$tmp/ld.err"; then fail "docket $cmd loaded libcurl"; fi
    pass
done
LD_DEBUG=files "$DOCKET" import "$url" >/dev/null 2>"$tmp/ld.err" || fail "import by URL failed under LD_DEBUG"
grep -q 'file=libcurl\.so' "$tmp/ld.err" || fail "docket import URL did not load libcurl"
pass
LD_DEBUG=files "$DOCKET" import "$tmp/root/checklist.json" >/dev/null 2>"$tmp/ld.err" || fail "import FILE failed under LD_DEBUG"
if grep -q 'libcurl' "$tmp/ld.err"; then fail "docket import FILE loaded libcurl"; fi
pass

run_ok verify
done_ok
