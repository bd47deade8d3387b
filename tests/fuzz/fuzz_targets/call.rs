//! Arbitrary bytes through the facade: the first byte picks an operation
//! (its index in `prm_core::api::operations()`, modulo their number), the rest
//! is the request text. The answer must be JSON of the tagged shape, with
//! catalogue codes, never `internal`, and the same when asked twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let op = prm_fuzz::operation_for(*first);
    let text = String::from_utf8_lossy(rest);
    if let Err(fault) = prm_fuzz::checked_call(op, &text) {
        panic!("{fault}");
    }
});
