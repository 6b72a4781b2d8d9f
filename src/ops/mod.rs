//! The four synchronisation operations of the seed, the only code paths that
//! change an order's or a payment's status.
//!
//! 1. [`set_order_payment_status`]: Order → Payment (`status_synchronized`).
//! 2. [`set_payment_status`]: Payment → Order (`status_synchronized`).
//! 3. [`cancel`]: cancel the order and its payment (`order_and_payment_cancelled`).
//! 4. [`validate`]: confirm a payment by hand (`payment_validated`).
//!
//! Each public operation is one `BEGIN IMMEDIATE` transaction: the order, the
//! payment and the audit rows change together or not at all. The
//! transaction-level cores ([`sync_from_order`], [`sync_from_payment`]) are
//! what the consistency fixer and the webhook listener call inside their own
//! transactions, so every status change in `tally` goes through here and is
//! audited the same way.
//!
//! These are the owner's decisions: they are not bound by the forward-only
//! rules applied to provider events. They never invent or erase money: in
//! the ledger, cancelling a captured payment records the refund `owed` (and
//! says so), validating a Wave or cash payment records its capture (nobody
//! else will), and [`record_refund`] records a refund made by hand; status
//! words change, money does not. An operation acts on the order's main
//! payment, or on the one [`Select`] names (`--payment REF`).
//!
//! [`statement`] imports the providers' statement files (one transaction,
//! audited), which change no order and no payment.

use serde_json::{Value, json};

use crate::domain::{
    AuditEntry, AuditEvent, Flow, Money, Movement, MovementSource, Order, OrderPaymentStatus,
    OrderStatus, Payment, PaymentStatus, Provider, StatusSource, Timestamp,
};
use crate::i18n::{Lang, Msg, msg, words::ProviderTitle};
use crate::store::{Store, Writer};

pub mod refund;
pub mod statement;
pub use refund::{HandRefund, record_refund};

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("no order numbered {0:?}")]
    UnknownOrder(String),
    #[error("reference {reference:?} is already used by order {other}'s {provider} payment")]
    ReferenceTaken {
        reference: String,
        provider: String,
        other: String,
    },
    #[error("order {number} has no payment with reference {reference:?} (its payments: {known})")]
    NoSuchPayment {
        number: String,
        reference: String,
        known: String,
    },
    #[error("{0}")]
    Refused(Msg),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl OpError {
    /// The error as the owner reads it.
    pub fn localize(&self, lang: Lang) -> String {
        lang.text(&self.msg())
    }

    /// The error as a message.
    pub fn msg(&self) -> Msg {
        match self {
            OpError::UnknownOrder(n) => crate::msg!("op-unknown-order", number = format!("{n:?}")),
            OpError::ReferenceTaken {
                reference,
                provider,
                other,
            } => crate::msg!(
                "op-reference-taken",
                reference = format!("{reference:?}"),
                provider = provider.as_str(),
                other = other.as_str()
            ),
            OpError::NoSuchPayment {
                number,
                reference,
                known,
            } => crate::msg!(
                "op-no-such-payment",
                number = number.as_str(),
                reference = format!("{reference:?}"),
                known = known.as_str()
            ),
            OpError::Refused(m) => m.clone(),
            OpError::Sqlite(e) => crate::msg!("database-error", error = e.to_string()),
        }
    }
}

/// What happened to one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Changed; `summary` says how, `warnings` what the owner must still do.
    Done { summary: Msg, warnings: Vec<Msg> },
    /// Nothing changed, for this reason.
    Skipped { reason: Msg },
}

impl Outcome {
    fn skipped(reason: Msg) -> Outcome {
        Outcome::Skipped { reason }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, Outcome::Done { .. })
    }
}

/// Who makes a change, when, and why: what goes into the audit row.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub event: AuditEvent,
    pub now: Timestamp,
    /// Whose word the payment's new status is.
    pub source: StatusSource,
    pub details: Value,
}

