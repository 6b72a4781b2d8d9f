//! Stripe event bodies into a [`ProviderEvent`]: its kind, its amount,
//! the keys that match it to a payment, and the money movements it reports.
//!
//! Pure: no IO, no clock. The body parsed here has already been verified
//! byte for byte; nothing is re-serialised. Stripe sends amounts as
//! integers in minor units (zero-decimal currencies such as XOF included).
//!
//! Keys: `data.object.id` (the PaymentIntent) or
//! `data.object.payment_intent` (charges, refunds, disputes, invoices;
//! `payment.payment_intent` on an invoice payment), and the charge id
//! (`latest_charge`, the charges list of older API versions,
//! `data.object.id` on a charge, `charge` on a refund, dispute or invoice,
//! `payment.charge` on an invoice payment), which refunds and disputes may
//! carry alone. The order number is `metadata.order_id`.
//!
//! Movements (see [`crate::domain::ledger`]): every one is stamped with the
//! event's `created` (else the object's `created`) and the event id.
//! Captures and releases are keyed by the charge (else the PaymentIntent),
//! refunds by their `re_…` id, disputes by their `dp_…`/`du_…` id (a 2013
//! dispute without an id by `dispute:` + its charge). A movement nothing
//! can key is not reported: a keyless refund would read as a cumulative
//! total.

use chrono::DateTime;
use serde_json::Value;

use crate::domain::{DisputeState, Flow, Money, Movement, Provider, RefundState, Timestamp};
use crate::providers::event::{EventError, EventKind, ProviderEvent, Refund};
use crate::providers::json::{self, Ids, Stamp, id_at, ident, order_number, push_unique, text};

/// The Stripe types tally acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    /// `payment_intent.succeeded`, `invoice.payment_succeeded`.
    Succeeded,
    /// `invoice_payment.paid` (API 2025-03-31 and later).
    InvoicePaid,
    Failed,
    Pending,
    /// `payment_intent.amount_capturable_updated`.
    Authorised,
    Canceled,
    /// `charge.refunded`: the object is the charge.
    Refunded,
    /// `charge.refund.updated`, `refund.created`, `refund.updated`: the
    /// object is the refund.
    Refund,
    /// `refund.failed`.
    RefundFailed,
    DisputeCreated,
    DisputeClosed,
    /// `charge.dispute.updated`, `charge.dispute.funds_withdrawn`.
    Dispute,
    /// `charge.dispute.funds_reinstated`.
    DisputeReinstated,
}

impl Type {
    fn of(event_type: &str) -> Option<Type> {
        Some(match event_type {
            "payment_intent.succeeded" | "invoice.payment_succeeded" => Type::Succeeded,
            "invoice_payment.paid" => Type::InvoicePaid,
            "payment_intent.payment_failed" => Type::Failed,
            "payment_intent.processing" | "payment_intent.requires_action" => Type::Pending,
            "payment_intent.amount_capturable_updated" => Type::Authorised,
            "payment_intent.canceled" => Type::Canceled,
            "charge.refunded" => Type::Refunded,
            "charge.refund.updated" | "refund.created" | "refund.updated" => Type::Refund,
            "refund.failed" => Type::RefundFailed,
            "charge.dispute.created" => Type::DisputeCreated,
            "charge.dispute.closed" => Type::DisputeClosed,
            "charge.dispute.updated" | "charge.dispute.funds_withdrawn" => Type::Dispute,
            "charge.dispute.funds_reinstated" => Type::DisputeReinstated,
            _ => return None,
        })
    }
}

/// Every Stripe event type tally acts on (at most 20: what `GET /v1/events`
/// takes as `types[]`).
pub const ACTED_ON: &[&str] = &[
    "payment_intent.succeeded",
    "invoice.payment_succeeded",
    "invoice_payment.paid",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.dispute.created",
    "charge.dispute.closed",
    "charge.dispute.updated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
];

/// Whether tally acts on this Stripe event type.
pub fn acts_on(event_type: &str) -> bool {
    Type::of(event_type).is_some()
}

/// Parses a verified Stripe body.
pub fn parse(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let v = json::object(body)?;
    let id = ident(&v, "id", "id")?;
    let event_type = ident(&v, "type", "type")?;
    let created = timestamp(v.get("created"));
    let mut event = ProviderEvent::new(Provider::Stripe, id, event_type, created);
    let Some(kind) = Type::of(&event.event_type) else {
        return Ok(event);
    };
    let obj = v
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .ok_or(EventError::Missing("data.object"))?;
    match_keys(&mut event, kind, obj);
    let stamp = Stamp::new(created.or_else(|| timestamp(obj.get("created"))), &event.id);
    let read = read(kind, obj, &Ids::of(&event), &stamp)?;
    event.kind = read.kind;
    event.amount = read.amount;
    event.movements = read.movements;
    Ok(event)
}

