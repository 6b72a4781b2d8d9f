//! The rules, the fixer and resolutions, on the fixture shop.

use std::collections::HashSet;

use chrono::Duration;

use super::*;
use crate::domain::{OrderPaymentStatus, PaymentStatus};
use crate::ops;
use crate::store::Store;
use crate::testing::{events, get, now, shop};

fn settings() -> Settings {
    Settings {
        now: now(),
        stale_after: Duration::hours(48),
        prefer: None,
    }
}

fn only(rule: Rule) -> Filter {
    Filter {
        order: None,
        rules: HashSet::from([rule]),
    }
}

fn sql(store: &Store, statement: &str) {
    store.conn().execute_batch(statement).unwrap();
}

fn found(store: &Store, rule: Rule) -> Vec<Finding> {
    scan::scan(&store.reader(), &settings(), &only(rule))
        .unwrap()
        .findings
}

fn numbers(findings: &[Finding]) -> Vec<&str> {
    findings.iter().filter_map(|f| f.order.as_deref()).collect()
}

fn fix_rule(store: &mut Store, rule: Rule, s: &Settings) -> Vec<Finding> {
    let planned = scan::scan(&store.reader(), s, &only(rule))
        .unwrap()
        .findings;
    fix::apply(store, &planned, s, &only(rule), "cron").unwrap()
}

#[test]
fn the_seeds_three_mismatches_are_found_and_fixed_with_audit_rows() {
    let mut store = shop();
    let before = found(&store, Rule::StatusMismatch);
    assert_eq!(numbers(&before), ["TEST1001", "TEST1008", "TEST1014"]);
    assert!(before.iter().all(|f| f.fixable));

    let fixed = fix_rule(&mut store, Rule::StatusMismatch, &settings());
    assert_eq!(numbers(&fixed), ["TEST1001", "TEST1008", "TEST1014"]);
    assert!(found(&store, Rule::StatusMismatch).is_empty());
    for n in ["TEST1001", "TEST1008", "TEST1014"] {
        let last = events(&store, n).pop().unwrap();
        assert_eq!(
            last,
            (
                crate::domain::AuditEvent::StatusSynchronized.to_string(),
                "cron".to_owned()
            ),
            "{n}"
        );
    }
    // A second run has nothing to fix.
    assert!(fix_rule(&mut store, Rule::StatusMismatch, &settings()).is_empty());
}

#[test]
fn the_side_changed_last_wins() {
    let mut store = shop();
    fix_rule(&mut store, Rule::StatusMismatch, &settings());
    // TEST1001: the payment (completed) changed after the order.
    assert_eq!(
        get(&store, "TEST1001").0.payment_status,
        OrderPaymentStatus::Paid
    );
    // TEST1008: the order (failed) changed after the payment.
    assert_eq!(
        get(&store, "TEST1008").1.unwrap().status,
        PaymentStatus::Failed
    );
    // TEST1014: the order (paid) changed after the payment.
    let (o, p) = get(&store, "TEST1014");
    assert_eq!(p.unwrap().status, PaymentStatus::Completed);
    assert_eq!(o.payment_status, OrderPaymentStatus::Paid);
}

#[test]
fn a_verified_provider_status_wins_over_a_later_manual_order_change() {
    let mut store = shop();
    sql(
        &store,
        "UPDATE payments SET status_source = 'provider' WHERE reference = '5O190127TN364715T'",
    );
    let f = found(&store, Rule::StatusMismatch);
    let t14 = f
        .iter()
        .find(|f| f.order.as_deref() == Some("TEST1014"))
        .unwrap();
    assert!(
        matches!(&t14.fix, Some(Fix::SyncStatus { winner: Side::Payment, forced: false, reason }) if reason.contains("verified PayPal"))
    );
    fix_rule(&mut store, Rule::StatusMismatch, &settings());
    assert_eq!(
        get(&store, "TEST1014").0.payment_status,
        OrderPaymentStatus::Pending
    );
}

#[test]
fn a_tie_goes_to_the_payment() {
    let mut store = shop();
    sql(
        &store,
        "UPDATE payments SET updated_at = '2026-11-03T11:00:00.000Z' WHERE reference = '5O190127TN364715T'",
    );
    fix_rule(&mut store, Rule::StatusMismatch, &settings());
    assert_eq!(
        get(&store, "TEST1014").0.payment_status,
        OrderPaymentStatus::Pending
    );
}

#[test]
fn prefer_forces_a_side_and_the_audit_row_says_so() {
    let mut store = shop();
    let s = Settings {
        prefer: Some(Side::Order),
        ..settings()
    };
    fix_rule(&mut store, Rule::StatusMismatch, &s);
    // TEST1001's payment changed last, but the order was preferred.
    let (o, p) = get(&store, "TEST1001");
    assert_eq!(o.payment_status, OrderPaymentStatus::Pending);
    assert_eq!(p.unwrap().status, PaymentStatus::Pending);
    let log = store.reader().audit_for_order(o.id).unwrap();
    assert_eq!(log.last().unwrap().details["forced"], true);
}

