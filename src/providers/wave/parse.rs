//! Wave event bodies into a [`ProviderEvent`]: its kind, its amount, the
//! keys that match it to a payment, and the money it moved.
//!
//! Pure: no IO, no clock. The body has already been verified byte for
//! byte; nothing is re-serialised. Sources: `../shared/providers/wave.md`
//! (§1.2 the types, §1.3 the shapes, §2.2 the Checkout Session, §3.2 the
//! transactions) and the live body in `../shared/providers/wave-samples/`.
//!
//! The envelope is `{id, type, data}` and carries no time of its own; the
//! event's time is its object's: a session's `when_completed` (completed
//! or expired), else its `when_created`; a received payment's
//! `when_created`. Amounts are decimal strings in major units (`"45000"`
//! XOF, which has no decimals: `"45000.5"` is an amount error naming the
//! event, which is then recorded as failed, never guessed at).
//!
//! | type | kind | keys | money |
//! |---|---|---|---|
//! | `checkout.session.completed` | succeeded | the session `cos-…` (recorded as the payment's reference), its `transaction_id` (as its charge id); order number `client_reference` | captured `amount` (the session's amount is "the total amount to collect from the customer (gross of fees)", §2.2) |
//! | `checkout.session.payment_failed` | one failed attempt: pending with the failure as raw status; failed once `checkout_status` is `expired` | the session; `client_reference` | none |
//! | `merchant.payment_received`, `b2b.payment_received` | succeeded | the transaction `T_…`/`b2b-…` (reference and charge id); `client_reference`, then the values of `custom_fields` | captured `amount + fee` (see [`paid_by_customer`]) |
//! | `test.test_event` and any other | ignored | | |
//!
//! No refund, expiry or reversal event is documented (§1.2): a Wave refund
//! is still recorded by hand (`tally payment record-refund`).

use serde_json::Value;

use crate::domain::{Flow, Money, Movement, Provider, Timestamp, parse_ts};
use crate::providers::event::{EventError, EventKind, ProviderEvent};
use crate::providers::json::{self, Ids, Stamp, ident, order_number, push_unique, text};

/// The Wave types tally acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    CheckoutCompleted,
    CheckoutFailed,
    /// `merchant.payment_received` (a QR code or merchant-number payment)
    /// and `b2b.payment_received` (another Wave business paid the shop).
    PaymentReceived,
}

impl Type {
    fn of(event_type: &str) -> Option<Type> {
        Some(match event_type {
            "checkout.session.completed" => Type::CheckoutCompleted,
            "checkout.session.payment_failed" => Type::CheckoutFailed,
            "merchant.payment_received" | "b2b.payment_received" => Type::PaymentReceived,
            // test.test_event (the portal's test button), b2b.payment_failed
            // (a payment the shop made) and anything new.
            _ => return None,
        })
    }
}

/// Parses a verified Wave body.
pub fn parse(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let v = json::object(body)?;
    let id = ident(&v, "id", "id")?;
    let event_type = ident(&v, "type", "type")?;
    let Some(kind) = Type::of(&event_type) else {
        return Ok(ProviderEvent::new(Provider::Wave, id, event_type, None));
    };
    let data = v
        .get("data")
        .filter(|d| d.is_object())
        .ok_or(EventError::Missing("data"))?;
    let created = time(data, "when_completed").or_else(|| time(data, "when_created"));
    let mut event = ProviderEvent::new(Provider::Wave, id, event_type, created);
    match kind {
        Type::CheckoutCompleted | Type::CheckoutFailed => session_keys(&mut event, data),
        Type::PaymentReceived => transaction_keys(&mut event, data),
    }
    let read = read(
        kind,
        data,
        created,
        &Ids::of(&event),
        &Stamp::new(created, &event.id),
    )?;
    event.kind = read.kind;
    event.amount = read.amount;
    event.fee = read.fee;
    event.movements = read.movements;
    event.provider_status = read.provider_status;
    Ok(event)
}

/// What an event says: its kind, its amounts, its movements, its status.
struct Read {
    kind: EventKind,
    amount: Option<Money>,
    fee: Option<Money>,
    movements: Vec<Movement>,
    provider_status: Option<String>,
}

