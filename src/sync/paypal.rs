//! PayPal as a sync [`Source`]: the webhook-events history, and a pending
//! payment's capture (v2) or sale (v1).

use chrono::TimeDelta;
use serde_json::Value;

use super::{Fetched, Source};
use crate::domain::{Provider, Timestamp, parse_ts};
use crate::providers::api::ApiError;
use crate::providers::paypal::api::{PaypalApi, resource_fact};
use crate::providers::paypal::parse::acts_on;
use crate::store::sync::PendingPayment;

impl Source for PaypalApi {
    fn provider(&self) -> Provider {
        Provider::Paypal
    }

    fn events_path(&self) -> &'static str {
        "/v1/notifications/webhooks-events"
    }

    /// How long PayPal keeps webhook events is not documented
    /// (paypal-api.md §4.1): no warning is given for an old watermark.
    fn retention(&self) -> Option<TimeDelta> {
        None
    }

    fn events(
        &self,
        since: Timestamp,
        now: Timestamp,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Fetched>, ApiError> {
        let listed = self.events_between(since, now, on_page)?;
        Ok(listed
            .into_iter()
            .filter(|e| {
                e.get("event_type")
                    .and_then(Value::as_str)
                    .is_some_and(acts_on)
            })
            .filter_map(|e| fetched(&e))
            .collect())
    }

    /// The reference is a v2 capture id or a v1 sale id (both 17
    /// characters): the capture is asked first, a 404 then asks the sale.
    fn fact(&self, p: &PendingPayment, now: Timestamp) -> Result<Option<Fetched>, ApiError> {
        let Some(reference) = p.payment.reference.as_deref() else {
            return Ok(None);
        };
        let found = match self.capture(reference)? {
            Some(capture) => Some((capture, false)),
            None => self.sale(reference)?.map(|sale| (sale, true)),
        };
        Ok(found
            .and_then(|(resource, sale)| resource_fact(&resource, sale, now))
            .and_then(|e| fetched(&e)))
    }

    fn calls(&self) -> u32 {
        self.api().calls()
    }
}

fn fetched(event: &Value) -> Option<Fetched> {
    Some(Fetched {
        id: event.get("id")?.as_str()?.to_owned(),
        created: parse_ts(event.get("create_time")?.as_str()?).ok()?,
        body: serde_json::to_vec(event).ok()?,
    })
}
