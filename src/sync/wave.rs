//! Wave as a sync [`Source`]: no events to list (Wave documents no event
//! list or replay API, `wave.md` §1.5), so a pass is the refresh alone: the
//! checkout session of every recent pending Wave payment, recorded when it
//! was paid or has expired.
//!
//! - A payment whose reference is a session id (`cos-…`, what the webhooks
//!   record) is asked by id ([`WaveApi::session`], a documented call).
//! - A payment that holds no reference yet is asked by its order's number
//!   (the shop's `client_reference`), through the search
//!   ([`WaveApi::sessions_of_order`], only secondary sources: if it does
//!   not exist, Wave's 404 reads as "none" and the payment waits for its
//!   webhook as before).
//! - Any other reference (a transaction id `T_…` recorded by hand) is no
//!   session: nothing is asked.
//!
//! A checkout session lasts 30 minutes by default (§2.2), and a payment is
//! asked about until its session is paid or expired, which takes it out of
//! pending; so each pass asks about the pending Wave payments of at least
//! the last [`LOOKBACK`] (a customer who comes back to pay later), or of
//! the pass's window when that is longer (since the watermark, a first
//! sync's three days, `--since`).

use chrono::TimeDelta;
use serde_json::Value;

use super::{Fetched, Source};
use crate::domain::{Provider, Timestamp, parse_ts};
use crate::providers::api::ApiError;
use crate::providers::wave::api::{WaveApi, is_session_id, session_fact, session_of_order};
use crate::store::sync::PendingPayment;

/// The least a Wave pass looks back for pending payments.
pub const LOOKBACK: TimeDelta = TimeDelta::days(1);

impl Source for WaveApi {
    fn provider(&self) -> Provider {
        Provider::Wave
    }

    fn events_path(&self) -> &'static str {
        "/v1/checkout/sessions"
    }

    fn retention(&self) -> Option<TimeDelta> {
        None
    }

    /// Wave has no events to list: no call.
    fn events(
        &self,
        _since: Timestamp,
        _now: Timestamp,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Fetched>, ApiError> {
        on_page(0);
        Ok(Vec::new())
    }

    fn refresh_since(&self, since: Timestamp, started: Timestamp) -> Timestamp {
        since.min(started - LOOKBACK)
    }

    fn asks_unreferenced(&self) -> bool {
        true
    }

    /// A session id, or no reference at all (found by the order's number).
    fn can_ask(&self, p: &PendingPayment) -> bool {
        p.payment.reference.as_deref().is_none_or(is_session_id)
    }

    fn fact(&self, p: &PendingPayment, now: Timestamp) -> Result<Option<Fetched>, ApiError> {
        let fact = match p.payment.reference.as_deref() {
            Some(reference) if is_session_id(reference) => {
                self.session(reference)?.as_ref().and_then(session_fact)
            }
            // Not a session: see can_ask.
            Some(_) => return Ok(None),
            None => {
                // A 404 reads as "no session": if the search does not
                // exist, the payment waits for its webhook as before.
                let sessions = match self.sessions_of_order(&p.order_number) {
                    Ok(sessions) => sessions,
                    Err(e) if e.status() == Some(404) => Vec::new(),
                    Err(e) => return Err(e),
                };
                session_of_order(&sessions).and_then(session_fact)
            }
        };
        Ok(fact.and_then(|f| fetched(&f, now)))
    }

    fn calls(&self) -> u32 {
        self.api().calls()
    }
}

/// A fact as a fetched event: its time is the session's (else now).
fn fetched(fact: &Value, now: Timestamp) -> Option<Fetched> {
    let data = fact.get("data")?;
    let at = ["when_completed", "when_created"]
        .iter()
        .find_map(|k| data.get(*k).and_then(Value::as_str))
        .and_then(|t| parse_ts(t).ok())
        .unwrap_or(now);
    Some(Fetched {
        id: fact.get("id")?.as_str()?.to_owned(),
        created: at,
        body: serde_json::to_vec(fact).ok()?,
    })
}
