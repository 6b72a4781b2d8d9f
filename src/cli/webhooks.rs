//! `tally orphans`, `tally webhooks` (and `webhooks prune`, the retention
//! of stored bodies) and `tally send-test-event`: the owner's view of what
//! the listener received, and a way to test a deployed listener end to end
//! without a provider account.
//!
//! Exit codes as everywhere: listing open orphans or failed events exits 1
//! when there are any (the same signal `tally check` gives); a replay or a
//! link that applies nothing exits 1; any error exits 2 and changes nothing.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::Utc;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};

use super::args::{
    OrphanAction, OrphansArgs, SendTestEventArgs, TestProvider, WebhookAction, WebhooksArgs,
};
use super::{Config, Exit, print_json, serve};
use crate::domain::{
    AuditEntry, AuditEvent, Currency, EventState, LogResult, Money, OrphanState, format_ts,
};
use crate::i18n::{Lang, fail, tr};
use crate::ingest::apply::Processing;
use crate::ingest::orphans;
use crate::providers::credentials;
use crate::providers::http::listener_agent;
use crate::providers::stripe::sign_stripe;
use crate::providers::wave::{AUTHORIZATION_HEADER, SIGNATURE_HEADER, WaveAuth, sign_wave};
use crate::store::webhooks::Pruned;

