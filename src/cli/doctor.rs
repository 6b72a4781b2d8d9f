//! `tally doctor`: is this set-up ready to keep the shop consistent?
//!
//! Two halves, so that every verdict is tested without a machine to break:
//! [`gather`] reads the facts (file modes and owners, the environment, the
//! certificate cache, and the database through a read-only connection that
//! never migrates), then [`judge`], a pure function, turns them into one
//! [`Check`] per line: ok, warning or problem, with a hint.
//!
//! What it promises: it changes nothing (no migration, no file created), and
//! it never prints a secret: only whether one is set and what it looks like.
//! Exit codes: 0 every check ok; 1 a warning or a problem; 2 doctor itself
//! could not run (an unreadable `--env-file`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::args::DoctorArgs;
use super::serve::{PAYPAL_SIMULATOR_ID, default_cert_cache, parse_stripe_secrets};
use super::{Config, Exit, print_json};
use crate::domain::{Timestamp, format_ts, parse_ts};
use crate::providers::paypal::PaypalCert;
use crate::store::{Store, StoreError};

/// A WAL file larger than this means checkpoints are being held back.
pub const WAL_WARN_BYTES: u64 = 64 * 1024 * 1024;
/// Bad signatures in 24 h from which a rotated secret is suspected.
pub const REJECTIONS_SUSPECT: i64 = 3;
/// A pinned certificate that expires sooner than this is flagged.
pub const CERT_EXPIRY_WARN_DAYS: i64 = 30;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Problem,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Problem => "problem",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub message: String,
    pub hint: Option<String>,
}

fn ok(name: &'static str, message: impl Into<String>) -> Check {
    Check {
        name,
        status: Status::Ok,
        message: message.into(),
        hint: None,
    }
}

fn flag(
    name: &'static str,
    status: Status,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Check {
    Check {
        name,
        status,
        message: message.into(),
        hint: Some(hint.into()),
    }
}

/// A file's mode bits and owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFacts {
    pub mode: u32,
    pub uid: u32,
}

/// What the database says, read without changing it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbFacts {
    pub schema_found: i64,
    pub journal_mode: String,
    pub stripe_payments: i64,
    pub paypal_payments: i64,
    /// The newest Stripe or PayPal payment's creation time.
    pub latest_provider_payment: Option<Timestamp>,
    /// The last verified delivery: when, from whom, what.
    pub last_webhook: Option<(Timestamp, String, String)>,
    /// Rows of the last 24 h: (provider, signature outcome) → count, for
    /// rejected requests and for verified ones.
    pub rejected_24h: BTreeMap<(String, String), i64>,
    pub verified_24h: BTreeMap<String, i64>,
}

/// `STRIPE_WEBHOOK_SECRET` as seen, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeSecret {
    Unset,
    /// Refused as `tally serve` would refuse it (the reason holds no secret).
    Refused(String),
    Set {
        count: usize,
        /// How many do not start with `whsec_`.
        unusual: usize,
    },
}

/// `PAYPAL_WEBHOOK_ID` as seen, without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaypalId {
    Unset,
    Simulator,
    Set,
}

/// Where the listener's PayPal certificates would come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertFacts {
    /// `--paypal-cert PEM`: parsed (subject ok, valid until) or why not.
    Pinned {
        path: PathBuf,
        parsed: Result<(bool, Timestamp), String>,
    },
    /// The cache directory: missing, unreadable, or its files.
    Cache {
        dir: PathBuf,
        meta: Option<FileFacts>,
        listing: Result<CacheListing, String>,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheListing {
    pub certificates: usize,
    pub unusable: usize,
}

/// Everything [`judge`] looks at.
#[derive(Debug, Clone)]
pub struct Facts {
    pub now: Timestamp,
    /// The effective user id, when known (Linux: the owner of /proc/self).
    pub uid: Option<u32>,
    pub db_path: PathBuf,
    pub db: Result<DbFacts, String>,
    pub db_missing: bool,
    pub db_file: Option<FileFacts>,
    pub db_dir: Option<FileFacts>,
    pub wal: Option<(u64, FileFacts)>,
    pub stripe: StripeSecret,
    pub paypal: PaypalId,
    /// `--env-file`: its path and mode.
    pub env_file: Option<(PathBuf, FileFacts)>,
    pub certs: CertFacts,
}

#[cfg(unix)]
fn file_facts(path: &Path) -> Option<FileFacts> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(FileFacts {
        mode: m.mode() & 0o7777,
        uid: m.uid(),
    })
}

#[cfg(not(unix))]
fn file_facts(_path: &Path) -> Option<FileFacts> {
    None
}