#[test]
fn the_fixer_rechecks_inside_its_transaction() {
    let mut store = shop();
    let planned = found(&store, Rule::StatusMismatch);
    // A webhook settles TEST1001 between the scan and the fix.
    ops::set_order_payment_status(
        &mut store,
        "TEST1001",
        OrderPaymentStatus::Paid,
        "webhook",
        now(),
    )
    .unwrap();
    let fixed = fix::apply(
        &mut store,
        &planned,
        &settings(),
        &only(Rule::StatusMismatch),
        "cron",
    )
    .unwrap();
    assert_eq!(numbers(&fixed), ["TEST1008", "TEST1014"]);
    assert_eq!(events(&store, "TEST1001").last().unwrap().1, "webhook");
}

#[test]
fn paid_without_payment_is_reported_and_never_fixed() {
    let mut store = shop();
    sql(
        &store,
        "UPDATE orders SET payment_status = 'paid', paid_at = updated_at WHERE number = 'TEST2004'",
    );
    let f = found(&store, Rule::PaidWithoutPayment);
    assert_eq!(numbers(&f), ["TEST2004"]);
    assert!(!f[0].fixable);
    let planned = scan::scan(&store.reader(), &settings(), &Filter::default())
        .unwrap()
        .findings;
    fix::apply(
        &mut store,
        &planned,
        &settings(),
        &Filter::default(),
        "cron",
    )
    .unwrap();
    assert_eq!(
        numbers(&found(&store, Rule::PaidWithoutPayment)),
        ["TEST2004"]
    );
}

#[test]
fn amount_and_currency_mismatches_compare_what_was_captured() {
    let store = shop();
    sql(
        &store,
        "UPDATE payments SET captured_minor = 4990 WHERE reference = 'pi_3Ndef'",
    );
    let f = found(&store, Rule::AmountMismatch);
    assert_eq!(numbers(&f), ["TEST2001"]);
    assert!(
        f[0].detail.contains("captured 49.90 EUR"),
        "{}",
        f[0].detail
    );
    assert!(found(&store, Rule::CurrencyMismatch).is_empty());

    sql(
        &store,
        "UPDATE payments SET captured_minor = 5990, captured_currency = 'USD' WHERE reference = 'pi_3Ndef'",
    );
    assert_eq!(
        numbers(&found(&store, Rule::CurrencyMismatch)),
        ["TEST2001"]
    );
    assert!(found(&store, Rule::AmountMismatch).is_empty());
    assert!(!found(&store, Rule::CurrencyMismatch)[0].fixable);
}

#[test]
fn cancelled_but_captured_is_reported_and_blocks_the_status_fix() {
    let mut store = shop();
    sql(
        &store,
        "UPDATE orders SET status = 'cancelled', cancelled_at = updated_at WHERE number = 'TEST2001'",
    );
    let f = found(&store, Rule::CancelledButCaptured);
    assert_eq!(numbers(&f), ["TEST2001"]);
    assert!(
        f[0].action.contains("refund 59.90 EUR at Stripe"),
        "{}",
        f[0].action
    );
    // With a status mismatch as well, nothing is changed automatically.
    sql(
        &store,
        "UPDATE orders SET payment_status = 'refunded' WHERE number = 'TEST2001'",
    );
    let mismatch = found(&store, Rule::StatusMismatch);
    let t = mismatch
        .iter()
        .find(|f| f.order.as_deref() == Some("TEST2001"))
        .unwrap();
    assert!(!t.fixable);
    let all = scan::scan(&store.reader(), &settings(), &Filter::default())
        .unwrap()
        .findings;
    fix::apply(&mut store, &all, &settings(), &Filter::default(), "cron").unwrap();
    assert_eq!(
        get(&store, "TEST2001").1.unwrap().status,
        PaymentStatus::Completed
    );
}

#[test]
fn a_refund_awaiting_the_provider_is_reported_until_resolved_or_changed() {
    let mut store = shop();
    ops::cancel(&mut store, "TEST2001", "alice", now()).unwrap();
    let f = found(&store, Rule::RefundAwaitingProvider);
    assert_eq!(numbers(&f), ["TEST2001"]);
    assert!(!f[0].fixable);

    resolve::resolve(
        &mut store,
        "TEST2001",
        Rule::RefundAwaitingProvider,
        None,
        "refunded in the Stripe dashboard",
        "alice",
        now(),
        Duration::hours(48),
    )
    .unwrap();
    assert!(found(&store, Rule::RefundAwaitingProvider).is_empty());
    assert_eq!(
        events(&store, "TEST2001").last().unwrap().0,
        crate::domain::AuditEvent::FindingResolved.to_string()
    );

    // The payment changes again: the finding is back.
    sql(
        &store,
        "UPDATE payments SET updated_at = '2026-11-21T13:00:00.000Z' WHERE reference = 'pi_3Ndef'",
    );
    assert_eq!(
        numbers(&found(&store, Rule::RefundAwaitingProvider)),
        ["TEST2001"]
    );
}

