//! The webhook listener (`tally serve`): HTTP, routing and metrics around
//! the provider rooms and ingest.
//!
//! Verifying a delivery and parsing its event belong to each provider's
//! room in [`crate::providers`]; what an event does to the shop belongs to
//! [`crate::ingest`], which the CLI and the dashboard share. The listener
//! decides which room a request goes to and what the answer is:
//!
//! - [`handler`]: a request struct in, a response out: routes, status
//!   codes, verification by the provider's room, then
//!   [`crate::ingest::apply`]. Tested without sockets.
//! - [`metrics`]: counters and a histogram in Prometheus text format.
//! - [`server`]: tiny_http, a fixed pool of workers, signals, limits, log lines.

pub mod bind;
pub mod handler;
pub mod metrics;
pub mod server;

#[cfg(test)]
mod tests;
