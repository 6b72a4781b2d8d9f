//! `tally payment record-refund`: the owner records a refund made by hand
//! (Wave, cash, a bank transfer), so that what the shop owes closes by
//! money, not by acknowledgement.
//!
//! One `BEGIN IMMEDIATE` transaction: the refund becomes a `refund`
//! movement (state succeeded) on the payment's ledger and an audit row
//! (`refund_recorded`). It defaults to what the payment still owes. On a
//! Stripe or PayPal payment the provider's refund id is required, so that
//! the provider's own event for that refund later updates the same
//! movement instead of counting the money twice. Status words are left
//! alone: only money moves here.

use serde_json::json;

use super::{OpError, Outcome, Select, load_selected};
use crate::domain::ledger::{Flow, Movement, MovementSource, RefundState};
use crate::domain::{AuditEntry, AuditEvent, Money, Timestamp, format_ts};
use crate::i18n::{msg, words::ProviderTitle};
use crate::store::Store;

/// What the owner says was refunded.
#[derive(Debug, Clone, Copy)]
pub struct HandRefund<'a> {
    pub select: Select<'a>,
    /// In major units of the payment's currency; default: what is owed.
    pub amount: Option<&'a str>,
    /// The provider's refund id, or the owner's own reference.
    pub reference: Option<&'a str>,
    pub note: &'a str,
}

/// Records a refund made outside tally on one payment of order `number`.
pub fn record_refund(
    store: &mut Store,
    number: &str,
    refund: &HandRefund<'_>,
    actor: &str,
    now: Timestamp,
) -> Result<Outcome, OpError> {
    let note = refund.note.trim();
    if note.is_empty() {
        return Err(OpError::Refused(msg!("refund-note-empty")));
    }
    let reference = refund.reference.map(str::trim).filter(|r| !r.is_empty());
    store.write(|tx| {
        let (order, payment) = load_selected(tx, number, refund.select)?;
        let Some(mut payment) = payment else {
            return Err(OpError::Refused(msg!("refund-no-payment", number = number)));
        };
        let provider = ProviderTitle(payment.provider);
        if payment.provider.sends_webhooks() && reference.is_none() {
            return Err(OpError::Refused(msg!(
                "refund-needs-reference",
                number = number,
                provider = provider
            )));
        }
        let currency = payment.money_currency();
        let figures = payment.figures();
        let refundable = figures.kept();
        let amount = match refund.amount {
            Some(text) => Money::parse(text, currency).map_err(|e| {
                OpError::Refused(msg!(
                    "refund-bad-amount",
                    text = format!("{text:?}"),
                    error = crate::i18n::money_error(&e)
                ))
            })?,
            None if figures.owed > 0 => Money::from_minor(figures.owed, currency)
                .map_err(|e| OpError::Refused(crate::i18n::money_error(&e)))?,
            None => {
                return Err(OpError::Refused(msg!(
                    "refund-nothing-owed",
                    number = number,
                    provider = provider
                )));
            }
        };
        if amount.minor() <= 0 {
            return Err(OpError::Refused(msg!("refund-zero", amount = amount)));
        }
        if amount.minor() > refundable {
            return Err(OpError::Refused(msg!(
                "refund-too-much",
                number = number,
                amount = amount,
                provider = provider,
                kept = crate::i18n::Arg::Minor(refundable.max(0), currency)
            )));
        }
        let id = reference.map_or_else(|| format!("hand-{}", format_ts(now)), str::to_owned);
        let already = tx
            .movements(payment.id)?
            .iter()
            .any(|s| s.movement.provider_id.as_deref() == Some(id.as_str()));
        if already {
            return Ok(Outcome::Skipped {
                reason: msg!("refund-already-recorded", id = id.as_str()),
            });
        }
        let movement =
            Movement::new(Flow::Refund(RefundState::Succeeded), amount, now).with_id(&id);
        let (after, _) =
            tx.record_movements(&mut payment, &[movement], MovementSource::Owner, now)?;
        let entry = AuditEntry::new(AuditEvent::RefundRecorded, actor, now)
            .with_order(&order.number)
            .with_payment_status(Some(payment.status), Some(payment.status))
            .with_details(json!({
                "amount": amount.to_string(),
                "reference": id,
                "payment": payment.reference,
                "note": note,
            }));
        tx.insert_audit(Some(order.id), Some(payment.id), &entry)?;
        Ok(Outcome::Done {
            summary: msg!(
                "refund-recorded",
                amount = amount,
                id = id.as_str(),
                owed = crate::i18n::Arg::Minor(after.owed, currency)
            ),
            warnings: Vec::new(),
        })
    })
}
