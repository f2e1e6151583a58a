//! With the `try-runtime` feature: every genesis preset satisfies every pallet's `try_state` invariants, and the
//! runtime upgrade checks (`pre_upgrade`/`post_upgrade` of the migrations, then `try_state`) pass on it, as
//! try-runtime-cli would run them against a live chain. `make test` runs this with the feature on.
#![cfg(feature = "try-runtime")]

use frame_support::traits::TryState;
use frame_try_runtime::{TryStateSelect, UpgradeCheckSelect};
use sibyl_runtime::{genesis_config_presets, AllPalletsWithSystem, Executive, System};

mod common;
use common::chain;

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
