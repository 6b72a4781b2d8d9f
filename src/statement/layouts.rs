//! The layouts tally reads, recognised by their column names, and how each
//! row becomes a [`Line`].
//!
//! Columns are found by name, never by position: Stripe's report lets the
//! owner choose its columns, PayPal's activity download too, and PayPal's
//! older files put a space before each name. Names are compared trimmed,
//! without a byte order mark, case-insensitively. Each layout has one table
//! of its columns ([`STRIPE`], [`PAYPAL`], [`WAVE`]): to read another
//! spelling of a column, add it to that column's aliases.
//!
//! | layout | recognised by | ids | order number |
//! |---|---|---|---|
//! | Stripe balance change from activity, itemized | `balance_transaction_id`, `reporting_category` | `source_id`, `charge_id`, `payment_intent_id` (at least one of the last two is required) | `payment_metadata[order_id]` |
//! | PayPal activity download | `Type`, `Transaction ID`, `Gross` | `Transaction ID`, `Reference Txn ID` | `Invoice Number`, `Custom Number` |
//! | PayPal statement | `Description`, `Transaction ID`, `Gross` | the same | `Invoice ID` |
//! | Wave transactions (the API's field names as CSV columns) | `transaction_id`, `transaction_type`, `amount` | `transaction_id`, `checkout_api_session_id` | `client_reference` |
//!
//! Refused with the reason: Stripe's default columns (no id that names a
//! payment), Stripe's Payments export, PayPal's minimal personal layout
//! (no Currency, no Transaction ID), and PayPal files with French column
//! names (decimal commas; tally reads the English layout).

use std::collections::HashMap;

use csv::StringRecord;

use super::amounts::parse_signed;
use super::dates::{DateOrder, Moment, Zone, parse_moment};
use super::{Format, Line, LineIds, LineKind, LineStatus, Problem};
use crate::domain::{Currency, Timestamp};
use crate::i18n::{Msg, money_error, msg};

/// A file's header row, its names normalised for matching.
#[derive(Debug, Clone)]
pub struct Header {
    /// As written, trimmed (for messages).
    pub names: Vec<String>,
    /// Lower-case, trimmed, without a byte order mark.
    keys: Vec<String>,
}

/// A column found in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    pub index: usize,
    /// Its name as the file writes it.
    pub name: String,
}

impl Header {
    pub fn new(record: &StringRecord) -> Header {
        let names: Vec<String> = record
            .iter()
            .map(|n| n.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let keys = names.iter().map(|n| n.to_lowercase()).collect();
        Header { names, keys }
    }

    /// The first column named by one of `aliases`.
    pub fn find(&self, aliases: &[&str]) -> Option<Col> {
        aliases.iter().find_map(|a| {
            let a = a.to_lowercase();
            self.keys.iter().position(|k| *k == a).map(|index| Col {
                index,
                name: self.names[index].clone(),
            })
        })
    }

    fn has(&self, name: &str) -> bool {
        self.find(&[name]).is_some()
    }

    fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.has(n))
    }
}

/// Which layout a header is, or why tally refuses it.
pub fn recognise(header: &Header) -> Result<Format, Msg> {
    let h = header;
    if h.has("balance_transaction_id") && h.has("reporting_category") {
        return Ok(Format::StripeBalance);
    }
    if h.has("id") && h.has_any(&["amount refunded", "converted amount"]) {
        return Err(msg!("stmtp-stripe-payments-export"));
    }
    if h.has_any(&[
        "brut",
        "frais",
        "devise",
        "fuseau horaire",
        "numéro de transaction",
    ]) {
        return Err(msg!("stmtp-paypal-french"));
    }
    if h.has("transaction id") && h.has_any(&["gross", "amount"]) {
        if h.has("type") {
            return Ok(Format::PaypalActivity);
        }
        if h.has("description") {
            return Ok(Format::PaypalStatement);
        }
    }
    if h.has_any(&["date", "time"]) && h.has("type") && h.has("amount") {
        return Err(msg!("stmtp-paypal-amount-only"));
    }
    if h.has("transaction_id") && h.has("transaction_type") && h.has("amount") {
        return Ok(Format::WaveTransactions);
    }
    Err(msg!(
        "stmtp-unknown-layout",
        columns = header.names.join(", ")
    ))
}

