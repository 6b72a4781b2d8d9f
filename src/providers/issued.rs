//! A refund as a provider's API reports it when tally asks for one
//! (`tally refund`): its id, its state, and what the provider says it
//! refunded. Shared by the rooms' refund calls.

use crate::domain::{Money, RefundState, Timestamp};

/// One refund the provider made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRefund {
    /// The provider's refund id (`re_…`, PayPal's refund id); Wave gives
    /// none: the checkout session's id with `/refund`.
    pub id: String,
    pub state: RefundState,
    /// What the provider says it refunded, when it says.
    pub amount: Option<Money>,
    /// The provider's time of the refund, when it gives one.
    pub at: Option<Timestamp>,
}
