//! uniffi's binding generator, built from the uniffi version pinned in
//! `prm-ffi/Cargo.toml` (`--features bindgen`), so the Kotlin and Swift
//! bindings always match the library's scaffolding. `./scripts/gen-bindings`
//! runs it.

fn main() {
    uniffi::uniffi_bindgen_main();
}
