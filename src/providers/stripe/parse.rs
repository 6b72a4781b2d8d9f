//! Stripe event bodies into a [`ProviderEvent`]: its kind, its amount and
//! the keys that match it to a payment.
//!
//! Pure: no IO, no clock. The body parsed here has already been verified
//! byte for byte; nothing is re-serialised. Stripe sends amounts as
//! integers in minor units (zero-decimal currencies such as XOF included).
//!
//! Keys: `data.object.id` (the PaymentIntent) or
//! `data.object.payment_intent` (charges, disputes, invoices), and the
//! charge id (`latest_charge`, the charges list of older API versions,
//! `data.object.id` on a charge, `charge` on a dispute or invoice), which
//! refunds and disputes may carry alone. The order number is
//! `metadata.order_id`.

use chrono::DateTime;
use serde_json::Value;

use crate::domain::{Money, Provider};
use crate::providers::event::{EventError, EventKind, ProviderEvent, Refund};
use crate::providers::json::{self, Ids, id_at, ident, order_number, push_unique, text};

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

impl Type {
    fn of(event_type: &str) -> Option<Type> {
        Some(match event_type {
            "payment_intent.succeeded" | "invoice.payment_succeeded" => Type::Succeeded,
            "payment_intent.payment_failed" => Type::Failed,
            "payment_intent.processing" | "payment_intent.requires_action" => Type::Pending,
            "payment_intent.canceled" => Type::Canceled,
            "charge.refunded" => Type::Refunded,
            "charge.dispute.created" => Type::DisputeCreated,
            "charge.dispute.closed" => Type::DisputeClosed,
            _ => return None,
        })
    }
}

/// Parses a verified Stripe body.
pub fn parse(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let v = json::object(body)?;
    let id = ident(&v, "id", "id")?;
    let event_type = ident(&v, "type", "type")?;
    let created = v
        .get("created")
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0));
    let mut event = ProviderEvent::new(Provider::Stripe, id, event_type, created);
    let Some(kind) = Type::of(&event.event_type) else {
        return Ok(event);
    };
    let obj = v
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .ok_or(EventError::Missing("data.object"))?;
    match_keys(&mut event, obj);
    let (kind, amount) = kind_and_amount(kind, obj, &Ids::of(&event))?;
    event.kind = kind;
    event.amount = amount;
    Ok(event)
}

/// The PaymentIntent and the charge an object names.
fn intent_and_charge(obj: &Value) -> (Option<&str>, Option<&str>) {
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
    (payment_intent, charge)
}

/// The references, order numbers and raw status of an event about `obj`.
fn match_keys(event: &mut ProviderEvent, obj: &Value) {
    let (payment_intent, charge) = intent_and_charge(obj);
    push_unique(&mut event.references, payment_intent);
    push_unique(&mut event.references, charge);
    event.reference = payment_intent.or(charge).map(str::to_owned);
    event.charge_id = charge.map(str::to_owned);
    event.order_numbers = order_number(obj.get("metadata").and_then(|m| m.get("order_id")))
        .into_iter()
        .collect();
    event.provider_status = text(obj, &["status"]).map(str::to_owned);
}

/// What the event says and the amount it is about.
fn kind_and_amount(
    kind: Type,
    obj: &Value,
    ids: &Ids<'_>,
) -> Result<(EventKind, Option<Money>), EventError> {
    Ok(match kind {
        Type::Succeeded => (EventKind::Succeeded, captured(obj, ids)?),
        Type::Failed => (EventKind::Failed, None),
        Type::Pending => (EventKind::Pending, None),
        Type::Canceled => (EventKind::Canceled, None),
        Type::Refunded => {
            let refund = refund(obj, ids)?;
            (EventKind::Refunded(refund), Some(refund.amount))
        }
        Type::DisputeCreated => (EventKind::DisputeCreated, money(obj, "amount", ids)?),
        Type::DisputeClosed => {
            let amount = money(obj, "amount", ids)?;
            let lost = text(obj, &["status"]) == Some("lost");
            (EventKind::DisputeClosed { lost }, amount)
        }
    })
}

/// What a success captured: the amount received (paid, for an invoice),
/// else the amount asked for.
fn captured(obj: &Value, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    let key = match text(obj, &["object"]).unwrap_or_default() {
        "invoice" => "amount_paid",
        _ => "amount_received",
    };
    Ok(match money(obj, key, ids)? {
        Some(m) if m.minor() > 0 => Some(m),
        _ => money(obj, "amount", ids)?,
    })
}

/// A charge's refunds: Stripe reports the refunded total so far.
fn refund(obj: &Value, ids: &Ids<'_>) -> Result<Refund, EventError> {
    let refunded = money(obj, "amount_refunded", ids)?
        .ok_or_else(|| ids.amount_error("no amount_refunded"))?;
    let captured = match money(obj, "amount_captured", ids)? {
        Some(m) => Some(m),
        None => money(obj, "amount", ids)?,
    };
    Ok(Refund {
        amount: refunded,
        cumulative: true,
        captured,
    })
}

/// A Stripe amount: an integer number of minor units.
fn money(obj: &Value, key: &str, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    let Some(raw) = obj.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let minor = raw
        .as_i64()
        .ok_or_else(|| ids.amount_error(format!("{key} is not an integer")))?;
    let currency = ids.currency(text(obj, &["currency"]))?;
    Money::from_minor(minor, currency)
        .map(Some)
        .map_err(|e| ids.amount_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;
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
        parse(&sample(&format!("stripe/{name}.json"))).unwrap()
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
        let e = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(e.order_numbers, ["TEST1001"]);
        assert_eq!(e.amount, Some(money("45000", "XOF")));
    }

    #[test]
    fn stripe_dispute_closed_lost_or_won() {
        let mut v: Value =
            serde_json::from_slice(&sample("stripe/charge.dispute.created.json")).unwrap();
        v["type"] = json!("charge.dispute.closed");
        v["data"]["object"]["status"] = json!("lost");
        let e = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: true });
        v["data"]["object"]["status"] = json!("won");
        let e = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: false });
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
            let err = parse(body).unwrap_err();
            assert!(err.is_malformed(), "{err}");
        }
    }

    #[test]
    fn a_bad_amount_is_an_identified_failure() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":
            {"object":"payment_intent","id":"pi_1","amount_received":12.5,"currency":"eur"}}}"#;
        let err = parse(body).unwrap_err();
        assert!(!err.is_malformed());
        assert!(err.to_string().contains("evt_1"), "{err}");
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":
            {"object":"payment_intent","id":"pi_1","amount_received":100,"currency":"zzz"}}}"#;
        assert!(!parse(body).unwrap_err().is_malformed());
    }
}
