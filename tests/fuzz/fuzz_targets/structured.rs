//! Structure-aware: a conformance request (chosen by the input) with values
//! swapped for edge decimals, dates, numbers and strings, repeated ids, empty
//! or repeated list items and removed keys, through `prm_core::api::call`.
//! The answer must have the tagged shape, never be `internal`, be the same
//! when asked twice, and `money.allocate` answers must sum to the total.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let requests = prm_fuzz::requests();
    let Ok(request) = u.choose(requests) else {
        return;
    };
    let Some(mut value) = request.value.clone() else {
        return;
    };
    if prm_fuzz::mutate(&mut u, &mut value).is_err() {
        return;
    }
    let text = value.to_string();
    match prm_fuzz::checked_call(&request.op, &text) {
        Ok(answer) => {
            let fault = (request.op == "money.allocate")
                .then(|| prm_fuzz::allocation_fault(&value, &answer))
                .flatten();
            if let Some(fault) = fault {
                panic!(
                    "{}: {fault}\nrequest: {text}\nanswer: {answer}",
                    request.name
                );
            }
        }
        Err(fault) => panic!("{}: {fault}\nrequest: {text}", request.name),
    }
});
