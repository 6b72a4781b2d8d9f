//! The rules about money, read from the ledger's figures and movements (never
//! from status words, so no status word can silence them): a cancelled order
//! that keeps money, a refund owed, open disputes, money lost to a dispute or
//! a reversal, a refund that failed, an order shipped but not paid for, an
//! order paid twice, and a capture for another amount or currency.
//!
//! An order is judged with all its payments ([`Attempt`]s, the main one
//! first); a payment's movements are only needed to name each dispute or
//! refund by its provider id, and are loaded by the scan only for the few
//! payments whose figures show one.

use super::rules::{Finding, Rule, finding};
use crate::domain::ledger::{DisputeState, Flow, Movement, RefundState, latest};
use crate::domain::{Currency, Order, OrderStatus, Payment, PaymentStatus};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Arg, Msg, msg};

/// One payment of an order and, when loaded, its movements.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub payment: Payment,
    pub movements: Vec<Movement>,
}

impl Attempt {
    pub fn bare(payment: Payment) -> Attempt {
        Attempt {
            payment,
            movements: Vec::new(),
        }
    }
}

/// An amount in minor units of `currency`, as the owner reads it.
fn money(minor: i64, currency: Currency) -> Arg {
    Arg::Minor(minor, currency)
}

/// An amount as the command line takes it ("89.90": the same in every
/// language, since it is to be typed back).
fn decimal(minor: i64, currency: Currency) -> String {
    crate::domain::Money::decimal_minor(minor, currency)
}

/// What the owner calls a payment: its provider and reference.
fn named(p: &Payment) -> Msg {
    let provider = ProviderTitle(p.provider);
    match &p.reference {
        Some(r) => msg!("payment-named", provider = provider, reference = r.as_str()),
        None => msg!(
            "payment-named-attempt",
            provider = provider,
            attempt = p.attempt.to_string()
        ),
    }
}

fn about(mut f: Finding, p: &Payment, provider_id: Option<&str>) -> Finding {
    f.payment = p.reference.clone();
    f.provider_id = provider_id.map(str::to_owned);
    f
}

/// The latest state of each dispute, refund and lost flow of a payment
/// whose movements were loaded: (provider id, amount, flow).
fn flows(a: &Attempt) -> Vec<(Option<&str>, i64, Flow)> {
    latest(&a.movements)
        .into_iter()
        .filter(|m| m.amount.currency() == a.payment.money_currency())
        .map(|m| {
            (
                m.provider_id.as_deref().or(m.key.as_deref()),
                m.amount.minor(),
                m.flow,
            )
        })
        .collect()
}

/// The money findings of an order with its payments (the main one first).
pub fn money_findings(order: &Order, attempts: &[Attempt]) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(main) = attempts.first() {
        out.extend(capture_mismatch(order, &main.payment));
    }
    out.extend(cancelled_but_captured(order, attempts));
    for a in attempts {
        out.extend(refund_owed(order, &a.payment));
        out.extend(disputes(order, a));
        out.extend(refunds_failed(order, a));
    }
    out.extend(fulfilled_unpaid(order, attempts));
    out.extend(duplicate_payment(order, attempts));
    out
}

/// `amount_mismatch`, `currency_mismatch`: the main payment captured
/// another amount or currency than the order's total (a refund is the
/// owner's choice, not a mismatch: captured is compared, not kept).
fn capture_mismatch(order: &Order, p: &Payment) -> Option<Finding> {
    if p.status != PaymentStatus::Completed {
        return None;
    }
    let provider = ProviderTitle(p.provider);
    let charged = p.captured.unwrap_or(p.amount);
    let detail = msg!(
        "finding-captured-other",
        total = order.total,
        provider = provider,
        charged = charged
    );
    if charged.currency() != order.total.currency() {
        return Some(about(
            finding(
                Rule::CurrencyMismatch,
                order,
                detail,
                msg!(
                    "action-currency-mismatch",
                    provider = provider,
                    currency = order.total.currency().code()
                ),
                None,
            ),
            p,
            None,
        ));
    }
    if charged.minor() == order.total.minor() {
        return None;
    }
    let action = if charged.minor() < order.total.minor() {
        msg!("action-paid-less", provider = provider)
    } else {
        msg!("action-paid-more", provider = provider)
    };
    Some(about(
        finding(Rule::AmountMismatch, order, detail, action, None),
        p,
        None,
    ))
}