/// A Stripe time: seconds since the epoch.
fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    value
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

/// The PaymentIntent and the charge an object names.
fn intent_and_charge(kind: Type, obj: &Value) -> (Option<&str>, Option<&str>) {
    let own_id = text(obj, &["id"]);
    let object_type = text(obj, &["object"]).unwrap_or_default();
    if kind == Type::InvoicePaid || object_type == "invoice_payment" {
        // An invoice payment names what paid it under `payment`.
        let payment = obj.get("payment").filter(|p| p.is_object());
        return (
            payment.and_then(|p| id_at(p, "payment_intent")),
            payment.and_then(|p| id_at(p, "charge")),
        );
    }
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
fn match_keys(event: &mut ProviderEvent, kind: Type, obj: &Value) {
    let (payment_intent, charge) = intent_and_charge(kind, obj);
    push_unique(&mut event.references, payment_intent);
    push_unique(&mut event.references, charge);
    event.reference = payment_intent.or(charge).map(str::to_owned);
    event.charge_id = charge.map(str::to_owned);
    event.order_numbers = order_number(obj.get("metadata").and_then(|m| m.get("order_id")))
        .into_iter()
        .collect();
    event.provider_status = text(obj, &["status"]).map(str::to_owned);
}

/// What an event says: its kind, the amount it is about, its movements.
struct Read {
    kind: EventKind,
    amount: Option<Money>,
    movements: Vec<Movement>,
}

impl Read {
    fn bare(kind: EventKind) -> Read {
        Read {
            kind,
            amount: None,
            movements: Vec::new(),
        }
    }
}

/// What the event says, the amount it is about and the money it moved.
fn read(kind: Type, obj: &Value, ids: &Ids<'_>, stamp: &Stamp<'_>) -> Result<Read, EventError> {
    let own_id = text(obj, &["id"]);
    let (payment_intent, charge) = intent_and_charge(kind, obj);
    // What a capture is keyed by: the charge, else the PaymentIntent (else
    // the object itself: an invoice of the current shape names neither).
    let paid_by = charge.or(payment_intent).or(own_id);
    Ok(match kind {
        Type::Succeeded => {
            let amount = captured(obj, ids)?;
            let mut movements = Vec::new();
            if let Some(m) = amount.filter(|m| m.minor() > 0) {
                movements.push(stamp.movement_of(Flow::Captured, m, paid_by)?);
                if let Some(m) = released(obj, ids)? {
                    movements.push(stamp.movement_of(Flow::Released, m, paid_by)?);
                }
            }
            Read {
                kind: EventKind::Succeeded,
                amount,
                movements,
            }
        }
        Type::InvoicePaid => {
            let amount = money(obj, "amount_paid", ids)?;
            let mut movements = Vec::new();
            if let Some(m) = amount.filter(|m| m.minor() > 0) {
                movements.push(stamp.movement_of(Flow::Captured, m, paid_by)?);
            }
            Read {
                kind: EventKind::Succeeded,
                amount,
                movements,
            }
        }
        Type::Failed => Read::bare(EventKind::Failed),
        Type::Pending => Read::bare(EventKind::Pending),
        Type::Authorised => {
            let amount = money(obj, "amount_capturable", ids)?;
            let mut movements = Vec::new();
            if let Some(m) = amount.filter(|m| m.minor() > 0) {
                movements.push(stamp.movement_of(Flow::Authorised, m, payment_intent)?);
            }
            Read {
                kind: EventKind::Pending,
                amount,
                movements,
            }
        }
        Type::Canceled => Read::bare(EventKind::Canceled),
        Type::Refunded => {
            let refund = refund(obj, ids)?;
            Read {
                kind: EventKind::Refunded(refund),
                amount: Some(refund.amount),
                movements: charge_refunded(obj, ids, stamp)?,
            }
        }
        Type::Refund | Type::RefundFailed => read_refund(kind, obj, ids, stamp)?,
        Type::DisputeCreated | Type::DisputeClosed | Type::Dispute | Type::DisputeReinstated => {
            read_dispute(kind, obj, ids, stamp, charge)?
        }
    })
}

/// A refund object (`charge.refund.updated`, `refund.*`): one refund in its
/// state, keyed by its id.
fn read_refund(
    kind: Type,
    obj: &Value,
    ids: &Ids<'_>,
    stamp: &Stamp<'_>,
) -> Result<Read, EventError> {
    let amount =
        money(obj, "amount", ids)?.ok_or_else(|| ids.amount_error("the refund has no amount"))?;
    let state = if kind == Type::RefundFailed {
        RefundState::Failed
    } else {
        refund_state(text(obj, &["status"]))
    };
    let mut movements = Vec::new();
    if let Some(id) = text(obj, &["id"]) {
        movements.push(stamp.movement_of(Flow::Refund(state), amount, Some(id))?);
    }
    Ok(Read {
        kind: EventKind::Ledger,
        amount: Some(amount),
        movements,
    })
}

/// A dispute object (`charge.dispute.*`): the dispute in its state, keyed
/// by its id (by its charge in the 2013 shape, which has no id).
fn read_dispute(
    kind: Type,
    obj: &Value,
    ids: &Ids<'_>,
    stamp: &Stamp<'_>,
    charge: Option<&str>,
) -> Result<Read, EventError> {
    let amount = money(obj, "amount", ids)?;
    let status = text(obj, &["status"]);
    let (event_kind, state) = match kind {
        Type::DisputeCreated => (EventKind::DisputeCreated, dispute_state(status)),
        Type::DisputeClosed => (
            EventKind::DisputeClosed {
                lost: status == Some("lost"),
            },
            dispute_state(status),
        ),
        // The funds came back: the dispute was won, whatever the status
        // still says (dj-stripe's object is `under_review`).
        Type::DisputeReinstated => (EventKind::Ledger, DisputeState::Won),
        Type::Dispute
        | Type::Succeeded
        | Type::InvoicePaid
        | Type::Failed
        | Type::Pending
        | Type::Authorised
        | Type::Canceled
        | Type::Refunded
        | Type::Refund
        | Type::RefundFailed => (EventKind::Ledger, dispute_state(status)),
    };
    let mut movements = Vec::new();
    if let Some(m) = amount {
        let flow = Flow::Dispute(state);
        match (text(obj, &["id"]), charge) {
            (Some(id), _) => movements.push(stamp.movement_of(flow, m, Some(id))?),
            // The 2013 shape has no dispute id: one dispute per charge.
            (None, Some(charge)) => movements.push(
                stamp
                    .movement(flow, m)?
                    .with_key(&format!("dispute:{charge}")),
            ),
            (None, None) => {}
        }
    }
    Ok(Read {
        kind: event_kind,
        amount,
        movements,
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
    money_in(obj, key, obj, ids)
}

/// An amount of `obj` in its own currency, else in `parent`'s (a refund
/// listed on its charge).
fn money_in(
    obj: &Value,
    key: &str,
    parent: &Value,
    ids: &Ids<'_>,
) -> Result<Option<Money>, EventError> {
    let Some(raw) = obj.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let minor = raw
        .as_i64()
        .ok_or_else(|| ids.amount_error(format!("{key} is not an integer")))?;
    let currency =
        ids.currency(text(obj, &["currency"]).or_else(|| text(parent, &["currency"])))?;
    Money::from_minor(minor, currency)
        .map(Some)
        .map_err(|e| ids.amount_error(e.to_string()))
}

/// The part of an authorisation a PaymentIntent did not capture:
/// `amount - amount_received` when `amount > amount_received > 0`.
fn released(obj: &Value, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    let (Some(asked), Some(received)) = (
        money(obj, "amount", ids)?,
        money(obj, "amount_received", ids)?,
    ) else {
        return Ok(None);
    };
    if received.minor() <= 0 || asked.minor() <= received.minor() {
        return Ok(None);
    }
    Money::from_minor(asked.minor() - received.minor(), asked.currency())
        .map(Some)
        .map_err(|e| ids.amount_error(e.to_string()))
}

/// A `charge.refunded` charge's movements: what it captured, what it
/// released, and its refunds: one per refund when the event lists them
/// all, else Stripe's cumulative total without an id.
///
/// Stripe counts the released part of a partially captured charge in
/// `amount_refunded`: only what was refunded out of the capture is a
/// refund (a charge of 179.80 captured 100.00 and refunded 100.00 released
/// 79.80 and refunded 20.20).
fn charge_refunded(
    obj: &Value,
    ids: &Ids<'_>,
    stamp: &Stamp<'_>,
) -> Result<Vec<Movement>, EventError> {
    let charge = text(obj, &["id"]);
    let amount = money(obj, "amount", ids)?;
    // What was captured: `amount_captured` (API 2019 and later), else the
    // whole amount of a charge marked `captured`, else unknown.
    let captured = match money(obj, "amount_captured", ids)? {
        Some(m) => Some(m),
        None => match obj.get("captured").and_then(Value::as_bool) {
            Some(true) => amount,
            Some(false) => amount.map(|m| Money::zero(m.currency())),
            None => None,
        },
    };
    let released_minor = match (amount, captured) {
        (Some(a), Some(c)) => (a.minor() - c.minor()).max(0),
        _ => 0,
    };
    let mut out = Vec::new();
    if let Some(c) = captured.filter(|c| c.minor() > 0) {
        out.push(stamp.movement_of(Flow::Captured, c, charge)?);
    }
    if released_minor > 0
        && let Some(a) = amount
    {
        let m = Money::from_minor(released_minor, a.currency())
            .map_err(|e| ids.amount_error(e.to_string()))?;
        out.push(stamp.movement_of(Flow::Released, m, charge)?);
    }
    match listed_refunds(obj, ids)? {
        Some(refunds) => {
            for (id, amount, state) in refunds {
                out.push(stamp.movement_of(Flow::Refund(state), amount, Some(id))?);
            }
        }
        None => {
            if let Some(total) = money(obj, "amount_refunded", ids)? {
                let refunded = total.minor() - released_minor;
                if refunded > 0 {
                    let m = Money::from_minor(refunded, total.currency())
                        .map_err(|e| ids.amount_error(e.to_string()))?;
                    out.push(stamp.movement(Flow::Refund(RefundState::Succeeded), m)?);
                }
            }
        }
    }
    Ok(out)
}

/// A refund listed on its charge: its id, amount and state.
type Listed<'a> = (&'a str, Money, RefundState);

/// Every refund of a charge, when its `refunds` list is there and complete
/// (`has_more` not true, each refund with an id and an amount); `None`
/// otherwise (the API leaves the list out since 2022-11-15).
fn listed_refunds<'a>(
    charge: &'a Value,
    ids: &Ids<'_>,
) -> Result<Option<Vec<Listed<'a>>>, EventError> {
    let Some(list) = charge.get("refunds").filter(|l| l.is_object()) else {
        return Ok(None);
    };
    let Some(data) = list.get("data").and_then(Value::as_array) else {
        return Ok(None);
    };
    if list.get("has_more").and_then(Value::as_bool) == Some(true) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in data {
        let (Some(id), Some(amount)) = (text(r, &["id"]), money_in(r, "amount", charge, ids)?)
        else {
            return Ok(None);
        };
        out.push((id, amount, refund_state(text(r, &["status"]))));
    }
    Ok(Some(out))
}

