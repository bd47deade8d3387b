//! Writes the committed seed corpus from the conformance cases:
//! `tests/fuzz/corpus/<target>/<case-name>`.
//!
//! * `program`: the `program` document of every request that has one;
//! * `call`: the operation's leading byte, then the request text;
//! * `structured`: bytes that make the target choose the case, then a fixed
//!   tail for the mutations (the same every run).
//!
//! Usage: `cargo run --manifest-path tests/fuzz/Cargo.toml --bin seeds -- tests/fuzz/corpus`

use arbitrary::Unstructured;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), bytes)
}

/// Which two leading bytes make `Unstructured::choose` pick each index of `len`.
fn choosers(len: usize) -> BTreeMap<usize, [u8; 2]> {
    let mut found = BTreeMap::new();
    for hi in 0..=u8::MAX {
        for lo in 0..=u8::MAX {
            let bytes = [hi, lo];
            let mut u = Unstructured::new(&bytes);
            if let Ok(i) = u.choose_index(len) {
                found.entry(i).or_insert(bytes);
            }
        }
    }
    found
}

fn main() -> std::io::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "tests/fuzz/corpus".to_owned()),
    );
    for target in ["program", "call", "structured"] {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    let requests = prm_fuzz::requests();
    // A fixed tail of mutation choices: a small linear congruential sequence.
    let mut state: u32 = 0x2545_f491;
    let tail: Vec<u8> = (0..96)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            state.to_be_bytes()[1]
        })
        .collect();
    let chooser = choosers(requests.len());
    let mut counts = [0usize; 3];
    for (i, request) in requests.iter().enumerate() {
        if let Some(program) = request.value.as_ref().and_then(|v| v.get("program")) {
            write(
                &root.join("program"),
                request.name,
                program.to_string().as_bytes(),
            )?;
            counts[0] += 1;
        }
        if let Some(byte) = prm_fuzz::byte_for(&request.op) {
            let mut bytes = vec![byte];
            bytes.extend_from_slice(request.text.as_bytes());
            write(&root.join("call"), request.name, &bytes)?;
            counts[1] += 1;
        }
        if let (Some(prefix), Some(_)) = (chooser.get(&i), &request.value) {
            let mut bytes = prefix.to_vec();
            bytes.extend_from_slice(&tail);
            write(&root.join("structured"), request.name, &bytes)?;
            counts[2] += 1;
        }
    }
    println!(
        "wrote {} program, {} call and {} structured seeds under {}",
        counts[0],
        counts[1],
        counts[2],
        root.display()
    );
    Ok(())
}
