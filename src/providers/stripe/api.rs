//! Stripe's API, as far as `tally sync` and `tally doctor` use it: reading
//! events and PaymentIntents. Read-only; built on [`crate::providers::api`]
//! (timeouts, retries honouring `Retry-After` and `Stripe-Should-Retry`,
//! errors naming the call and Stripe's own message).
//!
//! Events are listed with `created[gte]` and every page fetched through
//! `starting_after`. Stripe documents newest-first order; a test server
//! (localstripe) lists oldest first: the caller sorts, so both work. A page
//! that does not look like Stripe's list envelope, a cursor that does not
//! move, or an event without id, type or time is an error, never a silent
//! stop.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use crate::domain::Provider;
use crate::providers::api::{Api, ApiError, Auth, Body};
use crate::providers::credentials::StripeKey;

/// Stripe's API host.
pub const DEFAULT_BASE: &str = "https://api.stripe.com";

/// The most events a page may hold.
const PAGE: usize = 100;

/// Stripe's API with one key.
pub struct StripeApi {
    api: Api,
    key: StripeKey,
}

impl StripeApi {
    pub fn new(base: &str, key: StripeKey, timeout: Duration) -> Result<StripeApi, ApiError> {
        let mut api = Api::new(Provider::Stripe, base, timeout)?;
        api.hide(key.expose());
        Ok(StripeApi { api, key })
    }

    /// The shared client (its call count, its host).
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Replaces the retry policy (tests).
    pub fn with_retry(mut self, retry: crate::providers::api::Retry) -> StripeApi {
        self.api = self.api.with_retry(retry);
        self
    }

