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
use crate::providers::api::timeout_from_env;
use crate::providers::credentials::{self, StripeKeyKind};
use crate::providers::paypal::api::{PaypalApi, default_base};
use crate::providers::stripe::api::{DEFAULT_BASE as STRIPE_BASE, StripeApi};
use crate::providers::wave::api::{DEFAULT_BASE as WAVE_BASE, WaveApi};
use crate::store::Store;

/// How far back "sync applied events the listener never received" looks.
pub const SYNC_LOOKBACK_DAYS: i64 = 7;

fn check(name: &'static str, status: Status, message: String, hint: Option<&str>) -> Check {
    Check {
        name,
        status,
        message,
        hint: hint.map(str::to_owned),
    }
}

/// The API checks, in order: Stripe, PayPal, Wave (a line for each whose
/// credentials are set), then sync's findings.
pub fn checks(api: &ApiArgs, db: &std::path::Path) -> Vec<Check> {
    let timeout = timeout_from_env();
    let mut out = Vec::new();
    match credentials::stripe_api_key() {
        Err(e) => out.push(check("stripe api", Status::Problem, e.to_string(), None)),
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
                    format!("STRIPE_API_KEY set ({mode} mode); Stripe answers (list events)"),
                    None,
                ),
                Err(e) => check(
                    "stripe api",
                    Status::Problem,
                    e.to_string(),
                    Some("check the key and its permissions (read: events, PaymentIntents, charges, disputes, refunds)"),
                ),
            });
            if kind == StripeKeyKind::Secret {
                out.push(check(
                    "stripe api key",
                    Status::Warning,
                    "STRIPE_API_KEY is a secret key (sk_): it can move money, sync only reads".to_owned(),
                    Some("create a restricted key (rk_) with read access to events, PaymentIntents, charges, disputes and refunds"),
                ));
            }
        }
    }
    match credentials::paypal_client() {
        Err(e) => out.push(check("paypal api", Status::Problem, e.to_string(), None)),
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
                    format!("PAYPAL_CLIENT_ID and secret set ({mode:?}); PayPal answers (token)"),
                    None,
                ),
                Err(e) => check(
                    "paypal api",
                    Status::Problem,
                    e.to_string(),
                    Some("check the app's client id and secret, and PAYPAL_MODE"),
                ),
            });
        }
    }
    if let Some(key) = credentials::wave_api_key() {
        let base = api.wave_api.as_deref().unwrap_or(WAVE_BASE);
        let answer = WaveApi::new(base, key, timeout).and_then(|w| w.probe());
        out.push(match answer {
            Ok(()) => check(
                "wave api",
                Status::Ok,
                "WAVE_API_KEY set; Wave answers (retrieve checkout session)".to_owned(),
                None,
            ),
            Err(e) => check(
                "wave api",
                Status::Problem,
                e.to_string(),
                Some("check the key (wave_sn_prod_...) in the Business Portal (Developers → API keys): it needs the Checkout API, and tally does not sign requests (a key created with request signing is refused)"),
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
                format!(
                    "tally sync applied {n} {} event(s) in the last {SYNC_LOOKBACK_DAYS} days that the \
                     listener never received",
                    provider.title()
                ),
                Some("check the webhook endpoint at the provider (URL, secret, enabled events) and that `tally serve` is reachable"),
            )
        })
        .collect()
}
