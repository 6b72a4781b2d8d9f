//! What every provider's API client shares: one base URL, one agent, the
//! retry policy and the error every failed call becomes.
//!
//! The rooms' `api` modules ([`super::stripe::api`], [`super::paypal::api`])
//! say which calls they make; this module makes them. What it promises:
//!
//! - **A time limit on every call** ([`Api::new`]'s timeout; `TALLY_API_TIMEOUT`
//!   seconds, default 30).
//! - **Retries for what is worth retrying.** A 429, a 5xx, a timeout or a
//!   failed connection is tried again, up to [`Retry::attempts`] times, after
//!   the provider's `Retry-After` (capped at [`Retry::max_wait`]) or an
//!   exponential backoff with jitter (0.5 s doubling to 5 s, Stripe's own
//!   client's policy). Stripe's `Stripe-Should-Retry` decides when present:
//!   `false` is never retried, `true` always is.
//! - **Clear errors.** Any other answer is an [`ApiError`] naming the
//!   provider, the call and the provider's own error text.
//! - **No secret anywhere.** Credentials travel in the `Authorization` header
//!   only; no error, log or message holds them, and an error text that
//!   echoes one has it masked ([`Api::redact`]).
//! - **HTTPS only**, except plain HTTP to a loopback address (test servers).
//! - **Calls are counted** ([`Api::calls`]), so a caller can say how many
//!   requests a pass made.

use std::cell::Cell;
use std::time::Duration;

use serde_json::Value;

use super::http;
use crate::domain::Provider;

/// The default time limit of one call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest body read from a provider (a page of 100 events is far less).
const MAX_BODY: u64 = 32 * 1024 * 1024;

/// Why a call failed. Every message names the provider and the call; none
/// holds a credential.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{provider}: {call}: {status} {text}")]
    Status {
        provider: &'static str,
        call: String,
        status: u16,
        /// The provider's error text (its `message`, or the body's start).
        text: String,
    },
    #[error("{provider}: {call}: no answer within {secs} s (tried {attempts} times)")]
    Timeout {
        provider: &'static str,
        call: String,
        secs: u64,
        attempts: u32,
    },
    #[error("{provider}: {call}: cannot reach {host}: {reason} (tried {attempts} times)")]
    Transport {
        provider: &'static str,
        call: String,
        host: String,
        reason: String,
        attempts: u32,
    },
    #[error("{provider}: {call}: the answer is not what the API documents: {reason}")]
    Malformed {
        provider: &'static str,
        call: String,
        reason: String,
    },
    #[error("{provider}: bad API URL {url:?}: {reason}")]
    BadUrl {
        provider: &'static str,
        url: String,
        reason: String,
    },
}

impl ApiError {
    /// The error as a message: tally's words in the owner's language, the
    /// provider's own text as it gave it.
    pub fn msg(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            ApiError::Status {
                provider,
                call,
                status,
                text,
            } => msg!(
                "api-status",
                provider = *provider,
                call = call.as_str(),
                status = status.to_string(),
                text = text.as_str()
            ),
            ApiError::Timeout {
                provider,
                call,
                secs,
                attempts,
            } => msg!(
                "api-timeout",
                provider = *provider,
                call = call.as_str(),
                secs = secs.to_string(),
                attempts = *attempts
            ),
            ApiError::Transport {
                provider,
                call,
                host,
                reason,
                attempts,
            } => msg!(
                "api-transport",
                provider = *provider,
                call = call.as_str(),
                host = host.as_str(),
                reason = reason.as_str(),
                attempts = *attempts
            ),
            ApiError::Malformed {
                provider,
                call,
                reason,
            } => msg!(
                "api-malformed",
                provider = *provider,
                call = call.as_str(),
                reason = reason.as_str()
            ),
            ApiError::BadUrl {
                provider,
                url,
                reason,
            } => msg!(
                "api-bad-url",
                provider = *provider,
                url = format!("{url:?}"),
                reason = reason.as_str()
            ),
        }
    }

    /// The HTTP status, for an answer the provider refused.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            ApiError::Timeout { .. }
            | ApiError::Transport { .. }
            | ApiError::Malformed { .. }
            | ApiError::BadUrl { .. } => None,
        }
    }
}

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first backoff; doubled each time, up to `max_backoff`.
    pub base: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one is waited this long.
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 5,
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// How a call authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Bearer(&'a str),
    /// HTTP Basic (PayPal's token call: client id and secret).
    Basic(&'a str, &'a str),
}

