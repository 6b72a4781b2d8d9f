//! Wave's Checkout API, as far as tally uses it (`../shared/providers/wave.md`
//! §2): checkout sessions read (`tally sync`, `tally doctor`, the cancel
//! guard), refunded and expired (`tally refund`, the cancel guard). Built on
//! [`crate::providers::api`] (time limits, retries honouring `Retry-After`,
//! errors naming the call and Wave's own `message`). Base URL
//! `https://api.wave.com`, the key as `Authorization: Bearer` [P].
//!
//! - `GET /v1/checkout/sessions/{id}` [P]: one session; a 404 is "no such
//!   session". `tally sync` asks it for each recent pending Wave payment
//!   whose reference is a session id (`cos-…`, what the webhooks record).
//! - `GET /v1/checkout/sessions/search?client_reference=…` ([S] only: the
//!   endpoint and its parameter are in secondary copies, its answer's shape
//!   in none): the sessions of an order (the shop puts the order number in
//!   `client_reference`). Both readings are handled: the answer may be a
//!   `result` list or a bare list, and may page the way Wave's Balance API
//!   does (§3.2: `page_info.has_next_page` and `end_cursor`, passed back as
//!   `after`), or not at all. Whether an empty search is an empty list or a
//!   404 is not published either: this client returns the 404 as an error,
//!   and each caller decides (sync reads it as "none"; the cancel guard
//!   refuses to cancel on what it could not check).
//! - `POST /v1/checkout/sessions/{id}/refund`: a full refund only; "If you
//!   try to refund a checkout twice, no additional transaction will be
//!   created" (§2.3), so sending it again is safe. No refund object comes
//!   back: a 2xx is the refund.
//! - `POST /v1/checkout/sessions/{id}/expire`: an open session can no
//!   longer be paid.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use crate::domain::Provider;
use crate::providers::api::{Api, ApiError, Auth, Body};
use crate::providers::credentials::WaveKey;

/// Wave's API host.
pub const DEFAULT_BASE: &str = "https://api.wave.com";

/// A runaway pager stops here.
const MAX_PAGES: usize = 100;

/// A session id that cannot exist, for [`WaveApi::probe`].
const PROBE_SESSION: &str = "cos-tally-probe";

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

    /// The shared client (its call count, its host).
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Replaces the retry policy (tests).
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

    /// One cheap authenticated call with the scope sync needs (Checkout):
    /// a session that does not exist. Wave answers 404 to a key it takes
    /// and 401 to one it does not, so a 404 is the good answer here.
    pub fn probe(&self) -> Result<(), ApiError> {
        self.session(PROBE_SESSION).map(drop)
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

    /// Every checkout session whose `client_reference` is `order`, every
    /// page (a 404 is an error: see the module's notes). Sessions another
    /// reference matched (a search that is not exact) are left out.
    pub fn sessions_of_order(&self, order: &str) -> Result<Vec<Value>, ApiError> {
        let call = "search checkout sessions";
        let mut out: Vec<Value> = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        let mut cursors: HashSet<String> = HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("client_reference", order.to_owned())];
            if let Some(cursor) = &after {
                query.push(("after", cursor.clone()));
            }
            let page = self.call(call, "v1/checkout/sessions/search", &query, Body::Get)?;
            let list = page
                .get("result")
                .and_then(Value::as_array)
                .or_else(|| page.as_array())
                .ok_or_else(|| {
                    self.api
                        .malformed(call, "the answer holds no list of sessions")
                })?;
            for s in list {
                check_session(s).map_err(|why| self.api.malformed(call, why))?;
                let id = s.get("id").and_then(Value::as_str).unwrap_or_default();
                let theirs = s.get("client_reference").and_then(Value::as_str);
                if theirs.map(str::trim) == Some(order) && ids.insert(id.to_owned()) {
                    out.push(s.clone());
                }
            }
            let info = page.get("page_info");
            let more = info
                .and_then(|i| i.get("has_next_page"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if !more {
                return Ok(out);
            }
            let cursor = info
                .and_then(|i| i.get("end_cursor"))
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    self.api
                        .malformed(call, "has_next_page is true but there is no end_cursor")
                })?;
            if !cursors.insert(cursor.to_owned()) || cursors.len() > MAX_PAGES {
                return Err(self
                    .api
                    .malformed(call, "the end_cursor leads back to a page already read"));
            }
            after = Some(cursor.to_owned());
        }
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
        .filter(|s| !s.is_empty())
        .ok_or("a checkout session has no id")?;
    if v.get("checkout_status").and_then(Value::as_str).is_none() {
        return Err(format!("checkout session {id} has no checkout_status"));
    }
    Ok(())
}

/// Whether a payment reference is a checkout session id (`cos-…`, wave.md
/// §2.2), as the webhooks record it.
pub fn is_session_id(reference: &str) -> bool {
    reference.starts_with("cos-")
}

/// Where a checkout session stands (`tally sync`, the cancel guard).
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

