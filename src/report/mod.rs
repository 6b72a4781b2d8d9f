//! `tally check` and `tally fix`: the consistency report.
//!
//! Built as data first, then rendered: [`rules`] judges one order (a pure
//! function; [`money`] holds the rules read from the ledger), [`scan`] streams the shop through it, [`fix`] applies what
//! `tally` may fix by itself, [`render`] prints the result as a table or
//! JSON. [`resolve`] records the owner's acknowledgement of a finding `tally`
//! never fixes. [`statements`] holds the rules that read the providers'
//! statements, checked only once one was imported.
//!
//! # Fix policy
//! - `status_mismatch`: a payment status set by a verified provider event
//!   wins over any manual change of the order, however recent. Otherwise the
//!   side changed last wins, judged from each side's `updated_at`; a tie goes
//!   to the payment. `--prefer payment|order` forces one side, and the audit
//!   row says it was forced.
//! - `missing_timestamp`: filled from the audit log, else from `updated_at`.
//! - Every other rule is never changed automatically: money may have to move
//!   at the provider. Each is reported with the action the owner should take,
//!   and can be closed with `tally resolve` once dealt with.

pub mod fix;
pub mod money;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod statements;

pub use rules::{Finding, Fix, Rule, Settings, Side};
pub use scan::{Filter, Scan};

/// The fix policy, as printed by `--help` and the README.
pub const FIX_POLICY: &str = "\
Fix policy:
  status_mismatch    a payment status set by a verified provider event wins over any
                     manual change of the order, however recent; otherwise the side
                     changed last wins (each side's updated_at), a tie goes to the
                     payment. --prefer payment|order forces one side (audited as forced).
  missing_timestamp  filled from the audit log, else from updated_at.
  every other rule   never changed automatically (money may have to move at the
                     provider): reported with the action to take; close it with
                     `tally resolve NUMBER RULE --note TEXT` once dealt with.
Fixes run in small IMMEDIATE transactions (about 15 ms of write lock each), each
finding re-checked inside its transaction; --dry-run prints the plan and writes
nothing.";

/// A finished check: what remains, and what was fixed or planned.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub orders_checked: i64,
    /// What remains to report.
    pub findings: Vec<Finding>,
    /// With `--fix`: what was done.
    pub fixed: Option<Vec<Finding>>,
    /// With `--dry-run`: what `--fix` would do.
    pub planned: Option<Vec<Finding>>,
    /// The rules the report covers, in order.
    pub rules: Vec<Rule>,
}

impl Report {
    /// Remaining findings per rule, for every rule covered (zeros included).
    pub fn counts(&self) -> Vec<(Rule, usize)> {
        self.rules
            .iter()
            .map(|&r| (r, self.findings.iter().filter(|f| f.rule == r).count()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
