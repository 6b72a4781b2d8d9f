//! Applying one verified provider event: the one place where a webhook
//! changes the shop.
//!
//! # Durability
//! [`process`] runs one `BEGIN IMMEDIATE` transaction per event: the
//! de-duplication row in `provider_events`, the match, the forward-only
//! transition, the payment and order changes (through
//! [`ops::sync_from_payment`], which writes the audit rows), any orphan row,
//! and the request's `webhook_log` row. With `synchronous=FULL`, once it
//! returns `Ok` all of that survives a power cut, and only then does the
//! listener answer 2xx. When it fails nothing of it is kept; the event is
//! then recorded as failed in a second, separate transaction
//! ([`record_failure`]) so that `tally check` reports it (`webhook_failed`)
//! until a retry or a replay applies it.
//!
//! # Idempotency
//! The provider's event id is unique per provider. A second delivery of an
//! event already recorded (applied, stale, orphan or ignored) changes
//! nothing and is answered 200; only a failed event is processed again.
//! Two workers receiving the same event at once are serialised by the write
//! lock: the second finds the first's row.
//!
//! # Locking
//! Everything here runs inside the caller's write transaction; nothing
//! holds a lock across a network call.

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::log::{self, LogResult, NewLogRow, SignatureCheck};
use crate::domain::transition::{self, Effect, EventAge, PaymentState, Transition};
use crate::domain::{
    AuditEntry, Money, Order, Payment, Provider, StatusSource, Timestamp, format_ts,
};
use crate::ops::{self, Change, Outcome};
use crate::providers::{self, EventError, EventKind, ProviderEvent, Refund};
use crate::store::Store;
use crate::store::queries::{self, ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS};

/// Audit event for provider facts recorded without a status change
/// (captured amount, refunds, disputes, the provider's raw status).
pub const EVENT_RECORDED: &str = "provider_event_recorded";

/// Why processing an event failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Event(#[from] EventError),
    #[error("{0}")]
    Refused(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What processing one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// One of applied, duplicate, stale, orphan, ignored.
    pub result: LogResult,
    pub event_id: String,
    pub event_type: String,
    pub order_number: Option<String>,
    pub payment_id: Option<i64>,
    /// In words, for the log line and the CLI.
    pub detail: String,
}

/// Where a delivery came from and how it was checked: what its
/// `webhook_log` row says besides the outcome.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    pub received_at: Timestamp,
    pub started: Instant,
    pub path: &'a str,
    pub remote_addr: Option<&'a str>,
    pub signature: SignatureCheck,
    /// Who asked for a replay or a link, for the audit details.
    pub requested_by: Option<&'a str>,
}

impl Delivery<'_> {
    fn elapsed_us(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX)
    }
}

/// The outcome of [`process`].
#[derive(Debug)]
pub enum Processing {
    /// Committed: answer 200.
    Done(Processed),
    /// The body is not an event (answer 400); logged as rejected.
    Malformed(EventError),
    /// Processing failed (answer 500); recorded as failed when the event
    /// could be identified.
    Failed {
        event_id: Option<String>,
        event_type: Option<String>,
        error: String,
    },
}

/// Parses and applies one verified body, and logs the request: the whole
/// path from a verified delivery (or a replay) to the answer.
pub fn process(
    store: &mut Store,
    provider: Provider,
    body: &[u8],
    delivery: &Delivery<'_>,
    link_to: Option<&str>,
) -> Processing {
    let event = match providers::parse(provider, body) {
        Ok(event) => event,
        Err(EventError::Amount {
            event_id,
            event_type,
            reason,
        }) => {
            let error = format!("cannot read the amount: {reason}");
            record_failure(
                store,
                provider,
                Some((&event_id, &event_type)),
                &error,
                delivery,
                body,
            );
            return Processing::Failed {
                event_id: Some(event_id),
                event_type: Some(event_type),
                error,
            };
        }
        Err(e) => {
            let error = e.to_string();
            let logged = store.write(|tx| {
                log::insert(
                    tx,
                    &NewLogRow {
                        received_at: delivery.received_at,
                        provider: Some(provider),
                        path: delivery.path,
                        remote_addr: delivery.remote_addr,
                        event_id: None,
                        event_type: None,
                        signature: delivery.signature,
                        result: LogResult::Rejected,
                        http_status: 400,
                        duration_us: delivery.elapsed_us(),
                        error: Some(&error),
                        body: Some(body),
                        order_number: None,
                    },
                )
            });
            if let Err(db) = logged {
                return Processing::Failed {
                    event_id: None,
                    event_type: None,
                    error: format!("{error}; and the log row failed: {db}"),
                };
            }
            return Processing::Malformed(e);
        }
    };
    let result = store.write(|tx| -> Result<Processed, ApplyError> {
        let processed = apply_event(tx, &event, delivery, link_to)?;
        log::insert(
            tx,
            &NewLogRow {
                received_at: delivery.received_at,
                provider: Some(provider),
                path: delivery.path,
                remote_addr: delivery.remote_addr,
                event_id: Some(&event.id),
                event_type: Some(&event.event_type),
                signature: delivery.signature,
                result: processed.result,
                http_status: 200,
                duration_us: delivery.elapsed_us(),
                error: None,
                body: Some(body),
                order_number: processed.order_number.as_deref(),
            },
        )?;
        Ok(processed)
    });
    match result {
        Ok(processed) => Processing::Done(processed),
        Err(e) => {
            let error = e.to_string();
            record_failure(
                store,
                provider,
                Some((&event.id, &event.event_type)),
                &error,
                delivery,
                body,
            );
            Processing::Failed {
                event_id: Some(event.id),
                event_type: Some(event.event_type),
                error,
            }
        }
    }
}

