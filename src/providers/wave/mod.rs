//! Wave's room: what tally knows of Wave's webhooks (Checkout and merchant
//! payments, XOF).
//!
//! - [`verify`]: the two security strategies a Wave webhook is registered
//!   with: the `Wave-Signature` header (an HMAC-SHA256 over the timestamp
//!   immediately followed by the raw body) or `Authorization: Bearer`, and
//!   why there is no timestamp window by default (pure).
//! - [`parse`](mod@parse): a verified body into a [`ProviderEvent`](super::ProviderEvent)
//!   (pure).
//! - [`api`]: Wave's Checkout API client (refunds, the cancel guard,
//!   `tally sync`, `tally doctor`), and the fact a session is.
//!
//! Sources: `../shared/providers/wave.md` and the live body in
//! `../shared/providers/wave-samples/`. Nothing here knows of Stripe or
//! PayPal, of HTTP serving or of the database.

pub mod api;
pub mod parse;
pub mod verify;

pub use parse::parse;
pub use verify::{
    AUTHORIZATION_HEADER, SIGNATURE_HEADER, VerifyError, WaveAuth, WaveVerified, WaveVerifier,
    sign_wave, verify_wave_bearer, verify_wave_signature,
};
