//! One request in, one response out: routes, status codes, signature
//! verification by the provider's room, then [`crate::ingest::apply::process`].
//!
//! [`handle`] is a plain function of a small [`Request`] (method, path,
//! headers, body bytes, remote address, the time) and a [`Context`] (the
//! secrets, the certificate source, the counters and the database behind
//! its [`WriteGate`]), so almost every case is tested without a socket.
//!
//! What it promises:
//!
//! - **Nothing unverified changes the shop.** A missing, malformed, wrong or
//!   expired signature, an oversize body, a wrong method: 4xx, and only a
//!   `webhook_log` row (without the body) is written.
//! - **2xx only after commit.** The 200 for an event is built from the
//!   result of its committed transaction; any failure there answers 500 so
//!   the provider retries.
//! - **No secret or signature in any answer, log row or log line.**
//! - Every request gets a `webhook_log` row (unknown paths and stray
//!   methods too, without a provider), except the health checks and
//!   metrics scrapes of `GET /healthz` and `GET /metrics`, which only get
//!   their log line and counters.

use std::time::Instant;

use serde_json::json;

use super::metrics::Metrics;
use crate::domain::{LogResult, LogSource, Provider, SignatureCheck, Timestamp};
use crate::ingest::apply::{self, Delivery, Processing};
use crate::providers::paypal::{self, CertError, CertSource, PaypalHeaders};
use crate::providers::wave::WaveVerifier;
use crate::providers::{SignatureFault, stripe};
use crate::store::Store;
use crate::store::webhooks::NewLogRow;

/// The webhook paths: tally's own, and the seed's (so an existing provider
/// configuration keeps working). A trailing slash is optional.
pub const STRIPE_PATHS: [&str; 2] = ["/webhooks/stripe", "/accounts/webhooks/stripe"];
pub const PAYPAL_PATHS: [&str; 2] = ["/webhooks/paypal", "/accounts/webhooks/paypal"];
/// Wave's path (the seed had none: Wave payments were confirmed by hand).
pub const WAVE_PATHS: [&str; 1] = ["/webhooks/wave"];

/// A request body, as the server read it.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Complete(&'a [u8]),
    /// Larger than the limit: not read (or not read past the limit).
    TooLarge,
}

/// What the handler needs of a request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The request target, query string included.
    pub path: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Body<'a>,
    pub remote_addr: Option<&'a str>,
    pub now: Timestamp,
    pub started: Instant,
}

impl Request<'_> {
    /// A header's first value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without its query string.
    fn bare_path(&self) -> &str {
        self.path.split(['?', '#']).next().unwrap_or_default()
    }
}

/// What the handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// Extra headers (`Allow` on a 405).
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    fn json(status: u16, value: serde_json::Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: format!("{value}\n"),
            headers: Vec::new(),
        }
    }

    fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    fn error(status: u16, message: &str) -> Response {
        Response::json(status, json!({ "error": message }))
    }

    fn allow(mut self, methods: &str) -> Response {
        self.headers.push(("Allow", methods.to_owned()));
        self
    }
}

/// How serious a request's outcome is, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// What the log line and the counters say about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub provider: Option<Provider>,
    /// A webhook result word, or for other routes "ok", "not_found",
    /// "method_not_allowed", "unavailable".
    pub result: &'static str,
    pub level: Level,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub order_number: Option<String>,
    /// What happened or what went wrong, in words.
    pub detail: Option<String>,
}