/// `cancelled_but_captured`: a cancelled order whose payment keeps more
/// than it owes back (a capture after the cancel, or a cancel before
/// `tally` knew of the money).
fn cancelled_but_captured(order: &Order, attempts: &[Attempt]) -> Vec<Finding> {
    if order.status != OrderStatus::Cancelled {
        return Vec::new();
    }
    let number = &order.number;
    attempts
        .iter()
        .map(|a| &a.payment)
        .filter(|p| p.kept() > p.owed_minor)
        .map(|p| {
            let extra = money(p.kept() - p.owed_minor, p.money_currency());
            let provider = ProviderTitle(p.provider);
            about(
                finding(
                    Rule::CancelledButCaptured,
                    order,
                    msg!(
                        "finding-cancelled-keeps",
                        payment = named(p),
                        extra = extra.clone()
                    ),
                    if p.provider.sends_webhooks() {
                        msg!(
                            "action-cancelled-keeps-provider",
                            extra = extra,
                            provider = provider
                        )
                    } else {
                        msg!(
                            "action-cancelled-keeps-hand",
                            extra = extra,
                            number = number.as_str(),
                            amount = decimal(p.kept() - p.owed_minor, p.money_currency())
                        )
                    },
                    None,
                ),
                p,
                None,
            )
        })
        .collect()
}

/// `refund_awaiting_provider`: the refund a cancel made the shop owe, less
/// what went back since.
fn refund_owed(order: &Order, p: &Payment) -> Option<Finding> {
    if p.owed_minor <= 0 {
        return None;
    }
    let number = &order.number;
    let owed = money(p.owed_minor, p.money_currency());
    let provider = ProviderTitle(p.provider);
    Some(about(
        finding(
            Rule::RefundAwaitingProvider,
            order,
            msg!(
                "finding-refund-owed",
                owed = owed.clone(),
                payment = named(p)
            ),
            if p.provider.sends_webhooks() {
                msg!(
                    "action-refund-owed-provider",
                    owed = owed,
                    provider = provider,
                    number = number.as_str()
                )
            } else {
                msg!(
                    "action-refund-owed-hand",
                    owed = owed,
                    number = number.as_str()
                )
            },
            None,
        ),
        p,
        None,
    ))
}

/// `disputed` (each open dispute, with its id and amount) and
/// `dispute_lost` (money taken back by a lost dispute or a reversal not
/// reinstated).
fn disputes(order: &Order, a: &Attempt) -> Vec<Finding> {
    let p = &a.payment;
    let number = &order.number;
    let provider = ProviderTitle(p.provider);
    let currency = p.money_currency();
    let open = |id: Option<&str>, amount: i64, inquiry: bool| {
        let what = if inquiry {
            msg!("finding-inquiry")
        } else {
            msg!("finding-chargeback")
        };
        let id_text = id.map(|i| format!(" {i}")).unwrap_or_default();
        about(
            finding(
                Rule::Disputed,
                order,
                msg!(
                    "finding-disputed",
                    what = what,
                    id = id_text,
                    amount = money(amount, currency),
                    payment = named(p)
                ),
                msg!(
                    "action-disputed",
                    provider = provider,
                    number = number.as_str()
                ),
                None,
            ),
            p,
            id,
        )
    };
    let lost = |id: Option<&str>, amount: i64| {
        about(
            finding(
                Rule::DisputeLost,
                order,
                msg!(
                    "finding-dispute-lost",
                    amount = money(amount, currency),
                    provider = provider,
                    id = id.map(|i| format!(" ({i})")).unwrap_or_default(),
                    payment = named(p)
                ),
                msg!("action-dispute-lost", number = number.as_str()),
                None,
            ),
            p,
            id,
        )
    };
    let mut out = Vec::new();
    let detailed = flows(a);
    let any_dispute = detailed
        .iter()
        .any(|(_, _, f)| matches!(f, Flow::Dispute(_)));
    if any_dispute {
        for (id, amount, flow) in detailed {
            match flow {
                Flow::Dispute(s @ (DisputeState::Inquiry | DisputeState::Open)) => {
                    out.push(open(id, amount, s == DisputeState::Inquiry));
                }
                Flow::Dispute(s) if s.is_lost() => out.push(lost(id, amount.min(p.lost_minor))),
                Flow::Dispute(_)
                | Flow::Authorised
                | Flow::Captured
                | Flow::Released
                | Flow::Refund(_)
                | Flow::Owed => {}
            }
        }
        return out;
    }
    if p.disputed_minor > 0 {
        out.push(open(None, p.disputed_minor, false));
    }
    if p.lost_minor > 0 {
        out.push(lost(None, p.lost_minor));
    }
    out
}

