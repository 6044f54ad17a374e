# A real 3-member etcd cluster on 127.0.0.1 for the sync tests: sourced by each
# tests/integration/sync/test_*.sh after tests/cli/lib.sh (which gives $tmp, run, fail, ...).
# Usage: sh tests/integration/sync/test_X.sh /path/to/docket   (ctest sets $DOCKET_TESTS)
#
#   cluster_start            three members on free loopback ports, data in $tmp/etcd/mN,
#                            with the options in $ETCD_EXTRA (words without spaces), if any;
#                            sets ETCD_ENDPOINTS (the client URLs, comma-separated),
#                            ETCD_URL_1..3 and ETCD_PID_1..3; waits for /health on each
#   cluster_kill N           kill -9 member N (by its PID) and wait for it
#   cluster_restart N        start member N again on its data directory and ports
#   cluster_leader           prints the number (1..3) of the member that leads now
#   cluster_wait_leader      the same, waiting up to 20 s for an election to end
#   cluster_move_leader N    hands the leadership to member N
#   cluster_stop             stops every member still running, by PID (the EXIT trap does it)
#   ectl ARGS...             etcdctl against the members that run
#   log_count PREFIX         the number of keys under PREFIX/log/
#   ev_count PREFIX          the number of keys under PREFIX/ev/
#   head_pos PREFIX          the log length that PREFIX/head holds (via the JSON gateway)
#   office NAME ARGS...      `run` docket on the store $tmp/NAME.db (bounded by $RUN_LIMIT s)
#   office_ok NAME ARGS...   the same, which must exit 0 with nothing on stderr
#   make_events NAME TAG N   office NAME makes 2 N events (N new instances, one set batch)
#   sync_bg NAME             `sync --once` of office NAME in the background ($SYNC_PID)
#   sync_until_done NAME...  syncs the offices in turn until all is published and agreed
#   expect_converged DB...   the stores hold the same events, log order, list and heads
#   expect_log_exact P DB    the log under P in etcd is exactly DB's shared log, each uuid once
#
# The members log with --logger=zap to $tmp/etcd/mN.log; a failed test prints their tails.
# Ports 2379/2380 are never used and nothing relies on a member the etcd package may start.

set -u

for _tool in etcd etcdctl timeout python3 sqlite3; do
    command -v "$_tool" >/dev/null 2>&1 || {
        echo "$0: needs $_tool (deps.txt: etcd-server, etcd-client, coreutils)" >&2
        exit 2
    }
done

# No proxy may take a loopback request elsewhere, and no etcd setting from the environment
# may leak into the members or etcdctl.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
for _v in $(env | sed -n 's/^\(ETCD[A-Z_]*\)=.*/\1/p'); do
    unset "$_v"
done
export ETCDCTL_API=3
unset DOCKET_ETCD_TIMEOUT_MS DOCKET_ETCD_RETRY_MS

# Every docket run is bounded: a hung sync fails the test rather than ctest's timeout.
RUN_LIMIT=${RUN_LIMIT:-120}
run() {
    last_cmd="$*"
    timeout -k 5 "$RUN_LIMIT" "$DOCKET" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# now_ms: a clock in milliseconds, for the figures.
now_ms() {
    _ns=$(date +%s%N 2>/dev/null)
    case $_ns in
    *N | "") python3 -c 'import time; print(int(time.time() * 1000))' ;;
    *) echo $((_ns / 1000000)) ;;
    esac
}

office() {
    _o=$1
    shift
    run -d "$tmp/$_o.db" "$@"
}

# two_offices [FIRST SECOND]: office FIRST (default a; store $A) starts with init and publishes
# to the log under prefix $P; office SECOND (default b; store $B) is cloned from that log and
# admitted by FIRST. Each office is named as its store.
two_offices() {
    _first=${1:-a}
    _second=${2:-b}
    A=$tmp/$_first.db
    B=$tmp/$_second.db
    office_ok "$_first" init --office "$_first"
    office_ok "$_first" remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P
    office_ok "$_first" sync --once
    office_ok "$_second" clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --office "$_second"
    admit "$_first" "$_second"
}

# admit BY NEW: office BY (admitted) admits office NEW (its name and key, as `office show` on
# NEW prints them) and publishes the admission, so that NEW's next sync publishes its events.
admit() {
    office_ok "$2" office show
    _who=$(cat "$tmp/out")
    office_ok "$1" office admit $_who -m "admitted by the test"
    office_ok "$1" sync --once
}

office_ok() {
    office "$@"
    expect_rc 0
    expect_no_err
}

