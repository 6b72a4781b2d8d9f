//! Stripe and PayPal event bodies, parsed into one closed [`EventKind`] and
//! the keys that match an event to a payment.
//!
//! Pure: no IO, no clock. The body parsed here has already been verified
//! byte for byte; nothing is re-serialised. What this module promises:
//!
//! - **A closed set of kinds.** Every event type tally acts on maps to one
//!   [`EventKind`]; any other type is [`EventKind::Ignored`] (answered 200,
//!   logged as ignored), and its body is not looked at further.
//! - **Exact amounts.** Stripe sends integers in minor units (zero-decimal
//!   currencies such as XOF included), PayPal decimal strings in major
//!   units; both become [`Money`] with the currency's exponent, never a
//!   float. A refund amount PayPal writes as negative ("-0.01") is taken as
//!   its absolute value.
//! - **Matching keys in priority order.** [`ProviderEvent::references`] lists
//!   the provider ids to look up against a payment's reference or charge id,
//!   most specific first; [`ProviderEvent::order_numbers`] the order numbers
//!   the shop put in the event (Stripe `metadata.order_id`; PayPal
//!   `custom_id`, `invoice_id`, `invoice_number`, `custom`).
//!
//! Stripe keys: `data.object.id` (the PaymentIntent) or
//! `data.object.payment_intent` (charges, disputes, invoices), and the
//! charge id (`latest_charge`, the charges list of older API versions,
//! `data.object.id` on a charge, `charge` on a dispute or invoice), which
//! refunds and disputes may carry alone. PayPal keys: `resource.id`,
//! `sale_id`, the `up` (or `sale`) link, `supplementary_data.related_ids
//! .order_id`, `parent_payment`, and for disputes the disputed transactions'
//! `seller_transaction_id`.

use chrono::DateTime;
use serde_json::Value;

use crate::domain::{Currency, Money, MoneyError, Provider, Timestamp, parse_ts};

/// What a provider event says, in tally's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The payment was captured: completed.
    Succeeded,
    /// The payment was declined: failed.
    Failed,
    /// The payment is in progress or waits for the customer: pending.
    Pending,
    /// The payment was cancelled before any capture: cancelled.
    Canceled,
    /// Money went back to the customer.
    Refunded(Refund),
    /// The funds were taken back (PayPal reversal): cancelled, disputed.
    Reversed,
    /// A dispute was opened: disputed.
    DisputeCreated,
    /// A dispute was closed; a lost one cancels the payment.
    DisputeClosed { lost: bool },
    /// A type tally does not act on.
    Ignored,
}

/// What a refund event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refund {
    /// The refunded total so far when `cumulative`, else this refund alone.
    pub amount: Money,
    pub cumulative: bool,
    /// What the provider says was captured, when the event says it.
    pub captured: Option<Money>,
}

/// A parsed provider event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub provider: Provider,
    /// The provider's event id, unique per provider.
    pub id: String,
    /// The provider's event type, as sent.
    pub event_type: String,
    /// When the provider created the event.
    pub created: Option<Timestamp>,
    pub kind: EventKind,
    /// Provider ids to match against a payment's reference or charge id,
    /// most specific first.
    pub references: Vec<String>,
    /// The reference a payment found by order number records when it has
    /// none (Stripe: the PaymentIntent, else the charge; PayPal: the sale
    /// or capture).
    pub reference: Option<String>,
    /// The charge (Stripe) or sale/capture (PayPal) id to keep on the
    /// payment, so later refunds and disputes that carry only it match.
    pub charge_id: Option<String>,
    /// Order numbers the shop put in the event.
    pub order_numbers: Vec<String>,
    /// The amount the event is about: captured for a success, disputed for
    /// a dispute, refunded for a refund.
    pub amount: Option<Money>,
    /// The provider's raw status text ("requires_action", "PENDING (UNILATERAL)").
    pub provider_status: Option<String>,
}

impl ProviderEvent {
    /// An event that says nothing yet beyond who sent it, its id, type and
    /// time: the parsers fill in the rest.
    fn new(
        provider: Provider,
        id: String,
        event_type: String,
        created: Option<Timestamp>,
    ) -> ProviderEvent {
        ProviderEvent {
            provider,
            id,
            event_type,
            created,
            kind: EventKind::Ignored,
            references: Vec::new(),
            reference: None,
            charge_id: None,
            order_numbers: Vec::new(),
            amount: None,
            provider_status: None,
        }
    }
}

