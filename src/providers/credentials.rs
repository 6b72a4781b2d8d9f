//! The providers' credentials, read from the environment.
//!
//! Webhooks: `STRIPE_WEBHOOK_SECRET` and `WAVE_WEBHOOK_SECRET` (each a
//! comma-separated list during a rotation) and `PAYPAL_WEBHOOK_ID`. APIs
//! (`tally sync`, `tally doctor`):
//! `STRIPE_API_KEY` (a restricted key `rk_…` with read access to events,
//! PaymentIntents, charges, disputes and refunds), `PAYPAL_CLIENT_ID` and
//! `PAYPAL_CLIENT_SECRET` (with `PAYPAL_MODE=live|sandbox`), `WAVE_API_KEY`.
//! They come from the environment only, never from flags, so they do not
//! show in `ps` or in the shell history. What this module promises:
//!
//! - **Never printed.** Nothing here prints or logs, and no error message
//!   contains a secret: only which entry is wrong and why.
//! - **Refused early.** A Stripe or Wave API key where the webhook secret
//!   belongs, an empty list, or PayPal's simulator id (unless allowed) is an
//!   error before anything listens.

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
    #[error("WAVE_WEBHOOK_SECRET is not valid UTF-8")]
    WaveNotUtf8,
    #[error(
        "WAVE_WEBHOOK_SECRET is set but holds no secret (expected wave_sn_WHS_..., comma-separated during a rotation)"
    )]
    WaveEmpty,
    #[error(
        "WAVE_WEBHOOK_SECRET entry #{entry} looks like a Wave API key or request-signing secret \
         (wave_..._prod_..., wave_..._AKS_...), not a webhook secret (wave_sn_WHS_...): take the \
         secret the Business Portal showed when the webhook was registered (Developers, Webhooks)"
    )]
    WaveApiKey {
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
    #[error(
        "STRIPE_API_KEY is not a Stripe secret or restricted API key (expected rk_... or sk_...; \
         whsec_ is the webhook signing secret, pk_ the publishable key)"
    )]
    StripeKeyKind,
    #[error("{0} is set but {1} is not: PayPal's API needs both")]
    PaypalHalf(&'static str, &'static str),
    #[error("PAYPAL_MODE is {0:?}: expected live or sandbox")]
    PaypalMode(String),
}

impl CredentialError {
    /// The error as a message, in the owner's language where read.
    pub fn msg(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            CredentialError::StripeNotUtf8 => msg!("cred-stripe-not-utf8"),
            CredentialError::StripeEmpty => msg!("cred-stripe-empty"),
            CredentialError::StripeApiKey { entry } => {
                msg!("cred-stripe-api-key", entry = *entry)
            }
            CredentialError::WaveNotUtf8 => msg!("cred-wave-not-utf8"),
            CredentialError::WaveEmpty => msg!("cred-wave-empty"),
            CredentialError::WaveApiKey { entry } => msg!("cred-wave-api-key", entry = *entry),
            CredentialError::PaypalSimulator => {
                msg!("cred-paypal-simulator", id = PAYPAL_SIMULATOR_ID)
            }
            CredentialError::StripeKeyKind => msg!("cred-stripe-key-kind"),
            CredentialError::PaypalHalf(set, unset) => {
                msg!("cred-paypal-half", set = *set, unset = *unset)
            }
            CredentialError::PaypalMode(mode) => {
                msg!("cred-paypal-mode", mode = format!("{mode:?}"))
            }
        }
    }
}

/// What kind of Stripe API key `STRIPE_API_KEY` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripeKeyKind {
    /// `rk_…`: only the permissions given to it.
    Restricted,
    /// `sk_…`: full access to the account, more than sync needs.
    Secret,
}

/// A Stripe API key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct StripeKey {
    key: String,
    pub kind: StripeKeyKind,
    /// Test mode (`_test_`) or live.
    pub live: bool,
}

impl std::fmt::Debug for StripeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StripeKey({:?}, live: {})", self.kind, self.live)
    }
}