/// A table's header in `l`: catalogue ids, or labels kept as they are
/// (`id`, `http`, `ms`).
fn headers(l: Lang, ids: &[&'static str]) -> Vec<String> {
    ids.iter()
        .map(|id| match *id {
            "id" | "http" | "ms" => (*id).to_owned(),
            _ => l.t(id),
        })
        .collect()
}

pub fn orphans(config: &Config, args: &OrphansArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let now = Utc::now();
    let (l, zone) = (config.l(), &config.zone);
    match &args.action {
        None => {
            let store = config.open()?;
            let list = store.reader().orphans(args.all)?;
            if args.json {
                print_json(out, &serde_json::to_value(&list)?)?;
            } else if list.is_empty() {
                writeln!(out, "{}", l.t("orphans-none"))?;
            } else {
                let mut table = Table::new();
                table.load_style(UTF8_FULL_CONDENSED);
                table.set_header(headers(
                    l,
                    &[
                        "id",
                        "cli-col-received",
                        "cli-col-provider",
                        "cli-col-event",
                        "cli-col-reference",
                        "cli-col-amount",
                        "cli-col-order",
                        "cli-col-state",
                        "cli-col-note",
                    ],
                ));
                for o in &list {
                    table.add_row([
                        o.id.to_string(),
                        l.stored_stamp(&o.received_at, zone),
                        o.provider.to_string(),
                        format!("{} {}", o.event_type, o.event_id),
                        o.reference.clone().unwrap_or_else(|| "-".to_owned()),
                        o.amount.clone().unwrap_or_else(|| "-".to_owned()),
                        o.order_number.clone().unwrap_or_else(|| "-".to_owned()),
                        l.word(o.state),
                        o.note.clone().unwrap_or_default(),
                    ]);
                }
                writeln!(out, "{table}")?;
                writeln!(out, "{}", l.t("orphans-how"))?;
            }
            let open = list.iter().filter(|o| o.state == OrphanState::Open).count();
            Ok(if open > 0 { Exit::Problems } else { Exit::Ok })
        }
        Some(OrphanAction::Link { id, order }) => {
            let mut store = config.open()?;
            let done = orphans::link(&mut store, *id, order, &config.actor, now)?;
            let text = tr!(
                l,
                "orphan-linked",
                id = id.to_string(),
                order = order.as_str(),
                result = done.result,
                detail = done.detail.as_str()
            );
            writeln!(out, "{text}")?;
            Ok(match done.result {
                LogResult::Applied => Exit::Ok,
                LogResult::Duplicate
                | LogResult::Stale
                | LogResult::Orphan
                | LogResult::Ignored
                | LogResult::Rejected
                | LogResult::Error => Exit::Problems,
            })
        }
        Some(OrphanAction::Dismiss { id, note }) => {
            let mut store = config.open()?;
            let o = orphans::dismiss(&mut store, *id, note.as_deref(), &config.actor, now)?;
            let text = tr!(
                l,
                "orphan-dismissed",
                id = id.to_string(),
                what = format!(
                    "{} {} {}",
                    o.provider,
                    o.event_type,
                    o.reference.as_deref().unwrap_or("-")
                )
            );
            writeln!(out, "{text}")?;
            Ok(Exit::Ok)
        }
    }
}

pub fn webhooks(config: &Config, args: &WebhooksArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let (l, zone) = (config.l(), &config.zone);
    match &args.action {
        None => {
            if args.limit < 1 {
                fail!("cli-limit", limit = args.limit);
            }
            let store = config.open()?;
            let rows = store.reader().webhook_log(args.failed, args.limit)?;
            if args.json {
                print_json(out, &serde_json::to_value(&rows)?)?;
            } else if rows.is_empty() {
                let none = if args.failed {
                    "webhooks-none-failed"
                } else {
                    "webhooks-none"
                };
                writeln!(out, "{}", l.t(none))?;
            } else {
                let mut table = Table::new();
                table.load_style(UTF8_FULL_CONDENSED);
                table.set_header(headers(
                    l,
                    &[
                        "id",
                        "cli-col-received",
                        "cli-col-provider",
                        "cli-col-source",
                        "cli-col-event",
                        "cli-col-signature",
                        "cli-col-result",
                        "http",
                        "ms",
                        "cli-col-order",
                        "cli-col-error",
                    ],
                ));
                for r in &rows {
                    let event = match (&r.event_type, &r.event_id) {
                        (Some(t), Some(i)) => format!("{t} {i}"),
                        (None, Some(i)) => i.clone(),
                        (Some(t), None) => t.clone(),
                        (None, None) => "-".to_owned(),
                    };
                    let mut result = l.word(r.result);
                    if r.result == LogResult::Error && r.event_state == Some(EventState::Applied) {
                        result.push_str(&format!(" {}", l.t("webhooks-since-applied")));
                    }
                    let ms = format!("{:.1}", r.duration_us as f64 / 1000.0);
                    table.add_row([
                        r.id.to_string(),
                        l.stored_stamp(&r.received_at, zone),
                        r.provider.map_or_else(|| "-".to_owned(), |p| p.to_string()),
                        l.word(r.source),
                        event,
                        l.word(r.signature),
                        result,
                        r.http_status.to_string(),
                        match l {
                            Lang::En => ms,
                            Lang::Fr => ms.replace('.', ","),
                        },
                        r.order_number.clone().unwrap_or_else(|| "-".to_owned()),
                        r.error.clone().unwrap_or_default(),
                    ]);
                }
                writeln!(out, "{table}")?;
                if args.failed {
                    writeln!(out, "{}", l.t("webhooks-failed-how"))?;
                }
            }
            Ok(if args.failed && !rows.is_empty() {
                Exit::Problems
            } else {
                Exit::Ok
            })
        }
        Some(WebhookAction::Replay { id }) => {
            let mut store = config.open()?;
            match orphans::replay(&mut store, *id, &config.actor, Utc::now())? {
                Processing::Done(p) => {
                    writeln!(
                        out,
                        "#{id} {} {}: {}: {}",
                        p.event_type,
                        p.event_id,
                        l.word(p.result),
                        p.detail
                    )?;
                    Ok(if p.result == LogResult::Applied {
                        Exit::Ok
                    } else {
                        Exit::Problems
                    })
                }
                Processing::Malformed(e) => fail!(
                    "replay-not-an-event",
                    id = id.to_string(),
                    error = e.to_string()
                ),
                Processing::Failed { error, .. } => fail!(
                    "replay-failed-again",
                    id = id.to_string(),
                    error = error.to_string()
                ),
            }
        }
        Some(WebhookAction::Prune { older_than }) => prune(config, *older_than, out),
    }
}

/// `tally webhooks prune --older-than DURATION`: one transaction, audited,
/// with `secure_delete` so the dropped bytes do not linger in free pages,
/// then a best-effort WAL truncation so they do not linger there either.
fn prune(
    config: &Config,
    older_than: chrono::Duration,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let now = Utc::now();
    let before = now
        .checked_sub_signed(older_than)
        .ok_or_else(|| anyhow::anyhow!("--older-than {older_than} reaches before year 0"))?;
    let mut store = config.open()?;
    store.set_secure_delete()?;
    let pruned = store.write(|tx| -> anyhow::Result<Pruned> {
        let pruned = tx.prune_webhook_bodies(before)?;
        if pruned.bodies > 0 || pruned.addresses > 0 {
            let entry = AuditEntry::new(AuditEvent::WebhookBodiesPruned, &config.actor, now)
                .with_details(json!({
                    "received_before": format_ts(before),
                    "bodies": pruned.bodies,
                    "remote_addresses": pruned.addresses,
                    "kept": pruned.kept,
                }));
            tx.insert_audit(None, None, &entry)?;
        }
        Ok(pruned)
    })?;
    // Old page images stay in the WAL until it is checkpointed and reused:
    // truncate it now, unless a reader holds it (then SQLite does it later).
    let checkpoint = store.checkpoint_truncate();
    let l = config.l();
    let text = tr!(
        l,
        "prune-dropped",
        bodies = pruned.bodies,
        addresses = pruned.addresses,
        before = l.stamp(before, &config.zone)
    );
    writeln!(out, "{text}")?;
    if pruned.kept > 0 {
        writeln!(out, "{}", tr!(l, "prune-kept", kept = pruned.kept))?;
    }
    writeln!(out, "{}", l.t("prune-ids-kept"))?;
    if !matches!(checkpoint, Ok(false)) {
        writeln!(out, "{}", l.t("prune-wal"))?;
    }
    Ok(Exit::Ok)
}

/// The Stripe event types `send-test-event` can build.
pub const TEST_EVENT_TYPES: [&str; 9] = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
    "invoice.payment_succeeded",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
];