    /// The key, as the `Authorization` of a call (the refund calls).
    pub(super) fn bearer(&self) -> Auth<'_> {
        Auth::Bearer(self.key.expose())
    }

    fn get(&self, call: &str, path: &str, query: &[(&str, String)]) -> Result<Value, ApiError> {
        let url = self.api.url(path, query)?;
        self.api
            .call(call, &url, Auth::Bearer(self.key.expose()), Body::Get)
    }

    /// One cheap authenticated call with the scope sync needs: the newest
    /// event.
    pub fn probe(&self) -> Result<(), ApiError> {
        self.get("list events", "v1/events", &[("limit", "1".to_owned())])
            .map(drop)
    }

    /// Every event of `types` created at or after `since` (Unix seconds),
    /// in the order the pages gave them. `on_page` hears the running count.
    pub fn events_since(
        &self,
        since: i64,
        types: &[&str],
        mut on_page: impl FnMut(usize),
    ) -> Result<Vec<Value>, ApiError> {
        let call = "list events";
        let mut events: Vec<Value> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![
                ("created[gte]", since.to_string()),
                ("limit", PAGE.to_string()),
            ];
            for t in types {
                query.push(("types[]", (*t).to_owned()));
            }
            if let Some(c) = &cursor {
                query.push(("starting_after", c.clone()));
            }
            let page = self.get(call, "v1/events", &query)?;
            let data = page
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.api.malformed(call, "the page has no data list"))?;
            let has_more = page
                .get("has_more")
                .and_then(Value::as_bool)
                .ok_or_else(|| self.api.malformed(call, "the page has no has_more"))?;
            let mut last = None;
            for event in data {
                let id = check_event(event).map_err(|why| self.api.malformed(call, why))?;
                last = Some(id.to_owned());
                // A page boundary that shifted (a new event listed meanwhile)
                // may show an event twice: it is one event.
                if seen.insert(id.to_owned()) {
                    events.push(event.clone());
                }
            }
            on_page(events.len());
            if !has_more {
                return Ok(events);
            }
            match last {
                Some(id) if cursor.as_deref() != Some(id.as_str()) => cursor = Some(id),
                _ => {
                    return Err(self
                        .api
                        .malformed(call, "has_more is true but the page moved no further"));
                }
            }
        }
    }

    /// `GET /v1/payment_intents/{id}`; `None` when Stripe has no such
    /// PaymentIntent (404).
    pub fn payment_intent(&self, id: &str) -> Result<Option<Value>, ApiError> {
        let path = format!("v1/payment_intents/{}", encode(id));
        match self.get("retrieve PaymentIntent", &path, &[]) {
            Ok(pi) => {
                check_object(&pi, "payment_intent")
                    .map_err(|why| self.api.malformed("retrieve PaymentIntent", why))?;
                Ok(Some(pi))
            }
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A path segment, percent-encoded.
pub(super) fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// An event's id, once it has the fields sync relies on.
fn check_event(event: &Value) -> Result<&str, String> {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("an event has no id")?;
    if event.get("type").and_then(Value::as_str).is_none() {
        return Err(format!("event {id} has no type"));
    }
    if event.get("created").and_then(Value::as_i64).is_none() {
        return Err(format!("event {id} has no created time"));
    }
    Ok(id)
}

fn check_object(v: &Value, object: &str) -> Result<(), String> {
    if v.get("id").and_then(Value::as_str).is_none() {
        return Err(format!("the {object} has no id"));
    }
    if v.get("status").and_then(Value::as_str).is_none() {
        return Err(format!("the {object} has no status"));
    }
    Ok(())
}

/// The event `tally sync` records for what a PaymentIntent says now, when
/// that is a fact tally acts on; `None` while it waits (nothing to record).
///
/// The event id names the PaymentIntent and its status, so the same fact
/// is recorded once however often it is read; `created` is `now`, so a
/// real event about an earlier moment cannot undo it (forward-only).
pub fn intent_fact(pi: &Value, now: i64) -> Option<Value> {
    let id = pi.get("id").and_then(Value::as_str)?;
    let status = pi.get("status").and_then(Value::as_str)?;
    let event_type = match status {
        "succeeded" => "payment_intent.succeeded",
        "requires_capture" => "payment_intent.amount_capturable_updated",
        "canceled" => "payment_intent.canceled",
        "requires_payment_method" if pi.get("last_payment_error").is_some_and(|e| !e.is_null()) => {
            "payment_intent.payment_failed"
        }
        // Waiting for the customer or in progress: pending, as tally has it.
        _ => return None,
    };
    Some(serde_json::json!({
        "id": format!("sync:{id}:{status}"),
        "object": "event",
        "type": event_type,
        "created": now,
        "data": {"object": pi},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_payment_intent_becomes_the_event_of_its_status() {
        let pi = |status: &str, error: Value| {
            json!({"id": "pi_1", "object": "payment_intent", "status": status,
                   "amount": 1250, "currency": "eur", "last_payment_error": error,
                   "metadata": {"order_id": "TEST1001"}})
        };
        let fact = intent_fact(&pi("succeeded", Value::Null), 1_700_000_000).unwrap();
        assert_eq!(fact["type"], "payment_intent.succeeded");
        assert_eq!(fact["id"], "sync:pi_1:succeeded");
        assert_eq!(fact["created"], 1_700_000_000);
        let event = crate::providers::stripe::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, crate::providers::EventKind::Succeeded);
        assert_eq!(event.order_numbers, ["TEST1001"]);
        let failed = intent_fact(
            &pi("requires_payment_method", json!({"code": "card_declined"})),
            1,
        )
        .unwrap();
        assert_eq!(failed["type"], "payment_intent.payment_failed");
        assert!(intent_fact(&pi("requires_payment_method", Value::Null), 1).is_none());
        assert!(intent_fact(&pi("processing", Value::Null), 1).is_none());
        assert_eq!(
            intent_fact(&pi("canceled", Value::Null), 1).unwrap()["type"],
            "payment_intent.canceled"
        );
    }

    #[test]
    fn events_need_an_id_a_type_and_a_time() {
        assert!(check_event(&json!({"id": "evt_1", "type": "x", "created": 1})).is_ok());
        assert!(check_event(&json!({"type": "x", "created": 1})).is_err());
        assert!(check_event(&json!({"id": "evt_1", "created": 1})).is_err());
        assert!(check_event(&json!({"id": "evt_1", "type": "x", "created": "1"})).is_err());
    }
}
