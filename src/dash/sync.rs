//! The dashboard's sync action (`S`): `tally sync` for every provider whose
//! API credentials are set, run in the background through the sync room
//! ([`crate::sync`]), never the command line.
//!
//! The key ([`key`]) only marks the sync as running and asks the loop for
//! [`Task::Sync`]; the worker ([`super::worker`]) runs it on its own
//! connection and reports [`Progress`] and the outcome as events. Keys keep
//! working meanwhile: the title line shows where the sync is, then what it
//! did; the status line says it once when it ends, and the lists are read
//! again. Each event or fact the sync applies is its own transaction, as
//! in `tally sync`; quitting mid-sync leaves nothing half-applied.
//!
//! As `tally sync`: one sync per database at a time (the sync lock: a cron
//! `tally sync` running meanwhile makes this one say so and do nothing),
//! credentials and API hosts from the environment (`STRIPE_API_KEY`, ...,
//! `TALLY_STRIPE_API`, ...), never shown.

use std::path::Path;

use super::app::{App, Task, Tone, read_only_text};
use crate::domain::Timestamp;
use crate::i18n::{Lang, Msg, count, tr};
use crate::store::Store;
use crate::sync::clients::{Bases, Clients, clients};
use crate::sync::{self, Options, Progress, Report, SyncLock};

/// Where the dashboard's sync is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyncState {
    #[default]
    Idle,
    /// Running; what it is doing.
    Running { progress: String },
    /// The last sync's outcome, in a few words, and when it ended.
    Done {
        at: Timestamp,
        summary: String,
        tone: Tone,
    },
}

/// What a sync came to.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(Report),
    /// Another sync holds the database's sync lock.
    Busy,
}

/// The sync key: starts a sync unless one runs or the dashboard is
/// read-only.
pub fn key(app: &mut App) -> Task {
    let l = app.lang;
    if app.read_only {
        app.say(read_only_text(l), Tone::Warn);
        return Task::None;
    }
    if let SyncState::Running { progress } = &app.sync {
        let text = tr!(l, "dsync-already", progress = progress.as_str());
        app.say(text, Tone::Info);
        return Task::None;
    }
    app.sync = SyncState::Running {
        progress: l.t("dsync-starting"),
    };
    app.say(l.t("dsync-started"), Tone::Info);
    Task::Sync
}

/// A progress report, in words.
pub fn progress_text(p: &Progress, l: Lang) -> String {
    match *p {
        Progress::Fetching { provider, events } => {
            tr!(l, "dsync-fetched", provider = provider, events = events)
        }
        Progress::Applying {
            provider,
            done,
            total,
        } => tr!(
            l,
            "dsync-applying",
            provider = provider,
            done = done,
            total = total
        ),
        Progress::Refreshing {
            provider,
            done,
            total,
        } => tr!(
            l,
            "dsync-pending",
            provider = provider,
            done = done,
            total = total
        ),
    }
}

/// The loop heard a progress report.
pub fn progressed(app: &mut App, text: String) {
    if matches!(app.sync, SyncState::Running { .. }) {
        app.sync = SyncState::Running { progress: text };
    }
}

/// The loop heard the outcome: the title keeps it, the status line says it.
pub fn finished(app: &mut App, outcome: Result<Outcome, Msg>, now: Timestamp) {
    let (summary, tone) = summary(&outcome, app.lang);
    app.say(
        tr!(app.lang, "dsync-status", summary = summary.as_str()),
        tone,
    );
    app.sync = SyncState::Done {
        at: now,
        summary,
        tone,
    };
}

/// The outcome in one line, and how it reads.
pub fn summary(outcome: &Result<Outcome, Msg>, l: Lang) -> (String, Tone) {
    let report = match outcome {
        Err(e) => return (l.text(e), Tone::Error),
        Ok(Outcome::Busy) => return (l.t("dsync-busy"), Tone::Info),
        Ok(Outcome::Done(report)) => report,
    };
    let calls: u32 = report.providers.iter().map(|p| p.calls).sum();
    let names: Vec<String> = report
        .providers
        .iter()
        .map(|p| l.word(p.provider))
        .collect();
    let changes = report.changes.len();
    let calls = tr!(l, "dsync-calls", n = count(calls));
    let mut text = match changes {
        0 => tr!(
            l,
            "dsync-nothing-new",
            names = names.join(", "),
            calls = calls.as_str()
        ),
        n => {
            let per: Vec<String> = report
                .providers
                .iter()
                .map(|p| {
                    let n = report
                        .changes
                        .iter()
                        .filter(|c| c.provider == p.provider)
                        .count();
                    format!("{} {n}", l.word(p.provider))
                })
                .collect();
            tr!(
                l,
                "dsync-changes",
                n = n,
                per = per.join(", "),
                calls = calls.as_str()
            )
        }
    };
    let errors: Vec<&Msg> = report
        .providers
        .iter()
        .filter_map(|p| p.error.as_ref())
        .collect();
    let problems: Vec<&Msg> = report.providers.iter().flat_map(|p| &p.problems).collect();
    if let Some(first) = errors.first() {
        text.push_str(&tr!(l, "dsync-stopped", error = (*first).clone()));
        return (text, Tone::Error);
    }
    if let Some(first) = problems.first() {
        text.push_str(&tr!(l, "dsync-problem", problem = (*first).clone()));
        return (text, Tone::Warn);
    }
    (text, Tone::Info)
}

