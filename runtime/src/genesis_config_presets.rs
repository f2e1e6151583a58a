//! Named genesis states: `development` (Alice validates alone) and `local_testnet` (Alice, Bob, Charlie and Dave
//! validate). Both endow the well-known development accounts, make Alice the sudo key, register
//! SmolLM2-135M-Instruct as model 0 (owned by Ferdie, who also receives its revenue) and bond each validator's
//! inference operator (`//<Name>//operator`, the key its node signs results with) to serve it.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_consensus_beefy::ecdsa_crypto::AuthorityId as BeefyId;
use sp_core::{ecdsa, sr25519, Pair};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	AccountId, Balance, BalancesConfig, BlockNumber, InferenceConfig, RevshareConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, SudoConfig, ValidatorsConfig, DAYS, MILLI_UNIT, UNIT,
};
use pallet_inference::types::{GenesisModel, GenesisOperator, Params, Root};

/// Balance of every endowed development account: one million SBL.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A development validator: its account and Aura (sr25519), GRANDPA (ed25519) and BEEFY (secp256k1, see
/// [`beefy_key`]) keys come from the same well-known seed.
type DevValidator = (Sr25519Keyring, Ed25519Keyring);

/// The BEEFY key of a development validator: `//<Name>` as a secp256k1 key, as `--alice` ... put it in the
/// node's keystore.
pub fn beefy_key(validator: Sr25519Keyring) -> BeefyId {
	let seed = alloc::format!("//{}", validator.to_seed().trim_start_matches("//"));
	// The seed is a well-known development name, always valid; the presets' test checks the keys.
	ecdsa::Pair::from_string(&seed, None).map(|p| p.public()).unwrap_or(ecdsa::Public::from_raw([0; 33])).into()
}

const ALICE: DevValidator = (Sr25519Keyring::Alice, Ed25519Keyring::Alice);
const BOB: DevValidator = (Sr25519Keyring::Bob, Ed25519Keyring::Bob);
const CHARLIE: DevValidator = (Sr25519Keyring::Charlie, Ed25519Keyring::Charlie);
const DAVE: DevValidator = (Sr25519Keyring::Dave, Ed25519Keyring::Dave);

/// SmolLM2-135M-Instruct's registration: its engine commitment, its SCALE-encoded engine configuration and the
/// Merkle proof that the configuration is leaf 0 of the commitment. Written by
/// `sibyl-node engine commit --model SmolLM2-135M-Instruct.Q4_1.gguf --registration FILE`; a test checks it
/// against the model file.
pub const SMOLLM2_REGISTRATION: &[u8] = include_bytes!("../models/smollm2-135m-instruct.registration");

/// SmolLM2-135M-Instruct's engine commitment.
pub const SMOLLM2_ROOT: Root = [
	0x23, 0x3c, 0xff, 0x8e, 0x45, 0x53, 0x14, 0xb0, 0x35, 0xa2, 0x07, 0x06, 0x2b, 0xf8, 0xfa, 0x75, 0x43, 0x6c, 0x46, 0x5c,
	0xfe, 0x6f, 0x0d, 0x53, 0x76, 0xe4, 0x7d, 0xee, 0x1e, 0xbb, 0x46, 0x91,
];

/// Fee per request of the genesis model: one SBL.
pub const SMOLLM2_FEE_BASE: Balance = UNIT;
/// Fee per generated token of the genesis model: a hundredth of an SBL.
pub const SMOLLM2_FEE_PER_TOKEN: Balance = 10 * MILLI_UNIT;
/// Most tokens one request may ask SmolLM2 for.
pub const SMOLLM2_MAX_NEW: u32 = 512;
/// The bond of each genesis operator.
pub const OPERATOR_BOND: Balance = 1_000 * UNIT;

/// The inference operator account of a development validator: `//<Name>//operator`. Its node signs results
/// with this key (inserted under key type `sinf` at start-up with `--alice`, `--bob`, ...).
pub fn operator_account(validator: Sr25519Keyring) -> AccountId {
	let seed = alloc::format!("{}//operator", validator.to_seed());
	sr25519::Pair::from_string(&seed, None).map(|p| p.public().into()).unwrap_or_else(|_| validator.to_account_id())
}

