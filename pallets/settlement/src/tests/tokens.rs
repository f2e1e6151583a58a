//! Units coming back from Ethereum: released once, never more than went out, kept for a recipient that can
//! not take them yet.

use frame_support::{assert_noop, assert_ok};
use sp_core::H160;

use crate::{inbound::EthEvent, mock::*, Bridged, Error, Event, Stranded};

fn tokens_in(nonce: u64, to: AccountId, amount: u128) -> crate::EthEventOf<Test> {
	EthEvent::Tokens { nonce, model: MODEL, from: H160::repeat_byte(0x42), to, amount }
}

#[test]
fn units_burned_on_ethereum_come_back_from_the_bridge_account_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::repeat_byte(0x42), 1_000));
		let bob = units(BOB);
		let e = tokens_in(1, BOB, 400);
		attest_by(3, &e);
		next_block();
		assert!(events().contains(&Event::TokensReturned { nonce: 1, model: MODEL, to: BOB, amount: 400 }));
		assert_eq!(units(BOB), bob + 400);
		assert_eq!(Bridged::<Test>::get(MODEL), 600);
		assert_eq!(units(Settlement::account()), 600);
		// The same event again is a replay, whoever sends it.
		for v in VALIDATORS {
			assert_noop!(
				Settlement::attest(RuntimeOrigin::signed(signer_of(v)), e.clone()),
				Error::<Test>::AlreadyExecuted
			);
		}
		next_block();
		assert_eq!(units(BOB), bob + 400);
	});
}

#[test]
fn more_units_than_were_bridged_out_release_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::repeat_byte(0x42), 100));
		let bob = units(BOB);
		attest_by(3, &tokens_in(1, BOB, 101));
		next_block();
		assert!(events().contains(&Event::TokensInRefused { nonce: 1, model: MODEL, amount: 101, bridged: 100 }));
		assert_eq!(units(BOB), bob);
		assert_eq!(Bridged::<Test>::get(MODEL), 100);
	});
}

#[test]
fn units_a_recipient_can_not_take_yet_are_kept_for_it_to_claim() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::repeat_byte(0x42), 100));
		// Carol holds nothing, and 3 is below the token's least balance.
		attest_by(3, &tokens_in(1, CAROL, MIN_UNITS as u128 - 2));
		next_block();
		let amount = MIN_UNITS - 2;
		assert!(events().contains(&Event::TokensStranded { nonce: 1, model: MODEL, to: CAROL, amount }));
		assert_eq!(Stranded::<Test>::get(MODEL, CAROL), amount);
		assert_eq!(Bridged::<Test>::get(MODEL), 100 - amount, "they are no longer on Ethereum");
		assert_noop!(Settlement::claim_stranded(RuntimeOrigin::signed(BOB), MODEL), Error::<Test>::NothingStranded);
		assert!(Settlement::claim_stranded(RuntimeOrigin::signed(CAROL), MODEL).is_err(), "still below the least");
		// Once Carol holds some, she claims them.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(ALICE), MODEL, CAROL, MIN_UNITS));
		assert_ok!(Settlement::claim_stranded(RuntimeOrigin::signed(CAROL), MODEL));
		assert_eq!(units(CAROL), MIN_UNITS + amount);
		assert_eq!(Stranded::<Test>::get(MODEL, CAROL), 0);
		assert!(events().contains(&Event::StrandedClaimed { model: MODEL, who: CAROL, amount }));
		check();
	});
}

#[test]
fn try_state_counts_stranded_units_as_owed() {
	new_test_ext().execute_with(|| {
		assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, H160::repeat_byte(0x42), 100));
		assert_eq!(Settlement::do_try_state(), Ok(()));
		Stranded::<Test>::insert(MODEL, CAROL, 1);
		assert!(Settlement::do_try_state().is_err());
	});
}
