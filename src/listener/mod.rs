//! The webhook listener (`tally serve`): verification of provider
//! deliveries, parsing of their events, and their application to payments.
//!
//! The rooms, arrows pointing inward to the domain (whose
//! [`transition`](crate::domain::transition) holds the forward-only rule):
//!
//! - [`verify`]: Stripe and PayPal signatures over the raw body (pure).
//! - [`event`]: event bodies into a closed set of kinds and matching keys (pure).
//! - [`handler`]: a request struct in, a response out: routes, status
//!   codes, verification, then [`crate::ingest::apply`]. Tested without sockets.
//! - [`certs`]: where PayPal certificates come from (pinned, disk cache, HTTPS).
//! - [`metrics`]: counters and a histogram in Prometheus text format.
//! - [`server`]: tiny_http, a fixed pool of workers, signals, limits, log lines.

pub mod certs;
pub mod event;
pub mod handler;
pub mod metrics;
pub mod server;
pub mod verify;

#[cfg(test)]
mod tests;
