//! The refund intents table: what tally asked a provider to refund, and
//! what the provider answered.
//!
//! Each write is one [`Writer`] method, so it runs in the caller's
//! `BEGIN IMMEDIATE` transaction: an intent is written in a transaction of
//! its own before the provider is called, and settled in another after the
//! answer; no transaction is held across the call. The unique partial index
//! `refund_intents_unsettled` lets a payment have at most one unsettled
//! intent (`requested` or `unknown`): a second owner's insert fails there
//! even if it skipped the check.

use rusqlite::{OptionalExtension, params};

use super::rows::{opt_ts_at, ts_at};
use super::{Reader, Writer};
use crate::domain::{Currency, IntentState, Money, Provider, Timestamp, format_ts};

/// One refund intent, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundIntent {
    pub id: i64,
    pub order_id: i64,
    pub payment_id: i64,
    pub provider: Provider,
    /// What is refunded: the payment's reference when the intent was written.
    pub target: String,
    pub amount: Money,
    pub reason: Option<String>,
    pub key: String,
    pub state: IntentState,
    pub provider_refund_id: Option<String>,
    pub error: Option<String>,
    pub actor: String,
    pub requested_at: Timestamp,
    pub updated_at: Timestamp,
    pub settled_at: Option<Timestamp>,
    pub tries: i64,
}

/// A new intent, before it has an id.
#[derive(Debug, Clone)]
pub struct NewIntent<'a> {
    pub order_id: i64,
    pub payment_id: i64,
    pub provider: Provider,
    pub target: &'a str,
    pub amount: Money,
    pub reason: Option<&'a str>,
    pub key: &'a str,
    pub actor: &'a str,
    pub now: Timestamp,
}

const COLUMNS: &str = "id, order_id, payment_id, provider, target, amount_minor, currency, reason, \
     idempotency_key, state, provider_refund_id, error, actor, requested_at, updated_at, \
     settled_at, tries";

fn intent_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefundIntent> {
    let currency: Currency = r.get(6)?;
    let amount = Money::from_minor(r.get(5)?, currency).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Integer, Box::new(e))
    })?;
    Ok(RefundIntent {
        id: r.get(0)?,
        order_id: r.get(1)?,
        payment_id: r.get(2)?,
        provider: r.get(3)?,
        target: r.get(4)?,
        amount,
        reason: r.get(7)?,
        key: r.get(8)?,
        state: r.get(9)?,
        provider_refund_id: r.get(10)?,
        error: r.get(11)?,
        actor: r.get(12)?,
        requested_at: ts_at(r, 13)?,
        updated_at: ts_at(r, 14)?,
        settled_at: opt_ts_at(r, 15)?,
        tries: r.get(16)?,
    })
}

impl Reader<'_> {
    /// The payment's unsettled intent, if it has one.
    pub fn unsettled_intent(&self, payment_id: i64) -> rusqlite::Result<Option<RefundIntent>> {
        self.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM refund_intents
             WHERE payment_id = ?1 AND state IN ('requested', 'unknown')"
        ))?
        .query_row([payment_id], intent_from_row)
        .optional()
    }

    /// One intent by id.
    pub fn refund_intent(&self, id: i64) -> rusqlite::Result<Option<RefundIntent>> {
        self.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM refund_intents WHERE id = ?1"
        ))?
        .query_row([id], intent_from_row)
        .optional()
    }

    /// Every intent of an order, oldest first.
    pub fn refund_intents_of_order(&self, order_id: i64) -> rusqlite::Result<Vec<RefundIntent>> {
        self.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM refund_intents WHERE order_id = ?1 ORDER BY id"
        ))?
        .query_map([order_id], intent_from_row)?
        .collect()
    }

    /// The order numbers of every unsettled intent, oldest first.
    pub fn unsettled_intent_orders(&self) -> rusqlite::Result<Vec<String>> {
        self.prepare_cached(
            "SELECT o.number FROM refund_intents i JOIN orders o ON o.id = i.order_id
             WHERE i.state IN ('requested', 'unknown') ORDER BY i.id",
        )?
        .query_map([], |r| r.get(0))?
        .collect()
    }
}

