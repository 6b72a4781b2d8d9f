//! Wave's proof that a webhook delivery is Wave's: one of the two "security
//! strategies" chosen per webhook in Wave's Business Portal
//! (`../shared/providers/wave.md` §1.4).
//!
//! - **Signing secret** (`--wave-auth signing`, the default): the header
//!   `Wave-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, where each
//!   `v1` is the lowercase hex HMAC-SHA256 of the timestamp string
//!   *immediately followed by* the raw body, with no separator (Stripe puts
//!   a `.` between them; a signature made that way is refused here), keyed
//!   with the UTF-8 bytes of the whole secret string as the portal shows it
//!   (`wave_sn_WHS_...`, prefix included, not base64-decoded). Any `v1` may
//!   match. This is Wave's sample code, reproduced in at least eight
//!   unrelated projects (wave.md §1.4, steps 1–4).
//! - **Shared secret** (`--wave-auth bearer`): `Authorization: Bearer
//!   <secret>`, the webhook secret itself, compared with the stored one.
//!
//! Several secrets may be configured: Wave rotates a secret by duplicating
//! the webhook (each delivery then comes signed with one of the two).
//!
//! **Freshness.** No timestamp window by default; [`WaveVerifier::tolerance`]
//! (`--wave-tolerance SECS`) sets one, with Stripe's meaning (`|now - t|` at
//! most that many seconds). Why: the "reject deliveries older than five
//! minutes" advice is secondary only, and whether Wave signs each retry
//! afresh is unconfirmed (wave.md §1.4 step 5, §6), while Wave retries a
//! failed delivery, for up to three days by one secondary source (§1.5).
//! A window would then refuse Wave's own retries after a short outage and
//! lose those events for good; and it buys little, since a replayed,
//! genuinely signed event changes nothing here (events are de-duplicated by
//! Wave's event id, which Wave itself asks for: "Wave may send the same
//! event multiple times", §1.5). The bearer strategy carries no time at all.
//!
//! Pure functions only: no sockets, no database, no clock of their own
//! (callers pass "now" in). What this module promises:
//!
//! - **Raw bytes.** The MAC runs over the body exactly as it arrived.
//! - **Constant-time comparison.** Signatures are compared with
//!   [`Mac::verify_slice`]; a bearer token is compared with the secret
//!   through an HMAC of each under a fixed key, compared the same way, so
//!   that neither the secret's bytes nor its length show in the timing.
//!   Every configured secret is tried, whichever matches.
//! - **No secrets in output.** No error message contains a secret, a token
//!   or a signature value.
//! - **No panics.** Any header or body yields a value or a [`VerifyError`].

use hmac::{Hmac, Mac};

use crate::providers::signed_header::{self, HeaderFault, SignedHeader};
use sha2::Sha256;

use crate::providers::SignatureFault;

type HmacSha256 = Hmac<Sha256>;

/// The header of the signing-secret strategy.
pub const SIGNATURE_HEADER: &str = "Wave-Signature";
/// The header of the shared-secret strategy.
pub const AUTHORIZATION_HEADER: &str = "Authorization";

/// Which of Wave's security strategies the webhook was registered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaveAuth {
    /// `Wave-Signature`, an HMAC-SHA256 over the timestamp and the body.
    #[default]
    Signing,
    /// `Authorization: Bearer <secret>`.
    Bearer,
}

impl WaveAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            WaveAuth::Signing => "signing",
            WaveAuth::Bearer => "bearer",
        }
    }
}

