//! One refund of one order, exactly once: settle what is open, plan,
//! write the intent, call, record the answer.
//!
//! Each write is its own `BEGIN IMMEDIATE` transaction ([`Store::write`]);
//! the provider is called between them, with no transaction open. The
//! caller (the command line, the dashboard) asks the owner between
//! [`prepare`] and [`execute`].

use std::time::Instant;

use chrono::Utc;
use serde_json::json;

use super::{Call, Provide, Reply};
use crate::domain::refund::{self, Refundable, Refusal};
use crate::domain::transition::{self, EventAge, Signal, Transition};
use crate::domain::{
    AuditEntry, AuditEvent, Flow, IntentState, Money, Movement, MovementSource, Order, Payment,
    Provider, StatusSource, Timestamp,
};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Arg, Msg, join, money_error, msg, refusal};
use crate::ops::{self, Change, OpError, Select};
use crate::store::refunds::{NewIntent, RefundIntent};
use crate::store::{Store, Writer};

/// What the owner asks for one order.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Which payment (`--payment REF`); by default the one that keeps money.
    pub select: Select<'a>,
    /// In major units of the payment's currency; default: all it may refund.
    pub amount: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// A refund about to be asked for: what the confirmation shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub order: String,
    pub order_id: i64,
    pub payment_id: i64,
    pub provider: Provider,
    /// What the provider is asked to refund (PaymentIntent, capture or sale,
    /// checkout session).
    pub target: String,
    pub amount: Money,
    /// What the payment keeps afterwards.
    pub payment_keeps: Money,
    /// What the order keeps afterwards, over its payments in the payment's
    /// currency.
    pub order_keeps: Money,
    pub reason: Option<String>,
}

impl Plan {
    /// One line: the order, the provider, the amount and what is kept.
    pub fn describe(&self) -> Msg {
        msg!(
            "rfd-plan",
            order = self.order.as_str(),
            action = self.action()
        )
    }

    /// What will be done, without the order: the provider, the amount and
    /// what is kept.
    pub fn action(&self) -> Msg {
        msg!(
            "rfd-plan-action",
            amount = self.amount,
            provider = ProviderTitle(self.provider),
            target = self.target.as_str(),
            keeps = self.order_keeps
        )
    }
}

/// What happened to one order's refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider made the refund (succeeded, or pending at the provider).
    Refunded { summary: Msg },
    /// Asked, and no answer said what happened: the owner must settle it.
    Unknown { message: Msg },
    /// Not refunded: tally's refusal, the provider's, a failed refund, or
    /// the owner said no. Nothing was changed by tally's refusals.
    Refused { reason: Msg },
    /// An error before any call (the database, unusable credentials).
    Error { message: Msg },
}

impl Outcome {
    /// An error in its own words (the database's, a credential's).
    fn error(e: impl std::fmt::Display) -> Outcome {
        Outcome::Error {
            message: msg!("plain", text = e.to_string()),
        }
    }

    fn op_error(e: &OpError) -> Outcome {
        Outcome::Error { message: e.msg() }
    }

    fn refused(reason: Msg) -> Outcome {
        Outcome::Refused { reason }
    }

    /// The exit code this outcome asks for: 2 unknown or an error, 1
    /// refused, 0 refunded.
    pub fn code(&self) -> u8 {
        match self {
            Outcome::Refunded { .. } => 0,
            Outcome::Refused { .. } => 1,
            Outcome::Unknown { .. } | Outcome::Error { .. } => 2,
        }
    }
}

/// What settling an earlier intent came to: its new state, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub state: IntentState,
    pub note: Msg,
}

/// The earlier intents settled before a new refund was decided.
pub type Notes = Vec<Settled>;

fn now() -> Timestamp {
    Utc::now()
}

