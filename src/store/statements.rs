//! The statements' tables: imported files, their lines, and the match of
//! each line to a payment.
//!
//! # Writing
//! [`Writer::import_statement`] writes one file and its lines in the
//! caller's transaction: a line already stored (same provider and
//! transaction id) with the same facts is left alone; with other facts (the
//! provider rewrote it) it is replaced when this file's period ends no
//! earlier than the one that wrote it (the newer file wins), and the
//! caller audits each such change. [`Writer::rematch`] then matches every
//! customer line of the provider again, in memory, from keys read in a
//! few set-based queries, and writes only the matches that changed.
//!
//! # Reading
//! `tally check` reads through the partial indexes of
//! `sql/007_statements.sql` only what may be wrong (lines without a match,
//! charges whose amount differs, refunds and disputes), never every line
//! joined to every payment in Rust.

use std::collections::{HashMap, HashSet};

use rusqlite::{Row, params};

use super::rows::{
    ORDER_COLUMNS, ORDER_WIDTH, PAYMENT_COLUMNS, PAYMENT_WIDTH, order_from_row, payment_from_row,
    ts_at,
};
use super::{MAIN_PAYMENT_ORDER, Reader, Writer};
use crate::domain::ledger::{Flow, Movement};
use crate::domain::{Currency, Order, Payment, Provider, Timestamp, format_ts};
use crate::statement::matching::{Keys, MatchedBy, match_line};
use crate::statement::{Format, Line, LineIds, LineKind, Period, Statement};

/// An imported statement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: i64,
    pub provider: Provider,
    pub format: Format,
    pub name: String,
    pub sha256: String,
    pub period: Period,
    pub rows: i64,
    pub imported_at: String,
    pub actor: String,
}

/// A stored line, its file and its match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub id: i64,
    pub provider: Provider,
    pub file_id: i64,
    pub line: Line,
    pub payment_id: Option<i64>,
    pub matched_by: Option<MatchedBy>,
}

/// What importing one file's lines did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinesWritten {
    pub new: usize,
    pub unchanged: usize,
    /// Lines the provider rewrote, as they were and as they are now.
    pub rewritten: Vec<(Line, Line)>,
    /// Lines this file holds differently, kept as a newer file says.
    pub kept_newer: usize,
}

/// Statement totals of one provider, currency and kind: (provider,
/// currency, kind, lines, gross, fee, net).
pub type Totals = (Provider, Currency, LineKind, i64, i64, i64, i64);

/// What [`Reader::charge_pass`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChargePass {
    /// (line id, payment id) of completed charges whose amount or currency
    /// differs from the payment's capture, or whose payment captured
    /// nothing.
    pub suspects: Vec<(i64, i64)>,
    /// (payment id, provider, completion time) of payments that captured
    /// money and have no charge line.
    pub uncharged: Vec<(i64, Provider, Timestamp)>,
}

/// A stored currency code as three upper-case bytes (the pass compares
/// codes without parsing them: a hundred thousand rows).
type Code = [u8; 3];

fn code(bytes: &[u8]) -> Code {
    let mut c = [0u8; 3];
    for (d, s) in c.iter_mut().zip(bytes) {
        *d = s.to_ascii_uppercase();
    }
    c
}

/// A charge line as the pass reads it from its index.
struct ChargeKey {
    line: i64,
    completed: bool,
    customer: Option<(i64, Code)>,
    gross: (i64, Code),
}

fn read_charge(row: Option<&Row<'_>>) -> rusqlite::Result<Option<(i64, ChargeKey)>> {
    let Some(r) = row else {
        return Ok(None);
    };
    let completed = r.get_ref(1)?.as_str()? == "completed";
    let customer = match (
        r.get::<_, Option<i64>>(2)?,
        r.get_ref(3)?.as_bytes_or_null()?,
    ) {
        (Some(m), Some(c)) => Some((m, code(c))),
        _ => None,
    };
    Ok(Some((
        r.get(0)?,
        ChargeKey {
            line: r.get(6)?,
            completed,
            customer,
            gross: (r.get(4)?, code(r.get_ref(5)?.as_bytes()?)),
        },
    )))
}

/// Whether a charge differs from the capture: what the customer paid (the
/// gross when the line has no customer amount and is in the capture's
/// currency: otherwise the two cannot be compared).
fn charge_differs(key: &ChargeKey, captured: Option<i64>, currency: Option<Code>) -> bool {
    let (Some(captured), Some(currency)) = (captured, currency) else {
        return true;
    };
    match key.customer {
        Some((m, c)) => (m.abs(), c) != (captured, currency),
        None if key.gross.1 == currency => key.gross.0.abs() != captured,
        None => false,
    }
}

/// Columns of `statement_lines`, in the order [`line_from_row`] reads them.
pub const LINE_COLUMNS: &str = "l.id, l.provider, l.file_id, l.row, l.line_id, l.kind, l.status, \
     l.type_text, l.at, l.currency, l.gross_minor, l.fee_minor, l.net_minor, l.customer_minor, \
     l.customer_currency, l.own_id, l.payment_intent, l.charge_id, l.related_id, l.session_id, \
     l.order_ref, l.order_ref2, l.payout_id, l.description, l.payment_id, l.matched_by";

