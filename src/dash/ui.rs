//! Drawing the dashboard: `impl Widget for &App`, small `render_*` helpers
//! and one [`Theme`].
//!
//! Rendering reads the state and nothing else: no database, no clock, so a
//! frame is a pure function of [`App`] and the area, and snapshot tests draw
//! it into a `TestBackend`. A terminal smaller than [`MIN_WIDTH`] ×
//! [`MIN_HEIGHT`] gets a "terminal too small" message instead of a layout.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, BorderType, Borders, Cell, Clear, HighlightSpacing, Paragraph, Row, StatefulWidget,
    Table, TableState, Tabs, Widget, Wrap,
};

use super::app::{App, ChooseFor, Confirm, Detail, FILTER_ROWS, Item, Mode, Summary, Tone, View};
use super::data::{ListKind, ListRow, OrderDetail, OrphanRow, WebhookRow};
use super::keys::Group;
use crate::domain::Timestamp;

/// The smallest terminal the layout needs.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 10;

/// Lines above and below the table: title, tabs, query line, table header,
/// status line.
const CHROME: u16 = 5;

/// How many rows the table shows in a terminal of this size.
pub fn table_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(CHROME)).max(1)
}

/// The dashboard's styles, in one place.
pub struct Theme {
    pub title: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub query: Style,
    pub header: Style,
    pub selected: Style,
    pub marked: Style,
    pub flagged: Style,
    pub failed: Style,
    pub muted: Style,
    pub group: Style,
    pub info: Style,
    pub warn: Style,
    pub error: Style,
    pub border: Style,
    pub key: Style,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            title: Style::new().fg(Color::Black).bg(Color::Cyan),
            tab: Style::new().fg(Color::Gray),
            tab_active: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            query: Style::new().fg(Color::White),
            header: Style::new()
                .add_modifier(Modifier::BOLD)
                .add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            marked: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            flagged: Style::new().fg(Color::Yellow),
            failed: Style::new().fg(Color::Red),
            muted: Style::new().fg(Color::DarkGray),
            group: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            info: Style::new().fg(Color::Gray),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn date(ts: Timestamp) -> String {
    ts.format("%Y-%m-%d %H:%M").to_string()
}

/// A stored timestamp text, shortened to the minute.
fn short_ts(text: &str) -> String {
    text.chars()
        .take(16)
        .map(|c| if c == 'T' { ' ' } else { c })
        .collect()
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = Theme::default();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(area, buf, &theme);
            return;
        }
        let [title, tabs, query, table, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
        ])
        .areas(area);
        render_title(self, title, buf, &theme);
        render_tabs(self, tabs, buf, &theme);
        render_query(self, query, buf, &theme);
        match self.view {
            View::Orders | View::Payments => render_list(self, table, buf, &theme),
            View::Findings => render_findings(self, table, buf, &theme),
            View::Webhooks => render_webhooks(self, table, buf, &theme),
            View::Orphans => render_orphans(self, table, buf, &theme),
        }
        render_status(self, status, buf, &theme);
        render_overlay(self, area, buf, &theme);
    }
}

fn render_too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = format!(
        "terminal too small: {}×{}\ntally dash needs at least {MIN_WIDTH}×{MIN_HEIGHT}\n(q quits)",
        area.width, area.height
    );
    Paragraph::new(text)
        .style(theme.warn)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn render_title(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut left = format!(" tally dash · {} · actor {}", app.db_name, app.actor);
    if app.read_only {
        left.push_str(" · READ-ONLY");
    }
    let right = format!(
        "{} help · {} quit ",
        app.keys.help.first(),
        app.keys.quit.first()
    );
    let pad = usize::from(area.width).saturating_sub(left.chars().count() + right.chars().count());
    Line::from(format!("{left}{}{right}", " ".repeat(pad)))
        .style(theme.title)
        .render(area, buf);
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let titles: Vec<Line> = View::ALL
        .iter()
        .map(|v| {
            let extra = match v {
                View::Findings => match &app.findings.list {
                    Some(l) => format!(" ({})", thousands(l.len() as i64)),
                    None => " (…)".to_owned(),
                },
                View::Webhooks if app.webhooks_failed > 0 => {
                    format!(" ({} failed)", thousands(app.webhooks_failed))
                }
                View::Orphans => format!(" ({})", thousands(app.orphans_open)),
                _ => String::new(),
            };
            Line::from(format!("{} {}{extra}", v.index() + 1, v.title()))
        })
        .collect();
    Tabs::new(titles)
        .select(app.view.index())
        .style(theme.tab)
        .highlight_style(theme.tab_active)
        .divider("│")
        .render(area, buf);
}

