//! Import and export of orders and payments, in JSON and CSV.
//!
//! The format (README, "Import format"): amounts are decimal strings in major
//! units, timestamps RFC 3339. JSON holds `orders`, `payments` and
//! `movements` arrays; CSV comes as an orders file, a payments file and a
//! movements file with the same field names as header row, the kind
//! recognised from the header.
//!
//! # Payments and their movements
//! Payments are keyed on (order, provider, reference), so an order's second
//! payment imports as a second attempt; a movement row names its payment by
//! the same three fields (`order`, `provider`, `payment`). A payment with
//! movement rows in the set gets exactly those movements (the store ignores
//! the ones it already holds) and its figures are folded from them; the
//! payment row's own figure fields are then not used. A payment without
//! movement rows (a file in the format from before the ledger) gets the
//! movements its figures describe
//! ([`legacy_movements`](crate::domain::ledger::legacy_movements)).
//!
//! # All or nothing
//! Every row of every file is validated before anything is written; any
//! problem (named by file, row and field) means nothing is imported. The
//! valid set is then written in one `BEGIN IMMEDIATE` transaction.
//! Re-importing updates orders by number and payments by order, never
//! duplicating them; a row identical to what is stored changes nothing.
//!
//! # Round trip
//! [`export_json`] and [`export_csv`] write every field the import reads,
//! including the figures (captured amount, charge id, refunds, dispute) and
//! every movement of every payment, payments in id order so that attempts
//! number the same on import; export → import → export gives the same
//! text.
//!
//! The rooms: `read` turns files into a validated [`ImportSet`];
//! `import` writes one through the store; `export` streams the shop out.

use std::fmt;

use crate::domain::ledger::{Movement, MovementSource};
use crate::domain::{Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider, Timestamp};
use crate::i18n::{Lang, Msg, tr};

mod export;
mod import;
mod read;

pub use export::{export_csv, export_json};
pub use import::{ImportSummary, check_against_db, import};
pub use read::{read_bytes, read_files};

/// One thing wrong with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// `orders[3]`, `payments[0]`, `movements[2]` (JSON) or `line 4` (CSV).
    pub row: String,
    pub field: Option<String>,
    pub message: Msg,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.row)?;
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Problem {
    /// The problem as the owner reads it: file, row, field, what is wrong.
    pub fn localize(&self, lang: Lang) -> String {
        let mut out = format!("{}: {}", self.file, self.row);
        if let Some(field) = &self.field {
            out.push_str(&format!(": {field}"));
        }
        out.push_str(&format!(": {}", lang.text(&self.message)));
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{} problem(s), nothing imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl TransferError {
    /// The error as the owner reads it.
    pub fn localize(&self, lang: Lang) -> String {
        match self {
            TransferError::Invalid(problems) => {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| format!("  {}", p.localize(lang)))
                    .collect();
                format!(
                    "{}\n{}",
                    tr!(lang, "import-invalid", n = problems.len()),
                    lines.join("\n")
                )
            }
            TransferError::Read { path, source } => tr!(
                lang,
                "import-cannot-read",
                path = path.as_str(),
                error = source.to_string()
            ),
            TransferError::Write { path, source } => tr!(
                lang,
                "export-cannot-write",
                path = path.as_str(),
                error = source.to_string()
            ),
            TransferError::Csv(e) => tr!(lang, "import-csv-error", error = e.to_string()),
            TransferError::Json(e) => tr!(lang, "import-json-error", error = e.to_string()),
            TransferError::Sqlite(e) => tr!(lang, "database-error", error = e.to_string()),
        }
    }
}

/// A validated order row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub number: String,
    pub customer_name: String,
    pub customer_email: String,
    pub total: Money,
    pub status: OrderStatus,
    pub payment_status: OrderPaymentStatus,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
}

/// A validated payment row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    /// Where the row came from (file, row), for problems only the database
    /// can reveal.
    pub source: (String, String),
    pub order: String,
    pub provider: Provider,
    pub reference: Option<String>,
    pub amount: Money,
    pub status: PaymentStatus,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub provider_status: Option<String>,
    pub captured: Option<Money>,
    pub charge_id: Option<String>,
    pub refunded_minor: i64,
    pub refund_pending: bool,
    pub disputed: bool,
}

impl NewPayment {
    /// What names the payment: (order, provider, reference).
    pub fn key(&self) -> PaymentKey {
        (self.order.clone(), self.provider, self.reference.clone())
    }
}

/// A payment's identity in the import format: (order number, provider,
/// reference).
pub type PaymentKey = (String, Provider, Option<String>);

/// A validated movement row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMovement {
    /// Where the row came from (file, row).
    pub source: (String, String),
    pub order: String,
    pub provider: Provider,
    /// The payment's reference.
    pub payment: Option<String>,
    pub movement: Movement,
    /// Who recorded it (default: the import).
    pub recorded_by: MovementSource,
}

impl NewMovement {
    /// The key of the payment it belongs to.
    pub fn key(&self) -> PaymentKey {
        (self.order.clone(), self.provider, self.payment.clone())
    }
}

/// Everything to import, validated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportSet {
    pub orders: Vec<NewOrder>,
    pub payments: Vec<NewPayment>,
    /// In file order, which is the order they are recorded in.
    pub movements: Vec<NewMovement>,
}

#[cfg(test)]
mod tests;
