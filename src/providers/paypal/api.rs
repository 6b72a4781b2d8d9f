//! PayPal's REST API, as far as `tally sync` and `tally doctor` use it:
//! an OAuth2 token, the webhook-events history, captures (v2) and sales
//! (v1). Read-only; built on [`crate::providers::api`].
//!
//! - **Token.** `POST /v1/oauth2/token` with the app's id and secret (HTTP
//!   Basic), cached until a minute before its `expires_in`. A call answered
//!   401 fetches a new token once and tries again: a token may expire or be
//!   revoked mid-run. A 401 on the token call itself is bad credentials.
//! - **Events.** `GET /v1/notifications/webhooks-events` by time window,
//!   paging by the `links` entry with `rel: "next"` (PayPal's convention;
//!   the spec does not name the rel). The order of events is not
//!   documented: the caller sorts. A next link to another host is refused
//!   (it would carry the token away); a link already followed ends in an
//!   error, never a loop.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::domain::{Provider, Timestamp};
use crate::providers::api::{Api, ApiError, Auth, Body, Extra};
use crate::providers::credentials::{PaypalClient, PaypalMode};

/// PayPal's live API host.
pub const LIVE_BASE: &str = "https://api-m.paypal.com";
/// PayPal's sandbox API host.
pub const SANDBOX_BASE: &str = "https://api-m.sandbox.paypal.com";

/// The host of a mode.
pub fn default_base(mode: PaypalMode) -> &'static str {
    match mode {
        PaypalMode::Live => LIVE_BASE,
        PaypalMode::Sandbox => SANDBOX_BASE,
    }
}

/// Events per page asked for.
const PAGE: usize = 100;
/// A runaway pager stops here (100,000 events).
const MAX_PAGES: usize = 1000;

struct Token {
    value: String,
    until: Instant,
}

/// PayPal's API with one app's credentials.
pub struct PaypalApi {
    api: Api,
    client: PaypalClient,
    token: RefCell<Option<Token>>,
}

impl PaypalApi {
    pub fn new(base: &str, client: PaypalClient, timeout: Duration) -> Result<PaypalApi, ApiError> {
        let mut api = Api::new(Provider::Paypal, base, timeout)?;
        api.hide(client.expose_secret());
        Ok(PaypalApi {
            api,
            client,
            token: RefCell::new(None),
        })
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    pub fn with_retry(mut self, retry: crate::providers::api::Retry) -> PaypalApi {
        self.api = self.api.with_retry(retry);
        self
    }

    /// A valid access token: the cached one, or a new one.
    fn token(&self) -> Result<String, ApiError> {
        if let Some(t) = self.token.borrow().as_ref()
            && Instant::now() < t.until
        {
            return Ok(t.value.clone());
        }
        let call = "get an access token";
        let url = self.api.url("v1/oauth2/token", &[])?;
        let answer = self.api.call(
            call,
            &url,
            Auth::Basic(&self.client.client_id, self.client.expose_secret()),
            Body::Form(&[("grant_type", "client_credentials")]),
        )?;
        let value = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.api.malformed(call, "no access_token"))?
            .to_owned();
        let secs = answer
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let until = Instant::now() + Duration::from_secs(secs.saturating_sub(60));
        *self.token.borrow_mut() = Some(Token {
            value: value.clone(),
            until,
        });
        Ok(value)
    }

    /// A GET with the token; a 401 gets a new token and one more try.
    fn get(&self, call: &str, url: &url::Url) -> Result<Value, ApiError> {
        let token = self.token()?;
        match self.api.call(call, url, Auth::Bearer(&token), Body::Get) {
            Err(e) if e.status() == Some(401) => {
                *self.token.borrow_mut() = None;
                let token = self.token()?;
                self.api.call(call, url, Auth::Bearer(&token), Body::Get)
            }
            other => other,
        }
    }

    /// A call with the token and `extra` headers; a 401 gets a new token
    /// and one more try (a 401 means the request was not acted on, so a
    /// POST may be sent again).
    pub(super) fn call_authorised(
        &self,
        call: &str,
        url: &url::Url,
        body: Body<'_>,
        extra: Extra<'_>,
    ) -> Result<Value, ApiError> {
        let token = self.token()?;
        match self
            .api
            .call_with(call, url, Auth::Bearer(&token), body, extra)
        {
            Err(e) if e.status() == Some(401) => {
                *self.token.borrow_mut() = None;
                let token = self.token()?;
                self.api
                    .call_with(call, url, Auth::Bearer(&token), body, extra)
            }
            other => other,
        }
    }

    /// One cheap authenticated call: a token.
    pub fn probe(&self) -> Result<(), ApiError> {
        *self.token.borrow_mut() = None;
        self.token().map(drop)
    }

