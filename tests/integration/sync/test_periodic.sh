# `sync` without --once, for a field office on a bad connection: a round that fails on the
# network prints its error on stderr and the next round tries again; rounds that work print
# their line and publish what was recorded meanwhile. Bad data (exit 3) stops it at once, and
# so does a stdout that cannot be written (exit 6). --interval must be a number of seconds.
# Usage: sh tests/integration/sync/test_periodic.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/integration/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

RUN_LIMIT=30
cluster_start
start_server gw http || exit 1
P=periodic
A=$tmp/a.db
REFUSING=http://127.0.0.1:$gw_PORT/status/403

office_ok a init
office_ok a remote set --endpoints "$REFUSING" --prefix $P
DOCKET_DB=$A
run_fails 2 "--interval takes a number of seconds" sync --interval 5x
run_fails 2 "--interval takes a number of seconds" sync --interval 0

# wait_for WHAT CMD...: waits up to 20 s for CMD to succeed.
wait_for() {
    _what=$1
    shift
    _i=0
    until "$@"; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || fail "waited 20 s for $_what"
        kill -0 "$SYNC" 2>/dev/null || fail "the periodic sync ended while waiting for $_what: $(cat "$tmp/p.err")"
        sleep 0.1
    done
    pass
}
err_lines_at_least() {
    [ "$(wc -l <"$tmp/p.err")" -ge "$1" ]
}
out_lines_at_least() {
    [ "$(wc -l <"$tmp/p.out")" -ge "$1" ]
}
head_is() {
    [ "$(head_pos $P)" = "$1" ]
}

# Rounds refused by the gateway: each one says so, and the sync goes on.
timeout -k 5 120 "$DOCKET" -d "$A" sync --interval 1 >"$tmp/p.out" 2>"$tmp/p.err" &
SYNC=$!
bg_pids="$bg_pids $SYNC"
wait_for "three failed rounds" err_lines_at_least 3
expect_eq "lines on stdout while the rounds fail" "$(wc -l <"$tmp/p.out" | tr -d ' ')" 0
grep -v -c '^docket: sync: etcd: .*HTTP 403: refused by the test server$' "$tmp/p.err" >"$tmp/other" ||
    true
expect_eq "other lines on stderr" "$(cat "$tmp/other")" 0
echo "failed rounds: $(wc -l <"$tmp/p.err" | tr -d ' '), each: $(head -n 1 "$tmp/p.err")"

# The connection comes back: the next rounds publish, and go on publishing.
office_ok a remote set --endpoints "$ETCD_ENDPOINTS"
wait_for "the first round that works" head_is 86
wait_for "its line on stdout" out_lines_at_least 1
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
wait_for "the change to be published" head_is 87
grep -q "^published 1, pulled 0; shared log: 87 events" "$tmp/p.out" || fail "no round printed its publication: $(cat "$tmp/p.out")"
pass
echo "rounds that worked: $(wc -l <"$tmp/p.out" | tr -d ' '); the last: $(tail -n 1 "$tmp/p.out")"

# Bad data (a password file others can read) fails every round alike: exit 3, now.
umask 022
printf 'pw\n' >"$tmp/open.pw"
chmod 644 "$tmp/open.pw"
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --user office --password-file "$tmp/open.pw"
wait "$SYNC"
rc=$?
expect_rc 3
tail -n 1 "$tmp/p.err" | grep -q "^docket: sync: '$tmp/open.pw' holds a password" ||
    fail "the last line on stderr: $(tail -n 1 "$tmp/p.err")"
pass
echo "bad data: exit $rc: $(tail -n 1 "$tmp/p.err")"

# stdout gone: exit 6 after the first round, not a sync every second writing to nowhere.
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --user ''
if [ -w /dev/full ]; then
    timeout -k 5 20 "$DOCKET" -d "$A" sync --interval 1 >/dev/full 2>"$tmp/full.err"
    rc=$?
    expect_rc 6
    grep -q "^docket: sync: cannot write to stdout" "$tmp/full.err" || fail "stderr: $(cat "$tmp/full.err")"
    pass
    echo "stdout to /dev/full: exit $rc: $(head -n 1 "$tmp/full.err")"
fi
done_ok
