//! Rendering a [`Report`]: a comfy-table for people, JSON for scripts.
//!
//! On a terminal the table takes the terminal's width and may use colour
//! (never when `NO_COLOR` is set); on a pipe it has a fixed width and no
//! styling, so cron mail and diffs are stable.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Map, Value, json};

use super::{Finding, Report};
use crate::i18n::{Lang, tr};

/// Which column of a findings table the last one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// What to do (the remaining findings).
    Action,
    /// What was done (`--fix`).
    Done,
    /// What would be done (`--dry-run`).
    Plan,
}

/// Width of the table when output is not a terminal.
pub const PIPE_WIDTH: u16 = 120;

/// How to draw tables.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// `None`: fixed [`PIPE_WIDTH`], no styling. `Some(w)`: a terminal `w`
    /// columns wide.
    pub terminal_width: Option<u16>,
    pub color: bool,
}

impl Style {
    /// A pipe: fixed width, no colour.
    pub const PIPE: Style = Style {
        terminal_width: None,
        color: false,
    };
}

fn table(style: Style, header: &[String]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    match style.terminal_width {
        Some(w) => {
            t.set_width(w);
        }
        None => {
            t.force_no_tty().set_width(PIPE_WIDTH);
        }
    }
    if style.color {
        t.enforce_styling();
    }
    t.set_header(header.to_vec());
    t
}

fn findings_table(findings: &[Finding], style: Style, what: What, l: Lang) -> String {
    let last = l.t(match what {
        What::Action => "check-col-action",
        What::Done => "check-col-done",
        What::Plan => "check-col-plan",
    });
    let mut t = table(
        style,
        &[l.t("check-col-order"), l.t("check-col-facts"), last],
    );
    for f in findings {
        let order = f.order.clone().unwrap_or_else(|| "-".to_owned());
        let mut action = Cell::new(if what == What::Action && f.fixable {
            tr!(l, "check-fix-will", action = f.action.clone())
        } else {
            l.text(&f.action)
        });
        if style.color && !f.fixable && what == What::Action {
            action = action.fg(Color::Yellow);
        }
        t.add_row(vec![Cell::new(order), Cell::new(l.text(&f.detail)), action]);
    }
    t.to_string()
}

/// Findings grouped by rule, one table per rule.
fn grouped(out: &mut String, findings: &[Finding], style: Style, what: What, l: Lang) {
    let mut start = 0;
    while start < findings.len() {
        let rule = findings[start].rule;
        let end = start
            + findings[start..]
                .iter()
                .take_while(|f| f.rule == rule)
                .count();
        let group = &findings[start..end];
        out.push_str(&format!(
            "\n{rule} ({}): {}\n",
            group.len(),
            l.text(&rule.describe())
        ));
        out.push_str(&findings_table(group, style, what, l));
        out.push('\n');
        start = end;
    }
}

/// The human report, in `l`.
pub fn text(report: &Report, style: Style, l: Lang) -> String {
    let mut out = String::new();
    if let Some(fixed) = &report.fixed {
        out.push_str(&tr!(l, "check-fixed", n = fixed.len()));
        out.push('\n');
        grouped(&mut out, fixed, style, What::Done, l);
        out.push('\n');
    }
    if let Some(planned) = &report.planned {
        out.push_str(&tr!(l, "check-dry-run", n = planned.len()));
        out.push('\n');
        grouped(&mut out, planned, style, What::Plan, l);
        out.push('\n');
    }
    let remaining = report.findings.len();
    if remaining == 0 {
        out.push_str(&tr!(l, "check-nothing", orders = report.orders_checked));
        out.push('\n');
        return out;
    }
    out.push_str(&tr!(
        l,
        "check-findings",
        orders = report.orders_checked,
        n = remaining
    ));
    out.push('\n');
    grouped(&mut out, &report.findings, style, What::Action, l);
    let mut counts = table(style, &[l.t("check-col-rule"), l.t("check-col-findings")]);
    for (rule, n) in report.counts() {
        counts.add_row(vec![rule.as_str().to_owned(), l.num(n as i64)]);
    }
    out.push_str(&format!("\n{counts}\n"));
    out
}

/// The JSON report: `orders_checked`, `findings`, `counts`, and `fixed` or
/// `planned` when asked for.
pub fn json(report: &Report) -> Value {
    let counts: Map<String, Value> = report
        .counts()
        .into_iter()
        .map(|(r, n)| (r.as_str().to_owned(), json!(n)))
        .collect();
    let mut v = json!({
        "orders_checked": report.orders_checked,
        "findings": report.findings,
        "counts": counts,
    });
    if let Some(fixed) = &report.fixed {
        v["fixed"] = json!(fixed);
    }
    if let Some(planned) = &report.planned {
        v["planned"] = json!(planned);
    }
    v
}
