//! PayPal event bodies into a [`ProviderEvent`]: its kind, its amount,
//! the keys that match it to a payment, and the money movements it reports.
//!
//! Pure: no IO, no clock. The body parsed here has already been verified
//! byte for byte; nothing is re-serialised. PayPal sends amounts as decimal
//! strings in major units; a refund amount PayPal writes as negative
//! ("-0.01") is taken as its absolute value.
//!
//! Keys: `resource.id`, `sale_id`, the `up` (or `sale`) link,
//! `supplementary_data.related_ids.order_id`, `parent_payment`, and for
//! disputes the disputed transactions' `seller_transaction_id`. Order
//! numbers: `custom_id`, `invoice_id`, `invoice_number`, `custom`.
//!
//! Movements (see [`crate::domain::ledger`]): every one is stamped with the
//! event's `create_time` (else the resource's `update_time`, then its
//! `create_time`) and the event id. Captures are keyed by the capture or
//! sale, refunds by the refund id, reversals by their own id with the
//! reversed capture or sale as key, disputes by `dispute_id` with the
//! disputed capture as key: a reversal and the dispute about the same
//! capture are one flow, so that money is counted once.

use serde_json::Value;

use crate::domain::{DisputeState, Flow, Money, Movement, Provider, RefundState, parse_ts};
use crate::providers::event::{EventError, EventKind, ProviderEvent, Refund};
use crate::providers::json::{self, Ids, Stamp, ident, order_number, push_unique, text};

/// The PayPal types tally acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Succeeded,
    Failed,
    Pending,
    Refunded,
    Reversed,
    DisputeCreated,
    DisputeUpdated,
    DisputeResolved,
}

/// What the resource is: a sale or capture, a refund (or reversal)
/// pointing at one, or a dispute.
#[derive(Clone, Copy)]
enum Shape {
    Payment,
    Refund,
    Dispute,
}

impl Type {
    fn of(event_type: &str) -> Option<Type> {
        Some(match event_type {
            "PAYMENT.SALE.COMPLETED" | "PAYMENT.CAPTURE.COMPLETED" => Type::Succeeded,
            "PAYMENT.SALE.DENIED" | "PAYMENT.CAPTURE.DENIED" | "PAYMENT.CAPTURE.DECLINED" => {
                Type::Failed
            }
            "PAYMENT.SALE.PENDING" | "PAYMENT.CAPTURE.PENDING" => Type::Pending,
            "PAYMENT.SALE.REFUNDED" | "PAYMENT.CAPTURE.REFUNDED" => Type::Refunded,
            "PAYMENT.SALE.REVERSED" | "PAYMENT.CAPTURE.REVERSED" => Type::Reversed,
            "CUSTOMER.DISPUTE.CREATED" => Type::DisputeCreated,
            "CUSTOMER.DISPUTE.UPDATED" => Type::DisputeUpdated,
            "CUSTOMER.DISPUTE.RESOLVED" => Type::DisputeResolved,
            _ => return None,
        })
    }

    fn shape(self) -> Shape {
        match self {
            Type::Succeeded | Type::Failed | Type::Pending => Shape::Payment,
            Type::Refunded | Type::Reversed => Shape::Refund,
            Type::DisputeCreated | Type::DisputeUpdated | Type::DisputeResolved => Shape::Dispute,
        }
    }
}

/// Whether tally acts on this PayPal event type.
pub fn acts_on(event_type: &str) -> bool {
    Type::of(event_type).is_some()
}