/// Why a Wave delivery (or the secrets used to check it) was refused.
///
/// Messages name what is wrong; they never contain a secret, a token or a
/// signature value.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The strategy's header is absent.
    #[error("missing {header} header (the Wave webhook is set up with the {strategy} strategy)")]
    HeaderMissing {
        header: &'static str,
        strategy: &'static str,
    },
    /// The strategy's header is empty or blank.
    #[error("{header} header is empty")]
    HeaderEmpty { header: &'static str },
    /// An element of `Wave-Signature` is not of the form `key=value`.
    #[error("Wave-Signature header element #{index} is not of the form key=value")]
    HeaderElementMalformed {
        /// Zero-based position among the comma-separated elements.
        index: usize,
    },
    #[error("Wave-Signature header has no t= timestamp")]
    TimestampMissing,
    #[error("Wave-Signature header has more than one t= timestamp")]
    TimestampDuplicated,
    #[error("Wave-Signature t= value is not a non-negative decimal number of Unix seconds")]
    TimestampInvalid,
    #[error("Wave-Signature header has no v1 signature")]
    NoV1Signature,
    #[error("none of the {count} v1 signature(s) in the Wave-Signature header is 64 hex digits")]
    SignatureEncoding { count: usize },
    #[error("no Wave webhook secret is configured")]
    NoSecrets,
    #[error("configured Wave webhook secret #{index} is empty")]
    EmptySecret {
        /// Zero-based position in the configured list.
        index: usize,
    },
    #[error(
        "no v1 signature in the Wave-Signature header matches the timestamp and body under any of the {secrets} configured secret(s)"
    )]
    SignatureMismatch { secrets: usize },
    #[error(
        "Wave-Signature timestamp is {age_secs} s old, more than --wave-tolerance {tolerance_secs} s"
    )]
    TimestampExpired { age_secs: i128, tolerance_secs: i64 },
    #[error(
        "Wave-Signature timestamp is {ahead_secs} s in the future, more than --wave-tolerance {tolerance_secs} s"
    )]
    TimestampInFuture {
        ahead_secs: i128,
        tolerance_secs: i64,
    },
    #[error("timestamp tolerance must not be negative (got {tolerance_secs} s)")]
    InvalidTolerance { tolerance_secs: i64 },
    /// The `Authorization` header holds another scheme than `Bearer`.
    #[error("Authorization header is not of the form \"Bearer <secret>\"")]
    NotBearer,
    #[error(
        "the Authorization bearer token matches none of the {secrets} configured Wave secret(s)"
    )]
    BearerMismatch { secrets: usize },
    /// HMAC takes keys of any length, so this does not happen; it is a
    /// value rather than a panic all the same.
    #[error("the Wave webhook secret cannot key HMAC-SHA256")]
    Key,
}

impl VerifyError {
    /// What kind of refusal this is, for the webhook log.
    pub fn fault(&self) -> SignatureFault {
        match self {
            VerifyError::HeaderMissing { .. } | VerifyError::HeaderEmpty { .. } => {
                SignatureFault::Missing
            }
            VerifyError::TimestampExpired { .. } | VerifyError::TimestampInFuture { .. } => {
                SignatureFault::Expired
            }
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
            | VerifyError::NotBearer
            | VerifyError::BearerMismatch { .. }
            | VerifyError::Key => SignatureFault::Invalid,
        }
    }
}

fn keyed_hmac(key: &[u8]) -> Result<HmacSha256, VerifyError> {
    HmacSha256::new_from_slice(key).map_err(|_| VerifyError::Key)
}

/// Wave's MAC: the timestamp text exactly as sent, immediately followed by
/// the raw body (no separator), keyed with the whole secret string.
fn wave_mac(secret: &str, t: &str, body: &[u8]) -> Result<HmacSha256, VerifyError> {
    let mut mac = keyed_hmac(secret.as_bytes())?;
    mac.update(t.as_bytes());
    mac.update(body);
    Ok(mac)
}

/// A Wave delivery that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaveVerified {
    /// The signed timestamp (the signing strategy only).
    pub t: Option<i64>,
    /// Position in the configured list of the secret that matched.
    pub secret_index: usize,
}

