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
use crate::i18n::{Msg, msg};
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
            msg!("plain", text = e.as_str()),
            msg!("doc-db-missing-hint"),
        ),
        Err(e) => flag(
            "database",
            Status::Problem,
            msg!(
                "doc-cannot-read",
                path = db_shown.to_string(),
                error = e.as_str()
            ),
            msg!("doc-db-unreadable-hint"),
        ),
        Ok(db) if db.schema_found > supported => flag(
            "database",
            Status::Problem,
            msg!(
                "doc-db-too-new",
                path = db_shown.to_string(),
                found = db.schema_found.to_string(),
                supported = supported.to_string()
            ),
            msg!("doc-db-too-new-hint"),
        ),
        Ok(db) if db.schema_found < supported => flag(
            "database",
            Status::Warning,
            msg!(
                "doc-db-old",
                path = db_shown.to_string(),
                found = db.schema_found.to_string(),
                supported = supported.to_string()
            ),
            msg!("doc-db-old-hint"),
        ),
        Ok(db) if !db.journal_mode.eq_ignore_ascii_case("wal") => flag(
            "database",
            Status::Warning,
            msg!(
                "doc-db-journal",
                path = db_shown.to_string(),
                mode = db.journal_mode.as_str()
            ),
            msg!("doc-db-journal-hint"),
        ),
        Ok(db) => ok(
            "database",
            msg!(
                "doc-db-ok",
                path = db_shown.to_string(),
                found = db.schema_found.to_string()
            ),
        ),
    }
}

/// The database file's permissions, when it exists.
fn db_file(f: &Facts) -> Option<Check> {
    let file = f.db_file?;
    Some(private_file(
        "db file",
        msg!("doc-what-db"),
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
            msg!(
                "doc-dir-world",
                path = shown.as_str(),
                mode = format!("{:04o}", dir.mode)
            ),
            msg!("doc-dir-world-hint", path = shown.as_str()),
        )
    } else if f.uid.is_some_and(|me| me != 0 && me != dir.uid) {
        flag(
            "db directory",
            Status::Warning,
            msg!(
                "doc-dir-owner",
                path = shown.as_str(),
                uid = dir.uid.to_string()
            ),
            msg!("doc-dir-owner-hint"),
        )
    } else if f.uid != Some(0) && dir.mode & 0o200 == 0 {
        flag(
            "db directory",
            Status::Problem,
            msg!(
                "doc-dir-readonly",
                path = shown.as_str(),
                mode = format!("{:04o}", dir.mode)
            ),
            msg!("doc-dir-readonly-hint"),
        )
    } else {
        ok(
            "db directory",
            msg!(
                "doc-dir-ok",
                path = shown.as_str(),
                mode = format!("{:04o}", dir.mode)
            ),
        )
    })
}

