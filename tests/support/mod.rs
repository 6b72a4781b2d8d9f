//! What the `tally sync` tests share: localstripe (a real, stateful fake
//! Stripe API server from PyPI, started by `localstripe_server.py`), a
//! small HTTP proxy in front of any server that injects faults and counts
//! calls, and hand-written fakes of PayPal's and Stripe's APIs that follow
//! `../shared/providers/paypal-api.md` and `stripe-api.md` (they are fakes:
//! only the calls tally makes, in the documented shapes); Wave's Checkout
//! API's in [`wave`].

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;

pub mod wave;

// ---------------------------------------------------------------------------
// localstripe
// ---------------------------------------------------------------------------

/// A Python that can `import localstripe`: `TALLY_LOCALSTRIPE_PYTHON`, else
/// `python3`. Under CI (`CI` set) a missing localstripe fails the test with
/// the way to install it; elsewhere the test says SKIPPED.
pub fn localstripe_python() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("TALLY_LOCALSTRIPE_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("python3")])
        .collect();
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import localstripe"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "localstripe is not installed: .ci/run installs it (pip install localstripe==1.15.10) \
             and sets TALLY_LOCALSTRIPE_PYTHON"
        );
    }
    eprintln!(
        "SKIPPED: localstripe not found (pip install localstripe==1.15.10, or set TALLY_LOCALSTRIPE_PYTHON)"
    );
    None
}

/// A running localstripe on 127.0.0.1, its store in `dir`.
pub struct Localstripe {
    child: Child,
    pub port: u16,
}

