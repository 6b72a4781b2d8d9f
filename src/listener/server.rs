//! The HTTP side of `tally serve`: tiny_http, a fixed pool of worker
//! threads, limits, signals and the per-request log line.
//!
//! What it promises:
//!
//! - **A fixed pool.** N workers share one `Arc<tiny_http::Server>` and
//!   each answer one request at a time through [`handler::handle`]: HTTP,
//!   verification and parsing run in parallel; the database work queues on
//!   the one connection behind the [`WriteGate`] (why one connection and
//!   not one per worker is said there). SQLite's own lock and busy timeout
//!   order the listener's transactions with other processes'.
//! - **Bounded bodies.** A `Content-Length` above `--max-body` is answered
//!   413 without reading the body; every body is read through
//!   `take(limit + 1)`, so a chunked body is cut at the limit and refused.
//! - **A panic is a 500, not an outage.** Each request runs under
//!   `catch_unwind`; a panic answers 500, any open transaction is rolled
//!   back, and the worker takes the next request.
//! - **Clean stops.** SIGTERM and SIGINT stop the workers taking new
//!   requests; requests in flight are finished and answered, then the
//!   process exits 0.
//! - **A dead listener exits.** tiny_http stops accepting for good after an
//!   accept error; its request channel then fails, and `tally serve` exits
//!   non-zero so that its supervisor restarts it. The open-files limit is
//!   raised to its hard maximum at start so that idle connections do not
//!   cause that error.
//! - **Logs without secrets.** One line per request (text, or JSON lines),
//!   on stderr; headers, signatures and bodies are never logged.
//!
//! tiny_http has no timeouts and drains the unread body of a dropped
//! request however large it claims to be: `tally serve` binds to loopback
//! by default and belongs behind a reverse proxy that sets timeouts and a
//! body size limit (see the README's deployment section).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

use chrono::Utc;
use serde_json::json;

use super::bind::{self, BindAddr};
use super::handler::{
    self, Body, Context, Handled, Level, Report, Request, Response, WebhookConfig, WriteGate,
};
use super::metrics::Metrics;
use crate::domain::format_ts;
use crate::providers::paypal::CertSource;
use crate::store::{OpenMode, Store, StoreError};

/// How request log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything `tally serve` runs with, resolved and checked.
pub struct ServeOptions {
    pub db: PathBuf,
    /// Every address to listen on, checked ([`bind::check_exposure`]).
    pub binds: Vec<BindAddr>,
    pub workers: usize,
    pub max_body: usize,
    pub settings: WebhookConfig,
    /// `None` when PayPal is disabled.
    pub certs: Option<CertSource>,
    pub log_format: LogFormat,
    /// Debug builds only: a path whose requests panic, to test that a
    /// panic does not take the listener down (`TALLY_TEST_PANIC_PATH`).
    pub panic_path: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("cannot install the SIGTERM/SIGINT handlers: {0}")]
    Signals(std::io::Error),
    #[error(
        "the listener stopped accepting connections ({0}); exiting so that the supervisor restarts it"
    )]
    Accept(String),
}

/// What the workers share.
struct Shared {
    settings: WebhookConfig,
    certs: Option<CertSource>,
    metrics: Metrics,
    gate: WriteGate,
    log_format: LogFormat,
    max_body: usize,
    panic_path: Option<String>,
    /// Workers per server.
    workers: usize,
    /// One server per `--bind` address; dropping one removes its socket file.
    servers: Vec<tiny_http::Server>,
    stop: AtomicBool,
    fatal: Mutex<Option<String>>,
}

impl Shared {
    /// Stops every worker of every server: each blocked `recv` gets one
    /// unblock.
    fn stop_all(&self) {
        self.stop.store(true, Ordering::SeqCst);
        for server in &self.servers {
            for _ in 0..self.workers {
                server.unblock();
            }
        }
    }
}

