//! Refund intents: what tally records before it asks a provider to send
//! money back, so that no refund is ever issued twice.
//!
//! An intent is written (state `requested`, with a random idempotency key)
//! in its own transaction before the provider is called; the provider's
//! answer settles it. This module is the pure part: the intent's states,
//! the transition from one to the next on an answer ([`next`]), how long a
//! key may be sent again ([`key_lifetime`]), and the checks that decide
//! whether a refund may be asked for at all ([`check`]). It reads nothing
//! and writes nothing.
//!
//! | state | meaning | settled |
//! |---|---|---|
//! | `requested` | recorded; the provider may or may not have the request yet | no |
//! | `unknown` | asked, and no answer said what happened (a timeout, a lost connection, a 5xx, a request still running at the provider) | no |
//! | `pending` | the provider made the refund and has not finished it | yes |
//! | `succeeded` | the provider made the refund | yes |
//! | `failed` | the provider's refund failed or was cancelled, or a lookup found that none was ever made | yes |
//! | `refused` | the provider refused the request: no refund was made | yes |
//!
//! While a payment has an unsettled intent no new refund of it is asked
//! for: the intent is settled first (the same key again while the
//! provider keeps it, else a lookup), and only then is anything decided.

use super::ledger::{Figures, RefundState};
use super::status::closed_enum;
use super::{Currency, Money, Provider, Timestamp};

closed_enum! {
    /// Where a refund intent stands (`refund_intents.state`).
    IntentState, "refund intent state" {
        Requested => "requested",
        Unknown => "unknown",
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
        Refused => "refused",
    }
}

impl IntentState {
    /// Whether the provider's answer is known: a settled intent no longer
    /// blocks a new refund of its payment.
    pub fn is_settled(self) -> bool {
        match self {
            IntentState::Requested | IntentState::Unknown => false,
            IntentState::Pending
            | IntentState::Succeeded
            | IntentState::Failed
            | IntentState::Refused => true,
        }
    }
}

/// What one call to the provider (a refund request or a lookup) told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The provider's refund, with its id and state.
    Refund { id: String, state: RefundState },
    /// The provider refused the request (a 4xx that says why): nothing was
    /// refunded.
    Refused(String),
    /// No answer that says what happened: a timeout, a connection error, a
    /// 5xx, a 409 (the same key still running).
    NoAnswer(String),
    /// A lookup found no refund made for this intent.
    NotFound,
}

/// The intent's next state after `answer`.
///
/// An unsettled intent takes whatever the answer says. A settled one
/// changes only on a refund the provider reports (a pending refund that
/// succeeded, or failed later); a refusal or a silence after a settled
/// answer (a second owner's late retry) changes nothing.
pub fn next(state: IntentState, answer: &Answer) -> IntentState {
    let of_refund = |s: RefundState| match s {
        RefundState::Pending => IntentState::Pending,
        RefundState::Succeeded => IntentState::Succeeded,
        RefundState::Failed | RefundState::Cancelled => IntentState::Failed,
    };
    match (state.is_settled(), answer) {
        (_, Answer::Refund { state: s, .. }) => of_refund(*s),
        (false, Answer::Refused(_)) => IntentState::Refused,
        (false, Answer::NoAnswer(_)) => IntentState::Unknown,
        (false, Answer::NotFound) => IntentState::Failed,
        (true, Answer::Refused(_) | Answer::NoAnswer(_) | Answer::NotFound) => state,
    }
}

/// How long after its first use the provider keeps an idempotency key, so
/// that sending it again returns the first request's result; `None`: for
/// ever (the call is idempotent by itself).
///
/// - Stripe: "at least 24 hours" (stripe-api.md §3.1).
/// - PayPal: 45 days for v2 captures, 30 for v1 sales (paypal-api.md §3):
///   the shorter one, for both.
/// - Wave: "If you try to refund a checkout twice, no additional transaction
///   will be created" (wave.md §2.3).
pub fn key_lifetime(provider: Provider) -> Option<chrono::TimeDelta> {
    match provider {
        Provider::Stripe => Some(chrono::TimeDelta::hours(24)),
        Provider::Paypal => Some(chrono::TimeDelta::days(30)),
        Provider::Wave | Provider::Cash => None,
    }
}

