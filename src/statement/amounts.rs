//! Amounts as statement files write them, into signed minor units.
//!
//! The layouts tally reads write a decimal point and may group thousands
//! with commas (`"1,309.80"`, `"-12,431.37"`); a sign may lead. Anything
//! else is refused with the reason: a decimal comma (`"-4,25"`, what a
//! French-language export writes) is never read as thousands, and an
//! amount with more decimals than its currency has is never rounded.

use crate::domain::{Currency, Money};
use crate::i18n::{Msg, money_error, msg};

/// Parses a signed amount in major units of `currency` into minor units.
pub fn parse_signed(text: &str, currency: Currency) -> Result<i64, Msg> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t).trim_start()),
    };
    let digits = ungroup(body).ok_or_else(|| {
        if looks_like_decimal_comma(body) {
            msg!("stmtp-decimal-comma", text = format!("{t:?}"))
        } else {
            msg!("stmtp-not-amount", text = format!("{t:?}"))
        }
    })?;
    let money = Money::parse(&digits, currency).map_err(|e| {
        msg!(
            "stmtp-amount",
            text = format!("{t:?}"),
            error = money_error(&e)
        )
    })?;
    Ok(if negative {
        -money.minor()
    } else {
        money.minor()
    })
}

/// `body` without its thousands commas, if they group by three before
/// the decimal point.
fn ungroup(body: &str) -> Option<String> {
    if !body.contains(',') {
        return Some(body.to_owned());
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut groups = int.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        out.push_str(g);
    }
    if let Some(f) = frac {
        if f.contains(',') {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// `12,5` or `1 234,56` or `1.234,56`: a comma before one or two digits
/// at the end.
fn looks_like_decimal_comma(body: &str) -> bool {
    body.rsplit_once(',').is_some_and(|(_, tail)| {
        (1..=2).contains(&tail.len()) && tail.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor(text: &str, code: &str) -> Result<i64, Msg> {
        parse_signed(text, Currency::parse(code).unwrap())
    }

    #[test]
    fn signed_amounts_with_thousands() {
        assert_eq!(minor("12.00", "USD"), Ok(1200));
        assert_eq!(minor("-0.77", "USD"), Ok(-77));
        assert_eq!(minor("1,309.80", "USD"), Ok(130_980));
        assert_eq!(minor("-12,431.37", "EUR"), Ok(-1_243_137));
        assert_eq!(minor("1,120.00", "USD"), Ok(112_000));
        assert_eq!(minor("45000", "XOF"), Ok(45_000));
        assert_eq!(minor("-990", "XOF"), Ok(-990));
        assert_eq!(minor("+3.50", "EUR"), Ok(350));
        assert_eq!(minor("0.00", "EUR"), Ok(0));
    }

    #[test]
    fn decimal_commas_and_garbage_are_refused_with_the_reason() {
        let e = minor("-4,25", "EUR").unwrap_err();
        assert!(e.contains("decimal comma"), "{e}");
        assert!(
            minor("1.234,56", "EUR")
                .unwrap_err()
                .contains("decimal comma")
        );
        assert!(minor("1,23,456.00", "EUR").is_err());
        assert!(minor("12.345", "EUR").unwrap_err().contains("decimals"));
        assert!(minor("45000.5", "XOF").is_err());
        assert!(minor("", "EUR").is_err());
        assert!(minor("1e3", "EUR").is_err());
        assert!(minor("--1", "EUR").is_err());
    }
}
