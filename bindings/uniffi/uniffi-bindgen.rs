//! uniffi's bindings generator, for `cargo xtask bindings`:
//! `uniffi-bindgen generate --library libagendo_ffi.so --language kotlin --out-dir DIR`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