#[test]
fn a_dispute_is_reported_and_can_be_resolved() {
    let mut store = shop();
    sql(
        &store,
        "UPDATE payments SET disputed = 1, disputed_minor = 5990 WHERE reference = 'pi_3Ndef'",
    );
    assert_eq!(numbers(&found(&store, Rule::Disputed)), ["TEST2001"]);
    resolve::resolve(
        &mut store,
        "TEST2001",
        Rule::Disputed,
        None,
        "won",
        "alice",
        now(),
        Duration::hours(48),
    )
    .unwrap();
    assert!(found(&store, Rule::Disputed).is_empty());
}

#[test]
fn resolve_refuses_fixable_rules_absent_findings_and_empty_notes() {
    let mut store = shop();
    let h = Duration::hours(48);
    assert!(matches!(
        resolve::resolve(
            &mut store,
            "TEST1001",
            Rule::StatusMismatch,
            None,
            "x",
            "a",
            now(),
            h
        ),
        Err(resolve::ResolveError::Fixable(Rule::StatusMismatch))
    ));
    assert!(matches!(
        resolve::resolve(
            &mut store,
            "TEST2001",
            Rule::Disputed,
            None,
            "x",
            "a",
            now(),
            h
        ),
        Err(resolve::ResolveError::NothingOpen { .. })
    ));
    assert!(matches!(
        resolve::resolve(&mut store, "NOPE", Rule::Disputed, None, "x", "a", now(), h),
        Err(resolve::ResolveError::UnknownOrder(_))
    ));
    assert!(matches!(
        resolve::resolve(
            &mut store,
            "TEST2001",
            Rule::Disputed,
            None,
            "  ",
            "a",
            now(),
            h
        ),
        Err(resolve::ResolveError::EmptyNote)
    ));
}

#[test]
fn missing_timestamps_are_filled_from_the_audit_log_else_updated_at() {
    let mut store = shop();
    let paid_at = now() - Duration::hours(5);
    ops::set_order_payment_status(
        &mut store,
        "TEST2003",
        OrderPaymentStatus::Paid,
        "alice",
        paid_at,
    )
    .unwrap();
    sql(
        &store,
        "UPDATE orders SET paid_at = NULL WHERE number IN ('TEST2003', 'TEST2001');
                 UPDATE payments SET completed_at = NULL WHERE reference = 'pi_3Ndef';
                 UPDATE orders SET status = 'cancelled' WHERE number = 'TEST2004';",
    );
    assert_eq!(
        numbers(&found(&store, Rule::MissingTimestamp)),
        ["TEST2001", "TEST2003", "TEST2004"]
    );
    fix_rule(&mut store, Rule::MissingTimestamp, &settings());
    assert!(found(&store, Rule::MissingTimestamp).is_empty());
    // From the audit log.
    assert_eq!(get(&store, "TEST2003").0.paid_at, Some(paid_at));
    // From updated_at.
    let (o, p) = get(&store, "TEST2001");
    assert_eq!(o.paid_at, Some(o.updated_at));
    let p = p.unwrap();
    assert_eq!(p.completed_at, Some(p.updated_at));
    let o = get(&store, "TEST2004").0;
    assert_eq!(o.cancelled_at, Some(o.updated_at));
}

