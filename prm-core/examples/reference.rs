//! Writes the generated reference documents: `docs/schema/*.json` and `docs/errors.md`.
//!
//! Run `cargo run -p prm-core --example reference` after changing an input
//! type, an operation or an error code; the `reference_docs_are_fresh` test
//! fails until the committed files match.

use prm_core::reference::{CorpusCase, error_catalogue, schema_files};
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema_dir = root.join("docs").join("schema");
    std::fs::create_dir_all(&schema_dir)?;
    for entry in std::fs::read_dir(&schema_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(path)?;
        }
    }
    let files = schema_files();
    for (name, contents) in &files {
        std::fs::write(schema_dir.join(name), contents)?;
    }
    let corpus = read_corpus(&root.join("tests").join("conformance"))?;
    std::fs::write(
        root.join("docs").join("errors.md"),
        error_catalogue(&corpus),
    )?;
    println!(
        "wrote {} schemas and docs/errors.md ({} conformance cases read)",
        files.len(),
        corpus.len()
    );
    Ok(())
}

fn read_corpus(dir: &Path) -> Result<Vec<CorpusCase>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    let mut cases = Vec::new();
    for file in files {
        let name = file.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
        let case = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
        cases.push(CorpusCase { name, case });
    }
    Ok(cases)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
