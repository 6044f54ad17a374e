-- 007_doc_kinds: each document owns its kinds, their statuses and its keys (#15). No event is
-- rewritten. A kind or status event that names no document ("doc" in its attributes, written
-- from now on) was recorded when kinds were the whole store's: it is kept as the definition of
-- that kind for every document that does not define its own, and for items of no document
-- (doc NULL), as the projections in state.c read it. So a store made before this migration
-- reads exactly as before, and a document that brings its own kind of the same name changes
-- no other document's. The tables are made anew (their keys change), and filled from the
-- events by a replay, which the line below asks of db.c.
-- docket: replay the state
DROP TABLE main.kinds;
DROP TABLE main.vocab;
DROP TABLE main.items;

CREATE TABLE kinds (
    doc TEXT,                -- the owning document's symbol; NULL: items of no document
    name TEXT NOT NULL,
    label TEXT,
    description TEXT,
    initial TEXT,
    keep_baseline TEXT,
    cadence_months INTEGER,
    PRIMARY KEY (doc, name)
);

CREATE TABLE vocab (
    doc TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    label TEXT,
    progress INTEGER NOT NULL,
    final INTEGER NOT NULL,
    breach INTEGER NOT NULL,
    submission INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    lost INTEGER NOT NULL DEFAULT 0,
    at_risk INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc, kind, status)
);

-- Keys are unique within a document; an item of another document may have the same key.
CREATE TABLE items (
    uuid TEXT PRIMARY KEY,
    key TEXT NOT NULL,
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
    submitted TEXT,
    next_due TEXT,
    para_ord INTEGER NOT NULL,
    rollup TEXT,
    UNIQUE (doc, key)
);

CREATE INDEX items_key ON items (key);
CREATE INDEX items_parent ON items (parent, doc);
CREATE INDEX items_order ON items (doc, para_ord, key);
CREATE INDEX items_kind ON items (doc, kind);
-- The instances by parent (and its document), with their progress: the roll-up of `list` and
-- the reports reads this index alone (GROUP BY parent, doc; WHERE instr(key, '/') > 0).
CREATE INDEX items_instances ON items (parent, doc, progress) WHERE instr(key, '/') > 0;