/// The columns a layout reads: each field with its aliases.
pub struct Columns<'a> {
    pub required: &'a [(&'a str, &'a [&'a str])],
    pub optional: &'a [(&'a str, &'a [&'a str])],
}

/// Stripe's balance report, itemized.
pub const STRIPE: Columns<'static> = Columns {
    required: &[
        ("id", &["balance_transaction_id"]),
        ("created", &["created_utc", "created (utc)"]),
        ("currency", &["currency"]),
        ("gross", &["gross"]),
        ("fee", &["fee"]),
        ("net", &["net"]),
        ("category", &["reporting_category"]),
    ],
    optional: &[
        ("description", &["description"]),
        ("source", &["source_id"]),
        ("charge", &["charge_id"]),
        ("payment_intent", &["payment_intent_id"]),
        ("customer_amount", &["customer_facing_amount"]),
        ("customer_currency", &["customer_facing_currency"]),
        ("payout", &["automatic_payout_id"]),
        (
            "order",
            &[
                "payment_metadata[order_id]",
                "payment_metadata[order_number]",
                "payment_metadata[order]",
                "payment_metadata[orderid]",
                "payment_metadata[ordernumber]",
            ],
        ),
    ],
};

/// PayPal's activity download and statement.
pub const PAYPAL: Columns<'static> = Columns {
    required: &[
        ("date", &["date"]),
        ("time", &["time"]),
        ("zone", &["timezone", "time zone"]),
        ("currency", &["currency"]),
        ("gross", &["gross", "amount"]),
        ("id", &["transaction id"]),
    ],
    optional: &[
        ("type", &["type", "description"]),
        ("status", &["status"]),
        ("fee", &["fee"]),
        ("net", &["net"]),
        ("related", &["reference txn id"]),
        ("invoice", &["invoice number", "invoice id"]),
        ("custom", &["custom number"]),
        ("impact", &["balance impact"]),
        ("name", &["name"]),
        ("title", &["item title", "subject"]),
    ],
};

/// Wave transactions: the fields of `GET /v1/transactions` as columns.
pub const WAVE: Columns<'static> = Columns {
    required: &[
        ("timestamp", &["timestamp"]),
        ("id", &["transaction_id"]),
        ("type", &["transaction_type"]),
        ("amount", &["amount"]),
        ("currency", &["currency"]),
    ],
    optional: &[
        ("fee", &["fee"]),
        ("reversal", &["is_reversal"]),
        ("client_reference", &["client_reference"]),
        ("session", &["checkout_api_session_id"]),
        ("name", &["counterparty_name"]),
        ("reason", &["payment_reason"]),
    ],
};

/// A layout's columns found in a header.
pub struct Found(HashMap<&'static str, Col>);

impl Found {
    /// Finds `columns` in `header`; the missing required ones make the
    /// error.
    pub fn resolve(header: &Header, columns: &Columns<'static>) -> Result<Found, Msg> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for (field, aliases) in columns.required {
            match header.find(aliases) {
                Some(c) => {
                    found.insert(*field, c);
                }
                None => missing.push(aliases[0]),
            }
        }
        for (field, aliases) in columns.optional {
            if let Some(c) = header.find(aliases) {
                found.insert(*field, c);
            }
        }
        if missing.is_empty() {
            Ok(Found(found))
        } else {
            Err(msg!("stmtp-missing-columns", columns = missing.join(", ")))
        }
    }

    pub fn col(&self, field: &str) -> Option<&Col> {
        self.0.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
}

/// The Stripe refusal when no column names a payment.
pub fn stripe_ids_missing() -> Msg {
    msg!("stmtp-stripe-ids-missing")
}

/// One row being read, and the problems found in it.
pub struct RowReader<'a> {
    pub file: &'a str,
    pub row: usize,
    pub record: &'a StringRecord,
    pub found: &'a Found,
    pub problems: Vec<Problem>,
}

