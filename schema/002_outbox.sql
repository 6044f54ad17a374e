-- 002_outbox: notices waiting to be delivered to a webhook. Written in the same transaction
-- as the notice event that makes them due; delivered after the commit; retried with backoff.
-- Unlike the trail, rows change: delivery is a fact about the network, not about the items.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,            -- the notice's uuid, sent as the Docket-Notice-Id header
    created TEXT NOT NULL,          -- UTC
    format TEXT NOT NULL,           -- json or slack
    body TEXT NOT NULL,
    through_seq INTEGER NOT NULL,   -- the last local event sequence number the notice covers:
                                    -- the next one tells of the status events after it,
                                    -- whatever their recorded times (sync brings older ones)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,     -- UTC; not before then
    delivered TEXT,                 -- UTC, once the receiver took it
    last_error TEXT
);

CREATE INDEX outbox_pending ON outbox (next_attempt) WHERE delivered IS NULL;
