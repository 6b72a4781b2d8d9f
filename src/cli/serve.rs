//! `tally serve`: the flags and the environment become the listener's
//! checked options, then [`server::run`] takes over.
//!
//! Secrets come from the environment only (`STRIPE_WEBHOOK_SECRET`, a
//! comma-separated list during a rotation, and `PAYPAL_WEBHOOK_ID`), never
//! from flags, so they do not show in `ps` or in the shell history; clap's
//! `env` support is not used because `--help` would print their values.
//! Anything wrong is refused before the port is bound.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use super::args::{LogFormatArg, ServeArgs};
use super::{Config, Exit};
use crate::listener::handler::Settings;
use crate::listener::server::{self, LogFormat, ServeOptions};
use crate::providers::paypal::CertSource;

/// The webhook id PayPal's webhook simulator signs with.
pub const PAYPAL_SIMULATOR_ID: &str = "WEBHOOK_ID";

/// `STRIPE_WEBHOOK_SECRET` as a list; empty when unset.
pub fn stripe_secrets() -> anyhow::Result<Vec<String>> {
    let Some(raw) = std::env::var_os("STRIPE_WEBHOOK_SECRET") else {
        return Ok(Vec::new());
    };
    let raw = raw
        .into_string()
        .map_err(|_| anyhow::anyhow!("STRIPE_WEBHOOK_SECRET is not valid UTF-8"))?;
    parse_stripe_secrets(&raw)
}

/// A set `STRIPE_WEBHOOK_SECRET` as a list; refuses an empty list and
/// Stripe API keys. Errors never contain a secret.
pub(super) fn parse_stripe_secrets(raw: &str) -> anyhow::Result<Vec<String>> {
    let secrets: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if secrets.is_empty() {
        bail!(
            "STRIPE_WEBHOOK_SECRET is set but holds no secret (expected whsec_..., comma-separated during a rotation)"
        );
    }
    for (i, s) in secrets.iter().enumerate() {
        if s.starts_with("sk_") || s.starts_with("rk_") || s.starts_with("pk_") {
            bail!(
                "STRIPE_WEBHOOK_SECRET entry #{} is a Stripe API key, not a webhook signing secret (whsec_...): \
                 take the signing secret from the webhook endpoint's page",
                i + 1
            );
        }
    }
    Ok(secrets)
}

fn paypal_webhook_id() -> Option<String> {
    std::env::var("PAYPAL_WEBHOOK_ID")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Where fetched PayPal certificates go by default: beside the database.
pub(super) fn default_cert_cache(db: &Path) -> PathBuf {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join("tally-paypal-certs")
}

pub fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<Exit> {
    let stripe_secrets = stripe_secrets()?;
    let paypal_webhook_id = paypal_webhook_id();
    if paypal_webhook_id.as_deref() == Some(PAYPAL_SIMULATOR_ID) && !args.paypal_allow_simulator {
        bail!(
            "PAYPAL_WEBHOOK_ID is {PAYPAL_SIMULATOR_ID}, the id PayPal's webhook simulator signs with: \
             anyone can make the simulator post genuinely signed events to any URL. Set the id of \
             your webhook (developer dashboard, your app, Webhooks), or pass --paypal-allow-simulator \
             on a test listener"
        );
    }
    if args.max_body == 0 {
        bail!("--max-body must be at least 1 byte");
    }
    let certs = match (&paypal_webhook_id, &args.paypal_cert) {
        (None, _) => None,
        (Some(_), Some(pem)) => {
            let bytes = std::fs::read(pem)
                .with_context(|| format!("cannot read --paypal-cert {}", pem.display()))?;
            Some(
                CertSource::pinned(&bytes)
                    .with_context(|| format!("--paypal-cert {}", pem.display()))?,
            )
        }
        (Some(_), None) => Some(CertSource::https(
            args.paypal_cert_cache
                .clone()
                .unwrap_or_else(|| default_cert_cache(&config.db)),
        )),
    };
    if paypal_webhook_id.is_none() && args.paypal_cert.is_some() {
        eprintln!("tally serve: warning: --paypal-cert is ignored: PAYPAL_WEBHOOK_ID is not set");
    }
    let panic_path = if cfg!(debug_assertions) {
        std::env::var("TALLY_TEST_PANIC_PATH").ok()
    } else {
        None
    };
    server::run(ServeOptions {
        db: config.db.clone(),
        bind: args.bind.clone(),
        workers: usize::from(args.workers),
        max_body: args.max_body,
        settings: Settings {
            stripe_secrets,
            paypal_webhook_id,
            stripe_tolerance: i64::from(args.stripe_tolerance),
            paypal_tolerance: i64::from(args.paypal_tolerance),
        },
        certs,
        log_format: match args.log_format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        },
        panic_path,
    })?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cache_sits_beside_the_database() {
        assert_eq!(
            default_cert_cache(Path::new("tally.db")),
            PathBuf::from("./tally-paypal-certs")
        );
        assert_eq!(
            default_cert_cache(Path::new("/var/lib/tally/shop.db")),
            PathBuf::from("/var/lib/tally/tally-paypal-certs")
        );
    }
}
