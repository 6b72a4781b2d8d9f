//! The rules that read the providers' statements: `missing_at_provider`,
//! `unknown_to_tally`, `statement_mismatch`, `unrecorded_refund`,
//! `unrecorded_dispute`; and the one fix they allow.
//!
//! They run only once a statement was imported (a shop without statements
//! sees nothing new), and absence is judged only inside the periods the
//! statements cover, two days in from their edges, never for lines the
//! provider marks pending. The judges are pure functions of a line, its
//! payment and the payment's movements; [`findings`] feeds them what the
//! store's partial indexes let through, and matches again, in memory, the
//! lines that had no payment at import (a payment may have arrived since).
//!
//! # The fix
//! A refund or a dispute the statement shows under the provider's own id
//! (Stripe `re_…`/`dp_…`, a PayPal or Wave refund transaction), in the
//! payment's currency, on a payment whose ledger has no refund of that
//! amount and no refund without an id (which might be the same money,
//! recorded by hand): `tally fix` records it as the provider's own record
//! (movement source `statement`, audited as `statement:<file>`), after
//! checking again inside its transaction that the ledger still lacks it.
//! Status words are left alone: only money is recorded. Anything else is
//! reported with the action to take.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::rules::{Finding, Fix, Rule, Settings};
use super::scan::Filter;
use crate::domain::ledger::{DisputeState, Flow, Movement, MovementSource, RefundState, latest};
use crate::domain::{
    AuditEntry, AuditEvent, Currency, Money, Order, Payment, Provider, Timestamp, format_ts,
    parse_ts,
};
use crate::i18n::words::ProviderTitle;
use crate::i18n::{Arg, Msg, msg};
use crate::statement::coverage::{judged, merge};
use crate::statement::{LineKind, LineStatus, Period};
use crate::store::statements::{StoredLine, distinct, match_in_memory};
use crate::store::{Reader, Store};

/// Where a line comes from, as the owner finds it: "stripe.csv row 5".
struct Files(HashMap<i64, String>);

impl Files {
    fn at(&self, l: &StoredLine) -> Msg {
        let name = self.0.get(&l.file_id).map_or("?", String::as_str);
        msg!("stm-file-row", file = name, row = l.line.row)
    }

    fn name(&self, l: &StoredLine) -> String {
        self.0.get(&l.file_id).cloned().unwrap_or_default()
    }
}

fn named(p: &Payment) -> Msg {
    let provider = ProviderTitle(p.provider);
    match &p.reference {
        Some(r) => msg!("stm-payment-ref", provider = provider, reference = r),
        None => msg!(
            "stm-payment-attempt",
            provider = provider,
            attempt = p.attempt
        ),
    }
}

fn day(at: Timestamp) -> Arg {
    Arg::Day(at.date_naive())
}

fn finding(
    rule: Rule,
    order: Option<&Order>,
    payment: Option<&Payment>,
    provider_id: Option<String>,
    detail: Msg,
    action: Msg,
) -> Finding {
    Finding {
        rule,
        order: order.map(|o| o.number.clone()),
        order_id: order.map(|o| o.id),
        fixable: false,
        action,
        detail,
        fix: None,
        payment: payment.and_then(|p| p.reference.clone()),
        provider_id,
    }
}

/// What the customer paid or got back, in `currency`, when the line says
/// it in that currency (a Stripe line without the customer-facing columns
/// says it only in the settlement currency).
fn customer_amount(l: &StoredLine, currency: Currency) -> Option<i64> {
    match l.line.customer {
        Some((minor, c)) if c == currency => Some(minor.abs()),
        Some(_) => None,
        None if l.line.currency == currency => Some(l.line.gross.abs()),
        None => None,
    }
}

/// The customer's amount as the line writes it, for a message (a refund
/// or a dispute without its minus sign).
fn shown(l: &StoredLine) -> Arg {
    let (minor, c) = l.line.customer.unwrap_or((l.line.gross, l.line.currency));
    if l.line.kind == LineKind::Charge {
        Arg::Signed(minor, c)
    } else {
        Arg::Signed(minor.abs(), c)
    }
}

