//! Everything the dashboard's loop reacts to, on one channel.
//!
//! Producers are plain threads that send on one `std::sync::mpsc` channel
//! and stop when `send` fails (the loop has gone): the input thread (key
//! *presses* only, the mouse wheel, resizes), the tick thread (every
//! [`TICK`]), a signal thread (SIGTERM, SIGHUP: quit cleanly, restoring the
//! terminal), and the background workers in [`super::worker`]. The loop
//! handles one event at a time and is the only one that draws.

use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event as Term, KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};

use super::actions::Summary;
use super::sync::Outcome as SyncOutcome;
use crate::report::Finding;

/// How often the loop wakes up by itself (live refresh, clock).
pub const TICK: Duration = Duration::from_millis(250);

/// One thing that happened.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Tick,
    /// A signal asked the process to stop.
    Stop,
    /// The counting thread's answer for a query generation.
    Counted {
        generation: u64,
        count: Result<i64, String>,
    },
    /// The scanning thread's answer.
    Scanned(Result<Vec<Finding>, String>),
    /// An action's progress.
    Progress {
        done: usize,
        total: usize,
    },
    /// An action finished.
    Finished(Summary),
    /// The background sync's progress, in words.
    SyncProgress(crate::sync::Progress),
    /// The background sync ended.
    Synced(Result<SyncOutcome, crate::i18n::Msg>),
    /// The terminal could not be read.
    InputError(String),
}

/// Starts the input, tick and signal threads.
pub fn start(tx: &Sender<Event>) {
    let input = tx.clone();
    thread::spawn(move || {
        loop {
            let ev = match event::read() {
                Ok(Term::Key(k)) if k.kind == KeyEventKind::Press => Event::Key(k),
                Ok(Term::Mouse(m))
                    if matches!(
                        m.kind,
                        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
                    ) =>
                {
                    Event::Mouse(m)
                }
                Ok(Term::Resize(_, _)) => Event::Resize,
                Ok(_) => continue,
                Err(e) => {
                    let _ = input.send(Event::InputError(e.to_string()));
                    return;
                }
            };
            if input.send(ev).is_err() {
                return;
            }
        }
    });
    let tick = tx.clone();
    thread::spawn(move || {
        loop {
            thread::sleep(TICK);
            if tick.send(Event::Tick).is_err() {
                return;
            }
        }
    });
    let stop = tx.clone();
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ]) {
        thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = stop.send(Event::Stop);
            }
        });
    }
}
