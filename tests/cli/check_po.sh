#!/bin/sh
# check_po.sh: the message catalogues are complete. Each po/LANG.po compiles with
# `msgfmt --check` and has no untranslated and no fuzzy message, and holds exactly the messages
# of po/docket.pot (msgid and msgctxt), both ways round.
# Usage: check_po.sh MSGFMT PODIR
set -u
msgfmt=$1
podir=$2
msgcmp=$(dirname "$msgfmt")/msgcmp
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0
found=0
for po in "$podir"/*.po; do
    [ -f "$po" ] || continue
    found=$((found + 1))
    lang=$(basename "$po" .po)
    if ! "$msgfmt" --check --statistics -o "$tmp/$lang.mo" "$po" 2>"$tmp/$lang.log"; then
        cat "$tmp/$lang.log" >&2
        echo "check_po: $lang.po does not compile" >&2
        rc=1
        continue
    fi
    stats=$(grep 'translated message' "$tmp/$lang.log")
    echo "$lang: $stats"
    case $stats in
    *untranslated* | *fuzzy*)
        echo "check_po: $lang.po has untranslated or fuzzy messages: $stats" >&2
        rc=1
        ;;
    esac
    # Every message of the template is in the catalogue, and the catalogue has no other.
    if ! "$msgcmp" "$po" "$podir/docket.pot" 2>"$tmp/cmp.log" ||
        ! "$msgcmp" --use-untranslated "$podir/docket.pot" "$po" 2>>"$tmp/cmp.log"; then
        cat "$tmp/cmp.log" >&2
        echo "check_po: $lang.po and docket.pot do not hold the same messages" >&2
        rc=1
    fi
done
# Every word the shipped reports give people is a message of the template.
python3 "$(dirname "$0")/check_report_words.py" "$podir/docket.pot" "$podir/../reports" || rc=1
if [ "$found" -eq 0 ]; then
    echo "check_po: no catalogue in $podir" >&2
    exit 1
fi
exit $rc
