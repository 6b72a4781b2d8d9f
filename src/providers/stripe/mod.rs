//! Stripe's room: what tally knows of Stripe's webhooks.
//!
//! - [`verify`]: the `Stripe-Signature` header, an HMAC-SHA256 over the
//!   raw body under any configured endpoint secret, and its timestamp
//!   tolerance (pure).
//! - [`parse`](mod@parse): a verified body into a [`ProviderEvent`](super::ProviderEvent)
//!   (pure).
//!
//! - [`refunds`]: the API calls `tally refund` and the cancel guard make
//!   (refunds, PaymentIntent cancel and search).
//!
//! Nothing here knows of PayPal, of HTTP serving or of the database.

pub mod api;
pub mod parse;
pub mod refunds;
pub mod verify;

pub use parse::parse;
pub use verify::{StripeVerified, VerifyError, sign_stripe, verify_stripe};