impl Localstripe {
    pub fn start(python: &Path, dir: &Path) -> Localstripe {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/localstripe_server.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(dir.join("localstripe.pickle"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("localstripe printed no port: {line:?}")
        });
        let ls = Localstripe { child, port };
        // Wait until it answers.
        for _ in 0..100 {
            if ureq_agent()
                .get(&format!("{}/v1/events", ls.url()))
                .header("Authorization", "Bearer sk_test_ready")
                .call()
                .is_ok()
            {
                return ls;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("localstripe did not answer");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A form POST with a test key; the JSON answer (which must be 2xx).
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let mut resp = ureq_agent()
            .post(&format!("{}{path}", self.url()))
            .header("Authorization", "Bearer sk_test_tally")
            .send_form(form.iter().copied())
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap();
        assert!((200..300).contains(&status), "{path}: {status} {body}");
        if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap()
        }
    }

    /// Sends localstripe's webhooks to `url`, signed with `secret`.
    pub fn webhook(&self, url: &str, secret: &str) {
        self.post(
            "/_config/webhooks/tally",
            &[("url", url), ("secret", secret)],
        );
    }

    /// A card PaymentMethod (4242…: succeeds; 4000000000000002: declined).
    pub fn card(&self, number: &str) -> String {
        let pm = self.post(
            "/v1/payment_methods",
            &[
                ("type", "card"),
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        );
        pm["id"].as_str().unwrap().to_owned()
    }

    /// A PaymentIntent for `order`, created and confirmed at once.
    pub fn pay(&self, order: &str, amount_minor: i64, currency: &str, card: &str) -> String {
        let amount = amount_minor.to_string();
        let currency = currency.to_ascii_lowercase();
        let pm = self.card(card);
        let pi = self.post(
            "/v1/payment_intents",
            &[
                ("amount", amount.as_str()),
                ("currency", currency.as_str()),
                ("payment_method", pm.as_str()),
                ("metadata[order_id]", order),
                ("confirm", "true"),
            ],
        );
        pi["id"].as_str().unwrap().to_owned()
    }
}

impl Drop for Localstripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn ureq_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

// ---------------------------------------------------------------------------
// A fault-injecting proxy
// ---------------------------------------------------------------------------

/// What the proxy answers instead of forwarding, once each, in order.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status, with a `Retry-After` header when given, and a body.
    Status(u16, Option<&'static str>, &'static str),
    /// Wait this long, then forward (a slow provider).
    Delay(Duration),
}

/// A proxy on 127.0.0.1 in front of `upstream`. It drops the query
/// parameters localstripe refuses (`types[]`, `delivery_success`; real
/// Stripe takes them), answers queued [`Fault`]s, and counts requests by
/// path.
pub struct Proxy {
    pub port: u16,
    pub faults: Arc<Mutex<VecDeque<Fault>>>,
    pub calls: Arc<Mutex<HashMap<String, usize>>>,
    server: Arc<tiny_http::Server>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let faults: Arc<Mutex<VecDeque<Fault>>> = Arc::default();
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (s, f, c, up) = (
            server.clone(),
            faults.clone(),
            calls.clone(),
            upstream.to_owned(),
        );
        thread::spawn(move || {
            let agent = ureq_agent();
            for mut req in s.incoming_requests() {
                let url = req.url().to_owned();
                let (path, query) = url.split_once('?').unwrap_or((&url, ""));
                *c.lock().unwrap().entry(path.to_owned()).or_default() += 1;
                let fault = f.lock().unwrap().pop_front();
                match fault {
                    Some(Fault::Status(code, retry_after, body)) => {
                        let mut resp =
                            tiny_http::Response::from_string(body).with_status_code(code);
                        if let Some(ra) = retry_after {
                            resp.add_header(
                                tiny_http::Header::from_bytes("Retry-After", ra).unwrap(),
                            );
                        }
                        let _ = req.respond(resp);
                        continue;
                    }
                    Some(Fault::Delay(d)) => thread::sleep(d),
                    None => {}
                }
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|kv| {
                        !kv.is_empty()
                            && !kv.starts_with("types%5B%5D=")
                            && !kv.starts_with("types[]=")
                            && !kv.starts_with("delivery_success=")
                    })
                    .collect();
                let target = if kept.is_empty() {
                    format!("{up}{path}")
                } else {
                    format!("{up}{path}?{}", kept.join("&"))
                };
                let auth = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.as_str().to_owned())
                    .unwrap_or_default();
                let mut body = Vec::new();
                req.as_reader().read_to_end(&mut body).unwrap();
                let answer = match req.method() {
                    tiny_http::Method::Post => agent
                        .post(&target)
                        .header("Authorization", &auth)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .send(&body[..]),
                    _ => agent.get(&target).header("Authorization", &auth).call(),
                };
                let resp = match answer {
                    Ok(mut r) => {
                        let status = r.status().as_u16();
                        let text = r.body_mut().read_to_string().unwrap_or_default();
                        tiny_http::Response::from_string(text).with_status_code(status)
                    }
                    Err(e) => tiny_http::Response::from_string(e.to_string()).with_status_code(502),
                };
                let _ = req.respond(resp);
            }
        });
        Proxy {
            port,
            faults,
            calls,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn fault(&self, f: Fault) {
        self.faults.lock().unwrap().push_back(f);
    }

    pub fn calls(&self, path: &str) -> usize {
        self.calls.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn total_calls(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

// ---------------------------------------------------------------------------
// Hand-written fakes
// ---------------------------------------------------------------------------

/// One request to a fake.
pub struct FakeRequest {
    pub method: String,
    pub path: String,
    /// The query, decoded; repeated keys kept in order.
    pub query: Vec<(String, String)>,
    pub authorization: String,
    pub body: String,
    /// Every request header (name, value), for the ones a test looks at
    /// (an idempotency key).
    pub headers: Vec<(String, String)>,
}

impl FakeRequest {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A request header, by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A fake's answer: status, extra headers, JSON body.
pub type FakeResponse = (u16, Vec<(&'static str, String)>, String);

type Handler = dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync;

/// A fake API on 127.0.0.1: `handler` answers, after any queued fault;
/// requests are counted by path.
pub struct Fake {
    pub port: u16,
    pub faults: Arc<Mutex<VecDeque<Fault>>>,
    pub calls: Arc<Mutex<HashMap<String, usize>>>,
    server: Arc<tiny_http::Server>,
}

impl Fake {
    pub fn start(handler: impl Fn(&FakeRequest) -> FakeResponse + Send + Sync + 'static) -> Fake {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let faults: Arc<Mutex<VecDeque<Fault>>> = Arc::default();
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (s, f, c) = (server.clone(), faults.clone(), calls.clone());
        thread::spawn(move || {
            for mut req in s.incoming_requests() {
                let url = url::Url::parse(&format!("http://x{}", req.url())).unwrap();
                let path = url.path().to_owned();
                *c.lock().unwrap().entry(path.clone()).or_default() += 1;
                let fault = f.lock().unwrap().pop_front();
                match fault {
                    Some(Fault::Status(code, retry_after, body)) => {
                        let mut resp =
                            tiny_http::Response::from_string(body).with_status_code(code);
                        if let Some(ra) = retry_after {
                            resp.add_header(
                                tiny_http::Header::from_bytes("Retry-After", ra).unwrap(),
                            );
                        }
                        let _ = req.respond(resp);
                        continue;
                    }
                    Some(Fault::Delay(d)) => thread::sleep(d),
                    None => {}
                }
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(req.as_reader(), &mut body);
                let fr = FakeRequest {
                    method: req.method().to_string(),
                    path,
                    query: url
                        .query_pairs()
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect(),
                    authorization: req
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.as_str().to_owned())
                        .unwrap_or_default(),
                    body,
                    headers: req
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_owned(),
                                h.value.as_str().to_owned(),
                            )
                        })
                        .collect(),
                };
                let (status, headers, body) = handler(&fr);
                let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
                resp.add_header(
                    tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                );
                for (k, v) in headers {
                    resp.add_header(tiny_http::Header::from_bytes(k, v.as_bytes()).unwrap());
                }
                let _ = req.respond(resp);
            }
        });
        Fake {
            port,
            faults,
            calls,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn fault(&self, f: Fault) {
        self.faults.lock().unwrap().push_back(f);
    }

    pub fn calls(&self, path: &str) -> usize {
        self.calls.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn total_calls(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// A fake of Stripe's `GET /v1/events` as documented (stripe-api.md §1):
/// newest first, `created[gte]`, `limit`, `starting_after`, `has_more`;
/// 401 with Stripe's error body for any key but `key`. `page` caps the
/// page size (to exercise paging with few events).
pub fn fake_stripe(events: Vec<Value>, key: &'static str, page: usize) -> Fake {
    let mut events = events;
    events.sort_by(|a, b| {
        (b["created"].as_i64(), b["id"].as_str()).cmp(&(a["created"].as_i64(), a["id"].as_str()))
    });
    Fake::start(move |r| {
        if r.authorization != format!("Bearer {key}") {
            return (
                401,
                vec![],
                serde_json::json!({"error": {"type": "invalid_request_error",
                    "message": "Invalid API Key provided: sk_test_****"}})
                .to_string(),
            );
        }
        if r.path != "/v1/events" {
            return (
                404,
                vec![],
                r#"{"error":{"message":"Unrecognized request URL"}}"#.to_owned(),
            );
        }
        let gte: i64 = r
            .param("created[gte]")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let limit: usize = r
            .param("limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10)
            .min(page);
        let matching: Vec<&Value> = events
            .iter()
            .filter(|e| e["created"].as_i64().unwrap() >= gte)
            .collect();
        let start = match r.param("starting_after") {
            Some(id) => matching
                .iter()
                .position(|e| e["id"] == id)
                .map_or(0, |i| i + 1),
            None => 0,
        };
        let data: Vec<&Value> = matching.iter().skip(start).take(limit).copied().collect();
        let has_more = start + data.len() < matching.len();
        (
            200,
            vec![],
            serde_json::json!({"object": "list", "url": "/v1/events", "has_more": has_more, "data": data})
                .to_string(),
        )
    })
}