/// Writes one start-up or shutdown message on stderr.
fn say(format: LogFormat, level: Level, message: &str) {
    let line = match format {
        LogFormat::Text => format!("tally serve: {message}"),
        LogFormat::Json => json!({
            "ts": format_ts(Utc::now()),
            "level": level.as_str(),
            "msg": message,
        })
        .to_string(),
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Runs the listener until SIGTERM or SIGINT (`Ok`), or until it can no
/// longer accept connections (`Err`). Everything that can be refused (the
/// database, the address) is refused before the first line, which names
/// the bound address, is printed.
pub fn run(opts: ServeOptions) -> Result<(), ServeError> {
    let format = opts.log_format;
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        say(
            format,
            Level::Warn,
            &format!("warning: cannot raise the open-files limit: {e}"),
        );
    }
    let workers = opts.workers.max(1);
    let store = Store::open(&opts.db, OpenMode::MustExist)?;
    // Installed before the address is announced: a signal from then on
    // stops the listener cleanly.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ])
    .map_err(ServeError::Signals)?;
    let signal_handle = signals.handle();
    let servers = bind_all(&opts.binds, format)?;
    announce(&opts, workers);
    let server_count = servers.len();
    let shared = Arc::new(Shared {
        settings: opts.settings,
        certs: opts.certs,
        metrics: Metrics::new(),
        gate: WriteGate::new(store),
        log_format: format,
        max_body: opts.max_body,
        panic_path: opts.panic_path,
        workers,
        servers,
        stop: AtomicBool::new(false),
        fatal: Mutex::new(None),
    });

    let signal_thread = {
        let shared = shared.clone();
        thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = if signal == signal_hook::consts::SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                say(
                    shared.log_format,
                    Level::Info,
                    &format!("{name}: finishing the requests in flight, then stopping"),
                );
                shared.stop_all();
            }
        })
    };

    let handles: Vec<_> = (0..server_count)
        .flat_map(|s| (0..workers).map(move |i| (s, i)))
        .map(|(s, i)| {
            let shared = shared.clone();
            thread::Builder::new()
                .name(format!("worker-{s}-{i}"))
                .spawn(move || worker(&shared, s))
        })
        .collect();
    let mut spawn_error = None;
    for handle in handles {
        match handle {
            Ok(h) => {
                let _ = h.join();
            }
            Err(e) => {
                spawn_error = Some(e.to_string());
                shared.stop_all();
            }
        }
    }
    signal_handle.close();
    let _ = signal_thread.join();
    let fatal = shared.fatal.lock().ok().and_then(|f| f.clone());
    // The last reference: the servers go, and their socket files with them.
    drop(shared);
    match fatal.or(spawn_error) {
        Some(reason) => Err(ServeError::Accept(reason)),
        None => {
            say(format, Level::Info, "stopped");
            Ok(())
        }
    }
}

/// Binds every address, in order, and says where it listens: the first
/// line names the first address (tests bind port 0 and read it), one line
/// per further address, and a warning for a port beyond loopback.
fn bind_all(binds: &[BindAddr], format: LogFormat) -> Result<Vec<tiny_http::Server>, ServeError> {
    let mut servers = Vec::with_capacity(binds.len());
    for addr in binds {
        let server = bind::bind(addr).map_err(|reason| ServeError::Bind {
            addr: addr.describe(),
            reason,
        })?;
        servers.push(server);
    }
    for (addr, server) in binds.iter().zip(&servers) {
        match server.server_addr().to_ip() {
            Some(a) => say(format, Level::Info, &format!("listening on http://{a}")),
            None => say(
                format,
                Level::Info,
                &format!("listening on {}", addr.describe()),
            ),
        }
        if server
            .server_addr()
            .to_ip()
            .is_some_and(|a: SocketAddr| !a.ip().is_loopback())
        {
            say(
                format,
                Level::Warn,
                "warning: listening beyond loopback (--behind-proxy): tiny_http has no \
                 timeouts, no connection limit and trusts Content-Length; only the reverse \
                 proxy in front stops those requests: firewall this port to the proxy",
            );
        }
    }
    Ok(servers)
}

