//! The cancel guard: before an order whose main payment is pending in tally
//! is cancelled, ask its provider whether it was paid meanwhile (the
//! classic way shops cancel paid orders: the customer paid a minute ago
//! and the webhook is late or lost).
//!
//! | the provider says | the guard |
//! |---|---|
//! | paid (a PaymentIntent `succeeded`, a capture or sale `COMPLETED`, a checkout session paid) | records it as a provider fact (the payment is brought up to date) and refuses the cancel, saying how to cancel and refund |
//! | in progress (`processing`, a `PENDING` capture) | refuses: the money may be moving |
//! | still cancellable (a PaymentIntent not yet succeeded, an open checkout session) | cancels it there (`POST /v1/payment_intents/{id}/cancel`, `.../expire`), so that no capture can follow, then lets the cancel go on |
//! | failed, cancelled, expired, nothing found | lets the cancel go on |
//! | no answer | refuses, unless `--offline` |
//!
//! A provider without API credentials cannot be asked: the cancel goes on
//! as before, and the note says it was not checked. Stripe is asked by the
//! payment's PaymentIntent, else by a search on `metadata['order_id']`;
//! Wave by the checkout session, else by `client_reference`; PayPal by the
//! capture or sale (it has no search by order). No transaction is held
//! while a provider is asked; each fact is applied through the webhook path
//! in a transaction of its own.

use std::time::Instant;

use chrono::Utc;
use serde_json::Value;

use super::Apis;
use crate::domain::{LogSource, PaymentStatus, Provider, SignatureCheck};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Msg, msg};
use crate::ingest::apply::{self, Delivery, Processing};
use crate::ops::OpError;
use crate::providers::api::ApiError;
use crate::providers::paypal::api::resource_fact;
use crate::providers::stripe::api::intent_fact;
use crate::providers::wave::api::{SessionState, session_fact, session_state};
use crate::store::Store;

/// What the guard decided for one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on with the cancel; `notes` say what was checked or done at the
    /// provider.
    Proceed { notes: Vec<Msg> },
    /// Do not cancel, for this reason (the payment may have been brought up
    /// to date).
    Refuse { reason: Msg },
}

fn unreachable(number: &str, provider: Provider, e: &ApiError) -> Verdict {
    Verdict::Refuse {
        reason: msg!(
            "grd-unreachable",
            number = number,
            p = ProviderTitle(provider),
            error = e.msg()
        ),
    }
}

fn paid(number: &str, provider: Provider, what: &str, applied: Option<Msg>) -> Verdict {
    Verdict::Refuse {
        reason: msg!(
            "grd-paid",
            number = number,
            p = ProviderTitle(provider),
            what = what,
            applied = applied.unwrap_or_else(|| msg!("plain", text = ""))
        ),
    }
}

fn moving(number: &str, provider: Provider, what: &str) -> Verdict {
    Verdict::Refuse {
        reason: msg!(
            "grd-moving",
            number = number,
            p = ProviderTitle(provider),
            what = what
        ),
    }
}

/// Applies a provider fact (an event body) through the webhook path, as
/// `tally sync` does; says what it did (the ingest's own words).
fn apply_fact(store: &mut Store, provider: Provider, path: &str, body: &Value) -> Msg {
    let delivery = Delivery {
        received_at: Utc::now(),
        started: Instant::now(),
        path,
        remote_addr: None,
        signature: SignatureCheck::NotChecked,
        requested_by: None,
        source: LogSource::Sync,
    };
    match apply::process(
        store,
        provider,
        body.to_string().as_bytes(),
        &delivery,
        None,
    ) {
        Processing::Done(p) => msg!("plain", text = p.detail),
        Processing::Malformed(e) => msg!("grd-not-recorded", error = e.to_string()),
        Processing::Failed { error, .. } => msg!("grd-not-recorded", error = error.to_string()),
    }
}

