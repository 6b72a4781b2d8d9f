//! A realistic demo shop: football shirts paid through Stripe (EUR and XOF),
//! PayPal (EUR) and Wave (XOF), with the seed's three inconsistencies and a
//! few cases of every kind `tally check` reports.
//!
//! Orders are numbered `TEST1001`, `TEST1002`, ...; the special cases sit at
//! fixed numbers (see [`SPECIAL`]) so the README, the tests and a newcomer can
//! find them. Everything else is consistent. The same `--seed` gives the same
//! shop, up to timestamps, which are laid out backwards from "now" so that
//! `stale_pending` means the same thing whenever the demo is built.
//!
//! Rows are inserted directly, in batches of [`BATCH`] per transaction (a
//! million orders take a few seconds); the demo writes no audit rows, since
//! nothing happened to these orders inside `tally`.
//!
//! [`statements`] writes the providers' statement files for the shop
//! (`tally demo --statements DIR`).

pub mod statements;

use chrono::Duration;

use crate::domain::ledger::{
    DisputeState, Flow, Movement, MovementSource, RefundState, legacy_movements,
};
use crate::domain::{
    Currency, Money, Order, OrderPaymentStatus, OrderStatus, Payment, PaymentStatus, Provider,
    StatusSource, Timestamp,
};
use crate::store::bulk::BulkLoad;
use crate::store::search::BulkIndex;
use crate::store::{Store, Writer};

/// Orders per write transaction.
pub const BATCH: usize = 100_000;

/// The orders with a deliberate inconsistency, and what `check` calls it.
pub const SPECIAL: &[(&str, &str)] = &[
    (
        "TEST1001",
        "status_mismatch: order pending, payment completed",
    ),
    ("TEST1008", "status_mismatch: order failed, payment pending"),
    ("TEST1014", "status_mismatch: order paid, payment pending"),
    ("TEST1021", "paid_without_payment"),
    ("TEST1022", "paid_without_payment"),
    (
        "TEST1023",
        "amount_mismatch: Stripe captured less than the total",
    ),
    (
        "TEST1024",
        "amount_mismatch: PayPal captured more than the total",
    ),
    (
        "TEST1025",
        "currency_mismatch: PayPal captured USD for a EUR order",
    ),
    ("TEST1026", "cancelled_but_captured: Stripe"),
    ("TEST1027", "cancelled_but_captured: Wave"),
    ("TEST1028", "refund_awaiting_provider: Stripe"),
    ("TEST1029", "refund_awaiting_provider: Wave"),
    ("TEST1030", "disputed: Stripe chargeback"),
    ("TEST1031", "missing_timestamp: paid without paid_at"),
    (
        "TEST1032",
        "missing_timestamp: cancelled without cancelled_at",
    ),
    ("TEST1033", "stale_pending: Wave pending for 5 days"),
    ("TEST1034", "stale_pending: Stripe pending for 3 days"),
    (
        "TEST1035",
        "dispute_lost, fulfilled_unpaid: a lost chargeback on a shipped order",
    ),
    ("TEST1036", "refund_failed: a Stripe refund that failed"),
    (
        "TEST1037",
        "duplicate_payment: the customer was charged twice by Stripe",
    ),
    (
        "TEST1038",
        "fulfilled_unpaid: a SEPA debit failed after the order shipped",
    ),
    (
        "TEST1039",
        "amount_mismatch: a partial capture (179.80 authorised, 100.00 captured), then a 20.20 refund",
    ),
    (
        "TEST1041",
        "no finding: a Stripe payment of an order planned for Wave (two attempts)",
    ),
];

const FIRST: [&str; 16] = [
    "Awa", "Moussa", "Fatou", "Ibrahima", "Aminata", "Cheikh", "Mariama", "Ousmane", "Camille",
    "Lucas", "Chloé", "Hugo", "Léa", "Karim", "Inès", "Yanis",
];
const LAST: [&str; 16] = [
    "Diop", "Ndiaye", "Fall", "Sow", "Ba", "Sarr", "Faye", "Gueye", "Martin", "Bernard", "Dubois",
    "Laurent", "Moreau", "Lefebvre", "Mercier", "Diallo",
];

