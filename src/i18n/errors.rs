//! The domain's errors as messages: the domain depends on nothing, so its
//! errors' catalogue entries are named here. Each English entry is the
//! error's `Display`, word for word.

use super::{Arg, Msg, msg};
use crate::domain::refund::Refusal;
use crate::domain::{MoneyError, ParseStatusError};

/// An amount or currency error as a message.
pub fn money_error(e: &MoneyError) -> Msg {
    match e {
        MoneyError::UnknownCurrency(code) => {
            msg!("money-unknown-currency", code = format!("{code:?}"))
        }
        MoneyError::NotDecimal(a) => msg!("money-not-decimal", amount = format!("{a:?}")),
        MoneyError::TooManyDecimals {
            amount,
            currency,
            found,
            allowed,
        } => msg!(
            "money-too-many-decimals",
            amount = format!("{amount:?}"),
            found = *found,
            currency = currency.code(),
            allowed = *allowed
        ),
        MoneyError::Negative(a) => msg!("money-negative", amount = format!("{a:?}")),
        MoneyError::Overflow(a) => msg!("money-overflow", amount = format!("{a:?}")),
    }
}

/// A word outside a closed set, as a message.
pub fn status_error(e: &ParseStatusError) -> Msg {
    let kind = match e.kind {
        "order status" => msg!("kind-order-status"),
        "order payment status" => msg!("kind-order-payment-status"),
        "payment status" => msg!("kind-payment-status"),
        "provider" => msg!("kind-provider"),
        "rule" => msg!("kind-rule"),
        other => Msg::new("kind-other").arg("kind", other),
    };
    msg!(
        "word-invalid",
        value = format!("{:?}", e.value),
        kind = kind,
        valid = e.valid.join(", ")
    )
}

/// Why a refund is not asked for, as a message.
pub fn refusal(r: &Refusal) -> Msg {
    match r {
        Refusal::Cash { number } => msg!("refusal-cash", number = number.as_str()),
        Refusal::WaveNotCheckout { number } => {
            msg!("refusal-wave-not-checkout", number = number.as_str())
        }
        Refusal::WavePartial {
            number,
            kept,
            asked,
        } => msg!(
            "refusal-wave-partial",
            number = number.as_str(),
            kept = Arg::Minor(*kept, asked.currency()),
            asked = *asked,
            // What to type on the command line: never localised.
            asked_decimal = asked.decimal()
        ),
        Refusal::NoCredentials { provider, var } => {
            msg!("refusal-no-credentials", provider = *provider, var = *var)
        }
        Refusal::NoReference { provider } => msg!("refusal-no-reference", provider = *provider),
        Refusal::NothingKept {
            provider,
            pending: None,
        } => msg!("refusal-nothing-kept", provider = *provider),
        Refusal::NothingKept {
            provider,
            pending: Some((minor, currency)),
        } => msg!(
            "refusal-nothing-kept-pending",
            provider = *provider,
            pending = Arg::Minor(*minor, *currency)
        ),
        Refusal::MoreThanKept {
            provider,
            asked,
            refundable,
        } => msg!(
            "refusal-more-than-kept",
            provider = *provider,
            asked = *asked,
            refundable = Arg::Minor(*refundable, asked.currency())
        ),
        Refusal::Zero(amount) => msg!("refusal-zero", amount = *amount),
    }
}