/// Why a body is not an event tally can read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the body is not a JSON object: {0}")]
    NotJson(String),
    #[error("the event has no {0}")]
    Missing(&'static str),
    #[error("the event {field} {value:?} is too long or not printable")]
    BadId { field: &'static str, value: String },
    /// The event is identified but one of its amounts cannot be read: it is
    /// recorded as failed, not thrown away.
    #[error("{event_type} {event_id}: cannot read the amount: {reason}")]
    Amount {
        event_id: String,
        event_type: String,
        reason: String,
    },
}

impl EventError {
    /// Whether the body is unreadable as an event at all (answered 400), as
    /// opposed to an identified event whose processing failed (500).
    pub fn is_malformed(&self) -> bool {
        match self {
            EventError::NotJson(_) | EventError::Missing(_) | EventError::BadId { .. } => true,
            EventError::Amount { .. } => false,
        }
    }
}

/// Parses a verified body from `provider`.
pub fn parse(provider: Provider, body: &[u8]) -> Result<ProviderEvent, EventError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(EventError::NotJson("not an object".to_owned()));
    }
    match provider {
        Provider::Paypal => parse_paypal(&value),
        Provider::Stripe | Provider::Wave | Provider::Cash => parse_stripe(&value),
    }
}

/// The event id and type, checked: non-empty, at most 255 printable ASCII
/// characters (they end up in logs and the database).
fn ident(value: &Value, field: &'static str, key: &str) -> Result<String, EventError> {
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
fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// An id that may be a string or an expanded object with an `id`.
fn id_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    match value.get(key)? {
        Value::String(s) => Some(s.as_str()).filter(|s| !s.is_empty()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// A value the shop wrote as an order number: a string, or a number.
fn order_number(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn push_unique(list: &mut Vec<String>, item: Option<&str>) {
    if let Some(s) = item.map(str::trim).filter(|s| !s.is_empty())
        && !list.iter().any(|x| x == s)
    {
        list.push(s.to_owned());
    }
}

struct Ids<'a> {
    event_id: &'a str,
    event_type: &'a str,
}

impl Ids<'_> {
    fn amount_error(&self, reason: impl Into<String>) -> EventError {
        EventError::Amount {
            event_id: self.event_id.to_owned(),
            event_type: self.event_type.to_owned(),
            reason: reason.into(),
        }
    }

    fn currency(&self, code: Option<&str>) -> Result<Currency, EventError> {
        let code = code.ok_or_else(|| self.amount_error("no currency"))?;
        Currency::parse(code).map_err(|e: MoneyError| self.amount_error(e.to_string()))
    }

    /// A Stripe amount: an integer number of minor units.
    fn stripe_money(&self, obj: &Value, key: &str) -> Result<Option<Money>, EventError> {
        let Some(raw) = obj.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let minor = raw
            .as_i64()
            .ok_or_else(|| self.amount_error(format!("{key} is not an integer")))?;
        let currency = self.currency(text(obj, &["currency"]))?;
        Money::from_minor(minor, currency)
            .map(Some)
            .map_err(|e| self.amount_error(e.to_string()))
    }

    /// A PayPal amount object: `{total|value, currency|currency_code}`, a
    /// decimal string in major units; a leading minus is dropped.
    fn paypal_money(&self, amount: Option<&Value>) -> Result<Option<Money>, EventError> {
        let Some(amount) = amount.filter(|v| v.is_object()) else {
            return Ok(None);
        };
        let value = text(amount, &["value"])
            .or_else(|| text(amount, &["total"]))
            .ok_or_else(|| self.amount_error("the amount has no value"))?;
        let currency = self
            .currency(text(amount, &["currency_code"]).or_else(|| text(amount, &["currency"])))?;
        let magnitude = value.strip_prefix('-').unwrap_or(value);
        Money::parse(magnitude, currency)
            .map(Some)
            .map_err(|e| self.amount_error(e.to_string()))
    }
}

fn parse_stripe(v: &Value) -> Result<ProviderEvent, EventError> {
    let id = ident(v, "id", "id")?;
    let event_type = ident(v, "type", "type")?;
    let created = v
        .get("created")
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0));
    let mut event = ProviderEvent::new(Provider::Stripe, id, event_type, created);
    /// The Stripe types tally acts on.
    enum Type {
        Succeeded,
        Failed,
        Pending,
        Canceled,
        Refunded,
        DisputeCreated,
        DisputeClosed,
    }
    let kind = match event.event_type.as_str() {
        "payment_intent.succeeded" | "invoice.payment_succeeded" => Type::Succeeded,
        "payment_intent.payment_failed" => Type::Failed,
        "payment_intent.processing" | "payment_intent.requires_action" => Type::Pending,
        "payment_intent.canceled" => Type::Canceled,
        "charge.refunded" => Type::Refunded,
        "charge.dispute.created" => Type::DisputeCreated,
        "charge.dispute.closed" => Type::DisputeClosed,
        _ => return Ok(event),
    };
    let obj = v
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .ok_or(EventError::Missing("data.object"))?;
    let ids = Ids {
        event_id: &event.id,
        event_type: &event.event_type,
    };
    let own_id = text(obj, &["id"]);
    let object_type = text(obj, &["object"]).unwrap_or_default();
    let payment_intent = if object_type == "payment_intent" {
        own_id
    } else {
        id_at(obj, "payment_intent")
    };
    let charge = match object_type {
        "charge" => own_id,
        "payment_intent" => id_at(obj, "latest_charge").or_else(|| {
            obj.get("charges")
                .and_then(|c| c.get("data"))
                .and_then(Value::as_array)
                .and_then(|list| list.first())
                .and_then(|c| text(c, &["id"]))
        }),
        _ => id_at(obj, "charge"),
    };
    let mut references = Vec::new();
    push_unique(&mut references, payment_intent);
    push_unique(&mut references, charge);
    event.reference = payment_intent.or(charge).map(str::to_owned);
    event.charge_id = charge.map(str::to_owned);
    event.references = references;
    event.order_numbers = order_number(obj.get("metadata").and_then(|m| m.get("order_id")))
        .into_iter()
        .collect();
    event.provider_status = text(obj, &["status"]).map(str::to_owned);
    event.kind = match kind {
        Type::Succeeded => {
            let key = match object_type {
                "invoice" => "amount_paid",
                _ => "amount_received",
            };
            event.amount = match ids.stripe_money(obj, key)? {
                Some(m) if m.minor() > 0 => Some(m),
                _ => ids.stripe_money(obj, "amount")?,
            };
            EventKind::Succeeded
        }
        Type::Failed => EventKind::Failed,
        Type::Pending => EventKind::Pending,
        Type::Canceled => EventKind::Canceled,
        Type::Refunded => {
            let refunded = ids
                .stripe_money(obj, "amount_refunded")?
                .ok_or_else(|| ids.amount_error("no amount_refunded"))?;
            let captured = match ids.stripe_money(obj, "amount_captured")? {
                Some(m) => Some(m),
                None => ids.stripe_money(obj, "amount")?,
            };
            event.amount = Some(refunded);
            EventKind::Refunded(Refund {
                amount: refunded,
                cumulative: true,
                captured,
            })
        }
        Type::DisputeCreated => {
            event.amount = ids.stripe_money(obj, "amount")?;
            EventKind::DisputeCreated
        }
        Type::DisputeClosed => {
            event.amount = ids.stripe_money(obj, "amount")?;
            EventKind::DisputeClosed {
                lost: text(obj, &["status"]) == Some("lost"),
            }
        }
    };
    Ok(event)
}