/// What the demo built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub orders: usize,
    pub payments: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "database {path} already holds {count} orders; `tally demo` fills only an empty database (use another --db)"
    )]
    NotEmpty { path: String, count: i64 },
    #[error("--orders must be at least 1")]
    NoOrders,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot write the demo statements: {0}")]
    Write(String),
}

/// One generated row pair.
struct Row {
    number: String,
    name: String,
    email: String,
    total: Money,
    status: OrderStatus,
    payment_status: OrderPaymentStatus,
    created: Timestamp,
    updated: Timestamp,
    paid_at: Option<Timestamp>,
    cancelled_at: Option<Timestamp>,
    payment: Option<PayRow>,
    /// Further attempts at paying the order, after `payment`.
    more: Vec<PayRow>,
}

struct PayRow {
    provider: Provider,
    reference: Option<String>,
    amount: Money,
    status: PaymentStatus,
    provider_status: Option<&'static str>,
    created: Timestamp,
    updated: Timestamp,
    completed_at: Option<Timestamp>,
    captured: Option<Money>,
    charge_id: Option<String>,
    refunded_minor: i64,
    refund_pending: bool,
    disputed: bool,
    /// The payment's ledger, when the case spells it out (else it is read
    /// from the fields above, as an import would).
    movements: Option<Vec<Movement>>,
}

struct Gen {
    rng: fastrand::Rng,
    now: Timestamp,
    eur: Currency,
    xof: Currency,
    usd: Currency,
}

impl Gen {
    fn row(&mut self, i: usize, total_orders: usize) -> Row {
        let n = 1001 + i;
        let number = format!("TEST{n}");
        let rng = &mut self.rng;
        let first = FIRST[rng.usize(..FIRST.len())];
        let last = LAST[rng.usize(..LAST.len())];
        let name = format!("{first} {last}");
        let email = format!(
            "{}.{}{}@example.com",
            ascii_lower(first),
            ascii_lower(last),
            n % 97
        );
        // Older orders first: spread over the last 180 days, the newest in
        // the last day.
        let age_secs = ((total_orders - i) as i64 * 180 * 86_400) / total_orders.max(1) as i64;
        let created = self.now - Duration::seconds(age_secs.max(60) + rng.i64(0..60));
        let (provider, currency) = match rng.u8(0..100) {
            0..40 => (Provider::Stripe, self.eur),
            40..55 => (Provider::Stripe, self.xof),
            55..80 => (Provider::Paypal, self.eur),
            _ => (Provider::Wave, self.xof),
        };
        let total = if currency == self.eur {
            money(
                [5990, 7990, 8990, 9990, 12990][rng.usize(..5)] * rng.i64(1..3),
                currency,
            )
        } else {
            money(500 * rng.i64(50..170), currency)
        };
        let recent = age_secs < 86_400;
        // Consistent life cycles: most paid and on their way, a few fresh and
        // pending, some declined, some cancelled with a confirmed refund.
        let roll = rng.u8(0..100);
        let (status, pstatus) = match roll {
            _ if recent && roll < 50 => (OrderStatus::Pending, PaymentStatus::Pending),
            0..4 => (OrderStatus::Pending, PaymentStatus::Failed),
            4..8 => (OrderStatus::Cancelled, PaymentStatus::Cancelled),
            8..30 => (OrderStatus::Processing, PaymentStatus::Completed),
            30..55 => (OrderStatus::Shipped, PaymentStatus::Completed),
            _ => (OrderStatus::Delivered, PaymentStatus::Completed),
        };
        let paid = created + Duration::seconds(rng.i64(30..600));
        let completed_at = (pstatus == PaymentStatus::Completed
            || pstatus == PaymentStatus::Cancelled)
            .then_some(paid);
        let cancelled_at =
            (status == OrderStatus::Cancelled).then(|| paid + Duration::hours(rng.i64(2..72)));
        let updated = cancelled_at.or(completed_at).unwrap_or(created);
        let payment = pay_row(n, provider, pstatus, total, created, updated, completed_at);
        Row {
            number,
            name,
            email,
            total,
            status,
            payment_status: pstatus.to_order(),
            created,
            updated,
            paid_at: completed_at,
            cancelled_at,
            payment: Some(payment),
            more: Vec::new(),
        }
    }

    /// Turns a consistent row into the special case its number calls for.
    fn special(&mut self, row: &mut Row) {
        self.status_cases(row);
        self.money_cases(row);
        self.cancel_cases(row);
        self.pending_cases(row);
        self.ledger_cases(row);
        self.ledger_cases_more(row);
    }