/// `unknown_to_tally`: a customer line no payment matches.
fn unknown(l: &StoredLine, files: &Files) -> Option<Finding> {
    if l.line.status != LineStatus::Completed {
        return None;
    }
    let provider = ProviderTitle(l.provider);
    let naming = l.line.ids.order_refs().next().map(str::to_owned);
    let id = l
        .line
        .ids
        .own
        .clone()
        .unwrap_or_else(|| l.line.line_id.clone());
    Some(finding(
        Rule::UnknownToTally,
        None,
        None,
        Some(id.clone()),
        match naming {
            Some(order) => msg!(
                "stm-unknown-naming",
                provider = provider,
                kind = l.line.kind,
                id = id.as_str(),
                amount = shown(l),
                day = day(l.line.at),
                at = files.at(l),
                order = order
            ),
            None => msg!(
                "stm-unknown",
                provider = provider,
                kind = l.line.kind,
                id = id.as_str(),
                amount = shown(l),
                day = day(l.line.at),
                at = files.at(l)
            ),
        },
        msg!("stm-unknown-action"),
    ))
}

/// `statement_mismatch` for a charge: the ledger captured nothing, or
/// another amount or currency than the customer paid.
fn charge(l: &StoredLine, order: &Order, p: &Payment, files: &Files) -> Option<Finding> {
    if l.line.status != LineStatus::Completed {
        return None;
    }
    let provider = ProviderTitle(p.provider);
    let number = order.number.as_str();
    let at = files.at(l);
    let mismatch = |detail: Msg, action: Msg| {
        Some(finding(
            Rule::StatementMismatch,
            Some(order),
            Some(p),
            Some(l.line.line_id.clone()),
            detail,
            action,
        ))
    };
    let Some(captured) = p.captured else {
        return mismatch(
            msg!(
                "stm-charge-nothing",
                provider = provider,
                amount = shown(l),
                day = day(l.line.at),
                at = at.clone(),
                named = named(p)
            ),
            msg!(
                "stm-charge-nothing-action",
                provider = provider,
                number = number,
                id = l.line.line_id.as_str()
            ),
        );
    };
    let paid = match l.line.customer {
        Some((minor, c)) => (minor.abs(), c),
        // The settlement currency alone: comparable only when it is the
        // capture's.
        None if l.line.currency == captured.currency() => (l.line.gross.abs(), l.line.currency),
        None => return None,
    };
    if paid == (captured.minor(), captured.currency()) {
        return None;
    }
    let what = if paid.1 == captured.currency() {
        msg!("stm-what-amount")
    } else {
        msg!("stm-what-currency")
    };
    mismatch(
        msg!(
            "stm-charge-differs",
            provider = provider,
            amount = Arg::Signed(paid.0, paid.1),
            day = day(l.line.at),
            at = at.clone(),
            named = named(p),
            captured = captured
        ),
        msg!(
            "stm-charge-differs-action",
            what = what,
            provider = provider,
            number = number,
            id = l.line.line_id.as_str()
        ),
    )
}

/// The refund flows a payment's ledger holds (latest state of each).
fn refunds_of(movements: &[Movement]) -> Vec<&Movement> {
    latest(movements)
        .into_iter()
        .filter(|m| matches!(m.flow, Flow::Refund(_)))
        .collect()
}

fn names(m: &Movement, id: &str) -> bool {
    m.provider_id.as_deref() == Some(id) || m.key.as_deref() == Some(id)
}

