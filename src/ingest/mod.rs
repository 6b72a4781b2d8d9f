//! Ingest: what a verified provider event does to the shop, for every mode.
//!
//! The listener calls [`apply::process`] for each verified delivery; the
//! CLI and the dashboard call [`orphans`] to replay a logged delivery, link
//! an orphan to an order or dismiss it. All of them go through the same
//! code path, so an event means the same whoever hands it in.
//!
//! - [`apply`]: one `BEGIN IMMEDIATE` transaction per event:
//!   de-duplication, matching, the forward-only transition, the
//!   operations, orphans, the log row; the answer only after the commit.
//! - [`orphans`]: linking and dismissing orphans, replaying logged events.

pub mod apply;
pub mod orphans;

#[cfg(test)]
mod tests;
