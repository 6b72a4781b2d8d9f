//! Stripe's signature on a webhook delivery: the `Stripe-Signature`
//! header, an HMAC-SHA256 over `"{t}." ++ body` keyed with the endpoint's
//! signing secret.
//!
//! Pure functions only: no sockets, no database, no clock of their own (callers
//! pass "now" in). What this module promises:
//!
//! - **Raw bytes.** The MAC runs over the request body exactly as it arrived.
//!   Nothing here parses, re-serialises or trims the body: a single changed byte
//!   makes verification fail.
//! - **Constant-time comparison.** Signatures are compared with
//!   [`Mac::verify_slice`], never with `==`.
//! - **No secrets in output.** This module never logs anything, and no error
//!   message contains a webhook secret or a signature value.
//! - **No panics.** Any header or body, however malformed, yields a
//!   [`VerifyError`] value.
//!
//! [`verify_stripe`] checks a `Stripe-Signature` header against one or more
//! endpoint secrets (several during a secret rotation) and a timestamp tolerance.
//! [`sign_stripe`] produces such a header (for `tally send-test-event` and tests).

use hmac::{Hmac, Mac};

use crate::providers::signed_header::{self, HeaderFault, SignedHeader};
use sha2::Sha256;

use crate::providers::SignatureFault;

type HmacSha256 = Hmac<Sha256>;

/// Why a Stripe delivery (or the secrets used to check it) was refused.
///
/// Messages name what is wrong; they never contain a secret or a signature value.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The `Stripe-Signature` header is empty or blank.
    #[error("Stripe-Signature header is empty")]
    HeaderEmpty,
    /// An element of the header is not of the form `key=value`.
    #[error("Stripe-Signature header element #{index} is not of the form key=value")]
    HeaderElementMalformed {
        /// Zero-based position of the element among the comma-separated ones.
        index: usize,
    },
    /// The header has no `t=` element.
    #[error("Stripe-Signature header has no t= timestamp")]
    TimestampMissing,
    /// The header has more than one `t=` element.
    #[error("Stripe-Signature header has more than one t= timestamp")]
    TimestampDuplicated,
    /// The `t=` value is not a plain decimal number of seconds.
    #[error("Stripe-Signature t= value is not a non-negative decimal number of Unix seconds")]
    TimestampInvalid,
    /// The header has no `v1=` element (other schemes such as `v0` are ignored).
    #[error(
        "Stripe-Signature header has no v1 signature (other schemes such as v0 are not accepted)"
    )]
    NoV1Signature,
    /// Every `v1=` value is malformed.
    #[error("none of the {count} v1 signature(s) in the Stripe-Signature header is 64 hex digits")]
    SignatureEncoding {
        /// How many `v1=` elements the header had.
        count: usize,
    },
    /// No endpoint secret is configured.
    #[error("no Stripe webhook secret is configured")]
    NoSecrets,
    /// A configured endpoint secret is the empty string.
    #[error("configured Stripe webhook secret #{index} is empty")]
    EmptySecret {
        /// Zero-based position of the empty secret in the configured list.
        index: usize,
    },
    /// No `v1` signature matches the payload under any configured secret.
    #[error(
        "no v1 signature in the Stripe-Signature header matches the payload under any of the {secrets} configured secret(s)"
    )]
    SignatureMismatch {
        /// How many secrets were tried.
        secrets: usize,
    },
    /// The signature is genuine but its timestamp is older than the tolerance.
    #[error(
        "Stripe-Signature timestamp is {age_secs} s old, more than the tolerance of {tolerance_secs} s"
    )]
    TimestampExpired {
        /// `now - t`, in seconds.
        age_secs: i128,
        /// The tolerance that was exceeded.
        tolerance_secs: i64,
    },
    /// The signature is genuine but its timestamp lies too far in the future.
    #[error(
        "Stripe-Signature timestamp is {ahead_secs} s in the future, more than the tolerance of {tolerance_secs} s"
    )]
    TimestampInFuture {
        /// `t - now`, in seconds.
        ahead_secs: i128,
        /// The tolerance that was exceeded.
        tolerance_secs: i64,
    },
    /// A negative tolerance was configured.
    #[error("timestamp tolerance must not be negative (got {tolerance_secs} s)")]
    InvalidTolerance {
        /// The tolerance that was passed in.
        tolerance_secs: i64,
    },
    /// The HMAC refused the secret as a key. HMAC takes keys of any length,
    /// so this does not happen; it is a value rather than a panic all the same.
    #[error("the Stripe webhook secret cannot key HMAC-SHA256")]
    Key,
}

