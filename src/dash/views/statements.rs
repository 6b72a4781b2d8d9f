//! The Statements view: the imported statement files, the statement
//! findings of the last check, then the statement lines with their match, a
//! page at a time ([`App::statements`], read by keyset): unmatched
//! customer lines first, then the rest, newest first within each. `Enter`
//! on a matched line opens its order; on another, the line itself.
//!
//! The tab is shown only once a statement file was imported
//! ([`App::has_statements`]): a shop without statements sees the dashboard
//! it always had.
//!
//! The view's words are in [`text`], in one place.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Widget};

use crate::dash::app::App;
use crate::dash::data::StatementRow;
use crate::dash::detail::field;
use crate::dash::keys::KeyList;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::{date, opt, short_ts, thousands};
use crate::report::Rule;
use crate::store::statements::StoredFile;

/// The view's English words, together for the translation.
pub mod text {
    pub const TITLE: &str = "Statements";
    pub const QUERY: &str = "statement lines, unmatched first, then newest first; ✗ unmatched";
    pub const EMPTY: &str = "no statement lines";
    pub const HEADER: [&str; 9] = [
        "", "Date", "Provider", "Kind", "Status", "Line id", "Gross", "Fee", "Order",
    ];
    pub const UNMATCHED: &str = "unmatched";
    pub const OPEN_ORDER: &str = "order";
    pub const OPEN_LINE: &str = "details";
    pub const FINDINGS: &str = "statement findings:";
    pub const CHECKING: &str = "checking…";
    pub const NO_FINDINGS: &str = "none";
    pub const MORE_FILES: &str = "more files";
    pub const ROWS: &str = "rows";
    pub const IMPORTED: &str = "imported";
    pub const DETAIL_TITLE: &str = "Statement line";
    pub const LINE_GONE: &str = "no statement line here";
    /// The detail pane's labels.
    pub const F_FILE: &str = "file";
    pub const F_ROW: &str = "row";
    pub const F_LINE_ID: &str = "line id";
    pub const F_DATE: &str = "date";
    pub const F_KIND: &str = "kind";
    pub const F_STATUS: &str = "status";
    pub const F_TYPE: &str = "provider's type";
    pub const F_GROSS: &str = "gross";
    pub const F_FEE: &str = "fee";
    pub const F_NET: &str = "net";
    pub const F_CUSTOMER: &str = "customer paid";
    pub const F_IDS: &str = "ids";
    pub const F_PAYOUT: &str = "payout";
    pub const F_DESCRIPTION: &str = "description";
    pub const F_MATCH: &str = "match";
    pub const MATCH_NONE: &str = "none: no payment of the shop has these ids or order number";
    pub const MATCH_NOT_CUSTOMER: &str = "not matched (not a customer payment)";
    /// `(matched by id|order)`.
    pub fn matched(order: &str, by: &str) -> String {
        format!("order {order} (matched by {by})")
    }
    pub const UNKNOWN_HINT: &str = "  The provider has this money and tally has no payment for it: find the order it was for (its ids, its description), or ask the provider. `tally check` reports it as unknown_to_tally once it is final and inside the days the statements cover.";
}

/// The statement rules, in the order the view counts them.
pub const RULES: [Rule; 5] = [
    Rule::MissingAtProvider,
    Rule::UnknownToTally,
    Rule::StatementMismatch,
    Rule::UnrecordedRefund,
    Rule::UnrecordedDispute,
];

/// Files listed above the lines, at most; the rest are counted.
const FILES_SHOWN: usize = 3;

/// The lines above the table: the files, then the findings.
fn head_height(app: &App) -> usize {
    app.statement_files.len().min(FILES_SHOWN) + 1
}

/// How many lines the table shows when the page is `page` rows.
pub fn table_rows(app: &App, page: usize) -> usize {
    page.saturating_sub(head_height(app)).max(1)
}

/// The status line's hints: `Enter` opens the order of a matched line.
pub fn hints(app: &App, k: &KeyList) -> Vec<String> {
    let what = match app.statements.current() {
        Some(r) if r.order_id.is_some() => text::OPEN_ORDER,
        _ => text::OPEN_LINE,
    };
    vec![format!("{} {what}", k.open.first())]
}

/// The tab title's count: the unmatched lines, when there are any.
pub fn tab_note(app: &App) -> String {
    if app.statements_unmatched > 0 {
        format!(
            " ({} {})",
            thousands(app.statements_unmatched),
            text::UNMATCHED
        )
    } else {
        String::new()
    }
}

/// The line above the view.
pub fn query(theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(text::QUERY, theme.info)]
}

/// Draws the files, the findings' counts and the lines.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let head = u16::try_from(head_height(app)).unwrap_or(u16::MAX);
    let [files_area, findings_area, lines_area] = Layout::vertical([
        Constraint::Length(head.saturating_sub(1)),
        Constraint::Length(1),
        Constraint::Min(2),
    ])
    .areas(area);
    render_files(app, files_area, buf, theme);
    findings_line(app, theme).render(findings_area, buf);
    render_lines(app, lines_area, buf, theme);
}

fn render_files(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let files = &app.statement_files;
    let more = files.len().saturating_sub(FILES_SHOWN);
    // The newest files; the last line counts the others when there are.
    let shown = if more > 0 {
        FILES_SHOWN - 1
    } else {
        files.len()
    };
    let mut lines: Vec<Line> = files
        .iter()
        .rev()
        .take(shown)
        .map(|f| Line::from(file_line(f)))
        .collect();
    if more > 0 {
        lines.push(Line::from(Span::styled(
            format!(" + {} {}", more + 1, text::MORE_FILES),
            theme.muted,
        )));
    }
    ratatui::widgets::Paragraph::new(lines).render(area, buf);
}

