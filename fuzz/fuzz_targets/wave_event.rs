//! Any verified body from Wave is an event or an error, never a panic; a
//! parsed event keeps the promises matching and the ledger rely on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::domain::{Flow, Provider};
use tally::providers::{self, EventKind};

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = providers::parse(Provider::Wave, data) {
        assert_eq!(e.provider, Provider::Wave);
        assert!(!e.id.is_empty() && e.id.len() <= 255);
        assert!(e.id.bytes().all(|b| b.is_ascii_graphic()));
        assert!(e.amount.is_none_or(|m| m.minor() >= 0));
        assert!(e.fee.is_none_or(|f| e.amount.is_some_and(|m| f.minor() <= m.minor())));
        for r in &e.references {
            assert!(!r.is_empty() && r.trim() == r);
        }
        match e.kind {
            EventKind::Ignored => {
                assert!(e.references.is_empty() && e.movements.is_empty());
            }
            EventKind::Succeeded => {
                // A capture of exactly what the event says was paid.
                assert_eq!(e.movements.len(), 1);
                assert_eq!(e.movements[0].flow, Flow::Captured);
                assert_eq!(Some(e.movements[0].amount), e.amount);
                assert_eq!(e.movements[0].event_id.as_deref(), Some(e.id.as_str()));
            }
            _ => assert!(e.movements.is_empty()),
        }
    }
});
