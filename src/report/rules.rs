//! The consistency rules, and the pure function that applies them to one
//! order and its payment.
//!
//! [`evaluate`] is the heart of `tally check`: given an order, its payment and
//! the check's settings, it returns the findings, each with the action the
//! owner should take and, for the two rules `tally` fixes by itself, the exact
//! fix it would make and why. It reads nothing and writes nothing, so the
//! scanner, the fixer's re-check inside its transaction, the dashboard and
//! the tests all judge a row the same way.

use chrono::Duration;

use super::money::{Attempt, money_findings};
use serde::Serialize;

use crate::domain::status::closed_enum;
use crate::domain::{
    Order, OrderPaymentStatus, OrderStatus, Payment, PaymentStatus, StatusSource, Timestamp,
};

closed_enum! {
    /// A consistency rule, by its stable id.
    Rule, "rule" {
        StatusMismatch => "status_mismatch",
        PaidWithoutPayment => "paid_without_payment",
        AmountMismatch => "amount_mismatch",
        CurrencyMismatch => "currency_mismatch",
        CancelledButCaptured => "cancelled_but_captured",
        RefundAwaitingProvider => "refund_awaiting_provider",
        Disputed => "disputed",
        MissingTimestamp => "missing_timestamp",
        StalePending => "stale_pending",
        OrphanTransaction => "orphan_transaction",
        WebhookFailed => "webhook_failed",
        FulfilledUnpaid => "fulfilled_unpaid",
        DisputeLost => "dispute_lost",
        RefundFailed => "refund_failed",
        DuplicatePayment => "duplicate_payment",
        MissingAtProvider => "missing_at_provider",
        UnknownToTally => "unknown_to_tally",
        StatementMismatch => "statement_mismatch",
        UnrecordedRefund => "unrecorded_refund",
        UnrecordedDispute => "unrecorded_dispute",
    }
}

impl Rule {
    /// Whether `tally fix` may change this finding by itself. Every other
    /// rule may need money to move at the provider: only the owner acts.
    pub fn auto_fixable(self) -> bool {
        match self {
            Rule::StatusMismatch | Rule::MissingTimestamp => true,
            Rule::PaidWithoutPayment
            | Rule::AmountMismatch
            | Rule::CurrencyMismatch
            | Rule::CancelledButCaptured
            | Rule::RefundAwaitingProvider
            | Rule::Disputed
            | Rule::StalePending
            | Rule::OrphanTransaction
            | Rule::WebhookFailed
            | Rule::FulfilledUnpaid
            | Rule::DisputeLost
            | Rule::RefundFailed
            | Rule::DuplicatePayment
            | Rule::MissingAtProvider
            | Rule::UnknownToTally
            | Rule::StatementMismatch
            | Rule::UnrecordedRefund
            | Rule::UnrecordedDispute => false,
        }
    }

    /// Whether the rule reads the providers' statements: it is checked
    /// only once a statement was imported, so a shop without statements
    /// sees nothing new.
    pub fn from_statements(self) -> bool {
        match self {
            Rule::MissingAtProvider
            | Rule::UnknownToTally
            | Rule::StatementMismatch
            | Rule::UnrecordedRefund
            | Rule::UnrecordedDispute => true,
            Rule::StatusMismatch
            | Rule::PaidWithoutPayment
            | Rule::AmountMismatch
            | Rule::CurrencyMismatch
            | Rule::CancelledButCaptured
            | Rule::RefundAwaitingProvider
            | Rule::Disputed
            | Rule::MissingTimestamp
            | Rule::StalePending
            | Rule::OrphanTransaction
            | Rule::WebhookFailed
            | Rule::FulfilledUnpaid
            | Rule::DisputeLost
            | Rule::RefundFailed
            | Rule::DuplicatePayment => false,
        }
    }

