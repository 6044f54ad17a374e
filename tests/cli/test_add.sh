# End-to-end: docket add (items and per-country instances) and its refusals.
. "$(dirname "$0")/lib.sh"

init_store

# An instance takes its kind from its parent and starts in the kind's initial status.
n0=$(events)
run_ok add unct/KEN --title "UN country team, Kenya"
expect_out "^added unct/KEN (membership under unct, not-approached)"
expect_eq "events after add" "$(events)" $((n0 + 1))
expect_eq "the item event" "$(sql 'select type, subject, new_value, actor from event order by seq desc limit 1')" \
    "item|unct/KEN|UN country team, Kenya|tester"
expect_eq "state of unct/KEN" "$(sql "select kind, status, progress from items where key = 'unct/KEN'")" \
    "membership|not-approached|0"
expect_eq "parent of unct/KEN" "$(sql "select parent from items where key = 'unct/KEN'")" unct
run_ok show unct/KEN
expect_out "^  kind  *membership"
expect_out "^  parent  *unct"
run_ok list --under unct
expect_out "^unct/KEN "
# An instance to keep starts from the kind's baseline.
run_ok add smt/KEN --title "SMT Kenya" --goal keep
expect_out "^added smt/KEN (membership under smt"

# A new item with the optional fields.
# A paragraph reference must name a paragraph of the item's document.
run_fails 3 "has no paragraph '2(d)'" add proposal.annex --title "Draft the annex" --kind proposal --ref "2(d)"
run_ok add proposal.annex --title "Draft the annex" --kind proposal --ref "4" \
    --due 2030-06 --description "An annex to the agreement" -m "asked by the working group"
expect_out "^added proposal.annex (proposal"
run_ok show proposal.annex
expect_out "^  paragraph  *4"
expect_out "^  due  *2030-06"
expect_out "^  description  *An annex to the agreement"
expect_out "^  parent  *-"
expect_out "created: Draft the annex: asked by the working group"
run_ok list --under proposal.annex
expect_out "^proposal.annex  *not-started  .* 2030-06-30 "

# The parent defaults to the longest dotted prefix that exists; --parent overrides it.
run_ok add ceb.hlcm.finance --title "HLCM finance network" --kind membership
expect_out "under ceb.hlcm"
run_ok list --under ceb.hlcm
expect_out "^ceb.hlcm.finance "
run_ok add liaison.ny --title "New York liaison" --kind action --parent legal.approach
run_ok show liaison.ny
expect_out "^  parent  *legal.approach"
run_ok list --under legal.approach
expect_out "^liaison.ny "

# A reporting duty with a cadence, tracked since a past date, falls due and overdue.
run_ok add report.annual --title "Annual report" --kind reporting --cadence 12 --on 2020-01
run_ok list --overdue
expect_out "^report.annual .*2021-01-31 *overdue"

# Failures: exit code, one line on stderr, nothing written.
run_fails 3 "docket: add: item 'unct/KEN' already exists" add unct/KEN --title again
run_fails 3 "item 'ceb' already exists" add ceb --title again --kind membership
run_fails 3 "docket: add: bad key 'Bad Key'" add "Bad Key" --title x --kind action
run_fails 3 "bad key 'UPPER'" add UPPER --title x --kind action
run_fails 3 "bad key 'a..b'" add a..b --title x --kind action
run_fails 3 "bad key '.a'" add .a --title x --kind action
run_fails 3 "bad key 'unct/'" add unct/ --title x
run_fails 3 "bad key 'unct/KEN/X'" add unct/KEN/X --title x
run_fails 3 "docket: add: unknown item 'nope'" add foo.bar --title x --kind action --parent nope
run_fails 3 "unknown item 'nope'" add nope/KEN --title x
run_fails 3 "unknown kind 'nokind'" add foo.bar --title x --kind nokind
run_fails 3 "needs a kind" add foo --title x
run_fails 3 "is an instance of 'unct' and so a membership" add unct/FRA --title x --kind action
run_fails 3 "bad goal 'maybe'" add foo --title x --kind membership --goal maybe
run_fails 3 "bad date '2016-99'" add foo --title x --kind action --due 2016-99
run_fails 3 "in the future" add foo --title x --kind action --on 2099-01-01
run_fails 3 "bad cadence 'abc'" add foo --title x --kind reporting --cadence abc
run_fails 3 "bad cadence '0'" add foo --title x --kind reporting --cadence 0
run_fails 2 "--title cannot be empty" add foo --title "" --kind action
run_fails 3 "not valid UTF-8" add foo --title "$(printf 'x\377')" --kind action
run_fails 3 "not valid UTF-8" add foo --title x --kind action -m "$(printf 'x\377')"
# Every text field is checked, not only the title: none may be dropped or stored invalid.
run_fails 3 "not valid UTF-8" add foo --title x --kind action --ref "$(printf '2\377')"
run_fails 3 "not valid UTF-8" add foo --title x --kind action --description "$(printf 'x\377')"
run_fails 2 "docket: add: --title TITLE is required" add foo.bar --kind action
run_fails 2 "docket: add: " add --title x --kind action
run_fails 2 "unknown option '--bogus'" add foo --title x --kind action --bogus
run_fails 2 "-r" -r add foo --title x --kind action
expect_eq "foo never added" "$(sql "select count(*) from items where key like 'foo%'")" 0
run_ok verify

