//! The providers' APIs a refund or a cancel may call: built once from the
//! environment's credentials ([`crate::providers::credentials`]) and the
//! base URLs (`--stripe-api`, `TALLY_STRIPE_API`, ...; the providers' live
//! hosts by default). A provider without credentials is simply absent: its
//! payments are refused with the reason, never half-handled. Credentials
//! that are set but unusable (a webhook secret in `STRIPE_API_KEY`) are
//! kept as an error, reported when that provider is needed.

use std::time::Duration;

use super::{Call, Provide, Reply};
use crate::domain::{Provider, RefundState};
use crate::providers::api::{ApiError, Retry, timeout_from_env};
use crate::providers::credentials;
use crate::providers::issued::IssuedRefund;
use crate::providers::paypal::api::{PaypalApi, default_base};
use crate::providers::paypal::refunds::RefundCall as PaypalCall;
use crate::providers::stripe::api::{DEFAULT_BASE as STRIPE_BASE, StripeApi};
use crate::providers::stripe::refunds::RefundCall as StripeCall;
use crate::providers::wave::api::{DEFAULT_BASE as WAVE_BASE, WaveApi};
pub use crate::sync::clients::Bases;

/// One provider's client: absent, ready, or misconfigured.
enum Slot<T> {
    Off,
    On(T),
    Broken(String),
}

impl<T> Slot<T> {
    fn of(made: Result<Option<T>, String>) -> Slot<T> {
        match made {
            Ok(Some(t)) => Slot::On(t),
            Ok(None) => Slot::Off,
            Err(e) => Slot::Broken(e),
        }
    }

    fn get(&self) -> Option<&T> {
        match self {
            Slot::On(t) => Some(t),
            Slot::Off | Slot::Broken(_) => None,
        }
    }

    fn configured(&self) -> Result<bool, String> {
        match self {
            Slot::Off => Ok(false),
            Slot::On(_) => Ok(true),
            Slot::Broken(e) => Err(e.clone()),
        }
    }
}

/// The configured providers' API clients.
pub struct Apis {
    stripe: Slot<StripeApi>,
    paypal: Slot<PaypalApi>,
    wave: Slot<WaveApi>,
    timeout: Duration,
}

impl Apis {
    /// The clients the environment's credentials allow, at `bases`.
    pub fn from_env(bases: &Bases) -> Apis {
        let timeout = timeout_from_env();
        let text = |e: &dyn std::fmt::Display| e.to_string();
        let stripe = credentials::stripe_api_key()
            .map_err(|e| text(&e))
            .and_then(|key| {
                key.map(|key| {
                    let base = bases.stripe.as_deref().unwrap_or(STRIPE_BASE);
                    StripeApi::new(base, key, timeout).map_err(|e| text(&e))
                })
                .transpose()
            });
        let paypal = credentials::paypal_client()
            .map_err(|e| text(&e))
            .and_then(|client| {
                client
                    .map(|client| {
                        let base = bases
                            .paypal
                            .clone()
                            .unwrap_or_else(|| default_base(client.mode).to_owned());
                        PaypalApi::new(&base, client, timeout).map_err(|e| text(&e))
                    })
                    .transpose()
            });
        let wave = credentials::wave_api_key()
            .map(|key| {
                let base = bases.wave.as_deref().unwrap_or(WAVE_BASE);
                WaveApi::new(base, key, timeout).map_err(|e| text(&e))
            })
            .transpose();
        Apis {
            stripe: Slot::of(stripe),
            paypal: Slot::of(paypal),
            wave: Slot::of(wave),
            timeout,
        }
    }

    /// No provider at all (`--offline` and tests).
    pub fn none() -> Apis {
        Apis {
            stripe: Slot::Off,
            paypal: Slot::Off,
            wave: Slot::Off,
            timeout: timeout_from_env(),
        }
    }

    pub fn stripe(&self) -> Option<&StripeApi> {
        self.stripe.get()
    }

    pub fn paypal(&self) -> Option<&PaypalApi> {
        self.paypal.get()
    }

    pub fn wave(&self) -> Option<&WaveApi> {
        self.wave.get()
    }

    fn missing(provider: Provider) -> Reply {
        Reply::NoAnswer(format!(
            "{}: no API client (credentials not configured)",
            provider.title()
        ))
    }
}

impl Provide for Apis {
    fn configured(&self, provider: Provider) -> Result<bool, String> {
        match provider {
            Provider::Stripe => self.stripe.configured(),
            Provider::Paypal => self.paypal.configured(),
            Provider::Wave => self.wave.configured(),
            Provider::Cash => Ok(false),
        }
    }

    fn refund(&self, call: &Call) -> Reply {
        let reply = |r: Result<IssuedRefund, ApiError>| match r {
            Ok(r) => Reply::Refund(r),
            Err(e) => Reply::of_error(&e),
        };
        match call.provider {
            Provider::Stripe => match self.stripe() {
                Some(api) => reply(api.create_refund(&StripeCall {
                    payment_intent: &call.target,
                    amount: call.amount,
                    reason: call.reason.as_deref(),
                    key: &call.key,
                    order: &call.order,
                    actor: &call.actor,
                })),
                None => Apis::missing(call.provider),
            },
            Provider::Paypal => match self.paypal() {
                Some(api) => reply(api.refund_capture(&PaypalCall {
                    capture: &call.target,
                    amount: call.amount,
                    note: call.reason.as_deref(),
                    key: &call.key,
                })),
                None => Apis::missing(call.provider),
            },
            // Wave gives no refund object: a 2xx is the whole payment back.
            Provider::Wave => match self.wave() {
                Some(api) => reply(api.refund_session(&call.target).map(|()| IssuedRefund {
                    id: format!("{}/refund", call.target),
                    state: RefundState::Succeeded,
                    amount: Some(call.amount),
                    at: None,
                })),
                None => Apis::missing(call.provider),
            },
            Provider::Cash => Reply::Refused("cash is refunded by hand".to_owned()),
        }
    }

    fn lookup(&self, call: &Call) -> Reply {
        let found = |r: Result<Option<IssuedRefund>, ApiError>| match r {
            Ok(Some(r)) => Reply::Refund(r),
            Ok(None) => Reply::NotFound,
            // A lookup is a read: whatever its error, nothing is known.
            Err(e) => Reply::NoAnswer(e.to_string()),
        };
        match call.provider {
            Provider::Stripe => match self.stripe() {
                Some(api) => found(api.find_refund(&call.target, &call.key)),
                None => Apis::missing(call.provider),
            },
            Provider::Paypal => match self.paypal() {
                Some(api) => found(api.find_refund(&call.target, &call.key)),
                None => Apis::missing(call.provider),
            },
            // A checkout is refunded once however often it is asked.
            Provider::Wave => self.refund(call),
            Provider::Cash => Reply::NotFound,
        }
    }

    fn in_flight(&self) -> Duration {
        let retry = Retry::default();
        self.timeout * retry.attempts + retry.max_wait
    }
}
