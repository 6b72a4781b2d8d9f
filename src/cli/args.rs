//! The command line as clap types. Nothing here does any work: [`Cli`] is
//! turned once into a [`Config`](super::Config) and a command, and the
//! commands run from those.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::{OrderPaymentStatus, PaymentStatus, Provider};
use crate::report::{FIX_POLICY, Rule};
use crate::statement::Period;
use crate::statement::dates::DateOrder;

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
    /// Import orders, payments and their movements from JSON or CSV files
    /// (all or nothing).
    Import {
        /// JSON files, or CSV files (orders, payments and movements files).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export every order, payment and movement in the import format.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// JSON: a file (default: standard output). CSV: a directory that
        /// receives orders.csv, payments.csv and movements.csv (required).
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
        /// Also write the providers' statement files for the demo shop into
        /// DIR (with a few deliberate discrepancies, listed).
        #[arg(long, value_name = "DIR")]
        statements: Option<PathBuf>,
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
        /// The dispute's or refund's provider id, when the order has several
        /// findings of the rule.
        #[arg(long)]
        id: Option<String>,
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
    /// The terminal dashboard: browse orders and payments, act on them in
    /// bulk (also what `tally` alone opens on a terminal).
    Dash {
        /// Look only: every action is disabled.
        #[arg(long)]
        read_only: bool,
    },
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
    /// Run the Stripe and PayPal webhook listener (secrets from the environment).
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Provider events that matched no payment: list, link to an order, dismiss.
    Orphans(OrphansArgs),
    /// The webhook log: list requests, failed events; replay a stored event.
    Webhooks(WebhooksArgs),
    /// Send a signed Stripe test event to a listener; it changes that order.
    SendTestEvent(SendTestEventArgs),
    /// The providers' statement files (Stripe, PayPal, Wave): import them;
    /// `tally check` then matches them against the shop.
    #[command(subcommand)]
    Statement(StatementCommand),
    /// Payouts in the imported statements, with the lines each carried
    /// (exit 1 when one does not add up).
    Payouts {
        /// One provider only.
        #[arg(long)]
        provider: Option<Provider>,
        #[arg(long)]
        json: bool,
    },
    /// Money per provider and currency over a period: captured, refunded
    /// and lost to disputes (the ledger), fees and net (the statements), and
    /// orders by payment status.
    Report {
        /// From this day on (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        since: Option<chrono::NaiveDate>,
        /// Up to this day, included.
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        until: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Check the set-up: database, permissions, secrets, certificates, WAL,
    /// webhooks received and refused (exit 1 on any warning or problem).
    Doctor(DoctorArgs),
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
        /// Which payment, by its reference, when the order has several (one
        /// order only).
        #[arg(long, value_name = "REFERENCE")]
        payment: Option<String>,
        /// Record a new payment confirmed by hand (wave or cash) when the
        /// order's payment is another provider's failed attempt.
        #[arg(long)]
        provider: Option<Provider>,
    },
    /// Set the order's payment status and carry it to its payment
    /// (pending, paid, failed, refunded).
    SetPaymentStatus {
        number: String,
        status: OrderPaymentStatus,
    },
}