    /// The ledger's cases: money lost, a refund failed, paid twice, a
    /// failed debit, a partial capture, a second attempt by another
    /// provider.
    fn ledger_cases(&self, row: &mut Row) {
        let (now, eur) = (self.now, self.eur);
        let at = now - Duration::days(10);
        let later = |d: i64| at + Duration::days(d);
        let flow = |f: Flow, minor: i64, id: &str, t: Timestamp| {
            Movement::new(f, money(minor, eur), t).with_id(id)
        };
        let n = row.number.clone();
        match n.as_str() {
            "TEST1035" => {
                self.completed(row, Provider::Stripe, eur);
                row.status = OrderStatus::Shipped;
                row.payment_status = OrderPaymentStatus::Refunded;
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Cancelled;
                    p.provider_status = Some("succeeded");
                    let dp = format!("dp_demo{n}");
                    p.movements = Some(vec![
                        flow(Flow::Captured, 8_990, &format!("ch_3seed{n}"), at),
                        flow(Flow::Dispute(DisputeState::Open), 8_990, &dp, later(3)),
                        flow(Flow::Dispute(DisputeState::Lost), 8_990, &dp, later(8)),
                    ]);
                }
            }
            "TEST1036" => {
                self.completed(row, Provider::Stripe, eur);
                if let Some(p) = row.payment.as_mut() {
                    let re = format!("re_demo{n}");
                    p.movements = Some(vec![
                        flow(Flow::Captured, 8_990, &format!("ch_3seed{n}"), at),
                        flow(Flow::Refund(RefundState::Succeeded), 3_000, &re, later(2)),
                        flow(Flow::Refund(RefundState::Failed), 3_000, &re, later(4)),
                    ]);
                }
            }
            "TEST1037" => {
                self.completed(row, Provider::Stripe, eur);
                if let Some(first) = row.payment.as_ref() {
                    let mut second = first.clone_as(format!("pi_3seed{n}b"), later(1));
                    second.charge_id = Some(format!("ch_3seed{n}b"));
                    second.movements = Some(vec![flow(
                        Flow::Captured,
                        8_990,
                        &format!("ch_3seed{n}b"),
                        later(1),
                    )]);
                    row.more.push(second);
                }
            }
            _ => {}
        }
    }

    /// More of the ledger's cases: a failed debit after shipping, a partial
    /// capture, a second attempt by another provider.
    fn ledger_cases_more(&self, row: &mut Row) {
        let (now, eur, xof) = (self.now, self.eur, self.xof);
        let at = now - Duration::days(10);
        let later = |d: i64| at + Duration::days(d);
        let flow = |f: Flow, minor: i64, id: &str, t: Timestamp| {
            Movement::new(f, money(minor, eur), t).with_id(id)
        };
        let n = row.number.clone();
        match n.as_str() {
            "TEST1038" => {
                self.completed(row, Provider::Stripe, eur);
                row.status = OrderStatus::Shipped;
                row.payment_status = OrderPaymentStatus::Failed;
                row.paid_at = None;
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Failed;
                    p.provider_status = Some("requires_payment_method");
                    p.completed_at = None;
                    p.captured = None;
                    p.charge_id = None;
                    p.movements = Some(Vec::new());
                }
            }
            "TEST1039" => {
                self.completed(row, Provider::Stripe, eur);
                row.total = money(17_980, eur);
                if let Some(p) = row.payment.as_mut() {
                    p.amount = money(17_980, eur);
                    let ch = format!("ch_3seed{n}");
                    let pi = format!("pi_3seed{n}");
                    p.movements = Some(vec![
                        flow(Flow::Authorised, 17_980, &pi, at),
                        flow(Flow::Captured, 10_000, &ch, later(1)),
                        flow(Flow::Released, 7_980, &ch, later(1)),
                        flow(
                            Flow::Refund(RefundState::Succeeded),
                            2_020,
                            &format!("re_demo{n}"),
                            later(2),
                        ),
                    ]);
                }
            }
            "TEST1041" => {
                self.completed(row, Provider::Stripe, xof);
                if let Some(stripe) = row.payment.take() {
                    let mut wave = stripe.clone_as(String::new(), at - Duration::days(1));
                    wave.provider = Provider::Wave;
                    wave.reference = None;
                    wave.status = PaymentStatus::Pending;
                    wave.completed_at = None;
                    wave.captured = None;
                    wave.charge_id = None;
                    wave.movements = Some(Vec::new());
                    row.payment = Some(wave);
                    row.more.push(stripe);
                }
            }
            _ => {}
        }
    }

    /// A completed payment of `provider` in `currency` for a processing order
    /// paid ten days ago: what every special case starts from.
    fn completed(&self, row: &mut Row, provider: Provider, currency: Currency) {
        let now = self.now;
        let days = Duration::days;
        let total = if currency == self.xof {
            money(45_000, self.xof)
        } else {
            money(8_990, self.eur)
        };
        row.total = total;
        row.status = OrderStatus::Processing;
        row.payment_status = OrderPaymentStatus::Paid;
        row.created = now - days(10);
        row.updated = now - days(10);
        row.paid_at = Some(now - days(10));
        row.cancelled_at = None;
        let n = &row.number;
        row.payment = Some(PayRow {
            provider,
            reference: Some(match provider {
                Provider::Stripe => format!("pi_3seed{n}"),
                Provider::Paypal => format!("8PAY{n}"),
                Provider::Wave | Provider::Cash => format!("T_WAVE_{n}"),
            }),
            amount: total,
            status: PaymentStatus::Completed,
            provider_status: None,
            created: now - days(10),
            updated: now - days(10),
            completed_at: Some(now - days(10)),
            captured: provider.sends_webhooks().then_some(total),
            charge_id: (provider == Provider::Stripe).then(|| format!("ch_3seed{n}")),
            refunded_minor: 0,
            refund_pending: false,
            disputed: false,
            movements: None,
        });
    }

    /// The seed's status cases: mismatches both ways, paid without a payment, a missing timestamp.
    fn status_cases(&self, row: &mut Row) {
        let (now, eur, xof) = (self.now, self.eur, self.xof);
        match row.number.as_str() {
            "TEST1001" => {
                self.completed(row, Provider::Stripe, xof);
                row.payment_status = OrderPaymentStatus::Pending;
                row.status = OrderStatus::Pending;
                row.paid_at = None;
            }
            "TEST1008" | "TEST1014" => {
                self.completed(row, Provider::Wave, xof);
                row.payment_status = if row.number == "TEST1008" {
                    OrderPaymentStatus::Failed
                } else {
                    OrderPaymentStatus::Paid
                };
                row.status = OrderStatus::Pending;
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Pending;
                    p.completed_at = None;
                    p.reference = None;
                    // Recent, so the case is a mismatch and not also stale.
                    p.created = now - Duration::hours(2);
                    p.updated = now - Duration::hours(3);
                }
            }
            "TEST1021" | "TEST1022" => {
                self.completed(row, Provider::Cash, eur);
                row.payment = None;
            }
            "TEST1031" => {
                self.completed(row, Provider::Paypal, eur);
                row.paid_at = None;
            }
            _ => {}
        }
    }

    /// Money cases: a captured amount or currency that differs, a dispute.
    fn money_cases(&self, row: &mut Row) {
        let (eur, usd) = (self.eur, self.usd);
        match row.number.as_str() {
            "TEST1023" => {
                self.completed(row, Provider::Stripe, eur);
                if let Some(p) = row.payment.as_mut() {
                    p.captured = Some(money(7_990, eur));
                }
            }
            "TEST1024" | "TEST1025" => {
                self.completed(row, Provider::Paypal, eur);
                if let Some(p) = row.payment.as_mut() {
                    p.captured = if row.number == "TEST1024" {
                        Some(money(9_990, eur))
                    } else {
                        Some(money(8_990, usd))
                    };
                }
            }
            "TEST1030" => {
                self.completed(row, Provider::Stripe, eur);
                if let Some(p) = row.payment.as_mut() {
                    p.disputed = true;
                }
            }
            _ => {}
        }
    }

    /// Cancelled orders whose money is still with the shop, or owed back.
    fn cancel_cases(&self, row: &mut Row) {
        let days = Duration::days;
        let (now, eur, xof) = (self.now, self.eur, self.xof);
        match row.number.as_str() {
            "TEST1026" | "TEST1027" => {
                let provider = if row.number == "TEST1026" {
                    Provider::Stripe
                } else {
                    Provider::Wave
                };
                self.completed(
                    row,
                    provider,
                    if provider == Provider::Wave { xof } else { eur },
                );
                row.status = OrderStatus::Cancelled;
                row.cancelled_at = Some(now - days(2));
            }
            "TEST1028" | "TEST1029" => {
                let provider = if row.number == "TEST1028" {
                    Provider::Stripe
                } else {
                    Provider::Wave
                };
                self.completed(
                    row,
                    provider,
                    if provider == Provider::Wave { xof } else { eur },
                );
                row.status = OrderStatus::Cancelled;
                row.payment_status = OrderPaymentStatus::Refunded;
                row.cancelled_at = Some(now - days(1));
                row.updated = now - days(1);
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Cancelled;
                    p.refund_pending = true;
                    p.updated = now - days(1);
                }
            }
            "TEST1032" => {
                self.completed(row, Provider::Stripe, eur);
                row.status = OrderStatus::Cancelled;
                row.payment_status = OrderPaymentStatus::Refunded;
                row.cancelled_at = None;
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Cancelled;
                    p.refunded_minor = p.amount.minor();
                }
            }
            _ => {}
        }
    }

    /// Payments pending for days.
    fn pending_cases(&self, row: &mut Row) {
        let days = Duration::days;
        let (now, eur, xof) = (self.now, self.eur, self.xof);
        match row.number.as_str() {
            "TEST1033" | "TEST1034" => {
                let (provider, age) = if row.number == "TEST1033" {
                    (Provider::Wave, days(5))
                } else {
                    (Provider::Stripe, days(3))
                };
                self.completed(
                    row,
                    provider,
                    if provider == Provider::Wave { xof } else { eur },
                );
                row.status = OrderStatus::Pending;
                row.payment_status = OrderPaymentStatus::Pending;
                row.paid_at = None;
                row.created = now - age;
                row.updated = now - age;
                if let Some(p) = row.payment.as_mut() {
                    p.status = PaymentStatus::Pending;
                    p.completed_at = None;
                    p.captured = None;
                    p.charge_id = None;
                    p.created = now - age;
                    p.updated = now - age;
                    if provider == Provider::Wave {
                        p.reference = None;
                    }
                }
            }
            _ => {}
        }
    }
}