fn render_query(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut spans: Vec<Span> = Vec::new();
    match app.view.list_kind() {
        Some(kind) => {
            let list = app.list(kind);
            if app.mode == Mode::Search {
                spans.push(Span::styled("/", theme.key));
                spans.push(Span::styled(format!("{}▏", app.search), theme.query));
                spans.push(Span::raw("  "));
            } else if !app.search.trim().is_empty() {
                spans.push(Span::styled(
                    format!("search \"{}\"  ", app.search.trim()),
                    theme.query,
                ));
            }
            let f = &app.filter;
            let mut filters = Vec::new();
            if let Some(s) = f.status {
                filters.push(format!("status={s}"));
            }
            if let Some(s) = f.payment {
                filters.push(format!("payment={s}"));
            }
            if let Some(p) = f.provider {
                filters.push(format!("provider={p}"));
            }
            if !filters.is_empty() {
                spans.push(Span::styled(
                    format!("filter {}  ", filters.join(" ")),
                    theme.query,
                ));
            }
            let arrow = if list.sort.desc { "↓" } else { "↑" };
            spans.push(Span::styled(
                format!("sort {} {arrow}  ", list.sort.col.label()),
                theme.info,
            ));
            let noun = match (kind, list.count) {
                (ListKind::Orders, Some(1)) => "order",
                (ListKind::Orders, _) => "orders",
                (ListKind::Payments, Some(1)) => "payment",
                (ListKind::Payments, _) => "payments",
            };
            let count = match list.count {
                Some(n) => format!("{} {noun}", thousands(n)),
                None => format!("counting {noun}…"),
            };
            spans.push(Span::styled(count, theme.info));
        }
        None => {
            let text = match app.view {
                View::Findings => {
                    let all = app.findings.all();
                    let fixable = all.iter().filter(|f| f.fixable).count();
                    let mut t = format!(
                        "check report: {} findings, {} fixable by tally",
                        thousands(all.len() as i64),
                        thousands(fixable as i64)
                    );
                    if app.findings.scanning {
                        t.push_str(" · checking…");
                    }
                    t
                }
                View::Webhooks => "webhook log, newest first; ✗ failed".to_owned(),
                _ => "unresolved provider events, newest first".to_owned(),
            };
            spans.push(Span::styled(text, theme.info));
        }
    }
    let marked = app.marked();
    if marked > 0 {
        spans.push(Span::styled(
            format!("  ● {} marked", thousands(marked as i64)),
            theme.marked,
        ));
    }
    if let Some(r) = &app.range {
        let from = match r {
            super::app::RangeAnchor::List { number, .. } => number.clone(),
            super::app::RangeAnchor::Findings(_) => "here".to_owned(),
        };
        spans.push(Span::styled(format!("  range from {from}"), theme.marked));
    }
    Line::from(spans).render(area, buf);
}

fn mark_cell(marked: bool, flagged: bool, theme: &Theme) -> Cell<'static> {
    let mut spans = Vec::new();
    spans.push(if marked {
        Span::styled("●", theme.marked)
    } else {
        Span::raw(" ")
    });
    spans.push(if flagged {
        Span::styled("!", theme.flagged)
    } else {
        Span::raw(" ")
    });
    Cell::from(Line::from(spans))
}

fn row_style(marked: bool, flagged: bool, theme: &Theme) -> Style {
    match (marked, flagged) {
        (true, _) => theme.marked,
        (false, true) => theme.flagged,
        (false, false) => Style::new(),
    }
}

fn empty(area: Rect, buf: &mut Buffer, text: &str, theme: &Theme) {
    Paragraph::new(text)
        .style(theme.muted)
        .alignment(Alignment::Center)
        .render(area, buf);
}

fn render_table(
    table: Table<'_>,
    cursor: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut state = TableState::default().with_selected(cursor);
    StatefulWidget::render(
        table
            .row_highlight_style(theme.selected)
            .highlight_symbol("▶")
            .highlight_spacing(HighlightSpacing::Always)
            .column_spacing(1),
        area,
        buf,
        &mut state,
    );
}