impl RowReader<'_> {
    pub fn problem(&mut self, field: &str, message: Msg) {
        let column = self.found.col(field).map(|c| c.name.clone());
        self.problems.push(Problem {
            file: self.file.to_owned(),
            row: Some(self.row),
            column,
            message,
        });
    }

    /// The trimmed, non-empty text of a field's column.
    pub fn text(&self, field: &str) -> Option<String> {
        let col = self.found.col(field)?;
        self.record
            .get(col.index)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    pub fn required(&mut self, field: &str) -> Option<String> {
        let t = self.text(field);
        if t.is_none() {
            self.problem(field, msg!("stmtp-empty-required"));
        }
        t
    }

    pub fn currency(&mut self, field: &str) -> Option<Currency> {
        let t = self.required(field)?;
        match Currency::parse(&t) {
            Ok(c) => Some(c),
            Err(e) => {
                self.problem(field, money_error(&e));
                None
            }
        }
    }

    /// A signed amount; an empty optional one is `default`.
    pub fn amount(&mut self, field: &str, currency: Currency, default: Option<i64>) -> Option<i64> {
        let t = match (self.text(field), default) {
            (Some(t), _) => t,
            (None, Some(d)) => return Some(d),
            (None, None) => {
                self.problem(field, msg!("stmtp-empty-required"));
                return None;
            }
        };
        match parse_signed(&t, currency) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(field, e);
                None
            }
        }
    }

    pub fn moment(&mut self, field: &str, order: DateOrder) -> Option<Moment> {
        let t = self.required(field)?;
        match parse_moment(&t, order) {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem(field, e);
                None
            }
        }
    }

    /// A moment that must be UTC already (or written without offset, in
    /// UTC).
    pub fn utc(&mut self, field: &str, order: DateOrder) -> Option<Timestamp> {
        Some(match self.moment(field, order)? {
            Moment::Utc(t) => t,
            Moment::Local(l) => l.and_utc(),
        })
    }
}

/// Stripe's reporting categories as line kinds (an unknown category is
/// kept as `other`, with its words).
pub fn stripe_kind(category: &str) -> LineKind {
    match category.trim().to_ascii_lowercase().as_str() {
        "charge" | "payment" => LineKind::Charge,
        "refund" | "payment_refund" => LineKind::Refund,
        "dispute" => LineKind::Dispute,
        "dispute_reversal" => LineKind::DisputeReversal,
        "fee" | "stripe_fee" | "tax" | "network_cost" | "platform_earning_refund" => LineKind::Fee,
        "payout" | "payout_reversal" => LineKind::Payout,
        "transfer" | "transfer_reversal" | "connect_collection_transfer" => LineKind::Transfer,
        "adjustment"
        | "other_adjustment"
        | "partial_capture_reversal"
        | "refund_failure"
        | "payment_failure_refund"
        | "payment_unreconciled"
        | "unreconciled_customer_funds" => LineKind::Adjustment,
        "risk_reserved_funds" | "connect_reserved_funds" | "reserve_transaction" => LineKind::Hold,
        "topup" | "topup_reversal" => LineKind::Funding,
        _ => LineKind::Other,
    }
}

