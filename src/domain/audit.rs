//! The audit log's vocabulary (the seed's PaymentLog): the closed set of
//! audit events and the one way to build an audit row.
//!
//! An audit row is never updated. It says who did what, when, and the old
//! and new status on both sides where a status changed; `details` carries
//! the rest (a provider event id, a note, what a fix decided).

use serde::Serialize;
use serde_json::Value;

use super::status::closed_enum;
use super::{OrderPaymentStatus, OrderStatus, PaymentStatus, Timestamp, format_ts};

closed_enum! {
    /// What an audit row records (`audit_log.event`).
    AuditEvent, "audit event" {
        StatusSynchronized => "status_synchronized",
        OrderAndPaymentCancelled => "order_and_payment_cancelled",
        PaymentValidated => "payment_validated",
        ProviderEventRecorded => "provider_event_recorded",
        OrphanLinked => "orphan_linked",
        OrphanDismissed => "orphan_dismissed",
        FindingResolved => "finding_resolved",
        WebhookBodiesPruned => "webhook_bodies_pruned",
        Imported => "imported",
        RefundRecorded => "refund_recorded",
        RefundRequested => "refund_requested",
        RefundSettled => "refund_settled",
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// [`format_ts`] text: the stored form, printed as is.
    pub at: String,
    pub order_number: Option<String>,
    pub event: AuditEvent,
    pub actor: String,
    pub old_order_status: Option<OrderStatus>,
    pub new_order_status: Option<OrderStatus>,
    pub old_order_payment_status: Option<OrderPaymentStatus>,
    pub new_order_payment_status: Option<OrderPaymentStatus>,
    pub old_payment_status: Option<PaymentStatus>,
    pub new_payment_status: Option<PaymentStatus>,
    pub details: Value,
}

impl AuditEntry {
    /// A row with no order, no status sides and empty details; the
    /// `with_*` methods fill in the rest.
    pub fn new(event: AuditEvent, actor: &str, at: Timestamp) -> AuditEntry {
        AuditEntry {
            at: format_ts(at),
            order_number: None,
            event,
            actor: actor.to_owned(),
            old_order_status: None,
            new_order_status: None,
            old_order_payment_status: None,
            new_order_payment_status: None,
            old_payment_status: None,
            new_payment_status: None,
            details: Value::Object(serde_json::Map::new()),
        }
    }

    pub fn with_order(mut self, number: &str) -> AuditEntry {
        self.order_number = Some(number.to_owned());
        self
    }

    pub fn with_order_status(
        mut self,
        old: Option<OrderStatus>,
        new: Option<OrderStatus>,
    ) -> AuditEntry {
        self.old_order_status = old;
        self.new_order_status = new;
        self
    }

    pub fn with_order_payment_status(
        mut self,
        old: Option<OrderPaymentStatus>,
        new: Option<OrderPaymentStatus>,
    ) -> AuditEntry {
        self.old_order_payment_status = old;
        self.new_order_payment_status = new;
        self
    }

    pub fn with_payment_status(
        mut self,
        old: Option<PaymentStatus>,
        new: Option<PaymentStatus>,
    ) -> AuditEntry {
        self.old_payment_status = old;
        self.new_payment_status = new;
        self
    }

    pub fn with_details(mut self, details: Value) -> AuditEntry {
        self.details = details;
        self
    }
}
