//! The command line as clap types. Nothing here does any work: [`Cli`] is
//! turned once into a [`Config`](super::Config) and a command, and the
//! commands run from those.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::{OrderPaymentStatus, PaymentStatus};
use crate::report::{FIX_POLICY, Rule};

/// Keeps a small shop's orders and payments consistent.
///
/// Exit codes: 0 success; 1 the command ran but found problems or skipped
/// items; 2 any error (bad usage, bad input, a database that cannot be opened).
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, long_about)]
pub struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "TALLY_DB", default_value = "./tally.db")]
    pub db: PathBuf,

    /// Who is acting, for the audit log [default: $USER].
    #[arg(long, global = true)]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import orders and payments from JSON or CSV files (all or nothing).
    Import {
        /// JSON files, or CSV files (an orders file and a payments file).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export every order and payment in the import format.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// JSON: a file (default: standard output). CSV: a directory that
        /// receives orders.csv and payments.csv (required).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Fill an empty database with a realistic demo shop.
    Demo {
        /// How many orders [default: 200].
        #[arg(long)]
        orders: Option<usize>,
        /// Random seed: the same seed gives the same shop [default: 42].
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Look at and act on orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Act on payments.
    #[command(subcommand)]
    Payment(PaymentCommand),
    /// Check orders and payments for inconsistencies; exit 1 when findings remain.
    #[command(after_help = FIX_POLICY)]
    Check(CheckArgs),
    /// Fix what can be fixed safely: the same as `tally check --fix`.
    #[command(after_help = FIX_POLICY)]
    Fix(CheckArgs),
    /// Close a finding tally never fixes by itself, once dealt with (a refund
    /// made by hand, a dispute settled, an orphan dealt with elsewhere).
    Resolve {
        /// The order number.
        number: String,
        /// The rule of the finding (e.g. refund_awaiting_provider, disputed).
        rule: Rule,
        /// What was done, for the audit log.
        #[arg(long)]
        note: String,
    },
    /// A consistent copy of the live database (safe while others write).
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Shell completions, on standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), on standard output.
    Man,
    /// The audit trail: of one order, or the most recent changes.
    Log {
        /// An order number.
        number: Option<String>,
        #[arg(long)]
        json: bool,
        /// How many of the most recent rows, without NUMBER.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// The order, its payment and its audit trail.
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// Cancel orders and their payments (a completed payment is not refunded
    /// at the provider: tally records that a refund is owed).
    Cancel {
        #[arg(required = true)]
        numbers: Vec<String>,
    },
    /// Confirm payments by hand (Wave, cash): payment completed, order paid.
    Validate {
        #[arg(required = true)]
        numbers: Vec<String>,
        /// The provider's transaction reference (one order only).
        #[arg(long)]
        reference: Option<String>,
    },
    /// Set the order's payment status and carry it to its payment
    /// (pending, paid, failed, refunded).
    SetPaymentStatus {
        number: String,
        status: OrderPaymentStatus,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Set the payment's status and carry it to its order
    /// (pending, completed, failed, cancelled). NUMBER is the order number.
    SetStatus {
        number: String,
        status: PaymentStatus,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// One JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    /// Print nothing when nothing remains (fixes made are always printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Check one order only.
    #[arg(long, value_name = "NUMBER")]
    pub order: Option<String>,
    /// Check these rules only (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<Rule>,
    /// Fix what the fix policy allows, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Print the plan of what --fix would do, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Force the winning side of every status_mismatch.
    #[arg(long, value_enum)]
    pub prefer: Option<Prefer>,
    /// How long a payment may stay pending before it is reported (e.g. 48h, 3d).
    #[arg(long, default_value = "48h", value_parser = parse_duration)]
    pub stale_after: chrono::Duration,
}

/// The side `--prefer` forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Prefer {
    Payment,
    Order,
}

fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("{s:?} is not a duration such as 48h, 3d or 90m: {e}"))?;
    chrono::Duration::from_std(d).map_err(|_| format!("{s:?} is too long"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
