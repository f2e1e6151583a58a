//! Registering, repricing and retiring models.

use codec::{Decode, Encode};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

use super::*;
use crate::{
	registration::synthetic_registration, Error, Event, HoldReason, ModelByRoot, Models, types::ModelState,
};

#[test]
fn register_holds_the_deposit_and_indexes_the_root() {
	new_test_ext().execute_with(|| {
		let (root, config, proof) = tiny_registration(2);
		assert_ok!(Inference::register_model(
			RuntimeOrigin::signed(ALICE),
			b"second".to_vec(),
			root,
			config,
			proof,
			4,
			7,
			3,
			BOB
		));
		assert_eq!(events(), vec![Event::ModelRegistered { model: 1, owner: ALICE, root }]);
		assert_eq!(ModelByRoot::<Test>::get(root), Some(1));
		let m = Models::<Test>::get(1).unwrap();
		assert_eq!((m.n_vocab, m.max_seq, m.max_new_limit, m.fee_base, m.fee_per_token, m.revenue), (80, 40, 4, 7, 3, BOB));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &ALICE), MODEL_DEPOSIT);
		assert_eq!(free(ALICE), START - MODEL_DEPOSIT);
	});
}

#[test]
fn register_refuses_every_bad_input() {
	new_test_ext().execute_with(|| {
		let (root, config, proof) = tiny_registration(3);
		let reg = |name: Vec<u8>, root, config: Vec<u8>, proof: Vec<[u8; 32]>, limit| {
			Inference::register_model(RuntimeOrigin::signed(ALICE), name, root, config, proof, limit, 1, 1, REVENUE)
		};
		assert_noop!(reg(vec![], root, config.clone(), proof.clone(), 4), Error::<Test>::BadName);
		assert_noop!(reg(vec![b'x'; 17], root, config.clone(), proof.clone(), 4), Error::<Test>::BadName);
		assert_noop!(reg(b"m".to_vec(), root, vec![1, 2, 3], proof.clone(), 4), Error::<Test>::ConfigUndecodable);
		assert_noop!(reg(b"m".to_vec(), root, vec![0; 513], proof.clone(), 4), Error::<Test>::ConfigUndecodable);
		let mut trailing = config.clone();
		trailing.push(0);
		assert_noop!(reg(b"m".to_vec(), root, trailing, proof.clone(), 4), Error::<Test>::ConfigUndecodable);
		// A proof of another model's configuration, a tampered proof, a short proof.
		let (other_root, _, other_proof) = tiny_registration(4);
		assert_noop!(reg(b"m".to_vec(), root, config.clone(), other_proof, 4), Error::<Test>::ConfigProofMismatch);
		assert_noop!(reg(b"m".to_vec(), other_root, config.clone(), proof.clone(), 4), Error::<Test>::ConfigProofMismatch);
		let mut tampered = proof.clone();
		tampered[0][0] ^= 1;
		assert_noop!(reg(b"m".to_vec(), root, config.clone(), tampered, 4), Error::<Test>::ConfigProofMismatch);
		assert_noop!(
			reg(b"m".to_vec(), root, config.clone(), proof[1..].to_vec(), 4),
			Error::<Test>::ConfigProofMismatch
		);
		// A configuration the engine can not run, correctly proven.
		let mut cfg = sibyl_engine::testing::tiny_config(false);
		cfg.n_head = 3;
		let bad = cfg.encode();
		let (bad_root, bad_proof) = synthetic_registration(&bad, cfg.tree_depth(), 9);
		assert_noop!(reg(b"m".to_vec(), bad_root, bad, bad_proof, 4), Error::<Test>::ConfigUnsupported);
		// A model whose one-step proofs could be longer than a dispute accepts; the same model fits at its bound.
		let decoded = sibyl_engine::ModelConfig::decode(&mut &config[..]).unwrap();
		let bound = sibyl_engine::proof::size_bound(&decoded).unwrap() as u32;
		MaxStepProofLen::set(bound - 1);
		assert_noop!(reg(b"m".to_vec(), root, config.clone(), proof.clone(), 4), Error::<Test>::StepProofTooLarge);
		MaxStepProofLen::set(bound);
		assert!(crate::registration::check_config(&root, &config, &proof, bound).is_ok());
		MaxStepProofLen::set(256 * 1024);
		// Output limits: zero, over MaxOutputTokens (8), no room for a prompt (max_seq 40 > 8 anyway).
		assert_noop!(reg(b"m".to_vec(), root, config.clone(), proof.clone(), 0), Error::<Test>::BadMaxNewLimit);
		assert_noop!(reg(b"m".to_vec(), root, config.clone(), proof.clone(), 9), Error::<Test>::BadMaxNewLimit);
		// The genesis model's root again.
		let genesis_root = Models::<Test>::get(0).unwrap().root;
		let (_, c1, p1) = tiny_registration(1);
		assert_noop!(reg(b"m".to_vec(), genesis_root, c1, p1, 4), Error::<Test>::ModelAlreadyRegistered);
		// An owner who can not pay the deposit.
		assert_noop!(
			Inference::register_model(RuntimeOrigin::signed(77), b"m".to_vec(), root, config, proof, 4, 1, 1, REVENUE),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn synthetic_registration_is_checked_like_a_real_one() {
	new_test_ext().execute_with(|| {
		let cfg = sibyl_engine::testing::tiny_config(true).encode();
		let depth = sibyl_engine::testing::tiny_config(true).tree_depth();
		let (root, proof) = synthetic_registration(&cfg, depth, 5);
		assert_ok!(Inference::register_model(RuntimeOrigin::signed(BOB), b"s".to_vec(), root, cfg, proof, 2, 0, 0, BOB));
		assert_ok!(register_tiny(ALICE, 6));
	});
}

#[test]
fn fees_change_for_new_requests_only() {
	new_test_ext().execute_with(|| {
		let old = submit(ALICE, 4, 0);
		assert_noop!(Inference::set_model_fees(RuntimeOrigin::signed(ALICE), 0, 1, 1), Error::<Test>::NotModelOwner);
		assert_noop!(Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 5, 1, 1), Error::<Test>::UnknownModel);
		assert_ok!(Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 0, 1_000, 1));
		assert!(events().contains(&Event::ModelFeesChanged { model: 0, fee_base: 1_000, fee_per_token: 1 }));
		let new = submit(ALICE, 4, 0);
		assert_eq!(Requests::<Test>::get(old).unwrap().held, FEE_BASE + 4 * FEE_PER_TOKEN);
		assert_eq!(Requests::<Test>::get(new).unwrap().held, 1_004);
	});
}

#[test]
fn retiring_releases_the_deposit_and_stops_new_requests() {
	new_test_ext().execute_with(|| {
		let (id, _) = submit_assigned(ALICE, 4, 0);
		assert_noop!(Inference::retire_model(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::NotModelOwner);
		assert_ok!(Inference::retire_model(RuntimeOrigin::signed(OWNER), 0));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &OWNER), 0);
		assert_eq!(Models::<Test>::get(0).unwrap().state, ModelState::Retired);
		assert_noop!(Inference::retire_model(RuntimeOrigin::signed(OWNER), 0), Error::<Test>::ModelRetired);
		assert_noop!(Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 0, 1, 1), Error::<Test>::ModelRetired);
		assert_noop!(Inference::submit(RuntimeOrigin::signed(ALICE), 0, prompt(3), 2, 0), Error::<Test>::ModelRetired);
		assert_ok!(Inference::bond(RuntimeOrigin::signed(OP_D), MIN_BOND));
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_D), 0), Error::<Test>::ModelRetired);
		// The request made before retirement still runs to its end and pays the revenue account.
		let revenue_before = free(REVENUE);
		propose_n(id, 2);
		run_to(System::block_number() + WINDOW);
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		assert!(free(REVENUE) > revenue_before);
	});
}

#[test]
fn a_configuration_of_l_blocks_fits_the_weight_formula() {
	// The weight of a registration counts blocks from the configuration's length; the formula must not count
	// fewer blocks than a real configuration of that length has.
	for layers in [1u32, 2, 30, 100, 256] {
		let mut cfg = sibyl_engine::testing::tiny_config(false);
		cfg.n_layer = layers;
		let per_layer = &cfg.tensor_types[1..10].to_vec();
		let mut types = vec![cfg.tensor_types[0]];
		for _ in 0..layers {
			types.extend_from_slice(per_layer);
		}
		types.extend_from_slice(&cfg.tensor_types[cfg.tensor_types.len() - 2..]);
		cfg.tensor_types = types;
		let len = cfg.encode().len() as u32;
		assert!(crate::registration::layers_for_len(len) >= layers.min(256), "{layers} blocks, {len} bytes");
	}
}
