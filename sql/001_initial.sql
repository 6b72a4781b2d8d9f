-- tally schema, version 1: orders, payments, the audit log.
-- Shipped migrations are never edited: add a new numbered file instead.
-- Timestamps are RFC 3339 UTC text with milliseconds ("2026-11-01T10:00:00.000Z"),
-- fixed width, so text order is time order. Amounts are integer minor units.

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    customer_name  TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    total_minor    INTEGER NOT NULL CHECK (total_minor >= 0),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    status         TEXT NOT NULL
        CHECK (status IN ('pending', 'processing', 'shipped', 'delivered', 'cancelled')),
    payment_status TEXT NOT NULL
        CHECK (payment_status IN ('pending', 'paid', 'failed', 'refunded')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    paid_at        TEXT,
    cancelled_at   TEXT
);
CREATE INDEX orders_created ON orders (created_at, id);

CREATE TABLE payments (
    id                INTEGER PRIMARY KEY,
    order_id          INTEGER NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    provider          TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'wave', 'cash')),
    -- the provider's id: Stripe PaymentIntent, PayPal capture or sale, Wave transaction
    reference         TEXT,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    status            TEXT NOT NULL
        CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
    -- the provider's last raw status text ("requires_action", "PENDING", ...)
    provider_status   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    completed_at      TEXT,
    -- who set the status last: 'owner' (a person, an import, a fix) or
    -- 'provider' (a verified provider event)
    status_source     TEXT NOT NULL DEFAULT 'owner' CHECK (status_source IN ('owner', 'provider')),
    -- what the provider reported as captured, when it did
    captured_minor    INTEGER,
    captured_currency TEXT,
    -- Stripe's charge id (ch_...), which refunds and disputes may carry alone
    charge_id         TEXT,
    refunded_minor    INTEGER NOT NULL DEFAULT 0,
    -- cancelled in tally while completed: the money must go back to the
    -- customer and nobody has confirmed it yet
    refund_pending    INTEGER NOT NULL DEFAULT 0 CHECK (refund_pending IN (0, 1)),
    disputed          INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
    UNIQUE (provider, reference)
);
CREATE INDEX payments_charge ON payments (charge_id) WHERE charge_id IS NOT NULL;
CREATE INDEX payments_status ON payments (status, created_at);

-- The seed's PaymentLog: one row per change, never updated.
CREATE TABLE audit_log (
    id                       INTEGER PRIMARY KEY,
    at                       TEXT NOT NULL,
    order_id                 INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    payment_id               INTEGER REFERENCES payments (id) ON DELETE SET NULL,
    order_number             TEXT,
    event                    TEXT NOT NULL,
    actor                    TEXT NOT NULL,
    old_order_status         TEXT,
    new_order_status         TEXT,
    old_order_payment_status TEXT,
    new_order_payment_status TEXT,
    old_payment_status       TEXT,
    new_payment_status       TEXT,
    details                  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_order ON audit_log (order_id, id);
