//! Payouts: the money that left the provider's balance for the bank, and
//! the lines each one carried.
//!
//! A payout line (Stripe's `payout`, PayPal's withdrawal, Wave's sweep)
//! carried the lines the file attributes to it: Stripe names the payout of
//! each line (`automatic_payout_id`); PayPal ties the legs of a withdrawal
//! to it by their `Reference Txn ID`. A payout adds up when the net of the
//! lines it carried, in its currency, equals what it took from the balance
//! (its own net, negated). Where the file attributes no line to a payout
//! (Wave, or a Stripe report without `automatic_payout_id`), it is listed
//! with its amount and not judged.

use super::{Line, LineKind};
use crate::domain::{Currency, Timestamp};

/// What a payout carried, in its currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carried {
    pub lines: usize,
    /// Gross of the charges.
    pub charges: i64,
    /// Fees taken on everything carried.
    pub fees: i64,
    /// Gross of refunds (negative).
    pub refunds: i64,
    /// Gross of disputes and their reversals.
    pub disputes: i64,
    /// Gross of every other line (fees billed alone, adjustments,
    /// conversions).
    pub other: i64,
    /// Net of all of them.
    pub net: i64,
}

/// One payout and what it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: String,
    pub line_id: String,
    pub at: Timestamp,
    pub currency: Currency,
    pub status: super::LineStatus,
    /// What reached the bank: the payout line's gross, negated.
    pub amount: i64,
    /// What left the balance: its net, negated (the amount and any payout
    /// fee).
    pub taken: i64,
    /// `None` when the file attributes no line to it.
    pub carried: Option<Carried>,
}

impl Payout {
    /// What the carried lines lack (positive) or exceed (negative), when
    /// the file says what they are.
    pub fn difference(&self) -> Option<i64> {
        self.carried.map(|c| self.taken - c.net)
    }

    pub fn adds_up(&self) -> Option<bool> {
        self.difference().map(|d| d == 0)
    }
}

/// The payouts among one provider's `lines`, oldest first.
pub fn payouts(lines: &[Line]) -> Vec<Payout> {
    let mut out: Vec<Payout> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Payout && l.status.counts())
        .map(|p| {
            let id = p.payout_id.clone().unwrap_or_else(|| p.line_id.clone());
            let own = p.ids.own.as_deref().unwrap_or(&p.line_id);
            let mut carried: Option<Carried> = None;
            for l in lines.iter().filter(|l| {
                l.kind != LineKind::Payout
                    && l.status.counts()
                    && l.currency == p.currency
                    && (l.payout_id.as_deref() == Some(id.as_str())
                        || l.ids.related.as_deref() == Some(own))
            }) {
                let c = carried.get_or_insert_with(Carried::default);
                c.lines += 1;
                c.fees += l.fee;
                c.net += l.net;
                match l.kind {
                    LineKind::Charge => c.charges += l.gross,
                    LineKind::Refund => c.refunds += l.gross,
                    LineKind::Dispute | LineKind::DisputeReversal => c.disputes += l.gross,
                    LineKind::Fee
                    | LineKind::Payout
                    | LineKind::Conversion
                    | LineKind::Hold
                    | LineKind::Release
                    | LineKind::Adjustment
                    | LineKind::Transfer
                    | LineKind::Funding
                    | LineKind::Purchase
                    | LineKind::Other => c.other += l.gross,
                }
            }
            Payout {
                id,
                line_id: p.line_id.clone(),
                at: p.at,
                currency: p.currency,
                status: p.status,
                amount: -p.gross,
                taken: -p.net,
                carried,
            }
        })
        .collect();
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    out
}
