//! Attempts and movements through the import format.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::domain::ledger::{Flow, RefundState};
use crate::store::Store;
use crate::testing::{now, shop};

const LEDGER: &str = include_str!("../../fixtures/import/ledger.json");

fn export(store: &mut Store) -> String {
    let mut out = Vec::new();
    export_json(store, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn problems(name: &str, text: &str) -> Vec<Problem> {
    match read_bytes(name, text.as_bytes()) {
        Err(TransferError::Invalid(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn attempts(store: &Store, number: &str) -> Vec<crate::domain::Payment> {
    let r = store.reader();
    let order = r.order_by_number(number).unwrap().unwrap();
    r.payments_of_order(order.id).unwrap()
}

#[test]
fn a_movement_row_defaults_to_the_import_as_its_source() {
    let set = read_bytes(
        "m.json",
        br#"{"movements": [{"order": "A1", "provider": "cash", "kind": "refund",
            "state": "succeeded", "amount": "5.00", "currency": "eur",
            "at": "2026-11-02T10:00:00+01:00"}]}"#,
    )
    .unwrap();
    let m = &set.movements[0];
    assert_eq!(m.recorded_by, MovementSource::Import);
    assert_eq!(m.payment, None);
    assert_eq!(m.movement.flow, Flow::Refund(RefundState::Succeeded));
    assert_eq!(m.movement.amount.minor(), 500);
    assert_eq!(m.movement.at.to_rfc3339(), "2026-11-02T09:00:00+00:00");
    assert_eq!(m.key(), ("A1".to_owned(), Provider::Cash, None));
}

#[test]
fn a_movements_csv_is_recognised_from_its_header() {
    let set = read_bytes(
        "moves.csv",
        b"kind,order,provider,payment,amount,currency,at\n\
          captured,A1,stripe,pi_1,10,XOF,2026-11-02T10:00:00Z\n",
    )
    .unwrap();
    assert_eq!(set.movements.len(), 1);
    assert_eq!(set.movements[0].movement.flow, Flow::Captured);
    assert!(set.payments.is_empty());
}

#[test]
fn bad_movement_rows_name_row_and_field() {
    let p = problems(
        "m.json",
        r#"{"movements": [
            {"order": "A1", "provider": "stripe", "kind": "owed", "state": "pending",
             "amount": "1", "currency": "EUR", "at": "2026-11-02T10:00:00Z"},
            {"order": "A1", "provider": "stripe", "kind": "dispute", "state": "succeeded",
             "amount": "1", "currency": "EUR", "at": "2026-11-02T10:00:00Z"},
            {"order": "A1", "provider": "stripe", "kind": "captured", "amount": "1.5",
             "currency": "JPY", "at": "2026-11-02T10:00:00Z", "reference": "x"},
            {"order": "A1", "provider": "stripe", "kind": "chargeback", "amount": "-1",
             "currency": "EUR"}
        ]}"#,
    );
    let at: Vec<(&str, Option<&str>)> = p
        .iter()
        .map(|p| (p.row.as_str(), p.field.as_deref()))
        .collect();
    assert_eq!(
        at,
        [
            ("movements[0]", Some("state")),
            ("movements[1]", Some("state")),
            ("movements[2]", Some("reference")),
            ("movements[2]", Some("amount")),
            ("movements[3]", Some("kind")),
            ("movements[3]", Some("amount")),
            ("movements[3]", Some("at")),
        ],
        "{p:#?}"
    );
    assert!(p[1].message.contains("not a valid dispute state"), "{p:#?}");
    assert!(p[3].message.contains("JPY allows 0"), "{p:#?}");
}

#[test]
fn an_order_may_have_several_payments_but_each_once() {
    let orders = r#""orders": [{"number": "A1", "customer_name": "A", "customer_email": "a@b.c",
        "total": "10", "currency": "XOF", "status": "pending", "payment_status": "pending",
        "created_at": "2026-11-01T10:00:00Z"}]"#;
    let pay = |provider: &str, reference: &str| {
        format!(
            r#"{{"order": "A1", "provider": "{provider}", "reference": {reference},
            "amount": "10", "currency": "XOF", "status": "failed",
            "created_at": "2026-11-01T10:00:00Z"}}"#
        )
    };
    let two = format!(
        r#"{{{orders}, "payments": [{}, {}, {}]}}"#,
        pay("stripe", "\"pi_1\""),
        pay("stripe", "\"pi_2\""),
        pay("wave", "null")
    );
    let set = read_bytes("two.json", two.as_bytes()).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let s = import(&mut store, &set, "t", now()).unwrap();
    assert_eq!(s.payments_created, 3);
    let numbers: Vec<i64> = attempts(&store, "A1").iter().map(|p| p.attempt).collect();
    assert_eq!(numbers, [3, 2, 1], "newest first");

    let twice = format!(
        r#"{{{orders}, "payments": [{}, {}]}}"#,
        pay("wave", "null"),
        pay("wave", "null")
    );
    let p = problems("twice.json", &twice);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].row, "payments[1]");
    assert!(
        p[0].message
            .contains("a wave payment of order A1 without a reference already appears at"),
        "{p:#?}"
    );
}