fn render_list(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let Some(kind) = app.view.list_kind() else {
        return;
    };
    let pager = &app.list(kind).pager;
    let header_cells: &[&str] = match kind {
        ListKind::Orders => &[
            "",
            "Number",
            "Date",
            "Customer",
            "Total",
            "Status",
            "Order's pay.",
            "Provider",
            "Payment",
        ],
        ListKind::Payments => &[
            "",
            "Provider",
            "Reference",
            "Amount",
            "Status",
            "Raw status",
            "Order",
            "Date",
        ],
    };
    let header = Row::new(header_cells.iter().map(|h| Cell::from(*h))).style(theme.header);
    let rows: Vec<Row> = pager
        .rows
        .iter()
        .map(|r| list_row(app, kind, r, theme))
        .collect();
    let widths: Vec<Constraint> = match kind {
        ListKind::Orders => vec![
            Constraint::Length(2),
            Constraint::Length(11),
            Constraint::Length(16),
            Constraint::Min(12),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Length(8),
            Constraint::Length(9),
        ],
        ListKind::Payments => vec![
            Constraint::Length(2),
            Constraint::Length(8),
            Constraint::Min(14),
            Constraint::Length(14),
            Constraint::Length(9),
            Constraint::Length(23),
            Constraint::Length(11),
            Constraint::Length(16),
        ],
    };
    if rows.is_empty() {
        let [h, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        render_table(
            Table::new(Vec::<Row>::new(), widths).header(header),
            None,
            h,
            buf,
            theme,
        );
        let what = if app.search.trim().is_empty() && app.filter.is_empty() {
            "no rows yet"
        } else {
            "nothing matches the search and filters (c clears them)"
        };
        empty(rest, buf, what, theme);
        return;
    }
    render_table(
        Table::new(rows, widths).header(header),
        Some(pager.cursor),
        area,
        buf,
        theme,
    );
}

fn list_row<'a>(app: &App, kind: ListKind, r: &'a ListRow, theme: &Theme) -> Row<'a> {
    let marked = app.marks.contains_key(&r.order.id);
    let flagged = !r.flags.is_empty();
    let o = &r.order;
    let p = r.payment.as_ref();
    let cells: Vec<Cell> = match kind {
        ListKind::Orders => vec![
            mark_cell(marked, flagged, theme),
            Cell::from(o.number.as_str()),
            Cell::from(date(o.created_at)),
            Cell::from(o.customer_name.as_str()),
            Cell::from(Line::from(o.total.to_string()).alignment(Alignment::Right)),
            Cell::from(o.status.as_str()),
            Cell::from(o.payment_status.as_str()),
            Cell::from(p.map_or("—", |p| p.provider.as_str())),
            Cell::from(p.map_or("—", |p| p.status.as_str())),
        ],
        ListKind::Payments => vec![
            mark_cell(marked, flagged, theme),
            Cell::from(p.map_or("—", |p| p.provider.as_str())),
            Cell::from(p.and_then(|p| p.reference.as_deref()).unwrap_or("—")),
            Cell::from(
                Line::from(p.map_or(String::new(), |p| p.amount.to_string()))
                    .alignment(Alignment::Right),
            ),
            Cell::from(p.map_or("—", |p| p.status.as_str())),
            Cell::from(p.and_then(|p| p.provider_status.as_deref()).unwrap_or("—")),
            Cell::from(o.number.as_str()),
            Cell::from(p.map_or(String::new(), |p| date(p.created_at))),
        ],
    };
    Row::new(cells).style(row_style(marked, flagged, theme))
}