ETCD_N=3
ETCD_ENDPOINTS=""
ETCD_PIDS=""

# free_ports N: N distinct free TCP ports on 127.0.0.1, held open together while chosen so
# that none is handed out twice, and none is 2379 or 2380.
free_ports() {
    python3 -c 'import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    p = s.getsockname()[1]
    if p not in (2379, 2380):
        ports.append(p)
print(" ".join(map(str, ports)))
for s in held:
    s.close()' "$1"
}

# _member_start N: starts member N in the background with the recorded settings.
_member_start() {
    _n=$1
    eval "_cp=\$ETCD_CPORT_$_n _pp=\$ETCD_PPORT_$_n"
    etcd --name "m$_n" --data-dir "$tmp/etcd/m$_n" \
        --listen-client-urls "http://127.0.0.1:$_cp" \
        --advertise-client-urls "http://127.0.0.1:$_cp" \
        --listen-peer-urls "http://127.0.0.1:$_pp" \
        --initial-advertise-peer-urls "http://127.0.0.1:$_pp" \
        --initial-cluster "$ETCD_INITIAL" \
        --initial-cluster-token "docket-test-$$" \
        --initial-cluster-state new \
        --logger=zap --log-outputs="$tmp/etcd/m$_n.log" ${ETCD_EXTRA:-} \
        </dev/null >>"$tmp/etcd/m$_n.out" 2>&1 &
    eval "ETCD_PID_$_n=$!"
    _etcd_pids_refresh
}

_etcd_pids_refresh() {
    ETCD_PIDS=""
    _i=1
    while [ "$_i" -le "$ETCD_N" ]; do
        eval "_p=\${ETCD_PID_$_i:-}"
        [ -n "$_p" ] && ETCD_PIDS="$ETCD_PIDS $_p"
        _i=$((_i + 1))
    done
    echo "$ETCD_PIDS" >"$tmp/etcd/pids"
}

# _watchdog: should this shell be killed outright (SIGKILL: no trap runs, as when a harness
# gives up on it), a background watcher stops the members it started, by the PIDs recorded in
# $tmp/etcd/pids (each checked to be an etcd on this test's data), and removes $tmp.
_watchdog() {
    _parent=$$
    (
        trap '' INT TERM HUP
        while kill -0 "$_parent" 2>/dev/null; do
            sleep 1
        done
        [ -d "$tmp" ] || exit 0
        for _wp in $(cat "$tmp/etcd/pids" 2>/dev/null); do
            tr '\0' ' ' <"/proc/$_wp/cmdline" 2>/dev/null | grep -q "etcd .*$tmp/etcd/" && kill -9 "$_wp"
        done
        rm -rf "$tmp"
    ) </dev/null >/dev/null 2>&1 &
    bg_pids="$bg_pids $!"
}

# _healthy URL: the member at URL answers /health with "health": "true".
_healthy() {
    python3 -c 'import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/health", timeout=1) as r:
        sys.exit(0 if json.load(r).get("health") == "true" else 1)
except (OSError, ValueError):
    sys.exit(1)' "$1"
}

# cluster_wait_healthy N...: waits (up to 30 s) until each member named answers /health.
cluster_wait_healthy() {
    for _n in "$@"; do
        eval "_u=\$ETCD_URL_$_n _p=\$ETCD_PID_$_n"
        _i=0
        until _healthy "$_u"; do
            _i=$((_i + 1))
            if [ "$_i" -gt 300 ] || ! kill -0 "$_p" 2>/dev/null; then
                cluster_logs
                fail "etcd member $_n ($_u) is not healthy"
            fi
            sleep 0.1
        done
    done
}

cluster_start() {
    mkdir -p "$tmp/etcd" || fail "cannot make $tmp/etcd"
    set -- $(free_ports $((2 * ETCD_N)))
    ETCD_INITIAL=""
    ETCD_ENDPOINTS=""
    _n=1
    while [ "$_n" -le "$ETCD_N" ]; do
        eval "ETCD_CPORT_$_n=$1 ETCD_PPORT_$_n=$2 ETCD_URL_$_n=http://127.0.0.1:$1"
        ETCD_INITIAL="$ETCD_INITIAL${ETCD_INITIAL:+,}m$_n=http://127.0.0.1:$2"
        ETCD_ENDPOINTS="$ETCD_ENDPOINTS${ETCD_ENDPOINTS:+,}http://127.0.0.1:$1"
        shift 2
        _n=$((_n + 1))
    done
    _watchdog
    _n=1
    while [ "$_n" -le "$ETCD_N" ]; do
        _member_start "$_n"
        _n=$((_n + 1))
    done
    cluster_wait_healthy 1 2 3
    echo "etcd cluster up: $ETCD_ENDPOINTS (pids$ETCD_PIDS)"
}

