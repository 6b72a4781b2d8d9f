//! The money ledger: every movement of a payment's money, and the pure fold
//! from movements to figures.
//!
//! A payment (one attempt at paying an order) keeps an append-only list of
//! [`Movement`]s, recorded from verified provider events, from the owner's
//! operations and from imports. Nothing is ever rewritten: a refund that
//! goes from pending to succeeded to failed is three movements with the same
//! provider id. [`figures`] folds them, in any order and with any
//! duplicates, into the same [`Figures`]:
//!
//! 1. movements are grouped by flow: a payment's authorisation, capture
//!    and release are one flow each; a refund or a dispute is one flow per
//!    key (the provider's id of the refund or the dispute; PayPal's
//!    reversal and the dispute about the same capture share one key, so
//!    that money is counted once);
//! 2. in each flow the latest movement wins: the greatest provider time,
//!    then the greatest state rank (so that events of the same second order
//!    correctly: a dispute's `won` after its `needs_response`), then the
//!    greatest amount, so the choice never depends on delivery order;
//! 3. the winners are summed by kind and state.
//!
//! Only money refunded out of what was captured counts as refunded (a
//! released authorisation is not a refund); refunded + lost never exceeds
//! captured; kept = captured − refunded − lost; owed (what an owner's
//! cancel made the shop owe) never exceeds what the payment keeps.
//!
//! # Dispute states
//! One table for both providers, with the money each state means and its
//! rank. Sources: `../shared/providers/stripe-api.md` §5 (Stripe's dispute
//! status enum and events), `../shared/providers/paypal-api.md` (PayPal
//! dispute outcome codes), and the samples listed in
//! `../shared/webhook-samples/ledger-cases.md`.
//!
//! | provider word | [`DisputeState`] | money | rank |
//! |---|---|---|---|
//! | Stripe `warning_needs_response`, `warning_under_review`; PayPal INQUIRY stage open | `inquiry` | disputed (no funds moved) | 1 |
//! | Stripe `warning_closed` | `inquiry_closed` | nothing | 3 |
//! | Stripe `needs_response`, `under_review`; PayPal `CUSTOMER.DISPUTE.CREATED`/`UPDATED` (chargeback) | `open` | disputed | 4 |
//! | PayPal `PAYMENT.CAPTURE.REVERSED`, `PAYMENT.SALE.REVERSED` | `reversed` | lost until reinstated | 5 |
//! | Stripe `won`, `charge.dispute.funds_reinstated`; PayPal `RESOLVED_SELLER_FAVOUR`, `CANCELED_BY_BUYER`, `DENIED` | `won` | nothing lost | 8 |
//! | Stripe `prevented` | `prevented` | nothing | 8 |
//! | Stripe `lost`; PayPal `RESOLVED_BUYER_FAVOUR` (its `amount_refunded`), `ACCEPTED`, `RESOLVED_WITH_PAYOUT` (the amount paid out) | `lost` | lost that amount | 8 |
//!
//! Refund states rank pending (1) < succeeded (2) < failed, cancelled (3):
//! a refund that failed after it succeeded (`charge.refund.updated`) gave
//! the money back to the shop, and the customer was never repaid.

use std::collections::BTreeMap;

use super::status::closed_enum;
use super::{Currency, Money, Payment, PaymentStatus, Provider, Timestamp};

closed_enum! {
    /// What kind of money movement (`movements.kind`).
    MovementKind, "movement kind" {
        Authorised => "authorised",
        Captured => "captured",
        Released => "released",
        Refund => "refund",
        Dispute => "dispute",
        Owed => "owed",
    }
}

