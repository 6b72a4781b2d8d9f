//! `tally import`, `tally export` and `tally demo`: getting a shop into and
//! out of the database.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{Config, Exit, ExportFormat};
use crate::demo;
use crate::i18n::{Lang, fail, tr};
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
    let text = tr!(
        config.l(),
        "import-done",
        orders_created = s.orders_created,
        orders_updated = s.orders_updated,
        payments_created = s.payments_created,
        payments_updated = s.payments_updated,
        unchanged = s.unchanged,
        movements = s.movements_recorded
    );
    writeln!(out, "{text}")?;
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
            let file = std::fs::File::create(path).map_err(|e| {
                crate::i18n::Failure(crate::msg!(
                    "export-cannot-create",
                    path = path.display().to_string(),
                    error = e.to_string()
                ))
            })?;
            let mut w = std::io::BufWriter::new(file);
            transfer::export_json(&mut store, &mut w)?;
            w.flush()?;
        }
        (ExportFormat::Csv, Some(dir)) => transfer::export_csv(&mut store, dir)?,
        (ExportFormat::Csv, None) => fail!("export-csv-needs-output"),
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
    let l = config.l();
    let title = tr!(l, "demo-statement-files", dir = dir.display().to_string());
    writeln!(out, "\n{title}")?;
    for f in &written.files {
        writeln!(out, "  {}", f.display())?;
    }
    // The discrepancies are the demo's own words, as its cases' notes.
    writeln!(out, "{}", l.t("demo-statement-discrepancies"))?;
    for (who, what) in &written.discrepancies {
        writeln!(out, "  {who}  {what}")?;
    }
    let files: Vec<String> = written
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let db = config.db.display().to_string();
    let then = tr!(
        l,
        "demo-statement-then",
        import = format!(
            "tally --db {db} statement import --date-format DD/MM/YYYY {}",
            files.join(" ")
        )
    );
    writeln!(out, "{then}")?;
    writeln!(
        out,
        "      tally --db {db} check; tally --db {db} payouts; tally --db {db} report"
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
        fail!("demo-orders-zero");
    }
    let l = config.l();
    let mut store = config.open_or_create()?;
    let existing = store.reader().count_orders()?;
    if existing > 0 && orders.is_none() && seed.is_none() {
        // The newcomer's first command, run again: show what is there.
        let text = tr!(
            l,
            "demo-already",
            db = config.db.display().to_string(),
            n = existing
        );
        writeln!(out, "{text}")?;
        print_cases(out, l)?;
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
    let seconds = format!("{:.1}", started.elapsed().as_secs_f64());
    let seconds = match l {
        Lang::En => seconds,
        Lang::Fr => seconds.replace('.', ","),
    };
    let text = tr!(
        l,
        "demo-done",
        db = config.db.display().to_string(),
        orders = summary.orders,
        payments = summary.payments,
        seconds = seconds
    );
    writeln!(out, "{text}")?;
    if orders >= 34 {
        print_cases(out, l)?;
    }
    Ok(Exit::Ok)
}

fn print_cases(out: &mut dyn Write, l: Lang) -> anyhow::Result<()> {
    writeln!(out, "\n{}", l.t("demo-cases"))?;
    for (number, what) in demo::SPECIAL {
        let what = match l {
            Lang::En => (*what).to_owned(),
            Lang::Fr => demo_case(l, number, what),
        };
        writeln!(out, "  {number}  {what}")?;
    }
    Ok(())
}

/// A demo case's description in `l`: the catalogue's `demo-case-NUMBER`,
/// else its English words.
pub fn demo_case(l: Lang, number: &str, english: &str) -> String {
    let key = format!("demo-case-{number}");
    let text = l.word_key(&key);
    if text == key {
        english.to_owned()
    } else {
        text
    }
}
