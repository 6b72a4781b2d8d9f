//! The Findings view: the `tally check` report, grouped by rule, with the
//! action for each; fixable ones can be fixed from here.
//!
//! Its state is the last scan (computed by the scanning thread) and a
//! cursor over the rows on screen, group headers included; the cursor never
//! rests on a header while there are findings. The whole report is in
//! memory, so moving never reads. Marks are kept by [`finding_key`], which
//! survives a new scan.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::{Ask, act, order_action};
use crate::dash::actions::{Action, Targets};
use crate::dash::app::{App, RangeAnchor, Task, Tone};
use crate::dash::data::Nav;
use crate::dash::detail::field;
use crate::dash::keys::KeyList;
use crate::dash::table::text_width;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::opt;
use crate::i18n::{Lang, count, tr};
use crate::report::{Finding, Rule};

use super::hint;

/// The state of the Findings view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// `None` until the first scan arrives.
    pub list: Option<Vec<Finding>>,
    /// Rows on screen: group headers and findings.
    pub items: Vec<Item>,
    /// Index into `items` (never a header while there are findings).
    pub cursor: usize,
    /// First item on screen.
    pub offset: usize,
    pub scanning: bool,
    pub error: Option<String>,
}

/// A row of the Findings view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Header { rule: Rule, count: usize },
    Finding(usize),
}

impl Findings {
    /// Takes a new scan, keeping the cursor on the same finding if it is
    /// still there.
    pub fn set(&mut self, list: Vec<Finding>) {
        let keep = self.current().map(finding_key);
        let mut items = Vec::new();
        let mut i = 0;
        while i < list.len() {
            let rule = list[i].rule;
            let count = list[i..].iter().take_while(|f| f.rule == rule).count();
            items.push(Item::Header { rule, count });
            items.extend((i..i + count).map(Item::Finding));
            i += count;
        }
        self.items = items;
        self.list = Some(list);
        self.cursor = keep
            .and_then(|k| {
                self.items.iter().position(|it| match it {
                    Item::Finding(j) => self.finding(*j).map(finding_key).as_ref() == Some(&k),
                    Item::Header { .. } => false,
                })
            })
            .unwrap_or(1.min(self.items.len().saturating_sub(1)));
        self.offset = self.offset.min(self.cursor);
    }

    fn finding(&self, i: usize) -> Option<&Finding> {
        self.list.as_ref().and_then(|l| l.get(i))
    }

    /// The finding under the cursor.
    pub fn current(&self) -> Option<&Finding> {
        match self.items.get(self.cursor) {
            Some(Item::Finding(i)) => self.finding(*i),
            Some(Item::Header { .. }) | None => None,
        }
    }

    pub fn all(&self) -> &[Finding] {
        self.list.as_deref().unwrap_or(&[])
    }

    /// Moves the cursor by `delta` findings (headers skipped), keeping it on
    /// screen.
    pub fn step(&mut self, delta: isize, height: usize) {
        let positions: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| match it {
                Item::Finding(_) => Some(i),
                Item::Header { .. } => None,
            })
            .collect();
        if positions.is_empty() {
            return;
        }
        let at = positions
            .iter()
            .position(|&p| p >= self.cursor)
            .unwrap_or(positions.len() - 1) as isize;
        let to = (at + delta).clamp(0, positions.len() as isize - 1) as usize;
        self.cursor = positions[to];
        self.scroll_to_cursor(height);
    }

    /// A page or end key: a screenful of findings, or to either end.
    pub fn jump(&mut self, nav: Nav, page: usize) {
        match nav {
            Nav::PageDown => self.step(page as isize, page),
            Nav::PageUp => self.step(-(page as isize), page),
            Nav::Top => self.step(isize::MIN / 2, page),
            Nav::Bottom | Nav::Down(_) | Nav::Up(_) => self.step(isize::MAX / 2, page),
        }
    }

    fn scroll_to_cursor(&mut self, height: usize) {
        let height = height.max(1);
        // Keep the group header above the first finding in view.
        let top = if self.cursor == 1 { 0 } else { self.cursor };
        if top < self.offset {
            self.offset = top;
        }
        if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
    }

    /// Scrolls so the cursor is on a screen `height` rows high.
    pub fn fit(&mut self, height: usize) {
        if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
    }
}

