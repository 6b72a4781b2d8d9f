//! `tally statement import`, `tally payouts` and `tally report`: the
//! providers' statements into the database, and what they say about the
//! shop's money.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::{Config, Exit, StatementCommand, print_json};
use crate::domain::ledger::{Flow, latest};
use crate::domain::{Currency, Movement, Provider, format_ts};
use crate::ops::statement::{FileOutcome, import_statements};
use crate::statement::payouts::{Payout, payouts as reckon};
use crate::statement::{
    LineKind, Problem, ReadOptions, StatementError, decimal_signed, read_statement, show_signed,
};

pub fn statement(
    config: &Config,
    cmd: StatementCommand,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    match cmd {
        StatementCommand::Import {
            files,
            provider,
            date_format,
            period,
        } => {
            if provider == Some(Provider::Cash) {
                anyhow::bail!(
                    "--provider cash: cash has no statements (valid: stripe, paypal, wave)"
                );
            }
            let opts = ReadOptions {
                provider,
                date_order: date_format,
                period,
            };
            import(config, &files, &opts, out)
        }
    }
}

fn import(
    config: &Config,
    files: &[PathBuf],
    opts: &ReadOptions,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut statements = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for path in files {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match read_statement(&name, &bytes, opts) {
            Ok(s) => statements.push(s),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(StatementError::Invalid(problems).into());
    }
    let described: BTreeMap<String, String> = statements
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                format!(
                    "{}, {} lines, {}",
                    s.format.title(),
                    s.lines.len(),
                    s.period
                ),
            )
        })
        .collect();
    let mut store = config.open()?;
    let outcome = import_statements(&mut store, statements, &config.actor, Utc::now())?;
    for f in &outcome.files {
        match f {
            FileOutcome::Already { name, at } => {
                writeln!(out, "{name}: already imported ({at}): nothing changed")?;
            }
            FileOutcome::Imported { name, written } => {
                let what = described.get(name).cloned().unwrap_or_default();
                write!(
                    out,
                    "{name}: {what}: {} new, {} unchanged, {} rewritten by the provider",
                    written.new,
                    written.unchanged,
                    written.rewritten.len()
                )?;
                if written.kept_newer > 0 {
                    write!(
                        out,
                        ", {} kept as a newer file has them",
                        written.kept_newer
                    )?;
                }
                writeln!(out)?;
                for (old, new) in &written.rewritten {
                    writeln!(
                        out,
                        "  {} (row {}): {} {} → {} {}",
                        new.line_id,
                        new.row,
                        old.status,
                        show_signed(old.gross, old.currency),
                        new.status,
                        show_signed(new.gross, new.currency)
                    )?;
                }
            }
        }
    }
    for (provider, matched, lines) in &outcome.matched {
        writeln!(
            out,
            "{}: {matched} of {lines} customer lines matched to payments; `tally check` compares them",
            provider.title()
        )?;
    }
    Ok(Exit::Ok)
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

fn payout_json(provider: Provider, p: &Payout) -> Value {
    let c = p.currency;
    let d = |minor: i64| decimal_signed(minor, c);
    json!({
        "provider": provider,
        "payout": p.id,
        "line": p.line_id,
        "at": format_ts(p.at),
        "status": p.status,
        "currency": c.code(),
        "amount": d(p.amount),
        "taken": d(p.taken),
        "carried": p.carried.map(|k| json!({
            "lines": k.lines,
            "charges": d(k.charges),
            "fees": d(k.fees),
            "refunds": d(k.refunds),
            "disputes": d(k.disputes),
            "other": d(k.other),
            "net": d(k.net),
        })),
        "adds_up": p.adds_up(),
        "difference": p.difference().map(d),
    })
}

pub fn payouts(
    config: &Config,
    provider: Option<Provider>,
    as_json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let store = config.open()?;
    let lines = store.reader().payout_lines(provider)?;
    let mut by_provider: BTreeMap<Provider, Vec<crate::statement::Line>> = BTreeMap::new();
    for l in lines {
        by_provider.entry(l.provider).or_default().push(l.line);
    }
    let all: Vec<(Provider, Payout)> = by_provider
        .iter()
        .flat_map(|(p, lines)| reckon(lines).into_iter().map(move |x| (*p, x)))
        .collect();
    let off = all
        .iter()
        .filter(|(_, p)| p.adds_up() == Some(false))
        .count();
    if as_json {
        print_json(
            out,
            &Value::Array(all.iter().map(|(pr, p)| payout_json(*pr, p)).collect()),
        )?;
    } else if all.is_empty() {
        writeln!(out, "No payouts in the imported statements.")?;
    } else {
        let mut t = table(&[
            "provider", "payout", "date", "status", "amount", "lines", "charges", "fees",
            "refunds", "disputes", "other", "net", "adds up",
        ]);
        for (pr, p) in &all {
            let s = |minor: i64| show_signed(minor, p.currency);
            let mut row = vec![
                pr.title().to_owned(),
                p.id.clone(),
                p.at.format("%Y-%m-%d").to_string(),
                p.status.to_string(),
                s(p.amount),
            ];
            match p.carried {
                Some(k) => row.extend([
                    k.lines.to_string(),
                    s(k.charges),
                    s(k.fees),
                    s(k.refunds),
                    s(k.disputes),
                    s(k.other),
                    s(k.net),
                ]),
                None => row.extend(std::iter::repeat_n("-".to_owned(), 7)),
            }
            row.push(match p.difference() {
                Some(0) => "yes".to_owned(),
                Some(d) if d < 0 => format!("no: {} less than its lines", s(-d)),
                Some(d) => format!("no: {} more than its lines", s(d)),
                None => "(the file does not say its lines)".to_owned(),
            });
            t.add_row(row);
        }
        writeln!(out, "{t}")?;
        if off > 0 {
            writeln!(
                out,
                "{off} payout(s) do not add up: their lines' net differs from what they took from the balance."
            )?;
        }
    }
    Ok(if off > 0 { Exit::Problems } else { Exit::Ok })
}