/// `unrecorded_refund` or `statement_mismatch` for a refund line.
fn refund(
    l: &StoredLine,
    order: &Order,
    p: &Payment,
    movements: &[Movement],
    files: &Files,
) -> Option<Finding> {
    if l.line.status != LineStatus::Completed || l.line.gross > 0 {
        return None;
    }
    let provider = ProviderTitle(p.provider);
    let number = order.number.as_str();
    let currency = p.money_currency();
    let amount = customer_amount(l, currency);
    let refunds = refunds_of(movements);
    let own = l.line.ids.own.as_deref();
    // By its id; else a refund of that amount the ledger holds without an
    // id (recorded before ids were kept) is taken for it; a line without
    // an id is known by its amount alone.
    let keyless = |m: &&&Movement| m.provider_id.is_none() && m.key.is_none();
    let known = own
        .and_then(|id| refunds.iter().find(|m| names(m, id)))
        .or_else(|| {
            refunds
                .iter()
                .find(|m| (own.is_none() || keyless(m)) && Some(m.amount.minor()) == amount)
        })
        .copied();
    if let Some(m) = known {
        let amount = amount?;
        if m.amount.minor() == amount {
            return None;
        }
        return Some(finding(
            Rule::StatementMismatch,
            Some(order),
            Some(p),
            own.map(str::to_owned).or(Some(l.line.line_id.clone())),
            msg!(
                "stm-refund-differs",
                provider = provider,
                amount = Arg::Minor(amount, currency),
                day = day(l.line.at),
                at = files.at(l),
                named = named(p),
                has = m.amount
            ),
            msg!(
                "stm-refund-differs-action",
                provider = provider,
                number = number,
                id = own.unwrap_or(&l.line.line_id)
            ),
        ));
    }
    let same_money = refunds
        .iter()
        .any(|m| Some(m.amount.minor()) == amount || (m.provider_id.is_none() && m.key.is_none()));
    let mut f = finding(
        Rule::UnrecordedRefund,
        Some(order),
        Some(p),
        own.map(str::to_owned).or(Some(l.line.line_id.clone())),
        msg!(
            "stm-refund-unrecorded",
            provider = provider,
            id = own.map(|i| format!(" {i}")).unwrap_or_default(),
            amount = shown(l),
            day = day(l.line.at),
            at = files.at(l),
            named = named(p)
        ),
        msg!("plain", text = ""),
    );
    match (own, amount) {
        (Some(id), Some(minor)) if !same_money => {
            f.action = msg!(
                "stm-refund-record",
                id = id,
                amount = Arg::Minor(minor, currency),
                file = files.name(l)
            );
            f.fixable = true;
            f.fix = Some(Fix::RecordMovement {
                movement: "refund".to_owned(),
                state: RefundState::Succeeded.as_str().to_owned(),
                provider_id: id.to_owned(),
                amount: Money::decimal_minor(minor, currency),
                currency: currency.code().to_owned(),
                at: format_ts(l.line.at),
                statement: files.name(l),
                row: l.line.row,
                payment_id: p.id,
            });
        }
        _ => {
            f.action = msg!(
                "stm-refund-check",
                provider = provider,
                number = number,
                payment = p
                    .reference
                    .as_deref()
                    .map(|r| format!(" --payment {r}"))
                    .unwrap_or_default(),
                id = own.unwrap_or("REFUND_ID")
            );
        }
    }
    Some(f)
}

