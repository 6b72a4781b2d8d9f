//! The command line as clap types. Nothing here does any work: [`Cli`] is
//! turned once into a [`Config`](super::Config) and a command, and the
//! commands run from those.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::{OrderPaymentStatus, PaymentStatus};

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
