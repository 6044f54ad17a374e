# docket --version, and cmake/version.cmake that makes it: a valid Debian version (a digit
# first, then only [0-9A-Za-z.+~]) from git describe, with the release number when there is no
# git checkout or no tag.
. "$(dirname "$0")/lib.sh"

script=${DOCKET_TESTS:-$(dirname "$0")/..}/../cmake/version.cmake
[ -f "$script" ] || fail "no cmake/version.cmake beside the tests"
for tool in cmake git; do
    command -v $tool >/dev/null 2>&1 || fail "needs $tool"
done

debian_ok() {
    printf '%s\n' "$1" | grep -q -x '[0-9][0-9A-Za-z.+~]*' || fail "'$1' is not a valid Debian version"
    pass
}

run_ok --version
expect_out "^docket [0-9]"
debian_ok "$(sed 's/^docket //' "$tmp/out")"

# version_of DIR: the version the script makes for a source tree DIR, with release 0.1.0.
version_of() {
    cmake -DSRC="$1" -DOUT="$tmp/v.h" -DBASE=0.1.0 -P "$script" >/dev/null 2>&1 ||
        fail "cmake/version.cmake failed on $1"
    sed -n 's/^#define DOCKET_BUILD_VERSION "\(.*\)"$/\1/p' "$tmp/v.h"
}

# No git checkout: the release number.
mkdir "$tmp/plain"
expect_eq "no git" "$(version_of "$tmp/plain")" "0.1.0"

# A checkout with no tag: the release number, the commit's day and its hash.
src=$tmp/src
mkdir "$src"
g() { git -C "$src" -c user.name=t -c user.email=t@example.org -c commit.gpgsign=false "$@" >/dev/null 2>&1 || fail "git $*"; }
g init -q
echo a >"$src/f"
g add f
g commit -q -m one
hash=$(git -C "$src" rev-parse --short HEAD)
day=$(TZ=UTC0 git -C "$src" log -1 --format=%cd --date=format-local:%Y%m%d)
v=$(version_of "$src")
expect_eq "no tag" "$v" "0.1.0+git$day.$hash"
debian_ok "$v"

# Uncommitted changes say so.
echo b >"$src/f"
v=$(version_of "$src")
expect_eq "dirty" "$v" "0.1.0+git$day.$hash.dirty"
debian_ok "$v"
g commit -q -a -m two

# A tag: its number, exactly on it; after it, the commits since and the hash, sorting later.
g tag v1.2.0
expect_eq "on a tag" "$(version_of "$src")" "1.2.0"
echo c >"$src/f"
g commit -q -a -m three
hash=$(git -C "$src" rev-parse --short HEAD)
day=$(TZ=UTC0 git -C "$src" log -1 --format=%cd --date=format-local:%Y%m%d)
v=$(version_of "$src")
expect_eq "after a tag" "$v" "1.2.0+git$day.1.$hash"
debian_ok "$v"
dpkg --compare-versions "$v" gt 1.2.0 || fail "$v does not sort after 1.2.0"
pass

# A tag with characters Debian refuses: they become '.'.
g tag 2.0_rc1
v=$(version_of "$src")
expect_eq "odd tag" "$v" "2.0.rc1"
debian_ok "$v"
done_ok
