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
use crate::dash::table::words_width;
use crate::dash::table::{self, Cursor, Grid};
use crate::dash::theme::Theme;
use crate::dash::ui::opt;
use crate::i18n::{Arg, Lang, count, tr};
use crate::report::Rule;
use crate::statement::LineStatus;
use crate::store::statements::StoredFile;

/// The view's words: their ids in the catalogues, together in one place.
pub mod text {
    pub const TITLE: &str = "dash-view-statements";
    pub const QUERY: &str = "dstm-query";
    pub const EMPTY: &str = "dstm-empty";
    pub const HEADER: [&str; 9] = [
        "",
        "dash-col-date",
        "dash-col-provider",
        "dstm-col-kind",
        "dash-col-status",
        "dstm-col-line-id",
        "dstm-col-gross",
        "dstm-col-fee",
        "dash-col-order",
    ];
    pub const UNMATCHED: &str = "dstm-unmatched";
    pub const OPEN_ORDER: &str = "dstm-open-order";
    pub const OPEN_LINE: &str = "dstm-open-line";
    pub const FINDINGS: &str = "dstm-findings";
    pub const CHECKING: &str = "dstm-checking";
    pub const NO_FINDINGS: &str = "dstm-no-findings";
    /// The detail pane's labels.
    pub const F_FILE: &str = "dstm-f-file";
    pub const F_ROW: &str = "dstm-f-row";
    pub const F_LINE_ID: &str = "dstm-f-line-id";
    pub const F_DATE: &str = "dstm-f-date";
    pub const F_KIND: &str = "dstm-f-kind";
    pub const F_STATUS: &str = "dstm-f-status";
    pub const F_TYPE: &str = "dstm-f-type";
    pub const F_GROSS: &str = "dstm-f-gross";
    pub const F_FEE: &str = "dstm-f-fee";
    pub const F_NET: &str = "dstm-f-net";
    pub const F_CUSTOMER: &str = "dstm-f-customer";
    pub const F_IDS: &str = "dstm-f-ids";
    pub const F_PAYOUT: &str = "dstm-f-payout";
    pub const F_DESCRIPTION: &str = "dstm-f-description";
    pub const F_MATCH: &str = "dstm-f-match";
    pub const MATCH_NONE: &str = "dstm-match-none";
    pub const MATCH_NOT_CUSTOMER: &str = "dstm-match-not-customer";
    pub const UNKNOWN_HINT: &str = "dstm-unknown-hint";
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
    let l = app.lang;
    let what = match app.statements.current() {
        Some(r) if r.order_id.is_some() => text::OPEN_ORDER,
        _ => text::OPEN_LINE,
    };
    vec![format!("{} {}", k.open.first(l), l.t(what))]
}

/// The tab title's count: the unmatched lines, when there are any.
pub fn tab_note(app: &App) -> String {
    if app.statements_unmatched > 0 {
        format!(
            " ({})",
            tr!(
                app.lang,
                "dstm-tab-unmatched",
                n = count(app.statements_unmatched)
            )
        )
    } else {
        String::new()
    }
}

/// The line above the view.
pub fn query(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    vec![Span::styled(app.lang.t(text::QUERY), theme.info)]
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
        .map(|f| Line::from(file_line(app, f)))
        .collect();
    if more > 0 {
        lines.push(Line::from(Span::styled(
            format!(" + {}", tr!(app.lang, "dstm-more-files", n = more + 1)),
            theme.muted,
        )));
    }
    ratatui::widgets::Paragraph::new(lines).render(area, buf);
}

/// One imported file: provider, name, period, rows, when and by whom.
pub fn file_line(app: &App, f: &StoredFile) -> String {
    let l = app.lang;
    format!(
        " {:<7} {}",
        l.word(f.provider),
        tr!(
            l,
            "dstm-file",
            name = f.name.as_str(),
            from = Arg::Day(f.period.from),
            to = Arg::Day(f.period.to),
            rows = count(f.rows),
            at = l.stored(&f.imported_at, &app.zone),
            actor = f.actor.as_str()
        )
    )
}

