# Shared helpers for the integration tests: sourced by each tests/integration/test_*.sh.
# Usage: sh tests/integration/test_X.sh /path/to/docket   (ctest sets $DOCKET_TESTS)
# On top of tests/cli/lib.sh: real local servers on 127.0.0.1 (tests/integration/server.py),
# started by the test, stopped by PID when it ends, and a time bound on every docket run.

set -u

: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"

IT_DIR="$DOCKET_TESTS/integration"
SERVER="$IT_DIR/server.py"
# No proxy may take a loopback request elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY='*' no_proxy='*'
command -v timeout >/dev/null 2>&1 || {
    echo "$0: needs timeout (coreutils)" >&2
    exit 2
}

# Every docket run is bounded: a hung transfer fails the test rather than ctest's timeout.
# timeout's own exit (124) is reported by expect_rc as the wrong code.
RUN_LIMIT=${RUN_LIMIT:-60}
run() {
    last_cmd="$*"
    timeout -k 5 "$RUN_LIMIT" "$DOCKET" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# start_server NAME MODE ARGS...: starts server.py MODE ARGS in the background; sets
# ${NAME}_PORT and ${NAME}_PID. The PID is stopped when the test ends (and the server ends
# itself after its --lifetime, 300 s by default). Use as: start_server web http || exit 1
start_server() {
    _name=$1
    shift
    : >"$tmp/$_name.port"
    python3 "$SERVER" "$@" >"$tmp/$_name.port" 2>"$tmp/$_name.log" &
    _pid=$!
    bg_pids="$bg_pids $_pid"
    _i=0
    while [ ! -s "$tmp/$_name.port" ]; do
        _i=$((_i + 1))
        if [ "$_i" -gt 100 ] || ! kill -0 "$_pid" 2>/dev/null; then
            cat "$tmp/$_name.log" >&2
            fail "server $_name ($*) did not start"
        fi
        sleep 0.1
    done
    _port=$(head -n 1 "$tmp/$_name.port")
    eval "${_name}_PORT=$_port ${_name}_PID=$_pid"
}

# stop_server PID: stops one server this test started.
stop_server() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    _left=""
    for _p in $bg_pids; do
        [ "$_p" = "$1" ] || _left="$_left $_p"
    done
    bg_pids=$_left
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# now_ms: a clock in milliseconds, for time bounds.
now_ms() {
    _ns=$(date +%s%N 2>/dev/null)
    case $_ns in
    *N | "") python3 -c 'import time; print(int(time.time() * 1000))' ;;
    *) echo $((_ns / 1000000)) ;;
    esac
}

# expect_le WHAT GOT MAX: GOT <= MAX (integers).
expect_le() {
    [ "$2" -le "$3" ] || fail "$1: got $2, expected at most $3"
    pass
}

# expect_count WHAT FILE PATTERN N: exactly N lines of FILE contain the fixed string PATTERN.
expect_count() {
    _n=$(grep -c -F -e "$3" "$2")
    [ "$_n" -eq "$4" ] || fail "$1: $_n lines contain '$3', expected $4"
    pass
}

# figure TEXT: a measured figure, printed on stdout (ctest -V shows it).
figure() {
    echo "figure $test_name: $*"
}