/// A fresh idempotency key: 128 random bits.
fn new_key() -> String {
    format!(
        "tally_ri_{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

fn call_of(intent: &RefundIntent, order: &str) -> Call {
    Call {
        provider: intent.provider,
        target: intent.target.clone(),
        amount: intent.amount,
        reason: intent.reason.clone(),
        key: intent.key.clone(),
        order: order.to_owned(),
        actor: intent.actor.clone(),
    }
}

/// Settles every unsettled intent of order `number`'s payments (see the
/// room's "Exactly once"). `on_wait` hears why it waits. `Err` when one
/// stays unsettled: nothing new may be decided for the order.
pub fn settle_open(
    store: &mut Store,
    api: &dyn Provide,
    number: &str,
    on_wait: &mut dyn FnMut(&Msg),
) -> Result<Notes, Outcome> {
    let order = store
        .reader()
        .order_by_number(number)
        .map_err(Outcome::error)?
        .ok_or_else(|| Outcome::op_error(&OpError::UnknownOrder(number.to_owned())))?;
    let payments = store
        .reader()
        .payments_of_order(order.id)
        .map_err(Outcome::error)?;
    let mut notes = Vec::new();
    for p in &payments {
        if let Some(note) = settle_payment(store, api, &order.number, p.id, on_wait)? {
            notes.push(note);
        }
    }
    Ok(notes)
}

fn settle_payment(
    store: &mut Store,
    api: &dyn Provide,
    number: &str,
    payment_id: i64,
    on_wait: &mut dyn FnMut(&Msg),
) -> Result<Option<Settled>, Outcome> {
    let started = Instant::now();
    let mut told = false;
    loop {
        let Some(intent) = store
            .reader()
            .unsettled_intent(payment_id)
            .map_err(Outcome::error)?
        else {
            return Ok(None);
        };
        // A request another process has just written is in its hands:
        // wait for its answer rather than race it.
        let age = (now() - intent.requested_at).to_std().unwrap_or_default();
        if intent.state == IntentState::Requested
            && intent.tries == 0
            && age < api.in_flight()
            && started.elapsed() < api.in_flight()
        {
            if !told {
                on_wait(&msg!(
                    "rfd-waiting",
                    number = number,
                    actor = intent.actor.as_str(),
                    amount = intent.amount,
                    provider = ProviderTitle(intent.provider),
                    secs = age.as_secs().to_string()
                ));
                told = true;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
            continue;
        }
        match api.configured(intent.provider) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Outcome::Unknown {
                    message: msg!(
                        "rfd-cannot-settle",
                        number = number,
                        provider = ProviderTitle(intent.provider),
                        amount = intent.amount,
                        state = intent.state,
                        var = refund::credentials_var(intent.provider)
                    ),
                });
            }
            Err(e) => return Err(Outcome::error(e)),
        }
        let call = call_of(&intent, number);
        let reply = if refund::key_alive(intent.provider, intent.requested_at, now()) {
            api.refund(&call)
        } else {
            api.lookup(&call)
        };
        let state = record_reply(store, &intent, &reply).map_err(Outcome::error)?;
        if !state.is_settled() {
            return Err(Outcome::Unknown {
                message: unknown_message(number, &intent, &reply),
            });
        }
        let earlier = msg!(
            "rfd-earlier",
            number = number,
            amount = intent.amount,
            provider = ProviderTitle(intent.provider),
            actor = intent.actor.as_str(),
            at = crate::domain::format_ts(intent.requested_at),
            state = state
        );
        let note = match &reply {
            Reply::Refund(r) => msg!("rfd-earlier-id", earlier = earlier, id = r.id.as_str()),
            Reply::Refused(why) => msg!("rfd-earlier-why", earlier = earlier, why = why.as_str()),
            Reply::NotFound => msg!("rfd-earlier-not-found", earlier = earlier),
            Reply::NoAnswer(_) => earlier,
        };
        return Ok(Some(Settled { state, note }));
    }
}

fn unknown_message(number: &str, intent: &RefundIntent, reply: &Reply) -> Msg {
    let why = match reply {
        Reply::NoAnswer(why) | Reply::Refused(why) => msg!("plain", text = why.as_str()),
        Reply::Refund(_) | Reply::NotFound => msg!("rfd-no-answer"),
    };
    msg!(
        "rfd-unknown",
        number = number,
        p = ProviderTitle(intent.provider),
        amount = intent.amount,
        why = why,
        key = intent.key.as_str()
    )
}

