//! PayPal's refund calls (`tally refund`), built on [`PaypalApi`].
//!
//! - **`POST /v2/payments/captures/{id}/refund`** for a v2 capture; a 404
//!   there (the id is a v1 sale's, which looks the same) sends
//!   **`POST /v1/payments/sale/{id}/refund`** instead. Both carry the
//!   intent's key as `PayPal-Request-Id`: "when you include a previously
//!   specified PayPal-Request-Id header in a request, PayPal returns the
//!   latest status of the previous request" (paypal-api.md §3; kept 45 days
//!   for v2, 30 for v1). The amount is always explicit; the key is also the
//!   refund's `custom_id` (v2) or `invoice_number` (v1), for a lookup.
//! - **Lookup** (a key PayPal may have forgotten): the capture's order
//!   (its `up` link), whose `payments.refunds` are each read for the
//!   intent's `custom_id`. A v1 sale has no such lookup here: the owner is
//!   told to look in PayPal.

use serde_json::{Value, json};

use super::api::{PaypalApi, encode};
use super::parse::refund_state;
use crate::domain::{Currency, Money, Timestamp, parse_ts};
use crate::providers::api::{ApiError, Body, Extra};
use crate::providers::issued::IssuedRefund;

/// One refund request, exactly as every try sends it.
#[derive(Debug, Clone, Copy)]
pub struct RefundCall<'a> {
    /// The capture (v2) or sale (v1) id.
    pub capture: &'a str,
    pub amount: Money,
    /// Shown to the payer (`note_to_payer`, v1 `description`).
    pub note: Option<&'a str>,
    pub key: &'a str,
}

impl PaypalApi {
    /// Refunds a capture (v2), or a sale (v1) when no capture has that id.
    pub fn refund_capture(&self, r: &RefundCall<'_>) -> Result<IssuedRefund, ApiError> {
        let headers = [
            ("PayPal-Request-Id", r.key),
            ("Prefer", "return=representation"),
        ];
        let extra = Extra {
            headers: &headers,
            retry_conflict: false,
        };
        let call = "refund captured payment";
        let mut body = json!({
            "amount": {"value": r.amount.decimal(), "currency_code": r.amount.currency().code()},
            "custom_id": r.key,
        });
        if let Some(note) = r.note {
            body["note_to_payer"] = json!(note);
        }
        let url = self.api().url(
            &format!("v2/payments/captures/{}/refund", encode(r.capture)),
            &[],
        )?;
        match self.call_authorised(call, &url, Body::Json(&body), extra) {
            Ok(v) => refund_of(&v).map_err(|why| self.api().malformed(call, why)),
            Err(e) if e.status() == Some(404) => self.refund_sale(r, extra),
            Err(e) => Err(e),
        }
    }

    fn refund_sale(&self, r: &RefundCall<'_>, extra: Extra<'_>) -> Result<IssuedRefund, ApiError> {
        let call = "refund sale";
        let mut body = json!({
            "amount": {"total": r.amount.decimal(), "currency": r.amount.currency().code()},
            "invoice_number": r.key,
        });
        if let Some(note) = r.note {
            body["description"] = json!(note);
        }
        let url = self.api().url(
            &format!("v1/payments/sale/{}/refund", encode(r.capture)),
            &[],
        )?;
        let v = self.call_authorised(call, &url, Body::Json(&body), extra)?;
        refund_of(&v).map_err(|why| self.api().malformed(call, why))
    }

    /// The refund of `capture` that intent `key` made, if any. `Err` with
    /// a clear message when PayPal offers no way to tell (a v1 sale).
    pub fn find_refund(&self, capture: &str, key: &str) -> Result<Option<IssuedRefund>, ApiError> {
        let call = "look up the capture's refunds";
        let Some(cap) = self.capture(capture)? else {
            return Err(self.api().malformed(
                call,
                format!(
                    "{capture} is not a v2 capture; a v1 sale's refunds cannot be looked up here: look for the refund in PayPal"
                ),
            ));
        };
        let up = cap
            .get("links")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|l| l.get("rel").and_then(Value::as_str) == Some("up"))
            .and_then(|l| l.get("href").and_then(Value::as_str))
            .ok_or_else(|| {
                self.api()
                    .malformed(call, "the capture has no link to its order")
            })?;
        let base = self.api().url("", &[])?;
        let order_url = base
            .join(up)
            .map_err(|e| self.api().malformed(call, format!("bad order link: {e}")))?;
        if !self.api().same_origin(&order_url) {
            return Err(self
                .api()
                .malformed(call, "the order link points to another host"));
        }
        let order = self.call_authorised(call, &order_url, Body::Get, Extra::default())?;
        let refunds = order
            .get("purchase_units")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|u| u.get("payments")?.get("refunds")?.as_array())
            .flatten();
        for r in refunds {
            let ours = r.get("custom_id").and_then(Value::as_str) == Some(key);
            if ours {
                return refund_of(r)
                    .map(Some)
                    .map_err(|why| self.api().malformed(call, why));
            }
        }
        Ok(None)
    }
}

/// A PayPal refund (v2 `status`, v1 `state`) as an [`IssuedRefund`].
pub fn refund_of(v: &Value) -> Result<IssuedRefund, String> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("the refund has no id")?;
    let status = v
        .get("status")
        .or_else(|| v.get("state"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("refund {id} has no status"))?;
    let amount = v.get("amount").filter(|a| a.is_object());
    let value = amount.and_then(|a| a.get("value").or_else(|| a.get("total")));
    let code = amount.and_then(|a| a.get("currency_code").or_else(|| a.get("currency")));
    let amount = match (value.and_then(Value::as_str), code.and_then(Value::as_str)) {
        (Some(value), Some(code)) => {
            let c = Currency::parse(code).map_err(|e| format!("refund {id}: {e}"))?;
            Some(Money::parse(value, c).map_err(|e| format!("refund {id}: {e}"))?)
        }
        _ => None,
    };
    let at: Option<Timestamp> = v
        .get("create_time")
        .and_then(Value::as_str)
        .and_then(|t| parse_ts(t).ok());
    Ok(IssuedRefund {
        id: id.to_owned(),
        state: refund_state(Some(status)),
        amount,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RefundState;

    #[test]
    fn v2_and_v1_refunds_read_the_same() {
        let v2 = refund_of(&json!({"id": "1JU08902781691411", "status": "COMPLETED",
            "amount": {"value": "10.99", "currency_code": "EUR"},
            "create_time": "2026-11-21T12:00:00Z"}))
        .unwrap();
        assert_eq!(v2.state, RefundState::Succeeded);
        assert_eq!(v2.amount.unwrap().to_string(), "10.99 EUR");
        assert!(v2.at.is_some());
        let v1 = refund_of(&json!({"id": "4CF18861HF410323U", "state": "pending",
            "amount": {"total": "2.34", "currency": "EUR"}}))
        .unwrap();
        assert_eq!(v1.state, RefundState::Pending);
        assert_eq!(v1.amount.unwrap().minor(), 234);
        assert!(refund_of(&json!({"id": "X"})).is_err());
    }
}
