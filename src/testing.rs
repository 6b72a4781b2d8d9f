//! Test fixtures shared by the unit tests: a small shop in memory.

use chrono::{TimeZone, Utc};

use crate::domain::{Order, Payment, Timestamp};
use crate::store::Store;
use crate::transfer;

/// A fixed "now" so tests do not depend on the clock.
pub fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
        .single()
        .expect("valid date")
}

/// The seed's shop: three inconsistent orders and a few consistent ones.
pub const SHOP: &str = r#"{
  "orders": [
    {"number": "TEST1001", "customer_name": "Awa Diop", "customer_email": "awa@example.com",
     "total": "45000", "currency": "XOF", "status": "processing", "payment_status": "pending",
     "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z"},
    {"number": "TEST1008", "customer_name": "Moussa Ndiaye", "customer_email": "moussa@example.com",
     "total": "30000", "currency": "XOF", "status": "pending", "payment_status": "failed",
     "created_at": "2026-11-02T10:00:00Z", "updated_at": "2026-11-02T10:00:00Z"},
    {"number": "TEST1014", "customer_name": "Camille Martin", "customer_email": "camille@example.com",
     "total": "89.90", "currency": "EUR", "status": "processing", "payment_status": "paid",
     "created_at": "2026-11-03T10:00:00Z", "updated_at": "2026-11-03T11:00:00Z",
     "paid_at": "2026-11-03T11:00:00Z"},
    {"number": "TEST2001", "customer_name": "Lucas Bernard", "customer_email": "lucas@example.com",
     "total": "59.90", "currency": "EUR", "status": "shipped", "payment_status": "paid",
     "created_at": "2026-11-04T10:00:00Z", "paid_at": "2026-11-04T10:05:00Z"},
    {"number": "TEST2002", "customer_name": "Fatou Sow", "customer_email": "fatou@example.com",
     "total": "25000", "currency": "XOF", "status": "pending", "payment_status": "pending",
     "created_at": "2026-11-20T10:00:00Z"},
    {"number": "TEST2003", "customer_name": "Hugo Moreau", "customer_email": "hugo@example.com",
     "total": "79.90", "currency": "EUR", "status": "pending", "payment_status": "pending",
     "created_at": "2026-11-20T10:00:00Z"},
    {"number": "TEST2004", "customer_name": "Inès Faye", "customer_email": "ines@example.com",
     "total": "35000", "currency": "XOF", "status": "pending", "payment_status": "pending",
     "created_at": "2026-11-20T10:00:00Z"}
  ],
  "payments": [
    {"order": "TEST1001", "provider": "stripe", "reference": "pi_3Nabc", "amount": "45000",
     "currency": "XOF", "status": "completed", "created_at": "2026-11-01T10:01:00Z",
     "updated_at": "2026-11-01T10:02:00Z", "completed_at": "2026-11-01T10:02:00Z"},
    {"order": "TEST1008", "provider": "wave", "amount": "30000", "currency": "XOF",
     "status": "pending", "created_at": "2026-11-02T10:01:00Z", "updated_at": "2026-11-02T09:00:00Z"},
    {"order": "TEST1014", "provider": "paypal", "reference": "5O190127TN364715T", "amount": "89.90",
     "currency": "EUR", "status": "pending", "created_at": "2026-11-03T10:01:00Z",
     "updated_at": "2026-11-03T10:01:00Z"},
    {"order": "TEST2001", "provider": "stripe", "reference": "pi_3Ndef", "amount": "59.90",
     "currency": "EUR", "status": "completed", "created_at": "2026-11-04T10:01:00Z",
     "completed_at": "2026-11-04T10:05:00Z", "captured_amount": "59.90"},
    {"order": "TEST2002", "provider": "wave", "amount": "25000", "currency": "XOF",
     "status": "pending", "created_at": "2026-11-20T10:01:00Z"},
    {"order": "TEST2003", "provider": "stripe", "reference": "pi_3Nghi", "amount": "79.90",
     "currency": "EUR", "status": "pending", "created_at": "2026-11-20T10:01:00Z"}
  ]
}"#;

/// A store holding [`SHOP`].
pub fn shop() -> Store {
    let mut store = Store::open_in_memory().expect("in-memory store");
    let set = transfer::read_bytes("shop.json", SHOP.as_bytes()).expect("valid fixture");
    transfer::import(&mut store, &set, "fixture", now()).expect("import");
    store
}

/// An order and its payment, read back.
pub fn get(store: &Store, number: &str) -> (Order, Option<Payment>) {
    let order = store
        .reader()
        .order_by_number(number)
        .expect("query")
        .expect("order exists");
    let payment = store.reader().payment_for_order(order.id).expect("query");
    (order, payment)
}

/// The audit events of one order, in order.
pub fn events(store: &Store, number: &str) -> Vec<(String, String)> {
    let (order, _) = get(store, number);
    store
        .reader()
        .audit_for_order(order.id)
        .expect("audit")
        .into_iter()
        .map(|e| (e.event.to_string(), e.actor))
        .collect()
}

/// Where the shared provider samples live (`../shared/webhook-samples`).
pub const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples");

/// Where the shared provider export files live (`../shared/providers/exports`).
pub const EXPORTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/providers/exports");

/// A shared export file's bytes, exactly as stored.
pub fn export(rel: &str) -> Vec<u8> {
    let path = format!("{EXPORTS}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A shared sample's bytes, exactly as stored.
pub fn sample(rel: &str) -> Vec<u8> {
    let path = format!("{SAMPLES}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Where the shared Wave samples live (`../shared/providers/wave-samples`).
pub const WAVE_SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/providers/wave-samples"
);

/// A shared Wave sample's bytes, exactly as stored.
pub fn wave_sample(name: &str) -> Vec<u8> {
    let path = format!("{WAVE_SAMPLES}/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A shared sample, parsed as JSON.
pub fn sample_json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&sample(rel)).expect("sample JSON parses")
}

/// An amount in a currency, both given as text ("89.90", "EUR").
pub fn money(amount: &str, code: &str) -> crate::domain::Money {
    let currency = crate::domain::Currency::parse(code).expect("currency");
    crate::domain::Money::parse(amount, currency).expect("amount")
}

/// `body` with one byte flipped in the middle.
pub fn flip_one_byte(body: &[u8]) -> Vec<u8> {
    let mut tampered = body.to_vec();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x01;
    tampered
}
