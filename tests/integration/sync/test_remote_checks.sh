# What `remote set` and `sync` refuse before any request, with no etcd needed: endpoints sync
# could not use (exit 2, nothing stored; never one with a password in it), a user without a
# password file; `remote set --endpoints` keeps the settings it is not given. A missing CA
# file, a password that is not UTF-8 or is too long: exit 3 at once, not after 10 s of
# retries against every endpoint. A refusal from the gateway (a 4xx) is exit 5 at once.
# `status` on a damaged store: exit 4.
# Usage: sh tests/integration/sync/test_remote_checks.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/integration/lib.sh"

RUN_LIMIT=30
run_ok init
# Two endpoints where nothing listens: anything retried would take RETRY_MS (10 s).
E1=http://127.0.0.1:$(free_port)
E2=http://127.0.0.1:$(free_port)

# ---- endpoints ----
for bad in foo "127.0.0.1:2379" "ftp://h:21" "http://" "http://h:0" "http://h:65536" \
    "http://h:12x" "http://h:1,,http://g:1" "http://h:1," ",http://h:1" "http://h:1?a=b" \
    "http://h :1" "http://[::1:2379"; do
    run_fails 2 "^docket: remote: .*endpoint" remote set --endpoints "$bad"
done
echo "bad endpoints: exit 2, e.g. $(cat "$tmp/err")"
run_fails 2 "more than 16 endpoints" remote set --endpoints \
    "$(python3 -c 'print(",".join("http://h%d:2379" % i for i in range(17)))')"
# A password in a URL: refused, pointing to --user, and never echoed.
run_fails 2 "user name or password: give them with --user and --password-file" \
    remote set --endpoints "http://127.0.0.1:2379,http://office:s3cret-pw@127.0.0.1:2380"
expect_eq "the password in the message" "$(grep -c s3cret-pw "$tmp/err")" 0
run_fails 2 "user name or password" remote set --endpoints "https://office@h:2379"
echo "user info: exit 2: $(cat "$tmp/err")"
run_fails 2 "^docket: remote: --user needs --password-file FILE" \
    remote set --endpoints "$E1" --user office
run_fails 2 "needs --endpoints" remote set --prefix p
expect_eq "remote settings stored by the refusals" "$(sql "select count(*) from meta where key like 'remote.%'")" 0

# Good ones are stored; a trailing slash is dropped at use, not refused.
run_ok remote set --endpoints "http://127.0.0.1:2379/,https://[::1]:2379,https://etcd.example.org/gw"
expect_out "^endpoints  http://127.0.0.1:2379/,https://\[::1\]:2379,https://etcd.example.org/gw$"

# ---- settings not given are kept ----
umask 022
printf 'office-pw\n' >"$tmp/pw"
chmod 600 "$tmp/pw"
printf 'ca\n' >"$tmp/ca.pem"
run_ok remote set --endpoints "$E1" --prefix kept --user office --password-file "$tmp/pw" --cacert "$tmp/ca.pem"
run_ok remote set --endpoints "$E1,$E2"
run_ok remote show --json
expect_eq "endpoints after a second remote set" "$(pyjson 'print(d["endpoints"])')" "$E1,$E2"
expect_eq "prefix kept" "$(pyjson 'print(d["prefix"])')" kept
expect_eq "user kept" "$(pyjson 'print(d["user"])')" office
expect_eq "password file kept" "$(pyjson 'print(d["password_file"])')" "$tmp/pw"
expect_eq "CA kept" "$(pyjson 'print(d["cacert"])')" "$tmp/ca.pem"
run_ok remote show
expect_out "^cacert  *$tmp/ca.pem"
# An empty --user drops the user and its password file; an empty --cacert the CA.
run_ok remote set --endpoints "$E1,$E2" --user '' --cacert ''
run_ok remote show --json
expect_eq "user dropped" "$(pyjson 'print(d["user"], d["password_file"], d["cacert"], d["prefix"])')" "   kept"
run_fails 2 "--password-file needs --user" remote set --endpoints "$E1" --password-file "$tmp/pw"