/// What the title line says of the sync, if anything.
pub fn title_note(app: &App) -> Option<String> {
    let l = app.lang;
    match &app.sync {
        SyncState::Idle => None,
        SyncState::Running { progress } => {
            Some(tr!(l, "dsync-syncing", progress = progress.as_str()))
        }
        SyncState::Done { at, tone, .. } => {
            let at = app.zone.at(*at).format("%H:%M").to_string();
            Some(match tone {
                Tone::Info => tr!(l, "dsync-synced", at = at),
                Tone::Warn => tr!(l, "dsync-synced-problems", at = at),
                Tone::Error => tr!(l, "dsync-failed", at = at),
            })
        }
    }
}

/// The clients of every provider whose credentials the environment sets.
pub fn clients_from_env() -> Result<Clients, Msg> {
    clients(&Bases::from_env(), &[]).map_err(|e| e.msg())
}

/// Runs one sync on `store` (the database at `db`, whose sync lock it
/// takes; an in-memory store has none) with `clients`.
pub fn run(
    store: &mut Store,
    db: Option<&Path>,
    clients: &Clients,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, Msg> {
    let _lock = match db {
        Some(path) => match SyncLock::try_take(path).map_err(|e| e.msg())? {
            Some(lock) => Some(lock),
            None => return Ok(Outcome::Busy),
        },
        None => None,
    };
    sync::run(store, &clients.sources(), &Options::default(), progress)
        .map(Outcome::Done)
        .map_err(|e| e.msg())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dash::app::handle_key;
    use crate::domain::Provider;
    use crate::i18n::msg;
    use crate::sync::{Change, ProviderReport};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn app() -> App {
        App::new("shop.db", "tester", false, crate::testing::now())
    }

    fn press_s(app: &mut App) -> Task {
        handle_key(app, KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT))
    }

    fn report(provider: Provider, changes: usize, error: Option<&str>) -> Report {
        let mut p = ProviderReport::new(provider);
        p.applied = changes;
        p.payments_refreshed = changes;
        p.calls = 3;
        p.error = error.map(|e| msg!("plain", text = e));
        Report {
            dry_run: false,
            providers: vec![p],
            changes: (0..changes)
                .map(|i| Change {
                    provider,
                    order: Some(format!("WV100{i}")),
                    change: "payment pending → completed".to_owned(),
                    event_id: format!("sync:cos-{i}:complete"),
                    event_type: "checkout.session.completed".to_owned(),
                    from: "fact",
                    result: crate::domain::LogResult::Applied,
                })
                .collect(),
        }
    }

    #[test]
    fn s_starts_one_sync_and_the_keys_keep_working() {
        let mut app = app();
        assert_eq!(press_s(&mut app), Task::Sync);
        assert!(matches!(app.sync, SyncState::Running { .. }));
        assert_eq!(title_note(&app).as_deref(), Some("syncing: starting"));
        // Another S says so and starts nothing.
        assert_eq!(press_s(&mut app), Task::None);
        assert!(app.status.as_ref().unwrap().0.contains("already running"));
        // Other keys work meanwhile: no overlay took them.
        assert_eq!(
            handle_key(
                &mut app,
                KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)
            ),
            Task::Reload
        );
        progressed(&mut app, "wave: pending payments 2/5".to_owned());
        assert_eq!(
            title_note(&app).as_deref(),
            Some("syncing: wave: pending payments 2/5")
        );
        finished(
            &mut app,
            Ok(Outcome::Done(report(Provider::Wave, 2, None))),
            crate::testing::now(),
        );
        let (text, tone) = app.status.clone().unwrap();
        assert_eq!(tone, Tone::Info);
        assert_eq!(
            text,
            "sync: 2 changes (wave 2; 3 API calls): see the Webhooks view, source sync"
        );
        assert!(title_note(&app).unwrap().starts_with("synced "));
        // Progress after the end changes nothing; a new sync may start.
        progressed(&mut app, "late".to_owned());
        assert!(matches!(app.sync, SyncState::Done { .. }));
        assert_eq!(press_s(&mut app), Task::Sync);
    }

    #[test]
    fn a_read_only_dashboard_does_not_sync() {
        let mut app = App::new("shop.db", "tester", true, crate::testing::now());
        assert_eq!(press_s(&mut app), Task::None);
        assert_eq!(app.sync, SyncState::Idle);
        assert_eq!(app.status.unwrap().1, Tone::Warn);
    }

    #[test]
    fn outcomes_read_as_one_line() {
        let err = report(
            Provider::Stripe,
            0,
            Some("Stripe: list events: 401 Invalid API Key"),
        );
        assert_eq!(
            summary(&Ok(Outcome::Done(err)), Lang::En),
            (
                "nothing new (stripe; 3 API calls); stopped: Stripe: list events: 401 Invalid API Key"
                    .to_owned(),
                Tone::Error
            )
        );
        let mut problem = report(Provider::Paypal, 1, None);
        problem.providers[0]
            .problems
            .push(msg!("plain", text = "1 PayPal event(s) failed to apply"));
        let (text, tone) = summary(&Ok(Outcome::Done(problem)), Lang::En);
        assert_eq!(tone, Tone::Warn);
        assert!(
            text.starts_with("1 change (paypal 1; 3 API calls)"),
            "{text}"
        );
        assert_eq!(summary(&Ok(Outcome::Busy), Lang::En).1, Tone::Info);
        let none = summary(
            &Err(msg!("plain", text = "no provider API credentials are set")),
            Lang::En,
        );
        assert_eq!(none.1, Tone::Error);
    }
}
