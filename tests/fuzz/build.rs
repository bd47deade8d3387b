//! Embeds every conformance case (`tests/conformance/**/*.json`) in the fuzz
//! crate, so the structure-aware target mutates real requests and the seed
//! writer needs no paths at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            case_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let corpus = manifest.join("..").join("conformance");
    println!("cargo::rerun-if-changed={}", corpus.display());
    let mut files = Vec::new();
    case_files(&corpus, &mut files);
    let mut table = String::from("/// Every conformance case: (name, file text).\n");
    table.push_str("pub static CASES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo::rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&corpus)
            .unwrap_or(file)
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        let _ = writeln!(
            table,
            "    ({name:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("cases.rs");
    if let Err(e) = std::fs::write(&out, table) {
        println!("cargo::error=cannot write {}: {e}", out.display());
    }
}
