//! Stripe's API calls that move money back or stop it from moving:
//! refunds (`tally refund`) and the cancel guard's PaymentIntent search and
//! cancel. Built on [`StripeApi`] (timeouts, retries honouring
//! `Retry-After` and `Stripe-Should-Retry`).
//!
//! - **`POST /v1/refunds`** for the payment's PaymentIntent, always with an
//!   explicit amount and an `Idempotency-Key`: every try of one request
//!   (the client's retries, and the owner's retry of an intent left
//!   unknown) sends the same key and the same parameters, so Stripe returns
//!   the first result instead of refunding again (stripe-api.md §3.1).
//!   A 409 (the same key still running) is retried, as Stripe's own client
//!   does. The metadata names the order (`order_id`), the intent
//!   (`tally_intent`, its key) and the actor (`tally_actor`).
//! - **`GET /v1/refunds?payment_intent=…`**: the lookup of an intent whose
//!   key Stripe may have forgotten (older than 24 h), by `tally_intent`.
//! - **`GET /v1/payment_intents/search`** by `metadata['order_id']` and
//!   **`POST /v1/payment_intents/{id}/cancel`**: the cancel guard.

use chrono::DateTime;
use serde_json::Value;

use super::api::{StripeApi, encode};
use super::parse::refund_state;
use crate::domain::{Currency, Money};
use crate::providers::api::{ApiError, Body, Extra};
use crate::providers::issued::IssuedRefund;

/// The reasons Stripe's `reason` takes; any other text goes into the
/// metadata only.
const STRIPE_REASONS: &[&str] = &["duplicate", "fraudulent", "requested_by_customer"];

/// The most refunds of one PaymentIntent read by a lookup.
const MAX_PAGES: usize = 20;

/// One refund request, exactly as every try sends it.
#[derive(Debug, Clone, Copy)]
pub struct RefundCall<'a> {
    pub payment_intent: &'a str,
    pub amount: Money,
    pub reason: Option<&'a str>,
    /// The intent's idempotency key, also its id in the metadata.
    pub key: &'a str,
    pub order: &'a str,
    pub actor: &'a str,
}

impl StripeApi {
    /// `POST /v1/refunds`: the refund Stripe made (or already made for this
    /// key).
    pub fn create_refund(&self, r: &RefundCall<'_>) -> Result<IssuedRefund, ApiError> {
        let call = "create refund";
        let amount = r.amount.minor().to_string();
        let mut form: Vec<(&str, &str)> = vec![
            ("payment_intent", r.payment_intent),
            ("amount", &amount),
            ("metadata[order_id]", r.order),
            ("metadata[tally_intent]", r.key),
            ("metadata[tally_actor]", r.actor),
        ];
        if let Some(reason) = r.reason {
            if STRIPE_REASONS.contains(&reason) {
                form.push(("reason", reason));
            }
            form.push(("metadata[tally_reason]", reason));
        }
        let url = self.api().url("v1/refunds", &[])?;
        let extra = Extra {
            headers: &[("Idempotency-Key", r.key)],
            retry_conflict: true,
        };
        let v = self
            .api()
            .call_with(call, &url, self.bearer(), Body::Form(&form), extra)?;
        refund_of(&v).map_err(|why| self.api().malformed(call, why))
    }

