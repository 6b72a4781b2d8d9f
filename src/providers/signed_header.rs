//! The `t=<seconds>,v1=<hex>[,v1=<hex>...]` signature header that Stripe
//! (`Stripe-Signature`) and Wave (`Wave-Signature`) share, read once here.
//!
//! Pure. Elements may come in any order; keys other than `t` and `v1` are
//! ignored (Stripe's legacy `v0`, any future scheme); a malformed `v1` is
//! skipped so that it cannot hide a good one beside it. Each room maps a
//! [`HeaderFault`] to its own `VerifyError`, and does its own MAC over the
//! timestamp: Stripe's over `t.body`, Wave's over the text `t_text` exactly
//! as sent followed by the body.

/// A signature header's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeader<'a> {
    /// The timestamp as sent.
    pub t_text: &'a str,
    /// The timestamp, Unix seconds.
    pub t: i64,
    /// The decoded `v1` signatures of 64 hex digits.
    pub v1: Vec<Vec<u8>>,
}

/// Why a signature header cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderFault {
    Empty,
    /// The element at this zero-based position has no `=` or no key.
    ElementMalformed {
        index: usize,
    },
    TimestampInvalid,
    TimestampDuplicated,
    TimestampMissing,
    NoV1,
    /// `count` `v1` elements, none of them 64 hex digits.
    Encoding {
        count: usize,
    },
}

fn parse_unix_seconds(value: &str) -> Result<i64, HeaderFault> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderFault::TimestampInvalid);
    }
    value
        .parse::<i64>()
        .map_err(|_| HeaderFault::TimestampInvalid)
}

/// Reads a `t=…,v1=…` header.
pub fn parse(header: &str) -> Result<SignedHeader<'_>, HeaderFault> {
    if header.trim().is_empty() {
        return Err(HeaderFault::Empty);
    }
    let mut t = None;
    let mut v1 = Vec::new();
    let mut v1_count = 0usize;
    for (index, element) in header.split(',').enumerate() {
        let Some((key, value)) = element.split_once('=') else {
            return Err(HeaderFault::ElementMalformed { index });
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "" => return Err(HeaderFault::ElementMalformed { index }),
            "t" => {
                if t.is_some() {
                    return Err(HeaderFault::TimestampDuplicated);
                }
                t = Some((value, parse_unix_seconds(value)?));
            }
            "v1" => {
                v1_count += 1;
                if value.len() == 64
                    && let Ok(sig) = hex::decode(value)
                {
                    v1.push(sig);
                }
            }
            _ => {}
        }
    }
    let (t_text, t) = t.ok_or(HeaderFault::TimestampMissing)?;
    if v1_count == 0 {
        return Err(HeaderFault::NoV1);
    }
    if v1.is_empty() {
        return Err(HeaderFault::Encoding { count: v1_count });
    }
    Ok(SignedHeader { t_text, t, v1 })
}
