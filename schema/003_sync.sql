-- 003_sync: what sync derives as events get their place in the shared log.
-- A status change whose writer saw another status than the log held just before it, found
-- when the event gets its position (published here, or pulled from another office). Rows are
-- only added; whether a later change settled one is asked at read time.
CREATE TABLE conflict (
    seq INTEGER PRIMARY KEY,    -- the event, by local sequence
    item TEXT NOT NULL,
    pos INTEGER NOT NULL,       -- its position in the shared log
    saw TEXT,                   -- the status its writer saw
    held TEXT                   -- the status the log held before it
);

CREATE INDEX conflict_item ON conflict (item);