/// PayPal's transaction types as line kinds, from their words and the
/// direction of the money (a "payment" in is a customer's, out is the
/// shop's own purchase).
pub fn paypal_kind(type_text: &str, gross: i64) -> LineKind {
    let t = type_text.trim().to_ascii_lowercase();
    let has = |w: &str| t.contains(w);
    if has("conversion") {
        LineKind::Conversion
    } else if has("withdraw") {
        LineKind::Payout
    } else if has("release") || has("reversal of general account hold") {
        LineKind::Release
    } else if has("hold") {
        LineKind::Hold
    } else if has("chargeback reversal")
        || has("cancellation of reversal")
        || has("chargeback cancellation")
        || has("dispute reversal")
    {
        LineKind::DisputeReversal
    } else if has("fee") {
        LineKind::Fee
    } else if has("chargeback") || has("reversal") || has("dispute") {
        LineKind::Dispute
    } else if has("refund") {
        if gross <= 0 {
            LineKind::Refund
        } else {
            LineKind::Purchase
        }
    } else if has("deposit") || has("add funds") || has("charge from") || has("transfer from") {
        LineKind::Funding
    } else if has("payment") || has("received") || has("sent") || has("checkout") {
        if gross > 0 {
            LineKind::Charge
        } else {
            LineKind::Purchase
        }
    } else if has("authorization") || has("order") {
        LineKind::Other
    } else {
        LineKind::Adjustment
    }
}

/// PayPal's status words.
pub fn paypal_status(status: Option<&str>, impact: Option<&str>) -> LineStatus {
    if impact.is_some_and(|i| i.trim().eq_ignore_ascii_case("memo")) {
        return LineStatus::Memo;
    }
    let Some(s) = status else {
        // The statement layout has no status: every row moved money.
        return LineStatus::Completed;
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "completed" | "cleared" | "refunded" | "partially refunded" | "reversed" | "placed"
        | "removed" | "processed" | "paid" | "success" => LineStatus::Completed,
        "denied" | "canceled" | "cancelled" | "failed" | "expired" | "voided" | "returned" => {
            LineStatus::Void
        }
        _ => LineStatus::Pending,
    }
}

/// Wave's transaction types as line kinds, and whether their money always
/// goes out (Wave's sign for outgoing rows is not documented: the type
/// decides).
pub fn wave_kind(transaction_type: &str, reversal: bool, amount: i64) -> (LineKind, bool) {
    let t = transaction_type.trim().to_ascii_lowercase();
    if reversal || t.ends_with("_reversal") {
        return (LineKind::Adjustment, false);
    }
    match t.as_str() {
        "merchant_payment" | "api_checkout" => (LineKind::Charge, false),
        "merchant_payment_refund" | "api_checkout_refund" => (LineKind::Refund, true),
        "merchant_sweep" => (LineKind::Payout, true),
        "api_payout" | "bulk_payment" => (LineKind::Transfer, true),
        "b2b_payment" if amount >= 0 => (LineKind::Charge, false),
        "b2b_payment" => (LineKind::Purchase, false),
        _ => (LineKind::Other, false),
    }
}

/// Reads one Stripe row.
pub fn stripe_line(r: &mut RowReader<'_>, order: DateOrder) -> Option<Line> {
    let line_id = r.required("id");
    let at = r.utc("created", order);
    let currency = r.currency("currency");
    let category = r.required("category");
    let (gross, fee, net) = match currency {
        Some(c) => (
            r.amount("gross", c, None),
            r.amount("fee", c, None),
            r.amount("net", c, None),
        ),
        None => (None, None, None),
    };
    if let (Some(g), Some(f), Some(n)) = (gross, fee, net)
        && g - f != n
    {
        r.problem(
            "net",
            msg!(
                "stmtp-net-gross-minus-fee",
                g = g.to_string(),
                f = f.to_string(),
                n = n.to_string()
            ),
        );
    }
    let customer = match (r.text("customer_amount"), r.text("customer_currency")) {
        (Some(a), Some(c)) => match Currency::parse(&c) {
            Ok(cur) => match parse_signed(&a, cur) {
                Ok(v) => Some((
                    if gross.unwrap_or(0) < 0 {
                        -v.abs()
                    } else {
                        v.abs()
                    },
                    cur,
                )),
                Err(e) => {
                    r.problem("customer_amount", e);
                    None
                }
            },
            Err(e) => {
                r.problem("customer_currency", money_error(&e));
                None
            }
        },
        (Some(_), None) => {
            r.problem("customer_currency", msg!("stmtp-customer-currency-empty"));
            None
        }
        _ => None,
    };
    let (line_id, at, currency, category, gross, fee, net) =
        (line_id?, at?, currency?, category?, gross?, fee?, net?);
    let kind = stripe_kind(&category);
    let own = r.text("source");
    let payout_id = if kind == LineKind::Payout {
        own.clone()
            .filter(|s| s.starts_with("po_"))
            .or(r.text("payout"))
            .or(Some(line_id.clone()))
    } else {
        r.text("payout")
    };
    Some(Line {
        row: r.row,
        line_id,
        kind,
        status: LineStatus::Completed,
        type_text: category,
        at,
        currency,
        gross,
        fee,
        net,
        customer,
        ids: LineIds {
            own,
            payment_intent: r.text("payment_intent"),
            charge: r.text("charge"),
            order_ref: r.text("order"),
            ..LineIds::default()
        },
        payout_id,
        description: r.text("description"),
    })
}

