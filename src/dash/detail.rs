//! The detail pane (`Enter`): everything about the row under the cursor,
//! scrollable. An order (from Orders, Payments, or a finding with an order)
//! shows its main payment, then (when it has several, or any money moved)
//! every payment attempt newest first with its figures and its ledger
//! movements, as `tally order show` prints them; then its findings, its
//! audit trail and its webhook events, drawn here. A delivery, an orphan or
//! a finding without an order is drawn by its view ([`super::views`]).

use std::collections::HashMap;

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::app::{App, Mode, Task, scrolled};
use super::data::{OrderDetail, OrphanRow, StatementMoney, StatementRow, WebhookRow};
use super::dialogs::{framed, popup};
use super::theme::Theme;
use super::ui::{date, opt, short_ts};
use super::views::{findings, orphans, statements, webhooks};
use crate::domain::{AuditEntry, Currency, Money, Payment};
use crate::report::Finding;
use crate::statement::show_signed;
use crate::store::ledger::StoredMovement;
use crate::store::statements::StoredFile;

/// What the detail pane shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Order(Box<OrderDetail>),
    Webhook(WebhookRow),
    Orphan(OrphanRow),
    Finding(Finding),
    /// A statement line without an order to open, and its file.
    Statement(Box<(StatementRow, Option<StoredFile>)>),
}

/// The pane's keys: scroll; `Esc`, `Enter` or `q` closes it.
pub fn keys(app: &mut App, ev: &KeyEvent, detail: Detail, scroll: u16) -> Task {
    let k = &app.keys;
    if k.close.matches(ev) || k.open.matches(ev) || k.quit.matches(ev) {
        app.mode = Mode::Normal;
    } else if let Some(s) = scrolled(app, ev, scroll) {
        app.mode = Mode::Detail { detail, scroll: s };
    }
    Task::None
}

/// A labelled line of a detail pane.
pub fn field<'a>(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {label:<16}"), theme.muted),
        Span::raw(value.into()),
    ])
}

/// A section's title.
pub fn heading<'a>(text: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(text.into(), theme.group))
}

/// Draws the pane.
pub fn render(detail: &Detail, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    let (title, lines): (String, Vec<Line>) = match detail {
        Detail::Order(d) => (format!("Order {}", d.order.number), order_lines(d, theme)),
        Detail::Webhook(w) => webhooks::detail(w, theme),
        Detail::Orphan(o) => orphans::detail(o, theme),
        Detail::Finding(f) => findings::detail(f, theme),
        Detail::Statement(s) => statements::detail(&s.0, s.1.as_ref(), theme),
    };
    let inner = framed(
        popup(
            area,
            area.width.saturating_sub(6),
            area.height.saturating_sub(2),
        ),
        buf,
        &format!("{title} (Esc closes, j/k scroll)"),
        theme,
    );
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}

/// An order in full, section by section.
fn order_lines(d: &OrderDetail, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = order_section(d, theme);
    lines.push(Line::default());
    lines.push(heading("Payment", theme));
    match &d.payment {
        None => lines.push(field("", "no payment record", theme)),
        Some(p) => lines.extend(payment_section(p, theme)),
    }
    if d.attempts.len() > 1 || d.attempts.iter().any(|(_, m)| !m.is_empty()) {
        lines.push(Line::default());
        let main = d.payment.as_ref().map(|p| p.id);
        lines.extend(attempts_section(&d.attempts, &d.statement, main, theme));
    }
    lines.push(Line::default());
    lines.extend(findings_section(&d.findings, theme));
    lines.push(Line::default());
    lines.extend(audit_section(&d.audit, theme));
    lines.push(Line::default());
    lines.extend(webhooks_section(&d.webhooks, theme));
    lines
}

fn order_section(d: &OrderDetail, theme: &Theme) -> Vec<Line<'static>> {
    let o = &d.order;
    let when = |t: Option<crate::domain::Timestamp>| t.map(date).unwrap_or_else(|| "—".into());
    vec![
        heading("Order", theme),
        field("number", o.number.clone(), theme),
        field(
            "customer",
            format!("{} <{}>", o.customer_name, o.customer_email),
            theme,
        ),
        field("total", o.total.to_string(), theme),
        field("status", o.status.as_str(), theme),
        field("payment status", o.payment_status.as_str(), theme),
        field("created", date(o.created_at), theme),
        field("updated", date(o.updated_at), theme),
        field("paid", when(o.paid_at), theme),
        field("cancelled", when(o.cancelled_at), theme),
    ]
}

fn payment_section(p: &Payment, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("provider", p.provider.title(), theme),
        field(
            "reference",
            p.reference.clone().unwrap_or_else(|| "—".into()),
            theme,
        ),
        field("amount", p.amount.to_string(), theme),
        field("status", p.status.as_str(), theme),
        field(
            "raw status",
            p.provider_status.clone().unwrap_or_else(|| "—".into()),
            theme,
        ),
        field("set by", p.status_source.as_str(), theme),
        field(
            "captured",
            p.captured
                .map(|m| m.to_string())
                .unwrap_or_else(|| "—".into()),
            theme,
        ),
        field(
            "completed",
            p.completed_at.map(date).unwrap_or_else(|| "—".into()),
            theme,
        ),
    ];
    if p.refund_pending {
        lines.push(field("refund", "owed, not yet confirmed", theme));
    }
    if p.disputed {
        lines.push(field("dispute", "a chargeback is open", theme));
    }
    lines
}

