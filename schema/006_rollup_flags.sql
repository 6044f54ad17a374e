-- 006_rollup_flags: checklist format version 2's flags of a status (lost: losing a membership to
-- keep, a breach of that request; at_risk: a safeguard at risk) and an item's roll-up (own: its
-- status is its own; instances: its status follows from its instances) (#14). No event is
-- rewritten. A store made by an earlier docket holds none of these attributes, and the defaults
-- are what a replay of its events gives; one whose events already hold them (a version 2
-- checklist loaded before this migration ran) gets them from its latest such events here, as
-- the projections in state.c read them (verify compares the two).
ALTER TABLE vocab ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vocab ADD COLUMN at_risk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN rollup TEXT;
UPDATE vocab SET
    lost = coalesce((SELECT CAST(json_extract(e.attrs, '$.lost') AS INTEGER) FROM event e
                     WHERE e.item IS NULL AND e.type = 'vocab' AND e.subject = vocab.kind
                       AND e.new_value = vocab.status
                     ORDER BY e.eff_day DESC, e.seq DESC LIMIT 1), 0),
    at_risk = coalesce((SELECT CAST(json_extract(e.attrs, '$.at_risk') AS INTEGER) FROM event e
                        WHERE e.item IS NULL AND e.type = 'vocab' AND e.subject = vocab.kind
                          AND e.new_value = vocab.status
                        ORDER BY e.eff_day DESC, e.seq DESC LIMIT 1), 0);
UPDATE items SET rollup = NULLIF(coalesce(
    (SELECT e.new_value FROM event e WHERE e.type = 'edit' AND e.item = items.uuid
       AND e.subject = 'rollup' ORDER BY e.eff_day DESC, e.seq DESC LIMIT 1),
    (SELECT json_extract(c.attrs, '$.rollup') FROM event c WHERE c.type = 'item'
       AND c.item = items.uuid ORDER BY c.seq LIMIT 1)), '');
UPDATE items SET breach = 1
WHERE goal = 'keep' AND EXISTS (SELECT 1 FROM vocab v WHERE v.kind = items.kind
                                  AND v.status = items.status AND v.lost);
