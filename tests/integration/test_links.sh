# Integration: docket links --check against a real local server: 200 evidence links and files,
# some missing (404), some on a port nothing listens on, one over the 1 MiB cap, one redirected
# to file://, one whose content changes between two checks, a local file edited after it was
# attached and one deleted. Every check is an event; exit 1 when any link is broken or changed;
# exit 5, nothing recorded, when no URL reached anything.
. "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/root"
i=0
while [ $i -lt 168 ]; do
    echo "document $i" >"$tmp/root/ok$i.txt"
    i=$((i + 1))
done
echo "first version" >"$tmp/root/changing.txt"
echo "the letter" >"$tmp/root/target.txt"
echo "scanned letter" >"$tmp/edited.txt"
echo "scanned minutes" >"$tmp/deleted.txt"
start_server web http --root "$tmp/root"
dead=$(free_port)
base="http://127.0.0.1:$web_PORT"

init_store
# 200 links on four items, fifty to a note: 168 good, 1 redirected to a good one, 1 changing,
# 1 body of exactly 1 MiB (the cap), 15 missing, 10 on a dead port, 1 over the cap, 1 redirected
# to file://, and 2 local files.
: >"$tmp/links.txt"
i=0
while [ $i -lt 168 ]; do
    echo "$base/files/ok$i.txt" >>"$tmp/links.txt"
    i=$((i + 1))
done
echo "$base/redirect/files/target.txt" >>"$tmp/links.txt"
echo "$base/files/changing.txt" >>"$tmp/links.txt"
echo "$base/big/1048576" >>"$tmp/links.txt"
i=0
while [ $i -lt 15 ]; do
    echo "$base/files/missing$i.txt" >>"$tmp/links.txt"
    i=$((i + 1))
done
i=0
while [ $i -lt 10 ]; do
    echo "http://127.0.0.1:$dead/gone$i" >>"$tmp/links.txt"
    i=$((i + 1))
done
echo "$base/big/1048577" >>"$tmp/links.txt"
echo "$base/tofile" >>"$tmp/links.txt"
echo "$tmp/edited.txt" >>"$tmp/links.txt"
echo "$tmp/deleted.txt" >>"$tmp/links.txt"
expect_eq "links prepared" "$(wc -l <"$tmp/links.txt" | tr -d ' ')" 200
k=0
for key in ceb iasc echa ceb.undg; do
    set -- note "$key" -m "evidence batch $k"
    sed -n "$((k * 50 + 1)),$((k * 50 + 50))p" "$tmp/links.txt" >"$tmp/batch"
    while read -r ref; do
        set -- "$@" --evidence "$ref"
    done <"$tmp/batch"
    run_ok "$@"
    expect_out "(50 evidence, event [0-9]*)"
    k=$((k + 1))
done
echo "scanned letter, edited" >"$tmp/edited.txt"
rm "$tmp/deleted.txt"

# Listing without --check: everything unchecked, nothing written, no network.
n0=$(events)
run_ok links
expect_eq "links listed" "$(wc -l <"$tmp/out" | tr -d ' ')" 200
expect_count "unchecked" "$tmp/out" "unchecked " 200
expect_eq "events after listing" "$(events)" "$n0"

# result_of REF [FILE]: the result word of the line for REF in the text output.
result_of() {
    awk -v ref="$1" '$3 == ref { print $1 }' "${2:-$tmp/out}"
}