/// The payment of a generated row, consistent with its status.
fn pay_row(
    n: usize,
    provider: Provider,
    pstatus: PaymentStatus,
    total: Money,
    created: Timestamp,
    updated: Timestamp,
    completed_at: Option<Timestamp>,
) -> PayRow {
    let reference = match provider {
        Provider::Stripe => Some(format!("pi_3demo{n:010}")),
        Provider::Paypal => Some(format!("{:017X}", 0x5D3E_0000_0000u64 + n as u64)),
        Provider::Wave => (pstatus != PaymentStatus::Pending).then(|| format!("T_WAVE{n:08}")),
        Provider::Cash => None,
    };
    let raw = match (provider, pstatus) {
        (Provider::Stripe, PaymentStatus::Completed) => Some("succeeded"),
        (Provider::Stripe, PaymentStatus::Pending) => Some("processing"),
        (Provider::Stripe, PaymentStatus::Failed) => Some("requires_payment_method"),
        (Provider::Stripe, PaymentStatus::Cancelled) => Some("refunded"),
        (Provider::Paypal, PaymentStatus::Completed) => Some("COMPLETED"),
        (Provider::Paypal, PaymentStatus::Pending) => Some("PENDING"),
        (Provider::Paypal, PaymentStatus::Failed) => Some("DENIED"),
        (Provider::Paypal, PaymentStatus::Cancelled) => Some("REFUNDED"),
        (Provider::Wave | Provider::Cash, _) => None,
    };
    let captured = (provider.sends_webhooks() && completed_at.is_some()).then_some(total);
    PayRow {
        provider,
        charge_id: (provider == Provider::Stripe && captured.is_some())
            .then(|| format!("ch_3demo{n:010}")),
        reference,
        amount: total,
        status: pstatus,
        provider_status: raw,
        created: created + Duration::seconds(5),
        updated,
        completed_at,
        captured,
        refunded_minor: if pstatus == PaymentStatus::Cancelled {
            total.minor()
        } else {
            0
        },
        refund_pending: false,
        disputed: false,
        movements: None,
    }
}

