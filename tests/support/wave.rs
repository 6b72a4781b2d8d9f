//! A fake of Wave's Checkout API, as far as tally reads it, following
//! `../shared/providers/wave.md` §2 (it is a fake: only these calls, in the
//! shapes documented there or, where wave.md marks them secondary or
//! unconfirmed, in the shape tally must cope with):
//!
//! - `Authorization: Bearer <key>`; any other key: 401 with a JSON
//!   `{code, message}` (Wave's error bodies are not in wave.md: this is the
//!   shape tally's error reader takes a `message` from).
//! - `GET /v1/checkout/sessions/{id}` [P]: the Checkout Session object
//!   (§2.2), or 404.
//! - `GET /v1/checkout/sessions/search?client_reference=…` [S]: a `result`
//!   list, paged the Balance API's way (§3.2: `page_info.has_next_page`,
//!   `end_cursor`, `after`) in pages of [`PAGE`] sessions, so that
//!   tally's reading of both is exercised.
//! - 429 with `Retry-After`, delays and 500s come from the [`Fault`] queue
//!   of the underlying [`Fake`].
//!
//! The sessions are shared with the test, which changes them between syncs
//! (a customer paying at Wave while the webhook is lost).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::Fake;

/// The fake, and its sessions by id.
pub struct WaveFake {
    pub fake: Fake,
    pub sessions: Arc<Mutex<BTreeMap<String, Value>>>,
}

/// Sessions per search page.
pub const PAGE: usize = 2;

impl WaveFake {
    pub fn start(key: &'static str, sessions: Vec<Value>) -> WaveFake {
        let store: Arc<Mutex<BTreeMap<String, Value>>> = Arc::new(Mutex::new(
            sessions
                .into_iter()
                .map(|s| (s["id"].as_str().unwrap().to_owned(), s))
                .collect(),
        ));
        let s = store.clone();
        let fake = Fake::start(move |r| {
            if r.authorization != format!("Bearer {key}") {
                return (
                    401,
                    vec![],
                    json!({"code": "invalid-auth", "message": "Invalid or missing API key"})
                        .to_string(),
                );
            }
            let parts: Vec<&str> = r.path.trim_matches('/').split('/').collect();
            let sessions = s.lock().unwrap();
            match (r.method.as_str(), parts.as_slice()) {
                ("GET", ["v1", "checkout", "sessions", "search"]) => {
                    let wanted = r.param("client_reference");
                    let found: Vec<&Value> = sessions
                        .values()
                        .filter(|v| v["client_reference"].as_str() == wanted)
                        .collect();
                    let start: usize = r
                        .param("after")
                        .and_then(|c| c.strip_prefix("cursor-"))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    let end = (start + PAGE).min(found.len());
                    let page: Vec<&Value> = found[start.min(end)..end].to_vec();
                    let more = end < found.len();
                    (
                        200,
                        vec![],
                        json!({"result": page, "page_info": {
                            "start_cursor": null,
                            "end_cursor": if more { json!(format!("cursor-{end}")) } else { Value::Null },
                            "has_next_page": more}})
                        .to_string(),
                    )
                }
                ("GET", ["v1", "checkout", "sessions", id]) => match sessions.get(*id) {
                    Some(v) => (200, vec![], v.to_string()),
                    None => (
                        404,
                        vec![],
                        json!({"code": "not-found", "message": "Checkout session not found"})
                            .to_string(),
                    ),
                },
                _ => (
                    404,
                    vec![],
                    json!({"code": "not-found", "message": "No such endpoint"}).to_string(),
                ),
            }
        });
        WaveFake {
            fake,
            sessions: store,
        }
    }

    /// Changes a session as Wave would (a customer paying, a session
    /// expiring).
    pub fn set(&self, id: &str, edit: impl FnOnce(&mut Value)) {
        let mut sessions = self.sessions.lock().unwrap();
        edit(sessions.get_mut(id).unwrap());
    }
}

/// A Checkout Session object (wave.md §2.2) for `order`, created at
/// `created` (RFC 3339), in its state: `open` (unpaid, may still be paid),
/// `paid` (complete, succeeded, with a transaction id), `expired`.
pub fn session(id: &str, order: Option<&str>, amount: &str, created: &str, state: &str) -> Value {
    let mut s = json!({"id": id, "amount": amount, "currency": "XOF",
        "business_name": "Ma Boutique", "client_reference": order,
        "success_url": "https://shop.example.com/ok", "error_url": "https://shop.example.com/ko",
        "wave_launch_url": format!("https://pay.wave.com/c/{id}"),
        "when_created": created, "when_expires": created,
        "checkout_status": "open", "payment_status": "processing",
        "last_payment_error": null});
    match state {
        "paid" => pay(&mut s),
        "expired" => {
            s["checkout_status"] = json!("expired");
            s["when_completed"] = json!(created);
        }
        _ => {}
    }
    s
}

/// What Wave says of a session once paid.
pub fn pay(s: &mut Value) {
    let id = s["id"].as_str().unwrap().to_uppercase().replace('-', "");
    s["checkout_status"] = json!("complete");
    s["payment_status"] = json!("succeeded");
    s["transaction_id"] = json!(format!("T{id}"));
    s["when_completed"] = s["when_created"].clone();
}
