//! Builds the WASM runtime (`WASM_BINARY`) with substrate-wasm-builder.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(sibyl_token::SYMBOL, sibyl_token::DECIMALS)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// Nothing to build when this crate is itself compiled to WASM.
#[cfg(not(feature = "std"))]
fn main() {}

#[cfg(all(feature = "std", feature = "metadata-hash"))]
#[path = "src/token.rs"]
mod sibyl_token;
