# `sync` without --once, for a field office on a bad connection: a round that cannot reach the
# cluster prints its error on stderr and the next round tries again, after pauses that grow
# from 1 s (1, 2, 4, ... up to 60 s); rounds that work print their line and publish what was
# recorded meanwhile. A refusal by etcd (here a gateway that answers 403, as etcd does for a
# key outside the user's role) ends it at once with exit 5, and so do bad data (exit 3) and a
# stdout that cannot be written (exit 6). --interval must be a number of seconds.
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
# A port nobody listens on: every connection is refused at once, as when the link is down.
DOWN=http://127.0.0.1:$(free_ports 1)
# Each round gives up on the cluster after 0.3 s rather than 10 s.
DOCKET_ETCD_RETRY_MS=300
export DOCKET_ETCD_RETRY_MS

office_ok a init --office a
na=$(events "$A") # what the first round that works publishes
office_ok a remote set --endpoints "$REFUSING" --prefix $P
# stops_at_once WHAT PATTERN: a periodic sync against the remote set now ends after its first
# round, exit 5, with one line matching PATTERN.
stops_at_once() {
    last_cmd="sync --interval 1 ($1)"
    timeout -k 5 20 "$DOCKET" -d "$A" sync --interval 1 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 5
    expect_one_err_line
    expect_err "$2"
    echo "$1: exit $rc: $(cat "$tmp/err")"
}

# A refusal is final: the periodic sync stops after its first round.
DOCKET_DB=$A
stops_at_once "refused by etcd" "^docket: sync: etcd: .*HTTP 403: refused by the test server$"
# So is a certificate that does not verify (a gateway with a certificate no CA signed).
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -days 2 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"
mkdir -p "$tmp/root"
start_server tls http --root "$tmp/root" --tls "$tmp/cert.pem" "$tmp/key.pem" || exit 1
office_ok a remote set --endpoints "https://127.0.0.1:$tls_PORT"
stops_at_once "a certificate that does not verify" "^docket: sync: etcd: .*certificate"
office_ok a remote set --endpoints "$DOWN"
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

# Rounds that cannot reach the cluster: each one says so and when the next comes, and the sync
# goes on, after 1 s, then 2 s, then 4 s.
timeout -k 5 120 "$DOCKET" -d "$A" sync --interval 1 >"$tmp/p.out" 2>"$tmp/p.err" &
SYNC=$!
bg_pids="$bg_pids $SYNC"
wait_for "three failed rounds" err_lines_at_least 3
expect_eq "lines on stdout while the rounds fail" "$(wc -l <"$tmp/p.out" | tr -d ' ')" 0
grep -v -c '^docket: sync: etcd: .* (trying again in [0-9]* s)$' "$tmp/p.err" >"$tmp/other" ||
    true
expect_eq "other lines on stderr" "$(cat "$tmp/other")" 0
expect_eq "the first three pauses" "$(head -n 3 "$tmp/p.err" | sed 's/.*(trying again in \([0-9]*\) s)$/\1/' | tr '\n' ' ')" "1 2 4 "
echo "failed rounds: $(wc -l <"$tmp/p.err" | tr -d ' '), the first: $(head -n 1 "$tmp/p.err")"

# The connection comes back: the next rounds publish, and go on publishing.
office_ok a remote set --endpoints "$ETCD_ENDPOINTS"
wait_for "the first round that works" head_is "$na"
wait_for "its line on stdout" out_lines_at_least 1
office_ok a set ceb.hlcm approached -m "letter to the HLCM" --on 2016-03
wait_for "the change to be published" head_is $((na + 1))
grep -q "^published 1, pulled 0; shared log: $((na + 1)) events" "$tmp/p.out" || fail "no round printed its publication: $(cat "$tmp/p.out")"
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