/// Reads `KEY=VALUE` lines the way systemd's `EnvironmentFile=` does for
/// simple files: `#` comments, blank lines, optional `export `, optional
/// matching quotes around the value.
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q))
            .unwrap_or(value);
        vars.insert(key.trim().to_owned(), unquoted.to_owned());
    }
    vars
}

fn stripe_facts(raw: Option<&str>) -> StripeSecret {
    match raw {
        None => StripeSecret::Unset,
        Some(raw) => match parse_stripe_secrets(raw) {
            Ok(list) => StripeSecret::Set {
                count: list.len(),
                unusual: list.iter().filter(|s| !s.starts_with("whsec_")).count(),
            },
            Err(e) => StripeSecret::Refused(e.to_string()),
        },
    }
}

fn paypal_facts(raw: Option<&str>) -> PaypalId {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => PaypalId::Unset,
        Some(PAYPAL_SIMULATOR_ID) => PaypalId::Simulator,
        Some(_) => PaypalId::Set,
    }
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

fn db_facts(conn: &Connection, schema_found: i64, now: Timestamp) -> rusqlite::Result<DbFacts> {
    let mut facts = DbFacts {
        schema_found,
        journal_mode: conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
        ..DbFacts::default()
    };
    if table_exists(conn, "payments")? {
        let count = |provider: &str| {
            conn.query_row(
                "SELECT count(*) FROM payments WHERE provider = ?1",
                [provider],
                |r| r.get::<_, i64>(0),
            )
        };
        facts.stripe_payments = count("stripe")?;
        facts.paypal_payments = count("paypal")?;
        facts.latest_provider_payment = conn
            .query_row(
                "SELECT max(created_at) FROM payments WHERE provider IN ('stripe', 'paypal')",
                [],
                |r| r.get::<_, Option<String>>(0),
            )?
            .and_then(|t| parse_ts(&t).ok());
    }
    if table_exists(conn, "webhook_log")? {
        facts.last_webhook = conn
            .query_row(
                "SELECT received_at, coalesce(provider, '-'), coalesce(event_type, '-')
                 FROM webhook_log WHERE signature = 'verified' ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?
            .and_then(|(at, p, t)| Some((parse_ts(&at).ok()?, p, t)));
        let since = format_ts(now - chrono::Duration::hours(24));
        let mut stmt = conn.prepare(
            "SELECT coalesce(provider, '-'), signature, result = 'rejected', count(*)
             FROM webhook_log WHERE received_at >= ?1
               AND (signature = 'verified' OR result = 'rejected')
             GROUP BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([&since], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (provider, signature, rejected, n) = row?;
            if signature == "verified" {
                *facts.verified_24h.entry(provider).or_default() += n;
            } else if rejected {
                *facts.rejected_24h.entry((provider, signature)).or_default() += n;
            }
        }
    }
    Ok(facts)
}

fn cache_listing(dir: &Path) -> Result<CacheListing, String> {
    let mut listing = CacheListing::default();
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_none_or(|e| e != "pem") {
            continue;
        }
        match std::fs::read(&path).map(|pem| PaypalCert::from_pem(&pem)) {
            Ok(Ok(_)) => listing.certificates += 1,
            Ok(Err(_)) | Err(_) => listing.unusable += 1,
        }
    }
    Ok(listing)
}

/// Reads every fact; changes nothing.
pub fn gather(config: &Config, args: &DoctorArgs) -> anyhow::Result<Facts> {
    let now = Utc::now();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for key in ["STRIPE_WEBHOOK_SECRET", "PAYPAL_WEBHOOK_ID"] {
        if let Ok(v) = std::env::var(key) {
            env.insert(key.to_owned(), v);
        }
    }
    let env_file = match &args.env_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --env-file {}", path.display()))?;
            env.extend(parse_env_file(&text));
            file_facts(path).map(|f| (path.clone(), f))
        }
        None => None,
    };
    let db_path = config.db.clone();
    let (db, db_missing) = match Store::inspect(&db_path) {
        Ok((conn, version)) => (
            db_facts(&conn, version, now).map_err(|e| e.to_string()),
            false,
        ),
        Err(e @ StoreError::Missing(_)) => (Err(e.to_string()), true),
        Err(e) => (Err(e.to_string()), false),
    };
    let dir = db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let mut wal_path = db_path.clone().into_os_string();
    wal_path.push("-wal");
    let wal_path = PathBuf::from(wal_path);
    let wal = std::fs::metadata(&wal_path)
        .ok()
        .and_then(|m| Some((m.len(), file_facts(&wal_path)?)));
    let certs = match &args.paypal_cert {
        Some(path) => CertFacts::Pinned {
            path: path.clone(),
            parsed: std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|pem| PaypalCert::from_pem(&pem).map_err(|e| e.to_string()))
                .map(|c| (c.check_subject().is_ok(), c.not_after())),
        },
        None => {
            let dir = args
                .paypal_cert_cache
                .clone()
                .unwrap_or_else(|| default_cert_cache(&db_path));
            CertFacts::Cache {
                meta: file_facts(&dir),
                listing: if dir.exists() {
                    cache_listing(&dir)
                } else {
                    Ok(CacheListing::default())
                },
                dir,
            }
        }
    };
    Ok(Facts {
        now,
        uid: file_facts(Path::new("/proc/self")).map(|f| f.uid),
        db_file: file_facts(&db_path),
        db_dir: file_facts(&dir),
        db_path,
        db,
        db_missing,
        wal,
        stripe: stripe_facts(env.get("STRIPE_WEBHOOK_SECRET").map(String::as_str)),
        paypal: paypal_facts(env.get("PAYPAL_WEBHOOK_ID").map(String::as_str)),
        env_file,
        certs,
    })
}