/// The decoded SmolLM2 registration: (root, configuration, proof).
fn smollm2_registration() -> Option<(Root, Vec<u8>, Vec<Root>)> {
	codec::Decode::decode(&mut &SMOLLM2_REGISTRATION[..]).ok()
}

/// The genesis patch for the given validators, endowed accounts, sudo key, lifecycle timing, grant voting
/// period and session length.
fn genesis(
	validators: &[DevValidator],
	endowed: Vec<AccountId>,
	root: AccountId,
	params: Params<BlockNumber>,
	voting_period: BlockNumber,
	session_length: BlockNumber,
) -> Value {
	// Each validator's account registers its session keys; `pallet-session` hands them to Aura, GRANDPA and
	// BEEFY, so their own genesis lists stay empty.
	let session_keys: Vec<(AccountId, AccountId, SessionKeys)> = validators
		.iter()
		.map(|(sr, ed)| {
			let keys = SessionKeys {
				aura: AuraId::from(sr.public()),
				grandpa: GrandpaId::from(ed.public()),
				beefy: beefy_key(*sr),
			};
			(sr.to_account_id(), sr.to_account_id(), keys)
		})
		.collect();
	let validator_accounts: Vec<AccountId> = validators.iter().map(|(sr, _)| sr.to_account_id()).collect();
	let operators: Vec<AccountId> = validators.iter().map(|(aura, _)| operator_account(*aura)).collect();
	let ferdie = Sr25519Keyring::Ferdie.to_account_id();
	let models: Vec<GenesisModel<AccountId, Balance>> = smollm2_registration()
		.map(|(root, config, config_proof)| GenesisModel {
			owner: ferdie.clone(),
			name: b"SmolLM2-135M-Instruct".to_vec(),
			root,
			config,
			config_proof,
			max_new_limit: SMOLLM2_MAX_NEW,
			fee_base: SMOLLM2_FEE_BASE,
			fee_per_token: SMOLLM2_FEE_PER_TOKEN,
			revenue: ferdie.clone(),
		})
		.into_iter()
		.collect();
	let serving: Vec<GenesisOperator<AccountId, Balance>> = operators
		.iter()
		.map(|who| GenesisOperator { who: who.clone(), bond: OPERATOR_BOND, models: vec![0] })
		.collect();
	let mut endowed = endowed;
	endowed.extend(operators.iter().cloned());
	// The account that pays Sibyl's fee for requests made on Ethereum (their fee in wei stays in the gateway).
	endowed.push(pallet_settlement::Pallet::<crate::Runtime>::eth_account());
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|who| (who, ENDOWMENT)).collect::<Vec<_>>(),
		},
		inference: InferenceConfig { params: Some(params), models, operators: serving },
		revshare: RevshareConfig { voting_period: Some(voting_period) },
		validators: ValidatorsConfig {
			validators: validator_accounts.clone(),
			session_length: Some(session_length),
			operators: validator_accounts.into_iter().zip(operators.iter().cloned()).collect::<Vec<_>>(),
		},
		session: SessionConfig { keys: session_keys },
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
/// Short deadlines and windows for a chain on one machine: a request is final a few blocks after its answer. (No
/// validator checks Alice's results here: a challenge is by hand, within 3 blocks.)
pub fn development() -> Value {
	let params = Params { propose_timeout: 10, challenge_window: 3, retention: DAYS, unbond_delay: 20 };
	// Grants take votes for 5 blocks (30 s), so a grant can be seen through on a development chain.
	// Sessions of 20 blocks (2 minutes): BEEFY hands over to a new set id that often.
	genesis(&[ALICE], dev_accounts(), Sr25519Keyring::Alice.to_account_id(), params, 5, 20)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate. The challenge window (8 blocks, 48 s) leaves the other
/// validators time to re-run a result (they start when it is assigned) and challenge it.
pub fn local_testnet() -> Value {
	let params = Params { propose_timeout: 6, challenge_window: 8, retention: DAYS, unbond_delay: 100 };
	genesis(&[ALICE, BOB, CHARLIE, DAVE], dev_accounts(), Sr25519Keyring::Alice.to_account_id(), params, 10, 20)
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
