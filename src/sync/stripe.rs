//! Stripe as a sync [`Source`]: `GET /v1/events` for the types tally acts
//! on, and a pending payment's PaymentIntent.

use chrono::{DateTime, TimeDelta};
use serde_json::Value;

use super::{Fetched, Source};
use crate::domain::{Provider, Timestamp};
use crate::providers::api::ApiError;
use crate::providers::stripe::api::{StripeApi, intent_fact};
use crate::providers::stripe::parse::{ACTED_ON, acts_on};
use crate::store::sync::PendingPayment;

/// Stripe keeps events for 30 days.
const RETENTION: TimeDelta = TimeDelta::days(30);

impl Source for StripeApi {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }

    fn events_path(&self) -> &'static str {
        "/v1/events"
    }

    fn retention(&self) -> Option<TimeDelta> {
        Some(RETENTION)
    }

    fn events(
        &self,
        since: Timestamp,
        _now: Timestamp,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Fetched>, ApiError> {
        let listed = self.events_since(since.timestamp(), ACTED_ON, on_page)?;
        // Real Stripe filters by types[]; a server that ignores the filter
        // (or a proxy that strips it) gives more: only these are applied.
        Ok(listed
            .into_iter()
            .filter(|e| e.get("type").and_then(Value::as_str).is_some_and(acts_on))
            .filter_map(|e| fetched(&e))
            .collect())
    }

    fn fact(&self, p: &PendingPayment, now: Timestamp) -> Result<Option<Fetched>, ApiError> {
        let Some(reference) = p.payment.reference.as_deref() else {
            return Ok(None);
        };
        // Only a PaymentIntent can be asked about here; a payment imported
        // with a charge id (ch_…) waits for its events.
        if !reference.starts_with("pi_") {
            return Ok(None);
        }
        let Some(pi) = self.payment_intent(reference)? else {
            return Ok(None);
        };
        Ok(intent_fact(&pi, now.timestamp()).and_then(|e| fetched(&e)))
    }

    fn calls(&self) -> u32 {
        self.api().calls()
    }
}

/// An event checked by the API client (id, type and created are there).
fn fetched(event: &Value) -> Option<Fetched> {
    Some(Fetched {
        id: event.get("id")?.as_str()?.to_owned(),
        created: DateTime::from_timestamp(event.get("created")?.as_i64()?, 0)?,
        body: serde_json::to_vec(event).ok()?,
    })
}
