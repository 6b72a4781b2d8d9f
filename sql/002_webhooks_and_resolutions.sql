-- tally schema, version 2: the webhook listener's tables (the seed's
-- WebhookLog and OrphanTransaction, plus event de-duplication) and the
-- owner's resolutions of findings that tally never fixes by itself.

-- Every HTTP request the listener answered. Signatures and secrets are never
-- stored; the raw body is kept for verified events only (for replay).
CREATE TABLE webhook_log (
    id           INTEGER PRIMARY KEY,
    received_at  TEXT NOT NULL,
    provider     TEXT,
    path         TEXT NOT NULL,
    remote_addr  TEXT,
    event_id     TEXT,
    event_type   TEXT,
    -- verified, invalid, missing, expired, unconfigured, not_checked
    signature    TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN
        ('applied', 'duplicate', 'stale', 'orphan', 'ignored', 'rejected', 'error')),
    http_status  INTEGER NOT NULL,
    duration_us  INTEGER NOT NULL,
    error        TEXT,
    body         BLOB,
    order_number TEXT
);
CREATE INDEX webhook_log_received ON webhook_log (received_at);
CREATE INDEX webhook_log_event ON webhook_log (provider, event_id);

-- One row per provider event id: a duplicate delivery finds its row here.
-- state 'failed' means processing failed and the event was never applied.
CREATE TABLE provider_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN
        ('applied', 'duplicate', 'stale', 'orphan', 'ignored', 'failed')),
    payment_id  INTEGER REFERENCES payments (id) ON DELETE SET NULL,
    order_number TEXT,
    error       TEXT,
    resolved_at TEXT,
    PRIMARY KEY (provider, event_id)
) WITHOUT ROWID;
CREATE INDEX provider_events_failed ON provider_events (state) WHERE state = 'failed';
CREATE INDEX provider_events_payment ON provider_events (payment_id);

-- The seed's OrphanTransaction: a provider event that matched no payment,
-- or named an order whose payment already holds another reference (a
-- possible double charge).
CREATE TABLE orphans (
    id           INTEGER PRIMARY KEY,
    provider     TEXT NOT NULL,
    reference    TEXT,
    amount_minor INTEGER,
    currency     TEXT,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    order_number TEXT,
    received_at  TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'linked', 'dismissed')),
    resolved_at  TEXT,
    resolved_by  TEXT,
    note         TEXT
);
CREATE INDEX orphans_open ON orphans (state) WHERE state = 'open';

-- The owner's acknowledgement of a finding tally never fixes by itself. It
-- holds while the order and its payment are as they were when it was made.
CREATE TABLE resolutions (
    id                 INTEGER PRIMARY KEY,
    order_id           INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    rule               TEXT NOT NULL,
    note               TEXT NOT NULL,
    actor              TEXT NOT NULL,
    at                 TEXT NOT NULL,
    order_updated_at   TEXT NOT NULL,
    payment_updated_at TEXT
);
CREATE INDEX resolutions_order ON resolutions (order_id, rule);
