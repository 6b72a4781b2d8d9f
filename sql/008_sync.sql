-- tally schema: `tally sync`, which asks the providers for the events
-- their webhooks may not have delivered.
--
-- Where each webhook log row came from: the listener ('webhook'), a replay
-- of a stored delivery ('replay'), or the provider's API ('sync'). Rows
-- written before this version are the listener's or replays; they read
-- 'webhook'.
ALTER TABLE webhook_log ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook'
    CHECK (source IN ('webhook', 'replay', 'sync'));
CREATE INDEX webhook_log_sync ON webhook_log (received_at) WHERE source = 'sync';

-- One row per provider: how far `tally sync` has read the provider's
-- events. `watermark` moves only after a complete pass (every page fetched,
-- every event applied), to the time that pass started; the next pass
-- lists from the watermark less a margin. RFC 3339 UTC text.
CREATE TABLE sync_state (
    provider   TEXT PRIMARY KEY CHECK (provider IN ('stripe', 'paypal', 'wave')),
    watermark  TEXT NOT NULL,
    passed_at  TEXT NOT NULL,
    -- Events seen and applied by the last complete pass.
    seen       INTEGER NOT NULL DEFAULT 0,
    applied    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
