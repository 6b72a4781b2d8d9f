//! Orders and payments as plain values, and the one
//! timestamp format `tally` stores and prints.

use chrono::{DateTime, SecondsFormat, Utc};

use super::ledger::Figures;
use super::{Currency, Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider};

/// A UTC instant.
pub type Timestamp = DateTime<Utc>;

/// RFC 3339 in UTC with milliseconds: fixed width, so text order is time order.
pub fn format_ts(ts: Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses any RFC 3339 timestamp and converts it to UTC.
pub fn parse_ts(text: &str) -> Result<Timestamp, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc))
}

/// Who set a payment's status last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSource {
    /// A person, an import or a fix.
    Owner,
    /// A verified provider event.
    Provider,
}

impl StatusSource {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusSource::Owner => "owner",
            StatusSource::Provider => "provider",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub customer_name: String,
    pub customer_email: String,
    pub total: Money,
    pub status: OrderStatus,
    pub payment_status: OrderPaymentStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub id: i64,
    pub order_id: i64,
    pub provider: Provider,
    pub reference: Option<String>,
    pub amount: Money,
    pub status: PaymentStatus,
    pub provider_status: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub status_source: StatusSource,
    /// What the provider reported as captured, when it did.
    pub captured: Option<Money>,
    pub charge_id: Option<String>,
    pub refunded_minor: i64,
    /// Cancelled in `tally` while completed: a refund must be made and is not
    /// yet confirmed.
    pub refund_pending: bool,
    pub disputed: bool,
    /// 1 for the order's first payment, 2 for the next attempt, ...
    pub attempt: i64,
    /// The rest of the figures folded from the payment's movements (the
    /// fields above hold captured, refunded, owed > 0 and disputed > 0).
    pub refunds_pending_minor: i64,
    pub refunds_failed_minor: i64,
    pub disputed_minor: i64,
    pub lost_minor: i64,
    pub owed_minor: i64,
}

impl Payment {
    /// The currency the payment's money moves in: what was captured, else
    /// what was asked.
    pub fn money_currency(&self) -> Currency {
        self.captured
            .map_or(self.amount.currency(), |c| c.currency())
    }

    /// The figures as last folded from the movements.
    pub fn figures(&self) -> Figures {
        Figures {
            authorised: 0,
            captured: self.captured.map_or(0, |c| c.minor()),
            released: 0,
            refunded: self.refunded_minor,
            refunds_pending: self.refunds_pending_minor,
            refunds_failed: self.refunds_failed_minor,
            disputed: self.disputed_minor,
            lost: self.lost_minor,
            owed: self.owed_minor,
        }
    }

    /// Stores figures freshly folded in `currency` in the payment's cached
    /// fields.
    pub fn set_figures(&mut self, f: &Figures, currency: Currency) {
        self.captured = if f.captured > 0 {
            Money::from_minor(f.captured, currency).ok()
        } else {
            None
        };
        self.refunded_minor = f.refunded;
        self.refunds_pending_minor = f.refunds_pending;
        self.refunds_failed_minor = f.refunds_failed;
        self.disputed_minor = f.disputed;
        self.disputed = f.disputed > 0;
        self.lost_minor = f.lost;
        self.owed_minor = f.owed;
        self.refund_pending = f.owed > 0;
    }

    /// What the payment keeps, in its money's currency.
    pub fn kept(&self) -> i64 {
        self.figures().kept()
    }
}