fn render_findings(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let f = &app.findings;
    if let Some(e) = &f.error {
        empty(area, buf, &format!("the check failed: {e}"), theme);
        return;
    }
    let Some(list) = &f.list else {
        empty(area, buf, "checking the shop…", theme);
        return;
    };
    if list.is_empty() {
        empty(
            area,
            buf,
            "nothing to report: orders and payments agree",
            theme,
        );
        return;
    }
    let [header, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    Line::from(format!(
        " {:<2}{:<11} {:<4} {}",
        "", "Order", "Fix", "What is wrong → what to do"
    ))
    .style(theme.header)
    .render(header, buf);
    let height = usize::from(body.height);
    let lines: Vec<Line> = f
        .items
        .iter()
        .enumerate()
        .skip(f.offset)
        .take(height)
        .map(|(i, item)| match item {
            Item::Header { rule, count } => Line::from(vec![
                Span::styled(format!("■ {rule} ({count})"), theme.group),
                Span::styled(format!("  {}", rule.describe()), theme.muted),
            ]),
            Item::Finding(j) => {
                let Some(finding) = list.get(*j) else {
                    return Line::default();
                };
                let marked = app
                    .finding_marks
                    .contains(&super::app::finding_key(finding));
                let selected = i == f.cursor;
                let pointer = if selected { "▶" } else { " " };
                let mark = if marked { "●" } else { " " };
                let fix = if finding.fixable { "fix" } else { "" };
                let text = format!(
                    "{pointer}{mark} {:<11} {fix:<4} {} → {}",
                    opt(&finding.order),
                    finding.detail,
                    finding.action
                );
                let style = match (selected, marked) {
                    (true, _) => theme.selected,
                    (false, true) => theme.marked,
                    (false, false) => Style::new(),
                };
                Line::from(text).style(style)
            }
        })
        .collect();
    Paragraph::new(lines).render(body, buf);
}

fn render_webhooks(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let header = Row::new(
        [
            "", "#", "Received", "Provider", "Event", "Result", "HTTP", "Order", "Error",
        ]
        .map(Cell::from),
    )
    .style(theme.header);
    let widths = [
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(8),
        Constraint::Length(30),
        Constraint::Length(9),
        Constraint::Length(4),
        Constraint::Length(11),
        Constraint::Min(10),
    ];
    let rows: Vec<Row> = app
        .webhooks
        .rows
        .iter()
        .map(|w| webhook_row(w, theme))
        .collect();
    if rows.is_empty() {
        let [h, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        render_table(
            Table::new(Vec::<Row>::new(), widths).header(header),
            None,
            h,
            buf,
            theme,
        );
        empty(rest, buf, "no webhook deliveries yet", theme);
        return;
    }
    render_table(
        Table::new(rows, widths).header(header),
        Some(app.webhooks.cursor),
        area,
        buf,
        theme,
    );
}

fn webhook_row<'a>(w: &'a WebhookRow, theme: &Theme) -> Row<'a> {
    let failed = w.failed();
    Row::new(vec![
        Cell::from(if failed { "✗" } else { " " }),
        Cell::from(w.id.to_string()),
        Cell::from(short_ts(&w.received_at)),
        Cell::from(opt(&w.provider)),
        Cell::from(opt(&w.event_type)),
        Cell::from(w.result.as_str()),
        Cell::from(w.http_status.to_string()),
        Cell::from(opt(&w.order_number)),
        Cell::from(w.error.as_deref().unwrap_or("")),
    ])
    .style(if failed { theme.failed } else { Style::new() })
}

fn render_orphans(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let header = Row::new(
        [
            "#",
            "Received",
            "Provider",
            "Event",
            "Reference",
            "Amount",
            "Names order",
        ]
        .map(Cell::from),
    )
    .style(theme.header);
    let widths = [
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(8),
        Constraint::Length(28),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(11),
    ];
    let rows: Vec<Row> = app.orphans.rows.iter().map(orphan_row).collect();
    if rows.is_empty() {
        let [h, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        render_table(
            Table::new(Vec::<Row>::new(), widths).header(header),
            None,
            h,
            buf,
            theme,
        );
        empty(rest, buf, "no unresolved provider events", theme);
        return;
    }
    render_table(
        Table::new(rows, widths).header(header),
        Some(app.orphans.cursor),
        area,
        buf,
        theme,
    );
}

fn orphan_row(o: &OrphanRow) -> Row<'_> {
    Row::new(vec![
        Cell::from(o.id.to_string()),
        Cell::from(short_ts(&o.received_at)),
        Cell::from(o.provider.as_str()),
        Cell::from(o.event_type.as_str()),
        Cell::from(opt(&o.reference)),
        Cell::from(Line::from(opt(&o.amount)).alignment(Alignment::Right)),
        Cell::from(opt(&o.order_number)),
    ])
}

