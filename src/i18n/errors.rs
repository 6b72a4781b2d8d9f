//! The domain's errors as messages: the domain depends on nothing, so its
//! errors' catalogue entries are named here. Each English entry is the
//! error's `Display`, word for word.

use super::{Msg, msg};
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
