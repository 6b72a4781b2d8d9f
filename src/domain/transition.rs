//! A payment's status after a provider event: one pure function from the
//! payment's status, what the event says of the attempt, and the figures
//! folded from its ledger, to the next status, or to "stale" when the event
//! would move the payment backwards.
//!
//! **Money decides once money was captured.** Captures, refunds, disputes
//! and reversals are facts, recorded whatever their order
//! ([`crate::domain::ledger`]); the status follows from the figures:
//! completed while the payment keeps more than it owes back, cancelled once
//! everything captured went back, was lost, or is owed ([`Figures::status`]).
//! So a partial refund leaves a payment completed, a lost chargeback
//! cancels it, a reversal that PayPal reinstates completes it again.
//!
//! **Before any capture, the attempt's own events decide, forward only.**
//! Providers deliver at least once and in any order: pending → failed or
//! completed; failed → pending (a retry), completed; a PaymentIntent
//! cancelled with nothing captured is a failed attempt, not a refund.
//! "processing" and "declined" older than the last event applied to the
//! payment are stale (a late decline must not undo the retry's newer
//! "processing"); a completed payment is never declined or put back to
//! pending by an event. A payment the owner cancelled keeps its status.
//!
//! This module reads nothing and writes nothing; ingest applies the result
//! through the operations in `ops`, which audit every change.

use super::ledger::Figures;
use super::{PaymentStatus, StatusSource};

/// What a provider event says of the attempt itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The money was captured (Stripe `payment_intent.succeeded`, PayPal
    /// `*.COMPLETED`).
    Captured,
    /// The payment was declined.
    Declined,
    /// The payment is in progress or waits for the customer.
    Processing,
    /// The attempt was cancelled at the provider (Stripe
    /// `payment_intent.canceled`).
    Voided,
    /// Nothing about the attempt: a fact about money only (a refund, a
    /// dispute, a reversal), which the figures carry.
    Money,
}