/// Reads the `Wave-Signature` header (Stripe's grammar; the MAC differs).
fn parse_signature_header(header: &str) -> Result<SignedHeader<'_>, VerifyError> {
    signed_header::parse(header).map_err(|fault| match fault {
        HeaderFault::Empty => VerifyError::HeaderEmpty {
            header: SIGNATURE_HEADER,
        },
        HeaderFault::ElementMalformed { index } => VerifyError::HeaderElementMalformed { index },
        HeaderFault::TimestampInvalid => VerifyError::TimestampInvalid,
        HeaderFault::TimestampDuplicated => VerifyError::TimestampDuplicated,
        HeaderFault::TimestampMissing => VerifyError::TimestampMissing,
        HeaderFault::NoV1 => VerifyError::NoV1Signature,
        HeaderFault::Encoding { count } => VerifyError::SignatureEncoding { count },
    })
}

fn check_secrets(secrets: &[String]) -> Result<(), VerifyError> {
    if secrets.is_empty() {
        return Err(VerifyError::NoSecrets);
    }
    if let Some(index) = secrets.iter().position(|s| s.is_empty()) {
        return Err(VerifyError::EmptySecret { index });
    }
    Ok(())
}

/// Verifies a `Wave-Signature` header against the raw body: any `v1`
/// matching under any of `secrets`, and, when `tolerance_secs` is given,
/// `t` at most that far from `now_unix` in either direction.
pub fn verify_wave_signature(
    header: &str,
    body: &[u8],
    secrets: &[String],
    tolerance_secs: Option<i64>,
    now_unix: i64,
) -> Result<WaveVerified, VerifyError> {
    if let Some(tolerance_secs) = tolerance_secs.filter(|t| *t < 0) {
        return Err(VerifyError::InvalidTolerance { tolerance_secs });
    }
    check_secrets(secrets)?;
    let parsed = parse_signature_header(header)?;
    let mut matched = None;
    for (index, secret) in secrets.iter().enumerate() {
        let mac = wave_mac(secret, parsed.t_text, body)?;
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
    if let Some(tolerance_secs) = tolerance_secs {
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
    }
    Ok(WaveVerified {
        t: Some(parsed.t),
        secret_index,
    })
}

/// The fixed key both sides of a bearer comparison are digested under.
const COMPARE_KEY: &[u8] = b"tally: compare a Wave bearer token in constant time";

/// Whether `given` and `secret` are the same bytes, in time that depends on
/// neither: both are digested to 32 bytes, compared by `verify_slice`.
fn same_secret(given: &[u8], secret: &[u8]) -> Result<bool, VerifyError> {
    let digest = |bytes: &[u8]| -> Result<HmacSha256, VerifyError> {
        let mut mac = keyed_hmac(COMPARE_KEY)?;
        mac.update(bytes);
        Ok(mac)
    };
    let given = digest(given)?.finalize().into_bytes();
    Ok(digest(secret)?.verify_slice(&given).is_ok())
}

/// Verifies `Authorization: Bearer <secret>` against `secrets`. The scheme
/// is case-insensitive (RFC 9110 §11.1); the token is compared as sent.
pub fn verify_wave_bearer(
    authorization: &str,
    secrets: &[String],
) -> Result<WaveVerified, VerifyError> {
    check_secrets(secrets)?;
    let value = authorization.trim();
    if value.is_empty() {
        return Err(VerifyError::HeaderEmpty {
            header: AUTHORIZATION_HEADER,
        });
    }
    let (scheme, token) = value.split_once(' ').ok_or(VerifyError::NotBearer)?;
    let token = token.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(VerifyError::NotBearer);
    }
    let mut matched = None;
    for (index, secret) in secrets.iter().enumerate() {
        if same_secret(token.as_bytes(), secret.as_bytes())? && matched.is_none() {
            matched = Some(index);
        }
    }
    let secret_index = matched.ok_or(VerifyError::BearerMismatch {
        secrets: secrets.len(),
    })?;
    Ok(WaveVerified {
        t: None,
        secret_index,
    })
}

/// Builds a `Wave-Signature` header value `t={t},v1={hex}` for `body`, as
/// Wave signs (for `tally send-test-event` and tests).
pub fn sign_wave(secret: &str, t: i64, body: &[u8]) -> Result<String, VerifyError> {
    let t = t.to_string();
    let tag = wave_mac(secret, &t, body)?.finalize().into_bytes();
    Ok(format!("t={t},v1={}", hex::encode(tag)))
}

