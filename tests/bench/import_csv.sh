# Benchmark (not a test; ctest does not run it): docket import --csv of generated CSV files, under
# /usr/bin/time -v, into a fresh store each. Prints, per size: rows, seconds and peak RSS, from a
# file and from standard input (spooled to a temporary file); and, up to 100,000 rows, the import
# of the CSV that export --format csv writes from the store just made. Target: peak RSS flat in
# the number of rows, under 64 MiB at 1,000,000 rows, in a Release build (make bench builds one).
# Usage: sh tests/bench/import_csv.sh [/path/to/docket [ROWS...]]
#        (default: build-bench/docket; 10000 100000 1000000 rows)
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/.." && pwd)}"
if [ $# -lt 1 ]; then
    set -- "$DOCKET_TESTS/../build-bench/docket"
fi
. "$DOCKET_TESTS/cli/lib.sh"
shift
[ $# -gt 0 ] || set -- 10000 100000 1000000
[ -x /usr/bin/time ] || fail "needs /usr/bin/time (deps.txt: time)"

# gen N: N rows of new items; every other one has a status and a date; titles hold commas,
# quotes and, one in ten, a leading = (written back after a ').
gen() {
    awk -v n="$1" 'BEGIN {
        printf "key,title,kind,status,date,description\r\n"
        for (i = 0; i < n; i++)
            printf "bench.i%07d,\"%sItem %d, with \"\"quotes\"\"\",action,%s,%s,Row %d\r\n", i,
                (i % 10 == 0) ? "'\''=" : "", i, (i % 2) ? "in-progress" : "",
                (i % 2) ? "2016-05" : "", i
    }'
}

# measure LABEL ROWS DB ARGS...: runs docket -d DB ARGS under /usr/bin/time -v, prints a row.
measure() {
    _label=$1
    _rows=$2
    _db=$3
    shift 3
    rm -f "$_db" "$_db-wal" "$_db-shm"
    "$DOCKET" -d "$_db" init >/dev/null || fail "init $_db"
    /usr/bin/time -v "$DOCKET" -d "$_db" "$@" >"$tmp/out" 2>"$tmp/time" ||
        fail "$_label: $(cat "$tmp/out" "$tmp/time")"
    grep -q "^imported $_rows items" "$tmp/out" || fail "$_label: $(cat "$tmp/out")"
    awk -v label="$_label" -v rows="$_rows" '
        /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
        /Maximum resident set size/ { rss = $NF / 1024 }
        END { printf "| %-30s | %9d | %8.1f s | %7.1f MiB |\n", label, rows, s, rss }' "$tmp/time"
}

echo "docket import --csv: $DOCKET"
echo "cpus: $(nproc 2>/dev/null || echo '?'); store and files in $tmp"
printf '| %-30s | %9s | %10s | %11s |\n' input rows time "peak RSS"
printf '|%s|%s|%s|%s|\n' "--------------------------------" "-----------" "------------" "-------------"
for n in "$@"; do
    gen "$n" >"$tmp/in.csv"
    mib=$(wc -c <"$tmp/in.csv" | awk '{ printf "%.1f", $1 / 1048576 }')
    measure "file ($mib MiB)" "$n" "$tmp/a.db" import --csv "$tmp/in.csv"
    measure "standard input ($mib MiB)" "$n" "$tmp/b.db" import --csv - <"$tmp/in.csv"
    rm -f "$tmp/b.db" "$tmp/b.db-wal" "$tmp/b.db-shm"
    if [ "$n" -le 100000 ]; then
        "$DOCKET" -d "$tmp/a.db" export --format csv -o "$tmp/export.csv" || fail "export"
        items=$(sql "select count(*) from items" "$tmp/a.db")
        measure "its own export ($items items)" "$n" "$tmp/c.db" import --csv "$tmp/export.csv"
        rm -f "$tmp/c.db" "$tmp/c.db-wal" "$tmp/c.db-shm" "$tmp/export.csv"
    fi
    rm -f "$tmp/in.csv" "$tmp/a.db" "$tmp/a.db-wal" "$tmp/a.db-shm"
done
