//! `tally refund` and `tally order cancel` (with its guard and `--refund`):
//! the command-line side of [`crate::refund`]. One line per order, then a
//! summary; the owner confirms each refund on a terminal (`--yes` skips
//! that, and is required without one).

use std::io::{BufRead, IsTerminal, Write};

use super::args::{ApiArgs, RefundArgs};
use super::{Config, Exit};
use crate::i18n::{Lang, Msg, fail, msg, tr};
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

/// Asks `question` on the terminal, in `lang`; yes only on "y" or "yes"
/// ("o" or "oui" too, whatever the language).
fn ask(lang: Lang, question: &Msg) -> bool {
    eprint!("{} ", tr!(lang, "rfd-ask", question = question.clone()));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(
        line.trim().to_lowercase().as_str(),
        "y" | "yes" | "o" | "oui"
    )
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
            fail!(
                "rfd-cli-one-payment",
                flag = flag,
                given = args.numbers.len()
            );
        }
    }
    let l = config.l();
    let interactive = terminal();
    if !args.dry_run && !args.yes && !interactive {
        fail!("rfd-cli-no-terminal");
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
    let mut on_wait = |message: &Msg| eprintln!("{}", l.text(message));
    let (mut refunded, mut refused, mut unknown) = (0usize, 0usize, 0usize);
    let mut worst = 0u8;
    for number in &args.numbers {
        let outcome = match issue::prepare(&mut store, &apis, number, &request, &mut on_wait) {
            Err(o) => o,
            Ok((plan, notes)) => {
                for settled in notes {
                    writeln!(out, "{}", l.text(&settled.note))?;
                }
                if args.dry_run {
                    writeln!(out, "{}", tr!(l, "rfd-dry-run", plan = plan.describe()))?;
                    continue;
                }
                if !args.yes && !ask(l, &plan.describe()) {
                    Outcome::Refused {
                        reason: msg!("rfd-not-confirmed", number = number),
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
                let line = tr!(l, "rfd-line", number = number, text = summary.clone());
                writeln!(out, "{line}")?;
            }
            Outcome::Refused { reason } => {
                refused += 1;
                writeln!(out, "{}", l.text(reason))?;
            }
            Outcome::Unknown { message } => {
                unknown += 1;
                writeln!(out, "{}", l.text(message))?;
            }
            Outcome::Error { message } => {
                refused += 1;
                let line = tr!(l, "rfd-line-error", number = number, text = message.clone());
                writeln!(out, "{line}")?;
            }
        }
    }
    if !args.dry_run {
        let summary = tr!(
            l,
            "rfd-summary",
            refunded = refunded,
            refused = refused,
            unknown = unknown
        );
        writeln!(out, "{summary}")?;
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
    let l = config.l();
    let interactive = terminal();
    if options.refund && !yes && !interactive {
        fail!("cnl-cli-no-terminal");
    }
    let mut store = config.open()?;
    let apis = apis(api);
    let mut on_wait = |message: &Msg| eprintln!("{}", l.text(message));
    let mut confirm = |question: &Msg| !options.refund || yes || ask(l, question);
    let (mut done, mut skipped) = (0usize, 0usize);
    let skipped_line =
        |number: &str, reason: Msg| tr!(l, "cli-outcome-skipped", number = number, reason = reason);
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
                writeln!(out, "{}", skipped_line(number, msg!("cli-no-such-order")))?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        worst = worst.max(cancelled.code());
        for note in &cancelled.notes {
            writeln!(out, "{}", l.text(note))?;
        }
        match &cancelled.outcome {
            OpOutcome::Done { summary, warnings } => {
                done += 1;
                let line = tr!(
                    l,
                    "cli-outcome-done",
                    number = number.as_str(),
                    verb = msg!("cli-verb-cancelled"),
                    summary = summary.clone()
                );
                writeln!(out, "{line}")?;
                // With --refund the refund's own line says what happened to
                // the money; the cancel's "refunds nothing" would mislead.
                if cancelled.refund.is_none() {
                    for w in warnings {
                        let line = tr!(l, "cli-outcome-warning", text = w.clone());
                        writeln!(out, "  {line}")?;
                    }
                }
            }
            OpOutcome::Skipped { reason } => {
                skipped += 1;
                writeln!(out, "{}", skipped_line(number, reason.clone()))?;
            }
        }
        let refund = match &cancelled.refund {
            Some(Outcome::Refunded { summary }) => Some(tr!(
                l,
                "rfd-line",
                number = number.as_str(),
                text = summary.clone()
            )),
            Some(Outcome::Refused { reason: text } | Outcome::Unknown { message: text }) => Some(
                format!("  {}", tr!(l, "cnl-refund-line", text = text.clone())),
            ),
            Some(Outcome::Error { message }) => Some(format!(
                "  {}",
                tr!(l, "cnl-refund-error", text = message.clone())
            )),
            None => None,
        };
        if let Some(line) = refund {
            writeln!(out, "{line}")?;
        }
    }
    let summary = tr!(l, "cli-bulk-cancelled", done = done, skipped = skipped);
    writeln!(out, "{summary}")?;
    Ok(exit_of(worst))
}
