//! Arbitrary bytes as a program document: `Program::from_json` and
//! `program.validate` must agree, and the answer must have the tagged shape.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = prm_core::Program::from_json(text);
    if let Err(error) = &parsed {
        assert_ne!(error.code(), "internal", "{error}");
        assert!(
            !error.problems().is_empty(),
            "an error without problems: {error}"
        );
    }
    // The same document through the facade, when it is JSON shallow enough
    // to be wrapped in a request one level deeper.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let request = serde_json::json!({ "program": value }).to_string();
        match prm_fuzz::checked_call("program.validate", &request) {
            Ok(answer) => {
                let deep = answer.contains("\"nesting_too_deep\"");
                assert!(
                    deep || answer.starts_with("{\"ok\"") == parsed.is_ok(),
                    "from_json and program.validate disagree: {answer} vs {parsed:?}"
                );
            }
            Err(fault) => panic!("{fault}"),
        }
    }
});
