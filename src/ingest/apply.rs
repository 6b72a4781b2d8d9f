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

use serde_json::{Value, json};

use crate::domain::transition::{self, EventAge, Signal, Transition};
use crate::domain::{
    AuditEntry, AuditEvent, EventState, LogResult, LogSource, Money, MovementSource, Order,
    OrderStatus, Payment, PaymentStatus, Provider, SignatureCheck, StatusSource, Timestamp,
};
use crate::ops::{self, Change, Outcome};
use crate::providers::{self, EventError, EventKind, ProviderEvent};
use crate::store::webhooks::{EventRecord, NewLogRow, NewOrphan};
use crate::store::{PaymentKey, Reader, Store, Writer};

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
    /// The listener, a replay, or `tally sync`.
    pub source: LogSource,
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

/// The webhook log row of a delivery with this outcome.
fn log_row<'a>(
    provider: Provider,
    delivery: &'a Delivery<'a>,
    body: &'a [u8],
    event: Option<(&'a str, &'a str)>,
    result: LogResult,
    http_status: u16,
) -> NewLogRow<'a> {
    NewLogRow {
        received_at: delivery.received_at,
        provider: Some(provider),
        path: delivery.path,
        remote_addr: delivery.remote_addr,
        event_id: event.map(|e| e.0),
        event_type: event.map(|e| e.1),
        signature: delivery.signature,
        result,
        http_status,
        duration_us: delivery.elapsed_us(),
        error: None,
        body: Some(body),
        order_number: None,
        source: delivery.source,
    }
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
        Err(e) => return not_an_event(store, provider, body, delivery, e),
    };
    let result = store.write(|tx| -> Result<Processed, ApplyError> {
        let processed = apply_event(tx, &event, delivery, link_to)?;
        let ids = Some((event.id.as_str(), event.event_type.as_str()));
        tx.insert_webhook_log(&NewLogRow {
            order_number: processed.order_number.as_deref(),
            ..log_row(provider, delivery, body, ids, processed.result, 200)
        })?;
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

/// A body that did not parse: an event whose amount cannot be read is a
/// failure (the provider retries, `check` reports it); anything else is
/// malformed, logged as rejected.
fn not_an_event(
    store: &mut Store,
    provider: Provider,
    body: &[u8],
    delivery: &Delivery<'_>,
    e: EventError,
) -> Processing {
    if let EventError::Amount {
        event_id,
        event_type,
        reason,
    } = e
    {
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
    let error = e.to_string();
    let logged = store.write(|tx| {
        tx.insert_webhook_log(&NewLogRow {
            error: Some(&error),
            ..log_row(provider, delivery, body, None, LogResult::Rejected, 400)
        })
    });
    match logged {
        Ok(_) => Processing::Malformed(e),
        Err(db) => Processing::Failed {
            event_id: None,
            event_type: None,
            error: format!("{error}; and the log row failed: {db}"),
        },
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
            tx.record_failed_event(provider, event_id, event_type, delivery.received_at, error)?;
        }
        tx.insert_webhook_log(&NewLogRow {
            error: Some(error),
            ..log_row(provider, delivery, body, event, LogResult::Error, 500)
        })?;
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
    /// A new attempt at paying an order the event names.
    NewAttempt,
    Link,
}

impl MatchedBy {
    fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Reference => "reference",
            MatchedBy::OrderNumber => "order_number",
            MatchedBy::NewAttempt => "new_attempt",
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
    /// A known order, and no payment of it this event is about: the event
    /// is another attempt at paying it.
    Attempt { order: Box<Order> },
    Orphan {
        order_number: Option<String>,
        note: String,
    },
}

impl Match {
    fn payment(order: Order, payment: Payment, by: MatchedBy) -> Match {
        Match::Payment {
            order: Box::new(order),
            payment: Box::new(payment),
            by,
        }
    }
}

/// Finds the payment: by provider id (reference, then charge id), else by
/// the order number the shop put in the event.
fn find(tx: &Reader<'_>, ev: &ProviderEvent) -> rusqlite::Result<Match> {
    for r in &ev.references {
        for key in [PaymentKey::Reference, PaymentKey::ChargeId] {
            if let Some((order, payment)) = tx.payment_by_key(key, ev.provider, r)? {
                return Ok(Match::payment(order, payment, MatchedBy::Reference));
            }
        }
    }
    for number in &ev.order_numbers {
        if let Some(order) = tx.order_by_number(number)? {
            let attempts = tx.payments_of_order(order.id)?;
            return Ok(by_order_number(ev, order, attempts));
        }
    }
    Ok(Match::Orphan {
        order_number: None,
        note: "matched no payment".to_owned(),
    })
}

/// An event that names a known order: its payment of this provider that
/// holds no reference yet, else a new attempt. Only an event that could
/// never become a payment (a refund or a dispute of money tally never saw
/// captured) stays an orphan.
fn by_order_number(ev: &ProviderEvent, order: Order, attempts: Vec<Payment>) -> Match {
    if let Some(p) = attempts
        .into_iter()
        .find(|p| p.provider == ev.provider && p.reference.is_none())
    {
        return Match::payment(order, p, MatchedBy::OrderNumber);
    }
    match ev.kind {
        EventKind::Succeeded | EventKind::Failed | EventKind::Pending | EventKind::Canceled => {
            Match::Attempt {
                order: Box::new(order),
            }
        }
        EventKind::Refunded(_)
        | EventKind::Reversed
        | EventKind::DisputeCreated
        | EventKind::DisputeClosed { .. }
        | EventKind::Ledger
        | EventKind::Ignored => {
            let number = order.number;
            let reference = ev.reference.as_deref().unwrap_or("(none)");
            Match::Orphan {
                note: format!(
                    "names order {number}, but no {} payment of it holds {reference}",
                    ev.provider.title()
                ),
                order_number: Some(number),
            }
        }
    }
}

/// The match forced by `tally orphans link`: order `number`'s payment of
/// this provider (its main one when it has several).
fn linked(tx: &Reader<'_>, ev: &ProviderEvent, number: &str) -> Result<Match, ApplyError> {
    let order = tx
        .order_by_number(number)?
        .ok_or_else(|| ApplyError::Refused(format!("no order numbered {number:?}")))?;
    let payment = tx
        .payment_for_order(order.id)?
        .ok_or_else(|| ApplyError::Refused(format!("order {number} has no payment record")))?;
    let payment = if payment.provider == ev.provider {
        payment
    } else {
        tx.payments_of_order(order.id)?
            .into_iter()
            .find(|p| p.provider == ev.provider)
            .ok_or_else(|| {
                ApplyError::Refused(format!(
                    "order {number}'s payment is a {} payment; a {} event cannot apply to it",
                    payment.provider.title(),
                    ev.provider.title()
                ))
            })?
    };
    Ok(Match::payment(order, payment, MatchedBy::Link))
}

/// A new payment of `order` for an event that names it: the event's
/// provider, reference and amount (else the order's total), pending until
/// the event's own facts say otherwise.
fn new_attempt(
    tx: &Writer<'_>,
    order: &Order,
    ev: &ProviderEvent,
    now: Timestamp,
) -> rusqlite::Result<Payment> {
    let mut payment = Payment {
        id: 0,
        order_id: order.id,
        provider: ev.provider,
        reference: ev.reference.clone(),
        amount: ev.amount.unwrap_or(order.total),
        status: PaymentStatus::Pending,
        provider_status: None,
        created_at: ev.created.unwrap_or(now),
        updated_at: now,
        completed_at: None,
        status_source: StatusSource::Provider,
        captured: None,
        charge_id: None,
        refunded_minor: 0,
        refund_pending: false,
        disputed: false,
        attempt: 0,
        refunds_pending_minor: 0,
        refunds_failed_minor: 0,
        disputed_minor: 0,
        lost_minor: 0,
        owed_minor: 0,
    };
    tx.insert_payment_with_ledger(&mut payment, &[], MovementSource::Provider, now)?;
    let entry = AuditEntry::new(
        AuditEvent::ProviderEventRecorded,
        &format!("webhook:{}:{}", ev.provider, ev.id),
        now,
    )
    .with_order(&order.number)
    .with_payment_status(None, Some(PaymentStatus::Pending))
    .with_details(json!({
        "new_attempt": payment.attempt,
        "provider": ev.provider.as_str(),
        "reference": payment.reference,
        "event_id": ev.id,
    }));
    tx.insert_audit(Some(order.id), Some(payment.id), &entry)?;
    Ok(payment)
}

fn record_event(
    tx: &Writer<'_>,
    ev: &ProviderEvent,
    state: EventState,
    payment_id: Option<i64>,
    order_number: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    tx.record_event(&EventRecord {
        provider: ev.provider,
        event_id: &ev.id,
        event_type: &ev.event_type,
        received_at: now,
        state,
        payment_id,
        order_number,
        created: ev.created,
    })
}

/// Whether the event is older than the last one applied to the payment.
fn age(tx: &Reader<'_>, ev: &ProviderEvent, payment_id: i64) -> rusqlite::Result<EventAge> {
    Ok(match ev.created {
        Some(created) if tx.is_older_than_applied(payment_id, created)? => EventAge::Older,
        Some(_) | None => EventAge::Current,
    })
}

/// What an event says of the attempt itself; `None` for an event tally
/// does not act on.
fn signal_of(kind: EventKind) -> Option<Signal> {
    match kind {
        EventKind::Ignored => None,
        EventKind::Succeeded => Some(Signal::Captured),
        EventKind::Failed => Some(Signal::Declined),
        EventKind::Pending => Some(Signal::Processing),
        EventKind::Canceled => Some(Signal::Voided),
        EventKind::Refunded(_)
        | EventKind::Reversed
        | EventKind::DisputeCreated
        | EventKind::DisputeClosed { .. }
        | EventKind::Ledger => Some(Signal::Money),
    }
}

/// One event being applied: what [`apply_event`]'s steps share.
struct Applying<'a> {
    ev: &'a ProviderEvent,
    delivery: &'a Delivery<'a>,
}

impl Applying<'_> {
    fn done(
        &self,
        result: LogResult,
        order_number: Option<String>,
        payment_id: Option<i64>,
        detail: String,
    ) -> Processed {
        Processed {
            result,
            event_id: self.ev.id.clone(),
            event_type: self.ev.event_type.clone(),
            order_number,
            payment_id,
            detail,
        }
    }

    /// Records an orphan for an event that matched no payment.
    fn orphan(
        &self,
        tx: &Writer<'_>,
        order_number: Option<String>,
        note: &str,
    ) -> rusqlite::Result<Processed> {
        let ev = self.ev;
        let now = self.delivery.received_at;
        let reference = ev
            .reference
            .as_deref()
            .or(ev.references.first().map(String::as_str));
        tx.insert_orphan(&NewOrphan {
            provider: ev.provider,
            reference,
            amount: ev.amount,
            event_id: &ev.id,
            event_type: &ev.event_type,
            order_number: order_number.as_deref(),
            received_at: now,
            note,
        })?;
        record_event(
            tx,
            ev,
            EventState::Orphan,
            None,
            order_number.as_deref(),
            now,
        )?;
        let reference = reference.unwrap_or("(no reference)");
        Ok(self.done(
            LogResult::Orphan,
            order_number,
            None,
            format!("orphan: {} {reference} {note}", ev.event_type),
        ))
    }

    /// The payment's provider ids and raw status as the event reports them
    /// (a refund's or a dispute's status is not the payment's).
    fn ids(&self, payment: &Payment, by: MatchedBy) -> Payment {
        let ev = self.ev;
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
        let about_the_attempt = match ev.kind {
            EventKind::Succeeded | EventKind::Failed | EventKind::Pending | EventKind::Canceled => {
                true
            }
            EventKind::Refunded(_)
            | EventKind::Reversed
            | EventKind::DisputeCreated
            | EventKind::DisputeClosed { .. }
            | EventKind::Ledger
            | EventKind::Ignored => false,
        };
        if about_the_attempt && let Some(raw) = &ev.provider_status {
            updated.provider_status = Some(raw.clone());
        }
        updated
    }

    /// The audit details of an applied event.
    fn details(&self, by: MatchedBy, added: usize, charged_after_cancel: bool) -> Value {
        let ev = self.ev;
        let mut details = json!({
            "event_type": ev.event_type,
            "event_id": ev.id,
            "matched_by": by.as_str(),
            "provider_status": ev.provider_status,
        });
        if let Some(amount) = ev.amount {
            details["amount"] = json!(amount.to_string());
        }
        // What the provider kept of that amount (Wave's fee on a QR
        // payment): the capture is what the customer paid.
        if let Some(fee) = ev.fee {
            details["fee"] = json!(fee.to_string());
        }
        if added > 0 {
            details["movements"] = json!(
                ev.movements
                    .iter()
                    .map(|m| json!({
                        "kind": m.flow.kind(),
                        "state": m.flow.state(),
                        "amount": m.amount.to_string(),
                        "provider_id": m.provider_id,
                    }))
                    .collect::<Vec<_>>()
            );
        }
        if charged_after_cancel {
            details["charged_after_cancel"] = json!(true);
        }
        if let Some(who) = self.delivery.requested_by {
            details["requested_by"] = json!(who);
        }
        details
    }

    /// Writes the payment's new status (through the Payment → Order
    /// operation when it changes) or its new facts, and says what was done.
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        tx: &Writer<'_>,
        order: &Order,
        payment: &Payment,
        updated: &Payment,
        status: PaymentStatus,
        details: Value,
        charged_after_cancel: bool,
    ) -> rusqlite::Result<String> {
        let now = self.delivery.received_at;
        let actor = format!("webhook:{}:{}", self.ev.provider, self.ev.id);
        if status == payment.status && order.payment_status == status.to_order() {
            if facts_changed(payment, updated) {
                record_facts(tx, order, payment, updated, &actor, now, details)?;
                return Ok(describe_facts(payment, updated));
            }
            return Ok(format!(
                "payment already {}; nothing to record",
                payment.status
            ));
        }
        let before = payment.status;
        let change = Change {
            actor: &actor,
            event: AuditEvent::StatusSynchronized,
            now,
            source: StatusSource::Provider,
            details: details.clone(),
        };
        let outcome = ops::sync_from_payment(tx, order.clone(), updated.clone(), status, &change)?;
        Ok(match outcome {
            Outcome::Done { summary, .. } if charged_after_cancel => {
                format!(
                    "{summary}: captured after the order was cancelled (cancelled_but_captured)"
                )
            }
            Outcome::Done { summary, .. } if before == status => summary.to_string(),
            Outcome::Done { summary, .. } => format!("{summary} (was {before})"),
            Outcome::Skipped { reason } => {
                record_facts(tx, order, payment, updated, &actor, now, details)?;
                reason.to_string()
            }
        })
    }
}