fn read(
    kind: Type,
    data: &Value,
    created: Option<Timestamp>,
    ids: &Ids<'_>,
    stamp: &Stamp<'_>,
) -> Result<Read, EventError> {
    Ok(match kind {
        Type::CheckoutCompleted => {
            let amount = money(data, "amount", ids)?
                .ok_or_else(|| ids.amount_error("the checkout session has no amount"))?;
            if created.is_none() {
                return Err(EventError::Missing("data.when_completed"));
            }
            let paid = text(data, &["transaction_id"]).or_else(|| text(data, &["id"]));
            Read {
                kind: EventKind::Succeeded,
                amount: Some(amount),
                fee: None,
                movements: vec![stamp.movement_of(Flow::Captured, amount, paid)?],
                provider_status: Some(
                    text(data, &["payment_status"])
                        .unwrap_or("succeeded")
                        .to_owned(),
                ),
            }
        }
        Type::CheckoutFailed => {
            let expired = text(data, &["checkout_status"]) == Some("expired");
            Read {
                // The session may still be paid (the customer tops up and
                // tries again) until it expires: only then is the attempt over.
                kind: if expired {
                    EventKind::Failed
                } else {
                    EventKind::Pending
                },
                amount: money(data, "amount", ids)?,
                fee: None,
                movements: Vec::new(),
                provider_status: Some(failure_status(data, expired)),
            }
        }
        Type::PaymentReceived => {
            let (paid, fee) = paid_by_customer(data, ids)?;
            if created.is_none() {
                return Err(EventError::Missing("data.when_created"));
            }
            Read {
                kind: EventKind::Succeeded,
                amount: Some(paid),
                fee,
                movements: vec![stamp.movement_of(Flow::Captured, paid, text(data, &["id"]))?],
                provider_status: None,
            }
        }
    })
}

/// A Wave time: RFC 3339 in UTC.
fn time(data: &Value, key: &str) -> Option<Timestamp> {
    text(data, &[key]).and_then(|t| parse_ts(t).ok())
}

/// A checkout session's keys: the session id first (what the shop created
/// and may already hold), then the transaction; the order number is the
/// `client_reference` the shop set at creation.
fn session_keys(event: &mut ProviderEvent, data: &Value) {
    let session = text(data, &["id"]);
    let transaction = text(data, &["transaction_id"]);
    push_unique(&mut event.references, session);
    push_unique(&mut event.references, transaction);
    event.reference = session.map(str::to_owned);
    event.charge_id = transaction.map(str::to_owned);
    event.order_numbers = order_number(data.get("client_reference"))
        .into_iter()
        .collect();
}

/// A received payment's keys: its transaction id; the order number in
/// `client_reference`, else in any of the `custom_fields` the shop's QR
/// code or payment link asked for.
fn transaction_keys(event: &mut ProviderEvent, data: &Value) {
    let transaction = text(data, &["id"]);
    push_unique(&mut event.references, transaction);
    event.reference = transaction.map(str::to_owned);
    event.charge_id = transaction.map(str::to_owned);
    if let Some(n) = order_number(data.get("client_reference")) {
        push_unique(&mut event.order_numbers, Some(&n));
    }
    if let Some(fields) = data.get("custom_fields").and_then(Value::as_object) {
        for value in fields.values() {
            if let Some(n) = order_number(Some(value)) {
                push_unique(&mut event.order_numbers, Some(&n));
            }
        }
    }
}

/// "failed (insufficient-funds)", "expired (…)": the session's payment
/// status (or `expired`) and Wave's error code.
fn failure_status(data: &Value, expired: bool) -> String {
    let status = if expired {
        "expired"
    } else {
        text(data, &["payment_status"]).unwrap_or("failed")
    };
    match text(data, &["last_payment_error", "code"]) {
        Some(code) => format!("{status} ({code})"),
        None => status.to_owned(),
    }
}

