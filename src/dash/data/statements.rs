//! The Statements view's reads: the imported files (few), and the lines a
//! page at a time through the generic keyset read, unmatched customer lines
//! first, then the rest, newest first within each. The SQL is the store's
//! ([`Reader::statement_lines_from`]); this room makes rows of it.

use rusqlite::types::Value;

use super::keyset::{Anchor, RowKey, Source};
use crate::domain::{Currency, format_ts};
use crate::statement::show_signed;
use crate::store::Reader;
use crate::store::statements::{LineAnchor, StoredFile, StoredLine};

/// One statement line as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    /// 0: a customer line that counted money and matched no payment.
    pub rank: i64,
    /// The stored `at`, the sort key.
    pub at_key: String,
    pub line: StoredLine,
    /// The order the matched payment belongs to.
    pub order_number: Option<String>,
    /// The order's id, for opening it.
    pub order_id: Option<i64>,
}

impl StatementRow {
    /// Whether the line is waiting for a match (`unknown_to_tally`).
    pub fn unmatched(&self) -> bool {
        self.rank == 0
    }

    /// The line's gross, with its currency.
    pub fn gross(&self) -> String {
        money(self.line.line.gross, self.line.line.currency)
    }

    /// The line's fee, with its currency.
    pub fn fee(&self) -> String {
        money(self.line.line.fee, self.line.line.currency)
    }
}

fn money(minor: i64, currency: Currency) -> String {
    show_signed(minor, currency)
}

/// Every imported statement file, oldest first, and the count of
/// unmatched customer lines (none read when there is no file).
pub fn statement_files(conn: &Reader<'_>) -> rusqlite::Result<(Vec<StoredFile>, i64)> {
    let files = conn.statement_files()?;
    let unmatched = if files.is_empty() {
        0
    } else {
        conn.unmatched_line_count()?
    };
    Ok((files, unmatched))
}

/// The statement lines as a [`Source`].
pub struct StatementSource<'a>(pub &'a Reader<'a>);

fn line_key(key: &RowKey) -> (i64, String, i64) {
    let int = |i: usize| match key.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    };
    let text = match key.get(1) {
        Some(Value::Text(t)) => t.clone(),
        _ => String::new(),
    };
    (int(0), text, int(2))
}

impl Source for StatementSource<'_> {
    type Row = StatementRow;
    fn fetch(&mut self, anchor: Anchor<'_>, limit: usize) -> rusqlite::Result<Vec<StatementRow>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key;
        let anchor = match anchor {
            Anchor::First => LineAnchor::First,
            Anchor::Last => LineAnchor::Last,
            Anchor::After(k) => {
                key = line_key(k);
                LineAnchor::After(&key)
            }
            Anchor::AtOrAfter(k) => {
                key = line_key(k);
                LineAnchor::AtOrAfter(&key)
            }
            Anchor::Before(k) => {
                key = line_key(k);
                LineAnchor::Before(&key)
            }
        };
        let rows = self.0.statement_lines_from(anchor, limit)?;
        Ok(rows
            .into_iter()
            .map(|(rank, line, order)| {
                let (order_id, order_number) = order.unzip();
                StatementRow {
                    rank,
                    at_key: format_ts(line.line.at),
                    order_number,
                    order_id,
                    line,
                }
            })
            .collect())
    }
    fn key(row: &StatementRow) -> RowKey {
        vec![
            Value::Integer(row.rank),
            Value::Text(row.at_key.clone()),
            Value::Integer(row.line.id),
        ]
    }
}
