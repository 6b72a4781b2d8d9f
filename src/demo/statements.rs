//! `tally demo --statements DIR`: the providers' statement files for the
//! demo shop, so that a newcomer sees statements work.
//!
//! Written from the shop as it is in the database: every capture, refund
//! and dispute of its Stripe, PayPal and Wave payments becomes a line, with
//! fees at plausible rates, weekly Stripe payouts and monthly PayPal and
//! Wave withdrawals. Stripe settles the XOF charges in EUR (their
//! customer-facing amount stays in XOF). The header lines are copied from
//! the real exports (Stripe's balance report with the id columns added,
//! PayPal's activity download); Wave's columns are its API's field names.
//! A few discrepancies are put in on purpose and listed ([`Written`]).
//! The files cover the shop's days up to yesterday (UTC).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveTime};

use super::{DemoError, SPECIAL};
use crate::domain::ledger::{DisputeState, Flow, Movement, RefundState, latest};
use crate::domain::{Currency, Payment, PaymentStatus, Provider, Timestamp};
use crate::statement::decimal_signed;
use crate::store::Store;

/// What was written, and the discrepancies put in on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// (order or payout, what `tally` will say).
    pub discrepancies: Vec<(String, String)>,
}

const STRIPE_HEADER: &[&str] = &[
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "description",
    "source_id",
    "charge_id",
    "payment_intent_id",
    "customer_facing_amount",
    "customer_facing_currency",
    "automatic_payout_id",
    "payment_metadata[order_id]",
];

const PAYPAL_HEADER: &[&str] = &[
    "Date",
    "Time",
    "TimeZone",
    "Name",
    "Type",
    "Status",
    "Currency",
    "Gross",
    "Fee",
    "Net",
    "From Email Address",
    "To Email Address",
    "Transaction ID",
    "Address Status",
    "Sales Tax",
    "Reference Txn ID",
    "Invoice Number",
    "Receipt ID",
    "Balance",
    "Contact Phone Number",
    "Subject",
    "Note",
];

const WAVE_HEADER: &[&str] = &[
    "timestamp",
    "transaction_id",
    "transaction_type",
    "amount",
    "fee",
    "balance",
    "currency",
    "is_reversal",
    "counterparty_name",
    "client_reference",
    "checkout_api_session_id",
];

/// XOF per euro (the fixed parity).
const XOF_PER_EUR_MILLI: i64 = 655_957;

/// One generated Stripe line before payouts are assigned.
struct StripeLine {
    at: Timestamp,
    category: &'static str,
    description: String,
    gross: i64,
    fee: i64,
    source: String,
    charge: String,
    intent: String,
    customer: Option<(i64, Currency)>,
    order: String,
}

fn io(path: &Path, e: impl std::fmt::Display) -> DemoError {
    DemoError::Write(format!("{}: {e}", path.display()))
}

