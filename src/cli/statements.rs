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
use crate::domain::{Currency, Movement, OrderPaymentStatus, Provider, format_ts};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Arg, Lang, fail, tr};
use crate::ops::statement::{FileOutcome, import_statements};
use crate::statement::payouts::{Payout, payouts as reckon};
use crate::statement::{
    LineKind, Problem, ReadOptions, StatementError, decimal_signed, read_statement,
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
                fail!("stmt-cash");
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
    let l = config.l();
    let mut statements = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| {
            crate::i18n::Failure(crate::msg!(
                "stmt-cannot-read",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        })?;
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
                tr!(
                    l,
                    "stmt-described",
                    format = s.format,
                    n = s.lines.len(),
                    from = Arg::Day(s.period.from),
                    to = Arg::Day(s.period.to)
                ),
            )
        })
        .collect();
    let mut store = config.open()?;
    let outcome = import_statements(&mut store, statements, &config.actor, Utc::now())?;
    for f in &outcome.files {
        match f {
            FileOutcome::Already { name, at } => {
                let line = tr!(l, "stmt-already", name = name, at = at);
                writeln!(out, "{line}")?;
            }
            FileOutcome::Imported { name, written } => {
                let what = described.get(name).cloned().unwrap_or_default();
                let mut line = tr!(
                    l,
                    "stmt-imported",
                    name = name,
                    what = what,
                    new = written.new,
                    unchanged = written.unchanged,
                    rewritten = written.rewritten.len()
                );
                if written.kept_newer > 0 {
                    line.push_str(", ");
                    line.push_str(&tr!(l, "stmt-kept-newer", n = written.kept_newer));
                }
                writeln!(out, "{line}")?;
                for (old, new) in &written.rewritten {
                    let line = tr!(
                        l,
                        "stmt-rewritten",
                        id = new.line_id.as_str(),
                        row = new.row,
                        old_status = old.status,
                        old_gross = Arg::Signed(old.gross, old.currency),
                        new_status = new.status,
                        new_gross = Arg::Signed(new.gross, new.currency)
                    );
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    for (provider, matched, lines) in &outcome.matched {
        let line = tr!(
            l,
            "stmt-matched",
            provider = ProviderTitle(*provider),
            matched = *matched,
            lines = *lines
        );
        writeln!(out, "{line}")?;
    }
    Ok(Exit::Ok)
}

/// A table whose header is the catalogue's words for `ids`.
fn table(l: Lang, ids: &[&'static str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(ids.iter().map(|id| l.word_key(id)).collect::<Vec<_>>());
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
    let l = config.l();
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
        writeln!(out, "{}", l.t("stmt-no-payouts"))?;
    } else {
        let mut t = table(
            l,
            &[
                "stmt-col-provider",
                "stmt-col-payout",
                "stmt-col-date",
                "stmt-col-status",
                "stmt-col-amount",
                "stmt-col-lines",
                "stmt-col-charges",
                "stmt-col-fees",
                "stmt-col-refunds",
                "stmt-col-disputes",
                "stmt-col-other",
                "stmt-col-net",
                "stmt-col-adds-up",
            ],
        );
        for (pr, p) in &all {
            let s = |minor: i64| l.signed(minor, p.currency);
            let mut row = vec![
                l.word(ProviderTitle(*pr)),
                p.id.clone(),
                l.naive_day(p.at.date_naive()),
                l.word(p.status),
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
                Some(0) => l.t("stmt-adds-up"),
                Some(d) if d < 0 => tr!(
                    l,
                    "stmt-less-than-lines",
                    amount = Arg::Signed(-d, p.currency)
                ),
                Some(d) => tr!(
                    l,
                    "stmt-more-than-lines",
                    amount = Arg::Signed(d, p.currency)
                ),
                None => l.t("stmt-lines-unknown"),
            });
            t.add_row(row);
        }
        writeln!(out, "{t}")?;
        if off > 0 {
            writeln!(out, "{}", tr!(l, "stmt-payouts-off", n = off))?;
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

/// A rate as the owner reads it: `2.90%`, `2,90 %`.
fn percent_in(l: Lang, bp: i64) -> String {
    match l {
        Lang::En => percent(bp),
        Lang::Fr => format!("{},{:02}\u{a0}%", bp / 100, bp % 100),
    }
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
        fail!(
            "stmt-until-before-since",
            until = u.to_string(),
            since = s.to_string()
        );
    }
    let l = config.l();
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
    let heading = tr!(
        l,
        "stmt-report-heading",
        since = since.map_or_else(|| l.t("stmt-the-start"), |d| l.naive_day(d)),
        until = until.map_or_else(|| l.t("stmt-now"), |d| l.naive_day(d))
    );
    writeln!(out, "{heading}")?;
    let mut t = table(
        l,
        &[
            "stmt-col-provider",
            "stmt-col-currency",
            "stmt-col-captured",
            "stmt-col-refunded",
            "stmt-col-disputes-lost",
            "stmt-col-charged",
            "stmt-col-fees",
            "stmt-col-net",
            "stmt-col-fee-rate",
        ],
    );
    for ((p, c), r) in &rows {
        let s = |minor: i64| l.signed(minor, *c);
        let mut row = vec![
            l.word(ProviderTitle(*p)),
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
                st.rate_bp().map_or("-".to_owned(), |bp| percent_in(l, bp)),
            ]),
            None => row.extend(std::iter::repeat_n("-".to_owned(), 4)),
        }
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    let orders: Vec<String> = orders
        .iter()
        .map(|(s, n)| {
            let word = s
                .parse::<OrderPaymentStatus>()
                .map_or_else(|_| s.clone(), |w| l.word(w));
            format!("{word} {n}")
        })
        .collect();
    let line = tr!(
        l,
        "stmt-report-orders",
        orders = if orders.is_empty() {
            l.t("stmt-none")
        } else {
            orders.join(", ")
        }
    );
    writeln!(out, "{line}")?;
    Ok(Exit::Ok)
}
