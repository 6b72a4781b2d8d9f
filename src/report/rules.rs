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
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Msg, msg};

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
    pub fn describe(self) -> Msg {
        match self {
            Rule::StatusMismatch => msg!("rule-status_mismatch"),
            Rule::PaidWithoutPayment => msg!("rule-paid_without_payment"),
            Rule::AmountMismatch => msg!("rule-amount_mismatch"),
            Rule::CurrencyMismatch => msg!("rule-currency_mismatch"),
            Rule::CancelledButCaptured => msg!("rule-cancelled_but_captured"),
            Rule::RefundAwaitingProvider => msg!("rule-refund_awaiting_provider"),
            Rule::Disputed => msg!("rule-disputed"),
            Rule::MissingTimestamp => msg!("rule-missing_timestamp"),
            Rule::StalePending => msg!("rule-stale_pending"),
            Rule::OrphanTransaction => msg!("rule-orphan_transaction"),
            Rule::WebhookFailed => msg!("rule-webhook_failed"),
            Rule::FulfilledUnpaid => msg!("rule-fulfilled_unpaid"),
            Rule::DisputeLost => msg!("rule-dispute_lost"),
            Rule::RefundFailed => msg!("rule-refund_failed"),
            Rule::DuplicatePayment => msg!("rule-duplicate_payment"),
            Rule::MissingAtProvider => msg!("rule-missing_at_provider"),
            Rule::UnknownToTally => msg!("rule-unknown_to_tally"),
            Rule::StatementMismatch => msg!("rule-statement_mismatch"),
            Rule::UnrecordedRefund => msg!("rule-unrecorded_refund"),
            Rule::UnrecordedDispute => msg!("rule-unrecorded_dispute"),
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
        /// Why this side wins, in words (English in JSON).
        reason: Msg,
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
    /// What will be done, or what the owner must do (English in JSON, in
    /// the owner's language on screen).
    pub action: Msg,
    /// The facts, in a few words ("order paid, payment pending").
    pub detail: Msg,
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
pub fn winner(order: &Order, payment: &Payment, prefer: Option<Side>) -> (Side, Msg, bool) {
    if let Some(side) = prefer {
        let reason = match side {
            Side::Payment => msg!("why-prefer-payment"),
            Side::Order => msg!("why-prefer-order"),
        };
        return (side, reason, true);
    }
    match payment.status_source {
        StatusSource::Provider => (
            Side::Payment,
            msg!(
                "why-provider-event",
                provider = ProviderTitle(payment.provider)
            ),
            false,
        ),
        StatusSource::Owner if order.updated_at > payment.updated_at => {
            (Side::Order, msg!("why-order-last"), false)
        }
        StatusSource::Owner if order.updated_at < payment.updated_at => {
            (Side::Payment, msg!("why-payment-last"), false)
        }
        StatusSource::Owner => (Side::Payment, msg!("why-tie"), false),
    }
}

pub(super) fn finding(
    rule: Rule,
    order: &Order,
    detail: Msg,
    action: Msg,
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
                msg!("finding-paid-without-payment", total = order.total),
                msg!("action-paid-without-payment", number = number.as_str()),
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
        let provider = ProviderTitle(p.provider);
        let hours = (s.now - p.created_at).num_hours();
        let mut f = finding(
            Rule::StalePending,
            order,
            msg!(
                "finding-stale-pending",
                provider = provider,
                time = human_hours(hours)
            ),
            msg!(
                "action-stale-pending",
                provider = provider,
                number = number.as_str()
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
    let detail = msg!(
        "finding-status-mismatch",
        order = order.payment_status,
        payment = p.status
    );
    if cancelled_but_captured {
        return Some(finding(
            Rule::StatusMismatch,
            order,
            detail,
            msg!("action-mismatch-cancelled-captured"),
            None,
        ));
    }
    let (winner, reason, forced) = winner(order, p, s.prefer);
    let action = match winner {
        Side::Payment => msg!(
            "action-set-order-payment",
            status = mapped,
            reason = reason.clone()
        ),
        Side::Order => msg!(
            "action-set-payment",
            status = order.payment_status.to_payment(),
            reason = reason.clone()
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

fn human_hours(hours: i64) -> Msg {
    if hours >= 48 {
        msg!("time-days", n = hours / 24)
    } else {
        msg!("time-hours", n = hours)
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
        msg!("finding-missing-timestamp", fields = missing.join(", ")),
        msg!("action-missing-timestamp", fields = missing.join(", ")),
        Some(Fix::FillTimestamps {
            paid_at,
            completed_at,
            cancelled_at,
        }),
    ))
}
