//! Named genesis states: `development` (Alice validates alone) and `local_testnet` (Alice, Bob, Charlie and Dave
//! validate). Both endow the well-known development accounts and make Alice the sudo key.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};

/// Balance of every endowed development account: one million SBL.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A development validator: its Aura (sr25519) and GRANDPA (ed25519) keys come from the same well-known seed.
type DevValidator = (Sr25519Keyring, Ed25519Keyring);

const ALICE: DevValidator = (Sr25519Keyring::Alice, Ed25519Keyring::Alice);
const BOB: DevValidator = (Sr25519Keyring::Bob, Ed25519Keyring::Bob);
const CHARLIE: DevValidator = (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie);
const DAVE: DevValidator = (Sr25519Keyring::Dave, Ed25519Keyring::Dave);

/// The genesis patch for the given validators, endowed accounts and sudo key.
fn genesis(validators: &[DevValidator], endowed: Vec<AccountId>, root: AccountId) -> Value {
	let keys: Vec<(AuraId, GrandpaId)> =
		validators.iter().map(|(aura, grandpa)| (aura.public().into(), grandpa.public().into())).collect();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|who| (who, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: keys.iter().map(|k| k.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: keys.iter().map(|k| (k.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// Every well-known development account (Alice .. Ferdie and their stashes).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| *k != Sr25519Keyring::One && *k != Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// `development`: Alice is the only validator.
pub fn development() -> Value {
	genesis(&[ALICE], dev_accounts(), Sr25519Keyring::Alice.to_account_id())
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate.
pub fn local_testnet() -> Value {
	genesis(
		&[ALICE, BOB, CHARLIE, DAVE],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// Names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
