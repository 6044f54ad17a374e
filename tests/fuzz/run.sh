#!/bin/sh
# run.sh: runs one libFuzzer target for SECONDS from the committed corpus (and SEEDS, folders of
# shipped files that also serve as inputs); new inputs and any crash go under WORK, never into
# the source tree. Fails on a crash, a leak, a timeout (an input taking over 10 s) or an input
# using over 2 GiB; prints the figures of the run.
# usage: sh run.sh FUZZER CORPUS WORK SECONDS [SEEDS...]
set -u
fuzzer=$1 corpus=$2 work=$3 seconds=$4
shift 4
name=$(basename "$fuzzer")
rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$corpus" "$@" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1)
new=$(ls "$work/corpus" | wc -l)
seeds=$(ls "$corpus" | wc -l)
echo "# $name: ${seconds} s, ${runs:-?} inputs, ${cov:-cov: ?}, corpus $new new + $seeds committed," \
    "exit $rc"
if [ $rc -ne 0 ] || ls "$work/artifacts" | grep -q .; then
    echo "FAIL $name: exit $rc; artifacts in $work/artifacts (commit each as a regression" \
        "input under $corpus/ once fixed):"
    ls -la "$work/artifacts"
    grep -A 40 -m 1 -E 'ERROR|runtime error|deadly signal|Timeout|out-of-memory' "$work/log"
    exit 1
fi
