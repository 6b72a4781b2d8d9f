//! The one place tally builds an HTTP client: ureq over rustls.
//!
//! Every outgoing request goes through an agent built here: PayPal's
//! certificates today, the providers' APIs tomorrow, and the signed test
//! event `tally send-test-event` posts to a listener. TLS, time limits and
//! redirects are decided in this file and nowhere else. What it promises:
//!
//! - **rustls only.** No system OpenSSL; certificates are checked against
//!   the web PKI roots ureq ships with.
//! - **Provider hosts over HTTPS only.** [`provider_agent`] refuses a plain
//!   `http://` URL, follows no redirect (a checked URL must be the one
//!   fetched), answers a 4xx or 5xx as an error, gives up after the timeout
//!   and names tally in its `User-Agent`.
//! - **Provider APIs** ([`api_agent`]): the same, except that every status
//!   is an answer for the API client to read, and plain `http://` only
//!   where the client allows it (a loopback test server).
//! - **A listener wherever it is.** [`listener_agent`] is for tally's own
//!   listener, which may be plain HTTP on localhost or behind a proxy: it
//!   follows ureq's default redirects and hands every status back as an
//!   answer to print, not an error.

use std::time::Duration;

/// The `User-Agent` of requests to a provider.
pub const USER_AGENT: &str = concat!("tally/", env!("CARGO_PKG_VERSION"));

/// How an agent behaves; the two kinds tally needs are the functions below.
struct Options {
    timeout: Duration,
    https_only: bool,
    follow_redirects: bool,
    statuses_as_errors: bool,
    user_agent: Option<&'static str>,
}

fn build(options: Options) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .https_only(options.https_only)
        .http_status_as_error(options.statuses_as_errors)
        .timeout_global(Some(options.timeout));
    if !options.follow_redirects {
        config = config.max_redirects(0);
    }
    if let Some(user_agent) = options.user_agent {
        config = config.user_agent(user_agent);
    }
    config.build().into()
}

/// An agent for a provider's hosts: HTTPS only, no redirect, errors for
/// 4xx and 5xx, at most `timeout` per request.
pub fn provider_agent(timeout: Duration) -> ureq::Agent {
    build(Options {
        timeout,
        https_only: true,
        follow_redirects: false,
        statuses_as_errors: true,
        user_agent: Some(USER_AGENT),
    })
}

/// An agent for a provider's API ([`super::api`]): like
/// [`provider_agent`], but every status is an answer, so that the caller
/// can read the provider's error text and its `Retry-After`. Plain HTTP
/// only when `allow_http` (the caller allows it for loopback test servers
/// alone).
pub fn api_agent(timeout: Duration, allow_http: bool) -> ureq::Agent {
    build(Options {
        timeout,
        https_only: !allow_http,
        follow_redirects: false,
        statuses_as_errors: false,
        user_agent: Some(USER_AGENT),
    })
}

/// An agent for a tally listener: HTTP or HTTPS, every status an answer,
/// at most `timeout` per request.
pub fn listener_agent(timeout: Duration) -> ureq::Agent {
    build(Options {
        timeout,
        https_only: false,
        follow_redirects: true,
        statuses_as_errors: false,
        user_agent: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_agent_refuses_plain_http_before_connecting() {
        let agent = provider_agent(Duration::from_secs(1));
        let config = agent.config();
        assert!(config.https_only());
        assert_eq!(config.max_redirects(), 0);
        assert!(config.http_status_as_error());
        // Port 9 (discard) is never dialled: the scheme is refused first.
        assert!(agent.get("http://127.0.0.1:9/").call().is_err());
    }

    #[test]
    fn a_listener_agent_takes_http_and_keeps_statuses() {
        let config = listener_agent(Duration::from_secs(1));
        let config = config.config();
        assert!(!config.https_only());
        assert!(!config.http_status_as_error());
        assert!(config.max_redirects() > 0);
    }
}
