//! PayPal's signature on a webhook delivery: RSA-SHA256 over
//! `transmission_id|transmission_time|webhook_id|crc32(body)`, checked
//! against PayPal's message-verification certificate.
//!
//! Pure functions only: no sockets, no database, no clock of their own (callers
//! pass "now" in). What this module promises:
//!
//! - **Raw bytes.** The CRC runs over the request body exactly as it arrived.
//!   Nothing here parses, re-serialises or trims the body: a single changed byte
//!   makes verification fail.
//! - **No secret involved.** Signatures are checked with an RSA public key
//!   (PKCS#1 v1.5 over SHA-256).
//! - **No signatures in output.** This module never logs anything, and no error
//!   message (nor the `Debug` output of [`PaypalHeaders`]) contains a signature
//!   value.
//! - **No panics.** Any header, certificate or body, however malformed, yields a
//!   [`VerifyError`] value.
//!
//! A caller
//! 1. reads the five `PAYPAL-*` headers with [`PaypalHeaders::from_lookup`],
//! 2. checks the certificate URL with [`check_paypal_cert_url`] (or
//!    [`parse_paypal_cert_url`], whose normalised [`Url`] is what must be fetched)
//!    *before* any fetch,
//! 3. gets the PEM bytes (from a cache, a pinned file or an HTTPS fetch: see
//!    [`certs`](super::certs)) and parses them with [`PaypalCert::from_pem`],
//! 4. calls [`verify_paypal`], then [`PaypalVerified::check_fresh`] against its
//!    own clock to refuse replays of old deliveries.
//!
//! The certificate's chain of trust is not validated here: trust comes from
//! fetching it over HTTPS from one of PayPal's API hosts (enforced by
//! [`check_paypal_cert_url`]) and from the subject and validity checks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature as RsaSignature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use std::fmt;
use url::{Host, Url};
use x509_cert::Certificate;
use x509_cert::der::oid::db::rfc4519::CN as OID_COMMON_NAME;
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::name::Name;

use crate::providers::SignatureFault;

/// Why a PayPal delivery (or the certificate used to check it) was refused.
///
/// Messages name what is wrong; they never contain a signature value.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A required `PAYPAL-*` header is absent.
    #[error("missing required header {name}")]
    MissingHeader {
        /// The header's name.
        name: &'static str,
    },
    /// A required `PAYPAL-*` header is present but blank.
    #[error("required header {name} is empty")]
    EmptyHeader {
        /// The header's name.
        name: &'static str,
    },
    /// `PAYPAL-AUTH-ALGO` is not `SHA256withRSA`.
    #[error("PAYPAL-AUTH-ALGO is {found:?}; only SHA256withRSA is accepted")]
    AuthAlgo {
        /// The value received (shortened to at most 40 characters).
        found: String,
    },
    /// `PAYPAL-TRANSMISSION-TIME` is not an RFC 3339 timestamp.
    #[error("PAYPAL-TRANSMISSION-TIME is not an RFC 3339 timestamp")]
    TransmissionTime(#[source] chrono::ParseError),
    /// `PAYPAL-TRANSMISSION-SIG` is not standard base64.
    #[error("PAYPAL-TRANSMISSION-SIG is not valid base64")]
    SignatureEncoding,
    /// The configured PayPal webhook id is empty.
    #[error("the configured PayPal webhook id is empty")]
    EmptyWebhookId,
    /// The RSA signature does not verify.
    #[error(
        "PAYPAL-TRANSMISSION-SIG does not verify against the certificate's key (wrong webhook id, altered body or headers, or wrong certificate)"
    )]
    SignatureMismatch,
    /// The signed transmission time is older than the tolerance.
    #[error(
        "PAYPAL-TRANSMISSION-TIME is {age_secs} s old, more than the tolerance of {tolerance_secs} s"
    )]
    TransmissionStale {
        /// `now - transmission time`, in seconds.
        age_secs: i64,
        /// The tolerance that was exceeded.
        tolerance_secs: i64,
    },
    /// The signed transmission time lies too far in the future.
    #[error(
        "PAYPAL-TRANSMISSION-TIME is {ahead_secs} s in the future, more than the tolerance of {tolerance_secs} s"
    )]
    TransmissionInFuture {
        /// `transmission time - now`, in seconds.
        ahead_secs: i64,
        /// The tolerance that was exceeded.
        tolerance_secs: i64,
    },
    /// A negative tolerance was configured.
    #[error("timestamp tolerance must not be negative (got {tolerance_secs} s)")]
    InvalidTolerance {
        /// The tolerance that was passed in.
        tolerance_secs: i64,
    },
    /// `PAYPAL-CERT-URL` is not an allowed PayPal certificate URL.
    #[error("PAYPAL-CERT-URL refused: {reason}")]
    CertUrl {
        /// What is wrong with the URL.
        reason: &'static str,
    },
    /// The PEM data holds no `CERTIFICATE` block.
    #[error("no PEM CERTIFICATE block found in the certificate data")]
    CertNoPem,
    /// The first `CERTIFICATE` block is not a valid X.509 certificate.
    #[error("the PEM CERTIFICATE block is not a valid X.509 certificate")]
    CertParse(#[source] x509_cert::der::Error),
    /// The certificate's public key is not a usable RSA key.
    #[error("the certificate's public key is not a usable RSA key")]
    CertKey(#[source] rsa::pkcs8::spki::Error),
    /// The certificate's RSA key is too short.
    #[error("the certificate's RSA key has {bits} bits; at least 2048 are required")]
    CertKeyTooSmall {
        /// Size of the modulus in bits.
        bits: usize,
    },
    /// A validity bound of the certificate cannot be represented.
    #[error("the certificate's validity period is out of the supported range")]
    CertValidityRange,
    /// The subject has no common name, or more than one.
    #[error("the certificate subject has {count} common names; exactly one is required")]
    CertSubjectCnCount {
        /// How many CN attributes the subject has.
        count: usize,
    },
    /// The subject common name uses a string type other than UTF8/Printable/IA5.
    #[error("the certificate subject common name is not a UTF8, Printable or IA5 string")]
    CertSubjectEncoding,
    /// The subject common name is not one of PayPal's message-verification hosts.
    #[error(
        "the certificate subject CN {found:?} is not messageverificationcerts.paypal.com or messageverificationcerts.sandbox.paypal.com"
    )]
    CertSubject {
        /// The CN found (shortened to at most 80 characters).
        found: String,
    },
    /// The certificate was not valid at the signed transmission time.
    #[error("the certificate is not valid at {at} (valid from {not_before} to {not_after})")]
    CertNotValidAt {
        /// The instant checked.
        at: DateTime<Utc>,
        /// Start of the certificate's validity.
        not_before: DateTime<Utc>,
        /// End of the certificate's validity.
        not_after: DateTime<Utc>,
    },
}

