//! Money back through the providers (`tally refund`, `tally order cancel
//! --refund`), and the cancel guard that keeps tally from cancelling an
//! order the provider has just been paid for. Used by the command line and
//! the dashboard alike; neither imports the other.
//!
//! - [`issue`]: one refund, exactly once. A refund intent is written in a
//!   `BEGIN IMMEDIATE` transaction of its own before the provider is
//!   called (order, payment, amount, a random idempotency key, state
//!   `requested`, actor); the provider is called with that key; its answer
//!   is recorded in another transaction: the intent's state, and the
//!   provider's refund as the payment's `refund` movement (keyed by the
//!   provider's refund id, so that the provider's later events for it
//!   update the same flow instead of counting the money twice). A timeout,
//!   a lost connection or a 5xx leaves the intent `unknown`.
//! - [`guard`]: before `order cancel` cancels an order whose payment is
//!   pending in tally, the provider is asked: paid there → the payment is
//!   brought up to date and the order is not cancelled; still cancellable →
//!   cancelled there too; unreachable → not cancelled unless `--offline`.
//! - [`cancel`]: the guard, the owner's cancel ([`crate::ops::cancel`]) and,
//!   with `--refund`, the refund, per order.
//! - [`clients`]: which providers' APIs are configured, and where.
//!
//! # Exactly once
//! While a payment has an unsettled intent (`requested`, `unknown`; the
//! store allows one at most), no new refund of it is asked for. A retry
//! first settles it: an intent another process is still working on is
//! waited for (up to [`Provide::in_flight`]); otherwise its request is sent
//! again with the same key while the provider keeps keys
//! ([`crate::domain::refund::key_lifetime`]), else the provider's refunds
//! are searched for the intent's key. Only then is a new refund decided,
//! from the payment's figures as they are now. No transaction is ever held
//! across a network call.
//!
//! # Never automatic
//! Nothing here runs without the owner asking: `tally check --fix` never
//! refunds.

pub mod cancel;
pub mod clients;
pub mod guard;
pub mod issue;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::domain::refund::Answer;
use crate::domain::{Money, Provider};
use crate::providers::api::ApiError;
use crate::providers::issued::IssuedRefund;

pub use clients::Apis;
pub use issue::{Outcome, Plan, Request};

/// One refund request, as every try sends it: built from the intent's row
/// only (never from the current command's flags), so that a retry by
/// another owner sends exactly the first request.
#[derive(Debug, Clone)]
pub struct Call {
    pub provider: Provider,
    /// The PaymentIntent, capture or sale, or checkout session.
    pub target: String,
    pub amount: Money,
    pub reason: Option<String>,
    /// The idempotency key, also the intent's id at the provider.
    pub key: String,
    pub order: String,
    pub actor: String,
}

/// What the provider said to one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Refund(IssuedRefund),
    /// A 4xx that says no: nothing was refunded.
    Refused(String),
    /// Nothing that says what happened.
    NoAnswer(String),
    /// A lookup found no refund of this intent.
    NotFound,
}

impl Reply {
    /// The domain's view of the reply.
    pub fn answer(&self) -> Answer {
        match self {
            Reply::Refund(r) => Answer::Refund {
                id: r.id.clone(),
                state: r.state,
            },
            Reply::Refused(why) => Answer::Refused(why.clone()),
            Reply::NoAnswer(why) => Answer::NoAnswer(why.clone()),
            Reply::NotFound => Answer::NotFound,
        }
    }

    /// A failed call: a 4xx other than 409 and 429 is the provider's
    /// refusal (the request was not acted on); anything else leaves the
    /// outcome unknown.
    pub fn of_error(e: &ApiError) -> Reply {
        match e.status() {
            // PayPal may fail a second request sent while the first with
            // the same PayPal-Request-Id runs (paypal-api.md §3): not a no.
            Some(s)
                if (400..500).contains(&s)
                    && s != 409
                    && s != 429
                    && !e.to_string().contains("DUPLICATE_REQUEST_ID") =>
            {
                Reply::Refused(e.to_string())
            }
            Some(_) | None => Reply::NoAnswer(e.to_string()),
        }
    }
}

/// The providers' side of a refund, as [`issue`] uses it: the real APIs
/// ([`Apis`]), or a fake in tests.
pub trait Provide {
    /// `Ok(true)` when the provider's API credentials are set; an error
    /// when they are set but unusable (a malformed key).
    fn configured(&self, provider: Provider) -> Result<bool, String>;
    /// Sends (or sends again) the refund request with its key.
    fn refund(&self, call: &Call) -> Reply;
    /// Searches the provider's refunds for the intent's key.
    fn lookup(&self, call: &Call) -> Reply;
    /// How long an intent another process wrote may still be in its hands
    /// (its call and the call's retries) before it is settled from here.
    fn in_flight(&self) -> Duration;
}
