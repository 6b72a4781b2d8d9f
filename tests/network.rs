//! Network-level tests of `tally serve`, over real sockets on loopback only.
//!
//! - Against the listener directly: thousands of idle connections and
//!   garbage bytes do not take it down; it still answers `/healthz` and a
//!   signed webhook.
//! - The guard: `--bind unix:PATH` (mode 0660, a signed delivery over the
//!   socket, the file gone after a stop), two `--bind`s at once, a TCP bind
//!   beyond loopback refused without `--behind-proxy`.
//! - Through Debian's nginx, started as a child process with the README's
//!   configuration (`deploy/nginx-tally.conf`, the very file) in front of
//!   tally's Unix socket: a signed webhook is verified and applied; slow
//!   clients, oversize bodies (an absurd `Content-Length` on a kept-open
//!   connection among them) and huge headers are cut off by the proxy while
//!   other requests are served, and never reach the database; a burst of
//!   keep-alive deliveries is answered in full. Skipped, with a message,
//!   only when no nginx binary can be found (CI installs it).
//! - `tally webhooks prune` end to end, and `tally doctor` on a live set-up.
//!
//! Every loop is bounded in count and time; timeouts are generous, for a
//! loaded two-core machine.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Listener, PATIENCE, Shop, connect, manifest, read_response, request, request_bytes, unix_now,
};
use serde_json::{Value, json};
use tally::providers::stripe::sign_stripe;
use tally::providers::wave::sign_wave;
use tempfile::TempDir;

const SECRET: &str = "whsec_network_secret";
const WAVE_SECRET: &str = "wave_sn_WHS_network0000000000000000000000000000000000000000000";

// ---------------------------------------------------------------------------
// A shop and its listener
// ---------------------------------------------------------------------------

impl Shop {
    /// Five pending Stripe payments of 50.00 EUR, pi_N01 … pi_N05, one
    /// PayPal payment, and W07's pending Wave checkout of 45000 XOF.
    fn new() -> Shop {
        let mut orders = Vec::new();
        let mut payments = Vec::new();
        for i in 1..=6 {
            let number = format!("N{i:02}");
            let provider = if i == 6 { "paypal" } else { "stripe" };
            orders.push(json!({
                "number": number, "customer_name": "Test Customer",
                "customer_email": "test@example.com", "total": "50.00", "currency": "EUR",
                "status": "pending", "payment_status": "pending",
                "created_at": "2026-11-20T10:00:00Z",
            }));
            payments.push(json!({
                "order": number, "provider": provider, "reference": format!("pi_{number}"),
                "amount": "50.00", "currency": "EUR", "status": "pending",
                "created_at": "2026-11-20T10:01:00Z",
            }));
        }
        orders.push(json!({
            "number": "W07", "customer_name": "Client Wave",
            "customer_email": "wave@example.com", "total": "45000", "currency": "XOF",
            "status": "pending", "payment_status": "pending",
            "created_at": "2026-11-20T10:00:00Z",
        }));
        payments.push(json!({
            "order": "W07", "provider": "wave", "reference": "cos-net7",
            "amount": "45000", "currency": "XOF", "status": "pending",
            "created_at": "2026-11-20T10:01:00Z",
        }));
        Shop::import(&json!({"orders": orders, "payments": payments}))
    }

    /// (order payment status, payment status) of an order.
    fn state(&self, number: &str) -> (String, String) {
        self.conn()
            .query_row(
                "SELECT o.payment_status, p.status FROM orders o
                 JOIN payments p ON p.order_id = o.id WHERE o.number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }
}

impl Listener {
    /// `tally serve --bind 127.0.0.1:0`; the first stderr line names the port.
    fn start(shop: &Shop) -> Listener {
        let mut cmd = Listener::command(&shop.db, &["--bind", "127.0.0.1:0", "--workers", "3"]);
        cmd.env("STRIPE_WEBHOOK_SECRET", SECRET);
        Listener::spawn(cmd)
    }