/// Parses a verified PayPal body.
pub fn parse(body: &[u8]) -> Result<ProviderEvent, EventError> {
    let v = json::object(body)?;
    let id = ident(&v, "id", "id")?;
    let event_type = ident(&v, "event_type", "event_type")?;
    let created = text(&v, &["create_time"]).and_then(|t| parse_ts(t).ok());
    let mut event = ProviderEvent::new(Provider::Paypal, id, event_type, created);
    let Some(kind) = Type::of(&event.event_type) else {
        return Ok(event);
    };
    let r = v
        .get("resource")
        .filter(|r| r.is_object())
        .ok_or(EventError::Missing("resource"))?;
    match_keys(&mut event, kind.shape(), r);
    let ids = Ids::of(&event);
    let amount = match kind.shape() {
        Shape::Payment | Shape::Refund => money(r.get("amount"), &ids)?,
        Shape::Dispute => money(r.get("dispute_amount"), &ids)?,
    };
    let at = created
        .or_else(|| text(r, &["update_time"]).and_then(|t| parse_ts(t).ok()))
        .or_else(|| text(r, &["create_time"]).and_then(|t| parse_ts(t).ok()));
    let stamp = Stamp::new(at, &event.id);
    let movements = movements(kind, r, amount, &ids, &stamp)?;
    let kind = event_kind(kind, r, amount, &ids)?;
    event.amount = amount;
    event.kind = kind;
    event.movements = movements;
    Ok(event)
}

/// The references, order numbers and raw status of an event about the
/// resource `r`.
fn match_keys(event: &mut ProviderEvent, shape: Shape, r: &Value) {
    match shape {
        Shape::Payment => {
            let own_id = text(r, &["id"]);
            payment_keys(event, r, link_id(r, &["up"]), own_id);
        }
        Shape::Refund => {
            let paid = refunded_payment(r);
            payment_keys(event, r, paid, paid);
        }
        Shape::Dispute => dispute_keys(event, r),
    }
    for key in ["custom_id", "invoice_id", "invoice_number", "custom"] {
        if let Some(n) = order_number(r.get(key)) {
            push_unique(&mut event.order_numbers, Some(&n));
        }
    }
    event.provider_status = provider_status(r);
}

/// The sale or capture a refund or reversal takes money from, when the
/// body names it: `sale_id` (v1 refunds, as in `PAYMENT.SALE.REFUNDED.json`),
/// `capture_id`, else the last segment of the `up` link (v2, as in
/// `PAYMENT.CAPTURE.REFUNDED.json` and `ledger/PAYMENT.CAPTURE.REVERSED.json`)
/// or of a `sale`/`capture` link. `ledger/PAYMENT.SALE.REVERSED.json` has
/// none of them (only its own `self` link). `parent_payment` is not one: it
/// names the v1 payment (`PAY-…`), not the sale a dispute names.
fn refunded_payment(r: &Value) -> Option<&str> {
    text(r, &["sale_id"])
        .or_else(|| text(r, &["capture_id"]))
        .or_else(|| link_id(r, &["up", "sale", "capture"]))
}

/// A sale, capture or refund's keys, most specific first: its own id, the
/// one it `links` to, the PayPal order and payment. `paid` (the sale or
/// capture) is the reference to record.
fn payment_keys(event: &mut ProviderEvent, r: &Value, links: Option<&str>, paid: Option<&str>) {
    let related_order = text(r, &["supplementary_data", "related_ids", "order_id"]);
    let parent_payment = text(r, &["parent_payment"]);
    for id in [text(r, &["id"]), links, related_order, parent_payment] {
        push_unique(&mut event.references, id);
    }
    event.reference = paid.map(str::to_owned);
    event.charge_id = paid.map(str::to_owned);
}

/// A dispute's keys: the disputed transactions and the order numbers they carry.
fn dispute_keys(event: &mut ProviderEvent, r: &Value) {
    let transactions = r
        .get("disputed_transactions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for t in transactions {
        push_unique(&mut event.references, text(t, &["seller_transaction_id"]));
        for key in ["custom", "custom_id", "invoice_number", "invoice_id"] {
            if let Some(n) = order_number(t.get(key)) {
                push_unique(&mut event.order_numbers, Some(&n));
            }
        }
    }
    event.reference = event.references.first().cloned();
    event.charge_id = event.references.first().cloned();
}

/// "STATUS (reason)", or the status alone.
fn provider_status(r: &Value) -> Option<String> {
    let status = text(r, &["status"]).or_else(|| text(r, &["state"]));
    let reason = text(r, &["status_details", "reason"]).or_else(|| text(r, &["reason_code"]));
    match (status, reason) {
        (Some(s), Some(why)) => Some(format!("{s} ({why})")),
        (Some(s), None) => Some(s.to_owned()),
        (None, _) => None,
    }
}