    /// The refund of `payment_intent` that intent `key` made, if any
    /// (`GET /v1/refunds?payment_intent=…`, every page).
    pub fn find_refund(
        &self,
        payment_intent: &str,
        key: &str,
    ) -> Result<Option<IssuedRefund>, ApiError> {
        let call = "list refunds";
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                ("payment_intent", payment_intent.to_owned()),
                ("limit", "100".to_owned()),
            ];
            if let Some(c) = &cursor {
                query.push(("starting_after", c.clone()));
            }
            let url = self.api().url("v1/refunds", &query)?;
            let page = self.api().call(call, &url, self.bearer(), Body::Get)?;
            let data = page
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.api().malformed(call, "the page has no data list"))?;
            for r in data {
                let ours = r
                    .get("metadata")
                    .and_then(|m| m.get("tally_intent"))
                    .and_then(Value::as_str)
                    == Some(key);
                if ours {
                    return refund_of(r)
                        .map(Some)
                        .map_err(|why| self.api().malformed(call, why));
                }
            }
            let more = page.get("has_more").and_then(Value::as_bool) == Some(true);
            let last = data
                .last()
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str);
            match last {
                Some(id) if more && cursor.as_deref() != Some(id) => cursor = Some(id.to_owned()),
                _ => return Ok(None),
            }
        }
        Err(self
            .api()
            .malformed(call, "more refunds than a PaymentIntent can have"))
    }

    /// `GET /v1/payment_intents/search` by `metadata['order_id']`: every
    /// PaymentIntent the shop made for `order`.
    pub fn payment_intents_of_order(&self, order: &str) -> Result<Vec<Value>, ApiError> {
        let call = "search PaymentIntents";
        // Stripe's search query language quotes with ' and escapes with \.
        let quoted = order.replace('\\', "\\\\").replace('\'', "\\'");
        let query = format!("metadata['order_id']:'{quoted}'");
        let url = self.api().url(
            "v1/payment_intents/search",
            &[("query", query), ("limit", "100".to_owned())],
        )?;
        let page = self.api().call(call, &url, self.bearer(), Body::Get)?;
        let data = page
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| self.api().malformed(call, "the answer has no data list"))?;
        if data
            .iter()
            .any(|pi| pi.get("id").and_then(Value::as_str).is_none())
        {
            return Err(self.api().malformed(call, "a PaymentIntent has no id"));
        }
        Ok(data.clone())
    }

    /// `POST /v1/payment_intents/{id}/cancel`: the PaymentIntent, cancelled.
    /// Stripe refuses (400) a PaymentIntent that succeeded or is processing.
    pub fn cancel_payment_intent(&self, id: &str) -> Result<Value, ApiError> {
        let call = "cancel PaymentIntent";
        let url = self
            .api()
            .url(&format!("v1/payment_intents/{}/cancel", encode(id)), &[])?;
        let v = self
            .api()
            .call(call, &url, self.bearer(), Body::Form(&[]))?;
        if v.get("status").and_then(Value::as_str).is_none() {
            return Err(self
                .api()
                .malformed(call, "the PaymentIntent has no status"));
        }
        Ok(v)
    }
}

/// A Stripe refund object as an [`IssuedRefund`].
pub fn refund_of(v: &Value) -> Result<IssuedRefund, String> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("the refund has no id")?;
    let currency = v
        .get("currency")
        .and_then(Value::as_str)
        .map(Currency::parse)
        .transpose()
        .map_err(|e| format!("refund {id}: {e}"))?;
    let amount = match (v.get("amount").and_then(Value::as_i64), currency) {
        (Some(minor), Some(c)) => {
            Some(Money::from_minor(minor, c).map_err(|e| format!("refund {id}: {e}"))?)
        }
        _ => None,
    };
    Ok(IssuedRefund {
        id: id.to_owned(),
        state: refund_state(v.get("status").and_then(Value::as_str)),
        amount,
        at: v
            .get("created")
            .and_then(Value::as_i64)
            .and_then(|s| DateTime::from_timestamp(s, 0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RefundState;
    use serde_json::json;

    #[test]
    fn a_refund_object_reads_its_id_state_amount_and_time() {
        let r = refund_of(&json!({"id": "re_1", "object": "refund", "amount": 8990,
            "currency": "eur", "status": "succeeded", "created": 1_700_000_000}))
        .unwrap();
        assert_eq!(r.id, "re_1");
        assert_eq!(r.state, RefundState::Succeeded);
        assert_eq!(r.amount.unwrap().to_string(), "89.90 EUR");
        assert_eq!(r.at.unwrap().timestamp(), 1_700_000_000);
        let pending = refund_of(&json!({"id": "re_2", "status": "requires_action"})).unwrap();
        assert_eq!(
            (pending.state, pending.amount),
            (RefundState::Pending, None)
        );
        assert!(refund_of(&json!({"status": "succeeded"})).is_err());
    }
}