fn render_status(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let k = &app.keys;
    let (text, style) = match &app.status {
        Some((t, Tone::Info)) => (t.clone(), theme.info),
        Some((t, Tone::Warn)) => (t.clone(), theme.warn),
        Some((t, Tone::Error)) => (t.clone(), theme.error),
        None => {
            let hints: Vec<String> = match (&app.mode, app.view) {
                (Mode::Search, _) => vec![
                    "type to search".to_owned(),
                    format!("{} keep", k.search_keep.first()),
                    format!("{} clear", k.close.first()),
                ],
                (_, View::Findings) => vec![
                    format!("{} details", k.open.first()),
                    format!("{} mark", k.mark.first()),
                    format!("{} fix", k.fix.first()),
                    format!("{} cancel", k.cancel.first()),
                ],
                (_, View::Webhooks) => vec![
                    format!("{} details", k.open.first()),
                    format!("{} replay", k.replay.first()),
                ],
                (_, View::Orphans) => vec![
                    format!("{} details", k.open.first()),
                    format!("{} link", k.link.first()),
                    format!("{} dismiss", k.dismiss.first()),
                ],
                _ => vec![
                    format!("{} search", k.search.first()),
                    format!("{} filter", k.filter.first()),
                    format!("{} sort", k.sort.first()),
                    format!("{} mark", k.mark.first()),
                    format!("{} cancel", k.cancel.first()),
                    format!("{} validate", k.validate.first()),
                    format!("{} details", k.open.first()),
                ],
            };
            (format!(" {}", hints.join(" · ")), theme.muted)
        }
    };
    Line::from(Span::styled(text, style)).render(area, buf);
    if app.trace {
        Line::from(format!("#{} ", app.keys_handled))
            .alignment(Alignment::Right)
            .render(area, buf);
    }
}

/// How many rows `lines` take when wrapped at `width` (about: by words).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| {
            let mut rows = 1;
            let mut col = 0;
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            for word in text.split(' ') {
                let w = word.chars().count();
                if col > 0 && col + 1 + w > width {
                    rows += 1;
                    col = w;
                } else {
                    col += if col > 0 { 1 + w } else { w };
                }
                while col > width {
                    rows += 1;
                    col -= width;
                }
            }
            rows
        })
        .sum::<usize>()
        .try_into()
        .unwrap_or(u16::MAX)
}

/// A centred rectangle of at most `w` × `h` cells.
fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn framed(area: Rect, buf: &mut Buffer, title: &str, theme: &Theme) -> Rect {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.group));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

fn render_overlay(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    match &app.mode {
        Mode::Normal | Mode::Search => {}
        Mode::Help { scroll } => render_help(app, area, buf, theme, *scroll),
        Mode::Detail { detail, scroll } => render_detail(detail, area, buf, theme, *scroll),
        Mode::Confirm(c) => render_confirm(app, c, area, buf, theme),
        Mode::Working { title, done, total } => {
            let inner = framed(popup(area, 50, 5), buf, title, theme);
            Paragraph::new(format!("working… {done} of {total}"))
                .alignment(Alignment::Center)
                .render(inner, buf);
        }
        Mode::Summary { summary, scroll } => {
            render_summary(app, summary, area, buf, theme, *scroll)
        }
        Mode::Filter { row } => render_filter(app, *row, area, buf, theme),
        Mode::Prompt { orphan, text } => {
            let inner = framed(
                popup(area, 60, 6),
                buf,
                &format!("Link orphan #{} to an order", orphan.id),
                theme,
            );
            Paragraph::new(vec![
                Line::from(format!(" {} {}", orphan.provider, orphan.event_type)),
                Line::from(vec![
                    Span::raw(" order number: "),
                    Span::styled(format!("{text}▏"), theme.query),
                ]),
                Line::default(),
                Line::from(Span::styled(
                    format!(
                        " {} next (a confirmation) · {} cancel",
                        app.keys.search_keep.first(),
                        app.keys.close.first()
                    ),
                    theme.muted,
                )),
            ])
            .render(inner, buf);
        }
        Mode::Choose {
            what,
            cursor,
            targets,
        } => {
            let n = targets.orders.len();
            render_choose(app, *what, *cursor, n, area, buf, theme)
        }
    }
}