/// A call's method and body.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    Get,
    /// `application/x-www-form-urlencoded`.
    Form(&'a [(&'a str, &'a str)]),
    /// `application/json` (PayPal's and Wave's POST bodies).
    Json(&'a Value),
    /// A POST with no body (Wave's refund and expire).
    Empty,
}

/// What a call sends besides its method and body.
#[derive(Clone, Copy, Default)]
pub struct Extra<'a> {
    /// More request headers: an idempotency key (Stripe's
    /// `Idempotency-Key`, PayPal's `PayPal-Request-Id`), PayPal's `Prefer`.
    /// Every retry sends them again, so a retried POST carries the same
    /// key and cannot act twice.
    pub headers: &'a [(&'a str, &'a str)],
    /// Retry a 409 too: Stripe answers 409 to a request whose key is still
    /// being executed by an earlier try (its own client retries it).
    pub retry_conflict: bool,
}

/// One provider's API: its base URL, an agent and the retry policy.
pub struct Api {
    provider: Provider,
    base: url::Url,
    agent: ureq::Agent,
    timeout: Duration,
    retry: Retry,
    /// Secrets to mask in any error text the provider sends back.
    secrets: Vec<String>,
    calls: Cell<u32>,
}

/// The time limit of one call: `TALLY_API_TIMEOUT` seconds, else 30 s.
pub fn timeout_from_env() -> Duration {
    std::env::var("TALLY_API_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 3600.0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64)
}

/// Whether `url` is plain HTTP to this machine (a test server).
fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Api {
    /// A client of `provider`'s API at `base` (e.g. `https://api.stripe.com`).
    /// Plain `http://` is refused unless the host is a loopback address.
    pub fn new(provider: Provider, base: &str, timeout: Duration) -> Result<Api, ApiError> {
        let bad = |reason: &str| ApiError::BadUrl {
            provider: provider.title(),
            url: base.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parsed = url::Url::parse(base.trim()).map_err(|e| bad(&e.to_string()))?;
        let allow_http = match parsed.scheme() {
            "https" => false,
            "http" if loopback(&parsed) => true,
            "http" => return Err(bad("plain http is allowed to a loopback address only")),
            _ => return Err(bad("not an http(s) URL")),
        };
        if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some()
        {
            return Err(bad("a base URL has no query and no credentials"));
        }
        // A base with a path ("http://host/stripe") keeps it.
        if !parsed.path().ends_with('/') {
            let path = format!("{}/", parsed.path());
            parsed.set_path(&path);
        }
        Ok(Api {
            provider,
            base: parsed,
            agent: http::api_agent(timeout, allow_http),
            timeout,
            retry: Retry::default(),
            secrets: Vec::new(),
            calls: Cell::new(0),
        })
    }

    /// The same client with another retry policy (tests).
    pub fn with_retry(mut self, retry: Retry) -> Api {
        self.retry = retry;
        self
    }

    /// Registers a credential to mask in any error text.
    pub fn hide(&mut self, secret: &str) {
        if secret.len() >= 4 {
            self.secrets.push(secret.to_owned());
        }
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// How many HTTP requests this client sent, retries included.
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    /// The host, for messages.
    pub fn host(&self) -> String {
        self.base.host_str().unwrap_or_default().to_owned()
    }

    /// `path` (relative, e.g. `v1/events`) with `query` appended.
    pub fn url(&self, path: &str, query: &[(&str, String)]) -> Result<url::Url, ApiError> {
        let mut url =
            self.base
                .join(path.trim_start_matches('/'))
                .map_err(|e| ApiError::BadUrl {
                    provider: self.provider.title(),
                    url: path.to_owned(),
                    reason: e.to_string(),
                })?;
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Whether `url` (a paging link the provider sent) is on this API's
    /// host: a link elsewhere would carry the credentials away.
    pub fn same_origin(&self, url: &url::Url) -> bool {
        url.origin() == self.base.origin()
    }

    /// Masks every registered secret in `text`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "[redacted]");
        }
        out
    }

    /// Makes one call, named `call` in errors, with retries; returns the
    /// JSON body of a 2xx answer (`Value::Null` for an empty one).
    pub fn call(
        &self,
        call: &str,
        url: &url::Url,
        auth: Auth<'_>,
        body: Body<'_>,
    ) -> Result<Value, ApiError> {
        self.call_with(call, url, auth, body, Extra::default())
    }

    /// [`Api::call`] with more headers (the same on every try).
    pub fn call_with(
        &self,
        call: &str,
        url: &url::Url,
        auth: Auth<'_>,
        body: Body<'_>,
        extra: Extra<'_>,
    ) -> Result<Value, ApiError> {
        let provider = self.provider.title();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.calls.set(self.calls.get().saturating_add(1));
            let outcome = self.send(url, auth, &body, extra.headers);
            let last = attempt >= self.retry.attempts;
            let wait = match outcome {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    return self.json(call, &answer.body);
                }
                Ok(answer) => {
                    let retry = match answer.should_retry {
                        Some(says) => says,
                        None => {
                            answer.status == 429
                                || answer.status >= 500
                                || (answer.status == 409 && extra.retry_conflict)
                        }
                    };
                    if !retry || last {
                        return Err(ApiError::Status {
                            provider,
                            call: call.to_owned(),
                            status: answer.status,
                            text: self.redact(&error_text(&answer.body)),
                        });
                    }
                    answer
                        .retry_after
                        .map(|d| d.min(self.retry.max_wait))
                        .unwrap_or_else(|| self.backoff(attempt))
                }
                Err(ureq::Error::Timeout(_)) if last => {
                    return Err(ApiError::Timeout {
                        provider,
                        call: call.to_owned(),
                        secs: self.timeout.as_secs().max(1),
                        attempts: attempt,
                    });
                }
                Err(e) if last || !transient(&e) => {
                    return Err(ApiError::Transport {
                        provider,
                        call: call.to_owned(),
                        host: self.host(),
                        reason: self.redact(&e.to_string()),
                        attempts: attempt,
                    });
                }
                Err(_) => self.backoff(attempt),
            };
            std::thread::sleep(wait);
        }
    }

    /// The backoff before try `attempt + 1`: `base × 2^(attempt-1)`, capped,
    /// with jitter in [½, 1]×, never below half the base.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .retry
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.retry.max_backoff);
        let jitter = 0.5 + fastrand::f64() * 0.5;
        exp.mul_f64(jitter).max(self.retry.base / 2)
    }

    fn send(
        &self,
        url: &url::Url,
        auth: Auth<'_>,
        body: &Body<'_>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, ureq::Error> {
        let authorization = match auth {
            Auth::Bearer(token) => format!("Bearer {token}"),
            Auth::Basic(user, pass) => {
                use base64::Engine;
                let raw = format!("{user}:{pass}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
        };
        let mut response = match body {
            Body::Get => {
                let mut request = self
                    .agent
                    .get(url.as_str())
                    .header("Authorization", &authorization)
                    .header("Accept", "application/json");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                request.call()?
            }
            Body::Form(_) | Body::Json(_) | Body::Empty => {
                let mut request = self
                    .agent
                    .post(url.as_str())
                    .header("Authorization", &authorization)
                    .header("Accept", "application/json");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                match body {
                    Body::Form(pairs) => request.send_form(pairs.iter().copied())?,
                    Body::Json(value) => request
                        .header("Content-Type", "application/json")
                        .send(value.to_string().as_bytes())?,
                    Body::Get | Body::Empty => request.send_empty()?,
                }
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .map(str::to_owned)
        };
        let retry_after = header("retry-after").and_then(|v| retry_after(&v));
        let should_retry = header("stripe-should-retry").and_then(|v| match v.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()?;
        Ok(Answer {
            status,
            retry_after,
            should_retry,
            body,
        })
    }

    fn json(&self, call: &str, body: &[u8]) -> Result<Value, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(body).map_err(|e| ApiError::Malformed {
            provider: self.provider.title(),
            call: call.to_owned(),
            reason: format!("not JSON ({e})"),
        })
    }

    /// A malformed-answer error for `call`.
    pub fn malformed(&self, call: &str, reason: impl Into<String>) -> ApiError {
        ApiError::Malformed {
            provider: self.provider.title(),
            call: call.to_owned(),
            reason: reason.into(),
        }
    }
}

/// One HTTP answer, read.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    should_retry: Option<bool>,
    body: Vec<u8>,
}

/// Whether a transport error may pass: a timeout, a refused or reset
/// connection. A TLS or URL error will not.
fn transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::ConnectionFailed
    )
}

