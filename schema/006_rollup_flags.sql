-- 006_rollup_flags: checklist format version 2's flags of a status (lost: losing a membership to
-- keep, a breach of that request; at_risk: a safeguard at risk) and an item's roll-up (own: its
-- status is its own; instances: its status follows from its instances) (#14). No event is
-- rewritten: stores made before have no such attributes, so the defaults are what a replay of
-- their events gives (verify compares the two).
ALTER TABLE vocab ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vocab ADD COLUMN at_risk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN rollup TEXT;