/// What the customer paid for a received payment, and Wave's fee.
///
/// Wave reports `amount` and `fee` side by side. The sources support
/// reading `amount` as **net** (what reached the shop's wallet) and `fee`
/// as what Wave kept out of what the customer paid: in the documented
/// transactions, the wallet balance moves by exactly `amount` with `fee`
/// alongside (10245 + 99 = 10344; 1250000 + 990 = 1250990), and the
/// documented `merchant.payment_received` example is `amount` 990, `fee`
/// 10, a 1000 payment (wave.md §1.3, §3.2). Per-field definitions are not
/// published (UNCONFIRMED there). So the capture is `amount + fee`, what
/// the customer paid and what the order's total is compared with; the fee
/// is kept on the event (and in its audit row). A Checkout Session's
/// `amount` is already gross and has no fee.
fn paid_by_customer(data: &Value, ids: &Ids<'_>) -> Result<(Money, Option<Money>), EventError> {
    let net =
        money(data, "amount", ids)?.ok_or_else(|| ids.amount_error("the payment has no amount"))?;
    let Some(fee) = money(data, "fee", ids)? else {
        return Ok((net, None));
    };
    let paid = net
        .checked_add(fee)
        .ok_or_else(|| ids.amount_error("amount + fee overflows"))?;
    Ok((paid, Some(fee)))
}

