//! The committed reference documents match what prm-core generates.
//!
//! If this fails, run `cargo run -p prm-core --example reference` and commit the result.

use prm_core::reference::{CorpusCase, error_catalogue, schema_files};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> Vec<CorpusCase> {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let dir = root().join("tests").join("conformance");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files
        .into_iter()
        .map(|file| {
            let name = file
                .strip_prefix(&dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            CorpusCase {
                name,
                case: serde_json::from_str(&text).unwrap_or_default(),
            }
        })
        .collect()
}

const FIX: &str = "run `cargo run -p prm-core --example reference` and commit docs/";

#[test]
fn reference_docs_are_fresh() {
    let schema_dir = root().join("docs").join("schema");
    let generated = schema_files();
    for (name, contents) in &generated {
        let committed = std::fs::read_to_string(schema_dir.join(name)).unwrap_or_default();
        assert!(committed == *contents, "docs/schema/{name} is stale: {FIX}");
    }
    let committed_count = std::fs::read_dir(&schema_dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        committed_count,
        generated.len(),
        "docs/schema has extra or missing files: {FIX}"
    );
    let catalogue =
        std::fs::read_to_string(root().join("docs").join("errors.md")).unwrap_or_default();
    assert!(
        catalogue == error_catalogue(&corpus()),
        "docs/errors.md is stale: {FIX}"
    );
}

#[test]
fn every_error_code_is_in_the_catalogue() {
    let catalogue = error_catalogue(&corpus());
    for code in prm_core::ErrorCode::ALL {
        assert!(
            catalogue.contains(&format!("### `{}`", code.as_str())),
            "{code} missing from docs/errors.md"
        );
    }
}

/// Codes the JSON facade cannot raise, so no conformance case can reach them.
/// Each is tested where it can be raised instead.
const UNREACHABLE_THROUGH_JSON: &[(&str, &str)] = &[
    (
        "invalid_utf8",
        "raised by the C ABI and the bindings for bytes that are not UTF-8; `call` takes `&str`",
    ),
    (
        "null_pointer",
        "raised by the C ABI for a null argument (prm-ffi/tests/c_abi.rs)",
    ),
    (
        "commission_stream_unordered",
        "raised only by the Rust streaming API; the JSON operations sort their input",
    ),
    (
        "internal",
        "raised only by a bug in prm (a caught panic, a refused-then-accepted input)",
    ),
    (
        "document_too_large",
        "needs a request over 32 MiB, too large to commit; prm-core/tests/robustness.rs builds one",
    ),
];

#[test]
fn every_error_code_is_reached_by_a_conformance_case() {
    let missing: Vec<&str> = prm_core::reference::codes_without_case(&corpus())
        .into_iter()
        .map(|c| c.as_str())
        .filter(|c| !UNREACHABLE_THROUGH_JSON.iter().any(|(code, _)| code == c))
        .collect();
    assert!(
        missing.is_empty(),
        "no conformance case raises {missing:?}: add one under tests/conformance/"
    );
    // An exemption that a case now reaches should be dropped from the list.
    let reached: Vec<&str> = UNREACHABLE_THROUGH_JSON
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| {
            !prm_core::reference::codes_without_case(&corpus())
                .iter()
                .any(|c| c.as_str() == *code)
        })
        .collect();
    assert!(reached.is_empty(), "exempt codes now reached: {reached:?}");
}