/// `refund_failed`: a refund the provider reports failed: the customer was
/// not repaid (the money is back in the shop's balance).
fn refunds_failed(order: &Order, a: &Attempt) -> Vec<Finding> {
    let p = &a.payment;
    if p.refunds_failed_minor <= 0 {
        return Vec::new();
    }
    let number = &order.number;
    let provider = ProviderTitle(p.provider);
    let currency = p.money_currency();
    let failed = |id: Option<&str>, amount: i64| {
        about(
            finding(
                Rule::RefundFailed,
                order,
                msg!(
                    "finding-refund-failed",
                    id = id.map(|i| format!(" {i}")).unwrap_or_default(),
                    amount = money(amount, currency),
                    payment = named(p)
                ),
                msg!(
                    "action-refund-failed",
                    provider = provider,
                    number = number.as_str()
                ),
                None,
            ),
            p,
            id,
        )
    };
    let by_id: Vec<Finding> = flows(a)
        .into_iter()
        .filter(|(_, _, f)| *f == Flow::Refund(RefundState::Failed))
        .map(|(id, amount, _)| failed(id, amount))
        .collect();
    if by_id.is_empty() {
        vec![failed(None, p.refunds_failed_minor)]
    } else {
        by_id
    }
}

/// What the order still lacks: its total less what its payments keep
/// beyond losses (captured − lost), in the order's currency. A refund the
/// owner chose to give is not "unpaid".
pub fn outstanding(order: &Order, attempts: &[Attempt]) -> i64 {
    if order.status == OrderStatus::Cancelled {
        return 0;
    }
    let paid: i64 = attempts
        .iter()
        .map(|a| &a.payment)
        .filter(|p| p.money_currency() == order.total.currency())
        .map(|p| p.figures().captured - p.lost_minor)
        .sum();
    (order.total.minor() - paid).max(0)
}

/// `fulfilled_unpaid`: shipped or delivered, and money is missing: nothing
/// captured, a failed debit, a dispute lost.
fn fulfilled_unpaid(order: &Order, attempts: &[Attempt]) -> Option<Finding> {
    if !matches!(order.status, OrderStatus::Shipped | OrderStatus::Delivered) {
        return None;
    }
    let missing = outstanding(order, attempts);
    if missing <= 0 {
        return None;
    }
    let number = &order.number;
    let missing = money(missing, order.total.currency());
    let mut f = finding(
        Rule::FulfilledUnpaid,
        order,
        msg!(
            "finding-fulfilled-unpaid",
            status = order.status,
            missing = missing.clone(),
            total = order.total
        ),
        msg!(
            "action-fulfilled-unpaid",
            missing = missing,
            number = number.as_str()
        ),
        None,
    );
    if let Some(main) = attempts.first() {
        f = about(f, &main.payment, None);
    }
    Some(f)
}

/// `duplicate_payment`: more than one payment of the order keeps money;
/// the action names the ones to refund (all but the main payment).
fn duplicate_payment(order: &Order, attempts: &[Attempt]) -> Vec<Finding> {
    let keeping: Vec<&Payment> = attempts
        .iter()
        .map(|a| &a.payment)
        .filter(|p| p.kept() > 0 && p.kept() > p.owed_minor)
        .collect();
    if keeping.len() < 2 {
        return Vec::new();
    }
    let number = &order.number;
    let main = keeping[0];
    keeping[1..]
        .iter()
        .map(|p| {
            let extra = money(p.kept() - p.owed_minor, p.money_currency());
            about(
                finding(
                    Rule::DuplicatePayment,
                    order,
                    msg!("finding-paid-twice", main = named(main), other = named(p)),
                    msg!(
                        "action-paid-twice",
                        extra = extra,
                        payment = named(p),
                        number = number.as_str(),
                        reference = p.reference.as_deref().unwrap_or("REF")
                    ),
                    None,
                ),
                p,
                None,
            )
        })
        .collect()
}
