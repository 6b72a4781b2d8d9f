//! `tally dash`: the terminal dashboard for browsing orders and payments and
//! acting on them in bulk.
//!
//! The rooms: [`app`] (the state, the modes and the pure key handler),
//! [`views`] (one room per view, like ratatui demo2's tabs: each view's
//! state, keys and drawing), [`keys`] (the key bindings as data, read by the
//! handler and the help screen alike), [`dialogs`], [`detail`] and [`help`]
//! (the overlays), [`table`] (the one table renderer) and [`theme`], [`ui`]
//! (the frame), [`event`] (input, ticks and signals on one channel),
//! [`data`] (every read: keyset pages of the visible rows), [`worker`]
//! (counting, checking, acting and syncing off the input path), [`actions`]
//! (confirmations and the operations), [`sync`] (the background `tally
//! sync`), and [`runner`]: the loop that ties them: draw, wait for one
//! event, handle it, carry out its task.
//!
//! # What it promises
//! - The database is opened before the screen is taken over, so a bad
//!   `--db` gives a plain message on a normal terminal.
//! - The terminal is always restored: on quit, on error (the loop's result
//!   is returned only after restoring), on panic (ratatui's hook, and ours
//!   for the mouse), on SIGTERM and SIGHUP (a clean quit).
//! - No read transaction is held across frames; other processes' commits
//!   are noticed by polling `PRAGMA data_version` every [`POLL`] and the
//!   visible rows are read again, keeping the cursor, the marks and the
//!   filter.
//! - With `read_only`, no action runs: the keys say why.

pub mod actions;
pub mod app;
pub mod data;
pub mod detail;
pub mod dialogs;
pub mod event;
pub mod help;
pub mod keys;
pub mod runner;
pub mod sync;
pub mod table;
pub mod theme;
pub mod ui;
pub mod views;
pub mod worker;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::Utc;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};

use self::app::App;
use self::runner::Runner;
use self::worker::Workers;
use crate::store::{OpenMode, Store};

pub use self::runner::POLL;

/// What `tally dash` runs with.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    pub actor: String,
    pub read_only: bool,
    /// The language on screen, and the zone dates are shown in.
    pub lang: crate::i18n::Lang,
    pub zone: crate::i18n::Zone,
}

/// Runs the dashboard until the user quits.
pub fn run(opts: &Options) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        crate::fail!("dash-no-terminal");
    }
    // Before the screen is taken: a bad database gets a plain message.
    let store = Store::open(&opts.db, OpenMode::MustExist)?;
    let (tx, rx) = mpsc::channel();
    let workers = Workers::start(&opts.db, &opts.actor, &tx)?;
    let mut app = App::new(&db_name(&opts.db), &opts.actor, opts.read_only, Utc::now())
        .in_lang(opts.lang, opts.zone.clone());
    app.trace = std::env::var_os("TALLY_DASH_TRACE").is_some();

    // Ours first, so ratatui's hook (installed by try_init) restores the
    // screen before this one turns the mouse off and prints the panic.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            crate::fail!("dash-no-takeover", error = e.to_string());
        }
    };
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    event::start(&tx);
    let mut runner = Runner::new(store, workers);
    let result = runner.run(&mut terminal, &mut app, &rx);
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// The file name shown in the title, from a path.
pub fn db_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests;
