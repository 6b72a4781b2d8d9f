//! The real exports in `../shared/providers/exports/`, read line by line.
//!
//! Every total asserted here was computed by hand from the file (the
//! method is written beside each), not by tally.

use std::collections::BTreeMap;

use super::dates::DateOrder;
use super::payouts::payouts;
use super::*;
use crate::testing::export;

fn read(rel: &str, opts: ReadOptions) -> Result<Statement, Vec<Problem>> {
    read_statement(rel, &export(rel), &opts)
}

fn ok(rel: &str, opts: ReadOptions) -> Statement {
    read(rel, opts).unwrap_or_else(|p| panic!("{rel}: {p:?}"))
}

fn refusal(rel: &str, opts: ReadOptions) -> String {
    let problems = read(rel, opts).unwrap_err();
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines per kind.
fn kinds(s: &Statement) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for l in &s.lines {
        *out.entry(l.kind.as_str()).or_insert(0) += 1;
    }
    out
}

/// (gross, fee, net) of the lines of `kind` in `currency`.
fn totals(s: &Statement, kind: LineKind, currency: &str) -> (i64, i64, i64) {
    s.lines
        .iter()
        .filter(|l| l.kind == kind && l.currency.code() == currency)
        .fold((0, 0, 0), |(g, f, n), l| {
            (g + l.gross, f + l.fee, n + l.net)
        })
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

const STRIPE: &str = "stripe/hledger_stripe_balance_change_from_activity.csv";

#[test]
fn stripe_default_columns_are_refused_naming_the_columns_to_add() {
    let msg = refusal(STRIPE, ReadOptions::default());
    for column in ["source_id", "charge_id", "payment_intent_id"] {
        assert!(msg.contains(column), "{msg}");
    }
    assert!(msg.contains("Balance change from activity"), "{msg}");
}

/// The real Stripe file's two rows with the id columns Stripe's report
/// settings add, as the owner would download it once they are chosen.
pub fn stripe_with_ids() -> Vec<u8> {
    let text = String::from_utf8(export(STRIPE)).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let extra = match i {
            0 => r#","source_id","charge_id","payment_intent_id""#,
            1 => r#","ch_3Hledger1","ch_3Hledger1","pi_3Hledger1""#,
            _ => r#","re_3Hledger1","ch_3Hledger1","pi_3Hledger1""#,
        };
        out.push_str(line);
        out.push_str(extra);
        out.push('\n');
    }
    out.into_bytes()
}

#[test]
fn stripe_rows_with_the_id_columns_import() {
    let s = read_statement("stripe.csv", &stripe_with_ids(), &ReadOptions::default()).unwrap();
    assert_eq!(s.format, Format::StripeBalance);
    // Row 2: charge 12.00 USD, fee 0.00; row 3: refund -0.77, fee 0.00.
    assert_eq!(kinds(&s), BTreeMap::from([("charge", 1), ("refund", 1)]));
    assert_eq!(totals(&s, LineKind::Charge, "USD"), (1200, 0, 1200));
    assert_eq!(totals(&s, LineKind::Refund, "USD"), (-77, 0, -77));
    let refund = &s.lines[1];
    assert_eq!(refund.row, 3);
    assert_eq!(refund.line_id, "txn_14G11HjHgubIH9ZvbPgYO7");
    assert_eq!(refund.ids.own.as_deref(), Some("re_3Hledger1"));
    assert_eq!(refund.ids.payment_intent.as_deref(), Some("pi_3Hledger1"));
    assert_eq!(refund.description.as_deref(), Some("REFUND FOR PAYMENT"));
    assert_eq!(
        crate::domain::format_ts(refund.at),
        "2020-01-23T08:26:31.000Z"
    );
    // Both rows are on 23 January 2020 (UTC).
    assert_eq!(s.period, period("2020-01-23..2020-01-23"));
}

const PAYPAL_CUSTOM: &str = "paypal/hledger_paypal-custom.csv";

