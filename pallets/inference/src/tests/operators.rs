//! Bonding, serving, unbonding, withdrawing and slashing operators.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

use super::*;
use crate::{
	traits::ResultDisputes, types::OperatorState, Error, Event, HoldReason, ModelOperators, Operators,
};

fn bonded(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::OperatorBond.into(), &who)
}

#[test]
fn bond_serve_and_stop() {
	new_test_ext().execute_with(|| {
		assert_noop!(Inference::bond(RuntimeOrigin::signed(OP_D), MIN_BOND - 1), Error::<Test>::BondTooLow);
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_D), 0), Error::<Test>::NotOperator);
		assert_noop!(Inference::bond(RuntimeOrigin::signed(77), MIN_BOND), Error::<Test>::InsufficientBalance);
		assert_ok!(Inference::bond(RuntimeOrigin::signed(OP_D), MIN_BOND));
		assert_ok!(Inference::bond(RuntimeOrigin::signed(OP_D), 5));
		assert_eq!(bonded(OP_D), MIN_BOND + 5);
		assert!(events().contains(&Event::Bonded { operator: OP_D, total: MIN_BOND + 5 }));
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_D), 3), Error::<Test>::UnknownModel);
		assert_ok!(Inference::serve(RuntimeOrigin::signed(OP_D), 0));
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_D), 0), Error::<Test>::AlreadyServing);
		assert_eq!(ModelOperators::<Test>::get(0).into_inner(), vec![OP_A, OP_B, OP_C, OP_D]);
		// The model's list is full at four.
		assert_ok!(Inference::bond(RuntimeOrigin::signed(OP_E), MIN_BOND));
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_E), 0), Error::<Test>::TooManyOperators);
		assert_ok!(Inference::stop_serving(RuntimeOrigin::signed(OP_D), 0));
		assert_noop!(Inference::stop_serving(RuntimeOrigin::signed(OP_D), 0), Error::<Test>::NotServing);
		assert_eq!(ModelOperators::<Test>::get(0).into_inner(), vec![OP_A, OP_B, OP_C]);
		assert_ok!(Inference::serve(RuntimeOrigin::signed(OP_E), 0));
	});
}

#[test]
fn an_operator_serves_a_bounded_number_of_models() {
	new_test_ext().execute_with(|| {
		for seed in [2, 3] {
			assert_ok!(register_tiny(OWNER, seed));
		}
		assert_ok!(Inference::serve(RuntimeOrigin::signed(OP_A), 1));
		assert_noop!(Inference::serve(RuntimeOrigin::signed(OP_A), 2), Error::<Test>::TooManyModels);
	});
}

#[test]
fn unbond_waits_for_the_delay_and_open_work() {
	new_test_ext().execute_with(|| {
		let (id, op) = submit_assigned(ALICE, 4, 0);
		assert_noop!(Inference::withdraw(RuntimeOrigin::signed(op)), Error::<Test>::NotUnbonding);
		assert_ok!(Inference::unbond(RuntimeOrigin::signed(op)));
		let until = System::block_number() + UNBOND_DELAY;
		assert!(events().contains(&Event::Unbonding { operator: op, until }));
		assert!(!ModelOperators::<Test>::get(0).contains(&op));
		assert_noop!(Inference::unbond(RuntimeOrigin::signed(op)), Error::<Test>::OperatorUnbonding);
		assert_noop!(Inference::bond(RuntimeOrigin::signed(op), 1), Error::<Test>::OperatorUnbonding);
		assert_noop!(Inference::serve(RuntimeOrigin::signed(op), 0), Error::<Test>::OperatorUnbonding);
		assert_noop!(Inference::withdraw(RuntimeOrigin::signed(op)), Error::<Test>::StillUnbonding);
		// It still answers what it was assigned.
		propose_n(id, 1);
		run_to(until);
		// The window (4) ended before the delay (6): the request is final, the work closed.
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		let before = free(op);
		assert_ok!(Inference::withdraw(RuntimeOrigin::signed(op)));
		assert_eq!(free(op), before + MIN_BOND);
		assert_eq!(bonded(op), 0);
		assert!(Operators::<Test>::get(op).is_none());
	});
}

#[test]
fn open_work_blocks_withdrawal() {
	new_test_ext().execute_with(|| {
		let (id, op) = submit_assigned(ALICE, 4, 0);
		assert_ok!(Inference::unbond(RuntimeOrigin::signed(op)));
		propose_n(id, 1);
		// A dispute keeps the result open past the unbonding delay.
		assert_ok!(<Inference as ResultDisputes<_, _, _>>::open_dispute(id));
		run_to(System::block_number() + UNBOND_DELAY);
		assert_noop!(Inference::withdraw(RuntimeOrigin::signed(op)), Error::<Test>::OpenWork);
		assert_eq!(Operators::<Test>::get(op).unwrap().state, OperatorState::Unbonding { until: 2 + UNBOND_DELAY });
		assert_ok!(<Inference as ResultDisputes<_, _, _>>::uphold(id));
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		assert_ok!(Inference::withdraw(RuntimeOrigin::signed(op)));
	});
}

#[test]
fn slashing_takes_from_the_bond_and_a_low_bond_gets_no_work() {
	new_test_ext().execute_with(|| {
		let issuance = <Balances as frame_support::traits::fungible::Inspect<_>>::total_issuance();
		let taken = <Inference as ResultDisputes<_, _, _>>::slash_operator(&OP_A, 300, Some(&BOB));
		assert_eq!(taken, 300);
		assert_eq!(free(BOB), START + 300);
		assert_eq!(bonded(OP_A), MIN_BOND - 300);
		let burned = <Inference as ResultDisputes<_, _, _>>::slash_operator(&OP_A, 10_000, None);
		assert_eq!(burned, MIN_BOND - 300);
		assert_eq!(<Balances as frame_support::traits::fungible::Inspect<_>>::total_issuance(), issuance - burned);
		assert!(events().contains(&Event::OperatorSlashed { operator: OP_A, amount: burned, beneficiary: None }));
		// OP_A has no bond left: it is never drawn.
		for _ in 0..4 {
			let (_, op) = submit_assigned(BOB, 1, 0);
			assert_ne!(op, OP_A);
		}
	});
}
