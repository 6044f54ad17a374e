# The scripted history of the golden reports (tests/cli/test_report.sh, and with a conflict
# between two offices, tests/integration/sync/test_report_golden.sh): sourced after lib.sh.
#
#   report_history   makes the history in the store $DOCKET_DB (which must hold the shipped
#                    checklist and nothing else): instances, an odd title, evidence, costs in
#                    two currencies, a revert, safeguards preserved, at risk and breached.
#                    Sets reverted_seq and reverted_at (the reverted event and its record time).
# Dates are effective dates; the recorded times are those of the run.

# A title that must be escaped everywhere: markup, quotes, an ampersand, a comma, a line break
# and a Markdown table bar.
odd_title=$(printf '<script>alert(1)</script> "&'"'"', a comma\nand a new line | pipe')

report_history() {
    run_ok add unct/KEN --title "UN country team, Kenya" --on 2015-11-24 -m "tracked from the start"
    run_ok add safeguard.odd --kind safeguard --title "$odd_title" --on 2016-01-15 -m "needs escaping"
    run_ok add unct/UGA --title "UN country team, Uganda" --on 2016-02-01 -m "tracked from February"
    run_ok set ceb approached -m "letter to the CEB secretary" --on 2016-03 \
        --evidence https://example.org/ceb/letter.pdf
    run_ok set report.wg submitted -m "first report to the Working Group" --on 2016-04 \
        --evidence https://example.org/wg/report-1.pdf
    run_ok set safeguard.independence at-risk -m "the draft text threatens it" --on 2016-05
    run_ok cost cost.legal 250000.50 CHF -m "secretariat estimate" --basis one-off --on 2016-06
    run_ok cost cost.legal 1200 USD -m "travel" --basis "per year" --on 2016-07
    run_ok set echa member -m "recorded against the wrong item" --on 2016-08
    reverted_seq=$(sql 'select max(seq) from event')
    reverted_at=$(sql "select recorded from event where seq = $reverted_seq")
    run_ok revert "$reverted_seq" -m "meant ceb.hlcm"
    run_ok set ceb.hlcm approached -m "letter to the HLCM" --on 2016-08
    run_ok set unct/KEN member -m "admitted to the UNCT" --on 2016-09 \
        --evidence https://example.org/unct/ken.html
    run_ok cost legal.approach 10000 CHF -m "legal advice" --on 2017-01
    run_ok set safeguard.independence preserved -m "the final text keeps it" --on 2017-02
    run_ok set safeguard.efficiency at-risk -m "new procedures" --on 2017-04
    run_ok set safeguard.own-governance breached -m "a board decision" --on 2017-05
}
