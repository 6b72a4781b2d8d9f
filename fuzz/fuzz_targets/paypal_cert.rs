//! Any certificate URL and PEM text are accepted or refused, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::providers::paypal::{PaypalCert, check_paypal_cert_url};

fuzz_target!(|data: &[u8]| {
    let _ = check_paypal_cert_url(&String::from_utf8_lossy(data));
    if let Ok(cert) = PaypalCert::from_pem(data) {
        let _ = cert.check_subject();
    }
});