# The first check: 28 broken, the edited file changed, the rest ok; exit 1; 200 events.
t0=$(now_ms)
run links --check
t1=$(now_ms)
figure "links --check of 200 links (default parallelism): $((t1 - t0)) ms"
expect_rc 1
expect_one_err_line
expect_err "^docket: links: 28 of 200 links are broken and 1 changed$"
cp "$tmp/out" "$tmp/check1.out"
expect_eq "lines" "$(wc -l <"$tmp/out" | tr -d ' ')" 200
expect_count "ok" "$tmp/out" "ok " 171
expect_count "broken" "$tmp/out" "broken " 28
expect_count "changed" "$tmp/out" "changed " 1
expect_eq "the edited file" "$(result_of "$tmp/edited.txt")" changed
expect_eq "the deleted file" "$(result_of "$tmp/deleted.txt")" broken
expect_eq "a missing page" "$(result_of "$base/files/missing3.txt")" broken
expect_eq "a dead port" "$(result_of "http://127.0.0.1:$dead/gone7")" broken
expect_eq "over the cap" "$(result_of "$base/big/1048577")" broken
expect_eq "at the cap" "$(result_of "$base/big/1048576")" ok
expect_eq "redirect to file://" "$(result_of "$base/tofile")" broken
expect_eq "redirect" "$(result_of "$base/redirect/files/target.txt")" ok
expect_eq "the changing page, first" "$(result_of "$base/files/changing.txt")" ok
grep -q -F "$base/files/missing3.txt  (HTTP 404)" "$tmp/out" || fail "a 404 is not shown as such"
grep -q -F "$base/big/1048577  (the body is larger than 1048576 bytes)" "$tmp/out" || fail "the cap is not named"
pass
# One check event per link, in one batch, with what was found.
n1=$(events)
expect_eq "check events" $((n1 - n0)) 200
expect_eq "check events by type" "$(sql "select count(*) from event where type = 'check'")" 200
expect_eq "check events per link" "$(sql "select max(c) from (select count(*) c from event where type = 'check' group by item, new_value)")" 1
expect_eq "the redirect's final URL" \
    "$(sql "select json_extract(attrs, '\$.status'), json_extract(attrs, '\$.final_url') from event where type = 'check' and new_value = '$base/redirect/files/target.txt'")" \
    "200|$base/files/target.txt"
expect_eq "the changing page's hash" \
    "$(sql "select json_extract(attrs, '\$.sha256') from event where type = 'check' and new_value = '$base/files/changing.txt'")" \
    "$(sha256sum "$tmp/root/changing.txt" | cut -d' ' -f1)"
expect_eq "a 404's status" \
    "$(sql "select json_extract(attrs, '\$.result'), json_extract(attrs, '\$.status') from event where type = 'check' and new_value = '$base/files/missing0.txt'")" \
    "broken|404"
expect_eq "the 1 MiB body's hash" \
    "$(sql "select json_extract(attrs, '\$.sha256') from event where type = 'check' and new_value = '$base/big/1048576'")" \
    "$(head -c 1048576 /dev/zero | tr '\0' ' ' | sha256sum | cut -d' ' -f1)"
run_ok verify

# The page changes behind its link; a missing page appears. The second check says so.
echo "second version" >"$tmp/root/changing.txt"
echo "late" >"$tmp/root/missing0.txt"
run links --check --json
expect_rc 1
expect_one_err_line
expect_err "^docket: links: 27 of 200 links are broken and 2 changed$"
python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
by = {r["ref"]: r for r in rows}
base = sys.argv[2]
assert len(rows) == 200, len(rows)
assert by[base + "/files/changing.txt"]["result"] == "changed", by[base + "/files/changing.txt"]
assert by[base + "/files/missing0.txt"]["result"] == "ok", by[base + "/files/missing0.txt"]
assert by[base + "/files/ok5.txt"]["result"] == "ok"
assert by[base + "/files/missing1.txt"]["status"] == 404
assert by[sys.argv[3]]["result"] == "changed" and by[sys.argv[3]]["type"] == "file"
assert sum(r["result"] == "changed" for r in rows) == 2, [r for r in rows if r["result"] == "changed"]
' "$tmp/out" "$base" "$tmp/edited.txt" || fail "the second check's JSON"
pass
n2=$(events)
expect_eq "check events of the second run" $((n2 - n1)) 200
expect_eq "check events per link" "$(sql "select min(c) || ' ' || max(c) from (select count(*) c from event where type = 'check' group by item, new_value)")" "2 2"
# Without --check, the last results are shown and nothing is written.
run_ok links
expect_eq "last result of the changing page" "$(result_of "$base/files/changing.txt")" changed
expect_eq "last result of a dead link" "$(result_of "http://127.0.0.1:$dead/gone1")" broken
expect_eq "events after listing" "$(events)" "$n2"

