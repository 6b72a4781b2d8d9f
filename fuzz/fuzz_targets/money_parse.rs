//! Any text, in any of a few currencies, is an amount or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally::domain::{Currency, Money};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let code = ["EUR", "XOF", "KWD", "JPY"][usize::from(pick) % 4];
    let Ok(currency) = Currency::parse(code) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let _ = Currency::parse(&text);
    if let Ok(m) = Money::parse(&text, currency) {
        assert_eq!(Money::parse(&m.decimal(), currency), Ok(m));
    }
});