/// What the event says; `amount` is the resource's own amount.
fn event_kind(
    kind: Type,
    r: &Value,
    amount: Option<Money>,
    ids: &Ids<'_>,
) -> Result<EventKind, EventError> {
    Ok(match kind {
        Type::Succeeded => EventKind::Succeeded,
        Type::Failed => EventKind::Failed,
        Type::Pending => EventKind::Pending,
        Type::Refunded => EventKind::Refunded(refund(r, amount, ids)?),
        Type::Reversed => EventKind::Reversed,
        Type::DisputeCreated => EventKind::DisputeCreated,
        Type::DisputeUpdated => EventKind::Ledger,
        Type::DisputeResolved => {
            let outcome = text(r, &["dispute_outcome", "outcome_code"]).unwrap_or_default();
            EventKind::DisputeClosed {
                // The buyer won, or the seller accepted the claim: the money went back.
                lost: matches!(outcome, "RESOLVED_BUYER_FAVOUR" | "ACCEPTED"),
            }
        }
    })
}

/// The money the event moved; `amount` is the resource's own amount.
fn movements(
    kind: Type,
    r: &Value,
    amount: Option<Money>,
    ids: &Ids<'_>,
    stamp: &Stamp<'_>,
) -> Result<Vec<Movement>, EventError> {
    let own_id = text(r, &["id"]);
    let mut out = Vec::new();
    match kind {
        Type::Succeeded => {
            if let Some(m) = amount.filter(|m| m.minor() > 0) {
                out.push(stamp.movement_of(Flow::Captured, m, own_id)?);
            }
        }
        Type::Failed | Type::Pending => {}
        Type::Refunded => {
            // This refund, by its id (without one it would read as a
            // cumulative total, so it is left to the total below).
            if let (Some(m), Some(id)) = (amount, own_id) {
                let state = refund_state(text(r, &["status"]).or_else(|| text(r, &["state"])));
                out.push(stamp.movement_of(Flow::Refund(state), m, Some(id))?);
            }
            // Everything refunded from the capture so far, naming no refund.
            if let Some(total) = refunded_total(r, ids)?.filter(|m| m.minor() > 0) {
                out.push(stamp.movement(Flow::Refund(RefundState::Succeeded), total)?);
            }
        }
        Type::Reversed => {
            if let Some(m) = amount {
                let mut reversal =
                    stamp.movement_of(Flow::Dispute(DisputeState::Reversed), m, own_id)?;
                if let Some(paid) = refunded_payment(r) {
                    reversal = reversal.with_key(paid);
                }
                if reversal.provider_id.is_some() || reversal.key.is_some() {
                    out.push(reversal);
                }
            }
        }
        Type::DisputeCreated | Type::DisputeUpdated | Type::DisputeResolved => {
            if let Some((state, m)) = dispute_state(kind, r, amount, ids)? {
                let dispute_id = text(r, &["dispute_id"]);
                let mut dispute = stamp.movement_of(Flow::Dispute(state), m, dispute_id)?;
                if let Some(paid) = disputed_transaction(r) {
                    dispute = dispute.with_key(paid);
                }
                if dispute.provider_id.is_some() || dispute.key.is_some() {
                    out.push(dispute);
                }
            }
        }
    }
    Ok(out)
}

/// A refund's state from its `status` (v2) or `state` (v1); absent, the
/// refund is done; an unknown word is pending.
pub(crate) fn refund_state(status: Option<&str>) -> RefundState {
    let Some(status) = status else {
        return RefundState::Succeeded;
    };
    match status.to_ascii_uppercase().as_str() {
        "COMPLETED" => RefundState::Succeeded,
        "FAILED" => RefundState::Failed,
        "CANCELLED" | "CANCELED" => RefundState::Cancelled,
        // "PENDING", and anything else.
        _ => RefundState::Pending,
    }
}

