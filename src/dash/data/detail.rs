//! Reads of single orders: the detail pane's order in full (with every
//! payment attempt and its ledger movements), the targets of an action (each
//! order once, with its main payment), an order's id by its number.

use std::collections::HashMap;

use super::events::{WEBHOOK_FROM, WEBHOOK_SELECT, WebhookRow, webhook_from_row};
use super::lists::{main_payment, order_and_payment};
use crate::domain::{AuditEntry, Currency, Order, Payment};
use crate::report::rules::{Finding, Settings};
use crate::report::scan::findings_for_order;
use crate::statement::fee_and_net;
use crate::store::Reader;
use crate::store::ledger::StoredMovement;
use crate::store::rows::{ORDER_COLUMNS, PAYMENT_COLUMNS};

/// Orders and their payments by id, for a confirmation or an action.
pub fn load_orders(
    conn: &Reader<'_>,
    ids: &[i64],
) -> rusqlite::Result<Vec<(Order, Option<Payment>)>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    let sql = format!(
        "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS} FROM orders o {} \
         WHERE o.id IN (SELECT value FROM json_each(?1)) ORDER BY o.id",
        main_payment!()
    );
    conn.prepare_cached(&sql)?
        .query_map([json], order_and_payment)?
        .collect()
}

/// Everything the detail pane shows about one order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDetail {
    pub order: Order,
    /// The main payment: the one that keeps money, else the latest.
    pub payment: Option<Payment>,
    /// Every payment (attempt), newest first, with its movements in the
    /// order they were recorded.
    pub attempts: Vec<(Payment, Vec<StoredMovement>)>,
    pub findings: Vec<Finding>,
    pub audit: Vec<AuditEntry>,
    pub webhooks: Vec<WebhookRow>,
    /// What the providers' statements say of each payment (by id): the
    /// fee and the net per settlement currency, and how many lines.
    pub statement: HashMap<i64, StatementMoney>,
}

/// A payment's fee and net per settlement currency, and its statement
/// lines' number.
pub type StatementMoney = (Vec<(Currency, i64, i64)>, usize);

/// Reads the detail of one order.
pub fn order_detail(
    conn: &Reader<'_>,
    order_id: i64,
    settings: &Settings,
) -> rusqlite::Result<Option<OrderDetail>> {
    let all = crate::report::Filter::default();
    let Some((order, payment, findings)) = findings_for_order(conn, order_id, settings, &all)?
    else {
        return Ok(None);
    };
    let attempts = conn
        .payments_of_order(order.id)?
        .into_iter()
        .map(|p| {
            let movements = conn.movements(p.id)?;
            Ok((p, movements))
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let audit = conn.audit_for_order(order.id)?;
    let ids: Vec<i64> = attempts.iter().map(|(p, _)| p.id).collect();
    let webhooks = order_webhooks(conn, &order, &ids)?;
    let payments: Vec<Payment> = attempts.iter().map(|(p, _)| p.clone()).collect();
    let statement = conn
        .statement_lines_of_order(&order, &payments)?
        .into_iter()
        .map(|(id, lines)| {
            let n = lines.len();
            (id, (fee_and_net(lines.iter().map(|l| &l.line)), n))
        })
        .collect();
    Ok(Some(OrderDetail {
        statement,
        order,
        payment,
        attempts,
        findings,
        audit,
        webhooks,
    }))
}

/// The webhook deliveries naming the order or carrying the events of any
/// of its payments, newest first (at most 50 of each).
fn order_webhooks(
    conn: &Reader<'_>,
    order: &Order,
    payments: &[i64],
) -> rusqlite::Result<Vec<WebhookRow>> {
    let mut webhooks: HashMap<i64, WebhookRow> = HashMap::new();
    let select = format!("SELECT {WEBHOOK_SELECT}, w.id FROM {WEBHOOK_FROM}");
    for row in conn
        .prepare_cached(&format!(
            "{select} WHERE w.order_number = ?1 ORDER BY w.id DESC LIMIT 50"
        ))?
        .query_map([&order.number], webhook_from_row)?
    {
        let row = row?;
        webhooks.insert(row.id, row);
    }
    for p in payments {
        for row in conn
            .prepare_cached(&format!(
                "{select} WHERE (w.provider, w.event_id) IN \
                 (SELECT provider, event_id FROM provider_events WHERE payment_id = ?1) \
                 ORDER BY w.id DESC LIMIT 50"
            ))?
            .query_map([p], webhook_from_row)?
        {
            let row = row?;
            webhooks.insert(row.id, row);
        }
    }
    let mut webhooks: Vec<WebhookRow> = webhooks.into_values().collect();
    webhooks.sort_by_key(|w| std::cmp::Reverse(w.id));
    Ok(webhooks)
}
