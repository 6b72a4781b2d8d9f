//! The command line as clap types. Nothing here does any work: [`Cli`] is
//! turned once into a [`Config`](super::Config) and a command, and the
//! commands run from those.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::{OrderPaymentStatus, PaymentStatus, Provider};
use crate::i18n::words;
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

    /// The language people read (fr, en) [default: TALLY_LANG, else the
    /// locale: LC_ALL, LC_MESSAGES, LANG]. JSON never changes with it.
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<crate::i18n::Lang>,

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
    /// Run the Stripe, PayPal and Wave webhook listener (secrets from the environment).
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Provider events that matched no payment: list, link to an order, dismiss.
    Orphans(OrphansArgs),
    /// The webhook log: list requests, failed events; replay a stored event.
    Webhooks(WebhooksArgs),
    /// Send a signed Stripe or Wave test event to a listener; it changes that order.
    SendTestEvent(SendTestEventArgs),
    /// Refund orders through their provider's API (Stripe, PayPal, Wave
    /// Checkout), exactly once.
    #[command(after_help = REFUND_HELP)]
    Refund(RefundArgs),
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
    /// Ask the providers for the events their webhooks may not have
    /// delivered, and apply them as the listener would.
    #[command(after_help = SYNC_HELP)]
    Sync(SyncArgs),
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
    /// at the provider unless --refund: tally records that a refund is owed).
    /// A payment pending in tally is first asked about at its provider.
    #[command(after_help = CANCEL_HELP)]
    Cancel {
        #[arg(required = true)]
        numbers: Vec<String>,
        /// Also refund what each order's payment keeps, through its provider.
        #[arg(long)]
        refund: bool,
        /// Cancel without asking the provider about a pending payment (when
        /// it cannot be reached).
        #[arg(long)]
        offline: bool,
        /// With --refund: the refund's reason (Stripe: duplicate, fraudulent,
        /// requested_by_customer; any text is kept in the metadata).
        #[arg(long, requires = "refund")]
        reason: Option<String>,
        /// With --refund: do not ask for confirmation (required without a
        /// terminal).
        #[arg(long, requires = "refund")]
        yes: bool,
        #[command(flatten)]
        api: ApiArgs,
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
        #[arg(long, value_parser = words::clap_parser::<Provider>)]
        provider: Option<Provider>,
    },
    /// Set the order's payment status and carry it to its payment
    /// (pending, paid, failed, refunded; the French words too).
    SetPaymentStatus {
        number: String,
        #[arg(value_parser = words::clap_parser::<OrderPaymentStatus>)]
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
    /// (pending, completed, failed, cancelled; the French words too). NUMBER
    /// is the order number.
    SetStatus {
        number: String,
        #[arg(value_parser = words::clap_parser::<PaymentStatus>)]
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
  WAVE_WEBHOOK_SECRET    the Wave webhook's secret (wave_sn_WHS_...); during a rotation,
                         the old and the new one, comma-separated. Unset: Wave off.
Routes: POST /webhooks/stripe, POST /webhooks/paypal, POST /webhooks/wave (and the old
/accounts/webhooks/stripe/, /accounts/webhooks/paypal/), GET /healthz, GET /metrics.
The first line on stderr names the bound address; then one line per request.
SIGTERM or SIGINT: finish the requests in flight, exit 0.";

/// `tally serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on: HOST:PORT, or unix:PATH (a socket with mode 0660
    /// for the reverse proxy). Repeat for several (e.g. the socket for nginx
    /// plus 127.0.0.1:8787 for /healthz and /metrics).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub bind: Vec<String>,
    /// Allow a TCP --bind beyond loopback: a reverse proxy guards it (tally
    /// has no timeouts and trusts Content-Length; only the proxy stops those).
    #[arg(long)]
    pub behind_proxy: bool,
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
    /// How far a PayPal transmission time may be from now, in seconds
    /// [default: no window: PayPal retries for 3 days, and nothing says a
    /// retry is signed afresh].
    #[arg(long, value_name = "SECS")]
    pub paypal_tolerance: Option<u32>,
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
    /// Wave's security strategy, as chosen when the webhook was registered:
    /// signing (the Wave-Signature header) or bearer (Authorization: Bearer).
    #[arg(long, value_enum, default_value_t = WaveAuthArg::Signing)]
    pub wave_auth: WaveAuthArg,
    /// How far a Wave-Signature timestamp may be from now, in seconds
    /// [default: no limit; event ids are de-duplicated, and Wave's retries
    /// are not known to be signed afresh].
    #[arg(long, value_name = "SECS")]
    pub wave_tolerance: Option<u32>,
}

/// `--wave-auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaveAuthArg {
    Signing,
    Bearer,
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
    /// The provider (Stripe or Wave: PayPal signs with a key tally does not have).
    #[arg(value_enum)]
    pub provider: TestProvider,
    /// The event type, e.g. payment_intent.succeeded, charge.refunded,
    /// checkout.session.completed, merchant.payment_received.
    #[arg(value_name = "TYPE")]
    pub event_type: String,
    /// The order the event is about: it will change.
    #[arg(long, value_name = "NUMBER")]
    pub order: String,
    /// The listener's URL for the provider [default:
    /// http://127.0.0.1:8787/webhooks/PROVIDER].
    #[arg(long)]
    pub url: Option<String>,
    /// Wave only: the strategy the listener verifies with (--wave-auth of
    /// `tally serve`).
    #[arg(long, value_enum, default_value_t = WaveAuthArg::Signing)]
    pub wave_auth: WaveAuthArg,
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
    #[command(flatten)]
    pub api: ApiArgs,
}