/// `Retry-After`: seconds (an HTTP date is read as "soon": one second).
fn retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(3600.0)));
    }
    (!value.is_empty()).then_some(Duration::from_secs(1))
}

/// The provider's error text: Stripe's `error.message`, PayPal's
/// `message` / `error_description` (with its `name` / `error`), Wave's
/// `message`; else the start of the body.
pub fn error_text(body: &[u8]) -> String {
    let short = |s: &str| -> String {
        let s: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(300)
            .collect();
        s.trim().to_owned()
    };
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return if text.trim().is_empty() {
            "(empty answer)".to_owned()
        } else {
            short(&text)
        };
    };
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(short);
    let err = v.get("error");
    if let Some(message) = s(err.and_then(|e| e.get("message"))) {
        let code =
            s(err.and_then(|e| e.get("code"))).or_else(|| s(err.and_then(|e| e.get("type"))));
        return match code {
            Some(code) => format!("{message} ({code})"),
            None => message,
        };
    }
    if let Some(description) = s(v.get("error_description")) {
        return match s(err) {
            Some(code) => format!("{description} ({code})"),
            None => description,
        };
    }
    if let Some(message) = s(v.get("message")) {
        return match s(v.get("name")).or_else(|| s(v.get("code"))) {
            Some(name) => format!("{message} ({name})"),
            None => message,
        };
    }
    short(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts_are_the_providers_own() {
        assert_eq!(
            error_text(br#"{"error":{"message":"Invalid API Key provided: sk_test_****1234","type":"invalid_request_error"}}"#),
            "Invalid API Key provided: sk_test_****1234 (invalid_request_error)"
        );
        assert_eq!(
            error_text(
                br#"{"error":"invalid_client","error_description":"Client Authentication failed"}"#
            ),
            "Client Authentication failed (invalid_client)"
        );
        assert_eq!(
            error_text(br#"{"name":"RESOURCE_NOT_FOUND","message":"The specified resource does not exist."}"#),
            "The specified resource does not exist. (RESOURCE_NOT_FOUND)"
        );
        assert_eq!(
            error_text(b"<html>bad gateway</html>\n"),
            "<html>bad gateway</html>"
        );
        assert_eq!(error_text(b""), "(empty answer)");
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let t = Duration::from_secs(1);
        assert!(Api::new(Provider::Stripe, "http://127.0.0.1:9", t).is_ok());
        assert!(Api::new(Provider::Stripe, "http://localhost:9/x", t).is_ok());
        assert!(Api::new(Provider::Stripe, "http://[::1]:9", t).is_ok());
        assert!(Api::new(Provider::Stripe, "https://api.stripe.com", t).is_ok());
        let err = Api::new(Provider::Stripe, "http://api.stripe.com", t)
            .err()
            .unwrap();
        assert!(err.to_string().contains("loopback"), "{err}");
        assert!(Api::new(Provider::Stripe, "ftp://x", t).is_err());
        assert!(Api::new(Provider::Stripe, "https://u:p@x", t).is_err());
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_the_query() {
        let api = Api::new(Provider::Paypal, "http://127.0.0.1:9/pp", DEFAULT_TIMEOUT).unwrap();
        let url = api
            .url(
                "/v1/x",
                &[("start_time", "2026-01-01T00:00:00Z".to_owned())],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/pp/v1/x?start_time=2026-01-01T00%3A00%3A00Z"
        );
        assert!(api.same_origin(&url));
        assert!(!api.same_origin(&url::Url::parse("http://127.0.0.2:9/pp/v1/x").unwrap()));
    }

    #[test]
    fn secrets_are_masked() {
        let mut api = Api::new(Provider::Stripe, "http://127.0.0.1:9", DEFAULT_TIMEOUT).unwrap();
        api.hide("sk_test_abcdef");
        assert_eq!(api.redact("bad key sk_test_abcdef!"), "bad key [redacted]!");
    }
}
