//! Where `tally serve` listens: `--bind` addresses, read and checked before
//! anything is bound, then bound one by one.
//!
//! An address is `HOST:PORT` (TCP) or `unix:PATH` (a Unix socket); `--bind`
//! may be given several times, one server per address, every one served by
//! the same workers' code. The recommended set-up is a Unix socket for
//! nginx plus `127.0.0.1:8787` for `/healthz` and `/metrics`.
//!
//! What it promises:
//!
//! - **No TCP port of tally's faces the network by accident.** tiny_http
//!   0.12 has no timeouts and trusts `Content-Length` (a request declaring
//!   99999999999 bytes whose client keeps the connection open makes it
//!   allocate that much when the request is dropped, and the process
//!   aborts; tiny-http PR #290, closed unmerged). Only a reverse proxy in
//!   front stops that. So a TCP address that is not loopback is refused
//!   unless `--behind-proxy` says a proxy guards it ([`check_exposure`]).
//! - **A Unix socket only its owner and group can reach.** The socket is
//!   created with mode 0660 (connecting needs write permission): nginx
//!   connects through its group. It is made by tally, not tiny_http, so
//!   that the mode is set before the first `accept`; with any usual umask
//!   (022, 027, 077) the socket is born without write permission for
//!   others, so no one else can connect in between either.
//! - **A stale socket is replaced, a live one is not.** A socket file left
//!   by a listener that died is removed (nobody answers on it); a path on
//!   which something answers, or which is not a socket, is refused. The
//!   socket file is removed again when the listener stops (tiny_http's
//!   server does it when dropped).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

/// One `--bind` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindAddr {
    /// `HOST:PORT`, kept as written (a host name resolves when bound).
    Tcp(String),
    /// `unix:PATH`.
    Unix(PathBuf),
}

/// Why a `--bind` address is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BindError {
    #[error("--bind {0:?}: expected HOST:PORT (e.g. 127.0.0.1:8787) or unix:PATH")]
    Malformed(String),
    #[error("--bind {addr:?}: cannot resolve it: {reason}")]
    Resolve { addr: String, reason: String },
    #[error(
        "--bind {addr}: not a loopback address ({ip}). tally serve has no timeouts and trusts a \
         request's Content-Length (an absurd one aborts it): only a reverse proxy in front \
         (nginx, deploy/nginx-tally.conf) stops such requests. Prefer --bind unix:PATH for the \
         proxy; if a proxy really guards this address and port, add --behind-proxy"
    )]
    Exposed { addr: String, ip: String },
    #[error("--bind {0} is given twice")]
    Duplicate(String),
}

impl BindError {
    /// The error as a message, for the owner's language (`tally serve`'s
    /// log lines stay English; this is its refusal to start).
    pub fn msg(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            BindError::Malformed(text) => msg!("bind-malformed", text = format!("{text:?}")),
            BindError::Resolve { addr, reason } => msg!(
                "bind-resolve",
                addr = format!("{addr:?}"),
                reason = reason.as_str()
            ),
            BindError::Exposed { addr, ip } => {
                msg!("bind-exposed", addr = addr.as_str(), ip = ip.as_str())
            }
            BindError::Duplicate(addr) => msg!("bind-duplicate", addr = addr.as_str()),
        }
    }
}

impl BindAddr {
    /// Reads one `--bind` value.
    pub fn parse(text: &str) -> Result<BindAddr, BindError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() || path.contains('\0') {
                return Err(BindError::Malformed(text.to_owned()));
            }
            return Ok(BindAddr::Unix(PathBuf::from(path)));
        }
        match text.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                Ok(BindAddr::Tcp(text.to_owned()))
            }
            _ => Err(BindError::Malformed(text.to_owned())),
        }
    }

    /// As written on the command line, for messages.
    pub fn describe(&self) -> String {
        match self {
            BindAddr::Tcp(addr) => addr.clone(),
            BindAddr::Unix(path) => format!("unix:{}", path.display()),
        }
    }

    /// The socket addresses a TCP address resolves to (none for a socket).
    fn resolve(&self) -> Result<Vec<SocketAddr>, BindError> {
        match self {
            BindAddr::Unix(_) => Ok(Vec::new()),
            BindAddr::Tcp(addr) => {
                addr.to_socket_addrs()
                    .map(Iterator::collect)
                    .map_err(|e| BindError::Resolve {
                        addr: addr.clone(),
                        reason: e.to_string(),
                    })
            }
        }
    }
}

