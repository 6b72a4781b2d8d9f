//! `tally doctor`'s API checks: which provider API credentials are set,
//! whether each answers one cheap authenticated call, whether the Stripe
//! key has more power than sync needs, and whether `tally sync` has been
//! applying events the listener never received (a dead endpoint).
//!
//! Kept apart from [`super::checks`]: these make network calls (only for
//! the credentials that are set) and never print a credential, only which
//! are set and what kind they are.

use chrono::{Duration, Utc};

use super::{Check, Status};
use crate::cli::args::ApiArgs;
use crate::domain::{Provider, format_ts};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Msg, msg};
use crate::providers::api::timeout_from_env;
use crate::providers::credentials::{self, StripeKeyKind};
use crate::providers::paypal::api::{PaypalApi, default_base};
use crate::providers::stripe::api::{DEFAULT_BASE as STRIPE_BASE, StripeApi};
use crate::providers::wave::api::{DEFAULT_BASE as WAVE_BASE, WaveApi};
use crate::store::Store;

/// How far back "sync applied events the listener never received" looks.
pub const SYNC_LOOKBACK_DAYS: i64 = 7;

fn check(name: &'static str, status: Status, message: Msg, hint: Option<Msg>) -> Check {
    Check {
        name,
        status,
        message,
        hint,
    }
}

/// The API checks, in order: Stripe, PayPal, Wave (a line for each whose
/// credentials are set), then sync's findings.
pub fn checks(api: &ApiArgs, db: &std::path::Path) -> Vec<Check> {
    let timeout = timeout_from_env();
    let mut out = Vec::new();
    match credentials::stripe_api_key() {
        Err(e) => out.push(check("stripe api", Status::Problem, e.msg(), None)),
        // Not set: `tally sync` skips Stripe; nothing to check.
        Ok(None) => {}
        Ok(Some(key)) => {
            let kind = key.kind;
            let mode = if key.live { "live" } else { "test" };
            let base = api.stripe_api.as_deref().unwrap_or(STRIPE_BASE);
            let answer = StripeApi::new(base, key, timeout).and_then(|s| s.probe());
            out.push(match answer {
                Ok(()) => check(
                    "stripe api",
                    Status::Ok,
                    msg!("doc-api-stripe-ok", mode = mode),
                    None,
                ),
                Err(e) => check(
                    "stripe api",
                    Status::Problem,
                    e.msg(),
                    Some(msg!("doc-api-stripe-hint")),
                ),
            });
            if kind == StripeKeyKind::Secret {
                out.push(check(
                    "stripe api key",
                    Status::Warning,
                    msg!("doc-api-stripe-secret"),
                    Some(msg!("doc-api-stripe-secret-hint")),
                ));
            }
        }
    }
    match credentials::paypal_client() {
        Err(e) => out.push(check("paypal api", Status::Problem, e.msg(), None)),
        Ok(None) => {}
        Ok(Some(client)) => {
            let mode = client.mode;
            let base = api
                .paypal_api
                .clone()
                .unwrap_or_else(|| default_base(mode).to_owned());
            let answer = PaypalApi::new(&base, client, timeout).and_then(|p| p.probe());
            out.push(match answer {
                Ok(()) => check(
                    "paypal api",
                    Status::Ok,
                    msg!("doc-api-paypal-ok", mode = format!("{mode:?}")),
                    None,
                ),
                Err(e) => check(
                    "paypal api",
                    Status::Problem,
                    e.msg(),
                    Some(msg!("doc-api-paypal-hint")),
                ),
            });
        }
    }
    if let Some(key) = credentials::wave_api_key() {
        let base = api.wave_api.as_deref().unwrap_or(WAVE_BASE);
        let answer = WaveApi::new(base, key, timeout).and_then(|w| w.probe());
        out.push(match answer {
            Ok(()) => check("wave api", Status::Ok, msg!("doc-api-wave-ok"), None),
            Err(e) => check(
                "wave api",
                Status::Problem,
                e.msg(),
                Some(msg!("doc-api-wave-hint")),
            ),
        });
    }
    out.extend(sync_findings(db));
    out
}

/// Events `tally sync` applied in the last week that the listener never
/// received: per provider, a warning.
fn sync_findings(db: &std::path::Path) -> Vec<Check> {
    let since = Utc::now() - Duration::days(SYNC_LOOKBACK_DAYS);
    let Ok((conn, _)) = Store::inspect(db) else {
        return Vec::new();
    };
    let counts = conn
        .prepare(
            "SELECT provider, count(*) FROM webhook_log
             WHERE source = 'sync' AND result IN ('applied', 'orphan') AND received_at >= ?1
               AND provider IS NOT NULL
             GROUP BY provider ORDER BY provider",
        )
        .and_then(|mut stmt| {
            stmt.query_map([format_ts(since)], |r| {
                Ok((r.get::<_, Provider>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        });
    // An older database has no source column: nothing synced yet.
    let Ok(counts) = counts else {
        return Vec::new();
    };
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(provider, n)| {
            check(
                "sync",
                Status::Warning,
                msg!(
                    "doc-api-sync-unseen",
                    n = n,
                    provider = ProviderTitle(provider),
                    days = SYNC_LOOKBACK_DAYS
                ),
                Some(msg!("doc-api-sync-unseen-hint")),
            )
        })
        .collect()
}
