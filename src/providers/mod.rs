//! The payment providers, one room each.
//!
//! A provider room ([`stripe`], [`paypal`], [`wave`]) holds everything tally knows of
//! one provider, in the same small shape:
//!
//! - `verify`: is this delivery genuinely the provider's? Checked over the
//!   raw bytes, pure, constant-time wherever a secret is compared. A refusal
//!   is the room's own `VerifyError`, which says what kind of
//!   [`SignatureFault`] it is.
//! - `parse`: a verified body into a [`ProviderEvent`] in the domain's
//!   terms: a closed [`EventKind`], exact [`Money`](crate::domain::Money),
//!   the keys that match it to a payment. Pure.
//! - `api`: the provider's API client (`tally sync`, `tally doctor`),
//!   built on the shared [`api`] client (time limits, retries, errors).
//! - whatever only that provider needs (PayPal's `certs`).
//!
//! Shared by the rooms: [`event`] (the vocabulary they parse into), [`http`]
//! (the one HTTP agent builder), [`credentials`] (the webhook secrets from
//! the environment) and a private JSON reader.
//!
//! What it promises:
//!
//! - **Rooms do not import each other**, and nothing here imports the
//!   listener, the dashboard or the command line: they use the rooms.
//! - **Every provider is named.** [`parse`] matches [`Provider`] without a
//!   catch-all: cash, whose payments are confirmed by hand, answers
//!   [`EventError::Unsupported`] instead of falling through to another
//!   provider's parser.
//! - **No secret and no signature** in any error or message.

pub mod api;
pub mod credentials;
pub mod event;
pub mod http;
pub mod issued;
mod json;
pub mod paypal;
mod signed_header;
pub mod stripe;
pub mod wave;

#[cfg(test)]
mod tests;

pub use event::{EventError, EventKind, ProviderEvent, Refund};

use crate::domain::Provider;

/// What kind of refusal a signature check ended in, whatever the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFault {
    /// The signature (or a header it needs) is absent or blank.
    Missing,
    /// Genuine, but signed too long ago or too far in the future.
    Expired,
    /// Anything else: malformed, wrong, or refused material.
    Invalid,
}

/// Parses a verified body from `provider`.
pub fn parse(provider: Provider, body: &[u8]) -> Result<ProviderEvent, EventError> {
    match provider {
        Provider::Stripe => stripe::parse(body),
        Provider::Paypal => paypal::parse(body),
        Provider::Wave => wave::parse(body),
        Provider::Cash => Err(EventError::Unsupported { provider }),
    }
}
