//! Which providers a sync asks, with which credentials, at which hosts:
//! the environment's credentials ([`crate::providers::credentials`]) and
//! the base URLs (`--stripe-api` / `TALLY_STRIPE_API`, ...), resolved once
//! for the command line and the dashboard alike.

use crate::domain::Provider;
use crate::providers::api::{ApiError, timeout_from_env};
use crate::providers::credentials::{self, CredentialError};
use crate::providers::paypal::api::{PaypalApi, default_base};
use crate::providers::stripe::api::{DEFAULT_BASE as STRIPE_BASE, StripeApi};
use crate::providers::wave::api::{DEFAULT_BASE as WAVE_BASE, WaveApi};

/// The API hosts; `None` is the provider's live host.
#[derive(Debug, Clone, Default)]
pub struct Bases {
    pub stripe: Option<String>,
    pub paypal: Option<String>,
    pub wave: Option<String>,
}

impl Bases {
    /// The hosts the environment sets (`TALLY_STRIPE_API`,
    /// `TALLY_PAYPAL_API`, `TALLY_WAVE_API`), for callers without the
    /// command line's flags (the dashboard).
    pub fn from_env() -> Bases {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Bases {
            stripe: var("TALLY_STRIPE_API"),
            paypal: var("TALLY_PAYPAL_API"),
            wave: var("TALLY_WAVE_API"),
        }
    }
}

/// The clients of the providers a sync asks.
#[derive(Default)]
pub struct Clients {
    pub stripe: Option<StripeApi>,
    pub paypal: Option<PaypalApi>,
    pub wave: Option<WaveApi>,
}

impl Clients {
    /// As sync sources, in a fixed order.
    pub fn sources(&self) -> Vec<&dyn super::Source> {
        let mut out: Vec<&dyn super::Source> = Vec::new();
        if let Some(s) = &self.stripe {
            out.push(s);
        }
        if let Some(p) = &self.paypal {
            out.push(p);
        }
        if let Some(w) = &self.wave {
            out.push(w);
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{provider}: {var} is not set, so tally cannot ask {provider}'s API")]
    NotConfigured {
        provider: &'static str,
        var: &'static str,
    },
    #[error(
        "no provider API credentials are set: set STRIPE_API_KEY, PAYPAL_CLIENT_ID and \
         PAYPAL_CLIENT_SECRET, or WAVE_API_KEY (see `tally sync --help`)"
    )]
    NoneConfigured,
}

impl ClientError {
    /// The error as a message, in the owner's language where read.
    pub fn msg(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            ClientError::Credentials(e) => e.msg(),
            ClientError::Api(e) => e.msg(),
            ClientError::NotConfigured { provider, var } => {
                msg!("sync-not-configured", provider = *provider, var = *var)
            }
            ClientError::NoneConfigured => msg!("sync-none-configured"),
        }
    }
}

/// The clients for `named` providers (none named: every configured one).
pub fn clients(bases: &Bases, named: &[Provider]) -> Result<Clients, ClientError> {
    let timeout = timeout_from_env();
    let want = |p: Provider| named.is_empty() || named.contains(&p);
    let mut out = Clients::default();
    if want(Provider::Stripe) {
        match credentials::stripe_api_key()? {
            Some(key) => {
                let base = bases.stripe.as_deref().unwrap_or(STRIPE_BASE);
                out.stripe = Some(StripeApi::new(base, key, timeout)?);
            }
            None if !named.is_empty() => {
                return Err(ClientError::NotConfigured {
                    provider: "Stripe",
                    var: "STRIPE_API_KEY",
                });
            }
            None => {}
        }
    }
    if want(Provider::Paypal) {
        match credentials::paypal_client()? {
            Some(client) => {
                let base = bases
                    .paypal
                    .clone()
                    .unwrap_or_else(|| default_base(client.mode).to_owned());
                out.paypal = Some(PaypalApi::new(&base, client, timeout)?);
            }
            None if !named.is_empty() => {
                return Err(ClientError::NotConfigured {
                    provider: "PayPal",
                    var: "PAYPAL_CLIENT_ID",
                });
            }
            None => {}
        }
    }
    if want(Provider::Wave) {
        match credentials::wave_api_key() {
            Some(key) => {
                let base = bases.wave.as_deref().unwrap_or(WAVE_BASE);
                out.wave = Some(WaveApi::new(base, key, timeout)?);
            }
            None if !named.is_empty() => {
                return Err(ClientError::NotConfigured {
                    provider: "Wave",
                    var: "WAVE_API_KEY",
                });
            }
            None => {}
        }
    }
    if out.stripe.is_none() && out.paypal.is_none() && out.wave.is_none() {
        return Err(ClientError::NoneConfigured);
    }
    Ok(out)
}
