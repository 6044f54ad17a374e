# End-to-end: docket set (status changes, batches, evidence) and all the ways it refuses.
. "$(dirname "$0")/lib.sh"

init_store

# One key.
n0=$(events)
run_ok set ceb approached -m "letter sent to the CEB secretary"
expect_out "^ceb: not-approached -> approached"
expect_eq "events after one set" "$(events)" $((n0 + 1))
expect_eq "state of ceb" "$(sql "select status from items where key = 'ceb'")" approached
expect_eq "the event" "$(sql "select type || ' ' || subject || ' ' || old_value || ' ' || new_value || ' ' || actor from event order by seq desc limit 1")" \
    "status ceb not-approached approached tester"
expect_eq "its reason" "$(sql 'select reason from event order by seq desc limit 1')" "letter sent to the CEB secretary"
expect_eq "its effective date (default today)" "$(sql 'select eff from event order by seq desc limit 1')" "$(today)"
st=$(status_of ceb) || exit 1
expect_eq "show ceb" "$st" approached
run_ok verify

# Several keys share one batch id, and the batch is new.
n0=$(events)
run_ok set ceb.hlcm ceb.hlcp ceb.undg member -m "admitted together"
expect_out "^ceb.hlcm: not-approached -> member"
expect_out "^ceb.undg: not-approached -> member"
expect_eq "events after a 3-key set" "$(events)" $((n0 + 3))
expect_eq "distinct batches of the new events" "$(sql "select count(distinct batch) from event where seq > $n0")" 1
expect_eq "the batch is not an older one" \
    "$(sql "select count(*) from event where seq <= $n0 and batch in (select batch from event where seq > $n0)")" 0
expect_eq "members under ceb" "$(sql "select count(*) from items where key like 'ceb.%' and status = 'member'")" 3

# --by and --on (a partial date keeps its precision).
run_ok --by alice set legal.approach in-progress -m "talks opened" --on 2017-03
expect_out "effective 2017-03"
expect_eq "actor from --by" "$(sql 'select actor from event order by seq desc limit 1')" alice
expect_eq "partial effective date" "$(sql 'select eff from event order by seq desc limit 1')" 2017-03
run_ok show legal.approach
expect_out "since 2017-03"

# --evidence URL adds an evidence event in the same batch; a local file is hashed.
n0=$(events)
run_ok set echa approached -m "wrote" --evidence https://example.org/letter.pdf
expect_eq "events after set with evidence" "$(events)" $((n0 + 2))
expect_eq "the evidence event" "$(sql "select type || ' ' || new_value from event where seq = $((n0 + 2))")" \
    "evidence https://example.org/letter.pdf"
expect_eq "batches" "$(sql "select count(distinct batch) from event where seq > $n0")" 1
printf 'signed agreement\n' >"$tmp/agreement.txt"
run_ok set echa under-consideration -m "reply" --evidence "$tmp/agreement.txt" --evidence http://example.org/x
run_ok show echa --json
expect_eq "sha256 of file evidence" \
    "$(pyjson 'print([e["sha256"] for e in d["evidence"] if e["ref"].endswith("agreement.txt")][0])')" \
    "$(sha256sum "$tmp/agreement.txt" | cut -d' ' -f1)"
expect_eq "evidence entries" "$(pyjson 'print(len(d["evidence"]))')" 3

# --json parses and lists the recorded changes.
run_ok set iasc member -m "joined" --json
expect_json
expect_eq "set --json" "$(pyjson 'print(d[0]["key"], d[0]["old"], d[0]["new"])')" "iasc invitee member"

# Failures: each exits with its code, one line on stderr, and writes nothing.
run_fails 2 "docket: set: -m REASON is required" set ceb member
run_fails 2 "docket: set: " set ceb
run_fails 2 "docket: set: " set
run_fails 3 "docket: set: unknown item 'cbe' (did you mean 'ceb'?)" set cbe member -m x
run_fails 3 "unknown item 'nosuchkey'" set nosuchkey member -m x
run_fails 3 "^docket: set: unknown status 'foo' for kind membership (valid: not-approached, approached, under-consideration, observer, invitee, member, member-successor, lapsed, unconfirmed)\$" set ceb foo -m x
run_fails 3 "^docket: set: unknown status 'member' for kind reporting (valid: not-started, in-preparation, ongoing, submitted, closed, discontinued)\$" set report.wg member -m x
run_fails 3 "bad date '2016-13-01'" set ceb member -m x --on 2016-13-01
run_fails 3 "bad date" set ceb member -m x --on 2017-02-30
run_fails 3 "bad date" set ceb member -m x --on 24/11/2015
run_fails 3 "bad date" set ceb member -m x --on 2016-1-5
run_fails 3 "in the future" set ceb member -m x --on 2099-01-01
run_fails 3 "evidence 'ftp://example.org/x' is not an http or https URL" \
    set ceb member -m x --evidence ftp://example.org/x
