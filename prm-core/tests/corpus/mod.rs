//! The conformance corpus (`tests/conformance/`), as the Rust tests that walk
//! it read it: every case file, in a stable order.

use std::path::{Path, PathBuf};

/// The corpus directory.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("conformance")
}

/// Every case file (`*.json`) under the corpus, sorted by path, sub-directories included.
pub fn case_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&dir(), &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}