/// Reads one PayPal row (activity download or statement).
pub fn paypal_line(r: &mut RowReader<'_>, order: DateOrder) -> Option<Line> {
    let line_id = r.required("id");
    let local = r.moment("date", order).map(|m| match m {
        Moment::Local(l) => l,
        Moment::Utc(u) => u.naive_utc(),
    });
    let time = r
        .required("time")
        .and_then(|t| match super::dates::parse_time(&t) {
            Ok(t) => Some(t),
            Err(e) => {
                r.problem("time", e);
                None
            }
        });
    let zone = r.required("zone").and_then(|z| match Zone::named(&z) {
        Some(zone) => Some(zone),
        None => {
            r.problem(
                "zone",
                msg!(
                    "stmtp-unknown-zone",
                    zone = format!("{z:?}"),
                    known = Zone::known()
                ),
            );
            None
        }
    });
    let at = match (local, time, zone) {
        (Some(l), Some(t), Some(z)) => Some(z.to_utc(l.date().and_time(t))),
        _ => None,
    };
    let currency = r.currency("currency");
    let (gross, fee_file) = match currency {
        Some(c) => (r.amount("gross", c, None), r.amount("fee", c, Some(0))),
        None => (None, None),
    };
    let net = match (currency, gross, fee_file) {
        (Some(c), Some(g), Some(f)) => {
            let net = r.amount("net", c, Some(g + f));
            if let Some(n) = net
                && n != g + f
            {
                r.problem(
                    "net",
                    msg!(
                        "stmtp-net-gross-plus-fee",
                        g = g.to_string(),
                        f = f.to_string(),
                        n = n.to_string()
                    ),
                );
            }
            net
        }
        _ => None,
    };
    let (line_id, at, currency, gross, fee_file, net) =
        (line_id?, at?, currency?, gross?, fee_file?, net?);
    let type_text = r.text("type").unwrap_or_default();
    let status_word = r.text("status");
    let status = paypal_status(status_word.as_deref(), r.text("impact").as_deref());
    let kind = paypal_kind(&type_text, gross);
    let description = r.text("name").or(r.text("title"));
    Some(Line {
        row: r.row,
        line_id: line_id.clone(),
        kind,
        status,
        type_text: match status_word {
            Some(s) => format!("{type_text} / {s}"),
            None => type_text,
        },
        at,
        currency,
        gross,
        // PayPal writes a fee it took as a negative number.
        fee: -fee_file,
        net,
        customer: Some((gross, currency)),
        ids: LineIds {
            own: Some(line_id.clone()),
            related: r.text("related"),
            order_ref: r.text("invoice"),
            order_ref2: r.text("custom"),
            ..LineIds::default()
        },
        payout_id: (kind == LineKind::Payout).then_some(line_id),
        description,
    })
}