impl VerifyError {
    /// What kind of refusal this is, for the webhook log.
    pub fn fault(&self) -> SignatureFault {
        match self {
            VerifyError::TransmissionStale { .. } | VerifyError::TransmissionInFuture { .. } => {
                SignatureFault::Expired
            }
            VerifyError::MissingHeader { .. } | VerifyError::EmptyHeader { .. } => {
                SignatureFault::Missing
            }
            VerifyError::AuthAlgo { .. }
            | VerifyError::TransmissionTime(_)
            | VerifyError::SignatureEncoding
            | VerifyError::EmptyWebhookId
            | VerifyError::SignatureMismatch
            | VerifyError::InvalidTolerance { .. }
            | VerifyError::CertUrl { .. }
            | VerifyError::CertNoPem
            | VerifyError::CertParse(_)
            | VerifyError::CertKey(_)
            | VerifyError::CertKeyTooSmall { .. }
            | VerifyError::CertValidityRange
            | VerifyError::CertSubjectCnCount { .. }
            | VerifyError::CertSubjectEncoding
            | VerifyError::CertSubject { .. }
            | VerifyError::CertNotValidAt { .. } => SignatureFault::Invalid,
        }
    }
}

/// Keeps at most `max` characters of an attacker-supplied value for an error message.
fn shorten(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

/// `PAYPAL-TRANSMISSION-ID`
pub const HEADER_TRANSMISSION_ID: &str = "PAYPAL-TRANSMISSION-ID";
/// `PAYPAL-TRANSMISSION-TIME`
pub const HEADER_TRANSMISSION_TIME: &str = "PAYPAL-TRANSMISSION-TIME";
/// `PAYPAL-CERT-URL`
pub const HEADER_CERT_URL: &str = "PAYPAL-CERT-URL";
/// `PAYPAL-AUTH-ALGO`
pub const HEADER_AUTH_ALGO: &str = "PAYPAL-AUTH-ALGO";
/// `PAYPAL-TRANSMISSION-SIG`
pub const HEADER_TRANSMISSION_SIG: &str = "PAYPAL-TRANSMISSION-SIG";
/// The only `PAYPAL-AUTH-ALGO` accepted.
pub const PAYPAL_AUTH_ALGO: &str = "SHA256withRSA";

/// Hosts allowed in `PAYPAL-CERT-URL`.
pub const PAYPAL_CERT_HOSTS: [&str; 4] = [
    "api.paypal.com",
    "api-m.paypal.com",
    "api.sandbox.paypal.com",
    "api-m.sandbox.paypal.com",
];

/// Subject common names allowed for PayPal's message-verification certificate.
pub const PAYPAL_CERT_COMMON_NAMES: [&str; 2] = [
    "messageverificationcerts.paypal.com",
    "messageverificationcerts.sandbox.paypal.com",
];

/// The five `PAYPAL-*` headers of a webhook delivery, as received.
///
/// `Debug` leaves the signature out.
#[derive(Clone, PartialEq, Eq)]
pub struct PaypalHeaders {
    /// `PAYPAL-TRANSMISSION-ID`
    pub transmission_id: String,
    /// `PAYPAL-TRANSMISSION-TIME`, exactly as received (it is part of the signed message).
    pub transmission_time: String,
    /// `PAYPAL-CERT-URL`
    pub cert_url: String,
    /// `PAYPAL-AUTH-ALGO`
    pub auth_algo: String,
    /// `PAYPAL-TRANSMISSION-SIG` (base64)
    pub transmission_sig: String,
}

impl fmt::Debug for PaypalHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaypalHeaders")
            .field("transmission_id", &self.transmission_id)
            .field("transmission_time", &self.transmission_time)
            .field("cert_url", &self.cert_url)
            .field("auth_algo", &self.auth_algo)
            .field("transmission_sig", &"<redacted>")
            .finish()
    }
}

impl PaypalHeaders {
    /// Reads the five headers through `lookup`, called with each header's canonical
    /// upper-case name (HTTP header names are case-insensitive: the closure should
    /// match them so). Fails naming the first header that is absent or blank.
    pub fn from_lookup<F, S>(mut lookup: F) -> Result<Self, VerifyError>
    where
        F: FnMut(&'static str) -> Option<S>,
        S: Into<String>,
    {
        let mut get = |name: &'static str| -> Result<String, VerifyError> {
            let value: String = lookup(name)
                .ok_or(VerifyError::MissingHeader { name })?
                .into();
            if value.trim().is_empty() {
                return Err(VerifyError::EmptyHeader { name });
            }
            Ok(value)
        };
        Ok(Self {
            transmission_id: get(HEADER_TRANSMISSION_ID)?,
            transmission_time: get(HEADER_TRANSMISSION_TIME)?,
            cert_url: get(HEADER_CERT_URL)?,
            auth_algo: get(HEADER_AUTH_ALGO)?,
            transmission_sig: get(HEADER_TRANSMISSION_SIG)?,
        })
    }
}

