//! The scan: set-based SQL over orders and payments, streamed in chunks of
//! order ids, that brings only the rows with something to report into Rust,
//! where [`evaluate`](super::rules::evaluate) judges them.
//!
//! # Locking
//! The scan takes no write lock and holds no long read transaction: each
//! chunk is one statement in autocommit mode, so the webhook listener and the
//! dashboard keep writing while a check of a million orders runs, and WAL
//! checkpoints are never held back for long.
//!
//! # Performance
//! The SQL `WHERE` is a cheap prefilter, evaluated inside SQLite, that lets
//! through every row some rule could flag (a superset); the Rust rules are
//! the truth. One pass over the join, never a query per order.

use crate::i18n::msg;
use std::collections::{HashMap, HashSet};

use rusqlite::params;

use super::money::Attempt;
use super::rules::{Finding, Rule, Settings, evaluate_order};
use crate::domain::{Order, Payment, PaymentStatus, format_ts};
use crate::store::Reader;
use crate::store::rows::{self, ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS};

/// Orders per chunk of the scan.
pub const CHUNK: i64 = 100_000;

/// Which part of the shop to check.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One order only.
    pub order: Option<String>,
    /// These rules only (all when empty).
    pub rules: HashSet<Rule>,
}

impl Filter {
    /// Whether the filter asks for this rule.
    pub fn wants(&self, rule: Rule) -> bool {
        self.rules.is_empty() || self.rules.contains(&rule)
    }
}

/// What a scan found.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub orders_checked: i64,
    pub findings: Vec<Finding>,
}

/// The seed's status mapping as SQL: the order payment status that
/// `column` (a payment status) maps to, `'no payment'` for NULL. Generated
/// from the domain's [`PaymentStatus::to_order`], so it is written once.
fn mapped_sql(column: &str) -> String {
    let arms: String = PaymentStatus::ALL
        .iter()
        .map(|p| format!(" WHEN '{p}' THEN '{}'", p.to_order()))
        .collect();
    format!("CASE {column}{arms} ELSE 'no payment' END")
}

/// The scan's prefilter, evaluated on every order: a status mismatch, an
/// order without payment, a completed payment whose captured amount or
/// currency differs from the order's, or a shipped order whose payment
/// keeps less than its total.
fn suspect_sql() -> String {
    format!(
        "o.payment_status <> {}
         OR (p.status = 'completed' AND (coalesce(p.captured_minor, p.amount_minor) <> o.total_minor
             OR coalesce(p.captured_currency, p.currency) <> o.currency))
         OR (o.status IN ('shipped', 'delivered')
             AND coalesce(p.captured_minor, 0) - coalesce(p.lost_minor, 0) < o.total_minor)",
        mapped_sql("p.status")
    )
}

/// The rare states the other rules look at, each found through its own
/// small (partial) index rather than on every row; `INDEXED BY` keeps the
/// planner from preferring a broader index. `?1` is the stale cutoff.
const FLAGGED: &str = "
    o.id IN (
        SELECT order_id FROM payments INDEXED BY payments_refund_pending WHERE refund_pending = 1
        UNION SELECT order_id FROM payments INDEXED BY payments_disputed WHERE disputed = 1
        UNION SELECT order_id FROM payments INDEXED BY payments_lost WHERE lost_minor > 0
        UNION SELECT order_id FROM payments INDEXED BY payments_refunds_failed
              WHERE refunds_failed_minor > 0
        UNION SELECT order_id FROM payments INDEXED BY payments_retries WHERE attempt > 1
        UNION SELECT order_id FROM payments INDEXED BY payments_completed_untimed
              WHERE status = 'completed' AND completed_at IS NULL
        UNION SELECT order_id FROM payments WHERE status = 'pending' AND created_at < ?1
        UNION SELECT c.id FROM orders c INDEXED BY orders_cancelled
              JOIN payments cp ON cp.order_id = c.id
              WHERE c.status = 'cancelled' AND (c.cancelled_at IS NULL
                 OR cp.status = 'completed'
                 OR coalesce(cp.captured_minor, 0) - cp.refunded_minor - cp.lost_minor
                    > cp.owed_minor)
        UNION SELECT id FROM orders INDEXED BY orders_paid_untimed
              WHERE payment_status = 'paid' AND paid_at IS NULL)";