/// The payment a refund of `order` acts on: the one `select` names, else
/// the only one that may refund something, else the main one. Several
/// that keep money: refused, listing them.
fn choose(
    tx: &crate::store::Reader<'_>,
    order: &Order,
    select: Select<'_>,
) -> Result<Payment, Outcome> {
    let payments = tx.payments_of_order(order.id).map_err(Outcome::error)?;
    if let Select::Reference(r) = select {
        return payments
            .iter()
            .find(|p| p.reference.as_deref() == Some(r))
            .cloned()
            .ok_or_else(|| {
                Outcome::op_error(&OpError::NoSuchPayment {
                    number: order.number.clone(),
                    reference: r.to_owned(),
                    known: payments
                        .iter()
                        .filter_map(|p| p.reference.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            });
    }
    let keeping: Vec<&Payment> = payments.iter().filter(|p| p.kept() > 0).collect();
    match keeping.as_slice() {
        [one] => Ok((*one).clone()),
        [] => match tx.payment_for_order(order.id).map_err(Outcome::error)? {
            Some(p) => Ok(p),
            None => Err(Outcome::refused(msg!(
                "rfd-no-payment",
                number = order.number.as_str()
            ))),
        },
        several => Err(Outcome::refused(msg!(
            "rfd-several",
            number = order.number.as_str(),
            n = several.len(),
            list = join(
                several.iter().map(|p| msg!(
                    "rfd-keeps",
                    provider = ProviderTitle(p.provider),
                    reference = match p.reference.as_deref() {
                        Some(r) => msg!("plain", text = r),
                        None => msg!("rfd-no-reference"),
                    },
                    kept = Arg::Minor(p.kept(), p.money_currency())
                )),
                "; "
            )
        ))),
    }
}

fn refundable<'a>(api: &dyn Provide, p: &'a Payment) -> Result<Refundable<'a>, Outcome> {
    let credentials = match p.provider {
        Provider::Cash => false,
        other => api.configured(other).map_err(Outcome::error)?,
    };
    Ok(Refundable {
        provider: p.provider,
        reference: p.reference.as_deref(),
        figures: p.figures(),
        currency: p.money_currency(),
        credentials,
    })
}

fn refused(number: &str, r: &Refusal) -> Outcome {
    Outcome::refused(msg!("rfd-line", number = number, text = refusal(r)))
}

/// The refund `request` asks of order `number`, checked; nothing written.
pub fn plan(
    store: &mut Store,
    api: &dyn Provide,
    number: &str,
    request: &Request<'_>,
) -> Result<Plan, Outcome> {
    let reader = store.reader();
    let order = reader
        .order_by_number(number)
        .map_err(Outcome::error)?
        .ok_or_else(|| Outcome::op_error(&OpError::UnknownOrder(number.to_owned())))?;
    let payment = choose(&reader, &order, request.select)?;
    let currency = payment.money_currency();
    let asked = request
        .amount
        .map(|text| {
            Money::parse(text, currency).map_err(|e| Outcome::Error {
                message: msg!(
                    "rfd-bad-amount",
                    number = number,
                    text = format!("{text:?}"),
                    error = money_error(&e)
                ),
            })
        })
        .transpose()?;
    let facts = refundable(api, &payment)?;
    let amount = refund::check(number, &facts, asked).map_err(|r| refused(number, &r))?;
    plan_of(&reader, &order, &payment, amount, request)
}

fn plan_of(
    reader: &crate::store::Reader<'_>,
    order: &Order,
    payment: &Payment,
    amount: Money,
    request: &Request<'_>,
) -> Result<Plan, Outcome> {
    let currency = payment.money_currency();
    let others: i64 = reader
        .payments_of_order(order.id)
        .map_err(Outcome::error)?
        .iter()
        .filter(|p| p.id != payment.id && p.money_currency() == currency)
        .map(Payment::kept)
        .sum();
    let keeps = payment.kept() - amount.minor();
    let money = |minor: i64| Money::from_minor(minor.max(0), currency).map_err(Outcome::error);
    Ok(Plan {
        order: order.number.clone(),
        order_id: order.id,
        payment_id: payment.id,
        provider: payment.provider,
        target: payment.reference.clone().unwrap_or_default(),
        amount,
        payment_keeps: money(keeps)?,
        order_keeps: money(keeps + others)?,
        reason: request.reason.map(str::to_owned),
    })
}

/// Settles what is open, then plans: what the confirmation shows.
pub fn prepare(
    store: &mut Store,
    api: &dyn Provide,
    number: &str,
    request: &Request<'_>,
    on_wait: &mut dyn FnMut(&Msg),
) -> Result<(Plan, Notes), Outcome> {
    let notes = settle_open(store, api, number, on_wait)?;
    match plan(store, api, number, request) {
        Ok(plan) => Ok((plan, notes)),
        // The owner's earlier refund, just settled, gave everything back:
        // that is the outcome of running it again, not a refusal.
        Err(Outcome::Refused { reason })
            if request.amount.is_none()
                && notes
                    .iter()
                    .any(|s| matches!(s.state, IntentState::Succeeded | IntentState::Pending)) =>
        {
            let said = join(notes.iter().map(|s| s.note.clone()), "; ");
            Err(Outcome::Refunded {
                summary: msg!("rfd-settled-summary", notes = said, reason = reason),
            })
        }
        Err(o) => Err(o),
    }
}

/// Why an intent could not be written.
enum NotWritten {
    /// Another intent of the payment is open: settle it first.
    Busy,
    Refused(Outcome),
}

/// Writes the intent of `plan` (re-checked against the payment as it is
/// now), in a transaction of its own.
fn write_intent(
    store: &mut Store,
    api: &dyn Provide,
    plan: &Plan,
    actor: &str,
) -> Result<RefundIntent, NotWritten> {
    let at = now();
    let written = store.write(|tx| -> Result<Result<RefundIntent, NotWritten>, OpError> {
        if tx.unsettled_intent(plan.payment_id)?.is_some() {
            return Ok(Err(NotWritten::Busy));
        }
        let Some(order) = tx.order_by_id(plan.order_id)? else {
            return Err(OpError::UnknownOrder(plan.order.clone()));
        };
        let Some(payment) = tx
            .payments_of_order(order.id)?
            .into_iter()
            .find(|p| p.id == plan.payment_id)
        else {
            return Ok(Err(NotWritten::Refused(Outcome::refused(msg!(
                "rfd-payment-gone",
                number = plan.order.as_str()
            )))));
        };
        let facts = match refundable(api, &payment) {
            Ok(f) => f,
            Err(o) => return Ok(Err(NotWritten::Refused(o))),
        };
        if let Err(r) = refund::check(&plan.order, &facts, Some(plan.amount)) {
            return Ok(Err(NotWritten::Refused(refused(&plan.order, &r))));
        }
        let key = new_key();
        let intent = tx.insert_refund_intent(&NewIntent {
            order_id: order.id,
            payment_id: payment.id,
            provider: payment.provider,
            target: &plan.target,
            amount: plan.amount,
            reason: plan.reason.as_deref(),
            key: &key,
            actor,
            now: at,
        })?;
        let entry = AuditEntry::new(AuditEvent::RefundRequested, actor, at)
            .with_order(&order.number)
            .with_payment_status(Some(payment.status), Some(payment.status))
            .with_details(json!({
                "intent": intent.key,
                "provider": payment.provider.as_str(),
                "payment": payment.reference,
                "amount": plan.amount.to_string(),
                "reason": plan.reason,
            }));
        tx.insert_audit(Some(order.id), Some(payment.id), &entry)?;
        Ok(Ok(intent))
    });
    match written {
        Ok(r) => r,
        Err(e) => Err(NotWritten::Refused(Outcome::op_error(&e))),
    }
}

/// Asks the provider for the refund `plan` describes, exactly once.
pub fn execute(
    store: &mut Store,
    api: &dyn Provide,
    plan: &Plan,
    actor: &str,
    on_wait: &mut dyn FnMut(&Msg),
) -> Outcome {
    let mut intent = None;
    for _ in 0..3 {
        match write_intent(store, api, plan, actor) {
            Ok(i) => {
                intent = Some(i);
                break;
            }
            Err(NotWritten::Refused(o)) => return o,
            Err(NotWritten::Busy) => {
                if let Err(o) = settle_open(store, api, &plan.order, on_wait) {
                    return o;
                }
            }
        }
    }
    let Some(intent) = intent else {
        return Outcome::refused(msg!("rfd-keep-starting", number = plan.order.as_str()));
    };
    let reply = api.refund(&call_of(&intent, &plan.order));
    let state = match record_reply(store, &intent, &reply) {
        Ok(s) => s,
        Err(e) => {
            return Outcome::Unknown {
                message: msg!(
                    "rfd-unrecorded",
                    number = plan.order.as_str(),
                    provider = ProviderTitle(plan.provider),
                    error = e.msg()
                ),
            };
        }
    };
    describe(plan, &intent, state, &reply)
}

fn describe(plan: &Plan, intent: &RefundIntent, state: IntentState, reply: &Reply) -> Outcome {
    let p = ProviderTitle(plan.provider);
    let id = match reply {
        Reply::Refund(r) => r.id.as_str(),
        Reply::Refused(_) | Reply::NoAnswer(_) | Reply::NotFound => "",
    };
    match state {
        IntentState::Succeeded => Outcome::Refunded {
            summary: msg!(
                "rfd-refunded",
                amount = plan.amount,
                p = p,
                id = id,
                keeps = plan.order_keeps
            ),
        },
        IntentState::Pending => Outcome::Refunded {
            summary: msg!("rfd-pending", amount = plan.amount, p = p, id = id),
        },
        IntentState::Failed => Outcome::refused(msg!(
            "rfd-failed",
            number = plan.order.as_str(),
            p = p,
            id = id,
            amount = plan.amount
        )),
        IntentState::Refused => Outcome::refused(msg!(
            "rfd-refused-by",
            number = plan.order.as_str(),
            p = p,
            amount = plan.amount,
            why = match reply {
                Reply::Refused(why) => msg!("plain", text = why.as_str()),
                Reply::Refund(_) | Reply::NoAnswer(_) | Reply::NotFound => msg!("rfd-no-reason"),
            }
        )),
        IntentState::Requested | IntentState::Unknown => Outcome::Unknown {
            message: unknown_message(&plan.order, intent, reply),
        },
    }
}

/// Records one reply to intent `intent`, in a transaction of its own: the
/// intent's new state, and a refund the provider reports as the payment's
/// `refund` movement (its status following the figures, as a provider
/// event's would). Returns the intent's new state.
pub fn record_reply(
    store: &mut Store,
    intent: &RefundIntent,
    reply: &Reply,
) -> Result<IntentState, OpError> {
    let at = now();
    store.write(|tx| {
        let Some(current) = tx.refund_intent(intent.id)? else {
            return Err(OpError::Refused(msg!(
                "rfd-intent-gone",
                key = intent.key.as_str()
            )));
        };
        tx.count_refund_try(current.id, at)?;
        let state = refund::next(current.state, &reply.answer());
        let (refund_id, error) = match reply {
            Reply::Refund(r) => (Some(r.id.as_str()), None),
            Reply::Refused(why) | Reply::NoAnswer(why) => (None, Some(why.as_str())),
            Reply::NotFound => (None, Some("the provider has no refund of this intent")),
        };
        tx.settle_refund_intent(current.id, state, refund_id, error, at)?;
        let Some(order) = tx.order_by_id(current.order_id)? else {
            return Err(OpError::Refused(msg!("rfd-intent-order-gone")));
        };
        if let Reply::Refund(r) = reply {
            record_refund_movement(tx, &order, &current, r, at)?;
        }
        if state != current.state {
            let entry = AuditEntry::new(AuditEvent::RefundSettled, &current.actor, at)
                .with_order(&order.number)
                .with_details(json!({
                    "intent": current.key,
                    "state": state.as_str(),
                    "was": current.state.as_str(),
                    "provider": current.provider.as_str(),
                    "refund_id": refund_id,
                    "amount": current.amount.to_string(),
                    "error": error,
                }));
            tx.insert_audit(Some(order.id), Some(current.payment_id), &entry)?;
        }
        Ok(state)
    })
}

/// The provider's refund as the payment's `refund` movement, and the
/// payment's status as its figures now say (through the Payment → Order
/// operation, as a provider event would).
fn record_refund_movement(
    tx: &Writer<'_>,
    order: &Order,
    intent: &RefundIntent,
    r: &crate::providers::issued::IssuedRefund,
    at: Timestamp,
) -> Result<(), OpError> {
    let Some(payment) = tx
        .payments_of_order(order.id)?
        .into_iter()
        .find(|p| p.id == intent.payment_id)
    else {
        return Err(OpError::Refused(msg!("rfd-intent-payment-gone")));
    };
    let amount = r
        .amount
        .filter(|a| a.currency() == intent.amount.currency())
        .unwrap_or(intent.amount);
    let movement = Movement::new(Flow::Refund(r.state), amount, r.at.unwrap_or(at)).with_id(&r.id);
    let mut updated = payment.clone();
    let (figures, added) =
        tx.add_movements(&mut updated, &[movement], MovementSource::Provider, at)?;
    if added == 0 {
        return Ok(());
    }
    updated.updated_at = at;
    tx.update_payment_state(&updated)?;
    let status = match transition::next(
        payment.status,
        payment.status_source,
        Signal::Money,
        &figures,
        EventAge::Current,
    ) {
        Transition::Apply(s) => s,
        Transition::Stale(_) => payment.status,
    };
    if status != payment.status || order.payment_status != status.to_order() {
        let change = Change {
            actor: &intent.actor,
            event: AuditEvent::StatusSynchronized,
            now: at,
            source: StatusSource::Provider,
            details: json!({"refund_id": r.id, "intent": intent.key, "refund_state": r.state.as_str()}),
        };
        ops::sync_from_payment(tx, order.clone(), updated, status, &change)?;
    }
    Ok(())
}
