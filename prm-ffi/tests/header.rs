//! `include/prm.h` is cbindgen's output for `src/c_abi.rs`: regenerate it and
//! compare. `PRM_BLESS_HEADER=1` writes the regenerated header instead
//! (`./scripts/gen-header`).

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/c_abi.rs"))
        .generate()
        .expect("cbindgen reads src/c_abi.rs");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");

    let path = crate_dir.join("include/prm.h");
    if std::env::var_os("PRM_BLESS_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("include/prm.h is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "prm-ffi/include/prm.h is stale; run ./scripts/gen-header and commit it.\n\
         --- generated ---\n{generated}"
    );
}
