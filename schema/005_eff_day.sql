-- 005_eff_day: the day from which an event is in effect. A partial date (YYYY, YYYY-MM) counts
-- from the end of its period or from the day it was recorded (UTC), whichever is earlier:
-- nothing happened after it was recorded (#14). A full date is that day. No event is rewritten:
-- the column is VIRTUAL, computed from eff, eff_end and recorded as each row is read, so older
-- events get the same answer as new ones; eff_end stays the period's end, as verify checks it.
-- A partial date whose period starts after its recording day (a local date ahead of UTC)
-- counts from the period's start.
ALTER TABLE event ADD COLUMN eff_day TEXT GENERATED ALWAYS AS (
    CASE WHEN length(eff) = 10 THEN eff
    ELSE max(CASE length(eff) WHEN 4 THEN eff || '-01-01' ELSE eff || '-01' END,
             min(eff_end, substr(recorded, 1, 10))) END) VIRTUAL;

-- The as-of projections compare and order by eff_day: the two indexes that held eff_end hold
-- it instead, under the same names.
DROP INDEX event_status;
CREATE INDEX event_status ON event (item, eff_day, recorded, new_value, type)
    WHERE type = 'status';
DROP INDEX event_edit;
CREATE INDEX event_edit ON event (item, subject, eff_day) WHERE type = 'edit';