/// Reads every `--bind` value and refuses, before anything is bound, a
/// duplicate and a TCP address beyond loopback without `behind_proxy`.
pub fn check_exposure(values: &[String], behind_proxy: bool) -> Result<Vec<BindAddr>, BindError> {
    let mut addrs: Vec<BindAddr> = Vec::with_capacity(values.len());
    for value in values {
        let addr = BindAddr::parse(value)?;
        if addrs.contains(&addr) {
            return Err(BindError::Duplicate(addr.describe()));
        }
        let resolved = if behind_proxy {
            Vec::new()
        } else {
            addr.resolve()?
        };
        if let Some(exposed) = resolved.iter().find(|a| !a.ip().is_loopback()) {
            return Err(BindError::Exposed {
                addr: addr.describe(),
                ip: exposed.ip().to_string(),
            });
        }
        addrs.push(addr);
    }
    Ok(addrs)
}

/// Binds one address: a TCP listener through tiny_http, or a Unix socket
/// made here with mode 0660 and handed to tiny_http.
pub fn bind(addr: &BindAddr) -> Result<tiny_http::Server, String> {
    match addr {
        BindAddr::Tcp(text) => tiny_http::Server::http(text.as_str()).map_err(|e| e.to_string()),
        BindAddr::Unix(path) => bind_unix(path),
    }
}

#[cfg(unix)]
fn bind_unix(path: &Path) -> Result<tiny_http::Server, String> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    use std::os::unix::net::{UnixListener, UnixStream};

    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(format!(
                "{} exists and is not a socket: remove it or choose another path",
                path.display()
            ));
        }
        if UnixStream::connect(path).is_ok() {
            return Err(format!(
                "another process is listening on {} (another tally serve?)",
                path.display()
            ));
        }
        std::fs::remove_file(path)
            .map_err(|e| format!("cannot remove the stale socket {}: {e}", path.display()))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| e.to_string())?;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)) {
        let _ = std::fs::remove_file(path);
        return Err(format!("cannot set mode 0660 on {}: {e}", path.display()));
    }
    tiny_http::Server::from_listener(listener, None).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn bind_unix(path: &Path) -> Result<tiny_http::Server, String> {
    Err(format!(
        "unix:{}: Unix sockets are not supported on this system",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binds(values: &[&str], behind_proxy: bool) -> Result<Vec<BindAddr>, BindError> {
        let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        check_exposure(&values, behind_proxy)
    }

    #[test]
    fn addresses_are_tcp_or_unix() {
        assert_eq!(
            BindAddr::parse("127.0.0.1:8787"),
            Ok(BindAddr::Tcp("127.0.0.1:8787".into()))
        );
        assert_eq!(
            BindAddr::parse("[::1]:0"),
            Ok(BindAddr::Tcp("[::1]:0".into()))
        );
        assert_eq!(
            BindAddr::parse("unix:/run/tally/tally.sock"),
            Ok(BindAddr::Unix("/run/tally/tally.sock".into()))
        );
        for bad in [
            "",
            "unix:",
            "8787",
            "127.0.0.1",
            "127.0.0.1:99999",
            ":8787",
            "localhost:x",
        ] {
            assert_eq!(
                BindAddr::parse(bad),
                Err(BindError::Malformed(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn loopback_and_sockets_need_no_proxy() {
        let addrs = binds(&["unix:/tmp/t.sock", "127.0.0.1:8787", "[::1]:8788"], false).unwrap();
        assert_eq!(addrs.len(), 3);
        assert!(binds(&["localhost:8787"], false).is_ok());
    }

    #[test]
    fn beyond_loopback_needs_behind_proxy_and_says_why() {
        for addr in ["0.0.0.0:8787", "192.0.2.10:8787", "[::]:8787"] {
            let err = binds(&["127.0.0.1:8787", addr], false).unwrap_err();
            assert!(matches!(err, BindError::Exposed { .. }), "{addr}: {err}");
            let message = err.to_string();
            assert!(message.contains("--behind-proxy"), "{message}");
            assert!(message.contains("Content-Length"), "{message}");
            assert!(binds(&[addr], true).is_ok(), "{addr}");
        }
    }

    #[test]
    fn the_same_address_twice_is_refused() {
        assert_eq!(
            binds(&["unix:/tmp/a.sock", "unix:/tmp/a.sock"], false),
            Err(BindError::Duplicate("unix:/tmp/a.sock".into()))
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_is_0660_a_stale_one_is_replaced_a_live_one_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tally.sock");
        let addr = BindAddr::Unix(path.clone());
        let server = bind(&addr).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660);
        // Something answers on it: refused, and the socket is left alone.
        let err = bind(&addr).err().unwrap();
        assert!(err.contains("another process is listening"), "{err}");
        drop(server);
        assert!(!path.exists(), "a stopped listener removes its socket");
        // A socket file left by a listener that died: nobody answers, replaced.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        drop(bind(&addr).unwrap());
        // A path that is not a socket is never removed.
        std::fs::write(&path, "data").unwrap();
        let err = bind(&addr).err().unwrap();
        assert!(err.contains("not a socket"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "data");
    }
}
