-- tally schema: refunds issued through the providers' APIs (`tally refund`,
-- `tally order cancel --refund`).
--
-- One row per refund tally asks a provider for, written before the call
-- (state 'requested') in a transaction of its own, then settled by the
-- provider's answer in another. `idempotency_key` is random and sent with
-- every try of the same request (Stripe's Idempotency-Key, PayPal's
-- PayPal-Request-Id; Stripe's refund metadata and PayPal's invoice_id carry
-- it too, for a lookup once the provider has forgotten the key), so that a
-- retry can never make a second refund. The amount is fixed when the row
-- is written: a retry sends exactly the first request.
CREATE TABLE refund_intents (
    id                  INTEGER PRIMARY KEY,
    order_id            INTEGER NOT NULL REFERENCES orders(id),
    payment_id          INTEGER NOT NULL REFERENCES payments(id),
    provider            TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'wave')),
    -- What is refunded: the payment's reference (PaymentIntent, capture or
    -- sale id, checkout session), as it was when the intent was written.
    target              TEXT NOT NULL,
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL,
    reason              TEXT,
    idempotency_key     TEXT NOT NULL UNIQUE,
    state               TEXT NOT NULL
        CHECK (state IN ('requested', 'unknown', 'pending', 'succeeded', 'failed', 'refused')),
    provider_refund_id  TEXT,
    -- The provider's last word when it was not a refund (its error text).
    error               TEXT,
    actor               TEXT NOT NULL,
    requested_at        TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    settled_at          TEXT,
    -- How many times the request (or a lookup) was sent.
    tries               INTEGER NOT NULL DEFAULT 0
);

-- At most one unsettled intent per payment: two owners refunding at once
-- are serialised here, and a retry settles the open one before anything
-- new is asked.
CREATE UNIQUE INDEX refund_intents_unsettled ON refund_intents (payment_id)
    WHERE state IN ('requested', 'unknown');
CREATE INDEX refund_intents_payment ON refund_intents (payment_id, id);
