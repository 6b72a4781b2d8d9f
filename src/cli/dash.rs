//! `tally dash`, and the two other ways in: `tally` alone on a terminal, and
//! `tally demo` without flags on a terminal (it fills a fresh database, or
//! finds the demo already there, then opens the dashboard on it).
//!
//! Off a terminal nothing changes: `tally` prints its help and `tally demo`
//! its summary, so scripts and pipes never get a full-screen program.

use std::io::{IsTerminal, Write};

use super::{Config, Exit};

/// Whether standard input and output are a terminal a dashboard can use.
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Runs the dashboard on the configured database.
pub fn dash(config: &Config, read_only: bool) -> anyhow::Result<Exit> {
    crate::dash::run(&crate::dash::Options {
        db: config.db.clone(),
        actor: config.actor.clone(),
        read_only,
        lang: config.l(),
        zone: config.zone.clone(),
    })?;
    Ok(Exit::Ok)
}

/// `tally demo`: the shop, then (without flags, on a terminal) the dashboard.
pub fn demo(
    config: &Config,
    orders: Option<usize>,
    seed: Option<u64>,
    statements: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let open = orders.is_none() && seed.is_none() && statements.is_none() && interactive();
    let code = super::shop::demo(config, orders, seed, statements, out)?;
    if open && code == Exit::Ok {
        out.flush()?;
        return dash(config, false);
    }
    Ok(code)
}