/// Whether a key first sent at `first_sent` may still be sent again at `now`.
pub fn key_alive(provider: Provider, first_sent: Timestamp, now: Timestamp) -> bool {
    key_lifetime(provider).is_none_or(|life| now - first_sent < life)
}

/// A payment, as far as the refund checks need it.
#[derive(Debug, Clone)]
pub struct Refundable<'a> {
    pub provider: Provider,
    pub reference: Option<&'a str>,
    pub figures: Figures,
    pub currency: super::Currency,
    /// Whether API credentials for the provider are configured.
    pub credentials: bool,
}

impl Refundable<'_> {
    /// What may still be refunded: what the payment keeps, less refunds
    /// already on their way.
    pub fn refundable(&self) -> i64 {
        (self.figures.kept() - self.figures.refunds_pending).max(0)
    }

    /// Whether a Wave payment was made through Checkout (its reference is
    /// the session, `cos-…`): only those can be refunded through the API.
    pub fn wave_checkout(&self) -> bool {
        self.reference.is_some_and(|r| r.starts_with("cos-"))
    }
}

/// Why a refund is not asked for. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "a cash payment cannot be refunded through tally: give the money back, then record it with `tally payment record-refund {number} --note ...`"
    )]
    Cash { number: String },
    #[error(
        "this Wave payment was not made through Wave Checkout (no checkout session): refund it in the Wave Business app, then record it with `tally payment record-refund {number} --reference T_... --note ...`"
    )]
    WaveNotCheckout { number: String },
    #[error(
        "Wave refunds only the whole payment ({}); for {asked}, send it from the Wave Business app, then record it with `tally payment record-refund {number} --amount {} --note ...`",
        Money::show_minor(*kept, asked.currency()),
        asked.decimal()
    )]
    WavePartial {
        number: String,
        /// What the payment captured, in minor units of `asked`'s currency.
        kept: i64,
        asked: Money,
    },
    #[error(
        "{provider} API credentials are not configured ({var}): tally cannot refund through {provider}"
    )]
    NoCredentials {
        provider: &'static str,
        var: &'static str,
    },
    #[error("the {provider} payment has no {provider} reference to refund")]
    NoReference { provider: &'static str },
    #[error(
        "the {provider} payment keeps nothing to refund{}",
        pending.map(|(minor, c)| format!(" ({} already on its way back)", Money::show_minor(minor, c))).unwrap_or_default()
    )]
    NothingKept {
        provider: &'static str,
        /// What is already on its way back (minor units), when anything is.
        pending: Option<(i64, Currency)>,
    },
    #[error(
        "{asked} is more than the {provider} payment keeps ({} may still be refunded)",
        Money::show_minor(*refundable, asked.currency())
    )]
    MoreThanKept {
        provider: &'static str,
        asked: Money,
        /// In minor units of `asked`'s currency.
        refundable: i64,
    },
    #[error("--amount must be more than zero (got {0})")]
    Zero(Money),
}

/// The environment variable that holds a provider's API credentials.
pub fn credentials_var(provider: Provider) -> &'static str {
    match provider {
        Provider::Stripe => "STRIPE_API_KEY",
        Provider::Paypal => "PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET",
        Provider::Wave => "WAVE_API_KEY",
        Provider::Cash => "none",
    }
}

