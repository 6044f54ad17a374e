# cmake --install (what make install runs) puts the binary, the gzipped manual pages, the bash
# completion, the copyright and the changelog where Debian expects them, under a prefix and a
# DESTDIR; the installed binary works from there, with its checklist and reports embedded.
. "$(dirname "$0")/lib.sh"

build=$(dirname "${DOCKET_REAL:-$DOCKET}")
[ -f "$build/cmake_install.cmake" ] || fail "no cmake_install.cmake in $build"
cmake --build "$build" --target docket-gz >/dev/null 2>&1 || fail "cannot build the gzipped pages"
DESTDIR=$tmp/dest cmake --install "$build" --prefix /opt/dk >"$tmp/install.log" 2>&1 ||
    fail "cmake --install failed: $(tail -n 3 "$tmp/install.log")"
root=$tmp/dest/opt/dk
for f in bin/docket share/man/man1/docket.1.gz share/man/man1/docket-set.1.gz \
    share/man/man1/docket-report.1.gz share/bash-completion/completions/docket \
    share/doc/docket/copyright share/doc/docket/changelog.Debian.gz; do
    [ -f "$root/$f" ] || fail "cmake --install did not install $f"
    pass
done
[ -x "$root/bin/docket" ] || fail "the installed docket is not executable"
pages=$(ls "$root/share/man/man1" | wc -l)
expect_eq "pages installed" "$pages" "$(ls "${DOCKET_TESTS:-$(dirname "$0")/..}/../man" | wc -l)"
gzip -t "$root/share/man/man1/docket.1.gz" || fail "docket.1.gz is not gzip"
gzip -dc "$root/share/man/man1/docket.1.gz" | grep -q '^\.Sh ENVIRONMENT' || fail "docket.1.gz is not the page"
pass

# The installed binary creates, lists and reports from anywhere (nothing read from the tree).
cd "$tmp" || fail "cd"
"$root/bin/docket" -d "$tmp/inst.db" init >"$tmp/out" 2>"$tmp/err" || fail "installed init failed"
"$root/bin/docket" -d "$tmp/inst.db" list >"$tmp/out" 2>"$tmp/err" || fail "installed list failed"
expect_out "^ceb "
"$root/bin/docket" -d "$tmp/inst.db" report >"$tmp/out" 2>"$tmp/err" || fail "installed report failed"
expect_out "Resolution\|1309"
done_ok