/// How the listener checks Wave deliveries: `WAVE_WEBHOOK_SECRET` (a list
/// during a rotation), `--wave-auth` and `--wave-tolerance`.
#[derive(Clone, Default)]
pub struct WaveVerifier {
    /// Empty: Wave webhooks are disabled.
    pub secrets: Vec<String>,
    pub auth: WaveAuth,
    /// `None`: no timestamp window (see the module's "Freshness").
    pub tolerance: Option<i64>,
}

impl std::fmt::Debug for WaveVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveVerifier")
            .field("secrets", &self.secrets.len())
            .field("auth", &self.auth)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl WaveVerifier {
    /// Whether Wave webhooks are taken at all.
    pub fn enabled(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// Checks a delivery whose headers `header` looks up (by
    /// case-insensitive name) by the configured strategy.
    pub fn verify<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<WaveVerified, VerifyError> {
        let name = match self.auth {
            WaveAuth::Signing => SIGNATURE_HEADER,
            WaveAuth::Bearer => AUTHORIZATION_HEADER,
        };
        let value = header(name).ok_or(VerifyError::HeaderMissing {
            header: name,
            strategy: self.auth.as_str(),
        })?;
        match self.auth {
            WaveAuth::Signing => {
                verify_wave_signature(value, body, &self.secrets, self.tolerance, now_unix)
            }
            WaveAuth::Bearer => verify_wave_bearer(value, &self.secrets),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::flip_one_byte;

    const SECRET: &str = "wave_sn_WHS_xz4m6g8rjs9bshxy05xj4khcvjv7j3hcp4fbpvv6met0zdrjvezg";
    const NEW_SECRET: &str = "wave_sn_WHS_rotated0000000000000000000000000000000000000000000000";
    const BODY: &[u8] = br#"{"id":"AE_sn_test","type":"checkout.session.completed","data":{}}"#;
    const T: i64 = 1_639_081_943;

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// The documented construction, computed here with the HMAC crate
    /// directly: hex(HMAC-SHA256(key = the whole secret, t ‖ body)).
    fn documented(secret: &str, t: &str, body: &[u8]) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(t.as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Stripe's construction: `t.` + body.
    fn with_dot(secret: &str, t: &str, body: &[u8]) -> String {
        let mut message = format!("{t}.").into_bytes();
        message.extend_from_slice(body);
        documented(secret, "", &message)
    }

    #[test]
    fn a_documented_signature_verifies_and_sign_wave_matches_it() {
        let v1 = documented(SECRET, &T.to_string(), BODY);
        assert_eq!(v1.len(), 64);
        assert!(v1.bytes().all(|b| !b.is_ascii_uppercase()));
        let header = format!("t={T},v1={v1}");
        assert_eq!(sign_wave(SECRET, T, BODY).unwrap(), header);
        let ok = verify_wave_signature(&header, BODY, &secrets(&[SECRET]), None, T).unwrap();
        assert_eq!(
            ok,
            WaveVerified {
                t: Some(T),
                secret_index: 0
            }
        );
        // The message really is t immediately followed by the body.
        let mut joined = T.to_string().into_bytes();
        joined.extend_from_slice(BODY);
        assert_eq!(documented(SECRET, "", &joined), v1);
    }

    #[test]
    fn the_timestamp_is_signed_as_sent() {
        // A leading zero is part of the signed text: Wave's sample code
        // concatenates the header's string, it does not re-print a number.
        let v1 = documented(SECRET, "01639081943", BODY);
        let header = format!("t=01639081943,v1={v1}");
        assert!(verify_wave_signature(&header, BODY, &secrets(&[SECRET]), None, T).is_ok());
        let reprinted = format!("t={T},v1={v1}");
        assert!(matches!(
            verify_wave_signature(&reprinted, BODY, &secrets(&[SECRET]), None, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
    }

    #[test]
    fn the_stripe_construction_with_a_dot_is_refused() {
        let header = format!("t={T},v1={}", with_dot(SECRET, &T.to_string(), BODY));
        let err = verify_wave_signature(&header, BODY, &secrets(&[SECRET]), None, T).unwrap_err();
        assert!(matches!(err, VerifyError::SignatureMismatch { secrets: 1 }));
        assert_eq!(err.fault(), SignatureFault::Invalid);
        // The same bytes through Stripe's own verifier are accepted: the
        // refusal above is the construction, not the vector.
        let stripe =
            crate::providers::stripe::verify_stripe(&header, BODY, &secrets(&[SECRET]), 300, T);
        assert!(stripe.is_ok(), "{stripe:?}");
    }

    #[test]
    fn any_of_several_v1_may_match() {
        let good = documented(SECRET, &T.to_string(), BODY);
        let other = documented("wave_sn_WHS_other", &T.to_string(), BODY);
        let conf = secrets(&[SECRET]);
        for header in [
            format!("t={T},v1={other},v1={good}"),
            format!("t={T},v1={good},v1={other}"),
            format!("t={T},v1=nothex,v1={good}"),
            format!("v1={good},t={T}"),
            format!(" t={T} , v1={other} , v1={good} "),
            format!("t={T},v0={other},v1={good}"),
        ] {
            let ok = verify_wave_signature(&header, BODY, &conf, None, T);
            assert!(ok.is_ok(), "{header}: {ok:?}");
        }
        let none = format!("t={T},v1={other},v1={other}");
        assert!(matches!(
            verify_wave_signature(&none, BODY, &conf, None, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
    }

    #[test]
    fn a_rotated_secret() {
        let header = sign_wave(NEW_SECRET, T, BODY).unwrap();
        // Only the old secret here: refused.
        assert!(matches!(
            verify_wave_signature(&header, BODY, &secrets(&[SECRET]), None, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
        // Both, during the rotation: the new one matches, as #1.
        let both = secrets(&[SECRET, NEW_SECRET]);
        let ok = verify_wave_signature(&header, BODY, &both, None, T).unwrap();
        assert_eq!(ok.secret_index, 1);
        let old = sign_wave(SECRET, T, BODY).unwrap();
        assert_eq!(
            verify_wave_signature(&old, BODY, &both, None, T)
                .unwrap()
                .secret_index,
            0
        );
        // The bearer strategy alike.
        let ok = verify_wave_bearer(&format!("Bearer {NEW_SECRET}"), &both).unwrap();
        assert_eq!(ok.secret_index, 1);
        assert!(matches!(
            verify_wave_bearer(&format!("Bearer {NEW_SECRET}"), &secrets(&[SECRET])),
            Err(VerifyError::BearerMismatch { secrets: 1 })
        ));
    }

    #[test]
    fn a_flipped_body_byte_a_moved_timestamp_or_an_added_byte_fail() {
        let header = sign_wave(SECRET, T, BODY).unwrap();
        let conf = secrets(&[SECRET]);
        assert!(matches!(
            verify_wave_signature(&header, &flip_one_byte(BODY), &conf, None, T),
            Err(VerifyError::SignatureMismatch { secrets: 1 })
        ));
        let mut longer = BODY.to_vec();
        longer.push(b'\n');
        assert!(verify_wave_signature(&header, &longer, &conf, None, T).is_err());
        let moved = header.replacen(&format!("t={T}"), &format!("t={}", T + 1), 1);
        assert!(verify_wave_signature(&moved, BODY, &conf, None, T).is_err());
        // One byte of the key: another secret.
        let mut key = SECRET.as_bytes().to_vec();
        key[20] ^= 1;
        let key = String::from_utf8(key).unwrap();
        assert!(verify_wave_signature(&header, BODY, &secrets(&[&key]), None, T).is_err());
    }

    #[test]
    fn no_window_by_default_and_stripes_meaning_when_set() {
        let header = sign_wave(SECRET, T, BODY).unwrap();
        let conf = secrets(&[SECRET]);
        let three_days = 3 * 24 * 3600;
        assert!(verify_wave_signature(&header, BODY, &conf, None, T + three_days).is_ok());
        assert!(verify_wave_signature(&header, BODY, &conf, None, 0).is_ok());
        assert!(verify_wave_signature(&header, BODY, &conf, Some(300), T + 300).is_ok());
        let err = verify_wave_signature(&header, BODY, &conf, Some(300), T + 301).unwrap_err();
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
        assert_eq!(err.fault(), SignatureFault::Expired);
        assert!(matches!(
            verify_wave_signature(&header, BODY, &conf, Some(300), T - 301),
            Err(VerifyError::TimestampInFuture {
                ahead_secs: 301,
                ..
            })
        ));
        assert!(matches!(
            verify_wave_signature(&header, BODY, &conf, Some(-1), T),
            Err(VerifyError::InvalidTolerance { tolerance_secs: -1 })
        ));
        // Extreme clocks do not overflow.
        assert!(verify_wave_signature(&header, BODY, &conf, Some(i64::MAX), i64::MIN).is_err());
    }

    #[test]
    fn the_bearer_strategy() {
        let conf = secrets(&[SECRET]);
        for header in [
            format!("Bearer {SECRET}"),
            format!("bearer {SECRET}"),
            format!("BEARER   {SECRET}"),
            format!("  Bearer {SECRET}  "),
        ] {
            let ok = verify_wave_bearer(&header, &conf);
            assert_eq!(
                ok.unwrap(),
                WaveVerified {
                    t: None,
                    secret_index: 0
                },
                "{header}"
            );
        }
        type Check = fn(&VerifyError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            (String::new(), |e| {
                matches!(e, VerifyError::HeaderEmpty { .. })
            }),
            ("   ".into(), |e| {
                matches!(e, VerifyError::HeaderEmpty { .. })
            }),
            (SECRET.into(), |e| matches!(e, VerifyError::NotBearer)),
            (format!("Basic {SECRET}"), |e| {
                matches!(e, VerifyError::NotBearer)
            }),
            ("Bearer".into(), |e| matches!(e, VerifyError::NotBearer)),
            (format!("Bearer {}", &SECRET[..SECRET.len() - 1]), |e| {
                matches!(e, VerifyError::BearerMismatch { secrets: 1 })
            }),
            (format!("Bearer {SECRET}x"), |e| {
                matches!(e, VerifyError::BearerMismatch { secrets: 1 })
            }),
            (format!("Bearer {}", SECRET.to_uppercase()), |e| {
                matches!(e, VerifyError::BearerMismatch { secrets: 1 })
            }),
            // A signature is not the secret.
            (
                format!("Bearer {}", sign_wave(SECRET, T, BODY).unwrap()),
                |e| matches!(e, VerifyError::BearerMismatch { secrets: 1 }),
            ),
        ];
        for (header, check) in &cases {
            let err = verify_wave_bearer(header, &conf)
                .expect_err(&format!("{header:?} must be refused"));
            assert!(check(&err), "{header:?} gave {err:?}");
            assert_eq!(
                err.fault(),
                if header.trim().is_empty() {
                    SignatureFault::Missing
                } else {
                    SignatureFault::Invalid
                }
            );
        }
    }

    #[test]
    fn the_verifier_reads_the_strategys_header_and_says_when_it_is_missing() {
        let signed = sign_wave(SECRET, T, BODY).unwrap();
        let bearer = format!("Bearer {SECRET}");
        let mut v = WaveVerifier {
            secrets: secrets(&[SECRET]),
            auth: WaveAuth::Signing,
            tolerance: None,
        };
        let run = |v: &WaveVerifier, headers: &[(&str, &str)]| {
            v.verify(
                |name| {
                    headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, value)| *value)
                },
                BODY,
                T,
            )
        };
        assert!(run(&v, &[("wave-signature", &signed)]).is_ok());
        let err = run(&v, &[("authorization", &bearer)]).unwrap_err();
        assert!(matches!(
            err,
            VerifyError::HeaderMissing {
                header: SIGNATURE_HEADER,
                ..
            }
        ));
        assert_eq!(err.fault(), SignatureFault::Missing);
        v.auth = WaveAuth::Bearer;
        assert!(run(&v, &[("AUTHORIZATION", &bearer)]).is_ok());
        let err = run(&v, &[("Wave-Signature", &signed)]).unwrap_err();
        assert!(matches!(
            err,
            VerifyError::HeaderMissing {
                header: AUTHORIZATION_HEADER,
                ..
            }
        ));
        assert!(v.enabled());
        let shown = format!("{v:?}");
        assert!(
            shown.contains("secrets: 1") && !shown.contains(SECRET),
            "{shown}"
        );
    }

    #[test]
    fn malformed_signature_headers() {
        let conf = secrets(&[SECRET]);
        let sig = documented(SECRET, &T.to_string(), BODY);
        type Check = fn(&VerifyError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            (String::new(), |e| {
                matches!(e, VerifyError::HeaderEmpty { .. })
            }),
            (" ".into(), |e| matches!(e, VerifyError::HeaderEmpty { .. })),
            (format!("v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampMissing)
            }),
            (format!("t=,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=-{T},v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=+{T},v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t={T}.0,v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
            (format!("t=99999999999999999999999,v1={sig}"), |e| {
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
            (format!("t={T},v1={}", &sig[..63]), |e| {
                matches!(e, VerifyError::SignatureEncoding { count: 1 })
            }),
            (format!("t={T},v1"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 1 })
            }),
            (format!("t={T},,v1={sig}"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 1 })
            }),
            (format!("=x,t={T},v1={sig}"), |e| {
                matches!(e, VerifyError::HeaderElementMalformed { index: 0 })
            }),
            (format!("t={T};v1={sig}"), |e| {
                matches!(e, VerifyError::TimestampInvalid)
            }),
        ];
        for (header, check) in &cases {
            let err = verify_wave_signature(header, BODY, &conf, None, T)
                .expect_err(&format!("header {header:?} must be refused"));
            assert!(check(&err), "header {header:?} gave {err:?}");
        }
    }

    #[test]
    fn configuration_errors() {
        let header = sign_wave(SECRET, T, BODY).unwrap();
        assert!(matches!(
            verify_wave_signature(&header, BODY, &[], None, T),
            Err(VerifyError::NoSecrets)
        ));
        assert!(matches!(
            verify_wave_signature(&header, BODY, &secrets(&[SECRET, ""]), None, T),
            Err(VerifyError::EmptySecret { index: 1 })
        ));
        assert!(matches!(
            verify_wave_bearer(&format!("Bearer {SECRET}"), &[]),
            Err(VerifyError::NoSecrets)
        ));
        // An empty configured secret never lets an empty token through.
        assert!(verify_wave_bearer("Bearer ", &secrets(&[""])).is_err());
    }

    #[test]
    fn errors_never_reveal_a_secret_a_token_or_a_signature() {
        let header = sign_wave(SECRET, T, BODY).unwrap();
        let sig = header.split_once(",v1=").unwrap().1.to_owned();
        let conf = secrets(&[SECRET]);
        let errors = [
            verify_wave_signature(&header, b"other", &conf, None, T),
            verify_wave_signature(&header, BODY, &conf, Some(1), T + 1000),
            verify_wave_signature(&format!("t={T},{sig}"), BODY, &conf, None, T),
            verify_wave_signature(&format!("t={sig},v1={sig}"), BODY, &conf, None, T),
            verify_wave_bearer(&format!("Bearer {SECRET}x"), &conf),
            verify_wave_bearer(&format!("Token {SECRET}"), &conf),
        ];
        for result in errors {
            let err = result.unwrap_err();
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains("xz4m6g8rjs9b"), "{text}");
                assert!(!text.contains(&sig[..16]), "{text}");
            }
        }
    }
}

/// Hostile input: whatever the header, body, secrets and clock,
/// verification answers with a value or a [`VerifyError`], never a panic;
/// and what it accepts really satisfies the rules.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn element() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|t| format!("t={t}")),
            "[0-9]{0,25}".prop_map(|t| format!("t={t}")),
            "[0-9a-f]{64}".prop_map(|h| format!("v1={h}")),
            "[0-9a-fA-F]{0,70}".prop_map(|h| format!("v1={h}")),
            "\\PC{0,20}",
            "[ =,tv1.]{0,10}",
        ]
    }

    fn signature_header() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(element(), 0..6),
            prop::sample::select(vec![",", ", ", " ,", ",,"]),
        )
            .prop_map(|(parts, sep)| parts.join(sep))
    }

    fn secrets() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(
            prop_oneof!["wave_sn_WHS_[a-z0-9]{0,40}", "\\PC{0,80}"],
            0..4,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_signature_header_verifies_or_fails(
            header in prop_oneof![signature_header(), any::<String>()],
            body in prop::collection::vec(any::<u8>(), 0..200),
            secrets in secrets(),
            tolerance in prop_oneof![Just(None), (0..1000i64).prop_map(Some), any::<i64>().prop_map(Some)],
            now in prop_oneof![1_600_000_000..1_800_000_000i64, any::<i64>()],
        ) {
            if let Ok(ok) = verify_wave_signature(&header, &body, &secrets, tolerance, now) {
                prop_assert!(ok.secret_index < secrets.len());
                let t = ok.t.unwrap();
                if let Some(tol) = tolerance {
                    prop_assert!((i128::from(now) - i128::from(t)).abs() <= i128::from(tol));
                }
                // Some v1 in the header is the MAC over t's text and the body.
                let found = header.split(',').filter_map(|e| e.split_once('=')).any(|(k, v)| {
                    k.trim() == "v1" && header.split(',').filter_map(|e| e.split_once('='))
                        .filter(|(k, _)| k.trim() == "t")
                        .any(|(_, t)| {
                            let mac = wave_mac(&secrets[ok.secret_index], t.trim(), &body).unwrap();
                            hex::encode(mac.finalize().into_bytes()) == v.trim().to_ascii_lowercase()
                        })
                });
                prop_assert!(found);
            }
        }

        #[test]
        fn any_authorization_header_verifies_or_fails(
            header in prop_oneof![
                any::<String>(),
                "(Bearer|bearer|Basic|) {0,3}[ -~]{0,40}",
            ],
            secrets in secrets(),
        ) {
            if let Ok(ok) = verify_wave_bearer(&header, &secrets) {
                let secret = &secrets[ok.secret_index];
                prop_assert!(!secret.is_empty());
                prop_assert!(header.trim().ends_with(secret.as_str()));
            }
        }

        #[test]
        fn a_genuine_signature_verifies_and_any_flipped_byte_fails(
            secret in "wave_sn_WHS_[a-z0-9]{1,40}",
            body in prop::collection::vec(any::<u8>(), 1..200),
            t in 0..4_000_000_000i64,
            flip in any::<prop::sample::Index>(),
            bit in 0..8u8,
        ) {
            let conf = vec!["wave_sn_WHS_other".to_owned(), secret.clone()];
            let header = sign_wave(&secret, t, &body).unwrap();
            let ok = verify_wave_signature(&header, &body, &conf, None, t);
            prop_assert!(matches!(ok, Ok(WaveVerified { t: Some(got), secret_index: 1 }) if got == t), "{:?}", ok);
            let mut tampered = body.clone();
            tampered[flip.index(body.len())] ^= 1 << bit;
            let refused = verify_wave_signature(&header, &tampered, &conf, None, t);
            prop_assert!(matches!(refused, Err(VerifyError::SignatureMismatch { secrets: 2 })), "{:?}", refused);
        }
    }
}