    /// Every webhook event created in [`start`, `end`], in the order the
    /// pages gave them, each once. `on_page` hears the running count.
    pub fn events_between(
        &self,
        start: Timestamp,
        end: Timestamp,
        mut on_page: impl FnMut(usize),
    ) -> Result<Vec<Value>, ApiError> {
        let call = "list webhook events";
        let fmt = |t: Timestamp| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut url = self.api.url(
            "v1/notifications/webhooks-events",
            &[
                ("page_size", PAGE.to_string()),
                ("start_time", fmt(start)),
                ("end_time", fmt(end)),
            ],
        )?;
        let mut followed: HashSet<String> = HashSet::new();
        let mut ids: HashSet<String> = HashSet::new();
        let mut events = Vec::new();
        loop {
            if !followed.insert(url.to_string()) || followed.len() > MAX_PAGES {
                return Err(self
                    .api
                    .malformed(call, "the next link leads back to a page already read"));
            }
            let page = self.get(call, &url)?;
            let list = page
                .get("events")
                .and_then(Value::as_array)
                .ok_or_else(|| self.api.malformed(call, "the page has no events list"))?;
            for event in list {
                let id = check_event(event).map_err(|why| self.api.malformed(call, why))?;
                if ids.insert(id.to_owned()) {
                    events.push(event.clone());
                }
            }
            on_page(events.len());
            let next = page
                .get("links")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
                .and_then(|l| l.get("href").and_then(Value::as_str));
            let Some(href) = next else {
                return Ok(events);
            };
            let next = url
                .join(href)
                .map_err(|e| self.api.malformed(call, format!("bad next link: {e}")))?;
            if !self.api.same_origin(&next) {
                return Err(self
                    .api
                    .malformed(call, "the next link points to another host"));
            }
            url = next;
        }
    }

    /// `GET /v2/payments/captures/{id}`; `None` on 404.
    pub fn capture(&self, id: &str) -> Result<Option<Value>, ApiError> {
        self.resource(
            "show captured payment",
            &format!("v2/payments/captures/{}", encode(id)),
        )
    }

    /// `GET /v1/payments/sale/{id}` (the v1 API's sales); `None` on 404.
    pub fn sale(&self, id: &str) -> Result<Option<Value>, ApiError> {
        self.resource("show sale", &format!("v1/payments/sale/{}", encode(id)))
    }

    fn resource(&self, call: &str, path: &str) -> Result<Option<Value>, ApiError> {
        let url = self.api.url(path, &[])?;
        match self.get(call, &url) {
            Ok(v) => {
                if v.get("id").and_then(Value::as_str).is_none() {
                    return Err(self.api.malformed(call, "no id"));
                }
                Ok(Some(v))
            }
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub(super) fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn check_event(event: &Value) -> Result<&str, String> {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("an event has no id")?;
    if event.get("event_type").and_then(Value::as_str).is_none() {
        return Err(format!("event {id} has no event_type"));
    }
    if event.get("create_time").and_then(Value::as_str).is_none() {
        return Err(format!("event {id} has no create_time"));
    }
    Ok(id)
}

/// The event `tally sync` records for what a capture (v2) or a sale (v1)
/// says now, when that is a fact tally acts on; `None` while it is
/// pending. The id names the resource and its status, so the same fact is
/// recorded once; `create_time` is `now` (forward-only).
pub fn resource_fact(resource: &Value, sale: bool, now: Timestamp) -> Option<Value> {
    let id = resource.get("id").and_then(Value::as_str)?;
    // v2 captures say `status` (upper case); v1 sales say `state`.
    let status = resource
        .get("status")
        .or_else(|| resource.get("state"))
        .and_then(Value::as_str)?
        .to_ascii_uppercase();
    let noun = if sale { "SALE" } else { "CAPTURE" };
    let verb = match status.as_str() {
        "COMPLETED" | "PARTIALLY_REFUNDED" | "REFUNDED" => "COMPLETED",
        "DECLINED" | "FAILED" | "DENIED" => "DENIED",
        _ => return None,
    };
    Some(serde_json::json!({
        "id": format!("sync:{id}:{status}"),
        "event_type": format!("PAYMENT.{noun}.{verb}"),
        "resource_type": if sale { "sale" } else { "capture" },
        "create_time": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "resource": resource,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_capture_becomes_the_event_of_its_status() {
        let now = chrono::Utc::now();
        let capture = json!({"id": "5O190127TN364715T", "status": "COMPLETED",
            "amount": {"currency_code": "EUR", "value": "12.50"}, "custom_id": "TEST1001"});
        let fact = resource_fact(&capture, false, now).unwrap();
        assert_eq!(fact["event_type"], "PAYMENT.CAPTURE.COMPLETED");
        let event = crate::providers::paypal::parse(fact.to_string().as_bytes()).unwrap();
        assert_eq!(event.kind, crate::providers::EventKind::Succeeded);
        assert_eq!(event.order_numbers, ["TEST1001"]);
        let pending = json!({"id": "X", "status": "PENDING"});
        assert!(resource_fact(&pending, false, now).is_none());
        let sale =
            json!({"id": "S", "state": "denied", "amount": {"total": "1.00", "currency": "EUR"}});
        assert_eq!(
            resource_fact(&sale, true, now).unwrap()["event_type"],
            "PAYMENT.SALE.DENIED"
        );
    }
}
