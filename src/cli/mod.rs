//! The command line: arguments become a [`Config`] once, each command runs
//! from it and returns an [`Exit`] code.
//!
//! Exit codes, kept by every command: 0 success; 1 the command ran but found
//! problems or skipped items; 2 any error (bad usage, bad input, a database
//! that cannot be opened). Errors print one clear message on stderr and
//! change nothing.

mod admin;
mod args;
mod check;
mod dash;
mod doctor;
mod errors;
mod orders;
mod refund;
mod serve;
mod shop;
mod statements;
mod sync;
mod webhooks;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

pub use args::{
    CheckArgs, Cli, Command, ExportFormat, OrderCommand, PaymentCommand, Prefer, StatementCommand,
};

use crate::i18n::{Choice, Lang, Zone};
use crate::store::{OpenMode, Store, StoreError};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success, nothing left to report.
    Ok = 0,
    /// Ran, but found problems or skipped items.
    Problems = 1,
    /// Any error.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Settings every command shares, resolved once from the arguments.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    /// The audit log's actor: `--actor`, else `$USER`.
    pub actor: String,
    /// The language people read, and why ([`crate::i18n::choose`]).
    pub lang: Choice,
    /// The time zone dates are shown in: `TZ`, else UTC.
    pub zone: Zone,
}

impl Config {
    /// The language texts are rendered in.
    pub fn l(&self) -> Lang {
        self.lang.lang
    }

    fn from_cli(cli: &Cli, lang: Choice) -> anyhow::Result<Config> {
        let actor = match &cli.actor {
            Some(a) if a.trim().is_empty() => anyhow::bail!("--actor must not be empty"),
            Some(a) => a.trim().to_owned(),
            None => std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .ok()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "unknown".to_owned()),
        };
        Ok(Config {
            db: cli.db.clone(),
            actor,
            lang,
            zone: Zone::from_env(),
        })
    }

    /// Opens the existing database.
    pub fn open(&self) -> Result<Store, StoreError> {
        Store::open(&self.db, OpenMode::MustExist)
    }

    /// Opens the database, creating it when missing.
    pub fn open_or_create(&self) -> Result<Store, StoreError> {
        Store::open(&self.db, OpenMode::CreateIfMissing)
    }
}

/// Parses the command line, runs the command, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Ok
            }
            .into();
        }
    };
    let lang = match crate::i18n::choose(cli.lang, |name| std::env::var(name).ok()) {
        Ok(lang) => lang,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error.into();
        }
    };
    let l = lang.lang;
    match run_in(cli, lang) {
        Ok(code) => code.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("{}", error_text(&e, l));
            Exit::Error.into()
        }
    }
}

/// An error as a person reads it: `error: ` and its chain of causes, each
/// in the language when it has a message in the catalogue (English:
/// exactly `anyhow`'s `{:#}`).
pub fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return format!("error: {e:#}");
    }
    let causes: Vec<String> = e.chain().map(|c| errors::localize(c, lang)).collect();
    crate::tr!(lang, "error", text = causes.join(": "))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

/// Runs one parsed command line, in the language of the environment.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let lang = crate::i18n::choose(cli.lang, |name| std::env::var(name).ok())
        .map_err(anyhow::Error::msg)?;
    run_in(cli, lang)
}

/// Runs one parsed command line in a chosen language.
pub fn run_in(cli: Cli, lang: Choice) -> anyhow::Result<Exit> {
    let config = Config::from_cli(&cli, lang)?;
    let Some(command) = cli.command else {
        if dash::interactive() {
            return dash::dash(&config, false);
        }
        use clap::CommandFactory;
        Cli::command().print_help()?;
        return Ok(Exit::Ok);
    };
    let mut out = std::io::stdout().lock();
    match command {
        Command::Import { files } => shop::import(&config, &files, &mut out),
        Command::Export { format, output } => shop::export(&config, format, output.as_deref()),
        Command::Demo {
            orders,
            seed,
            statements,
        } => dash::demo(&config, orders, seed, statements.as_deref(), &mut out),
        Command::Dash { read_only } => dash::dash(&config, read_only),
        Command::Order(cmd) => orders::order(&config, cmd, &mut out),
        Command::Payment(cmd) => orders::payment(&config, cmd, &mut out),
        Command::Check(args) => check::check(&config, &args, false, &mut out),
        Command::Fix(args) => check::check(&config, &args, true, &mut out),
        Command::Resolve {
            number,
            rule,
            id,
            note,
        } => check::resolve(&config, &number, rule, id.as_deref(), &note, &mut out),
        Command::Backup { path } => admin::backup(&config, &path, &mut out),
        Command::Completions { shell } => admin::completions(shell, &mut out),
        Command::Man => admin::man(&mut out),
        Command::Log {
            number,
            json,
            limit,
        } => orders::log(&config, number.as_deref(), json, limit, &mut out),
        Command::Serve(args) => serve::serve(&config, &args),
        Command::Orphans(args) => webhooks::orphans(&config, &args, &mut out),
        Command::Webhooks(args) => webhooks::webhooks(&config, &args, &mut out),
        Command::SendTestEvent(args) => webhooks::send_test_event(&config, &args, &mut out),
        Command::Doctor(args) => doctor::doctor(&config, &args, &mut out),
        Command::Sync(args) => sync::sync(&config, &args, &mut out),
        Command::Refund(args) => refund::refund(&config, &args, &mut out),
        Command::Statement(cmd) => statements::statement(&config, cmd, &mut out),
        Command::Payouts { provider, json } => {
            statements::payouts(&config, provider, json, &mut out)
        }
        Command::Report { since, until, json } => {
            statements::report(&config, since, until, json, &mut out)
        }
    }
}

/// Prints a JSON value, pretty, with a trailing newline.
pub(crate) fn print_json(out: &mut dyn Write, value: &serde_json::Value) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}
