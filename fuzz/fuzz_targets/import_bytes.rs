//! Any file given to `tally import` is a set of rows or a list of problems.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tally::transfer::read_bytes("fuzz", data);
});
