//! `tally doctor`: is this set-up ready to keep the shop consistent?
//!
//! Two halves, so that every verdict is tested without a machine to break:
//! [`gather`] reads the facts (file modes and owners, the environment, the
//! certificate cache, and the database through a read-only connection that
//! never migrates), then [`judge`], a pure function, turns them into one
//! [`Check`] per line: ok, warning or problem, with a hint. Each check is
//! its own function in [`checks`].
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
use super::{Config, Exit, print_json};
use crate::domain::{Timestamp, format_ts, parse_ts};
use crate::i18n::tr;
use crate::providers::credentials::{
    PAYPAL_SIMULATOR_ID, WaveSecretShape, parse_stripe_secrets, parse_wave_secrets,
    wave_secret_shape,
};
use crate::providers::paypal::PaypalCert;
use crate::providers::paypal::default_cert_cache;
use crate::store::{Store, StoreError};

mod api;
mod checks;

pub use checks::judge;

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

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    /// What was found (English in JSON, in the owner's language on screen).
    pub message: crate::i18n::Msg,
    pub hint: Option<crate::i18n::Msg>,
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
    Refused(crate::i18n::Msg),
    Set {
        count: usize,
        /// How many do not start with `whsec_`.
        unusual: usize,
    },
}

/// `WAVE_WEBHOOK_SECRET` as seen, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaveSecret {
    Unset,
    /// Refused as `tally serve` would refuse it (an API key; the reason
    /// holds no secret).
    Refused(crate::i18n::Msg),
    Set {
        count: usize,
        /// How many are not shaped like a webhook secret (`wave_sn_WHS_...`).
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
    pub wave: WaveSecret,
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
            Err(e) => StripeSecret::Refused(e.msg()),
        },
    }
}

fn wave_facts(raw: Option<&str>) -> WaveSecret {
    match raw {
        None => WaveSecret::Unset,
        Some(raw) => match parse_wave_secrets(raw) {
            Ok(list) => WaveSecret::Set {
                count: list.len(),
                unusual: list
                    .iter()
                    .filter(|s| wave_secret_shape(s) != WaveSecretShape::Webhook)
                    .count(),
            },
            Err(e) => WaveSecret::Refused(e.msg()),
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

/// Where the listener's PayPal certificates would come from, and what is there.
fn cert_facts(args: &DoctorArgs, db_path: &Path) -> CertFacts {
    match &args.paypal_cert {
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
                .unwrap_or_else(|| default_cert_cache(db_path));
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
    }
}

/// Reads every fact; changes nothing.
pub fn gather(config: &Config, args: &DoctorArgs) -> anyhow::Result<Facts> {
    let now = Utc::now();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for key in [
        "STRIPE_WEBHOOK_SECRET",
        "PAYPAL_WEBHOOK_ID",
        "WAVE_WEBHOOK_SECRET",
    ] {
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
    let certs = cert_facts(args, &db_path);
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
        wave: wave_facts(env.get("WAVE_WEBHOOK_SECRET").map(String::as_str)),
        env_file,
        certs,
    })
}

/// `tally doctor`.
pub fn doctor(config: &Config, args: &DoctorArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let facts = gather(config, args)?;
    let mut checks = judge(&facts);
    checks.extend(api::checks(&args.api, &config.db));
    if args.json {
        print_json(out, &serde_json::to_value(&checks)?)?;
    } else {
        let l = config.l();
        let status = |s: Status| {
            l.t(match s {
                Status::Ok => "doctor-ok",
                Status::Warning => "doctor-warning",
                Status::Problem => "doctor-problem",
            })
        };
        let name = |n: &str| l.word_key(&format!("doctor-name-{}", n.replace(' ', "-")));
        let (sw, nw) = checks.iter().fold((8, 14), |(sw, nw), c| {
            (
                sw.max(status(c.status).chars().count()),
                nw.max(name(c.name).chars().count()),
            )
        });
        for c in &checks {
            let mut line = format!(
                "{:<sw$} {:<nw$} {}",
                status(c.status),
                name(c.name),
                l.text(&c.message)
            );
            if let Some(hint) = &c.hint {
                line.push_str(&format!(" {}", tr!(l, "doctor-hint", hint = hint.clone())));
            }
            writeln!(out, "{line}")?;
        }
        // Not a check (it cannot fail) and not in the JSON, which never
        // changes with the language: which language, and why.
        let (lang, why) = config.lang.name_and_why();
        writeln!(
            out,
            "{:<sw$} {:<nw$} {lang} ({why})",
            status(Status::Ok),
            l.t("doctor-name-language")
        )?;
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
            wave: WaveSecret::Set {
                count: 1,
                unusual: 0,
            },
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
        assert_eq!(checks.len(), 11, "{checks:#?}");
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

        f.wave = wave_facts(None);
        assert!(
            judge(&f).iter().all(|c| c.name != "wave secret"),
            "unset: no line"
        );
        f.wave = wave_facts(Some("wave_sn_WHS_abcdef"));
        let c = only(&f, "wave secret");
        assert_eq!(c.status, Status::Ok);
        assert!(!c.message.contains("abcdef"), "{c:?}");
        f.wave = wave_facts(Some("wave_sn_WHS_abc,wave_sn_WHS_def"));
        assert!(only(&f, "wave secret").message.contains("rotation"));
        // An API key where the webhook secret belongs: a problem, never shown.
        f.wave = wave_facts(Some("wave_sn_prod_YhUNb9dsecret"));
        let c = only(&f, "wave secret");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("API key"), "{c:?}");
        assert!(!c.message.contains("YhUNb9dsecret") && !c.hint.unwrap().contains("YhUNb9d"));
        f.wave = wave_facts(Some("some-shared-secret"));
        let c = only(&f, "wave secret");
        assert_eq!(c.status, Status::Warning);
        assert!(
            c.hint.unwrap().contains("wave_sn_WHS_"),
            "{:?}",
            only(&f, "wave secret")
        );
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
        if let Ok(db) = &mut f.db {
            db.rejected_24h = [(("wave".to_owned(), "invalid".to_owned()), 3)].into();
            db.verified_24h = BTreeMap::new();
        }
        let c = only(&f, "rejections");
        assert_eq!(c.status, Status::Problem);
        assert!(c.message.contains("Wave") && c.hint.unwrap().contains("WAVE_WEBHOOK_SECRET"));
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
            lang: crate::i18n::Choice::default(),
            zone: crate::i18n::Zone::Utc,
        };
        let args = DoctorArgs {
            env_file: None,
            paypal_cert: None,
            paypal_cert_cache: None,
            json: false,
            api: Default::default(),
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
            lang: crate::i18n::Choice::default(),
            zone: crate::i18n::Zone::Utc,
        };
        let facts = gather(&missing, &args).unwrap();
        assert!(facts.db_missing);
        assert!(
            !dir.path().join("typo.db").exists(),
            "doctor creates nothing"
        );
    }
}