/// What `tally refund --help` adds after the flags.
pub const REFUND_HELP: &str = "\
Environment (never printed or stored):
  STRIPE_API_KEY          a restricted key (rk_...) with write access to refunds
  PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_MODE (live or sandbox)
  WAVE_API_KEY            (Wave Checkout payments, whole refunds only)
  TALLY_API_TIMEOUT       seconds per API call (default 30)
Each refund is recorded as an intent with a random idempotency key before the
provider is called: a retry, by you or anyone, cannot refund twice. A refund
left unknown (a timeout, a lost connection) blocks new refunds of its payment
until `tally refund NUMBER` is run again and settles it.
Exit: 0 every refund made; 1 any refused (by tally or the provider; nothing
changed by tally's refusals); 2 any left unknown, or an error before any call.";

/// What `tally order cancel --help` adds after the flags.
pub const CANCEL_HELP: &str = "\
The guard: an order whose payment is pending in tally is first asked about at
its provider (when its API credentials are set). Paid there: the payment is
brought up to date and the order is not cancelled. Still cancellable (a Stripe
PaymentIntent not yet succeeded, an open Wave checkout): cancelled there too.
Processing, or the provider cannot be reached: not cancelled (--offline
cancels without asking).
Exit: 0 every order cancelled (and refunded); 1 any skipped or refused; 2 a
refund left unknown, or an error.";

/// `tally refund`.
#[derive(Debug, Clone, clap::Args)]
pub struct RefundArgs {
    /// Order numbers.
    #[arg(required = true)]
    pub numbers: Vec<String>,
    /// Which payment, by its reference, when the order has several that
    /// keep money (one order only).
    #[arg(long, value_name = "REFERENCE")]
    pub payment: Option<String>,
    /// How much, in the payment's currency (one order only) [default: all
    /// the payment keeps]; less is a partial refund, more is refused.
    #[arg(long)]
    pub amount: Option<String>,
    /// The reason (Stripe: duplicate, fraudulent, requested_by_customer; any
    /// text is kept in the metadata; PayPal: the note to the payer).
    #[arg(long)]
    pub reason: Option<String>,
    /// Print what would be refunded; ask nothing, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// What `tally sync --help` adds after the flags.
pub const SYNC_HELP: &str = "\
Environment (never printed or stored):
  STRIPE_API_KEY          a restricted key (rk_...) with read access to events,
                          PaymentIntents, charges, disputes and refunds
  PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_MODE (live or sandbox)
  WAVE_API_KEY            a Wave API key with the Checkout API (without request signing)
  TALLY_API_TIMEOUT       seconds per API call (default 30)
Exit: 0 in sync afterwards (changes applied are reported, not a failure);
1 problems remain (an event that failed to apply, a watermark too old);
2 an error (bad credentials, a provider that does not answer as documented).
A second sync on the same database while one runs says so and exits 0.
Cron: tally sync --quiet; tally check --fix --quiet";

/// `tally sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Which providers [default: every one whose credentials are set].
    #[arg(value_enum, value_name = "PROVIDER")]
    pub providers: Vec<SyncProvider>,
    /// Read events from this far back (e.g. 10d, 36h) or this time
    /// (2026-05-01, 2026-05-01T12:00:00Z), instead of from the watermark
    /// [first run: 3d].
    #[arg(long, value_name = "DURATION|TIME", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Also ask the provider about these orders' payments, whatever their
    /// age (repeatable).
    #[arg(long = "order", value_name = "NUMBER")]
    pub orders: Vec<String>,
    /// Fetch and print what would change; write nothing (not even the
    /// watermark).
    #[arg(long)]
    pub dry_run: bool,
    /// Print nothing when nothing changed and no problem remains.
    #[arg(long, short)]
    pub quiet: bool,
    /// One JSON object on standard output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// The providers `tally sync` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncProvider {
    Stripe,
    Paypal,
    Wave,
}

/// `--since`: a duration back from now, or a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(chrono::Duration),
    At(chrono::DateTime<chrono::Utc>),
}

fn parse_since(s: &str) -> Result<Since, String> {
    let t = s.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(Since::At(at.with_timezone(&chrono::Utc)));
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Since::At(day.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    humantime::parse_duration(t)
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(Since::Ago)
        .ok_or_else(|| {
            format!(
                "{s:?} is neither a duration (10d, 36h) nor a time (2026-05-01, 2026-05-01T12:00:00Z)"
            )
        })
}

/// The providers' API hosts (tests and staging); the defaults are the live
/// hosts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ApiArgs {
    /// Stripe's API [default: https://api.stripe.com].
    #[arg(long, value_name = "URL", env = "TALLY_STRIPE_API")]
    pub stripe_api: Option<String>,
    /// PayPal's API [default: by PAYPAL_MODE, https://api-m.paypal.com].
    #[arg(long, value_name = "URL", env = "TALLY_PAYPAL_API")]
    pub paypal_api: Option<String>,
    /// Wave's API [default: https://api.wave.com].
    #[arg(long, value_name = "URL", env = "TALLY_WAVE_API")]
    pub wave_api: Option<String>,
}

/// The providers `send-test-event` can sign for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestProvider {
    Stripe,
    Wave,
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
