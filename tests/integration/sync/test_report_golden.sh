# The progress report of a store that two offices share, with a conflict between them, as
# golden outputs in every format and in English, French and Spanish: the history of the golden
# reports (tests/cli/report_history.sh: instances, safeguards at risk and breached, costs in two
# currencies) made by office a, and a status of one item set by each office without either
# having seen the other's. Both offices print the same report, but for their own trail's head.
# Regenerate the outputs (tests/integration/sync/golden/) with
#   DOCKET_UPDATE_GOLDEN=1 sh tests/integration/sync/test_report_golden.sh build/docket
# then read them through before committing them.
# Usage: sh tests/integration/sync/test_report_golden.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/cli/report_history.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"

golden=$DOCKET_TESTS/integration/sync/golden
ASOF=2017-12-31

cluster_start
P=rgold
two_offices
DOCKET_DB=$A
report_history
# b, which has seen nothing of a's since it was cloned, sets iasc as a does, to another status.
office_ok a set iasc member -m "admitted to the IASC" --on 2016-06 \
    --evidence https://example.org/iasc/admission.pdf
office_ok b set iasc observer -m "observer at the IASC" --on 2017-03
sync_until_done a b
expect_converged "$A" "$B"
expect_eq "conflicts" "$("$DOCKET" -d "$A" conflicts --json | python3 -c 'import json, sys
print(" ".join(c["key"] + ":" + c["first"]["status"] + "/" + c["second"]["status"] for c in json.load(sys.stdin)))')" \
    "iasc:member/observer"

# report OFFICE NAME: office OFFICE's report NAME (FMT or LANG.FMT) in $tmp/OFFICE.NAME, with
# every trail head (64 hex digits) written HEAD. Nothing else may vary from run to run: no
# event, item or replica ids, no recorded times.
report() {
    _fmt=${2##*.}
    _lang=en
    [ "$2" = "$_fmt" ] || _lang=${2%%.*}
    office_ok "$1" report --reproducible --as-of $ASOF --format "$_fmt" --lang "$_lang"
    expect_out '[0-9a-f]\{64\}'
    expect_not_out '[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
    expect_not_out '[0-9]T[0-9][0-9]:[0-9][0-9]'
    sed 's/[0-9a-f]\{64\}/HEAD/g' "$tmp/out" >"$tmp/$1.$2"
}

differ=""
for name in md html csv json fr.md fr.html es.md es.html; do
    report a "$name"
    report b "$name"
    cmp -s "$tmp/a.$name" "$tmp/b.$name" || {
        diff -u "$tmp/a.$name" "$tmp/b.$name" | head -n 20 >&2
        fail "the offices' $name reports differ"
    }
    pass
    if [ "${DOCKET_UPDATE_GOLDEN:-}" = 1 ]; then
        mkdir -p "$golden"
        cp "$tmp/a.$name" "$golden/report.$name"
        echo "wrote $golden/report.$name" >&2
    elif ! cmp -s "$tmp/a.$name" "$golden/report.$name"; then
        diff -u "$golden/report.$name" "$tmp/a.$name" | head -n 40 >&2
        differ="$differ $name"
    fi
done
[ -z "$differ" ] ||
    fail "reports differ from $golden/report.*:$differ (DOCKET_UPDATE_GOLDEN=1 rewrites them)"
pass

# What people read of the conflict, in each language: the summary says the offices disagree;
# the conflicts section gives the item's title, the statuses' labels, the offices and the dates
# in words.
for want in "en:The offices disagree on the status of 1 item." \
    "en:| Become a member of the Inter-Agency Standing Committee (IASC) | Member (a, June 2016) | Observer (b, March 2017) | 119 |" \
    "fr:Les bureaux divergent sur le statut de 1 élément." \
    "fr:| Devenir membre du Comité permanent interorganisations (CPI) | Membre (a, juin 2016) | Observateur (b, mars 2017) | 119 |" \
    "es:Las oficinas discrepan sobre el estado de 1 elemento." \
    "es:| Pasar a ser miembro del Comité Permanente entre Organismos (IASC) | Miembro (a, junio de 2016) | Observador (b, marzo de 2017) | 119 |"; do
    f=$tmp/a.${want%%:*}.md
    [ "${want%%:*}" = en ] && f=$tmp/a.md
    grep -q -F -e "${want#*:}" "$f" || fail "the ${want%%:*} report lacks '${want#*:}'"
    pass
done
# Machines read the key and the slugs.
grep -q -F -e 'iasc,Become a member of the Inter-Agency Standing Committee (IASC),"member (a, 2016-06)","observer (b, 2017-03)",119' "$tmp/a.csv" ||
    fail "the csv report lacks the conflict's key and slugs"
pass
done_ok