/// Reads one Wave row.
pub fn wave_line(r: &mut RowReader<'_>, order: DateOrder) -> Option<Line> {
    let line_id = r.required("id");
    // Senegal and Côte d'Ivoire keep UTC all year.
    let at = r.utc("timestamp", order);
    let type_text = r.required("type");
    let currency = r.currency("currency");
    let (amount, fee) = match currency {
        Some(c) => (r.amount("amount", c, None), r.amount("fee", c, Some(0))),
        None => (None, None),
    };
    let reversal = match r.text("reversal").map(|t| t.to_ascii_lowercase()) {
        None => false,
        Some(t) if t == "true" || t == "1" => true,
        Some(t) if t == "false" || t == "0" => false,
        Some(t) => {
            r.problem("reversal", msg!("stmtp-not-bool", text = format!("{t:?}")));
            false
        }
    };
    let (line_id, at, type_text, currency, amount, fee) =
        (line_id?, at?, type_text?, currency?, amount?, fee?);
    let (kind, outgoing) = wave_kind(&type_text, reversal, amount);
    // `amount` is what reached (or left) the wallet; the fee is beside it.
    let net = if outgoing { -amount.abs() } else { amount };
    let fee = fee.abs();
    let gross = net + fee;
    Some(Line {
        row: r.row,
        line_id: line_id.clone(),
        kind,
        status: LineStatus::Completed,
        type_text,
        at,
        currency,
        gross,
        fee,
        net,
        customer: Some((gross, currency)),
        ids: LineIds {
            own: Some(line_id.clone()),
            session: r.text("session"),
            order_ref: r.text("client_reference"),
            ..LineIds::default()
        },
        payout_id: (kind == LineKind::Payout).then_some(line_id),
        description: r.text("name").or(r.text("reason")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_categories_classify() {
        for (c, k) in [
            ("charge", LineKind::Charge),
            ("refund", LineKind::Refund),
            ("dispute", LineKind::Dispute),
            ("dispute_reversal", LineKind::DisputeReversal),
            ("fee", LineKind::Fee),
            ("payout", LineKind::Payout),
            ("transfer", LineKind::Transfer),
            ("other_adjustment", LineKind::Adjustment),
            ("risk_reserved_funds", LineKind::Hold),
            ("climate_order_purchase", LineKind::Other),
        ] {
            assert_eq!(stripe_kind(c), k, "{c}");
        }
    }

    #[test]
    fn paypal_types_classify_by_words_and_direction() {
        for (t, g, k) in [
            ("Express Checkout Payment", 100, LineKind::Charge),
            ("Website Payment", -100, LineKind::Purchase),
            ("General Payment", 100, LineKind::Charge),
            ("Subscription Payment", -699, LineKind::Purchase),
            ("Payment Refund", -100, LineKind::Refund),
            ("General Withdrawal", -100, LineKind::Payout),
            ("General Withdrawal - Bank Account", -100, LineKind::Payout),
            ("General Currency Conversion", 100, LineKind::Conversion),
            (
                "User Initiated Currency Conversion",
                -100,
                LineKind::Conversion,
            ),
            ("Payment Hold", -100, LineKind::Hold),
            ("Payment Release", 100, LineKind::Release),
            ("Bank Deposit to PP Account ", 699, LineKind::Funding),
            ("Charge From Debit Card", 100, LineKind::Funding),
            ("Chargeback", -100, LineKind::Dispute),
            ("Chargeback Reversal", 100, LineKind::DisputeReversal),
            ("Chargeback Fee", -20, LineKind::Fee),
            ("Recurring Payment Sent", -2000, LineKind::Purchase),
        ] {
            assert_eq!(paypal_kind(t, g), k, "{t}");
        }
    }

    #[test]
    fn wave_types_classify_and_say_their_direction() {
        assert_eq!(
            wave_kind("api_checkout", false, 990),
            (LineKind::Charge, false)
        );
        assert_eq!(
            wave_kind("api_checkout_refund", false, 1000),
            (LineKind::Refund, true)
        );
        assert_eq!(
            wave_kind("merchant_sweep", false, 5),
            (LineKind::Payout, true)
        );
        assert_eq!(
            wave_kind("api_payout_reversal", false, 5),
            (LineKind::Adjustment, false)
        );
        assert_eq!(
            wave_kind("merchant_payment", true, 5),
            (LineKind::Adjustment, false)
        );
    }
}
