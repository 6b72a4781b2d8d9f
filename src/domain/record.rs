//! Orders and payments as plain values, and the one
//! timestamp format `tally` stores and prints.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider};

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
}
