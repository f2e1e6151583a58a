//! Creating tokens, transfers and allowances, with every bad input.

use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

use super::*;
use crate::{Error, Event};

#[test]
fn the_models_owner_creates_its_one_token_and_holds_the_whole_supply() {
	new_test_ext().execute_with(|| {
		let create = |who, model, supply, min, claim: u32, treasury: u32| {
			Revshare::create_token(
				RuntimeOrigin::signed(who),
				model,
				b"Tiny".to_vec(),
				b"TINY".to_vec(),
				6,
				supply,
				min,
				Perbill::from_percent(claim),
				Perbill::from_percent(treasury),
			)
		};
		assert_noop!(create(OWNER, 7, SUPPLY, 10, 60, 10), Error::<Test>::UnknownModel);
		assert_noop!(create(ALICE, 0, SUPPLY, 10, 60, 10), Error::<Test>::NotModelOwner);
		assert_noop!(create(OWNER, 0, 0, 1, 60, 10), Error::<Test>::BadSupply);
		assert_noop!(create(OWNER, 0, 5, 10, 60, 10), Error::<Test>::BadSupply);
		assert_noop!(create(OWNER, 0, SUPPLY, 0, 60, 10), Error::<Test>::BadMinBalance);
		assert_noop!(create(OWNER, 0, SUPPLY, 10, 95, 10), Error::<Test>::BadShares);
		assert_noop!(
			Revshare::create_token(RuntimeOrigin::signed(OWNER), 0, vec![b'x'; 17], b"T".to_vec(), 6, SUPPLY, 1, Perbill::zero(), Perbill::zero()),
			Error::<Test>::NameTooLong
		);
		assert_noop!(
			Revshare::create_token(RuntimeOrigin::signed(OWNER), 0, b"T".to_vec(), vec![b'x'; 9], 6, SUPPLY, 1, Perbill::zero(), Perbill::zero()),
			Error::<Test>::SymbolTooLong
		);
		assert_ok!(create(OWNER, 0, SUPPLY, 10, 60, 10));
		assert!(events().contains(&Event::TokenCreated {
			model: 0,
			creator: OWNER,
			supply: SUPPLY,
			claim_share: Perbill::from_percent(60),
			treasury_share: Perbill::from_percent(10)
		}));
		assert_eq!(units(OWNER), SUPPLY);
		assert_noop!(create(OWNER, 0, SUPPLY, 10, 60, 10), Error::<Test>::TokenExists);
		let view = Revshare::token_view(0).unwrap();
		assert_eq!((view.name, view.symbol, view.decimals, view.supply), (b"Tiny".to_vec(), b"TINY".to_vec(), 6, SUPPLY));
	});
}

#[test]
fn transfers_move_units_and_refuse_what_is_not_there() {
	new_test_ext().execute_with(|| {
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, 1), Error::<Test>::NoToken);
		create();
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, 1_000));
		assert!(events().contains(&Event::Transferred { model: 0, from: OWNER, to: ALICE, amount: 1_000 }));
		assert_eq!((units(OWNER), units(ALICE)), (SUPPLY - 1_000, 1_000));
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, BOB, 1_001), Error::<Test>::InsufficientBalance);
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(BOB), 0, ALICE, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, BOB, 0), Error::<Test>::ZeroAmount);
		// Holdings are zero or at least the minimum (10): on both sides.
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, BOB, 5), Error::<Test>::BelowMinimum);
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, BOB, 995), Error::<Test>::BelowMinimum);
		// Sending everything removes the holding.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, BOB, 1_000));
		assert!(crate::Holdings::<Test>::get(0, ALICE).is_none());
		// To oneself: nothing changes.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(BOB), 0, BOB, 1_000));
		assert_eq!(units(BOB), 1_000);
	});
}

#[test]
fn allowances_hold_a_deposit_until_they_end() {
	new_test_ext().execute_with(|| {
		create();
		let held = |who| <Balances as frame_support::traits::fungible::InspectHold<AccountId>>::total_balance_on_hold(&who);
		assert_noop!(Revshare::approve(RuntimeOrigin::signed(OWNER), 5, ALICE, 10), Error::<Test>::NoToken);
		assert_ok!(Revshare::approve(RuntimeOrigin::signed(OWNER), 0, ALICE, 500));
		assert_eq!(held(OWNER), 500 + APPROVAL_DEPOSIT, "the model deposit and the allowance's");
		assert_eq!(Revshare::allowance_of(0, &OWNER, &ALICE), 500);
		// Raising it holds nothing more.
		assert_ok!(Revshare::approve(RuntimeOrigin::signed(OWNER), 0, ALICE, 600));
		assert_eq!(held(OWNER), 500 + APPROVAL_DEPOSIT);
		assert_noop!(
			Revshare::transfer_from(RuntimeOrigin::signed(BOB), 0, OWNER, BOB, 10),
			Error::<Test>::AllowanceTooLow
		);
		assert_noop!(
			Revshare::transfer_from(RuntimeOrigin::signed(ALICE), 0, OWNER, BOB, 601),
			Error::<Test>::AllowanceTooLow
		);
		assert_ok!(Revshare::transfer_from(RuntimeOrigin::signed(ALICE), 0, OWNER, BOB, 100));
		assert_eq!((units(BOB), Revshare::allowance_of(0, &OWNER, &ALICE)), (100, 500));
		// Used up: the allowance ends and its deposit is released.
		assert_ok!(Revshare::transfer_from(RuntimeOrigin::signed(ALICE), 0, OWNER, CAROL, 500));
		assert_eq!((units(CAROL), Revshare::allowance_of(0, &OWNER, &ALICE)), (500, 0));
		assert_eq!(held(OWNER), 500);
		// Set and cancelled: the same.
		assert_ok!(Revshare::approve(RuntimeOrigin::signed(OWNER), 0, BOB, 10));
		assert_ok!(Revshare::approve(RuntimeOrigin::signed(OWNER), 0, BOB, 0));
		assert_eq!(held(OWNER), 500);
		assert!(crate::Approvals::<Test>::iter().next().is_none());
	});
}
