//! `tally import`, `tally export` and `tally demo`: getting a shop into and
//! out of the database.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{Config, Exit, ExportFormat};
use crate::demo;
use crate::transfer;

pub fn import(config: &Config, files: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<Exit> {
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    // Validate every file before the database is even created.
    let set = transfer::read_files(&paths)?;
    if !config.db.exists() {
        // Nothing to refer to yet: check the set on its own, so a refused
        // import leaves no empty database behind.
        let empty = crate::store::Store::open_in_memory()?;
        transfer::check_against_db(&empty.reader(), &set)?;
    }
    let mut store = config.open_or_create()?;
    let s = transfer::import(&mut store, &set, &config.actor, Utc::now())?;
    writeln!(
        out,
        "imported: {} orders created, {} updated; {} payments created, {} updated; {} unchanged; {} movements recorded",
        s.orders_created,
        s.orders_updated,
        s.payments_created,
        s.payments_updated,
        s.unchanged,
        s.movements_recorded
    )?;
    Ok(Exit::Ok)
}

pub fn export(
    config: &Config,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<Exit> {
    let mut store = config.open()?;
    match (format, output) {
        (ExportFormat::Json, None) => {
            let mut stdout = std::io::stdout().lock();
            transfer::export_json(&mut store, &mut stdout)?;
            stdout.flush()?;
        }
        (ExportFormat::Json, Some(path)) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            transfer::export_json(&mut store, &mut w)?;
            w.flush()?;
        }
        (ExportFormat::Csv, Some(dir)) => transfer::export_csv(&mut store, dir)?,
        (ExportFormat::Csv, None) => anyhow::bail!(
            "CSV export writes three files (orders.csv, payments.csv and movements.csv): give --output DIR"
        ),
    }
    Ok(Exit::Ok)
}

/// Orders in the demo shop unless `--orders` says otherwise.
pub const DEMO_ORDERS: usize = 200;
/// The demo's random seed unless `--seed` says otherwise.
pub const DEMO_SEED: u64 = 42;

pub fn demo(
    config: &Config,
    orders: Option<usize>,
    seed: Option<u64>,
    statements: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let code = build_demo(config, orders, seed, out)?;
    if code == Exit::Ok
        && let Some(dir) = statements
    {
        write_statements(config, dir, out)?;
    }
    Ok(code)
}

/// `tally demo --statements DIR`: the statement files of the shop in the
/// database, and what they hold on purpose.
fn write_statements(config: &Config, dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = config.open()?;
    let written = demo::statements::write(&store, dir, Utc::now())?;
    writeln!(out, "\nStatement files in {}:", dir.display())?;
    for f in &written.files {
        writeln!(out, "  {}", f.display())?;
    }
    writeln!(out, "Discrepancies put in on purpose:")?;
    for (who, what) in &written.discrepancies {
        writeln!(out, "  {who}  {what}")?;
    }
    let files: Vec<String> = written
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    writeln!(
        out,
        "Then: tally --db {db} statement import --date-format DD/MM/YYYY {}\n      tally --db {db} check; tally --db {db} payouts; tally --db {db} report",
        files.join(" "),
        db = config.db.display()
    )?;
    Ok(())
}

fn build_demo(
    config: &Config,
    orders: Option<usize>,
    seed: Option<u64>,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if orders == Some(0) {
        anyhow::bail!("--orders must be at least 1");
    }
    let mut store = config.open_or_create()?;
    let existing = store.reader().count_orders()?;
    if existing > 0 && orders.is_none() && seed.is_none() {
        // The newcomer's first command, run again: show what is there.
        writeln!(
            out,
            "{} already holds a shop of {existing} orders: showing it (use another --db for a new demo)",
            config.db.display()
        )?;
        print_cases(out)?;
        return Ok(Exit::Ok);
    }
    let (orders, seed) = (orders.unwrap_or(DEMO_ORDERS), seed.unwrap_or(DEMO_SEED));
    let bar = indicatif::ProgressBar::new(orders as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} orders  {elapsed} ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::stderr().is_terminal() || orders < 50_000 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = std::time::Instant::now();
    let summary = demo::build(&mut store, orders, seed, Utc::now(), |done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    writeln!(
        out,
        "demo shop in {}: {} orders, {} payments ({:.1} s)",
        config.db.display(),
        summary.orders,
        summary.payments,
        started.elapsed().as_secs_f64()
    )?;
    if orders >= 34 {
        print_cases(out)?;
    }
    Ok(Exit::Ok)
}

fn print_cases(out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out, "\nCases to look at (try `tally order show TEST1014`):")?;
    for (number, what) in demo::SPECIAL {
        writeln!(out, "  {number}  {what}")?;
    }
    Ok(())
}
