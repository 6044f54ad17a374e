-- title: Progress report
-- description: How far the requests of the resolution have been carried out, from the
-- description: tracker's audit trail.

-- What people read and what machines read: label(CTX, LABEL, KEY) gives the checklist's LABEL
-- (translated, in --lang) in md and html and KEY in csv and json; tr(CTX, TEXT) translates a
-- word of ours; day(DATE) writes a date as the language does; amount(MINOR, CURRENCY) writes an
-- amount with its currency's minor units and thousands separators. A section names a value
-- once, and each format gives it its own form. The columns a "-- machines:" line names (an
-- item's key beside the title people read) are written in csv and json alone.

-- section: overview
-- title: Summary
-- layout: prose
-- The summary written from the data, one sentence a row, each a message of po/docket.pot
-- (say() picks its plural form and fills it in the report's language).
SELECT say('%d request is tracked: %s and %s.', '%d requests are tracked: %s and %s.', n, n,
           say('%d has been met', '%d have been met', done, done),
           say('%d is overdue', '%d are overdue', overdue, overdue)) AS sentence
FROM (SELECT count(*) AS n,
             coalesce(sum(counted = 100 AND (final OR rollup IS 'instances')), 0) AS done,
             coalesce(sum(next_due < (SELECT asof FROM params)), 0) AS overdue
      FROM requests
      WHERE kind NOT IN ('safeguard', 'acknowledgement'))
UNION ALL
SELECT say('The mean progress of the requests is %s.', 'The mean progress of the requests is %s.',
           1, percent(round(avg(counted), 1), 1))
FROM requests
WHERE kind NOT IN ('safeguard', 'acknowledgement')
HAVING count(*) > 0
UNION ALL
SELECT say('%d essential element has not yet been assessed.',
           '%d essential elements have not yet been assessed.', n, n)
FROM (SELECT count(*) AS n FROM items i JOIN kinds k ON k.doc IS i.doc AND k.name = i.kind
      WHERE i.kind = 'safeguard' AND i.status = k.initial)
WHERE n > 0
UNION ALL
SELECT say('%d safeguard is at risk.', '%d safeguards are at risk.', n, n)
FROM (SELECT count(*) AS n FROM items i
      JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
      WHERE i.kind = 'safeguard' AND v.at_risk)
WHERE n > 0
UNION ALL
SELECT say('%d safeguard has been breached.', '%d safeguards have been breached.', n, n)
FROM (SELECT count(*) AS n FROM items WHERE kind = 'safeguard' AND breach)
WHERE n > 0
UNION ALL
SELECT say('%d reporting duty is overdue.', '%d reporting duties are overdue.', n, n)
FROM (SELECT count(*) AS n FROM requests
      WHERE kind = 'reporting' AND next_due < (SELECT asof FROM params))
WHERE n > 0
UNION ALL
SELECT say('The offices disagree on the status of %d item.',
           'The offices disagree on the status of %d items.', n, n)
FROM (SELECT count(DISTINCT item) AS n FROM conflicts)
WHERE n > 0
UNION ALL
SELECT say('%d entry of the shared log is held in quarantine.',
           '%d entries of the shared log are held in quarantine.', n, n)
FROM (SELECT count(*) AS n FROM quarantined)
WHERE n > 0;

-- section: summary
-- title: Overall progress
-- description: The mean progress of the requests, each counted once: a parent that is itself a
-- description: request counts, one whose status follows from its instances counts once by their
-- description: mean, instances never count on their own, and an overdue recurring duty counts 0.
-- description: Safeguards and acknowledgements are left out, since they are kept rather than
-- description: achieved. Breaches: breached safeguards and lost memberships to keep.
SELECT count(*) AS items,
       round(avg(counted), 1) AS "mean progress %",
       sum(counted = 100 AND (final OR rollup IS 'instances')) AS done,
       sum(next_due < (SELECT asof FROM params)) AS overdue,
       (SELECT count(*) FROM items WHERE breach) AS breaches
FROM requests
WHERE kind NOT IN ('safeguard', 'acknowledgement');

-- section: over-time
-- title: Progress over time
-- description: The mean progress of the requests (each counted once, as in the summary) at the
-- description: end of each month, safeguards and acknowledgements left out, from the status
-- description: changes in the trail.
-- chart: line x=month y=progress
-- shown: changed
-- people: end of month
-- machines: month
-- The chart draws every month, and csv and json give every month; the table people read gives
-- the first and the last month and those in which the figure changed, never a run of
-- identical rows. People read each month in words; the chart and machines take it as kept.
SELECT day(month) AS "end of month", month, progress,
       lag(progress) OVER w IS NOT progress OR month = max(month) OVER () AS changed
FROM (SELECT month, round(sum(progress_sum) * 1.0 / sum(items), 1) AS progress
      FROM progress_by_month
      WHERE kind NOT IN ('safeguard', 'acknowledgement')
      GROUP BY month)
WINDOW w AS (ORDER BY month)
ORDER BY month;

-- section: paragraphs
-- title: What the resolution asks, paragraph by paragraph
-- description: Each operative paragraph as the resolution words it, then each of its requests:
-- description: its status and since when, its instances by status, and the latest step recorded
-- description: for it (its date, the reason given and the evidence).
-- each: paragraph, text
SELECT label(NULL, CASE WHEN p.ref IS NULL THEN tr('Other requests')
                        ELSE say('Paragraph %s', 'Paragraph %s', 1, p.ref) END, p.ref) AS paragraph,
       tr(p.text) AS text,
       tr(i.title) AS request,
       CASE WHEN i.rollup IS 'instances' THEN tr('value', '(by instances)')
            ELSE label('status', v.label, i.status) END AS status,
       day(i.since) AS since,
       r.instances,
       CASE WHEN e.reason IS NOT NULL THEN say('%s: %s', '%s: %s', 1, day(e.eff), e.reason)
            ELSE day(e.eff) END AS "latest step",
       (SELECT group_concat(ev.ref, ' ') FROM evidence ev
        WHERE ev.item = i.uuid AND ev.batch = e.batch) AS evidence
-- The paragraphs, then under "Other requests" the requests of each document that name no
-- paragraph of it (added by hand, say), so that every request is shown.
FROM (SELECT doc, ref, text, ord FROM paragraphs
      UNION ALL
      SELECT DISTINCT o.doc, NULL, NULL, NULL FROM items o
      WHERE instr(o.key, '/') = 0
        AND NOT EXISTS (SELECT 1 FROM paragraphs q WHERE q.doc IS o.doc AND q.ref = o.ref)) p
LEFT JOIN items i ON i.doc IS p.doc AND instr(i.key, '/') = 0
     AND (i.ref = p.ref OR (p.ref IS NULL AND NOT EXISTS (
          SELECT 1 FROM paragraphs q WHERE q.doc IS i.doc AND q.ref = i.ref)))
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
LEFT JOIN event e ON e.seq = i.status_seq AND e.type = 'status'
-- Each parent's instances by status, most first, counted in one pass over the instances, and
-- called what the checklist calls them ("2 of 2 country teams: Member").
LEFT JOIN (SELECT s.doc, s.parent,
                  group_concat(say('%d of %d %s: %s', '%d of %d %s: %s', s.n, s.n, s.total,
                                   noun(coalesce(nn.one, 'instance'),
                                        coalesce(nn.other, 'instances'), s.total),
                                   label('status', s.label, s.status)), '; ') AS instances
           FROM (SELECT c.doc, c.parent, c.status, w.label, count(*) AS n,
                        sum(count(*)) OVER (PARTITION BY c.doc, c.parent) AS total
                 FROM items c
                 LEFT JOIN vocab w ON w.doc IS c.doc AND w.kind = c.kind AND w.status = c.status
                 WHERE instr(c.key, '/') > 0
                 GROUP BY c.doc, c.parent, c.status
                 ORDER BY c.doc, c.parent, n DESC, c.status) s
           LEFT JOIN nouns nn ON nn.doc IS s.doc AND nn.key = s.parent
           GROUP BY s.doc, s.parent) r ON r.doc IS i.doc AND r.parent = i.key
ORDER BY p.doc, p.ref IS NULL, p.ord, i.para_ord, i.key;

-- section: changes
-- title: Changes since the last report
-- description: Items whose status differs from what the trail held at the time of the last
-- description: publication of this report (or --since), by recorded time.
-- shown: shown
-- machines: key
-- Before any publication every item is new: people then read only the changes of items that
-- were there (none), csv and json every row; the paragraphs above give every item's status.
SELECT i.key, tr(i.title) AS request,
       CASE WHEN s.uuid IS NULL THEN tr('value', '(new)')
            ELSE label('status', w.label, s.status) END AS before,
       label('status', v.label, i.status) AS now, day(i.since) AS effective,
       s.uuid IS NOT NULL OR (SELECT since FROM params) > '0000-01-01T00:00:00.000Z' AS shown
FROM items i
LEFT JOIN items_since s ON s.uuid = i.uuid
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
LEFT JOIN vocab w ON w.doc IS s.doc AND w.kind = s.kind AND w.status = s.status
WHERE s.status IS NOT i.status
ORDER BY i.key;

-- section: conflicts
-- title: Conflicts between offices
-- description: Two offices set an item's status, each without having seen the other's change;
-- description: listed until a later change made with both in view settles it, or one is reverted.
-- machines: key
SELECT c.key, tr(i.title) AS request,
       label('status', v.label, c.first_status) || ' (' || coalesce(c.first_office, '?') || ', '
           || day(c.first_eff) || ')' AS "one office set",
       label('status', w.label, c.second_status) || ' (' || coalesce(c.second_office, '?')
           || ', ' || day(c.second_eff) || ')' AS "another set",
       c.second_pos AS "log position"
FROM conflicts c
JOIN items i ON i.uuid = c.item
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = c.first_status
LEFT JOIN vocab w ON w.doc IS i.doc AND w.kind = i.kind AND w.status = c.second_status
ORDER BY c.second_pos, c.first_pos;

-- section: quarantine
-- title: Entries of the shared log held in quarantine
-- description: Entries that failed the checks every office makes (a signature, an admission, a
-- description: revocation, the chain) and that no office applied.
SELECT pos AS position, reason, type, actor, received
FROM quarantined
ORDER BY pos;

-- section: reporting
-- title: Reporting duties
-- description: Each duty's last submission, and whether the next is overdue by its cadence; an
-- description: overdue duty's progress counts 0.
-- machines: key
SELECT i.key, tr(i.title) AS title, label('status', v.label, i.status) AS status, i.counted AS progress,
       i.cadence_months AS "cadence (months)",
       day(i.submitted) AS "last submission",
       day(i.next_due) AS "next due",
       CASE WHEN i.next_due < (SELECT asof FROM params) THEN tr('value', 'overdue') ELSE '' END
           AS overdue
FROM requests i
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
WHERE i.kind = 'reporting'
ORDER BY i.key;

-- section: cost-totals
-- title: Cost implications, per currency and basis
-- description: The cost estimates in force (an item's later estimate on the same basis and
-- description: currency replaces its earlier one), totalled per currency and basis.
SELECT currency, basis,
       CASE typeof(minor) WHEN 'real' THEN tr('value', 'too large') ELSE amount(minor, currency)
       END AS total,
       entries
-- sum() of the amounts would fail the whole report with "integer overflow" past 64 bits.
-- The sums of their parts above and below 10^9 cannot overflow (short of a billion
-- entries), and SQLite's + and * give a real number, not an error, when their result does
-- not fit: such a total is shown as too large, and every other one is exact, as before.
FROM (SELECT currency, basis,
             sum(minor_units / 1000000000) * 1000000000 + sum(minor_units % 1000000000) AS minor,
             count(*) AS entries
      FROM costs
      WHERE superseded_by IS NULL
      GROUP BY currency, basis)
ORDER BY currency, basis;

-- section: costs
-- title: Cost implications, per request
-- description: Each request's estimate in force per basis and currency (the later replacing the
-- description: earlier), with how many estimates it has had; the estimates of a request's
-- description: instances are totalled under it, with how many instances have one.
-- machines: key
-- One pass over the estimates, grouped by request: those in force summed as cost-totals sums
-- them (a total past 64 bits is too large, never an error), every one counted.
SELECT g.key, tr(p.title) AS request, g.basis, g.currency,
       CASE typeof(g.minor) WHEN 'real' THEN tr('value', 'too large')
            ELSE amount(g.minor, g.currency) END AS estimate,
       nullif(g.instances, 0) AS instances, g.estimates, day(g.eff) AS "latest estimate"
FROM (SELECT i.doc, CASE WHEN instr(c.key, '/') > 0 THEN i.parent ELSE c.key END AS key,
             c.basis, c.currency,
             sum(iif(c.superseded_by IS NULL, c.minor_units / 1000000000, 0)) * 1000000000
                 + sum(iif(c.superseded_by IS NULL, c.minor_units % 1000000000, 0)) AS minor,
             sum(c.superseded_by IS NULL AND instr(c.key, '/') > 0) AS instances,
             count(*) AS estimates,
             max(iif(c.superseded_by IS NULL, c.eff, NULL)) AS eff
      FROM costs c
      JOIN items i ON i.uuid = c.item
      GROUP BY i.doc, 2, c.basis, c.currency) g
JOIN items p ON p.doc IS g.doc AND p.key = g.key
ORDER BY g.key, g.basis, g.currency;

-- section: by-kind
-- title: Progress by kind
-- description: The requests of each kind (each counted once, as in the summary): how many,
-- description: their mean progress, how many are done. Safeguards and acknowledgements are
-- description: kept rather than achieved, and have no progress to show here.
-- chart: bar x=kind y=progress
SELECT label('kind', k.label, i.kind) AS kind,
       count(*) AS items,
       round(avg(i.counted), 1) AS progress,
       sum(i.counted = 100 AND (i.final OR i.rollup IS 'instances')) AS done
FROM requests i
LEFT JOIN kinds k ON k.doc IS i.doc AND k.name = i.kind
WHERE i.kind NOT IN ('safeguard', 'acknowledgement')
GROUP BY i.kind
ORDER BY i.kind;

-- section: by-paragraph
-- title: Progress by operative paragraph
-- description: The requests (each counted once, as in the summary) by the paragraph that asks
-- description: for them, in the resolution's order.
-- chart: bar x=paragraph y=progress
SELECT label(NULL, say('Paragraph %s', 'Paragraph %s', 1, p.ref), p.ref) AS paragraph,
       count(i.uuid) AS items,
       round(avg(i.counted), 1) AS progress,
       sum(i.counted = 100 AND (i.final OR i.rollup IS 'instances')) AS done
FROM paragraphs p
JOIN requests i ON i.doc = p.doc AND i.ref = p.ref
GROUP BY p.doc, p.ref
ORDER BY p.doc, p.ord;

-- section: statuses
-- title: Statuses by kind
-- description: How many items of each kind stand in each status.
-- chart: stack x=kind series=status y=items
SELECT label('kind', k.label, i.kind) AS kind, label('status', v.label, i.status) AS status,
       count(*) AS items
FROM items i
LEFT JOIN kinds k ON k.doc IS i.doc AND k.name = i.kind
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
GROUP BY i.kind, i.status
ORDER BY i.kind, v.ord;

-- section: memberships
-- title: Memberships sought and kept
-- description: Each membership the resolution asks IOM to obtain or to keep, with its
-- description: per-country (or per-region) instances rolled up: its own status, or "(by
-- description: instances)" when its status follows from them; the progress that counts; a
-- description: status since a date before the item was tracked is a baseline (set --baseline).
-- machines: key
SELECT i.key, tr(i.title) AS title, label('goal', i.goal, i.goal) AS goal,
       CASE WHEN i.rollup IS 'instances' THEN tr('value', '(by instances)')
            ELSE label('status', v.label, i.status) END AS status,
       CASE WHEN i.since < i.created THEN day(i.since) || ' ' || tr('value', '(baseline)')
            ELSE day(i.since) END AS since,
       i.counted AS progress,
       CASE WHEN i.breach THEN tr('value', 'breach') ELSE '' END AS flag,
       r.n AS instances,
       r.done AS "instances done",
       (SELECT group_concat(label('status', s.label, s.status) || ' ' || s.n, ', ') FROM (
            SELECT c.status, w.label, count(*) AS n FROM items c
            LEFT JOIN vocab w ON w.doc IS c.doc AND w.kind = c.kind AND w.status = c.status
            WHERE c.parent = i.key AND c.doc IS i.doc AND instr(c.key, '/') > 0
            GROUP BY c.status ORDER BY n DESC, c.status) s) AS "instances by status"
