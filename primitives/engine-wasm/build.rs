//! Builds this crate for wasm32 (with the same toolchain route as the runtime) and embeds it as `WASM_BINARY`.

#[cfg(feature = "std")]
fn main() {
	// Not a runtime: it has no `runtime_version` section.
	substrate_wasm_builder::WasmBuilder::init_with_defaults().disable_runtime_version_section_check().build();
}

#[cfg(not(feature = "std"))]
fn main() {}
