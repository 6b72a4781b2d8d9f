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
use super::ui::opt;
use super::views::webhooks::stored_word;
use super::views::{findings, orphans, statements, webhooks};
use crate::domain::{AuditEntry, LogResult, Payment};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Lang, Word, tr};
use crate::report::Finding;
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
pub fn render(
    app: &App,
    detail: &Detail,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    scroll: u16,
) {
    let l = app.lang;
    let (title, lines): (String, Vec<Line>) = match detail {
        Detail::Order(d) => (
            tr!(l, "dash-order-title", number = d.order.number.as_str()),
            order_lines(app, d, theme),
        ),
        Detail::Webhook(w) => webhooks::detail(w, l, theme),
        Detail::Orphan(o) => orphans::detail(o, l, theme),
        Detail::Finding(f) => findings::detail(f, l, theme),
        Detail::Statement(s) => statements::detail(app, &s.0, s.1.as_ref(), theme),
    };
    let inner = framed(
        popup(
            area,
            area.width.saturating_sub(6),
            area.height.saturating_sub(2),
        ),
        buf,
        &tr!(l, "dash-detail-title", title = title),
        theme,
    );
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}

/// An order in full, section by section.
fn order_lines(app: &App, d: &OrderDetail, theme: &Theme) -> Vec<Line<'static>> {
    let l = app.lang;
    let mut lines = order_section(app, d, theme);
    lines.push(Line::default());
    lines.push(heading(l.t("dash-d-payment"), theme));
    match &d.payment {
        None => lines.push(field("", l.t("dash-d-no-payment"), theme)),
        Some(p) => lines.extend(payment_section(app, p, theme)),
    }
    if d.attempts.len() > 1 || d.attempts.iter().any(|(_, m)| !m.is_empty()) {
        lines.push(Line::default());
        let main = d.payment.as_ref().map(|p| p.id);
        lines.extend(attempts_section(
            app,
            &d.attempts,
            &d.statement,
            main,
            theme,
        ));
    }
    lines.push(Line::default());
    lines.extend(findings_section(l, &d.findings, theme));
    lines.push(Line::default());
    lines.extend(audit_section(app, &d.audit, theme));
    lines.push(Line::default());
    lines.extend(webhooks_section(app, &d.webhooks, theme));
    lines
}

fn order_section(app: &App, d: &OrderDetail, theme: &Theme) -> Vec<Line<'static>> {
    let (l, zone) = (app.lang, &app.zone);
    let o = &d.order;
    let date = |t: crate::domain::Timestamp| l.datetime(t, zone);
    let when = |t: Option<crate::domain::Timestamp>| t.map(date).unwrap_or_else(|| "—".into());
    vec![
        heading(l.t("dash-d-order"), theme),
        field(&l.t("dash-f-number"), o.number.clone(), theme),
        field(
            &l.t("dash-f-customer"),
            format!("{} <{}>", o.customer_name, o.customer_email),
            theme,
        ),
        field(&l.t("dash-f-total"), l.money(&o.total), theme),
        field(&l.t("dash-f-status"), l.word(o.status), theme),
        field(
            &l.t("dash-f-payment-status"),
            l.word(o.payment_status),
            theme,
        ),
        field(&l.t("dash-f-created"), date(o.created_at), theme),
        field(&l.t("dash-f-updated"), date(o.updated_at), theme),
        field(&l.t("dash-f-paid"), when(o.paid_at), theme),
        field(&l.t("dash-f-cancelled"), when(o.cancelled_at), theme),
    ]
}