/// The write-ahead log's size, then its permissions.
fn wal(f: &Facts) -> Check {
    match f.wal {
        None => ok("wal", msg!("doc-wal-none")),
        Some((bytes, _)) if bytes > WAL_WARN_BYTES => flag(
            "wal",
            Status::Warning,
            msg!(
                "doc-wal-big",
                size = mib(bytes),
                limit = mib(WAL_WARN_BYTES)
            ),
            msg!("doc-wal-big-hint"),
        ),
        Some((bytes, meta)) => {
            let mut wal_path = f.db_path.clone().into_os_string();
            wal_path.push("-wal");
            let perms = private_file(
                "wal",
                msg!("doc-what-wal"),
                Path::new(&wal_path),
                meta,
                f.uid,
            );
            if perms.status == Status::Ok {
                ok("wal", msg!("doc-wal-ok", size = mib(bytes)))
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
fn env_hint(f: &Facts) -> Msg {
    if f.env_file.is_some() {
        msg!("doc-env-hint-file")
    } else {
        msg!("doc-env-hint")
    }
}

/// `STRIPE_WEBHOOK_SECRET`: judged, never shown.
fn stripe_secret(f: &Facts) -> Check {
    let (stripe_payments, _) = provider_payments(f);
    match &f.stripe {
        StripeSecret::Unset if stripe_payments > 0 => flag(
            "stripe secret",
            Status::Warning,
            msg!("doc-stripe-unset-used", n = stripe_payments),
            env_hint(f),
        ),
        StripeSecret::Unset => ok("stripe secret", msg!("doc-stripe-unset")),
        StripeSecret::Refused(why) => flag(
            "stripe secret",
            Status::Problem,
            why.clone(),
            msg!("doc-stripe-refused-hint"),
        ),
        StripeSecret::Set { count, unusual } if *unusual > 0 => flag(
            "stripe secret",
            Status::Warning,
            msg!("doc-stripe-unusual", count = *count, unusual = *unusual),
            msg!("doc-stripe-unusual-hint"),
        ),
        StripeSecret::Set { count: 1, .. } => ok("stripe secret", msg!("doc-stripe-one")),
        StripeSecret::Set { count, .. } => {
            ok("stripe secret", msg!("doc-stripe-rotation", count = *count))
        }
    }
}

/// `PAYPAL_WEBHOOK_ID`: judged, never shown.
fn paypal_id(f: &Facts) -> Check {
    let (_, paypal_payments) = provider_payments(f);
    match f.paypal {
        PaypalId::Unset if paypal_payments > 0 => flag(
            "paypal id",
            Status::Warning,
            msg!("doc-paypal-unset-used", n = paypal_payments),
            env_hint(f),
        ),
        PaypalId::Unset => ok("paypal id", msg!("doc-paypal-unset")),
        PaypalId::Simulator => flag(
            "paypal id",
            Status::Problem,
            msg!("doc-paypal-simulator", id = PAYPAL_SIMULATOR_ID),
            msg!("doc-paypal-simulator-hint"),
        ),
        PaypalId::Set => ok("paypal id", msg!("doc-paypal-set")),
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
            msg!("doc-wave-refused-hint"),
        ),
        WaveSecret::Set { count, unusual } if *unusual > 0 => flag(
            "wave secret",
            Status::Warning,
            msg!("doc-wave-unusual", count = *count, unusual = *unusual),
            msg!("doc-wave-unusual-hint"),
        ),
        WaveSecret::Set { count: 1, .. } => ok("wave secret", msg!("doc-wave-one")),
        WaveSecret::Set { count, .. } => {
            ok("wave secret", msg!("doc-wave-rotation", count = *count))
        }
    })
}

/// The `--env-file`'s permissions, when one was given.
fn env_file(f: &Facts) -> Option<Check> {
    let (path, meta) = f.env_file.as_ref()?;
    Some(private_file(
        "env file",
        msg!("doc-what-env"),
        path,
        *meta,
        f.uid,
    ))
}

/// Where the listener's PayPal certificates would come from.
fn paypal_certs(f: &Facts) -> Check {
    match (&f.certs, f.paypal) {
        (_, PaypalId::Unset) => ok("paypal certs", msg!("doc-certs-unused")),
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
            msg!(
                "doc-cert-error",
                path = path.display().to_string(),
                error = e.as_str()
            ),
            msg!("doc-cert-error-hint"),
        ),
        Ok((false, _)) => flag(
            "paypal certs",
            Status::Problem,
            msg!("doc-cert-not-paypal", path = path.display().to_string()),
            msg!("doc-cert-not-paypal-hint"),
        ),
        Ok((true, until)) if *until < now => flag(
            "paypal certs",
            Status::Problem,
            msg!(
                "doc-cert-expired",
                path = path.display().to_string(),
                date = until.date_naive().to_string()
            ),
            msg!("doc-cert-expired-hint"),
        ),
        Ok((true, until)) if *until < now + chrono::Duration::days(CERT_EXPIRY_WARN_DAYS) => flag(
            "paypal certs",
            Status::Warning,
            msg!(
                "doc-cert-expires",
                path = path.display().to_string(),
                date = until.date_naive().to_string()
            ),
            msg!("doc-cert-expires-hint"),
        ),
        Ok((true, until)) => ok(
            "paypal certs",
            msg!(
                "doc-cert-ok",
                path = path.display().to_string(),
                date = until.date_naive().to_string()
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
    let shown = dir.display().to_string();
    let shown = shown.as_str();
    match (meta, listing) {
        (None, _) => ok("paypal certs", msg!("doc-cache-none", path = shown)),
        (Some(m), _) if m.mode & 0o022 != 0 => flag(
            "paypal certs",
            Status::Problem,
            msg!(
                "doc-cache-writable",
                path = shown,
                mode = format!("{:04o}", m.mode)
            ),
            msg!("doc-chmod-700", path = shown),
        ),
        (Some(_), Err(e)) => flag(
            "paypal certs",
            Status::Problem,
            msg!("doc-cannot-read", path = shown, error = e.as_str()),
            msg!("doc-cache-unreadable-hint"),
        ),
        (Some(_), Ok(l)) if l.unusable > 0 => flag(
            "paypal certs",
            Status::Warning,
            msg!(
                "doc-cache-unusable",
                path = shown,
                certificates = l.certificates,
                unusable = l.unusable
            ),
            msg!("doc-cache-unusable-hint"),
        ),
        (Some(_), Ok(l)) => ok(
            "paypal certs",
            msg!("doc-cache-ok", path = shown, certificates = l.certificates),
        ),
    }
}

/// The last verified delivery, against the newest provider payment.
fn last_webhook(db: &DbFacts, now: Timestamp) -> Check {
    match (&db.last_webhook, db.latest_provider_payment) {
        (None, Some(_)) => flag(
            "last webhook",
            Status::Warning,
            msg!("doc-webhook-never"),
            msg!("doc-webhook-never-hint"),
        ),
        (None, None) => ok("last webhook", msg!("doc-webhook-none")),
        (Some((at, provider, kind)), latest)
            if latest.is_some_and(|p| p > *at + chrono::Duration::hours(24)) =>
        {
            flag(
                "last webhook",
                Status::Warning,
                msg!(
                    "doc-webhook-old",
                    ago = ago(now, *at),
                    provider = provider.as_str(),
                    kind = kind.as_str()
                ),
                msg!("doc-webhook-old-hint"),
            )
        }
        (Some((at, provider, kind)), _) => ok(
            "last webhook",
            msg!(
                "doc-webhook-ok",
                ago = ago(now, *at),
                provider = provider.as_str(),
                kind = kind.as_str(),
                at = format_ts(*at)
            ),
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
            msg!("doc-rej-expired", n = expired),
            msg!("doc-rej-expired-hint"),
        );
    }
    let total: i64 = db.rejected_24h.values().sum();
    ok("rejections", msg!("doc-rej-ok", n = total))
}

/// One provider's refusals, when they suggest a wrong or missing secret.
fn provider_rejections(db: &DbFacts, provider: &str, name: &str, setting: &str) -> Option<Check> {
    let bad = rejected(db, provider, "invalid");
    let good = db.verified_24h.get(provider).copied().unwrap_or(0);
    if bad >= REJECTIONS_SUSPECT && good == 0 {
        return Some(flag(
            "rejections",
            Status::Problem,
            msg!("doc-rej-rotated", bad = bad, name = name),
            msg!("doc-rej-rotated-hint", setting = setting),
        ));
    }
    if bad >= REJECTIONS_SUSPECT {
        return Some(flag(
            "rejections",
            Status::Warning,
            msg!("doc-rej-bad", bad = bad, name = name, good = good),
            msg!("doc-rej-bad-hint"),
        ));
    }
    let unconfigured = rejected(db, provider, "unconfigured");
    (unconfigured > 0).then(|| {
        flag(
            "rejections",
            Status::Warning,
            msg!(
                "doc-rej-unconfigured",
                n = unconfigured,
                name = name,
                setting = setting
            ),
            msg!("doc-rej-unconfigured-hint", setting = setting, name = name),
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

fn ok(name: &'static str, message: Msg) -> Check {
    Check {
        name,
        status: Status::Ok,
        message,
        hint: None,
    }
}

fn flag(name: &'static str, status: Status, message: Msg, hint: Msg) -> Check {
    Check {
        name,
        status,
        message,
        hint: Some(hint),
    }
}

fn ago(now: Timestamp, then: Timestamp) -> Msg {
    let d = now.signed_duration_since(then);
    if d.num_days() >= 2 {
        msg!("doc-ago-days", n = d.num_days())
    } else if d.num_hours() >= 2 {
        msg!("doc-ago-hours", n = d.num_hours())
    } else {
        msg!("doc-ago-minutes", n = d.num_minutes().max(0))
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The checks of a private file (the database, its WAL, the env file).
fn private_file(
    name: &'static str,
    what: Msg,
    path: &Path,
    f: FileFacts,
    uid: Option<u32>,
) -> Check {
    let shown = path.display().to_string();
    let shown = shown.as_str();
    let mode = format!("{:04o}", f.mode);
    if f.mode & 0o006 != 0 {
        return flag(
            name,
            Status::Problem,
            msg!("doc-file-world", path = shown, mode = mode, what = what),
            msg!("doc-chmod-600", path = shown),
        );
    }
    if f.mode & 0o060 != 0 {
        return flag(
            name,
            Status::Warning,
            msg!("doc-file-group", path = shown, mode = mode, what = what),
            msg!("doc-chmod-600-group", path = shown),
        );
    }
    if let Some(me) = uid.filter(|me| *me != f.uid) {
        return flag(
            name,
            Status::Warning,
            msg!(
                "doc-file-owner",
                path = shown,
                uid = f.uid.to_string(),
                me = me.to_string()
            ),
            msg!("doc-file-owner-hint"),
        );
    }
    ok(name, msg!("doc-file-ok", path = shown, mode = mode))
}
