//! The program documents shown in `docs/*.md` are valid programs.
//!
//! Every ```json block of an engine chapter that is a whole program document
//! (an object with `schema_version`) must pass `Program::from_value`, so the
//! configuration references never drift from what prm accepts.

use std::path::Path;

fn json_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```json") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn program_documents_in_the_chapters_are_valid() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs");
    let mut checked = 0;
    for chapter in ["certifications.md", "tiers.md"] {
        let text = std::fs::read_to_string(docs.join(chapter)).unwrap();
        for block in json_blocks(&text) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&block) else {
                continue;
            };
            if value.get("schema_version").is_some() {
                if let Err(error) = prm_core::Program::from_value(&value) {
                    panic!("{chapter}: invalid program: {error}");
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 2,
        "expected program documents in the chapters, found {checked}"
    );
}
