# End-to-end: docket kinds (the vocabulary as a table, as JSON, as of a date), and the errors
# that name an unknown kind, status or report section with the valid ones.
. "$(dirname "$0")/lib.sh"

init_store

# The table: a header, then one line a status, each kind's statuses in the kind's order.
run_ok kinds
expect_out "^KIND  *STATUS  *PROG  FLAGS  *LABEL\$"
expect_eq "status lines" "$(grep -c -v '^KIND ' "$tmp/out")" 42
expect_eq "kinds in the table" "$(awk 'NR > 1 { print $1 }' "$tmp/out" | uniq | tr '\n' ' ')" \
    "acknowledgement action approach cost membership proposal reporting safeguard "
expect_eq "membership's statuses in order" \
    "$(awk '$1 == "membership" { print $2 }' "$tmp/out" | tr '\n' ' ')" \
    "not-approached approached under-consideration observer invitee member member-successor lapsed unconfirmed "
expect_out "^membership  *not-approached  *0%  initial  *Not approached\$"
expect_out "^membership  *approached  *20%  *Approached\$"
expect_out "^membership  *member  *100%  keep-baseline,final  *Member\$"
expect_out "^safeguard  *breached  *0%  breach  *Breached\$"
expect_out "^reporting  *submitted  *100%  submission  *Submitted\$"
# Checklist format version 2's flags of a status (#14 point 8).
expect_out "^membership  *lapsed  *0%  lost  *Lapsed\$"
expect_out "^safeguard  *at-risk  *50%  at-risk  *At risk\$"
expect_out "^action  *abandoned  *0%  final  *Abandoned\$"

# --json: one array of kinds, each with its fields and its statuses in order.
run_ok kinds --json
expect_json
expect_eq "kinds --json names" "$(pyjson 'print(" ".join(k["name"] for k in d))')" \
    "acknowledgement action approach cost membership proposal reporting safeguard"
expect_eq "kinds --json fields" "$(pyjson 'print(sorted(d[0]))')" \
    "['alias', 'cadence_months', 'description', 'doc', 'initial', 'keep_baseline', 'label', 'name', 'statuses']"
expect_eq "kinds --json status fields" "$(pyjson 'print(sorted(d[0]["statuses"][0]))')" \
    "['at_risk', 'breach', 'final', 'label', 'lost', 'name', 'progress', 'submission']"
expect_eq "membership in kinds --json" "$(pyjson 'm = [k for k in d if k["name"] == "membership"][0]
print(m["initial"], m["keep_baseline"], m["cadence_months"], len(m["statuses"]))
print([(s["name"], s["progress"], s["final"]) for s in m["statuses"][:2]])
print([(s["name"], s["progress"], s["final"]) for s in m["statuses"] if s["name"] == "member"])')" \
    "not-approached member None 9
[('not-approached', 0, False), ('approached', 20, False)]
[('member', 100, True)]"
expect_eq "reporting's cadence and submission" "$(pyjson 'r = [k for k in d if k["name"] == "reporting"][0]
print(r["cadence_months"], [s["name"] for s in r["statuses"] if s["submission"]])')" "6 ['submitted']"
expect_eq "lost and at_risk in kinds --json" "$(pyjson 'print([(k["name"], s["name"]) for k in d for s in k["statuses"] if s["lost"]], [(k["name"], s["name"]) for k in d for s in k["statuses"] if s["at_risk"]])')" \
    "[('membership', 'lapsed')] [('safeguard', 'at-risk')]"
expect_eq "the breach" "$(pyjson 'print([(k["name"], s["name"]) for k in d for s in k["statuses"] if s["breach"]])')" \
    "[('safeguard', 'breached')]"
expect_eq "statuses in kinds --json" "$(pyjson 'print(sum(len(k["statuses"]) for k in d))')" 42

# The vocabulary changes through events: a second document's kind is in force from its
# adoption, and the tracker did not know it before it was loaded.
before=$(now_utc)
sleep 1.1
cat >"$tmp/other.json" <<'EOF'
{"format": "docket-checklist", "version": 1,
 "document": {"symbol": "X/1", "title": "Another resolution", "adopted": "2020-03-01",
              "paragraphs": [{"ref": "1", "text": "Do it."}]},
 "kinds": [{"name": "task", "label": "Task", "initial": "open",
            "statuses": [{"name": "open", "label": "Open", "progress": 0, "final": false},
                         {"name": "done", "label": "Done", "progress": 100, "final": true}]}],
 "items": [{"key": "x.one", "title": "One", "kind": "task", "ref": "1"}]}
