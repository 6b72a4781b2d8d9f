//! The domain: what an order and a payment are, their closed sets of statuses,
//! the mapping between the two sides, and money.
//!
//! This module depends on nothing else in the crate; every other room (the
//! store, the operations, the report, the listener, the dashboard) depends on
//! it. Statuses are closed enums matched exhaustively with no catch-all arm,
//! so adding a variant makes the compiler point at every place to update.

pub mod audit;
pub mod ledger;
pub mod money;
pub mod record;
pub mod refund;
pub mod status;
pub mod transition;
pub mod webhook;

pub use audit::{AuditEntry, AuditEvent};
pub use ledger::{
    DisputeState, Figures, Flow, Movement, MovementKind, MovementSource, RefundState,
};
pub use money::{Currency, Money, MoneyError};
pub use record::{Order, Payment, StatusSource, Timestamp, format_ts, parse_ts};
pub use refund::IntentState;
pub use status::{OrderPaymentStatus, OrderStatus, ParseStatusError, PaymentStatus, Provider};
pub use webhook::{EventState, LogResult, LogSource, OrphanState, SignatureCheck};
