//! `tally order ...`, `tally payment ...` and `tally log`: looking at orders
//! and running the four operations from the command line.

use std::collections::HashMap;
use std::io::Write;

use chrono::Utc;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::{Config, Exit, OrderCommand, PaymentCommand, print_json};
use crate::domain::{AuditEntry, Currency, Figures, Money, Order, Payment, format_ts};
use crate::i18n::words::{ProviderTitle, Word};
use crate::i18n::{Lang, Msg, Zone, fail, msg, tr};
use crate::ops::{self, OpError, Outcome};
use crate::report::money::{Attempt, outstanding};
use crate::statement::{decimal_signed, fee_and_net};
use crate::store::ledger::StoredMovement;
use crate::store::statements::StoredLine;

pub fn order(config: &Config, cmd: OrderCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let now = Utc::now();
    match cmd {
        OrderCommand::Show { number, json } => show(config, &number, json, out),
        OrderCommand::Cancel {
            numbers,
            refund,
            offline,
            reason,
            yes,
            api,
        } => {
            let options = crate::refund::cancel::Options {
                refund,
                offline,
                reason: reason.as_deref(),
            };
            super::refund::cancel(config, &numbers, &options, yes, &api, out)
        }
        OrderCommand::Validate {
            numbers,
            reference,
            payment,
            provider,
        } => {
            let one = [
                ("--reference", reference.is_some()),
                ("--payment", payment.is_some()),
                ("--provider", provider.is_some()),
            ];
            if let Some((flag, _)) = one.iter().find(|(_, given)| *given)
                && numbers.len() > 1
            {
                fail!("cli-one-order-only", flag = *flag, given = numbers.len());
            }
            let select = select(payment.as_deref());
            let mut store = config.open()?;
            bulk(out, config.l(), Verb::Validated, &numbers, |n| {
                ops::validate_of(
                    &mut store,
                    n,
                    select,
                    provider,
                    reference.as_deref(),
                    &config.actor,
                    now,
                )
            })
        }
        OrderCommand::SetPaymentStatus { number, status } => {
            let mut store = config.open()?;
            single(out, config.l(), &number, |n| {
                ops::set_order_payment_status(&mut store, n, status, &config.actor, now)
            })
        }
    }
}

pub fn payment(config: &Config, cmd: PaymentCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let now = Utc::now();
    match cmd {
        PaymentCommand::SetStatus {
            number,
            status,
            payment,
        } => {
            let mut store = config.open()?;
            single(out, config.l(), &number, |n| {
                ops::set_payment_status_of(
                    &mut store,
                    n,
                    select(payment.as_deref()),
                    status,
                    &config.actor,
                    now,
                )
            })
        }
        PaymentCommand::RecordRefund {
            number,
            payment,
            amount,
            reference,
            note,
        } => {
            let mut store = config.open()?;
            let refund = ops::HandRefund {
                select: select(payment.as_deref()),
                amount: amount.as_deref(),
                reference: reference.as_deref(),
                note: &note,
            };
            single(out, config.l(), &number, |n| {
                ops::record_refund(&mut store, n, &refund, &config.actor, now)
            })
        }
    }
}

fn select(payment: Option<&str>) -> ops::Select<'_> {
    payment.map_or(ops::Select::Main, ops::Select::Reference)
}

/// What a command did to each order, as its lines say.
#[derive(Debug, Clone, Copy)]
enum Verb {
    Done,
    Validated,
}

impl Verb {
    fn word(self, lang: Lang) -> String {
        lang.t(match self {
            Verb::Done => "cli-verb-done",
            Verb::Validated => "cli-verb-validated",
        })
    }

    fn summary(self, done: usize, skipped: usize) -> Msg {
        match self {
            Verb::Validated | Verb::Done => {
                msg!("cli-bulk-validated", done = done, skipped = skipped)
            }
        }
    }
}

fn print_outcome(
    out: &mut dyn Write,
    lang: Lang,
    number: &str,
    verb: Verb,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    match outcome {
        Outcome::Done { summary, warnings } => {
            let done = tr!(
                lang,
                "cli-outcome-done",
                number = number,
                verb = verb.word(lang),
                summary = summary.clone()
            );
            writeln!(out, "{done}")?;
            for w in warnings {
                writeln!(
                    out,
                    "  {}",
                    tr!(lang, "cli-outcome-warning", text = w.clone())
                )?;
            }
        }
        Outcome::Skipped { reason } => {
            let skipped = tr!(
                lang,
                "cli-outcome-skipped",
                number = number,
                reason = reason.clone()
            );
            writeln!(out, "{skipped}")?
        }
    }
    Ok(())
}

