# etcd auth on: a user 'office' whose role may read and write the prefix 'auth/' only, a user
# 'reader' who may only read it. Sync and clone work with --user/--password-file (mode 600)
# across JWT tokens that expire every second (renewed) and are signed with RSA-4096 (over
# 700 characters, sent whole); a wrong password, a prefix outside the
# role and a write without the right are each one line and exit 5, the store untouched; a
# password file others can read is refused (exit 3); the password is never stored or printed.
# Usage: sh tests/integration/sync/test_auth.sh /path/to/docket
: "${DOCKET_TESTS:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$DOCKET_TESTS/cli/lib.sh"
. "$DOCKET_TESTS/integration/sync/cluster.sh"
command -v openssl >/dev/null 2>&1 || {
    echo "$0: needs openssl" >&2
    exit 2
}

# Tokens are JWTs that live one second, so that a sync outlives the token it started with,
# signed with a 4096-bit key, as some clusters do: each token is then over 700 characters.
openssl genrsa -out "$tmp/jwt.key" 4096 2>/dev/null &&
    openssl rsa -in "$tmp/jwt.key" -pubout -out "$tmp/jwt.pub" 2>/dev/null ||
    fail "openssl could not make the JWT keys"
ETCD_EXTRA="--auth-token=jwt,pub-key=$tmp/jwt.pub,priv-key=$tmp/jwt.key,sign-method=RS256,ttl=1s"
cluster_start

