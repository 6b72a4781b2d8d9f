//! Where the PayPal message-verification certificate comes from.
//!
//! What this module promises:
//!
//! - **No request to a host that is not PayPal's.** Every `PAYPAL-CERT-URL`
//!   is checked with [`parse_paypal_cert_url`] first (https, one of PayPal's
//!   four API hosts, no port, no user information); a refused URL never
//!   reaches the network, the disk cache or even the pinned certificate.
//!   The fetch requests the normalised URL that was checked, through the
//!   shared [`provider_agent`] (HTTPS only, no redirect), gives up after
//!   10 s and reads at most 64 KiB.
//! - **`--paypal-cert PEM` pins one certificate and never fetches**
//!   (offline set-ups and tests).
//! - **A disk cache keyed by URL.** Fetched certificates are kept under the
//!   cache directory as `<sha256 of the URL>.pem`, written to a temporary
//!   file and renamed, so a reader never sees half a file; a cached file
//!   that does not parse is ignored and fetched again. Certificates are
//!   only cached once they parse as an RSA certificate; subject and
//!   validity are checked at every verification, by `verify_paypal`.
//! - **Shared by the workers.** [`CertSource`] is `Sync`; parsed
//!   certificates are also kept in memory, behind a mutex that is never
//!   held across a fetch.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use url::Url;

use super::verify::{PaypalCert, VerifyError, parse_paypal_cert_url};
use crate::providers::http::provider_agent;

/// Most bytes read from a certificate download.
pub const MAX_CERT_BYTES: u64 = 64 * 1024;
/// How long a certificate download may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no certificate could be had.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// The URL is not one tally fetches from: the delivery is refused.
    #[error(transparent)]
    Refused(VerifyError),
    /// The certificate could not be fetched (or was not a certificate):
    /// tally's problem, not the sender's; the provider will retry.
    #[error("cannot get the PayPal certificate {url}: {reason}")]
    Unavailable { url: String, reason: String },
}

/// Downloads a checked certificate URL.
pub trait Fetch: Send + Sync {
    fn fetch(&self, url: &Url) -> Result<Vec<u8>, String>;
}

/// The HTTPS client: the shared provider agent.
pub struct HttpsFetch {
    agent: ureq::Agent,
}

impl HttpsFetch {
    pub fn new() -> HttpsFetch {
        HttpsFetch {
            agent: provider_agent(FETCH_TIMEOUT),
        }
    }
}

impl Default for HttpsFetch {
    fn default() -> Self {
        HttpsFetch::new()
    }
}

impl Fetch for HttpsFetch {
    fn fetch(&self, url: &Url) -> Result<Vec<u8>, String> {
        let response = self
            .agent
            .get(url.as_str())
            .call()
            .map_err(|e| e.to_string())?;
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_CERT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_CERT_BYTES {
            return Err(format!("the answer is larger than {MAX_CERT_BYTES} bytes"));
        }
        Ok(bytes)
    }
}

enum Mode {
    Pinned(PaypalCert),
    Fetched {
        cache_dir: PathBuf,
        fetcher: Box<dyn Fetch>,
    },
}

/// The certificates PayPal deliveries are verified with.
pub struct CertSource {
    mode: Mode,
    memory: Mutex<HashMap<String, PaypalCert>>,
}

impl CertSource {
    /// One pinned certificate, checked now: PayPal's subject, RSA ≥ 2048.
    pub fn pinned(pem: &[u8]) -> Result<CertSource, VerifyError> {
        let cert = PaypalCert::from_pem(pem)?;
        cert.check_subject()?;
        Ok(CertSource {
            mode: Mode::Pinned(cert),
            memory: Mutex::new(HashMap::new()),
        })
    }

    /// Certificates fetched with `fetcher` and cached under `cache_dir`.
    pub fn fetched(cache_dir: PathBuf, fetcher: Box<dyn Fetch>) -> CertSource {
        CertSource {
            mode: Mode::Fetched { cache_dir, fetcher },
            memory: Mutex::new(HashMap::new()),
        }
    }

    /// Certificates fetched over HTTPS and cached under `cache_dir`.
    pub fn https(cache_dir: PathBuf) -> CertSource {
        CertSource::fetched(cache_dir, Box::new(HttpsFetch::new()))
    }

    /// A short description for the start-up message.
    pub fn describe(&self) -> String {
        match &self.mode {
            Mode::Pinned(cert) => format!(
                "pinned certificate {} (valid {} to {})",
                cert.common_name().unwrap_or("?"),
                cert.not_before().date_naive(),
                cert.not_after().date_naive()
            ),
            Mode::Fetched { cache_dir, .. } => format!(
                "certificates fetched from PayPal over HTTPS, cached in {}",
                cache_dir.display()
            ),
        }
    }

