-- tally schema, version 5: partial indexes that let `tally check` find the
-- rare states (a refund owed, a dispute, a missing timestamp, a cancelled
-- order) without evaluating them on every row of its scan. Each holds only
-- the few rows in that state.

CREATE INDEX payments_refund_pending ON payments (order_id) WHERE refund_pending = 1;
CREATE INDEX payments_disputed ON payments (order_id) WHERE disputed = 1;
CREATE INDEX payments_completed_untimed ON payments (order_id)
    WHERE status = 'completed' AND completed_at IS NULL;
CREATE INDEX orders_paid_untimed ON orders (id) WHERE payment_status = 'paid' AND paid_at IS NULL;
CREATE INDEX orders_cancelled ON orders (id) WHERE status = 'cancelled';