fn ymd_hms(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `x` × `num` / `den`, rounded half up (non-negative `x`).
fn scale(x: i64, num: i64, den: i64) -> i64 {
    (x * num * 2 + den) / (den * 2)
}

/// The latest movement of each of a payment's flows.
fn flows(ms: &[Movement]) -> Vec<&Movement> {
    latest(ms)
}

fn regular(number: &str) -> bool {
    !SPECIAL.iter().any(|(n, _)| *n == number)
        && number
            .trim_start_matches("TEST")
            .parse::<u32>()
            .is_ok_and(|n| n >= 1042)
}

/// Writes the three statement files into `dir`.
pub fn write(store: &Store, dir: &Path, now: Timestamp) -> Result<Written, DemoError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let shop = store.reader().payments_with_movements(&[
        Provider::Stripe,
        Provider::Paypal,
        Provider::Wave,
    ])?;
    let cutoff = now.date_naive().and_time(NaiveTime::MIN).and_utc();
    let eur = Currency::parse("EUR").map_err(|e| DemoError::Write(e.to_string()))?;
    // The captures inside the files, for the discrepancies' picks: far
    // enough from the edges to be judged.
    let first = shop
        .iter()
        .flat_map(|(_, _, ms)| ms.iter().map(|m| m.at))
        .filter(|t| *t < cutoff)
        .min()
        .unwrap_or(cutoff);
    let inside = |t: Timestamp| t > first + Duration::days(4) && t < cutoff - Duration::days(4);
    let pick = |provider: Provider, skip: usize| -> Option<String> {
        shop.iter()
            .filter(|(n, p, ms)| {
                p.provider == provider
                    && regular(n)
                    && p.status == PaymentStatus::Completed
                    && p.money_currency() == eur
                    && ms.len() == 1
                    && ms.iter().all(|m| m.flow == Flow::Captured && inside(m.at))
            })
            .nth(skip)
            .map(|(n, _, _)| n.clone())
    };
    let missing = pick(Provider::Stripe, 0);
    let refunded = pick(Provider::Stripe, 1);
    let disputed = pick(Provider::Stripe, 2);
    let mismatched = pick(Provider::Paypal, 0);
    let mut written = Written::default();
    let mut note = |who: &str, what: String| written.discrepancies.push((who.to_owned(), what));

    // Stripe.
    let mut stripe: Vec<StripeLine> = Vec::new();
    for (number, p, ms) in shop
        .iter()
        .filter(|(_, p, _)| p.provider == Provider::Stripe)
    {
        let intent = p.reference.clone().unwrap_or_default();
        let charge = p
            .charge_id
            .clone()
            .unwrap_or_else(|| format!("ch_{intent}"));
        let settle = |minor: i64, c: Currency| -> (i64, Option<(i64, Currency)>) {
            if c == eur {
                (minor, Some((minor, c)))
            } else {
                // XOF settles in EUR: cents = XOF × 100 / 655.957.
                (scale(minor, 100_000, XOF_PER_EUR_MILLI), Some((minor, c)))
            }
        };
        for m in flows(ms).into_iter().filter(|m| m.at < cutoff) {
            let c = m.amount.currency();
            let (gross, customer) = settle(m.amount.minor(), c);
            match m.flow {
                Flow::Captured => {
                    if Some(number) == missing.as_ref() {
                        continue;
                    }
                    // 1.5% + 0.25 EUR for European cards, 3.25% + 0.25 for the others.
                    let rate = if c == eur { 150 } else { 325 };
                    stripe.push(StripeLine {
                        at: m.at + Duration::seconds(2),
                        category: "charge",
                        description: format!("Order {number}"),
                        gross,
                        fee: scale(gross, rate, 10_000) + 25,
                        source: charge.clone(),
                        charge: charge.clone(),
                        intent: intent.clone(),
                        customer,
                        order: number.clone(),
                    });
                }
                Flow::Refund(RefundState::Succeeded) => stripe.push(StripeLine {
                    at: m.at,
                    category: "refund",
                    description: "REFUND FOR PAYMENT".to_owned(),
                    gross: -gross,
                    fee: 0,
                    source: m
                        .provider_id
                        .clone()
                        .filter(|i| i.starts_with("re_"))
                        .unwrap_or_default(),
                    charge: charge.clone(),
                    intent: intent.clone(),
                    customer: customer.map(|(a, c)| (-a, c)),
                    order: number.clone(),
                }),
                Flow::Dispute(s) if s.is_open() || s.is_lost() => stripe.push(StripeLine {
                    at: m.at,
                    category: "dispute",
                    description: "Chargeback withdrawal".to_owned(),
                    gross: -gross,
                    fee: 1500,
                    source: m
                        .provider_id
                        .clone()
                        .filter(|i| i.starts_with("dp_"))
                        .unwrap_or_default(),
                    charge: charge.clone(),
                    intent: intent.clone(),
                    customer: customer.map(|(a, c)| (-a, c)),
                    order: number.clone(),
                }),
                _ => {}
            }
        }
        let capture_at = ms.iter().find(|m| m.flow == Flow::Captured).map(|m| m.at);
        let extra = |category: &'static str, id: &str, minor: i64, fee: i64, days: i64| {
            capture_at.map(|at| StripeLine {
                at: at + Duration::days(days),
                category,
                description: "made in the Stripe Dashboard".to_owned(),
                gross: -minor,
                fee,
                source: id.to_owned(),
                charge: charge.clone(),
                intent: intent.clone(),
                customer: Some((-minor, eur)),
                order: number.clone(),
            })
        };
        if Some(number) == refunded.as_ref()
            && let Some(l) = extra("refund", "re_demo_statement", 2_000, 0, 1)
        {
            stripe.push(l);
        }
        if Some(number) == disputed.as_ref()
            && let Some(l) = extra("dispute", "dp_demo_statement", p.amount.minor(), 1500, 2)
        {
            stripe.push(l);
        }
    }
    if let Some(n) = &missing {
        note(
            n,
            "missing_at_provider: its Stripe charge is left out of the Stripe statement".to_owned(),
        );
    }
    if let Some(n) = &refunded {
        note(n, "unrecorded_refund: a Stripe refund re_demo_statement of 20.00 EUR made in the Dashboard, unknown to the ledger (`tally fix` records it)".to_owned());
    }
    if let Some(n) = &disputed {
        note(n, "unrecorded_dispute: a Stripe dispute dp_demo_statement unknown to the ledger (`tally fix` records it)".to_owned());
    }
    // A charge for an order the shop does not know.
    if let Some(at) = stripe.iter().map(|l| l.at).max() {
        stripe.push(StripeLine {
            at: at - Duration::days(5),
            category: "charge",
            description: "Order TEST9999".to_owned(),
            gross: 4_990,
            fee: scale(4_990, 150, 10_000) + 25,
            source: "ch_3demoUnknown".to_owned(),
            charge: "ch_3demoUnknown".to_owned(),
            intent: "pi_3demoUnknown".to_owned(),
            customer: Some((4_990, eur)),
            order: "TEST9999".to_owned(),
        });
        note("-", "unknown_to_tally: a Stripe charge of 49.90 EUR naming order TEST9999, which the shop does not have".to_owned());
    }
    stripe.sort_by_key(|l| l.at);
    let stripe_path = dir.join("stripe_balance_change_from_activity.csv");
    let short = write_stripe(&stripe_path, &stripe, cutoff, eur)?;
    if let Some(po) = short {
        note(
            &po,
            "the payout does not add up: it is 1.00 EUR short of its lines (`tally payouts`)"
                .to_owned(),
        );
    }
    if let Some(n) = shop
        .iter()
        .find(|(_, p, _)| {
            p.provider == Provider::Stripe && p.money_currency() != eur && p.captured.is_some()
        })
        .map(|(n, _, _)| n)
    {
        note(n, "no finding: a Stripe XOF charge settled in EUR, compared in XOF through its customer-facing amount".to_owned());
    }
    written.files.push(stripe_path);

    // PayPal.
    let paypal_path = dir.join("paypal_activity.csv");
    write_paypal(&paypal_path, &shop, cutoff, mismatched.as_deref())?;
    if let Some(n) = &mismatched {
        note(
            n,
            "statement_mismatch: PayPal shows 10.00 EUR more than the ledger captured".to_owned(),
        );
    }
    written.files.push(paypal_path);

    // Wave.
    let wave_path = dir.join("wave_transactions.csv");
    write_wave(&wave_path, &shop, cutoff)?;
    written.files.push(wave_path);
    Ok(written)
}