/// `unrecorded_dispute` for a dispute line (or its reversal) whose
/// dispute the ledger does not have.
fn dispute(
    l: &StoredLine,
    order: &Order,
    p: &Payment,
    movements: &[Movement],
    files: &Files,
) -> Option<Finding> {
    if l.line.status != LineStatus::Completed {
        return None;
    }
    let provider = ProviderTitle(p.provider);
    let number = order.number.as_str();
    let disputes: Vec<&Movement> = movements
        .iter()
        .filter(|m| matches!(m.flow, Flow::Dispute(_)))
        .collect();
    // Stripe names a dispute `dp_…` in the ledger and the statement alike;
    // PayPal's chargeback row carries its own transaction id, not the
    // dispute's, so any dispute on the payment is this one.
    let own = l
        .line
        .ids
        .own
        .as_deref()
        .filter(|id| id.starts_with("dp_") || id.starts_with("du_"));
    // A dispute the ledger holds without the provider's id (one migrated
    // from the old disputed flag) is taken for it.
    let known = match own {
        Some(id) => disputes
            .iter()
            .any(|m| names(m, id) || m.provider_id.is_none()),
        None => !disputes.is_empty(),
    };
    if known {
        return None;
    }
    let currency = p.money_currency();
    let amount = customer_amount(l, currency);
    let reversal = l.line.kind == LineKind::DisputeReversal;
    let mut f = finding(
        Rule::UnrecordedDispute,
        Some(order),
        Some(p),
        own.map(str::to_owned).or(Some(l.line.line_id.clone())),
        msg!(
            "stm-dispute-unrecorded",
            provider = provider,
            what = if reversal {
                msg!("stm-dispute-reversal")
            } else {
                msg!("stm-dispute")
            },
            id = own.map(|i| format!(" {i}")).unwrap_or_default(),
            amount = shown(l),
            day = day(l.line.at),
            at = files.at(l),
            named = named(p)
        ),
        msg!(
            "stm-dispute-answer",
            provider = provider,
            number = number,
            id = own.unwrap_or(&l.line.line_id)
        ),
    );
    if let (Some(id), Some(minor)) = (own, amount) {
        let state = if reversal {
            DisputeState::Won
        } else {
            DisputeState::Open
        };
        f.action = msg!(
            "stm-dispute-record",
            id = id,
            state = state,
            amount = Arg::Minor(minor, currency),
            file = files.name(l),
            provider = provider
        );
        f.fixable = true;
        f.fix = Some(Fix::RecordMovement {
            movement: "dispute".to_owned(),
            state: state.as_str().to_owned(),
            provider_id: id.to_owned(),
            amount: Money::decimal_minor(minor, currency),
            currency: currency.code().to_owned(),
            at: format_ts(l.line.at),
            statement: files.name(l),
            row: l.line.row,
            payment_id: p.id,
        });
    }
    Some(f)
}

/// The merged period that holds `at`, for a message.
fn covering(merged: &[Period], at: Timestamp) -> Msg {
    merged.iter().find(|p| p.contains(at)).map_or_else(
        || msg!("plain", text = ""),
        |p| msg!("stm-period", from = Arg::Day(p.from), to = Arg::Day(p.to)),
    )
}

/// `missing_at_provider` for a capture.
fn missing_charge(order: &Order, p: &Payment, at: Timestamp, merged: &[Period]) -> Finding {
    let provider = ProviderTitle(p.provider);
    let number = order.number.as_str();
    let captured = match p.captured {
        Some(c) => Arg::Money(c),
        None => Arg::Text(String::new()),
    };
    finding(
        Rule::MissingAtProvider,
        Some(order),
        Some(p),
        p.reference.clone(),
        msg!(
            "stm-missing-charge",
            named = named(p),
            captured = captured,
            day = day(at),
            provider = provider,
            period = covering(merged, at)
        ),
        msg!(
            "stm-missing-charge-action",
            provider = provider,
            number = number
        ),
    )
}

/// `missing_at_provider` for a refund.
fn missing_refund(order: &Order, p: &Payment, m: &Movement, merged: &[Period]) -> Finding {
    let provider = ProviderTitle(p.provider);
    let number = order.number.as_str();
    let id = m.provider_id.clone().unwrap_or_default();
    finding(
        Rule::MissingAtProvider,
        Some(order),
        Some(p),
        Some(id.clone()),
        msg!(
            "stm-missing-refund",
            named = named(p),
            id = id.as_str(),
            amount = m.amount,
            day = day(m.at),
            provider = provider,
            period = covering(merged, m.at)
        ),
        msg!(
            "stm-missing-refund-action",
            provider = provider,
            number = number,
            id = id.as_str()
        ),
    )
}