#[test]
fn stale_pending_follows_the_threshold() {
    let store = shop();
    let stale = |hours| {
        let s = Settings {
            stale_after: Duration::hours(hours),
            ..settings()
        };
        let f = scan::scan(&store.reader(), &s, &only(Rule::StalePending))
            .unwrap()
            .findings;
        numbers(&f)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // TEST2002 and TEST2003 have been pending since yesterday 10:01 (26 hours).
    assert_eq!(stale(48), ["TEST1008", "TEST1014"]);
    assert_eq!(stale(24), ["TEST1008", "TEST1014", "TEST2002", "TEST2003"]);
    assert!(!found(&store, Rule::StalePending)[0].fixable);
}

#[test]
fn orphans_and_failed_webhooks_are_reported() {
    let mut store = shop();
    assert!(found(&store, Rule::OrphanTransaction).is_empty());
    sql(&store, "INSERT INTO orphans (provider, reference, amount_minor, currency, event_id, event_type, order_number, received_at)
                 VALUES ('stripe', 'pi_3Zzz', 5990, 'EUR', 'evt_1', 'payment_intent.succeeded', NULL, '2026-11-21T10:00:00.000Z'),
                        ('stripe', 'pi_3Yyy', 5990, 'EUR', 'evt_2', 'payment_intent.succeeded', 'TEST2001', '2026-11-21T10:00:00.000Z');
                 INSERT INTO provider_events (provider, event_id, event_type, received_at, state, order_number, error)
                 VALUES ('paypal', 'WH-1', 'PAYMENT.CAPTURE.COMPLETED', '2026-11-21T10:00:00.000Z', 'failed', 'TEST1014', 'disk full');");
    let orphans = found(&store, Rule::OrphanTransaction);
    assert_eq!(orphans.len(), 2);
    assert!(orphans.iter().any(|f| f.detail.contains("double charge")));
    let failed = found(&store, Rule::WebhookFailed);
    assert_eq!(numbers(&failed), ["TEST1014"]);
    assert!(failed[0].detail.contains("disk full"));

    let h = Duration::hours(48);
    resolve::resolve(
        &mut store,
        "TEST2001",
        Rule::OrphanTransaction,
        None,
        "refunded the second charge",
        "a",
        now(),
        h,
    )
    .unwrap();
    assert_eq!(found(&store, Rule::OrphanTransaction).len(), 1);
    resolve::resolve(
        &mut store,
        "TEST1014",
        Rule::WebhookFailed,
        None,
        "replayed by hand",
        "a",
        now(),
        h,
    )
    .unwrap();
    assert!(found(&store, Rule::WebhookFailed).is_empty());
}

#[test]
fn one_order_and_chosen_rules_only() {
    let store = shop();
    let s = scan::scan(
        &store.reader(),
        &settings(),
        &Filter {
            order: Some("TEST1014".into()),
            rules: HashSet::new(),
        },
    )
    .unwrap();
    assert_eq!(s.orders_checked, 1);
    let rules: Vec<Rule> = s.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, [Rule::StatusMismatch, Rule::StalePending]);
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let store = shop();
    let scan = scan::scan(&store.reader(), &settings(), &Filter::default()).unwrap();
    let report = Report {
        orders_checked: scan.orders_checked,
        findings: scan.findings,
        rules: Rule::ALL.to_vec(),
        ..Report::default()
    };
    let v = render::json(&report);
    assert_eq!(v["orders_checked"], 7);
    assert_eq!(v["counts"]["status_mismatch"], 3);
    assert_eq!(v["counts"]["orphan_transaction"], 0);
    let first = &v["findings"][0];
    for key in ["rule", "order", "fixable", "action"] {
        assert!(!first[key].is_null(), "{key} missing in {first}");
    }
    assert!(v.get("fixed").is_none() && v.get("planned").is_none());
}

#[test]
fn the_text_report_is_stable_on_a_pipe() {
    let store = shop();
    let scan = scan::scan(&store.reader(), &settings(), &only(Rule::StatusMismatch)).unwrap();
    let report = Report {
        orders_checked: scan.orders_checked,
        findings: scan.findings,
        rules: vec![Rule::StatusMismatch],
        ..Report::default()
    };
    insta::assert_snapshot!(render::text(
        &report,
        render::Style::PIPE,
        crate::i18n::Lang::En
    ));
}

#[test]
fn the_text_report_in_french_on_a_pipe() {
    let mut store = shop();
    // Every rule the shop shows, a fix, and a plan.
    let all = Filter::default();
    let scan = scan::scan(&store.reader(), &settings(), &all).unwrap();
    let planned: Vec<_> = scan
        .findings
        .iter()
        .filter(|f| f.fixable)
        .cloned()
        .collect();
    let report = Report {
        orders_checked: scan.orders_checked,
        findings: scan.findings.clone(),
        planned: Some(planned.clone()),
        rules: Rule::ALL.to_vec(),
        ..Report::default()
    };
    let text = render::text(&report, render::Style::PIPE, crate::i18n::Lang::Fr);
    insta::assert_snapshot!("check_report_fr_pipe", text);
    let fixed = fix::apply(&mut store, &planned, &settings(), &all, "cron").unwrap();
    let after = scan::scan(&store.reader(), &settings(), &all).unwrap();
    let report = Report {
        orders_checked: after.orders_checked,
        findings: after.findings,
        fixed: Some(fixed),
        rules: Rule::ALL.to_vec(),
        ..Report::default()
    };
    let text = render::text(&report, render::Style::PIPE, crate::i18n::Lang::Fr);
    insta::assert_snapshot!("check_report_fr_pipe_fixed", text);
    // The JSON is the same in both languages: English facts and actions.
    let json = render::json(&report).to_string();
    assert!(
        json.contains("set the order's payment status to paid"),
        "{json}"
    );
    assert!(
        !json.contains("commande") && !json.contains("paiement"),
        "{json}"
    );
}