ROOTPW=root-$$-secret
OFFICEPW=office-$$-secret
READERPW=reader-$$-secret
setup() {
    ectl "$@" >>"$tmp/auth-setup.out" 2>&1 || {
        cat "$tmp/auth-setup.out" >&2
        fail "etcdctl $1 $2 failed"
    }
}
setup user add root --new-user-password="$ROOTPW"
setup role add root
setup user grant-role root root
setup role add office
setup role grant-permission office --prefix=true readwrite auth/
setup user add office --new-user-password="$OFFICEPW"
setup user grant-role office office
setup role add reader
setup role grant-permission reader --prefix=true read auth/
setup user add reader --new-user-password="$READERPW"
setup user grant-role reader reader
setup auth enable
ECTL_USER="--user=root:$ROOTPW"
token_len=$(python3 -c 'import json, sys, urllib.request
body = json.dumps({"name": "office", "password": sys.argv[2]}).encode()
with urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/v3/auth/authenticate", body), timeout=5) as r:
    print(len(json.load(r)["token"]))' "$ETCD_URL_1" "$OFFICEPW") || fail "cannot authenticate as office"
echo "auth on: root, office (readwrite auth/), reader (read auth/); JWT tokens live 1 s, $token_len characters"
[ "$token_len" -gt 700 ] || fail "a token of $token_len characters: the long-token case is not tested"
pass

umask 022
printf '%s\n' "$OFFICEPW" >"$tmp/office.pw"
chmod 600 "$tmp/office.pw"
printf '%s\n' "$READERPW" >"$tmp/reader.pw"
chmod 600 "$tmp/reader.pw"
printf 'not-the-password\n' >"$tmp/wrong.pw"
chmod 600 "$tmp/wrong.pw"
cp "$tmp/office.pw" "$tmp/open.pw"
chmod 644 "$tmp/open.pw"
P=auth
A=$tmp/a.db
B=$tmp/b.db
AUTH="--user office --password-file $tmp/office.pw"

# expired_tokens: how many requests the members refused for an invalid (expired) token.
expired_tokens() {
    cat "$tmp"/etcd/m*.log | grep -c '"msg":"invalid auth token"'
}

# Office a publishes 4,000 events (longer than a token lives); b clones them.
office_ok a init --office a
office_ok a remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P $AUTH
expect_not_out "$OFFICEPW"
make_events a A 2000
x0=$(expired_tokens)
t0=$(now_ms)
office_ok a sync --once
t1=$(now_ms)
expect_out "^published $(events "$A"), pulled 0; "
office_ok b clone --endpoints "$ETCD_ENDPOINTS" --prefix $P $AUTH --office b
t2=$(now_ms)
x1=$(expired_tokens)
echo "with auth: published $(events "$A") events in $((t1 - t0)) ms, cloned in $((t2 - t1)) ms; $((x1 - x0)) requests met an expired token and went on after a new one"
[ $((x1 - x0)) -gt 0 ] || fail "no token expired during the syncs: the renewal was not tested"
pass
expect_converged "$A" "$B"
expect_log_exact $P "$A"

# The store keeps the password file's path, never the password.
for db in "$A" "$B"; do
    expect_eq "the password in $db" "$(cat "$db"* | grep -a -c -F "$OFFICEPW")" 0
done
DOCKET_DB=$B
run_ok remote show --json
expect_eq "the password file in the remote" "$(pyjson 'print(d["password_file"])')" "$tmp/office.pw"
expect_eq "the user in the remote" "$(pyjson 'print(d["user"])')" office
expect_not_out "$OFFICEPW"

# A wrong password: exit 5, one line, nothing written.
office_ok a set echa approached -m "letter to ECHA" --on 2016-04
office_ok a sync --once
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P --user office --password-file "$tmp/wrong.pw"
run_fails 5 "^docket: sync: etcd: .*authentication failed" sync --once
echo "wrong password: exit $rc: $(cat "$tmp/err")"
# A periodic sync does not try a refused password again and again: it stops at once.
_limit=$RUN_LIMIT
RUN_LIMIT=20
run_fails 5 "^docket: sync: etcd: .*authentication failed" sync --interval 1
RUN_LIMIT=$_limit
echo "wrong password, sync --interval 1: exit $rc: $(cat "$tmp/err")"
DOCKET_DB=$tmp/c.db
run_fails 5 "authentication failed" clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --user office --password-file "$tmp/wrong.pw"
expect_eq "a store left by a refused clone" "$(ls "$tmp/c.db"* 2>/dev/null | wc -l | tr -d ' ')" 0
# No user at all, against a cluster with auth on: the same.
DOCKET_DB=$B
# (`remote set` keeps the user it is not given: --user '' drops it.)
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P --user ''
run_ok remote show --json
expect_eq "the user once dropped" "$(pyjson 'print(d["user"] + d["password_file"])')" ""
run_fails 5 "^docket: sync: etcd: " sync --once
echo "no user: exit $rc: $(cat "$tmp/err")"

# A prefix outside the role: exit 5, "permission denied".
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix elsewhere $AUTH
run_fails 5 "^docket: sync: etcd: .*permission denied" sync --once
echo "prefix outside the role: exit $rc: $(cat "$tmp/err")"
DOCKET_DB=$tmp/c.db
run_fails 5 "permission denied" clone --endpoints "$ETCD_ENDPOINTS" --prefix elsewhere $AUTH
expect_eq "a store left by a refused clone" "$(ls "$tmp/c.db"* 2>/dev/null | wc -l | tr -d ' ')" 0

# A password file that others can read is refused before any request.
DOCKET_DB=$B
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P --user office --password-file "$tmp/open.pw"
run_fails 3 "^docket: sync: '$tmp/open.pw' holds a password: .*chmod 600" sync --once
echo "password file mode 644: exit $rc: $(cat "$tmp/err")"

# A reader may pull but not publish: its sync pulls, then stops at the publication with exit 5.
office_ok r clone --endpoints "$ETCD_ENDPOINTS" --prefix $P --user reader --password-file "$tmp/reader.pw" --office r
DOCKET_DB=$A
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P $AUTH
admit a r
office_ok r sync --once
office_ok r set iasc member -m "full member of the IASC" --on 2016-06
DOCKET_DB=$tmp/r.db
run_fails 5 "^docket: sync: etcd: .*permission denied" sync --once
echo "a write without the right: exit $rc: $(cat "$tmp/err")"
# (its office's announcement, then the change)
expect_eq "r's unpublished" "$(unpublished "$tmp/r.db")" 2

# No error printed a password.
for f in "$tmp/err" "$tmp/out"; do
    expect_eq "passwords in $f" "$(grep -c -F -e "$OFFICEPW" -e "$READERPW" -e "$ROOTPW" "$f")" 0
done

# With the right password again, b catches up and converges.
DOCKET_DB=$B
run_ok remote set --endpoints "$ETCD_ENDPOINTS" --prefix $P $AUTH
office_ok b sync --once
expect_converged "$A" "$B"
done_ok