    /// One line on what the rule means.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::StatusMismatch => "the order's payment status is not its payment's mapped status",
            Rule::PaidWithoutPayment => "an order marked paid with no payment record",
            Rule::AmountMismatch => "a completed payment for another amount than the order's total",
            Rule::CurrencyMismatch => "a completed payment in another currency than the order's",
            Rule::CancelledButCaptured => {
                "a cancelled order that keeps more than it owes back: the customer was charged"
            }
            Rule::RefundAwaitingProvider => {
                "cancelled in tally, the refund owed not yet made (the amount still to refund)"
            }
            Rule::Disputed => "an open dispute (chargeback or inquiry) on a payment",
            Rule::MissingTimestamp => {
                "paid without paid_at, completed without completed_at, or cancelled without cancelled_at"
            }
            Rule::StalePending => "a payment pending for too long",
            Rule::OrphanTransaction => "a provider event that matched no local payment",
            Rule::WebhookFailed => "a provider event whose processing failed and was never applied",
            Rule::FulfilledUnpaid => {
                "an order shipped or delivered whose money is missing (nothing captured, a failed debit, a lost dispute)"
            }
            Rule::DisputeLost => "money taken back by a lost dispute or a reversal not reinstated",
            Rule::RefundFailed => {
                "a refund the provider reports failed: the customer was not repaid"
            }
            Rule::DuplicatePayment => "more than one payment of one order keeps money",
            Rule::MissingAtProvider => {
                "money the ledger captured or refunded that the provider's statement for that date does not show"
            }
            Rule::UnknownToTally => {
                "money the provider's statement shows received or refunded that no payment in tally matches"
            }
            Rule::StatementMismatch => {
                "the provider's statement shows another amount or currency than the ledger for a payment or refund"
            }
            Rule::UnrecordedRefund => {
                "a refund the provider's statement shows that the ledger does not have"
            }
            Rule::UnrecordedDispute => {
                "a dispute the provider's statement shows that the ledger does not have"
            }
        }
    }
}

/// Which side wins a status mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Payment,
    Order,
}

/// What `tally fix` would do about one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Carry one side's status to the other.
    SyncStatus {
        winner: Side,
        /// Why this side wins, in words.
        reason: String,
        /// Whether `--prefer` decided.
        forced: bool,
    },
    /// Fill the missing timestamps (from the audit log, else updated_at).
    FillTimestamps {
        paid_at: bool,
        completed_at: bool,
        cancelled_at: bool,
    },
    /// Record a refund or a dispute the provider's statement shows, under
    /// the provider's own id, into the payment's ledger.
    RecordMovement {
        /// `refund` or `dispute`.
        movement: String,
        /// Its state: a refund `succeeded`; a dispute `open`, or `won`
        /// when the statement shows its reversal.
        state: String,
        provider_id: String,
        amount: String,
        currency: String,
        at: String,
        /// The statement file and its row.
        statement: String,
        row: usize,
        #[serde(skip)]
        payment_id: i64,
    },
}

/// One thing wrong, about one order (or one provider event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    /// The order number, when the finding is about an order.
    pub order: Option<String>,
    #[serde(skip)]
    pub order_id: Option<i64>,
    /// Whether `tally fix` will fix it.
    pub fixable: bool,
    /// What will be done, or what the owner must do.
    pub action: String,
    /// The facts, in a few words ("order paid, payment pending").
    pub detail: String,
    /// The fix `tally fix` would make.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The payment it is about: its provider reference.
    pub payment: Option<String>,
    /// The dispute or refund it is about, when there is one.
    pub provider_id: Option<String>,
}

/// The settings a check runs with.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub now: Timestamp,
    pub stale_after: Duration,
    pub prefer: Option<Side>,
}

/// Decides which side wins a status mismatch, and why.
///
/// A payment status set by a verified provider event wins over any manual
/// change of the order; otherwise the side changed last wins (a tie goes to
/// the payment); `--prefer` overrides both.
pub fn winner(order: &Order, payment: &Payment, prefer: Option<Side>) -> (Side, String, bool) {
    if let Some(side) = prefer {
        let reason = match side {
            Side::Payment => "--prefer payment",
            Side::Order => "--prefer order",
        };
        return (side, reason.to_owned(), true);
    }
    match payment.status_source {
        StatusSource::Provider => (
            Side::Payment,
            format!(
                "the payment's status was set by a verified {} event",
                payment.provider.title()
            ),
            false,
        ),
        StatusSource::Owner if order.updated_at > payment.updated_at => {
            (Side::Order, "the order changed last".to_owned(), false)
        }
        StatusSource::Owner if order.updated_at < payment.updated_at => {
            (Side::Payment, "the payment changed last".to_owned(), false)
        }
        StatusSource::Owner => (
            Side::Payment,
            "both changed at the same time: the payment wins ties".to_owned(),
            false,
        ),
    }
}

pub(super) fn finding(
    rule: Rule,
    order: &Order,
    detail: String,
    action: String,
    fix: Option<Fix>,
) -> Finding {
    Finding {
        rule,
        order: Some(order.number.clone()),
        order_id: Some(order.id),
        fixable: fix.is_some(),
        action,
        detail,
        fix,
        payment: None,
        provider_id: None,
    }
}