/// Every statement finding (for one order with `filter.order`), less the
/// rules not asked for.
pub fn findings(
    conn: &Reader<'_>,
    settings: &Settings,
    filter: &Filter,
) -> rusqlite::Result<Vec<Finding>> {
    let _ = settings;
    if !Rule::ALL
        .iter()
        .any(|r| r.from_statements() && filter.wants(*r))
    {
        return Ok(Vec::new());
    }
    let stored = conn.statement_files()?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let files = Files(stored.iter().map(|f| (f.id, f.name.clone())).collect());
    let mut coverage: HashMap<Provider, Vec<Period>> = HashMap::new();
    for f in &stored {
        coverage.entry(f.provider).or_default().push(f.period);
    }
    let coverage: HashMap<Provider, Vec<Period>> =
        coverage.into_iter().map(|(p, v)| (p, merge(v))).collect();

    let mut out = Vec::new();
    // Lines without a match: match them again (a payment may have arrived
    // since the import).
    let unmatched = conn.unmatched_lines()?;
    let refs: Vec<&StoredLine> = unmatched.iter().collect();
    let keys = conn.match_keys_for(&refs)?;
    let rematched = match_in_memory(&refs, &keys);
    let extra = conn.payments_by_ids(&distinct(rematched.values().copied()))?;
    let mut late: Vec<(StoredLine, Order, Payment)> = Vec::new();
    for l in unmatched {
        match rematched.get(&l.id).and_then(|p| extra.get(p)) {
            Some((o, p)) => late.push((l, o.clone(), p.clone())),
            None => out.extend(unknown(&l, &files)),
        }
    }
    let late_charged: HashSet<i64> = late
        .iter()
        .filter(|(l, _, _)| l.line.kind == LineKind::Charge)
        .map(|(_, _, p)| p.id)
        .collect();

    let pass = conn.charge_pass()?;
    let suspect_lines = conn.lines_by_row_ids(&distinct(pass.suspects.iter().map(|s| s.0)))?;
    let suspect_payments = conn.payments_by_ids(&distinct(pass.suspects.iter().map(|s| s.1)))?;
    let suspects: Vec<(StoredLine, Order, Payment)> = suspect_lines
        .into_iter()
        .filter_map(|l| {
            let (o, p) = suspect_payments.get(&l.payment_id?)?;
            Some((l, o.clone(), p.clone()))
        })
        .collect();
    for (l, o, p) in suspects.iter().chain(
        late.iter()
            .filter(|(l, _, _)| l.line.kind == LineKind::Charge),
    ) {
        out.extend(charge(l, o, p, &files));
    }

    let mut money_lines = conn.matched_refunds_and_disputes()?;
    money_lines.extend(
        late.iter()
            .filter(|(l, _, _)| l.line.kind != LineKind::Charge)
            .cloned(),
    );
    let movements =
        conn.refund_dispute_movements(&distinct(money_lines.iter().map(|(_, _, p)| p.id)))?;
    let none = Vec::new();
    for (l, o, p) in &money_lines {
        let ms = movements.get(&p.id).unwrap_or(&none);
        match l.line.kind {
            LineKind::Refund => out.extend(refund(l, o, p, ms, &files)),
            LineKind::Dispute | LineKind::DisputeReversal => {
                out.extend(dispute(l, o, p, ms, &files));
            }
            _ => {}
        }
    }

    // Payments with no charge line, first by their completion time (a day
    // of margin), then by the time of their capture.
    let day = chrono::Duration::days(1);
    let near = |provider: Provider, at: Timestamp| {
        coverage.get(&provider).is_some_and(|merged| {
            judged(merged, at) || judged(merged, at - day) || judged(merged, at + day)
        })
    };
    let uncharged: Vec<i64> = pass
        .uncharged
        .iter()
        .filter(|(id, provider, at)| !late_charged.contains(id) && near(*provider, *at))
        .map(|(id, _, _)| *id)
        .collect();
    let times = conn.capture_times(&uncharged)?;
    let mut missing: Vec<(Order, Payment)> =
        conn.payments_by_ids(&uncharged)?.into_values().collect();
    missing.sort_by(|a, b| a.0.number.cmp(&b.0.number));
    for (o, p) in missing {
        let at = times
            .get(&p.id)
            .copied()
            .or(p.completed_at)
            .unwrap_or(p.updated_at);
        if let Some(merged) = coverage.get(&p.provider)
            && judged(merged, at)
        {
            out.push(missing_charge(&o, &p, at, merged));
        }
    }

    let mut providers: Vec<Provider> = coverage.keys().copied().collect();
    providers.sort();
    for provider in providers {
        let merged = &coverage[&provider];
        for (from, to) in merged.iter().filter_map(Period::interior) {
            let unshown = conn.unshown_refunds(provider, from, to)?;
            let ids = distinct(unshown.iter().map(|u| u.1.id));
            let shown_lines = conn.refund_lines_of(&ids)?;
            let ledgers = conn.refund_dispute_movements(&ids)?;
            for (o, p, m) in unshown {
                // Only a refund whose latest state is succeeded went out.
                let still = ledgers.get(&p.id).is_some_and(|ms| {
                    refunds_of(ms).iter().any(|r| {
                        r.provider_id == m.provider_id
                            && r.flow == Flow::Refund(RefundState::Succeeded)
                    })
                });
                if !still {
                    continue;
                }
                // A refund line without its own id may still show it: the
                // same amount on the same payment.
                let by_amount = shown_lines.iter().any(|l| {
                    l.payment_id == Some(p.id)
                        && l.line.ids.own.is_none()
                        && customer_amount(l, m.amount.currency()) == Some(m.amount.minor())
                });
                if judged(merged, m.at) && !by_amount {
                    out.push(missing_refund(&o, &p, &m, merged));
                }
            }
        }
    }
    out.retain(|f| {
        filter.wants(f.rule)
            && filter
                .order
                .as_ref()
                .is_none_or(|n| f.order.as_ref() == Some(n))
    });
    Ok(out)
}

