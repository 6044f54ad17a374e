# Benchmark (not a test; ctest does not run it): docket links --check of 1,000 evidence links
# against a local server on 127.0.0.1 that answers each request after 50 ms.
# Usage: sh tests/bench/links.sh [/path/to/docket]   (default: build/docket)
# Prints figures: the default parallelism (8; target under 8 s), other parallelisms, and one at
# a time on 200 of the links, extrapolated to 1,000 (set FULL_SERIAL=1 to time all 1,000 serially,
# about 50 s).
set -u
here=$(cd "$(dirname "$0")" && pwd)
DOCKET_TESTS=$(cd "$here/.." && pwd)
export DOCKET_TESTS
if [ $# -lt 1 ]; then
    set -- "$DOCKET_TESTS/../build/docket"
fi
RUN_LIMIT=300
. "$DOCKET_TESTS/integration/lib.sh"

N=1000
DELAY=0.05
mkdir -p "$tmp/root"
i=0
while [ $i -lt $N ]; do
    echo "document $i" >"$tmp/root/d$i.txt"
    i=$((i + 1))
done
start_server web http --root "$tmp/root" --delay "$DELAY" --lifetime 900
base="http://127.0.0.1:$web_PORT/files"

init_store
# 200 links on ceb (the serial sample), 100 on each of eight other items.
i=0
for key in ceb ceb ceb.hlcm ceb.hlcp ceb.undg echa iasc iasmn smt unct; do
    set -- note "$key" -m "evidence"
    j=0
    while [ $j -lt 100 ]; do
        set -- "$@" --evidence "$base/d$i.txt"
        i=$((i + 1))
        j=$((j + 1))
    done
    run_ok "$@"
done
run_ok links
expect_eq "links" "$(wc -l <"$tmp/out" | tr -d ' ')" $N

# timed LABEL ARGS...: runs docket links --check ARGS, checks every link was ok, prints the time.
timed() {
    _label=$1
    shift
    _n0=$(events)
    _t0=$(now_ms)
    run links --check "$@"
    _t1=$(now_ms)
    expect_rc 0
    _ok=$(grep -c '^ok ' "$tmp/out")
    _links=$(($(events) - _n0))
    printf '| %-40s | %5d | %6.2f s |\n' "$_label" "$_links" "$(echo "$_t0 $_t1" | awk '{ print ($2 - $1) / 1000 }')"
    [ "$_ok" -eq "$_links" ] || fail "$_label: only $_ok of $_links links ok"
    last_ms=$((_t1 - _t0))
}

echo "docket links --check, $N links, server answers each after ${DELAY}s (threaded, 127.0.0.1)"
echo
echo "| run                                      | links |     time |"
echo "|------------------------------------------|-------|----------|"
timed "default parallelism (8)"
default_ms=$last_ms
timed "--parallel 16" --parallel 16
timed "--parallel 64" --parallel 64
timed "--parallel 1, 200 links (--key ceb)" --parallel 1 --key ceb
serial200_ms=$last_ms
if [ "${FULL_SERIAL:-0}" = 1 ]; then
    timed "--parallel 1, all links" --parallel 1
    serial_ms=$last_ms
    serial_note="measured"
else
    serial_ms=$((serial200_ms * N / 200))
    serial_note="extrapolated from 200 links x $((N / 200))"
fi
echo
echo "default parallelism: $(echo "$default_ms" | awk '{ printf "%.2f", $1 / 1000 }') s for $N links (target under 8 s): $(
    [ "$default_ms" -lt 8000 ] && echo met || echo NOT met)"
echo "one at a time: $(echo "$serial_ms" | awk '{ printf "%.1f", $1 / 1000 }') s for $N links ($serial_note)"
echo "speed-up of the default over one at a time: $(echo "$serial_ms $default_ms" | awk '{ printf "%.1f", $1 / $2 }')x"