/// Every finding about one order and its (main) payment, judged from the
/// payment's cached figures.
pub fn evaluate(order: &Order, payment: Option<&Payment>, s: &Settings) -> Vec<Finding> {
    let attempts: Vec<Attempt> = payment.cloned().map(Attempt::bare).into_iter().collect();
    evaluate_order(order, &attempts, s)
}

/// Every finding about one order and all its payments (the main one
/// first).
pub fn evaluate_order(order: &Order, attempts: &[Attempt], s: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    let number = &order.number;
    let Some(p) = attempts.first().map(|a| &a.payment) else {
        if order.payment_status == OrderPaymentStatus::Paid {
            out.push(finding(
                Rule::PaidWithoutPayment,
                order,
                format!("order paid ({}), no payment record", order.total),
                format!(
                    "find the payment: import it, or `tally order set-payment-status {number} pending` if it never came"
                ),
                None,
            ));
        }
        out.extend(missing_timestamps(order, None));
        return out;
    };
    let cancelled_but_captured =
        order.status == OrderStatus::Cancelled && p.status == PaymentStatus::Completed;
    if let Some(mut f) = status_mismatch(order, p, s, cancelled_but_captured) {
        f.payment = p.reference.clone();
        out.push(f);
    }
    out.extend(money_findings(order, attempts));
    out.extend(missing_timestamps(order, Some(p)));
    if p.status == PaymentStatus::Pending && s.now - p.created_at > s.stale_after {
        let provider = p.provider.title();
        let hours = (s.now - p.created_at).num_hours();
        let mut f = finding(
            Rule::StalePending,
            order,
            format!("{provider} payment pending for {}", human_hours(hours)),
            format!(
                "check at {provider} or with the customer, then `tally order validate {number}` or `tally order cancel {number}`"
            ),
            None,
        );
        f.payment = p.reference.clone();
        out.push(f);
    }
    out
}

/// `status_mismatch`: the order's payment status is not its payment's
/// mapped status; fixable unless the cancelled order's money is captured.
fn status_mismatch(
    order: &Order,
    p: &Payment,
    s: &Settings,
    cancelled_but_captured: bool,
) -> Option<Finding> {
    let mapped = p.status.to_order();
    if order.payment_status == mapped {
        return None;
    }
    let detail = format!("order {}, payment {}", order.payment_status, p.status);
    if cancelled_but_captured {
        return Some(finding(
            Rule::StatusMismatch,
            order,
            detail,
            "not fixed automatically while the cancelled order's payment is captured: settle that first".to_owned(),
            None,
        ));
    }
    let (winner, reason, forced) = winner(order, p, s.prefer);
    let action = match winner {
        Side::Payment => format!("set the order's payment status to {mapped} ({reason})"),
        Side::Order => format!(
            "set the payment's status to {} ({reason})",
            order.payment_status.to_payment()
        ),
    };
    Some(finding(
        Rule::StatusMismatch,
        order,
        detail,
        action,
        Some(Fix::SyncStatus {
            winner,
            reason,
            forced,
        }),
    ))
}

fn human_hours(hours: i64) -> String {
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else {
        format!("{hours} hours")
    }
}

fn missing_timestamps(order: &Order, payment: Option<&Payment>) -> Option<Finding> {
    let paid_at = order.payment_status == OrderPaymentStatus::Paid && order.paid_at.is_none();
    let completed_at =
        payment.is_some_and(|p| p.status == PaymentStatus::Completed && p.completed_at.is_none());
    let cancelled_at = order.status == OrderStatus::Cancelled && order.cancelled_at.is_none();
    if !(paid_at || completed_at || cancelled_at) {
        return None;
    }
    let missing: Vec<&str> = [
        (paid_at, "paid_at"),
        (completed_at, "completed_at"),
        (cancelled_at, "cancelled_at"),
    ]
    .into_iter()
    .filter_map(|(m, name)| m.then_some(name))
    .collect();
    Some(finding(
        Rule::MissingTimestamp,
        order,
        format!("missing {}", missing.join(", ")),
        format!(
            "fill {} from the audit log, else from updated_at",
            missing.join(", ")
        ),
        Some(Fix::FillTimestamps {
            paid_at,
            completed_at,
            cancelled_at,
        }),
    ))
}