fn random_id(prefix: &str) -> String {
    format!("{prefix}_test_{:016x}", fastrand::u64(..))
}

/// A realistic Stripe event of `event_type` about `order`.
pub fn stripe_test_event(
    event_type: &str,
    order: &str,
    amount: Money,
    payment_intent: &str,
    charge: &str,
    created: i64,
) -> anyhow::Result<Value> {
    let minor = amount.minor();
    let currency = amount.currency().code().to_ascii_lowercase();
    let metadata = json!({ "order_id": order });
    let intent = |status: &str, received: i64, latest_charge: Option<&str>| {
        json!({
            "id": payment_intent, "object": "payment_intent", "amount": minor,
            "amount_received": received, "currency": currency, "status": status,
            "latest_charge": latest_charge, "metadata": metadata, "livemode": false,
            "created": created,
        })
    };
    let object = match event_type {
        "payment_intent.succeeded" => intent("succeeded", minor, Some(charge)),
        "payment_intent.payment_failed" => intent("requires_payment_method", 0, Some(charge)),
        "payment_intent.processing" => intent("processing", 0, None),
        "payment_intent.requires_action" => intent("requires_action", 0, None),
        "payment_intent.canceled" => intent("canceled", 0, None),
        "invoice.payment_succeeded" => json!({
            "id": random_id("in"), "object": "invoice", "payment_intent": payment_intent,
            "charge": charge, "amount_paid": minor, "currency": currency, "status": "paid",
            "paid": true, "metadata": metadata,
        }),
        "charge.refunded" => json!({
            "id": charge, "object": "charge", "payment_intent": payment_intent,
            "amount": minor, "amount_captured": minor, "amount_refunded": minor,
            "refunded": true, "currency": currency, "status": "succeeded", "metadata": metadata,
        }),
        "charge.dispute.created" | "charge.dispute.closed" => json!({
            "id": random_id("dp"), "object": "dispute", "charge": charge,
            "payment_intent": payment_intent, "amount": minor, "currency": currency,
            "status": if event_type == "charge.dispute.created" { "needs_response" } else { "won" },
            "metadata": {},
        }),
        other => bail!(
            "{other:?} is not an event type send-test-event builds (valid types: {})",
            TEST_EVENT_TYPES.join(", ")
        ),
    };
    Ok(json!({
        "id": random_id("evt"),
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": event_type,
        "data": {"object": object},
    }))
}