FROM requests i
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
LEFT JOIN (SELECT doc, parent, count(*) AS n, sum(progress = 100) AS done FROM items
           WHERE instr(key, '/') > 0 GROUP BY parent, doc) r ON r.parent = i.key AND r.doc IS i.doc
WHERE i.kind = 'membership'
ORDER BY i.goal DESC, i.key;

-- section: safeguards
-- title: Safeguards
-- description: The essential elements that must be preserved; any breached or at risk first (by
-- description: the flags of their status in the vocabulary).
-- machines: key
SELECT i.key, tr(i.title) AS title, label('status', v.label, i.status) AS status, day(i.since) AS since,
       CASE WHEN i.breach THEN tr('value', 'breach') WHEN v.at_risk THEN tr('value', 'at risk')
            ELSE '' END AS flag
FROM items i
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
WHERE i.kind = 'safeguard'
ORDER BY i.breach DESC, v.at_risk DESC, i.progress, i.key;

-- section: longest
-- title: Longest in their current status
-- description: The ten items that are not final and have stood longest in their status.
-- machines: key
-- How many: given once, for the LIMIT and for the bound below.
WITH shown (n) AS (SELECT 10)
SELECT key, tr(title) AS request, label('status', label, status) AS status, day(since) AS since,
       CAST(julianday((SELECT asof FROM params)) - julianday(day) AS INTEGER) AS days