    /// The recommended set-up: a loopback port (first, so its address is
    /// the first line) for `/healthz` and `/metrics`, and a Unix socket in
    /// a folder of its own for the proxy.
    fn start_with_socket(shop: &Shop) -> (Listener, Socket) {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("tally.sock");
        let unix = format!("unix:{}", path.display());
        let mut cmd = Listener::command(
            &shop.db,
            &["--bind", "127.0.0.1:0", "--bind", &unix, "--workers", "3"],
        );
        cmd.env("STRIPE_WEBHOOK_SECRET", SECRET)
            .env("WAVE_WEBHOOK_SECRET", WAVE_SECRET);
        (Listener::spawn(cmd), Socket { path, _dir: dir })
    }
}

/// tally's Unix socket, in a folder removed after the test.
struct Socket {
    path: PathBuf,
    _dir: TempDir,
}

/// One request over a Unix socket: (status, body).
fn unix_request(
    socket: &Path,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
        .write_all(&request_bytes("tally", method, path, headers, body))
        .unwrap();
    read_response(&mut stream)
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// A payment_intent.succeeded for order `number` (its PaymentIntent pi_NUMBER).
fn succeeded(event_id: &str, number: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": event_id, "object": "event", "type": "payment_intent.succeeded",
        "created": unix_now(), "livemode": false,
        "data": {"object": {
            "id": format!("pi_{number}"), "object": "payment_intent", "amount": 5000,
            "amount_received": 5000, "currency": "eur", "status": "succeeded",
            "latest_charge": format!("ch_{number}"), "metadata": {"order_id": number},
        }},
    }))
    .unwrap()
}