/// The order and payment as they were before a change: the audit row's old
/// side, and what tells `commit` which rows really changed.
struct Before {
    order: Order,
    payment: Option<Payment>,
}

impl Before {
    fn of(order: &Order, payment: Option<&Payment>) -> Before {
        Before {
            order: order.clone(),
            payment: payment.cloned(),
        }
    }
}

/// Writes the order and the payment where they changed, and one audit row.
fn commit(
    tx: &Writer<'_>,
    before: &Before,
    order: &Order,
    payment: Option<&Payment>,
    change: &Change<'_>,
    movements: &[Movement],
) -> rusqlite::Result<()> {
    if *order != before.order {
        tx.update_order_state(order)?;
    }
    if let Some(p) = payment
        && Some(p) != before.payment.as_ref()
    {
        tx.update_payment_state(p)?;
    }
    if let Some(p) = payment
        && !movements.is_empty()
    {
        let mut p = p.clone();
        tx.record_movements(&mut p, movements, MovementSource::Owner, change.now)?;
    }
    let entry = AuditEntry::new(change.event, change.actor, change.now)
        .with_order(&order.number)
        .with_order_status(Some(before.order.status), Some(order.status))
        .with_order_payment_status(
            Some(before.order.payment_status),
            Some(order.payment_status),
        )
        .with_payment_status(
            before.payment.as_ref().map(|p| p.status),
            payment.map(|p| p.status),
        )
        .with_details(change.details.clone());
    tx.insert_audit(Some(order.id), payment.map(|p| p.id), &entry)
}

/// Sets the order's payment status, stamping `paid_at` when it becomes paid.
fn set_order_side(order: &mut Order, status: OrderPaymentStatus, now: Timestamp) {
    if order.payment_status != status {
        order.payment_status = status;
        order.updated_at = now;
    }
    if status == OrderPaymentStatus::Paid && order.paid_at.is_none() {
        order.paid_at = Some(now);
        order.updated_at = now;
    }
}

/// The money an owner's change of status moves in the ledger: cancelling
/// a completed payment that keeps money records that much refund owed (the
/// owner's words never invent or erase money otherwise).
fn owed_by(payment: &Payment, status: PaymentStatus, change: &Change<'_>) -> Vec<Movement> {
    let kept = payment.kept();
    let owes = payment.status == PaymentStatus::Completed
        && status == PaymentStatus::Cancelled
        && change.source == StatusSource::Owner
        && kept > 0;
    match Money::from_minor(kept, payment.money_currency()) {
        Ok(m) if owes => vec![Movement::new(Flow::Owed, m, change.now)],
        Ok(_) | Err(_) => Vec::new(),
    }
}

/// Sets the payment's status, stamping `completed_at` when it completes.
/// Returns a warning for the owner when `owed` is a refund to make outside
/// `tally`.
fn set_payment_side(
    payment: &mut Payment,
    order_number: &str,
    status: PaymentStatus,
    change: &Change<'_>,
    owed: &[Movement],
) -> Option<Msg> {
    let warning = owed
        .first()
        .map(|m| refund_warning(payment, order_number, m.amount));
    if payment.status != status {
        payment.status = status;
        payment.status_source = change.source;
        payment.updated_at = change.now;
    }
    if status == PaymentStatus::Completed && payment.completed_at.is_none() {
        payment.completed_at = Some(change.now);
        payment.updated_at = change.now;
    }
    warning
}

fn refund_warning(payment: &Payment, number: &str, amount: Money) -> Msg {
    let p = ProviderTitle(payment.provider);
    if payment.provider.sends_webhooks() {
        msg!(
            "op-warn-refund-at-provider",
            number = number,
            amount = amount,
            p = p
        )
    } else {
        msg!(
            "op-warn-refund-by-hand",
            number = number,
            amount = amount,
            p = p
        )
    }
}

