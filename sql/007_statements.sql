-- tally schema, version 7: statements, the providers' own export files.
--
-- A statement file covers a period of whole UTC days; each of its lines is
-- one provider transaction (a charge, a refund, a fee, a payout, ...) in
-- exact minor units, stored once per provider and transaction id: an
-- overlapping later file finds its lines here, and a line the provider
-- rewrote (PayPal: Completed → Cancelled) is updated from the newer file.
-- payment_id is the match found at import (a cache: `tally check` matches
-- again the customer lines that have none).

CREATE TABLE statement_files (
    id           INTEGER PRIMARY KEY,
    provider     TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'wave')),
    -- stripe_balance, paypal_activity, paypal_statement, wave_transactions
    format       TEXT NOT NULL,
    name         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    -- the days it covers, YYYY-MM-DD, both included
    period_from  TEXT NOT NULL,
    period_to    TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    imported_at  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    UNIQUE (provider, sha256)
);

CREATE TABLE statement_lines (
    id                INTEGER PRIMARY KEY,
    provider          TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'wave')),
    -- Stripe balance_transaction_id, PayPal Transaction ID, Wave transaction_id
    line_id           TEXT NOT NULL,
    -- the file that last wrote the line, and its row there
    file_id           INTEGER NOT NULL REFERENCES statement_files (id),
    row               INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    -- completed, pending, void, memo
    status            TEXT NOT NULL,
    type_text         TEXT NOT NULL,
    at                TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    -- signed minor units: gross + for money in; fee + when charged;
    -- net = gross - fee
    gross_minor       INTEGER NOT NULL,
    fee_minor         INTEGER NOT NULL,
    net_minor         INTEGER NOT NULL,
    -- what the customer paid, in their currency (Stripe's customer-facing
    -- amount; the gross elsewhere)
    customer_minor    INTEGER,
    customer_currency TEXT,
    own_id            TEXT,
    payment_intent    TEXT,
    charge_id         TEXT,
    related_id        TEXT,
    session_id        TEXT,
    order_ref         TEXT,
    order_ref2        TEXT,
    payout_id         TEXT,
    description       TEXT,
    -- the payment the line is about, when found, and how (id, order)
    payment_id        INTEGER REFERENCES payments (id) ON DELETE SET NULL,
    matched_by        TEXT,
    UNIQUE (provider, line_id)
);
CREATE INDEX statement_lines_payment ON statement_lines (payment_id, kind)
    WHERE payment_id IS NOT NULL;
-- What `tally check` compares with each payment's capture, read without
-- touching the table.
CREATE INDEX statement_lines_charges ON statement_lines
    (payment_id, status, customer_minor, customer_currency, gross_minor, currency, id)
    WHERE kind = 'charge' AND payment_id IS NOT NULL;
CREATE INDEX statement_lines_own ON statement_lines (provider, own_id) WHERE own_id IS NOT NULL;
CREATE INDEX statement_lines_unmatched ON statement_lines (provider)
    WHERE payment_id IS NULL AND kind IN ('charge', 'refund', 'dispute', 'dispute_reversal');
CREATE INDEX statement_lines_refunds ON statement_lines
    (payment_id, kind, status, own_id, customer_minor, gross_minor)
    WHERE kind IN ('refund', 'dispute', 'dispute_reversal');
CREATE INDEX statement_lines_payout ON statement_lines (provider, payout_id)
    WHERE payout_id IS NOT NULL;
CREATE INDEX statement_lines_related ON statement_lines (provider, related_id)
    WHERE related_id IS NOT NULL;
CREATE INDEX statement_lines_at ON statement_lines (at);

-- A statement line finds a refund or a dispute by its provider id; each
-- index holds only that kind's few rows.
CREATE INDEX movements_refunds ON movements (provider_id) WHERE kind = 'refund';
CREATE INDEX movements_disputes ON movements (provider_id) WHERE kind = 'dispute';
