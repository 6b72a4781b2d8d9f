use super::*;

use chrono::{TimeZone, Utc};

use crate::domain::StatusSource;
use proptest::prelude::*;

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

/// A provider time: `n` seconds into a fixed minute.
fn t(n: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2025, 3, 14, 10, 0, n).unwrap()
}

fn eur_minor(minor: i64) -> Money {
    Money::from_minor(minor, eur()).unwrap()
}

fn authorised(key: &str, minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Authorised, eur_minor(minor), at)
        .with_id(key)
        .with_key(key)
}

fn captured(key: &str, minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Captured, eur_minor(minor), at)
        .with_id(key)
        .with_key(key)
}

fn released(key: &str, minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Released, eur_minor(minor), at)
        .with_id(key)
        .with_key(key)
}

/// A refund the provider named (`re_…`).
fn refund(id: &str, state: RefundState, minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Refund(state), eur_minor(minor), at).with_id(id)
}

/// A provider's cumulative refund total that named no refund.
fn refund_total(minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Refund(RefundState::Succeeded), eur_minor(minor), at)
}

/// A Stripe dispute: its own id is its key.
fn dispute(id: &str, state: DisputeState, minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Dispute(state), eur_minor(minor), at).with_id(id)
}

/// A PayPal dispute or reversal: keyed by the disputed capture.
fn paypal_dispute(
    id: &str,
    capture: &str,
    state: DisputeState,
    minor: i64,
    at: Timestamp,
) -> Movement {
    Movement::new(Flow::Dispute(state), eur_minor(minor), at)
        .with_id(id)
        .with_key(capture)
}

fn owed(minor: i64, at: Timestamp) -> Movement {
    Movement::new(Flow::Owed, eur_minor(minor), at)
}

fn eur_figures(movements: &[Movement]) -> Figures {
    figures(movements, eur())
}

/// The figures of `movements` in every delivery order (reversed, rotated)
/// are the same; returns them.
fn figures_in_any_order(movements: &[Movement]) -> Figures {
    let expected = eur_figures(movements);
    let mut reversed = movements.to_vec();
    reversed.reverse();
    assert_eq!(eur_figures(&reversed), expected, "reversed order");
    for k in 1..movements.len() {
        let mut rotated = movements.to_vec();
        rotated.rotate_left(k);
        assert_eq!(eur_figures(&rotated), expected, "rotated by {k}");
    }
    expected
}

// ---- 1. Chargebacks ----

#[test]
fn lost_chargeback_takes_the_whole_capture_and_cancels() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        dispute("dp_1", DisputeState::Open, 8990, t(1)),
        dispute("dp_1", DisputeState::Lost, 8990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.captured, 8990);
    assert_eq!(f.lost, 8990);
    assert_eq!(f.disputed, 0);
    assert_eq!(f.kept(), 0);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

#[test]
fn open_chargeback_is_disputed_not_lost() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        dispute("dp_1", DisputeState::Open, 8990, t(1)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.disputed, 8990);
    assert_eq!(f.lost, 0);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

// ---- 2. PayPal partial dispute ----

