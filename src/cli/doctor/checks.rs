//! The verdicts of `tally doctor`: one function per check, each a pure
//! function of the [`Facts`] that returns its line of the report (or none,
//! when the fact it judges was not found). [`judge`] runs them in the fixed
//! order the report shows.

use std::path::Path;

use super::{
    CERT_EXPIRY_WARN_DAYS, CacheListing, CertFacts, Check, DbFacts, Facts, FileFacts,
    PAYPAL_SIMULATOR_ID, PaypalId, REJECTIONS_SUSPECT, Status, StripeSecret, WAL_WARN_BYTES,
    WaveSecret,
};
use crate::domain::{Timestamp, format_ts};
use crate::store::Store;

/// Turns facts into checks, in a fixed order. Pure.
pub fn judge(f: &Facts) -> Vec<Check> {
    let mut checks = vec![database(f)];
    checks.extend(db_file(f));
    checks.extend(db_directory(f));
    checks.push(wal(f));
    checks.push(stripe_secret(f));
    checks.push(paypal_id(f));
    checks.extend(wave_secret(f));
    checks.extend(env_file(f));
    checks.push(paypal_certs(f));
    // Webhooks received, and refused.
    if let Ok(db) = &f.db {
        checks.push(last_webhook(db, f.now));
        checks.push(rejections(db));
    }
    checks
}

/// Database reachable and migrated.
fn database(f: &Facts) -> Check {
    let db_shown = f.db_path.display();
    let supported = i64::try_from(Store::schema_version()).unwrap_or(i64::MAX);
    match &f.db {
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
    }
}

/// The database file's permissions, when it exists.
fn db_file(f: &Facts) -> Option<Check> {
    let file = f.db_file?;
    Some(private_file(
        "db file",
        "it holds customers' personal data",
        &f.db_path,
        file,
        f.uid,
    ))
}

/// The database directory's permissions, when it exists: SQLite creates
/// files beside the database.
fn db_directory(f: &Facts) -> Option<Check> {
    let dir = f.db_dir?;
    let shown = f
        .db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .display()
        .to_string();
    Some(if dir.mode & 0o002 != 0 && dir.mode & 0o1000 == 0 {
        flag(
            "db directory",
            Status::Problem,
            format!(
                "{shown} is writable by every user (mode {:04o}): anyone can replace the database",
                dir.mode
            ),
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
            format!(
                "{shown} is not writable by its owner (mode {:04o})",
                dir.mode
            ),
            "SQLite creates the -wal and -shm files beside the database: chmod u+w it",
        )
    } else {
        ok("db directory", format!("{shown} (mode {:04o})", dir.mode))
    })
}

/// The write-ahead log's size, then its permissions.
fn wal(f: &Facts) -> Check {
    match f.wal {
        None => ok(
            "wal",
            "no write-ahead log file right now (nothing uncheckpointed)",
        ),
        Some((bytes, _)) if bytes > WAL_WARN_BYTES => flag(
            "wal",
            Status::Warning,
            format!(
                "the write-ahead log is {} (over {})",
                mib(bytes),
                mib(WAL_WARN_BYTES)
            ),
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
    }
}

/// (Stripe payments, PayPal payments) in the database, 0 when unreadable.
fn provider_payments(f: &Facts) -> (i64, i64) {
    match &f.db {
        Ok(db) => (db.stripe_payments, db.paypal_payments),
        Err(_) => (0, 0),
    }
}

/// Where to set a missing secret.
fn env_hint(f: &Facts) -> &'static str {
    if f.env_file.is_some() {
        "set it in the --env-file the listener uses"
    } else {
        "set it where the listener's environment comes from, and check that with `tally doctor --env-file FILE`"
    }
}

/// `STRIPE_WEBHOOK_SECRET`: judged, never shown.
fn stripe_secret(f: &Facts) -> Check {
    let (stripe_payments, _) = provider_payments(f);
    match &f.stripe {
        StripeSecret::Unset if stripe_payments > 0 => flag(
            "stripe secret",
            Status::Warning,
            format!(
                "STRIPE_WEBHOOK_SECRET is not set, but the shop has {stripe_payments} Stripe payments: their webhooks would be refused"
            ),
            env_hint(f),
        ),
        StripeSecret::Unset => ok(
            "stripe secret",
            "STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks are off",
        ),
        StripeSecret::Refused(why) => flag(
            "stripe secret",
            Status::Problem,
            why.clone(),
            "copy the signing secret (whsec_...) from the endpoint's page in Stripe's dashboard",
        ),
        StripeSecret::Set { count, unusual } if *unusual > 0 => flag(
            "stripe secret",
            Status::Warning,
            format!(
                "STRIPE_WEBHOOK_SECRET holds {count} secret(s), {unusual} not starting with whsec_"
            ),
            "Stripe's endpoint signing secrets start with whsec_",
        ),
        StripeSecret::Set { count: 1, .. } => {
            ok("stripe secret", "STRIPE_WEBHOOK_SECRET is set (1 secret)")
        }
        StripeSecret::Set { count, .. } => ok(
            "stripe secret",
            format!(
                "STRIPE_WEBHOOK_SECRET is set ({count} secrets: a rotation in progress; drop the old one once Stripe has switched)"
            ),
        ),
    }
}

