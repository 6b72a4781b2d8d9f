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
use crate::statement::coverage::{judged, merge};
use crate::statement::{LineKind, LineStatus, Period, show_signed};
use crate::store::statements::{StoredLine, distinct, match_in_memory};
use crate::store::{Reader, Store};

/// Where a line comes from, as the owner finds it: "stripe.csv row 5".
struct Files(HashMap<i64, String>);

impl Files {
    fn at(&self, l: &StoredLine) -> String {
        let name = self.0.get(&l.file_id).map_or("?", String::as_str);
        format!("{name} row {}", l.line.row)
    }

    fn name(&self, l: &StoredLine) -> String {
        self.0.get(&l.file_id).cloned().unwrap_or_default()
    }
}

fn named(p: &Payment) -> String {
    match &p.reference {
        Some(r) => format!("{} payment {r}", p.provider.title()),
        None => format!("{} payment #{}", p.provider.title(), p.attempt),
    }
}

fn day(at: Timestamp) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn finding(
    rule: Rule,
    order: Option<&Order>,
    payment: Option<&Payment>,
    provider_id: Option<String>,
    detail: String,
    action: String,
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
fn shown(l: &StoredLine) -> String {
    let (minor, c) = l.line.customer.unwrap_or((l.line.gross, l.line.currency));
    if l.line.kind == LineKind::Charge {
        show_signed(minor, c)
    } else {
        show_signed(minor.abs(), c)
    }
}

/// `unknown_to_tally`: a customer line no payment matches.
fn unknown(l: &StoredLine, files: &Files) -> Option<Finding> {
    if l.line.status != LineStatus::Completed {
        return None;
    }
    let provider = l.provider.title();
    let named = l
        .line
        .ids
        .order_refs()
        .next()
        .map(|n| format!(", naming order {n}"))
        .unwrap_or_default();
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
        format!(
            "{provider} {} {id} of {} on {} ({}{named}): no payment in tally matches",
            l.line.kind,
            shown(l),
            day(l.line.at),
            files.at(l)
        ),
        "if it is the shop's, import its order and payment (`tally import`), then `tally statement import` again to match it; money taken outside the shop needs nothing in tally".to_owned(),
    ))
}

/// `statement_mismatch` for a charge: the ledger captured nothing, or
/// another amount or currency than the customer paid.
fn charge(l: &StoredLine, order: &Order, p: &Payment, files: &Files) -> Option<Finding> {
    if l.line.status != LineStatus::Completed {
        return None;
    }
    let provider = p.provider.title();
    let number = &order.number;
    let at = files.at(l);
    let mismatch = |detail: String, action: String| {
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
            format!(
                "{provider} charged {} on {} ({at}); the ledger of the {} captured nothing",
                shown(l),
                day(l.line.at),
                named(p)
            ),
            format!(
                "the capture never reached tally (a lost webhook?): see `tally webhooks --failed`, or confirm it at {provider}; once settled, `tally resolve {number} statement_mismatch --id {} --note ...`",
                l.line.line_id
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
        "amount"
    } else {
        "currency"
    };
    mismatch(
        format!(
            "{provider} charged {} on {} ({at}); the ledger of the {} captured {captured}",
            show_signed(paid.0, paid.1),
            day(l.line.at),
            named(p)
        ),
        format!(
            "the {what} differs: check the payment at {provider} and correct what is wrong (a partial capture, an edited order); once settled, `tally resolve {number} statement_mismatch --id {} --note ...`",
            l.line.line_id
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
    let provider = p.provider.title();
    let number = &order.number;
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
            format!(
                "{provider} refunded {} on {} ({}); the ledger of the {} has {} for it",
                Money::show_minor(amount, currency),
                day(l.line.at),
                files.at(l),
                named(p),
                m.amount
            ),
            format!(
                "check the refund at {provider}; once settled, `tally resolve {number} statement_mismatch --id {} --note ...`",
                own.unwrap_or(&l.line.line_id)
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
        format!(
            "{provider} refund{} of {} on {} ({}) is not in the ledger of the {}",
            own.map(|i| format!(" {i}")).unwrap_or_default(),
            shown(l),
            day(l.line.at),
            files.at(l),
            named(p)
        ),
        String::new(),
    );
    match (own, amount) {
        (Some(id), Some(minor)) if !same_money => {
            f.action = format!(
                "record refund {id} of {} into the ledger, as the statement shows it (audited as statement:{})",
                Money::show_minor(minor, currency),
                files.name(l)
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
            f.action = format!(
                "check at {provider} (a refund without its own id, or one the ledger may hold under another: tally does not record it by itself); if it was made, `tally payment record-refund {number}{} --amount ... --reference {} --note ...`",
                p.reference
                    .as_deref()
                    .map(|r| format!(" --payment {r}"))
                    .unwrap_or_default(),
                own.unwrap_or("REFUND_ID")
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
    let provider = p.provider.title();
    let number = &order.number;
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
        format!(
            "{provider} {}{} of {} on {} ({}) is not in the ledger of the {}",
            if reversal {
                "dispute reversal"
            } else {
                "dispute"
            },
            own.map(|i| format!(" {i}")).unwrap_or_default(),
            shown(l),
            day(l.line.at),
            files.at(l),
            named(p)
        ),
        format!(
            "answer the dispute at {provider} if it is still open; once settled, `tally resolve {number} unrecorded_dispute --id {} --note ...`",
            own.unwrap_or(&l.line.line_id)
        ),
    );
    if let (Some(id), Some(minor)) = (own, amount) {
        let state = if reversal {
            DisputeState::Won
        } else {
            DisputeState::Open
        };
        f.action = format!(
            "record dispute {id} ({state}) of {} into the ledger, as the statement shows it (audited as statement:{}); answer it at {provider} if still open",
            Money::show_minor(minor, currency),
            files.name(l),
            state = if reversal { "won" } else { "open" },
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
fn covering(merged: &[Period], at: Timestamp) -> String {
    merged
        .iter()
        .find(|p| p.contains(at))
        .map_or_else(String::new, ToString::to_string)
}

/// `missing_at_provider` for a capture.
fn missing_charge(order: &Order, p: &Payment, at: Timestamp, merged: &[Period]) -> Finding {
    let provider = p.provider.title();
    let number = &order.number;
    let captured = p.captured.map(|c| c.to_string()).unwrap_or_default();
    finding(
        Rule::MissingAtProvider,
        Some(order),
        Some(p),
        p.reference.clone(),
        format!(
            "the ledger of the {} captured {captured} on {}; {provider}'s statements for {} show no charge for it",
            named(p),
            day(at),
            covering(merged, at)
        ),
        format!(
            "check at {provider} whether the money arrived (a charge on another account, a wrong reference, a capture tally was told of wrongly); once settled, `tally resolve {number} missing_at_provider --note ...`"
        ),
    )
}

/// `missing_at_provider` for a refund.
fn missing_refund(order: &Order, p: &Payment, m: &Movement, merged: &[Period]) -> Finding {
    let provider = p.provider.title();
    let number = &order.number;
    let id = m.provider_id.clone().unwrap_or_default();
    finding(
        Rule::MissingAtProvider,
        Some(order),
        Some(p),
        Some(id.clone()),
        format!(
            "the ledger of the {} has refund {id} of {} on {}; {provider}'s statements for {} do not show it",
            named(p),
            m.amount,
            day(m.at),
            covering(merged, m.at)
        ),
        format!(
            "check at {provider} that the customer was repaid; once settled, `tally resolve {number} missing_at_provider --id {id} --note ...`"
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
