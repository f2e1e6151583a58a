//! With the `try-runtime` feature: every genesis preset satisfies every pallet's `try_state` invariants, and the
//! runtime upgrade checks (`pre_upgrade`/`post_upgrade` of the migrations, then `try_state`) pass on it, as
//! try-runtime-cli would run them against a live chain. `make test` runs this with the feature on.
#![cfg(feature = "try-runtime")]

use frame_support::traits::TryState;
use frame_try_runtime::{TryStateSelect, UpgradeCheckSelect};
use sibyl_runtime::{genesis_config_presets, AllPalletsWithSystem, BuildStorage, Executive, RuntimeGenesisConfig, System};

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
fn chain(preset: &str) -> sp_io::TestExternalities {
	let id = sp_genesis_builder::PresetId::from(preset);
	let patch = genesis_config_presets::get_preset(&id).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("the default genesis serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let genesis: RuntimeGenesisConfig = serde_json::from_value(config).expect("the patched genesis deserializes");
	sp_io::TestExternalities::new(genesis.build_storage().expect("the genesis builds"))
}

#[test]
fn every_preset_satisfies_every_pallets_invariants_and_the_upgrade_checks() {
	for preset in genesis_config_presets::preset_names() {
		let name: &str = preset.as_ref();
		chain(name).execute_with(|| {
			System::set_block_number(1);
			AllPalletsWithSystem::try_state(1, TryStateSelect::All)
				.unwrap_or_else(|e| panic!("{name}: try_state failed: {e:?}"));
			Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
				.unwrap_or_else(|e| panic!("{name}: runtime upgrade checks failed: {e:?}"));
		});
	}
}
