//! [`Writer`]: every write to the shop's tables, one method each.
//!
//! A `Writer` exists only inside [`Store::write`](super::Store::write)'s
//! `BEGIN IMMEDIATE` transaction, so whatever a caller writes through it
//! commits together or not at all. It dereferences to a [`Reader`], so the
//! reads a decision needs see the same transaction. Nothing outside
//! `src/store/` holds a writable connection: the rooms say what to write
//! (an order, a payment, an audit row, a provider event, an orphan), never
//! how.

use std::ops::Deref;

use rusqlite::params;

use super::reader::Reader;
use crate::domain::{AuditEntry, Order, Payment, format_ts};

/// The write handle of one transaction.
pub struct Writer<'c> {
    pub(super) reader: Reader<'c>,
}

impl<'c> Deref for Writer<'c> {
    type Target = Reader<'c>;
    fn deref(&self) -> &Reader<'c> {
        &self.reader
    }
}

impl Writer<'_> {
    pub(super) fn conn(&self) -> &rusqlite::Connection {
        self.reader.conn
    }

    /// Inserts a new order (its `id` is ignored); returns the new id.
    pub fn insert_order(&self, o: &Order) -> rusqlite::Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO orders (number, customer_name, customer_email, total_minor, currency,
                        status, payment_status, created_at, updated_at, paid_at, cancelled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                o.number,
                o.customer_name,
                o.customer_email,
                o.total.minor(),
                o.total.currency(),
                o.status,
                o.payment_status,
                format_ts(o.created_at),
                format_ts(o.updated_at),
                o.paid_at.map(format_ts),
                o.cancelled_at.map(format_ts),
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Writes every column of an existing order but its number (an import).
    pub fn update_order(&self, o: &Order) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE orders SET customer_name = ?2, customer_email = ?3, total_minor = ?4,
                        currency = ?5, status = ?6, payment_status = ?7, created_at = ?8,
                        updated_at = ?9, paid_at = ?10, cancelled_at = ?11
                 WHERE id = ?1",
            )?
            .execute(params![
                o.id,
                o.customer_name,
                o.customer_email,
                o.total.minor(),
                o.total.currency(),
                o.status,
                o.payment_status,
                format_ts(o.created_at),
                format_ts(o.updated_at),
                o.paid_at.map(format_ts),
                o.cancelled_at.map(format_ts),
            ])?;
        Ok(())
    }

    /// Writes an order's mutable state (statuses and timestamps): what the
    /// operations, the fixer and ingest change. Fewer columns than
    /// [`Writer::update_order`], so the indexes on the others are left alone.
    pub fn update_order_state(&self, o: &Order) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE orders SET status = ?2, payment_status = ?3, updated_at = ?4, paid_at = ?5,
                        cancelled_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                o.id,
                o.status,
                o.payment_status,
                format_ts(o.updated_at),
                o.paid_at.map(format_ts),
                o.cancelled_at.map(format_ts),
            ])?;
        Ok(())
    }

    /// Writes a payment's mutable state: its status, the provider's ids and
    /// raw status, its timestamps and the figures' cache (what the
    /// operations, the fixer, ingest and the movement writer change).
    pub fn update_payment_state(&self, p: &Payment) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE payments SET reference = ?2, status = ?3, provider_status = ?4,
                        updated_at = ?5, completed_at = ?6, status_source = ?7,
                        captured_minor = ?8, captured_currency = ?9, charge_id = ?10,
                        refunded_minor = ?11, refund_pending = ?12, disputed = ?13,
                        refunds_pending_minor = ?14, refunds_failed_minor = ?15,
                        disputed_minor = ?16, lost_minor = ?17, owed_minor = ?18
                 WHERE id = ?1",
            )?
            .execute(params![
                p.id,
                p.reference,
                p.status,
                p.provider_status,
                format_ts(p.updated_at),
                p.completed_at.map(format_ts),
                p.status_source,
                p.captured.map(|m| m.minor()),
                p.captured.map(|m| m.currency()),
                p.charge_id,
                p.refunded_minor,
                p.refund_pending,
                p.disputed,
                p.refunds_pending_minor,
                p.refunds_failed_minor,
                p.disputed_minor,
                p.lost_minor,
                p.owed_minor,
            ])?;
        Ok(())
    }

    /// Inserts a new payment of order `p.order_id` (its `id` is ignored);
    /// returns the new id. Its `attempt` is the order's next one, unless
    /// the caller gives it (`attempt` > 0: a bulk load that knows).
    pub fn insert_payment(&self, p: &Payment) -> rusqlite::Result<i64> {
        let attempt = if p.attempt > 0 {
            p.attempt
        } else {
            self.next_attempt(p.order_id)?
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO payments (order_id, provider, reference, amount_minor, currency,
                        status, provider_status, created_at, updated_at, completed_at,
                        status_source, captured_minor, captured_currency, charge_id,
                        refunded_minor, refund_pending, disputed, attempt, refunds_pending_minor,
                        refunds_failed_minor, disputed_minor, lost_minor, owed_minor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                        ?17, ?23, ?18, ?19, ?20, ?21, ?22)",
            )?
            .execute(params![
                p.order_id,
                p.provider,
                p.reference,
                p.amount.minor(),
                p.amount.currency(),
                p.status,
                p.provider_status,
                format_ts(p.created_at),
                format_ts(p.updated_at),
                p.completed_at.map(format_ts),
                p.status_source,
                p.captured.map(|m| m.minor()),
                p.captured.map(|m| m.currency()),
                p.charge_id,
                p.refunded_minor,
                p.refund_pending,
                p.disputed,
                p.refunds_pending_minor,
                p.refunds_failed_minor,
                p.disputed_minor,
                p.lost_minor,
                p.owed_minor,
                attempt,
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The number of order `order_id`'s next payment.
    pub(super) fn next_attempt(&self, order_id: i64) -> rusqlite::Result<i64> {
        self.conn()
            .prepare_cached(
                "SELECT coalesce(max(attempt), 0) + 1 FROM payments WHERE order_id = ?1",
            )?
            .query_row([order_id], |r| r.get(0))
    }

    /// Writes every column of an existing payment but its order (an import).
    pub fn update_payment(&self, p: &Payment) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE payments SET provider = ?2, reference = ?3, amount_minor = ?4,
                        currency = ?5, status = ?6, provider_status = ?7, created_at = ?8,
                        updated_at = ?9, completed_at = ?10, status_source = ?11,
                        captured_minor = ?12, captured_currency = ?13, charge_id = ?14,
                        refunded_minor = ?15, refund_pending = ?16, disputed = ?17,
                        refunds_pending_minor = ?18, refunds_failed_minor = ?19,
                        disputed_minor = ?20, lost_minor = ?21, owed_minor = ?22
                 WHERE id = ?1",
            )?
            .execute(params![
                p.id,
                p.provider,
                p.reference,
                p.amount.minor(),
                p.amount.currency(),
                p.status,
                p.provider_status,
                format_ts(p.created_at),
                format_ts(p.updated_at),
                p.completed_at.map(format_ts),
                p.status_source,
                p.captured.map(|m| m.minor()),
                p.captured.map(|m| m.currency()),
                p.charge_id,
                p.refunded_minor,
                p.refund_pending,
                p.disputed,
                p.refunds_pending_minor,
                p.refunds_failed_minor,
                p.disputed_minor,
                p.lost_minor,
                p.owed_minor,
            ])?;
        Ok(())
    }

    /// Appends one audit row.
    pub fn insert_audit(
        &self,
        order_id: Option<i64>,
        payment_id: Option<i64>,
        e: &AuditEntry,
    ) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO audit_log (at, order_id, payment_id, order_number, event, actor,
                        old_order_status, new_order_status, old_order_payment_status,
                        new_order_payment_status, old_payment_status, new_payment_status, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                e.at,
                order_id,
                payment_id,
                e.order_number,
                e.event,
                e.actor,
                e.old_order_status,
                e.new_order_status,
                e.old_order_payment_status,
                e.new_order_payment_status,
                e.old_payment_status,
                e.new_payment_status,
                e.details.to_string(),
            ])?;
        Ok(())
    }

    /// Records the owner's acknowledgement of a finding on an order as it
    /// stands now (`resolutions`).
    #[allow(clippy::too_many_arguments)]
    pub fn insert_resolution(
        &self,
        order: &Order,
        payment: Option<&Payment>,
        rule: &str,
        provider_id: Option<&str>,
        note: &str,
        actor: &str,
        at: &str,
    ) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "INSERT INTO resolutions (order_id, rule, note, actor, at, order_updated_at,
                        payment_updated_at, provider_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                order.id,
                rule,
                note,
                actor,
                at,
                format_ts(order.updated_at),
                payment.map(|p| format_ts(p.updated_at)),
                provider_id,
            ])
    }
}