run_fails 3 "evidence" set ceb member -m x --evidence "$tmp/no-such-file"
run_fails 3 "not valid UTF-8" set ceb member -m "$(printf 'bad \377 byte')"
run_fails 3 "not valid UTF-8" set ceb member -m "$(printf '\300\200')"
run_fails 2 "unknown option '--bogus'" set ceb member -m x --bogus
run_fails 2 "unknown option" set --colour ceb member -m x
run_fails 3 "given twice" set ceb ceb member -m x

# A batch is one transaction: one bad key, status or evidence and none of it is written.
run_fails 3 "unknown item 'nosuchkey'" set ceb nosuchkey member -m x
run_fails 3 "unknown status 'member' for kind reporting (valid: " set echa report.wg member -m x
run_fails 3 "not an http or https URL" set ceb echa member -m x --evidence https://ok.example --evidence ftp://x
mkfifo "$tmp/pipe" || fail "mkfifo failed"
run_fails 3 "^docket: set: evidence '$tmp/pipe' is neither an http(s) URL nor a readable file: it is a FIFO, not a regular file$" \
    set ceb echa member -m x --evidence https://ok.example --evidence "$tmp/pipe"
run_fails 3 "evidence '/dev/zero' .*: it is a character device, not a regular file$" \
    set ceb member -m x --evidence /dev/zero
run_fails 3 "^docket: set: evidence 'https://\*\*\*@example.org/letter.pdf' holds a user name or password: attach the URL without them$" \
    set ceb echa member -m x --evidence https://ok.example --evidence https://office:s3cret@example.org/letter.pdf
grep -q "s3cret" "$tmp/err" && fail "the password is shown"
run_fails 3 "evidence 'http://\*\*\*@example.org' holds a user name or password" \
    set ceb member -m x --evidence http://office@example.org
expect_eq "ceb after refused batches" "$(sql "select status from items where key = 'ceb'")" approached
expect_eq "echa after refused batches" "$(sql "select status from items where key = 'echa'")" under-consideration

# The WAL stays short as commands come one by one: past 128 pages the writer that closes last
# copies it into the store. 40 batches of every membership (about 30 pages each) would leave
# over 1,000 pages otherwise.
keys=$(sql "select group_concat(key, ' ') from items where kind = 'membership'")
i=0
while [ $i -lt 40 ]; do
    if [ $((i % 2)) -eq 0 ]; then s=approached; else s=under-consideration; fi
    # shellcheck disable=SC2086
    run_ok set $keys $s -m "batch $i" --force
    i=$((i + 1))
done
wal=0
[ -e "$DOCKET_DB-wal" ] && wal=$(wc -c <"$DOCKET_DB-wal" | tr -d ' ')
[ $(((wal - 32) / 4120)) -lt 200 ] || fail "the WAL holds $(((wal - 32) / 4120)) pages after 40 batches"
pass

run_ok verify

# A set that changes nothing on its date is refused, naming the status it has; --force records
# a confirmation, shown as such (#14).
init_store
run_ok set ceb.hlcp approached -m "letter to the HLCP" --on 2016-02
expect_out "^ceb.hlcp: not-approached -> approached (effective 2016-02, event $(events))$"
run_fails 3 "^docket: set: ceb.hlcp is already approached on 2016-02 (--force records a confirmation)$" \
    set ceb.hlcp approached -m "letter again" --on 2016-02
run_fails 3 "ceb.hlcp is already approached on 2016-06" set ceb.hlcp approached -m x --on 2016-06
run_fails 3 "ceb.hlcm is already not-approached on 2016-02" set ceb.hlcm not-approached -m x --on 2016-02
# Before the item existed it had no status: that is the error named.
run_fails 3 "'ceb.hlcm' is tracked from 2015-11-24, after 2015-01" set ceb.hlcm not-approached -m x --on 2015-01
# As of its own date: a status that held then is no change, whatever came later.
run_ok set ceb.hlcp member -m "admitted" --on 2017-01
run_fails 3 "ceb.hlcp is already approached on 2016-09" set ceb.hlcp approached -m x --on 2016-09
run_ok set ceb.hlcp approached -m "back to approached" --on 2017-06
# In a batch, one such key refuses all of it, and the error names every one.
run_ok set ceb.undg approached -m "letter" --on 2016-02
run_fails 3 "^docket: set: ceb.hlcp, ceb.undg are already approached on 2017-07 (--force records a confirmation)$" \
    set ceb.hlcm ceb.hlcp echa ceb.undg approached -m x --on 2017-07