/// One row of the report: a provider and a currency.
#[derive(Debug, Default, Clone)]
struct Row {
    captured: i64,
    refunded: i64,
    lost: i64,
    statement: Option<Stated>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Stated {
    charges: i64,
    fees: i64,
    net: i64,
}

impl Stated {
    /// Fees over charges, in hundredths of a percent, rounded.
    fn rate_bp(&self) -> Option<i64> {
        (self.charges > 0).then(|| (self.fees * 10_000 * 2 + self.charges) / (self.charges * 2))
    }
}

fn percent(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// The ledger's figures per provider and currency: the latest fact of each
/// flow recorded in the period.
fn ledger_rows(moves: &[(Provider, i64, Movement)]) -> BTreeMap<(Provider, Currency), Row> {
    let mut by_payment: BTreeMap<(Provider, i64), Vec<Movement>> = BTreeMap::new();
    for (p, id, m) in moves {
        by_payment.entry((*p, *id)).or_default().push(m.clone());
    }
    let mut rows: BTreeMap<(Provider, Currency), Row> = BTreeMap::new();
    for ((provider, _), ms) in &by_payment {
        for m in latest(ms) {
            let row = rows.entry((*provider, m.amount.currency())).or_default();
            let a = m.amount.minor();
            match m.flow {
                Flow::Captured => row.captured += a,
                Flow::Refund(crate::domain::RefundState::Succeeded) => row.refunded += a,
                Flow::Dispute(s) if s.is_lost() => row.lost += a,
                _ => {}
            }
        }
    }
    rows
}

pub fn report(
    config: &Config,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    as_json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        anyhow::bail!("--until {u} is before --since {s}");
    }
    let from = since.map(|d| d.and_time(NaiveTime::MIN).and_utc());
    let to = until.map(|d| d.and_time(NaiveTime::MIN).and_utc() + Duration::days(1));
    let mut store = config.open()?;
    let (moves, totals, orders) = store.read(|tx| -> rusqlite::Result<_> {
        Ok((
            tx.ledger_between(from, to)?,
            tx.statement_totals(from, to)?,
            tx.orders_by_payment_status(from, to)?,
        ))
    })?;
    let mut rows = ledger_rows(&moves);
    for (provider, currency, kind, _n, gross, fee, net) in totals {
        let row = rows.entry((provider, currency)).or_default();
        let s = row.statement.get_or_insert_with(Stated::default);
        s.fees += fee;
        match kind {
            LineKind::Charge => {
                s.charges += gross;
                s.net += net;
            }
            LineKind::Refund | LineKind::Dispute | LineKind::DisputeReversal => s.net += net,
            // A fee billed on its own line: its gross is the fee.
            LineKind::Fee => {
                s.fees -= gross;
                s.net += net;
            }
            _ => {}
        }
    }
    let period = json!({
        "since": since.map(|d| d.to_string()),
        "until": until.map(|d| d.to_string()),
    });
    if as_json {
        let providers: Vec<Value> = rows
            .iter()
            .map(|((p, c), r)| {
                let d = |minor: i64| decimal_signed(minor, *c);
                json!({
                    "provider": p,
                    "currency": c.code(),
                    "captured": d(r.captured),
                    "refunded": d(r.refunded),
                    "disputes_lost": d(r.lost),
                    "statement": r.statement.map(|s| json!({
                        "charges": d(s.charges),
                        "fees": d(s.fees),
                        "net": d(s.net),
                        "fee_rate": s.rate_bp().map(percent),
                    })),
                })
            })
            .collect();
        let orders: serde_json::Map<String, Value> =
            orders.into_iter().map(|(s, n)| (s, json!(n))).collect();
        print_json(
            out,
            &json!({"period": period, "providers": providers, "orders": orders}),
        )?;
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "Money from {} to {} (UTC): captured, refunded and lost to disputes from the ledger; charged, fees and net from the statements (in their settlement currency)",
        since.map_or("the start".to_owned(), |d| d.to_string()),
        until.map_or("now".to_owned(), |d| d.to_string())
    )?;
    let mut t = table(&[
        "provider",
        "currency",
        "captured",
        "refunded",
        "disputes lost",
        "charged (statement)",
        "fees",
        "net",
        "fee rate",
    ]);
    for ((p, c), r) in &rows {
        let s = |minor: i64| show_signed(minor, *c);
        let mut row = vec![
            p.title().to_owned(),
            c.code().to_owned(),
            s(r.captured),
            s(r.refunded),
            s(r.lost),
        ];
        match r.statement {
            Some(st) => row.extend([
                s(st.charges),
                s(st.fees),
                s(st.net),
                st.rate_bp().map_or("-".to_owned(), percent),
            ]),
            None => row.extend(std::iter::repeat_n("-".to_owned(), 4)),
        }
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    let orders: Vec<String> = orders.iter().map(|(s, n)| format!("{s} {n}")).collect();
    writeln!(
        out,
        "Orders created in the period, by payment status: {}",
        if orders.is_empty() {
            "none".to_owned()
        } else {
            orders.join(", ")
        }
    )?;
    Ok(Exit::Ok)
}