/// A single-order command: an unknown order is an error (exit 2), a skip is
/// exit 1.
fn single(
    out: &mut dyn Write,
    lang: Lang,
    number: &str,
    op: impl FnOnce(&str) -> Result<Outcome, OpError>,
) -> anyhow::Result<Exit> {
    let outcome = op(number)?;
    print_outcome(out, lang, number, Verb::Done, &outcome)?;
    Ok(if outcome.is_done() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// A bulk command: each order on its own, one line each (an unknown number
/// is a skip), then a summary. Exit 1 when anything was skipped.
fn bulk(
    out: &mut dyn Write,
    lang: Lang,
    verb: Verb,
    numbers: &[String],
    mut op: impl FnMut(&str) -> Result<Outcome, OpError>,
) -> anyhow::Result<Exit> {
    let (mut done, mut skipped) = (0, 0);
    for number in numbers {
        let outcome = match op(number) {
            Ok(o) => o,
            Err(OpError::UnknownOrder(_)) => Outcome::Skipped {
                reason: msg!("cli-no-such-order"),
            },
            Err(OpError::ReferenceTaken {
                reference,
                provider,
                other,
            }) => Outcome::Skipped {
                reason: msg!(
                    "op-reference-taken",
                    reference = format!("{reference:?}"),
                    provider = provider,
                    other = other
                ),
            },
            Err(e) => return Err(e.into()),
        };
        if outcome.is_done() {
            done += 1;
        } else {
            skipped += 1;
        }
        print_outcome(out, lang, number, verb, &outcome)?;
    }
    writeln!(out, "{}", lang.text(&verb.summary(done, skipped)))?;
    Ok(if skipped == 0 {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// An order as JSON, amounts as decimal strings.
pub fn order_json(o: &Order) -> Value {
    json!({
        "number": o.number,
        "customer_name": o.customer_name,
        "customer_email": o.customer_email,
        "total": o.total.decimal(),
        "currency": o.total.currency().code(),
        "status": o.status,
        "payment_status": o.payment_status,
        "created_at": format_ts(o.created_at),
        "updated_at": format_ts(o.updated_at),
        "paid_at": o.paid_at.map(format_ts),
        "cancelled_at": o.cancelled_at.map(format_ts),
    })
}

/// A payment as JSON, amounts as decimal strings.
pub fn payment_json(p: &Payment) -> Value {
    json!({
        "provider": p.provider,
        "reference": p.reference,
        "status": p.status,
        "amount": p.amount.decimal(),
        "currency": p.amount.currency().code(),
        "provider_status": p.provider_status,
        "created_at": format_ts(p.created_at),
        "updated_at": format_ts(p.updated_at),
        "completed_at": p.completed_at.map(format_ts),
        "status_source": p.status_source.as_str(),
        "captured_amount": p.captured.map(|m| m.decimal()),
        "captured_currency": p.captured.map(|m| m.currency().code().to_owned()),
        "charge_id": p.charge_id,
        "refunded_amount": crate::domain::Money::from_minor(p.refunded_minor, p.amount.currency())
            .map(|m| m.decimal())
            .ok(),
        "refund_pending": p.refund_pending,
        "disputed": p.disputed,
    })
}

/// An amount in minor units of `currency`, as a decimal string.
fn decimal(minor: i64, currency: Currency) -> Value {
    Money::from_minor(minor, currency).map_or(Value::Null, |m| json!(m.decimal()))
}

/// The statement's lines of one attempt and its fee and net
/// (`order show --json`).
fn statement_json(lines: &[StoredLine]) -> Value {
    let money = fee_and_net(lines.iter().map(|l| &l.line));
    let first = money.first();
    json!({
        "fee": first.map(|(c, fee, _)| decimal_signed(*fee, *c)),
        "net": first.map(|(c, _, net)| decimal_signed(*net, *c)),
        "settlement_currency": first.map(|(c, _, _)| c.code()),
        "lines": lines.iter().map(|l| json!({
            "line": l.line.line_id,
            "kind": l.line.kind,
            "status": l.line.status,
            "at": format_ts(l.line.at),
            "currency": l.line.currency.code(),
            "gross": decimal_signed(l.line.gross, l.line.currency),
            "fee": decimal_signed(l.line.fee, l.line.currency),
            "net": decimal_signed(l.line.net, l.line.currency),
        })).collect::<Vec<_>>(),
    })
}

/// One attempt with its figures and movements (`order show --json`).
fn attempt_json(p: &Payment, movements: &[StoredMovement], lines: &[StoredLine]) -> Value {
    let c = p.money_currency();
    let f = p.figures();
    json!({
        "statement": statement_json(lines),
        "provider": p.provider.as_str(),
        "reference": p.reference,
        "attempt": p.attempt,
        "status": p.status.as_str(),
        "amount": p.amount.decimal(),
        "currency": p.amount.currency().code(),
        "captured": decimal(f.captured, c),
        "refunded": decimal(f.refunded, c),
        "refunds_pending": decimal(f.refunds_pending, c),
        "refunds_failed": decimal(f.refunds_failed, c),
        "disputed": decimal(f.disputed, c),
        "lost": decimal(f.lost, c),
        "kept": decimal(f.kept(), c),
        "owed": decimal(f.owed, c),
        "movements": movements.iter().map(|s| {
            let m = &s.movement;
            json!({
                "kind": m.flow.kind().as_str(),
                "state": m.flow.state(),
                "amount": m.amount.decimal(),
                "currency": m.amount.currency().code(),
                "provider_id": m.provider_id,
                "at": format_ts(m.at),
                "event_id": m.event_id,
                "source": s.source.as_str(),
            })
        }).collect::<Vec<_>>(),
    })
}

/// The order's money across its payments, in the order's currency.
fn money_json(order: &Order, attempts: &[Attempt]) -> Value {
    let c = order.total.currency();
    let mut sum = Figures::default();
    for p in attempts.iter().map(|a| &a.payment) {
        if p.money_currency() != c {
            continue;
        }
        let f = p.figures();
        sum.captured += f.captured;
        sum.refunded += f.refunded;
        sum.refunds_pending += f.refunds_pending;
        sum.refunds_failed += f.refunds_failed;
        sum.disputed += f.disputed;
        sum.lost += f.lost;
        sum.owed += f.owed;
    }
    json!({
        "currency": c.code(),
        "total": order.total.decimal(),
        "captured": decimal(sum.captured, c),
        "refunded": decimal(sum.refunded, c),
        "refunds_pending": decimal(sum.refunds_pending, c),
        "refunds_failed": decimal(sum.refunds_failed, c),
        "disputed": decimal(sum.disputed, c),
        "lost": decimal(sum.lost, c),
        "kept": decimal(sum.kept(), c),
        "owed": decimal(sum.owed, c),
        "outstanding": decimal(outstanding(order, attempts), c),
    })
}

/// An order, its main payment, every attempt (newest first) with its
/// movements, and the audit trail, read in one snapshot.
struct Shown {
    order: Order,
    payment: Option<Payment>,
    attempts: Vec<(Payment, Vec<StoredMovement>)>,
    /// The statements' lines of each attempt, by payment id.
    lines: HashMap<i64, Vec<StoredLine>>,
    log: Vec<crate::domain::AuditEntry>,
}

fn show(config: &Config, number: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut store = config.open()?;
    let shown = store.read(|tx| -> anyhow::Result<_> {
        let order = tx
            .order_by_number(number)?
            .ok_or_else(|| OpError::UnknownOrder(number.to_owned()))?;
        let payment = tx.payment_for_order(order.id)?;
        let attempts = tx
            .payments_of_order(order.id)?
            .into_iter()
            .map(|p| {
                let m = tx.movements(p.id)?;
                Ok((p, m))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let log = tx.audit_for_order(order.id)?;
        let all: Vec<Payment> = attempts.iter().map(|(p, _)| p.clone()).collect();
        let lines = tx.statement_lines_of_order(&order, &all)?;
        Ok(Shown {
            order,
            payment,
            attempts,
            lines,
            log,
        })
    })?;
    let Shown {
        order,
        payment,
        attempts,
        lines,
        log,
    } = shown;
    let none = Vec::new();
    if json {
        let bare: Vec<Attempt> = attempts
            .iter()
            .map(|(p, _)| Attempt::bare(p.clone()))
            .collect();
        print_json(
            out,
            &json!({
                "order": order_json(&order),
                "payment": payment.as_ref().map(payment_json),
                "payments": attempts.iter().map(|(p, m)| attempt_json(p, m, lines.get(&p.id).unwrap_or(&none))).collect::<Vec<_>>(),
                "money": money_json(&order, &bare),
                "log": log,
            }),
        )?;
        return Ok(Exit::Ok);
    }
    let (l, zone) = (config.l(), &config.zone);
    write_order(out, l, zone, &order, payment.as_ref())?;
    if attempts.len() > 1 || attempts.iter().any(|(_, m)| !m.is_empty()) {
        write_ledger(out, l, zone, &attempts, &lines)?;
    }
    writeln!(out, "\n{}", l.t("show-audit-trail"))?;
    if log.is_empty() {
        writeln!(out, "  {}", l.t("show-none"))?;
    } else {
        writeln!(out, "{}", audit_table(l, zone, &log, false))?;
    }
    Ok(Exit::Ok)
}

/// Every label of `order show`'s text view.
const LABELS: [&str; 13] = [
    "show-total",
    "show-status",
    "show-payment-status",
    "show-created",
    "show-updated",
    "show-paid",
    "show-cancelled",
    "show-amount",
    "show-captured",
    "show-refunded",
    "show-refund",
    "show-dispute",
    "show-completed",
];

/// Labelled lines, the values in one column: 16 wide as always, wider
/// when a language's labels are longer (the same width for every block).
fn fields(out: &mut dyn Write, l: Lang, rows: &[(String, String)]) -> anyhow::Result<()> {
    let width = LABELS
        .iter()
        .map(|id| l.t(id).chars().count() + 2)
        .fold(16, usize::max);
    for (label, value) in rows {
        writeln!(out, "  {label:<width$}{value}")?;
    }
    Ok(())
}

/// The order and its main payment, for the text view.
fn write_order(
    out: &mut dyn Write,
    l: Lang,
    zone: &Zone,
    o: &Order,
    payment: Option<&Payment>,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}",
        tr!(
            l,
            "show-order-title",
            number = o.number.as_str(),
            name = o.customer_name.as_str(),
            email = o.customer_email.as_str()
        )
    )?;
    let mut rows = vec![
        (l.t("show-total"), l.money(&o.total)),
        (l.t("show-status"), l.word(o.status)),
        (l.t("show-payment-status"), l.word(o.payment_status)),
        (l.t("show-created"), l.stamp(o.created_at, zone)),
        (l.t("show-updated"), l.stamp(o.updated_at, zone)),
    ];
    if let Some(t) = o.paid_at {
        rows.push((l.t("show-paid"), l.stamp(t, zone)));
    }
    if let Some(t) = o.cancelled_at {
        rows.push((l.t("show-cancelled"), l.stamp(t, zone)));
    }
    fields(out, l, &rows)?;
    match payment {
        None => writeln!(out, "\n{}", l.t("show-no-payment"))?,
        Some(p) => {
            writeln!(
                out,
                "\n{}",
                tr!(
                    l,
                    "show-payment-title",
                    provider = ProviderTitle(p.provider),
                    reference = reference_text(l, p)
                )
            )?;
            let raw = p
                .provider_status
                .as_deref()
                .map(|r| format!(" {}", tr!(l, "show-raw-status", raw = r)))
                .unwrap_or_default();
            let mut rows = vec![
                (l.t("show-amount"), l.money(&p.amount)),
                (l.t("show-status"), format!("{}{raw}", l.word(p.status))),
            ];
            if let Some(c) = p.captured {
                rows.push((l.t("show-captured"), l.money(&c)));
            }
            if p.refunded_minor > 0 {
                let refunded =
                    crate::domain::Money::from_minor(p.refunded_minor, p.amount.currency())?;
                rows.push((l.t("show-refunded"), l.money(&refunded)));
            }
            if p.refund_pending {
                rows.push((l.t("show-refund"), l.t("show-refund-owed")));
            }
            if p.disputed {
                rows.push((l.t("show-dispute"), l.t("show-dispute-open")));
            }
            if let Some(t) = p.completed_at {
                rows.push((l.t("show-completed"), l.stamp(t, zone)));
            }
            fields(out, l, &rows)?;
        }
    }
    Ok(())
}

/// A payment's reference, or `(no reference)`.
fn reference_text(l: Lang, p: &Payment) -> String {
    p.reference
        .clone()
        .unwrap_or_else(|| l.t("show-no-reference"))
}

/// Every attempt with its figures and its movements, for the text view.
fn write_ledger(
    out: &mut dyn Write,
    l: Lang,
    zone: &Zone,
    attempts: &[(Payment, Vec<StoredMovement>)],
    lines: &HashMap<i64, Vec<StoredLine>>,
) -> anyhow::Result<()> {
    writeln!(out, "\n{}", l.t("show-ledger-title"))?;
    for (p, movements) in attempts {
        let c = p.money_currency();
        let f = p.figures();
        let m = |minor| crate::i18n::Arg::Minor(minor, c);
        let owed = if f.owed > 0 {
            format!("  {}", tr!(l, "show-ledger-owed", owed = m(f.owed)))
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {}{owed}",
            tr!(
                l,
                "show-ledger-attempt",
                attempt = p.attempt,
                provider = ProviderTitle(p.provider),
                reference = reference_text(l, p),
                status = p.status,
                captured = m(f.captured),
                refunded = m(f.refunded),
                lost = m(f.lost),
                kept = m(f.kept())
            ),
        )?;
        if let Some(ls) = lines.get(&p.id) {
            for (c, fee, net) in fee_and_net(ls.iter().map(|l| &l.line)) {
                let line = tr!(
                    l,
                    "show-ledger-fee",
                    provider = ProviderTitle(p.provider),
                    fee = crate::i18n::Arg::Signed(fee, c),
                    net = crate::i18n::Arg::Signed(net, c),
                    n = ls.len()
                );
                writeln!(out, "      {line}")?;
            }
        }
        for s in movements {
            let mv = &s.movement;
            writeln!(
                out,
                "      {}  {}  {}{}",
                l.stamp(mv.at, zone),
                l.flow(mv.flow),
                l.money(&mv.amount),
                mv.provider_id
                    .as_deref()
                    .map(|i| format!("  {i}"))
                    .unwrap_or_default(),
            )?;
        }
    }
    Ok(())
}

fn change<T: Word + PartialEq>(l: Lang, old: &Option<T>, new: &Option<T>) -> String {
    match (old, new) {
        (Some(o), Some(n)) if o == n => l.word(*n),
        (Some(o), Some(n)) => format!("{} → {}", l.word(*o), l.word(*n)),
        (None, Some(n)) => l.word(*n),
        (Some(o), None) => format!("{} → -", l.word(*o)),
        (None, None) => "-".to_owned(),
    }
}

fn audit_table(l: Lang, zone: &Zone, log: &[AuditEntry], with_order: bool) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec![l.t("audit-at"), l.t("audit-event"), l.t("audit-actor")];
    if with_order {
        header.insert(1, l.t("audit-order"));
    }
    header.extend([
        l.t("audit-order-status"),
        l.t("audit-order-payment"),
        l.t("audit-payment"),
    ]);
    table.set_header(header);
    for e in log {
        let mut row = vec![
            l.stored_stamp(&e.at, zone),
            e.event.to_string(),
            e.actor.clone(),
        ];
        if with_order {
            row.insert(1, e.order_number.clone().unwrap_or_default());
        }
        row.push(change(l, &e.old_order_status, &e.new_order_status));
        row.push(change(
            l,
            &e.old_order_payment_status,
            &e.new_order_payment_status,
        ));
        row.push(change(l, &e.old_payment_status, &e.new_payment_status));
        table.add_row(row);
    }
    table
}

pub fn log(
    config: &Config,
    number: Option<&str>,
    json: bool,
    limit: i64,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if limit < 1 {
        fail!("cli-limit", limit = limit);
    }
    let store = config.open()?;
    let entries = match number {
        Some(n) => {
            let order = store
                .reader()
                .order_by_number(n)?
                .ok_or_else(|| OpError::UnknownOrder(n.to_owned()))?;
            store.reader().audit_for_order(order.id)?
        }
        None => store.reader().audit_recent(limit)?,
    };
    if json {
        print_json(out, &serde_json::to_value(&entries)?)?;
    } else if entries.is_empty() {
        writeln!(out, "{}", config.l().t("audit-none"))?;
    } else {
        let table = audit_table(config.l(), &config.zone, &entries, number.is_none());
        writeln!(out, "{table}")?;
    }
    Ok(Exit::Ok)
}