fn ago(now: Timestamp, then: Timestamp) -> String {
    let d = now.signed_duration_since(then);
    if d.num_days() >= 2 {
        format!("{} days ago", d.num_days())
    } else if d.num_hours() >= 2 {
        format!("{} h ago", d.num_hours())
    } else {
        format!("{} min ago", d.num_minutes().max(0))
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The checks of a private file (the database, its WAL, the env file).
fn private_file(
    name: &'static str,
    what: &str,
    path: &Path,
    f: FileFacts,
    uid: Option<u32>,
) -> Check {
    let shown = path.display();
    if f.mode & 0o006 != 0 {
        return flag(
            name,
            Status::Problem,
            format!(
                "{shown} is accessible to every user (mode {:04o}): {what}",
                f.mode
            ),
            format!("chmod 600 {shown}"),
        );
    }
    if f.mode & 0o060 != 0 {
        return flag(
            name,
            Status::Warning,
            format!(
                "{shown} is accessible to its group (mode {:04o}): {what}",
                f.mode
            ),
            format!("chmod 600 {shown}, unless that group is meant to read it"),
        );
    }
    if let Some(me) = uid.filter(|me| *me != f.uid) {
        return flag(
            name,
            Status::Warning,
            format!("{shown} belongs to uid {}, and this is uid {me}", f.uid),
            "run the listener, cron and the dashboard as the file's owner (one system user), e.g. `sudo -u tally tally doctor`",
        );
    }
    ok(
        name,
        format!("{shown} is private to its owner (mode {:04o})", f.mode),
    )
}

/// Turns facts into checks, in a fixed order. Pure.
pub fn judge(f: &Facts) -> Vec<Check> {
    let mut checks = Vec::new();
    let db_shown = f.db_path.display();
    let supported = i64::try_from(Store::schema_version()).unwrap_or(i64::MAX);
    // Database reachable and migrated.
    checks.push(match &f.db {
        Err(e) if f.db_missing => flag(
            "database",
            Status::Problem,
            e.clone(),
            "point --db or TALLY_DB at the shop's file",
        ),
        Err(e) => flag(
            "database",
            Status::Problem,
            format!("{db_shown} cannot be read: {e}"),
            "check that this user can read the file and its directory",
        ),
        Ok(db) if db.schema_found > supported => flag(
            "database",
            Status::Problem,
            format!(
                "{db_shown} has schema version {}, newer than this tally ({supported})",
                db.schema_found
            ),
            "upgrade tally: an older binary refuses this database",
        ),
        Ok(db) if db.schema_found < supported => flag(
            "database",
            Status::Warning,
            format!(
                "{db_shown} has schema version {}, this tally writes {supported}",
                db.schema_found
            ),
            "the next tally command migrates it: take a `tally backup` first",
        ),
        Ok(db) if !db.journal_mode.eq_ignore_ascii_case("wal") => flag(
            "database",
            Status::Warning,
            format!("{db_shown} is in journal mode {}, not WAL", db.journal_mode),
            "any tally command (e.g. `tally check`) switches it to WAL",
        ),
        Ok(db) => ok(
            "database",
            format!(
                "{db_shown} opens, schema version {} (up to date), WAL journal",
                db.schema_found
            ),
        ),
    });
    // Permissions.
    if let Some(file) = f.db_file {
        checks.push(private_file(
            "db file",
            "it holds customers' personal data",
            &f.db_path,
            file,
            f.uid,
        ));
    }
    if let Some(dir) = f.db_dir {
        let shown = f
            .db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .display()
            .to_string();
        checks.push(if dir.mode & 0o002 != 0 && dir.mode & 0o1000 == 0 {
            flag(
                "db directory",
                Status::Problem,
                format!("{shown} is writable by every user (mode {:04o}): anyone can replace the database", dir.mode),
                format!("chmod 750 {shown} (owned by the tally user)"),
            )
        } else if f.uid.is_some_and(|me| me != 0 && me != dir.uid) {
            flag(
                "db directory",
                Status::Warning,
                format!("{shown} belongs to uid {}, not to this user", dir.uid),
                "SQLite creates the -wal and -shm files beside the database: the directory must be writable by the tally user",
            )
        } else if f.uid != Some(0) && dir.mode & 0o200 == 0 {
            flag(
                "db directory",
                Status::Problem,
                format!("{shown} is not writable by its owner (mode {:04o})", dir.mode),
                "SQLite creates the -wal and -shm files beside the database: chmod u+w it",
            )
        } else {
            ok("db directory", format!("{shown} (mode {:04o})", dir.mode))
        });
    }
    // WAL size.
    checks.push(match f.wal {
        None => ok("wal", "no write-ahead log file right now (nothing uncheckpointed)"),
        Some((bytes, _)) if bytes > WAL_WARN_BYTES => flag(
            "wal",
            Status::Warning,
            format!("the write-ahead log is {} (over {})", mib(bytes), mib(WAL_WARN_BYTES)),
            "a long-lived reader keeps SQLite from checkpointing (a dashboard left open?); it shrinks once readers close",
        ),
        Some((bytes, meta)) => {
            let mut wal_path = f.db_path.clone().into_os_string();
            wal_path.push("-wal");
            let perms = private_file(
                "wal",
                "it holds recent changes to the shop",
                Path::new(&wal_path),
                meta,
                f.uid,
            );
            if perms.status == Status::Ok {
                ok("wal", format!("the write-ahead log is {}", mib(bytes)))
            } else {
                perms
            }
        }
    });
    // Secrets.
    let (stripe_payments, paypal_payments) = match &f.db {
        Ok(db) => (db.stripe_payments, db.paypal_payments),
        Err(_) => (0, 0),
    };
    let env_hint = if f.env_file.is_some() {
        "set it in the --env-file the listener uses"
    } else {
        "set it where the listener's environment comes from, and check that with `tally doctor --env-file FILE`"
    };
    checks.push(match &f.stripe {
        StripeSecret::Unset if stripe_payments > 0 => flag(
            "stripe secret",
            Status::Warning,
            format!("STRIPE_WEBHOOK_SECRET is not set, but the shop has {stripe_payments} Stripe payments: their webhooks would be refused"),
            env_hint,
        ),
        StripeSecret::Unset => ok("stripe secret", "STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks are off"),
        StripeSecret::Refused(why) => flag(
            "stripe secret",
            Status::Problem,
            why.clone(),
            "copy the signing secret (whsec_...) from the endpoint's page in Stripe's dashboard",
        ),
        StripeSecret::Set { count, unusual } if *unusual > 0 => flag(
            "stripe secret",
            Status::Warning,
            format!("STRIPE_WEBHOOK_SECRET holds {count} secret(s), {unusual} not starting with whsec_"),
            "Stripe's endpoint signing secrets start with whsec_",
        ),
        StripeSecret::Set { count: 1, .. } => ok("stripe secret", "STRIPE_WEBHOOK_SECRET is set (1 secret)"),
        StripeSecret::Set { count, .. } => ok(
            "stripe secret",
            format!("STRIPE_WEBHOOK_SECRET is set ({count} secrets: a rotation in progress; drop the old one once Stripe has switched)"),
        ),
    });
    checks.push(match f.paypal {
        PaypalId::Unset if paypal_payments > 0 => flag(
            "paypal id",
            Status::Warning,
            format!("PAYPAL_WEBHOOK_ID is not set, but the shop has {paypal_payments} PayPal payments: their webhooks would be refused"),
            env_hint,
        ),
        PaypalId::Unset => ok("paypal id", "PAYPAL_WEBHOOK_ID is not set: PayPal webhooks are off"),
        PaypalId::Simulator => flag(
            "paypal id",
            Status::Problem,
            format!("PAYPAL_WEBHOOK_ID is {PAYPAL_SIMULATOR_ID}, the id PayPal's simulator signs with: anyone can send genuinely signed events"),
            "set your webhook's id (PayPal developer dashboard, your app, Webhooks)",
        ),
        PaypalId::Set => ok("paypal id", "PAYPAL_WEBHOOK_ID is set"),
    });
    if let Some((path, meta)) = &f.env_file {
        checks.push(private_file(
            "env file",
            "it holds the webhook secrets",
            path,
            *meta,
            f.uid,
        ));
    }
    // PayPal certificates.
    checks.push(match (&f.certs, f.paypal) {
        (_, PaypalId::Unset) => ok("paypal certs", "not used: PayPal webhooks are off"),
        (CertFacts::Pinned { path, parsed }, _) => match parsed {
            Err(e) => flag(
                "paypal certs",
                Status::Problem,
                format!("--paypal-cert {}: {e}", path.display()),
                "pin PayPal's PEM certificate, or drop --paypal-cert to fetch it",
            ),
            Ok((false, _)) => flag(
                "paypal certs",
                Status::Problem,
                format!("--paypal-cert {} is not PayPal's message-verification certificate", path.display()),
                "pin the certificate PAYPAL-CERT-URL names",
            ),
            Ok((true, until)) if *until < f.now => flag(
                "paypal certs",
                Status::Problem,
                format!("--paypal-cert {} expired on {}", path.display(), until.date_naive()),
                "pin PayPal's current certificate, or drop --paypal-cert to fetch it",
            ),
            Ok((true, until)) if *until < f.now + chrono::Duration::days(CERT_EXPIRY_WARN_DAYS) => flag(
                "paypal certs",
                Status::Warning,
                format!("--paypal-cert {} expires on {}", path.display(), until.date_naive()),
                "pin PayPal's next certificate before then",
            ),
            Ok((true, until)) => ok(
                "paypal certs",
                format!("--paypal-cert {} is PayPal's, valid until {}", path.display(), until.date_naive()),
            ),
        },
        (CertFacts::Cache { dir, meta, listing }, _) => {
            let shown = dir.display();
            match (meta, listing) {
                (None, _) => ok(
                    "paypal certs",
                    format!("{shown} does not exist yet: the listener creates it at the first PayPal delivery"),
                ),
                (Some(m), _) if m.mode & 0o022 != 0 => flag(
                    "paypal certs",
                    Status::Problem,
                    format!("{shown} is writable by others (mode {:04o}): a planted certificate would let them forge PayPal webhooks", m.mode),
                    format!("chmod 700 {shown}"),
                ),
                (Some(_), Err(e)) => flag(
                    "paypal certs",
                    Status::Problem,
                    format!("{shown} cannot be read: {e}"),
                    "the listener must own its certificate cache: chown it to the tally user",
                ),
                (Some(_), Ok(l)) if l.unusable > 0 => flag(
                    "paypal certs",
                    Status::Warning,
                    format!("{shown}: {} certificate(s), {} unreadable or unusable file(s)", l.certificates, l.unusable),
                    "unusable files are ignored and fetched again; remove them",
                ),
                (Some(_), Ok(l)) => ok(
                    "paypal certs",
                    format!("{shown} is readable, {} certificate(s) cached", l.certificates),
                ),
            }
        }
    });
    // Webhooks received, and refused.
    if let Ok(db) = &f.db {
        checks.push(match (&db.last_webhook, db.latest_provider_payment) {
            (None, Some(_)) => flag(
                "last webhook",
                Status::Warning,
                "no verified webhook was ever received, though the shop has Stripe or PayPal payments",
                "check the endpoint URL at the provider and that the listener is reachable; try `tally send-test-event`",
            ),
            (None, None) => ok("last webhook", "none received yet (and no Stripe or PayPal payments)"),
            (Some((at, provider, kind)), latest)
                if latest.is_some_and(|p| p > *at + chrono::Duration::hours(24)) =>
            {
                flag(
                    "last webhook",
                    Status::Warning,
                    format!(
                        "the last verified webhook was {} ({provider} {kind}), but payments were created since",
                        ago(f.now, *at)
                    ),
                    "is the listener up and reachable? `systemctl status tally`, the proxy's error log, the provider's delivery log",
                )
            }
            (Some((at, provider, kind)), _) => ok(
                "last webhook",
                format!("{} ({provider} {kind}, {})", ago(f.now, *at), format_ts(*at)),
            ),
        });
        checks.push(rejections(db));
    }
    checks
}

fn rejections(db: &DbFacts) -> Check {
    let count = |provider: &str, signature: &str| {
        db.rejected_24h
            .get(&(provider.to_owned(), signature.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    for (provider, name, setting) in [
        ("stripe", "Stripe", "STRIPE_WEBHOOK_SECRET"),
        ("paypal", "PayPal", "PAYPAL_WEBHOOK_ID"),
    ] {
        let bad = count(provider, "invalid");
        let good = db.verified_24h.get(provider).copied().unwrap_or(0);
        if bad >= REJECTIONS_SUSPECT && good == 0 {
            return flag(
                "rejections",
                Status::Problem,
                format!(
                    "{bad} {name} deliveries with a bad signature in the last 24 h and none verified: a secret rotated at {name} but not here?"
                ),
                format!(
                    "set {setting} to the endpoint's current value (during a rotation, Stripe's old and new secrets comma-separated) and restart the listener"
                ),
            );
        }
        if bad >= REJECTIONS_SUSPECT {
            return flag(
                "rejections",
                Status::Warning,
                format!(
                    "{bad} {name} deliveries with a bad signature in the last 24 h ({good} verified)"
                ),
                "someone probing the endpoint, or a second endpoint at the provider with another secret: `tally webhooks` lists them",
            );
        }
        let unconfigured = count(provider, "unconfigured");
        if unconfigured > 0 {
            return flag(
                "rejections",
                Status::Warning,
                format!(
                    "{unconfigured} {name} deliveries refused in the last 24 h because {setting} is not set"
                ),
                format!(
                    "set {setting} in the listener's environment, or remove the endpoint at {name}"
                ),
            );
        }
    }
    let expired: i64 = ["stripe", "paypal"]
        .iter()
        .map(|p| count(p, "expired"))
        .sum();
    if expired >= REJECTIONS_SUSPECT {
        return flag(
            "rejections",
            Status::Warning,
            format!("{expired} deliveries refused as expired in the last 24 h"),
            "is this machine's clock right? `timedatectl` (NTP); or a proxy holding requests for minutes",
        );
    }
    let total: i64 = db.rejected_24h.values().sum();
    ok(
        "rejections",
        format!("{total} request(s) refused in the last 24 h, none suggesting a wrong secret"),
    )
}

/// `tally doctor`.
pub fn doctor(config: &Config, args: &DoctorArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let facts = gather(config, args)?;
    let checks = judge(&facts);
    if args.json {
        print_json(out, &serde_json::to_value(&checks)?)?;
    } else {
        for c in &checks {
            let mut line = format!("{:<8} {:<14} {}", c.status.as_str(), c.name, c.message);
            if let Some(hint) = &c.hint {
                line.push_str(&format!(" (hint: {hint})"));
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(if checks.iter().all(|c| c.status == Status::Ok) {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::now;

    /// A healthy set-up: every check ok.
    fn healthy() -> Facts {
        let me = FileFacts {
            mode: 0o600,
            uid: 1000,
        };
        Facts {
            now: now(),
            uid: Some(1000),
            db_path: PathBuf::from("/var/lib/tally/tally.db"),
            db: Ok(DbFacts {
                schema_found: i64::try_from(Store::schema_version()).unwrap(),
                journal_mode: "wal".into(),
                stripe_payments: 10,
                paypal_payments: 0,
                latest_provider_payment: Some(now() - chrono::Duration::hours(3)),
                last_webhook: Some((
                    now() - chrono::Duration::hours(2),
                    "stripe".into(),
                    "payment_intent.succeeded".into(),
                )),
                rejected_24h: BTreeMap::new(),
                verified_24h: [("stripe".to_owned(), 5)].into(),
            }),
            db_missing: false,
            db_file: Some(me),
            db_dir: Some(FileFacts { mode: 0o750, ..me }),
            wal: Some((4 * 1024 * 1024, me)),
            stripe: StripeSecret::Set {
                count: 1,
                unusual: 0,
            },
            paypal: PaypalId::Unset,
            env_file: Some((PathBuf::from("/etc/tally/env"), me)),
            certs: CertFacts::Cache {
                dir: PathBuf::from("/var/lib/tally/tally-paypal-certs"),
                meta: None,
                listing: Ok(CacheListing::default()),
            },
        }
    }

    fn only(facts: &Facts, name: &str) -> Check {
        judge(facts)
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}"))
    }

    #[test]
    fn a_healthy_set_up_is_all_ok() {
        let checks = judge(&healthy());
        assert_eq!(checks.len(), 10, "{checks:#?}");
        for c in &checks {
            assert_eq!(c.status, Status::Ok, "{c:?}");
            assert!(c.hint.is_none());
        }
    }

    #[test]
    fn database_problems() {
        let mut f = healthy();
        f.db = Err("no database at x".into());
        f.db_missing = true;
        assert_eq!(only(&f, "database").status, Status::Problem);
        // Without a database, no webhook checks.
        assert!(judge(&f).iter().all(|c| c.name != "last webhook"));

        let mut f = healthy();
        if let Ok(db) = &mut f.db {
            db.schema_found = 3;
        }
        let c = only(&f, "database");
        assert_eq!(c.status, Status::Warning);
        assert!(c.hint.unwrap().contains("backup"));
        if let Ok(db) = &mut f.db {
            db.schema_found = 99;
        }
        assert_eq!(only(&f, "database").status, Status::Problem);
    }

    #[test]
    fn permissions() {
        let mut f = healthy();
        f.db_file = Some(FileFacts {
            mode: 0o644,
            uid: 1000,
        });
        let c = only(&f, "db file");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("0644") && c.hint.unwrap().contains("chmod 600"));
        f.db_file = Some(FileFacts {
            mode: 0o640,
            uid: 1000,
        });
        assert_eq!(only(&f, "db file").status, Status::Warning);
        f.db_file = Some(FileFacts {
            mode: 0o600,
            uid: 0,
        });
        let c = only(&f, "db file");
        assert_eq!(c.status, Status::Warning);
        assert!(c.message.contains("uid 0"), "{c:?}");

        let mut f = healthy();
        f.db_dir = Some(FileFacts {
            mode: 0o777,
            uid: 1000,
        });
        assert_eq!(only(&f, "db directory").status, Status::Problem);
        f.db_dir = Some(FileFacts {
            mode: 0o1777,
            uid: 0,
        });
        assert_eq!(only(&f, "db directory").status, Status::Warning);

        let mut f = healthy();
        f.env_file = Some((
            PathBuf::from("/etc/tally/env"),
            FileFacts {
                mode: 0o644,
                uid: 1000,
            },
        ));
        let c = only(&f, "env file");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("secrets"));
    }

    #[test]
    fn a_large_wal_is_a_warning() {
        let mut f = healthy();
        f.wal = Some((
            WAL_WARN_BYTES + 1,
            FileFacts {
                mode: 0o600,
                uid: 1000,
            },
        ));
        assert_eq!(only(&f, "wal").status, Status::Warning);
        f.wal = None;
        assert_eq!(only(&f, "wal").status, Status::Ok);
    }

    #[test]
    fn secrets_are_judged_never_shown() {
        let mut f = healthy();
        f.stripe = stripe_facts(Some("whsec_abc,whsec_def"));
        let c = only(&f, "stripe secret");
        assert_eq!(c.status, Status::Ok);
        assert!(c.message.contains("rotation") && !c.message.contains("whsec_abc"));
        f.stripe = stripe_facts(Some("sk_live_123"));
        let c = only(&f, "stripe secret");
        assert_eq!(c.status, Status::Problem);
        assert!(!c.message.contains("sk_live_123"), "{c:?}");
        f.stripe = stripe_facts(Some("secret"));
        assert_eq!(only(&f, "stripe secret").status, Status::Warning);
        f.stripe = stripe_facts(None);
        assert_eq!(
            only(&f, "stripe secret").status,
            Status::Warning,
            "10 Stripe payments"
        );

        f.paypal = paypal_facts(Some(" WEBHOOK_ID "));
        let c = only(&f, "paypal id");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("simulator"));
        f.paypal = paypal_facts(Some("8PT597110X687430LKGECATA"));
        assert_eq!(only(&f, "paypal id").status, Status::Ok);
        f.paypal = paypal_facts(Some("  "));
        assert_eq!(f.paypal, PaypalId::Unset);
    }

    #[test]
    fn paypal_certificates() {
        let mut f = healthy();
        f.paypal = PaypalId::Set;
        assert_eq!(only(&f, "paypal certs").status, Status::Ok);
        f.certs = CertFacts::Cache {
            dir: PathBuf::from("/tmp/c"),
            meta: Some(FileFacts {
                mode: 0o777,
                uid: 1000,
            }),
            listing: Ok(CacheListing::default()),
        };
        let c = only(&f, "paypal certs");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("forge"));
        f.certs = CertFacts::Cache {
            dir: PathBuf::from("/tmp/c"),
            meta: Some(FileFacts {
                mode: 0o700,
                uid: 1000,
            }),
            listing: Err("Permission denied".into()),
        };
        assert_eq!(only(&f, "paypal certs").status, Status::Problem);
        f.certs = CertFacts::Cache {
            dir: PathBuf::from("/tmp/c"),
            meta: Some(FileFacts {
                mode: 0o700,
                uid: 1000,
            }),
            listing: Ok(CacheListing {
                certificates: 1,
                unusable: 1,
            }),
        };
        assert_eq!(only(&f, "paypal certs").status, Status::Warning);
        let pinned = |parsed| CertFacts::Pinned {
            path: PathBuf::from("cert.pem"),
            parsed,
        };
        f.certs = pinned(Ok((true, now() - chrono::Duration::days(1))));
        assert_eq!(only(&f, "paypal certs").status, Status::Problem);
        f.certs = pinned(Ok((true, now() + chrono::Duration::days(10))));
        assert_eq!(only(&f, "paypal certs").status, Status::Warning);
        f.certs = pinned(Ok((true, now() + chrono::Duration::days(100))));
        assert_eq!(only(&f, "paypal certs").status, Status::Ok);
        f.certs = pinned(Ok((false, now() + chrono::Duration::days(100))));
        assert_eq!(only(&f, "paypal certs").status, Status::Problem);
    }

    #[test]
    fn webhooks_received() {
        let mut f = healthy();
        if let Ok(db) = &mut f.db {
            db.last_webhook = None;
        }
        assert_eq!(only(&f, "last webhook").status, Status::Warning);
        if let Ok(db) = &mut f.db {
            db.latest_provider_payment = None;
        }
        assert_eq!(only(&f, "last webhook").status, Status::Ok);
        if let Ok(db) = &mut f.db {
            db.last_webhook = Some((
                now() - chrono::Duration::days(5),
                "stripe".into(),
                "x".into(),
            ));
            db.latest_provider_payment = Some(now() - chrono::Duration::days(1));
        }
        let c = only(&f, "last webhook");
        assert_eq!(c.status, Status::Warning);
        assert!(c.message.contains("5 days ago"), "{c:?}");
    }

    #[test]
    fn bad_signatures_suggest_a_rotated_secret() {
        let mut f = healthy();
        let set = |f: &mut Facts, sig: &str, n: i64, verified: i64| {
            if let Ok(db) = &mut f.db {
                db.rejected_24h = [(("stripe".to_owned(), sig.to_owned()), n)].into();
                db.verified_24h = [("stripe".to_owned(), verified)].into();
            }
        };
        set(&mut f, "invalid", 2, 0);
        assert_eq!(only(&f, "rejections").status, Status::Ok);
        set(&mut f, "invalid", 3, 0);
        let c = only(&f, "rejections");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("rotated"), "{c:?}");
        set(&mut f, "invalid", 30, 4);
        assert_eq!(only(&f, "rejections").status, Status::Warning);
        set(&mut f, "expired", 5, 4);
        assert!(only(&f, "rejections").hint.unwrap().contains("clock"));
        set(&mut f, "unconfigured", 1, 0);
        assert_eq!(only(&f, "rejections").status, Status::Warning);
        set(&mut f, "missing", 50, 0);
        assert_eq!(only(&f, "rejections").status, Status::Ok);
    }

    #[test]
    fn env_files_are_read_like_systemd() {
        let vars = parse_env_file(
            "# secrets\nSTRIPE_WEBHOOK_SECRET=\"whsec_a,whsec_b\"\n\nexport PAYPAL_WEBHOOK_ID='WH-1'\nJUNK\nTALLY_DB = /x\n",
        );
        assert_eq!(vars["STRIPE_WEBHOOK_SECRET"], "whsec_a,whsec_b");
        assert_eq!(vars["PAYPAL_WEBHOOK_ID"], "WH-1");
        assert_eq!(vars["TALLY_DB"], "/x");
        assert_eq!(vars.len(), 3);
    }

    #[test]
    fn gathering_a_real_database_and_judging_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.db");
        drop(Store::open(&db, crate::store::OpenMode::CreateIfMissing).unwrap());
        let config = Config {
            db: db.clone(),
            actor: "test".into(),
        };
        let args = DoctorArgs {
            env_file: None,
            paypal_cert: None,
            paypal_cert_cache: None,
            json: false,
        };
        let facts = gather(&config, &args).unwrap();
        let db_facts = facts.db.as_ref().unwrap();
        assert_eq!(
            db_facts.schema_found,
            i64::try_from(Store::schema_version()).unwrap()
        );
        assert_eq!(db_facts.journal_mode, "wal");
        assert_eq!(facts.db_file.unwrap().mode, 0o600);
        let checks = judge(&facts);
        assert_eq!(only(&facts, "database").status, Status::Ok, "{checks:#?}");
        assert_eq!(only(&facts, "db file").status, Status::Ok, "{checks:#?}");

        let missing = Config {
            db: dir.path().join("typo.db"),
            actor: "test".into(),
        };
        let facts = gather(&missing, &args).unwrap();
        assert!(facts.db_missing);
        assert!(
            !dir.path().join("typo.db").exists(),
            "doctor creates nothing"
        );
    }
}