/// The capture or sale a dispute is about: the first disputed transaction's
/// `seller_transaction_id`.
fn disputed_transaction(r: &Value) -> Option<&str> {
    r.get("disputed_transactions")?
        .as_array()?
        .iter()
        .find_map(|t| text(t, &["seller_transaction_id"]))
}

/// Where a dispute stands and the money at stake (see the table in
/// [`crate::domain::ledger`]): opened or updated, an inquiry or a
/// chargeback; resolved, by its outcome: lost (what PayPal gave back, else
/// the disputed amount), won, or still open for an outcome not known here.
fn dispute_state(
    kind: Type,
    r: &Value,
    disputed: Option<Money>,
    ids: &Ids<'_>,
) -> Result<Option<(DisputeState, Money)>, EventError> {
    let Some(disputed) = disputed else {
        return Ok(None);
    };
    if kind != Type::DisputeResolved {
        let stage = text(r, &["dispute_life_cycle_stage"]).unwrap_or_default();
        return Ok(Some(if stage.eq_ignore_ascii_case("INQUIRY") {
            (DisputeState::Inquiry, disputed)
        } else {
            (DisputeState::Open, disputed)
        }));
    }
    let refunded = || {
        money(
            r.get("dispute_outcome")
                .and_then(|o| o.get("amount_refunded")),
            ids,
        )
    };
    let outcome = text(r, &["dispute_outcome", "outcome_code"]).unwrap_or_default();
    Ok(Some(match outcome {
        "RESOLVED_BUYER_FAVOUR" | "RESOLVED_WITH_PAYOUT" => {
            (DisputeState::Lost, refunded()?.unwrap_or(disputed))
        }
        "ACCEPTED" => (DisputeState::Lost, disputed),
        "RESOLVED_SELLER_FAVOUR" | "CANCELED_BY_BUYER" | "DENIED" => (DisputeState::Won, disputed),
        _ => (DisputeState::Open, disputed),
    }))
}

/// What PayPal says was refunded from the capture so far, when it says.
fn refunded_total(r: &Value, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    money(
        r.get("seller_payable_breakdown")
            .and_then(|b| b.get("total_refunded_amount"))
            .or_else(|| r.get("total_refunded_amount")),
        ids,
    )
}