closed_enum! {
    /// Where a refund stands.
    RefundState, "refund state" {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

closed_enum! {
    /// Where a dispute (or a reversal) stands; see the module's table.
    DisputeState, "dispute state" {
        Inquiry => "inquiry",
        InquiryClosed => "inquiry_closed",
        Open => "open",
        Reversed => "reversed",
        Won => "won",
        Prevented => "prevented",
        Lost => "lost",
    }
}

impl RefundState {
    /// Order of the states of one refund at the same provider time.
    pub fn rank(self) -> u8 {
        match self {
            RefundState::Pending => 1,
            RefundState::Succeeded => 2,
            RefundState::Failed | RefundState::Cancelled => 3,
        }
    }
}

impl DisputeState {
    /// Order of the states of one dispute at the same provider time.
    pub fn rank(self) -> u8 {
        match self {
            DisputeState::Inquiry => 1,
            DisputeState::InquiryClosed => 3,
            DisputeState::Open => 4,
            DisputeState::Reversed => 5,
            DisputeState::Won | DisputeState::Prevented | DisputeState::Lost => 8,
        }
    }

    /// Whether the dispute still waits on the owner or the bank.
    pub fn is_open(self) -> bool {
        match self {
            DisputeState::Inquiry | DisputeState::Open => true,
            DisputeState::InquiryClosed
            | DisputeState::Reversed
            | DisputeState::Won
            | DisputeState::Prevented
            | DisputeState::Lost => false,
        }
    }

    /// Whether the money is gone (lost, or reversed and not reinstated).
    pub fn is_lost(self) -> bool {
        match self {
            DisputeState::Reversed | DisputeState::Lost => true,
            DisputeState::Inquiry
            | DisputeState::InquiryClosed
            | DisputeState::Open
            | DisputeState::Won
            | DisputeState::Prevented => false,
        }
    }
}

closed_enum! {
    /// Who recorded a movement (`movements.source`).
    MovementSource, "movement source" {
        Provider => "provider",
        Owner => "owner",
        Import => "import",
        Migration => "migration",
        Statement => "statement",
    }
}

/// A movement's kind with its state, where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flow {
    /// Authorised, not yet captured.
    Authorised,
    /// Money taken from the customer.
    Captured,
    /// The part of an authorisation never captured.
    Released,
    /// Money sent back to the customer.
    Refund(RefundState),
    /// A dispute (chargeback, inquiry) or a reversal.
    Dispute(DisputeState),
    /// The refund an owner's cancel made the shop owe.
    Owed,
}

impl Flow {
    pub fn kind(self) -> MovementKind {
        match self {
            Flow::Authorised => MovementKind::Authorised,
            Flow::Captured => MovementKind::Captured,
            Flow::Released => MovementKind::Released,
            Flow::Refund(_) => MovementKind::Refund,
            Flow::Dispute(_) => MovementKind::Dispute,
            Flow::Owed => MovementKind::Owed,
        }
    }

    /// The state word stored beside the kind, if any.
    pub fn state(self) -> Option<&'static str> {
        match self {
            Flow::Refund(s) => Some(s.as_str()),
            Flow::Dispute(s) => Some(s.as_str()),
            Flow::Authorised | Flow::Captured | Flow::Released | Flow::Owed => None,
        }
    }

    fn rank(self) -> u8 {
        match self {
            Flow::Refund(s) => s.rank(),
            Flow::Dispute(s) => s.rank(),
            Flow::Authorised | Flow::Captured | Flow::Released | Flow::Owed => 0,
        }
    }

    /// Rebuilds a flow from its stored kind and state.
    pub fn from_parts(kind: MovementKind, state: Option<&str>) -> Result<Flow, String> {
        let missing = || format!("a {kind} movement needs a state");
        Ok(match kind {
            MovementKind::Authorised => Flow::Authorised,
            MovementKind::Captured => Flow::Captured,
            MovementKind::Released => Flow::Released,
            MovementKind::Owed => Flow::Owed,
            MovementKind::Refund => Flow::Refund(
                state
                    .ok_or_else(missing)?
                    .parse()
                    .map_err(|e| format!("{e}"))?,
            ),
            MovementKind::Dispute => Flow::Dispute(
                state
                    .ok_or_else(missing)?
                    .parse()
                    .map_err(|e| format!("{e}"))?,
            ),
        })
    }
}

/// One movement of money on one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub flow: Flow,
    pub amount: Money,
    /// The provider's id of what moved (refund `re_…`, dispute `dp_…`,
    /// PaymentIntent, capture); `None` for a provider's cumulative refund
    /// total that named no refund (see [`figures`]).
    pub provider_id: Option<String>,
    /// What groups movements into one flow: the provider id, or for PayPal
    /// the disputed capture, shared by its reversal and its dispute.
    pub key: Option<String>,
    /// The provider's own time of the fact (the owner's time for the
    /// owner's own movements).
    pub at: Timestamp,
    /// The provider event that reported it, if any.
    pub event_id: Option<String>,
}