/// One imported file: provider, name, period, rows, when and by whom.
pub fn file_line(f: &StoredFile) -> String {
    format!(
        " {:<7} {}  {} → {}  {} {}  {} {} ({})",
        f.provider.as_str(),
        f.name,
        f.period.from,
        f.period.to,
        thousands(f.rows),
        text::ROWS,
        text::IMPORTED,
        short_ts(&f.imported_at),
        f.actor
    )
}

/// The statement findings of the last check, counted by rule (the rules
/// with none left out); the Findings view lists them.
pub fn findings_line(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {}", text::FINDINGS), theme.muted)];
    if app.findings.list.is_none() {
        spans.push(Span::styled(format!(" {}", text::CHECKING), theme.muted));
        return Line::from(spans);
    }
    let all = app.findings.all();
    let counts: Vec<(Rule, usize)> = RULES
        .iter()
        .map(|rule| (*rule, all.iter().filter(|f| f.rule == *rule).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    if counts.is_empty() {
        spans.push(Span::styled(format!(" {}", text::NO_FINDINGS), theme.muted));
    }
    for (i, (rule, n)) in counts.iter().enumerate() {
        let sep = if i == 0 { " " } else { " · " };
        spans.push(Span::styled(sep, theme.muted));
        spans.push(Span::styled(format!("{} {n}", rule.as_str()), theme.warn));
    }
    Line::from(spans)
}

fn render_lines(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(16),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(11),
    ];
    let cursor = Cursor::Row(app.statements.cursor);
    // The line id column: a long one keeps its start and its end.
    let room = table::column_widths(&widths, area.width, cursor)
        .get(5)
        .map_or(usize::MAX, |w| usize::from(*w));
    let grid = Grid {
        header: &text::HEADER,
        widths,
        rows: app
            .statements
            .rows
            .iter()
            .map(|r| row(r, room, theme))
            .collect(),
        cursor,
        empty: text::EMPTY,
    };
    table::render(grid, area, buf, theme);
}

fn row<'a>(r: &'a StatementRow, room: usize, theme: &Theme) -> Row<'a> {
    let l = &r.line.line;
    let unmatched = r.unmatched();
    Row::new(vec![
        Cell::from(if unmatched { "✗" } else { " " }),
        Cell::from(date(l.at)),
        Cell::from(r.line.provider.as_str()),
        Cell::from(l.kind.as_str()),
        Cell::from(l.status.as_str()),
        Cell::from(table::middle_ellipsis(&l.line_id, room)),
        Cell::from(Line::from(r.gross()).alignment(Alignment::Right)),
        Cell::from(Line::from(r.fee()).alignment(Alignment::Right)),
        Cell::from(if unmatched {
            text::UNMATCHED
        } else {
            opt(&r.order_number)
        }),
    ])
    .style(if unmatched {
        theme.failed
    } else {
        Style::new()
    })
}

/// The detail pane of a line (one without an order to open): its title
/// and lines.
pub fn detail(
    r: &StatementRow,
    file: Option<&StoredFile>,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let l = &r.line.line;
    let money = |minor: i64| crate::statement::show_signed(minor, l.currency);
    let ids = [
        ("own", &l.ids.own),
        ("payment_intent", &l.ids.payment_intent),
        ("charge", &l.ids.charge),
        ("related", &l.ids.related),
        ("session", &l.ids.session),
        ("order_ref", &l.ids.order_ref),
        ("order_ref2", &l.ids.order_ref2),
    ]
    .iter()
    .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
    .collect::<Vec<_>>()
    .join(", ");
    let matched = match (&r.order_number, r.line.matched_by) {
        (Some(n), Some(by)) => text::matched(n, by.as_str()),
        (Some(n), None) => text::matched(n, "—"),
        (None, _) if l.kind.is_customer() => text::MATCH_NONE.to_owned(),
        (None, _) => text::MATCH_NOT_CUSTOMER.to_owned(),
    };
    let mut lines = vec![
        field(
            text::F_FILE,
            file.map_or_else(|| "—".to_owned(), |f| f.name.clone()),
            theme,
        ),
        field(text::F_ROW, l.row.to_string(), theme),
        field(text::F_LINE_ID, l.line_id.clone(), theme),
        field(text::F_DATE, date(l.at), theme),
        field(text::F_KIND, l.kind.as_str(), theme),
        field(text::F_STATUS, l.status.as_str(), theme),
        field(text::F_TYPE, l.type_text.clone(), theme),
        field(text::F_GROSS, money(l.gross), theme),
        field(text::F_FEE, money(l.fee), theme),
        field(text::F_NET, money(l.net), theme),
        field(
            text::F_CUSTOMER,
            l.customer.map_or_else(
                || "—".to_owned(),
                |(m, c)| crate::statement::show_signed(m, c),
            ),
            theme,
        ),
        field(
            text::F_IDS,
            if ids.is_empty() {
                "—".to_owned()
            } else {
                ids
            },
            theme,
        ),
        field(text::F_PAYOUT, opt(&l.payout_id).to_owned(), theme),
        field(text::F_DESCRIPTION, opt(&l.description).to_owned(), theme),
        field(text::F_MATCH, matched, theme),
    ];
    if r.unmatched() {
        lines.push(Line::default());
        lines.push(Line::from(text::UNKNOWN_HINT));
    }
    (format!("{} {}", text::DETAIL_TITLE, l.line_id), lines)
}