/// The last path segment of the first link with one of `rels`.
fn link_id<'a>(resource: &'a Value, rels: &[&str]) -> Option<&'a str> {
    let links = resource.get("links")?.as_array()?;
    let href = links
        .iter()
        .find(|l| text(l, &["rel"]).is_some_and(|r| rels.contains(&r)))
        .and_then(|l| text(l, &["href"]))?;
    let path = href.split(['?', '#']).next()?;
    path.rsplit('/').find(|s| !s.is_empty())
}

fn parse_paypal(v: &Value) -> Result<ProviderEvent, EventError> {
    let id = ident(v, "id", "id")?;
    let event_type = ident(v, "event_type", "event_type")?;
    let created = text(v, &["create_time"]).and_then(|t| parse_ts(t).ok());
    let mut event = ProviderEvent::new(Provider::Paypal, id, event_type, created);
    /// The PayPal types tally acts on.
    #[derive(Clone, Copy)]
    enum Type {
        Succeeded,
        Failed,
        Pending,
        Refunded,
        Reversed,
        DisputeCreated,
        DisputeResolved,
    }
    /// What the resource is: a sale or capture, a refund (or reversal)
    /// pointing at one, or a dispute.
    enum Shape {
        Payment,
        Refund,
        Dispute,
    }
    let kind = match event.event_type.as_str() {
        "PAYMENT.SALE.COMPLETED" | "PAYMENT.CAPTURE.COMPLETED" => Type::Succeeded,
        "PAYMENT.SALE.DENIED" | "PAYMENT.CAPTURE.DENIED" => Type::Failed,
        "PAYMENT.SALE.PENDING" | "PAYMENT.CAPTURE.PENDING" => Type::Pending,
        "PAYMENT.SALE.REFUNDED" | "PAYMENT.CAPTURE.REFUNDED" => Type::Refunded,
        "PAYMENT.SALE.REVERSED" | "PAYMENT.CAPTURE.REVERSED" => Type::Reversed,
        "CUSTOMER.DISPUTE.CREATED" => Type::DisputeCreated,
        "CUSTOMER.DISPUTE.RESOLVED" => Type::DisputeResolved,
        _ => return Ok(event),
    };
    let shape = match kind {
        Type::Succeeded | Type::Failed | Type::Pending => Shape::Payment,
        Type::Refunded | Type::Reversed => Shape::Refund,
        Type::DisputeCreated | Type::DisputeResolved => Shape::Dispute,
    };
    let r = v
        .get("resource")
        .filter(|r| r.is_object())
        .ok_or(EventError::Missing("resource"))?;
    let ids = Ids {
        event_id: &event.id,
        event_type: &event.event_type,
    };
    let own_id = text(r, &["id"]);
    let related_order = text(r, &["supplementary_data", "related_ids", "order_id"]);
    let parent_payment = text(r, &["parent_payment"]);
    let mut references = Vec::new();
    match shape {
        Shape::Payment => {
            push_unique(&mut references, own_id);
            push_unique(&mut references, link_id(r, &["up"]));
            push_unique(&mut references, related_order);
            push_unique(&mut references, parent_payment);
            event.reference = own_id.map(str::to_owned);
            event.charge_id = own_id.map(str::to_owned);
            event.amount = ids.paypal_money(r.get("amount"))?;
        }
        Shape::Refund => {
            let paid = text(r, &["sale_id"])
                .or_else(|| text(r, &["capture_id"]))
                .or_else(|| link_id(r, &["up", "sale", "capture"]));
            push_unique(&mut references, own_id);
            push_unique(&mut references, paid);
            push_unique(&mut references, related_order);
            push_unique(&mut references, parent_payment);
            event.reference = paid.map(str::to_owned);
            event.charge_id = paid.map(str::to_owned);
            event.amount = ids.paypal_money(r.get("amount"))?;
        }
        Shape::Dispute => {
            let transactions = r
                .get("disputed_transactions")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for t in transactions {
                push_unique(&mut references, text(t, &["seller_transaction_id"]));
                for key in ["custom", "custom_id", "invoice_number", "invoice_id"] {
                    if let Some(n) = order_number(t.get(key)) {
                        push_unique(&mut event.order_numbers, Some(&n));
                    }
                }
            }
            event.reference = references.first().cloned();
            event.charge_id = references.first().cloned();
            event.amount = ids.paypal_money(r.get("dispute_amount"))?;
        }
    }
    event.references = references;
    for key in ["custom_id", "invoice_id", "invoice_number", "custom"] {
        if let Some(n) = order_number(r.get(key)) {
            push_unique(&mut event.order_numbers, Some(&n));
        }
    }
    let status = text(r, &["status"]).or_else(|| text(r, &["state"]));
    let reason = text(r, &["status_details", "reason"]).or_else(|| text(r, &["reason_code"]));
    event.provider_status = match (status, reason) {
        (Some(s), Some(why)) => Some(format!("{s} ({why})")),
        (Some(s), None) => Some(s.to_owned()),
        (None, _) => None,
    };
    event.kind = match kind {
        Type::Succeeded => EventKind::Succeeded,
        Type::Failed => EventKind::Failed,
        Type::Pending => EventKind::Pending,
        Type::Refunded => {
            let total = ids.paypal_money(
                r.get("seller_payable_breakdown")
                    .and_then(|b| b.get("total_refunded_amount"))
                    .or_else(|| r.get("total_refunded_amount")),
            )?;
            let this = event
                .amount
                .ok_or_else(|| ids.amount_error("the refund has no amount"))?;
            EventKind::Refunded(match total {
                Some(total) => Refund {
                    amount: total,
                    cumulative: true,
                    captured: None,
                },
                None => Refund {
                    amount: this,
                    cumulative: false,
                    captured: None,
                },
            })
        }
        Type::Reversed => EventKind::Reversed,
        Type::DisputeCreated => EventKind::DisputeCreated,
        Type::DisputeResolved => {
            let outcome = text(r, &["dispute_outcome", "outcome_code"]).unwrap_or_default();
            EventKind::DisputeClosed {
                // The buyer won, or the seller accepted the claim: the money went back.
                lost: matches!(outcome, "RESOLVED_BUYER_FAVOUR" | "ACCEPTED"),
            }
        }
    };
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples");

    fn sample(rel: &str) -> Vec<u8> {
        let path = format!("{SAMPLES}/{rel}");
        std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    fn money(amount: &str, code: &str) -> Money {
        Money::parse(amount, Currency::parse(code).unwrap()).unwrap()
    }

    fn stripe(name: &str) -> ProviderEvent {
        parse(Provider::Stripe, &sample(&format!("stripe/{name}.json"))).unwrap()
    }

    fn paypal(name: &str) -> ProviderEvent {
        parse(Provider::Paypal, &sample(&format!("paypal/{name}.json"))).unwrap()
    }

    #[test]
    fn every_stripe_sample_maps_to_its_kind() {
        let cases = [
            ("payment_intent.succeeded", EventKind::Succeeded),
            ("invoice.payment_succeeded", EventKind::Succeeded),
            ("payment_intent.payment_failed", EventKind::Failed),
            ("payment_intent.processing", EventKind::Pending),
            ("payment_intent.requires_action", EventKind::Pending),
            ("payment_intent.canceled", EventKind::Canceled),
            ("charge.dispute.created", EventKind::DisputeCreated),
        ];
        for (name, kind) in cases {
            let e = stripe(name);
            assert_eq!(e.kind, kind, "{name}");
            assert_eq!(e.event_type, name);
            assert!(e.id.starts_with("evt_"), "{name}");
            assert!(e.created.is_some(), "{name}");
            assert!(!e.references.is_empty(), "{name}");
        }
    }

    #[test]
    fn stripe_payment_intents_carry_the_intent_and_charge() {
        let e = stripe("payment_intent.succeeded");
        assert_eq!(
            e.references,
            ["pi_000000000000000000000000", "ch_000000000000000000000000"]
        );
        assert_eq!(e.reference.as_deref(), Some("pi_000000000000000000000000"));
        assert_eq!(e.charge_id.as_deref(), Some("ch_000000000000000000000000"));
        assert_eq!(e.amount, Some(money("20.00", "USD")));
        assert_eq!(e.provider_status.as_deref(), Some("succeeded"));
        assert!(e.order_numbers.is_empty());

        let e = stripe("payment_intent.processing");
        assert_eq!(e.amount, None, "no amount is read for a pending event");
        assert_eq!(e.provider_status.as_deref(), Some("processing"));
        assert_eq!(
            stripe("payment_intent.requires_action")
                .provider_status
                .as_deref(),
            Some("requires_action")
        );
    }

    #[test]
    fn stripe_refunds_and_disputes_without_an_intent_match_on_the_charge() {
        let e = stripe("charge.refunded");
        assert_eq!(e.references, ["ch_000000000000000000000000"]);
        assert_eq!(e.reference.as_deref(), Some("ch_000000000000000000000000"));
        assert_eq!(
            e.kind,
            EventKind::Refunded(Refund {
                amount: money("1.00", "USD"),
                cumulative: true,
                captured: Some(money("1.00", "USD")),
            })
        );
        let e = stripe("charge.dispute.created");
        assert_eq!(e.references, ["ch_000000000000000000000000"]);
        assert_eq!(e.amount, Some(money("1.00", "USD")));
    }

    #[test]
    fn stripe_invoices_match_on_their_intent() {
        let e = stripe("invoice.payment_succeeded");
        assert_eq!(
            e.references,
            ["pi_000000000000000000000000", "ch_000000000000000000000000"]
        );
        assert_eq!(e.amount, Some(money("20.00", "USD")));
    }

    #[test]
    fn stripe_metadata_order_id_and_zero_decimal_amounts() {
        let mut v: Value =
            serde_json::from_slice(&sample("stripe/payment_intent.succeeded.json")).unwrap();
        v["data"]["object"]["metadata"] = json!({"order_id": "TEST1001"});
        v["data"]["object"]["currency"] = json!("xof");
        v["data"]["object"]["amount_received"] = json!(45000);
        let e = parse(Provider::Stripe, v.to_string().as_bytes()).unwrap();
        assert_eq!(e.order_numbers, ["TEST1001"]);
        assert_eq!(e.amount, Some(money("45000", "XOF")));
    }

    #[test]
    fn stripe_dispute_closed_lost_or_won() {
        let mut v: Value =
            serde_json::from_slice(&sample("stripe/charge.dispute.created.json")).unwrap();
        v["type"] = json!("charge.dispute.closed");
        v["data"]["object"]["status"] = json!("lost");
        let e = parse(Provider::Stripe, v.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: true });
        v["data"]["object"]["status"] = json!("won");
        let e = parse(Provider::Stripe, v.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: false });
    }

    #[test]
    fn unknown_types_are_ignored_without_reading_the_object() {
        let body = br#"{"id":"evt_1","type":"customer.created","data":{"object":"nonsense"}}"#;
        let e = parse(Provider::Stripe, body).unwrap();
        assert_eq!(e.kind, EventKind::Ignored);
        assert_eq!(e.event_type, "customer.created");
        let body = br#"{"id":"WH-1","event_type":"BILLING.PLAN.CREATED"}"#;
        assert_eq!(
            parse(Provider::Paypal, body).unwrap().kind,
            EventKind::Ignored
        );
    }

    #[test]
    fn malformed_bodies_are_refused() {
        for body in [
            &b"not json"[..],
            b"[]",
            b"{}",
            br#"{"id":"evt_1"}"#,
            br#"{"id":"","type":"x"}"#,
            br#"{"id":"evt 1","type":"x"}"#,
            br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#,
        ] {
            let err = parse(Provider::Stripe, body).unwrap_err();
            assert!(err.is_malformed(), "{err}");
        }
    }

    #[test]
    fn a_bad_amount_is_an_identified_failure() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":
            {"object":"payment_intent","id":"pi_1","amount_received":12.5,"currency":"eur"}}}"#;
        let err = parse(Provider::Stripe, body).unwrap_err();
        assert!(!err.is_malformed());
        assert!(err.to_string().contains("evt_1"), "{err}");
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":
            {"object":"payment_intent","id":"pi_1","amount_received":100,"currency":"zzz"}}}"#;
        assert!(!parse(Provider::Stripe, body).unwrap_err().is_malformed());
    }

    #[test]
    fn paypal_samples_map_to_their_kinds() {
        let cases = [
            ("PAYMENT.SALE.COMPLETED", EventKind::Succeeded),
            (
                "PAYMENT.SALE.COMPLETED.sdk-python-2015",
                EventKind::Succeeded,
            ),
            ("PAYMENT.SALE.COMPLETED.sdk-java-2015", EventKind::Succeeded),
            ("PAYMENT.CAPTURE.COMPLETED", EventKind::Succeeded),
            (
                "PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui",
                EventKind::Succeeded,
            ),
            ("PAYMENT.SALE.DENIED", EventKind::Failed),
            ("PAYMENT.CAPTURE.DENIED", EventKind::Failed),
            ("PAYMENT.SALE.PENDING", EventKind::Pending),
            ("PAYMENT.CAPTURE.PENDING", EventKind::Pending),
        ];
        for (name, kind) in cases {
            let e = paypal(name);
            assert_eq!(e.kind, kind, "{name}");
            assert!(e.id.starts_with("WH-"), "{name}");
            assert!(e.amount.is_some(), "{name}");
            assert!(e.reference.is_some(), "{name}");
        }
    }

    #[test]
    fn paypal_captures_carry_their_ids_and_order_hints() {
        let e = paypal("PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui");
        assert_eq!(e.references, ["84745544P6340640G", "5O190127TN364715T"]);
        assert_eq!(e.charge_id.as_deref(), Some("84745544P6340640G"));
        assert_eq!(
            e.order_numbers,
            ["MERCHANT_CUSTOM_ID", "MERCHANT_INVOICE_ID"]
        );
        assert_eq!(e.amount, Some(money("100.00", "EUR")));
        assert_eq!(e.provider_status.as_deref(), Some("COMPLETED"));

        let e = paypal("PAYMENT.SALE.COMPLETED");
        assert_eq!(
            e.references,
            ["80021663DE681814L", "PAY-1PA12106FU478450MKRETS4A"]
        );
        assert_eq!(e.amount, Some(money("0.48", "USD")));

        let e = paypal("PAYMENT.SALE.PENDING");
        assert_eq!(e.order_numbers, ["5f3e3e5eb5ed8"]);
        assert_eq!(e.provider_status.as_deref(), Some("pending (UNILATERAL)"));
        let e = paypal("PAYMENT.CAPTURE.PENDING");
        assert_eq!(e.provider_status.as_deref(), Some("PENDING (UNILATERAL)"));
    }

    #[test]
    fn paypal_refunds_point_at_the_sale_or_capture() {
        let e = paypal("PAYMENT.SALE.REFUNDED");
        assert_eq!(e.reference.as_deref(), Some("9T0916710M1105906"));
        assert_eq!(
            e.references,
            [
                "6YX43824R4443062K",
                "9T0916710M1105906",
                "PAY-5437236047802405NKRJ22UA"
            ]
        );
        // "-0.01": the refund's magnitude.
        assert_eq!(
            e.kind,
            EventKind::Refunded(Refund {
                amount: money("0.01", "USD"),
                cumulative: false,
                captured: None
            })
        );
        let e = paypal("PAYMENT.CAPTURE.REFUNDED");
        assert_eq!(e.reference.as_deref(), Some("0JF852973C016714D"));
        assert_eq!(e.charge_id.as_deref(), Some("0JF852973C016714D"));
        assert_eq!(
            e.kind,
            EventKind::Refunded(Refund {
                amount: money("1.98", "USD"),
                cumulative: true,
                captured: None
            })
        );
        assert_eq!(e.amount, Some(money("0.99", "USD")));
    }

    #[test]
    fn paypal_reversals_and_disputes() {
        let mut v: Value =
            serde_json::from_slice(&sample("paypal/PAYMENT.CAPTURE.REFUNDED.json")).unwrap();
        v["event_type"] = json!("PAYMENT.CAPTURE.REVERSED");
        let e = parse(Provider::Paypal, v.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::Reversed);
        assert_eq!(e.reference.as_deref(), Some("0JF852973C016714D"));

        let dispute = |event_type: &str, outcome: &str| {
            json!({
                "id": "WH-D1", "event_type": event_type, "create_time": "2026-11-21T10:00:00Z",
                "resource": {
                    "dispute_id": "PP-D-1",
                    "disputed_transactions": [{"seller_transaction_id": "3BC38643YC807283D",
                                               "invoice_number": "TEST1014"}],
                    "dispute_amount": {"currency_code": "EUR", "value": "89.90"},
                    "dispute_outcome": {"outcome_code": outcome},
                    "status": "RESOLVED"
                }
            })
            .to_string()
        };
        let e = parse(
            Provider::Paypal,
            dispute("CUSTOMER.DISPUTE.CREATED", "").as_bytes(),
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::DisputeCreated);
        assert_eq!(e.references, ["3BC38643YC807283D"]);
        assert_eq!(e.order_numbers, ["TEST1014"]);
        assert_eq!(e.amount, Some(money("89.90", "EUR")));
        for (outcome, lost) in [
            ("RESOLVED_BUYER_FAVOUR", true),
            ("ACCEPTED", true),
            ("RESOLVED_SELLER_FAVOUR", false),
            ("CANCELED_BY_BUYER", false),
        ] {
            let e = parse(
                Provider::Paypal,
                dispute("CUSTOMER.DISPUTE.RESOLVED", outcome).as_bytes(),
            )
            .unwrap();
            assert_eq!(e.kind, EventKind::DisputeClosed { lost }, "{outcome}");
        }
    }
}