/// The start-up lines after the address: exposure, providers, database.
fn announce(opts: &ServeOptions, workers: usize) {
    let format = opts.log_format;
    let stripe = match opts.settings.stripe_secrets.len() {
        0 => "Stripe disabled (STRIPE_WEBHOOK_SECRET is not set)".to_owned(),
        1 => "Stripe enabled (1 secret)".to_owned(),
        n => format!("Stripe enabled ({n} secrets: a rotation is in progress)"),
    };
    let paypal = match (&opts.settings.paypal_webhook_id, &opts.certs) {
        (Some(_), Some(certs)) => format!("PayPal enabled ({})", certs.describe()),
        (None, _) | (Some(_), None) => "PayPal disabled (PAYPAL_WEBHOOK_ID is not set)".to_owned(),
    };
    let wave = &opts.settings.wave;
    let wave = match (wave.secrets.len(), wave.tolerance) {
        (0, _) => "Wave disabled (WAVE_WEBHOOK_SECRET is not set)".to_owned(),
        (n, tolerance) => format!(
            "Wave enabled ({n} secret{}, {} strategy{})",
            if n == 1 { "" } else { "s" },
            wave.auth.as_str(),
            match (wave.auth, tolerance) {
                (crate::providers::wave::WaveAuth::Signing, Some(t)) => format!(", {t} s window"),
                _ => String::new(),
            }
        ),
    };
    say(format, Level::Info, &format!("{stripe}; {paypal}; {wave}"));
    say(
        format,
        Level::Info,
        &format!(
            "database {}, {workers} workers per address, bodies up to {} bytes",
            opts.db.display(),
            opts.max_body
        ),
    );
}

/// Answers the requests of `shared.servers[which]` until stopped.
fn worker(shared: &Shared, which: usize) {
    let Some(server) = shared.servers.get(which) else {
        return;
    };
    while !shared.stop.load(Ordering::SeqCst) {
        match server.recv() {
            Ok(request) => serve_one(request, shared),
            Err(e) => {
                if !shared.stop.load(Ordering::SeqCst) {
                    // Not our own unblock: the accept loop has died.
                    if let Ok(mut fatal) = shared.fatal.lock() {
                        fatal.get_or_insert_with(|| e.to_string());
                    }
                    shared.stop_all();
                }
                break;
            }
        }
    }
}

/// A request body as read.
enum ReadBody {
    Complete(Vec<u8>),
    TooLarge,
    Failed(String),
}

fn read_body(request: &mut tiny_http::Request, limit: usize) -> ReadBody {
    if request.body_length().is_some_and(|n| n > limit) {
        return ReadBody::TooLarge;
    }
    let mut body = Vec::with_capacity(request.body_length().unwrap_or(0).min(limit));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    match request.as_reader().take(cap).read_to_end(&mut body) {
        Ok(_) if body.len() > limit => ReadBody::TooLarge,
        Ok(_) => ReadBody::Complete(body),
        Err(e) => ReadBody::Failed(e.to_string()),
    }
}

/// The peer, and the client a loopback or Unix-socket proxy says it
/// forwards for. A Unix socket's peer has no address: "unix".
fn remote(request: &tiny_http::Request, headers: &[(String, String)]) -> Option<String> {
    let peer = request.remote_addr();
    let forwarded = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("X-Forwarded-For"))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 200);
    Some(match (peer, forwarded) {
        (None, Some(client)) => format!("unix (for {client})"),
        (None, None) => "unix".to_owned(),
        (Some(peer), Some(client)) if peer.ip().is_loopback() => {
            format!("{peer} (for {client})")
        }
        (Some(peer), _) => peer.to_string(),
    })
}

