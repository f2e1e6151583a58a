//! Chain specifications built from the runtime's genesis presets.

use sc_service::{ChainType, Properties};
use sibyl_runtime::{token, WASM_BINARY};

/// A chain specification of Sibyl, with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// What wallets show for the native token: symbol, decimals and the SS58 address format.
pub fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), token::SYMBOL.into());
	p.insert("tokenDecimals".into(), token::DECIMALS.into());
	p.insert("ss58Format".into(), token::SS58_PREFIX.into());
	p
}

fn builder(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| "the node was built without its WASM runtime".to_string())?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("sibyl")
		.with_chain_type(chain_type)
		.with_properties(properties())
		.with_genesis_config_preset_name(preset)
		.build())
}

/// `--dev`: Alice alone validates.
pub fn development() -> Result<ChainSpec, String> {
	builder("Sibyl Development", "sibyl_dev", ChainType::Development, sp_genesis_builder::DEV_RUNTIME_PRESET)
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate.
pub fn local_testnet() -> Result<ChainSpec, String> {
	builder(
		"Sibyl Local Testnet",
		"sibyl_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
