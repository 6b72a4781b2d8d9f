//! A provider event in tally's terms: what every provider room parses its
//! deliveries into, and what the listener applies to payments.
//!
//! Vocabulary only: no IO, no provider's wire format. What it promises:
//!
//! - **A closed set of kinds.** Every event type tally acts on maps to one
//!   [`EventKind`]; any other type is [`EventKind::Ignored`] (answered 200,
//!   logged as ignored), and its body is not looked at further.
//! - **Exact amounts.** Every amount is a [`Money`] with its currency's
//!   exponent, never a float, and never negative.
//! - **Matching keys in priority order.** [`ProviderEvent::references`] lists
//!   the provider ids to look up against a payment's reference or charge id,
//!   most specific first; [`ProviderEvent::order_numbers`] the order numbers
//!   the shop put in the event.

use crate::domain::{Money, Movement, Provider, Timestamp};

/// What a provider event says, in tally's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The payment was captured: completed.
    Succeeded,
    /// The payment was declined: failed.
    Failed,
    /// The payment is in progress or waits for the customer: pending.
    Pending,
    /// The payment was cancelled before any capture: cancelled.
    Canceled,
    /// Money went back to the customer.
    Refunded(Refund),
    /// The funds were taken back (PayPal reversal): cancelled, disputed.
    Reversed,
    /// A dispute was opened: disputed.
    DisputeCreated,
    /// A dispute was closed; a lost one cancels the payment.
    DisputeClosed { lost: bool },
    /// A fact about money only (a refund's or a dispute's new state, an
    /// authorisation): its [`ProviderEvent::movements`] say everything;
    /// the payment's status follows from its figures.
    Ledger,
    /// A type tally does not act on.
    Ignored,
}

/// What a refund event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refund {
    /// The refunded total so far when `cumulative`, else this refund alone.
    pub amount: Money,
    pub cumulative: bool,
    /// What the provider says was captured, when the event says it.
    pub captured: Option<Money>,
}

/// A parsed provider event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    pub provider: Provider,
    /// The provider's event id, unique per provider.
    pub id: String,
    /// The provider's event type, as sent.
    pub event_type: String,
    /// When the provider created the event.
    pub created: Option<Timestamp>,
    pub kind: EventKind,
    /// Provider ids to match against a payment's reference or charge id,
    /// most specific first.
    pub references: Vec<String>,
    /// The reference a payment found by order number records when it has
    /// none (Stripe: the PaymentIntent, else the charge; PayPal: the sale
    /// or capture).
    pub reference: Option<String>,
    /// The charge (Stripe) or sale/capture (PayPal) id to keep on the
    /// payment, so later refunds and disputes that carry only it match.
    pub charge_id: Option<String>,
    /// Order numbers the shop put in the event.
    pub order_numbers: Vec<String>,
    /// The amount the event is about: captured for a success, disputed for
    /// a dispute, refunded for a refund.
    pub amount: Option<Money>,
    /// What the provider kept of [`ProviderEvent::amount`] as its fee
    /// (Wave reports one beside a received payment). Not a movement: the
    /// ledger counts what the customer paid; the fee is kept with the event.
    pub fee: Option<Money>,
    /// The provider's raw status text ("requires_action", "PENDING (UNILATERAL)").
    pub provider_status: Option<String>,
    /// The money facts the event reports, each keyed by the provider's id
    /// and stamped with the provider's own time: captures, releases,
    /// refunds, disputes and reversals (see [`crate::domain::ledger`]).
    pub movements: Vec<Movement>,
}

impl ProviderEvent {
    /// An event that says nothing yet beyond who sent it, its id, type and
    /// time: the parsers fill in the rest.
    pub(in crate::providers) fn new(
        provider: Provider,
        id: String,
        event_type: String,
        created: Option<Timestamp>,
    ) -> ProviderEvent {
        ProviderEvent {
            provider,
            id,
            event_type,
            created,
            kind: EventKind::Ignored,
            references: Vec::new(),
            reference: None,
            charge_id: None,
            order_numbers: Vec::new(),
            amount: None,
            fee: None,
            provider_status: None,
            movements: Vec::new(),
        }
    }
}

/// Why a body is not an event tally can read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the body is not a JSON object: {0}")]
    NotJson(String),
    #[error("the event has no {0}")]
    Missing(&'static str),
    #[error("the event {field} {value:?} is too long or not printable")]
    BadId { field: &'static str, value: String },
    /// The event is identified but one of its amounts cannot be read: it is
    /// recorded as failed, not thrown away.
    #[error("{event_type} {event_id}: cannot read the amount: {reason}")]
    Amount {
        event_id: String,
        event_type: String,
        reason: String,
    },
    /// A provider without a webhook room: its payments are confirmed by hand.
    #[error("no webhook support for {provider} yet")]
    Unsupported { provider: Provider },
}

impl EventError {
    /// Whether the body is unreadable as an event at all (answered 400), as
    /// opposed to an identified event whose processing failed (500).
    pub fn is_malformed(&self) -> bool {
        match self {
            EventError::NotJson(_)
            | EventError::Missing(_)
            | EventError::BadId { .. }
            | EventError::Unsupported { .. } => true,
            EventError::Amount { .. } => false,
        }
    }
}