fn serve_one(mut request: tiny_http::Request, shared: &Shared) {
    let started = Instant::now();
    let now = Utc::now();
    let method = request.method().as_str().to_owned();
    let path = request.url().to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let remote_addr = remote(&request, &headers);
    let body = read_body(&mut request, shared.max_body);

    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        if shared.panic_path.as_deref() == Some(path.as_str()) {
            panic!("TALLY_TEST_PANIC_PATH: panicking on purpose for {path}");
        }
        let body = match &body {
            ReadBody::Complete(bytes) => Body::Complete(bytes),
            ReadBody::TooLarge => Body::TooLarge,
            ReadBody::Failed(e) => {
                return Handled {
                    response: Response {
                        status: 400,
                        content_type: "application/json",
                        body: format!("{}\n", json!({"error": "cannot read the body"})),
                        headers: Vec::new(),
                    },
                    report: Report {
                        provider: None,
                        result: "rejected",
                        level: Level::Warn,
                        event_id: None,
                        event_type: None,
                        order_number: None,
                        detail: Some(format!("cannot read the body: {e}")),
                    },
                };
            }
        };
        let req = Request {
            method: &method,
            path: &path,
            headers: &headers,
            body,
            remote_addr: remote_addr.as_deref(),
            now,
            started,
        };
        let mut ctx = Context {
            settings: &shared.settings,
            gate: &shared.gate,
            certs: shared.certs.as_ref(),
            metrics: &shared.metrics,
        };
        handler::handle(&req, &mut ctx)
    }));
    let handled = outcome.unwrap_or_else(|payload| panicked(shared, payload.as_ref()));
    let status = handled.response.status;
    let response = to_tiny(handled.response);
    let report = handled.report;
    let provider = report.provider.map_or("none", |p| p.as_str());
    shared
        .metrics
        .observe(provider, report.result, started.elapsed());
    let sent = request.respond(response);
    let took = started.elapsed();
    let mut line = log_line(
        shared.log_format,
        now,
        &method,
        &path,
        status,
        &report,
        took,
        remote_addr.as_deref(),
    );
    if let Err(e) = sent {
        line.push_str(&match shared.log_format {
            LogFormat::Text => format!(" (the answer could not be sent: {e})"),
            LogFormat::Json => String::new(),
        });
    }
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A handler that panicked: roll back what it had begun, answer 500 and
/// say why in the log line.
fn panicked(shared: &Shared, payload: &(dyn std::any::Any + Send)) -> Handled {
    // Whatever the handler had begun was rolled back when its transaction
    // was dropped during the unwind; make sure.
    shared.gate.enter().recover_after_panic();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic".to_owned());
    Handled {
        response: Response {
            status: 500,
            content_type: "application/json",
            body: format!("{}\n", json!({"error": "internal error"})),
            headers: Vec::new(),
        },
        report: Report {
            provider: None,
            result: "error",
            level: Level::Error,
            event_id: None,
            event_type: None,
            order_number: None,
            detail: Some(format!("handler panicked: {message}")),
        },
    }
}

/// The handler's answer as tiny_http's; a 413 closes the connection.
fn to_tiny(r: Response) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let status = r.status;
    let mut response = tiny_http::Response::from_string(r.body).with_status_code(status);
    let mut extra = r.headers;
    extra.push(("Content-Type", r.content_type.to_owned()));
    if status == 413 {
        extra.push(("Connection", "close".to_owned()));
    }
    for (name, value) in extra {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    response
}

