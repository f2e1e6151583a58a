//! Shared by the runtime's integration tests: a preset's genesis state, built as the node builds it.

use sibyl_runtime::{genesis_config_presets, BuildStorage, RuntimeGenesisConfig};

/// Applies a genesis patch as the node's chain-spec builder does: objects merge key by key, anything else
/// replaces.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) =>
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}

/// The state of `preset`'s genesis.
pub fn chain(preset: &str) -> sp_io::TestExternalities {
	let id = sp_genesis_builder::PresetId::from(preset);
	let patch = genesis_config_presets::get_preset(&id).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("the default genesis serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let genesis: RuntimeGenesisConfig = serde_json::from_value(config).expect("the patched genesis deserializes");
	sp_io::TestExternalities::new(genesis.build_storage().expect("the genesis builds"))
}