#[test]
fn a_shop_with_attempts_and_movements_round_trips() {
    let set = read_bytes("ledger.json", LEDGER.as_bytes()).unwrap();
    assert_eq!(set.movements.len(), 16);
    let mut store = Store::open_in_memory().unwrap();
    let s = import(&mut store, &set, "t", now()).unwrap();
    assert_eq!(
        s.movements_recorded, 18,
        "16 rows and 2 from LEDG1004's figures"
    );
    let first = export(&mut store);

    let again = read_bytes("export.json", first.as_bytes()).unwrap();
    assert_eq!(again.movements.len(), 18);
    let mut fresh = Store::open_in_memory().unwrap();
    import(&mut fresh, &again, "t", now()).unwrap();
    assert_eq!(export(&mut fresh), first);

    // Into the same shop: nothing changes.
    let s = import(&mut fresh, &again, "t", now()).unwrap();
    assert_eq!(
        s,
        ImportSummary {
            unchanged: 10,
            ..ImportSummary::default()
        }
    );
    assert_eq!(export(&mut fresh), first);
}

#[test]
fn movement_rows_give_the_figures_whatever_the_payment_row_says() {
    let mut store = shop();
    let set = read_bytes(
        "m.json",
        br#"{"payments": [{"order": "TEST2001", "provider": "stripe", "reference": "pi_3Ndef",
            "amount": "59.90", "currency": "EUR", "status": "completed",
            "created_at": "2026-11-04T10:01:00Z", "completed_at": "2026-11-04T10:05:00Z",
            "captured_amount": "1.00", "refunded_amount": "1.00", "disputed": "true"}],
          "movements": [{"order": "TEST2001", "provider": "stripe", "payment": "pi_3Ndef",
            "kind": "refund", "state": "pending", "amount": "9.90", "currency": "EUR",
            "provider_id": "re_1", "at": "2026-11-06T10:00:00Z", "source": "provider"}]}"#,
    )
    .unwrap();
    let s = import(&mut store, &set, "t", now()).unwrap();
    assert_eq!((s.payments_updated, s.movements_recorded), (1, 1));
    let p = &attempts(&store, "TEST2001")[0];
    assert_eq!(
        p.captured.map(|m| m.minor()),
        Some(5990),
        "the stored capture"
    );
    assert_eq!(p.refunded_minor, 0);
    assert_eq!(p.refunds_pending_minor, 990);
    assert!(!p.disputed);
}

#[test]
fn an_old_format_row_still_updates_an_orders_only_payment() {
    // TEST1008's only payment is Wave's, without a reference: a row of
    // another provider without a reference is that payment, changed.
    let mut store = shop();
    let set = read_bytes(
        "m.json",
        br#"{"payments": [{"order": "TEST1008", "provider": "cash", "amount": "30000",
            "currency": "XOF", "status": "completed", "created_at": "2026-11-02T10:01:00Z",
            "completed_at": "2026-11-03T10:00:00Z"}]}"#,
    )
    .unwrap();
    let s = import(&mut store, &set, "t", now()).unwrap();
    assert_eq!((s.payments_created, s.payments_updated), (0, 1));
    let all = attempts(&store, "TEST1008");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].provider, Provider::Cash);
    assert_eq!(all[0].captured.map(|m| m.minor()), Some(30000));
    assert_eq!(s.movements_recorded, 1);
}