/// Every attempt, newest first: what it is, its figures where not zero,
/// and its movements in the order they were recorded.
fn attempts_section(
    attempts: &[(Payment, Vec<StoredMovement>)],
    statement: &HashMap<i64, StatementMoney>,
    main: Option<i64>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![heading(
        format!(
            "Payments ({}, newest first) and their money",
            attempts.len()
        ),
        theme,
    )];
    for (p, movements) in attempts {
        let mut title = vec![
            Span::raw(format!(
                "  #{} {} {}  ",
                p.attempt,
                p.provider.title(),
                p.reference.as_deref().unwrap_or("(no reference)")
            )),
            Span::raw(p.status.as_str()),
        ];
        if main == Some(p.id) {
            title.push(Span::styled("  · the order's payment", theme.muted));
        }
        lines.push(Line::from(title));
        lines.extend(figure_lines(p, theme));
        if let Some((money, n)) = statement.get(&p.id) {
            for (c, fee, net) in money {
                lines.push(Line::from(vec![
                    Span::styled(format!("    {:<16}", "provider fee"), theme.muted),
                    Span::raw(show_signed(*fee, *c)),
                    Span::styled("  net ", theme.muted),
                    Span::raw(show_signed(*net, *c)),
                    Span::styled(format!("  ({n} statement line(s))"), theme.muted),
                ]));
            }
        }
        for s in movements {
            lines.push(movement_line(s, theme));
        }
    }
    lines
}

/// A payment's figures, those that are not zero, in its money's currency.
fn figure_lines(p: &Payment, theme: &Theme) -> Vec<Line<'static>> {
    let c = p.money_currency();
    let f = p.figures();
    let figures = [
        ("captured", f.captured),
        ("refunded", f.refunded),
        ("refunds pending", f.refunds_pending),
        ("refunds failed", f.refunds_failed),
        ("disputed", f.disputed),
        ("lost", f.lost),
        ("kept", f.kept()),
        ("owed", f.owed),
    ];
    let lines: Vec<Line<'static>> = figures
        .iter()
        .filter(|(_, minor)| *minor != 0)
        .map(|(label, minor)| {
            Line::from(vec![
                Span::styled(format!("    {label:<16}"), theme.muted),
                Span::raw(amount(*minor, c)),
            ])
        })
        .collect();
    if lines.is_empty() {
        return vec![Line::from(Span::styled(
            "    nothing captured",
            theme.muted,
        ))];
    }
    lines
}

/// One movement: when, what (and its state), how much, the provider's id.
fn movement_line(s: &StoredMovement, theme: &Theme) -> Line<'static> {
    let m = &s.movement;
    let what = match m.flow.state() {
        Some(state) => format!("{} {state}", m.flow.kind()),
        None => m.flow.kind().to_string(),
    };
    Line::from(vec![
        Span::styled(format!("      {}  ", date(m.at)), theme.muted),
        Span::raw(format!("{what:<22} {:>13}", m.amount.to_string())),
        Span::styled(
            m.provider_id
                .as_deref()
                .map(|i| format!("  {i}"))
                .unwrap_or_default(),
            theme.muted,
        ),
    ])
}

/// An amount in minor units of `currency`, with its code.
fn amount(minor: i64, currency: Currency) -> String {
    Money::show_minor(minor, currency)
}

fn findings_section(findings: &[Finding], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![heading(format!("Findings ({})", findings.len()), theme)];
    if findings.is_empty() {
        lines.push(field("", "none: order and payment agree", theme));
    }
    for f in findings {
        lines.push(Line::from(Span::styled(
            format!("  {}: {}", f.rule, f.detail),
            theme.flagged,
        )));
        lines.push(Line::from(format!("    → {}", f.action)));
    }
    lines
}

fn audit_section(audit: &[AuditEntry], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![heading(format!("Audit trail ({})", audit.len()), theme)];
    if audit.is_empty() {
        lines.push(field("", "no changes recorded", theme));
    }
    for a in audit {
        lines.push(Line::from(format!(
            "  {}  {:<28} {:<10} {}",
            short_ts(&a.at),
            a.event,
            a.actor,
            changes(a).join(", ")
        )));
    }
    lines
}

/// What an audit entry changed: "order pending→paid", ….
fn changes(a: &AuditEntry) -> Vec<String> {
    let change = |old: Option<String>, new: Option<String>| match (old, new) {
        (Some(o), Some(n)) if o != n => Some(format!("{o}→{n}")),
        _ => None,
    };
    [
        change(
            a.old_order_status.map(|s| s.to_string()),
            a.new_order_status.map(|s| s.to_string()),
        )
        .map(|c| format!("order {c}")),
        change(
            a.old_order_payment_status.map(|s| s.to_string()),
            a.new_order_payment_status.map(|s| s.to_string()),
        )
        .map(|c| format!("order payment {c}")),
        change(
            a.old_payment_status.map(|s| s.to_string()),
            a.new_payment_status.map(|s| s.to_string()),
        )
        .map(|c| format!("payment {c}")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn webhooks_section(webhooks: &[WebhookRow], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![heading(
        format!("Webhook events ({})", webhooks.len()),
        theme,
    )];
    if webhooks.is_empty() {
        lines.push(field("", "none received for this order", theme));
    }
    for w in webhooks {
        // The listener's rows as before; a replay's or a sync's say so.
        let via = if w.source == "webhook" {
            String::new()
        } else {
            format!(" ({})", w.source)
        };
        let line = format!(
            "  #{} {}  {} {}{via} {} {}",
            w.id,
            short_ts(&w.received_at),
            opt(&w.provider),
            opt(&w.event_type),
            w.result,
            w.error.as_deref().unwrap_or("")
        );
        lines.push(Line::from(line).style(if w.failed() {
            theme.failed
        } else {
            Style::new()
        }));
    }
    lines
}
