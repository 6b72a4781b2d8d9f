//! Statements: the providers' own export files (Stripe's balance report,
//! PayPal's activity download, Wave's transaction list), read into lines of
//! exact money and matched against the shop's payments.
//!
//! This room is pure: bytes in, lines out; lines and the shop's keys in,
//! matches out. It reads no database and writes no file, so every rule is
//! tested on the real exports without IO. The store keeps the lines
//! (`src/store/statements.rs`), `tally check` judges them
//! (`src/report/statements.rs`), the command line imports them.
//!
//! - [`read`]: one file's bytes into a [`Statement`]: the layout recognised
//!   from its header names (never positions), every row parsed or every
//!   problem named by file, row and column.
//! - [`layouts`]: the layouts tally reads, their column names (one table
//!   per layout: adding a column alias is one line) and how each provider's
//!   words become a [`LineKind`].
//! - [`dates`]: the dates and times the files use, day/month order, the
//!   time zones they name.
//! - [`amounts`]: decimal text into signed minor units, exactly.
//! - [`coverage`]: which days a set of statements covers.
//! - [`matching`]: which payment a line is about.
//! - [`payouts`]: what each payout carried and whether it adds up.
//!
//! # Money
//! Every amount is an integer count of minor units of the line's currency,
//! signed as the provider's balance sees it: `gross` is positive for money
//! in, negative for money out; `fee` is what the provider took, positive
//! when it charged one (Stripe's convention; PayPal writes its fees
//! negative and Wave beside the amount: each layout converts), and `net =
//! gross − fee` always (checked on every row that has all three). A
//! Stripe line in the account's settlement currency keeps the customer's
//! own amount and currency apart (`customer`), so that the ledger is
//! compared with what the customer paid and fees with the settlement
//! currency, never two currencies with each other.

pub mod amounts;
pub mod coverage;
pub mod dates;
pub mod layouts;
pub mod matching;
pub mod payouts;
pub mod read;

use std::fmt;

use crate::domain::status::closed_enum;
use crate::domain::{Currency, Money, Provider, Timestamp};
use crate::i18n::{Msg, msg};

pub use coverage::Period;
pub use read::{ReadOptions, read_statement};

closed_enum! {
    /// What a statement line is (`statement_lines.kind`).
    LineKind, "statement line kind" {
        Charge => "charge",
        Refund => "refund",
        Dispute => "dispute",
        DisputeReversal => "dispute_reversal",
        Fee => "fee",
        Payout => "payout",
        Conversion => "conversion",
        Hold => "hold",
        Release => "release",
        Adjustment => "adjustment",
        Transfer => "transfer",
        Funding => "funding",
        Purchase => "purchase",
        Other => "other",
    }
}

impl LineKind {
    /// Whether the line is about a customer's payment (matched to the
    /// shop's payments); the others are classified, not matched.
    pub fn is_customer(self) -> bool {
        match self {
            LineKind::Charge | LineKind::Refund | LineKind::Dispute | LineKind::DisputeReversal => {
                true
            }
            LineKind::Fee
            | LineKind::Payout
            | LineKind::Conversion
            | LineKind::Hold
            | LineKind::Release
            | LineKind::Adjustment
            | LineKind::Transfer
            | LineKind::Funding
            | LineKind::Purchase
            | LineKind::Other => false,
        }
    }
}

closed_enum! {
    /// Where the provider says a line stands (`statement_lines.status`):
    /// completed (the money moved), pending (not yet final: a PayPal
    /// eCheck, a withdrawal on its way), void (denied, cancelled, failed:
    /// no money moved), memo (shown for information: PayPal's `Memo`
    /// balance impact).
    LineStatus, "statement line status" {
        Completed => "completed",
        Pending => "pending",
        Void => "void",
        Memo => "memo",
    }
}

impl LineStatus {
    /// Whether the line's money counts in totals and findings.
    pub fn counts(self) -> bool {
        match self {
            LineStatus::Completed | LineStatus::Pending => true,
            LineStatus::Void | LineStatus::Memo => false,
        }
    }
}

closed_enum! {
    /// A layout of export file tally reads (`statement_files.format`).
    Format, "statement layout" {
        StripeBalance => "stripe_balance",
        PaypalActivity => "paypal_activity",
        PaypalStatement => "paypal_statement",
        WaveTransactions => "wave_transactions",
    }
}

impl Format {
    pub fn provider(self) -> Provider {
        match self {
            Format::StripeBalance => Provider::Stripe,
            Format::PaypalActivity | Format::PaypalStatement => Provider::Paypal,
            Format::WaveTransactions => Provider::Wave,
        }
    }

    /// The layout's name as the provider's dashboard calls it.
    pub fn title(self) -> &'static str {
        match self {
            Format::StripeBalance => "Stripe balance change from activity (itemized)",
            Format::PaypalActivity => "PayPal activity download",
            Format::PaypalStatement => "PayPal statement",
            Format::WaveTransactions => "Wave transactions",
        }
    }
}

