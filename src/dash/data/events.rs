//! The webhook log and the open orphans, newest first, a page at a time
//! through the generic keyset read; and the small counts of the tab titles.

use rusqlite::types::Value;

use super::keyset::{Anchor, Keyset, RowKey, Source};
use crate::domain::Money;
use crate::store::Reader;

/// One row of the webhook log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    pub received_at: String,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub result: String,
    pub signature: String,
    pub http_status: i64,
    pub order_number: Option<String>,
    pub error: Option<String>,
    pub event_state: Option<String>,
    pub replayable: bool,
    /// Where the row came from: `webhook`, `replay` or `sync`.
    pub source: String,
}

impl WebhookRow {
    /// A delivery that failed: an error, or an event still failed.
    pub fn failed(&self) -> bool {
        self.result == "error" || self.event_state.as_deref() == Some("failed")
    }
}

/// One unresolved provider event that matched no payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanRow {
    pub id: i64,
    pub received_at: String,
    pub provider: String,
    pub event_type: String,
    pub event_id: String,
    pub reference: Option<String>,
    pub amount: Option<String>,
    pub order_number: Option<String>,
}

/// The columns of a [`WebhookRow`] but its id (which follows them).
pub(super) const WEBHOOK_SELECT: &str = "w.received_at, w.provider, w.event_type, w.event_id, \
     w.result, w.signature, w.http_status, w.order_number, w.error, e.state, \
     w.body IS NOT NULL, w.source";

/// The webhook log with the state of each delivery's event.
pub(super) const WEBHOOK_FROM: &str = "webhook_log w LEFT JOIN provider_events e \
     ON e.provider = w.provider AND e.event_id = w.event_id";

/// A [`WebhookRow`] from [`WEBHOOK_SELECT`] and the id.
pub(super) fn webhook_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        received_at: r.get(0)?,
        provider: r.get(1)?,
        event_type: r.get(2)?,
        event_id: r.get(3)?,
        result: r.get(4)?,
        signature: r.get(5)?,
        http_status: r.get(6)?,
        order_number: r.get(7)?,
        error: r.get(8)?,
        event_state: r.get(9)?,
        replayable: r.get(10)?,
        source: r.get(11)?,
        id: r.get(12)?,
    })
}

/// The webhook log, newest first.
pub fn fetch_webhooks(
    conn: &Reader<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<WebhookRow>> {
    let ks = Keyset {
        select: WEBHOOK_SELECT.to_owned(),
        from: WEBHOOK_FROM,
        conds: Vec::new(),
        params: Vec::new(),
        keys: vec!["w.id".to_owned()],
        desc: true,
    };
    ks.fetch(conn, anchor, limit, webhook_from_row)
}

fn amount_text(minor: Option<i64>, currency: Option<String>) -> Option<String> {
    Money::from_stored(minor?, &currency?)
        .ok()
        .map(|m| m.to_string())
}

/// The open orphans, newest first.
pub fn fetch_orphans(
    conn: &Reader<'_>,
    anchor: Anchor<'_>,
    limit: usize,
) -> rusqlite::Result<Vec<OrphanRow>> {
    let ks = Keyset {
        select: "received_at, provider, event_type, event_id, reference, amount_minor, \
                 currency, order_number"
            .to_owned(),
        from: "orphans",
        conds: vec!["state = 'open'".to_owned()],
        params: Vec::new(),
        keys: vec!["id".to_owned()],
        desc: true,
    };
    ks.fetch(conn, anchor, limit, |r| {
        Ok(OrphanRow {
            received_at: r.get(0)?,
            provider: r.get(1)?,
            event_type: r.get(2)?,
            event_id: r.get(3)?,
            reference: r.get(4)?,
            amount: amount_text(r.get(5)?, r.get(6)?),
            order_number: r.get(7)?,
            id: r.get(8)?,
        })
    })
}

/// The webhook log as a [`Source`].
pub struct WebhookSource<'a>(pub &'a Reader<'a>);

impl Source for WebhookSource<'_> {
    type Row = WebhookRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<WebhookRow>> {
        fetch_webhooks(self.0, anchor, limit)
    }
    fn key(row: &WebhookRow) -> RowKey {
        vec![Value::Integer(row.id)]
    }
}

/// The open orphans as a [`Source`].
pub struct OrphanSource<'a>(pub &'a Reader<'a>);

impl Source for OrphanSource<'_> {
    type Row = OrphanRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<OrphanRow>> {
        fetch_orphans(self.0, anchor, limit)
    }
    fn key(row: &OrphanRow) -> RowKey {
        vec![Value::Integer(row.id)]
    }
}

/// The small counts in the tab titles: open orphans, failed events. Both
/// read partial indexes.
pub fn side_counts(conn: &Reader<'_>) -> rusqlite::Result<(i64, i64)> {
    let orphans = conn
        .prepare_cached("SELECT count(*) FROM orphans WHERE state = 'open'")?
        .query_row([], |r| r.get(0))?;
    let failed = conn
        .prepare_cached(
            "SELECT count(*) FROM provider_events WHERE state = 'failed' AND resolved_at IS NULL",
        )?
        .query_row([], |r| r.get(0))?;
    Ok((orphans, failed))
}