/// Checks that `url` may be fetched as a PayPal webhook certificate; see
/// [`parse_paypal_cert_url`].
pub fn check_paypal_cert_url(url: &str) -> Result<(), VerifyError> {
    parse_paypal_cert_url(url).map(|_| ())
}

/// Parses and checks a `PAYPAL-CERT-URL`: `https`, no user information, no port
/// other than 443, host (case-insensitively) one of [`PAYPAL_CERT_HOSTS`].
///
/// Returns the normalised URL: a fetcher must request this value, not the raw
/// header string, so that it reaches the host that was checked.
pub fn parse_paypal_cert_url(raw: &str) -> Result<Url, VerifyError> {
    let refuse = |reason| VerifyError::CertUrl { reason };
    // The URL parser silently drops tabs and newlines and treats '\' as '/':
    // refuse such input instead of guessing what another client would make of it.
    if raw
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(refuse(
            "the URL contains whitespace, control characters or backslashes",
        ));
    }
    let url = Url::parse(raw).map_err(|_| refuse("not an absolute URL"))?;
    if url.scheme() != "https" {
        return Err(refuse("the scheme is not https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("the URL contains user information"));
    }
    // `port()` is None both for no port and for the scheme's default (443).
    if url.port().is_some() {
        return Err(refuse("the URL names a port other than 443"));
    }
    let Some(Host::Domain(host)) = url.host() else {
        return Err(refuse("the URL has no domain name host"));
    };
    if !PAYPAL_CERT_HOSTS
        .iter()
        .any(|allowed| host.eq_ignore_ascii_case(allowed))
    {
        return Err(refuse("the host is not one of PayPal's certificate hosts"));
    }
    Ok(url)
}

/// Checks that a certificate subject common name is one of
/// [`PAYPAL_CERT_COMMON_NAMES`] (case-insensitively).
pub fn check_paypal_cert_cn(cn: &str) -> Result<(), VerifyError> {
    if PAYPAL_CERT_COMMON_NAMES
        .iter()
        .any(|allowed| cn.eq_ignore_ascii_case(allowed))
    {
        Ok(())
    } else {
        Err(VerifyError::CertSubject {
            found: shorten(cn, 80),
        })
    }
}

/// The common names (CN attributes) of an X.509 name, in order.
fn common_names(name: &Name) -> Result<Vec<String>, VerifyError> {
    let mut names = Vec::new();
    for rdn in &name.0 {
        for attr in rdn.0.iter() {
            if attr.oid != OID_COMMON_NAME {
                continue;
            }
            match attr.value.tag() {
                Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
                    let text = std::str::from_utf8(attr.value.value())
                        .map_err(|_| VerifyError::CertSubjectEncoding)?;
                    names.push(text.to_owned());
                }
                _ => return Err(VerifyError::CertSubjectEncoding),
            }
        }
    }
    Ok(names)
}

fn unix_time(time: &x509_cert::time::Time) -> Result<DateTime<Utc>, VerifyError> {
    let secs = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| VerifyError::CertValidityRange)?;
    DateTime::<Utc>::from_timestamp(secs, 0).ok_or(VerifyError::CertValidityRange)
}

/// The first `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----` block.
fn first_pem_certificate(pem: &[u8]) -> Option<&[u8]> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |haystack: &[u8], needle: &[u8]| {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    };
    let start = find(pem, BEGIN)?;
    let rest = pem.get(start..)?;
    let end = find(rest, END)? + END.len();
    rest.get(..end)
}

/// A PayPal message-verification certificate: what verification needs from it.
#[derive(Clone)]
pub struct PaypalCert {
    subject_cns: Vec<String>,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    public_key: RsaPublicKey,
}

impl fmt::Debug for PaypalCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaypalCert")
            .field("subject_cns", &self.subject_cns)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("key_bits", &self.public_key.n().bits())
            .finish()
    }
}

impl PaypalCert {
    /// Parses the first `CERTIFICATE` block of PEM data (PayPal may serve the leaf
    /// followed by its chain; the leaf comes first). Requires an RSA key of at least
    /// 2048 bits. Subject and validity are checked later, by [`verify_paypal`] (or
    /// [`Self::check_subject`] and [`Self::check_valid_at`]).
    pub fn from_pem(pem: &[u8]) -> Result<Self, VerifyError> {
        let block = first_pem_certificate(pem).ok_or(VerifyError::CertNoPem)?;
        // PEM to DER first, then DER: der 0.7's PEM reader behind
        // `Certificate::from_pem` never returns on some truncated blocks
        // (a lone SEQUENCE tag, `MA==`), which would hang a worker.
        let (_, der) =
            x509_cert::der::pem::decode_vec(block).map_err(|e| VerifyError::CertParse(e.into()))?;
        let cert = Certificate::from_der(&der).map_err(VerifyError::CertParse)?;
        let tbs = &cert.tbs_certificate;
        let spki_der = tbs
            .subject_public_key_info
            .to_der()
            .map_err(VerifyError::CertParse)?;
        let public_key =
            RsaPublicKey::from_public_key_der(&spki_der).map_err(VerifyError::CertKey)?;
        let bits = public_key.n().bits();
        if bits < 2048 {
            return Err(VerifyError::CertKeyTooSmall { bits });
        }
        Ok(Self {
            subject_cns: common_names(&tbs.subject)?,
            not_before: unix_time(&tbs.validity.not_before)?,
            not_after: unix_time(&tbs.validity.not_after)?,
            public_key,
        })
    }

    /// The subject common name, if the subject has exactly one.
    pub fn common_name(&self) -> Option<&str> {
        match self.subject_cns.as_slice() {
            [cn] => Some(cn),
            _ => None,
        }
    }