impl StripeKey {
    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.key
    }

    /// A key from its text; refuses webhook secrets and publishable keys.
    pub fn parse(raw: &str) -> Result<StripeKey, CredentialError> {
        let key = raw.trim();
        let kind = if key.starts_with("rk_") {
            StripeKeyKind::Restricted
        } else if key.starts_with("sk_") {
            StripeKeyKind::Secret
        } else {
            return Err(CredentialError::StripeKeyKind);
        };
        if key.len() < 8 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CredentialError::StripeKeyKind);
        }
        Ok(StripeKey {
            key: key.to_owned(),
            kind,
            live: key.contains("_live_"),
        })
    }
}

/// PayPal's API: which host, with which app's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaypalMode {
    Live,
    Sandbox,
}

/// PayPal's app credentials. Its `Debug` shows only the mode.
#[derive(Clone)]
pub struct PaypalClient {
    pub client_id: String,
    secret: String,
    pub mode: PaypalMode,
}

impl std::fmt::Debug for PaypalClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PaypalClient({:?})", self.mode)
    }
}

impl PaypalClient {
    pub fn new(client_id: &str, secret: &str, mode: PaypalMode) -> PaypalClient {
        PaypalClient {
            client_id: client_id.trim().to_owned(),
            secret: secret.trim().to_owned(),
            mode,
        }
    }

    /// The secret itself, for the token call's `Authorization` only.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

/// A Wave API key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct WaveKey(String);

impl std::fmt::Debug for WaveKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaveKey")
    }
}