/// Asks the provider about order `number`'s pending payment before a cancel.
pub fn check(
    store: &mut Store,
    apis: &Apis,
    number: &str,
    offline: bool,
) -> Result<Verdict, OpError> {
    let reader = store.reader();
    let order = reader
        .order_by_number(number)?
        .ok_or_else(|| OpError::UnknownOrder(number.to_owned()))?;
    let payment = reader.payment_for_order(order.id)?;
    let Some(payment) = payment.filter(|p| p.status == PaymentStatus::Pending) else {
        return Ok(Verdict::Proceed { notes: Vec::new() });
    };
    if order.status == crate::domain::OrderStatus::Cancelled {
        return Ok(Verdict::Proceed { notes: Vec::new() });
    }
    let provider = payment.provider;
    if offline && provider != Provider::Cash {
        return Ok(Verdict::Proceed {
            notes: vec![msg!(
                "grd-offline",
                number = number,
                p = ProviderTitle(provider)
            )],
        });
    }
    let not_configured = |var: &str| Verdict::Proceed {
        notes: vec![msg!(
            "grd-not-configured",
            number = number,
            p = ProviderTitle(provider),
            var = var
        )],
    };
    let reference = payment.reference.clone();
    Ok(match provider {
        Provider::Cash => Verdict::Proceed { notes: Vec::new() },
        Provider::Stripe => match apis.stripe() {
            None => not_configured("STRIPE_API_KEY"),
            Some(_) => stripe(store, apis, number, reference.as_deref()),
        },
        Provider::Paypal => match apis.paypal() {
            None => not_configured("PAYPAL_CLIENT_ID"),
            Some(_) => paypal(store, apis, number, reference.as_deref()),
        },
        Provider::Wave => match apis.wave() {
            None => not_configured("WAVE_API_KEY"),
            Some(_) => wave(store, apis, number, reference.as_deref()),
        },
    })
}

fn status_of(v: &Value) -> &str {
    v.get("status").and_then(Value::as_str).unwrap_or_default()
}

fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn stripe(store: &mut Store, apis: &Apis, number: &str, reference: Option<&str>) -> Verdict {
    let Some(api) = apis.stripe() else {
        return Verdict::Proceed { notes: Vec::new() };
    };
    let found = match reference.filter(|r| r.starts_with("pi_")) {
        Some(r) => api
            .payment_intent(r)
            .map(|pi| pi.into_iter().collect::<Vec<_>>()),
        None => Ok(Vec::new()),
    };
    let intents = match found {
        Ok(list) if !list.is_empty() => list,
        Ok(_) => match api.payment_intents_of_order(number) {
            Ok(list) => list,
            Err(e) => return unreachable(number, Provider::Stripe, &e),
        },
        Err(e) => return unreachable(number, Provider::Stripe, &e),
    };
    let now = Utc::now().timestamp();
    let path = "/v1/payment_intents";
    if let Some(pi) = intents.iter().find(|pi| status_of(pi) == "succeeded") {
        let applied =
            intent_fact(pi, now).map(|fact| apply_fact(store, Provider::Stripe, path, &fact));
        return paid(number, Provider::Stripe, id_of(pi), applied);
    }
    if let Some(pi) = intents.iter().find(|pi| status_of(pi) == "processing") {
        return moving(number, Provider::Stripe, id_of(pi));
    }
    let mut notes = Vec::new();
    for pi in &intents {
        let id = id_of(pi);
        if status_of(pi) == "canceled" {
            if let Some(fact) = intent_fact(pi, now) {
                apply_fact(store, Provider::Stripe, path, &fact);
            }
            continue;
        }
        match api.cancel_payment_intent(id) {
            Ok(cancelled) => {
                if let Some(fact) = intent_fact(&cancelled, now) {
                    apply_fact(store, Provider::Stripe, path, &fact);
                }
                notes.push(msg!("grd-pi-cancelled", number = number, id = id));
            }
            // Stripe refuses to cancel a PaymentIntent that succeeded or
            // is processing: it may have just done so. Ask again.
            Err(e) if e.status() == Some(400) => match api.payment_intent(id) {
                Ok(Some(now_pi)) if status_of(&now_pi) == "succeeded" => {
                    let applied = intent_fact(&now_pi, Utc::now().timestamp())
                        .map(|fact| apply_fact(store, Provider::Stripe, path, &fact));
                    return paid(number, Provider::Stripe, id, applied);
                }
                Ok(Some(now_pi)) if status_of(&now_pi) == "processing" => {
                    return moving(number, Provider::Stripe, id);
                }
                Ok(_) => {
                    return Verdict::Refuse {
                        reason: msg!(
                            "grd-stripe-would-not",
                            number = number,
                            id = id,
                            error = e.msg()
                        ),
                    };
                }
                Err(e) => return unreachable(number, Provider::Stripe, &e),
            },
            Err(e) => return unreachable(number, Provider::Stripe, &e),
        }
    }
    Verdict::Proceed { notes }
}