/// Records a failed event (so `check` reports it) and its log row, in a
/// transaction of its own. A failure here is only reported on stderr: the
/// answer is a 500 either way, and the provider retries.
pub fn record_failure(
    store: &mut Store,
    provider: Provider,
    event: Option<(&str, &str)>,
    error: &str,
    delivery: &Delivery<'_>,
    body: &[u8],
) {
    let written = store.write(|tx| -> rusqlite::Result<()> {
        if let Some((event_id, event_type)) = event {
            // A failed event is never recorded over a state that is not failed.
            tx.prepare_cached(
                "INSERT INTO provider_events (provider, event_id, event_type, received_at, state, error)
                 VALUES (?1, ?2, ?3, ?4, 'failed', ?5)
                 ON CONFLICT (provider, event_id) DO UPDATE SET error = excluded.error
                 WHERE provider_events.state = 'failed'",
            )?
            .execute(params![
                provider.as_str(),
                event_id,
                event_type,
                format_ts(delivery.received_at),
                error
            ])?;
        }
        log::insert(
            tx,
            &NewLogRow {
                received_at: delivery.received_at,
                provider: Some(provider),
                path: delivery.path,
                remote_addr: delivery.remote_addr,
                event_id: event.map(|e| e.0),
                event_type: event.map(|e| e.1),
                signature: delivery.signature,
                result: LogResult::Error,
                http_status: 500,
                duration_us: delivery.elapsed_us(),
                error: Some(error),
                body: Some(body),
                order_number: None,
            },
        )?;
        Ok(())
    });
    if let Err(e) = written {
        eprintln!("tally serve: cannot record the failed event: {e}");
    }
}

/// How an event found its payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchedBy {
    Reference,
    OrderNumber,
    Link,
}

impl MatchedBy {
    fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Reference => "reference",
            MatchedBy::OrderNumber => "order_number",
            MatchedBy::Link => "orphan_link",
        }
    }
}

/// The payment an event is about, or why there is none.
enum Match {
    Payment {
        // Boxed: an order and a payment are large next to an orphan's note.
        order: Box<Order>,
        payment: Box<Payment>,
        by: MatchedBy,
    },
    Orphan {
        order_number: Option<String>,
        note: String,
    },
}

fn payment_where(
    conn: &Connection,
    column: &str,
    provider: Provider,
    value: &str,
) -> rusqlite::Result<Option<(Order, Payment)>> {
    conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS}
         FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE p.provider = ?1 AND p.{column} = ?2 ORDER BY p.id LIMIT 1"
    ))?
    .query_row(params![provider, value], |r| {
        Ok((
            queries::order_from_row(r, 0)?,
            queries::payment_from_row(r, ORDER_WIDTH)?,
        ))
    })
    .optional()
}