fn payment_section(app: &App, p: &Payment, theme: &Theme) -> Vec<Line<'static>> {
    let (l, zone) = (app.lang, &app.zone);
    let mut lines = vec![
        field(
            &l.t("dash-f-provider"),
            l.word(ProviderTitle(p.provider)),
            theme,
        ),
        field(
            &l.t("dash-f-reference"),
            p.reference.clone().unwrap_or_else(|| "—".into()),
            theme,
        ),
        field(&l.t("dash-f-amount"), l.money(&p.amount), theme),
        field(&l.t("dash-f-status"), l.word(p.status), theme),
        field(
            &l.t("dash-f-raw-status"),
            p.provider_status.clone().unwrap_or_else(|| "—".into()),
            theme,
        ),
        field(&l.t("dash-f-set-by"), l.word(p.status_source), theme),
        field(
            &l.t("dash-f-captured"),
            p.captured
                .map(|m| l.money(&m))
                .unwrap_or_else(|| "—".into()),
            theme,
        ),
        field(
            &l.t("dash-f-completed"),
            p.completed_at
                .map(|t| l.datetime(t, zone))
                .unwrap_or_else(|| "—".into()),
            theme,
        ),
    ];
    if p.refund_pending {
        lines.push(field(
            &l.t("dash-f-refund"),
            l.t("dash-d-refund-owed"),
            theme,
        ));
    }
    if p.disputed {
        lines.push(field(
            &l.t("dash-f-dispute"),
            l.t("dash-d-dispute-open"),
            theme,
        ));
    }
    lines
}

/// Every attempt, newest first: what it is, its figures where not zero,
/// and its movements in the order they were recorded.
fn attempts_section(
    app: &App,
    attempts: &[(Payment, Vec<StoredMovement>)],
    statement: &HashMap<i64, StatementMoney>,
    main: Option<i64>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let l = app.lang;
    let mut lines = vec![heading(
        tr!(l, "dash-d-attempts", n = attempts.len()),
        theme,
    )];
    for (p, movements) in attempts {
        let mut title = vec![
            Span::raw(format!(
                "  #{} {} {}  ",
                p.attempt,
                l.word(ProviderTitle(p.provider)),
                p.reference
                    .clone()
                    .unwrap_or_else(|| l.t("show-no-reference"))
            )),
            Span::raw(l.word(p.status)),
        ];
        if main == Some(p.id) {
            title.push(Span::styled(
                format!("  · {}", l.t("dash-d-main-payment")),
                theme.muted,
            ));
        }
        lines.push(Line::from(title));
        lines.extend(figure_lines(l, p, theme));
        if let Some((money, n)) = statement.get(&p.id) {
            for (c, fee, net) in money {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("    {:<16}", l.t("dash-d-provider-fee")),
                        theme.muted,
                    ),
                    Span::raw(l.signed(*fee, *c)),
                    Span::styled(format!("  {} ", l.t("dash-d-net")), theme.muted),
                    Span::raw(l.signed(*net, *c)),
                    Span::styled(
                        format!("  ({})", tr!(l, "dash-d-statement-lines", n = *n)),
                        theme.muted,
                    ),
                ]));
            }
        }
        for s in movements {
            lines.push(movement_line(app, s, theme));
        }
    }
    lines
}

/// A payment's figures, those that are not zero, in its money's currency.
fn figure_lines(l: Lang, p: &Payment, theme: &Theme) -> Vec<Line<'static>> {
    let c = p.money_currency();
    let f = p.figures();
    let figures = [
        ("dash-fig-captured", f.captured),
        ("dash-fig-refunded", f.refunded),
        ("dash-fig-refunds-pending", f.refunds_pending),
        ("dash-fig-refunds-failed", f.refunds_failed),
        ("dash-fig-disputed", f.disputed),
        ("dash-fig-lost", f.lost),
        ("dash-fig-kept", f.kept()),
        ("dash-fig-owed", f.owed),
    ];
    let lines: Vec<Line<'static>> = figures
        .iter()
        .filter(|(_, minor)| *minor != 0)
        .map(|(label, minor)| {
            Line::from(vec![
                Span::styled(format!("    {:<16}", l.t(label)), theme.muted),
                Span::raw(l.minor(*minor, c)),
            ])
        })
        .collect();
    if lines.is_empty() {
        return vec![Line::from(Span::styled(
            format!("    {}", l.t("dash-d-nothing-captured")),
            theme.muted,
        ))];
    }
    lines
}

