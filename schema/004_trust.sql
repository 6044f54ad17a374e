-- 004_trust: offices sign their events; the shared log admits offices; conflicts come from what
-- each writer had seen. Nothing here rewrites an event: older events keep their bytes and hashes
-- (canonical version 1, no base, no signature).

-- The shared-log position the event's writer had applied when it recorded the event (0: none);
-- part of the canonical bytes from version 2 on. NULL for events recorded before this migration.
ALTER TABLE event ADD COLUMN base INTEGER;

-- Each event's Ed25519 signature over its canonical bytes, by the key of the office that
-- recorded it (its replica's key in the shared log). Version-1 events have none. Append-only.
CREATE TABLE signature (
    uuid TEXT PRIMARY KEY,
    sig BLOB NOT NULL
);

CREATE TRIGGER signature_no_update BEFORE UPDATE ON signature
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;

CREATE TRIGGER signature_no_delete BEFORE DELETE ON signature
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;

-- Shared-log entries that failed a check: not applied, kept with the reason (signature, not
-- admitted, revoked, chain) and the entry's text. The next entry chains from the hash this one
-- states, so one bad entry holds back no good one. Append-only.
CREATE TABLE quarantine (
    pos INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    reason TEXT NOT NULL,
    uuid TEXT,
    replica TEXT,
    entry TEXT NOT NULL,
    received TEXT NOT NULL
);

CREATE TRIGGER quarantine_no_update BEFORE UPDATE ON quarantine
BEGIN
    SELECT RAISE(ABORT, 'the quarantine is append-only');
END;

CREATE TRIGGER quarantine_no_delete BEFORE DELETE ON quarantine
BEGIN
    SELECT RAISE(ABORT, 'the quarantine is append-only');
END;

-- Offices' announcements by replica: the key each replica is bound to is read per shared-log
-- entry pulled. (admit, revoke and rekey events are found through event_defs.)
CREATE INDEX event_offices ON event (replica, seq) WHERE type = 'office';

-- Conflicts are computed from the events' bases when asked (sync.h): the table 003 kept is
-- derived data, dropped.
DROP TABLE conflict;