impl Report {
    fn new(provider: Option<Provider>, result: &'static str, level: Level) -> Report {
        Report {
            provider,
            result,
            level,
            event_id: None,
            event_type: None,
            order_number: None,
            detail: None,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Report {
        self.detail = Some(detail.into());
        self
    }
}

/// A response and what to log about it.
#[derive(Debug, Clone)]
pub struct Handled {
    pub response: Response,
    pub report: Report,
}

/// The webhook configuration, resolved once at start.
#[derive(Clone, Default)]
pub struct WebhookConfig {
    /// `STRIPE_WEBHOOK_SECRET`, split on commas; empty: Stripe disabled.
    pub stripe_secrets: Vec<String>,
    /// `PAYPAL_WEBHOOK_ID`; `None`: PayPal disabled.
    pub paypal_webhook_id: Option<String>,
    /// How old a Stripe signature may be. Stripe signs every retry afresh
    /// ("each retry attempt generates a new signature and timestamp",
    /// stripe-api.md), so a window refuses only replays: 300 s by default.
    pub stripe_tolerance: i64,
    /// How far a PayPal transmission time may be from now; `None` (the
    /// default): no window. PayPal retries a failed delivery up to 25 times
    /// over 3 days and publishes nothing saying a retry is signed afresh;
    /// the evidence points the other way and no PayPal SDK checks the time
    /// (`shared/providers/paypal-api.md` §4.3). A window would refuse the
    /// provider's own retries after an outage and lose those events for
    /// good, while a replayed, genuinely signed event changes nothing here:
    /// event ids are de-duplicated. The signature, the certificate and the
    /// de-duplication stand.
    pub paypal_tolerance: Option<i64>,
    /// `WAVE_WEBHOOK_SECRET`, `--wave-auth`, `--wave-tolerance`; no secret:
    /// Wave disabled.
    pub wave: WaveVerifier,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("stripe_secrets", &self.stripe_secrets.len())
            .field("paypal_webhook_id", &self.paypal_webhook_id.is_some())
            .field("stripe_tolerance", &self.stripe_tolerance)
            .field("paypal_tolerance", &self.paypal_tolerance)
            .field("wave", &self.wave)
            .finish()
    }
}

/// The listener's one database connection, shared by the workers behind
/// a mutex: one worker uses it at a time.
///
/// SQLite admits one writer at a time anyway, and a worker that found the
/// write lock taken would wait in SQLite's busy handler, which sleeps 1, 2,
/// 5, 10 ms and more between tries; a mutex hands over at once. And one
/// connection keeps its page cache warm: a connection that sees another
/// connection's commit must drop its whole cache, which with a connection
/// per worker happened on nearly every event (a fifth of the listener's
/// throughput in the load benchmark). HTTP, verification and parsing run
/// outside the mutex, in parallel. Other processes (the CLI, the
/// dashboard) still meet the listener at SQLite's lock and busy timeout.
pub struct WriteGate(std::sync::Mutex<Store>);

impl WriteGate {
    pub fn new(store: Store) -> WriteGate {
        WriteGate(std::sync::Mutex::new(store))
    }

