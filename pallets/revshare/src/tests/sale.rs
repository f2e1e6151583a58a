//! The Initial Model Offering: bad terms refused, contributions held, the sale decided, each buyer settled to
//! the planck (units and proceeds, or refunds), and the seller's remaining units vesting.

use frame_support::{assert_noop, assert_ok};

use super::*;
use crate::{Error, Event};

fn sale(who: AccountId, price: u128, amount: u128, min: u128, start: u64, end: u64, vesting: u64) -> frame_support::dispatch::DispatchResult {
	Revshare::create_sale(RuntimeOrigin::signed(who), 0, price, amount, min, start, end, vesting)
}

#[test]
fn bad_offerings_are_refused() {
	new_test_ext().execute_with(|| {
		let now = System::block_number();
		assert_noop!(sale(OWNER, 3, 1_000, 0, now, now + 5, 0), Error::<Test>::NoToken);
		create();
		assert_noop!(Revshare::create_sale(RuntimeOrigin::signed(OWNER), 9, 3, 1_000, 0, now, now + 5, 0), Error::<Test>::UnknownModel);
		assert_noop!(sale(ALICE, 3, 1_000, 0, now, now + 5, 0), Error::<Test>::NotModelOwner);
		assert_noop!(sale(OWNER, 0, 1_000, 0, now, now + 5, 0), Error::<Test>::BadSaleTerms);
		assert_noop!(sale(OWNER, 3, 0, 0, now, now + 5, 0), Error::<Test>::BadSaleTerms);
		assert_noop!(sale(OWNER, 3, 1_000, 0, now - 1, now + 5, 0), Error::<Test>::BadSaleTerms);
		assert_noop!(sale(OWNER, 3, 1_000, 0, now + 5, now + 4, 0), Error::<Test>::BadSaleTerms);
		assert_noop!(sale(OWNER, 3, 1_000, 0, now, now + 101, 0), Error::<Test>::BadSaleTerms);
		assert_noop!(sale(OWNER, 3, 1_000, 3_001, now, now + 5, 0), Error::<Test>::MinAboveCap);
		assert_noop!(sale(OWNER, 3, SUPPLY + 1, 0, now, now + 5, 0), Error::<Test>::InsufficientBalance);
		assert_ok!(sale(OWNER, 3, 1_000, 0, now, now + 5, 0));
		assert_eq!(frozen(OWNER), 1_000);
		assert_noop!(sale(OWNER, 3, 1_000, 0, now + 10, now + 15, 0), Error::<Test>::SaleOverlaps);
		// Frozen units do not move.
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, SUPPLY - 999), Error::<Test>::InsufficientBalance);
		assert_noop!(Revshare::burn(RuntimeOrigin::signed(OWNER), 0, SUPPLY - 999), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn a_successful_offering_delivers_units_pays_the_seller_and_vests_the_rest() {
	new_test_ext().execute_with(|| {
		create();
		let now = System::block_number();
		let (start, end) = (now + 1, now + 10);
		assert_ok!(sale(OWNER, 3, 100_000, 150_000, start, end, 20));
		assert!(events().contains(&Event::SaleCreated {
			model: 0,
			seller: OWNER,
			price: 3,
			amount: 100_000,
			min_raise: 150_000,
			start,
			end,
			vesting: 20
		}));
		let contribute = |who, units| Revshare::contribute(RuntimeOrigin::signed(who), 0, units);
		assert_noop!(contribute(ALICE, 40_000), Error::<Test>::NotInPeriod);
		run_to(start);
		let alice_before = free(ALICE);
		assert_ok!(contribute(ALICE, 30_000));
		assert_ok!(contribute(ALICE, 10_000));
		assert_eq!((alice_before - free(ALICE), held(ALICE)), (120_000, 120_000), "held, not paid");
		assert_noop!(contribute(BOB, 5), Error::<Test>::BelowMinimum);
		assert_ok!(contribute(BOB, 30_000));
		assert_noop!(contribute(CAROL, 30_001), Error::<Test>::OverCap);
		assert_noop!(contribute(OWNER, 100), Error::<Test>::SellerCannotBuy);
		assert_noop!(contribute(CAROL, 0), Error::<Test>::ZeroAmount);
		// Revenue during the sale: the frozen units still earn, for the seller.
		revenue(1_000_000);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		assert_eq!(claimable(OWNER), 600_000);
		assert_noop!(Revshare::settle_sale(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::SaleNotEnded);
		assert_noop!(Revshare::settle_contribution(RuntimeOrigin::signed(CAROL), 0, ALICE), Error::<Test>::SaleNotSettled);
		run_to(end + 1);
		assert_noop!(contribute(CAROL, 100), Error::<Test>::NotInPeriod);
		assert_ok!(Revshare::settle_sale(RuntimeOrigin::signed(CAROL), 0));
		assert!(events().contains(&Event::SaleSettled { model: 0, succeeded: true, sold: 70_000, raised: 210_000 }));
		assert_noop!(Revshare::settle_sale(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::SaleSettled);
		// The 70,000 sold stay frozen until delivered; the owner's other units are locked by the vesting.
		assert_eq!(frozen(OWNER), SUPPLY);
		let owner_before = free(OWNER);
		assert_ok!(Revshare::settle_contribution(RuntimeOrigin::signed(CAROL), 0, ALICE));
		assert!(events().contains(&Event::ContributionSettled { model: 0, buyer: ALICE, units: 40_000, paid: 120_000, delivered: true }));
		assert_eq!((units(ALICE), held(ALICE), free(OWNER) - owner_before), (40_000, 0, 120_000));
		assert_eq!(claimable(ALICE), 0, "the revenue of the sale's period stays with the seller");
		assert_noop!(Revshare::settle_contribution(RuntimeOrigin::signed(CAROL), 0, ALICE), Error::<Test>::NoContribution);
		assert_ok!(Revshare::settle_contribution(RuntimeOrigin::signed(ALICE), 0, BOB));
		assert_eq!((units(BOB), free(OWNER) - owner_before), (30_000, 210_000));
		assert!(crate::Sales::<Test>::get(0).is_none(), "every buyer settled: the sale is gone");
		// Vesting over 20 blocks from the end: a twentieth unlocked one block after it (rounded so nothing
		// unlocks early), half after ten, the rest after twenty.
		let vested = SUPPLY - 70_000;
		assert_eq!(frozen(OWNER), vested);
		assert_noop!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, CAROL, 100), Error::<Test>::InsufficientBalance);
		assert_ok!(Revshare::vest(RuntimeOrigin::signed(CAROL), 0, OWNER));
		assert_eq!(frozen(OWNER), (vested * 19).div_ceil(20));
		assert_noop!(Revshare::vest(RuntimeOrigin::signed(CAROL), 0, OWNER), Error::<Test>::NothingVested);
		run_to(end + 10);
		assert_ok!(Revshare::vest(RuntimeOrigin::signed(CAROL), 0, OWNER));
		assert_eq!(frozen(OWNER), vested / 2);
		run_to(end + 25);
		assert_ok!(Revshare::vest(RuntimeOrigin::signed(CAROL), 0, OWNER));
		assert_eq!(frozen(OWNER), 0);
		assert_noop!(Revshare::vest(RuntimeOrigin::signed(CAROL), 0, OWNER), Error::<Test>::NoVesting);
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, CAROL, 100));
	});
}