/// POSTs a Stripe body signed now with `secret`; (status, JSON answer).
fn stripe_with(addr: &str, secret: &str, body: &[u8]) -> (u16, Value) {
    let header = sign_stripe(secret, unix_now(), body).unwrap();
    let (status, text) = request(
        addr,
        "POST",
        "/webhooks/stripe",
        &[
            ("Stripe-Signature", header),
            ("Content-Type", "application/json".to_owned()),
        ],
        body,
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn stripe(addr: &str, body: &[u8]) -> (u16, Value) {
    stripe_with(addr, SECRET, body)
}

fn healthz(addr: &str) -> u16 {
    request(addr, "GET", "/healthz", &[], b"").0
}

/// The effective user id: the owner of /proc/self (Linux).
fn euid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

/// The configuration the README shows, as shipped.
fn readme_snippet() -> String {
    std::fs::read_to_string(manifest("deploy/nginx-tally.conf")).unwrap()
}

fn find_nginx() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| {
            let out = Command::new("sh")
                .args(["-c", "command -v nginx"])
                .output()
                .ok()?;
            let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
}

/// Debian's nginx as a child process, in front of a listener, with the
/// shipped snippet inside a plain-HTTP server on a free loopback port.
struct Nginx {
    child: Child,
    addr: String,
    _dir: TempDir,
}

impl Nginx {
    /// `None` (after saying why) when there is no nginx on this machine.
    fn start(upstream: &Socket) -> Option<Nginx> {
        let Some(binary) = find_nginx() else {
            eprintln!(
                "SKIPPED: nginx not found (CI installs it: `apt-get install -y nginx`); \
                 the reverse-proxy tests did not run"
            );
            return None;
        };
        let snippet = readme_snippet();
        let shipped = "proxy_pass http://unix:/run/tally/tally.sock;";
        assert!(
            snippet.contains(shipped),
            "deploy/nginx-tally.conf no longer proxies to tally's socket: {shipped}"
        );
        let snippet = snippet.replace(
            "unix:/run/tally/tally.sock",
            &format!("unix:{}", upstream.path.display()),
        );
        let mut last_error = String::new();
        // A free port is found by binding :0 and letting go; another process
        // may take it in between, so a failed start is retried.
        for _ in 0..3 {
            let dir = TempDir::new().unwrap();
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let p = dir.path().display().to_string();
            std::fs::write(dir.path().join("tally.conf"), &snippet).unwrap();
            let user = if euid() == Some(0) { "user root;" } else { "" };
            let conf = format!(
                "{user}
worker_processes 1;
events {{ worker_connections 512; }}
http {{
    limit_conn_zone $binary_remote_addr zone=tally:1m;
    access_log {p}/access.log;
    client_body_temp_path {p}/body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {p}/tally.conf;
    }}
}}
"
            );
            std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
            let mut child = Command::new(&binary)
                .arg("-e")
                .arg("stderr")
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(dir.path().join("nginx.conf"))
                .arg("-g")
                // One process, no master: the Drop's kill stops all of
                // nginx (killing a master leaves its workers running).
                .arg(format!(
                    "daemon off; master_process off; pid {p}/nginx.pid; error_log stderr;"
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let addr = format!("127.0.0.1:{port}");
            let deadline = Instant::now() + PATIENCE;
            while Instant::now() < deadline {
                if let Some(status) = child.try_wait().unwrap() {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    last_error = format!("nginx exited ({status}): {err}");
                    break;
                }
                if TcpStream::connect(&addr).is_ok() {
                    // nginx logs on stderr; drain it so it never blocks.
                    if let Some(mut e) = child.stderr.take() {
                        std::thread::spawn(move || {
                            let mut sink = Vec::new();
                            let _ = e.read_to_end(&mut sink);
                        });
                    }
                    return Some(Nginx {
                        child,
                        addr,
                        _dir: dir,
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("nginx did not start: {last_error}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `head` (and nothing more) and waits for the peer to give up:
/// (status or 0 for a closed connection, how long it took).
fn stall(addr: &str, head: &[u8]) -> (u16, Duration) {
    let mut stream = connect(addr);
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(head).unwrap();
    let (status, _) = read_response(&mut stream);
    // Whatever the answer, the connection is then closed.
    let mut rest = [0u8; 64];
    let closed = matches!(stream.read(&mut rest), Ok(0) | Err(_));
    assert!(closed, "the connection stayed open after {status}");
    (status, started.elapsed())
}

// ---------------------------------------------------------------------------
// Directly against tally serve
// ---------------------------------------------------------------------------

#[test]
fn thousands_of_idle_connections_do_not_take_the_listener_down() {
    const IDLE: usize = 2000;
    // Each side holds one descriptor per connection.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("cannot raise the open-files limit: {e}");
    }
    let shop = Shop::new();
    let mut l = Listener::start(&shop);
    let started = Instant::now();
    let mut idle = Vec::with_capacity(IDLE);
    for i in 0..IDLE {
        let mut s = connect(&l.addr);
        // Some say nothing, some start a request line and stop.
        if i % 4 == 0 {
            s.write_all(b"POST /webhooks/str").unwrap();
        }
        idle.push(s);
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "only {i} connections opened in 120 s"
        );
    }
    assert!(l.alive(), "the listener died: {}", l.log());
    assert_eq!(healthz(&l.addr), 200);
    let (status, answer) = stripe(&l.addr, &succeeded("evt_idle_1", "N01"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    assert_eq!(shop.state("N01"), ("paid".into(), "completed".into()));

    drop(idle);
    assert_eq!(healthz(&l.addr), 200);
    assert!(l.alive(), "{}", l.log());
}

#[test]
fn garbage_bytes_get_an_error_or_a_closed_connection() {
    let shop = Shop::new();
    let mut l = Listener::start(&shop);
    let before = shop.snapshot();
    let mut rng = fastrand::Rng::with_seed(6);
    let random: Vec<u8> = (0..4096).map(|_| rng.u8(..)).collect();
    let mut random_lines = random.clone();
    random_lines.extend_from_slice(b"\r\n\r\n");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("random binary", random),
        ("random binary, then CRLFs", random_lines),
        ("a bogus request line", b"HELLO THERE\r\n\r\n".to_vec()),
        ("an empty request", b"\r\n\r\n".to_vec()),
        ("an unknown HTTP version", b"GET /healthz HTTP/9.9\r\n\r\n".to_vec()),
        ("a header without colon", b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n".to_vec()),
        ("a non-ASCII header", b"GET /healthz HTTP/1.1\r\nX-A: \xff\xfe\r\n\r\n".to_vec()),
        ("NUL bytes", b"GET /\0\0 HTTP/1.1\r\n\0: \0\r\n\r\n".to_vec()),
        (
            "a truncated body",
            b"POST /webhooks/stripe HTTP/1.1\r\nContent-Length: 500\r\n\r\n{\"id\":\"evt_".to_vec(),
        ),
        (
            "truncated headers",
            b"POST /webhooks/stripe HTTP/1.1\r\nContent-Length: 5".to_vec(),
        ),
        (
            "an absurd Content-Length",
            b"POST /webhooks/stripe HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n".to_vec(),
        ),
        (
            "a bad chunked body",
            b"POST /webhooks/stripe HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n"
                .to_vec(),
        ),
    ];
    for (name, bytes) in &cases {
        let mut stream = connect(&l.addr);
        // The server may refuse before it has read everything.
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(Shutdown::Write);
        let (status, _) = read_response(&mut stream);
        assert!(
            status == 0 || (400..600).contains(&status),
            "{name}: answered {status}"
        );
        assert!(l.alive(), "{name} killed the listener: {}", l.log());
    }
    assert_eq!(healthz(&l.addr), 200);
    assert_eq!(shop.snapshot(), before, "garbage changed the shop");
    let (status, answer) = stripe(&l.addr, &succeeded("evt_after_garbage", "N02"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    assert!(l.alive());
}

// ---------------------------------------------------------------------------
// Through nginx
// ---------------------------------------------------------------------------

#[test]
fn a_signed_webhook_through_nginx_is_verified_and_applied() {
    let shop = Shop::new();
    let (_l, socket) = Listener::start_with_socket(&shop);
    let Some(nginx) = Nginx::start(&socket) else {
        return;
    };
    let (status, answer) = stripe(&nginx.addr, &succeeded("evt_proxy_1", "N03"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    assert_eq!(answer["order"], "N03");
    assert_eq!(shop.state("N03"), ("paid".into(), "completed".into()));
    // The listener saw the proxy, and the client it forwards for.
    let remote: String = shop
        .conn()
        .query_row(
            "SELECT remote_addr FROM webhook_log WHERE event_id = 'evt_proxy_1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(remote, "unix (for 127.0.0.1)");
    // A tampered body through the proxy is refused by tally, as directly.
    let body = succeeded("evt_proxy_2", "N04");
    let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let (status, _) = request(
        &nginx.addr,
        "POST",
        "/webhooks/stripe",
        &[("Stripe-Signature", header)],
        &tampered,
    );
    assert_eq!(status, 400);
    assert_eq!(shop.state("N04"), ("pending".into(), "pending".into()));

    // Wave's route is proxied too: a checkout paid, signed as Wave signs.
    let wave = serde_json::to_vec(&json!({
        "id": "AE_net_wave_1", "type": "checkout.session.completed",
        "data": {"id": "cos-net7", "amount": "45000", "currency": "XOF",
            "checkout_status": "complete", "payment_status": "succeeded",
            "client_reference": "W07", "transaction_id": "TX-NET-7",
            "when_created": "2026-11-29T09:00:00Z", "when_completed": "2026-11-29T09:01:00Z"},
    }))
    .unwrap();
    let header = sign_wave(WAVE_SECRET, unix_now(), &wave).unwrap();
    let mut tampered = wave.clone();
    tampered[20] ^= 1;
    let (status, _) = request(
        &nginx.addr,
        "POST",
        "/webhooks/wave",
        &[("Wave-Signature", header.clone())],
        &tampered,
    );
    assert_eq!(status, 400);
    assert_eq!(shop.state("W07"), ("pending".into(), "pending".into()));
    let (status, text) = request(
        &nginx.addr,
        "POST",
        "/webhooks/wave",
        &[("Wave-Signature", header)],
        &wave,
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("applied"), "{text}");
    assert_eq!(shop.state("W07"), ("paid".into(), "completed".into()));

    // Only the webhook routes go through.
    assert_eq!(healthz(&nginx.addr), 404);
    assert_eq!(request(&nginx.addr, "GET", "/metrics", &[], b"").0, 404);
}

#[test]
fn slow_clients_are_cut_off_by_nginx_while_others_are_served() {
    let shop = Shop::new();
    let (l, socket) = Listener::start_with_socket(&shop);
    let Some(nginx) = Nginx::start(&socket) else {
        return;
    };
    let rows_before = shop.count("SELECT count(*) FROM webhook_log");
    // More stalled clients than tally has workers (3), of both kinds.
    let body = succeeded("evt_slow", "N05");
    let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
    let slow_body = format!(
        "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nStripe-Signature: {header}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes()
    .into_iter()
    .chain(body[..20].iter().copied())
    .collect::<Vec<u8>>();
    let slow_head = b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Le".to_vec();
    let stalled: Vec<_> = (0..8)
        .map(|i| {
            let addr = nginx.addr.clone();
            let bytes = if i % 2 == 0 {
                slow_head.clone()
            } else {
                slow_body.clone()
            };
            std::thread::spawn(move || {
                let result = stall(&addr, &bytes);
                (i % 2 == 0, result, Instant::now())
            })
        })
        .collect();
    // Give them time to be stuck in nginx, then a real delivery goes through.
    std::thread::sleep(Duration::from_secs(1));
    let (status, answer) = stripe(&nginx.addr, &succeeded("evt_while_slow", "N01"));
    let served_at = Instant::now();
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    for handle in stalled {
        let (headers_only, (status, took), cut_at) = handle.join().unwrap();
        // Served while they were still stalled, not after they were cut off.
        assert!(
            served_at < cut_at,
            "the delivery waited behind stalled clients"
        );
        // nginx closes a stalled header without an answer, and answers 408 to
        // a stalled body; either way within its 10 s timeouts.
        assert!(
            status == 0 || status == 408,
            "headers_only={headers_only}: {status}"
        );
        assert!(
            took >= Duration::from_secs(5) && took < Duration::from_secs(40),
            "headers_only={headers_only}: cut off after {took:?}"
        );
    }
    // Only the real delivery reached tally.
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log") - rows_before,
        1
    );
    assert_eq!(shop.state("N05"), ("pending".into(), "pending".into()));
    assert_eq!(healthz(&l.addr), 200);
}

#[test]
fn oversize_bodies_and_huge_headers_are_refused_by_nginx() {
    let shop = Shop::new();
    let (mut l, socket) = Listener::start_with_socket(&shop);
    let Some(nginx) = Nginx::start(&socket) else {
        return;
    };
    let before = shop.snapshot();
    let rows_before = shop.count("SELECT count(*) FROM webhook_log");

    // Announced too large: refused before the body is read.
    let mut stream = connect(&nginx.addr);
    stream
        .write_all(
            b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nStripe-Signature: t=1,v1=00\r\nContent-Length: 2000000\r\n\r\n{\"id\":",
        )
        .unwrap();
    assert_eq!(read_response(&mut stream).0, 413);

    // What aborts tiny_http on its own (it would drain 99999999999 bytes
    // into one buffer when the request is dropped): a client that declares
    // them and keeps the connection open. nginx answers 413; tally never
    // sees it.
    let mut held = connect(&nginx.addr);
    held.write_all(
        b"POST /webhooks/wave HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{\"id\":",
    )
    .unwrap();
    assert_eq!(read_response(&mut held).0, 413);
    assert!(l.alive(), "the listener died: {}", l.log());
    assert_eq!(healthz(&l.addr), 200);

    // Chunked, with no length: cut when it passes 1 MiB.
    let mut stream = connect(&nginx.addr);
    stream
        .write_all(
            b"POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..40 {
        let mut bytes = format!("{:x}\r\n", chunk.len()).into_bytes();
        bytes.extend_from_slice(&chunk);
        bytes.extend_from_slice(b"\r\n");
        if stream.write_all(&bytes).is_err() {
            break;
        }
    }
    assert_eq!(read_response(&mut stream).0, 413);

    // A 64 KiB header, and a long request line.
    let huge = "a".repeat(64 * 1024);
    let (status, _) = request(
        &nginx.addr,
        "POST",
        "/webhooks/stripe",
        &[("Stripe-Signature", huge.clone())],
        b"{}",
    );
    assert!([400, 431, 494].contains(&status), "huge header: {status}");
    let (status, _) = request(
        &nginx.addr,
        "POST",
        &format!("/webhooks/stripe?{huge}"),
        &[],
        b"{}",
    );
    assert!(
        [400, 414, 431, 494].contains(&status),
        "huge request line: {status}"
    );

    assert_eq!(shop.snapshot(), before);
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log"),
        rows_before,
        "nothing reached tally"
    );
    // And the proxy still serves.
    let (status, answer) = stripe(&nginx.addr, &succeeded("evt_after_huge", "N02"));
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("applied")),
        "{answer}"
    );
    drop(held);
    assert!(l.alive(), "the listener died: {}", l.log());
}

/// Many clients each sending several deliveries on one kept-alive
/// connection, all at once, to a freshly started listener: every one is
/// answered (tiny_http alone can leave one waiting; nginx opens a new
/// upstream connection per request and closes it).
#[test]
fn a_burst_of_keep_alive_deliveries_through_nginx_is_answered_in_full() {
    const CLIENTS: usize = 12;
    const EACH: usize = 5;
    let shop = Shop::new();
    let (mut l, socket) = Listener::start_with_socket(&shop);
    let Some(nginx) = Nginx::start(&socket) else {
        return;
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let addr = nginx.addr.clone();
            std::thread::spawn(move || {
                let mut stream = connect(&addr);
                let mut answered = Vec::new();
                for i in 0..EACH {
                    let number = format!("N0{}", 1 + (c + i) % 5);
                    let body = succeeded(&format!("evt_burst_{c}_{i}"), &number);
                    let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
                    let mut bytes = format!(
                        "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nStripe-Signature: {header}\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    bytes.extend_from_slice(&body);
                    stream.write_all(&bytes).unwrap();
                    answered.push(read_response(&mut stream).0);
                }
                answered
            })
        })
        .collect();
    for client in clients {
        let answered = client.join().unwrap();
        assert_eq!(answered, vec![200; EACH]);
    }
    assert_eq!(
        shop.count("SELECT count(*) FROM webhook_log WHERE event_id LIKE 'evt_burst_%'"),
        i64::try_from(CLIENTS * EACH).unwrap()
    );
    for n in 1..=5 {
        assert_eq!(
            shop.state(&format!("N0{n}")),
            ("paid".into(), "completed".into())
        );
    }
    assert!(l.alive(), "{}", l.log());
}

// ---------------------------------------------------------------------------
// The guard: Unix socket, several binds, no exposure by accident
// ---------------------------------------------------------------------------

#[test]
fn a_unix_socket_is_0660_takes_signed_deliveries_beside_a_loopback_port() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let shop = Shop::new();
    let (mut l, socket) = Listener::start_with_socket(&shop);
    let meta = std::fs::metadata(&socket.path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    let line = format!("listening on unix:{}", socket.path.display());
    let log = l.log_when(|log| log.contains(&line));
    assert!(log.contains(&line), "{log}");

    // A signed delivery over the socket.
    let body = succeeded("evt_unix_1", "N01");
    let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
    let (status, answer) = unix_request(
        &socket.path,
        "POST",
        "/webhooks/stripe",
        &[("Stripe-Signature", header)],
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(shop.state("N01"), ("paid".into(), "completed".into()));
    // A tampered one over the socket changes nothing.
    let body = succeeded("evt_unix_2", "N02");
    let header = sign_stripe(SECRET, unix_now(), &body).unwrap();
    let mut tampered = body.clone();
    tampered[12] ^= 1;
    let (status, _) = unix_request(
        &socket.path,
        "POST",
        "/webhooks/stripe",
        &[("Stripe-Signature", header)],
        &tampered,
    );
    assert_eq!(status, 400);
    assert_eq!(shop.state("N02"), ("pending".into(), "pending".into()));

    // The loopback port serves the same shop: health, metrics, deliveries.
    assert_eq!(healthz(&l.addr), 200);
    let (status, metrics) = request(&l.addr, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    assert!(metrics.contains("provider=\"stripe\""), "{metrics}");
    let (status, _) = stripe(&l.addr, &succeeded("evt_tcp_1", "N03"));
    assert_eq!(status, 200);
    assert_eq!(shop.state("N03"), ("paid".into(), "completed".into()));

    // A clean stop removes the socket file.
    assert!(l.signal("TERM"));
    let status = l.wait_exit(PATIENCE).expect("tally serve did not stop");
    assert!(status.success(), "{}", l.log());
    assert!(
        !socket.path.exists(),
        "the socket file outlived the listener"
    );
}

#[test]
fn a_bind_beyond_loopback_is_refused_without_behind_proxy() {
    let shop = Shop::new();
    let before = shop.snapshot();
    let out = Listener::command(&shop.db, &["--bind", "127.0.0.1:0", "--bind", "0.0.0.0:0"])
        .env("STRIPE_WEBHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--bind 0.0.0.0:0: not a loopback address"),
        "{err}"
    );
    assert!(
        err.contains("--behind-proxy") && err.contains("Content-Length"),
        "{err}"
    );
    assert!(!err.contains("listening on"), "{err}");
    assert_eq!(shop.snapshot(), before);

    // A malformed address is named too.
    let out = Listener::command(&shop.db, &["--bind", "8787"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind \"8787\""));

    // With --behind-proxy the owner takes responsibility: it listens, and
    // says the proxy must guard the port.
    let mut cmd = Listener::command(&shop.db, &["--bind", "0.0.0.0:0", "--behind-proxy"]);
    cmd.env("STRIPE_WEBHOOK_SECRET", SECRET);
    let mut l = Listener::spawn(cmd);
    let port = l.port();
    assert_eq!(healthz(&format!("127.0.0.1:{port}")), 200);
    let log = l.log_when(|log| log.contains("listening beyond loopback"));
    assert!(log.contains("listening beyond loopback"), "{log}");
    assert!(l.signal("TERM"));
    assert!(l.wait_exit(PATIENCE).is_some());
}

// ---------------------------------------------------------------------------
// Operations: prune and doctor against a live listener
// ---------------------------------------------------------------------------

#[test]
fn a_pruned_event_is_still_a_duplicate_and_changes_nothing() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    let body = succeeded("evt_prune", "N01");
    assert_eq!(stripe(&l.addr, &body).1["result"], "applied");
    // Received 40 days ago, as far as the log is concerned.
    shop.conn_rw()
        .execute_batch("UPDATE webhook_log SET received_at = '2020-01-01T00:00:00.000Z'")
        .unwrap();
    let (code, out, err) = shop.run(
        &[
            "--actor",
            "cron",
            "webhooks",
            "prune",
            "--older-than",
            "30d",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("dropped 1 stored body and 1 remote address"),
        "{out}"
    );
    assert_eq!(
        shop.count(
            "SELECT count(*) FROM webhook_log WHERE body IS NOT NULL OR remote_addr IS NOT NULL"
        ),
        0
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM audit_log WHERE event = 'webhook_bodies_pruned' AND actor = 'cron'"),
        1
    );
    let before = shop.snapshot();
    // The provider re-delivers the old event: a duplicate, nothing changes.
    let (status, answer) = stripe(&l.addr, &body);
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("duplicate")),
        "{answer}"
    );
    assert_eq!(shop.snapshot(), before);
    // A bad duration is refused, naming what is expected.
    let (code, _, err) = shop.run(&["webhooks", "prune", "--older-than", "soon"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("48h"), "{err}");
}

#[test]
fn doctor_checks_a_live_set_up_and_spots_a_rotated_secret() {
    let shop = Shop::new();
    let l = Listener::start(&shop);
    assert_eq!(
        stripe(&l.addr, &succeeded("evt_doc", "N01")).1["result"],
        "applied"
    );
    let env_file = shop.dir.path().join("tally.env");
    std::fs::write(
        &env_file,
        format!("STRIPE_WEBHOOK_SECRET={SECRET}\nPAYPAL_WEBHOOK_ID=WH-NETWORK\n"),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&env_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let env_arg = env_file.display().to_string();
    let (code, out, err) = shop.run(&["doctor", "--env-file", &env_arg], &[]);
    assert_eq!(code, 0, "{out}{err}");
    // Ten checks and the language line.
    assert_eq!(out.lines().count(), 11, "{out}");
    assert!(out.ends_with("English (LANG=C)\n"), "{out}");
    assert!(out.lines().all(|l| l.starts_with("ok ")), "{out}");
    assert!(
        !out.contains(SECRET) && !out.contains("WH-NETWORK"),
        "{out}"
    );

    // Stripe now signs with a secret this listener does not know.
    for i in 0..3 {
        let (status, _) = stripe_with(
            &l.addr,
            "whsec_rotated_at_stripe",
            &succeeded(&format!("evt_rot_{i}"), "N02"),
        );
        assert_eq!(status, 400);
    }
    // Only refusals for a while: move the verified delivery back a day.
    shop.conn_rw()
        .execute_batch(
            "UPDATE webhook_log SET received_at = '2020-01-01T00:00:00.000Z' WHERE signature = 'verified'",
        )
        .unwrap();
    let (code, out, _) = shop.run(&["doctor", "--env-file", &env_arg, "--json"], &[]);
    assert_eq!(code, 1, "{out}");
    let checks: Value = serde_json::from_str(&out).unwrap();
    let rejections = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rejections")
        .unwrap();
    assert_eq!(rejections["status"], "problem", "{rejections}");
    assert!(
        rejections["message"].as_str().unwrap().contains("rotated"),
        "{rejections}"
    );
    // The database's file is private: a world-readable one is a problem.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shop.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (code, out, _) = shop.run(&["doctor"], &[]);
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|l| l.starts_with("problem  db file")),
        "{out}"
    );
}