impl PayRow {
    /// Another payment like this one, under another reference and time.
    fn clone_as(&self, reference: String, at: Timestamp) -> PayRow {
        PayRow {
            provider: self.provider,
            reference: Some(reference),
            amount: self.amount,
            status: self.status,
            provider_status: self.provider_status,
            created: at,
            updated: at,
            completed_at: self.completed_at.map(|_| at),
            captured: self.captured,
            charge_id: self.charge_id.clone(),
            refunded_minor: self.refunded_minor,
            refund_pending: self.refund_pending,
            disputed: self.disputed,
            movements: self.movements.clone(),
        }
    }
}

/// A generated amount; generated amounts are never negative.
fn money(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency).unwrap_or(Money::zero(currency))
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Writes one generated order and its payment through the store.
fn insert(tx: &Writer<'_>, row: Row) -> rusqlite::Result<()> {
    let order_id = tx.insert_order(&Order {
        id: 0,
        number: row.number,
        customer_name: row.name,
        customer_email: row.email,
        total: row.total,
        status: row.status,
        payment_status: row.payment_status,
        created_at: row.created,
        updated_at: row.updated,
        paid_at: row.paid_at,
        cancelled_at: row.cancelled_at,
    })?;
    for (attempt, p) in (1..).zip(row.payment.into_iter().chain(row.more)) {
        // A provider's payment that left pending was moved by its events.
        let status_source = if p.provider.sends_webhooks() && p.status != PaymentStatus::Pending {
            StatusSource::Provider
        } else {
            StatusSource::Owner
        };
        let mut payment = Payment {
            id: 0,
            order_id,
            provider: p.provider,
            reference: p.reference,
            amount: p.amount,
            status: p.status,
            provider_status: p.provider_status.map(str::to_owned),
            created_at: p.created,
            updated_at: p.updated,
            completed_at: p.completed_at,
            status_source,
            captured: p.captured,
            charge_id: p.charge_id,
            refunded_minor: p.refunded_minor,
            refund_pending: p.refund_pending,
            disputed: p.disputed,
            attempt,
            refunds_pending_minor: 0,
            refunds_failed_minor: 0,
            disputed_minor: 0,
            lost_minor: 0,
            owed_minor: 0,
        };
        let at = payment.completed_at.unwrap_or(payment.updated_at);
        let movements = p
            .movements
            .unwrap_or_else(|| legacy_movements(&payment, at));
        tx.insert_payment_with_ledger(&mut payment, &movements, MovementSource::Import, at)?;
    }
    Ok(())
}