/// Order → Payment, inside a transaction: sets the order's payment status
/// and carries the mapped status to its payment.
pub fn sync_from_order(
    tx: &Writer<'_>,
    mut order: Order,
    mut payment: Option<Payment>,
    status: OrderPaymentStatus,
    change: &Change<'_>,
) -> rusqlite::Result<Outcome> {
    let target = status.to_payment();
    if order.payment_status == status
        && payment.as_ref().is_none_or(|p| p.status == target)
        && (status != OrderPaymentStatus::Paid || order.paid_at.is_some())
    {
        return Ok(Outcome::skipped(msg!(
            "op-skip-payment-status-already",
            status = status
        )));
    }
    let before = Before::of(&order, payment.as_ref());
    set_order_side(&mut order, status, change.now);
    let owed = payment
        .as_ref()
        .map(|p| owed_by(p, target, change))
        .unwrap_or_default();
    let warning = payment
        .as_mut()
        .and_then(|p| set_payment_side(p, &order.number, target, change, &owed));
    commit(tx, &before, &order, payment.as_ref(), change, &owed)?;
    let summary = match &payment {
        Some(_) => msg!("op-done-order-payment", status = status, target = target),
        None => msg!("op-done-order-no-payment", status = status),
    };
    Ok(Outcome::Done {
        summary,
        warnings: warning.into_iter().collect(),
    })
}

/// Payment → Order, inside a transaction: sets the payment's status and
/// carries the mapped status to its order.
pub fn sync_from_payment(
    tx: &Writer<'_>,
    mut order: Order,
    mut payment: Payment,
    status: PaymentStatus,
    change: &Change<'_>,
) -> rusqlite::Result<Outcome> {
    let target = status.to_order();
    if payment.status == status
        && order.payment_status == target
        && (status != PaymentStatus::Completed || payment.completed_at.is_some())
    {
        return Ok(Outcome::skipped(msg!(
            "op-skip-payment-already",
            status = status
        )));
    }
    let before = Before::of(&order, Some(&payment));
    let owed = owed_by(&payment, status, change);
    let warning = set_payment_side(&mut payment, &order.number, status, change, &owed);
    set_order_side(&mut order, target, change.now);
    commit(tx, &before, &order, Some(&payment), change, &owed)?;
    Ok(Outcome::Done {
        summary: msg!("op-done-payment-order", status = status, target = target),
        warnings: warning.into_iter().collect(),
    })
}

fn load(tx: &Writer<'_>, number: &str) -> Result<(Order, Option<Payment>), OpError> {
    load_selected(tx, number, Select::Main)
}

/// Which payment of an order an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select<'a> {
    /// The main payment (the one that keeps money, else the latest).
    Main,
    /// The payment holding this provider reference (`--payment REF`).
    Reference(&'a str),
}

