-- tally schema, version 6: the money ledger.
--
-- An order may now have several payments (attempts: a declined card and the
-- retry, a Wave payment after a failed Stripe one, a double charge), so
-- payments.order_id is no longer unique; `attempt` numbers an order's
-- payments from 1. Every payment keeps an append-only list of movements
-- (captured, refunds, disputes, ...); the payment's figure columns are a
-- cache of the fold of its movements, written in the same transaction as
-- each movement (by the store's one movement writer), so that `tally check`
-- reads them without folding a million ledgers.
--
-- Foreign keys are off while migrations run (the store turns them on
-- after), so dropping the old payments table leaves the audit log's and
-- provider events' payment ids as they are: the new table keeps the ids.

DROP TRIGGER order_search_order_insert;
DROP TRIGGER order_search_order_update;
DROP TRIGGER order_search_order_delete;
DROP TRIGGER order_search_payment_insert;
DROP TRIGGER order_search_payment_update;
DROP TRIGGER order_search_payment_delete;
DROP VIEW order_search_doc;

CREATE TABLE payments_v6 (
    id                    INTEGER PRIMARY KEY,
    order_id              INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- 1 for an order's first payment, 2 for the next, ...
    attempt               INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    provider              TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'wave', 'cash')),
    reference             TEXT,
    amount_minor          INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency              TEXT NOT NULL CHECK (length(currency) = 3),
    status                TEXT NOT NULL
        CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
    provider_status       TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    completed_at          TEXT,
    status_source         TEXT NOT NULL DEFAULT 'owner' CHECK (status_source IN ('owner', 'provider')),
    -- The figures, folded from the movements (cache; see above). Captured is
    -- NULL while nothing was captured.
    captured_minor        INTEGER,
    captured_currency     TEXT,
    charge_id             TEXT,
    refunded_minor        INTEGER NOT NULL DEFAULT 0,
    -- owed_minor > 0
    refund_pending        INTEGER NOT NULL DEFAULT 0 CHECK (refund_pending IN (0, 1)),
    -- disputed_minor > 0
    disputed              INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
    refunds_pending_minor INTEGER NOT NULL DEFAULT 0,
    refunds_failed_minor  INTEGER NOT NULL DEFAULT 0,
    disputed_minor        INTEGER NOT NULL DEFAULT 0,
    lost_minor            INTEGER NOT NULL DEFAULT 0,
    owed_minor            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (provider, reference)
);

INSERT INTO payments_v6 (id, order_id, attempt, provider, reference, amount_minor, currency, status,
        provider_status, created_at, updated_at, completed_at, status_source, captured_minor,
        captured_currency, charge_id, refunded_minor, refund_pending, disputed)
SELECT id, order_id, 1, provider, reference, amount_minor, currency, status, provider_status,
       created_at, updated_at, completed_at, status_source, captured_minor, captured_currency,
       charge_id, refunded_minor, refund_pending, disputed
FROM payments;