/// Number of columns in [`LINE_COLUMNS`].
pub const LINE_WIDTH: usize = 26;

fn parsed<T: std::str::FromStr>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a line from [`LINE_COLUMNS`] starting at column `at`.
pub fn line_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<StoredLine> {
    let customer = match (
        r.get::<_, Option<i64>>(at + 13)?,
        r.get::<_, Option<Currency>>(at + 14)?,
    ) {
        (Some(m), Some(c)) => Some((m, c)),
        _ => None,
    };
    let matched_by: Option<String> = r.get(at + 25)?;
    Ok(StoredLine {
        id: r.get(at)?,
        provider: r.get(at + 1)?,
        file_id: r.get(at + 2)?,
        payment_id: r.get(at + 24)?,
        matched_by: matched_by.and_then(|m| m.parse().ok()),
        line: Line {
            row: usize::try_from(r.get::<_, i64>(at + 3)?).unwrap_or(0),
            line_id: r.get(at + 4)?,
            kind: parsed(r, at + 5)?,
            status: parsed(r, at + 6)?,
            type_text: r.get(at + 7)?,
            at: ts_at(r, at + 8)?,
            currency: r.get(at + 9)?,
            gross: r.get(at + 10)?,
            fee: r.get(at + 11)?,
            net: r.get(at + 12)?,
            customer,
            ids: LineIds {
                own: r.get(at + 15)?,
                payment_intent: r.get(at + 16)?,
                charge: r.get(at + 17)?,
                related: r.get(at + 18)?,
                session: r.get(at + 19)?,
                order_ref: r.get(at + 20)?,
                order_ref2: r.get(at + 21)?,
            },
            payout_id: r.get(at + 22)?,
            description: r.get(at + 23)?,
        },
    })
}

const FILE_COLUMNS: &str =
    "id, provider, format, name, sha256, period_from, period_to, rows, imported_at, actor";

fn file_from_row(r: &Row<'_>) -> rusqlite::Result<StoredFile> {
    let day = |idx: usize| -> rusqlite::Result<chrono::NaiveDate> {
        let text: String = r.get(idx)?;
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(StoredFile {
        id: r.get(0)?,
        provider: r.get(1)?,
        format: parsed(r, 2)?,
        name: r.get(3)?,
        sha256: r.get(4)?,
        period: Period {
            from: day(5)?,
            to: day(6)?,
        },
        rows: r.get(7)?,
        imported_at: r.get(8)?,
        actor: r.get(9)?,
    })
}

/// The customer kinds, as SQL.
const CUSTOMER_KINDS: &str = "('charge', 'refund', 'dispute', 'dispute_reversal')";

/// A JSON array of strings, for `json_each` (one query for many keys).
fn json_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        items
            .into_iter()
            .map(|s| serde_json::Value::String(s.to_owned()))
            .collect(),
    )
    .to_string()
}

/// A JSON array of integers.
fn json_ids(items: impl IntoIterator<Item = i64>) -> String {
    serde_json::Value::Array(items.into_iter().map(serde_json::Value::from).collect()).to_string()
}