# --parallel: the same results one at a time and 64 at a time (libcurl's messages carry
# timings, "after 0 ms", which may differ).
t0=$(now_ms)
run links --check --parallel 1
t1=$(now_ms)
figure "links --check of 200 links with --parallel 1: $((t1 - t0)) ms"
expect_rc 1
sed 's/after [0-9]* ms/after N ms/' "$tmp/out" >"$tmp/p1.out"
run links --check --parallel 64
expect_rc 1
sed 's/after [0-9]* ms/after N ms/' "$tmp/out" >"$tmp/p64.out"
cmp -s "$tmp/p1.out" "$tmp/p64.out" || {
    diff "$tmp/p1.out" "$tmp/p64.out" | head >&2
    fail "--parallel 1 and --parallel 64 disagree"
}
pass
expect_eq "events after two more runs" "$(events)" $((n2 + 400))

# --key: one item's links only.
n3=$(events)
run_ok links --check --key iasc
expect_count "iasc's links" "$tmp/out" "ok " 50
expect_eq "events for one item" "$(events)" $((n3 + 50))

# An HTTPS link: broken without the CA, ok with it.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -days 2 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"
start_server tls http --root "$tmp/root" --tls "$tmp/cert.pem" "$tmp/key.pem"
start_server mute silent
run_ok note unct -m "tls" --evidence "https://127.0.0.1:$tls_PORT/files/ok1.txt"
run links --check --key unct
expect_rc 1
expect_err "1 of 1 links are broken"
expect_out "certificate"
run_ok links --check --key unct --cacert "$tmp/cert.pem"
expect_out "^ok  *unct  *https://"
# A link that never answers is given up on after --timeout.
run_ok note iasmn -m "silent" --evidence "http://127.0.0.1:$mute_PORT/never"
t0=$(now_ms)
run links --check --key iasmn --timeout 2
t1=$(now_ms)
expect_rc 1
expect_out "^broken  *iasmn  *http://127.0.0.1:$mute_PORT/never  (.*"
expect_le "ms for a link that never answers, --timeout 2" $((t1 - t0)) 6000
figure "silent link given up on after $((t1 - t0)) ms with --timeout 2"

# Evidence files later replaced by what never ends: a FIFO with no writer, a symlink to
# /dev/zero, a directory. The check does not wait on them (each run is bounded here at 15 s):
# each is broken, named with the reason, and the check exits 1.
for f in fifo zero dir; do
    echo "evidence $f" >"$tmp/ev-$f.txt"
done
run_ok note ceb.hlcm -m "files replaced later" --evidence "$tmp/ev-fifo.txt" \
    --evidence "$tmp/ev-zero.txt" --evidence "$tmp/ev-dir.txt"
rm "$tmp/ev-fifo.txt" "$tmp/ev-zero.txt" "$tmp/ev-dir.txt"
mkfifo "$tmp/ev-fifo.txt" || fail "mkfifo failed"
ln -s /dev/zero "$tmp/ev-zero.txt"
mkdir "$tmp/ev-dir.txt"
limit=$RUN_LIMIT
RUN_LIMIT=15
n4=$(events)
t0=$(now_ms)
run links --check --key ceb.hlcm
t1=$(now_ms)
RUN_LIMIT=$limit
expect_rc 1
expect_one_err_line
expect_err "^docket: links: 3 of 3 links are broken$"
expect_out_fixed "$tmp/ev-fifo.txt  (the file cannot be read: it is a FIFO, not a regular file)"
expect_out_fixed "$tmp/ev-zero.txt  (the file cannot be read: it is a character device, not a regular file)"
expect_out_fixed "$tmp/ev-dir.txt  (the file cannot be read: it is a directory, not a regular file)"
expect_eq "the FIFO's check" \
    "$(sql "select json_extract(attrs, '\$.result') from event where type = 'check' and new_value = '$tmp/ev-fifo.txt'")" \
    broken