impl VerifyError {
    /// What kind of refusal this is, for the webhook log.
    pub fn fault(&self) -> SignatureFault {
        match self {
            VerifyError::TimestampExpired { .. } | VerifyError::TimestampInFuture { .. } => {
                SignatureFault::Expired
            }
            VerifyError::HeaderEmpty => SignatureFault::Missing,
            VerifyError::HeaderElementMalformed { .. }
            | VerifyError::TimestampMissing
            | VerifyError::TimestampDuplicated
            | VerifyError::TimestampInvalid
            | VerifyError::NoV1Signature
            | VerifyError::SignatureEncoding { .. }
            | VerifyError::NoSecrets
            | VerifyError::EmptySecret { .. }
            | VerifyError::SignatureMismatch { .. }
            | VerifyError::InvalidTolerance { .. }
            | VerifyError::Key => SignatureFault::Invalid,
        }
    }
}

/// An HMAC-SHA256 keyed with `key`, whatever its length (RFC 2104: a key
/// longer than the block is hashed first, a shorter one zero-padded).
fn keyed_hmac(key: &[u8]) -> Result<HmacSha256, VerifyError> {
    HmacSha256::new_from_slice(key).map_err(|_| VerifyError::Key)
}

/// The Stripe MAC over `"{t}." ++ body`, keyed with the whole secret string
/// (including its `whsec_` prefix).
fn stripe_mac(secret: &str, t: i64, body: &[u8]) -> Result<HmacSha256, VerifyError> {
    let mut mac = keyed_hmac(secret.as_bytes())?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// A Stripe delivery whose signature and timestamp were accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeVerified {
    /// The signed timestamp `t` (Unix seconds).
    pub t: i64,
    /// Position in the configured secret list of the secret that matched.
    pub secret_index: usize,
}

/// Reads the `Stripe-Signature` header (the grammar Wave shares).
fn parse_stripe_header(header: &str) -> Result<SignedHeader<'_>, VerifyError> {
    signed_header::parse(header).map_err(|fault| match fault {
        HeaderFault::Empty => VerifyError::HeaderEmpty,
        HeaderFault::ElementMalformed { index } => VerifyError::HeaderElementMalformed { index },
        HeaderFault::TimestampInvalid => VerifyError::TimestampInvalid,
        HeaderFault::TimestampDuplicated => VerifyError::TimestampDuplicated,
        HeaderFault::TimestampMissing => VerifyError::TimestampMissing,
        HeaderFault::NoV1 => VerifyError::NoV1Signature,
        HeaderFault::Encoding { count } => VerifyError::SignatureEncoding { count },
    })
}

/// Verifies a `Stripe-Signature` header against the raw request body.
///
/// Accepts when any `v1` signature matches the HMAC-SHA256 of `"{t}." ++ body` under
/// any of `secrets` (several are configured during a secret rotation), and `t` is at
/// most `tolerance_secs` away from `now_unix` in either direction.
pub fn verify_stripe(
    header: &str,
    body: &[u8],
    secrets: &[String],
    tolerance_secs: i64,
    now_unix: i64,
) -> Result<StripeVerified, VerifyError> {
    if tolerance_secs < 0 {
        return Err(VerifyError::InvalidTolerance { tolerance_secs });
    }
    if secrets.is_empty() {
        return Err(VerifyError::NoSecrets);
    }
    if let Some(index) = secrets.iter().position(String::is_empty) {
        return Err(VerifyError::EmptySecret { index });
    }
    let parsed = parse_stripe_header(header)?;

    let mut matched = None;
    for (index, secret) in secrets.iter().enumerate() {
        let mac = stripe_mac(secret, parsed.t, body)?;
        // Every candidate is checked; verify_slice compares in constant time.
        for sig in &parsed.v1 {
            if mac.clone().verify_slice(sig).is_ok() && matched.is_none() {
                matched = Some(index);
            }
        }
    }
    let secret_index = matched.ok_or(VerifyError::SignatureMismatch {
        secrets: secrets.len(),
    })?;

    let age = i128::from(now_unix) - i128::from(parsed.t);
    let tolerance = i128::from(tolerance_secs);
    if age > tolerance {
        return Err(VerifyError::TimestampExpired {
            age_secs: age,
            tolerance_secs,
        });
    }
    if -age > tolerance {
        return Err(VerifyError::TimestampInFuture {
            ahead_secs: -age,
            tolerance_secs,
        });
    }
    Ok(StripeVerified {
        t: parsed.t,
        secret_index,
    })
}

