//! `tally order cancel` with its guard, and with `--refund` the refund,
//! for one order: what the command line and the dashboard both run.
//!
//! 1. With `--refund`, the refund is settled and planned first: a refusal
//!    (cash, Wave outside Checkout, no credentials, ...) changes nothing,
//!    not even the order.
//! 2. The guard asks the provider about a pending payment ([`guard`]).
//! 3. The owner confirms (the caller's `confirm`, shown what will happen).
//! 4. The owner's cancel ([`ops::cancel`]): one transaction; a captured
//!    payment's refund becomes owed.
//! 5. With `--refund`, the refund ([`issue::execute`]), which pays what is
//!    owed back.

use super::guard::{self, Verdict};
use super::issue::{self, Outcome as RefundOutcome, Plan, Request};
use super::{Apis, Provide};
use crate::i18n::{Msg, msg};
use crate::ops::{self, OpError, Outcome, Select};
use crate::store::Store;

/// What the owner asked of one cancel.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Also refund what the order's payment keeps.
    pub refund: bool,
    /// Cancel without asking the provider about a pending payment.
    pub offline: bool,
    pub reason: Option<&'a str>,
}

/// What happened to one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    /// The cancel itself.
    pub outcome: Outcome,
    /// What the guard checked or did at the provider.
    pub notes: Vec<Msg>,
    /// The refund, when one was asked for.
    pub refund: Option<RefundOutcome>,
}

impl Cancelled {
    fn skipped(reason: Msg, notes: Vec<Msg>) -> Cancelled {
        Cancelled {
            outcome: Outcome::Skipped { reason },
            notes,
            refund: None,
        }
    }

    /// 2 when a refund was left unknown or failed with an error, 1 when
    /// the cancel was skipped or the refund refused, else 0.
    pub fn code(&self) -> u8 {
        let refund = self.refund.as_ref().map_or(0, RefundOutcome::code);
        let cancel = u8::from(!self.outcome.is_done());
        refund.max(cancel)
    }
}

/// The refund a cancel would make: `None` when no payment of the order
/// keeps money (nothing to give back).
fn refund_plan(
    store: &mut Store,
    apis: &dyn Provide,
    number: &str,
    options: &Options<'_>,
    on_wait: &mut dyn FnMut(&Msg),
) -> Result<Option<Plan>, RefundOutcome> {
    issue::settle_open(store, apis, number, on_wait)?;
    let reader = store.reader();
    let order = reader
        .order_by_number(number)
        .map_err(|e| RefundOutcome::Error {
            message: msg!("plain", text = e.to_string()),
        })?;
    let Some(order) = order else {
        return Ok(None);
    };
    let keeps = reader
        .payments_of_order(order.id)
        .map_err(|e| RefundOutcome::Error {
            message: msg!("plain", text = e.to_string()),
        })?
        .iter()
        .any(|p| p.kept() > 0);
    if !keeps {
        return Ok(None);
    }
    let request = Request {
        select: Select::Main,
        amount: None,
        reason: options.reason,
    };
    issue::plan(store, apis, number, &request).map(Some)
}

/// Cancels order `number` as `options` say. `confirm` is shown what will
/// happen (the guard's notes and the refund's plan) and says whether to
/// go on.
pub fn cancel_order(
    store: &mut Store,
    apis: &Apis,
    number: &str,
    options: &Options<'_>,
    actor: &str,
    confirm: &mut dyn FnMut(&Msg) -> bool,
    on_wait: &mut dyn FnMut(&Msg),
) -> Result<Cancelled, OpError> {
    let plan = if options.refund {
        match refund_plan(store, apis, number, options, on_wait) {
            Ok(plan) => plan,
            Err(RefundOutcome::Error { message }) => return Err(OpError::Refused(message)),
            Err(RefundOutcome::Refused { reason } | RefundOutcome::Unknown { message: reason }) => {
                return Ok(Cancelled::skipped(
                    msg!("cnl-not-cancelled", reason = reason),
                    Vec::new(),
                ));
            }
            Err(RefundOutcome::Refunded { summary }) => {
                return Err(OpError::Refused(summary));
            }
        }
    } else {
        None
    };
    let notes = match guard::check(store, apis, number, options.offline)? {
        Verdict::Proceed { notes } => notes,
        Verdict::Refuse { reason } => return Ok(Cancelled::skipped(reason, Vec::new())),
    };
    let question = match &plan {
        Some(p) => msg!("cnl-question-refund", number = number, action = p.action()),
        None => msg!("cnl-question", number = number),
    };
    if !confirm(&question) {
        return Ok(Cancelled::skipped(msg!("cnl-not-confirmed"), notes));
    }
    let outcome = ops::cancel(store, number, actor, chrono::Utc::now())?;
    let refund = plan.map(|p| issue::execute(store, apis, &p, actor, on_wait));
    Ok(Cancelled {
        outcome,
        notes,
        refund,
    })
}