fn paypal(store: &mut Store, apis: &Apis, number: &str, reference: Option<&str>) -> Verdict {
    let Some(api) = apis.paypal() else {
        return Verdict::Proceed { notes: Vec::new() };
    };
    let Some(reference) = reference else {
        return Verdict::Proceed {
            notes: vec![msg!("grd-paypal-no-capture", number = number)],
        };
    };
    let found = match api.capture(reference) {
        Ok(Some(c)) => Ok(Some((c, false))),
        Ok(None) => api.sale(reference).map(|s| s.map(|s| (s, true))),
        Err(e) => Err(e),
    };
    let (resource, sale) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Verdict::Proceed {
                notes: vec![msg!(
                    "grd-paypal-unknown",
                    number = number,
                    reference = reference
                )],
            };
        }
        Err(e) => return unreachable(number, Provider::Paypal, &e),
    };
    let status = resource
        .get("status")
        .or_else(|| resource.get("state"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let fact = resource_fact(&resource, sale, Utc::now());
    let path = if sale {
        "/v1/payments/sale"
    } else {
        "/v2/payments/captures"
    };
    match status.as_str() {
        "COMPLETED" | "PARTIALLY_REFUNDED" | "REFUNDED" => {
            let applied = fact.map(|f| apply_fact(store, Provider::Paypal, path, &f));
            paid(number, Provider::Paypal, reference, applied)
        }
        "DECLINED" | "FAILED" | "DENIED" | "VOIDED" => {
            if let Some(f) = fact {
                apply_fact(store, Provider::Paypal, path, &f);
            }
            Verdict::Proceed { notes: Vec::new() }
        }
        // PENDING, and anything PayPal adds: the money may be moving.
        _ => moving(number, Provider::Paypal, reference),
    }
}

fn wave(store: &mut Store, apis: &Apis, number: &str, reference: Option<&str>) -> Verdict {
    let Some(api) = apis.wave() else {
        return Verdict::Proceed { notes: Vec::new() };
    };
    let found = match reference.filter(|r| r.starts_with("cos-")) {
        Some(r) => api.session(r).map(|s| s.into_iter().collect::<Vec<_>>()),
        None => api.sessions_of_order(number),
    };
    let sessions = match found {
        Ok(list) => list,
        Err(e) => return unreachable(number, Provider::Wave, &e),
    };
    if let Some(s) = sessions
        .iter()
        .find(|s| session_state(s) == SessionState::Paid)
    {
        // What Wave says, applied through the webhook path as `tally sync`
        // does: the capture is recorded once, whoever records it first.
        let applied = session_fact(s)
            .map(|fact| apply_fact(store, Provider::Wave, "/v1/checkout/sessions", &fact));
        return paid(number, Provider::Wave, id_of(s), applied);
    }
    if let Some(s) = sessions
        .iter()
        .find(|s| session_state(s) == SessionState::Processing)
    {
        return moving(number, Provider::Wave, id_of(s));
    }
    let mut notes = Vec::new();
    for s in sessions
        .iter()
        .filter(|s| session_state(s) == SessionState::Open)
    {
        let id = id_of(s);
        match api.expire_session(id) {
            Ok(()) => notes.push(msg!("grd-wave-expired", number = number, id = id)),
            Err(e) => return unreachable(number, Provider::Wave, &e),
        }
    }
    Verdict::Proceed { notes }
}