/// Builds a `Stripe-Signature` header value `t={t},v1={hex}` for `body`.
pub fn sign_stripe(secret: &str, t: i64, body: &[u8]) -> Result<String, VerifyError> {
    let tag = stripe_mac(secret, t, body)?.finalize().into_bytes();
    Ok(format!("t={t},v1={}", hex::encode(tag)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{flip_one_byte, sample as read_bytes, sample_json as read_json};
    use serde_json::Value;

    fn s(v: &Value) -> &str {
        v.as_str().expect("string field")
    }

    // ---------------------------------------------------------------- Stripe

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event"}"#;
    const T: i64 = 1_700_000_000;

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stripe_official_hmac_vectors() {
        let v = read_json("stripe/signature_vectors.json");
        let cases = v["official_hmac_vectors"]["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let mut mac = keyed_hmac(s(&case["secret"]).as_bytes()).unwrap();
            mac.update(s(&case["message_utf8"]).as_bytes());
            let got = hex::encode(mac.clone().finalize().into_bytes());
            assert_eq!(got, s(&case["expected_hmac_sha256_hex"]), "case {case}");
            let expected = hex::decode(s(&case["expected_hmac_sha256_hex"])).unwrap();
            assert!(mac.verify_slice(&expected).is_ok());
        }
    }

    #[test]
    fn keyed_hmac_matches_new_from_slice_for_all_key_lengths() {
        for len in 0..=200usize {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut ours = keyed_hmac(&key).unwrap();
            let mut reference = <HmacSha256 as Mac>::new_from_slice(&key).unwrap();
            ours.update(b"message");
            reference.update(b"message");
            assert_eq!(
                ours.finalize().into_bytes(),
                reference.finalize().into_bytes(),
                "key length {len}"
            );
        }
    }

    fn derived_payload(case: &Value) -> Vec<u8> {
        match (case.get("payload_utf8"), case.get("payload_file")) {
            (Some(p), None) => s(p).as_bytes().to_vec(),
            (None, Some(f)) => read_bytes(&format!("stripe/{}", s(f))),
            _ => panic!("case has neither payload_utf8 nor payload_file: {case}"),
        }
    }

    #[test]
    fn stripe_derived_vectors() {
        let v = read_json("stripe/signature_vectors.json");
        let cases = v["derived_vectors"]["cases"].as_array().unwrap();
        assert!(cases.len() >= 10);
        let mut valid = 0;
        let mut rejected = 0;
        for case in cases {
            let body = derived_payload(case);
            let secret = s(&case["secret"]);
            let t = case["timestamp"].as_i64().unwrap();
            let header = s(&case["header"]);
            let expect = s(&case["expect"]);

            if let Some(signed) = case.get("signed_payload") {
                let mut ours = format!("{t}.").into_bytes();
                ours.extend_from_slice(&body);
                assert_eq!(ours, s(signed).as_bytes());
            }
            if let Some(v1) = case.get("v1") {
                assert_eq!(
                    sign_stripe(secret, t, &body).unwrap(),
                    format!("t={t},v1={}", s(v1))
                );
            }

            // `now` = the vector's own timestamp: the vectors are stale vs. the wall clock.
            let result = verify_stripe(header, &body, &secrets(&[secret]), 300, t);
            if expect.starts_with("valid") {
                let ok = result.unwrap_or_else(|e| panic!("{header}: {e}"));
                assert_eq!(ok.t, t);
                assert_eq!(ok.secret_index, 0);
                // Still refused once outside the default tolerance.
                assert!(matches!(
                    verify_stripe(header, &body, &secrets(&[secret]), 300, t + 301),
                    Err(VerifyError::TimestampExpired { .. })
                ));
                valid += 1;
            } else if expect.starts_with("reject") {
                let err = result.expect_err(header);
                if expect.contains("no v1") {
                    assert!(matches!(err, VerifyError::NoV1Signature), "{err}");
                } else {
                    assert!(
                        matches!(err, VerifyError::SignatureMismatch { secrets: 1 }),
                        "{err}"
                    );
                }
                if expect.contains("accept if verifier tries both secrets") {
                    let both = secrets(&[secret, "whsec_test_secret"]);
                    let ok = verify_stripe(header, &body, &both, 300, t).unwrap();
                    assert_eq!(ok.secret_index, 1);
                }
                rejected += 1;
            } else {
                panic!("unclassified expectation {expect:?}");
            }
        }
        assert_eq!(valid + rejected, cases.len());
        assert!(valid >= 8 && rejected >= 2);
    }

    #[test]
    fn stripe_valid_signature() {
        let header = sign_stripe(SECRET, T, BODY).unwrap();
        let ok = verify_stripe(&header, BODY, &secrets(&[SECRET]), 300, T + 10).unwrap();
        assert_eq!(
            ok,
            StripeVerified {
                t: T,
                secret_index: 0
            }
        );
    }

    #[test]
    fn stripe_sign_round_trip_and_format() {
        for (t, body) in [
            (0, &b""[..]),
            (T, BODY),
            (i64::MAX, &b"\x00\xff binary"[..]),
        ] {
            let header = sign_stripe(SECRET, t, body).unwrap();
            let (t_part, v1_part) = header.split_once(',').unwrap();
            assert_eq!(t_part, format!("t={t}"));
            let sig = v1_part.strip_prefix("v1=").unwrap();
            assert_eq!(sig.len(), 64);
            assert!(
                sig.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(
                verify_stripe(&header, body, &secrets(&[SECRET]), 0, t)
                    .unwrap()
                    .t,
                t
            );
        }
    }

    #[test]
    fn stripe_tampered_body_fails() {
        let header = sign_stripe(SECRET, T, BODY).unwrap();
        let tampered = flip_one_byte(BODY);
        assert!(matches!(
            verify_stripe(&header, &tampered, &secrets(&[SECRET]), 300, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
        // Appending a byte or a different timestamp fails too.
        let mut longer = BODY.to_vec();
        longer.push(b'\n');
        assert!(verify_stripe(&header, &longer, &secrets(&[SECRET]), 300, T).is_err());
        let moved = header.replacen(&format!("t={T}"), &format!("t={}", T + 1), 1);
        assert!(verify_stripe(&moved, BODY, &secrets(&[SECRET]), 300, T).is_err());
    }

    #[test]
    fn stripe_rotated_secret() {
        let new_secret = "whsec_new_rolled_secret";
        let header = sign_stripe(new_secret, T, BODY).unwrap();
        let configured = secrets(&[SECRET, new_secret]);
        let ok = verify_stripe(&header, BODY, &configured, 300, T).unwrap();
        assert_eq!(ok.secret_index, 1);
        // Only the old one configured: refused.
        assert!(matches!(
            verify_stripe(&header, BODY, &secrets(&[SECRET]), 300, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
        // Stripe sends both signatures during a roll: either secret alone accepts.
        let old_sig = sign_stripe(SECRET, T, BODY).unwrap();
        let both = format!("{header},{}", old_sig.split_once(',').unwrap().1);
        assert!(verify_stripe(&both, BODY, &secrets(&[SECRET]), 300, T).is_ok());
        assert!(verify_stripe(&both, BODY, &secrets(&[new_secret]), 300, T).is_ok());
    }

    #[test]
    fn stripe_expired_timestamp() {
        let header = sign_stripe(SECRET, T, BODY).unwrap();
        let conf = secrets(&[SECRET]);
        assert!(verify_stripe(&header, BODY, &conf, 300, T + 300).is_ok());
        let err = verify_stripe(&header, BODY, &conf, 300, T + 301).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::TimestampExpired {
                    age_secs: 301,
                    tolerance_secs: 300
                }
            ),
            "{err}"
        );
        // Extreme clocks do not overflow.
        assert!(verify_stripe(&header, BODY, &conf, i64::MAX, i64::MIN).is_err());
        let t0 = sign_stripe(SECRET, 0, BODY).unwrap();
        assert!(matches!(
            verify_stripe(&t0, BODY, &conf, i64::MAX - 1, i64::MAX),
            Err(VerifyError::TimestampExpired { .. })
        ));
        assert!(verify_stripe(&t0, BODY, &conf, i64::MAX, i64::MAX).is_ok());
    }

    #[test]
    fn stripe_future_timestamp() {
        let conf = secrets(&[SECRET]);
        let header = sign_stripe(SECRET, T + 300, BODY).unwrap();
        assert!(verify_stripe(&header, BODY, &conf, 300, T).is_ok());
        let header = sign_stripe(SECRET, T + 301, BODY).unwrap();
        assert!(matches!(
            verify_stripe(&header, BODY, &conf, 300, T),
            Err(VerifyError::TimestampInFuture {
                ahead_secs: 301,
                ..
            })
        ));
    }

    #[test]
    fn stripe_malformed_headers() {
        let conf = secrets(&[SECRET]);
        let good = sign_stripe(SECRET, T, BODY).unwrap();
        let sig = good.split_once(",v1=").unwrap().1.to_string();
        type Check = fn(&VerifyError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            (String::new(), |e| matches!(e, VerifyError::HeaderEmpty)),
            ("   ".into(), |e| matches!(e, VerifyError::HeaderEmpty)),
            (format!("v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampMissing)
            }),
            (format!("t=,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=abc,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=-{T},v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=+{T},v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t={T}.5,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=99999999999999999999999,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=١٢٣,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t={T},t={T},v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampDuplicated)
            }),
            (format!("t={T}"), |e| {
                matches!(e, VerifyError::NoV1Signature)
            }),
            (format!("t={T},v1="), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1={}", "zz".repeat(32)), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1={}", &sig[..63]), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1={sig}00"), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1={}é", &sig[..62]), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 1 })
            }),
            (format!("t={T},,v1={sig}"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 1 })
            }),
            (format!("t={T},v1={sig},"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 2 })
            }),
            (format!("=x,t={T},v1={sig}"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 0 })
            }),
            (",,,".into(), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 0 })
            }),
            (format!("t={T};v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
        ];
        for (header, check) in &cases {
            let err = verify_stripe(header, BODY, &conf, 300, T)
                .expect_err(&format!("header {header:?} must be refused"));
            assert!(check(&err), "header {header:?} gave {err:?}");
        }
        // Whitespace around elements is tolerated; a malformed v1 beside a good one is skipped.
        let spaced = format!(" t={T} , v1=nothex , v1={sig} ");
        assert!(verify_stripe(&spaced, BODY, &conf, 300, T).is_ok());
    }

    #[test]
    fn stripe_random_headers_never_panic() {
        let conf = secrets(&[SECRET]);
        let alphabet: Vec<char> = "tv01=,af9 .-+é\u{0}".chars().collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..5000 {
            let len = rng.usize(0..80);
            let header: String = (0..len)
                .map(|_| alphabet[rng.usize(0..alphabet.len())])
                .collect();
            assert!(verify_stripe(&header, BODY, &conf, 300, T).is_err());
        }
    }

    #[test]
    fn stripe_v0_only_rejected() {
        let good = sign_stripe(SECRET, T, BODY).unwrap();
        let sig = good.split_once(",v1=").unwrap().1;
        let v0_only = format!("t={T},v0={sig}");
        assert!(matches!(
            verify_stripe(&v0_only, BODY, &secrets(&[SECRET]), 300, T),
            Err(VerifyError::NoV1Signature)
        ));
    }

    #[test]
    fn stripe_configuration_errors() {
        let header = sign_stripe(SECRET, T, BODY).unwrap();
        assert!(matches!(
            verify_stripe(&header, BODY, &[], 300, T),
            Err(VerifyError::NoSecrets)
        ));
        assert!(matches!(
            verify_stripe(&header, BODY, &secrets(&[SECRET, ""]), 300, T),
            Err(VerifyError::EmptySecret { index: 1 })
        ));
        assert!(matches!(
            verify_stripe(&header, BODY, &secrets(&[SECRET]), -1, T),
            Err(VerifyError::InvalidTolerance { tolerance_secs: -1 })
        ));
    }

    #[test]
    fn stripe_errors_never_reveal_secret_or_signature() {
        let header = sign_stripe(SECRET, T, BODY).unwrap();
        let sig = header.split_once(",v1=").unwrap().1;
        let conf = secrets(&[SECRET]);
        let errors = [
            verify_stripe(&header, b"other", &conf, 300, T),
            verify_stripe(&header, BODY, &conf, 300, T + 1000),
            verify_stripe(&header, BODY, &conf, 300, T - 1000),
            verify_stripe(&format!("t={T},v1={}x", &sig[..63]), BODY, &conf, 300, T),
            verify_stripe(&format!("t={T},{sig}"), BODY, &conf, 300, T),
            verify_stripe(&format!("t={sig},v1={sig}"), BODY, &conf, 300, T),
        ];
        for result in errors {
            let err = result.unwrap_err();
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains(SECRET), "{text}");
                assert!(!text.contains("test_secret"), "{text}");
                assert!(!text.contains(&sig[..16]), "{text}");
            }
        }
    }
}