/// A signed test delivery, ready to send.
struct TestDelivery {
    body: Vec<u8>,
    /// The header that proves it (`Stripe-Signature`, `Wave-Signature` or
    /// `Authorization`) and its value.
    proof: (&'static str, String),
    event_id: String,
    /// The amount and the provider id it is about, for the owner.
    about: String,
}

/// The order's total and its main payment's (reference, charge id), from
/// the database.
fn order_facts(
    config: &Config,
    number: &str,
) -> anyhow::Result<(Money, Option<String>, Option<String>)> {
    let store = config
        .open()
        .with_context(|| format!("cannot read order {number} (or give --amount and --currency)"))?;
    let order = store
        .reader()
        .order_by_number(number)?
        .ok_or_else(|| anyhow::anyhow!("no order numbered {number:?}"))?;
    let payment = store.reader().payment_for_order(order.id)?;
    Ok((
        order.total,
        payment.as_ref().and_then(|p| p.reference.clone()),
        payment.and_then(|p| p.charge_id),
    ))
}

/// `--amount` and `--currency`, when given (both or neither).
fn given_amount(args: &SendTestEventArgs) -> anyhow::Result<Option<Money>> {
    match (&args.amount, &args.currency) {
        (Some(amount), Some(currency)) => {
            let currency = Currency::parse(currency)?;
            Ok(Some(Money::parse(amount, currency)?))
        }
        (Some(_), None) | (None, Some(_)) => bail!("give --amount and --currency together"),
        (None, None) => Ok(None),
    }
}

pub fn send_test_event(
    config: &Config,
    args: &SendTestEventArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (name, types): (&str, &[&str]) = match args.provider {
        TestProvider::Stripe => ("Stripe", &TEST_EVENT_TYPES),
        TestProvider::Wave => ("Wave", &WAVE_TEST_EVENT_TYPES),
    };
    if !types.contains(&args.event_type.as_str()) {
        bail!(
            "{:?} is not a {name} event type send-test-event builds (valid types: {})",
            args.event_type,
            types.join(", ")
        );
    }
    let url = args.url.clone().unwrap_or_else(|| {
        format!(
            "http://127.0.0.1:8787/webhooks/{}",
            name.to_ascii_lowercase()
        )
    });
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("--url {url:?} is not an http:// or https:// URL");
    }
    let delivery = match args.provider {
        TestProvider::Stripe => stripe_delivery(config, args)?,
        TestProvider::Wave => wave_delivery(config, args)?,
    };
    writeln!(
        out,
        "warning: this is a real, signed event: the listener at {url} will apply it to order {} \
         (its payment and audit log change as if {name} had sent it)",
        args.order
    )?;
    writeln!(
        out,
        "sending {} {} ({})",
        args.event_type, delivery.event_id, delivery.about
    )?;
    let response = listener_agent(Duration::from_secs(30))
        .post(url.as_str())
        .header("Content-Type", "application/json")
        .header(delivery.proof.0, delivery.proof.1.as_str())
        .send(&delivery.body[..])
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status().as_u16();
    let answer = response
        .into_body()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    writeln!(out, "HTTP {status}: {}", answer.trim_end())?;
    Ok(if (200..300).contains(&status) {
        Exit::Ok
    } else {
        Exit::Problems
    })
}

/// A Stripe event signed with the first `STRIPE_WEBHOOK_SECRET`.
fn stripe_delivery(config: &Config, args: &SendTestEventArgs) -> anyhow::Result<TestDelivery> {
    let secrets = credentials::stripe_secrets()?;
    let Some(secret) = secrets.first() else {
        bail!(
            "STRIPE_WEBHOOK_SECRET is not set: the event is signed with the listener's secret, so set the same one here"
        );
    };
    // The order's amount and provider ids, from the database when it is here.
    let (amount, payment_intent, charge) = match given_amount(args)? {
        Some(amount) => (amount, random_id("pi"), random_id("ch")),
        None => {
            let (total, reference, charge_id) = order_facts(config, &args.order)?;
            (
                total,
                reference.unwrap_or_else(|| random_id("pi")),
                charge_id.unwrap_or_else(|| random_id("ch")),
            )
        }
    };
    let created = Utc::now().timestamp();
    let event = stripe_test_event(
        &args.event_type,
        &args.order,
        amount,
        &payment_intent,
        &charge,
        created,
    )?;
    let body = serde_json::to_vec(&event)?;
    let signature = sign_stripe(secret, created, &body)?;
    Ok(TestDelivery {
        event_id: event["id"].as_str().unwrap_or_default().to_owned(),
        proof: ("Stripe-Signature", signature),
        body,
        about: format!("{amount}, {payment_intent}"),
    })
}