/// Finds the payment: by provider id (reference, then charge id), else by
/// the order number the shop put in the event.
fn find(conn: &Connection, ev: &ProviderEvent) -> rusqlite::Result<Match> {
    for r in &ev.references {
        for column in ["reference", "charge_id"] {
            if let Some((order, payment)) = payment_where(conn, column, ev.provider, r)? {
                return Ok(Match::Payment {
                    order: Box::new(order),
                    payment: Box::new(payment),
                    by: MatchedBy::Reference,
                });
            }
        }
    }
    for number in &ev.order_numbers {
        let Some(order) = queries::order_by_number(conn, number)? else {
            continue;
        };
        let provider = ev.provider.title();
        let reference = ev.reference.as_deref().unwrap_or("(none)");
        return Ok(match queries::payment_for_order(conn, order.id)? {
            Some(payment) if payment.provider == ev.provider => match &payment.reference {
                None => Match::Payment {
                    order: Box::new(order),
                    payment: Box::new(payment),
                    by: MatchedBy::OrderNumber,
                },
                Some(held) => Match::Orphan {
                    order_number: Some(order.number.clone()),
                    note: format!(
                        "names order {number}, whose {provider} payment holds {held}, not {reference}: a possible double charge"
                    ),
                },
            },
            Some(payment) => Match::Orphan {
                order_number: Some(order.number.clone()),
                note: format!(
                    "names order {number}, whose payment is a {} payment",
                    payment.provider.title()
                ),
            },
            None => Match::Orphan {
                order_number: Some(order.number.clone()),
                note: format!("names order {number}, which has no payment record"),
            },
        });
    }
    Ok(Match::Orphan {
        order_number: None,
        note: "matched no payment".to_owned(),
    })
}

/// The recorded state of an event id, if any.
fn event_state(conn: &Connection, ev: &ProviderEvent) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT state FROM provider_events WHERE provider = ?1 AND event_id = ?2")?
        .query_row(params![ev.provider, ev.id], |r| r.get(0))
        .optional()
}

fn record_event(
    conn: &Connection,
    ev: &ProviderEvent,
    state: &str,
    payment_id: Option<i64>,
    order_number: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO provider_events (provider, event_id, event_type, received_at, state,
                payment_id, order_number, event_created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (provider, event_id) DO UPDATE SET state = excluded.state,
                payment_id = excluded.payment_id, order_number = excluded.order_number,
                event_created_at = excluded.event_created_at, error = NULL",
    )?
    .execute(params![
        ev.provider,
        ev.id,
        ev.event_type,
        format_ts(now),
        state,
        payment_id,
        order_number,
        ev.created.map(format_ts),
    ])?;
    Ok(())
}

/// Whether the event is older than the last one applied to the payment.
fn age(conn: &Connection, ev: &ProviderEvent, payment_id: i64) -> rusqlite::Result<EventAge> {
    let Some(created) = ev.created else {
        return Ok(EventAge::Current);
    };
    let last: Option<String> = conn
        .prepare_cached(
            "SELECT max(event_created_at) FROM provider_events
             WHERE payment_id = ?1 AND state = 'applied'",
        )?
        .query_row([payment_id], |r| r.get(0))?;
    Ok(match last {
        Some(last) if format_ts(created) < last => EventAge::Older,
        Some(_) | None => EventAge::Current,
    })
}

/// The refunded total after a refund event, and whether it reaches what
/// was captured.
fn refund_total(payment: &Payment, refund: &Refund) -> Result<(i64, bool), ApplyError> {
    let basis: Money = refund
        .captured
        .or(payment.captured)
        .unwrap_or(payment.amount);
    if refund.amount.currency() != basis.currency() {
        return Err(ApplyError::Refused(format!(
            "the refund is in {} but the payment was captured in {}",
            refund.amount.currency(),
            basis.currency()
        )));
    }
    let total = if refund.cumulative {
        refund.amount.minor().max(payment.refunded_minor)
    } else {
        payment
            .refunded_minor
            .checked_add(refund.amount.minor())
            .ok_or_else(|| ApplyError::Refused("the refunded total overflows".to_owned()))?
    };
    Ok((total, total >= basis.minor()))
}