/// Whether a refund of `asked` (default: everything refundable) of payment
/// `p` of order `number` may be asked for; the amount to ask for.
pub fn check(number: &str, p: &Refundable<'_>, asked: Option<Money>) -> Result<Money, Refusal> {
    let provider = p.provider.title();
    match p.provider {
        Provider::Cash => {
            return Err(Refusal::Cash {
                number: number.to_owned(),
            });
        }
        Provider::Wave if !p.wave_checkout() => {
            return Err(Refusal::WaveNotCheckout {
                number: number.to_owned(),
            });
        }
        Provider::Stripe | Provider::Paypal if p.reference.is_none() => {
            return Err(Refusal::NoReference { provider });
        }
        Provider::Wave | Provider::Stripe | Provider::Paypal => {}
    }
    let refundable = p.refundable();
    if refundable <= 0 {
        let pending =
            (p.figures.refunds_pending > 0).then_some((p.figures.refunds_pending, p.currency));
        return Err(Refusal::NothingKept { provider, pending });
    }
    let amount = match asked {
        Some(a) if a.minor() <= 0 => return Err(Refusal::Zero(a)),
        Some(a) if a.minor() > refundable => {
            return Err(Refusal::MoreThanKept {
                provider,
                asked: a,
                refundable,
            });
        }
        Some(a) => a,
        None => Money::from_minor(refundable, p.currency).map_err(|_| Refusal::NothingKept {
            provider,
            pending: None,
        })?,
    };
    // Wave refunds a whole checkout or nothing: only a refund of all it
    // captured, with nothing refunded or pending before, is possible.
    if p.provider == Provider::Wave
        && (amount.minor() != p.figures.captured || p.figures.refunded > 0)
    {
        return Err(Refusal::WavePartial {
            number: number.to_owned(),
            kept: p.figures.captured,
            asked: amount,
        });
    }
    if !p.credentials {
        return Err(Refusal::NoCredentials {
            provider,
            var: credentials_var(p.provider),
        });
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;
    use chrono::{TimeZone, Utc};

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn refund(state: RefundState) -> Answer {
        Answer::Refund {
            id: "re_1".into(),
            state,
        }
    }

    #[test]
    fn an_unsettled_intent_takes_the_answer() {
        for from in [IntentState::Requested, IntentState::Unknown] {
            assert!(!from.is_settled());
            assert_eq!(
                next(from, &refund(RefundState::Succeeded)),
                IntentState::Succeeded
            );
            assert_eq!(
                next(from, &refund(RefundState::Pending)),
                IntentState::Pending
            );
            assert_eq!(
                next(from, &refund(RefundState::Failed)),
                IntentState::Failed
            );
            assert_eq!(
                next(from, &refund(RefundState::Cancelled)),
                IntentState::Failed
            );
            assert_eq!(
                next(from, &Answer::Refused("charge_already_refunded".into())),
                IntentState::Refused
            );
            assert_eq!(
                next(from, &Answer::NoAnswer("timeout".into())),
                IntentState::Unknown
            );
            assert_eq!(next(from, &Answer::NotFound), IntentState::Failed);
        }
    }

    #[test]
    fn a_settled_intent_moves_only_on_a_refund_the_provider_reports() {
        for from in [
            IntentState::Pending,
            IntentState::Succeeded,
            IntentState::Failed,
            IntentState::Refused,
        ] {
            assert!(from.is_settled());
            assert_eq!(next(from, &Answer::NoAnswer("timeout".into())), from);
            assert_eq!(next(from, &Answer::Refused("no".into())), from);
            assert_eq!(next(from, &Answer::NotFound), from);
        }
        assert_eq!(
            next(IntentState::Pending, &refund(RefundState::Succeeded)),
            IntentState::Succeeded
        );
        assert_eq!(
            next(IntentState::Succeeded, &refund(RefundState::Failed)),
            IntentState::Failed
        );
    }

    #[test]
    fn keys_live_as_long_as_the_provider_keeps_them() {
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
        let later = |h: i64| t + chrono::TimeDelta::hours(h);
        assert!(key_alive(Provider::Stripe, t, later(23)));
        assert!(!key_alive(Provider::Stripe, t, later(24)));
        assert!(key_alive(Provider::Paypal, t, later(24 * 29)));
        assert!(!key_alive(Provider::Paypal, t, later(24 * 30)));
        assert!(key_alive(Provider::Wave, t, later(24 * 365)));
    }

    fn payment(provider: Provider, reference: Option<&str>, captured: i64) -> Refundable<'_> {
        Refundable {
            provider,
            reference,
            figures: Figures {
                captured,
                ..Figures::default()
            },
            currency: eur(),
            credentials: true,
        }
    }

    fn money(minor: i64) -> Money {
        Money::from_minor(minor, eur()).unwrap()
    }

    #[test]
    fn the_default_is_what_the_payment_keeps_less_refunds_on_their_way() {
        let mut p = payment(Provider::Stripe, Some("pi_1"), 8990);
        assert_eq!(check("T1", &p, None), Ok(money(8990)));
        p.figures.refunded = 990;
        p.figures.refunds_pending = 1000;
        assert_eq!(check("T1", &p, None), Ok(money(7000)));
        assert_eq!(check("T1", &p, Some(money(500))), Ok(money(500)));
    }

    #[test]
    fn more_than_kept_is_refused_and_names_what_may_be_refunded() {
        let p = payment(Provider::Paypal, Some("CAP1"), 8990);
        let err = check("T1", &p, Some(money(9000))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "90.00 EUR is more than the PayPal payment keeps (89.90 EUR may still be refunded)"
        );
        assert!(matches!(
            check("T1", &p, Some(money(0))),
            Err(Refusal::Zero(_))
        ));
    }

    #[test]
    fn nothing_kept_is_refused() {
        let mut p = payment(Provider::Stripe, Some("pi_1"), 8990);
        p.figures.refunded = 8990;
        assert!(matches!(
            check("T1", &p, None),
            Err(Refusal::NothingKept { .. })
        ));
        p.figures.refunded = 0;
        p.figures.refunds_pending = 8990;
        let err = check("T1", &p, None).unwrap_err();
        assert!(err.to_string().contains("already on its way back"), "{err}");
        assert!(matches!(
            check("T1", &payment(Provider::Stripe, Some("pi_1"), 0), None),
            Err(Refusal::NothingKept { .. })
        ));
    }

    #[test]
    fn cash_and_wave_outside_checkout_say_how_to_do_it() {
        let err = check("T1", &payment(Provider::Cash, None, 100), None).unwrap_err();
        assert!(
            err.to_string().contains("tally payment record-refund T1"),
            "{err}"
        );
        let err = check("T1", &payment(Provider::Wave, Some("T_ABC"), 100), None).unwrap_err();
        assert!(matches!(err, Refusal::WaveNotCheckout { .. }));
        assert!(err.to_string().contains("Wave Business app"), "{err}");
    }

    #[test]
    fn wave_refunds_only_a_whole_checkout() {
        let p = payment(Provider::Wave, Some("cos-1"), 25000);
        assert_eq!(check("T1", &p, None), Ok(money(25000)));
        let err = check("T1", &p, Some(money(1000))).unwrap_err();
        assert!(matches!(err, Refusal::WavePartial { .. }), "{err}");
        assert!(err.to_string().contains("--amount 10.00"), "{err}");
        let mut partly = p.clone();
        partly.figures.refunded = 1000;
        assert!(matches!(
            check("T1", &partly, None),
            Err(Refusal::WavePartial { .. })
        ));
    }

    #[test]
    fn no_credentials_is_refused_after_the_other_checks() {
        let mut p = payment(Provider::Stripe, Some("pi_1"), 8990);
        p.credentials = false;
        let err = check("T1", &p, None).unwrap_err();
        assert!(err.to_string().contains("STRIPE_API_KEY"), "{err}");
        // The cash refusal says more than "no credentials" would.
        let mut cash = payment(Provider::Cash, None, 100);
        cash.credentials = false;
        assert!(matches!(
            check("T1", &cash, None),
            Err(Refusal::Cash { .. })
        ));
    }
}