/// `PAYPAL_WEBHOOK_ID`: judged, never shown.
fn paypal_id(f: &Facts) -> Check {
    let (_, paypal_payments) = provider_payments(f);
    match f.paypal {
        PaypalId::Unset if paypal_payments > 0 => flag(
            "paypal id",
            Status::Warning,
            format!(
                "PAYPAL_WEBHOOK_ID is not set, but the shop has {paypal_payments} PayPal payments: their webhooks would be refused"
            ),
            env_hint(f),
        ),
        PaypalId::Unset => ok(
            "paypal id",
            "PAYPAL_WEBHOOK_ID is not set: PayPal webhooks are off",
        ),
        PaypalId::Simulator => flag(
            "paypal id",
            Status::Problem,
            format!(
                "PAYPAL_WEBHOOK_ID is {PAYPAL_SIMULATOR_ID}, the id PayPal's simulator signs with: anyone can send genuinely signed events"
            ),
            "set your webhook's id (PayPal developer dashboard, your app, Webhooks)",
        ),
        PaypalId::Set => ok("paypal id", "PAYPAL_WEBHOOK_ID is set"),
    }
}

/// `WAVE_WEBHOOK_SECRET`, when set: judged, never shown. Unset needs no
/// line: Wave payments are then confirmed by hand, as before Wave's
/// webhooks, and nothing is wrong.
fn wave_secret(f: &Facts) -> Option<Check> {
    Some(match &f.wave {
        WaveSecret::Unset => return None,
        WaveSecret::Refused(why) => flag(
            "wave secret",
            Status::Problem,
            why.clone(),
            "copy the webhook's secret (wave_sn_WHS_...) from Wave's Business Portal (Developers, Webhooks); an API key must never sit here",
        ),
        WaveSecret::Set { count, unusual } if *unusual > 0 => flag(
            "wave secret",
            Status::Warning,
            format!(
                "WAVE_WEBHOOK_SECRET holds {count} secret(s), {unusual} not shaped like a Wave webhook secret"
            ),
            "Wave's webhook secrets start with wave_sn_WHS_ (the country code may differ)",
        ),
        WaveSecret::Set { count: 1, .. } => {
            ok("wave secret", "WAVE_WEBHOOK_SECRET is set (1 secret)")
        }
        WaveSecret::Set { count, .. } => ok(
            "wave secret",
            format!(
                "WAVE_WEBHOOK_SECRET is set ({count} secrets: a rotation in progress; drop the old one once its webhook is deleted at Wave)"
            ),
        ),
    })
}

/// The `--env-file`'s permissions, when one was given.
fn env_file(f: &Facts) -> Option<Check> {
    let (path, meta) = f.env_file.as_ref()?;
    Some(private_file(
        "env file",
        "it holds the webhook secrets",
        path,
        *meta,
        f.uid,
    ))
}

/// Where the listener's PayPal certificates would come from.
fn paypal_certs(f: &Facts) -> Check {
    match (&f.certs, f.paypal) {
        (_, PaypalId::Unset) => ok("paypal certs", "not used: PayPal webhooks are off"),
        (CertFacts::Pinned { path, parsed }, _) => pinned_cert(path, parsed, f.now),
        (CertFacts::Cache { dir, meta, listing }, _) => cert_cache(dir, meta, listing),
    }
}

/// `--paypal-cert PEM`: PayPal's, and not about to expire.
fn pinned_cert(path: &Path, parsed: &Result<(bool, Timestamp), String>, now: Timestamp) -> Check {
    match parsed {
        Err(e) => flag(
            "paypal certs",
            Status::Problem,
            format!("--paypal-cert {}: {e}", path.display()),
            "pin PayPal's PEM certificate, or drop --paypal-cert to fetch it",
        ),
        Ok((false, _)) => flag(
            "paypal certs",
            Status::Problem,
            format!(
                "--paypal-cert {} is not PayPal's message-verification certificate",
                path.display()
            ),
            "pin the certificate PAYPAL-CERT-URL names",
        ),
        Ok((true, until)) if *until < now => flag(
            "paypal certs",
            Status::Problem,
            format!(
                "--paypal-cert {} expired on {}",
                path.display(),
                until.date_naive()
            ),
            "pin PayPal's current certificate, or drop --paypal-cert to fetch it",
        ),
        Ok((true, until)) if *until < now + chrono::Duration::days(CERT_EXPIRY_WARN_DAYS) => flag(
            "paypal certs",
            Status::Warning,
            format!(
                "--paypal-cert {} expires on {}",
                path.display(),
                until.date_naive()
            ),
            "pin PayPal's next certificate before then",
        ),
        Ok((true, until)) => ok(
            "paypal certs",
            format!(
                "--paypal-cert {} is PayPal's, valid until {}",
                path.display(),
                until.date_naive()
            ),
        ),
    }
}