/// The Wave event types `send-test-event` can build.
pub const WAVE_TEST_EVENT_TYPES: [&str; 5] = [
    "checkout.session.completed",
    "checkout.session.payment_failed",
    "merchant.payment_received",
    "b2b.payment_received",
    "test.test_event",
];

/// A Wave event of `event_type` about `order`, in the shapes of
/// `../shared/providers/wave.md` §1.3 and the live sample: a checkout
/// session `session` (its `client_reference` the order number), or a
/// received payment `transaction` that paid `amount`: a QR payment reports
/// it as `amount` net of a 1% `fee` (as in Wave's documented 990 + 10), the
/// order number in its custom fields; a B2B payment in `client_reference`.
pub fn wave_test_event(
    event_type: &str,
    order: &str,
    amount: Money,
    session: &str,
    transaction: &str,
    at: chrono::DateTime<Utc>,
) -> anyhow::Result<Value> {
    let currency = amount.currency().code().to_owned();
    let time = |offset_minutes: i64| format_ts(at + chrono::Duration::minutes(offset_minutes));
    let checkout = |completed: bool| {
        let mut data = json!({
            "id": session, "amount": amount.decimal(), "currency": currency,
            "business_name": "tally test", "client_reference": order,
            "checkout_status": if completed { "complete" } else { "open" },
            "payment_status": if completed { "succeeded" } else { "processing" },
            "last_payment_error": null,
            "success_url": "https://shop.example.com/wave/success",
            "error_url": "https://shop.example.com/wave/error",
            "wave_launch_url": format!("https://pay.wave.com/c/{session}"),
            "when_created": time(-1), "when_expires": time(29),
        });
        if completed {
            data["transaction_id"] = json!(transaction);
            data["when_completed"] = json!(time(0));
        } else {
            data["last_payment_error"] =
                json!({"code": "insufficient-funds", "message": "Insufficient balance"});
        }
        data
    };
    let data = match event_type {
        "checkout.session.completed" => checkout(true),
        "checkout.session.payment_failed" => checkout(false),
        "merchant.payment_received" => {
            let fee = Money::from_minor(amount.minor() / 100, amount.currency())?;
            let net = Money::from_minor(amount.minor() - fee.minor(), amount.currency())?;
            json!({
                "id": transaction, "amount": net.decimal(), "fee": fee.decimal(),
                "currency": currency, "sender_mobile": "+221700000000",
                "merchant_name": "tally test", "custom_fields": {"order": order},
                "when_created": time(0),
            })
        }
        "b2b.payment_received" => json!({
            "id": transaction, "amount": amount.decimal(), "currency": currency,
            "sender_id": "M_tallytest", "client_reference": order, "when_created": time(0),
        }),
        "test.test_event" => json!({}),
        other => bail!(
            "{other:?} is not a Wave event type send-test-event builds (valid types: {})",
            WAVE_TEST_EVENT_TYPES.join(", ")
        ),
    };
    Ok(json!({
        "id": format!("AE_test_{:016x}", fastrand::u64(..)),
        "type": event_type,
        "data": data,
    }))
}