/// A refund: the refunded total when PayPal gives it, else this refund alone.
fn refund(r: &Value, this: Option<Money>, ids: &Ids<'_>) -> Result<Refund, EventError> {
    let total = refunded_total(r, ids)?;
    let this = this.ok_or_else(|| ids.amount_error("the refund has no amount"))?;
    Ok(match total {
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

/// A PayPal amount object: `{total|value, currency|currency_code}`, a
/// decimal string in major units; a leading minus is dropped.
fn money(amount: Option<&Value>, ids: &Ids<'_>) -> Result<Option<Money>, EventError> {
    let Some(amount) = amount.filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let value = text(amount, &["value"])
        .or_else(|| text(amount, &["total"]))
        .ok_or_else(|| ids.amount_error("the amount has no value"))?;
    let currency =
        ids.currency(text(amount, &["currency_code"]).or_else(|| text(amount, &["currency"])))?;
    let magnitude = value.strip_prefix('-').unwrap_or(value);
    Money::parse(magnitude, currency)
        .map(Some)
        .map_err(|e| ids.amount_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DisputeState as D;
    use crate::domain::RefundState as R;
    use crate::domain::Timestamp;
    use crate::testing::{money, sample};
    use serde_json::json;

    fn paypal(name: &str) -> ProviderEvent {
        parse(&sample(&format!("paypal/{name}.json"))).unwrap()
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
        let e = parse(v.to_string().as_bytes()).unwrap();
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
        let e = parse(dispute("CUSTOMER.DISPUTE.CREATED", "").as_bytes()).unwrap();
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
            let e = parse(dispute("CUSTOMER.DISPUTE.RESOLVED", outcome).as_bytes()).unwrap();
            assert_eq!(e.kind, EventKind::DisputeClosed { lost }, "{outcome}");
        }
    }

    // ---- Ledger movements -------------------------------------------------

    /// A movement as the tests compare it: flow, amount, provider id, key.
    type Row<'a> = (Flow, Money, Option<&'a str>, Option<&'a str>);

    fn ts(text: &str) -> Timestamp {
        parse_ts(text).unwrap()
    }

    /// The event's movements, after checking that each is stamped with
    /// `time` and with the event id.
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

    /// A sample event, parsed, with its `create_time` as read from the body.
    fn event(rel: &str) -> (ProviderEvent, Timestamp) {
        let v = body(rel);
        let created = ts(v["create_time"].as_str().unwrap());
        (parse(v.to_string().as_bytes()).unwrap(), created)
    }

    fn edited(v: &Value) -> ProviderEvent {
        parse(v.to_string().as_bytes()).unwrap()
    }

    fn usd(amount: &str) -> Money {
        money(amount, "USD")
    }

    #[test]
    fn paypal_completed_captures_and_sales_are_captured_by_their_id() {
        for (name, amount, id) in [
            (
                "PAYMENT.CAPTURE.COMPLETED",
                usd("30.00"),
                "12A34567BC123456S",
            ),
            (
                "PAYMENT.CAPTURE.COMPLETED.paypal-docs-pui",
                money("100.00", "EUR"),
                "84745544P6340640G",
            ),
            ("PAYMENT.SALE.COMPLETED", usd("0.48"), "80021663DE681814L"),
            (
                "PAYMENT.SALE.COMPLETED.sdk-java-2015",
                usd("20.00"),
                "7DW85331GX749735N",
            ),
            (
                "PAYMENT.SALE.COMPLETED.sdk-python-2015",
                usd("20.00"),
                "4EU7004268015634R",
            ),
        ] {
            let (e, t) = event(&format!("paypal/{name}.json"));
            assert_eq!(
                rows(&e, t),
                [(Flow::Captured, amount, Some(id), None)],
                "{name}"
            );
        }
    }

    #[test]
    fn paypal_declines_denials_and_pending_move_no_money() {
        let (e, _) = event("paypal/ledger/PAYMENT.CAPTURE.DECLINED.json");
        assert_eq!(e.kind, EventKind::Failed);
        assert_eq!(e.reference.as_deref(), Some("7U133281TB3277326"));
        assert_eq!(e.order_numbers[0], "CUSTOMID-1001");
        assert_eq!(e.amount, Some(usd("185.10")));
        assert_eq!(e.provider_status.as_deref(), Some("DECLINED"));
        assert!(e.movements.is_empty());
        for name in [
            "PAYMENT.SALE.DENIED",
            "PAYMENT.CAPTURE.DENIED",
            "PAYMENT.SALE.PENDING",
            "PAYMENT.CAPTURE.PENDING",
        ] {
            assert!(paypal(name).movements.is_empty(), "{name}");
        }
    }

    #[test]
    fn paypal_refunds_by_id_and_the_cumulative_total_without_one() {
        let (e, t) = event("paypal/PAYMENT.CAPTURE.REFUNDED.json");
        assert_eq!(
            rows(&e, t),
            [
                (
                    Flow::Refund(R::Succeeded),
                    usd("0.99"),
                    Some("1Y107995YT783435V"),
                    None
                ),
                (Flow::Refund(R::Succeeded), usd("1.98"), None, None),
            ]
        );
        // v1: "-0.01", state "completed", no total.
        let (e, t) = event("paypal/PAYMENT.SALE.REFUNDED.json");
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Refund(R::Succeeded),
                usd("0.01"),
                Some("6YX43824R4443062K"),
                None
            )]
        );
        // A v1 total at the top of the resource counts too.
        let mut v = body("paypal/PAYMENT.SALE.REFUNDED.json");
        v["resource"]["total_refunded_amount"] = json!({"value": "0.05", "currency": "USD"});
        assert_eq!(
            rows(&edited(&v), t)[1],
            (Flow::Refund(R::Succeeded), usd("0.05"), None, None)
        );
    }

    #[test]
    fn paypal_refund_states() {
        let mut v = body("paypal/PAYMENT.CAPTURE.REFUNDED.json");
        for (status, state) in [
            (json!("COMPLETED"), R::Succeeded),
            (json!("completed"), R::Succeeded),
            (json!("PENDING"), R::Pending),
            (json!("FAILED"), R::Failed),
            (json!("CANCELLED"), R::Cancelled),
            (Value::Null, R::Succeeded),
        ] {
            v["resource"]["status"] = status.clone();
            let e = edited(&v);
            assert_eq!(e.movements[0].flow, Flow::Refund(state), "{status}");
            // The total is what PayPal says was refunded, whatever this one's state.
            assert_eq!(e.movements[1].flow, Flow::Refund(R::Succeeded));
        }
    }

    #[test]
    fn paypal_reversals_are_lost_disputes_keyed_by_the_reversed_capture() {
        // `up` link to captures/4L335234718889942; its total_refunded_amount
        // is not a refund: the money went back by the reversal.
        let (e, t) = event("paypal/ledger/PAYMENT.CAPTURE.REVERSED.json");
        assert_eq!(e.kind, EventKind::Reversed);
        assert_eq!(e.reference.as_deref(), Some("4L335234718889942"));
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Reversed),
                usd("2.51"),
                Some("09E71677NS257044M"),
                Some("4L335234718889942")
            )]
        );
        // "-0.49" and only a `self` link: no key.
        let (e, t) = event("paypal/ledger/PAYMENT.SALE.REVERSED.json");
        assert_eq!(e.kind, EventKind::Reversed);
        assert_eq!(
            rows(&e, t),
            [(
                Flow::Dispute(D::Reversed),
                usd("0.49"),
                Some("77689802DL785834G"),
                None
            )]
        );
        // Edited: a v1 reversal that names its sale.
        let mut v = body("paypal/ledger/PAYMENT.SALE.REVERSED.json");
        v["resource"]["sale_id"] = json!("9T0916710M1105906");
        assert_eq!(
            edited(&v).movements[0].key.as_deref(),
            Some("9T0916710M1105906")
        );
    }

    #[test]
    fn paypal_dispute_samples() {
        let id = Some("PP-000-042-663-135");
        let key = Some("00D10444LD479031K");
        let (e, t) = event("paypal/ledger/CUSTOMER.DISPUTE.CREATED.paypal-docs.json");
        assert_eq!(e.kind, EventKind::DisputeCreated);
        assert_eq!(e.references, ["00D10444LD479031K"]);
        assert_eq!(e.amount, Some(usd("3.00")));
        assert_eq!(
            rows(&e, t),
            [(Flow::Dispute(D::Inquiry), usd("3.00"), id, key)]
        );

        let (e, t) =
            event("paypal/ledger/CUSTOMER.DISPUTE.RESOLVED.CANCELED_BY_BUYER.paypal-docs.json");
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: false });
        assert_eq!(rows(&e, t), [(Flow::Dispute(D::Won), usd("3.00"), id, key)]);

        // No CUSTOMER.DISPUTE.UPDATED sample: the created one edited into a
        // chargeback update.
        let mut v = body("paypal/ledger/CUSTOMER.DISPUTE.CREATED.paypal-docs.json");
        v["event_type"] = json!("CUSTOMER.DISPUTE.UPDATED");
        v["resource"]["dispute_life_cycle_stage"] = json!("CHARGEBACK");
        let e = edited(&v);
        assert_eq!(e.kind, EventKind::Ledger);
        assert_eq!(e.references, ["00D10444LD479031K"]);
        assert_eq!(
            rows(&e, t_of(&v)),
            [(Flow::Dispute(D::Open), usd("3.00"), id, key)]
        );
    }

    fn t_of(v: &Value) -> Timestamp {
        ts(v["create_time"].as_str().unwrap())
    }

    /// The laravel-paypal file is a bare dispute resource (PayPal's "show
    /// dispute details" example): wrapped in the test's minimal envelope.
    fn resolved(resource: &Value, create_time: Option<&str>) -> Value {
        let mut v = json!({"id": "WH-WRAPPED", "event_type": "CUSTOMER.DISPUTE.RESOLVED",
                           "resource": resource});
        if let Some(t) = create_time {
            v["create_time"] = json!(t);
        }
        v
    }

    #[test]
    fn paypal_resolved_partial_dispute_loses_what_was_refunded() {
        let r = body("paypal/ledger/dispute.PP-D-4012.RESOLVED_BUYER_FAVOUR.laravel-paypal.json");
        let e = edited(&resolved(&r, Some("2019-04-21T04:20:00Z")));
        assert_eq!(e.kind, EventKind::DisputeClosed { lost: true });
        assert_eq!(e.references, ["3BC38643YC807283D"]);
        let expected = [(
            Flow::Dispute(D::Lost),
            usd("96.00"),
            Some("PP-D-4012"),
            Some("3BC38643YC807283D"),
        )];
        assert_eq!(rows(&e, ts("2019-04-21T04:20:00Z")), expected);
        // Without an event time, the resource's update_time stands in.
        let e = edited(&resolved(&r, None));
        assert_eq!(rows(&e, ts("2019-04-21T04:19:08.000Z")), expected);
        // Without any time, no money can be reported.
        let mut bare = r.clone();
        bare.as_object_mut().unwrap().remove("update_time");
        bare.as_object_mut().unwrap().remove("create_time");
        let err = parse(resolved(&bare, None).to_string().as_bytes()).unwrap_err();
        assert!(matches!(err, EventError::Missing("created")), "{err}");
    }

    #[test]
    fn paypal_dispute_outcomes() {
        // The laravel-paypal resource, wrapped, with 40.00 of the disputed
        // 96.00 given back, under each outcome.
        let mut r =
            body("paypal/ledger/dispute.PP-D-4012.RESOLVED_BUYER_FAVOUR.laravel-paypal.json");
        r["dispute_outcome"]["amount_refunded"] = json!({"currency_code": "USD", "value": "40.00"});
        for (outcome, state, amount) in [
            (json!("RESOLVED_BUYER_FAVOUR"), D::Lost, "40.00"),
            (json!("RESOLVED_WITH_PAYOUT"), D::Lost, "40.00"),
            (json!("ACCEPTED"), D::Lost, "96.00"),
            (json!("RESOLVED_SELLER_FAVOUR"), D::Won, "96.00"),
            (json!("CANCELED_BY_BUYER"), D::Won, "96.00"),
            (json!("DENIED"), D::Won, "96.00"),
            (json!("SOMETHING_NEW"), D::Open, "96.00"),
            (Value::Null, D::Open, "96.00"),
        ] {
            r["dispute_outcome"]["outcome_code"] = outcome.clone();
            let e = edited(&resolved(&r, Some("2019-04-21T04:20:00Z")));
            let m = &e.movements[0];
            assert_eq!(
                (m.flow, m.amount),
                (Flow::Dispute(state), usd(amount)),
                "{outcome}"
            );
        }
        // Without amount_refunded, a lost dispute loses the disputed amount.
        r["dispute_outcome"]
            .as_object_mut()
            .unwrap()
            .remove("amount_refunded");
        for outcome in ["RESOLVED_BUYER_FAVOUR", "RESOLVED_WITH_PAYOUT"] {
            r["dispute_outcome"]["outcome_code"] = json!(outcome);
            let e = edited(&resolved(&r, Some("2019-04-21T04:20:00Z")));
            assert_eq!(e.movements[0].amount, usd("96.00"), "{outcome}");
        }
    }

    #[test]
    fn paypal_a_reversal_and_the_dispute_on_its_capture_are_one_flow() {
        let (reversal, _) = event("paypal/ledger/PAYMENT.CAPTURE.REVERSED.json");
        let mut r =
            body("paypal/ledger/dispute.PP-D-4012.RESOLVED_BUYER_FAVOUR.laravel-paypal.json");
        r["disputed_transactions"][0]["seller_transaction_id"] = json!("4L335234718889942");
        let dispute = edited(&resolved(&r, Some("2019-04-21T04:20:00Z")));
        assert_eq!(reversal.movements[0].key, dispute.movements[0].key);
    }
}
