//! The tokens through the `fungibles` traits, as another pallet would use them.

use frame_support::{
	assert_noop, assert_ok,
	traits::tokens::{
		fungibles::{approvals, metadata, Inspect, Mutate},
		DepositConsequence, Fortitude, Precision, Preservation, Provenance, WithdrawConsequence,
	},
};
use sp_runtime::TokenError;

use super::*;

#[test]
fn the_traits_read_balances_metadata_and_allowances() {
	new_test_ext().execute_with(|| {
		assert!(!<Revshare as Inspect<AccountId>>::asset_exists(0));
		create();
		assert!(<Revshare as Inspect<AccountId>>::asset_exists(0));
		assert_eq!(<Revshare as Inspect<AccountId>>::total_issuance(0), SUPPLY);
		assert_eq!(<Revshare as Inspect<AccountId>>::minimum_balance(0), 10);
		assert_eq!(<Revshare as Inspect<AccountId>>::balance(0, &OWNER), SUPPLY);
		assert_eq!(<Revshare as metadata::Inspect<AccountId>>::symbol(0), b"TINY".to_vec());
		assert_eq!(<Revshare as metadata::Inspect<AccountId>>::decimals(0), 6);
		let keep = Preservation::Preserve;
		assert_eq!(<Revshare as Inspect<AccountId>>::reducible_balance(0, &OWNER, keep, Fortitude::Polite), SUPPLY - 10);
		assert_eq!(
			<Revshare as Inspect<AccountId>>::can_deposit(0, &ALICE, 5, Provenance::Extant),
			DepositConsequence::BelowMinimum
		);
		assert_eq!(
			<Revshare as Inspect<AccountId>>::can_deposit(0, &ALICE, 50, Provenance::Minted),
			DepositConsequence::Blocked,
			"the supply is fixed"
		);
		assert_eq!(<Revshare as Inspect<AccountId>>::can_withdraw(0, &OWNER, SUPPLY - 5), WithdrawConsequence::WouldDie);
		assert_eq!(<Revshare as Inspect<AccountId>>::can_withdraw(0, &OWNER, SUPPLY + 1), WithdrawConsequence::BalanceLow);
		assert_ok!(<Revshare as approvals::Mutate<AccountId>>::approve(0, &OWNER, &ALICE, 70));
		assert_eq!(<Revshare as approvals::Inspect<AccountId>>::allowance(0, &OWNER, &ALICE), 70);
		assert_ok!(<Revshare as approvals::Mutate<AccountId>>::transfer_from(0, &OWNER, &ALICE, &BOB, 70));
		assert_eq!(units(BOB), 70);
	});
}

#[test]
fn a_transfer_through_the_traits_settles_revenue_and_nothing_is_minted_or_burned() {
	new_test_ext().execute_with(|| {
		create();
		finalized_request(BOB, 2);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		let owed = claimable(OWNER);
		assert_ok!(<Revshare as Mutate<AccountId>>::transfer(0, &OWNER, &ALICE, SUPPLY / 2, Preservation::Preserve));
		assert_eq!((claimable(OWNER), claimable(ALICE)), (owed, 0));
		assert_noop!(
			<Revshare as Mutate<AccountId>>::transfer(0, &ALICE, &BOB, SUPPLY / 2, Preservation::Preserve),
			TokenError::NotExpendable
		);
		assert_noop!(<Revshare as Mutate<AccountId>>::mint_into(0, &ALICE, 10), TokenError::Unsupported);
		assert_noop!(
			<Revshare as Mutate<AccountId>>::burn_from(0, &ALICE, 10, Preservation::Expendable, Precision::Exact, Fortitude::Force),
			TokenError::Unsupported
		);
		assert_eq!(<Revshare as Mutate<AccountId>>::set_balance(0, &ALICE, 1), SUPPLY / 2, "nothing changes");
		assert_eq!(<Revshare as Inspect<AccountId>>::total_issuance(0), SUPPLY);
	});
}