/// Records each planned statement fix, in its own transaction, after
/// checking again that the ledger still lacks it; returns what was done.
pub fn apply_fixes(
    store: &mut Store,
    planned: &[Finding],
    filter: &Filter,
    actor: &str,
    now: Timestamp,
) -> rusqlite::Result<Vec<Finding>> {
    let mut done = Vec::new();
    for f in planned.iter().filter(|f| filter.wants(f.rule)) {
        let Some(Fix::RecordMovement {
            movement,
            state,
            provider_id,
            amount,
            currency,
            at,
            statement,
            row,
            payment_id,
        }) = &f.fix
        else {
            continue;
        };
        let flow = match (movement.as_str(), state.as_str()) {
            ("refund", s) => s.parse().ok().map(Flow::Refund),
            ("dispute", s) => s.parse().ok().map(Flow::Dispute),
            _ => None,
        };
        let (Some(flow), Ok(currency), Ok(at)) = (flow, Currency::parse(currency), parse_ts(at))
        else {
            continue;
        };
        let Ok(money) = Money::parse(amount, currency) else {
            continue;
        };
        let recorded = store.write(|tx| -> rusqlite::Result<bool> {
            let Some((order, mut payment)) = tx.payments_by_ids(&[*payment_id])?.remove(payment_id)
            else {
                return Ok(false);
            };
            let already = tx
                .movements(payment.id)?
                .iter()
                .any(|s| s.movement.flow.kind() == flow.kind() && names(&s.movement, provider_id));
            if already {
                return Ok(false);
            }
            let m = Movement::new(flow, money, at).with_id(provider_id);
            tx.record_movements(&mut payment, &[m], MovementSource::Statement, now)?;
            let entry = AuditEntry::new(
                AuditEvent::StatementRecorded,
                &format!("statement:{statement}"),
                now,
            )
            .with_order(&order.number)
            .with_payment_status(Some(payment.status), Some(payment.status))
            .with_details(json!({
                "rule": f.rule,
                "movement": movement,
                "state": state,
                "provider_id": provider_id,
                "amount": money.to_string(),
                "payment": payment.reference,
                "statement": statement,
                "row": row,
                "by": actor,
            }));
            tx.insert_audit(Some(order.id), Some(payment.id), &entry)?;
            Ok(true)
        })?;
        if recorded {
            done.push(f.clone());
        }
    }
    Ok(done)
}
