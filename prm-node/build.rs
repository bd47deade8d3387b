//! Sets up the N-API link arguments for the `.node` addon.

fn main() {
    napi_build::setup();
}