#[test]
fn paypal_partial_dispute_lost_keeps_the_rest_completed() {
    let ms = [
        captured("cap_1", 12990, t(0)),
        paypal_dispute("PP-D-1", "cap_1", DisputeState::Lost, 2000, t(1)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.captured, 12990);
    assert_eq!(f.lost, 2000);
    assert_eq!(f.kept(), 10990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

// ---- 3. Partial capture, release, partial refund ----

fn partial_capture() -> Vec<Movement> {
    vec![
        authorised("pi_1", 17980, t(0)),
        captured("pi_1", 10000, t(1)),
        released("pi_1", 7980, t(1)),
    ]
}

#[test]
fn partial_capture_then_partial_refund_counts_only_refunded_capture() {
    let mut ms = partial_capture();
    ms.push(refund("re_1", RefundState::Succeeded, 2020, t(2)));
    let f = figures_in_any_order(&ms);
    assert_eq!(f.authorised, 17980);
    assert_eq!(f.captured, 10000);
    assert_eq!(f.released, 7980);
    assert_eq!(f.refunded, 2020);
    assert_eq!(f.kept(), 7980);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn cumulative_refund_total_does_not_double_count_a_known_refund() {
    let mut ms = partial_capture();
    ms.push(refund("re_1", RefundState::Succeeded, 2020, t(2)));
    ms.push(refund_total(2020, t(2)));
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 2020);
    assert_eq!(f.kept(), 7980);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn cumulative_refund_total_alone_counts_as_refunded() {
    let mut ms = partial_capture();
    ms.push(refund_total(2020, t(2)));
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 2020);
    assert_eq!(f.kept(), 7980);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn cumulative_refund_total_beyond_known_refunds_adds_only_the_difference() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 2000, t(1)),
        refund_total(5000, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 5000);
    assert_eq!(f.kept(), 3990);
}

// ---- 4. A refund that fails after succeeding ----

#[test]
fn refund_failed_after_succeeding_gives_the_money_back() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 8990, t(1)),
        refund("re_1", RefundState::Failed, 8990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.refunds_failed, 8990);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn refund_failed_after_succeeding_is_not_revived_by_the_cumulative_total() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 8990, t(1)),
        refund_total(8990, t(1)),
        refund("re_1", RefundState::Failed, 8990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.refunds_failed, 8990);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn refund_failed_in_the_same_second_as_it_succeeded_still_fails() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 8990, t(1)),
        refund("re_1", RefundState::Failed, 8990, t(1)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.refunds_failed, 8990);
}

#[test]
fn pending_refund_is_not_yet_refunded() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Pending, 3000, t(1)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunds_pending, 3000);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.kept(), 8990);
}

#[test]
fn cancelled_refund_counts_nowhere() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Pending, 3000, t(1)),
        refund("re_1", RefundState::Cancelled, 3000, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunds_pending, 0);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.refunds_failed, 0);
    assert_eq!(f.kept(), 8990);
}

// ---- 5 and 13. Nothing captured ----

#[test]
fn nothing_captured_leaves_the_status_to_the_attempt() {
    let none = eur_figures(&[]);
    assert_eq!(none, Figures::default());
    assert_eq!(none.status(), None);
    assert_eq!(none.kept(), 0);

    let only_authorised = eur_figures(&[authorised("pi_1", 8990, t(0))]);
    assert_eq!(only_authorised.authorised, 8990);
    assert!(!only_authorised.was_captured());
    assert_eq!(only_authorised.status(), None);
    assert_eq!(only_authorised.kept(), 0);

    // A failed debit: authorised, then released; no money was taken.
    let released_all =
        figures_in_any_order(&[authorised("pi_1", 8990, t(0)), released("pi_1", 8990, t(1))]);
    assert_eq!(released_all.released, 8990);
    assert_eq!(released_all.refunded, 0);
    assert_eq!(released_all.status(), None);
    assert_eq!(released_all.kept(), 0);
}

// ---- 6. Dispute ordering ----

#[test]
fn dispute_won_delivered_before_open_stays_won() {
    let won_first = [
        captured("pi_1", 8990, t(0)),
        dispute("dp_1", DisputeState::Won, 8990, t(2)),
        dispute("dp_1", DisputeState::Open, 8990, t(1)),
    ];
    let f = figures_in_any_order(&won_first);
    assert_eq!(f.disputed, 0);
    assert_eq!(f.lost, 0);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn dispute_won_in_the_same_second_as_open_wins_by_rank() {
    let same_second = [
        captured("pi_1", 8990, t(0)),
        dispute("dp_1", DisputeState::Won, 8990, t(1)),
        dispute("dp_1", DisputeState::Open, 8990, t(1)),
    ];
    let f = figures_in_any_order(&same_second);
    assert_eq!(f.disputed, 0);
    assert_eq!(f.lost, 0);
    assert_eq!(f.kept(), 8990);
}

#[test]
fn closed_inquiry_and_open_chargeback_dispute_only_the_chargeback() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        dispute("dp_a", DisputeState::Inquiry, 8990, t(1)),
        dispute("dp_a", DisputeState::InquiryClosed, 8990, t(2)),
        dispute("dp_b", DisputeState::Open, 5000, t(3)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.disputed, 5000);
    assert_eq!(f.lost, 0);
    assert_eq!(f.kept(), 8990);
}