expect_eq "check events for replaced files" "$(events)" $((n4 + 3))
expect_le "ms to check a FIFO, /dev/zero and a directory" $((t1 - t0)) 5000
figure "FIFO, /dev/zero and a directory checked in $((t1 - t0)) ms"
# A FIFO with a writer that never writes is refused as well, without a read.
sleep 30 >"$tmp/ev-fifo.txt" &
writer=$!
bg_pids="$bg_pids $writer"
RUN_LIMIT=15
run links --check --key ceb.hlcm
RUN_LIMIT=$limit
expect_rc 1
expect_out_fixed "$tmp/ev-fifo.txt  (the file cannot be read: it is a FIFO, not a regular file)"
stop_server "$writer"

# A changed link alone fails the check as a broken one does: exit 1, the check recorded.
echo "a scan" >"$tmp/scan.txt"
run_ok note ceb.hlcp -m "a scan" --evidence "$tmp/scan.txt"
run_ok links --check --key ceb.hlcp
expect_out "^ok  *ceb.hlcp  *$tmp/scan.txt$"
echo "a scan, edited" >"$tmp/scan.txt"
n5=$(events)
run links --check --key ceb.hlcp
expect_rc 1
expect_one_err_line
expect_err "^docket: links: 1 of 1 links changed$"
expect_out "^changed  *ceb.hlcp  *$tmp/scan.txt$"
expect_eq "the changed file's check" \
    "$(sql "select json_extract(attrs, '\$.result') from event where type = 'check' and new_value = '$tmp/scan.txt' order by seq desc limit 1")" \
    changed
expect_eq "events after a check that found a change" "$(events)" $((n5 + 1))
run links --check --key ceb.hlcp --json
expect_rc 1
expect_err "^docket: links: 1 of 1 links changed$"

# No URL reaches anything (here: all on a port of 127.0.0.1 where nothing listens, as when the
# network is down): the links are not at fault, so nothing is recorded, not even the file beside
# them, nothing is printed, exit 5. One URL that answers is enough for the dead ones to be
# broken (the 10 on a dead port above).
echo "minutes" >"$tmp/minutes.txt"
run_ok note smt -m "offline" --evidence "http://127.0.0.1:$dead/one" \
    --evidence "http://127.0.0.1:$dead/two" --evidence "$tmp/minutes.txt"
run_fails 5 "^docket: links: cannot reach the network: none of the 2 URLs answered (http://127.0.0.1:$dead/one: .*)$" \
    links --check --key smt
run_fails 5 "^docket: links: cannot reach the network: none of the 2 URLs answered" \
    links --check --key smt --json --parallel 1
run_ok links --key smt
expect_count "still unchecked" "$tmp/out" "unchecked " 3

# Usage errors and a read-only store: exit 2, nothing written.
run_fails 2 "docket: links: --parallel takes a number from 1 to 64" links --check --parallel 0
run_fails 2 "docket: links: --parallel takes a number from 1 to 64" links --check --parallel 65
run_fails 2 "docket: links: --parallel takes a number from 1 to 64" links --check --parallel x
run_fails 2 "docket: links: --timeout takes seconds from 1 to 3600" links --check --timeout 0
run_fails 3 "docket: links: unknown item 'iacs'" links --check --key iacs
run_fails 2 "docket: links: " -r links --check
run_ok -r links --key iasc
expect_count "read-only listing" "$tmp/out" "ok " 50

run_ok verify
done_ok
