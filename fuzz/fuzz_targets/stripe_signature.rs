//! Any `Stripe-Signature` header and body verify or fail, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::providers::stripe::verify_stripe;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let header = String::from_utf8_lossy(header);
    let secrets = vec!["whsec_fuzz".to_owned()];
    let _ = verify_stripe(&header, body, &secrets, 300, 1_700_000_000);
});