#[test]
fn an_offering_under_its_minimum_refunds_every_buyer() {
	new_test_ext().execute_with(|| {
		create();
		let now = System::block_number();
		assert_ok!(sale(OWNER, 5, 100_000, 400_000, now, now + 3, 50));
		let (alice, bob) = (free(ALICE), free(BOB));
		assert_ok!(Revshare::contribute(RuntimeOrigin::signed(ALICE), 0, 20_000));
		assert_ok!(Revshare::contribute(RuntimeOrigin::signed(BOB), 0, 10_000));
		run_to(now + 4);
		assert_ok!(Revshare::settle_sale(RuntimeOrigin::signed(CAROL), 0));
		assert!(events().contains(&Event::SaleSettled { model: 0, succeeded: false, sold: 30_000, raised: 150_000 }));
		assert_eq!(frozen(OWNER), 0, "every offered unit is unfrozen, and nothing vests");
		for who in [ALICE, BOB] {
			assert_ok!(Revshare::settle_contribution(RuntimeOrigin::signed(CAROL), 0, who));
		}
		assert_eq!((free(ALICE), free(BOB), held(ALICE), held(BOB)), (alice, bob, 0, 0));
		assert_eq!((units(ALICE), units(BOB), units(OWNER)), (0, 0, SUPPLY));
		assert!(crate::Sales::<Test>::get(0).is_none());
		// A sale nobody bought is decided and gone at once.
		let now = System::block_number();
		assert_ok!(sale(OWNER, 5, 100, 0, now, now, 0));
		run_to(now + 1);
		assert_ok!(Revshare::settle_sale(RuntimeOrigin::signed(CAROL), 0));
		assert!(crate::Sales::<Test>::get(0).is_none());
		assert_eq!(frozen(OWNER), 0);
	});
}
