//! `tally sync`: the command around [`crate::sync`]: the lock, the clients,
//! a progress bar on a terminal, one line per change and a summary per
//! provider (or JSON), and the exit code.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use chrono::Utc;
use serde_json::json;

use super::args::{Since, SyncArgs, SyncProvider};
use super::{Config, Exit, print_json};
use crate::domain::Provider;
use crate::i18n::{Lang, tr};
use crate::sync::clients::{Bases, clients};
use crate::sync::{self, Options, Progress, Report, SyncLock};

pub fn sync(config: &Config, args: &SyncArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let l = config.l();
    let mut store = config.open()?;
    let Some(_lock) = SyncLock::try_take(&config.db)? else {
        if !args.quiet || args.json {
            let busy = tr!(l, "sync-busy", path = config.db.display().to_string());
            eprintln!("{busy}");
        }
        return Ok(Exit::Ok);
    };
    let named: Vec<Provider> = args
        .providers
        .iter()
        .map(|p| match p {
            SyncProvider::Stripe => Provider::Stripe,
            SyncProvider::Paypal => Provider::Paypal,
            SyncProvider::Wave => Provider::Wave,
        })
        .collect();
    let bases = Bases {
        stripe: args.api.stripe_api.clone(),
        paypal: args.api.paypal_api.clone(),
        wave: args.api.wave_api.clone(),
    };
    let clients = clients(&bases, &named)?;
    let now = Utc::now();
    let options = Options {
        since: args.since.map(|s| match s {
            Since::Ago(d) => now - d,
            Since::At(t) => t,
        }),
        orders: args.orders.clone(),
        dry_run: args.dry_run,
    };
    let bar = progress_bar(!args.quiet && !args.json);
    let report = sync::run(&mut store, &clients.sources(), &options, &mut |p| {
        show_progress(l, &bar, p);
    })
    .context("tally sync")?;
    bar.finish_and_clear();

    let exit = if report.has_error() {
        Exit::Error
    } else if report.has_problems() {
        Exit::Problems
    } else {
        Exit::Ok
    };
    for p in &report.providers {
        if let Some(e) = &p.error {
            eprintln!("{}", tr!(l, "error", text = e.clone()));
        }
    }
    if args.json {
        print_json(out, &json!(report))?;
    } else if !(args.quiet && exit == Exit::Ok && report.changes.is_empty()) {
        render(l, &report, out)?;
    }
    Ok(exit)
}

fn progress_bar(wanted: bool) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !wanted || !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

fn show_progress(l: Lang, bar: &indicatif::ProgressBar, p: Progress) {
    match p {
        Progress::Fetching { provider, events } => {
            bar.set_message(tr!(
                l,
                "sync-fetching",
                provider = provider,
                events = events
            ));
            bar.set_length(0);
            bar.set_position(0);
        }
        Progress::Applying {
            provider,
            done,
            total,
        } => {
            bar.set_message(tr!(l, "sync-applying", provider = provider));
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        Progress::Refreshing {
            provider,
            done,
            total,
        } => {
            bar.set_message(tr!(l, "sync-asking", provider = provider));
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }
}

/// One line per change, the problems, then a summary per provider.
/// The change lines say what the ingest said (its own words, as in
/// `tally webhooks`); the rest is in the owner's language.
fn render(l: Lang, report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let would = if report.dry_run {
        format!("{} ", l.t("sync-would"))
    } else {
        String::new()
    };
    for c in &report.changes {
        let order = c.order.clone().unwrap_or_else(|| l.t("sync-no-order"));
        let from = match c.from {
            "fact" => l.t("sync-from-fact"),
            _ => l.t("sync-from-event"),
        };
        writeln!(
            out,
            "{order:<12} {would}{}  ({} {from} {})",
            c.change,
            l.word(c.provider),
            c.event_id,
        )?;
    }
    for p in &report.providers {
        for problem in &p.problems {
            writeln!(out, "{}", tr!(l, "sync-problem", text = problem.clone()))?;
        }
    }
    for p in &report.providers {
        let mut line = tr!(
            l,
            "sync-summary",
            provider = p.provider,
            seen = p.events_seen,
            applied = p.applied,
            duplicates = p.duplicates,
            stale = p.stale,
            orphans = p.orphans,
            failed = p.failed,
            asked = p.payments_refreshed,
            calls = p.calls
        );
        let state = match (&p.error, report.dry_run) {
            (Some(_), _) => Some(l.t("sync-state-stopped")),
            (None, true) => Some(l.t("sync-state-dry-run")),
            (None, false) => None,
        };
        if let Some(state) = state {
            line.push(' ');
            line.push_str(&state);
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