/// Writes the Stripe file with weekly payouts (Mondays, for the lines
/// available by then); returns the payout made 1.00 EUR short.
fn write_stripe(
    path: &Path,
    lines: &[StripeLine],
    cutoff: Timestamp,
    eur: Currency,
) -> Result<Option<String>, DemoError> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_path(path)
        .map_err(|e| io(path, e))?;
    w.write_record(STRIPE_HEADER).map_err(|e| io(path, e))?;
    // The payout of each line: the Monday after it is available.
    let available = |at: Timestamp| at.date_naive() + Duration::days(2);
    let monday = |d: chrono::NaiveDate| {
        let ahead = (7 - i64::from(d.weekday().num_days_from_monday())) % 7;
        d + Duration::days(if ahead == 0 { 7 } else { ahead })
    };
    let mut payouts: BTreeMap<chrono::NaiveDate, i64> = BTreeMap::new();
    let mut rows: Vec<(Timestamp, Vec<String>)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let pay_day = monday(available(l.at));
        let paid = pay_day.and_time(NaiveTime::MIN).and_utc() < cutoff;
        let po = paid.then(|| format!("po_demo{}", pay_day.format("%Y%m%d")));
        if paid {
            *payouts.entry(pay_day).or_default() += l.gross - l.fee;
        }
        let d = |m: i64| decimal_signed(m, eur);
        rows.push((
            l.at,
            vec![
                format!("txn_demo{i:08}"),
                ymd_hms(l.at),
                format!("{} 00:00:00", available(l.at)),
                "eur".to_owned(),
                d(l.gross),
                d(l.fee),
                d(l.gross - l.fee),
                l.category.to_owned(),
                l.description.clone(),
                l.source.clone(),
                l.charge.clone(),
                l.intent.clone(),
                l.customer
                    .map(|(a, c)| decimal_signed(a, c))
                    .unwrap_or_default(),
                l.customer
                    .map(|(_, c)| c.code().to_ascii_lowercase())
                    .unwrap_or_default(),
                po.unwrap_or_default(),
                l.order.clone(),
            ],
        ));
    }
    // The third payout is made 1.00 EUR short.
    let short = payouts.keys().nth(2).copied();
    for (day, net) in &payouts {
        let at = day
            .and_time(NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN))
            .and_utc();
        let amount = if Some(*day) == short { net - 100 } else { *net };
        let id = format!("po_demo{}", day.format("%Y%m%d"));
        let d = |m: i64| decimal_signed(m, eur);
        rows.push((
            at,
            vec![
                format!("txn_demopayout{}", day.format("%Y%m%d")),
                ymd_hms(at),
                format!("{day} 00:00:00"),
                "eur".to_owned(),
                d(-amount),
                "0.00".to_owned(),
                d(-amount),
                "payout".to_owned(),
                "STRIPE PAYOUT".to_owned(),
                id.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                id,
                String::new(),
            ],
        ));
    }
    rows.sort_by_key(|r| r.0);
    for (_, r) in rows {
        w.write_record(&r).map_err(|e| io(path, e))?;
    }
    w.flush().map_err(|e| io(path, e))?;
    Ok(short.map(|d| format!("po_demo{}", d.format("%Y%m%d"))))
}