/// Hostile input: whatever the header or body, [`verify_stripe`] answers
/// with a value or a [`VerifyError`], never a panic; and what it accepts
/// really satisfies the rules.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One element of a `Stripe-Signature` header, well-formed or not.
    fn stripe_element() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|t| format!("t={t}")),
            "[0-9]{0,25}".prop_map(|t| format!("t={t}")),
            "[0-9a-f]{64}".prop_map(|h| format!("v1={h}")),
            "[0-9a-fA-F]{0,70}".prop_map(|h| format!("v1={h}")),
            "[0-9a-f]{64}".prop_map(|h| format!("v0={h}")),
            "\\PC{0,20}",
            "[ =,tv01]{0,10}",
        ]
    }

    fn stripe_header() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(stripe_element(), 0..6),
            prop::sample::select(vec![",", ", ", " ,", ",,"]),
        )
            .prop_map(|(parts, sep)| parts.join(sep))
    }

    fn secrets() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(prop_oneof!["whsec_[a-zA-Z0-9]{0,40}", "\\PC{0,80}"], 0..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_stripe_header_and_body_verify_or_fail(
            header in prop_oneof![stripe_header(), any::<String>()],
            body in prop::collection::vec(any::<u8>(), 0..200),
            secrets in secrets(),
            tolerance in prop_oneof![0..1000i64, any::<i64>()],
            now in prop_oneof![1_600_000_000..1_800_000_000i64, any::<i64>()],
        ) {
            if let Ok(ok) = verify_stripe(&header, &body, &secrets, tolerance, now) {
                // Accepted: the secret exists and the timestamp is within tolerance.
                prop_assert!(ok.secret_index < secrets.len());
                prop_assert!((i128::from(now) - i128::from(ok.t)).abs() <= i128::from(tolerance));
                let v1 = hex::encode(
                    stripe_mac(&secrets[ok.secret_index], ok.t, &body).unwrap().finalize().into_bytes(),
                );
                prop_assert!(header.to_ascii_lowercase().contains(&v1));
            }
        }

        #[test]
        fn a_genuine_stripe_signature_verifies_and_any_flipped_byte_fails(
            secret in "whsec_[a-zA-Z0-9]{1,40}",
            body in prop::collection::vec(any::<u8>(), 1..200),
            t in 0..4_000_000_000i64,
            flip in any::<prop::sample::Index>(),
            bit in 0..8u8,
            noise in prop::collection::vec(prop_oneof![
                "v1=[0-9a-fA-F]{0,70}",
                "v0=[0-9a-f]{64}",
                "k[a-z0-9]{0,4}=[a-zA-Z0-9=]{0,20}",
            ], 0..4),
            noise_first in any::<bool>(),
        ) {
            let secrets = vec!["whsec_other".to_owned(), secret.clone()];
            let signed = sign_stripe(&secret, t, &body).unwrap();
            // Other schemes and other (wrong or malformed) v1 values, before
            // or after it, do not hide the good signature.
            let mut parts = noise.clone();
            if noise_first {
                parts.push(signed);
            } else {
                parts.insert(0, signed);
            }
            let header = parts.join(",");
            let ok = verify_stripe(&header, &body, &secrets, 300, t);
            let good = matches!(ok, Ok(StripeVerified { t: got, secret_index: 1 }) if got == t);
            prop_assert!(good, "{:?}", ok);
            let mut tampered = body.clone();
            tampered[flip.index(body.len())] ^= 1 << bit;
            let clean = sign_stripe(&secret, t, &body).unwrap();
            let refused = verify_stripe(&clean, &tampered, &secrets, 300, t);
            let mismatch = matches!(refused, Err(VerifyError::SignatureMismatch { secrets: 2 }));
            prop_assert!(mismatch, "{:?}", refused);
        }
    }
}