#[test]
fn paypal_custom_activity_download() {
    let s = ok(PAYPAL_CUSTOM, ReadOptions::default());
    assert_eq!(s.format, Format::PaypalActivity);
    // 7 rows: three payments sent (Subscription Payment -6.99, PreApproved
    // -7.00, Subscription -2.00), the three bank deposits that funded them
    // (Pending), and one subscription payment received (10.00, fee -0.59,
    // net 9.41).
    assert_eq!(
        kinds(&s),
        BTreeMap::from([("charge", 1), ("funding", 3), ("purchase", 3)])
    );
    assert_eq!(totals(&s, LineKind::Charge, "USD"), (1000, 59, 941));
    assert_eq!(totals(&s, LineKind::Purchase, "USD"), (-1599, 0, -1599));
    assert_eq!(totals(&s, LineKind::Funding, "USD"), (1599, 0, 1599));
    let pending = s.lines.iter().filter(|l| l.status == LineStatus::Pending);
    assert_eq!(pending.count(), 3);
    // 10/19/2019 puts the month first; 03:46:20 PDT is 10:46:20 UTC.
    assert_eq!(
        crate::domain::format_ts(s.lines[0].at),
        "2019-10-01T10:46:20.000Z"
    );
    assert_eq!(s.period, period("2019-10-01..2019-10-22"));
    // The funding row names the payment it funded.
    assert_eq!(s.lines[1].ids.related.as_deref(), Some("06P57143A2806728E"));
}

const OCA_ACTIVITY: &str = "paypal/oca_activity_en.csv";

#[test]
fn paypal_business_activity_download() {
    let s = ok(OCA_ACTIVITY, ReadOptions::default());
    assert_eq!(s.lines.len(), 76);
    // By Type and sign: 26 payments received (1 General Payment, 25
    // Website Payment), 2 Website Payments sent (USD -195.00, AUD -100.00),
    // 32 currency conversion legs, 14 General Withdrawals, 1 Payment
    // Hold, 1 Payment Release.
    assert_eq!(
        kinds(&s),
        BTreeMap::from([
            ("charge", 26),
            ("conversion", 32),
            ("hold", 1),
            ("payout", 14),
            ("purchase", 2),
            ("release", 1),
        ])
    );
    // The 26 received: Gross 84.00 + 70,576.80 = 70,660.80 USD; Fee 4.25
    // + 2,921.63 = 2,925.88; Net 79.75 + 67,655.17 = 67,734.92.
    assert_eq!(
        totals(&s, LineKind::Charge, "USD"),
        (7_066_080, 292_588, 6_773_492)
    );
    // The 14 withdrawals: -59,383.68 EUR, all Pending.
    assert_eq!(
        totals(&s, LineKind::Payout, "EUR"),
        (-5_938_368, 0, -5_938_368)
    );
    assert!(
        s.lines
            .iter()
            .filter(|l| l.kind == LineKind::Payout)
            .all(|l| l.status == LineStatus::Pending)
    );
    // 29/12/2015 puts the day first; 07:45:51 PST is 15:45:51 UTC.
    assert_eq!(
        crate::domain::format_ts(s.lines[0].at),
        "2015-12-29T15:45:51.000Z"
    );
    assert_eq!(s.lines[3].ids.order_ref.as_deref(), Some("31"));
    // The file's first and last days (UTC).
    assert_eq!(s.period, period("2015-12-29..2016-11-02"));
}

#[test]
fn paypal_withdrawals_add_up_with_their_conversion_legs() {
    let s = ok(OCA_ACTIVITY, ReadOptions::default());
    let p = payouts(&s.lines);
    assert_eq!(p.len(), 14);
    // TID11: -12,431.37 EUR, carried by the EUR leg TID13 (+12,431.37,
    // Reference Txn ID TID11); its USD leg is another currency.
    let first = &p[0];
    assert_eq!(first.id, "TID11");
    assert_eq!(first.amount, 1_243_137);
    assert_eq!(
        first.carried.map(|c| (c.lines, c.net)),
        Some((1, 1_243_137))
    );
    assert!(p.iter().all(|p| p.adds_up() == Some(true)));
}

const OCA_STATEMENT: &str = "paypal/oca_statement_en.csv";