impl Reader<'_> {
    /// Every imported statement file, oldest first.
    pub fn statement_files(&self) -> rusqlite::Result<Vec<StoredFile>> {
        self.prepare_cached(&format!(
            "SELECT {FILE_COLUMNS} FROM statement_files ORDER BY id"
        ))?
        .query_map([], file_from_row)?
        .collect()
    }

    /// The file with these bytes, if imported already.
    pub fn statement_file_by_hash(
        &self,
        provider: Provider,
        sha256: &str,
    ) -> rusqlite::Result<Option<StoredFile>> {
        use rusqlite::OptionalExtension;
        self.prepare_cached(&format!(
            "SELECT {FILE_COLUMNS} FROM statement_files WHERE provider = ?1 AND sha256 = ?2"
        ))?
        .query_row(params![provider, sha256], file_from_row)
        .optional()
    }

    /// Whether any statement was ever imported.
    pub fn has_statements(&self) -> rusqlite::Result<bool> {
        self.query_row("SELECT EXISTS (SELECT 1 FROM statement_files)", [], |r| {
            r.get(0)
        })
    }

    /// The stored lines of `provider` among `line_ids`, by id.
    fn lines_by_id(
        &self,
        provider: Provider,
        line_ids: &[&str],
    ) -> rusqlite::Result<HashMap<String, (StoredLine, chrono::NaiveDate)>> {
        let mut stmt = self.prepare(&format!(
            "SELECT {LINE_COLUMNS}, f.period_to FROM statement_lines l
             JOIN statement_files f ON f.id = l.file_id
             WHERE l.provider = ?1 AND l.line_id IN (SELECT value FROM json_each(?2))"
        ))?;
        let rows = stmt.query_map(
            params![provider, json_list(line_ids.iter().copied())],
            |r| {
                let line = line_from_row(r, 0)?;
                let to: String = r.get(LINE_WIDTH)?;
                let to = chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d").map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        LINE_WIDTH,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?;
                Ok((line.line.line_id.clone(), (line, to)))
            },
        )?;
        rows.collect()
    }

    /// The keys every customer line of `provider` is matched against: every
    /// payment's reference and charge id, the ids of refunds and disputes,
    /// and the order numbers with their payments (the main one first).
    pub fn match_keys(&self, provider: Provider) -> rusqlite::Result<Keys> {
        let mut keys = Keys::default();
        let mut stmt = self.prepare(&format!(
            "SELECT p.id, p.reference, p.charge_id, o.number
             FROM payments p JOIN orders o ON o.id = p.order_id
             WHERE p.provider = ?1
             ORDER BY o.id, {MAIN_PAYMENT_ORDER}"
        ))?;
        let mut rows = stmt.query([provider])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            for key in [
                r.get_ref(1)?.as_str_or_null()?,
                r.get_ref(2)?.as_str_or_null()?,
            ]
            .into_iter()
            .flatten()
            {
                keys.add_id(provider, key, id);
            }
            keys.add_order_payment(r.get_ref(3)?.as_str()?, provider, id);
        }
        let mut stmt = self.prepare(
            "SELECT m.provider_id, m.payment_id FROM movements m
             JOIN payments p ON p.id = m.payment_id
             WHERE m.kind IN ('refund', 'dispute') AND m.provider_id IS NOT NULL
               AND p.provider = ?1
             ORDER BY m.id",
        )?;
        let mut rows = stmt.query([provider])?;
        while let Some(r) = rows.next()? {
            keys.add_id(provider, r.get_ref(0)?.as_str()?, r.get(1)?);
        }
        Ok(keys)
    }

    /// The keys for a few lines only: the payments their ids and order
    /// numbers name, found through the indexes in one query each.
    pub fn match_keys_for(&self, lines: &[&StoredLine]) -> rusqlite::Result<Keys> {
        let mut keys = Keys::default();
        if lines.is_empty() {
            return Ok(keys);
        }
        let ids = json_list(lines.iter().flat_map(|l| l.line.ids.payment_keys()));
        let refs = json_list(lines.iter().flat_map(|l| l.line.ids.order_refs()));
        let mut stmt = self.prepare(
            "SELECT p.provider, p.id, p.reference, p.charge_id FROM payments p
             WHERE p.provider IN ('stripe', 'paypal', 'wave')
               AND p.reference IN (SELECT value FROM json_each(?1))
             UNION SELECT p.provider, p.id, p.reference, p.charge_id FROM payments p
             WHERE p.charge_id IN (SELECT value FROM json_each(?1))
             ORDER BY 2",
        )?;
        let mut rows = stmt.query([&ids])?;
        while let Some(r) = rows.next()? {
            let provider: Provider = r.get(0)?;
            let id: i64 = r.get(1)?;
            for key in [
                r.get_ref(2)?.as_str_or_null()?,
                r.get_ref(3)?.as_str_or_null()?,
            ]
            .into_iter()
            .flatten()
            {
                keys.add_id(provider, key, id);
            }
        }
        let mut stmt = self.prepare(
            "SELECT p.provider, m.provider_id, m.payment_id FROM movements m INDEXED BY movements_refunds
             JOIN payments p ON p.id = m.payment_id
             WHERE m.kind = 'refund' AND m.provider_id IN (SELECT value FROM json_each(?1))
             UNION ALL
             SELECT p.provider, m.provider_id, m.payment_id FROM movements m INDEXED BY movements_disputes
             JOIN payments p ON p.id = m.payment_id
             WHERE m.kind = 'dispute' AND m.provider_id IN (SELECT value FROM json_each(?1))
             ORDER BY 3",
        )?;
        let mut rows = stmt.query([&ids])?;
        while let Some(r) = rows.next()? {
            keys.add_id(r.get(0)?, r.get_ref(1)?.as_str()?, r.get(2)?);
        }
        let mut stmt = self.prepare(&format!(
            "SELECT o.number, p.provider, p.id FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE o.number IN (SELECT value FROM json_each(?1))
             ORDER BY o.id, {MAIN_PAYMENT_ORDER}"
        ))?;
        let mut rows = stmt.query([&refs])?;
        while let Some(r) = rows.next()? {
            keys.add_order_payment(r.get_ref(0)?.as_str()?, r.get(1)?, r.get(2)?);
        }
        Ok(keys)
    }

    /// Customer lines that counted money and have no match stored.
    pub fn unmatched_lines(&self) -> rusqlite::Result<Vec<StoredLine>> {
        self.prepare_cached(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l INDEXED BY statement_lines_unmatched
             WHERE l.payment_id IS NULL AND l.kind IN {CUSTOMER_KINDS}
               AND l.status IN ('completed', 'pending')
             ORDER BY l.at, l.id"
        ))?
        .query_map([], |r| line_from_row(r, 0))?
        .collect()
    }

    /// Refund and dispute lines with a match, and their payments; less the
    /// refunds the payment's ledger plainly holds (a refund of the same
    /// amount under the line's own id or none, or, for a line without an
    /// id, under any), found through the two indexes alone.
    pub fn matched_refunds_and_disputes(
        &self,
    ) -> rusqlite::Result<Vec<(StoredLine, Order, Payment)>> {
        self.line_with_payment(
            "l.kind IN ('refund', 'dispute', 'dispute_reversal')
             AND l.status IN ('completed', 'pending')
             AND NOT (l.kind = 'refund' AND EXISTS (
                 SELECT 1 FROM movements m INDEXED BY movements_fact
                 WHERE m.payment_id = l.payment_id AND m.kind = 'refund'
                   AND m.amount_minor = abs(coalesce(l.customer_minor, l.gross_minor))
                   AND (l.own_id IS NULL
                        OR coalesce(m.flow_key, m.provider_id, '') IN (l.own_id, ''))))",
            "statement_lines_refunds",
        )
    }

    fn line_with_payment(
        &self,
        filter: &str,
        index: &str,
    ) -> rusqlite::Result<Vec<(StoredLine, Order, Payment)>> {
        let mut stmt = self.prepare(&format!(
            "SELECT {LINE_COLUMNS}, {ORDER_COLUMNS}, {PAYMENT_COLUMNS}
             FROM statement_lines l INDEXED BY {index}
             JOIN payments p ON p.id = l.payment_id
             JOIN orders o ON o.id = p.order_id
             WHERE l.payment_id IS NOT NULL AND {filter}
             ORDER BY l.at, l.id"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                line_from_row(r, 0)?,
                order_from_row(r, LINE_WIDTH)?,
                payment_from_row(r, LINE_WIDTH + ORDER_WIDTH)?,
            ))
        })?;
        rows.collect()
    }

    /// Orders and payments by payment id, for a few payments.
    pub fn payments_by_ids(&self, ids: &[i64]) -> rusqlite::Result<HashMap<i64, (Order, Payment)>> {
        let mut stmt = self.prepare(&format!(
            "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS} FROM payments p
             JOIN orders o ON o.id = p.order_id
             WHERE p.id IN (SELECT value FROM json_each(?1))"
        ))?;
        let rows = stmt.query_map([json_ids(ids.iter().copied())], |r| {
            let o = order_from_row(r, 0)?;
            let p = payment_from_row(r, ORDER_WIDTH)?;
            Ok((p.id, (o, p)))
        })?;
        rows.collect()
    }

    /// The refund and dispute movements of a few payments, by payment.
    pub fn refund_dispute_movements(
        &self,
        payment_ids: &[i64],
    ) -> rusqlite::Result<HashMap<i64, Vec<Movement>>> {
        let mut out: HashMap<i64, Vec<Movement>> = HashMap::new();
        let mut stmt = self.prepare(
            "SELECT payment_id, kind, state, amount_minor, currency, provider_id, flow_key, at
             FROM movements WHERE payment_id IN (SELECT value FROM json_each(?1))
               AND kind IN ('refund', 'dispute')
             ORDER BY id",
        )?;
        let mut rows = stmt.query([json_ids(payment_ids.iter().copied())])?;
        while let Some(r) = rows.next()? {
            let kind = r.get(1)?;
            let state: Option<String> = r.get(2)?;
            let Ok(flow) = Flow::from_parts(kind, state.as_deref()) else {
                continue;
            };
            let currency: Currency = r.get(4)?;
            let Ok(amount) = crate::domain::Money::from_minor(r.get(3)?, currency) else {
                continue;
            };
            out.entry(r.get(0)?).or_default().push(Movement {
                flow,
                amount,
                provider_id: r.get(5)?,
                key: r.get(6)?,
                at: ts_at(r, 7)?,
                event_id: None,
            });
        }
        Ok(out)
    }

    /// One pass over every charge line with a match and every payment,
    /// both in payment id order (an index-only scan and a table scan,
    /// merged in memory): the charges whose amount differs from their
    /// payment's capture, and the payments that captured money with no
    /// charge line.
    pub fn charge_pass(&self) -> rusqlite::Result<ChargePass> {
        let mut lines = self.prepare(
            "SELECT payment_id, status, customer_minor, customer_currency, gross_minor, currency, id
             FROM statement_lines INDEXED BY statement_lines_charges
             WHERE kind = 'charge' AND payment_id IS NOT NULL
             ORDER BY payment_id",
        )?;
        let mut lines = lines.query([])?;
        let mut payments = self.prepare(
            "SELECT id, provider, captured_minor, captured_currency,
                    coalesce(completed_at, updated_at)
             FROM payments WHERE provider <> 'cash' ORDER BY id",
        )?;
        let mut payments = payments.query([])?;
        let mut out = ChargePass::default();
        let mut next: Option<(i64, ChargeKey)> = read_charge(lines.next()?)?;
        while let Some(p) = payments.next()? {
            let id: i64 = p.get(0)?;
            let captured: Option<i64> = p.get(2)?;
            let currency = p.get_ref(3)?.as_bytes_or_null()?.map(code);
            while next.as_ref().is_some_and(|(pid, _)| *pid < id) {
                next = read_charge(lines.next()?)?;
            }
            let mut charged = false;
            while let Some((_, key)) = next.as_ref().filter(|(pid, _)| *pid == id) {
                charged = true;
                if key.completed && charge_differs(key, captured, currency) {
                    out.suspects.push((key.line, id));
                }
                next = read_charge(lines.next()?)?;
            }
            if !charged && captured.is_some_and(|c| c > 0) {
                out.uncharged.push((id, p.get(1)?, ts_at(p, 4)?));
            }
        }
        Ok(out)
    }

    /// The time of each of these payments' first capture.
    pub fn capture_times(&self, ids: &[i64]) -> rusqlite::Result<HashMap<i64, Timestamp>> {
        let mut stmt = self.prepare(
            "SELECT payment_id, min(at) FROM movements
             WHERE payment_id IN (SELECT value FROM json_each(?1)) AND kind = 'captured'
             GROUP BY payment_id",
        )?;
        let rows = stmt.query_map([json_ids(ids.iter().copied())], |r| {
            Ok((r.get(0)?, ts_at(r, 1)?))
        })?;
        rows.collect()
    }

    /// Stored lines by their row ids.
    pub fn lines_by_row_ids(&self, ids: &[i64]) -> rusqlite::Result<Vec<StoredLine>> {
        self.prepare(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE l.id IN (SELECT value FROM json_each(?1)) ORDER BY l.at, l.id"
        ))?
        .query_map([json_ids(ids.iter().copied())], |r| line_from_row(r, 0))?
        .collect()
    }

    /// Refunds the ledger holds as succeeded, with a provider id, made in
    /// `[from, to)` on payments of `provider`, that no statement line names
    /// by its own id.
    pub fn unshown_refunds(
        &self,
        provider: Provider,
        from: Timestamp,
        to: Timestamp,
    ) -> rusqlite::Result<Vec<(Order, Payment, Movement)>> {
        let mut stmt = self.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS}, {PAYMENT_COLUMNS}, m.amount_minor, m.currency,
                    m.provider_id, m.at
             FROM movements m INDEXED BY movements_refunds
             JOIN payments p ON p.id = m.payment_id
             JOIN orders o ON o.id = p.order_id
             WHERE m.kind = 'refund' AND m.provider_id IS NOT NULL AND m.state = 'succeeded'
               AND p.provider = ?1 AND m.at >= ?2 AND m.at < ?3
               AND NOT EXISTS (SELECT 1 FROM statement_lines l INDEXED BY statement_lines_own
                               WHERE l.provider = p.provider AND l.own_id = m.provider_id)
             ORDER BY m.at"
        ))?;
        let base = ORDER_WIDTH + PAYMENT_WIDTH;
        let rows = stmt.query_map(params![provider, format_ts(from), format_ts(to)], |r| {
            let currency: Currency = r.get(base + 1)?;
            let amount = crate::domain::Money::from_minor(r.get(base)?, currency).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    base,
                    rusqlite::types::Type::Integer,
                    Box::new(e),
                )
            })?;
            let id: String = r.get(base + 2)?;
            let movement = Movement::new(
                Flow::Refund(crate::domain::RefundState::Succeeded),
                amount,
                ts_at(r, base + 3)?,
            )
            .with_id(&id);
            Ok((
                order_from_row(r, 0)?,
                payment_from_row(r, ORDER_WIDTH)?,
                movement,
            ))
        })?;
        rows.collect()
    }

    /// Refund lines matched to these payments (for refunds named by no
    /// id, compared by amount).
    pub fn refund_lines_of(&self, payment_ids: &[i64]) -> rusqlite::Result<Vec<StoredLine>> {
        self.prepare(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE l.payment_id IN (SELECT value FROM json_each(?1)) AND l.kind = 'refund'
             ORDER BY l.at, l.id"
        ))?
        .query_map([json_ids(payment_ids.iter().copied())], |r| {
            line_from_row(r, 0)
        })?
        .collect()
    }

    /// Every line matched to one of these payments, or naming one of their
    /// ids or their order, for one order's view.
    pub fn lines_of_payments(
        &self,
        payments: &[Payment],
        order_number: &str,
    ) -> rusqlite::Result<Vec<StoredLine>> {
        let ids = json_ids(payments.iter().map(|p| p.id));
        let keys = json_list(
            payments
                .iter()
                .flat_map(|p| [p.reference.as_deref(), p.charge_id.as_deref()])
                .flatten(),
        );
        let mut stmt = self.prepare(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE l.payment_id IN (SELECT value FROM json_each(?1))
             UNION SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE l.payment_id IS NULL AND l.kind IN {CUSTOMER_KINDS}
               AND (l.own_id IN (SELECT value FROM json_each(?2))
                    OR l.related_id IN (SELECT value FROM json_each(?2))
                    OR l.order_ref = ?3 OR l.order_ref2 = ?3)
             ORDER BY 9, 1"
        ))?;
        let rows = stmt.query_map(params![ids, keys, order_number], |r| line_from_row(r, 0))?;
        rows.collect()
    }

    /// The statement lines of an order's payments, by payment id: those
    /// matched at import, and those that match now (a payment that
    /// arrived since).
    pub fn statement_lines_of_order(
        &self,
        order: &Order,
        payments: &[Payment],
    ) -> rusqlite::Result<HashMap<i64, Vec<StoredLine>>> {
        let lines = self.lines_of_payments(payments, &order.number)?;
        let loose: Vec<&StoredLine> = lines.iter().filter(|l| l.payment_id.is_none()).collect();
        let keys = self.match_keys_for(&loose)?;
        let now = match_in_memory(&loose, &keys);
        let mut out: HashMap<i64, Vec<StoredLine>> = HashMap::new();
        for l in &lines {
            if let Some(p) = l.payment_id.or_else(|| now.get(&l.id).copied())
                && payments.iter().any(|x| x.id == p)
            {
                out.entry(p).or_default().push(l.clone());
            }
        }
        Ok(out)
    }

    /// The lines a payout reckoning needs: payouts, and lines that name a
    /// payout or a related transaction.
    pub fn payout_lines(&self, provider: Option<Provider>) -> rusqlite::Result<Vec<StoredLine>> {
        self.prepare(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE (?1 IS NULL OR l.provider = ?1)
               AND (l.kind = 'payout' OR l.payout_id IS NOT NULL OR l.related_id IS NOT NULL)
             ORDER BY l.provider, l.at, l.id"
        ))?
        .query_map([provider], |r| line_from_row(r, 0))?
        .collect()
    }

    /// Statement totals per provider, currency and kind over `[from, to)`:
    /// (provider, currency, kind, lines, gross, fee, net), counting lines
    /// whose money moved (completed).
    pub fn statement_totals(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> rusqlite::Result<Vec<Totals>> {
        let mut stmt = self.prepare(
            "SELECT provider, currency, kind, count(*), sum(gross_minor), sum(fee_minor),
                    sum(net_minor)
             FROM statement_lines
             WHERE status = 'completed' AND (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2)
             GROUP BY provider, currency, kind ORDER BY provider, currency, kind",
        )?;
        let rows = stmt.query_map(params![from.map(format_ts), to.map(format_ts)], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                parsed(r, 2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.collect()
    }

    /// The ledger's captures, refunds and disputes recorded in `[from,
    /// to)`, with their payment's provider and id.
    pub fn ledger_between(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> rusqlite::Result<Vec<(Provider, i64, Movement)>> {
        let mut stmt = self.prepare(
            "SELECT p.provider, m.payment_id, m.kind, m.state, m.amount_minor, m.currency,
                    m.provider_id, m.flow_key, m.at
             FROM movements m JOIN payments p ON p.id = m.payment_id
             WHERE m.kind IN ('captured', 'refund', 'dispute')
               AND (?1 IS NULL OR m.at >= ?1) AND (?2 IS NULL OR m.at < ?2)
             ORDER BY m.id",
        )?;
        let mut rows = stmt.query(params![from.map(format_ts), to.map(format_ts)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let state: Option<String> = r.get(3)?;
            let Ok(flow) = Flow::from_parts(r.get(2)?, state.as_deref()) else {
                continue;
            };
            let currency: Currency = r.get(5)?;
            let Ok(amount) = crate::domain::Money::from_minor(r.get(4)?, currency) else {
                continue;
            };
            out.push((
                r.get(0)?,
                r.get(1)?,
                Movement {
                    flow,
                    amount,
                    provider_id: r.get(6)?,
                    key: r.get(7)?,
                    at: ts_at(r, 8)?,
                    event_id: None,
                },
            ));
        }
        Ok(out)
    }

    /// Orders created in `[from, to)`, counted by payment status.
    pub fn orders_by_payment_status(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> rusqlite::Result<Vec<(String, i64)>> {
        let mut stmt = self.prepare(
            "SELECT payment_status, count(*) FROM orders
             WHERE (?1 IS NULL OR created_at >= ?1) AND (?2 IS NULL OR created_at < ?2)
             GROUP BY payment_status ORDER BY payment_status",
        )?;
        let rows = stmt.query_map(params![from.map(format_ts), to.map(format_ts)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect()
    }

    /// Every payment of `providers` with its order number and movements,
    /// by payment id (the demo's statements are written from these).
    pub fn payments_with_movements(
        &self,
        providers: &[Provider],
    ) -> rusqlite::Result<Vec<(String, Payment, Vec<Movement>)>> {
        let wanted: HashSet<Provider> = providers.iter().copied().collect();
        let mut stmt = self.prepare(&format!(
            "SELECT o.number, {PAYMENT_COLUMNS} FROM payments p JOIN orders o ON o.id = p.order_id
             ORDER BY p.id"
        ))?;
        let mut out: Vec<(String, Payment, Vec<Movement>)> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let p = payment_from_row(r, 1)?;
            if wanted.contains(&p.provider) {
                index.insert(p.id, out.len());
                out.push((r.get(0)?, p, Vec::new()));
            }
        }
        let mut stmt = self.prepare(
            "SELECT payment_id, kind, state, amount_minor, currency, provider_id, flow_key, at
             FROM movements ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(&r.get::<_, i64>(0)?) else {
                continue;
            };
            let state: Option<String> = r.get(2)?;
            let Ok(flow) = Flow::from_parts(r.get(1)?, state.as_deref()) else {
                continue;
            };
            let currency: Currency = r.get(4)?;
            let Ok(amount) = crate::domain::Money::from_minor(r.get(3)?, currency) else {
                continue;
            };
            out[i].2.push(Movement {
                flow,
                amount,
                provider_id: r.get(5)?,
                key: r.get(6)?,
                at: ts_at(r, 7)?,
                event_id: None,
            });
        }
        Ok(out)
    }
}

impl Reader<'_> {
    /// How many customer lines that counted money have no match (the
    /// partial index `statement_lines_unmatched`).
    pub fn unmatched_line_count(&self) -> rusqlite::Result<i64> {
        self.prepare_cached(&format!(
            "SELECT count(*) FROM statement_lines l INDEXED BY statement_lines_unmatched
             WHERE l.payment_id IS NULL AND l.kind IN {CUSTOMER_KINDS}
               AND l.status IN ('completed', 'pending')"
        ))?
        .query_row([], |r| r.get(0))
    }
}

/// A line as the dashboard shows it: its rank (0: an unmatched customer
/// line), the line, and the id and number of the order it matched.
pub type ShownLine = (i64, StoredLine, Option<(i64, String)>);

/// Where a page of [`Reader::statement_lines_from`] starts, by the
/// `(rank, at, id)` key of a line (rank 0: an unmatched customer line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAnchor<'a> {
    First,
    Last,
    After(&'a (i64, String, i64)),
    AtOrAfter(&'a (i64, String, i64)),
    Before(&'a (i64, String, i64)),
}

impl Reader<'_> {
    /// Lines for the dashboard's Statements view, in display order
    /// (unmatched customer lines first, then the rest, newest first within
    /// each), `limit` of them from `anchor`, each with its rank and the
    /// number of the order it matched.
    pub fn statement_lines_from(
        &self,
        anchor: LineAnchor<'_>,
        limit: usize,
    ) -> rusqlite::Result<Vec<ShownLine>> {
        let rank = format!(
            "(CASE WHEN l.payment_id IS NULL AND l.kind IN {CUSTOMER_KINDS}
                       AND l.status IN ('completed', 'pending') THEN 0 ELSE 1 END)"
        );
        // Display order is rank ASC, at DESC, id DESC; "after" a key in it.
        let after =
            format!("({rank} > ?1 OR ({rank} = ?1 AND (l.at < ?2 OR (l.at = ?2 AND l.id < ?3))))");
        let before =
            format!("({rank} < ?1 OR ({rank} = ?1 AND (l.at > ?2 OR (l.at = ?2 AND l.id > ?3))))");
        let (cond, key, backwards) = match anchor {
            LineAnchor::First => ("1".to_owned(), None, false),
            LineAnchor::Last => ("1".to_owned(), None, true),
            LineAnchor::After(k) => (after, Some(k), false),
            LineAnchor::AtOrAfter(k) => (format!("({after} OR l.id = ?3)"), Some(k), false),
            LineAnchor::Before(k) => (before, Some(k), true),
        };
        let order = if backwards {
            "1 DESC, l.at ASC, l.id ASC"
        } else {
            "1 ASC, l.at DESC, l.id DESC"
        };
        let (r, at, id) = key.cloned().unwrap_or((0, String::new(), 0));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.prepare_cached(&format!(
            "SELECT {rank}, {LINE_COLUMNS}, o.id, o.number FROM statement_lines l
             LEFT JOIN payments p ON p.id = l.payment_id
             LEFT JOIN orders o ON o.id = p.order_id
             WHERE {cond}
             ORDER BY {order} LIMIT ?4"
        ))?;
        let mut rows = stmt
            .query_map(params![r, at, id, limit], |row| {
                let id: Option<i64> = row.get(1 + LINE_WIDTH)?;
                let number: Option<String> = row.get(2 + LINE_WIDTH)?;
                Ok((row.get(0)?, line_from_row(row, 1)?, id.zip(number)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }
}

impl Writer<'_> {
    /// Writes one parsed file and its lines; the caller audits what it
    /// returns.
    pub fn import_statement(
        &self,
        s: &Statement,
        actor: &str,
        now: Timestamp,
    ) -> rusqlite::Result<(i64, LinesWritten)> {
        let provider = s.format.provider();
        self.conn()
            .prepare_cached(
                "INSERT INTO statement_files (provider, format, name, sha256, period_from,
                        period_to, rows, imported_at, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                provider,
                s.format.as_str(),
                s.name,
                s.sha256,
                s.period.from.to_string(),
                s.period.to.to_string(),
                i64::try_from(s.lines.len()).unwrap_or(i64::MAX),
                format_ts(now),
                actor,
            ])?;
        let file_id = self.conn().last_insert_rowid();
        let ids: Vec<&str> = s.lines.iter().map(|l| l.line_id.as_str()).collect();
        let stored = self.lines_by_id(provider, &ids)?;
        let mut out = LinesWritten::default();
        for line in &s.lines {
            match stored.get(&line.line_id) {
                None => {
                    self.write_line(None, provider, file_id, line)?;
                    out.new += 1;
                }
                Some((old, _)) if old.line.same_facts(line) => out.unchanged += 1,
                Some((_, to)) if *to > s.period.to => out.kept_newer += 1,
                Some((old, _)) => {
                    self.write_line(Some(old.id), provider, file_id, line)?;
                    out.rewritten.push((old.line.clone(), line.clone()));
                }
            }
        }
        Ok((file_id, out))
    }

    fn write_line(
        &self,
        id: Option<i64>,
        provider: Provider,
        file_id: i64,
        l: &Line,
    ) -> rusqlite::Result<()> {
        let sql = if id.is_some() {
            "UPDATE statement_lines SET provider = ?2, line_id = ?3, file_id = ?4, row = ?5,
                    kind = ?6, status = ?7, type_text = ?8, at = ?9, currency = ?10,
                    gross_minor = ?11, fee_minor = ?12, net_minor = ?13, customer_minor = ?14,
                    customer_currency = ?15, own_id = ?16, payment_intent = ?17, charge_id = ?18,
                    related_id = ?19, session_id = ?20, order_ref = ?21, order_ref2 = ?22,
                    payout_id = ?23, description = ?24
             WHERE id = ?1"
        } else {
            "INSERT INTO statement_lines (id, provider, line_id, file_id, row, kind, status,
                    type_text, at, currency, gross_minor, fee_minor, net_minor, customer_minor,
                    customer_currency, own_id, payment_intent, charge_id, related_id, session_id,
                    order_ref, order_ref2, payout_id, description)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20, ?21, ?22, ?23, ?24)"
        };
        self.conn().prepare_cached(sql)?.execute(params![
            id,
            provider,
            l.line_id,
            file_id,
            i64::try_from(l.row).unwrap_or(i64::MAX),
            l.kind.as_str(),
            l.status.as_str(),
            l.type_text,
            format_ts(l.at),
            l.currency,
            l.gross,
            l.fee,
            l.net,
            l.customer.map(|c| c.0),
            l.customer.map(|c| c.1),
            l.ids.own,
            l.ids.payment_intent,
            l.ids.charge,
            l.ids.related,
            l.ids.session,
            l.ids.order_ref,
            l.ids.order_ref2,
            l.payout_id,
            l.description,
        ])?;
        Ok(())
    }

    /// Matches every customer line of `provider` again and stores what
    /// changed; returns (lines matched, customer lines).
    pub fn rematch(&self, provider: Provider) -> rusqlite::Result<(usize, usize)> {
        let keys = self.match_keys(provider)?;
        let mut stmt = self.prepare(&format!(
            "SELECT {LINE_COLUMNS} FROM statement_lines l
             WHERE l.provider = ?1 AND l.kind IN {CUSTOMER_KINDS}"
        ))?;
        let lines: Vec<StoredLine> = stmt
            .query_map([provider], |r| line_from_row(r, 0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = self.conn().prepare_cached(
            "UPDATE statement_lines SET payment_id = ?2, matched_by = ?3 WHERE id = ?1",
        )?;
        let mut matched = 0;
        for l in &lines {
            let found = match_line(provider, &l.line.ids, &keys);
            matched += usize::from(found.is_some());
            let (payment_id, by) = (found.map(|f| f.0), found.map(|f| f.1));
            if payment_id != l.payment_id || by != l.matched_by {
                update.execute(params![l.id, payment_id, by.map(MatchedBy::as_str)])?;
            }
        }
        Ok((matched, lines.len()))
    }
}

/// Lines matched in memory to payments, for the lines `check` matches
/// again: line id → payment id.
pub fn match_in_memory(lines: &[&StoredLine], keys: &Keys) -> HashMap<i64, i64> {
    lines
        .iter()
        .filter_map(|l| match_line(l.provider, &l.line.ids, keys).map(|(p, _)| (l.id, p)))
        .collect()
}

/// Distinct payment ids.
pub fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let set: HashSet<i64> = ids.into_iter().collect();
    let mut v: Vec<i64> = set.into_iter().collect();
    v.sort_unstable();
    v
}