    /// The certificate for a delivery's `PAYPAL-CERT-URL`.
    pub fn get(&self, raw_url: &str) -> Result<PaypalCert, CertError> {
        let url = parse_paypal_cert_url(raw_url).map_err(CertError::Refused)?;
        let (cache_dir, fetcher) = match &self.mode {
            Mode::Pinned(cert) => return Ok(cert.clone()),
            Mode::Fetched { cache_dir, fetcher } => (cache_dir, fetcher),
        };
        let key = url.as_str().to_owned();
        if let Some(cert) = self.remembered(&key) {
            return Ok(cert);
        }
        let unavailable = |reason: String| CertError::Unavailable {
            url: key.clone(),
            reason,
        };
        let file = cache_file(cache_dir, &url);
        let cert = match std::fs::read(&file)
            .ok()
            .and_then(|pem| PaypalCert::from_pem(&pem).ok())
        {
            Some(cert) => cert,
            None => {
                let pem = fetcher.fetch(&url).map_err(unavailable)?;
                let cert = PaypalCert::from_pem(&pem)
                    .map_err(|e| unavailable(format!("not a usable certificate: {e}")))?;
                if let Err(e) = store_file(cache_dir, &file, &pem) {
                    eprintln!(
                        "tally serve: warning: cannot cache the PayPal certificate in {}: {e}",
                        cache_dir.display()
                    );
                }
                cert
            }
        };
        if let Ok(mut memory) = self.memory.lock() {
            memory.insert(key, cert.clone());
        }
        Ok(cert)
    }

    fn remembered(&self, key: &str) -> Option<PaypalCert> {
        self.memory.lock().ok()?.get(key).cloned()
    }
}

/// `<dir>/<sha256 of the normalised URL>.pem`
pub fn cache_file(dir: &Path, url: &Url) -> PathBuf {
    let digest = Sha256::digest(url.as_str().as_bytes());
    dir.join(format!("{}.pem", hex::encode(digest)))
}

fn store_file(dir: &Path, file: &Path, pem: &[u8]) -> std::io::Result<()> {
    create_private_dir(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, pem)?;
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Where fetched PayPal certificates go by default: beside the database.
pub fn default_cert_cache(db: &std::path::Path) -> std::path::PathBuf {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    dir.join("tally-paypal-certs")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const CERTS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/webhook-samples/paypal/certs"
    );
    const LIVE_URL: &str =
        "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb";

    fn live_pem() -> Vec<u8> {
        std::fs::read(format!("{CERTS}/CERT-360caa42-fca2a594-1a5f47cb.live.pem")).unwrap()
    }

    /// Serves one PEM and counts the calls; never touches the network.
    struct Canned {
        pem: Vec<u8>,
        calls: Arc<AtomicUsize>,
    }

    impl Fetch for Canned {
        fn fetch(&self, _url: &Url) -> Result<Vec<u8>, String> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.pem.is_empty() {
                Err("connection refused".to_owned())
            } else {
                Ok(self.pem.clone())
            }
        }
    }

    fn canned(dir: &Path, pem: Vec<u8>) -> (CertSource, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let source = CertSource::fetched(
            dir.to_owned(),
            Box::new(Canned {
                pem,
                calls: calls.clone(),
            }),
        );
        (source, calls)
    }

    #[test]
    fn a_refused_url_is_never_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let (source, calls) = canned(dir.path(), live_pem());
        for url in [
            "http://api.paypal.com/v1/notifications/certs/X",
            "https://evil.example.com/cert.pem",
            "https://api.paypal.com.evil.example/cert.pem",
            "https://api.paypal.com:8443/cert.pem",
            "https://user@api.paypal.com/cert.pem",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(source.get(url), Err(CertError::Refused(_))),
                "{url}"
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        // The pinned certificate does not bypass the URL check either.
        let pinned = CertSource::pinned(&live_pem()).unwrap();
        assert!(matches!(
            pinned.get("https://evil.example.com/cert.pem"),
            Err(CertError::Refused(_))
        ));
        assert!(pinned.get(LIVE_URL).is_ok());
    }

    #[test]
    fn a_fetched_certificate_is_cached_on_disk_and_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("certs");
        let (source, calls) = canned(&cache, live_pem());
        let cert = source.get(LIVE_URL).unwrap();
        assert_eq!(
            cert.common_name(),
            Some("messageverificationcerts.paypal.com")
        );
        source.get(LIVE_URL).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "memory cache");
        let file = cache_file(&cache, &Url::parse(LIVE_URL).unwrap());
        assert_eq!(std::fs::read(&file).unwrap(), live_pem());

        // A new source (a restarted listener) reads the disk cache.
        let (again, calls) = canned(&cache, Vec::new());
        assert!(again.get(LIVE_URL).is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_fetch_failure_or_garbage_is_unavailable_and_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let (source, _) = canned(dir.path(), Vec::new());
        assert!(matches!(
            source.get(LIVE_URL),
            Err(CertError::Unavailable { .. })
        ));
        let (source, _) = canned(dir.path(), b"<html>not a cert</html>".to_vec());
        assert!(matches!(
            source.get(LIVE_URL),
            Err(CertError::Unavailable { .. })
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_pinned_certificate_must_be_paypals() {
        assert!(CertSource::pinned(b"garbage").is_err());
        let source = CertSource::pinned(&live_pem()).unwrap();
        assert!(
            source
                .describe()
                .contains("messageverificationcerts.paypal.com")
        );
    }
}
