//! The forward-only rule for provider events: one pure function from a
//! payment's state and what a provider event says happened to it, to the
//! payment's next state, or to "stale" when the event would move it backwards.
//!
//! Providers deliver at least once and in any order, so an event never moves
//! a payment back: pending → completed, failed or cancelled; failed →
//! pending, completed or cancelled (a retry after a decline); completed →
//! cancelled only by a full refund, a reversal or a lost dispute. Anything
//! else that would change the status is [`Transition::Stale`].
//!
//! A payment the owner cancelled in `tally` is never thrown away: a full
//! refund confirms the refund it owes (clears `refund_pending`); a capture
//! that arrives after the cancel, when no refund was owed yet, means the
//! customer was charged anyway: the payment becomes completed while its
//! order stays cancelled, which `tally check` reports as
//! `cancelled_but_captured` (and a later refund event clears).
//!
//! Events that only carry a non-final status (processing, declined) and are
//! older than the last event applied to the payment are stale too: a late
//! "declined" must not undo a newer "processing" of the retry.
//!
//! This module reads nothing and writes nothing; the listener applies the
//! result through the operations in `ops`, which audit every change.

use super::{PaymentStatus, StatusSource};

/// What a provider event says happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The money was captured (Stripe `payment_intent.succeeded`, PayPal
    /// `*.COMPLETED`).
    Captured,
    /// The payment was declined.
    Declined,
    /// The payment is in progress or waits for the customer.
    Processing,
    /// The payment was cancelled at the provider before any capture.
    Voided,
    /// Money went back to the customer; `full` when the refunded total
    /// reaches the captured amount.
    Refunded { full: bool },
    /// The funds were taken back (PayPal `PAYMENT.CAPTURE.REVERSED`).
    Reversed,
    /// A dispute (chargeback) was opened.
    DisputeOpened,
    /// A dispute was closed, won or lost.
    DisputeClosed { lost: bool },
}

impl Effect {
    /// Whether the effect only carries a status that a later event may
    /// replace (as opposed to a capture, a refund or a dispute, which are
    /// facts whatever their order).
    fn is_transient(self) -> bool {
        match self {
            Effect::Processing | Effect::Declined => true,
            Effect::Captured
            | Effect::Voided
            | Effect::Refunded { .. }
            | Effect::Reversed
            | Effect::DisputeOpened
            | Effect::DisputeClosed { .. } => false,
        }
    }
}

/// The part of a payment a provider event may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentState {
    pub status: PaymentStatus,
    /// Who set the status last: a cancelled payment whose source is the
    /// owner was cancelled in `tally`.
    pub source: StatusSource,
    pub refund_pending: bool,
    pub disputed: bool,
}

/// Where the event stands in time against the last event applied to the
/// same payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAge {
    /// Not older than any event already applied (or none was applied).
    Current,
    /// Created before the last event applied to this payment.
    Older,
}

/// The state after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    pub status: PaymentStatus,
    pub refund_pending: bool,
    pub disputed: bool,
    /// The customer was charged after the owner cancelled the order.
    pub charged_after_cancel: bool,
}

/// What to do with a provider event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Apply it: the payment's next state (its status may be unchanged).
    Apply(Next),
    /// Ignore it: it would move the payment backwards.
    Stale(&'static str),
}

