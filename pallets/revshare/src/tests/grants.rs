//! Grants from a model's treasury: proposals, votes weighted by balances when proposed (no double voting by
//! moving units), closing, payment and clean-up.

use frame_support::{assert_noop, assert_ok};

use super::*;
use crate::{grant::GrantStatus, Error, Event};

/// Holdings: OWNER 60%, ALICE 25%, BOB 15%; a treasury of 10% of 1,000,000 of revenue.
fn holders_and_treasury() {
	create();
	assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, ALICE, SUPPLY / 4));
	assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, BOB, SUPPLY * 15 / 100));
	revenue(1_000_000);
	assert_ok!(Revshare::snapshot(RuntimeOrigin::signed(CAROL), 0));
	assert_eq!(Revshare::token_view(0).unwrap().treasury, 100_000);
}

fn propose(who: AccountId, amount: u128) -> frame_support::dispatch::DispatchResult {
	Revshare::propose_grant(RuntimeOrigin::signed(who), 0, DAVE, amount, [9; 32])
}

#[test]
fn proposals_need_a_holder_a_treasury_and_room() {
	new_test_ext().execute_with(|| {
		assert_noop!(propose(OWNER, 10), Error::<Test>::NoToken);
		holders_and_treasury();
		assert_noop!(propose(CAROL, 10), Error::<Test>::NotAHolder);
		assert_noop!(propose(ALICE, 0), Error::<Test>::ZeroAmount);
		assert_noop!(propose(ALICE, 100_001), Error::<Test>::TreasuryTooLow);
		let before = held(ALICE);
		assert_ok!(propose(ALICE, 60_000));
		assert_eq!(held(ALICE) - before, GRANT_DEPOSIT);
		assert_ok!(propose(BOB, 60_000));
		assert_noop!(propose(OWNER, 1), Error::<Test>::TooManyGrants);
	});
}

#[test]
fn votes_count_balances_as_proposed_and_moved_units_vote_once() {
	new_test_ext().execute_with(|| {
		holders_and_treasury();
		assert_ok!(propose(BOB, 60_000));
		let g = 0;
		// After the proposal, Alice sends her units to Carol: Carol's weight is what she held then (nothing).
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(ALICE), 0, CAROL, SUPPLY / 4));
		assert_noop!(Revshare::vote(RuntimeOrigin::signed(CAROL), g, true), Error::<Test>::NoVotingWeight);
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(ALICE), g, true));
		assert!(events().contains(&Event::Voted { grant: g, who: ALICE, aye: true, weight: SUPPLY / 4 }));
		// Carol passes them on to Bob, who votes with his own 15% only.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(CAROL), 0, BOB, SUPPLY / 4));
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(BOB), g, false));
		assert!(events().contains(&Event::Voted { grant: g, who: BOB, aye: false, weight: SUPPLY * 15 / 100 }));
		// Changing one's vote replaces it.
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(BOB), g, true));
		let grant = crate::Grants::<Test>::get(g).unwrap();
		assert_eq!((grant.ayes, grant.nays), (SUPPLY * 40 / 100, 0));
		// Units bought after the proposal carry no weight either: Dave gets some from the owner.
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, DAVE, 1_000));
		assert_noop!(Revshare::vote(RuntimeOrigin::signed(DAVE), g, true), Error::<Test>::NoVotingWeight);
		run_to(System::block_number() + VOTING_PERIOD + 1);
		assert_noop!(Revshare::vote(RuntimeOrigin::signed(OWNER), g, true), Error::<Test>::VotingEnded);
	});
}

#[test]
fn a_passed_grant_is_paid_once_and_cleaned_up() {
	new_test_ext().execute_with(|| {
		holders_and_treasury();
		assert_ok!(propose(ALICE, 60_000));
		assert_ok!(propose(BOB, 60_000));
		for (g, aye) in [(0, true), (1, true)] {
			assert_ok!(Revshare::vote(RuntimeOrigin::signed(ALICE), g, aye));
		}
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(BOB), 0, false));
		assert_noop!(Revshare::close_grant(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::VotingOpen);
		run_to(System::block_number() + VOTING_PERIOD + 1);
		let (dave, alice_held) = (free(DAVE), held(ALICE));
		assert_ok!(Revshare::close_grant(RuntimeOrigin::signed(CAROL), 0));
		assert!(events().contains(&Event::GrantClosed {
			grant: 0,
			model: 0,
			status: GrantStatus::Paid,
			ayes: SUPPLY / 4,
			nays: SUPPLY * 15 / 100,
			paid: 60_000
		}));
		assert_eq!(free(DAVE) - dave, 60_000);
		assert_eq!(alice_held - held(ALICE), GRANT_DEPOSIT, "the deposit is released");
		assert_eq!(Revshare::token_view(0).unwrap().treasury, 40_000);
		assert!(crate::Grants::<Test>::get(0).is_none() && crate::Votes::<Test>::iter_prefix(0).next().is_none());
		assert_noop!(Revshare::close_grant(RuntimeOrigin::signed(CAROL), 0), Error::<Test>::UnknownGrant);
		// The second passed too, but the treasury no longer holds it: unfunded, nothing paid.
		assert_ok!(Revshare::close_grant(RuntimeOrigin::signed(CAROL), 1));
		assert!(events().iter().any(|e| matches!(e, Event::GrantClosed { grant: 1, status: GrantStatus::Unfunded, paid: 0, .. })));
		assert_eq!(free(DAVE) - dave, 60_000);
	});
}

#[test]
fn root_sets_the_voting_period_of_later_proposals() {
	new_test_ext().execute_with(|| {
		holders_and_treasury();
		assert_noop!(Revshare::set_voting_period(RuntimeOrigin::signed(OWNER), 9), sp_runtime::DispatchError::BadOrigin);
		assert_noop!(Revshare::set_voting_period(RuntimeOrigin::root(), 0), Error::<Test>::BadVotingPeriod);
		assert_ok!(Revshare::set_voting_period(RuntimeOrigin::root(), 9));
		assert!(events().contains(&Event::VotingPeriodSet { blocks: 9 }));
		assert_ok!(propose(ALICE, 1));
		assert_eq!(crate::Grants::<Test>::get(0).unwrap().end, System::block_number() + 9);
	});
}

#[test]
fn a_grant_without_quorum_or_majority_is_rejected() {
	new_test_ext().execute_with(|| {
		holders_and_treasury();
		// Bob alone (15%) is under the 20% quorum.
		assert_ok!(propose(BOB, 10_000));
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(BOB), 0, true));
		// Alice for (25%), the owner against (60%).
		assert_ok!(propose(ALICE, 10_000));
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(ALICE), 1, true));
		assert_ok!(Revshare::vote(RuntimeOrigin::signed(OWNER), 1, false));
		run_to(System::block_number() + VOTING_PERIOD + 1);
		for g in [0, 1] {
			assert_ok!(Revshare::close_grant(RuntimeOrigin::signed(CAROL), g));
			assert!(events().iter().any(|e| matches!(e, Event::GrantClosed { grant, status: GrantStatus::Rejected, paid: 0, .. } if *grant == g)));
		}
		assert_eq!(Revshare::token_view(0).unwrap().treasury, 100_000);
	});
}