# Keys are unique without regard to case (#14): a key that differs from an item's only in case
# is refused, naming it.
run_fails 3 "^docket: add: 'unct/ken' differs from the item 'unct/KEN' only in case: keys are unique without regard to case (did you mean 'unct/KEN'?)$" \
    add unct/ken --title "UN country team, Kenya"
run_fails 3 "^docket: add: 'smt/ken' differs from the item 'smt/KEN' only in case: keys are unique without regard to case (did you mean 'smt/KEN'?)$" \
    add smt/ken --title x
run_ok add liaison.ny/Geneva --title "Geneva"
run_fails 3 "^docket: add: 'liaison.ny/GENEVA' differs from the item 'liaison.ny/Geneva' only in case: .*(did you mean 'liaison.ny/Geneva'?)$" \
    add liaison.ny/GENEVA --title x

# unct's instances are countries (the shipped checklist says "instances": "iso3166"): the code
# after the '/' is an ISO 3166-1 alpha-3 code in upper case, and the country's name is the
# default title.
run_fails 3 "^docket: add: 'unct/Kenya': the instances of 'unct' are countries, and 'Kenya' is not an ISO 3166-1 alpha-3 code (such as 'unct/KEN')$" \
    add unct/Kenya --title "UN country team, Kenya"
run_fails 3 "^docket: add: 'unct/eth': the instances of 'unct' are countries, keyed by ISO 3166-1 alpha-3 code in upper case (did you mean 'unct/ETH'?)$" \
    add unct/eth
run_fails 3 "not an ISO 3166-1 alpha-3 code" add unct/XXK --title "Kosovo"
run_fails 3 "not an ISO 3166-1 alpha-3 code" add unct/YUG --title "Yugoslavia"
run_ok add unct/ETH
expect_out "^added unct/ETH (membership under unct, not-approached)"
expect_eq "unct/ETH's title" "$(sql "select title from items where key = 'unct/ETH'")" Ethiopia
expect_eq "its item event" "$(sql "select new_value from event where type = 'item' and subject = 'unct/ETH'")" Ethiopia
run_ok add unct/CIV --title "UN country team, Côte d'Ivoire" --json
expect_eq "a title given" "$(sql "select title from items where key = 'unct/CIV'")" "UN country team, Côte d'Ivoire"
# Elsewhere an instance needs its title: only a country's has a name to take.
run_fails 3 "^docket: add: 'smt/ETH' needs a title$" add smt/ETH
run_ok add undg.regional/ASIA --title "Asia-Pacific"
run_ok show unct
expect_out "^  instances of countries (ISO 3166-1 alpha-3 codes)$"
run_ok show unct --json
expect_eq "instance_keys" "$(pyjson 'print(d["instance_keys"])')" iso3166
run_ok show smt --json
expect_eq "instance_keys of smt" "$(pyjson 'print(d["instance_keys"])')" None

# The rule is a field: `edit KEY instances=iso3166` sets it on an existing item (from then on;
# instances already there stay), `instances=` clears it.
run_ok edit undg.regional instances=iso3166 -m "regions are countries now"
expect_eq "the edit event" "$(sql "select type, subject, new_value from event order by seq desc limit 1")" \
    "edit|instances|iso3166"
run_fails 3 "not an ISO 3166-1 alpha-3 code" add undg.regional/EURO --title Europe
run_ok add undg.regional/FRA
expect_eq "undg.regional/FRA's title" "$(sql "select title from items where key = 'undg.regional/FRA'")" France
run_ok show undg.regional/ASIA
run_fails 3 "^docket: edit: bad instances 'countries' (iso3166: instances that are countries; 'instances=' clears it)$" \
    edit undg.regional instances=countries -m x
run_fails 3 "'unct/ETH' is an instance and has no instances" edit unct/ETH instances=iso3166 -m x
run_ok edit undg.regional instances= -m "regions after all"
run_ok add undg.regional/EURO --title Europe
run_ok edit unct instances= -m "any code"
run_ok add unct/Kosovo --title "Kosovo"
run_ok verify
done_ok
