# The Debian package (what make deb makes, here from the test's own build): CPack builds it,
# dpkg-deb unpacks it into a temporary root, the docket in it creates, lists and reports, its
# manual pages, completion, copyright and changelog are there, its fields are right, and
# lintian finds no error in it.
. "$(dirname "$0")/lib.sh"

build=$(dirname "${DOCKET_REAL:-$DOCKET}")
[ -f "$build/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $build"
for tool in cpack dpkg-deb dpkg-shlibdeps lintian; do
    command -v $tool >/dev/null 2>&1 || fail "needs $tool (deps.txt)"
done
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 ||
    fail "cpack failed: $(tail -n 5 "$tmp/cpack.log")"
deb=$(ls "$tmp"/pkg/docket_*.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || fail "cpack made no docket_*.deb"

# The control fields.
dpkg-deb -f "$deb" Package Depends Recommends Suggests Section >"$tmp/fields" || fail "dpkg-deb -f"
for want in "^Package: docket$" "^Depends: .*libsqlite3-0" "^Depends: .*libjansson4" \
    "^Depends: .*libssl3" "^Recommends: libcurl4$" "^Suggests: etcd-client$"; do
    grep -q -e "$want" "$tmp/fields" || fail "control fields lack '$want': $(cat "$tmp/fields")"
    pass
done
! grep -q "^Depends: .*libcurl" "$tmp/fields" || fail "libcurl is loaded at first use: recommended, not a dependency"
pass

# Unpacked into a temporary root, it runs from there.
root=$tmp/root
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x failed"
for f in usr/bin/docket usr/share/man/man1/docket.1.gz usr/share/man/man1/docket-list.1.gz \
    usr/share/bash-completion/completions/docket usr/share/doc/docket/copyright \
    usr/share/doc/docket/changelog.Debian.gz; do
    [ -f "$root/$f" ] || fail "the package lacks /$f"
    pass
done
file_out=$(od -A n -c "$root/usr/bin/docket" | head -n 1)
case $file_out in *E*L*F*) pass ;; *) fail "/usr/bin/docket is not an ELF file" ;; esac
! readelf -S "$root/usr/bin/docket" 2>/dev/null | grep -q '\.symtab' || fail "/usr/bin/docket is not stripped"
pass
cd "$tmp" || fail "cd"
"$root/usr/bin/docket" -d "$tmp/pkg.db" init >"$tmp/out" 2>"$tmp/err" || fail "init from the package failed"
"$root/usr/bin/docket" -d "$tmp/pkg.db" list >"$tmp/out" 2>"$tmp/err" || fail "list from the package failed"
expect_out "^ceb "
"$root/usr/bin/docket" -d "$tmp/pkg.db" report >"$tmp/out" 2>"$tmp/err" || fail "report from the package failed"
[ -s "$tmp/out" ] || fail "report from the package printed nothing"
pass

# lintian: no error (E:) line.
lintian --no-tag-display-limit "$deb" >"$tmp/lintian" 2>&1
if grep -q '^E:' "$tmp/lintian"; then
    fail "lintian reports errors: $(grep '^E:' "$tmp/lintian" | head -n 5)"
fi
pass
done_ok