/// Applies one parsed event inside the caller's transaction. `link_to`
/// forces the match to that order's payment (`tally orphans link`).
pub fn apply_event(
    tx: &Connection,
    ev: &ProviderEvent,
    delivery: &Delivery<'_>,
    link_to: Option<&str>,
) -> Result<Processed, ApplyError> {
    let now = delivery.received_at;
    let done = |result, order_number: Option<String>, payment_id, detail: String| Processed {
        result,
        event_id: ev.id.clone(),
        event_type: ev.event_type.clone(),
        order_number,
        payment_id,
        detail,
    };
    let state = event_state(tx, ev)?;
    let reprocess = match state.as_deref() {
        None | Some("failed") => true,
        Some("orphan") => link_to.is_some(),
        Some(_) => false,
    };
    if !reprocess {
        let state = state.unwrap_or_default();
        return Ok(done(
            LogResult::Duplicate,
            None,
            None,
            format!("already received (recorded as {state}); nothing changed"),
        ));
    }
    let effect = match ev.kind {
        EventKind::Ignored => {
            record_event(tx, ev, "ignored", None, None, now)?;
            return Ok(done(
                LogResult::Ignored,
                None,
                None,
                format!("{} is not an event tally acts on", ev.event_type),
            ));
        }
        EventKind::Succeeded => Some(Effect::Captured),
        EventKind::Failed => Some(Effect::Declined),
        EventKind::Pending => Some(Effect::Processing),
        EventKind::Canceled => Some(Effect::Voided),
        // Refunds need the payment to tell partial from full.
        EventKind::Refunded(_) => None,
        EventKind::Reversed => Some(Effect::Reversed),
        EventKind::DisputeCreated => Some(Effect::DisputeOpened),
        EventKind::DisputeClosed { lost } => Some(Effect::DisputeClosed { lost }),
    };
    let found = match link_to {
        Some(number) => {
            let order = queries::order_by_number(tx, number)?
                .ok_or_else(|| ApplyError::Refused(format!("no order numbered {number:?}")))?;
            let payment = queries::payment_for_order(tx, order.id)?.ok_or_else(|| {
                ApplyError::Refused(format!("order {number} has no payment record"))
            })?;
            if payment.provider != ev.provider {
                return Err(ApplyError::Refused(format!(
                    "order {number}'s payment is a {} payment; a {} event cannot apply to it",
                    payment.provider.title(),
                    ev.provider.title()
                )));
            }
            Match::Payment {
                order: Box::new(order),
                payment: Box::new(payment),
                by: MatchedBy::Link,
            }
        }
        None => find(tx, ev)?,
    };
    let (order, payment, by) = match found {
        Match::Payment { order, payment, by } => (*order, *payment, by),
        Match::Orphan { order_number, note } => {
            let reference = ev
                .reference
                .as_deref()
                .or(ev.references.first().map(String::as_str));
            tx.prepare_cached(
                "INSERT INTO orphans (provider, reference, amount_minor, currency, event_id,
                        event_type, order_number, received_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                ev.provider,
                reference,
                ev.amount.map(|m| m.minor()),
                ev.amount.map(|m| m.currency()),
                ev.id,
                ev.event_type,
                order_number,
                format_ts(now),
                note,
            ])?;
            record_event(tx, ev, "orphan", None, order_number.as_deref(), now)?;
            let reference = reference.unwrap_or("(no reference)");
            return Ok(done(
                LogResult::Orphan,
                order_number,
                None,
                format!("orphan: {} {reference} {note}", ev.event_type),
            ));
        }
    };

    let mut refunded = payment.refunded_minor;
    let effect = match (effect, ev.kind) {
        (Some(effect), _) => effect,
        (None, EventKind::Refunded(refund)) => {
            let (total, full) = refund_total(&payment, &refund)?;
            refunded = total;
            Effect::Refunded { full }
        }
        (None, _) => return Err(ApplyError::Refused("no effect for this event".to_owned())),
    };
    let state = PaymentState {
        status: payment.status,
        source: payment.status_source,
        refund_pending: payment.refund_pending,
        disputed: payment.disputed,
    };
    let number = order.number.clone();
    let next = match transition::next(state, effect, age(tx, ev, payment.id)?) {
        Transition::Stale(reason) => {
            record_event(tx, ev, "stale", Some(payment.id), Some(&number), now)?;
            return Ok(done(
                LogResult::Stale,
                Some(number),
                Some(payment.id),
                format!("stale: {reason} (payment {})", payment.status),
            ));
        }
        Transition::Apply(next) => next,
    };

    // The facts the event reports, recorded whatever the status does.
    let mut updated = payment.clone();
    if updated.reference.is_none() {
        updated.reference = ev.reference.clone();
    }
    // A capture reports the charge later refunds carry; a linked orphan
    // (perhaps a second charge) never replaces the one already kept.
    if let Some(charge) = &ev.charge_id
        && (updated.charge_id.is_none()
            || (ev.kind == EventKind::Succeeded && by != MatchedBy::Link))
    {
        updated.charge_id = Some(charge.clone());
    }
    if ev.kind == EventKind::Succeeded
        && let Some(amount) = ev.amount
    {
        updated.captured = Some(amount);
    }
    updated.refunded_minor = refunded;
    if let Some(raw) = &ev.provider_status {
        updated.provider_status = Some(raw.clone());
    }
    updated.refund_pending = next.refund_pending;
    updated.disputed = next.disputed;

    let actor = format!("webhook:{}:{}", ev.provider, ev.id);
    let mut details = json!({
        "event_type": ev.event_type,
        "event_id": ev.id,
        "matched_by": by.as_str(),
        "provider_status": ev.provider_status,
    });
    if let Some(amount) = ev.amount {
        details["amount"] = json!(amount.to_string());
    }
    if refunded != payment.refunded_minor {
        details["refunded_minor"] = json!(refunded);
    }
    if next.charged_after_cancel {
        details["charged_after_cancel"] = json!(true);
    }
    if let Some(who) = delivery.requested_by {
        details["requested_by"] = json!(who);
    }
    let target_order_status = next.status.to_order();
    let detail = if next.status != payment.status || order.payment_status != target_order_status {
        let before = payment.status;
        let change = Change {
            actor: &actor,
            event: ops::EVENT_SYNC,
            now,
            source: StatusSource::Provider,
            details: details.clone(),
        };
        match ops::sync_from_payment(tx, order.clone(), updated.clone(), next.status, &change)? {
            Outcome::Done { summary, .. } => {
                if next.charged_after_cancel {
                    format!(
                        "{summary}: captured after the order was cancelled (cancelled_but_captured)"
                    )
                } else if before == next.status {
                    summary
                } else {
                    format!("{summary} (was {before})")
                }
            }
            Outcome::Skipped { reason } => {
                record_facts(tx, &order, &payment, &updated, &actor, now, details)?;
                reason
            }
        }
    } else if facts_changed(&payment, &updated) {
        record_facts(tx, &order, &payment, &updated, &actor, now, details)?;
        describe_facts(&payment, &updated)
    } else {
        format!("payment already {}; nothing to record", payment.status)
    };
    record_event(tx, ev, "applied", Some(payment.id), Some(&number), now)?;
    Ok(done(
        LogResult::Applied,
        Some(number),
        Some(payment.id),
        detail,
    ))
}

