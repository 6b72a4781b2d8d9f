//! Any verified body, from either provider, is an event or an error, never
//! a panic; a parsed event keeps the promises matching relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::domain::Provider;
use tally::providers::{self, EventKind};

fuzz_target!(|data: &[u8]| {
    for provider in [Provider::Stripe, Provider::Paypal] {
        if let Ok(e) = providers::parse(provider, data) {
            assert!(!e.id.is_empty() && e.id.len() <= 255);
            assert!(e.id.bytes().all(|b| b.is_ascii_graphic()));
            assert!(e.amount.is_none_or(|m| m.minor() >= 0));
            if e.kind == EventKind::Ignored {
                assert!(e.references.is_empty());
            }
        }
    }
});