/// Hostile input: any bytes and any JSON, event-shaped or not, parse into
/// an event or an [`EventError`], never a panic; and what parses keeps the
/// promises the matching relies on.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, json};

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples");

    const STRIPE_TYPES: [&str; 10] = [
        "payment_intent.succeeded",
        "invoice.payment_succeeded",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
        "customer.created",
    ];
    const PAYPAL_TYPES: [&str; 15] = [
        "PAYMENT.SALE.COMPLETED",
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.SALE.DENIED",
        "PAYMENT.CAPTURE.DENIED",
        "PAYMENT.SALE.PENDING",
        "PAYMENT.CAPTURE.PENDING",
        "PAYMENT.SALE.REFUNDED",
        "PAYMENT.CAPTURE.REFUNDED",
        "PAYMENT.SALE.REVERSED",
        "PAYMENT.CAPTURE.REVERSED",
        "CUSTOMER.DISPUTE.CREATED",
        "CUSTOMER.DISPUTE.RESOLVED",
        "BILLING.PLAN.CREATED",
        "payment.sale.completed",
        "",
    ];
    /// The keys the parser looks at, so that random objects reach its branches.
    const KEYS: [&str; 44] = [
        "id",
        "type",
        "event_type",
        "created",
        "create_time",
        "data",
        "object",
        "resource",
        "payment_intent",
        "latest_charge",
        "charges",
        "charge",
        "metadata",
        "order_id",
        "status",
        "amount",
        "amount_received",
        "amount_paid",
        "amount_refunded",
        "amount_captured",
        "currency",
        "value",
        "total",
        "currency_code",
        "links",
        "rel",
        "href",
        "sale_id",
        "capture_id",
        "parent_payment",
        "supplementary_data",
        "related_ids",
        "disputed_transactions",
        "seller_transaction_id",
        "dispute_amount",
        "dispute_outcome",
        "outcome_code",
        "custom_id",
        "invoice_id",
        "invoice_number",
        "custom",
        "seller_payable_breakdown",
        "total_refunded_amount",
        "status_details",
    ];
    const WORDS: [&str; 24] = [
        "payment_intent",
        "charge",
        "invoice",
        "dispute",
        "eur",
        "EUR",
        "xof",
        "KWD",
        "zzz",
        "",
        " ",
        "-0.01",
        "--1",
        "12.345",
        "1e3",
        "99999999999999999999",
        "lost",
        "up",
        "sale",
        "capture",
        "https://api.paypal.com/v1/payments/sale/ABC?x=1#y",
        "/",
        "RESOLVED_BUYER_FAVOUR",
        "2026-11-21T10:00:00Z",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (-10_000i64..1_000_000).prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            prop::sample::select(WORDS.to_vec()).prop_map(|s| json!(s)),
            "\\PC{0,12}".prop_map(Value::String),
            "[ -~]{0,300}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6).prop_map(
                    |kv| {
                        Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                    }
                ),
            ]
        })
    }

    fn ident() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => "[a-zA-Z0-9_-]{1,30}".prop_map(Value::String),
            1 => leaf(),
        ]
    }

    /// An event of a known (or nearly known) type with random contents.
    fn event_like() -> impl Strategy<Value = (Provider, Value)> {
        let stripe = (
            ident(),
            prop::sample::select(STRIPE_TYPES.to_vec()),
            leaf(),
            value(),
        )
            .prop_map(|(id, t, created, object)| {
                (
                    Provider::Stripe,
                    json!({"id": id, "type": t, "created": created, "data": {"object": object}}),
                )
            });
        let paypal = (
            ident(),
            prop::sample::select(PAYPAL_TYPES.to_vec()),
            leaf(),
            value(),
        )
            .prop_map(|(id, t, time, resource)| {
                (
                    Provider::Paypal,
                    json!({"id": id, "event_type": t, "create_time": time, "resource": resource}),
                )
            });
        prop_oneof![stripe, paypal]
    }

    /// Every sample body, with its provider.
    fn samples() -> Vec<(Provider, Value)> {
        let mut out = Vec::new();
        for (dir, provider) in [("stripe", Provider::Stripe), ("paypal", Provider::Paypal)] {
            let mut paths: Vec<_> = std::fs::read_dir(format!("{SAMPLES}/{dir}"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json")
                        && !p.to_string_lossy().contains("signature_vectors")
                })
                .collect();
            paths.sort();
            for p in paths {
                let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                out.push((provider, v));
            }
        }
        out
    }

    /// Every path to a value inside `v` (object keys and array indexes).
    fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        let children: Vec<(String, &Value)> = match v {
            Value::Object(map) => map.iter().map(|(k, c)| (k.clone(), c)).collect(),
            Value::Array(list) => list
                .iter()
                .enumerate()
                .map(|(i, c)| (i.to_string(), c))
                .collect(),
            _ => Vec::new(),
        };
        for (k, c) in children {
            prefix.push(k);
            paths(c, prefix, out);
            prefix.pop();
        }
    }

    fn replace(v: &mut Value, path: &[String], new: Value) {
        let Some((first, rest)) = path.split_first() else {
            *v = new;
            return;
        };
        let child = match v {
            Value::Object(map) => map.get_mut(first),
            Value::Array(list) => first.parse::<usize>().ok().and_then(|i| list.get_mut(i)),
            _ => None,
        };
        if let Some(child) = child {
            replace(child, rest, new);
        }
    }

    /// What every parsed event promises.
    fn check(provider: Provider, body: &[u8]) -> Result<(), TestCaseError> {
        match parse(provider, body) {
            Ok(e) => {
                prop_assert_eq!(
                    e.provider,
                    match provider {
                        Provider::Paypal => Provider::Paypal,
                        Provider::Stripe | Provider::Wave | Provider::Cash => Provider::Stripe,
                    }
                );
                for id in [&e.id, &e.event_type] {
                    prop_assert!(!id.is_empty() && id.len() <= 255);
                    prop_assert!(id.bytes().all(|b| b.is_ascii_graphic()));
                }
                for (i, r) in e.references.iter().enumerate() {
                    prop_assert!(!r.is_empty() && r.trim() == r);
                    prop_assert!(!e.references[..i].contains(r), "duplicate reference {r}");
                }
                for n in &e.order_numbers {
                    prop_assert!(!n.is_empty() && n.trim() == n);
                }
                if let Some(m) = e.amount {
                    prop_assert!(m.minor() >= 0);
                }
                if let EventKind::Refunded(r) = e.kind {
                    prop_assert!(r.amount.minor() >= 0);
                }
                if e.kind == EventKind::Ignored {
                    prop_assert!(e.references.is_empty() && e.amount.is_none());
                }
            }
            Err(err) => {
                // Every error says what is wrong, and short: it ends up in a log row.
                let text = err.to_string();
                prop_assert!(!text.is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_bytes_are_an_event_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            for provider in [Provider::Stripe, Provider::Paypal] {
                check(provider, &bytes)?;
            }
        }

        #[test]
        fn any_json_is_an_event_or_an_error(v in value()) {
            let body = v.to_string();
            for provider in [Provider::Stripe, Provider::Paypal] {
                check(provider, body.as_bytes())?;
            }
        }

        #[test]
        fn any_event_shaped_json_is_an_event_or_an_error((provider, v) in event_like()) {
            check(provider, v.to_string().as_bytes())?;
        }

        #[test]
        fn a_real_event_with_random_parts_replaced_is_an_event_or_an_error(
            pick in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), value()), 1..4),
        ) {
            let all = samples();
            let (provider, mut v) = all[pick.index(all.len())].clone();
            for (at, new) in edits {
                let mut found = Vec::new();
                paths(&v, &mut Vec::new(), &mut found);
                let path = found[at.index(found.len())].clone();
                replace(&mut v, &path, new);
            }
            check(provider, v.to_string().as_bytes())?;
        }

        #[test]
        fn a_real_event_with_a_key_dropped_is_an_event_or_an_error(
            pick in any::<prop::sample::Index>(),
            drop_at in any::<prop::sample::Index>(),
        ) {
            let all = samples();
            let (provider, mut v) = all[pick.index(all.len())].clone();
            let mut found = Vec::new();
            paths(&v, &mut Vec::new(), &mut found);
            let path = found[drop_at.index(found.len())].clone();
            if let Some((last, parent)) = path.split_last() {
                replace(&mut v, parent, Value::Null);
                let _ = last;
            }
            check(provider, v.to_string().as_bytes())?;
            let _ = Map::<String, Value>::new();
        }
    }
}