impl Signal {
    /// Whether the signal only carries a status that a later event may
    /// replace.
    fn is_transient(self) -> bool {
        match self {
            Signal::Processing | Signal::Declined => true,
            Signal::Captured | Signal::Voided | Signal::Money => false,
        }
    }
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

/// What to do with a provider event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Apply it: the payment's next status (perhaps unchanged).
    Apply(PaymentStatus),
    /// Leave the status alone: it would move the payment backwards.
    Stale(&'static str),
}

/// The payment's next status after an event, its figures already folded
/// with the event's movements.
pub fn next(
    status: PaymentStatus,
    source: StatusSource,
    signal: Signal,
    figures: &Figures,
    age: EventAge,
) -> Transition {
    use PaymentStatus::{Cancelled, Completed, Failed, Pending};
    if age == EventAge::Older && signal.is_transient() {
        return Transition::Stale("older than the last event applied to this payment");
    }
    if let Some(by_money) = figures.status() {
        // The attempt's word cannot undo money the payment keeps.
        return match (by_money, signal) {
            (Completed, Signal::Declined) => {
                Transition::Stale("a completed payment cannot be declined afterwards")
            }
            (Completed, Signal::Processing) => {
                Transition::Stale("a completed payment cannot go back to pending")
            }
            (Completed, Signal::Voided) => Transition::Stale(
                "a completed payment is cancelled only by a refund, a reversal or a lost dispute",
            ),
            (_, _) => Transition::Apply(by_money),
        };
    }
    let owner_cancelled = status == Cancelled && source == StatusSource::Owner;
    let apply = Transition::Apply;
    match (status, signal) {
        (_, Signal::Money) => apply(status),
        (_, _) if owner_cancelled => match signal {
            // Charged after the owner cancelled: the order stays cancelled,
            // which `check` reports.
            Signal::Captured => apply(Completed),
            Signal::Declined | Signal::Processing | Signal::Voided | Signal::Money => apply(status),
        },
        (Pending | Failed, Signal::Captured) => apply(Completed),
        (Completed, Signal::Captured) => apply(Completed),
        (Cancelled, Signal::Captured) => {
            Transition::Stale("a capture cannot follow a refund or a cancellation")
        }

        (Pending | Failed, Signal::Declined) => apply(Failed),
        (Completed, Signal::Declined) => {
            Transition::Stale("a completed payment cannot be declined afterwards")
        }
        (Pending | Failed, Signal::Processing) => apply(Pending),
        (Completed, Signal::Processing) => {
            Transition::Stale("a completed payment cannot go back to pending")
        }
        (Cancelled, Signal::Declined | Signal::Processing) => {
            Transition::Stale("the payment is already cancelled")
        }

        // Nothing was captured: a failed attempt, not a refund.
        (Pending | Failed, Signal::Voided) => apply(Failed),
        (Completed, Signal::Voided) => Transition::Stale(
            "a completed payment is cancelled only by a refund, a reversal or a lost dispute",
        ),
        (Cancelled, Signal::Voided) => apply(Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::{Cancelled, Completed, Failed, Pending};

    const SIGNALS: [Signal; 5] = [
        Signal::Captured,
        Signal::Declined,
        Signal::Processing,
        Signal::Voided,
        Signal::Money,
    ];

    fn none() -> Figures {
        Figures::default()
    }

    /// The status after `signal` with nothing captured, or `None` when stale.
    fn after(status: PaymentStatus, source: StatusSource, signal: Signal) -> Option<PaymentStatus> {
        match next(status, source, signal, &none(), EventAge::Current) {
            Transition::Apply(s) => Some(s),
            Transition::Stale(_) => None,
        }
    }

    #[test]
    fn the_status_table_before_any_capture() {
        use Signal as S;
        let p = StatusSource::Provider;
        let table: &[(PaymentStatus, Signal, Option<PaymentStatus>)] = &[
            (Pending, S::Captured, Some(Completed)),
            (Pending, S::Declined, Some(Failed)),
            (Pending, S::Processing, Some(Pending)),
            (Pending, S::Voided, Some(Failed)),
            (Pending, S::Money, Some(Pending)),
            (Failed, S::Captured, Some(Completed)),
            (Failed, S::Declined, Some(Failed)),
            (Failed, S::Processing, Some(Pending)),
            (Failed, S::Voided, Some(Failed)),
            (Failed, S::Money, Some(Failed)),
            (Completed, S::Captured, Some(Completed)),
            (Completed, S::Declined, None),
            (Completed, S::Processing, None),
            (Completed, S::Voided, None),
            (Completed, S::Money, Some(Completed)),
            (Cancelled, S::Captured, None),
            (Cancelled, S::Declined, None),
            (Cancelled, S::Processing, None),
            (Cancelled, S::Voided, Some(Cancelled)),
            (Cancelled, S::Money, Some(Cancelled)),
        ];
        assert_eq!(table.len(), PaymentStatus::ALL.len() * SIGNALS.len());
        for &(from, signal, to) in table {
            assert_eq!(after(from, p, signal), to, "{from} + {signal:?}");
        }
    }

    #[test]
    fn a_payment_intent_cancelled_with_nothing_captured_is_failed_not_refunded() {
        assert_eq!(
            after(Pending, StatusSource::Provider, Signal::Voided),
            Some(Failed)
        );
    }

    #[test]
    fn money_decides_once_captured() {
        let captured = Figures {
            captured: 8990,
            ..none()
        };
        for signal in [Signal::Captured, Signal::Money] {
            for status in PaymentStatus::ALL.iter().copied() {
                assert_eq!(
                    next(
                        status,
                        StatusSource::Provider,
                        signal,
                        &captured,
                        EventAge::Older
                    ),
                    Transition::Apply(Completed)
                );
            }
        }
        // A decline, a "processing" or a cancel cannot undo a capture.
        for signal in [Signal::Declined, Signal::Processing, Signal::Voided] {
            assert!(matches!(
                next(
                    Completed,
                    StatusSource::Provider,
                    signal,
                    &captured,
                    EventAge::Current
                ),
                Transition::Stale(_)
            ));
        }
        let refunded = Figures {
            refunded: 8990,
            ..captured
        };
        assert_eq!(
            next(
                Completed,
                StatusSource::Provider,
                Signal::Money,
                &refunded,
                EventAge::Current
            ),
            Transition::Apply(Cancelled)
        );
        let partly = Figures {
            refunded: 2000,
            ..captured
        };
        assert_eq!(
            next(
                Completed,
                StatusSource::Provider,
                Signal::Money,
                &partly,
                EventAge::Current
            ),
            Transition::Apply(Completed)
        );
    }

    #[test]
    fn a_capture_after_the_owners_cancel_completes_the_payment() {
        assert_eq!(
            after(Cancelled, StatusSource::Owner, Signal::Captured),
            Some(Completed)
        );
        for signal in [Signal::Declined, Signal::Processing, Signal::Voided] {
            assert_eq!(
                after(Cancelled, StatusSource::Owner, signal),
                Some(Cancelled)
            );
        }
    }

    #[test]
    fn older_transient_events_are_stale() {
        let older = |s, sig| next(s, StatusSource::Provider, sig, &none(), EventAge::Older);
        assert!(matches!(
            older(Failed, Signal::Processing),
            Transition::Stale(_)
        ));
        assert!(matches!(
            older(Pending, Signal::Declined),
            Transition::Stale(_)
        ));
        assert_eq!(
            older(Failed, Signal::Captured),
            Transition::Apply(Completed)
        );
        // Even once money decides: a late decline after a full refund.
        let refunded = Figures {
            captured: 8990,
            refunded: 8990,
            ..none()
        };
        assert!(matches!(
            next(
                Cancelled,
                StatusSource::Provider,
                Signal::Declined,
                &refunded,
                EventAge::Older
            ),
            Transition::Stale(_)
        ));
    }
}