fn facts_changed(before: &Payment, after: &Payment) -> bool {
    before.reference != after.reference
        || before.charge_id != after.charge_id
        || before.captured != after.captured
        || before.refunded_minor != after.refunded_minor
        || before.provider_status != after.provider_status
        || before.refund_pending != after.refund_pending
        || before.disputed != after.disputed
}

fn describe_facts(before: &Payment, after: &Payment) -> String {
    let mut parts = Vec::new();
    if before.disputed != after.disputed {
        parts.push(if after.disputed {
            "marked disputed".to_owned()
        } else {
            "dispute cleared".to_owned()
        });
    }
    if before.refund_pending && !after.refund_pending {
        parts.push("refund confirmed".to_owned());
    }
    if before.refunded_minor != after.refunded_minor {
        let currency = after.captured.unwrap_or(after.amount).currency();
        let shown = Money::from_minor(after.refunded_minor, currency)
            .map(|m| m.to_string())
            .unwrap_or_else(|_| after.refunded_minor.to_string());
        parts.push(format!("refunded so far {shown}"));
    }
    if before.captured != after.captured
        && let Some(c) = after.captured
    {
        parts.push(format!("captured {c}"));
    }
    if before.reference != after.reference || before.charge_id != after.charge_id {
        parts.push("provider ids recorded".to_owned());
    }
    if parts.is_empty() && before.provider_status != after.provider_status {
        parts.push(format!(
            "provider status {}",
            after.provider_status.as_deref().unwrap_or("-")
        ));
    }
    format!("payment {} ({})", after.status, parts.join(", "))
}

/// Saves a payment's non-status changes with an audit row of their own.
fn record_facts(
    conn: &Connection,
    order: &Order,
    before: &Payment,
    after: &Payment,
    actor: &str,
    now: Timestamp,
    details: Value,
) -> rusqlite::Result<()> {
    if !facts_changed(before, after) {
        return Ok(());
    }
    let mut after = after.clone();
    after.updated_at = now;
    queries::save_payment_state(conn, &after)?;
    let status = Some(after.status.to_string());
    queries::insert_audit(
        conn,
        Some(order.id),
        Some(after.id),
        &AuditEntry {
            at: format_ts(now),
            order_number: Some(order.number.clone()),
            event: EVENT_RECORDED.to_owned(),
            actor: actor.to_owned(),
            old_order_status: Some(order.status.to_string()),
            new_order_status: Some(order.status.to_string()),
            old_order_payment_status: Some(order.payment_status.to_string()),
            new_order_payment_status: Some(order.payment_status.to_string()),
            old_payment_status: status.clone(),
            new_payment_status: status,
            details,
        },
    )
}