impl Movement {
    pub fn new(flow: Flow, amount: Money, at: Timestamp) -> Movement {
        Movement {
            flow,
            amount,
            provider_id: None,
            key: None,
            at,
            event_id: None,
        }
    }

    pub fn with_id(mut self, provider_id: &str) -> Movement {
        self.provider_id = Some(provider_id.to_owned());
        self
    }

    pub fn with_key(mut self, key: &str) -> Movement {
        self.key = Some(key.to_owned());
        self
    }

    pub fn with_event(mut self, event_id: &str) -> Movement {
        self.event_id = Some(event_id.to_owned());
        self
    }

    /// The flow this movement belongs to. A payment is one attempt, with
    /// one authorisation, one capture and one release whatever ids the
    /// reports carry (Stripe names a capture by its PaymentIntent or its
    /// charge, an import by neither): those are one flow each. Refunds and
    /// disputes are one flow per provider id (or key).
    fn group(&self) -> (MovementKind, Option<&str>) {
        let kind = self.flow.kind();
        match kind {
            MovementKind::Authorised | MovementKind::Captured | MovementKind::Released => {
                (kind, None)
            }
            MovementKind::Refund | MovementKind::Dispute | MovementKind::Owed => {
                (kind, self.key.as_deref().or(self.provider_id.as_deref()))
            }
        }
    }

    /// The order of movements within one flow: the latest wins.
    fn recency(&self) -> (Timestamp, u8, i64, Flow) {
        (self.at, self.flow.rank(), self.amount.minor(), self.flow)
    }
}

/// A payment's money, derived from its movements, in minor units of the
/// currency [`figures`] was folded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub authorised: i64,
    pub captured: i64,
    pub released: i64,
    pub refunded: i64,
    pub refunds_pending: i64,
    pub refunds_failed: i64,
    /// Open disputes and inquiries.
    pub disputed: i64,
    pub lost: i64,
    /// What an owner's cancel made the shop owe, less what went back since.
    pub owed: i64,
}

impl Figures {
    /// What the shop keeps: captured − refunded − lost.
    pub fn kept(&self) -> i64 {
        self.captured - self.refunded - self.lost
    }

    /// Whether any money was ever captured.
    pub fn was_captured(&self) -> bool {
        self.captured > 0
    }

    /// The payment's status as provider facts set it, once money was
    /// captured: completed while it keeps more than it owes back, cancelled
    /// once everything went back, was lost, or is owed. `None` when nothing
    /// was captured: the attempt's own status stands.
    pub fn status(&self) -> Option<PaymentStatus> {
        if !self.was_captured() {
            return None;
        }
        Some(if self.kept() > self.owed {
            PaymentStatus::Completed
        } else {
            PaymentStatus::Cancelled
        })
    }
}

/// The latest movement of each flow, in a stable order.
pub fn latest(movements: &[Movement]) -> Vec<&Movement> {
    latest_of(movements)
}

fn latest_of<'a>(movements: impl IntoIterator<Item = &'a Movement>) -> Vec<&'a Movement> {
    let mut flows: BTreeMap<(MovementKind, Option<&str>), &Movement> = BTreeMap::new();
    for m in movements {
        flows
            .entry(m.group())
            .and_modify(|held| {
                if m.recency() > held.recency() {
                    *held = m;
                }
            })
            .or_insert(m);
    }
    flows.into_values().collect()
}