# cluster_kill N: kills member N at once (SIGKILL: no clean hand-over) and reaps it.
cluster_kill() {
    eval "_p=\${ETCD_PID_$1:-}"
    [ -n "$_p" ] || fail "etcd member $1 is not running"
    kill -9 "$_p" 2>/dev/null
    wait "$_p" 2>/dev/null
    eval "ETCD_PID_$1="
    _etcd_pids_refresh
}

# cluster_restart N: starts member N again (its data directory makes it rejoin).
cluster_restart() {
    _member_start "$1"
    cluster_wait_healthy "$1"
}

# cluster_stop: SIGTERM to every member still running, SIGKILL to any left after 2 s (a
# member that lost its quorum may take longer to stop on its own; its data is thrown away).
cluster_stop() {
    for _p in $ETCD_PIDS; do
        kill "$_p" 2>/dev/null
    done
    _i=0
    for _p in $ETCD_PIDS; do
        while kill -0 "$_p" 2>/dev/null && [ "$_i" -lt 20 ]; do
            sleep 0.1
            _i=$((_i + 1))
        done
        kill -9 "$_p" 2>/dev/null
        wait "$_p" 2>/dev/null
    done
    ETCD_PIDS=""
    _i=1
    while [ "$_i" -le "$ETCD_N" ]; do
        eval "ETCD_PID_$_i="
        _i=$((_i + 1))
    done
}

# The live endpoints, for etcdctl.
_live_endpoints() {
    _e=""
    _i=1
    while [ "$_i" -le "$ETCD_N" ]; do
        eval "_p=\${ETCD_PID_$_i:-} _u=\$ETCD_URL_$_i"
        [ -n "$_p" ] && _e="$_e${_e:+,}$_u"
        _i=$((_i + 1))
    done
    echo "$_e"
}

# ECTL_USER: "--user=root:PASSWORD" once auth is on.
ECTL_USER=""
ectl() {
    etcdctl --endpoints="$(_live_endpoints)" --dial-timeout=3s --command-timeout=10s \
        ${ECTL_USER:+"$ECTL_USER"} "$@"
}

# cluster_leader: the member number that is the leader, by `etcdctl endpoint status`.
cluster_leader() {
    ectl endpoint status -w json 2>/dev/null | python3 -c 'import json, sys
urls = sys.argv[1:]
for st in json.load(sys.stdin):
    s = st["Status"]
    if s["header"]["member_id"] == s["leader"] and st["Endpoint"] in urls:
        print(urls.index(st["Endpoint"]) + 1)
        break' "$ETCD_URL_1" "$ETCD_URL_2" "$ETCD_URL_3"
}

# cluster_wait_leader: waits (up to 20 s) for a leader among the live members; prints it.
cluster_wait_leader() {
    _i=0
    while :; do
        _l=$(cluster_leader)
        [ -n "$_l" ] && break
        _i=$((_i + 1))
        [ "$_i" -gt 100 ] && return 1
        sleep 0.2
    done
    echo "$_l"
}