    /// Waits for the connection. A panic while it was held (answered 500)
    /// does not close it: the transaction it was in was rolled back when
    /// the panic unwound through it.
    pub fn enter(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a worker handles requests with.
pub struct Context<'a> {
    pub settings: &'a WebhookConfig,
    /// The database, shared by the workers: see [`WriteGate`].
    pub gate: &'a WriteGate,
    /// `None` when PayPal is disabled.
    pub certs: Option<&'a CertSource>,
    pub metrics: &'a Metrics,
}

enum Route {
    Webhook(Provider),
    Health,
    Metrics,
    NotFound,
}

fn route(path: &str) -> Route {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    if STRIPE_PATHS.contains(&trimmed) {
        Route::Webhook(Provider::Stripe)
    } else if PAYPAL_PATHS.contains(&trimmed) {
        Route::Webhook(Provider::Paypal)
    } else if WAVE_PATHS.contains(&trimmed) {
        Route::Webhook(Provider::Wave)
    } else if trimmed == "/healthz" {
        Route::Health
    } else if trimmed == "/metrics" {
        Route::Metrics
    } else {
        Route::NotFound
    }
}

/// Answers one request.
pub fn handle(req: &Request<'_>, ctx: &mut Context<'_>) -> Handled {
    let get_only = |req: &Request<'_>| !matches!(req.method, "GET" | "HEAD");
    match route(req.bare_path()) {
        Route::Webhook(provider) => webhook(req, ctx, provider),
        Route::Health | Route::Metrics if get_only(req) => {
            let mut handled = refuse(
                req,
                ctx,
                None,
                Refusal {
                    status: 405,
                    signature: SignatureCheck::NotChecked,
                    result: LogResult::Rejected,
                    message: format!("method {} not allowed here", req.method),
                },
            );
            handled.response = handled.response.allow("GET, HEAD");
            handled
        }
        Route::Health => {
            let answers = ctx.gate.enter().reader().query_row(
                "SELECT count(*) FROM sqlite_master",
                [],
                |r| r.get::<_, i64>(0),
            );
            match answers {
                Ok(_) => Handled {
                    response: Response::text(200, "ok\n"),
                    report: Report::new(None, "ok", Level::Info),
                },
                Err(e) => Handled {
                    response: Response::text(503, "the database does not answer\n"),
                    report: Report::new(None, "unavailable", Level::Error)
                        .detail(format!("health check: {e}")),
                },
            }
        }
        Route::Metrics => Handled {
            response: Response {
                content_type: "text/plain; version=0.0.4; charset=utf-8",
                ..Response::text(200, ctx.metrics.render())
            },
            report: Report::new(None, "ok", Level::Info),
        },
        Route::NotFound => refuse(
            req,
            ctx,
            None,
            Refusal {
                status: 404,
                signature: SignatureCheck::NotChecked,
                result: LogResult::Rejected,
                message: "not found".to_owned(),
            },
        ),
    }
}

/// A refused delivery: its log row (no body) and its answer.
struct Refusal {
    status: u16,
    signature: SignatureCheck,
    result: LogResult,
    message: String,
}

fn refuse(
    req: &Request<'_>,
    ctx: &mut Context<'_>,
    provider: Option<Provider>,
    r: Refusal,
) -> Handled {
    let row = NewLogRow {
        received_at: req.now,
        provider,
        path: req.bare_path(),
        remote_addr: req.remote_addr,
        event_id: None,
        event_type: None,
        signature: r.signature,
        result: r.result,
        http_status: r.status,
        duration_us: i64::try_from(req.started.elapsed().as_micros()).unwrap_or(i64::MAX),
        error: Some(&r.message),
        body: None,
        order_number: None,
        source: LogSource::Webhook,
    };
    let mut detail = r.message.clone();
    let written = ctx.gate.enter().write(|tx| tx.insert_webhook_log(&row));
    if let Err(e) = written {
        detail.push_str(&format!(" (and the log row failed: {e})"));
    }
    let level = match r.result {
        LogResult::Error => Level::Error,
        LogResult::Applied
        | LogResult::Duplicate
        | LogResult::Stale
        | LogResult::Orphan
        | LogResult::Ignored
        | LogResult::Rejected => Level::Warn,
    };
    Handled {
        response: Response::error(r.status, &r.message),
        report: Report::new(provider, r.result.as_str(), level).detail(detail),
    }
}

fn signature_check(fault: SignatureFault) -> SignatureCheck {
    match fault {
        SignatureFault::Expired => SignatureCheck::Expired,
        SignatureFault::Missing => SignatureCheck::Missing,
        SignatureFault::Invalid => SignatureCheck::Invalid,
    }
}

/// A delivery refused by a provider's room.
fn bad_signature(fault: SignatureFault, message: String) -> Refusal {
    Refusal {
        status: 400,
        signature: signature_check(fault),
        result: LogResult::Rejected,
        message,
    }
}

/// Why a provider's webhooks cannot be taken, if they cannot.
fn disabled(provider: Provider, ctx: &Context<'_>) -> Option<String> {
    match provider {
        Provider::Stripe => {
            ctx.settings.stripe_secrets.is_empty().then(|| {
                "STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks are disabled".to_owned()
            })
        }
        Provider::Paypal => (ctx.settings.paypal_webhook_id.is_none() || ctx.certs.is_none())
            .then(|| "PAYPAL_WEBHOOK_ID is not set: PayPal webhooks are disabled".to_owned()),
        Provider::Wave => (!ctx.settings.wave.enabled())
            .then(|| "WAVE_WEBHOOK_SECRET is not set: Wave webhooks are disabled".to_owned()),
        Provider::Cash => Some(unsupported(provider)),
    }
}

/// The answer for a provider tally takes no webhooks from.
fn unsupported(provider: Provider) -> String {
    format!("no webhook support for {provider} yet")
}

fn webhook(req: &Request<'_>, ctx: &mut Context<'_>, provider: Provider) -> Handled {
    let rejected = |status, signature, message: String| Refusal {
        status,
        signature,
        result: LogResult::Rejected,
        message,
    };
    if req.method != "POST" {
        let mut handled = refuse(
            req,
            ctx,
            Some(provider),
            rejected(
                405,
                SignatureCheck::NotChecked,
                format!("method {} not allowed: webhooks are POSTed", req.method),
            ),
        );
        handled.response = handled.response.allow("POST");
        return handled;
    }
    if let Some(why) = disabled(provider, ctx) {
        return refuse(
            req,
            ctx,
            Some(provider),
            rejected(503, SignatureCheck::Unconfigured, why),
        );
    }
    let body = match req.body {
        Body::Complete(body) => body,
        Body::TooLarge => {
            return refuse(
                req,
                ctx,
                Some(provider),
                rejected(
                    413,
                    SignatureCheck::NotChecked,
                    "the body is larger than the limit (--max-body)".to_owned(),
                ),
            );
        }
    };
    let verified = match provider {
        Provider::Stripe => verify_stripe(req, ctx, body),
        Provider::Paypal => verify_paypal(req, ctx, body),
        Provider::Wave => verify_wave(req, ctx, body),
        Provider::Cash => Err(rejected(
            503,
            SignatureCheck::Unconfigured,
            unsupported(provider),
        )),
    };
    if let Err(refusal) = verified {
        return refuse(req, ctx, Some(provider), refusal);
    }
    let delivery = Delivery {
        received_at: req.now,
        started: req.started,
        path: req.bare_path(),
        remote_addr: req.remote_addr,
        signature: SignatureCheck::Verified,
        requested_by: None,
        source: LogSource::Webhook,
    };
    let processing = apply::process(&mut ctx.gate.enter(), provider, body, &delivery, None);
    processed(provider, processing)
}

/// The answer to a processed (or unprocessable) verified event.
pub fn processed(provider: Provider, processing: Processing) -> Handled {
    match processing {
        Processing::Done(p) => {
            let level = match p.result {
                LogResult::Orphan | LogResult::Stale => Level::Warn,
                LogResult::Error => Level::Error,
                LogResult::Applied
                | LogResult::Duplicate
                | LogResult::Ignored
                | LogResult::Rejected => Level::Info,
            };
            Handled {
                response: Response::json(
                    200,
                    json!({
                        "received": true,
                        "result": p.result.as_str(),
                        "event_id": p.event_id,
                        "order": p.order_number,
                        "detail": p.detail,
                    }),
                ),
                report: Report {
                    provider: Some(provider),
                    result: p.result.as_str(),
                    level,
                    event_id: Some(p.event_id),
                    event_type: Some(p.event_type),
                    order_number: p.order_number,
                    detail: Some(p.detail),
                },
            }
        }
        Processing::Malformed(e) => Handled {
            response: Response::error(400, &format!("not a readable event: {e}")),
            report: Report::new(Some(provider), LogResult::Rejected.as_str(), Level::Warn)
                .detail(format!("not a readable event: {e}")),
        },
        Processing::Failed {
            event_id,
            event_type,
            error,
        } => Handled {
            response: Response::error(500, "processing failed; the event is recorded as failed"),
            report: Report {
                provider: Some(provider),
                result: LogResult::Error.as_str(),
                level: Level::Error,
                event_id,
                event_type,
                order_number: None,
                detail: Some(error),
            },
        },
    }
}

fn verify_stripe(req: &Request<'_>, ctx: &Context<'_>, body: &[u8]) -> Result<(), Refusal> {
    let Some(header) = req.header("Stripe-Signature") else {
        return Err(Refusal {
            status: 400,
            signature: SignatureCheck::Missing,
            result: LogResult::Rejected,
            message: "missing Stripe-Signature header".to_owned(),
        });
    };
    stripe::verify_stripe(
        header,
        body,
        &ctx.settings.stripe_secrets,
        ctx.settings.stripe_tolerance,
        req.now.timestamp(),
    )
    .map(drop)
    .map_err(|e| bad_signature(e.fault(), e.to_string()))
}

fn verify_paypal(req: &Request<'_>, ctx: &Context<'_>, body: &[u8]) -> Result<(), Refusal> {
    let bad = |e: paypal::VerifyError| bad_signature(e.fault(), e.to_string());
    let headers = PaypalHeaders::from_lookup(|name| req.header(name)).map_err(bad)?;
    let (Some(certs), Some(webhook_id)) = (ctx.certs, ctx.settings.paypal_webhook_id.as_deref())
    else {
        return Err(Refusal {
            status: 503,
            signature: SignatureCheck::Unconfigured,
            result: LogResult::Rejected,
            message: "PayPal webhooks are disabled".to_owned(),
        });
    };
    let cert = certs.get(&headers.cert_url).map_err(|e| match e {
        CertError::Refused(e) => bad(e),
        e @ CertError::Unavailable { .. } => Refusal {
            status: 503,
            signature: SignatureCheck::NotChecked,
            result: LogResult::Error,
            message: e.to_string(),
        },
    })?;
    let verified = paypal::verify_paypal(&headers, body, webhook_id, &cert).map_err(bad)?;
    match ctx.settings.paypal_tolerance {
        Some(tolerance) => verified.check_fresh(req.now, tolerance).map_err(bad),
        None => Ok(()),
    }
}

fn verify_wave(req: &Request<'_>, ctx: &Context<'_>, body: &[u8]) -> Result<(), Refusal> {
    ctx.settings
        .wave
        .verify(|name| req.header(name), body, req.now.timestamp())
        .map(drop)
        .map_err(|e| bad_signature(e.fault(), e.to_string()))
}