/// The forward-only rule: the payment's next state after `effect`, or
/// [`Transition::Stale`].
pub fn next(state: PaymentState, effect: Effect, age: EventAge) -> Transition {
    use PaymentStatus::{Cancelled, Completed, Failed, Pending};

    if age == EventAge::Older && effect.is_transient() {
        return Transition::Stale("older than the last event applied to this payment");
    }
    let keep = Next {
        status: state.status,
        refund_pending: state.refund_pending,
        disputed: state.disputed,
        charged_after_cancel: false,
    };
    let to = |status| Next { status, ..keep };
    let owner_cancelled = state.source == StatusSource::Owner;
    let apply = Transition::Apply;
    match (state.status, effect) {
        (Pending | Failed, Effect::Captured) => apply(to(Completed)),
        (Completed, Effect::Captured) => apply(keep),
        (Cancelled, Effect::Captured) => match (owner_cancelled, state.refund_pending) {
            // Completed before the cancel: the refund owed already covers it.
            (true, true) => apply(keep),
            (true, false) => apply(Next {
                charged_after_cancel: true,
                ..to(Completed)
            }),
            (false, _) => Transition::Stale("a capture cannot follow a refund or a cancellation"),
        },

        (Pending, Effect::Declined) => apply(to(Failed)),
        (Failed, Effect::Declined) => apply(keep),
        (Completed, Effect::Declined) => {
            Transition::Stale("a completed payment cannot be declined afterwards")
        }
        (Cancelled, Effect::Declined) if owner_cancelled => apply(keep),
        (Cancelled, Effect::Declined) => Transition::Stale("the payment is already cancelled"),

        (Pending, Effect::Processing) => apply(keep),
        (Failed, Effect::Processing) => apply(to(Pending)),
        (Completed, Effect::Processing) => {
            Transition::Stale("a completed payment cannot go back to pending")
        }
        (Cancelled, Effect::Processing) if owner_cancelled => apply(keep),
        (Cancelled, Effect::Processing) => Transition::Stale("the payment is already cancelled"),

        (Pending | Failed, Effect::Voided) => apply(to(Cancelled)),
        (Completed, Effect::Voided) => Transition::Stale(
            "a completed payment is cancelled only by a refund, a reversal or a lost dispute",
        ),
        (Cancelled, Effect::Voided) => apply(keep),

        (Pending | Failed | Completed, Effect::Refunded { full: true }) => apply(Next {
            refund_pending: false,
            ..to(Cancelled)
        }),
        (Pending | Failed | Completed, Effect::Refunded { full: false }) => apply(keep),
        (Cancelled, Effect::Refunded { full }) => apply(Next {
            refund_pending: state.refund_pending && !full,
            ..keep
        }),

        (Pending | Failed | Completed, Effect::Reversed) => apply(Next {
            disputed: true,
            refund_pending: false,
            ..to(Cancelled)
        }),
        // The funds went back to the customer: no refund is owed any more.
        (Cancelled, Effect::Reversed) => apply(Next {
            disputed: true,
            refund_pending: false,
            ..keep
        }),

        (Pending | Failed | Completed | Cancelled, Effect::DisputeOpened) => apply(Next {
            disputed: true,
            ..keep
        }),
        (Pending | Failed | Completed, Effect::DisputeClosed { lost: true }) => apply(Next {
            disputed: false,
            ..to(Cancelled)
        }),
        (Cancelled, Effect::DisputeClosed { lost: true }) => apply(Next {
            disputed: false,
            refund_pending: false,
            ..keep
        }),
        (Pending | Failed | Completed | Cancelled, Effect::DisputeClosed { lost: false }) => {
            apply(Next {
                disputed: false,
                ..keep
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::{Cancelled, Completed, Failed, Pending};

    const ALL_EFFECTS: [Effect; 10] = [
        Effect::Captured,
        Effect::Declined,
        Effect::Processing,
        Effect::Voided,
        Effect::Refunded { full: true },
        Effect::Refunded { full: false },
        Effect::Reversed,
        Effect::DisputeOpened,
        Effect::DisputeClosed { lost: true },
        Effect::DisputeClosed { lost: false },
    ];

    fn state(status: PaymentStatus, source: StatusSource) -> PaymentState {
        PaymentState {
            status,
            source,
            refund_pending: false,
            disputed: false,
        }
    }

    fn provider(status: PaymentStatus) -> PaymentState {
        state(status, StatusSource::Provider)
    }

    /// The status after `effect`, or `None` when stale.
    fn status_after(s: PaymentState, effect: Effect) -> Option<PaymentStatus> {
        match next(s, effect, EventAge::Current) {
            Transition::Apply(n) => Some(n.status),
            Transition::Stale(_) => None,
        }
    }

    #[test]
    fn the_status_table() {
        use Effect as E;
        // (from, effect, to or None for stale), for a provider-set status.
        let table: &[(PaymentStatus, Effect, Option<PaymentStatus>)] = &[
            (Pending, E::Captured, Some(Completed)),
            (Pending, E::Declined, Some(Failed)),
            (Pending, E::Processing, Some(Pending)),
            (Pending, E::Voided, Some(Cancelled)),
            (Pending, E::Refunded { full: true }, Some(Cancelled)),
            (Pending, E::Refunded { full: false }, Some(Pending)),
            (Pending, E::Reversed, Some(Cancelled)),
            (Pending, E::DisputeOpened, Some(Pending)),
            (Pending, E::DisputeClosed { lost: true }, Some(Cancelled)),
            (Pending, E::DisputeClosed { lost: false }, Some(Pending)),
            (Failed, E::Captured, Some(Completed)),
            (Failed, E::Declined, Some(Failed)),
            (Failed, E::Processing, Some(Pending)),
            (Failed, E::Voided, Some(Cancelled)),
            (Failed, E::Refunded { full: true }, Some(Cancelled)),
            (Failed, E::Refunded { full: false }, Some(Failed)),
            (Failed, E::Reversed, Some(Cancelled)),
            (Failed, E::DisputeOpened, Some(Failed)),
            (Failed, E::DisputeClosed { lost: true }, Some(Cancelled)),
            (Failed, E::DisputeClosed { lost: false }, Some(Failed)),
            (Completed, E::Captured, Some(Completed)),
            (Completed, E::Declined, None),
            (Completed, E::Processing, None),
            (Completed, E::Voided, None),
            (Completed, E::Refunded { full: true }, Some(Cancelled)),
            (Completed, E::Refunded { full: false }, Some(Completed)),
            (Completed, E::Reversed, Some(Cancelled)),
            (Completed, E::DisputeOpened, Some(Completed)),
            (Completed, E::DisputeClosed { lost: true }, Some(Cancelled)),
            (Completed, E::DisputeClosed { lost: false }, Some(Completed)),
            (Cancelled, E::Captured, None),
            (Cancelled, E::Declined, None),
            (Cancelled, E::Processing, None),
            (Cancelled, E::Voided, Some(Cancelled)),
            (Cancelled, E::Refunded { full: true }, Some(Cancelled)),
            (Cancelled, E::Refunded { full: false }, Some(Cancelled)),
            (Cancelled, E::Reversed, Some(Cancelled)),
            (Cancelled, E::DisputeOpened, Some(Cancelled)),
            (Cancelled, E::DisputeClosed { lost: true }, Some(Cancelled)),
            (Cancelled, E::DisputeClosed { lost: false }, Some(Cancelled)),
        ];
        assert_eq!(table.len(), PaymentStatus::ALL.len() * ALL_EFFECTS.len());
        for &(from, effect, to) in table {
            assert_eq!(
                status_after(provider(from), effect),
                to,
                "{from} + {effect:?}"
            );
        }
    }

    #[test]
    fn nothing_ever_moves_a_completed_payment_but_refund_reversal_or_lost_dispute() {
        for effect in ALL_EFFECTS {
            for source in [StatusSource::Owner, StatusSource::Provider] {
                let after = status_after(state(Completed, source), effect);
                let allowed = matches!(
                    effect,
                    Effect::Refunded { full: true }
                        | Effect::Reversed
                        | Effect::DisputeClosed { lost: true }
                );
                if !allowed {
                    assert!(
                        after.is_none() || after == Some(Completed),
                        "{effect:?} moved a completed payment to {after:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_full_refund_confirms_the_owners_pending_refund() {
        let s = PaymentState {
            refund_pending: true,
            ..state(Cancelled, StatusSource::Owner)
        };
        let Transition::Apply(n) = next(s, Effect::Refunded { full: true }, EventAge::Current)
        else {
            panic!("stale")
        };
        assert_eq!(n.status, Cancelled);
        assert!(!n.refund_pending);
        // A partial refund leaves it pending.
        let Transition::Apply(n) = next(s, Effect::Refunded { full: false }, EventAge::Current)
        else {
            panic!("stale")
        };
        assert!(n.refund_pending);
    }

    #[test]
    fn a_capture_after_the_owners_cancel_is_recorded_as_charged() {
        let s = state(Cancelled, StatusSource::Owner);
        let Transition::Apply(n) = next(s, Effect::Captured, EventAge::Current) else {
            panic!("stale")
        };
        assert_eq!(n.status, Completed);
        assert!(n.charged_after_cancel);
        // Already completed before the cancel: the refund owed covers it.
        let s = PaymentState {
            refund_pending: true,
            ..s
        };
        let Transition::Apply(n) = next(s, Effect::Captured, EventAge::Current) else {
            panic!("stale")
        };
        assert_eq!(n.status, Cancelled);
        assert!(!n.charged_after_cancel);
        assert!(n.refund_pending);
    }

    #[test]
    fn an_owner_cancelled_payment_never_drops_an_event() {
        let s = state(Cancelled, StatusSource::Owner);
        for effect in ALL_EFFECTS {
            assert!(
                matches!(next(s, effect, EventAge::Current), Transition::Apply(_)),
                "{effect:?}"
            );
        }
    }

    #[test]
    fn disputes_set_and_clear_the_flag() {
        let s = provider(Completed);
        let Transition::Apply(n) = next(s, Effect::DisputeOpened, EventAge::Current) else {
            panic!("stale")
        };
        assert!(n.disputed);
        let s = PaymentState {
            disputed: true,
            ..s
        };
        let Transition::Apply(won) =
            next(s, Effect::DisputeClosed { lost: false }, EventAge::Current)
        else {
            panic!("stale")
        };
        assert!(!won.disputed);
        assert_eq!(won.status, Completed);
        let Transition::Apply(n) = next(s, Effect::Reversed, EventAge::Current) else {
            panic!("stale")
        };
        assert!(n.disputed);
        assert_eq!(n.status, Cancelled);
    }

    #[test]
    fn older_transient_events_are_stale() {
        assert!(matches!(
            next(provider(Failed), Effect::Processing, EventAge::Older),
            Transition::Stale(_)
        ));
        assert!(matches!(
            next(provider(Pending), Effect::Declined, EventAge::Older),
            Transition::Stale(_)
        ));
        // A capture is a fact whatever its order.
        assert_eq!(
            next(provider(Failed), Effect::Captured, EventAge::Older),
            next(provider(Failed), Effect::Captured, EventAge::Current)
        );
    }
}
