//! The providers' webhook credentials, read from the environment.
//!
//! `STRIPE_WEBHOOK_SECRET` (a comma-separated list during a rotation) and
//! `PAYPAL_WEBHOOK_ID` come from the environment only, never from flags, so
//! they do not show in `ps` or in the shell history. What this module
//! promises:
//!
//! - **Never printed.** Nothing here prints or logs, and no error message
//!   contains a secret: only which entry is wrong and why.
//! - **Refused early.** A Stripe API key where the signing secret belongs,
//!   an empty list, or PayPal's simulator id (unless allowed) is an error
//!   before anything listens.

/// The webhook id PayPal's webhook simulator signs with.
pub const PAYPAL_SIMULATOR_ID: &str = "WEBHOOK_ID";

/// Why the environment's credentials are refused. No message contains a
/// secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("STRIPE_WEBHOOK_SECRET is not valid UTF-8")]
    StripeNotUtf8,
    #[error(
        "STRIPE_WEBHOOK_SECRET is set but holds no secret (expected whsec_..., comma-separated during a rotation)"
    )]
    StripeEmpty,
    #[error(
        "STRIPE_WEBHOOK_SECRET entry #{entry} is a Stripe API key, not a webhook signing secret (whsec_...): \
         take the signing secret from the webhook endpoint's page"
    )]
    StripeApiKey {
        /// One-based position in the list.
        entry: usize,
    },
    #[error(
        "PAYPAL_WEBHOOK_ID is {}, the id PayPal's webhook simulator signs with: \
         anyone can make the simulator post genuinely signed events to any URL. Set the id of \
         your webhook (developer dashboard, your app, Webhooks), or pass --paypal-allow-simulator \
         on a test listener",
        PAYPAL_SIMULATOR_ID
    )]
    PaypalSimulator,
}

/// `STRIPE_WEBHOOK_SECRET` as a list; empty when unset.
pub fn stripe_secrets() -> Result<Vec<String>, CredentialError> {
    let Some(raw) = std::env::var_os("STRIPE_WEBHOOK_SECRET") else {
        return Ok(Vec::new());
    };
    let raw = raw
        .into_string()
        .map_err(|_| CredentialError::StripeNotUtf8)?;
    parse_stripe_secrets(&raw)
}

/// A set `STRIPE_WEBHOOK_SECRET` as a list; refuses an empty list and
/// Stripe API keys.
pub fn parse_stripe_secrets(raw: &str) -> Result<Vec<String>, CredentialError> {
    let secrets: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if secrets.is_empty() {
        return Err(CredentialError::StripeEmpty);
    }
    if let Some(i) = secrets
        .iter()
        .position(|s| s.starts_with("sk_") || s.starts_with("rk_") || s.starts_with("pk_"))
    {
        return Err(CredentialError::StripeApiKey { entry: i + 1 });
    }
    Ok(secrets)
}

/// `PAYPAL_WEBHOOK_ID`, trimmed; `None` when unset or blank. PayPal's
/// simulator id is refused unless `allow_simulator`.
pub fn paypal_webhook_id(allow_simulator: bool) -> Result<Option<String>, CredentialError> {
    let id = std::env::var("PAYPAL_WEBHOOK_ID")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if id.as_deref() == Some(PAYPAL_SIMULATOR_ID) && !allow_simulator {
        return Err(CredentialError::PaypalSimulator);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_secrets_are_a_trimmed_list_without_api_keys() {
        assert_eq!(
            parse_stripe_secrets(" whsec_a , ,whsec_b").unwrap(),
            ["whsec_a", "whsec_b"]
        );
        assert!(matches!(
            parse_stripe_secrets(" , "),
            Err(CredentialError::StripeEmpty)
        ));
        let err = parse_stripe_secrets("whsec_a,sk_live_secretvalue").unwrap_err();
        assert!(matches!(err, CredentialError::StripeApiKey { entry: 2 }));
        assert!(!err.to_string().contains("secretvalue"), "{err}");
    }
}
