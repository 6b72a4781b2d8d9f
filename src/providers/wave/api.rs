//! Wave's Checkout API, as far as `tally refund` and the cancel guard use
//! it (wave.md §2): a checkout session, its refund, its expiry, and the
//! sessions of an order. Built on [`crate::providers::api`] (time limits,
//! retries, errors naming the call and Wave's own message).
//!
//! - `GET /v1/checkout/sessions/{id}` and
//!   `GET /v1/checkout/sessions/search?client_reference=…` (the shop puts
//!   the order number in `client_reference`).
//! - `POST /v1/checkout/sessions/{id}/refund`: a full refund only; "If you
//!   try to refund a checkout twice, no additional transaction will be
//!   created" (§2.3), so sending it again is safe. No refund object comes
//!   back: a 2xx is the refund.
//! - `POST /v1/checkout/sessions/{id}/expire`: an open session can no
//!   longer be paid.
//!
//! The search's answer shape is not documented in the excerpts (§2.1, [S]):
//! a `result` list and a bare list are both read.

use std::time::Duration;

use serde_json::Value;

use crate::domain::Provider;
use crate::providers::api::{Api, ApiError, Auth, Body};
use crate::providers::credentials::WaveKey;

/// Wave's API host.
pub const DEFAULT_BASE: &str = "https://api.wave.com";

/// Wave's API with one key.
pub struct WaveApi {
    api: Api,
    key: WaveKey,
}