CREATE TABLE movements (
    id           INTEGER PRIMARY KEY,
    payment_id   INTEGER NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL
        CHECK (kind IN ('authorised', 'captured', 'released', 'refund', 'dispute', 'owed')),
    -- refunds: pending, succeeded, failed, cancelled; disputes: inquiry,
    -- inquiry_closed, open, reversed, won, prevented, lost
    state        TEXT,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    -- the provider's id of what moved (re_..., dp_..., a capture id)
    provider_id  TEXT,
    -- what groups movements into one flow when it is not the provider id
    -- (a PayPal reversal and its dispute share the disputed capture)
    flow_key     TEXT,
    -- the provider's own time of the fact
    at           TEXT NOT NULL,
    event_id     TEXT,
    -- provider, owner, import, migration
    source       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
-- The same fact reported twice is one row.
CREATE UNIQUE INDEX movements_fact ON movements
    (payment_id, kind, coalesce(flow_key, provider_id, ''), coalesce(state, ''), at, amount_minor);

-- Every existing payment's figures become movements. A payment that
-- captured money: completed, or cancelled with a refund, a refund owed or
-- a reversal behind it.
INSERT INTO movements (payment_id, kind, amount_minor, currency, provider_id, at, source, recorded_at)
SELECT id, 'captured', coalesce(captured_minor, amount_minor), coalesce(captured_currency, currency),
       reference, coalesce(completed_at, updated_at), 'migration', strftime('%Y-%m-%dT%H:%M:%fZ')
FROM payments_v6
WHERE captured_minor IS NOT NULL OR status = 'completed'
   OR (status = 'cancelled' AND (refunded_minor > 0 OR refund_pending = 1 OR disputed = 1));

-- A refunded total that named no refund.
INSERT INTO movements (payment_id, kind, state, amount_minor, currency, at, source, recorded_at)
SELECT p.id, 'refund', 'succeeded', p.refunded_minor, m.currency, p.updated_at, 'migration',
       strftime('%Y-%m-%dT%H:%M:%fZ')
FROM payments_v6 p JOIN movements m ON m.payment_id = p.id AND m.kind = 'captured'
WHERE p.refunded_minor > 0;

-- The disputed flag: a reversal (PayPal took the funds back) on a cancelled
-- PayPal payment that owes no refund, the only way schema 5 cancelled and
-- disputed a payment at once; otherwise an open dispute. A cancelled
-- payment that still owes a refund was cancelled by the owner, under a
-- dispute or before one opened (a reversal clears the refund owed), and
-- Stripe, Wave and cash never reverse: their disputes stay open.
-- A reversal took back what the payment kept (captured less refunds); an
-- open chargeback is for the charge, as schema 5 reported it, refunds or
-- not (a customer may dispute a refunded charge: it must still be
-- answered).
INSERT INTO movements (payment_id, kind, state, amount_minor, currency, flow_key, at, source,
        recorded_at)
SELECT p.id, 'dispute', d.state,
       CASE d.state WHEN 'reversed'
            THEN max(m.amount_minor - min(p.refunded_minor, m.amount_minor), 0)
            ELSE m.amount_minor END,
       m.currency, 'migrated', p.updated_at, 'migration', strftime('%Y-%m-%dT%H:%M:%fZ')
FROM payments_v6 p JOIN movements m ON m.payment_id = p.id AND m.kind = 'captured'
JOIN (SELECT id,
             CASE WHEN status = 'cancelled' AND provider = 'paypal' AND refund_pending = 0
                  THEN 'reversed' ELSE 'open' END AS state
      FROM payments_v6) d ON d.id = p.id
WHERE p.disputed = 1;

-- A refund owed after the owner cancelled.
INSERT INTO movements (payment_id, kind, amount_minor, currency, at, source, recorded_at)
SELECT p.id, 'owed', max(m.amount_minor - min(p.refunded_minor, m.amount_minor), 0), m.currency,
       p.updated_at, 'migration', strftime('%Y-%m-%dT%H:%M:%fZ')
FROM payments_v6 p JOIN movements m ON m.payment_id = p.id AND m.kind = 'captured'
WHERE p.refund_pending = 1;

-- The figures of those movements (what the fold gives for these shapes;
-- the migration test checks it against the fold).
UPDATE payments_v6 SET
    captured_minor = (SELECT m.amount_minor FROM movements m
                      WHERE m.payment_id = payments_v6.id AND m.kind = 'captured'),
    captured_currency = (SELECT m.currency FROM movements m
                         WHERE m.payment_id = payments_v6.id AND m.kind = 'captured'),
    refunded_minor = min(refunded_minor, coalesce((SELECT m.amount_minor FROM movements m
                         WHERE m.payment_id = payments_v6.id AND m.kind = 'captured'), 0)),
    disputed_minor = coalesce((SELECT m.amount_minor FROM movements m
                         WHERE m.payment_id = payments_v6.id AND m.kind = 'dispute'
                           AND m.state = 'open'), 0),
    lost_minor = coalesce((SELECT m.amount_minor FROM movements m
                         WHERE m.payment_id = payments_v6.id AND m.kind = 'dispute'
                           AND m.state = 'reversed'), 0),
    owed_minor = coalesce((SELECT m.amount_minor FROM movements m
                         WHERE m.payment_id = payments_v6.id AND m.kind = 'owed'), 0);
UPDATE payments_v6 SET
    refund_pending = owed_minor > 0,
    disputed = disputed_minor > 0,
    -- A reversal's money is lost, not owed.
    owed_minor = min(owed_minor, coalesce(captured_minor, 0) - refunded_minor - lost_minor);
UPDATE payments_v6 SET refund_pending = owed_minor > 0;

DROP TABLE payments;
ALTER TABLE payments_v6 RENAME TO payments;

CREATE INDEX payments_order ON payments (order_id, attempt);
CREATE INDEX payments_charge ON payments (charge_id) WHERE charge_id IS NOT NULL;
CREATE INDEX payments_status ON payments (status, created_at);
CREATE INDEX payments_refund_pending ON payments (order_id) WHERE refund_pending = 1;
CREATE INDEX payments_disputed ON payments (order_id) WHERE disputed = 1;
CREATE INDEX payments_completed_untimed ON payments (order_id)
    WHERE status = 'completed' AND completed_at IS NULL;
-- The rare states of the ledger's rules, each a handful of rows.
CREATE INDEX payments_retries ON payments (order_id) WHERE attempt > 1;
CREATE INDEX payments_lost ON payments (order_id) WHERE lost_minor > 0;
CREATE INDEX payments_refunds_failed ON payments (order_id) WHERE refunds_failed_minor > 0;
CREATE INDEX orders_fulfilled ON orders (id) WHERE status IN ('shipped', 'delivered');

-- A resolution may close one of several findings of a rule on one order
-- (a dispute, a failed refund): by its provider id.
ALTER TABLE resolutions ADD COLUMN provider_id TEXT;

-- The owner's resolutions of a disputed flag hold for the dispute it
-- became: it is named by its key ('migrated'), and a reversal is now
-- reported as dispute_lost. (Such a resolution still holds only while the
-- order and the payment are unchanged, as before.)
UPDATE resolutions SET
    provider_id = 'migrated',
    rule = CASE WHEN EXISTS (SELECT 1 FROM payments p JOIN movements m ON m.payment_id = p.id
                             WHERE p.order_id = resolutions.order_id AND m.kind = 'dispute'
                               AND m.state = 'reversed' AND m.source = 'migration')
                THEN 'dispute_lost' ELSE rule END
WHERE rule = 'disputed' AND provider_id IS NULL
  AND EXISTS (SELECT 1 FROM payments p JOIN movements m ON m.payment_id = p.id
              WHERE p.order_id = resolutions.order_id AND m.kind = 'dispute'
                AND m.source = 'migration');

-- The search document: every payment reference of the order.
CREATE VIEW order_search_doc AS
SELECT o.id AS id,
       o.number || ' ' || o.customer_name || ' ' || o.customer_email || ' '
           || coalesce((SELECT group_concat(p.reference, ' ') FROM payments p
                        WHERE p.order_id = o.id), '') AS doc
FROM orders o;

CREATE TRIGGER order_search_order_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc WHERE id = new.id;
END;

CREATE TRIGGER order_search_order_update AFTER UPDATE OF number, customer_name, customer_email
ON orders
WHEN old.number IS NOT new.number OR old.customer_name IS NOT new.customer_name
  OR old.customer_email IS NOT new.customer_email
BEGIN
    DELETE FROM order_search WHERE rowid = old.id;
    INSERT INTO order_search (rowid, doc) SELECT id, doc FROM order_search_doc WHERE id = new.id;
END;

CREATE TRIGGER order_search_order_delete AFTER DELETE ON orders BEGIN
    DELETE FROM order_search WHERE rowid = old.id;
END;

CREATE TRIGGER order_search_payment_insert AFTER INSERT ON payments BEGIN
    DELETE FROM order_search WHERE rowid = new.order_id;
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id = new.order_id;
END;

CREATE TRIGGER order_search_payment_update AFTER UPDATE OF reference, order_id ON payments
WHEN old.reference IS NOT new.reference OR old.order_id IS NOT new.order_id
BEGIN
    DELETE FROM order_search WHERE rowid IN (old.order_id, new.order_id);
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id IN (old.order_id, new.order_id);
END;

CREATE TRIGGER order_search_payment_delete AFTER DELETE ON payments BEGIN
    DELETE FROM order_search WHERE rowid = old.order_id;
    INSERT INTO order_search (rowid, doc)
        SELECT id, doc FROM order_search_doc WHERE id = old.order_id;
END;
