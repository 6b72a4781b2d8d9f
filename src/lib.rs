//! `tally` keeps a small online shop's orders and payments consistent.
//!
//! The crate is laid out as rooms around one core:
//!
//! - [`domain`]: statuses, the status mapping, money, the ledger's movements
//!   and their pure fold to figures. Depends on nothing else here.
//! - [`store`]: the SQLite file: opening, migrations, locking; the only code
//!   that writes it (a read-only `Reader`, a `Writer` with one method per write).
//! - [`ops`]: the owner's operations (the four synchronisation operations,
//!   recording a refund made by hand), each one atomic and audited.
//! - [`refund`]: money back through the providers' APIs, exactly once
//!   (refund intents), and the cancel guard.
//! - [`ingest`]: what a verified provider event does (apply, replay, link, dismiss):
//!   the one path the listener, `tally sync` and the cancel guard share.
//! - [`transfer`]: import and export of orders and payments (JSON and CSV).
//! - [`statement`]: the providers' export files (Stripe, PayPal, Wave):
//!   reading them into lines of exact money, matching lines to payments.
//! - [`demo`]: a realistic demo shop.
//! - [`providers`]: one room per payment provider (verification, parsing,
//!   its API client), and what they share (the HTTP agent, the API client's
//!   retries and errors, credentials).
//! - [`sync`]: the providers' books backfilling what webhooks missed
//!   (`tally sync`), through [`ingest`]'s webhook path.
//! - [`listener`]: the webhook listener (`tally serve`).
//! - [`report`]: the consistency report (`tally check`, `fix`, `resolve`).
//! - [`dash`]: the terminal dashboard (`tally dash`).
//! - [`i18n`]: the owner's language (English, French): the message
//!   catalogues, status words, money and dates as a person reads them.
//! - [`cli`]: command-line types and the commands that glue the rooms together.
//!
//! Arrows point inward: everything depends on [`domain`], and [`domain`] on nothing.

pub mod cli;
pub mod dash;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod ingest;
pub mod listener;
pub mod ops;
pub mod providers;
pub mod refund;
pub mod report;
pub mod statement;
pub mod store;
pub mod sync;
#[cfg(test)]
pub(crate) mod testing;
pub mod transfer;