/// The statement findings of the last check, counted by rule (the rules
/// with none left out); the Findings view lists them.
pub fn findings_line(app: &App, theme: &Theme) -> Line<'static> {
    let l = app.lang;
    let mut spans = vec![Span::styled(
        format!(" {}", l.t(text::FINDINGS)),
        theme.muted,
    )];
    if app.findings.list.is_none() {
        spans.push(Span::styled(
            format!(" {}", l.t(text::CHECKING)),
            theme.muted,
        ));
        return Line::from(spans);
    }
    let all = app.findings.all();
    let counts: Vec<(Rule, usize)> = RULES
        .iter()
        .map(|rule| (*rule, all.iter().filter(|f| f.rule == *rule).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    if counts.is_empty() {
        spans.push(Span::styled(
            format!(" {}", l.t(text::NO_FINDINGS)),
            theme.muted,
        ));
    }
    for (i, (rule, n)) in counts.iter().enumerate() {
        let sep = if i == 0 { " " } else { " · " };
        spans.push(Span::styled(sep, theme.muted));
        spans.push(Span::styled(format!("{} {n}", rule.as_str()), theme.warn));
    }
    Line::from(spans)
}

fn render_lines(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let l = app.lang;
    let header: Vec<String> = text::HEADER
        .iter()
        .map(|id| {
            if id.is_empty() {
                String::new()
            } else {
                l.t(id)
            }
        })
        .collect();
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(16),
        Constraint::Length(table::fit_width(8, [&header[2]])),
        // The customer's kinds fit; a rarer long one is cut, as in English.
        Constraint::Length(table::fit_width(
            match l {
                Lang::En => 10,
                Lang::Fr => 13,
            },
            [&header[3]],
        )),
        Constraint::Length(table::fit_width(
            words_width::<LineStatus>(l, 9),
            [&header[4]],
        )),
        Constraint::Min(14),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(table::fit_width(11, [&header[8], &l.t(text::UNMATCHED)])),
    ];
    let empty = l.t(text::EMPTY);
    let cursor = Cursor::Row(app.statements.cursor);
    // The line id column: a long one keeps its start and its end.
    let room = table::column_widths(&widths, area.width, cursor)
        .get(5)
        .map_or(usize::MAX, |w| usize::from(*w));
    let grid = Grid {
        header,
        widths,
        rows: app
            .statements
            .rows
            .iter()
            .map(|r| row(app, r, room, theme))
            .collect(),
        cursor,
        empty: &empty,
    };
    table::render(grid, area, buf, theme);
}

fn row<'a>(app: &App, r: &'a StatementRow, room: usize, theme: &Theme) -> Row<'a> {
    let lang = app.lang;
    let l = &r.line.line;
    let unmatched = r.unmatched();
    Row::new(vec![
        Cell::from(if unmatched { "✗" } else { " " }),
        Cell::from(lang.datetime(l.at, &app.zone)),
        Cell::from(lang.word(r.line.provider)),
        Cell::from(lang.word(l.kind)),
        Cell::from(lang.word(l.status)),
        Cell::from(table::middle_ellipsis(&l.line_id, room)),
        Cell::from(Line::from(lang.signed(l.gross, l.currency)).alignment(Alignment::Right)),
        Cell::from(Line::from(lang.signed(l.fee, l.currency)).alignment(Alignment::Right)),
        Cell::from(if unmatched {
            lang.t(text::UNMATCHED)
        } else {
            opt(&r.order_number).to_owned()
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
    app: &App,
    r: &StatementRow,
    file: Option<&StoredFile>,
    theme: &Theme,
) -> (String, Vec<Line<'static>>) {
    let lang = app.lang;
    let t = |id: &'static str| lang.t(id);
    let l = &r.line.line;
    let money = |minor: i64| lang.signed(minor, l.currency);
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
        (Some(n), Some(by)) => tr!(lang, "dstm-matched", order = n, by = by.as_str()),
        (Some(n), None) => tr!(lang, "dstm-matched", order = n, by = "—"),
        (None, _) if l.kind.is_customer() => t(text::MATCH_NONE),
        (None, _) => t(text::MATCH_NOT_CUSTOMER),
    };
    let mut lines = vec![
        field(
            &t(text::F_FILE),
            file.map_or_else(|| "—".to_owned(), |f| f.name.clone()),
            theme,
        ),
        field(&t(text::F_ROW), l.row.to_string(), theme),
        field(&t(text::F_LINE_ID), l.line_id.clone(), theme),
        field(&t(text::F_DATE), lang.datetime(l.at, &app.zone), theme),
        field(&t(text::F_KIND), lang.word(l.kind), theme),
        field(&t(text::F_STATUS), lang.word(l.status), theme),
        field(&t(text::F_TYPE), l.type_text.clone(), theme),
        field(&t(text::F_GROSS), money(l.gross), theme),
        field(&t(text::F_FEE), money(l.fee), theme),
        field(&t(text::F_NET), money(l.net), theme),
        field(
            &t(text::F_CUSTOMER),
            l.customer
                .map_or_else(|| "—".to_owned(), |(m, c)| lang.signed(m, c)),
            theme,
        ),
        field(
            &t(text::F_IDS),
            if ids.is_empty() {
                "—".to_owned()
            } else {
                ids
            },
            theme,
        ),
        field(&t(text::F_PAYOUT), opt(&l.payout_id).to_owned(), theme),
        field(
            &t(text::F_DESCRIPTION),
            opt(&l.description).to_owned(),
            theme,
        ),
        field(&t(text::F_MATCH), matched, theme),
    ];
    if r.unmatched() {
        lines.push(Line::default());
        lines.push(Line::from(format!("  {}", t(text::UNKNOWN_HINT))));
    }
    (
        tr!(lang, "dstm-detail-title", id = l.line_id.as_str()),
        lines,
    )
}
