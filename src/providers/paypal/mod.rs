//! PayPal's room: what tally knows of PayPal's webhooks.
//!
//! - [`verify`]: the five `PAYPAL-*` headers, the certificate URL check,
//!   the certificate itself, and the RSA-SHA256 signature over
//!   `transmission_id|time|webhook_id|crc32(body)` with its freshness (pure).
//! - [`certs`]: where the certificate comes from: pinned, a disk cache, or
//!   fetched over HTTPS from PayPal's API hosts only.
//! - [`parse`](mod@parse): a verified body into a [`ProviderEvent`](super::ProviderEvent)
//!   (pure).
//!
//! - [`refunds`]: the refund calls `tally refund` makes.
//!
//! Nothing here knows of Stripe, of HTTP serving or of the database.

pub mod api;
pub mod certs;
pub mod parse;
pub mod refunds;
pub mod verify;

pub use certs::{CertError, CertSource, default_cert_cache};
pub use parse::parse;
pub use verify::{
    HEADER_AUTH_ALGO, HEADER_CERT_URL, HEADER_TRANSMISSION_ID, HEADER_TRANSMISSION_SIG,
    HEADER_TRANSMISSION_TIME, PaypalCert, PaypalHeaders, PaypalVerified, VerifyError,
    check_paypal_cert_url, parse_paypal_cert_url, verify_paypal,
};
