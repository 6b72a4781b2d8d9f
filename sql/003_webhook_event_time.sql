-- tally schema, version 3: when the provider created each event, so that an
-- event older than the last one applied to a payment cannot undo it (a late
-- "declined" after the retry's "processing").
-- RFC 3339 UTC text with milliseconds, like every timestamp; NULL when the
-- event did not say.

ALTER TABLE provider_events ADD COLUMN event_created_at TEXT;