/// Fills an empty database with `orders` orders. `progress` is called after
/// each committed batch with the number of orders written so far.
pub fn build(
    store: &mut Store,
    orders: usize,
    seed: u64,
    now: Timestamp,
    mut progress: impl FnMut(usize),
) -> Result<DemoSummary, DemoError> {
    if orders == 0 {
        return Err(DemoError::NoOrders);
    }
    let count = store.reader().count_orders()?;
    if count > 0 {
        return Err(DemoError::NotEmpty {
            path: store.path().display().to_string(),
            count,
        });
    }
    let parse = |c: &str| {
        Currency::parse(c).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    };
    let mut generator = Gen {
        rng: fastrand::Rng::with_seed(seed),
        now,
        eur: parse("EUR")?,
        xof: parse("XOF")?,
        usd: parse("USD")?,
    };
    // Secondary indexes are rebuilt once at the end, triggers are off on
    // this connection, and the search index is filled batch by batch on
    // another core (see `BulkLoad`, `BulkIndex`).
    let bulk = BulkLoad::start(store)?;
    let search = BulkIndex::start(store);
    let mut payments = 0;
    let mut done = 0;
    while done < orders {
        let end = (done + BATCH).min(orders);
        payments += store.write(|tx| -> Result<usize, DemoError> {
            let mut written = 0;
            for i in done..end {
                let mut row = generator.row(i, orders);
                generator.special(&mut row);
                written += usize::from(row.payment.is_some()) + row.more.len();
                insert(tx, row)?;
            }
            Ok(written)
        })?;
        search.committed();
        done = end;
        progress(done);
    }
    bulk.finish(store)?;
    search.finish(store)?;
    Ok(DemoSummary { orders, payments })
}