/// Folds a payment's movements into its figures, in `currency` (movements
/// in another currency are not counted: a provider reports a payment's
/// money in the currency it captured).
pub fn figures(movements: &[Movement], currency: Currency) -> Figures {
    let mut f = Figures::default();
    let mut known_refunds = 0i64;
    let mut refund_total: Option<i64> = None;
    let mut owed = 0i64;
    // Another currency's movements are left out before the latest of each
    // flow is chosen, so that they can never hide one in `currency`.
    let ours = movements.iter().filter(|m| m.amount.currency() == currency);
    for m in latest_of(ours) {
        let a = m.amount.minor();
        match m.flow {
            Flow::Authorised => f.authorised += a,
            Flow::Captured => f.captured += a,
            Flow::Released => f.released += a,
            Flow::Refund(state) if m.provider_id.is_none() && m.key.is_none() => {
                // A cumulative total that named no refund: only its state
                // `succeeded` is recorded.
                if state == RefundState::Succeeded {
                    refund_total = Some(refund_total.unwrap_or(0).max(a));
                }
            }
            Flow::Refund(state) => {
                known_refunds += a;
                match state {
                    RefundState::Pending => f.refunds_pending += a,
                    RefundState::Succeeded => f.refunded += a,
                    RefundState::Failed => f.refunds_failed += a,
                    RefundState::Cancelled => known_refunds -= a,
                }
            }
            Flow::Dispute(state) if state.is_open() => f.disputed += a,
            Flow::Dispute(state) if state.is_lost() => f.lost += a,
            Flow::Dispute(_) => {}
            Flow::Owed => owed += a,
        }
    }
    // A cumulative total covers the refunds already known (pending and
    // failed ones included, as the provider counted them when it sent
    // the total); only what it adds beyond them counts.
    if let Some(total) = refund_total {
        f.refunded += (total - known_refunds).max(0);
    }
    f.refunded = f.refunded.clamp(0, f.captured);
    f.refunds_pending = f.refunds_pending.min(f.captured - f.refunded);
    f.lost = f.lost.clamp(0, f.captured - f.refunded);
    f.owed = owed.clamp(0, f.kept().max(0));
    f
}

/// The movements behind a payment described the pre-ledger way (a status,
/// a captured amount, a refunded total, the disputed and refund-owed
/// flags): an import in the old format, and the schema migration, which
/// does the same in SQL. A completed payment, or a cancelled one with a
/// refund, a refund owed or a dispute behind it, captured its amount (or
/// what the provider said it captured).
pub fn legacy_movements(p: &Payment, at: Timestamp) -> Vec<Movement> {
    let (status, refunded_minor) = (p.status, p.refunded_minor);
    let (disputed, refund_pending) = (p.disputed, p.refund_pending);
    let was_captured = p.captured.is_some()
        || status == PaymentStatus::Completed
        || (status == PaymentStatus::Cancelled
            && (refunded_minor > 0 || refund_pending || disputed));
    if !was_captured {
        return Vec::new();
    }
    let captured = p.captured.unwrap_or(p.amount);
    let currency = captured.currency();
    let money = |minor: i64| Money::from_minor(minor.clamp(0, captured.minor()), currency).ok();
    let mut capture = Movement::new(Flow::Captured, captured, at);
    if let Some(r) = &p.reference {
        capture = capture.with_id(r);
    }
    let mut out = vec![capture];
    if refunded_minor > 0
        && let Some(m) = money(refunded_minor)
    {
        out.push(Movement::new(Flow::Refund(RefundState::Succeeded), m, at));
    }
    let rest = money(captured.minor() - refunded_minor);
    // Cancelled and disputed at once: a PayPal reversal, of what the
    // payment kept, unless a refund is still owed (the owner cancelled,
    // under a dispute or before one opened; a reversal clears the refund
    // owed). Stripe, Wave and cash never reverse. Otherwise an open
    // chargeback, for the charge, refunds or not (a refunded charge may be
    // disputed too, and must still be answered).
    let reversed =
        status == PaymentStatus::Cancelled && p.provider == Provider::Paypal && !refund_pending;
    let dispute = if reversed {
        rest.map(|m| (DisputeState::Reversed, m))
    } else {
        Some((DisputeState::Open, captured))
    };
    if disputed && let Some((state, m)) = dispute {
        out.push(Movement::new(Flow::Dispute(state), m, at).with_key("migrated"));
    }
    if refund_pending && let Some(m) = rest {
        out.push(Movement::new(Flow::Owed, m, at));
    }
    out
}

#[cfg(test)]
mod tests;