fn load_selected(
    tx: &Writer<'_>,
    number: &str,
    select: Select<'_>,
) -> Result<(Order, Option<Payment>), OpError> {
    let order = tx
        .order_by_number(number)?
        .ok_or_else(|| OpError::UnknownOrder(number.to_owned()))?;
    let payment = match select {
        Select::Main => tx.payment_for_order(order.id)?,
        Select::Reference(r) => {
            let attempts = tx.payments_of_order(order.id)?;
            let found = attempts
                .iter()
                .find(|p| p.reference.as_deref() == Some(r))
                .cloned();
            match found {
                Some(p) => Some(p),
                None => {
                    return Err(OpError::NoSuchPayment {
                        number: number.to_owned(),
                        reference: r.to_owned(),
                        known: attempts
                            .iter()
                            .filter_map(|p| p.reference.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
    };
    Ok((order, payment))
}

fn owner_change<'a>(
    actor: &'a str,
    event: AuditEvent,
    now: Timestamp,
    details: Value,
) -> Change<'a> {
    Change {
        actor,
        event,
        now,
        source: StatusSource::Owner,
        details,
    }
}

/// Operation 1, Order → Payment: `tally order set-payment-status`.
pub fn set_order_payment_status(
    store: &mut Store,
    number: &str,
    status: OrderPaymentStatus,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    store.write(|tx| {
        let (order, payment) = load(tx, number)?;
        let change = owner_change(
            actor,
            AuditEvent::StatusSynchronized,
            now,
            json!({"direction": "order_to_payment"}),
        );
        Ok(sync_from_order(tx, order, payment, status, &change)?)
    })
}

/// Operation 2, Payment → Order: `tally payment set-status`.
pub fn set_payment_status(
    store: &mut Store,
    number: &str,
    status: PaymentStatus,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    set_payment_status_of(store, number, Select::Main, status, actor, now)
}

/// Operation 2 on a chosen payment of the order (`--payment REF`).
pub fn set_payment_status_of(
    store: &mut Store,
    number: &str,
    select: Select<'_>,
    status: PaymentStatus,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    store.write(|tx| {
        let (order, payment) = load_selected(tx, number, select)?;
        let Some(payment) = payment else {
            return Ok(Outcome::skipped(msg!("op-skip-no-payment")));
        };
        let change = owner_change(
            actor,
            AuditEvent::StatusSynchronized,
            now,
            json!({"direction": "payment_to_order"}),
        );
        Ok(sync_from_payment(tx, order, payment, status, &change)?)
    })
}

/// Operation 3: cancel the order and its payment.
pub fn cancel(
    store: &mut Store,
    number: &str,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    store.write(|tx| {
        let (mut order, mut payment) = load(tx, number)?;
        if order.status == OrderStatus::Cancelled {
            return Ok(Outcome::skipped(msg!("op-skip-already-cancelled")));
        }
        let before = Before::of(&order, payment.as_ref());
        let was_completed = payment
            .as_ref()
            .is_some_and(|p| p.status == PaymentStatus::Completed);
        order.status = OrderStatus::Cancelled;
        order.cancelled_at = Some(now);
        order.updated_at = now;
        let mut change = owner_change(
            actor,
            AuditEvent::OrderAndPaymentCancelled,
            now,
            Value::Null,
        );
        let owed = payment
            .as_ref()
            .map(|p| owed_by(p, PaymentStatus::Cancelled, &change))
            .unwrap_or_default();
        let warning = match payment.as_mut() {
            Some(p) => {
                order.payment_status = OrderPaymentStatus::Refunded;
                set_payment_side(p, &order.number, PaymentStatus::Cancelled, &change, &owed)
            }
            None => None,
        };
        change.details = json!({
            "had_payment": payment.is_some(),
            "refund_owed": was_completed,
            "owed": owed.first().map(|m| m.amount.to_string()),
            "provider": payment.as_ref().map(|p| p.provider.as_str()),
        });
        commit(tx, &before, &order, payment.as_ref(), &change, &owed)?;
        let summary = match &payment {
            Some(_) => msg!("op-done-cancelled"),
            None => msg!("op-done-cancelled-no-payment"),
        };
        Ok(Outcome::Done {
            summary,
            warnings: warning.into_iter().collect(),
        })
    })
}

/// Operation 4: confirm a payment by hand (Wave or cash), optionally
/// recording the provider's transaction reference.
pub fn validate(
    store: &mut Store,
    number: &str,
    reference: Option<&str>,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    validate_of(store, number, Select::Main, None, reference, actor, now)
}

/// Operation 4 on a chosen payment (`--payment REF`), or on a new payment
/// confirmed by hand (`--provider wave|cash`: the customer paid another way
/// after the main payment failed).
pub fn validate_of(
    store: &mut Store,
    number: &str,
    select: Select<'_>,
    by_hand: Option<Provider>,
    reference: Option<&str>,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    store.write(|tx| {
        let (mut order, payment) = load_selected(tx, number, select)?;
        let payment = match by_hand {
            Some(provider) => Some(hand_payment(
                tx,
                &order,
                payment.as_ref(),
                provider,
                actor,
                now,
            )?),
            None => payment,
        };
        if order.status == OrderStatus::Cancelled {
            return Ok(Outcome::skipped(msg!("op-skip-validate-cancelled")));
        }
        let Some(mut payment) = payment else {
            return Ok(Outcome::skipped(msg!("op-skip-validate-no-payment")));
        };
        let reference = reference.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reference
            && payment.reference.as_deref() != Some(r)
            && let Some(other) = tx.order_number_for_reference(payment.provider, r)?
        {
            return Err(OpError::ReferenceTaken {
                reference: r.to_owned(),
                provider: payment.provider.title().to_owned(),
                other,
            });
        }
        let new_reference = reference.is_some_and(|r| payment.reference.as_deref() != Some(r));
        if payment.status == PaymentStatus::Completed
            && order.payment_status == OrderPaymentStatus::Paid
            && payment.completed_at.is_some()
            && order.paid_at.is_some()
            && !new_reference
        {
            return Ok(Outcome::skipped(msg!("op-skip-already-validated")));
        }
        let before = Before::of(&order, Some(&payment));
        let mut warnings = Vec::new();
        if payment.provider.sends_webhooks() && payment.status != PaymentStatus::Completed {
            warnings.push(msg!(
                "op-warn-validated-by-hand",
                number = number,
                p = ProviderTitle(payment.provider)
            ));
        }
        if let Some(r) = reference {
            payment.reference = Some(r.to_owned());
            payment.updated_at = now;
        }
        let change = owner_change(
            actor,
            AuditEvent::PaymentValidated,
            now,
            json!({"reference": reference, "provider": payment.provider.as_str()}),
        );
        // Only a payment confirmed by hand (Wave, cash) is money nobody else
        // will report: validating it records its capture.
        let captured = match payment.provider {
            Provider::Wave | Provider::Cash if payment.figures().captured == 0 => {
                let mut m = Movement::new(Flow::Captured, payment.amount, now);
                if let Some(r) = &payment.reference {
                    m = m.with_id(r);
                }
                vec![m]
            }
            Provider::Wave | Provider::Cash | Provider::Stripe | Provider::Paypal => Vec::new(),
        };
        set_payment_side(
            &mut payment,
            &order.number,
            PaymentStatus::Completed,
            &change,
            &[],
        );
        set_order_side(&mut order, OrderPaymentStatus::Paid, now);
        commit(tx, &before, &order, Some(&payment), &change, &captured)?;
        Ok(Outcome::Done {
            summary: msg!("op-done-validated"),
            warnings,
        })
    })
}

/// A new payment of `order` confirmed by hand through `provider` (Wave or
/// cash), pending until validated; refused while the order's main payment
/// is anything but a failed (or absent) attempt of another provider.
fn hand_payment(
    tx: &Writer<'_>,
    order: &Order,
    main: Option<&Payment>,
    provider: Provider,
    actor: &str,
    now: Timestamp,
) -> Result<Payment, OpError> {
    if provider.sends_webhooks() {
        return Err(OpError::Refused(msg!(
            "op-refuse-provider-by-hand",
            provider = provider.as_str()
        )));
    }
    if let Some(m) = main
        && (m.provider == provider || m.status != PaymentStatus::Failed)
    {
        return Err(OpError::Refused(msg!(
            "op-refuse-provider-not-failed",
            number = order.number.as_str(),
            provider = ProviderTitle(m.provider),
            status = m.status
        )));
    }
    let mut payment = Payment {
        id: 0,
        order_id: order.id,
        provider,
        reference: None,
        amount: order.total,
        status: PaymentStatus::Pending,
        provider_status: None,
        created_at: now,
        updated_at: now,
        completed_at: None,
        status_source: StatusSource::Owner,
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
    tx.insert_payment_with_ledger(&mut payment, &[], MovementSource::Owner, now)?;
    let entry = AuditEntry::new(AuditEvent::PaymentValidated, actor, now)
        .with_order(&order.number)
        .with_payment_status(None, Some(PaymentStatus::Pending))
        .with_details(json!({"new_attempt": payment.attempt, "provider": provider.as_str()}));
    tx.insert_audit(Some(order.id), Some(payment.id), &entry)?;
    Ok(payment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{events, get, now, shop};

    #[test]
    fn order_to_payment_carries_the_mapped_status_and_stamps() {
        let mut store = shop();
        let out = set_order_payment_status(
            &mut store,
            "TEST2003",
            OrderPaymentStatus::Paid,
            "alice",
            now(),
        )
        .unwrap();
        assert!(out.is_done(), "{out:?}");
        let (o, p) = get(&store, "TEST2003");
        let p = p.unwrap();
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        assert_eq!(p.status, PaymentStatus::Completed);
        assert_eq!(o.paid_at, Some(now()));
        assert_eq!(p.completed_at, Some(now()));
        assert_eq!(p.status_source, StatusSource::Owner);
        assert_eq!(
            events(&store, "TEST2003").last().unwrap(),
            &(
                AuditEvent::StatusSynchronized.to_string(),
                "alice".to_owned()
            )
        );
    }

    #[test]
    fn payment_to_order_is_the_reverse() {
        let mut store = shop();
        set_payment_status(
            &mut store,
            "TEST1001",
            PaymentStatus::Completed,
            "bob",
            now(),
        )
        .unwrap();
        let (o, p) = get(&store, "TEST1001");
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        assert_eq!(o.paid_at, Some(now()));
        // Already completed: the original completion time is kept.
        assert_ne!(p.unwrap().completed_at, Some(now()));

        set_payment_status(&mut store, "TEST2002", PaymentStatus::Failed, "bob", now()).unwrap();
        let (o, p) = get(&store, "TEST2002");
        assert_eq!(o.payment_status, OrderPaymentStatus::Failed);
        assert_eq!(p.unwrap().status, PaymentStatus::Failed);
    }

    #[test]
    fn setting_what_is_already_there_is_skipped_and_not_audited() {
        let mut store = shop();
        let before = events(&store, "TEST2001").len();
        let out = set_payment_status(&mut store, "TEST2001", PaymentStatus::Completed, "a", now())
            .unwrap();
        assert!(matches!(out, Outcome::Skipped { .. }));
        assert_eq!(events(&store, "TEST2001").len(), before);
    }

    #[test]
    fn cancel_cancels_both_sides_and_records_a_refund_owed() {
        let mut store = shop();
        let out = cancel(&mut store, "TEST2001", "alice", now()).unwrap();
        let Outcome::Done { warnings, .. } = out else {
            panic!("not done: {out:?}")
        };
        assert_eq!(warnings.len(), 1);
        let text = warnings[0].to_string();
        assert!(text.contains("refunds nothing"), "{warnings:?}");
        assert!(text.contains("Stripe"));
        let (o, p) = get(&store, "TEST2001");
        let p = p.unwrap();
        assert_eq!(o.status, OrderStatus::Cancelled);
        assert_eq!(o.payment_status, OrderPaymentStatus::Refunded);
        assert_eq!(o.cancelled_at, Some(now()));
        assert_eq!(p.status, PaymentStatus::Cancelled);
        assert!(p.refund_pending);
        assert_eq!(
            events(&store, "TEST2001").last().unwrap().0,
            AuditEvent::OrderAndPaymentCancelled.to_string()
        );
    }

    #[test]
    fn cancelling_a_pending_payment_owes_no_refund() {
        let mut store = shop();
        let out = cancel(&mut store, "TEST2002", "alice", now()).unwrap();
        assert_eq!(
            out,
            Outcome::Done {
                summary: msg!("op-done-cancelled"),
                warnings: vec![]
            }
        );
        assert!(!get(&store, "TEST2002").1.unwrap().refund_pending);
    }

    #[test]
    fn an_order_without_payment_is_cancelled_alone() {
        let mut store = shop();
        cancel(&mut store, "TEST2004", "alice", now()).unwrap();
        let (o, p) = get(&store, "TEST2004");
        assert!(p.is_none());
        assert_eq!(o.status, OrderStatus::Cancelled);
        assert_eq!(o.payment_status, OrderPaymentStatus::Pending);
        assert_eq!(o.cancelled_at, Some(now()));
    }

    #[test]
    fn an_order_already_cancelled_is_skipped() {
        let mut store = shop();
        cancel(&mut store, "TEST2004", "alice", now()).unwrap();
        let n = events(&store, "TEST2004").len();
        let out = cancel(&mut store, "TEST2004", "alice", now()).unwrap();
        assert_eq!(
            out,
            Outcome::Skipped {
                reason: msg!("op-skip-already-cancelled")
            }
        );
        assert_eq!(events(&store, "TEST2004").len(), n);
    }

    #[test]
    fn validate_completes_the_payment_and_pays_the_order() {
        let mut store = shop();
        let out = validate(&mut store, "TEST2002", Some("T_WAVE_77"), "alice", now()).unwrap();
        assert_eq!(
            out,
            Outcome::Done {
                summary: msg!("op-done-validated"),
                warnings: vec![]
            }
        );
        let (o, p) = get(&store, "TEST2002");
        let p = p.unwrap();
        assert_eq!(p.status, PaymentStatus::Completed);
        assert_eq!(p.completed_at, Some(now()));
        assert_eq!(p.reference.as_deref(), Some("T_WAVE_77"));
        assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
        assert_eq!(o.paid_at, Some(now()));
        assert_eq!(
            events(&store, "TEST2002").last().unwrap().0,
            AuditEvent::PaymentValidated.to_string()
        );
    }

    #[test]
    fn validating_a_stripe_payment_by_hand_warns() {
        let mut store = shop();
        let out = validate(&mut store, "TEST2003", None, "alice", now()).unwrap();
        let Outcome::Done { warnings, .. } = out else {
            panic!("{out:?}")
        };
        assert!(
            warnings[0].to_string().contains("validated by hand"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_cancelled_order_cannot_be_validated() {
        let mut store = shop();
        cancel(&mut store, "TEST2002", "alice", now()).unwrap();
        let out = validate(&mut store, "TEST2002", None, "alice", now()).unwrap();
        assert!(
            matches!(out, Outcome::Skipped { reason } if reason.to_string().contains("cancelled"))
        );
        assert_eq!(
            get(&store, "TEST2002").1.unwrap().status,
            PaymentStatus::Cancelled
        );
    }

    #[test]
    fn a_reference_held_by_another_order_is_refused() {
        let mut store = shop();
        let (_, p) = get(&store, "TEST2003");
        let err = validate(&mut store, "TEST2003", Some("pi_3Nabc"), "a", now()).unwrap_err();
        assert!(
            matches!(err, OpError::ReferenceTaken { ref other, .. } if other == "TEST1001"),
            "{err}"
        );
        assert_eq!(get(&store, "TEST2003").1, p, "nothing changed");
    }

    #[test]
    fn unknown_orders_are_an_error() {
        let mut store = shop();
        assert!(matches!(
            cancel(&mut store, "NOPE", "a", now()),
            Err(OpError::UnknownOrder(n)) if n == "NOPE"
        ));
    }

    #[test]
    fn an_operation_that_fails_half_way_changes_nothing() {
        let mut store = shop();
        let before = get(&store, "TEST2001");
        // The order and payment updates succeed, then the audit insert fails.
        store
            .conn()
            .execute_batch(
                "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit_log
                 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
            )
            .unwrap();
        for result in [
            cancel(&mut store, "TEST2001", "a", now()),
            set_order_payment_status(
                &mut store,
                "TEST2001",
                OrderPaymentStatus::Failed,
                "a",
                now(),
            ),
            set_payment_status(&mut store, "TEST2001", PaymentStatus::Pending, "a", now()),
        ] {
            assert!(matches!(result, Err(OpError::Sqlite(_))), "{result:?}");
            assert_eq!(get(&store, "TEST2001"), before);
        }
        let before = get(&store, "TEST2002");
        assert!(validate(&mut store, "TEST2002", Some("T_1"), "a", now()).is_err());
        assert_eq!(get(&store, "TEST2002"), before);
    }
}