/// A Wave amount: a decimal string in major units, in the object's
/// `currency`. Absent or null: `None`. A number, a negative or an amount
/// with more decimals than the currency has: an amount error.
fn money(data: &Value, key: &str, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    let Some(raw) = data.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(raw) = raw.as_str() else {
        return Err(ids.amount_error(format!("{key} is not a decimal string")));
    };
    let currency = ids.currency(text(data, &["currency"]))?;
    Money::parse(raw, currency)
        .map(Some)
        .map_err(|e| ids.amount_error(format!("{key} is malformed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{money as m, wave_sample};
    use serde_json::json;

    fn xof(amount: &str) -> Money {
        m(amount, "XOF")
    }

    fn at(text: &str) -> Timestamp {
        parse_ts(text).unwrap()
    }

    fn edited(v: &Value) -> ProviderEvent {
        parse(v.to_string().as_bytes()).unwrap()
    }

    /// The real live body, re-read as JSON to edit.
    fn real() -> Value {
        serde_json::from_slice(&wave_sample("checkout.session.completed.elitecars.json")).unwrap()
    }

    #[test]
    fn the_real_checkout_session_completed() {
        let e = parse(&wave_sample("checkout.session.completed.elitecars.json")).unwrap();
        assert_eq!(e.provider, Provider::Wave);
        assert_eq!(e.id, "AE_sn_H1N-vRZsWyU1");
        assert_eq!(e.event_type, "checkout.session.completed");
        assert_eq!(e.kind, EventKind::Succeeded);
        assert_eq!(e.created, Some(at("2025-06-25T16:56:03Z")));
        assert_eq!(e.references, ["cos-1ya2rewh0139m", "TRG7XHH6UNR2SOACI"]);
        assert_eq!(e.reference.as_deref(), Some("cos-1ya2rewh0139m"));
        assert_eq!(e.charge_id.as_deref(), Some("TRG7XHH6UNR2SOACI"));
        // client_reference is null in the real body: no order to match.
        assert!(e.order_numbers.is_empty());
        assert_eq!(e.amount, Some(xof("125")));
        assert_eq!(e.fee, None);
        assert_eq!(e.provider_status.as_deref(), Some("succeeded"));
        assert_eq!(e.movements.len(), 1);
        let c = &e.movements[0];
        assert_eq!(c.flow, Flow::Captured);
        assert_eq!(c.amount, xof("125"));
        assert_eq!(c.provider_id.as_deref(), Some("TRG7XHH6UNR2SOACI"));
        assert_eq!(c.at, at("2025-06-25T16:56:03Z"));
        assert_eq!(c.event_id.as_deref(), Some("AE_sn_H1N-vRZsWyU1"));
    }

    #[test]
    fn a_client_reference_names_the_order() {
        let mut v = real();
        v["data"]["client_reference"] = json!("TEST1033");
        assert_eq!(edited(&v).order_numbers, ["TEST1033"]);
        v["data"]["client_reference"] = json!(1033);
        assert_eq!(edited(&v).order_numbers, ["1033"]);
        v["data"]["client_reference"] = json!("   ");
        assert!(edited(&v).order_numbers.is_empty());
    }

    #[test]
    fn amounts_are_exact_decimal_strings() {
        let mut v = real();
        v["data"]["amount"] = json!("45000");
        assert_eq!(edited(&v).amount, Some(xof("45000")));
        v["data"]["amount"] = json!("45000.00");
        assert_eq!(edited(&v).amount, Some(xof("45000")));
        for (bad, why) in [
            (json!("45000.5"), "decimal"),
            (json!("-100"), "negative"),
            (json!("1e3"), "not a decimal"),
            (json!(45000), "not a decimal string"),
            (json!(""), "not a decimal"),
        ] {
            v["data"]["amount"] = bad.clone();
            let err = parse(v.to_string().as_bytes()).unwrap_err();
            assert!(
                matches!(&err, EventError::Amount { event_id, .. } if event_id == "AE_sn_H1N-vRZsWyU1"),
                "{bad}: {err}"
            );
            assert!(!err.is_malformed());
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
        v["data"]["amount"] = json!("45000");
        v["data"]["currency"] = json!("ZZZ");
        assert!(matches!(
            parse(v.to_string().as_bytes()),
            Err(EventError::Amount { .. })
        ));
        // A completed session must say what it took.
        v["data"]["currency"] = json!("XOF");
        v["data"].as_object_mut().unwrap().remove("amount");
        assert!(matches!(
            parse(v.to_string().as_bytes()),
            Err(EventError::Amount { .. })
        ));
    }

    #[test]
    fn a_completed_session_without_a_time_is_malformed() {
        let mut v = real();
        let data = v["data"].as_object_mut().unwrap();
        data.remove("when_completed");
        data.remove("when_created");
        let err = parse(v.to_string().as_bytes()).unwrap_err();
        assert!(err.is_malformed(), "{err}");
        // Without when_completed, the session's creation time stands.
        let mut v = real();
        v["data"].as_object_mut().unwrap().remove("when_completed");
        let e = edited(&v);
        assert_eq!(e.movements[0].at, at("2025-06-25T16:55:44Z"));
    }

    /// The documented failure (wave.md §1.3), with the session fields the
    /// real body shows.
    fn failed(checkout_status: &str) -> Value {
        json!({"id": "EV_8bO0d7TwW6Eq", "type": "checkout.session.payment_failed",
            "data": {"id": "cos-18qq25rgr100a", "amount": "1000", "currency": "XOF",
                "checkout_status": checkout_status, "payment_status": "processing",
                "client_reference": "TEST1033", "when_created": "2021-12-08T10:13:04Z",
                "when_expires": "2021-12-08T10:43:04Z",
                "last_payment_error": {"code": "insufficient-funds", "message": "Insufficient balance"}}})
    }

    #[test]
    fn a_failed_payment_keeps_an_open_session_pending() {
        let e = edited(&failed("open"));
        assert_eq!(e.kind, EventKind::Pending);
        assert_eq!(
            e.provider_status.as_deref(),
            Some("processing (insufficient-funds)")
        );
        assert_eq!(e.references, ["cos-18qq25rgr100a"]);
        assert_eq!(e.reference.as_deref(), Some("cos-18qq25rgr100a"));
        assert_eq!(e.charge_id, None);
        assert_eq!(e.order_numbers, ["TEST1033"]);
        assert_eq!(e.amount, Some(xof("1000")));
        assert!(e.movements.is_empty());
        assert_eq!(e.created, Some(at("2021-12-08T10:13:04Z")));

        let e = edited(&failed("expired"));
        assert_eq!(e.kind, EventKind::Failed);
        assert_eq!(
            e.provider_status.as_deref(),
            Some("expired (insufficient-funds)")
        );

        // The documented copy, trimmed to three fields, still reads.
        let e = edited(
            &json!({"id": "EV_8bO0d7TwW6Eq", "type": "checkout.session.payment_failed",
            "data": {"id": "cos-18qq25rgr100a", "payment_status": "failed",
                "last_payment_error": {"code": "insufficient-funds", "message": "Insufficient balance"}}}),
        );
        assert_eq!(e.kind, EventKind::Pending);
        assert_eq!(
            e.provider_status.as_deref(),
            Some("failed (insufficient-funds)")
        );
        assert_eq!(e.amount, None);
        assert_eq!(e.created, None);
    }

    /// The documented `merchant.payment_received` (wave.md §1.3).
    fn merchant() -> Value {
        json!({"id": "AE_ijzo7oGgrlM8", "type": "merchant.payment_received",
            "data": {"id": "T_46HS5COOWE", "amount": "990", "fee": "10", "currency": "XOF",
                "sender_mobile": "+221761110001", "merchant_name": "Ma Boutique",
                "custom_fields": {"account_number": "abc-123"},
                "when_created": "2024-01-15T10:13:04Z"}})
    }

    #[test]
    fn a_qr_payment_captures_what_the_customer_paid_and_keeps_the_fee() {
        let e = edited(&merchant());
        assert_eq!(e.kind, EventKind::Succeeded);
        assert_eq!(e.amount, Some(xof("1000")));
        assert_eq!(e.fee, Some(xof("10")));
        assert_eq!(e.references, ["T_46HS5COOWE"]);
        assert_eq!(e.reference.as_deref(), Some("T_46HS5COOWE"));
        assert_eq!(e.charge_id.as_deref(), Some("T_46HS5COOWE"));
        assert_eq!(e.order_numbers, ["abc-123"]);
        assert_eq!(e.movements.len(), 1);
        assert_eq!(e.movements[0].flow, Flow::Captured);
        assert_eq!(e.movements[0].amount, xof("1000"));
        assert_eq!(e.movements[0].provider_id.as_deref(), Some("T_46HS5COOWE"));
        assert_eq!(e.movements[0].at, at("2024-01-15T10:13:04Z"));

        // client_reference comes first, then every custom field.
        let mut v = merchant();
        v["data"]["client_reference"] = json!("TEST1033");
        v["data"]["custom_fields"] =
            json!({"order": "TEST2002", "note": 7, "empty": "", "x": null});
        assert_eq!(edited(&v).order_numbers, ["TEST1033", "7", "TEST2002"]);

        // Without a fee, the amount is what was paid.
        v["data"].as_object_mut().unwrap().remove("fee");
        let e = edited(&v);
        assert_eq!((e.amount, e.fee), (Some(xof("990")), None));
        // A fee that cannot be read is an amount error, like the amount.
        v["data"]["fee"] = json!("10.5");
        assert!(matches!(
            parse(v.to_string().as_bytes()),
            Err(EventError::Amount { .. })
        ));
    }

    #[test]
    fn a_b2b_payment() {
        let e = edited(
            &json!({"id": "AE_ijzo7oGgrlM9", "type": "b2b.payment_received",
            "data": {"id": "b2b-1ndjb8dj81008", "amount": "39800", "currency": "XOF",
                "sender_id": "M_qn0zhfcKV1Tl", "client_reference": "FACT-456",
                "when_created": "2024-01-15T14:28:15Z"}}),
        );
        assert_eq!(e.kind, EventKind::Succeeded);
        assert_eq!(e.amount, Some(xof("39800")));
        assert_eq!(e.references, ["b2b-1ndjb8dj81008"]);
        assert_eq!(e.order_numbers, ["FACT-456"]);
        assert_eq!(e.movements[0].amount, xof("39800"));
    }

    #[test]
    fn the_test_event_and_other_types_are_ignored_unread() {
        for t in [
            "test.test_event",
            "b2b.payment_failed",
            "checkout.session.refunded",
        ] {
            let e = edited(&json!({"id": "AE_test", "type": t, "data": "whatever"}));
            assert_eq!(e.kind, EventKind::Ignored, "{t}");
            assert!(e.references.is_empty() && e.movements.is_empty() && e.amount.is_none());
        }
        // A known type needs its data object.
        let err = parse(br#"{"id":"AE_1","type":"checkout.session.completed"}"#).unwrap_err();
        assert!(matches!(err, EventError::Missing("data")));
        let err = parse(br#"{"type":"checkout.session.completed","data":{}}"#).unwrap_err();
        assert!(matches!(err, EventError::Missing("id")));
    }
}
