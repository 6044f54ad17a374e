# The manual pages under man/ against the binary's --help: every command of 'docket --help' has
# a page and every page a command; each page lists the same options (.Fl in its
# OPTIONS section) as 'docket CMD --help' (docket(1): the global options); and each page renders
# without warnings.
. "$(dirname "$0")/lib.sh"

man=${DOCKET_TESTS:-$(dirname "$0")/..}/../man
[ -f "$man/docket.1" ] || fail "no man/docket.1 beside the tests"
command -v mandoc >/dev/null 2>&1 || fail "needs mandoc (deps.txt)"

# Options the pages document ahead of the binary, for the terminal part of issue 17 being built
# beside this one: allowed only while --help does not list them yet (once it does, they are
# compared like any other).
ahead_global="--color"
ahead_list="--wide --sort --columns"

# help_opts: the options in $tmp/out from '--help' (the lines after HEADER), one per line.
help_opts() {
    awk -v h="$1" '$0 == h { on = 1; next } on && /^$/ { on = 0 } on' "$tmp/out" |
        sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\1\2/p' | tr -s ', ' '\n\n' |
        grep -v -x -e '-h' -e '--help' | sort -u
}

# page_opts PAGE: the options named by .Fl in its OPTIONS section.
page_opts() {
    awk '/^\.Sh /{ on = ($2 == "OPTIONS") } on' "$1" |
        awk '{ for (i = 1; i < NF; i++) if ($i == "Fl") print $(i + 1) }' |
        sed -e 's/^\\-/--/' -e 's/^\([A-Za-z0-9]\)$/-\1/' | grep -v -x -e '-h' -e '--help' | sort -u
}

# compare NAME PAGE AHEAD: the options of $tmp/out (after HEADER $4) against PAGE's.
compare() {
    help_opts "$4" >"$tmp/h.opts"
    page_opts "$2" >"$tmp/p.opts"
    for o in $(comm -23 "$tmp/h.opts" "$tmp/p.opts"); do
        fail "$1: $o is in --help but not in $(basename "$2")"
    done
    for o in $(comm -13 "$tmp/h.opts" "$tmp/p.opts"); do
        case " $3 " in
        *" $o "*) continue ;;
        esac
        fail "$1: $o is in $(basename "$2") but not in --help"
    done
    [ -s "$tmp/h.opts" ] || [ ! -s "$tmp/p.opts" ] || fail "$1: no option read from --help"
    pass
}

run_ok --help
compare docket "$man/docket.1" "$ahead_global" "global options (before the command):"
sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$tmp/out" >"$tmp/commands"
[ "$(wc -l <"$tmp/commands")" -ge 20 ] || fail "too few commands read from docket --help"

# Every command has a page listing its options; every page is a command's.
for c in $(cat "$tmp/commands"); do
    [ -f "$man/docket-$c.1" ] || fail "docket $c has no page man/docket-$c.1"
    run_ok "$c" --help
    ahead=""
    [ "$c" = list ] && ahead=$ahead_list
    compare "docket $c" "$man/docket-$c.1" "$ahead" "options:"
    grep -q "^\.Xr docket-$c 1" "$man/docket.1" || fail "docket.1 does not refer to docket-$c(1)"
done
for p in "$man"/docket-*.1; do
    c=$(basename "$p" .1)
    c=${c#docket-}
    grep -q -x "$c" "$tmp/commands" || fail "$(basename "$p") is not a command of docket --help"
    pass
done

# Each page renders without a warning, with mandoc and with groff.
for p in "$man"/*.1; do
    mandoc -Tlint -Wwarning "$p" >"$tmp/lint" 2>&1 || true
    [ ! -s "$tmp/lint" ] || fail "mandoc warns about $(basename "$p"): $(head -n 3 "$tmp/lint")"
    if command -v groff >/dev/null 2>&1; then
        groff -mdoc -ww -z "$p" >"$tmp/lint" 2>&1
        [ ! -s "$tmp/lint" ] || fail "groff warns about $(basename "$p"): $(head -n 3 "$tmp/lint")"
    fi
    pass
done
done_ok