/// A Stripe refund status; an unknown or absent one (the field is
/// nullable) is pending: no money back until Stripe says so.
pub(crate) fn refund_state(status: Option<&str>) -> RefundState {
    match status {
        Some("succeeded") => RefundState::Succeeded,
        Some("failed") => RefundState::Failed,
        Some("canceled") => RefundState::Cancelled,
        // `pending`, `requires_action`, and anything else.
        _ => RefundState::Pending,
    }
}

/// A Stripe dispute status (see the table in [`crate::domain::ledger`]);
/// an unknown or absent one is an open dispute.
fn dispute_state(status: Option<&str>) -> DisputeState {
    match status {
        Some("warning_needs_response" | "warning_under_review") => DisputeState::Inquiry,
        Some("warning_closed") => DisputeState::InquiryClosed,
        Some("won" | "charge_refunded") => DisputeState::Won,
        Some("lost") => DisputeState::Lost,
        Some("prevented") => DisputeState::Prevented,
        // `needs_response`, `under_review`, and anything else.
        _ => DisputeState::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DisputeState as D;
    use crate::domain::RefundState as R;
    use crate::testing::{money, sample};
    use serde_json::json;

    #[test]
    fn the_acted_on_list_is_every_type_tally_acts_on() {
        assert!(
            ACTED_ON.len() <= 20,
            "GET /v1/events takes 20 types[] at most"
        );
        assert!(ACTED_ON.iter().all(|t| acts_on(t)));
        assert!(!acts_on("customer.created"));
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

    // ---- Ledger movements -------------------------------------------------

    /// A movement as the tests compare it: flow, amount, provider id, key.
    type Row<'a> = (Flow, Money, Option<&'a str>, Option<&'a str>);

    fn at(secs: i64) -> Timestamp {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    /// The event's movements, after checking that each is stamped with
    /// `time` (the event's own `created`, read from the body by the test)
    /// and with the event id.
    fn rows(e: &ProviderEvent, time: Timestamp) -> Vec<Row<'_>> {
        for m in &e.movements {
            assert_eq!(m.at, time, "{} {m:?}", e.event_type);
            assert_eq!(m.event_id.as_deref(), Some(e.id.as_str()), "{m:?}");
        }
        e.movements
            .iter()
            .map(|m| (m.flow, m.amount, m.provider_id.as_deref(), m.key.as_deref()))
            .collect()
    }

    fn body(rel: &str) -> Value {
        serde_json::from_slice(&sample(rel)).unwrap()
    }

    /// A sample event, parsed, with its `created` as read from the body.
    fn event(rel: &str) -> (ProviderEvent, Timestamp) {
        let v = body(rel);
        let created = at(v["created"].as_i64().unwrap());
        (parse(v.to_string().as_bytes()).unwrap(), created)
    }

    fn ledger(name: &str) -> (ProviderEvent, Timestamp) {
        event(&format!("stripe/ledger/{name}.json"))
    }

    fn edited(v: &Value) -> ProviderEvent {
        parse(v.to_string().as_bytes()).unwrap()
    }

    /// A bare Stripe object (or an event's `data` member) wrapped in the
    /// minimal envelope the tests add: id `evt_wrapped`, `type`, `created`.
    fn wrap(event_type: &str, data: Value, created: Option<i64>) -> Value {
        let mut v =
            json!({"id": "evt_wrapped", "object": "event", "type": event_type, "data": data});
        if let Some(c) = created {
            v["created"] = json!(c);
        }
        v
    }

    fn usd(amount: &str) -> Money {
        money(amount, "USD")
    }

    #[test]
    fn stripe_payment_intent_succeeded_captures_on_its_charge() {
        let (e, t) = event("stripe/payment_intent.succeeded.json");
        assert_eq!(t, at(1648320033));
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Captured,
                usd("20.00"),
                Some("ch_000000000000000000000000"),
                None
            )]
        );
    }

    #[test]
    fn stripe_partial_capture_releases_the_rest() {
        // payment_intent.succeeded.json edited: 179.80 authorised, 100.00 received.
        let mut v = body("stripe/payment_intent.succeeded.json");
        v["data"]["object"]["amount"] = json!(17980);
        v["data"]["object"]["amount_received"] = json!(10000);
        let e = edited(&v);
        assert_eq!(e.kind, EventKind::Succeeded);
        assert_eq!(e.amount, Some(usd("100.00")));
        let ch = Some("ch_000000000000000000000000");
        assert_eq!(
            rows(&e, at(1648320033)),
            [
                (Flow::Captured, usd("100.00"), ch, None),
                (Flow::Released, usd("79.80"), ch, None)
            ]
        );
        // Without a charge the capture is keyed by the PaymentIntent.
        v["data"]["object"]["charges"] = json!({"object": "list", "data": []});
        let e = edited(&v);
        let pi = Some("pi_000000000000000000000000");
        assert_eq!(
            rows(&e, at(1648320033)),
            [
                (Flow::Captured, usd("100.00"), pi, None),
                (Flow::Released, usd("79.80"), pi, None)
            ]
        );
    }

    #[test]
    fn stripe_old_invoice_captures_on_its_charge() {
        let (e, t) = event("stripe/invoice.payment_succeeded.json");
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Captured,
                usd("20.00"),
                Some("ch_000000000000000000000000"),
                None
            )]
        );
    }

    #[test]
    fn stripe_invoice_payment_paid_captures_on_its_intent() {
        let (e, t) = ledger("invoice_payment.paid.supabase");
        assert_eq!(e.kind, EventKind::Succeeded);
        let pi = "pi_103Q0w2eZvKYlo2C364X582Z";
        assert_eq!(e.references, [pi]);
        assert_eq!(e.reference.as_deref(), Some(pi));
        assert_eq!(e.charge_id, None);
        assert_eq!(e.amount, Some(usd("20.00")));
        assert_eq!(e.provider_status.as_deref(), Some("paid"));
        assert_eq!(
            rows(&e, t),
            [(Flow::Captured, usd("20.00"), Some(pi), None)]
        );

        // A charge, when the payment names one, keys the capture.
        let mut v = body("stripe/ledger/invoice_payment.paid.supabase.json");
        v["data"]["object"]["payment"]["charge"] = json!("ch_1");
        let e = edited(&v);
        assert_eq!(e.references, [pi, "ch_1"]);
        assert_eq!(e.reference.as_deref(), Some(pi));
        assert_eq!(e.charge_id.as_deref(), Some("ch_1"));
        assert_eq!(
            rows(&e, t),
            [(Flow::Captured, usd("20.00"), Some("ch_1"), None)]
        );
    }

    #[test]
    fn stripe_invoice_payment_paid_from_a_data_member_only() {
        // The pay-rails file is only the event's `data` member: wrapped in
        // the test's envelope, first with a `created` of our choosing
        // (its `paid_at`), then without one (the object's `created` stands in).
        let data = body("stripe/ledger/invoice_payment.paid.data-only.pay-rails.json");
        let pi = "pi_3T4AIlGWAy8Dppqh3Vsl9Pya";
        let expected = [(Flow::Captured, usd("20.00"), Some(pi), None)];
        let e = edited(&wrap(
            "invoice_payment.paid",
            data.clone(),
            Some(1771896040),
        ));
        assert_eq!(e.kind, EventKind::Succeeded);
        assert_eq!(e.references, [pi]);
        assert_eq!(e.amount, Some(usd("20.00")));
        assert_eq!(rows(&e, at(1771896040)), expected);
        let e = edited(&wrap("invoice_payment.paid", data, None));
        assert_eq!(e.created, None);
        assert_eq!(rows(&e, at(1771896039)), expected);
    }

    #[test]
    fn stripe_an_event_without_any_time_reports_no_money() {
        let mut v = body("stripe/payment_intent.succeeded.json");
        v.as_object_mut().unwrap().remove("created");
        v["data"]["object"]
            .as_object_mut()
            .unwrap()
            .remove("created");
        let err = parse(v.to_string().as_bytes()).unwrap_err();
        assert!(matches!(err, EventError::Missing("created")), "{err}");
        // An event that moves no money needs no time.
        let mut v = body("stripe/payment_intent.processing.json");
        v.as_object_mut().unwrap().remove("created");
        v["data"]["object"]
            .as_object_mut()
            .unwrap()
            .remove("created");
        assert!(edited(&v).movements.is_empty());
    }

    #[test]
    fn stripe_amount_capturable_updated_authorises() {
        let (e, t) = ledger("payment_intent.amount_capturable_updated.stripe-ruby-mock");
        assert_eq!(e.kind, EventKind::Pending);
        assert_eq!(e.provider_status.as_deref(), Some("requires_capture"));
        assert_eq!(e.amount, Some(usd("20.00")));
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Authorised,
                usd("20.00"),
                Some("pi_000000000000000000000000"),
                None
            )]
        );
    }

    #[test]
    fn stripe_cancels_failures_and_pending_move_no_money() {
        let (e, _) = ledger("payment_intent.canceled.duplicate.basil.lago");
        assert_eq!(e.kind, EventKind::Canceled);
        assert_eq!(e.references, ["pi_3SVCroQ8iJWBZFaM22iaIuU3"]);
        assert!(e.movements.is_empty());
        for name in [
            "payment_intent.canceled",
            "payment_intent.payment_failed",
            "payment_intent.processing",
            "payment_intent.requires_action",
        ] {
            assert!(stripe(name).movements.is_empty(), "{name}");
        }
    }

    #[test]
    fn stripe_charge_refunded_lists_its_refunds() {
        let (e, t) = ledger("charge.refunded.full.supabase");
        assert_eq!(
            e.kind,
            EventKind::Refunded(Refund {
                amount: usd("25.00"),
                cumulative: true,
                captured: Some(usd("25.00")),
            })
        );
        assert_eq!(
            rows(&e, t),
            [
                (
                    Flow::Captured,
                    usd("25.00"),
                    Some("ch_3Kl36gJDPojXS6LN0DCM4A8l"),
                    None
                ),
                (
                    Flow::Refund(R::Succeeded),
                    usd("25.00"),
                    Some("re_3Kl36gJDPojXS6LN0eP4yPDz"),
                    None
                ),
            ]
        );
        let (e, t) = event("stripe/charge.refunded.json");
        assert_eq!(
            rows(&e, t),
            [
                (
                    Flow::Captured,
                    usd("1.00"),
                    Some("ch_000000000000000000000000"),
                    None
                ),
                (
                    Flow::Refund(R::Succeeded),
                    usd("1.00"),
                    Some("re_000000000000000000000000"),
                    None
                ),
            ]
        );
    }

    #[test]
    fn stripe_charge_refunded_without_its_list_is_a_cumulative_total() {
        // charge.refunded.full.supabase.json edited: `refunds` removed (API
        // 2022-11-15 and later), then present but incomplete (`has_more`).
        let mut v = body("stripe/ledger/charge.refunded.full.supabase.json");
        let ch = Some("ch_3Kl36gJDPojXS6LN0DCM4A8l");
        let expected = [
            (Flow::Captured, usd("25.00"), ch, None),
            (Flow::Refund(R::Succeeded), usd("25.00"), None, None),
        ];
        let mut without = v.clone();
        without["data"]["object"]
            .as_object_mut()
            .unwrap()
            .remove("refunds");
        let e = edited(&without);
        assert_eq!(rows(&e, at(1619701111)), expected);
        assert_eq!(e.kind, ledger("charge.refunded.full.supabase").0.kind);
        v["data"]["object"]["refunds"]["has_more"] = json!(true);
        assert_eq!(rows(&edited(&v), at(1619701111)), expected);
    }

    #[test]
    fn stripe_partially_captured_charge_refunds_only_out_of_the_capture() {
        // charge.refunded.full.supabase.json edited: 179.80 authorised,
        // 100.00 captured, `amount_refunded` 100.00 (Stripe counts the
        // released 79.80 in it), no refunds list.
        let mut v = body("stripe/ledger/charge.refunded.full.supabase.json");
        let obj = &mut v["data"]["object"];
        obj["amount"] = json!(17980);
        obj["amount_captured"] = json!(10000);
        obj["amount_refunded"] = json!(10000);
        obj.as_object_mut().unwrap().remove("refunds");
        let e = edited(&v);
        let ch = Some("ch_3Kl36gJDPojXS6LN0DCM4A8l");
        assert_eq!(
            rows(&e, at(1619701111)),
            [
                (Flow::Captured, usd("100.00"), ch, None),
                (Flow::Released, usd("79.80"), ch, None),
                (Flow::Refund(R::Succeeded), usd("20.20"), None, None),
            ]
        );
        // Only the release: no refund out of the capture at all.
        v["data"]["object"]["amount_refunded"] = json!(7980);
        let e = edited(&v);
        assert_eq!(
            rows(&e, at(1619701111)),
            [
                (Flow::Captured, usd("100.00"), ch, None),
                (Flow::Released, usd("79.80"), ch, None),
            ]
        );
    }

    #[test]
    fn stripe_refund_events_report_the_refund_in_its_state() {
        let (e, t) = ledger("charge.refund.updated.failed.zulip");
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(
            e.references,
            ["pi_1Gib60HLwdCOCoR7KJbTO3U7", "ch_1Gib61HLwdCOCoR71rnkccye"]
        );
        assert_eq!(e.reference.as_deref(), Some("pi_1Gib60HLwdCOCoR7KJbTO3U7"));
        assert_eq!(e.charge_id.as_deref(), Some("ch_1Gib61HLwdCOCoR71rnkccye"));
        assert_eq!(e.amount, Some(money("300000.00", "INR")));
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Refund(R::Failed),
                money("300000.00", "INR"),
                Some("re_1Gib6ZHLwdCOCoR7VrzCnXlj"),
                None
            )]
        );

        let (e, t) = ledger("charge.refund.updated.succeeded.basil.lago");
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(e.order_numbers, ["6735"]);
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Refund(R::Succeeded),
                usd("1.00"),
                Some("re_3RWYCFQ8iJWBZFaM191ZqGD9"),
                None
            )]
        );

        let (e, t) = ledger("refund.created.supabase");
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(
            e.references,
            ["pi_1GszsK2eZvKYlo2CfhZyoZLp", "ch_1NirD82eZvKYlo2CIvbtLWuY"]
        );
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Refund(R::Succeeded),
                usd("10.00"),
                Some("re_1Nispe2eZvKYlo2Cd31jOCgZ"),
                None
            )]
        );
    }

    #[test]
    fn stripe_refund_object_wrapped_and_its_states() {
        // refund.object.stripe-openapi.json is a bare refund: wrapped in the
        // test's envelope as refund.updated, then as refund.failed.
        let refund = body("stripe/ledger/refund.object.stripe-openapi.json");
        let re = Some("re_1Pgc72B7WZ01zgkWqPvrRrPE");
        let t = at(1700000000);
        let e = edited(&wrap(
            "refund.updated",
            json!({"object": refund}),
            Some(1700000000),
        ));
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(e.references, ["ch_1PgafuB7WZ01zgkWXYmPNZs8"]);
        assert_eq!(e.reference.as_deref(), Some("ch_1PgafuB7WZ01zgkWXYmPNZs8"));
        assert_eq!(
            rows(&e, t),
            [(Flow::Refund(R::Succeeded), usd("1.00"), re, None)]
        );
        // refund.failed is a failure whatever the body says.
        let e = edited(&wrap(
            "refund.failed",
            json!({"object": refund}),
            Some(1700000000),
        ));
        assert_eq!(
            rows(&e, t),
            [(Flow::Refund(R::Failed), usd("1.00"), re, None)]
        );
        for (status, state) in [
            ("pending", R::Pending),
            ("requires_action", R::Pending),
            ("succeeded", R::Succeeded),
            ("failed", R::Failed),
            ("canceled", R::Cancelled),
        ] {
            let mut r = refund.clone();
            r["status"] = json!(status);
            let e = edited(&wrap(
                "refund.updated",
                json!({"object": r}),
                Some(1700000000),
            ));
            assert_eq!(e.movements[0].flow, Flow::Refund(state), "{status}");
        }
    }

    #[test]
    fn stripe_disputes_in_the_ledger_states() {
        let du = Some("du_1TbG46JEe0yY0QKr8P0G3pa3");
        let (e, t) = ledger("charge.dispute.created.dahlia.zulip");
        assert_eq!(e.kind, EventKind::DisputeCreated);
        assert_eq!(
            e.references,
            ["pi_3TbG44JEe0yY0QKr0OnHpigY", "ch_3TbG44JEe0yY0QKr0aPnlMSQ"]
        );
        assert_eq!(e.amount, Some(usd("22.00")));
        assert_eq!(
            rows(&e, t),
            [(Flow::Dispute(D::Open), usd("22.00"), du, None)]
        );

        let (e, t) = ledger("charge.dispute.closed.lost.dahlia.zulip");
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: true });
        assert_eq!(
            rows(&e, t),
            [(Flow::Dispute(D::Lost), usd("22.00"), du, None)]
        );

        let (e, t) = ledger("charge.dispute.closed.lost.lago");
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: true });
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Lost),
                usd("45.16"),
                Some("dp_1OzgpEH4tiDZlIUaZ8iWQMsb"),
                None
            )]
        );

        let (e, t) = ledger("charge.dispute.closed.warning_closed.basil.lago");
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: false });
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::InquiryClosed),
                usd("1.00"),
                Some("dp_1RWXieQ8iJWBZFaM572opwWo"),
                None
            )]
        );

        let (e, t) = ledger("charge.dispute.funds_withdrawn.stripe-ruby-mock");
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(e.references, ["ch_00000000000000"]);
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Open),
                usd("250.00"),
                Some("dp_00000000000000"),
                None
            )]
        );
    }

    #[test]
    fn stripe_2013_disputes_without_an_id_are_keyed_by_their_charge() {
        let key = Some("dispute:ch_00000000000000");
        let (e, t) = ledger("charge.dispute.updated.stripe-ruby-mock");
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(e.references, ["ch_00000000000000"]);
        assert_eq!(
            rows(&e, t),
            [(Flow::Dispute(D::Open), usd("10.00"), None, key)]
        );
        let (e, t) = ledger("charge.dispute.closed.won.stripe-ruby-mock");
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: false });
        assert_eq!(
            rows(&e, t),
            [(Flow::Dispute(D::Won), usd("10.00"), None, key)]
        );
    }

    #[test]
    fn stripe_dispute_objects_wrapped() {
        // Both files are bare dispute objects: wrapped in the test's envelope.
        let t = at(1700000000);
        let inquiry = body("stripe/ledger/dispute.inquiry.object.stripe-openapi.json");
        let e = edited(&wrap(
            "charge.dispute.created",
            json!({"object": inquiry}),
            Some(1700000000),
        ));
        assert_eq!(e.kind, EventKind::DisputeCreated);
        assert_eq!(e.references, ["ch_1PgafuB7WZ01zgkWXYmPNZs8"]);
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Inquiry),
                usd("10.00"),
                Some("dp_1Pgc71B7WZ01zgkWMevJiAUx"),
                None
            )]
        );
        // Reinstated funds: won, though the object still says under_review.
        let reinstated = body("stripe/ledger/dispute.funds_reinstated.object.dj-stripe.json");
        let e = edited(&wrap(
            "charge.dispute.funds_reinstated",
            json!({"object": reinstated}),
            Some(1700000000),
        ));
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(
            e.references,
            ["pi_1JAyTwJSZQVUcJYgBbsz0NuH", "ch_fakefakefakefakefake0001"]
        );
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Won),
                usd("10.00"),
                Some("dp_1JAyTwJSZQVUcJYgPqasUEn1"),
                None
            )]
        );
    }

    #[test]
    fn stripe_dispute_status_words() {
        let mut v = body("stripe/ledger/charge.dispute.created.dahlia.zulip.json");
        v["type"] = json!("charge.dispute.updated");
        for (status, state) in [
            ("warning_needs_response", D::Inquiry),
            ("warning_under_review", D::Inquiry),
            ("warning_closed", D::InquiryClosed),
            ("needs_response", D::Open),
            ("under_review", D::Open),
            ("won", D::Won),
            ("charge_refunded", D::Won),
            ("lost", D::Lost),
            ("prevented", D::Prevented),
            ("something_new", D::Open),
        ] {
            v["data"]["object"]["status"] = json!(status);
            let e = edited(&v);
            assert_eq!(e.kind, EventKind::Ledger);
            assert_eq!(e.movements[0].flow, Flow::Dispute(state), "{status}");
        }
    }

    #[test]
    fn stripe_current_invoice_and_placeholder_invoice_payment_move_nothing() {
        // Bare objects wrapped in the test's envelope. The current invoice
        // shape names no charge or PaymentIntent and this one paid nothing;
        // the invoice_payment placeholder has `amount_paid: null`.
        let invoice = body("stripe/ledger/invoice.object.stripe-openapi.json");
        let e = edited(&wrap(
            "invoice.payment_succeeded",
            json!({"object": invoice}),
            Some(1700000000),
        ));
        assert_eq!(e.kind, EventKind::Succeeded);
        assert!(e.references.is_empty());
        assert!(e.movements.is_empty());
        let placeholder = body("stripe/ledger/invoice_payment.object.stripe-openapi.json");
        let e = edited(&wrap(
            "invoice_payment.paid",
            json!({"object": placeholder}),
            Some(1700000000),
        ));
        assert_eq!(e.amount, None);
        assert!(e.movements.is_empty());
    }
}
