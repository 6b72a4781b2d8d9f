//! `tally order ...`, `tally payment ...` and `tally log`: looking at orders
//! and running the four operations from the command line.

use std::io::Write;

use chrono::Utc;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::{Config, Exit, OrderCommand, PaymentCommand, print_json};
use crate::domain::{AuditEntry, Currency, Figures, Money, Order, Payment, format_ts};
use crate::ops::{self, OpError, Outcome};
use crate::report::money::{Attempt, outstanding};
use crate::store::ledger::StoredMovement;

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
                anyhow::bail!(
                    "{flag} names one payment: give a single order number with it ({} given)",
                    numbers.len()
                );
            }
            let select = select(payment.as_deref());
            let mut store = config.open()?;
            bulk(out, "validated", &numbers, |n| {
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
            single(out, &number, |n| {
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
            single(out, &number, |n| {
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
            single(out, &number, |n| {
                ops::record_refund(&mut store, n, &refund, &config.actor, now)
            })
        }
    }
}

fn select(payment: Option<&str>) -> ops::Select<'_> {
    payment.map_or(ops::Select::Main, ops::Select::Reference)
}

fn print_outcome(
    out: &mut dyn Write,
    number: &str,
    verb: &str,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    match outcome {
        Outcome::Done { summary, warnings } => {
            writeln!(out, "{number}: {verb}: {summary}")?;
            for w in warnings {
                writeln!(out, "  warning: {w}")?;
            }
        }
        Outcome::Skipped { reason } => writeln!(out, "{number}: skipped: {reason}")?,
    }
    Ok(())
}

/// A single-order command: an unknown order is an error (exit 2), a skip is
/// exit 1.
fn single(
    out: &mut dyn Write,
    number: &str,
    op: impl FnOnce(&str) -> Result<Outcome, OpError>,
) -> anyhow::Result<Exit> {
    let outcome = op(number)?;
    print_outcome(out, number, "done", &outcome)?;
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
    verb: &str,
    numbers: &[String],
    mut op: impl FnMut(&str) -> Result<Outcome, OpError>,
) -> anyhow::Result<Exit> {
    let (mut done, mut skipped) = (0, 0);
    for number in numbers {
        let outcome = match op(number) {
            Ok(o) => o,
            Err(OpError::UnknownOrder(_)) => Outcome::Skipped {
                reason: "no such order".to_owned(),
            },
            Err(e @ OpError::ReferenceTaken { .. }) => Outcome::Skipped {
                reason: e.to_string(),
            },
            Err(e) => return Err(e.into()),
        };
        if outcome.is_done() {
            done += 1;
        } else {
            skipped += 1;
        }
        print_outcome(out, number, verb, &outcome)?;
    }
    writeln!(out, "{done} {verb}, {skipped} skipped")?;
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

/// One attempt with its figures and movements (`order show --json`).
fn attempt_json(p: &Payment, movements: &[StoredMovement]) -> Value {
    let c = p.money_currency();
    let f = p.figures();
    json!({
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
        Ok(Shown {
            order,
            payment,
            attempts,
            log,
        })
    })?;
    let Shown {
        order,
        payment,
        attempts,
        log,
    } = shown;
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
                "payments": attempts.iter().map(|(p, m)| attempt_json(p, m)).collect::<Vec<_>>(),
                "money": money_json(&order, &bare),
                "log": log,
            }),
        )?;
        return Ok(Exit::Ok);
    }
    write_order(out, &order, payment.as_ref())?;
    if attempts.len() > 1 || attempts.iter().any(|(_, m)| !m.is_empty()) {
        write_ledger(out, &attempts)?;
    }
    writeln!(out, "\nAudit trail")?;
    if log.is_empty() {
        writeln!(out, "  (none)")?;
    } else {
        writeln!(out, "{}", audit_table(&log, false))?;
    }
    Ok(Exit::Ok)
}