/// The key that identifies a finding across scans.
pub fn finding_key(f: &Finding) -> (Rule, String) {
    (
        f.rule,
        f.order.clone().unwrap_or_else(|| f.detail.to_string()),
    )
}

/// The view's keys in the main view: marks, fix, and the order actions on
/// the findings' orders.
pub fn keys(app: &mut App, ev: &KeyEvent) -> Option<Task> {
    let k = &app.keys;
    if k.mark.matches(ev) {
        return Some(mark(app));
    }
    if k.mark_range.matches(ev) {
        mark_range(app);
        return Some(Task::None);
    }
    if k.mark_all.matches(ev) {
        let keys: Vec<_> = app.findings.all().iter().map(finding_key).collect();
        app.finding_marks.extend(keys);
        let n = app.finding_marks.len();
        app.say(tr!(app.lang, "dash-findings-marked", n = n), Tone::Info);
        return Some(Task::None);
    }
    if k.fix.matches(ev) {
        let targets = Targets {
            findings: targets(app),
            ..Targets::default()
        };
        return Some(act(app, Ask::Now(Action::Fix), targets));
    }
    if let Some(ask) = order_action(k, ev) {
        let targets = Targets {
            orders: order_targets(app),
            ..Targets::default()
        };
        return Some(act(app, ask, targets));
    }
    None
}

/// The marked findings, or the current one.
fn targets(app: &App) -> Vec<Finding> {
    if app.finding_marks.is_empty() {
        app.findings.current().cloned().into_iter().collect()
    } else {
        app.findings
            .all()
            .iter()
            .filter(|f| app.finding_marks.contains(&finding_key(f)))
            .cloned()
            .collect()
    }
}

/// The orders of the marked findings, or of the current one.
fn order_targets(app: &App) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = targets(app)
        .iter()
        .filter_map(|f| Some((f.order_id?, f.order.clone()?)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Marks or unmarks the current finding and moves down.
fn mark(app: &mut App) -> Task {
    let Some(f) = app.findings.current() else {
        return Task::None;
    };
    let key = finding_key(f);
    if !app.finding_marks.remove(&key) {
        app.finding_marks.insert(key);
    }
    super::move_rows(app, 1)
}

/// Starts a range at the current finding, or marks the findings from its
/// start.
fn mark_range(app: &mut App) {
    let f = &app.findings;
    match app.range.take() {
        Some(RangeAnchor::Findings(from)) => {
            let to = f.cursor;
            let (a, b) = (from.min(to), from.max(to));
            let keys: Vec<_> = f.items[a..=b.min(f.items.len() - 1)]
                .iter()
                .filter_map(|it| match it {
                    Item::Finding(i) => f.all().get(*i).map(finding_key),
                    Item::Header { .. } => None,
                })
                .collect();
            let n = keys.len();
            app.finding_marks.extend(keys);
            app.say(tr!(app.lang, "dash-findings-marked", n = n), Tone::Info);
        }
        Some(RangeAnchor::List { .. }) | None => {
            if f.current().is_some() {
                app.range = Some(RangeAnchor::Findings(f.cursor));
                app.say(app.lang.t("dash-range-started"), Tone::Info);
            }
        }
    }
}

/// The status line's hints.
pub fn hints(k: &KeyList, l: Lang) -> Vec<String> {
    vec![
        hint(k.open.first(l), "dash-hint-details", l),
        hint(k.mark.first(l), "dash-hint-mark", l),
        hint(k.fix.first(l), "dash-hint-fix", l),
        hint(k.cancel.first(l), "dash-hint-cancel", l),
    ]
}

/// The tab title's count: the findings, or `…` before the first scan.
pub fn tab_note(app: &App) -> String {
    match &app.findings.list {
        Some(l) => format!(" ({})", app.lang.count(l.len() as i64)),
        None => " (…)".to_owned(),
    }
}

/// The line above the report.
pub fn query(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    let all = app.findings.all();
    let fixable = all.iter().filter(|f| f.fixable).count();
    let l = app.lang;
    let mut t = tr!(
        l,
        "dash-findings-query",
        n = count(all.len()),
        fixable = count(fixable)
    );
    if app.findings.scanning {
        t.push_str(&format!(" · {}", l.t("dash-checking")));
    }
    vec![Span::styled(t, theme.info)]
}

/// Draws the report. Group headers start in the pointer column, so the rows
/// draw their own pointer, and their styles cover the text only.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let f = &app.findings;
    let l = app.lang;
    let empty = if let Some(e) = &f.error {
        Some(tr!(l, "dash-check-failed", error = e.as_str()))
    } else {
        match &f.list {
            None => Some(l.t("dash-checking-shop")),
            Some(list) if list.is_empty() => Some(l.t("dash-nothing-to-report")),
            Some(_) => None,
        }
    };
    if let Some(text) = empty {
        table::empty(area, buf, &text, theme);
        return;
    }
    let fix = fix_width(l);
    let header = format!(
        " {:<2}{:<11} {:<fix$} {}",
        "",
        l.t("dash-col-order"),
        l.t("dash-col-fix"),
        l.t("dash-col-wrong-todo")
    );
    let rows = f
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| Row::new([Cell::from(item_line(app, i, *item, theme))]))
        .collect();
    let grid = Grid {
        header: vec![header],
        widths: vec![Constraint::Fill(1)],
        rows,
        cursor: Cursor::Drawn { offset: f.offset },
        empty: "",
    };
    table::render(grid, area, buf, theme);
}

