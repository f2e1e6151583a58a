//! Bridging units out, the message queue, and the root the next block's MMR leaf carries.

use frame_support::{assert_noop, assert_ok};
use sp_consensus_beefy::mmr::BeefyDataProvider;
use sp_core::{H160, H256};
use sp_runtime::DispatchError;

use crate::{
	message::{self, Kind},
	mock::*,
	Bridged, Error, Event, Messages, MessagesRoot, NextNonce,
};

const RECIPIENT: H160 = H160::repeat_byte(0x42);

#[test]
fn bridging_out_locks_units_and_queues_a_mint_message() {
	new_test_ext().execute_with(|| {
		let before = units(ALICE);
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 1_234));
		assert_eq!(units(ALICE), before - 1_234);
		assert_eq!(units(Settlement::account()), 1_234);
		assert_eq!(Bridged::<Test>::get(MODEL), 1_234);
		let body = message::token_mint_body(MODEL, RECIPIENT, 1_234);
		let leaf = message::leaf(0, Kind::TokenMint, &body);
		assert_eq!(
			events(),
			vec![
				Event::MessageQueued { nonce: 0, kind: Kind::TokenMint, leaf: leaf.clone() },
				Event::TokensBridgedOut { model: MODEL, from: ALICE, recipient: RECIPIENT, amount: 1_234, nonce: 0 },
			]
		);
		assert_eq!(Settlement::leaves(), vec![leaf]);
		assert_eq!(NextNonce::<Test>::get(), 1);
	});
}

#[test]
fn bad_bridging_is_refused_with_nothing_changed() {
	new_test_ext().execute_with(|| {
		assert_noop!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::zero(), 5),
			Error::<Test>::ZeroRecipient
		);
		// More than Alice holds, a model without a token, an unsigned origin: the token's own errors.
		assert!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, SUPPLY).is_err());
		assert!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), 9, RECIPIENT, 5).is_err());
		assert_noop!(Settlement::bridge_out(RuntimeOrigin::none(), MODEL, RECIPIENT, 5), DispatchError::BadOrigin);
		assert!(Messages::<Test>::get().is_empty());
		assert_eq!(NextNonce::<Test>::get(), 0);
		assert_eq!(Bridged::<Test>::get(MODEL), 0);
	});
}

#[test]
fn a_full_block_refuses_one_more_message_and_the_next_block_takes_it() {
	new_test_ext().execute_with(|| {
		for i in 0..MAX_MESSAGES {
			assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 10 + i as u128));
		}
		let held = units(ALICE);
		assert_noop!(
			Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 7),
			Error::<Test>::TooManyMessages
		);
		assert_eq!(units(ALICE), held, "the refused call moved no unit");
		assert_noop!(
			Settlement::queue(Kind::Refund, vec![0; MAX_BODY as usize + 1]),
			Error::<Test>::BodyTooLong
		);
		next_block();
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 7));
		assert_eq!(Messages::<Test>::get().len(), 1, "a new block's queue");
		assert_eq!(Messages::<Test>::get()[0].nonce, MAX_MESSAGES as u64, "nonces go on across blocks");
	});
}

#[test]
fn a_blocks_root_is_committed_at_its_end_and_is_the_next_leafs_extra_data() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 5));
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::repeat_byte(7), 6));
		let leaves = Settlement::leaves();
		let proof = Settlement::message_proof(1).expect("message 1 is in this block");
		assert!(message::verify(&proof));
		assert_eq!((proof.index, proof.count, proof.leaf.clone()), (1, 2, leaves[1].clone()));
		assert!(Settlement::message_proof(2).is_none());
		// Block 1 ends: its root is committed.
		use frame_support::traits::Hooks;
		Settlement::on_finalize(1);
		let root = MessagesRoot::<Test>::get();
		assert_eq!(root, message::root(&leaves));
		assert_eq!(H256(proof.root), root);
		assert!(events().contains(&Event::MessagesCommitted { root, count: 2 }));
		// Block 2 starts: the MMR leaf (built before this pallet's hook) carries block 1's root; the queue empties.
		System::set_block_number(2);
		assert_eq!(<Settlement as BeefyDataProvider<H256>>::extra_data(), root);
		Settlement::on_initialize(2);
		assert!(Settlement::leaves().is_empty(), "block 2 has queued nothing");
		assert!(Settlement::message_proof(1).is_none(), "block 1's messages are proven at block 1");
		// A block without messages commits the zero hash.
		Settlement::on_finalize(2);
		assert_eq!(MessagesRoot::<Test>::get(), H256::zero());
	});
}

#[test]
fn try_state_catches_units_that_left_the_bridge_account() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, RECIPIENT, 50));
		assert_eq!(Settlement::do_try_state(), Ok(()));
		Bridged::<Test>::insert(MODEL, 49);
		assert!(Settlement::do_try_state().is_err());
	});
}

#[test]
fn each_queued_message_pays_its_share_of_the_blocks_root_and_an_empty_block_pays_none() {
	use crate::WeightInfo;
	use frame_support::{dispatch::GetDispatchInfo, traits::Hooks};
	new_test_ext().execute_with(|| {
		let per_message = Settlement::queue_weight();
		assert!(per_message.ref_time() > 0);
		let call = crate::Call::<Test>::bridge_out { model: MODEL, recipient: RECIPIENT, amount: 1 };
		let charged = call.get_dispatch_info().call_weight;
		assert_eq!(charged, <() as WeightInfo>::bridge_out().saturating_add(per_message));
		// The hook reserves only an empty block's root.
		let hook = Settlement::on_initialize(2);
		assert_eq!(hook, <() as WeightInfo>::on_initialize_idle().saturating_add(<() as WeightInfo>::on_finalize(0)));
		let full = <() as WeightInfo>::on_initialize_idle().saturating_add(<() as WeightInfo>::on_finalize(MAX_MESSAGES));
		assert!(hook.ref_time() < full.ref_time());
	});
}