/// A retrieved session as the webhook event Wave would have sent about
/// it, to apply through the webhook path (verified by the API call,
/// de-duplicated by its id), when that is a fact tally acts on; `None`
/// while it may still be paid (pending, as tally already has it).
///
/// - Paid: a `checkout.session.completed` carrying the session, as Wave's
///   webhook would (the capture of its `amount`; the session id becomes
///   the payment's reference, `transaction_id` its charge id).
/// - Expired unpaid (`checkout_status` expired): the session can never be
///   paid, so the attempt is over: a `checkout.session.payment_failed`
///   carrying the expired session, which the Wave room reads as failed
///   (its "failed once the session has expired"). Only an explicit
///   `expired` counts: a `cancelled` payment on a session still open may
///   be tried again.
///
/// The id names the session and what it says (`sync:cos-…:complete`), so
/// the same fact is recorded once however often it is read. Its time is
/// the session's own (`when_completed`, "completed or expired", else
/// `when_created`), as the webhook's would be: both are the same fact.
pub fn session_fact(session: &Value) -> Option<Value> {
    let id = session.get("id").and_then(Value::as_str)?;
    let expired = session.get("checkout_status").and_then(Value::as_str) == Some("expired");
    let (what, event_type) = match session_state(session) {
        SessionState::Paid => ("complete", "checkout.session.completed"),
        SessionState::Closed if expired => ("expired", "checkout.session.payment_failed"),
        SessionState::Closed | SessionState::Open | SessionState::Processing => return None,
    };
    Some(serde_json::json!({
        "id": format!("sync:{id}:{what}"),
        "type": event_type,
        "data": session,
    }))
}

/// Of an order's sessions, the one whose fact to record for a payment
/// that holds no session id: a paid one (the earliest completed), else,
/// when every one has expired, the latest; `None` while one may still be
/// paid (open or processing) or when there is none.
pub fn session_of_order(sessions: &[Value]) -> Option<&Value> {
    let when = |s: &Value, key: &str| {
        s.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut paid: Vec<&Value> = sessions
        .iter()
        .filter(|s| session_state(s) == SessionState::Paid)
        .collect();
    paid.sort_by_key(|s| (when(s, "when_completed"), when(s, "id")));
    if let Some(first) = paid.first() {
        return Some(first);
    }
    let all_expired = sessions
        .iter()
        .all(|s| s.get("checkout_status").and_then(Value::as_str) == Some("expired"));
    if !all_expired {
        return None;
    }
    sessions
        .iter()
        .max_by_key(|s| (when(s, "when_created"), when(s, "id")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::EventKind;
    use serde_json::json;

    fn session(id: &str, checkout: &str, payment: &str) -> Value {
        json!({"id": id, "amount": "25000", "currency": "XOF", "checkout_status": checkout,
               "payment_status": payment, "client_reference": "TEST1033",
               "when_created": "2026-11-21T10:00:00Z", "when_expires": "2026-11-21T10:30:00Z"})
    }

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
        assert_eq!(
            session_state(&session("cos-1", "complete", "succeeded")),
            SessionState::Paid
        );
        assert_eq!(
            session_state(&session("cos-1", "open", "processing")),
            SessionState::Open
        );
        assert_eq!(
            session_state(&session("cos-1", "expired", "cancelled")),
            SessionState::Closed
        );
        assert!(check_session(&json!({"id": "cos-1"})).is_err());
        assert!(check_session(&json!({"id": "", "checkout_status": "open"})).is_err());
    }

    #[test]
    fn a_paid_session_is_the_completed_event_wave_would_send() {
        let mut paid = session("cos-1paid", "complete", "succeeded");
        paid["transaction_id"] = json!("TCN4Y4ZC3FM");
        paid["when_completed"] = json!("2026-11-21T10:05:00Z");
        let fact = session_fact(&paid).unwrap();
        assert_eq!(fact["id"], "sync:cos-1paid:complete");
        assert_eq!(fact["type"], "checkout.session.completed");
        let event = crate::providers::wave::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, EventKind::Succeeded);
        assert_eq!(event.reference.as_deref(), Some("cos-1paid"));
        assert_eq!(event.charge_id.as_deref(), Some("TCN4Y4ZC3FM"));
        assert_eq!(event.order_numbers, ["TEST1033"]);
        assert_eq!(event.amount.unwrap().to_string(), "25000 XOF");
        assert_eq!(
            event.created,
            Some(crate::domain::parse_ts("2026-11-21T10:05:00Z").unwrap())
        );
    }

    #[test]
    fn an_expired_session_is_a_failed_attempt_and_an_open_one_nothing() {
        let mut expired = session("cos-2", "expired", "processing");
        expired["when_completed"] = json!("2026-11-21T10:30:00Z");
        let fact = session_fact(&expired).unwrap();
        assert_eq!(fact["id"], "sync:cos-2:expired");
        let event = crate::providers::wave::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, EventKind::Failed);
        assert_eq!(event.provider_status.as_deref(), Some("expired"));
        for (c, p) in [
            ("open", "processing"),
            ("open", "cancelled"),
            ("weird", "processing"),
        ] {
            assert!(session_fact(&session("cos-3", c, p)).is_none(), "{c} {p}");
        }
    }

    #[test]
    fn an_orders_sessions_give_the_paid_one_else_the_last_expired() {
        let mut paid = session("cos-b", "complete", "succeeded");
        paid["when_completed"] = json!("2026-11-21T11:00:00Z");
        let mut early = session("cos-a", "expired", "cancelled");
        early["when_created"] = json!("2026-11-21T09:00:00Z");
        let late = session("cos-c", "expired", "processing");
        let open = session("cos-d", "open", "processing");
        let both = [early.clone(), paid.clone(), late.clone()];
        assert_eq!(session_of_order(&both).unwrap()["id"], "cos-b");
        let expired = [early.clone(), late.clone()];
        assert_eq!(session_of_order(&expired).unwrap()["id"], "cos-c");
        assert!(session_of_order(&[early, open]).is_none());
        assert!(session_of_order(&[]).is_none());
    }

    #[test]
    fn only_checkout_session_ids_are_asked_by_id() {
        assert!(is_session_id("cos-1ya2rewh0139m"));
        assert!(!is_session_id("T_WAVE_8842"));
        assert!(!is_session_id("TRG7XHH6UNR2SOACI"));
    }
}
