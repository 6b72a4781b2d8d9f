//! `tally backup`, `tally completions` and `tally man`: the operations
//! around the binary.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{Cli, Config, Exit};

pub fn backup(config: &Config, dest: &Path, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if dest.exists() {
        crate::fail!("backup-exists", path = dest.display().to_string());
    }
    let store = config.open()?;
    store.backup_to(dest)?;
    let size = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    let text = crate::tr!(
        config.l(),
        "backup-done",
        db = config.db.display().to_string(),
        path = dest.display().to_string(),
        size = crate::i18n::Arg::Num(i64::try_from(size).unwrap_or(i64::MAX))
    );
    writeln!(out, "{text}")?;
    Ok(Exit::Ok)
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<Exit> {
    clap_complete::generate(shell, &mut Cli::command(), "tally", out);
    Ok(Exit::Ok)
}

pub fn man(out: &mut dyn Write) -> anyhow::Result<Exit> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(Exit::Ok)
}
