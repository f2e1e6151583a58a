//! SmolLM2-135M-Instruct is registered in both genesis presets from the registration file in
//! `runtime/models/`, which must be exactly what the engine computes from the model file; each preset's
//! validators have their operators bonded and serving it.

mod common;

use codec::{Decode, Encode};
use sibyl_runtime::{
	genesis_config_presets::{operator_account, SMOLLM2_REGISTRATION, SMOLLM2_ROOT},
	Inference, Runtime,
};
use sp_keyring::Sr25519Keyring;

#[test]
fn the_registration_file_is_what_the_engine_computes_from_the_model() {
	let (root, config, proof) = <([u8; 32], Vec<u8>, Vec<[u8; 32]>)>::decode(&mut &SMOLLM2_REGISTRATION[..])
		.expect("the registration file decodes");
	assert_eq!(root, SMOLLM2_ROOT);
	let bytes = std::fs::read(sibyl_engine::testing::smollm2_path()).expect("the model file");
	let model = sibyl_engine::Model::from_gguf(&bytes).expect("SmolLM2 loads");
	assert_eq!(model.root(), root, "the file's commitment");
	assert_eq!(model.config.encode(), config, "the configuration");
	assert_eq!(model.tree().multiproof(&[0], u64::MAX), proof, "the proof of the configuration");
	let max = <<Runtime as pallet_inference::Config>::MaxStepProofLen as frame_support::traits::Get<u32>>::get();
	let checked = pallet_inference::registration::check_config(&root, &config, &proof, max).expect("registrable");
	// SmolLM2's worst one-step proof, bounded from its configuration alone.
	eprintln!("SmolLM2 one-step proof bound: {} bytes (limit {max})", checked.proof_bound);
	assert!(checked.proof_bound > 16 * 1024 && checked.proof_bound < max);
}

#[test]
fn both_presets_register_smollm2_and_bond_their_validators_operators() {
	for (preset, validators) in [
		("development", vec![Sr25519Keyring::Alice]),
		(
			"local_testnet",
			vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave],
		),
	] {
		common::chain(preset).execute_with(|| {
			let m = Inference::model_view(0).unwrap_or_else(|| panic!("{preset}: no model 0"));
			assert_eq!(m.root, SMOLLM2_ROOT);
			assert_eq!(m.name, b"SmolLM2-135M-Instruct".to_vec());
			assert_eq!((m.n_vocab, m.max_seq), (49152, 2048));
			assert_eq!(m.owner, Sr25519Keyring::Ferdie.to_account_id());
			assert!(m.active);
			let ops = pallet_inference::ModelOperators::<Runtime>::get(0).into_inner();
			let expected: Vec<_> = validators.iter().map(|v| operator_account(*v)).collect();
			assert_eq!(ops, expected, "{preset}: operators");
			for v in &validators {
				// The operator key is not the validator's account.
				assert_ne!(operator_account(*v), v.to_account_id());
			}
		});
	}
}