    /// Checks that the subject has exactly one CN and that it is PayPal's
    /// message-verification host (live or sandbox).
    pub fn check_subject(&self) -> Result<(), VerifyError> {
        match self.subject_cns.as_slice() {
            [cn] => check_paypal_cert_cn(cn),
            other => Err(VerifyError::CertSubjectCnCount { count: other.len() }),
        }
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> DateTime<Utc> {
        self.not_before
    }

    /// End of the validity period (inclusive).
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// Checks that `at` lies within the validity period (bounds included).
    pub fn check_valid_at(&self, at: DateTime<Utc>) -> Result<(), VerifyError> {
        if at < self.not_before || at > self.not_after {
            return Err(VerifyError::CertNotValidAt {
                at,
                not_before: self.not_before,
                not_after: self.not_after,
            });
        }
        Ok(())
    }

    /// The certificate's RSA public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }
}

/// A PayPal delivery whose signature was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaypalVerified {
    /// `PAYPAL-TRANSMISSION-ID` (signed; usable to drop duplicate deliveries).
    pub transmission_id: String,
    /// `PAYPAL-TRANSMISSION-TIME` (signed).
    pub transmission_time: DateTime<Utc>,
}

impl PaypalVerified {
    /// Refuses a delivery whose signed transmission time is more than
    /// `tolerance_secs` away from `now` (replay protection).
    pub fn check_fresh(&self, now: DateTime<Utc>, tolerance_secs: i64) -> Result<(), VerifyError> {
        if tolerance_secs < 0 {
            return Err(VerifyError::InvalidTolerance { tolerance_secs });
        }
        let age = now
            .signed_duration_since(self.transmission_time)
            .num_seconds();
        if age > tolerance_secs {
            return Err(VerifyError::TransmissionStale {
                age_secs: age,
                tolerance_secs,
            });
        }
        if age < 0 && age.unsigned_abs() > tolerance_secs.unsigned_abs() {
            return Err(VerifyError::TransmissionInFuture {
                ahead_secs: age.saturating_neg(),
                tolerance_secs,
            });
        }
        Ok(())
    }
}

/// `transmission_id|transmission_time|webhook_id|crc32`, where crc32 is the
/// CRC-32/IEEE of the raw body as an unsigned decimal number.
fn paypal_signed_message(
    transmission_id: &str,
    transmission_time: &str,
    webhook_id: &str,
    body: &[u8],
) -> String {
    let crc = crc32fast::hash(body);
    format!("{transmission_id}|{transmission_time}|{webhook_id}|{crc}")
}

