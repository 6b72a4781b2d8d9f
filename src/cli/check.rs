//! `tally check`, `tally fix` and `tally resolve`.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};

use chrono::Utc;

use super::{CheckArgs, Config, Exit, Prefer, print_json};
use crate::report::render::{self, Style};
use crate::report::{Filter, Report, Rule, Settings, Side, fix, resolve, scan};

/// Page cache for a check or a fix, which read the whole shop.
const CACHE_MIB: i64 = 64;

/// How long `resolve` considers a payment stale, as `check`'s default.
const DEFAULT_STALE_HOURS: i64 = 48;

fn style() -> Style {
    if std::io::stdout().is_terminal() {
        let width = crossterm::terminal::size().map_or(120, |(w, _)| w);
        Style {
            terminal_width: Some(width),
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    } else {
        Style::PIPE
    }
}

pub fn check(
    config: &Config,
    args: &CheckArgs,
    always_fix: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let fixing = (args.fix || always_fix) && !args.dry_run;
    let mut store = config.open()?;
    store.set_cache_mib(CACHE_MIB)?;
    let settings = Settings {
        now: Utc::now(),
        stale_after: args.stale_after,
        prefer: args.prefer.map(|p| match p {
            Prefer::Payment => Side::Payment,
            Prefer::Order => Side::Order,
        }),
    };
    let filter = Filter {
        order: args.order.clone(),
        rules: args.rules.iter().copied().collect::<HashSet<_>>(),
    };
    let first = scan::scan(&store.reader(), &settings, &filter)?;
    if let Some(number) = &filter.order
        && first.orders_checked == 0
    {
        crate::fail!("op-unknown-order", number = format!("{number:?}"));
    }
    // The statement rules are covered once a statement was imported (or
    // when asked for by name): a shop without statements sees nothing new.
    let statements = store.reader().has_statements()?;
    let rules: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|r| match filter.rules.is_empty() {
            true => statements || !r.from_statements(),
            false => filter.rules.contains(r),
        })
        .collect();
    let mut report = Report {
        orders_checked: first.orders_checked,
        rules,
        ..Report::default()
    };
    if args.dry_run {
        report.planned = Some(
            first
                .findings
                .iter()
                .filter(|f| f.fixable)
                .cloned()
                .collect(),
        );
        report.findings = first.findings;
    } else if fixing {
        let fixed = fix::apply(
            &mut store,
            &first.findings,
            &settings,
            &filter,
            &config.actor,
        )?;
        let after = scan::scan(&store.reader(), &settings, &filter)?;
        report.orders_checked = after.orders_checked;
        report.findings = after.findings;
        report.fixed = Some(fixed);
    } else {
        report.findings = first.findings;
    }
    let nothing_fixed = report.fixed.as_ref().is_none_or(Vec::is_empty);
    let quiet = args.quiet && report.findings.is_empty() && nothing_fixed;
    if !quiet {
        if args.json {
            print_json(out, &render::json(&report))?;
        } else {
            write!(out, "{}", render::text(&report, style(), config.l()))?;
        }
    }
    Ok(if report.findings.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

pub fn resolve(
    config: &Config,
    number: &str,
    rule: Rule,
    id: Option<&str>,
    note: &str,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut store = config.open()?;
    resolve::resolve(
        &mut store,
        number,
        rule,
        id,
        note,
        &config.actor,
        Utc::now(),
        chrono::Duration::hours(DEFAULT_STALE_HOURS),
    )?;
    let text = crate::tr!(
        config.l(),
        "resolve-done",
        number = number,
        rule = rule.as_str(),
        actor = config.actor.as_str()
    );
    writeln!(out, "{text}")?;
    Ok(Exit::Ok)
}
