//! Any `Wave-Signature` or `Authorization` header and body verify or fail,
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::providers::wave::{verify_wave_bearer, verify_wave_signature};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let header = String::from_utf8_lossy(header);
    let secrets = vec!["wave_sn_WHS_fuzz".to_owned()];
    let _ = verify_wave_signature(&header, body, &secrets, None, 1_700_000_000);
    let _ = verify_wave_signature(&header, body, &secrets, Some(300), 1_700_000_000);
    let _ = verify_wave_bearer(&header, &secrets);
});
