//! Revenue from real finalized requests: where the model's share goes, snapshots, claims and burns, to the planck.

use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

use super::*;
use crate::{Error, Event};

#[test]
fn without_a_token_the_models_share_goes_to_its_revenue_account() {
	new_test_ext().execute_with(|| {
		let before = free(REVENUE);
		let to_model = finalized_request(ALICE, 4);
		assert_eq!(free(REVENUE) - before, to_model);
		assert!(to_model > 0);
	});
}

#[test]
fn a_fee_becomes_exactly_what_a_ten_percent_holder_can_claim() {
	new_test_ext().execute_with(|| {
		create();
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, SUPPLY / 10));
		let pot_before = free(Revshare::account());
		let revenue_before = free(REVENUE);
		let requester_before = free(BOB);
		let to_model = finalized_request(BOB, 5);
		// The fee the requester paid: 10,000 + 5 × 1,000; the model's share of it (25%) went to this pallet.
		let fee = FEE_BASE + 5 * FEE_PER_TOKEN;
		assert_eq!(requester_before - free(BOB), fee);
		assert_eq!(to_model, fee - Perbill::from_percent(70).mul_floor(fee) - Perbill::from_percent(5).mul_floor(fee));
		assert_eq!(free(Revshare::account()) - pot_before, to_model);
		assert_eq!(free(REVENUE), revenue_before, "the revenue account gets nothing once there is a token");
		let view = Revshare::token_view(0).unwrap();
		assert_eq!((view.pending, view.received), (to_model, to_model));
		// Nothing is claimable before a snapshot.
		assert_eq!(claimable(ALICE), 0);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		let claim = Perbill::from_percent(60).mul_floor(to_model);
		let treasury = Perbill::from_percent(10).mul_floor(to_model);
		assert!(events().contains(&Event::Snapshot {
			model: 0,
			id: 1,
			claimable: claim,
			to_treasury: treasury,
			redeemable: to_model - claim - treasury,
			supply: SUPPLY
		}));
		// Alice holds 10% of the supply: a tenth of the holders' share, to the planck.
		assert_eq!(claimable(ALICE), claim / 10);
		let alice_before = free(ALICE);
		assert_ok!(Revshare::claim(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(free(ALICE) - alice_before, claim / 10);
		assert!(events().contains(&Event::Claimed { model: 0, who: ALICE, amount: claim / 10 }));
		assert_noop!(Revshare::claim(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::NothingToClaim);
		assert_eq!(claimable(OWNER), claim - claim / 10);
	});
}

#[test]
fn snapshots_are_rate_limited_and_need_revenue() {
	new_test_ext().execute_with(|| {
		assert_noop!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::NoToken);
		create();
		assert_noop!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::NothingPending);
		finalized_request(BOB, 2);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		revenue(1_000);
		assert!(events().contains(&Event::RevenueReceived { model: 0, amount: 1_000 }));
		for _ in 0..SNAPSHOT_INTERVAL {
			assert_noop!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::SnapshotTooSoon);
			next_block();
		}
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		run_to(System::block_number() + SNAPSHOT_INTERVAL);
		assert_noop!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::NothingPending);
		assert_eq!(Revshare::token_view(0).unwrap().snapshots, 2);
	});
}

#[test]
fn a_token_moved_between_snapshots_claims_once_and_revenue_never_expires() {
	new_test_ext().execute_with(|| {
		create();
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, SUPPLY / 2));
		let first = finalized_request(BOB, 3);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		let per_snapshot = |revenue: u128| Perbill::from_percent(60).mul_floor(revenue) / 2;
		assert_eq!(claimable(ALICE), per_snapshot(first));
		// Alice claims and sends her units to Carol: Carol gets nothing from the first snapshot.
		assert_ok!(Revshare::claim(RuntimeOrigin::signed(ALICE), 0));
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, CAROL, SUPPLY / 2));
		assert_eq!(claimable(CAROL), 0);
		assert!(crate::Holdings::<Test>::get(0, ALICE).is_none(), "Alice's spent holding is removed");
		// Three more snapshots nobody claims: the owner and Carol are owed all of them.
		let mut later = 0;
		for _ in 0..3 {
			later += per_snapshot(finalized_request(BOB, 1));
			run_to(System::block_number() + SNAPSHOT_INTERVAL);
			assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		}
		assert_eq!(claimable(CAROL), later);
		assert_eq!(claimable(OWNER), per_snapshot(first) + later);
		// Carol moves the units back to Alice, who can not claim them again.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(CAROL), 0, ALICE, SUPPLY / 2));
		assert_eq!((claimable(ALICE), claimable(CAROL)), (0, later));
	});
}

#[test]
fn a_burn_redeems_its_share_and_the_rest_stays_claimable() {
	new_test_ext().execute_with(|| {
		create();
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, SUPPLY / 10));
		let revenue = finalized_request(BOB, 6);
		assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
		let claim = Perbill::from_percent(60).mul_floor(revenue);
		let treasury = Perbill::from_percent(10).mul_floor(revenue);
		let backing = revenue - claim - treasury;
		let burn = SUPPLY / 20;
		let expected = backing * burn / SUPPLY;
		assert_eq!(Revshare::redeemable_on_burn(0, burn), expected);
		let before = free(ALICE);
		assert_ok!(Revshare::burn(RuntimeOrigin::signed(ALICE), 0, burn));
		assert!(events().contains(&Event::Burned { model: 0, who: ALICE, amount: burn, redeemed: expected }));
		assert_eq!(free(ALICE) - before, expected);
		assert_eq!(Revshare::token_view(0).unwrap().supply, SUPPLY - burn);
		assert_eq!(claimable(ALICE), claim / 10, "the burned units' claim is kept");
		assert_noop!(Revshare::burn(RuntimeOrigin::signed(ALICE), 0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(Revshare::burn(RuntimeOrigin::signed(ALICE), 0, burn + 1), Error::<Test>::InsufficientBalance);
		assert_noop!(Revshare::burn(RuntimeOrigin::signed(ALICE), 0, burn - 5), Error::<Test>::BelowMinimum);
		// The owner can not burn every last unit.
		assert_ok!(Revshare::burn(RuntimeOrigin::signed(ALICE), 0, burn));
		assert_noop!(Revshare::burn(RuntimeOrigin::signed(OWNER), 0, units(OWNER)), Error::<Test>::LastUnits);
	});
}
