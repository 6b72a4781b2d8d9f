//! What `tally sync` keeps in the database: each provider's watermark, the
//! payments it asks the providers about, and what `tally doctor` reads of
//! its past passes.
//!
//! The watermark is written only by [`Writer::set_watermark`], in a
//! transaction of its own after a complete pass: a pass killed half-way
//! leaves it where it was, and the next pass redoes the window.

use rusqlite::{OptionalExtension, params};

use super::rows::{PAYMENT_COLUMNS, payment_from_row};
use super::{Reader, Writer};
use crate::domain::{Payment, Provider, Timestamp, format_ts, parse_ts};

/// A provider's watermark: how far its events were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub provider: Provider,
    /// The time the last complete pass started.
    pub at: Timestamp,
    /// When that pass ended.
    pub passed_at: Timestamp,
    pub seen: i64,
    pub applied: i64,
}

/// A pending payment to ask the provider about, with its order's number.
#[derive(Debug, Clone)]
pub struct PendingPayment {
    pub order_number: String,
    pub payment: Payment,
}

impl Reader<'_> {
    /// The provider's watermark, if a pass ever completed.
    pub fn watermark(&self, provider: Provider) -> rusqlite::Result<Option<Watermark>> {
        let row = self
            .prepare_cached(
                "SELECT watermark, passed_at, seen, applied FROM sync_state WHERE provider = ?1",
            )?
            .query_row([provider], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .optional()?;
        let Some((at, passed_at, seen, applied)) = row else {
            return Ok(None);
        };
        let bad = |text: &str| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("sync_state holds a bad time {text:?}").into(),
            )
        };
        Ok(Some(Watermark {
            provider,
            at: parse_ts(&at).map_err(|_| bad(&at))?,
            passed_at: parse_ts(&passed_at).map_err(|_| bad(&passed_at))?,
            seen,
            applied,
        }))
    }

    /// The provider's payments still pending in tally that hold a
    /// reference (any, with `unreferenced`: Wave's are found by their
    /// order's number) and were created at or after `since`, and those of
    /// the `orders` named (whatever their age), oldest first.
    pub fn pending_payments(
        &self,
        provider: Provider,
        since: Timestamp,
        orders: &[String],
        unreferenced: bool,
    ) -> rusqlite::Result<Vec<PendingPayment>> {
        let mut out = Vec::new();
        let mut stmt = self.prepare_cached(&format!(
            "SELECT o.number, {PAYMENT_COLUMNS} FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE p.provider = ?1 AND p.status = 'pending'
               AND (p.reference IS NOT NULL OR ?3)
               AND p.created_at >= ?2
             ORDER BY p.created_at, p.id"
        ))?;
        let rows = stmt.query_map(params![provider, format_ts(since), unreferenced], |r| {
            Ok(PendingPayment {
                order_number: r.get(0)?,
                payment: payment_from_row(r, 1)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
        let mut named = self.prepare_cached(&format!(
            "SELECT o.number, {PAYMENT_COLUMNS} FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE o.number = ?1 AND p.provider = ?2 AND (p.reference IS NOT NULL OR ?3)
             ORDER BY p.id"
        ))?;
        for number in orders {
            let rows = named.query_map(params![number, provider, unreferenced], |r| {
                Ok(PendingPayment {
                    order_number: r.get(0)?,
                    payment: payment_from_row(r, 1)?,
                })
            })?;
            for row in rows {
                let row = row?;
                if !out.iter().any(|p| p.payment.id == row.payment.id) {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }

    /// How many events `tally sync` applied (not duplicates: events the
    /// listener never received) since `since`, per provider.
    pub fn sync_applied_since(&self, since: Timestamp) -> rusqlite::Result<Vec<(Provider, i64)>> {
        let mut stmt = self.prepare_cached(
            "SELECT provider, count(*) FROM webhook_log
             WHERE source = 'sync' AND result IN ('applied', 'orphan') AND received_at >= ?1
               AND provider IS NOT NULL
             GROUP BY provider ORDER BY provider",
        )?;
        let rows = stmt.query_map([format_ts(since)], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }
}

impl Writer<'_> {
    /// Moves the provider's watermark after a complete pass.
    pub fn set_watermark(&self, mark: &Watermark) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO sync_state (provider, watermark, passed_at, seen, applied)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (provider) DO UPDATE SET watermark = excluded.watermark,
                     passed_at = excluded.passed_at, seen = excluded.seen,
                     applied = excluded.applied",
            )?
            .execute(params![
                mark.provider,
                format_ts(mark.at),
                format_ts(mark.passed_at),
                mark.seen,
                mark.applied
            ])
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_watermark_is_kept_per_provider() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.reader().watermark(Provider::Stripe).unwrap(), None);
        let at = parse_ts("2026-01-02T03:04:05.000Z").unwrap();
        let mark = Watermark {
            provider: Provider::Stripe,
            at,
            passed_at: at,
            seen: 3,
            applied: 1,
        };
        store
            .write(|tx| tx.set_watermark(&mark))
            .map_err(crate::store::StoreError::from)
            .unwrap();
        assert_eq!(
            store.reader().watermark(Provider::Stripe).unwrap(),
            Some(mark)
        );
        assert_eq!(store.reader().watermark(Provider::Paypal).unwrap(), None);
    }
}
