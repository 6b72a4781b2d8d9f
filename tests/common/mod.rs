//! What the end-to-end tests share: the real `tally` binary run to
//! completion, a shop imported into a temporary database, a running
//! `tally serve`, and plain HTTP/1.1 over a `TcpStream`.
//!
//! Each test file is a crate of its own that includes this module
//! (`mod common;`) and uses part of it, hence `dead_code` is allowed. What
//! belongs to one file (its shop, its secrets, the listener's flags) stays in
//! that file, in an `impl Shop` or `impl Listener` block of its own.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tally");

/// How long a whole HTTP exchange may take on a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A file of the repository.
pub fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ---------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------

/// A finished `tally` command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!(
            "exit {}\n{}{}",
            self.code,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// Pins a command to English and UTC, whatever the machine's locale: a
/// test that reads text must not depend on who runs it.
pub fn english(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("TALLY_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env_remove("TZ")
}

/// Runs `tally --db DB ARGS` to completion, standard input closed.
pub fn tally(db: &Path, args: &[&str]) -> Run {
    tally_with(db, args, &[])
}

/// [`tally`] with `env` set, and nothing inherited that would change what
/// it does (`TALLY_DB`, the webhook secrets, the language: English and UTC
/// unless `env` says otherwise).
pub fn tally_with(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TALLY_DB")
        .env_remove("STRIPE_WEBHOOK_SECRET")
        .env_remove("PAYPAL_WEBHOOK_ID")
        .env_remove("STRIPE_API_KEY")
        .env_remove("PAYPAL_CLIENT_ID")
        .env_remove("PAYPAL_CLIENT_SECRET")
        .env_remove("WAVE_API_KEY")
        .env_remove("TALLY_STRIPE_API")
        .env_remove("TALLY_PAYPAL_API")
        .env_remove("TALLY_WAVE_API")
        .env_remove("WAVE_WEBHOOK_SECRET")
        .stdin(Stdio::null());
    english(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------
// A shop
// ---------------------------------------------------------------------------

/// A temporary directory holding `shop.db`.
pub struct Shop {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Shop {
    /// `tally import` of `shop` (orders and payments, as JSON) into a new
    /// database, which must succeed.
    pub fn import(shop: &Value) -> Shop {
        let dir = TempDir::new().unwrap();
        let db = dir.path().join("shop.db");
        let file = dir.path().join("shop.json");
        std::fs::write(&file, shop.to_string()).unwrap();
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .arg("import")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Shop { dir, db }
    }

    /// A read-only connection, to look.
    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(&self.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
    }

    /// A connection that may write, to set a scene up.
    pub fn conn_rw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Every row that an event may change (not the webhook log).
    pub fn snapshot(&self) -> String {
        let conn = self.conn();
        let mut out = String::new();
        for table in [
            "orders",
            "payments",
            "audit_log",
            "provider_events",
            "orphans",
        ] {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect::<Vec<_>>();
            out.push_str(&format!("{table}:\n{}\n", rows.join("\n")));
        }
        out
    }

    /// [`tally_with`] on this shop: (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let run = tally_with(&self.db, args, env);
        (run.code, run.stdout, run.stderr)
    }
}

// ---------------------------------------------------------------------------
// The listener
// ---------------------------------------------------------------------------

/// A running `tally serve` and its standard error, read as it comes.
pub struct Listener {
    child: Child,
    pub addr: String,
    /// Standard error so far, line by line.
    pub stderr: Arc<Mutex<String>>,
    reader: Option<thread::JoinHandle<()>>,
}

impl Listener {
    /// `tally --db DB serve ARGS`, with no secret, test hook or `TALLY_DB`
    /// inherited, standard error piped: the caller adds its flags and
    /// secrets, then calls [`Listener::spawn`].
    pub fn command(db: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--db")
            .arg(db)
            .arg("serve")
            .args(args)
            .env_remove("STRIPE_WEBHOOK_SECRET")
            .env_remove("PAYPAL_WEBHOOK_ID")
            .env_remove("WAVE_WEBHOOK_SECRET")
            .env_remove("TALLY_TEST_PANIC_PATH")
            .env_remove("TALLY_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    }

    /// Starts `cmd` and reads the bound address from the first line of
    /// standard error; panics (the process killed) when it names none.
    pub fn spawn(mut cmd: Command) -> Listener {
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = match lines.next() {
            Some(Ok(line)) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tally serve printed no first line: {other:?}");
            }
        };
        let Some(addr) = first.strip_prefix("tally serve: listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tally serve did not start: {first}");
        };
        let addr = addr.to_owned();
        let stderr = Arc::new(Mutex::new(format!("{first}\n")));
        let sink = stderr.clone();
        let reader = thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink.lock().unwrap_or_else(PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        Listener {
            child,
            addr,
            stderr,
            reader: Some(reader),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The log so far.
    pub fn log(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The log once `done` holds for it (log lines follow the answers), or
    /// after 10 s whatever it is.
    pub fn log_when(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if done(&log) || Instant::now() > deadline {
                return log;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends raw bytes; returns (status, body).
    pub fn raw(&self, request: &[u8]) -> (u16, String) {
        send(&self.addr, request)
    }

    /// See [`request`].
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> (u16, String) {
        request(&self.addr, method, path, headers, body)
    }

    /// `kill -SIGNAL`: whether it was delivered.
    pub fn signal(&self, signal: &str) -> bool {
        Command::new("kill")
            .args([&format!("-{signal}"), &self.pid()])
            .status()
            .unwrap()
            .success()
    }

    /// The exit status, once the process is gone; `None` after `patience`.
    pub fn wait_exit(&mut self, patience: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The whole log, once the process is gone.
    pub fn finish(&mut self) -> String {
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        self.log()
    }

    /// SIGKILL: no chance to finish anything. Returns the whole log.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.finish()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// Plain HTTP/1.1 over TcpStream
// ---------------------------------------------------------------------------

pub fn connect(addr: &str) -> TcpStream {
    let addr = addr.parse().unwrap();
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads one response: (status, body); status 0 when the connection closed
/// (or was reset) before a status line.
pub fn read_response(stream: &mut impl Read) -> (u16, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1024 * 1024)];
    let _ = stream.read_exact(&mut body);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Sends raw bytes on a new connection; returns (status, body).
pub fn send(addr: &str, bytes: &[u8]) -> (u16, String) {
    let mut stream = connect(addr);
    stream.write_all(bytes).unwrap();
    read_response(&mut stream)
}

/// One request with `Connection: close` and a `Content-Length`; returns
/// (status, body).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String) {
    send(addr, &request_bytes(addr, method, path, headers, body))
}

/// The bytes of one request with `Connection: close` and a `Content-Length`.
pub fn request_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