#[test]
fn paypal_statement_layout() {
    let s = ok(OCA_STATEMENT, ReadOptions::default());
    assert_eq!(s.format, Format::PaypalStatement);
    // 19 rows: 7 Express Checkout Payments, 8 General Currency Conversion
    // legs, 4 General Withdrawals - Bank Account.
    assert_eq!(
        kinds(&s),
        BTreeMap::from([("charge", 7), ("conversion", 8), ("payout", 4)])
    );
    // Gross 1,309.80 + 3,840.60 + 4,447.40 + 5,600.00 + 920.70 + 5,600.00
    // + 292.30 = 22,010.80; Fee 48.76 + 142.40 + 164.85 + 207.50 + 34.37 +
    // 207.50 + 11.12 = 816.50; Net 21,194.30.
    assert_eq!(
        totals(&s, LineKind::Charge, "USD"),
        (2_201_080, 81_650, 2_119_430)
    );
    assert_eq!(
        totals(&s, LineKind::Payout, "EUR"),
        (-1_734_631, 0, -1_734_631)
    );
    // IANA zone: 9/4/2018 21:15:11 America/Los_Angeles (PDT, UTC-7).
    assert_eq!(
        crate::domain::format_ts(s.lines[0].at),
        "2018-09-05T04:15:11.000Z"
    );
    // The row in CET: 9/27/2018 18:16:12 CET is 17:16:12 UTC.
    let cet = s.lines.iter().find(|l| l.line_id == "TID16").unwrap();
    assert_eq!(crate::domain::format_ts(cet.at), "2018-09-27T17:16:12.000Z");
    assert_eq!(cet.ids.order_ref.as_deref(), Some("367"));
    assert!(payouts(&s.lines).iter().all(|p| p.adds_up() == Some(true)));
}

const AUTOSYNC: &str = "paypal/ledger-autosync_paypal.csv";

#[test]
fn paypal_2016_download_needs_the_date_order() {
    // Its only date, 6/4/2016, could be 6 April or June 4.
    let msg = refusal(AUTOSYNC, ReadOptions::default());
    assert!(
        msg.contains("6/4/2016") && msg.contains("--date-format"),
        "{msg}"
    );
    let us = ReadOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..ReadOptions::default()
    };
    let s = ok(AUTOSYNC, us);
    // Header names with a leading space and a trailing empty column.
    // Row 2: Recurring Payment Sent -20.00; row 3: Charge From Debit Card
    // 1,120.00 (which funded it).
    assert_eq!(kinds(&s), BTreeMap::from([("funding", 1), ("purchase", 1)]));
    assert_eq!(totals(&s, LineKind::Funding, "USD"), (112_000, 0, 112_000));
    assert_eq!(totals(&s, LineKind::Purchase, "USD"), (-2_000, 0, -2_000));
    // 10:46:49 PDT on June 4 is 17:46:49 UTC.
    assert_eq!(
        crate::domain::format_ts(s.lines[0].at),
        "2016-06-04T17:46:49.000Z"
    );
    let eu = ReadOptions {
        date_order: Some(DateOrder::DayFirst),
        ..ReadOptions::default()
    };
    assert_eq!(ok(AUTOSYNC, eu).period, period("2016-04-06..2016-04-06"));
}

const ALTERNATE: &str = "paypal/ledger-autosync_paypal_alternate.csv";

#[test]
fn paypal_minimal_layout_is_refused_naming_the_activity_download() {
    let msg = refusal(ALTERNATE, ReadOptions::default());
    assert!(msg.contains("no Currency and no Transaction ID"), "{msg}");
    assert!(msg.contains("Activity download"), "{msg}");
}

#[test]
fn paypal_minimal_layout_with_currency_and_ids_imports() {
    let text = String::from_utf8(export(ALTERNATE)).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let extra = match i {
            0 => " Currency, Transaction ID",
            1 => "\"USD\",\"ALT1\"",
            _ => "\"USD\",\"ALT2\"",
        };
        // Each line ends with a comma: the new columns follow it.
        out.push_str(line);
        out.push_str(extra);
        out.push('\n');
    }
    let s = read_statement("alternate.csv", out.as_bytes(), &ReadOptions::default()).unwrap();
    // Payment Sent -12.34, Add Funds from a Bank Account +12.34; 12/31/2016
    // 23:59:59 PST is 07:59:59 UTC the next day.
    assert_eq!(kinds(&s), BTreeMap::from([("funding", 1), ("purchase", 1)]));
    assert_eq!(totals(&s, LineKind::Purchase, "USD"), (-1234, 0, -1234));
    assert_eq!(
        crate::domain::format_ts(s.lines[0].at),
        "2017-01-01T07:59:59.000Z"
    );
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(export(PAYPAL_CUSTOM));
    let with = read_statement("bom.csv", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(with.lines, ok(PAYPAL_CUSTOM, ReadOptions::default()).lines);
}

#[test]
fn french_paypal_headers_are_refused_naming_the_supported_layout() {
    let text = "\u{feff}\"Date\",\"Heure\",\"Fuseau horaire\",\"Nom\",\"Type\",\"État\",\"Devise\",\"Brut\",\"Frais\",\"Net\",\"Numéro de transaction\"\n\
        \"29/12/2015\",\"07:45:51\",\"CET\",\"A\",\"Paiement\",\"Terminé\",\"EUR\",\"84,00\",\"-4,25\",\"79,75\",\"TID1\"\n";
    let err = read_statement("fr.csv", text.as_bytes(), &ReadOptions::default()).unwrap_err();
    let msg = err[0].to_string();
    assert!(msg.contains("French") && msg.contains("English"), "{msg}");
}

