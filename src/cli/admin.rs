//! `tally backup`, `tally completions` and `tally man`: the operations
//! around the binary.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{Cli, Config, Exit};

pub fn backup(config: &Config, dest: &Path, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if dest.exists() {
        anyhow::bail!(
            "{} already exists: a backup never overwrites a file",
            dest.display()
        );
    }
    let store = config.open()?;
    store.backup_to(dest)?;
    let size = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    writeln!(
        out,
        "backup of {} written to {} ({size} bytes)",
        config.db.display(),
        dest.display()
    )?;
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