expect_eq "ceb.hlcm after the refused batch" "$(sql "select status from items where key = 'ceb.hlcm'")" not-approached
# --force records it on purpose: one event, marked in its attributes, shown as a confirmation.
n0=$(events)
run_ok set ceb.hlcp ceb.hlcm approached -m "confirmed by the secretariat" --on 2017-07 --force
expect_out "^ceb.hlcp: confirmed approached (effective 2017-07, event $((n0 + 1)))$"
expect_out "^ceb.hlcm: not-approached -> approached (effective 2017-07, event $((n0 + 2)))$"
expect_eq "events after the forced batch" "$(events)" $((n0 + 2))
expect_eq "its attributes" "$(sql "select coalesce(attrs, '-') from event where seq > $n0 order by seq")" \
    "$(printf '{"confirm":"true"}\n-')"
run_ok show ceb.hlcp
expect_out "ceb.hlcp  confirmed approached: confirmed by the secretariat"
run_ok log ceb.hlcp
expect_out "#$((n0 + 1)) .*ceb.hlcp  confirmed approached: confirmed by the secretariat"
run_ok set ceb.undg approached -m x --on 2017-07 --force --json
expect_eq "set --json says it is a confirmation" "$(pyjson 'print(d[0]["attrs"]["confirm"], d[0]["new"])')" "true approached"
run_ok show ceb.undg --json
expect_eq "show --json keeps the attribute" "$(pyjson 'print(d["history"][-1]["attrs"])')" "{'confirm': 'true'}"
run_ok verify

# A reason must hold a letter or a digit (#14): blank is as missing.
for m in "   " "$(printf '\t')" "--" "$(printf '\342\200\213')"; do
    run_fails 2 "^docket: set: the reason (-m) holds no letter or digit$" set echa approached -m "$m"
done
run_fails 2 "no letter or digit" set echa ceb approached -m " . " --evidence https://example.org/a
run_ok set echa approached -m "  a  "
# Facts from before the resolution (#14 point 13): refused as a status, with the option named;
# --baseline records one as a baseline, seen in as-of queries before the adoption date.
n0=$(events)
run_fails 3 "^docket: set: 'iasmn' is tracked from 2015-11-24, after 1998 (--baseline records it as a fact from before; \`edit iasmn created=1998\` tracks it from then)\$" \
    set iasmn member --on 1998 -m "member of the IASMN since 1998"
run_fails 3 "^docket: set: 'iasmn' is tracked from 2015-11-24: --baseline is for facts from before then, and 2016-01 is not (record it without --baseline)\$" \
    set iasmn member --on 2016-01 --baseline -m "member"
run_fails 3 "and 2015 is not" set iasmn member --on 2015 --baseline -m "member"
run_fails 2 "^docket: set: --baseline needs --on DATE\$" set iasmn member --baseline -m "member"
run_fails 2 "^docket: set: --baseline and --force cannot be combined\$" \
    set iasmn member --on 1998 --baseline --force -m "member"
expect_eq "events after the refusals" "$(events)" "$n0"
run_fails 3 "^docket: show: unknown item 'iasmn'" show iasmn --as-of 2000
run_ok set iasmn member --on 1998 --baseline -m "member of the IASMN since 1998"
expect_out "^iasmn: baseline member (effective 1998, event $((n0 + 1)))\$"
expect_eq "the baseline's attributes" "$(sql "select attrs from event where seq = $((n0 + 1))")" '{"baseline":"true"}'
run_ok show iasmn --as-of 2000
expect_out "^  status       member (100%, final) since 1998\$"
expect_out "iasmn  baseline member: member of the IASMN since 1998\$"
run_ok list --as-of 2000
expect_out "^iasmn  *member  *100%  1998 "
expect_not_out "^ceb "
run_ok show iasmn
expect_out "^  status       member (100%, final) since 1998\$"
run_ok log iasmn
expect_out "^#$((n0 + 1)) *1998 .*iasmn  baseline member: member of the IASMN since 1998\$"
# The checklist's baseline (a membership to keep) is recorded the same way.
expect_eq "a checklist baseline" "$(sql "select attrs from event e join items i on i.uuid = e.item where i.key = 'smt' and e.type = 'status'")" '{"baseline":"true"}'
run_ok set iasmn member --on 1999 --baseline -m "renewed" --json
expect_eq "set --json says it is a baseline" "$(pyjson 'print(d[0]["attrs"]["baseline"], d[0]["eff"])')" "true 1999"
run_ok report --section memberships
expect_out "^| Keep membership of the Inter-Agency Security Management Network (IASMN) | keep | Member | 1998 (baseline) |"
expect_out "^| Keep membership of the country-level security management teams (SMTs) | keep | Member | 24 November 2015 |"
run_ok verify
done_ok