impl WaveApi {
    pub fn new(base: &str, key: WaveKey, timeout: Duration) -> Result<WaveApi, ApiError> {
        let mut api = Api::new(Provider::Wave, base, timeout)?;
        api.hide(key.expose());
        Ok(WaveApi { api, key })
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    pub fn with_retry(mut self, retry: crate::providers::api::Retry) -> WaveApi {
        self.api = self.api.with_retry(retry);
        self
    }

    fn call(
        &self,
        call: &str,
        path: &str,
        query: &[(&str, String)],
        body: Body<'_>,
    ) -> Result<Value, ApiError> {
        let url = self.api.url(path, query)?;
        self.api
            .call(call, &url, Auth::Bearer(self.key.expose()), body)
    }

    /// `GET /v1/checkout/sessions/{id}`; `None` on 404.
    pub fn session(&self, id: &str) -> Result<Option<Value>, ApiError> {
        let call = "retrieve checkout session";
        match self.call(
            call,
            &format!("v1/checkout/sessions/{}", encode(id)),
            &[],
            Body::Get,
        ) {
            Ok(v) => {
                check_session(&v).map_err(|why| self.api.malformed(call, why))?;
                Ok(Some(v))
            }
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every checkout session whose `client_reference` is `order`.
    pub fn sessions_of_order(&self, order: &str) -> Result<Vec<Value>, ApiError> {
        let call = "search checkout sessions";
        let v = self.call(
            call,
            "v1/checkout/sessions/search",
            &[("client_reference", order.to_owned())],
            Body::Get,
        )?;
        let list = v
            .get("result")
            .and_then(Value::as_array)
            .or_else(|| v.as_array())
            .ok_or_else(|| {
                self.api
                    .malformed(call, "the answer holds no list of sessions")
            })?;
        for s in list {
            check_session(s).map_err(|why| self.api.malformed(call, why))?;
        }
        Ok(list.clone())
    }

    /// `POST /v1/checkout/sessions/{id}/refund`: the whole payment back.
    pub fn refund_session(&self, id: &str) -> Result<(), ApiError> {
        self.call(
            "refund checkout session",
            &format!("v1/checkout/sessions/{}/refund", encode(id)),
            &[],
            Body::Empty,
        )
        .map(drop)
    }

    /// `POST /v1/checkout/sessions/{id}/expire`.
    pub fn expire_session(&self, id: &str) -> Result<(), ApiError> {
        self.call(
            "expire checkout session",
            &format!("v1/checkout/sessions/{}/expire", encode(id)),
            &[],
            Body::Empty,
        )
        .map(drop)
    }
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn check_session(v: &Value) -> Result<(), String> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or("a checkout session has no id")?;
    if v.get("checkout_status").and_then(Value::as_str).is_none() {
        return Err(format!("checkout session {id} has no checkout_status"));
    }
    Ok(())
}

/// Where a checkout session stands, as the cancel guard reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Paid: `payment_status` succeeded (or `checkout_status` complete).
    Paid,
    /// Open and unpaid: it can still be paid, and expired.
    Open,
    /// Payment in progress (`payment_status` processing on a session no
    /// longer open): the money may be moving.
    Processing,
    /// Expired, or its payment cancelled: it can never be paid.
    Closed,
}

/// A session's state (wave.md §2.2).
pub fn session_state(v: &Value) -> SessionState {
    let checkout = v.get("checkout_status").and_then(Value::as_str);
    let payment = v.get("payment_status").and_then(Value::as_str);
    match (checkout, payment) {
        (_, Some("succeeded")) | (Some("complete"), _) => SessionState::Paid,
        (Some("open"), _) => SessionState::Open,
        (Some("expired"), _) | (_, Some("cancelled")) => SessionState::Closed,
        (_, Some("processing")) => SessionState::Processing,
        _ => SessionState::Closed,
    }
}

/// A retrieved session as the webhook event Wave would have sent about it,
/// to apply through the webhook path (verified by the API call, de-duplicated
/// by its id): a paid session is `checkout.session.completed`, an expired
/// one `checkout.session.payment_failed` (which fails the payment once the
/// session has expired). `None` for a session still open or in progress:
/// pending, as tally already has it.
pub fn session_fact(session: &Value) -> Option<Value> {
    let id = session.get("id").and_then(Value::as_str)?;
    let (event_type, state) = match session_state(session) {
        SessionState::Paid => ("checkout.session.completed", "complete"),
        SessionState::Closed => ("checkout.session.payment_failed", "expired"),
        SessionState::Open | SessionState::Processing => return None,
    };
    Some(serde_json::json!({
        "id": format!("sync:{id}:{state}"),
        "type": event_type,
        "data": session,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_session_becomes_the_event_wave_would_have_sent() {
        let session = json!({"id": "cos-1", "amount": "45000", "currency": "XOF",
            "checkout_status": "complete", "payment_status": "succeeded",
            "client_reference": "TEST1033", "transaction_id": "TX1",
            "when_created": "2026-11-29T09:00:00Z", "when_completed": "2026-11-29T09:01:00Z"});
        let fact = session_fact(&session).unwrap();
        assert_eq!(fact["id"], "sync:cos-1:complete");
        let event = crate::providers::wave::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, crate::providers::EventKind::Succeeded);
        assert_eq!(event.reference.as_deref(), Some("cos-1"));
        let open =
            json!({"id": "cos-2", "checkout_status": "open", "payment_status": "processing"});
        assert!(session_fact(&open).is_none());
        let expired = json!({"id": "cos-3", "checkout_status": "expired",
            "payment_status": "cancelled", "amount": "45000", "currency": "XOF",
            "client_reference": "TEST1033", "when_created": "2026-11-29T09:00:00Z"});
        let fact = session_fact(&expired).unwrap();
        assert_eq!(fact["type"], "checkout.session.payment_failed");
        let event = crate::providers::wave::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, crate::providers::EventKind::Failed);
    }

    #[test]
    fn sessions_read_as_paid_open_or_closed() {
        let s =
            |c: &str, p: &str| json!({"id": "cos-1", "checkout_status": c, "payment_status": p});
        assert_eq!(
            session_state(&s("complete", "succeeded")),
            SessionState::Paid
        );
        assert_eq!(session_state(&s("open", "processing")), SessionState::Open);
        assert_eq!(
            session_state(&s("expired", "cancelled")),
            SessionState::Closed
        );
        assert!(check_session(&json!({"id": "cos-1"})).is_err());
    }
}
