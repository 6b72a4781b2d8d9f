//! The dashboard's actions: what they are ([`Action`] on its [`Targets`]), what
//! their confirmation says, and running them.
//!
//! Every action goes through the foundation's operations
//! ([`crate::ops::cancel`], [`crate::ops::validate`],
//! [`crate::ops::set_order_payment_status`], [`crate::ops::set_payment_status`])
//! the consistency fixer ([`crate::report::fix::apply`]) or the listener's
//! [`crate::ingest::orphans`] (replay, link, dismiss), never another
//! code path: each order is one `BEGIN IMMEDIATE` transaction, audited with
//! the dashboard's actor. [`confirm`] is pure: it reads the targeted orders
//! and payments it is given and says how many rows the action touches, what
//! will happen, what will be skipped, and what money it does *not* move.

use std::collections::BTreeMap;

use chrono::Utc;

use super::data::{OrphanRow, WebhookRow};
use crate::domain::{LogResult, Order, OrderStatus, Payment, PaymentStatus, Provider};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Arg, Lang, Msg, join, msg, tr};
use crate::ingest::apply::Processing;
use crate::ingest::orphans;
use crate::ops::{self, Outcome};
use crate::report::{Filter, Finding, Settings, fix};
use crate::store::Store;

/// An action on orders, through [`crate::ops`] (or the fixer for `Fix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Cancel,
    /// Cancel, and refund what each order keeps through its provider.
    CancelRefund,
    /// Refund what each order keeps through its provider.
    Refund,
    Validate,
    SetOrderPayment(crate::domain::OrderPaymentStatus),
    SetPayment(PaymentStatus),
    Fix,
    /// Webhooks: process a stored delivery again.
    Replay,
    /// Orphans: attach the event to an order and apply it.
    Link,
    /// Orphans: close without applying.
    Dismiss,
}

/// What an action acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// Order ids and numbers.
    pub orders: Vec<(i64, String)>,
    /// For `Fix`: the findings.
    pub findings: Vec<Finding>,
    /// For `Replay`: webhook log ids; for `Link` and `Dismiss`: orphan ids.
    pub events: Vec<i64>,
    /// For `Link`: the order number.
    pub link_to: Option<String>,
}