/// An owner's acknowledgement, valid while the order and the payment it is
/// about stay unchanged.
struct Resolution {
    order_updated_at: String,
    payment_updated_at: Option<String>,
}

/// Resolutions by order, rule and provider id (a dispute's or a refund's).
type Resolutions = HashMap<(i64, String, Option<String>), Resolution>;

fn resolution_rows(conn: &Reader<'_>, order_id: Option<i64>) -> rusqlite::Result<Resolutions> {
    let mut stmt = conn.prepare_cached(
        "SELECT order_id, rule, provider_id, order_updated_at, payment_updated_at
         FROM resolutions WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        Ok((
            (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?),
            Resolution {
                order_updated_at: r.get(3)?,
                payment_updated_at: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

/// Whether the owner has resolved this finding and nothing changed since.
fn resolved(res: &Resolutions, finding: &Finding, order: &Order, attempts: &[Attempt]) -> bool {
    let key = (
        order.id,
        finding.rule.as_str().to_owned(),
        finding.provider_id.clone(),
    );
    let Some(r) = res.get(&key) else {
        return false;
    };
    let payment = attempts
        .iter()
        .map(|a| &a.payment)
        .find(|p| finding.payment.is_some() && p.reference == finding.payment)
        .or(attempts.first().map(|a| &a.payment));
    r.order_updated_at == format_ts(order.updated_at)
        && r.payment_updated_at == payment.map(|p| format_ts(p.updated_at))
}

/// Whether the owner resolved a statement finding about an order, and the
/// order is unchanged since.
fn statement_resolved(conn: &Reader<'_>, res: &Resolutions, f: &Finding) -> rusqlite::Result<bool> {
    let Some(order_id) = f.order_id else {
        return Ok(false);
    };
    let key = (order_id, f.rule.as_str().to_owned(), f.provider_id.clone());
    let Some(r) = res.get(&key) else {
        return Ok(false);
    };
    Ok(conn
        .order_by_id(order_id)?
        .is_some_and(|o| r.order_updated_at == format_ts(o.updated_at)))
}

/// Every finding about one order and its payments, less the rules not
/// asked for and the findings the owner resolved.
fn judge(
    order: &Order,
    attempts: &[Attempt],
    settings: &Settings,
    filter: &Filter,
    res: &Resolutions,
) -> Vec<Finding> {
    evaluate_order(order, attempts, settings)
        .into_iter()
        .filter(|f| filter.wants(f.rule) && !resolved(res, f, order, attempts))
        .collect()
}

/// An order and its main payment as they are now, and what is wrong with
/// them.
pub type Judged = (Order, Option<Payment>, Vec<Finding>);

/// Whether a payment's figures show a dispute, a loss or a failed refund:
/// then its movements name them.
fn needs_movements(p: &Payment) -> bool {
    p.disputed_minor > 0 || p.lost_minor > 0 || p.refunds_failed_minor > 0
}

/// All the payments of an order, the main one first, with the movements
/// of those that need them.
pub fn attempts_of(conn: &Reader<'_>, order_id: i64) -> rusqlite::Result<Vec<Attempt>> {
    let Some(main) = conn.payment_for_order(order_id)? else {
        return Ok(Vec::new());
    };
    let mut all = vec![main.clone()];
    all.extend(
        conn.payments_of_order(order_id)?
            .into_iter()
            .filter(|p| p.id != main.id),
    );
    all.into_iter()
        .map(|payment| {
            let movements = if needs_movements(&payment) {
                conn.movements(payment.id)?
                    .into_iter()
                    .map(|s| s.movement)
                    .collect()
            } else {
                Vec::new()
            };
            Ok(Attempt { payment, movements })
        })
        .collect()
}

/// Re-judges one order from the database, as the fixer does inside its
/// transaction.
pub fn findings_for_order(
    conn: &Reader<'_>,
    order_id: i64,
    settings: &Settings,
    filter: &Filter,
) -> rusqlite::Result<Option<Judged>> {
    let Some(order) = conn.order_by_id(order_id)? else {
        return Ok(None);
    };
    let attempts = attempts_of(conn, order.id)?;
    let res = resolution_rows(conn, Some(order.id))?;
    let found = judge(&order, &attempts, settings, filter, &res);
    let main = attempts.into_iter().next().map(|a| a.payment);
    Ok(Some((order, main, found)))
}

/// Scans the shop (or one order) and returns what remains to report.
pub fn scan(conn: &Reader<'_>, settings: &Settings, filter: &Filter) -> rusqlite::Result<Scan> {
    let res = resolution_rows(conn, None)?;
    let stale_cutoff = format_ts(settings.now - settings.stale_after);
    let mut findings = Vec::new();
    let select = format!(
        "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS}
         FROM orders o LEFT JOIN payments p ON p.order_id = o.id"
    );
    // Orders with several payments, and payments whose movements name
    // something, are judged whole once the scan has found them.
    let retried: HashSet<i64> = conn
        .prepare_cached(
            "SELECT order_id FROM payments INDEXED BY payments_retries WHERE attempt > 1",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut whole = Vec::new();
    let mut judged = HashSet::new();
    let mut handle = |row: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        let order = rows::order_from_row(row, 0)?;
        if !judged.insert(order.id) {
            return Ok(());
        }
        let payment = match row.get_ref(ORDER_WIDTH)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(rows::payment_from_row(row, ORDER_WIDTH)?),
        };
        if retried.contains(&order.id) || payment.as_ref().is_some_and(needs_movements) {
            whole.push(order);
            return Ok(());
        }
        let attempts: Vec<Attempt> = payment.map(Attempt::bare).into_iter().collect();
        findings.extend(judge(&order, &attempts, settings, filter, &res));
        Ok(())
    };
    let orders_checked = match &filter.order {
        Some(number) => {
            let mut stmt = conn.prepare(&format!("{select} WHERE o.number = ?1"))?;
            let mut rows = stmt.query([number])?;
            while let Some(row) = rows.next()? {
                handle(row)?;
            }
            i64::try_from(judged.len()).unwrap_or(i64::MAX)
        }
        None => {
            let max_id: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?;
            let mut stmt = conn.prepare(&format!(
                "{select} WHERE o.id > ?1 AND o.id <= ?2 AND ({})",
                suspect_sql()
            ))?;
            let mut from = 0;
            while from < max_id {
                let mut rows = stmt.query(params![from, from + CHUNK])?;
                while let Some(row) = rows.next()? {
                    handle(row)?;
                }
                from += CHUNK;
            }
            let mut stmt = conn.prepare(&format!("{select} WHERE {FLAGGED}"))?;
            let mut rows = stmt.query([&stale_cutoff])?;
            while let Some(row) = rows.next()? {
                handle(row)?;
            }
            conn.count_orders()?
        }
    };
    for order in whole {
        let attempts = attempts_of(conn, order.id)?;
        findings.extend(judge(&order, &attempts, settings, filter, &res));
    }
    if filter.wants(Rule::OrphanTransaction) {
        findings.extend(orphans(conn, filter.order.as_deref())?);
    }
    if filter.wants(Rule::WebhookFailed) {
        findings.extend(failed_events(conn, filter.order.as_deref())?);
    }
    for f in super::statements::findings(conn, settings, filter)? {
        if !statement_resolved(conn, &res, &f)? {
            findings.push(f);
        }
    }
    // Grouped by rule, in the rules' order; by order number within a rule.
    findings.sort_by(|a, b| a.rule.cmp(&b.rule).then_with(|| a.order.cmp(&b.order)));
    Ok(Scan {
        orders_checked,
        findings,
    })
}

fn orphans(conn: &Reader<'_>, order: Option<&str>) -> rusqlite::Result<Vec<Finding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, provider, reference, amount_minor, currency, event_type, order_number, note
         FROM orphans WHERE state = 'open' AND (?1 IS NULL OR order_number = ?1) ORDER BY id",
    )?;
    let rows = stmt.query_map([order], |r| {
        let id: i64 = r.get(0)?;
        let provider: String = r.get(1)?;
        let reference: Option<String> = r.get(2)?;
        let amount: Option<i64> = r.get(3)?;
        let currency: Option<String> = r.get(4)?;
        let event_type: String = r.get(5)?;
        let order_number: Option<String> = r.get(6)?;
        // Why the listener could not apply it, in its words.
        let note: Option<String> = r.get(7)?;
        let amount = match (amount, currency) {
            (Some(a), Some(c)) => crate::domain::Money::from_stored(a, &c).map_or_else(
                |_| crate::i18n::Arg::Text(String::new()),
                |m| crate::i18n::Arg::Msg(Box::new(msg!("finding-orphan-amount", amount = m))),
            ),
            _ => crate::i18n::Arg::Text(String::new()),
        };
        let reference = match reference {
            Some(r) => crate::i18n::Arg::Text(r),
            None => crate::i18n::Arg::Msg(Box::new(msg!("show-no-reference"))),
        };
        let why = match (&note, &order_number) {
            (Some(note), _) => msg!("finding-orphan-note", note = note.as_str()),
            (None, Some(n)) => msg!("finding-orphan-names-order", number = n.as_str()),
            (None, None) => msg!("finding-orphan-no-match"),
        };
        let detail = msg!(
            "finding-orphan",
            id = id.to_string(),
            provider = provider,
            event_type = event_type,
            reference = reference,
            amount = amount,
            why = why
        );
        Ok(Finding {
            rule: Rule::OrphanTransaction,
            order: order_number,
            order_id: None,
            fixable: false,
            action: msg!("action-orphan", id = id.to_string()),
            detail,
            fix: None,
            payment: None,
            provider_id: None,
        })
    })?;
    rows.collect()
}

fn failed_events(conn: &Reader<'_>, order: Option<&str>) -> rusqlite::Result<Vec<Finding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT provider, event_id, event_type, error, order_number FROM provider_events
         WHERE state = 'failed' AND resolved_at IS NULL AND (?1 IS NULL OR order_number = ?1)
         ORDER BY received_at",
    )?;
    let rows = stmt.query_map([order], |r| {
        let provider: String = r.get(0)?;
        let event_id: String = r.get(1)?;
        let event_type: String = r.get(2)?;
        let error: Option<String> = r.get(3)?;
        Ok(Finding {
            rule: Rule::WebhookFailed,
            order: r.get(4)?,
            order_id: None,
            fixable: false,
            action: msg!("action-webhook-failed"),
            detail: msg!(
                "finding-webhook-failed",
                provider = provider,
                event_type = event_type,
                event_id = event_id,
                error = match error {
                    Some(e) => crate::i18n::Arg::Text(e),
                    None => crate::i18n::Arg::Msg(Box::new(msg!("finding-unknown-error"))),
                }
            ),
            fix: None,
            payment: None,
            provider_id: None,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod sql_tests {
    use super::mapped_sql;

    #[test]
    fn the_sql_mapping_is_the_seeds() {
        assert_eq!(
            mapped_sql("p.status"),
            "CASE p.status WHEN 'pending' THEN 'pending' WHEN 'completed' THEN 'paid' \
             WHEN 'failed' THEN 'failed' WHEN 'cancelled' THEN 'refunded' ELSE 'no payment' END"
        );
    }
}
