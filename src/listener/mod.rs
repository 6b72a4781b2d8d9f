//! The webhook listener (`tally serve`): verification of provider
//! deliveries, parsing of their events, and their application to payments.
//!
//! The rooms, arrows pointing inward to the domain (whose
//! [`transition`](crate::domain::transition) holds the forward-only rule):
//!
//! - [`verify`]: Stripe and PayPal signatures over the raw body (pure).
//! - [`event`]: event bodies into a closed set of kinds and matching keys (pure).
//! - [`apply`]: one IMMEDIATE transaction per event: de-duplication,
//!   matching, the transition, the operations, orphans, the log row; the
//!   answer only after the commit.
//! - [`orphans`]: linking and dismissing orphans, replaying logged events.
//! - [`log`]: the webhook log's rows and reads.
//! - [`handler`]: a request struct in, a response out: routes, status
//!   codes, verification, then [`apply`]. Tested without sockets.
//! - [`certs`]: where PayPal certificates come from (pinned, disk cache, HTTPS).
//! - [`metrics`]: counters and a histogram in Prometheus text format.
//! - [`server`]: tiny_http, a fixed pool of workers, signals, limits, log lines.

pub mod apply;
pub mod certs;
pub mod event;
pub mod handler;
pub mod log;
pub mod metrics;
pub mod orphans;
pub mod server;
pub mod verify;

#[cfg(test)]
mod tests;