// ---- 7. PayPal reversal, then the seller wins ----

#[test]
fn paypal_reversal_is_lost_until_the_seller_wins() {
    let reversed = paypal_dispute("rf_1", "cap_1", DisputeState::Reversed, 12990, t(1));
    let won = paypal_dispute("PP-D-1", "cap_1", DisputeState::Won, 12990, t(2));

    let before = figures_in_any_order(&[captured("cap_1", 12990, t(0)), reversed.clone()]);
    assert_eq!(before.lost, 12990);
    assert_eq!(before.kept(), 0);
    assert_eq!(before.status(), Some(PaymentStatus::Cancelled));

    let after = figures_in_any_order(&[captured("cap_1", 12990, t(0)), reversed, won]);
    assert_eq!(after.lost, 0);
    assert_eq!(after.disputed, 0);
    assert_eq!(after.kept(), 12990);
    assert_eq!(after.status(), Some(PaymentStatus::Completed));
}

#[test]
fn paypal_reversal_and_lost_dispute_on_one_capture_count_once() {
    let ms = [
        captured("cap_1", 12990, t(0)),
        paypal_dispute("rf_1", "cap_1", DisputeState::Reversed, 12990, t(1)),
        paypal_dispute("PP-D-1", "cap_1", DisputeState::Lost, 12990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.lost, 12990);
    assert_eq!(f.kept(), 0);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

// ---- 10. Owed after a partial refund ----

#[test]
fn owed_shrinks_as_refunds_go_back_then_cancels() {
    let mut ms = vec![
        captured("pi_1", 8990, t(0)),
        owed(8990, t(0)),
        refund("re_1", RefundState::Succeeded, 6000, t(1)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 6000);
    assert_eq!(f.kept(), 2990);
    assert_eq!(f.owed, 2990);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));

    ms.push(refund("re_2", RefundState::Succeeded, 2990, t(2)));
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 8990);
    assert_eq!(f.kept(), 0);
    assert_eq!(f.owed, 0);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

#[test]
fn owed_whole_capture_cancels_before_any_refund() {
    let f = figures_in_any_order(&[captured("pi_1", 8990, t(0)), owed(8990, t(1))]);
    assert_eq!(f.owed, 8990);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

// ---- Capture after a cancel ----

#[test]
fn capture_after_a_cancel_completes_again() {
    // The owner cancelled while nothing was captured (no refund owed); the
    // capture arrives afterwards: the payment keeps the money.
    let f = figures_in_any_order(&[captured("pi_1", 8990, t(2))]);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.owed, 0);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
    // A capture the refund owed already covers (reported again, by the
    // charge this time) stays one capture: still owed, cancelled.
    let ms = [
        captured("pi_1", 8990, t(0)),
        owed(8990, t(1)),
        captured("ch_1", 8990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.captured, 8990);
    assert_eq!(f.owed, 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

// ---- Currency ----

#[test]
fn movements_in_another_currency_are_ignored() {
    let usd_minor = |minor| Money::from_minor(minor, usd()).unwrap();
    let ms = [
        captured("pi_1", 8990, t(0)),
        Movement::new(Flow::Captured, usd_minor(5000), t(1)).with_id("pi_2"),
        Movement::new(Flow::Refund(RefundState::Succeeded), usd_minor(1000), t(2)).with_id("re_1"),
        Movement::new(Flow::Dispute(DisputeState::Lost), usd_minor(1000), t(2)).with_id("dp_1"),
        Movement::new(Flow::Owed, usd_minor(8990), t(3)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.captured, 8990);
    assert_eq!(f.refunded, 0);
    assert_eq!(f.lost, 0);
    assert_eq!(f.owed, 0);
    assert_eq!(f.kept(), 8990);
    assert_eq!(f.status(), Some(PaymentStatus::Completed));
}

#[test]
fn movement_in_another_currency_does_not_hide_one_of_the_same_flow() {
    let usd_minor = |minor| Money::from_minor(minor, usd()).unwrap();
    // The same flow (refund re_1) reported in USD, later, and in the same
    // second with the same minor amount: neither may shadow the EUR fact.
    let eur_refund = refund("re_1", RefundState::Succeeded, 3000, t(1));
    let usd_later =
        Movement::new(Flow::Refund(RefundState::Failed), usd_minor(3000), t(2)).with_id("re_1");
    let usd_tied =
        Movement::new(Flow::Refund(RefundState::Succeeded), usd_minor(3000), t(1)).with_id("re_1");
    let ms = [
        captured("pi_1", 8990, t(0)),
        eur_refund,
        usd_later,
        usd_tied,
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 3000);
    assert_eq!(f.refunds_failed, 0);
    assert_eq!(f.kept(), 5990);
}

// ---- Caps ----

#[test]
fn refunds_beyond_the_capture_are_capped() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 8990, t(1)),
        refund("re_2", RefundState::Succeeded, 5000, t(2)),
        refund("re_3", RefundState::Pending, 1000, t(3)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 8990);
    assert_eq!(f.refunds_pending, 0);
    assert_eq!(f.kept(), 0);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

#[test]
fn lost_is_capped_by_what_was_not_refunded() {
    let ms = [
        captured("pi_1", 8990, t(0)),
        refund("re_1", RefundState::Succeeded, 6000, t(1)),
        dispute("dp_1", DisputeState::Lost, 8990, t(2)),
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.refunded, 6000);
    assert_eq!(f.lost, 2990);
    assert_eq!(f.kept(), 0);
    assert_eq!(f.status(), Some(PaymentStatus::Cancelled));
}

#[test]
fn duplicated_deliveries_count_once() {
    let refund_1 = refund("re_1", RefundState::Succeeded, 2000, t(1));
    let capture = captured("pi_1", 8990, t(0));
    let ms = [
        capture.clone(),
        refund_1.clone(),
        capture,
        refund_1.clone(),
        refund_1,
    ];
    let f = figures_in_any_order(&ms);
    assert_eq!(f.captured, 8990);
    assert_eq!(f.refunded, 2000);
    assert_eq!(f.kept(), 6990);
}

// ---- Property: order and duplicates never matter; caps always hold ----

const TIMES: u32 = 4;

fn any_time() -> impl Strategy<Value = Timestamp> {
    (0..TIMES).prop_map(t)
}

/// Amounts from a few round values (so that ties happen) or any value.
fn any_amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![1000i64, 2000, 8990, 12990]),
        1..=20000i64,
    ]
}

fn any_refund_state() -> impl Strategy<Value = RefundState> {
    prop::sample::select(vec![
        RefundState::Pending,
        RefundState::Succeeded,
        RefundState::Failed,
        RefundState::Cancelled,
    ])
}

fn any_dispute_state() -> impl Strategy<Value = DisputeState> {
    prop::sample::select(vec![
        DisputeState::Inquiry,
        DisputeState::InquiryClosed,
        DisputeState::Open,
        DisputeState::Reversed,
        DisputeState::Won,
        DisputeState::Prevented,
        DisputeState::Lost,
    ])
}

fn any_capture() -> impl Strategy<Value = Movement> {
    (0..3usize, 1..=20000i64, any_time())
        .prop_map(|(k, minor, at)| captured(&format!("pi_{k}"), minor, at))
}

fn any_refund() -> impl Strategy<Value = Movement> {
    (0..4usize, any_refund_state(), any_amount(), any_time())
        .prop_map(|(k, state, minor, at)| refund(&format!("re_{k}"), state, minor, at))
}

fn any_dispute() -> impl Strategy<Value = Movement> {
    (0..4usize, any_dispute_state(), any_amount(), any_time()).prop_map(|(k, state, minor, at)| {
        match k {
            // PayPal: the dispute and the reversal of capture pi_0 share its key.
            3 => paypal_dispute("PP-D-0", "pi_0", state, minor, at),
            _ => dispute(&format!("dp_{k}"), state, minor, at),
        }
    })
}

fn any_refund_total() -> impl Strategy<Value = Movement> {
    (any_refund_state(), any_amount(), any_time())
        .prop_map(|(state, minor, at)| Movement::new(Flow::Refund(state), eur_minor(minor), at))
}

fn any_owed() -> impl Strategy<Value = Movement> {
    (any_amount(), any_time()).prop_map(|(minor, at)| owed(minor, at))
}

/// One payment's event history, in one currency.
fn any_history() -> impl Strategy<Value = Vec<Movement>> {
    (
        prop::collection::vec(any_capture(), 1..=3),
        prop::collection::vec(any_refund(), 0..=6),
        prop::collection::vec(any_dispute(), 0..=5),
        prop::collection::vec(any_refund_total(), 0..=2),
        prop::option::of(any_owed()),
    )
        .prop_map(|(captures, refunds, disputes, totals, owed)| {
            let mut ms = captures;
            ms.extend(refunds);
            ms.extend(disputes);
            ms.extend(totals);
            ms.extend(owed);
            ms
        })
}

/// A history and the same history with some of its movements delivered
/// again, all in another order.
fn any_history_redelivered() -> impl Strategy<Value = (Vec<Movement>, Vec<Movement>)> {
    any_history()
        .prop_flat_map(|history| {
            let n = history.len();
            (
                Just(history.clone()),
                prop::sample::subsequence(history, 0..=n),
            )
        })
        .prop_flat_map(|(history, again)| {
            let mut delivered = history.clone();
            delivered.extend(again);
            (Just(history), Just(delivered).prop_shuffle())
        })
}

/// What identifies a selected movement, comparable as a sorted multiset.
type Picked = (Flow, i64, Option<String>, Option<String>, Timestamp);

fn picked(movements: &[Movement]) -> Vec<Picked> {
    let mut out: Vec<Picked> = latest(movements)
        .into_iter()
        .map(|m| {
            (
                m.flow,
                m.amount.minor(),
                m.provider_id.clone(),
                m.key.clone(),
                m.at,
            )
        })
        .collect();
    out.sort();
    out
}

fn assert_caps(f: &Figures) -> Result<(), TestCaseError> {
    for (name, value) in [
        ("authorised", f.authorised),
        ("captured", f.captured),
        ("released", f.released),
        ("refunded", f.refunded),
        ("refunds_pending", f.refunds_pending),
        ("refunds_failed", f.refunds_failed),
        ("disputed", f.disputed),
        ("lost", f.lost),
        ("owed", f.owed),
    ] {
        prop_assert!(value >= 0, "{name} = {value} < 0 in {f:?}");
    }
    prop_assert!(f.refunded + f.lost <= f.captured, "{f:?}");
    prop_assert!(f.kept() >= 0, "{f:?}");
    prop_assert!(f.owed <= f.kept(), "{f:?}");
    prop_assert!(f.refunds_pending <= f.captured - f.refunded, "{f:?}");
    prop_assert_eq!(f.status().is_some(), f.captured > 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn figures_ignore_delivery_order_and_duplicates(
        (history, delivered) in any_history_redelivered()
    ) {
        let expected = eur_figures(&history);
        prop_assert_eq!(eur_figures(&delivered), expected);
        prop_assert_eq!(picked(&delivered), picked(&history));
        assert_caps(&expected)?;
    }

    #[test]
    fn figures_ignore_movements_in_another_currency(
        (history, delivered) in any_history_redelivered(),
        foreign in prop::collection::vec(any::<prop::sample::Index>(), 0..=4),
    ) {
        // Copies of some movements, in USD, delivered among the others.
        let mut mixed = delivered;
        for index in foreign {
            let mut copy = index.get(&history).clone();
            copy.amount = Money::from_minor(copy.amount.minor(), usd()).unwrap();
            let at = index.index(mixed.len() + 1);
            mixed.insert(at, copy);
        }
        prop_assert_eq!(eur_figures(&mixed), eur_figures(&history));
    }
}

/// A payment described the pre-ledger way: `status`, 90.00 EUR captured,
/// the disputed flag set, and a refund owed or not.
fn legacy(provider: Provider, status: PaymentStatus, refund_pending: bool) -> Payment {
    Payment {
        id: 1,
        order_id: 1,
        provider,
        reference: Some("ref_1".to_owned()),
        amount: eur_minor(9000),
        status,
        provider_status: None,
        created_at: t(0),
        updated_at: t(5),
        completed_at: Some(t(1)),
        status_source: StatusSource::Owner,
        captured: Some(eur_minor(9000)),
        charge_id: None,
        refunded_minor: 0,
        refund_pending,
        disputed: true,
        attempt: 1,
        refunds_pending_minor: 0,
        refunds_failed_minor: 0,
        disputed_minor: 0,
        lost_minor: 0,
        owed_minor: 0,
    }
}

fn legacy_flows(p: &Payment) -> Vec<(Flow, i64)> {
    legacy_movements(p, t(9))
        .iter()
        .map(|m| (m.flow, m.amount.minor()))
        .collect()
}

#[test]
fn a_legacy_disputed_payment_is_a_reversal_only_when_paypal_cancelled_it_and_nothing_is_owed() {
    use PaymentStatus::{Cancelled, Completed};
    let open = Flow::Dispute(DisputeState::Open);
    let reversed = Flow::Dispute(DisputeState::Reversed);
    // PayPal took the funds back: the money is lost.
    let p = legacy(Provider::Paypal, Cancelled, false);
    assert_eq!(
        legacy_flows(&p),
        vec![(Flow::Captured, 9000), (reversed, 9000)]
    );
    // The owner cancelled under an open dispute: it stays open, the refund
    // stays owed.
    for provider in [Provider::Stripe, Provider::Paypal] {
        let p = legacy(provider, Cancelled, true);
        let flows = legacy_flows(&p);
        assert_eq!(
            flows,
            vec![(Flow::Captured, 9000), (open, 9000), (Flow::Owed, 9000)]
        );
        let movements = legacy_movements(&p, t(9));
        let f = eur_figures(&movements);
        assert_eq!(
            (f.disputed, f.lost, f.owed),
            (9000, 0, 9000),
            "{provider:?}"
        );
    }
    // Stripe never reverses; a completed payment's dispute is open.
    for p in [
        legacy(Provider::Stripe, Cancelled, false),
        legacy(Provider::Paypal, Completed, false),
    ] {
        assert_eq!(legacy_flows(&p), vec![(Flow::Captured, 9000), (open, 9000)]);
    }
    // A refunded charge disputed anyway: the chargeback is for the charge
    // and stays open; a reversal takes back only what was kept.
    let mut p = legacy(Provider::Stripe, Cancelled, false);
    p.refunded_minor = 9000;
    assert_eq!(
        legacy_flows(&p),
        vec![
            (Flow::Captured, 9000),
            (Flow::Refund(RefundState::Succeeded), 9000),
            (open, 9000)
        ]
    );
    assert_eq!(eur_figures(&legacy_movements(&p, t(9))).disputed, 9000);
    let mut p = legacy(Provider::Paypal, Cancelled, false);
    p.refunded_minor = 3000;
    assert_eq!(
        legacy_flows(&p),
        vec![
            (Flow::Captured, 9000),
            (Flow::Refund(RefundState::Succeeded), 3000),
            (reversed, 6000)
        ]
    );
}