/// Verifies a PayPal webhook delivery offline.
///
/// Checks, in order: `PAYPAL-AUTH-ALGO` is `SHA256withRSA`; the webhook id is not
/// empty; `PAYPAL-TRANSMISSION-TIME` is RFC 3339; the certificate's subject is
/// PayPal's and it was valid at that time; then the RSA PKCS#1 v1.5 SHA-256
/// signature over `transmission_id|transmission_time|webhook_id|crc32(body)`.
///
/// The certificate must come from the URL in `h.cert_url`, checked beforehand with
/// [`check_paypal_cert_url`]. Freshness is left to [`PaypalVerified::check_fresh`].
pub fn verify_paypal(
    h: &PaypalHeaders,
    body: &[u8],
    webhook_id: &str,
    cert: &PaypalCert,
) -> Result<PaypalVerified, VerifyError> {
    if h.auth_algo != PAYPAL_AUTH_ALGO {
        return Err(VerifyError::AuthAlgo {
            found: shorten(&h.auth_algo, 40),
        });
    }
    if webhook_id.is_empty() {
        return Err(VerifyError::EmptyWebhookId);
    }
    let transmission_time = DateTime::parse_from_rfc3339(&h.transmission_time)
        .map_err(VerifyError::TransmissionTime)?
        .with_timezone(&Utc);
    cert.check_subject()?;
    cert.check_valid_at(transmission_time)?;

    let sig_bytes = BASE64
        .decode(&h.transmission_sig)
        .map_err(|_| VerifyError::SignatureEncoding)?;
    let signature =
        RsaSignature::try_from(sig_bytes.as_slice()).map_err(|_| VerifyError::SignatureEncoding)?;
    let message = paypal_signed_message(&h.transmission_id, &h.transmission_time, webhook_id, body);
    VerifyingKey::<Sha256>::new(cert.public_key.clone())
        .verify(message.as_bytes(), &signature)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(PaypalVerified {
        transmission_id: h.transmission_id.clone(),
        transmission_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{flip_one_byte, sample as read_bytes, sample_json as read_json};
    use serde_json::Value;
    use std::str::FromStr;

    fn s(v: &Value) -> &str {
        v.as_str().expect("string field")
    }

    // ---------------------------------------------------------------- PayPal

    struct PaypalVector {
        name: String,
        body: Vec<u8>,
        headers: PaypalHeaders,
        webhook_id: String,
        cert: PaypalCert,
        expected_valid: bool,
        raw: Value,
    }

    fn paypal_vectors() -> Vec<PaypalVector> {
        let v = read_json("paypal/signature_vectors.json");
        let vectors = v["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 7);
        vectors
            .iter()
            .map(|raw| {
                let body = read_bytes(&format!("paypal/{}", s(&raw["body_file"])));
                assert_eq!(body.len() as u64, raw["body_len"].as_u64().unwrap());
                let headers =
                    PaypalHeaders::from_lookup(|name| raw["headers"][name].as_str()).unwrap();
                let cert =
                    PaypalCert::from_pem(&read_bytes(&format!("paypal/{}", s(&raw["cert_file"]))))
                        .unwrap();
                PaypalVector {
                    name: s(&raw["body_file"]).to_owned(),
                    body,
                    headers,
                    webhook_id: s(&raw["webhook_id"]).to_owned(),
                    cert,
                    expected_valid: raw["expected_valid"].as_bool().unwrap(),
                    raw: raw.clone(),
                }
            })
            .collect()
    }

    #[test]
    fn paypal_real_vectors_verify() {
        let vectors = paypal_vectors();
        let mut valid = 0;
        for v in &vectors {
            assert_eq!(
                u64::from(crc32fast::hash(&v.body)),
                v.raw["crc32_decimal"].as_u64().unwrap(),
                "{}",
                v.name
            );
            assert_eq!(
                paypal_signed_message(
                    &v.headers.transmission_id,
                    &v.headers.transmission_time,
                    &v.webhook_id,
                    &v.body
                ),
                s(&v.raw["signed_message"]),
                "{}",
                v.name
            );
            check_paypal_cert_url(&v.headers.cert_url).unwrap();
            let result = verify_paypal(&v.headers, &v.body, &v.webhook_id, &v.cert);
            if v.expected_valid {
                let ok = result.unwrap_or_else(|e| panic!("{}: {e}", v.name));
                assert_eq!(ok.transmission_id, v.headers.transmission_id);
                assert_eq!(
                    ok.transmission_time,
                    DateTime::parse_from_rfc3339(&v.headers.transmission_time).unwrap()
                );
                valid += 1;
            } else {
                assert!(result.is_err(), "{} must not verify", v.name);
            }
        }
        assert!(valid >= 7);
    }

    #[test]
    fn paypal_flipped_body_byte_fails() {
        for v in paypal_vectors() {
            for tampered in [
                flip_one_byte(&v.body),
                {
                    let mut b = v.body.clone();
                    b[0] ^= 0x20;
                    b
                },
                {
                    let mut b = v.body.clone();
                    b.push(b'\n');
                    b
                },
            ] {
                assert!(
                    matches!(
                        verify_paypal(&v.headers, &tampered, &v.webhook_id, &v.cert),
                        Err(VerifyError::SignatureMismatch)
                    ),
                    "{}",
                    v.name
                );
            }
        }
    }

    #[test]
    fn paypal_wrong_webhook_id_fails() {
        for v in paypal_vectors() {
            let wrong = format!("{}X", v.webhook_id);
            assert!(matches!(
                verify_paypal(&v.headers, &v.body, &wrong, &v.cert),
                Err(VerifyError::SignatureMismatch)
            ));
            assert!(matches!(
                verify_paypal(&v.headers, &v.body, "", &v.cert),
                Err(VerifyError::EmptyWebhookId)
            ));
        }
    }

    #[test]
    fn paypal_altered_headers_fail() {
        let v = &paypal_vectors()[0];
        let mut h = v.headers.clone();
        h.transmission_id.replace_range(0..1, "9");
        assert!(matches!(
            verify_paypal(&h, &v.body, &v.webhook_id, &v.cert),
            Err(VerifyError::SignatureMismatch)
        ));
        // Same instant written differently: still a different signed message.
        let mut h = v.headers.clone();
        h.transmission_time = h.transmission_time.replace('Z', "+00:00");
        assert!(matches!(
            verify_paypal(&h, &v.body, &v.webhook_id, &v.cert),
            Err(VerifyError::SignatureMismatch)
        ));
        let mut h = v.headers.clone();
        h.transmission_sig = "not base64!".into();
        assert!(matches!(
            verify_paypal(&h, &v.body, &v.webhook_id, &v.cert),
            Err(VerifyError::SignatureEncoding)
        ));
        let mut h = v.headers.clone();
        h.transmission_sig = BASE64.encode([1u8; 16]);
        assert!(verify_paypal(&h, &v.body, &v.webhook_id, &v.cert).is_err());
        let mut h = v.headers.clone();
        h.transmission_time = "30/07/2024 10:29".into();
        assert!(matches!(
            verify_paypal(&h, &v.body, &v.webhook_id, &v.cert),
            Err(VerifyError::TransmissionTime(_))
        ));
    }

    #[test]
    fn paypal_wrong_auth_algo_refused() {
        let v = &paypal_vectors()[0];
        for algo in [
            "SHA1withRSA",
            "sha256withrsa",
            "SHA256withRSA ",
            "SHA256withECDSA",
        ] {
            let mut h = v.headers.clone();
            h.auth_algo = algo.into();
            let err = verify_paypal(&h, &v.body, &v.webhook_id, &v.cert).unwrap_err();
            assert!(matches!(err, VerifyError::AuthAlgo { .. }), "{err}");
            assert!(err.to_string().contains("SHA256withRSA"));
        }
    }

    #[test]
    fn paypal_missing_or_empty_header_is_named() {
        let v = &paypal_vectors()[0];
        for missing in [
            HEADER_TRANSMISSION_ID,
            HEADER_TRANSMISSION_TIME,
            HEADER_CERT_URL,
            HEADER_AUTH_ALGO,
            HEADER_TRANSMISSION_SIG,
        ] {
            let err = PaypalHeaders::from_lookup(|name| {
                (name != missing).then(|| s(&v.raw["headers"][name]).to_owned())
            })
            .unwrap_err();
            assert!(matches!(err, VerifyError::MissingHeader { name } if name == missing));
            assert_eq!(
                err.to_string(),
                format!("missing required header {missing}")
            );

            let err = PaypalHeaders::from_lookup(|name| {
                Some(if name == missing {
                    "  "
                } else {
                    s(&v.raw["headers"][name])
                })
            })
            .unwrap_err();
            assert!(matches!(err, VerifyError::EmptyHeader { name } if name == missing));
            assert!(err.to_string().contains(missing));
        }
    }

    #[test]
    fn paypal_headers_debug_hides_signature() {
        let v = &paypal_vectors()[0];
        let debug = format!("{:?}", v.headers);
        assert!(debug.contains(&v.headers.transmission_id));
        assert!(!debug.contains(&v.headers.transmission_sig[..20]));
        // Neither do errors carry it.
        let err = verify_paypal(&v.headers, b"x", &v.webhook_id, &v.cert).unwrap_err();
        assert!(!format!("{err} {err:?}").contains(&v.headers.transmission_sig[..20]));
    }

    #[test]
    fn paypal_cert_url_allowed() {
        for url in [
            "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb",
            "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
            "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1",
            "https://API.PayPal.COM/v1/notifications/certs/CERT-1",
            "https://api.paypal.com:443/v1/notifications/certs/CERT-1",
            "HTTPS://api.paypal.com/v1/notifications/certs/CERT-1",
        ] {
            check_paypal_cert_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        let url = parse_paypal_cert_url("https://API.PAYPAL.COM:443/v1/x").unwrap();
        assert_eq!(url.as_str(), "https://api.paypal.com/v1/x");
    }

    #[test]
    fn paypal_cert_url_refused() {
        for url in [
            "",
            "api.paypal.com/v1/notifications/certs/CERT-1",
            "//api.paypal.com/v1/notifications/certs/CERT-1",
            "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "ftp://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com.evil.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com@evil.com/v1/notifications/certs/CERT-1",
            "https://user:pass@api.paypal.com/v1/notifications/certs/CERT-1",
            "https://user@api.paypal.com/v1/notifications/certs/CERT-1",
            "https://evil.com/?x=api.paypal.com",
            "https://evil.com/api.paypal.com",
            "https://evil.com#api.paypal.com",
            "https://evilapi.paypal.com/v1/notifications/certs/CERT-1",
            "https://paypal.com/v1/notifications/certs/CERT-1",
            "https://www.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com./v1/notifications/certs/CERT-1",
            "https://api.paypal.com:8443/v1/notifications/certs/CERT-1",
            "https://api.paypal.com:80/v1/notifications/certs/CERT-1",
            "https://api.paypal.com%2eevil.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com\\@evil.com/",
            "https://evil.com\\@api.paypal.com/",
            "https://api.pay\tpal.com/v1/notifications/certs/CERT-1",
            "https://api.pay\npal.com/v1/notifications/certs/CERT-1",
            " https://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://127.0.0.1/v1/notifications/certs/CERT-1",
            "https://[::1]/v1/notifications/certs/CERT-1",
            "https://xn--pypal-4ve.com/v1/notifications/certs/CERT-1",
            "https://аpi.paypal.com/v1/notifications/certs/CERT-1",
            "file:///etc/passwd",
            "data:text/plain,api.paypal.com",
        ] {
            let err = check_paypal_cert_url(url).expect_err(url);
            assert!(matches!(err, VerifyError::CertUrl { .. }), "{url}: {err}");
        }
    }

    #[test]
    fn paypal_real_certs_have_paypal_subjects() {
        let live = PaypalCert::from_pem(&read_bytes(
            "paypal/certs/CERT-360caa42-fca2a594-1a5f47cb.live.pem",
        ))
        .unwrap();
        assert_eq!(
            live.common_name(),
            Some("messageverificationcerts.paypal.com")
        );
        live.check_subject().unwrap();
        assert_eq!(live.public_key().n().bits(), 2048);
        assert_eq!(live.not_before().to_rfc3339(), "2024-03-08T00:00:00+00:00");
        assert_eq!(live.not_after().to_rfc3339(), "2025-03-07T23:59:59+00:00");

        let sandbox = PaypalCert::from_pem(&read_bytes(
            "paypal/certs/CERT-360caa42-fca2a594-a5cafa77.sandbox.pem",
        ))
        .unwrap();
        assert_eq!(
            sandbox.common_name(),
            Some("messageverificationcerts.sandbox.paypal.com")
        );
        sandbox.check_subject().unwrap();
        assert_eq!(
            sandbox.not_before().to_rfc3339(),
            "2015-03-18T00:00:00+00:00"
        );
        assert_eq!(
            sandbox.not_after().to_rfc3339(),
            "2017-03-22T12:00:00+00:00"
        );
    }

    #[test]
    fn paypal_cn_check() {
        check_paypal_cert_cn("messageverificationcerts.paypal.com").unwrap();
        check_paypal_cert_cn("MessageVerificationCerts.Sandbox.PayPal.com").unwrap();
        for cn in [
            "",
            "paypal.com",
            "www.paypal.com",
            "evil.example.com",
            "messageverificationcerts.paypal.com.evil.com",
            "evil.messageverificationcerts.paypal.com",
            "*.paypal.com",
            "messageverificationcerts.paypal.com\0",
            "messageverificationcerts.paypal.com ",
        ] {
            assert!(
                matches!(
                    check_paypal_cert_cn(cn),
                    Err(VerifyError::CertSubject { .. })
                ),
                "{cn:?}"
            );
        }
    }

    #[test]
    fn paypal_cert_with_foreign_subject_is_refused() {
        let v = &paypal_vectors()[0];
        let crafted = [
            ("CN=evil.example.com,O=PayPal\\, Inc.,C=US", 1),
            ("CN=messageverificationcerts.paypal.com.evil.com", 1),
            ("O=PayPal\\, Inc.,C=US", 0),
            (
                "CN=messageverificationcerts.paypal.com,CN=evil.example.com",
                2,
            ),
        ];
        for (subject, cn_count) in crafted {
            let name = Name::from_str(subject).unwrap();
            let cns = common_names(&name).unwrap();
            assert_eq!(cns.len(), cn_count, "{subject}");
            let mut cert = v.cert.clone();
            cert.subject_cns = cns;
            let err = verify_paypal(&v.headers, &v.body, &v.webhook_id, &cert).unwrap_err();
            match cn_count {
                1 => assert!(matches!(err, VerifyError::CertSubject { .. }), "{err}"),
                n => assert!(
                    matches!(err, VerifyError::CertSubjectCnCount { count } if count == n),
                    "{err}"
                ),
            }
        }
        // A crafted name with PayPal's CN passes the subject check.
        let name =
            Name::from_str("CN=messageverificationcerts.paypal.com,O=PayPal\\, Inc.").unwrap();
        let mut cert = v.cert.clone();
        cert.subject_cns = common_names(&name).unwrap();
        assert!(verify_paypal(&v.headers, &v.body, &v.webhook_id, &cert).is_ok());
    }

    #[test]
    fn paypal_transmission_time_outside_cert_validity_refused() {
        for v in paypal_vectors() {
            for time in [
                "2014-01-01T00:00:00Z",
                "2020-06-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
            ] {
                let mut h = v.headers.clone();
                h.transmission_time = time.into();
                // None of these instants lies within either sample certificate's validity.
                let result = verify_paypal(&h, &v.body, &v.webhook_id, &v.cert);
                assert!(
                    matches!(result, Err(VerifyError::CertNotValidAt { .. })),
                    "{} at {time}",
                    v.name
                );
            }
        }
        // Bounds are inclusive.
        let cert = &paypal_vectors()[0].cert;
        let second = chrono::Duration::seconds(1);
        assert!(cert.check_valid_at(cert.not_before()).is_ok());
        assert!(cert.check_valid_at(cert.not_after()).is_ok());
        assert!(cert.check_valid_at(cert.not_before() - second).is_err());
        assert!(cert.check_valid_at(cert.not_after() + second).is_err());
    }

    #[test]
    fn paypal_cert_from_bad_pem() {
        let live = read_bytes("paypal/certs/CERT-360caa42-fca2a594-1a5f47cb.live.pem");
        assert!(matches!(
            PaypalCert::from_pem(b""),
            Err(VerifyError::CertNoPem)
        ));
        assert!(matches!(
            PaypalCert::from_pem(b"hello"),
            Err(VerifyError::CertNoPem)
        ));
        assert!(matches!(
            PaypalCert::from_pem(b"-----BEGIN CERTIFICATE-----\n"),
            Err(VerifyError::CertNoPem)
        ));
        assert!(matches!(
            PaypalCert::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(VerifyError::CertParse(_))
        ));
        let mut truncated = live[..live.len() / 2].to_vec();
        truncated.extend_from_slice(b"\n-----END CERTIFICATE-----\n");
        assert!(PaypalCert::from_pem(&truncated).is_err());
        // Leading text and a chain after the leaf: the first block is the leaf.
        let sandbox = read_bytes("paypal/certs/CERT-360caa42-fca2a594-a5cafa77.sandbox.pem");
        let mut chain = b"subject=CN=messageverificationcerts.paypal.com\n".to_vec();
        chain.extend_from_slice(&live);
        chain.extend_from_slice(b"\r\n");
        chain.extend_from_slice(&sandbox);
        let cert = PaypalCert::from_pem(&chain).unwrap();
        assert_eq!(
            cert.common_name(),
            Some("messageverificationcerts.paypal.com")
        );
        // LF-only line endings parse too (the sample files use CRLF).
        let lf: Vec<u8> = live.iter().copied().filter(|&b| b != b'\r').collect();
        assert!(PaypalCert::from_pem(&lf).is_ok());
    }

    #[test]
    fn paypal_check_fresh() {
        let verified = PaypalVerified {
            transmission_id: "id".into(),
            transmission_time: DateTime::parse_from_rfc3339("2024-07-30T10:29:03Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        let at = |secs: i64| verified.transmission_time + chrono::Duration::seconds(secs);
        assert!(verified.check_fresh(at(0), 300).is_ok());
        assert!(verified.check_fresh(at(300), 300).is_ok());
        assert!(verified.check_fresh(at(-300), 300).is_ok());
        assert!(matches!(
            verified.check_fresh(at(301), 300),
            Err(VerifyError::TransmissionStale { age_secs: 301, .. })
        ));
        assert!(matches!(
            verified.check_fresh(at(-301), 300),
            Err(VerifyError::TransmissionInFuture {
                ahead_secs: 301,
                ..
            })
        ));
        assert!(matches!(
            verified.check_fresh(at(0), -1),
            Err(VerifyError::InvalidTolerance { .. })
        ));
    }
}

/// Hostile input: whatever the header, body, URL or certificate bytes, every
/// entry point answers with a value or a [`VerifyError`], never a panic; and
/// what is accepted really satisfies the rules.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/webhook-samples");
    const LIVE_CERT: &str = "paypal/certs/CERT-360caa42-fca2a594-1a5f47cb.live.pem";
    const HEADERS: [&str; 5] = [
        HEADER_TRANSMISSION_ID,
        HEADER_TRANSMISSION_TIME,
        HEADER_CERT_URL,
        HEADER_AUTH_ALGO,
        HEADER_TRANSMISSION_SIG,
    ];

    fn live_pem() -> Vec<u8> {
        std::fs::read(format!("{SAMPLES}/{LIVE_CERT}")).unwrap()
    }

    /// The DER bytes inside the live certificate's PEM.
    fn live_der() -> Vec<u8> {
        let pem = String::from_utf8(live_pem()).unwrap();
        let b64: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::trim)
            .collect();
        BASE64.decode(b64).unwrap()
    }

    fn to_pem(der: &[u8]) -> Vec<u8> {
        let b64 = BASE64.encode(der);
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem.into_bytes()
    }

    /// URL-like text around PayPal's hosts, and anything at all.
    fn cert_url() -> impl Strategy<Value = String> {
        let scheme = prop::sample::select(vec![
            "https://", "http://", "HTTPS://", "//", "", "file://", "https:/",
        ]);
        let host = prop_oneof![
            prop::sample::select(PAYPAL_CERT_HOSTS.to_vec()).prop_map(str::to_owned),
            "[a-zA-Z0-9.@:%\\[\\]-]{0,30}",
            "\\PC{0,20}",
        ];
        let rest = prop_oneof![
            Just(String::new()),
            "(:[0-9]{0,6})?/v1/notifications/certs/CERT-[a-z0-9-]{0,20}",
            "[/?#@\\\\:.a-z0-9%]{0,30}",
            "\\PC{0,30}",
        ];
        prop_oneof![
            (scheme, host, rest).prop_map(|(s, h, r)| format!("{s}{h}{r}")),
            "\\PC{0,60}",
            any::<String>(),
        ]
    }

    /// Up to five header values, some absent, some blank, some long.
    fn header_values() -> impl Strategy<Value = Vec<Option<String>>> {
        prop::collection::vec(
            prop::option::weighted(
                0.8,
                prop_oneof![
                    "\\PC{0,40}",
                    "[ \t]{0,3}",
                    Just(PAYPAL_AUTH_ALGO.to_owned()),
                    Just("2024-07-30T10:29:03Z".to_owned()),
                    "[A-Za-z0-9+/=]{0,400}",
                ],
            ),
            5,
        )
    }

    /// Found by `a_mutated_real_certificate_...`: `Certificate::from_pem`
    /// never returned on these.
    #[test]
    fn truncated_certificate_blocks_are_errors_not_hangs() {
        for der in [
            &[0x30u8][..],
            &[0x30, 0x82],
            &[0x30, 0x82, 0x07],
            &live_der()[..137],
        ] {
            assert!(matches!(
                PaypalCert::from_pem(&to_pem(der)),
                Err(VerifyError::CertParse(_))
            ));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn paypal_headers_are_read_or_the_first_missing_one_is_named(values in header_values()) {
            let lookup = |name: &'static str| {
                let i = HEADERS.iter().position(|h| *h == name)?;
                values[i].clone()
            };
            match PaypalHeaders::from_lookup(lookup) {
                Ok(h) => {
                    prop_assert!(values.iter().all(|v| v.as_ref().is_some_and(|s| !s.trim().is_empty())));
                    let debug = format!("{h:?}");
                    prop_assert!(debug.contains("<redacted>"), "{}", debug);
                }
                Err(VerifyError::MissingHeader { name } | VerifyError::EmptyHeader { name }) => {
                    let i = HEADERS.iter().position(|h| *h == name).unwrap();
                    prop_assert!(values[..i].iter().all(|v| v.as_ref().is_some_and(|s| !s.trim().is_empty())));
                    prop_assert!(values[i].as_ref().is_none_or(|s| s.trim().is_empty()));
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }

        #[test]
        fn any_cert_url_is_refused_or_names_a_paypal_host_over_https(url in cert_url()) {
            match parse_paypal_cert_url(&url) {
                Ok(parsed) => {
                    prop_assert_eq!(parsed.scheme(), "https");
                    prop_assert!(parsed.port().is_none());
                    prop_assert!(parsed.username().is_empty() && parsed.password().is_none());
                    let host = parsed.host_str().unwrap_or_default();
                    prop_assert!(PAYPAL_CERT_HOSTS.contains(&host), "{host}");
                    prop_assert!(check_paypal_cert_url(&url).is_ok());
                }
                Err(e) => {
                    let refused = matches!(e, VerifyError::CertUrl { .. });
                    prop_assert!(refused, "{}", e);
                }
            }
        }

        #[test]
        fn any_bytes_are_a_certificate_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = PaypalCert::from_pem(&bytes);
            let _ = PaypalCert::from_pem(&to_pem(&bytes));
            let mut framed = b"-----BEGIN CERTIFICATE-----\n".to_vec();
            framed.extend_from_slice(&bytes);
            framed.extend_from_slice(b"\n-----END CERTIFICATE-----\n");
            let _ = PaypalCert::from_pem(&framed);
        }

        #[test]
        fn a_mutated_real_certificate_parses_or_fails_and_then_verifies_or_fails(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in prop::option::of(any::<prop::sample::Index>()),
            values in header_values(),
            body in prop::collection::vec(any::<u8>(), 0..64),
            at in any::<i64>(),
        ) {
            let mut der = live_der();
            for (i, b) in &edits {
                let i = i.index(der.len());
                der[i] = *b;
            }
            if let Some(cut) = cut {
                der.truncate(cut.index(der.len()));
            }
            if let Ok(cert) = PaypalCert::from_pem(&to_pem(&der)) {
                let _ = cert.check_subject();
                let _ = format!("{cert:?}");
                if let Some(at) = DateTime::from_timestamp(at % 400_000_000_000, 0) {
                    let _ = cert.check_valid_at(at);
                }
                let headers = PaypalHeaders {
                    transmission_id: values[0].clone().unwrap_or_default(),
                    transmission_time: values[1].clone().unwrap_or_default(),
                    cert_url: values[2].clone().unwrap_or_default(),
                    auth_algo: PAYPAL_AUTH_ALGO.to_owned(),
                    transmission_sig: values[4].clone().unwrap_or_default(),
                };
                let _ = verify_paypal(&headers, &body, "WH-1", &cert);
            }
        }

        #[test]
        fn any_paypal_delivery_against_the_real_certificate_verifies_or_fails(
            values in header_values(),
            webhook_id in "\\PC{0,20}",
            body in prop::collection::vec(any::<u8>(), 0..200),
            now in any::<i64>(),
            tolerance in any::<i64>(),
        ) {
            let cert = PaypalCert::from_pem(&live_pem()).unwrap();
            let get = |i: usize| values[i].clone().unwrap_or_default();
            let headers = PaypalHeaders {
                transmission_id: get(0),
                transmission_time: get(1),
                cert_url: get(2),
                auth_algo: get(3),
                transmission_sig: get(4),
            };
            // Random signatures never verify against PayPal's key.
            let result = verify_paypal(&headers, &body, &webhook_id, &cert);
            prop_assert!(result.is_err());
            let verified = PaypalVerified {
                transmission_id: get(0),
                transmission_time: DateTime::from_timestamp(now % 200_000_000_000, 0)
                    .unwrap_or_default(),
            };
            let _ = verified.check_fresh(Utc::now(), tolerance);
        }
    }
}