/// The certificate cache: private to the listener, and every file usable.
fn cert_cache(
    dir: &Path,
    meta: &Option<FileFacts>,
    listing: &Result<CacheListing, String>,
) -> Check {
    let shown = dir.display();
    match (meta, listing) {
        (None, _) => ok(
            "paypal certs",
            format!(
                "{shown} does not exist yet: the listener creates it at the first PayPal delivery"
            ),
        ),
        (Some(m), _) if m.mode & 0o022 != 0 => flag(
            "paypal certs",
            Status::Problem,
            format!(
                "{shown} is writable by others (mode {:04o}): a planted certificate would let them forge PayPal webhooks",
                m.mode
            ),
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
            format!(
                "{shown}: {} certificate(s), {} unreadable or unusable file(s)",
                l.certificates, l.unusable
            ),
            "unusable files are ignored and fetched again; remove them",
        ),
        (Some(_), Ok(l)) => ok(
            "paypal certs",
            format!(
                "{shown} is readable, {} certificate(s) cached",
                l.certificates
            ),
        ),
    }
}

/// The last verified delivery, against the newest provider payment.
fn last_webhook(db: &DbFacts, now: Timestamp) -> Check {
    match (&db.last_webhook, db.latest_provider_payment) {
        (None, Some(_)) => flag(
            "last webhook",
            Status::Warning,
            "no verified webhook was ever received, though the shop has Stripe or PayPal payments",
            "check the endpoint URL at the provider and that the listener is reachable; try `tally send-test-event`",
        ),
        (None, None) => ok(
            "last webhook",
            "none received yet (and no Stripe or PayPal payments)",
        ),
        (Some((at, provider, kind)), latest)
            if latest.is_some_and(|p| p > *at + chrono::Duration::hours(24)) =>
        {
            flag(
                "last webhook",
                Status::Warning,
                format!(
                    "the last verified webhook was {} ({provider} {kind}), but payments were created since",
                    ago(now, *at)
                ),
                "is the listener up and reachable? `systemctl status tally`, the proxy's error log, the provider's delivery log",
            )
        }
        (Some((at, provider, kind)), _) => ok(
            "last webhook",
            format!("{} ({provider} {kind}, {})", ago(now, *at), format_ts(*at)),
        ),
    }
}

/// Refused requests of the last 24 h, and what they suggest.
fn rejections(db: &DbFacts) -> Check {
    for (provider, name, setting) in [
        ("stripe", "Stripe", "STRIPE_WEBHOOK_SECRET"),
        ("paypal", "PayPal", "PAYPAL_WEBHOOK_ID"),
        ("wave", "Wave", "WAVE_WEBHOOK_SECRET"),
    ] {
        if let Some(check) = provider_rejections(db, provider, name, setting) {
            return check;
        }
    }
    let expired: i64 = ["stripe", "paypal", "wave"]
        .iter()
        .map(|p| rejected(db, p, "expired"))
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

/// One provider's refusals, when they suggest a wrong or missing secret.
fn provider_rejections(db: &DbFacts, provider: &str, name: &str, setting: &str) -> Option<Check> {
    let bad = rejected(db, provider, "invalid");
    let good = db.verified_24h.get(provider).copied().unwrap_or(0);
    if bad >= REJECTIONS_SUSPECT && good == 0 {
        return Some(flag(
            "rejections",
            Status::Problem,
            format!(
                "{bad} {name} deliveries with a bad signature in the last 24 h and none verified: a secret rotated at {name} but not here?"
            ),
            format!(
                "set {setting} to the endpoint's current value (during a rotation, Stripe's or Wave's old and new secrets comma-separated) and restart the listener"
            ),
        ));
    }
    if bad >= REJECTIONS_SUSPECT {
        return Some(flag(
            "rejections",
            Status::Warning,
            format!(
                "{bad} {name} deliveries with a bad signature in the last 24 h ({good} verified)"
            ),
            "someone probing the endpoint, or a second endpoint at the provider with another secret: `tally webhooks` lists them",
        ));
    }
    let unconfigured = rejected(db, provider, "unconfigured");
    (unconfigured > 0).then(|| {
        flag(
            "rejections",
            Status::Warning,
            format!(
                "{unconfigured} {name} deliveries refused in the last 24 h because {setting} is not set"
            ),
            format!("set {setting} in the listener's environment, or remove the endpoint at {name}"),
        )
    })
}

/// Requests of the last 24 h from `provider` refused with `signature`.
fn rejected(db: &DbFacts, provider: &str, signature: &str) -> i64 {
    db.rejected_24h
        .get(&(provider.to_owned(), signature.to_owned()))
        .copied()
        .unwrap_or(0)
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