/// The Fix column's width: 4 in English, room for its title and word.
fn fix_width(l: Lang) -> usize {
    let words = [l.t("dash-col-fix"), l.t("dash-fix-yes")];
    words
        .iter()
        .map(|w| usize::from(text_width(w)))
        .fold(4, usize::max)
}

/// One row of the report: a group header, or a finding with its pointer and
/// mark.
fn item_line(app: &App, i: usize, item: Item, theme: &Theme) -> Line<'static> {
    let f = &app.findings;
    let l = app.lang;
    match item {
        Item::Header { rule, count } => Line::from(vec![
            Span::styled(format!("■ {rule} ({count})"), theme.group),
            Span::styled(format!("  {}", l.text(&rule.describe())), theme.muted),
        ]),
        Item::Finding(j) => {
            let Some(finding) = f.all().get(j) else {
                return Line::default();
            };
            let marked = app.finding_marks.contains(&finding_key(finding));
            let selected = i == f.cursor;
            let pointer = if selected { "▶" } else { " " };
            let mark = if marked { "●" } else { " " };
            let fix = if finding.fixable {
                l.t("dash-fix-yes")
            } else {
                String::new()
            };
            let width = fix_width(l);
            let text = format!(
                "{pointer}{mark} {:<11} {fix:<width$} {} → {}",
                opt(&finding.order),
                l.text(&finding.detail),
                l.text(&finding.action)
            );
            let style = match (selected, marked) {
                (true, _) => theme.selected,
                (false, true) => theme.marked,
                (false, false) => Style::new(),
            };
            Line::from(Span::styled(text, style))
        }
    }
}

/// The detail pane of a finding without an order: its title and lines.
pub fn detail(f: &Finding, l: Lang, theme: &Theme) -> (String, Vec<Line<'static>>) {
    (
        tr!(l, "dash-finding-title", rule = f.rule.as_str()),
        vec![
            field(&l.t("dash-f-rule"), f.rule.as_str(), theme),
            field(&l.t("dash-f-means"), l.text(&f.rule.describe()), theme),
            field(&l.t("dash-f-order"), opt(&f.order).to_owned(), theme),
            field(&l.t("dash-f-detail"), l.text(&f.detail), theme),
            field(&l.t("dash-f-action"), l.text(&f.action), theme),
            field(
                &l.t("dash-f-fixable"),
                l.t(if f.fixable { "dash-yes" } else { "dash-no" }),
                theme,
            ),
        ],
    )
}
