//! Reading a provider's JSON body: what both parsers need and neither owns.
//!
//! Pure. What it promises: ids that reach logs and the database are
//! checked (non-empty, short, printable ASCII); texts are trimmed and never
//! empty; an amount that cannot be read is an [`EventError::Amount`] that
//! names its event, so the event is recorded as failed rather than lost;
//! every movement an event reports is stamped with the event's own time and
//! id ([`Stamp`]).

use serde_json::Value;

use super::event::{EventError, ProviderEvent};
use crate::domain::{Currency, Flow, Money, MoneyError, Movement, Timestamp};

/// A verified body as a JSON object.
pub(super) fn object(body: &[u8]) -> Result<Value, EventError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(EventError::NotJson("not an object".to_owned()));
    }
    Ok(value)
}

/// The event id and type, checked: non-empty, at most 255 printable ASCII
/// characters (they end up in logs and the database).
pub(super) fn ident(value: &Value, field: &'static str, key: &str) -> Result<String, EventError> {
    let text = value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(EventError::Missing(field))?;
    if text.len() > 255 || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(EventError::BadId {
            field,
            value: text.chars().take(40).collect(),
        });
    }
    Ok(text.to_owned())
}

/// A non-empty string at `path`.
pub(super) fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// An id that may be a string or an expanded object with an `id`.
pub(super) fn id_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    match value.get(key)? {
        Value::String(s) => Some(s.as_str()).filter(|s| !s.is_empty()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// A value the shop wrote as an order number: a string, or a number.
pub(super) fn order_number(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn push_unique(list: &mut Vec<String>, item: Option<&str>) {
    if let Some(s) = item.map(str::trim).filter(|s| !s.is_empty())
        && !list.iter().any(|x| x == s)
    {
        list.push(s.to_owned());
    }
}

/// The event an amount belongs to, so that an amount error names it.
pub(super) struct Ids<'a> {
    event_id: &'a str,
    event_type: &'a str,
}

impl Ids<'_> {
    pub(super) fn of(event: &ProviderEvent) -> Ids<'_> {
        Ids {
            event_id: &event.id,
            event_type: &event.event_type,
        }
    }

    pub(super) fn amount_error(&self, reason: impl Into<String>) -> EventError {
        EventError::Amount {
            event_id: self.event_id.to_owned(),
            event_type: self.event_type.to_owned(),
            reason: reason.into(),
        }
    }

    pub(super) fn currency(&self, code: Option<&str>) -> Result<Currency, EventError> {
        let code = code.ok_or_else(|| self.amount_error("no currency"))?;
        Currency::parse(code).map_err(|e: MoneyError| self.amount_error(e.to_string()))
    }
}

/// The time and the event every movement of one event is stamped with.
pub(super) struct Stamp<'a> {
    at: Option<Timestamp>,
    event_id: &'a str,
}

impl Stamp<'_> {
    /// `at`: the event's own creation time, else the time its object
    /// carries; `None` when neither is there.
    pub(super) fn new(at: Option<Timestamp>, event_id: &str) -> Stamp<'_> {
        Stamp { at, event_id }
    }

    /// A movement of `amount` at the event's time, reported by the event;
    /// an event without any time cannot report one.
    pub(super) fn movement(&self, flow: Flow, amount: Money) -> Result<Movement, EventError> {
        let at = self.at.ok_or(EventError::Missing("created"))?;
        Ok(Movement::new(flow, amount, at).with_event(self.event_id))
    }

    /// [`Stamp::movement`] with the provider's id of what moved, when there is one.
    pub(super) fn movement_of(
        &self,
        flow: Flow,
        amount: Money,
        provider_id: Option<&str>,
    ) -> Result<Movement, EventError> {
        let m = self.movement(flow, amount)?;
        Ok(match provider_id {
            Some(id) => m.with_id(id),
            None => m,
        })
    }
}