impl WaveKey {
    /// A key given by the caller rather than the environment (tests).
    pub fn new(key: &str) -> WaveKey {
        WaveKey(key.trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A set, non-blank environment variable, trimmed.
fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// `STRIPE_API_KEY`; `None` when unset.
pub fn stripe_api_key() -> Result<Option<StripeKey>, CredentialError> {
    env("STRIPE_API_KEY")
        .map(|k| StripeKey::parse(&k))
        .transpose()
}

/// `PAYPAL_CLIENT_ID` + `PAYPAL_CLIENT_SECRET` (+ `PAYPAL_MODE`, default
/// live); `None` when neither is set.
pub fn paypal_client() -> Result<Option<PaypalClient>, CredentialError> {
    let mode = match env("PAYPAL_MODE").as_deref() {
        None | Some("live") => PaypalMode::Live,
        Some("sandbox") => PaypalMode::Sandbox,
        Some(other) => return Err(CredentialError::PaypalMode(other.to_owned())),
    };
    match (env("PAYPAL_CLIENT_ID"), env("PAYPAL_CLIENT_SECRET")) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(CredentialError::PaypalHalf(
            "PAYPAL_CLIENT_ID",
            "PAYPAL_CLIENT_SECRET",
        )),
        (None, Some(_)) => Err(CredentialError::PaypalHalf(
            "PAYPAL_CLIENT_SECRET",
            "PAYPAL_CLIENT_ID",
        )),
        (Some(id), Some(secret)) => Ok(Some(PaypalClient::new(&id, &secret, mode))),
    }
}

/// `WAVE_API_KEY`; `None` when unset.
pub fn wave_api_key() -> Option<WaveKey> {
    env("WAVE_API_KEY").map(WaveKey)
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

/// `WAVE_WEBHOOK_SECRET` as a list; empty when unset.
pub fn wave_secrets() -> Result<Vec<String>, CredentialError> {
    let Some(raw) = std::env::var_os("WAVE_WEBHOOK_SECRET") else {
        return Ok(Vec::new());
    };
    let raw = raw
        .into_string()
        .map_err(|_| CredentialError::WaveNotUtf8)?;
    parse_wave_secrets(&raw)
}

/// What a `WAVE_WEBHOOK_SECRET` entry looks like, judged by its prefix only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveSecretShape {
    /// `wave_<country>_WHS_...`: a webhook secret, as the Business Portal
    /// shows them (`wave_sn_WHS_...` in Senegal).
    Webhook,
    /// Another `wave_...` value: an API key (`wave_sn_prod_...`) or an API
    /// request-signing secret (`wave_sn_AKS_...`), never a webhook's.
    ApiKey,
    /// Anything else: not a shape Wave is known to issue.
    Unusual,
}

/// The shape of one secret (`../shared/providers/wave.md` §1.4: webhook
/// secrets `wave_sn_WHS_…`, API keys `wave_sn_prod_…`, request-signing
/// secrets `wave_sn_AKS_…`; the country part is taken to vary, as in event
/// ids such as `AE_sn_…`).
pub fn wave_secret_shape(secret: &str) -> WaveSecretShape {
    let Some(rest) = secret.strip_prefix("wave_") else {
        return WaveSecretShape::Unusual;
    };
    let country = rest.split('_').next().unwrap_or_default();
    let webhook = country.len() == 2
        && country.bytes().all(|b| b.is_ascii_lowercase())
        && rest[2..].starts_with("_WHS_");
    if webhook {
        WaveSecretShape::Webhook
    } else {
        WaveSecretShape::ApiKey
    }
}

/// A set `WAVE_WEBHOOK_SECRET` as a list; refuses an empty list and Wave
/// API keys.
pub fn parse_wave_secrets(raw: &str) -> Result<Vec<String>, CredentialError> {
    let secrets: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if secrets.is_empty() {
        return Err(CredentialError::WaveEmpty);
    }
    if let Some(i) = secrets
        .iter()
        .position(|s| wave_secret_shape(s) == WaveSecretShape::ApiKey)
    {
        return Err(CredentialError::WaveApiKey { entry: i + 1 });
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

    #[test]
    fn stripe_api_keys_are_told_apart_and_never_shown() {
        let k = StripeKey::parse(" rk_live_abcdef123 ").unwrap();
        assert_eq!(k.kind, StripeKeyKind::Restricted);
        assert!(k.live);
        assert_eq!(k.expose(), "rk_live_abcdef123");
        assert!(!format!("{k:?}").contains("abcdef"));
        let k = StripeKey::parse("sk_test_abcdef123").unwrap();
        assert_eq!((k.kind, k.live), (StripeKeyKind::Secret, false));
        for bad in ["whsec_abcdef123", "pk_test_abcdef123", "sk_", "x"] {
            let err = StripeKey::parse(bad).unwrap_err();
            assert!(!err.to_string().contains("abcdef"), "{err}");
        }
    }

    #[test]
    fn wave_secrets_are_a_trimmed_list_without_api_keys() {
        assert_eq!(
            parse_wave_secrets(" wave_sn_WHS_a , ,wave_ci_WHS_b").unwrap(),
            ["wave_sn_WHS_a", "wave_ci_WHS_b"]
        );
        // Not Wave's shape, but not an API key either: taken (doctor warns).
        assert_eq!(
            parse_wave_secrets("my-shared-secret").unwrap(),
            ["my-shared-secret"]
        );
        assert!(matches!(
            parse_wave_secrets(" , "),
            Err(CredentialError::WaveEmpty)
        ));
        for key in [
            "wave_sn_prod_YhUNb9dsecretvalue",
            "wave_ci_prod_secretvalue",
            "wave_sn_AKS_secretvalue",
            "wave_secretvalue",
            "wave_SN_WHS_secretvalue",
            "wave_sn_whs_secretvalue",
        ] {
            let err = parse_wave_secrets(&format!("wave_sn_WHS_ok,{key}")).unwrap_err();
            assert!(
                matches!(err, CredentialError::WaveApiKey { entry: 2 }),
                "{key}: {err}"
            );
            assert!(!err.to_string().contains("secretvalue"), "{err}");
        }
        assert_eq!(wave_secret_shape("wave_sn_WHS_x"), WaveSecretShape::Webhook);
        assert_eq!(wave_secret_shape("wave_sn_prod_x"), WaveSecretShape::ApiKey);
        assert_eq!(wave_secret_shape("whsec_x"), WaveSecretShape::Unusual);
        assert_eq!(wave_secret_shape("wave_é_WHS_x"), WaveSecretShape::ApiKey);
    }
}
