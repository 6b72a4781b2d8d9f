//! The webhook listener (`tally serve`): HTTP, routing and metrics around
//! the provider rooms, and the application of their events to payments.
//!
//! Verifying a delivery and parsing its event belong to each provider's
//! room in [`crate::providers`]; the listener decides which room a request
//! goes to and what the answer is. The rooms here, arrows pointing inward
//! to the domain (whose [`transition`](crate::domain::transition) holds the
//! forward-only rule):
//!
//! - [`apply`]: one IMMEDIATE transaction per event: de-duplication,
//!   matching, the transition, the operations, orphans, the log row; the
//!   answer only after the commit.
//! - [`orphans`]: linking and dismissing orphans, replaying logged events.
//! - [`log`]: the webhook log's rows and reads.
//! - [`handler`]: a request struct in, a response out: routes, status
//!   codes, verification, then [`apply`]. Tested without sockets.
//! - [`metrics`]: counters and a histogram in Prometheus text format.
//! - [`server`]: tiny_http, a fixed pool of workers, signals, limits, log lines.

pub mod apply;
pub mod handler;
pub mod log;
pub mod metrics;
pub mod orphans;
pub mod server;

#[cfg(test)]
mod tests;