/// Writes the PayPal activity download: payments, refunds, and a
/// withdrawal of the balance at the start of each month.
fn write_paypal(
    path: &Path,
    shop: &[(String, Payment, Vec<Movement>)],
    cutoff: Timestamp,
    mismatched: Option<&str>,
) -> Result<(), DemoError> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_path(path)
        .map_err(|e| io(path, e))?;
    w.write_record(PAYPAL_HEADER).map_err(|e| io(path, e))?;
    // (time, currency, gross, fee as written, id, type, reference, invoice)
    type Row = (
        Timestamp,
        Currency,
        i64,
        i64,
        String,
        &'static str,
        String,
        String,
    );
    let mut rows: Vec<Row> = Vec::new();
    for (number, p, ms) in shop
        .iter()
        .filter(|(_, p, _)| p.provider == Provider::Paypal)
    {
        let capture = p.reference.clone().unwrap_or_default();
        for (i, m) in flows(ms).into_iter().filter(|m| m.at < cutoff).enumerate() {
            let c = m.amount.currency();
            let a = m.amount.minor();
            match m.flow {
                Flow::Captured => {
                    let gross = if Some(number.as_str()) == mismatched {
                        a + 1_000
                    } else {
                        a
                    };
                    let fee = scale(gross, 29, 1000) + 35;
                    rows.push((
                        m.at,
                        c,
                        gross,
                        -fee,
                        capture.clone(),
                        "Express Checkout Payment",
                        String::new(),
                        number.clone(),
                    ));
                }
                Flow::Refund(RefundState::Succeeded) => {
                    let id = m
                        .provider_id
                        .clone()
                        .unwrap_or_else(|| format!("{capture}R{i}"));
                    rows.push((
                        m.at,
                        c,
                        -a,
                        0,
                        id,
                        "Payment Refund",
                        capture.clone(),
                        number.clone(),
                    ));
                }
                Flow::Dispute(DisputeState::Reversed | DisputeState::Lost) => {
                    rows.push((
                        m.at,
                        c,
                        -a,
                        0,
                        format!("{capture}C{i}"),
                        "Chargeback",
                        capture.clone(),
                        number.clone(),
                    ));
                }
                _ => {}
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    // Withdraw each currency's balance on the 1st of each month.
    let mut balance: BTreeMap<Currency, i64> = BTreeMap::new();
    let mut month = rows.first().map(|r| (r.0.year(), r.0.month()));
    let mut out: Vec<Row> = Vec::new();
    let mut n = 0;
    for r in rows {
        let m = (r.0.year(), r.0.month());
        if month.is_some_and(|prev| prev != m) {
            let at =
                r.0.date_naive()
                    .with_day(1)
                    .unwrap_or(r.0.date_naive())
                    .and_time(NaiveTime::MIN)
                    .and_utc()
                    + Duration::hours(9);
            for (c, b) in balance.iter_mut().filter(|(_, b)| **b > 0) {
                n += 1;
                out.push((
                    at,
                    *c,
                    -*b,
                    0,
                    format!("WDEMO{n:05}"),
                    "General Withdrawal",
                    String::new(),
                    String::new(),
                ));
                *b = 0;
            }
            month = Some(m);
        }
        *balance.entry(r.1).or_default() += r.2 + r.3;
        out.push(r);
    }
    let mut running: BTreeMap<Currency, i64> = BTreeMap::new();
    for (at, c, gross, fee, id, kind, reference, invoice) in out {
        let net = gross + fee;
        let bal = running.entry(c).or_default();
        *bal += net;
        // The account's zone: CET, as the activity download writes it.
        let local = at + Duration::hours(1);
        let d = |m: i64| decimal_signed(m, c);
        let customer = kind != "General Withdrawal";
        w.write_record([
            local.format("%d/%m/%Y").to_string(),
            local.format("%H:%M:%S").to_string(),
            "CET".to_owned(),
            if customer {
                format!("Customer {invoice}")
            } else {
                String::new()
            },
            kind.to_owned(),
            "Completed".to_owned(),
            c.code().to_owned(),
            d(gross),
            d(fee),
            d(net),
            if customer {
                format!("{}@example.com", invoice.to_ascii_lowercase())
            } else {
                "shop@example.com".to_owned()
            },
            if customer {
                "shop@example.com".to_owned()
            } else {
                String::new()
            },
            id,
            String::new(),
            String::new(),
            reference,
            invoice,
            String::new(),
            d(*bal),
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(|e| io(path, e))?;
    }
    w.flush().map_err(|e| io(path, e))?;
    Ok(())
}

/// Writes Wave's transactions: checkout payments (1% fee), refunds, and a
/// sweep of the wallet to the bank on the 1st of each month.
fn write_wave(
    path: &Path,
    shop: &[(String, Payment, Vec<Movement>)],
    cutoff: Timestamp,
) -> Result<(), DemoError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| io(path, e))?;
    w.write_record(WAVE_HEADER).map_err(|e| io(path, e))?;
    // (time, id, type, amount, fee, order, session)
    let mut rows: Vec<(Timestamp, String, &'static str, i64, i64, String, String)> = Vec::new();
    let mut currency = None;
    for (number, p, ms) in shop.iter().filter(|(_, p, _)| p.provider == Provider::Wave) {
        let id = p.reference.clone().unwrap_or_default();
        let session = format!("cos-demo{}", number.to_ascii_lowercase());
        for (i, m) in flows(ms).into_iter().filter(|m| m.at < cutoff).enumerate() {
            currency.get_or_insert(m.amount.currency());
            let a = m.amount.minor();
            match m.flow {
                Flow::Captured => {
                    let fee = scale(a, 1, 100);
                    rows.push((
                        m.at,
                        id.clone(),
                        "api_checkout",
                        a - fee,
                        fee,
                        number.clone(),
                        session.clone(),
                    ));
                }
                Flow::Refund(RefundState::Succeeded) => {
                    let rid = m
                        .provider_id
                        .clone()
                        .filter(|r| r.starts_with("T_"))
                        .unwrap_or_else(|| format!("{id}R{i}"));
                    rows.push((
                        m.at,
                        rid,
                        "api_checkout_refund",
                        -a,
                        0,
                        number.clone(),
                        session.clone(),
                    ));
                }
                _ => {}
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    let Some(c) = currency else {
        w.flush().map_err(|e| io(path, e))?;
        return Ok(());
    };
    let mut balance = 0i64;
    let mut month = rows.first().map(|r| (r.0.year(), r.0.month()));
    let mut n = 0;
    let emit = |w: &mut csv::Writer<std::fs::File>,
                at: Timestamp,
                id: &str,
                kind: &str,
                amount: i64,
                fee: i64,
                order: &str,
                session: &str,
                balance: i64| {
        w.write_record([
            at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            id.to_owned(),
            kind.to_owned(),
            decimal_signed(amount, c),
            decimal_signed(fee, c),
            decimal_signed(balance, c),
            c.code().to_owned(),
            "false".to_owned(),
            if order.is_empty() {
                String::new()
            } else {
                format!("Customer {order}")
            },
            order.to_owned(),
            session.to_owned(),
        ])
        .map_err(|e| io(path, e))
    };
    for (at, id, kind, amount, fee, order, session) in rows {
        let m = (at.year(), at.month());
        if month.is_some_and(|prev| prev != m) && balance > 0 {
            let sweep_at = at
                .date_naive()
                .with_day(1)
                .unwrap_or(at.date_naive())
                .and_time(NaiveTime::MIN)
                .and_utc()
                + Duration::hours(8);
            n += 1;
            let out = balance;
            balance = 0;
            emit(
                &mut w,
                sweep_at,
                &format!("T_SWEEP{n:04}"),
                "merchant_sweep",
                -out,
                0,
                "",
                "",
                balance,
            )?;
        }
        month = Some(m);
        balance += amount;
        emit(
            &mut w, at, &id, kind, amount, fee, &order, &session, balance,
        )?;
    }
    w.flush().map_err(|e| io(path, e))?;
    Ok(())
}
