# End-to-end: docket cost (amounts in integer minor units, ISO 4217) and its refusals.
. "$(dirname "$0")/lib.sh"

init_store

n0=$(events)
run_ok cost cost.legal 250000.50 CHF -m "secretariat estimate" --basis "per year"
expect_out "^cost on cost.legal: 250000.50 CHF (event $((n0 + 1)))$"
expect_eq "events after cost" "$(events)" $((n0 + 1))
expect_eq "the cost event" "$(sql 'select type, subject, new_value, attrs, reason from event order by seq desc limit 1')" \
    'cost|cost.legal|25000050|{"basis":"per year","currency":"CHF"}|secretariat estimate'
run_ok show cost.legal
expect_out "^  costs  *250000.50 CHF"
expect_out "cost 250000.50 CHF (per year): secretariat estimate"
run_ok log cost.legal
expect_out "cost.legal  cost 250000.50 CHF (per year): secretariat estimate"

# Whole amounts, one decimal, currencies without minor units, and a dated estimate.
run_ok cost cost.legal 1000 USD -m "travel" --on 2016-03
expect_eq "1000 USD in cents" "$(sql 'select new_value, eff from event order by seq desc limit 1')" "100000|2016-03"
run_ok cost cost.legal 0.5 USD -m "rounding"
expect_eq "0.5 USD in cents" "$(sql 'select new_value from event order by seq desc limit 1')" 50
run_ok cost cost.legal 1500 JPY -m "translation"
expect_eq "JPY has no minor unit" "$(sql 'select new_value from event order by seq desc limit 1')" 1500
run_ok cost cost.legal 1.250 BHD -m "three decimals"
expect_eq "BHD has three decimals" "$(sql 'select new_value from event order by seq desc limit 1')" 1250

# A negative amount (a saving, a correction) is an argument, not an option, and needs --credit
# (#14): without it, one line, exit 3, nothing written.
n0=$(events)
run_fails 3 "docket: cost: a negative amount '-100' is a credit: give --credit to record it" \
    cost cost.legal -100 USD -m "saving on travel"
expect_eq "no event for a refused credit" "$(events)" "$n0"
run_fails 3 "give --credit" cost cost.legal -5 USD -m x --basis "per year"
run_ok cost cost.legal -100 USD -m "saving on travel" --credit --basis "travel saving"
expect_eq "-100 USD in cents" "$(sql 'select new_value from event order by seq desc limit 1')" -10000

# An estimate without --basis is one-off; an item's later estimate on the same basis and
# currency replaces the earlier (both stay in the trail); totals are per basis (#14).
run_ok show cost.legal --json
expect_json
expect_eq "costs per currency and basis" \
    "$(pyjson 'print(sorted((c["currency"], c["basis"], c["minor_units"], c["amount"], c["entries"]) for c in d["costs"]))')" \
    "[('BHD', 'one-off', 1250, '1.250', 1), ('CHF', 'per year', 25000050, '250000.50', 1), ('JPY', 'one-off', 1500, '1500', 1), ('USD', 'one-off', 50, '0.50', 2), ('USD', 'travel saving', -10000, '-100.00', 1)]"
run_ok show cost.legal
expect_out "^  costs  *1.250 BHD one-off, 250000.50 CHF per year, 1500 JPY one-off, 0.50 USD one-off, -100.00 USD travel saving$"
run_ok cost legal.approach 2500000 USD -m "first estimate" --basis "per year" --on 2016-01
run_ok cost legal.approach 3000000 USD -m "revised estimate" --basis "per year" --on 2016-06
run_ok cost legal.approach 40000 USD -m "set-up" --on 2016-06
expect_eq "both estimates stay in the trail" \
    "$(sql "select count(*) from event where type = 'cost' and subject = 'legal.approach'")" 3
run_ok show legal.approach
expect_out "^  costs  *40000.00 USD one-off, 3000000.00 USD per year$"
expect_not_out "5500000"
revised=$(sql "select seq from event where type = 'cost' and reason = 'revised estimate'")
expect_out "cost 2500000.00 USD (per year): first estimate  \[superseded by #$revised\]$"
expect_out "cost 3000000.00 USD (per year): revised estimate$"
run_ok show legal.approach --json
expect_eq "superseded_by in show --json" \
    "$(pyjson 'print([h.get("superseded_by") for h in d["history"] if h["event_type"] == "cost"])')" \
    "[$revised, None, None]"