#[allow(clippy::too_many_arguments)]
fn log_line(
    format: LogFormat,
    at: chrono::DateTime<Utc>,
    method: &str,
    path: &str,
    status: u16,
    r: &Report,
    took: std::time::Duration,
    remote: Option<&str>,
) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let ms = took.as_secs_f64() * 1000.0;
    match format {
        LogFormat::Json => json!({
            "ts": format_ts(at),
            "level": r.level.as_str(),
            "method": method,
            "path": path,
            "status": status,
            "result": r.result,
            "provider": r.provider.map(|p| p.as_str()),
            "event_id": r.event_id,
            "event_type": r.event_type,
            "order": r.order_number,
            "duration_ms": (ms * 1000.0).round() / 1000.0,
            "remote": remote,
            "detail": r.detail,
        })
        .to_string(),
        LogFormat::Text => {
            let mut line = format!(
                "{} {} {method} {path} {status} {}",
                format_ts(at),
                r.level.as_str(),
                r.result
            );
            if let Some(p) = r.provider {
                line.push_str(&format!(" provider={p}"));
            }
            if let Some(e) = &r.event_id {
                line.push_str(&format!(" event={e}"));
            }
            if let Some(t) = &r.event_type {
                line.push_str(&format!(" type={t}"));
            }
            if let Some(o) = &r.order_number {
                line.push_str(&format!(" order={o}"));
            }
            line.push_str(&format!(" took={ms:.1}ms"));
            if let Some(a) = remote {
                line.push_str(&format!(" from={a}"));
            }
            if let Some(d) = &r.detail {
                line.push_str(&format!(" detail={d:?}"));
            }
            line
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Provider;

    fn shared(workers: usize) -> Shared {
        Shared {
            settings: WebhookConfig::default(),
            certs: None,
            metrics: Metrics::new(),
            gate: WriteGate::new(Store::open_in_memory().unwrap()),
            log_format: LogFormat::Text,
            max_body: 1024,
            panic_path: None,
            workers,
            servers: vec![tiny_http::Server::http("127.0.0.1:0").unwrap()],
            stop: AtomicBool::new(false),
            fatal: Mutex::new(None),
        }
    }

    #[test]
    fn a_failed_request_channel_is_fatal_and_stops_every_worker() {
        let shared = shared(3);
        // What the accept thread's death looks like to the workers: recv()
        // fails although nobody asked them to stop.
        shared.servers[0].unblock();
        worker(&shared, 0);
        assert!(shared.stop.load(Ordering::SeqCst));
        assert!(shared.fatal.lock().unwrap().is_some());
        // The others were unblocked and stop without waiting for a request.
        worker(&shared, 0);
    }

    #[test]
    fn a_requested_stop_is_not_fatal() {
        let shared = shared(2);
        shared.stop_all();
        worker(&shared, 0);
        assert!(shared.fatal.lock().unwrap().is_none());
    }

    #[test]
    fn log_lines_carry_no_headers_and_strip_queries() {
        let report = Report {
            provider: Some(Provider::Stripe),
            result: "applied",
            level: Level::Info,
            event_id: Some("evt_1".into()),
            event_type: Some("payment_intent.succeeded".into()),
            order_number: Some("TEST1001".into()),
            detail: Some("payment completed".into()),
        };
        let at = crate::testing::now();
        let took = std::time::Duration::from_micros(1500);
        let text = log_line(
            LogFormat::Text,
            at,
            "POST",
            "/webhooks/stripe?token=x",
            200,
            &report,
            took,
            Some("127.0.0.1:1"),
        );
        assert_eq!(
            text,
            "2026-11-21T12:00:00.000Z info POST /webhooks/stripe 200 applied provider=stripe \
             event=evt_1 type=payment_intent.succeeded order=TEST1001 took=1.5ms \
             from=127.0.0.1:1 detail=\"payment completed\""
        );
        let json: serde_json::Value = serde_json::from_str(&log_line(
            LogFormat::Json,
            at,
            "POST",
            "/webhooks/stripe",
            200,
            &report,
            took,
            None,
        ))
        .unwrap();
        assert_eq!(json["result"], "applied");
        assert_eq!(json["order"], "TEST1001");
        assert_eq!(json["duration_ms"], 1.5);
    }
}
