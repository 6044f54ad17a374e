-- 001_core: the event log, its side tables, and the state derived from it.

-- Facts about this store: its replica id and when it was created.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every change, in the order this store recorded or received it. Append-only.
CREATE TABLE event (
    seq INTEGER PRIMARY KEY,       -- local sequence, 1, 2, 3 ... without gaps
    uuid TEXT NOT NULL,            -- unique: event_uuid
    batch TEXT NOT NULL,           -- the events of one command share it
    type TEXT NOT NULL,            -- document, paragraph, kind, vocab, item, edit, status,
                                   -- note, evidence, cost, revert, publication, check,
                                   -- notice
    item TEXT,                     -- the item's uuid, for events about one item
    subject TEXT,                  -- the item key, field, kind, or reverted event's uuid
    old_value TEXT,                -- the value as the writer saw it
    new_value TEXT,
    attrs TEXT,                    -- a JSON object of strings, sorted keys
    reason TEXT NOT NULL,
    eff TEXT NOT NULL,             -- effective date as given: YYYY, YYYY-MM or YYYY-MM-DD
    eff_end TEXT NOT NULL GENERATED ALWAYS AS (
        CASE length(eff)
        WHEN 4 THEN eff || '-12-31'
        WHEN 7 THEN date(eff || '-01', '+1 month', '-1 day')
        ELSE eff END) STORED,      -- the last day of that period, for as-of comparisons
    recorded TEXT NOT NULL,        -- UTC, milliseconds, from the clock
    actor TEXT NOT NULL,
    login TEXT NOT NULL,
    replica TEXT NOT NULL,
    hash BLOB NOT NULL             -- SHA-256(previous hash || canonical bytes)
);

-- Indexes for the projections below: each finds the latest event of one kind for one item
-- or definition without reading the rest of the log. event_status covers what the status
-- projections read (type too: SQLite checks the term that selects the partial index), so
-- that they, and a report's progress over time, read the index alone; eff_end is STORED for
-- the same reason.
-- A named index rather than a UNIQUE column, so that restoring an export can drop it with the
-- others and build it again once the events are in.
CREATE UNIQUE INDEX event_uuid ON event (uuid);
CREATE INDEX event_status ON event (item, eff_end, recorded, new_value, type)
    WHERE type = 'status';
CREATE INDEX event_edit ON event (item, subject, eff_end) WHERE type = 'edit';
CREATE INDEX event_items ON event (item) WHERE type = 'item';
CREATE INDEX event_defs ON event (type, subject, new_value) WHERE item IS NULL;
CREATE INDEX event_reverts ON event (subject) WHERE type = 'revert';
CREATE INDEX event_costs ON event (item) WHERE type = 'cost';
CREATE INDEX event_evidence ON event (item, batch) WHERE type = 'evidence';
CREATE INDEX event_checks ON event (item, new_value, seq) WHERE type = 'check';
CREATE INDEX event_publications ON event (subject, seq) WHERE type = 'publication';
CREATE INDEX event_item ON event (item, seq);
CREATE INDEX event_recorded ON event (recorded);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Room for sync: an event's position and hash in the shared log, and when this store
-- received it. Append-only like the events.
CREATE TABLE shared (
    uuid TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,   -- the event's local sequence here
    pos INTEGER NOT NULL UNIQUE,
    hash BLOB NOT NULL,
    received TEXT NOT NULL
);

CREATE TRIGGER shared_no_update BEFORE UPDATE ON shared
BEGIN
    SELECT RAISE(ABORT, 'the shared log is append-only');
END;

CREATE TRIGGER shared_no_delete BEFORE DELETE ON shared
BEGIN
    SELECT RAISE(ABORT, 'the shared log is append-only');
END;

-- The current state: a projection of the events, kept for speed and always equal to a
-- replay (verify checks). As-of queries shadow these names with temporary tables of the
-- same shape.
CREATE TABLE documents (
    symbol TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT,
    session TEXT,
    adopted TEXT,
    published TEXT,
    preamble TEXT
);

CREATE TABLE paragraphs (
    doc TEXT NOT NULL,
    ref TEXT NOT NULL,
    text TEXT NOT NULL,
    ord INTEGER,
    PRIMARY KEY (doc, ref)
);

CREATE TABLE kinds (
    name TEXT PRIMARY KEY,
    label TEXT,
    description TEXT,
    initial TEXT,
    keep_baseline TEXT,
    cadence_months INTEGER
);

CREATE TABLE vocab (
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    label TEXT,
    progress INTEGER NOT NULL,
    final INTEGER NOT NULL,
    breach INTEGER NOT NULL,
    submission INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    PRIMARY KEY (kind, status)
);

CREATE TABLE items (
    uuid TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    doc TEXT,
    kind TEXT NOT NULL,
    parent TEXT,
    title TEXT NOT NULL,
    ref TEXT,
    goal TEXT,
    due TEXT,
    cadence_months INTEGER,
    description TEXT,
    created TEXT NOT NULL,
    status TEXT,
    since TEXT,
    status_seq INTEGER,
    progress INTEGER,
    final INTEGER,
    breach INTEGER,
    submitted TEXT,   -- a reporting duty's last submission (effective date)
    next_due TEXT,    -- the day by which the next step is due: the due date, or the last
                      -- submission (else creation) plus the cadence; NULL once final
    para_ord INTEGER NOT NULL  -- its paragraph's place in the document (1000000: none), so
                               -- that lists follow the resolution without sorting
);

CREATE INDEX items_parent ON items (parent);
CREATE INDEX items_order ON items (doc, para_ord, key);
CREATE INDEX items_kind ON items (kind);
-- The instances (keys with a '/', one per country) by parent, with their progress: the roll-up
-- of `list` and the reports reads this index alone (WHERE instr(key, '/') > 0, as written here).
CREATE INDEX items_instances ON items (parent, progress) WHERE instr(key, '/') > 0;