/// The order and its main payment, for the text view.
fn write_order(out: &mut dyn Write, o: &Order, payment: Option<&Payment>) -> anyhow::Result<()> {
    writeln!(
        out,
        "Order {}  {} <{}>",
        o.number, o.customer_name, o.customer_email
    )?;
    writeln!(out, "  total           {}", o.total)?;
    writeln!(out, "  status          {}", o.status)?;
    writeln!(out, "  payment status  {}", o.payment_status)?;
    writeln!(out, "  created         {}", format_ts(o.created_at))?;
    writeln!(out, "  updated         {}", format_ts(o.updated_at))?;
    if let Some(t) = o.paid_at {
        writeln!(out, "  paid            {}", format_ts(t))?;
    }
    if let Some(t) = o.cancelled_at {
        writeln!(out, "  cancelled       {}", format_ts(t))?;
    }
    match payment {
        None => writeln!(out, "\nNo payment record.")?,
        Some(p) => {
            writeln!(
                out,
                "\nPayment  {} {}",
                p.provider.title(),
                p.reference.as_deref().unwrap_or("(no reference)")
            )?;
            writeln!(out, "  amount          {}", p.amount)?;
            let raw = p
                .provider_status
                .as_deref()
                .map(|r| format!(" (provider: {r})"))
                .unwrap_or_default();
            writeln!(out, "  status          {}{raw}", p.status)?;
            if let Some(c) = p.captured {
                writeln!(out, "  captured        {c}")?;
            }
            if p.refunded_minor > 0 {
                let refunded =
                    crate::domain::Money::from_minor(p.refunded_minor, p.amount.currency())?;
                writeln!(out, "  refunded        {refunded}")?;
            }
            if p.refund_pending {
                writeln!(
                    out,
                    "  refund          owed to the customer, not yet confirmed"
                )?;
            }
            if p.disputed {
                writeln!(out, "  dispute         open (chargeback)")?;
            }
            if let Some(t) = p.completed_at {
                writeln!(out, "  completed       {}", format_ts(t))?;
            }
        }
    }
    Ok(())
}

/// Every attempt with its figures and its movements, for the text view.
fn write_ledger(
    out: &mut dyn Write,
    attempts: &[(Payment, Vec<StoredMovement>)],
) -> anyhow::Result<()> {
    writeln!(out, "\nPayments (newest first) and their money")?;
    for (p, movements) in attempts {
        let c = p.money_currency();
        let f = p.figures();
        let m = |minor| Money::show_minor(minor, c);
        writeln!(
            out,
            "  #{} {} {}  {}  captured {}  refunded {}  lost {}  kept {}{}",
            p.attempt,
            p.provider.title(),
            p.reference.as_deref().unwrap_or("(no reference)"),
            p.status,
            m(f.captured),
            m(f.refunded),
            m(f.lost),
            m(f.kept()),
            if f.owed > 0 {
                format!("  owed {}", m(f.owed))
            } else {
                String::new()
            },
        )?;
        for s in movements {
            let mv = &s.movement;
            writeln!(
                out,
                "      {}  {}{}  {}{}",
                format_ts(mv.at),
                mv.flow.kind(),
                mv.flow
                    .state()
                    .map(|st| format!(" {st}"))
                    .unwrap_or_default(),
                mv.amount,
                mv.provider_id
                    .as_deref()
                    .map(|i| format!("  {i}"))
                    .unwrap_or_default(),
            )?;
        }
    }
    Ok(())
}

fn change<T: std::fmt::Display + PartialEq>(old: &Option<T>, new: &Option<T>) -> String {
    match (old, new) {
        (Some(o), Some(n)) if o == n => n.to_string(),
        (Some(o), Some(n)) => format!("{o} → {n}"),
        (None, Some(n)) => n.to_string(),
        (Some(o), None) => format!("{o} → -"),
        (None, None) => "-".to_owned(),
    }
}

fn audit_table(log: &[AuditEntry], with_order: bool) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec!["at", "event", "actor"];
    if with_order {
        header.insert(1, "order");
    }
    header.extend(["order status", "order payment", "payment"]);
    table.set_header(header);
    for e in log {
        let mut row = vec![e.at.clone(), e.event.to_string(), e.actor.clone()];
        if with_order {
            row.insert(1, e.order_number.clone().unwrap_or_default());
        }
        row.push(change(&e.old_order_status, &e.new_order_status));
        row.push(change(
            &e.old_order_payment_status,
            &e.new_order_payment_status,
        ));
        row.push(change(&e.old_payment_status, &e.new_payment_status));
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
        anyhow::bail!("--limit must be at least 1 (got {limit})");
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
        writeln!(out, "No audit rows.")?;
    } else {
        writeln!(out, "{}", audit_table(&entries, number.is_none()))?;
    }
    Ok(Exit::Ok)
}
