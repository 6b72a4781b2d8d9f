//! `tally refund` and `tally order cancel` (with its guard and `--refund`):
//! the command-line side of [`crate::refund`]. One line per order, then a
//! summary; the owner confirms each refund on a terminal (`--yes` skips
//! that, and is required without one).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;

use super::args::{ApiArgs, RefundArgs};
use super::{Config, Exit};
use crate::ops::{Outcome as OpOutcome, Select};
use crate::refund::cancel::{self, Options};
use crate::refund::clients::Bases;
use crate::refund::{Apis, Outcome, Request, issue};

fn apis(api: &ApiArgs) -> Apis {
    Apis::from_env(&Bases {
        stripe: api.stripe_api.clone(),
        paypal: api.paypal_api.clone(),
        wave: api.wave_api.clone(),
    })
}

/// Whether the owner can be asked: standard input and error on a terminal.
fn terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on the terminal; yes only on "y" or "yes".
fn ask(question: &str) -> bool {
    eprint!("{question}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn exit_of(worst: u8) -> Exit {
    match worst {
        0 => Exit::Ok,
        1 => Exit::Problems,
        _ => Exit::Error,
    }
}

/// `tally refund NUMBER...`.
pub fn refund(config: &Config, args: &RefundArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    for (flag, given) in [
        ("--payment", args.payment.is_some()),
        ("--amount", args.amount.is_some()),
    ] {
        if given && args.numbers.len() > 1 {
            bail!(
                "{flag} is about one payment: give a single order number with it ({} given)",
                args.numbers.len()
            );
        }
    }
    let interactive = terminal();
    if !args.dry_run && !args.yes && !interactive {
        bail!(
            "no terminal to confirm the refunds on: add --yes to refund without asking (nothing was changed)"
        );
    }
    let mut store = config.open()?;
    let apis = apis(&args.api);
    let request = Request {
        select: args
            .payment
            .as_deref()
            .map_or(Select::Main, Select::Reference),
        amount: args.amount.as_deref(),
        reason: args.reason.as_deref(),
    };
    let mut on_wait = |message: &str| eprintln!("{message}");
    let (mut refunded, mut refused, mut unknown) = (0, 0, 0);
    let mut worst = 0u8;
    for number in &args.numbers {
        let outcome = match issue::prepare(&mut store, &apis, number, &request, &mut on_wait) {
            Err(o) => o,
            Ok((plan, notes)) => {
                for settled in notes {
                    writeln!(out, "{}", settled.note)?;
                }
                if args.dry_run {
                    writeln!(out, "{} (dry run: nothing asked)", plan.describe())?;
                    continue;
                }
                if !args.yes && !ask(&plan.describe()) {
                    Outcome::Refused {
                        reason: format!("{number}: not confirmed"),
                    }
                } else {
                    issue::execute(&mut store, &apis, &plan, &config.actor, &mut on_wait)
                }
            }
        };
        worst = worst.max(outcome.code());
        match &outcome {
            Outcome::Refunded { summary } => {
                refunded += 1;
                writeln!(out, "{number}: {summary}")?;
            }
            Outcome::Refused { reason } => {
                refused += 1;
                writeln!(out, "{reason}")?;
            }
            Outcome::Unknown { message } => {
                unknown += 1;
                writeln!(out, "{message}")?;
            }
            Outcome::Error { message } => {
                refused += 1;
                writeln!(out, "{number}: error: {message}")?;
            }
        }
    }
    if !args.dry_run {
        writeln!(
            out,
            "{refunded} refunded, {refused} refused, {unknown} unknown"
        )?;
    }
    Ok(exit_of(worst))
}

/// `tally order cancel NUMBER... [--refund] [--offline]`.
pub fn cancel(
    config: &Config,
    numbers: &[String],
    options: &Options<'_>,
    yes: bool,
    api: &ApiArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let interactive = terminal();
    if options.refund && !yes && !interactive {
        bail!(
            "no terminal to confirm the refunds on: add --yes to cancel and refund without asking (nothing was changed)"
        );
    }
    let mut store = config.open()?;
    let apis = apis(api);
    let mut on_wait = |message: &str| eprintln!("{message}");
    let mut confirm = |question: &str| !options.refund || yes || ask(question);
    let (mut done, mut skipped) = (0, 0);
    let mut worst = 0u8;
    for number in numbers {
        let result = cancel::cancel_order(
            &mut store,
            &apis,
            number,
            options,
            &config.actor,
            &mut confirm,
            &mut on_wait,
        );
        let cancelled = match result {
            Ok(c) => c,
            Err(crate::ops::OpError::UnknownOrder(_)) => {
                skipped += 1;
                worst = worst.max(1);
                writeln!(out, "{number}: skipped: no such order")?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        worst = worst.max(cancelled.code());
        for note in &cancelled.notes {
            writeln!(out, "{note}")?;
        }
        match &cancelled.outcome {
            OpOutcome::Done { summary, warnings } => {
                done += 1;
                writeln!(out, "{number}: cancelled: {summary}")?;
                // With --refund the refund's own line says what happened to
                // the money; the cancel's "refunds nothing" would mislead.
                if cancelled.refund.is_none() {
                    for w in warnings {
                        writeln!(out, "  warning: {w}")?;
                    }
                }
            }
            OpOutcome::Skipped { reason } => {
                skipped += 1;
                writeln!(out, "{number}: skipped: {reason}")?;
            }
        }
        match &cancelled.refund {
            Some(Outcome::Refunded { summary }) => writeln!(out, "{number}: {summary}")?,
            Some(Outcome::Refused { reason }) => writeln!(out, "  refund: {reason}")?,
            Some(Outcome::Unknown { message }) => writeln!(out, "  refund: {message}")?,
            Some(Outcome::Error { message }) => writeln!(out, "  refund: error: {message}")?,
            None => {}
        }
    }
    writeln!(out, "{done} cancelled, {skipped} skipped")?;
    Ok(exit_of(worst))
}