fn render_help(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    let inner = framed(
        popup(area, 96, area.height.saturating_sub(2)),
        buf,
        "Keys (Esc closes)",
        theme,
    );
    let entries = app.keys.entries();
    let mut lines: Vec<Line> = Vec::new();
    for group in Group::ALL {
        let of: Vec<_> = entries.iter().filter(|b| b.group == group).collect();
        if of.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(group.title(), theme.group)));
        for b in of {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", b.label()), theme.key),
                Span::raw(b.help),
            ]));
        }
    }
    Paragraph::new(lines).scroll((scroll, 0)).render(inner, buf);
}

fn field<'a>(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {label:<16}"), theme.muted),
        Span::raw(value.into()),
    ])
}

fn heading<'a>(text: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(text.into(), theme.group))
}

fn order_lines(d: &OrderDetail, theme: &Theme) -> Vec<Line<'static>> {
    let o = &d.order;
    let mut lines = vec![
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
        field(
            "paid",
            o.paid_at.map(date).unwrap_or_else(|| "—".into()),
            theme,
        ),
        field(
            "cancelled",
            o.cancelled_at.map(date).unwrap_or_else(|| "—".into()),
            theme,
        ),
        Line::default(),
        heading("Payment", theme),
    ];
    match &d.payment {
        None => lines.push(field("", "no payment record", theme)),
        Some(p) => {
            lines.extend([
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
            ]);
            if p.refund_pending {
                lines.push(field("refund", "owed, not yet confirmed", theme));
            }
            if p.disputed {
                lines.push(field("dispute", "a chargeback is open", theme));
            }
        }
    }
    lines.push(Line::default());
    lines.push(heading(format!("Findings ({})", d.findings.len()), theme));
    if d.findings.is_empty() {
        lines.push(field("", "none: order and payment agree", theme));
    }
    for f in &d.findings {
        lines.push(Line::from(Span::styled(
            format!("  {}: {}", f.rule, f.detail),
            theme.flagged,
        )));
        lines.push(Line::from(format!("    → {}", f.action)));
    }
    lines.push(Line::default());
    lines.push(heading(format!("Audit trail ({})", d.audit.len()), theme));
    if d.audit.is_empty() {
        lines.push(field("", "no changes recorded", theme));
    }
    for a in &d.audit {
        let change = |old: Option<String>, new: Option<String>| match (old, new) {
            (Some(o), Some(n)) if o != n => Some(format!("{o}→{n}")),
            _ => None,
        };
        let changes: Vec<String> = [
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
        .collect();
        lines.push(Line::from(format!(
            "  {}  {:<28} {:<10} {}",
            short_ts(&a.at),
            a.event,
            a.actor,
            changes.join(", ")
        )));
    }
    lines.push(Line::default());
    lines.push(heading(
        format!("Webhook events ({})", d.webhooks.len()),
        theme,
    ));
    if d.webhooks.is_empty() {
        lines.push(field("", "none received for this order", theme));
    }
    for w in &d.webhooks {
        let line = format!(
            "  #{} {}  {} {} {} {}",
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

fn render_detail(detail: &Detail, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    let (title, lines): (String, Vec<Line>) = match detail {
        Detail::Order(d) => (format!("Order {}", d.order.number), order_lines(d, theme)),
        Detail::Webhook(w) => (
            format!("Webhook delivery #{}", w.id),
            vec![
                field("received", w.received_at.clone(), theme),
                field("provider", opt(&w.provider).to_owned(), theme),
                field("event", opt(&w.event_type).to_owned(), theme),
                field("event id", opt(&w.event_id).to_owned(), theme),
                field("signature", w.signature.clone(), theme),
                field("result", w.result.clone(), theme),
                field("event state", opt(&w.event_state).to_owned(), theme),
                field("HTTP status", w.http_status.to_string(), theme),
                field("order", opt(&w.order_number).to_owned(), theme),
                field(
                    "error",
                    w.error.clone().unwrap_or_else(|| "—".into()),
                    theme,
                ),
                field(
                    "replayable",
                    if w.replayable {
                        format!("yes: `tally webhooks replay {}`", w.id)
                    } else {
                        "no (no verified body kept)".to_owned()
                    },
                    theme,
                ),
            ],
        ),
        Detail::Orphan(o) => (
            format!("Orphan #{}", o.id),
            vec![
                field("received", o.received_at.clone(), theme),
                field("provider", o.provider.clone(), theme),
                field("event", o.event_type.clone(), theme),
                field("event id", o.event_id.clone(), theme),
                field("reference", opt(&o.reference).to_owned(), theme),
                field("amount", opt(&o.amount).to_owned(), theme),
                field("names order", opt(&o.order_number).to_owned(), theme),
                Line::default(),
                Line::from(format!(
                    "  link it: `tally orphans link {} ORDER`; dismiss it: `tally orphans dismiss {}`",
                    o.id, o.id
                )),
            ],
        ),
        Detail::Finding(f) => (
            format!("Finding: {}", f.rule),
            vec![
                field("rule", f.rule.as_str(), theme),
                field("means", f.rule.describe(), theme),
                field("order", opt(&f.order).to_owned(), theme),
                field("detail", f.detail.clone(), theme),
                field("action", f.action.clone(), theme),
                field("fixable", if f.fixable { "yes" } else { "no" }, theme),
            ],
        ),
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

fn render_confirm(app: &App, c: &Confirm, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines: Vec<Line> = c.lines.iter().map(|l| Line::from(l.clone())).collect();
    if !c.warnings.is_empty() {
        lines.push(Line::default());
        for w in &c.warnings {
            lines.push(Line::from(Span::styled(format!("⚠ {w}"), theme.warn)));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(format!("Audited as {}.", app.actor)));
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(app.keys.confirm.label(), theme.key),
        Span::raw(" confirm    "),
        Span::styled(app.keys.decline.label(), theme.key),
        Span::raw(" decline"),
    ]));
    let width = 90.min(area.width.saturating_sub(2));
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let inner = framed(popup(area, width, height), buf, &c.title, theme);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn render_summary(
    app: &App,
    s: &Summary,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    scroll: u16,
) {
    let mut lines: Vec<Line> = vec![heading(format!("Done: {}", s.done.len()), theme)];
    for (n, what) in &s.done {
        lines.push(Line::from(format!("  {n:<11} {what}")));
    }
    lines.push(Line::default());
    lines.push(heading(format!("Skipped: {}", s.skipped.len()), theme));
    for (n, why) in &s.skipped {
        lines.push(Line::from(Span::styled(
            format!("  {n:<11} {why}"),
            theme.warn,
        )));
    }
    if !s.warnings.is_empty() {
        lines.push(Line::default());
        lines.push(heading("To do", theme));
        for w in &s.warnings {
            lines.push(Line::from(Span::styled(format!("⚠ {w}"), theme.warn)));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(app.keys.close.label(), theme.key),
        Span::raw(" close"),
    ]));
    let width = 96.min(area.width.saturating_sub(2));
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let inner = framed(popup(area, width, height), buf, &s.title, theme);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}

fn render_filter(app: &App, row: usize, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let f = &app.filter;
    let values = [
        f.status.map_or("any", |s| s.as_str()),
        f.payment.map_or("any", |s| s.as_str()),
        f.provider.map_or("any", |s| s.as_str()),
    ];
    let mut lines: Vec<Line> = FILTER_ROWS
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (name, value))| {
            let line = Line::from(format!(" {name:<15} ◀ {value:^12} ▶"));
            if i == row {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        " ↑/↓ choose · ←/→ change · Esc close",
        theme.muted,
    )));
    let inner = framed(popup(area, 44, 7), buf, "Filter", theme);
    Paragraph::new(lines).render(inner, buf);
}

fn render_choose(
    app: &App,
    what: ChooseFor,
    cursor: usize,
    n: usize,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut lines: Vec<Line> = vec![Line::from(format!(
        " for {} (then a confirmation)",
        if n == 1 {
            "1 order".to_owned()
        } else {
            format!("{n} orders")
        }
    ))];
    for (i, word) in what.words().iter().enumerate() {
        let line = Line::from(format!(" {}  {word}", i + 1));
        lines.push(if i == cursor {
            line.style(theme.selected)
        } else {
            line
        });
    }
    lines.push(Line::from(Span::styled(
        format!(
            " {} pick · {} cancel",
            app.keys.confirm.label(),
            app.keys.decline.label()
        ),
        theme.muted,
    )));
    let height = lines.len() as u16 + 2;
    let inner = framed(popup(area, 46, height), buf, what.title(), theme);
    Paragraph::new(Text::from(lines)).render(inner, buf);
}