# ---- local failures of sync: at once, with their own code ----
# judge_fast WHAT MS: the last run took under 3 s (a retry loop takes 10).
judge_fast() {
    [ "$2" -lt 3000 ] || fail "$1 took $2 ms: it was retried"
    pass
}
run_ok remote set --endpoints "$E1,$E2" --cacert "$tmp/missing.pem"
t0=$(now_ms)
run_fails 3 "^docket: sync: cannot read the CA file '$tmp/missing.pem': No such file" sync --once
t1=$(now_ms)
echo "a missing CA file: exit $rc after $((t1 - t0)) ms: $(cat "$tmp/err")"
judge_fast "a missing CA file" $((t1 - t0))
run_ok remote set --endpoints "$E1,$E2" --cacert "$tmp"
run_fails 3 "the CA file '$tmp' is not a file" sync --once
run_ok remote set --endpoints "$E1,$E2" --cacert ''

# A password that is not UTF-8 (json_pack cannot send it), one over 1024 bytes.
printf 'caf\351\n' >"$tmp/latin1.pw"
chmod 600 "$tmp/latin1.pw"
python3 -c 'print("x" * 1500)' >"$tmp/long.pw"
chmod 600 "$tmp/long.pw"
run_ok remote set --endpoints "$E1,$E2" --user office --password-file "$tmp/latin1.pw"
t0=$(now_ms)
run_fails 3 "^docket: sync: the password in '$tmp/latin1.pw' is not UTF-8 text" sync --once
t1=$(now_ms)
judge_fast "a password that is not UTF-8" $((t1 - t0))
run_ok remote set --endpoints "$E1,$E2" --user office --password-file "$tmp/long.pw"
run_fails 3 "^docket: sync: the password in '$tmp/long.pw' is longer than 1024 bytes" sync --once
run_fails 3 "^docket: remote: the etcd user name is not UTF-8" \
    remote set --endpoints "$E1" --user "$(printf 'caf\351')" --password-file "$tmp/pw"
# A user name that is not UTF-8 already in the store (written behind docket's back).
sql "update meta set value = cast(x'636166e9' as text) where key = 'remote.user'"
t0=$(now_ms)
run_fails 3 "^docket: sync: the etcd user name is not UTF-8 text" sync --once
t1=$(now_ms)
judge_fast "a user name that is not UTF-8" $((t1 - t0))

# A gateway that refuses (a 4xx): exit 5 at once, whatever the number of endpoints.
start_server gw http || exit 1
run_ok remote set --endpoints "http://127.0.0.1:$gw_PORT/status/403,$E1" --user ''
t0=$(now_ms)
run_fails 5 "^docket: sync: etcd: .*HTTP 403: refused by the test server" sync --once
t1=$(now_ms)
echo "a refusal: exit $rc after $((t1 - t0)) ms: $(cat "$tmp/err")"
judge_fast "a refusal" $((t1 - t0))
stop_server "$gw_PID"

# ---- status on a damaged store: exit 4, one line ----
run_ok remote set --endpoints "$E1"
sqlite3 "$DOCKET_DB" 'pragma wal_checkpoint(truncate)' >/dev/null
pages=$(sqlite3 "$DOCKET_DB" "select group_concat(pageno, ' ') from dbstat where name in (select name from sqlite_master where tbl_name = 'event')")
[ -n "$pages" ] || fail "no pages of the event table (dbstat)"
python3 - "$DOCKET_DB" "$(sqlite3 "$DOCKET_DB" 'pragma page_size')" $pages <<'EOF'
import sys
path, size = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    for page in map(int, sys.argv[3:]):
        f.seek((page - 1) * size)
        f.write(b"\xff" * 16)
EOF
run status
expect_rc 4
expect_one_err_line
expect_err "^docket: status: .*damaged"
echo "status on a damaged store: exit $rc: $(cat "$tmp/err")"
done_ok
