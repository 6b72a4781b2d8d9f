//! The movements table: the one writer of a payment's money, and its reads.
//!
//! [`Writer::record_movements`] appends movements (a fact already recorded
//! (same payment, flow, state, time and amount) is not recorded twice:
//! `INSERT OR IGNORE` on the `movements_fact` unique index), folds all of
//! the payment's movements with the domain's pure
//! [`figures`](crate::domain::ledger::figures), and writes the figures into
//! the payment's cached columns, all in the caller's transaction
//! ([`Writer::add_movements`] leaves the row to a caller that writes it in
//! the same transaction anyway). The figure columns only ever hold what this
//! fold gave, so they always equal the fold of the movements.

use rusqlite::params;

use super::rows::{PAYMENT_COLUMNS, payment_from_row, ts_at};
use super::{Reader, Writer};
use crate::domain::ledger::{self, Figures, Flow, Movement, MovementKind, MovementSource};
use crate::domain::{Currency, Money, Payment, Timestamp, format_ts};

/// A stored movement and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMovement {
    pub movement: Movement,
    pub source: MovementSource,
}

fn movement_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMovement> {
    let kind: MovementKind = r.get(0)?;
    let state: Option<String> = r.get(1)?;
    let flow = Flow::from_parts(kind, state.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
    })?;
    let currency: Currency = r.get(3)?;
    let amount = Money::from_minor(r.get(2)?, currency).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Integer, Box::new(e))
    })?;
    Ok(StoredMovement {
        movement: Movement {
            flow,
            amount,
            provider_id: r.get(4)?,
            key: r.get(5)?,
            at: ts_at(r, 6)?,
            event_id: r.get(7)?,
        },
        source: r.get(8)?,
    })
}

impl Reader<'_> {
    /// A payment's movements, in the order they were recorded.
    pub fn movements(&self, payment_id: i64) -> rusqlite::Result<Vec<StoredMovement>> {
        self.prepare_cached(
            "SELECT kind, state, amount_minor, currency, provider_id, flow_key, at, event_id,
                    source
             FROM movements WHERE payment_id = ?1 ORDER BY id",
        )?
        .query_map([payment_id], movement_from_row)?
        .collect()
    }

    /// Every payment (attempt) of an order, newest first.
    pub fn payments_of_order(&self, order_id: i64) -> rusqlite::Result<Vec<Payment>> {
        self.prepare_cached(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ?1
             ORDER BY p.created_at DESC, p.id DESC"
        ))?
        .query_map([order_id], |r| payment_from_row(r, 0))?
        .collect()
    }
}

impl Writer<'_> {
    /// Appends `movements` to `payment`'s ledger, folds it, and writes the
    /// figures into `payment` and its row. Returns the figures and how many
    /// movements were new.
    pub fn record_movements(
        &self,
        payment: &mut Payment,
        movements: &[Movement],
        source: MovementSource,
        now: Timestamp,
    ) -> rusqlite::Result<(Figures, usize)> {
        let (figures, added) = self.add_movements(payment, movements, source, now)?;
        self.update_payment_state(payment)?;
        Ok((figures, added))
    }

    /// Like [`Writer::record_movements`], for a caller that writes the
    /// payment's row itself in the same transaction (ingest, which writes it
    /// with its new status): the figures are set in `payment`, not yet in
    /// its row.
    pub fn add_movements(
        &self,
        payment: &mut Payment,
        movements: &[Movement],
        source: MovementSource,
        now: Timestamp,
    ) -> rusqlite::Result<(Figures, usize)> {
        let mut added = 0;
        for m in movements {
            added += self.insert_movement(payment.id, m, source, now)?;
        }
        let figures = self.fold(payment)?;
        Ok((figures, added))
    }

    /// Inserts a new payment with its first movements, its figures folded
    /// from them; returns the payment's id (also set in `payment`).
    pub fn insert_payment_with_ledger(
        &self,
        payment: &mut Payment,
        movements: &[Movement],
        source: MovementSource,
        now: Timestamp,
    ) -> rusqlite::Result<i64> {
        let currency = movements
            .iter()
            .find(|m| m.flow == Flow::Captured)
            .map_or(payment.money_currency(), |m| m.amount.currency());
        payment.set_figures(&ledger::figures(movements, currency), currency);
        if payment.attempt == 0 {
            payment.attempt = self.next_attempt(payment.order_id)?;
        }
        payment.id = self.insert_payment(payment)?;
        for m in movements {
            self.insert_movement(payment.id, m, source, now)?;
        }
        Ok(payment.id)
    }

    fn insert_movement(
        &self,
        payment_id: i64,
        m: &Movement,
        source: MovementSource,
        now: Timestamp,
    ) -> rusqlite::Result<usize> {
        self.conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO movements (payment_id, kind, state, amount_minor,
                        currency, provider_id, flow_key, at, event_id, source, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                payment_id,
                m.flow.kind(),
                m.flow.state(),
                m.amount.minor(),
                m.amount.currency(),
                m.provider_id,
                m.key,
                format_ts(m.at),
                m.event_id,
                source,
                format_ts(now),
            ])
    }

    /// Folds `payment`'s stored movements into its figures (not its row).
    fn fold(&self, payment: &mut Payment) -> rusqlite::Result<Figures> {
        let all: Vec<Movement> = self
            .movements(payment.id)?
            .into_iter()
            .map(|s| s.movement)
            .collect();
        let currency = all
            .iter()
            .find(|m| m.flow == Flow::Captured)
            .map_or(payment.money_currency(), |m| m.amount.currency());
        let figures = ledger::figures(&all, currency);
        payment.set_figures(&figures, currency);
        Ok(figures)
    }
}