/// The provider's ids a line carries, each where the file has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LineIds {
    /// The line's own object: Stripe `source_id` (`ch_`, `re_`, `dp_`,
    /// `po_`), PayPal's Transaction ID, Wave's transaction id.
    pub own: Option<String>,
    /// Stripe `payment_intent_id`.
    pub payment_intent: Option<String>,
    /// Stripe `charge_id`.
    pub charge: Option<String>,
    /// PayPal `Reference Txn ID`: the payment a refund or a hold is about.
    pub related: Option<String>,
    /// Wave `checkout_api_session_id` (`cos-…`).
    pub session: Option<String>,
    /// The order number the shop gave the provider: Stripe metadata,
    /// PayPal Invoice Number, Wave client reference.
    pub order_ref: Option<String>,
    /// A second one (PayPal's Custom Number beside its Invoice Number).
    pub order_ref2: Option<String>,
}

impl LineIds {
    /// The ids that may name a payment or one of its refunds or disputes,
    /// strongest first.
    pub fn payment_keys(&self) -> impl Iterator<Item = &str> {
        [
            &self.own,
            &self.payment_intent,
            &self.charge,
            &self.related,
            &self.session,
        ]
        .into_iter()
        .filter_map(|k| k.as_deref())
    }

    /// The order numbers the line names.
    pub fn order_refs(&self) -> impl Iterator<Item = &str> {
        [&self.order_ref, &self.order_ref2]
            .into_iter()
            .filter_map(|k| k.as_deref())
    }
}

/// One line of a statement: one provider transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its row in its file (the header is row 1).
    pub row: usize,
    /// The provider's id of this balance line: Stripe's
    /// `balance_transaction_id`, PayPal's Transaction ID, Wave's
    /// `transaction_id`. A line is stored once per provider and id.
    pub line_id: String,
    pub kind: LineKind,
    pub status: LineStatus,
    /// The provider's own words for it (`reporting_category`, `Type`,
    /// `transaction_type`), and its status word where it has one.
    pub type_text: String,
    pub at: Timestamp,
    pub currency: Currency,
    /// Signed minor units; see the module's "Money".
    pub gross: i64,
    pub fee: i64,
    pub net: i64,
    /// What the customer paid, signed like `gross`, in their currency:
    /// Stripe's `customer_facing_amount`; the gross itself elsewhere.
    /// `None` on a Stripe report without those columns.
    pub customer: Option<(i64, Currency)>,
    pub ids: LineIds,
    /// The payout that carried the line to the bank (Stripe
    /// `automatic_payout_id`); a payout line names itself.
    pub payout_id: Option<String>,
    pub description: Option<String>,
}

impl Line {
    /// Whether this line is the same provider fact as `other`, whatever
    /// row or file it came from.
    pub fn same_facts(&self, other: &Line) -> bool {
        Line {
            row: other.row,
            ..self.clone()
        } == *other
    }
}

/// A parsed statement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The file's name as given.
    pub name: String,
    pub format: Format,
    /// SHA-256 of the bytes, hex: the same file imported twice is one.
    pub sha256: String,
    /// The days it covers.
    pub period: Period,
    pub lines: Vec<Line>,
}

/// One thing wrong with a statement file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The row (the header is row 1); `None` for the file as a whole.
    pub row: Option<usize>,
    pub column: Option<String>,
    /// What is wrong (English through `Display`).
    pub message: Msg,
}

impl Problem {
    /// The problem as a message: where, then what.
    pub fn msg(&self) -> Msg {
        let mut at = msg!("plain", text = self.file.as_str());
        if let Some(row) = self.row {
            at = msg!("stmtp-at-row", at = at, row = row);
        }
        if let Some(column) = &self.column {
            at = msg!("stmtp-at-column", at = at, column = format!("{column:?}"));
        }
        msg!("stmtp-problem", at = at, message = self.message.clone())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, ": row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ": column {column:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a set of statement files imports nothing.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("{} problem(s), nothing imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl StatementError {
    /// The error as the owner reads it: its English `Display`, word for
    /// word, in English.
    pub fn localize(&self, lang: crate::i18n::Lang) -> String {
        match self {
            StatementError::Invalid(problems) => {
                let mut out = crate::tr!(lang, "stmtp-invalid", n = problems.len());
                for p in problems {
                    out.push_str("\n  ");
                    out.push_str(&lang.text(&p.msg()));
                }
                out
            }
        }
    }
}

/// What a payment's statement lines say of it: the fee the provider took
/// and the net that reached the balance, per settlement currency (lines
/// that moved no money left out).
pub fn fee_and_net<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Vec<(Currency, i64, i64)> {
    let mut out: Vec<(Currency, i64, i64)> = Vec::new();
    for l in lines.into_iter().filter(|l| l.status.counts()) {
        match out.iter_mut().find(|(c, _, _)| *c == l.currency) {
            Some(row) => {
                row.1 += l.fee;
                row.2 += l.net;
            }
            None => out.push((l.currency, l.fee, l.net)),
        }
    }
    out
}

/// A signed amount of minor units as the owner reads it ("-0.77 USD").
pub fn show_signed(minor: i64, currency: Currency) -> String {
    if minor < 0 {
        format!("-{}", Money::show_minor(minor.saturating_neg(), currency))
    } else {
        Money::show_minor(minor, currency)
    }
}

/// A signed amount as a decimal string without currency ("-0.77").
pub fn decimal_signed(minor: i64, currency: Currency) -> String {
    if minor < 0 {
        format!(
            "-{}",
            Money::decimal_minor(minor.saturating_neg(), currency)
        )
    } else {
        Money::decimal_minor(minor, currency)
    }
}

#[cfg(test)]
mod tests;