impl Writer<'_> {
    /// Writes a new intent in state `requested`; returns it. Fails on the
    /// unique index when the payment already has an unsettled intent.
    pub fn insert_refund_intent(&self, n: &NewIntent<'_>) -> rusqlite::Result<RefundIntent> {
        let now = format_ts(n.now);
        self.conn()
            .prepare_cached(
                "INSERT INTO refund_intents (order_id, payment_id, provider, target, amount_minor,
                        currency, reason, idempotency_key, state, actor, requested_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'requested', ?9, ?10, ?10)",
            )?
            .execute(params![
                n.order_id,
                n.payment_id,
                n.provider,
                n.target,
                n.amount.minor(),
                n.amount.currency(),
                n.reason,
                n.key,
                n.actor,
                now,
            ])?;
        let id = self.conn().last_insert_rowid();
        self.refund_intent(id)?
            .ok_or(rusqlite::Error::QueryReturnedNoRows)
    }

    /// Counts one more try of the intent's request or lookup.
    pub fn count_refund_try(&self, id: i64, now: Timestamp) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE refund_intents SET tries = tries + 1, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, format_ts(now)])?;
        Ok(())
    }

    /// Writes the intent's new state, the provider's refund id (kept once
    /// known) and its last error; `settled_at` is stamped the first time it
    /// settles.
    pub fn settle_refund_intent(
        &self,
        id: i64,
        state: IntentState,
        provider_refund_id: Option<&str>,
        error: Option<&str>,
        now: Timestamp,
    ) -> rusqlite::Result<()> {
        let now = format_ts(now);
        let settled = state.is_settled().then_some(now.as_str());
        self.conn()
            .prepare_cached(
                "UPDATE refund_intents SET state = ?2,
                        provider_refund_id = coalesce(?3, provider_refund_id),
                        error = ?4, updated_at = ?5, settled_at = coalesce(settled_at, ?6)
                 WHERE id = ?1",
            )?
            .execute(params![id, state, provider_refund_id, error, now, settled])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{get, now, shop};

    fn new<'a>(order_id: i64, payment_id: i64, key: &'a str) -> NewIntent<'a> {
        NewIntent {
            order_id,
            payment_id,
            provider: Provider::Stripe,
            target: "pi_3Ndef",
            amount: Money::parse("59.90", Currency::parse("EUR").unwrap()).unwrap(),
            reason: None,
            key,
            actor: "alice",
            now: now(),
        }
    }

    #[test]
    fn a_payment_has_at_most_one_unsettled_intent() {
        let mut store = shop();
        let (o, p) = get(&store, "TEST2001");
        let p = p.unwrap();
        let first = store
            .write(|tx| tx.insert_refund_intent(&new(o.id, p.id, "k1")))
            .unwrap();
        assert_eq!(first.state, IntentState::Requested);
        assert_eq!(first.tries, 0);
        let second = store.write(|tx| tx.insert_refund_intent(&new(o.id, p.id, "k2")));
        assert!(second.is_err(), "a second unsettled intent is refused");
        store
            .write(|tx| {
                tx.count_refund_try(first.id, now())?;
                tx.settle_refund_intent(
                    first.id,
                    IntentState::Unknown,
                    None,
                    Some("timeout"),
                    now(),
                )
            })
            .unwrap();
        let open = store.reader().unsettled_intent(p.id).unwrap().unwrap();
        assert_eq!(
            (open.state, open.tries, open.settled_at),
            (IntentState::Unknown, 1, None)
        );
        store
            .write(|tx| {
                tx.settle_refund_intent(first.id, IntentState::Succeeded, Some("re_1"), None, now())
            })
            .unwrap();
        assert!(store.reader().unsettled_intent(p.id).unwrap().is_none());
        let done = store.reader().refund_intent(first.id).unwrap().unwrap();
        assert_eq!(done.provider_refund_id.as_deref(), Some("re_1"));
        assert_eq!(done.settled_at, Some(now()));
        // Settled: a new one may be written.
        store
            .write(|tx| tx.insert_refund_intent(&new(o.id, p.id, "k2")))
            .unwrap();
        assert_eq!(
            store.reader().refund_intents_of_order(o.id).unwrap().len(),
            2
        );
        // Keys are unique.
        let (o2, p2) = get(&store, "TEST1001");
        let dup = store.write(|tx| tx.insert_refund_intent(&new(o2.id, p2.unwrap().id, "k1")));
        assert!(dup.is_err());
    }
}
