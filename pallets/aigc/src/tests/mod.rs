//! Minting finalized answers as NFTs, and verifying them.

use frame_support::{assert_noop, assert_ok, traits::tokens::nonfungibles_v2::Inspect};
use sp_runtime::Perbill;

use crate::{mock::*, Error, Event};

#[test]
fn the_requester_mints_its_final_answer_in_the_models_collection_and_anyone_verifies_it() {
	new_test_ext().execute_with(|| {
		let id = finalized_request(ALICE, 5);
		let output: Vec<u32> = (0..5).collect();
		assert_noop!(Aigc::mint(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotRequester);
		assert_noop!(Aigc::mint(RuntimeOrigin::signed(ALICE), id + 1), Error::<Test>::NotFinal);
		let (alice, revenue) = (free(ALICE), free(REVENUE));
		assert_ok!(Aigc::mint(RuntimeOrigin::signed(ALICE), id));
		assert!(events().contains(&Event::CollectionCreated { model: 0 }));
		assert!(events().iter().any(|e| matches!(e, Event::Minted { model: 0, request, owner: ALICE, fee: MINT_FEE, .. } if *request == id)));
		// Item `id` of collection 0 (the model), the requester's.
		assert_eq!(<Nfts as Inspect<AccountId>>::owner(&0, &id), Some(ALICE));
		assert_eq!(
			<Nfts as Inspect<AccountId>>::system_attribute(&0, Some(&id), b"output_hash"),
			Some(Aigc::hash_tokens(&output).to_vec())
		);
		// The fee to the model's revenue account (no token yet); the item deposit reserved.
		assert_eq!(free(REVENUE) - revenue, MINT_FEE);
		assert_eq!(alice - free(ALICE), MINT_FEE + ITEM_DEPOSIT);
		assert_noop!(Aigc::mint(RuntimeOrigin::signed(ALICE), id), Error::<Test>::AlreadyMinted);
		// Verification: exactly the prompt and output the chain finalized.
		assert!(Aigc::verify(id, &test_prompt(), &output));
		let mut other = output.clone();
		other[2] += 1;
		assert!(!Aigc::verify(id, &test_prompt(), &other));
		assert!(!Aigc::verify(id, &output, &test_prompt()));
		assert!(!Aigc::verify(id + 1, &test_prompt(), &output));
		let (record, owner) = Aigc::record(id).unwrap();
		assert_eq!((record.model, record.minted_by, owner), (0, ALICE, Some(ALICE)));
		// It is an ordinary NFT: it moves, and verifies for the new owner too.
		assert_ok!(Nfts::transfer(RuntimeOrigin::signed(ALICE), 0, id, BOB));
		assert_eq!(Aigc::record(id).unwrap().1, Some(BOB));
		assert!(Aigc::verify(id, &test_prompt(), &output));
		// Nobody else can create collections or mint into the model's.
		assert!(Nfts::create(RuntimeOrigin::signed(BOB), BOB, Default::default()).is_err());
		assert!(Nfts::mint(RuntimeOrigin::signed(BOB), 0, 999, BOB, None).is_err());
	});
}

#[test]
fn the_mint_fee_goes_to_the_token_holders_when_the_model_has_a_token() {
	new_test_ext().execute_with(|| {
		assert_ok!(Revshare::create_token(
			RuntimeOrigin::signed(OWNER),
			0,
			b"Tiny".to_vec(),
			b"TINY".to_vec(),
			6,
			1_000,
			1,
			Perbill::from_percent(100),
			Perbill::zero()
		));
		let id = finalized_request(ALICE, 2);
		let pending = Revshare::token_view(0).unwrap().pending;
		assert_ok!(Aigc::mint(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(Revshare::token_view(0).unwrap().pending - pending, MINT_FEE);
	});
}

#[test]
fn answers_of_two_models_to_one_prompt_are_two_tokens() {
	new_test_ext().execute_with(|| {
		let a = finalized_request_on(0, ALICE, 3);
		let b = finalized_request_on(1, ALICE, 3);
		assert_ok!(Aigc::mint(RuntimeOrigin::signed(ALICE), a));
		assert_ok!(Aigc::mint(RuntimeOrigin::signed(ALICE), b));
		// The same prompt (and here the same output) to two models: one token in each model's collection, each
		// bound to its request and its model's commitment.
		assert_eq!(<Nfts as Inspect<AccountId>>::owner(&0, &a), Some(ALICE));
		assert_eq!(<Nfts as Inspect<AccountId>>::owner(&1, &b), Some(ALICE));
		assert_eq!(<Nfts as Inspect<AccountId>>::owner(&0, &b), None);
		let (ra, rb) = (Aigc::record(a).unwrap().0, Aigc::record(b).unwrap().0);
		assert_eq!((ra.model, rb.model), (0, 1));
		assert_eq!(ra.prompt_hash, rb.prompt_hash);
		assert_ne!(ra.model_root, rb.model_root);
		assert_eq!(
			<Nfts as Inspect<AccountId>>::system_attribute(&1, Some(&b), b"request"),
			Some(b.to_le_bytes().to_vec())
		);
	});
}