/// A Wave event, proved by the first `WAVE_WEBHOOK_SECRET` as `--wave-auth`
/// says.
fn wave_delivery(config: &Config, args: &SendTestEventArgs) -> anyhow::Result<TestDelivery> {
    let secrets = credentials::wave_secrets()?;
    let Some(secret) = secrets.first() else {
        bail!(
            "WAVE_WEBHOOK_SECRET is not set: the event is signed with the listener's secret, so set the same one here"
        );
    };
    let random_session = || format!("cos-tallytest{:012x}", fastrand::u64(..) >> 16);
    let random_transaction = || format!("T_TALLYTEST{:012X}", fastrand::u64(..) >> 16);
    // A session the order's payment already holds is reused, as Wave would.
    let (amount, session, transaction) = match given_amount(args)? {
        Some(amount) => (amount, random_session(), random_transaction()),
        None => {
            let (total, reference, charge_id) = order_facts(config, &args.order)?;
            let session = reference.filter(|r| r.starts_with("cos-"));
            let transaction = charge_id.filter(|_| session.is_some());
            (
                total,
                session.unwrap_or_else(random_session),
                transaction.unwrap_or_else(random_transaction),
            )
        }
    };
    let now = Utc::now();
    let event = wave_test_event(
        &args.event_type,
        &args.order,
        amount,
        &session,
        &transaction,
        now,
    )?;
    let body = serde_json::to_vec(&event)?;
    let proof = match serve::wave_auth(args.wave_auth) {
        WaveAuth::Signing => (SIGNATURE_HEADER, sign_wave(secret, now.timestamp(), &body)?),
        WaveAuth::Bearer => (AUTHORIZATION_HEADER, format!("Bearer {secret}")),
    };
    let about = if args.event_type.starts_with("checkout") {
        format!("{amount}, {session}")
    } else {
        format!("{amount}, {transaction}")
    };
    Ok(TestDelivery {
        event_id: event["id"].as_str().unwrap_or_default().to_owned(),
        proof,
        body,
        about,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{EventKind, stripe};

    #[test]
    fn every_test_event_parses_back_to_its_kind_and_order() {
        let amount = Money::parse("45000", Currency::parse("XOF").unwrap()).unwrap();
        for t in TEST_EVENT_TYPES {
            let v = stripe_test_event(t, "TEST1001", amount, "pi_3Nabc", "ch_1", 1_700_000_000)
                .unwrap();
            let e = stripe::parse(v.to_string().as_bytes()).unwrap();
            assert_ne!(e.kind, EventKind::Ignored, "{t}");
            assert!(e.references.contains(&"pi_3Nabc".to_owned()), "{t}");
            if t.starts_with("payment_intent") || t.starts_with("invoice") || t == "charge.refunded"
            {
                assert_eq!(e.order_numbers, ["TEST1001"], "{t}");
            }
        }
        assert!(stripe_test_event("customer.created", "X", amount, "pi", "ch", 0).is_err());
    }

    #[test]
    fn every_wave_test_event_parses_back_to_its_kind_order_and_amount() {
        let xof = Currency::parse("XOF").unwrap();
        let amount = Money::parse("45000", xof).unwrap();
        let at = crate::testing::now();
        for t in WAVE_TEST_EVENT_TYPES {
            let v = wave_test_event(t, "TEST1001", amount, "cos-1", "T_1", at).unwrap();
            let e = crate::providers::wave::parse(v.to_string().as_bytes()).unwrap();
            assert_eq!(e.event_type, t);
            assert!(e.id.starts_with("AE_test_"), "{}", e.id);
            match t {
                "test.test_event" => assert_eq!(e.kind, EventKind::Ignored),
                "checkout.session.payment_failed" => {
                    assert_eq!(e.kind, EventKind::Pending);
                    assert_eq!(e.references, ["cos-1"]);
                    assert_eq!(e.order_numbers, ["TEST1001"]);
                }
                _ => {
                    assert_eq!(e.kind, EventKind::Succeeded, "{t}");
                    assert_eq!(e.order_numbers, ["TEST1001"], "{t}");
                    // What the customer paid, whatever the fee.
                    assert_eq!(e.amount, Some(amount), "{t}");
                    assert_eq!(e.movements[0].amount, amount, "{t}");
                    assert_eq!(e.created, Some(at), "{t}");
                }
            }
        }
        let v = wave_test_event("merchant.payment_received", "N", amount, "c", "T", at).unwrap();
        assert_eq!(
            (v["data"]["amount"].as_str(), v["data"]["fee"].as_str()),
            (Some("44550"), Some("450"))
        );
        assert!(wave_test_event("checkout.session.expired", "X", amount, "c", "T", at).is_err());
    }
}
