//! `tally serve`: the flags and the environment become the listener's
//! checked options, then [`server::run`] takes over.
//!
//! Secrets come from the environment only, read by
//! [`credentials`](crate::providers::credentials), never from flags;
//! clap's `env` support is not used because `--help` would print their
//! values. Anything wrong is refused before the port is bound.

use anyhow::{Context as _, bail};

use super::args::{LogFormatArg, ServeArgs, WaveAuthArg};
use super::{Config, Exit};
use crate::listener::bind;
use crate::listener::handler::WebhookConfig;
use crate::listener::server::{self, LogFormat, ServeOptions};
use crate::providers::credentials;
use crate::providers::paypal::CertSource;
use crate::providers::wave::{WaveAuth, WaveVerifier};

pub fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<Exit> {
    let stripe_secrets = credentials::stripe_secrets()?;
    let paypal_webhook_id = credentials::paypal_webhook_id(args.paypal_allow_simulator)?;
    let binds = bind::check_exposure(&args.bind, args.behind_proxy)?;
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
                .unwrap_or_else(|| crate::providers::paypal::default_cert_cache(&config.db)),
        )),
    };
    if paypal_webhook_id.is_none() && args.paypal_cert.is_some() {
        eprintln!("tally serve: warning: --paypal-cert is ignored: PAYPAL_WEBHOOK_ID is not set");
    }
    let wave = wave_verifier(args)?;
    let panic_path = if cfg!(debug_assertions) {
        std::env::var("TALLY_TEST_PANIC_PATH").ok()
    } else {
        None
    };
    server::run(ServeOptions {
        db: config.db.clone(),
        binds,
        workers: usize::from(args.workers),
        max_body: args.max_body,
        settings: WebhookConfig {
            stripe_secrets,
            paypal_webhook_id,
            stripe_tolerance: i64::from(args.stripe_tolerance),
            paypal_tolerance: args.paypal_tolerance.map(i64::from),
            wave,
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

/// `WAVE_WEBHOOK_SECRET`, `--wave-auth` and `--wave-tolerance`, checked.
fn wave_verifier(args: &ServeArgs) -> anyhow::Result<WaveVerifier> {
    let auth = wave_auth(args.wave_auth);
    let wave = WaveVerifier {
        secrets: credentials::wave_secrets()?,
        auth,
        tolerance: args.wave_tolerance.map(i64::from),
    };
    if wave.tolerance.is_some() && auth == WaveAuth::Bearer {
        eprintln!(
            "tally serve: warning: --wave-tolerance is ignored with --wave-auth bearer: \
             a bearer token carries no time"
        );
    }
    Ok(wave)
}

pub(super) fn wave_auth(arg: WaveAuthArg) -> WaveAuth {
    match arg {
        WaveAuthArg::Signing => WaveAuth::Signing,
        WaveAuthArg::Bearer => WaveAuth::Bearer,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    #[test]
    fn the_default_cache_sits_beside_the_database() {
        assert_eq!(
            crate::providers::paypal::default_cert_cache(Path::new("tally.db")),
            PathBuf::from("./tally-paypal-certs")
        );
        assert_eq!(
            crate::providers::paypal::default_cert_cache(Path::new("/var/lib/tally/shop.db")),
            PathBuf::from("/var/lib/tally/tally-paypal-certs")
        );
    }
}
