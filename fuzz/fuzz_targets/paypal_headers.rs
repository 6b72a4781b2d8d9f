//! Any five `PAYPAL-*` header values (absent, blank or garbage), with any
//! body, are read, checked and verified against PayPal's real certificate,
//! or refused: never a panic, and never accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::providers::paypal::{
    HEADER_AUTH_ALGO, HEADER_CERT_URL, HEADER_TRANSMISSION_ID, HEADER_TRANSMISSION_SIG,
    HEADER_TRANSMISSION_TIME, PaypalCert, PaypalHeaders, check_paypal_cert_url, verify_paypal,
};

/// PayPal's live certificate, from the shared samples.
static CERT: &[u8] = include_bytes!(
    "../../../shared/webhook-samples/paypal/certs/CERT-360caa42-fca2a594-1a5f47cb.live.pem"
);

fuzz_target!(|data: &[u8]| {
    // Six fields separated by 0xFF: five header values, then the body. An
    // empty field is an absent header.
    let mut fields = data.splitn(6, |&b| b == 0xFF);
    let values: Vec<Option<String>> = (0..5)
        .map(|_| {
            fields
                .next()
                .filter(|f| !f.is_empty())
                .map(|f| String::from_utf8_lossy(f).into_owned())
        })
        .collect();
    let body = fields.next().unwrap_or_default();
    let names = [
        HEADER_TRANSMISSION_ID,
        HEADER_TRANSMISSION_TIME,
        HEADER_CERT_URL,
        HEADER_AUTH_ALGO,
        HEADER_TRANSMISSION_SIG,
    ];
    let lookup = |name: &'static str| {
        let i = names.iter().position(|n| *n == name)?;
        values[i].clone()
    };
    let Ok(headers) = PaypalHeaders::from_lookup(lookup) else {
        return;
    };
    let _ = check_paypal_cert_url(&headers.cert_url);
    let Ok(cert) = PaypalCert::from_pem(CERT) else {
        return;
    };
    assert!(verify_paypal(&headers, body, "WH-FUZZ", &cert).is_err());
});
