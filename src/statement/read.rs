//! One statement file's bytes into a [`Statement`], or every problem in it.
//!
//! The bytes are UTF-8 (a byte order mark is dropped) or, failing that,
//! Latin-1. The first row is the header; its names decide the layout
//! ([`recognise`]). The date column is read once to learn the order of day
//! and month ([`Evidence`]), then every row is read; a row with any problem
//! is reported with its row number and column, and the file yields no
//! lines at all. A transaction id that appears twice with different facts
//! is a problem; twice with the same facts, one line.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::coverage::Period;
use super::dates::{DateOrder, Evidence};
use super::layouts::{
    Found, Header, PAYPAL, RowReader, STRIPE, WAVE, paypal_line, recognise, stripe_ids_missing,
    stripe_line, wave_line,
};
use super::{Format, Line, Problem, Statement};
use crate::domain::Provider;
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Msg, msg};

/// What the owner said at import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// `--provider`: the file must be this provider's.
    pub provider: Option<Provider>,
    /// `--date-format`.
    pub date_order: Option<DateOrder>,
    /// `--period`: the days the file covers.
    pub period: Option<Period>,
}

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Reads one statement file.
pub fn read_statement(
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Statement, Vec<Problem>> {
    let whole = |message: Msg| {
        vec![Problem {
            file: name.to_owned(),
            row: None,
            column: None,
            message,
        }]
    };
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (i, result) in reader.records().enumerate() {
        match result {
            Ok(record) => {
                let row = record
                    .position()
                    .map_or(i + 1, |p| usize::try_from(p.line()).unwrap_or(i + 1));
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                records.push((row, record));
            }
            Err(e) => problems.push(Problem {
                file: name.to_owned(),
                row: e.position().and_then(|p| usize::try_from(p.line()).ok()),
                column: None,
                message: msg!("stmtp-not-csv", error = e.to_string()),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some(((_, head), rows)) = records.split_first() else {
        return Err(whole(msg!("stmtp-empty-file")));
    };
    let header = Header::new(head);
    let format = recognise(&header).map_err(whole)?;
    if let Some(p) = opts.provider
        && p != format.provider()
    {
        return Err(whole(msg!(
            "stmtp-wrong-provider",
            format = format,
            provider = ProviderTitle(p),
            flag = p.as_str()
        )));
    }
    let columns = match format {
        Format::StripeBalance => &STRIPE,
        Format::PaypalActivity | Format::PaypalStatement => &PAYPAL,
        Format::WaveTransactions => &WAVE,
    };
    let found = Found::resolve(&header, columns)
        .map_err(|e| whole(msg!("stmtp-of-layout", format = format, error = e)))?;
    if format == Format::StripeBalance && !found.has("charge") && !found.has("payment_intent") {
        return Err(whole(stripe_ids_missing()));
    }
    let date_field = match format {
        Format::StripeBalance => "created",
        Format::PaypalActivity | Format::PaypalStatement => "date",
        Format::WaveTransactions => "timestamp",
    };
    let mut evidence = Evidence::default();
    if let Some(col) = found.col(date_field) {
        for (_, record) in rows {
            if let Some(t) = record.get(col.index) {
                let date = t.trim().split([' ', 'T']).next().unwrap_or("");
                evidence.see(date);
            }
        }
    }
    let order = evidence.order(opts.date_order).map_err(|e| {
        vec![Problem {
            file: name.to_owned(),
            row: None,
            column: found.col(date_field).map(|c| c.name.clone()),
            message: e,
        }]
    })?;
    let mut lines: Vec<Line> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, record) in rows {
        let mut r = RowReader {
            file: name,
            row: *row,
            record,
            found: &found,
            problems: Vec::new(),
        };
        let line = match format {
            Format::StripeBalance => stripe_line(&mut r, order),
            Format::PaypalActivity | Format::PaypalStatement => paypal_line(&mut r, order),
            Format::WaveTransactions => wave_line(&mut r, order),
        };
        problems.append(&mut r.problems);
        let Some(line) = line else { continue };
        match seen.get(&line.line_id) {
            Some(&i) if lines[i].same_facts(&line) => {}
            Some(&i) => problems.push(Problem {
                file: name.to_owned(),
                row: Some(line.row),
                column: found.col("id").map(|c| c.name.clone()),
                message: msg!(
                    "stmtp-again",
                    id = line.line_id.as_str(),
                    first = lines[i].row
                ),
            }),
            None => {
                seen.insert(line.line_id.clone(), lines.len());
                lines.push(line);
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let period = match opts.period {
        Some(p) => p,
        None => Period::spanning(lines.iter().map(|l| l.at))
            .ok_or_else(|| whole(msg!("stmtp-no-lines")))?,
    };
    Ok(Statement {
        name: name.to_owned(),
        format,
        sha256: hex::encode(Sha256::digest(bytes)),
        period,
        lines,
    })
}