/// One movement: when, what (and its state), how much, the provider's id.
fn movement_line(app: &App, s: &StoredMovement, theme: &Theme) -> Line<'static> {
    let l = app.lang;
    let m = &s.movement;
    let what = l.flow(m.flow);
    let width = match l {
        Lang::En => 13,
        Lang::Fr => 15,
    };
    Line::from(vec![
        Span::styled(
            format!("      {}  ", l.datetime(m.at, &app.zone)),
            theme.muted,
        ),
        Span::raw(format!("{what:<22} {:>width$}", l.money(&m.amount))),
        Span::styled(
            m.provider_id
                .as_deref()
                .map(|i| format!("  {i}"))
                .unwrap_or_default(),
            theme.muted,
        ),
    ])
}

fn findings_section(l: Lang, findings: &[Finding], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![heading(
        tr!(l, "dash-d-findings", n = findings.len()),
        theme,
    )];
    if findings.is_empty() {
        lines.push(field("", l.t("dash-d-no-findings"), theme));
    }
    for f in findings {
        lines.push(Line::from(Span::styled(
            format!("  {}: {}", f.rule, l.text(&f.detail)),
            theme.flagged,
        )));
        lines.push(Line::from(format!("    → {}", l.text(&f.action))));
    }
    lines
}

fn audit_section(app: &App, audit: &[AuditEntry], theme: &Theme) -> Vec<Line<'static>> {
    let l = app.lang;
    let mut lines = vec![heading(tr!(l, "dash-d-audit", n = audit.len()), theme)];
    if audit.is_empty() {
        lines.push(field("", l.t("dash-d-no-audit"), theme));
    }
    for a in audit {
        lines.push(Line::from(format!(
            "  {}  {:<28} {:<10} {}",
            l.stored(&a.at, &app.zone),
            a.event,
            a.actor,
            changes(l, a).join(", ")
        )));
    }
    lines
}

/// What an audit entry changed: "order pending→paid", ….
fn changes(l: Lang, a: &AuditEntry) -> Vec<String> {
    fn change<W: Word + PartialEq>(l: Lang, old: Option<W>, new: Option<W>) -> Option<String> {
        match (old, new) {
            (Some(o), Some(n)) if o != n => Some(format!("{}→{}", l.word(o), l.word(n))),
            _ => None,
        }
    }
    [
        change(l, a.old_order_status, a.new_order_status)
            .map(|c| tr!(l, "dash-d-change-order", change = c)),
        change(l, a.old_order_payment_status, a.new_order_payment_status)
            .map(|c| tr!(l, "dash-d-change-order-payment", change = c)),
        change(l, a.old_payment_status, a.new_payment_status)
            .map(|c| tr!(l, "dash-d-change-payment", change = c)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn webhooks_section(app: &App, webhooks: &[WebhookRow], theme: &Theme) -> Vec<Line<'static>> {
    let l = app.lang;
    let mut lines = vec![heading(
        tr!(l, "dash-d-webhooks", n = webhooks.len()),
        theme,
    )];
    if webhooks.is_empty() {
        lines.push(field("", l.t("dash-d-no-webhooks"), theme));
    }
    for w in webhooks {
        // The listener's rows as before; a replay's or a sync's say so.
        let via = if w.source == "webhook" {
            String::new()
        } else {
            format!(
                " ({})",
                stored_word::<crate::domain::LogSource>(l, &w.source)
            )
        };
        let line = format!(
            "  #{} {}  {} {}{via} {} {}",
            w.id,
            l.stored(&w.received_at, &app.zone),
            opt(&w.provider),
            opt(&w.event_type),
            stored_word::<LogResult>(l, &w.result),
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