#[derive(Debug, Subcommand)]
pub enum StatementCommand {
    /// Import statement files (all or nothing): Stripe's "Balance change
    /// from activity" itemized report, PayPal's activity download, Wave
    /// transactions as CSV. Re-importing a file changes nothing.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The files' provider, when it must be checked.
        #[arg(long)]
        provider: Option<Provider>,
        /// The order of day and month when the files cannot tell
        /// (DD/MM/YYYY or MM/DD/YYYY).
        #[arg(long, value_name = "FMT", value_parser = parse_date_format)]
        date_format: Option<DateOrder>,
        /// The days the files cover, FROM..TO (default: from each file's
        /// first line's day to its last's).
        #[arg(long, value_name = "FROM..TO", value_parser = parse_period)]
        period: Option<Period>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Set the payment's status and carry it to its order
    /// (pending, completed, failed, cancelled). NUMBER is the order number.
    SetStatus {
        number: String,
        status: PaymentStatus,
        /// Which payment, by its reference, when the order has several.
        #[arg(long, value_name = "REFERENCE")]
        payment: Option<String>,
    },
    /// Record a refund made by hand (Wave, cash, a bank transfer); by
    /// default what the payment still owes. NUMBER is the order number.
    RecordRefund {
        number: String,
        /// Which payment, by its reference, when the order has several.
        #[arg(long, value_name = "REFERENCE")]
        payment: Option<String>,
        /// How much, in the payment's currency (default: what is owed).
        #[arg(long)]
        amount: Option<String>,
        /// The refund's reference (required for Stripe and PayPal: the
        /// provider's refund id).
        #[arg(long)]
        reference: Option<String>,
        /// How the money went back, for the audit log.
        #[arg(long)]
        note: String,
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

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a day (YYYY-MM-DD)"))
}

fn parse_date_format(s: &str) -> Result<DateOrder, String> {
    DateOrder::parse(s)
}

fn parse_period(s: &str) -> Result<Period, String> {
    Period::parse(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// What `tally serve --help` adds after the flags.
pub const SERVE_HELP: &str = "\
Environment:
  STRIPE_WEBHOOK_SECRET  the endpoint's signing secret (whsec_...); during a rotation,
                         the old and the new one, comma-separated. Unset: Stripe off.
  PAYPAL_WEBHOOK_ID      the id of the PayPal webhook. Unset: PayPal off.
Routes: POST /webhooks/stripe, POST /webhooks/paypal (and the old
/accounts/webhooks/stripe/, /accounts/webhooks/paypal/), GET /healthz, GET /metrics.
The first line on stderr names the bound address; then one line per request.
SIGTERM or SIGINT: finish the requests in flight, exit 0.";

/// `tally serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Keep loopback: a reverse proxy terminates TLS in front.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub bind: String,
    /// Worker threads: HTTP and verification in parallel, the database work
    /// in turn on one connection.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, value_name = "BYTES", default_value_t = 1_048_576)]
    pub max_body: usize,
    /// How old a Stripe signature timestamp may be, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub stripe_tolerance: u32,
    /// How far a PayPal transmission time may be from now, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub paypal_tolerance: u32,
    /// Verify PayPal deliveries with this certificate and never fetch one.
    #[arg(long, value_name = "PEM")]
    pub paypal_cert: Option<PathBuf>,
    /// Where fetched PayPal certificates are cached [default: tally-paypal-certs
    /// beside the database].
    #[arg(long, value_name = "DIR")]
    pub paypal_cert_cache: Option<PathBuf>,
    /// One line per request: text, or JSON lines.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
    /// Accept PAYPAL_WEBHOOK_ID=WEBHOOK_ID, the id PayPal's simulator signs with
    /// (anyone can aim the simulator at any URL: test listeners only).
    #[arg(long)]
    pub paypal_allow_simulator: bool,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

/// `tally orphans`: lists the open orphans (exit 1 when there are any).
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OrphansArgs {
    #[command(subcommand)]
    pub action: Option<OrphanAction>,
    /// One JSON array on standard output.
    #[arg(long)]
    pub json: bool,
    /// Linked and dismissed orphans too.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum OrphanAction {
    /// Attach orphan ID to ORDER's payment and apply its event there.
    Link { id: i64, order: String },
    /// Close orphan ID without applying it, once dealt with.
    Dismiss {
        id: i64,
        /// What was done, kept with the orphan.
        #[arg(long)]
        note: Option<String>,
    },
}

/// `tally webhooks`: the most recent requests (with --failed, exit 1 when any).
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct WebhooksArgs {
    #[command(subcommand)]
    pub action: Option<WebhookAction>,
    /// Only the events whose processing failed and was never applied.
    #[arg(long)]
    pub failed: bool,
    /// One JSON array on standard output.
    #[arg(long)]
    pub json: bool,
    /// How many of the most recent rows.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

#[derive(Debug, Clone, Subcommand)]
pub enum WebhookAction {
    /// Re-run the processing of logged request ID's stored verified event
    /// (not its signature check, whose timestamp has expired).
    Replay { id: i64 },
    /// Drop the stored bodies (customers' personal data) and remote addresses
    /// of requests older than DURATION; event ids and results stay, so
    /// re-deliveries are still recognised as duplicates.
    Prune {
        /// e.g. 30d, 90d, 12w.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        older_than: chrono::Duration,
    },
}

/// `tally send-test-event`.
#[derive(Debug, Clone, clap::Args)]
pub struct SendTestEventArgs {
    /// The provider (Stripe only: PayPal signs with a key tally does not have).
    #[arg(value_enum)]
    pub provider: TestProvider,
    /// The event type, e.g. payment_intent.succeeded, charge.refunded.
    #[arg(value_name = "TYPE")]
    pub event_type: String,
    /// The order the event is about: it will change.
    #[arg(long, value_name = "NUMBER")]
    pub order: String,
    /// The listener's Stripe URL.
    #[arg(long, default_value = "http://127.0.0.1:8787/webhooks/stripe")]
    pub url: String,
    /// The amount to report [default: the order's total, read from --db].
    #[arg(long)]
    pub amount: Option<String>,
    /// The currency of --amount.
    #[arg(long)]
    pub currency: Option<String>,
}

/// `tally doctor`.
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Also read KEY=VALUE lines from this file (the listener's systemd
    /// EnvironmentFile), to check the secrets the listener will get.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// The listener's --paypal-cert, if it pins one.
    #[arg(long, value_name = "PEM")]
    pub paypal_cert: Option<PathBuf>,
    /// The listener's --paypal-cert-cache [default: tally-paypal-certs
    /// beside the database].
    #[arg(long, value_name = "DIR")]
    pub paypal_cert_cache: Option<PathBuf>,
    /// One JSON array of checks on standard output.
    #[arg(long)]
    pub json: bool,
}

/// The providers `send-test-event` can sign for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestProvider {
    Stripe,
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