/// Applies one parsed event inside the caller's transaction. `link_to`
/// forces the match to that order's payment (`tally orphans link`).
pub fn apply_event(
    tx: &Writer<'_>,
    ev: &ProviderEvent,
    delivery: &Delivery<'_>,
    link_to: Option<&str>,
) -> Result<Processed, ApplyError> {
    let now = delivery.received_at;
    let step = Applying { ev, delivery };
    let state = tx.event_state(ev.provider, &ev.id)?;
    let reprocess = match state {
        None | Some(EventState::Failed) => true,
        Some(EventState::Orphan) => link_to.is_some(),
        Some(
            EventState::Applied | EventState::Duplicate | EventState::Stale | EventState::Ignored,
        ) => false,
    };
    if !reprocess {
        let state = state.map(EventState::as_str).unwrap_or_default();
        return Ok(step.done(
            LogResult::Duplicate,
            None,
            None,
            format!("already received (recorded as {state}); nothing changed"),
        ));
    }
    let Some(signal) = signal_of(ev.kind) else {
        record_event(tx, ev, EventState::Ignored, None, None, now)?;
        return Ok(step.done(
            LogResult::Ignored,
            None,
            None,
            format!("{} is not an event tally acts on", ev.event_type),
        ));
    };
    let found = match link_to {
        Some(number) => linked(tx, ev, number)?,
        None => find(tx, ev)?,
    };
    let (order, payment, by) = match found {
        Match::Payment { order, payment, by } => (*order, *payment, by),
        Match::Attempt { order } => {
            let payment = new_attempt(tx, &order, ev, now)?;
            (*order, payment, MatchedBy::NewAttempt)
        }
        Match::Orphan { order_number, note } => return Ok(step.orphan(tx, order_number, &note)?),
    };
    let number = order.number.clone();
    let mut updated = step.ids(&payment, by);
    let (figures, added) =
        tx.add_movements(&mut updated, &ev.movements, MovementSource::Provider, now)?;
    let age = age(tx, ev, payment.id)?;
    let status =
        match transition::next(payment.status, payment.status_source, signal, &figures, age) {
            Transition::Apply(status) => status,
            Transition::Stale(reason) if added == 0 => {
                record_event(
                    tx,
                    ev,
                    EventState::Stale,
                    Some(payment.id),
                    Some(&number),
                    now,
                )?;
                return Ok(step.done(
                    LogResult::Stale,
                    Some(number),
                    Some(payment.id),
                    format!("stale: {reason} (payment {})", payment.status),
                ));
            }
            // Its money is recorded; its word on the status is not taken.
            Transition::Stale(_) => payment.status,
        };
    let charged_after_cancel = order.status == OrderStatus::Cancelled
        && status == PaymentStatus::Completed
        && payment.status != PaymentStatus::Completed;
    let details = step.details(by, added, charged_after_cancel);
    let detail = step.commit(
        tx,
        &order,
        &payment,
        &updated,
        status,
        details,
        charged_after_cancel,
    )?;
    record_event(
        tx,
        ev,
        EventState::Applied,
        Some(payment.id),
        Some(&number),
        now,
    )?;
    Ok(step.done(LogResult::Applied, Some(number), Some(payment.id), detail))
}

fn facts_changed(before: &Payment, after: &Payment) -> bool {
    before.reference != after.reference
        || before.charge_id != after.charge_id
        || before.captured != after.captured
        || before.refunded_minor != after.refunded_minor
        || before.provider_status != after.provider_status
        || before.refund_pending != after.refund_pending
        || before.disputed != after.disputed
        || before.figures() != after.figures()
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
        let shown = Money::show_minor(after.refunded_minor, currency);
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
    tx: &Writer<'_>,
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
    tx.update_payment_state(&after)?;
    let entry = AuditEntry::new(AuditEvent::ProviderEventRecorded, actor, now)
        .with_order(&order.number)
        .with_order_status(Some(order.status), Some(order.status))
        .with_order_payment_status(Some(order.payment_status), Some(order.payment_status))
        .with_payment_status(Some(after.status), Some(after.status))
        .with_details(details);
    tx.insert_audit(Some(order.id), Some(after.id), &entry)
}