# cluster_move_leader N: hands the leadership to member N (etcdctl move-leader, sent to the
# current leader); waits until N leads.
cluster_move_leader() {
    _l=$(cluster_wait_leader) || fail "no leader"
    [ "$_l" = "$1" ] && return 0
    eval "_lu=\$ETCD_URL_$_l _tu=\$ETCD_URL_$1"
    _id=$(etcdctl --endpoints="$_tu" endpoint status -w json | python3 -c 'import json, sys
print("%x" % json.load(sys.stdin)[0]["Status"]["header"]["member_id"])')
    etcdctl --endpoints="$_lu" move-leader "$_id" >/dev/null || fail "cannot move the leadership to member $1"
    _i=0
    until [ "$(cluster_leader)" = "$1" ]; do
        _i=$((_i + 1))
        [ "$_i" -lt 50 ] || fail "member $1 did not become the leader"
        sleep 0.1
    done
}

# log_count PREFIX / ev_count PREFIX: the keys under PREFIX/log/ and PREFIX/ev/.
_key_count() {
    ectl get "$1" --prefix --keys-only --limit=1 -w json | python3 -c 'import json, sys
print(json.load(sys.stdin).get("count", 0))'
}
log_count() {
    _key_count "$1/log/"
}
ev_count() {
    _key_count "$1/ev/"
}

# cluster_logs: the tail of each member's log, on stderr (when something failed).
cluster_logs() {
    _i=1
    while [ "$_i" -le "$ETCD_N" ]; do
        if [ -f "$tmp/etcd/m$_i.log" ]; then
            echo "  --- etcd m$_i log (last 5 lines):" >&2
            tail -n 5 "$tmp/etcd/m$_i.log" | cut -c1-300 | sed 's/^/  | /' >&2
        fi
        _i=$((_i + 1))
    done
}

# The members stop before lib.sh's cleanup removes their data directories.
_cluster_exit() {
    _status=$?
    [ "$_status" -ne 0 ] && cluster_logs
    cluster_stop
    cleanup
    exit "$_status"
}
trap _cluster_exit EXIT

# ---- what the tests compare between stores ----

# uuids DB: the uuids of the events in DB, sorted.
uuids() {
    sqlite3 "$1" 'select uuid from event order by uuid'
}

# shared_order DB: the shared log as DB holds it: position and uuid, in log order.
shared_order() {
    sqlite3 "$1" 'select pos || " " || uuid from shared order by pos'
}

# shared_head DB: "N HEX" from `docket verify` ("shared log: N events, head shared:N:HEX").
shared_head() {
    "$DOCKET" -d "$1" verify 2>/dev/null | sed -n 's/.*shared log: \([0-9]*\) events, head shared:[0-9]*:\([0-9a-f]*\).*/\1 \2/p'
}

# status_head DB: "N HEX" from `docket status` ("shared log   N events, head shared:N:HEX").
status_head() {
    "$DOCKET" -d "$1" status 2>/dev/null | sed -n 's/^shared log *\([0-9]*\) events, head shared:[0-9]*:\([0-9a-f]*\).*/\1 \2/p'
}

# unpublished DB: the number `docket status --json` gives as unpublished.
unpublished() {
    "$DOCKET" -d "$1" status --json 2>/dev/null | python3 -c 'import json, sys
print(json.load(sys.stdin)["unpublished"])'
}

# dup_uuids DB: the number of uuids that appear more than once among DB's events (0).
dup_uuids() {
    sqlite3 "$1" 'select count(*) from (select uuid from event group by uuid having count(*) > 1)'
}

# gaps DB: whether DB's shared positions are 1..N without a gap: prints "ok" or the figures.
gaps() {
    sqlite3 "$1" 'select case when count(*) = coalesce(max(pos), 0) and coalesce(min(pos), 1) = 1
                  then "ok" else "count " || count(*) || ", max " || max(pos) end
                  from (select pos from shared union all select pos from quarantine)'
}

# log_uuids PREFIX: the uuids of the events in the shared log (etcd), in log order.
log_uuids() {
    ectl get "$1/log/" --prefix --print-value-only | python3 -c 'import json, sys
for line in sys.stdin:
    line = line.strip()
    if line:
        print(json.loads(line)["uuid"])'
}

# expect_converged DB...: the stores hold the same events (the same uuids), the same shared
# log in the same order, the same `list --json`, the same shared-log head in `verify` and in
# `status`, nothing unpublished; and each store's own chain verifies. Prints the figures.
expect_converged() {
    _first=$1
    uuids "$_first" >"$tmp/conv.uuids"
    shared_order "$_first" >"$tmp/conv.order"
    "$DOCKET" -d "$_first" list --json >"$tmp/conv.list" || fail "list --json on $_first failed"
    _head=$(shared_head "$_first")
    for _db in "$@"; do
        last_cmd="-d $_db verify"
        "$DOCKET" -d "$_db" verify >"$tmp/out" 2>"$tmp/err"
        rc=$?
        expect_rc 0
        expect_out_fixed "shared log: "
        expect_eq "events of $_db" "$(events "$_db")" "$(wc -l <"$tmp/conv.uuids" | tr -d ' ')"
        uuids "$_db" | cmp -s - "$tmp/conv.uuids" || fail "$_db holds other events than $_first"
        pass
        shared_order "$_db" | cmp -s - "$tmp/conv.order" ||
            fail "$_db has another shared log order than $_first"
        pass
        expect_eq "shared positions of $_db" "$(gaps "$_db")" ok
        expect_eq "duplicate uuids in $_db" "$(dup_uuids "$_db")" 0
        "$DOCKET" -d "$_db" list --json | cmp -s - "$tmp/conv.list" ||
            fail "list --json differs between $_db and $_first"
        pass
        expect_eq "verify's shared-log head of $_db" "$(shared_head "$_db")" "$_head"
        expect_eq "status's shared-log head of $_db" "$(status_head "$_db")" "$_head"
        expect_eq "unpublished events in $_db" "$(unpublished "$_db")" 0
    done
    _n=$(wc -l <"$tmp/conv.uuids" | tr -d ' ')
    echo "converged: $# stores, $_n events each, same order; shared log $_head"
    [ -n "$_head" ] || fail "verify printed no shared-log head"
}

# expect_log_exact PREFIX DB...: the shared log in etcd holds exactly the events of the
# stores: as many log keys as ev keys as events in the first store, each uuid once, and the
# same uuids, in the same order, as the store's shared log.
expect_log_exact() {
    _p=$1
    shift
    _want=$(events "$1")
    _logn=$(log_count "$_p")
    _evn=$(ev_count "$_p")
    log_uuids "$_p" >"$tmp/log.uuids"
    _dups=$(sort "$tmp/log.uuids" | uniq -d | wc -l | tr -d ' ')
    echo "etcd $_p: $_logn log keys, $_evn ev keys, $_dups duplicate uuids; store $1: $_want events"
    expect_eq "keys under $_p/log/" "$_logn" "$_want"
    expect_eq "keys under $_p/ev/" "$_evn" "$_want"
    expect_eq "duplicate uuids in the shared log" "$_dups" 0
    sqlite3 "$1" 'select uuid from shared order by pos' | cmp -s - "$tmp/log.uuids" ||
        fail "the shared log in etcd is not the shared log of $1"
    pass
}

# head_pos PREFIX: the shared log's length as PREFIX/head says, read through the gateway of
# any live member (0 when there is none yet).
head_pos() {
    python3 -c 'import base64, json, sys, urllib.request
prefix, urls = sys.argv[1], sys.argv[2].split(",")
body = json.dumps({"key": base64.b64encode((prefix + "/head").encode()).decode()}).encode()
for url in urls:
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/v3/kv/range", body), timeout=1) as r:
            kvs = json.load(r).get("kvs", [])
            print(json.loads(base64.b64decode(kvs[0]["value"]))["pos"] if kvs else 0)
            sys.exit(0)
    except OSError:
        continue
sys.exit(1)' "$1" "$(_live_endpoints)"
}

# make_events NAME TAG N: office NAME adds N instances undg.regional/TAG0001.. (one import), tracked
# from 2016-01, and sets them all to approached (one batch): 2 N events, without a sync.
make_events() {
    python3 -c 'import sys
print("key,title,date")
for i in range(1, int(sys.argv[2]) + 1):
    print("undg.regional/%s%04d,UN regional team %s%04d,2016-01" % (sys.argv[1], i, sys.argv[1], i))' "$2" "$3" >"$tmp/$1.csv"
    office_ok "$1" import --csv "$tmp/$1.csv"
    office_ok "$1" set $(python3 -c 'import sys
print(" ".join("undg.regional/%s%04d" % (sys.argv[1], i) for i in range(1, int(sys.argv[2]) + 1)))' "$2" "$3") \
        approached -m "letters to the UN regional teams" --on 2016-03
}

# sync_bg NAME: starts `docket sync --once` on office NAME in the background (bounded by
# RUN_LIMIT); sets SYNC_PID; its output goes to $tmp/NAME.sync.out and .err.
sync_bg() {
    timeout -k 5 "$RUN_LIMIT" "$DOCKET" -d "$tmp/$1.db" sync --once >"$tmp/$1.sync.out" 2>"$tmp/$1.sync.err" &
    SYNC_PID=$!
    bg_pids="$bg_pids $SYNC_PID"
}

# sync_until_done NAME...: syncs the offices in turn until none has anything unpublished and
# all agree on the shared head (at most 10 rounds); sets SYNC_ROUNDS to the rounds it took.
sync_until_done() {
    _round=0
    while :; do
        _round=$((_round + 1))
        [ "$_round" -le 10 ] || fail "the offices did not settle in 10 rounds of sync"
        for _o in "$@"; do
            office "$_o" sync --once
            [ "$rc" -eq 0 ] || echo "  round $_round: sync of $_o: exit $rc: $(head -n 1 "$tmp/err")" >&2
        done
        _done=1
        _h=""
        for _o in "$@"; do
            [ "$(unpublished "$tmp/$_o.db")" = 0 ] || _done=0
            _x=$(status_head "$tmp/$_o.db")
            [ -z "$_h" ] || [ "$_h" = "$_x" ] || _done=0
            _h=$_x
        done
        [ "$_done" = 1 ] && break
    done
    SYNC_ROUNDS=$_round
}