EOF
run_ok import "$tmp/other.json"
# Kinds are each document's: with two documents, each kind is named as ALIAS:KIND.
run_ok kinds
expect_out "^x-1:task  *open  *0%  initial  *Open\$"
expect_out "^x-1:task  *done  *100%  final  *Done\$"
expect_out "^res1309:membership  *member  *100%  keep-baseline,final  *Member\$"
run_ok kinds --doc x-1
expect_out "^task  *open  *0%  initial  *Open\$"
expect_not_out "membership"
run_ok kinds --doc x-1 --json
expect_eq "a kind's document in kinds --json" "$(pyjson 'print([(k["doc"], k["alias"], k["name"]) for k in d])')" \
    "[('X/1', 'x-1', 'task')]"
run_fails 3 "^docket: kinds: no document has the alias 'nope' (see 'docket docs')\$" kinds --doc nope
run_ok kinds --as-of 2020-02
expect_not_out "^task "
expect_out "^membership  *member "
run_ok kinds --as-of 2020-03-01 --json
expect_eq "task as of its adoption" "$(pyjson 'print([[s["name"] for s in k["statuses"]] for k in d if k["name"] == "task"])')" \
    "[['open', 'done']]"
run_ok kinds --known-at "$before" --json
expect_eq "kinds known before the import" "$(pyjson 'print(len(d), "task" in [k["name"] for k in d])')" "8 False"
# Before the first resolution's adoption, the vocabulary in force at it holds (a baseline from
# before it, set --baseline, is in its statuses); a kind defined later is not there.
run_ok kinds --as-of 2015-11-24
cp "$tmp/out" "$tmp/kinds-adopted"
run_ok kinds --as-of 2015-11-23
expect_eq "kinds as of 2015-11-23" "$(cat "$tmp/out")" "$(cat "$tmp/kinds-adopted")"
run_ok kinds --as-of 2015-11-23 --json
expect_eq "kinds --json as of 2015-11-23" "$(pyjson 'print(len(d), "task" in [k["name"] for k in d])')" "8 False"
run_fails 3 "^docket: kinds: bad date" kinds --as-of 2015-13
run_fails 2 "^docket: kinds: " kinds extra
run_fails 2 "^docket: kinds: " kinds --nope

# Errors: an unknown kind lists the kinds and points at `docket kinds`; an unknown status lists
# its kind's statuses (or, with no kind, every status); an unknown report section lists the
# report's sections. Each is one line, exit 3, and nothing is written (run_fails checks the
# store's dump and its events).
kinds_list="acknowledgement, action, approach, cost, membership, proposal, reporting, safeguard, task"
run_fails 3 "^docket: list: unknown kind 'bogus' (valid: $kinds_list; see 'docket kinds')\$" \
    list --kind bogus
run_fails 3 "^docket: list: unknown kind 'tsak' (did you mean 'task'? valid: $kinds_list; see 'docket kinds')\$" \
    list --kind tsak
run_fails 3 "^docket: list: unknown status 'bogus' for kind membership (valid: not-approached, approached, under-consideration, observer, invitee, member, member-successor, lapsed, unconfirmed)\$" \
    list --kind membership --status bogus
run_fails 3 "^docket: list: unknown status 'bogus' (valid: abandoned, acted-upon, approached, .*, done, .*, \.\.\.; see 'docket kinds')\$" \
    list --status bogus
run_fails 3 "^docket: set: unknown status 'bogus' for kind membership (valid: not-approached, approached, under-consideration, observer, invitee, member, member-successor, lapsed, unconfirmed)\$" \
    set ceb.hlcm bogus -m x
run_fails 3 "^docket: set: unknown status 'aproached' for kind membership (did you mean 'approached'? valid: not-approached, approached, " \
    set ceb.hlcm aproached -m x
run_fails 3 "^docket: set: unknown status 'member' for kind task (valid: open, done)\$" set x.one member -m x
run_fails 3 "^docket: add: unknown kind 'bogus' (valid: task; see 'docket kinds')\$" \
    add x.two --doc x-1 --title Two --kind bogus
# A kind of another document is not this one's.
run_fails 3 "^docket: add: unknown kind 'task' (valid: acknowledgement, action, approach, cost, membership, proposal, reporting, safeguard; see 'docket kinds')\$" \
    add res1309:x.two --title Two --kind task
# With two documents, a new item names its own.
run_fails 2 "^docket: add: this store tracks 2 documents: name the one 'x.two' belongs to with --doc ALIAS or as ALIAS:x.two\$" \
    add x.two --title Two --kind task
run_fails 3 "^docket: report: unknown section 'nope' in report 'progress' (valid: overview, summary, over-time, paragraphs, changes, conflicts, quarantine, reporting, cost-totals, costs, by-kind, by-paragraph, statuses, memberships, safeguards, longest, evidence)\$" \
    report --section nope
run_fails 3 "^docket: report: unknown section 'sumary' in report 'progress' (did you mean 'summary'? valid: overview, summary, " \
    report --section sumary
# A valid kind and status still list.
run_ok list --kind task --status open
expect_out "^x-1:x.one "

# Help names the command.
run_ok kinds --help
expect_out "kinds"
run_ok --help
expect_out "kinds"

done_ok