impl Targets {
    /// How many rows the action goes through.
    pub fn len(&self) -> usize {
        self.orders
            .len()
            .max(self.findings.len())
            .max(self.events.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The confirmation of an action: what it touches and what will happen,
/// in the language it was asked in (the summary follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub action: Action,
    pub targets: Targets,
    pub title: String,
    pub lines: Vec<String>,
    pub warnings: Vec<String>,
    pub lang: Lang,
    /// A cancel's offer to refund through the providers too: what each
    /// gives back ("Stripe 89.90 EUR"); `None` when nothing can be.
    pub refund_offer: Option<String>,
}

/// What an action did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    /// (order, what was done)
    pub done: Vec<(String, String)>,
    /// (order, why nothing was done)
    pub skipped: Vec<(String, String)>,
    /// What the owner must still do.
    pub warnings: Vec<String>,
}

/// A targeted order and its payment.
type Row = (Order, Option<Payment>);

/// "3 of these are completed Stripe payments: …" for each provider; `verb`
/// is what the action does ("cancelling").
fn refund_warnings(rows: &[&(Order, Option<Payment>)], verb: Msg) -> Vec<Msg> {
    let mut by: BTreeMap<Provider, usize> = BTreeMap::new();
    for (_, p) in rows {
        if let Some(p) = p
            && p.status == PaymentStatus::Completed
        {
            *by.entry(p.provider).or_default() += 1;
        }
    }
    by.into_iter()
        .map(|(provider, n)| {
            let these = msg!(
                "act-these-completed",
                n = n,
                provider = ProviderTitle(provider)
            );
            if provider.sends_webhooks() {
                msg!(
                    "act-warn-refund-at-provider",
                    these = these,
                    verb = verb.clone(),
                    p = ProviderTitle(provider)
                )
            } else {
                msg!(
                    "act-warn-refund-by-hand",
                    these = these,
                    verb = verb.clone()
                )
            }
        })
        .collect()
}
/// What a confirmation says besides its title.
#[derive(Default)]
struct Says {
    lines: Vec<Msg>,
    warnings: Vec<Msg>,
}

/// How many of the rows `pred` holds for.
fn count(rows: &[Row], pred: impl Fn(&Row) -> bool) -> usize {
    rows.iter().filter(|r| pred(r)).count()
}

/// The confirmation of `action` on `targets`, from the targeted orders and
/// payments as they are now, in `lang`.
pub fn confirm(
    action: Action,
    targets: Targets,
    rows: &[(Order, Option<Payment>)],
    lang: Lang,
) -> Confirm {
    let mut says = Says::default();
    let refund_offer = (action == Action::Cancel)
        .then(|| refundable(rows, lang))
        .filter(|by| !by.is_empty())
        .map(|by| by.join(" + "));
    let title = match action {
        Action::Cancel => confirm_cancel(rows, &mut says),
        Action::CancelRefund => {
            let title = confirm_cancel(rows, &mut says);
            says.warnings.clear();
            confirm_refund(rows, &mut says);
            msg!("act-cancel-refund-title", title = title)
        }
        Action::Refund => {
            confirm_refund(rows, &mut says);
            msg!("act-refund-title", n = rows.len())
        }
        Action::Validate => confirm_validate(rows, &mut says),
        Action::SetOrderPayment(status) => confirm_set_order_payment(status, rows, &mut says),
        Action::SetPayment(status) => confirm_set_payment(status, rows, &mut says),
        Action::Fix => confirm_fix(&targets.findings, &mut says),
        Action::Replay | Action::Link | Action::Dismiss => {
            says.lines.push(msg!("act-events-elsewhere"));
            msg!("act-nothing-to-do")
        }
    };
    Confirm {
        action,
        targets,
        title: lang.text(&title),
        lines: says.lines.iter().map(|m| lang.text(m)).collect(),
        warnings: says.warnings.iter().map(|m| lang.text(m)).collect(),
        lang,
        refund_offer,
    }
}

fn confirm_cancel(rows: &[Row], says: &mut Says) -> Msg {
    let n = rows.len();
    let already = count(rows, |(o, _)| o.status == OrderStatus::Cancelled);
    let no_payment = count(rows, |(_, p)| p.is_none());
    says.lines.push(msg!("act-cancel-says", n = n));
    if already > 0 {
        says.lines.push(msg!("act-cancel-already", n = already));
    }
    if no_payment > 0 {
        says.lines
            .push(msg!("act-cancel-no-payment", n = no_payment));
    }
    let live: Vec<&Row> = rows
        .iter()
        .filter(|(o, _)| o.status != OrderStatus::Cancelled)
        .collect();
    says.warnings
        .extend(refund_warnings(&live, msg!("act-verb-cancelling")));
    msg!("act-cancel-title", n = n)
}

/// What a refund through the providers would give back, per provider,
/// and what cannot be refunded that way.
/// Per provider that refunds through its API: how many payments keep
/// money, and how much, per currency.
type Refundable = BTreeMap<Provider, (usize, BTreeMap<String, i64>)>;

/// What the rows' payments keep, by provider, and how many are cash.
fn by_provider(rows: &[Row]) -> (Refundable, usize) {
    let mut by: Refundable = BTreeMap::new();
    let mut by_hand: usize = 0;
    for (_, p) in rows {
        let Some(p) = p.as_ref().filter(|p| p.kept() > 0) else {
            continue;
        };
        match p.provider {
            Provider::Stripe | Provider::Paypal | Provider::Wave => {
                let entry = by.entry(p.provider).or_default();
                entry.0 += 1;
                *entry
                    .1
                    .entry(p.money_currency().code().to_owned())
                    .or_default() += p.kept() - p.refunds_pending_minor;
            }
            Provider::Cash => by_hand += 1,
        }
    }
    (by, by_hand)
}

/// "89.90 EUR + 45000 XOF", in the language it is shown in.
fn amounts(sums: &BTreeMap<String, i64>) -> Msg {
    join(
        sums.iter().filter_map(|(code, minor)| {
            let c = crate::domain::Currency::parse(code).ok()?;
            Some(msg!("plain", text = Arg::Minor(*minor, c)))
        }),
        " + ",
    )
}

/// "Stripe 89.90 EUR" for each provider that would refund something.
fn refundable(rows: &[Row], lang: Lang) -> Vec<String> {
    by_provider(rows)
        .0
        .iter()
        .map(|(provider, (_, sums))| {
            format!(
                "{} {}",
                lang.word(ProviderTitle(*provider)),
                lang.text(&amounts(sums))
            )
        })
        .collect()
}

fn confirm_refund(rows: &[Row], says: &mut Says) {
    let (by, by_hand) = by_provider(rows);
    for (provider, (n, sums)) in &by {
        says.lines.push(msg!(
            "act-refund-through",
            n = *n,
            provider = ProviderTitle(*provider),
            amounts = amounts(sums)
        ));
    }
    if by.is_empty() {
        says.lines.push(msg!("act-refund-nothing"));
    }
    if by_hand > 0 {
        says.warnings.push(msg!("act-refund-cash", n = by_hand));
    }
}

fn confirm_validate(rows: &[Row], says: &mut Says) -> Msg {
    let n = rows.len();
    let cancelled = count(rows, |(o, _)| o.status == OrderStatus::Cancelled);
    let no_payment = count(rows, |(_, p)| p.is_none());
    let done = count(rows, |(o, p)| {
        o.status != OrderStatus::Cancelled
            && p.as_ref()
                .is_some_and(|p| p.status == PaymentStatus::Completed)
            && o.paid_at.is_some()
    });
    says.lines.push(msg!("act-validate-says", n = n));
    for (k, why) in [
        (cancelled, msg!("act-validate-why-cancelled")),
        (no_payment, msg!("act-validate-why-no-payment")),
        (done, msg!("act-validate-why-done")),
    ] {
        if k > 0 {
            says.lines
                .push(msg!("act-validate-skipped", n = k, why = why));
        }
    }
    let mut by: BTreeMap<Provider, usize> = BTreeMap::new();
    for (o, p) in rows {
        if let Some(p) = p
            && p.provider.sends_webhooks()
            && p.status != PaymentStatus::Completed
            && o.status != OrderStatus::Cancelled
        {
            *by.entry(p.provider).or_default() += 1;
        }
    }
    for (provider, k) in by {
        says.warnings.push(msg!(
            "act-validate-warn-webhooks",
            n = k,
            p = ProviderTitle(provider)
        ));
    }
    msg!("act-validate-title", n = n)
}

fn confirm_set_order_payment(
    status: crate::domain::OrderPaymentStatus,
    rows: &[Row],
    says: &mut Says,
) -> Msg {
    let n = rows.len();
    let target = status.to_payment();
    says.lines.push(msg!(
        "act-set-order-payment-says",
        n = n,
        status = status,
        target = target
    ));
    let same = count(rows, |(o, p)| {
        o.payment_status == status && p.as_ref().is_none_or(|p| p.status == target)
    });
    if same > 0 {
        says.lines
            .push(msg!("act-already-status", n = same, status = status));
    }
    if target == PaymentStatus::Cancelled {
        let all: Vec<&Row> = rows.iter().collect();
        says.warnings
            .extend(refund_warnings(&all, msg!("act-verb-setting-refunded")));
    }
    msg!("act-set-order-payment-title", n = n, status = status)
}

fn confirm_set_payment(status: PaymentStatus, rows: &[Row], says: &mut Says) -> Msg {
    let n = rows.len();
    let target = status.to_order();
    let no_payment = count(rows, |(_, p)| p.is_none());
    says.lines.push(msg!(
        "act-set-payment-says",
        n = n,
        status = status,
        target = target
    ));
    if no_payment > 0 {
        says.lines
            .push(msg!("act-set-payment-no-payment", n = no_payment));
    }
    let same = count(rows, |(o, p)| {
        p.as_ref().is_some_and(|p| p.status == status) && o.payment_status == target
    });
    if same > 0 {
        says.lines.push(msg!(
            "act-already-payment-status",
            n = same,
            status = status
        ));
    }
    if status == PaymentStatus::Cancelled {
        let all: Vec<&Row> = rows.iter().collect();
        says.warnings
            .extend(refund_warnings(&all, msg!("act-verb-cancelling-payment")));
    }
    msg!("act-set-payment-title", n = n, status = status)
}

fn confirm_fix(findings: &[Finding], says: &mut Says) -> Msg {
    let fixable = findings.iter().filter(|x| x.fixable).count();
    says.lines.push(msg!("act-fix-says", n = fixable));
    let never = findings.len() - fixable;
    if never > 0 {
        says.lines.push(msg!("act-fix-never", n = never));
    }
    msg!("act-fix-title", n = findings.len())
}

fn event_targets(events: Vec<i64>, link_to: Option<String>) -> Targets {
    Targets {
        events,
        link_to,
        ..Targets::default()
    }
}

/// The confirmation of a replay of one webhook delivery.
pub fn confirm_replay(w: &WebhookRow, lang: Lang) -> Confirm {
    let result = w
        .result
        .parse::<LogResult>()
        .map_or_else(|_| w.result.clone(), |r| lang.word(r));
    let mut lines = vec![tr!(
        lang,
        "act-replay-says",
        id = w.id.to_string(),
        provider = w.provider.as_deref().unwrap_or("?"),
        event = w.event_type.as_deref().unwrap_or("?"),
        event_id = w.event_id.as_deref().unwrap_or("?"),
        result = result
    )];
    let mut warnings = Vec::new();
    if !w.replayable {
        warnings.push(lang.t("act-replay-no-body"));
    }
    if w.event_state.as_deref() == Some("applied") {
        lines.push(lang.t("act-replay-applied"));
    }
    Confirm {
        action: Action::Replay,
        targets: event_targets(vec![w.id], None),
        title: tr!(lang, "act-replay-title", id = w.id.to_string()),
        lines,
        warnings,
        lang,
        refund_offer: None,
    }
}

fn orphan_text(o: &OrphanRow, lang: Lang) -> String {
    format!(
        "{} {} {}{}",
        o.provider,
        o.event_type,
        o.reference
            .clone()
            .unwrap_or_else(|| lang.t("show-no-reference")),
        o.amount
            .as_deref()
            .map(|a| format!(" {a}"))
            .unwrap_or_default()
    )
}

/// The confirmation of linking an orphan to an order.
pub fn confirm_link(o: &OrphanRow, number: &str, lang: Lang) -> Confirm {
    let mut warnings = Vec::new();
    if let Some(named) = &o.order_number
        && named != number
    {
        warnings.push(tr!(
            lang,
            "act-link-names-other",
            named = named.as_str(),
            number = number
        ));
    }
    Confirm {
        action: Action::Link,
        targets: event_targets(vec![o.id], Some(number.to_owned())),
        title: tr!(
            lang,
            "act-link-title",
            id = o.id.to_string(),
            number = number
        ),
        lines: vec![tr!(
            lang,
            "act-link-says",
            id = o.id.to_string(),
            what = orphan_text(o, lang),
            number = number
        )],
        warnings,
        lang,
        refund_offer: None,
    }
}

/// The confirmation of dismissing an orphan.
pub fn confirm_dismiss(o: &OrphanRow, lang: Lang) -> Confirm {
    Confirm {
        action: Action::Dismiss,
        targets: event_targets(vec![o.id], None),
        title: tr!(lang, "act-dismiss-title", id = o.id.to_string()),
        lines: vec![tr!(
            lang,
            "act-dismiss-says",
            id = o.id.to_string(),
            what = orphan_text(o, lang)
        )],
        warnings: vec![lang.t("act-dismiss-warn")],
        lang,
        refund_offer: None,
    }
}

/// Runs a webhook or orphan action, through the listener's functions.
fn run_event(store: &mut Store, confirm: &Confirm, actor: &str, summary: &mut Summary) {
    let lang = confirm.lang;
    for &id in &confirm.targets.events {
        let label = format!("#{id}");
        let now = Utc::now();
        let outcome: Result<String, String> = match confirm.action {
            Action::Replay => match orphans::replay(store, id, actor, now) {
                Ok(Processing::Done(p)) => Ok(format!("{}: {}", lang.word(p.result), p.detail)),
                Ok(Processing::Malformed(e)) => {
                    Err(tr!(lang, "act-not-an-event", error = e.to_string()))
                }
                Ok(Processing::Failed { error, .. }) => {
                    Err(tr!(lang, "act-failed-again", error = error.to_string()))
                }
                Err(e) => Err(e.localize(lang)),
            },
            Action::Link => {
                let number = confirm.targets.link_to.as_deref().unwrap_or_default();
                orphans::link(store, id, number, actor, now)
                    .map(|p| {
                        tr!(
                            lang,
                            "act-linked",
                            number = number,
                            detail = p.detail.as_str()
                        )
                    })
                    .map_err(|e| e.localize(lang))
            }
            Action::Dismiss => orphans::dismiss(store, id, None, actor, now)
                .map(|_| lang.t("act-dismissed"))
                .map_err(|e| e.localize(lang)),
            Action::Cancel
            | Action::CancelRefund
            | Action::Refund
            | Action::Validate
            | Action::SetOrderPayment(_)
            | Action::SetPayment(_)
            | Action::Fix => Err(lang.t("act-not-event-action")),
        };
        match outcome {
            Ok(done) => summary.done.push((label, done)),
            Err(why) => summary.skipped.push((label, why)),
        }
    }
}

fn record(summary: &mut Summary, lang: Lang, number: &str, outcome: Result<Outcome, ops::OpError>) {
    match outcome {
        Ok(Outcome::Done {
            summary: s,
            warnings,
        }) => {
            summary.done.push((number.to_owned(), lang.text(&s)));
            summary
                .warnings
                .extend(warnings.iter().map(|w| lang.text(w)));
        }
        Ok(Outcome::Skipped { reason }) => summary
            .skipped
            .push((number.to_owned(), lang.text(&reason))),
        Err(e) => summary.skipped.push((
            number.to_owned(),
            tr!(lang, "error", text = e.localize(lang)),
        )),
    }
}
/// Runs a confirmed action, one order (one transaction) at a time, calling
/// `progress(done, total)` after each.
pub fn run(
    store: &mut Store,
    confirm: &Confirm,
    actor: &str,
    settings: &Settings,
    mut progress: impl FnMut(usize, usize),
) -> Summary {
    let mut summary = Summary {
        title: confirm.title.clone(),
        ..Summary::default()
    };
    match confirm.action {
        Action::Replay | Action::Link | Action::Dismiss => {
            run_event(store, confirm, actor, &mut summary);
            let n = confirm.targets.events.len();
            progress(n, n);
        }
        Action::Fix => {
            run_fix(
                store,
                &confirm.targets.findings,
                actor,
                settings,
                &mut summary,
                confirm.lang,
            );
            let n = confirm.targets.findings.len();
            progress(n, n);
        }
        Action::Cancel
        | Action::CancelRefund
        | Action::Refund
        | Action::Validate
        | Action::SetOrderPayment(_)
        | Action::SetPayment(_) => run_orders(store, confirm, actor, &mut summary, progress),
    }
    summary
}

/// Fixes the fixable findings through the fixer; the others are skipped.
fn run_fix(
    store: &mut Store,
    findings: &[Finding],
    actor: &str,
    settings: &Settings,
    summary: &mut Summary,
    lang: Lang,
) {
    let fixable: Vec<_> = findings.iter().filter(|f| f.fixable).cloned().collect();
    for f in findings.iter().filter(|f| !f.fixable) {
        summary.skipped.push((
            f.order.clone().unwrap_or_else(|| "-".to_owned()),
            tr!(
                lang,
                "act-fix-never-by-itself",
                rule = f.rule.as_str(),
                action = f.action.clone()
            ),
        ));
    }
    match fix::apply(store, &fixable, settings, &Filter::default(), actor) {
        Ok(fixed) => {
            for f in &fixable {
                let done = fixed
                    .iter()
                    .any(|x| x.order_id == f.order_id && x.rule == f.rule);
                let number = f.order.clone().unwrap_or_else(|| "-".to_owned());
                if done {
                    summary
                        .done
                        .push((number, tr!(lang, "act-fixed", rule = f.rule.as_str())));
                } else {
                    summary
                        .skipped
                        .push((number, tr!(lang, "act-fix-gone", rule = f.rule.as_str())));
                }
            }
        }
        Err(e) => summary.skipped.push((
            "-".to_owned(),
            tr!(lang, "act-fix-error", error = e.to_string()),
        )),
    }
}

/// Runs an order action through the operations, one order at a time.
fn run_orders(
    store: &mut Store,
    confirm: &Confirm,
    actor: &str,
    summary: &mut Summary,
    mut progress: impl FnMut(usize, usize),
) {
    let total = confirm.targets.orders.len();
    let apis = needs_apis(confirm.action).then(apis_from_env);
    for (i, (_, number)) in confirm.targets.orders.iter().enumerate() {
        let now = Utc::now();
        let outcome = match (confirm.action, &apis) {
            (Action::Cancel | Action::CancelRefund | Action::Refund, Some(apis)) => {
                through_providers(store, apis, confirm.action, number, actor)
            }
            (action, _) => plain(store, action, number, actor, now),
        };
        record(summary, confirm.lang, number, outcome);
        progress(i + 1, total);
    }
}

/// Whether an action talks to the providers (the cancel guard, refunds).
fn needs_apis(action: Action) -> bool {
    matches!(
        action,
        Action::Cancel | Action::CancelRefund | Action::Refund
    )
}

/// The providers' APIs as the environment configures them
/// (`TALLY_STRIPE_API`, ... for other hosts).
fn apis_from_env() -> crate::refund::Apis {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    crate::refund::Apis::from_env(&crate::refund::clients::Bases {
        stripe: var("TALLY_STRIPE_API"),
        paypal: var("TALLY_PAYPAL_API"),
        wave: var("TALLY_WAVE_API"),
    })
}

/// A cancel (with its guard), a cancel and refund, or a refund, through
/// the refund room: the same code as the command line's.
fn through_providers(
    store: &mut Store,
    apis: &crate::refund::Apis,
    action: Action,
    number: &str,
    actor: &str,
) -> Result<Outcome, ops::OpError> {
    use crate::refund::{Outcome as Refunded, Request, issue};
    let mut quiet = |_: &Msg| {};
    let refund_outcome = |o: Refunded| match o {
        Refunded::Refunded { summary } => Outcome::Done {
            summary,
            warnings: Vec::new(),
        },
        Refunded::Refused { reason } => Outcome::Skipped { reason },
        Refunded::Unknown { message } | Refunded::Error { message } => {
            Outcome::Skipped { reason: message }
        }
    };
    if action == Action::Refund {
        let request = Request {
            select: ops::Select::Main,
            amount: None,
            reason: None,
        };
        return Ok(
            match issue::prepare(store, apis, number, &request, &mut quiet) {
                Ok((plan, _)) => {
                    refund_outcome(issue::execute(store, apis, &plan, actor, &mut quiet))
                }
                Err(o) => refund_outcome(o),
            },
        );
    }
    let options = crate::refund::cancel::Options {
        refund: action == Action::CancelRefund,
        offline: false,
        reason: None,
    };
    let c = crate::refund::cancel::cancel_order(
        store,
        apis,
        number,
        &options,
        actor,
        &mut |_| true,
        &mut quiet,
    )?;
    Ok(match (c.outcome, c.refund) {
        (
            Outcome::Done {
                summary,
                mut warnings,
            },
            refund,
        ) => {
            warnings.splice(0..0, c.notes);
            match refund.map(refund_outcome) {
                Some(Outcome::Done { summary: r, .. }) => Outcome::Done {
                    summary: msg!("act-done-and-refund", summary = summary, refund = r),
                    warnings: Vec::new(),
                },
                Some(Outcome::Skipped { reason }) => Outcome::Done {
                    summary,
                    warnings: vec![msg!("act-refund-warning", reason = reason)],
                },
                None => Outcome::Done { summary, warnings },
            }
        }
        (skipped, _) => skipped,
    })
}

fn plain(
    store: &mut Store,
    action: Action,
    number: &str,
    actor: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Outcome, ops::OpError> {
    match action {
        Action::Cancel => ops::cancel(store, number, actor, now),
        Action::CancelRefund | Action::Refund => Ok(Outcome::Skipped {
            reason: msg!("act-needs-apis"),
        }),
        Action::Validate => ops::validate(store, number, None, actor, now),
        Action::SetOrderPayment(s) => ops::set_order_payment_status(store, number, s, actor, now),
        Action::SetPayment(s) => ops::set_payment_status(store, number, s, actor, now),
        Action::Fix | Action::Replay | Action::Link | Action::Dismiss => Ok(Outcome::Skipped {
            reason: msg!("act-not-order-action"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dash::data::load_orders;
    use crate::testing;

    fn targets(store: &Store, numbers: &[&str]) -> (Targets, Vec<(Order, Option<Payment>)>) {
        let orders: Vec<(i64, String)> = numbers
            .iter()
            .map(|n| (testing::get(store, n).0.id, (*n).to_owned()))
            .collect();
        let ids: Vec<i64> = orders.iter().map(|(id, _)| *id).collect();
        let rows = load_orders(&store.reader(), &ids).unwrap();
        (
            Targets {
                orders,
                ..Targets::default()
            },
            rows,
        )
    }

    #[test]
    fn a_cancel_confirmation_warns_of_completed_stripe_payments() {
        let store = testing::shop();
        let (t, rows) = targets(&store, &["TEST1001", "TEST2001", "TEST2002"]);
        let c = confirm(Action::Cancel, t, &rows, Lang::En);
        assert_eq!(c.title, "Cancel 3 orders");
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].starts_with("2 of these are completed Stripe payments: cancelling does not refund the customer at Stripe"),
            "{}",
            c.warnings[0]
        );
        // And it offers to refund them through Stripe, with the amount.
        let offer = c.refund_offer.as_deref().unwrap_or_default();
        assert!(
            offer.starts_with("Stripe ") && offer.contains(" EUR"),
            "{offer}"
        );
        // Only a cancel offers it.
        let (t, rows) = targets(&store, &["TEST1001", "TEST2001", "TEST2002"]);
        assert_eq!(
            confirm(Action::Refund, t, &rows, Lang::En).refund_offer,
            None
        );
    }

    #[test]
    fn a_validate_confirmation_says_what_is_skipped() {
        let mut store = testing::shop();
        ops::cancel(&mut store, "TEST2002", "t", testing::now()).unwrap();
        let (t, rows) = targets(&store, &["TEST2002", "TEST2004", "TEST2001", "TEST2003"]);
        let c = confirm(Action::Validate, t, &rows, Lang::En);
        let text = c.lines.join("\n");
        assert!(text.contains("1 cancelled"), "{text}");
        assert!(text.contains("1 without a payment record"), "{text}");
        assert!(text.contains("1 already validated"), "{text}");
        assert!(c.warnings[0].contains("Stripe confirms its payments by webhook"));
    }

    #[test]
    fn running_a_cancel_goes_through_the_operations_and_is_audited() {
        let mut store = testing::shop();
        let (t, rows) = targets(&store, &["TEST2002", "TEST2003"]);
        let c = confirm(Action::Cancel, t, &rows, Lang::En);
        let settings = Settings {
            now: testing::now(),
            stale_after: chrono::Duration::hours(48),
            prefer: None,
        };
        let mut seen = Vec::new();
        let s = run(&mut store, &c, "dash", &settings, |d, t| seen.push((d, t)));
        assert_eq!(s.done.len(), 2);
        assert!(s.skipped.is_empty());
        assert_eq!(seen, vec![(1, 2), (2, 2)]);
        for n in ["TEST2002", "TEST2003"] {
            let (o, p) = testing::get(&store, n);
            assert_eq!(o.status, OrderStatus::Cancelled);
            assert_eq!(p.unwrap().status, PaymentStatus::Cancelled);
            assert_eq!(
                testing::events(&store, n).last().unwrap(),
                &(
                    crate::domain::AuditEvent::OrderAndPaymentCancelled.to_string(),
                    "dash".to_owned()
                )
            );
        }
        // Again: skipped, with the reason.
        let s = run(&mut store, &c, "dash", &settings, |_, _| {});
        assert_eq!(s.skipped[0].1, "already cancelled");
    }
}