#[test]
fn the_wrong_provider_is_refused() {
    let opts = ReadOptions {
        provider: Some(crate::domain::Provider::Stripe),
        ..ReadOptions::default()
    };
    let msg = refusal(PAYPAL_CUSTOM, opts);
    assert!(
        msg.contains("PayPal activity download, not a Stripe statement"),
        "{msg}"
    );
}

#[test]
fn a_bad_row_names_its_row_and_column_and_yields_nothing() {
    let mut text = String::from_utf8(export(OCA_STATEMENT)).unwrap();
    text = text.replacen("\"1,309.80\",\"-48.76\"", "\"1,309.80\",\"-4,876\"", 1);
    text = text.replacen("\"TID3\"", "\"\"", 1);
    let err = read_statement("bad.csv", text.as_bytes(), &ReadOptions::default()).unwrap_err();
    let all: Vec<String> = err.iter().map(ToString::to_string).collect();
    assert!(
        all.iter()
            .any(|p| p.starts_with("bad.csv: row 4: column \"Transaction ID\": empty")),
        "{all:?}"
    );
    // Row 10: -4,876 is read as thousands, so Net is not Gross + Fee.
    assert!(
        all.iter()
            .any(|p| p.starts_with("bad.csv: row 10: column \"Net\": Net is not Gross + Fee")),
        "{all:?}"
    );
}

#[test]
fn an_empty_statement_needs_its_period() {
    let header = "timestamp,transaction_id,transaction_type,amount,fee,currency\n";
    let err = read_statement("wave.csv", header.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert!(err[0].message.contains("--period"), "{}", err[0]);
    let opts = ReadOptions {
        period: Some(period("2026-11-01..2026-11-30")),
        ..ReadOptions::default()
    };
    let s = read_statement("wave.csv", header.as_bytes(), &opts).unwrap();
    assert!(s.lines.is_empty());
    assert_eq!(s.period, period("2026-11-01..2026-11-30"));
}

#[test]
fn wave_transactions_as_csv() {
    let text = "timestamp,transaction_id,transaction_type,amount,fee,balance,currency,is_reversal,counterparty_name,client_reference,checkout_api_session_id\n\
        2024-01-15T14:41:15Z,T_V3TFOUE7VU,merchant_payment,990,10,1250990,XOF,false,Mame Diop,,\n\
        2024-01-15T15:00:00Z,T_CHECKOUT1,api_checkout,44550,450,1295540,XOF,false,Awa Diop,TEST1001,cos-1\n\
        2024-01-16T09:00:00Z,T_REFUND1,api_checkout_refund,45000,0,1250540,XOF,false,Awa Diop,TEST1001,cos-1\n\
        2024-01-17T09:00:00Z,T_SWEEP1,merchant_sweep,-1000000,0,250540,XOF,false,,,\n";
    let s = read_statement("wave.csv", text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(s.format, Format::WaveTransactions);
    // `amount` is what reached the wallet; the customer paid it plus the
    // fee: 990 + 10 and 44,550 + 450.
    assert_eq!(totals(&s, LineKind::Charge, "XOF"), (46_000, 460, 45_540));
    // The refund's direction comes from its type.
    assert_eq!(totals(&s, LineKind::Refund, "XOF"), (-45_000, 0, -45_000));
    assert_eq!(
        totals(&s, LineKind::Payout, "XOF"),
        (-1_000_000, 0, -1_000_000)
    );
    assert_eq!(s.lines[1].ids.order_ref.as_deref(), Some("TEST1001"));
    assert_eq!(s.lines[1].ids.session.as_deref(), Some("cos-1"));
}

#[test]
fn fee_and_net_sum_the_lines_that_moved_money() {
    let s = ok(PAYPAL_CUSTOM, ReadOptions::default());
    // The one payment received: fee 0.59, net 9.41 (row 8).
    let received: Vec<&Line> = s
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Charge)
        .collect();
    let usd = crate::domain::Currency::parse("USD").unwrap();
    assert_eq!(fee_and_net(received.iter().copied()), [(usd, 59, 941)]);
    // Pending lines count (their money moved); void ones would not.
    let mut void = received[0].clone();
    void.status = LineStatus::Void;
    assert!(fee_and_net([&void]).is_empty());
}