FROM (
    -- From the effective day of the event that began the run (a partial date counts from the
    -- end of its period, or from the day it was recorded if that is earlier), else of the
    -- item's creation. An event's effective day lies within its date's period (from
    -- substr(eff || '-01-01', 1, 10) to period_end(eff)): the bounds let the index find those
    -- events without reading the item's others.
    SELECT i.key, i.title, i.status, v.label, coalesce(i.since, i.created) AS since,
           coalesce((SELECT min(e.eff_day) FROM status_events e
                     WHERE e.item = i.uuid AND e.eff_day >= substr(i.since || '-01-01', 1, 10)
                           AND e.eff_day <= period_end(i.since) AND e.eff = i.since
                           AND e.status = i.status),
                    (SELECT min(c.eff_day) FROM event c
                     WHERE c.item = i.uuid AND c.eff = i.created AND (c.type = 'item'
                           OR (c.type = 'edit' AND c.subject = 'created'))),
                    period_end(coalesce(i.since, i.created))) AS day
    FROM items i
    LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
    -- Only an item whose period can begin by the n-th earliest end of a period can be among
    -- the n shown (its day lies in its period): the others' events are not looked up.
    WHERE NOT i.final
      AND substr(coalesce(i.since, i.created) || '-01-01', 1, 10) <= coalesce(
          (SELECT period_end(coalesce(since, created)) FROM items WHERE NOT final
           ORDER BY 1 LIMIT 1 OFFSET (SELECT n - 1 FROM shown)), '9999-12-31'))
ORDER BY day, key
LIMIT (SELECT n FROM shown);

-- section: evidence
-- title: Evidence behind each status
-- description: The evidence recorded with each item's current status.
-- machines: key
SELECT i.key, tr(i.title) AS request, label('status', v.label, i.status) AS status, day(i.since) AS since,
       ev.ref AS evidence, ev.sha256
-- CROSS JOIN keeps the items first: each item's evidence is then found by its index, where
-- the planner would otherwise read every piece of evidence of the store for each part of a
-- portfolio.
FROM items i
CROSS JOIN event s ON s.seq = i.status_seq
CROSS JOIN evidence ev ON ev.item = i.uuid AND ev.batch = s.batch
LEFT JOIN vocab v ON v.doc IS i.doc AND v.kind = i.kind AND v.status = i.status
ORDER BY i.key, ev.seq;