run_ok show legal.approach --as-of 2016-03
expect_out "^  costs  *2500000.00 USD per year$"
run_ok report --section cost-totals --format json
expect_eq "report cost-totals" "$(pyjson 'print(d["sections"][0]["columns"], [r for r in d["sections"][0]["rows"] if r[0] == "USD"])')" \
    "['currency', 'basis', 'total', 'entries'] [['USD', 'one-off', '40000.50', 2], ['USD', 'per year', '3000000.00', 1], ['USD', 'travel saving', '-100.00', 1]]"
run_ok report --section costs --format json
expect_eq "report costs" "$(pyjson 'print([[r[0]] + r[2:] for r in d["sections"][0]["rows"] if r[0] == "legal.approach"])')" \
    "[['legal.approach', 'one-off', 'USD', '40000.00', None, 1, '2016-06'], ['legal.approach', 'per year', 'USD', '3000000.00', None, 2, '2016-06']]"
# Reverting the revision puts the first estimate back in force.
seq=$(sql "select seq from event where type = 'cost' and reason = 'revised estimate'")
run_ok revert "$seq" -m "revision withdrawn"
run_ok show legal.approach
expect_out "^  costs  *40000.00 USD one-off, 2500000.00 USD per year$"

# Costs can be recorded on any item, such as an instance.
run_ok add unct/KEN --title Kenya
run_ok cost unct/KEN 12000 USD -m "membership fee" --basis "per year"
run_ok show unct/KEN
expect_out "^  costs  *12000.00 USD"
# The report totals the instances' estimates under their request, per basis and currency, with
# how many instances have one and how many estimates they have had; the parent's own estimate
# counts too.
run_ok add unct/UGA --title Uganda
run_ok cost unct/UGA 8000 USD -m "membership fee" --basis "per year" --on 2016-05
run_ok cost unct/UGA 9000.50 USD -m "fee revised" --basis "per year" --on 2016-07
run_ok cost unct/UGA 500 CHF -m "a visit" --on 2016-07
run_ok cost unct 1000 USD -m "the secretariat's share" --basis "per year" --on 2016-02
run_ok report --section costs --format json
expect_eq "instances' costs" "$(pyjson 'print([[r[0]] + r[2:7] for r in d["sections"][0]["rows"] if r[0].startswith("unct")])')" \
    "[['unct', 'one-off', 'CHF', '500.00', 1, 1], ['unct', 'per year', 'USD', '22000.50', 2, 4]]"
run_ok report --section costs
expect_out_fixed "| Become a member of the United Nations country teams (UNCTs) | per year | USD | USD$(printf '\302\240')22,000.50 | 2 | 4 |"

# Failures: exit code, one line on stderr, nothing written.
run_fails 3 "docket: cost: bad amount '1.234' (a decimal number with at most 2 decimals for CHF)" \
    cost cost.legal 1.234 CHF -m x
run_fails 3 "at most 0 decimals for JPY" cost cost.legal 100.5 JPY -m x
run_fails 3 "bad amount 'abc'" cost cost.legal abc USD -m x
run_fails 3 "bad amount" cost cost.legal 1,000 USD -m x
run_fails 3 "bad amount" cost cost.legal 1e6 USD -m x
run_fails 3 "bad amount" cost cost.legal "" USD -m x
run_fails 3 "bad amount" cost cost.legal 99999999999999999999999 USD -m x
run_fails 3 "'XYZ' is not an ISO 4217 currency code" cost cost.legal 100 XYZ -m x
run_fails 3 "'chf' is not an ISO 4217 currency code" cost cost.legal 100 chf -m x
run_fails 3 "not an ISO 4217 currency code" cost cost.legal 100 US -m x
run_fails 3 "docket: cost: unknown item 'nosuch'" cost nosuch 100 USD -m x
run_fails 3 "bad date" cost cost.legal 100 USD -m x --on 2016-02-30
run_fails 3 "in the future" cost cost.legal 100 USD -m x --on 2099
run_fails 3 "not valid UTF-8" cost cost.legal 100 USD -m x --basis "$(printf '\377')"
run_fails 2 "docket: cost: -m REASON is required" cost cost.legal 100 USD
run_fails 2 "docket: cost: " cost cost.legal 100
run_fails 2 "docket: cost: " cost cost.legal 100 USD EUR -m x
run_fails 2 "unknown option '--bogus'" cost cost.legal 100 USD -m x --bogus
run_fails 2 "-r" -r cost cost.legal 100 USD -m x
run_ok verify
run_fails 2 "^docket: cost: the reason (-m) holds no letter or digit$" cost cost.legal 1 USD -m "  ;  "
run_fails 2 "^docket: edit: the reason (-m) holds no letter or digit$" edit cost.legal title=x -m "  "
run_fails 2 "^docket: add: the reason (-m) holds no letter or digit$" add cost.extra --title x --kind cost -m "  "
done_ok
