//! The dispute game's way in: a disputed result is not final; an upheld one finalizes; a rejected one is
//! answered again.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

use super::*;
use crate::{lifecycle::RefundReason, traits::ResultDisputes, Error, Event, HoldReason, Results};

type D = Inference;

fn disputes_open(id: RequestId) -> sp_runtime::DispatchResult {
	<D as ResultDisputes<_, _, _>>::open_dispute(id)
}

#[test]
fn only_a_result_in_its_window_can_be_disputed() {
	new_test_ext().execute_with(|| {
		let (id, op) = submit_assigned(ALICE, 2, 0);
		assert_noop!(disputes_open(id), Error::<Test>::NotChallengeable);
		assert!(<D as ResultDisputes<_, _, _>>::disputable(id).is_none());
		propose_n(id, 2);
		let d = <D as ResultDisputes<_, _, _>>::disputable(id).unwrap();
		assert_eq!((d.operator, d.final_root, d.steps), (op, [7; 32], 1234));
		assert_eq!(d.model_root, crate::Models::<Test>::get(0).unwrap().root);
		run_to(d.window_end - 1);
		assert_ok!(disputes_open(id));
		assert_ok!(disputes_open(id));
		assert!(events().contains(&Event::ResultDisputed { request: id, games: 2 }));
		next_block();
		assert_noop!(disputes_open(id), Error::<Test>::NotChallengeable);
		// The window is over but two games are open: not final.
		assert!(matches!(status(id), RequestStatus::Disputed { games: 2, .. }));
		assert!(Inference::result_view(id, true).is_none());
		assert_ok!(<D as ResultDisputes<_, _, _>>::uphold(id));
		assert!(matches!(status(id), RequestStatus::Disputed { games: 1, .. }));
		assert_ok!(<D as ResultDisputes<_, _, _>>::uphold(id));
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		assert!(Inference::result_view(id, true).is_some());
		assert_noop!(<D as ResultDisputes<_, _, _>>::uphold(id), Error::<Test>::NotDisputed);
	});
}

#[test]
fn upheld_within_the_window_finalizes_at_its_end() {
	new_test_ext().execute_with(|| {
		let (id, _) = submit_assigned(ALICE, 2, 0);
		propose_n(id, 1);
		let end = System::block_number() + WINDOW;
		assert_ok!(disputes_open(id));
		assert_ok!(<D as ResultDisputes<_, _, _>>::uphold(id));
		assert!(matches!(status(id), RequestStatus::Proposed { .. }));
		run_to(end);
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
	});
}

#[test]
fn a_rejected_result_pays_its_bond_to_the_winner_and_the_request_is_answered_again() {
	new_test_ext().execute_with(|| {
		let (id, liar) = submit_assigned(ALICE, 2, 0);
		propose_n(id, 2);
		assert_noop!(<D as ResultDisputes<_, _, _>>::reject(id, &BOB), Error::<Test>::NotDisputed);
		assert_ok!(disputes_open(id));
		let bob = free(BOB);
		assert_ok!(<D as ResultDisputes<_, _, _>>::reject(id, &BOB));
		assert_eq!(free(BOB), bob + RESULT_BOND);
		assert_eq!(Balances::balance_on_hold(&HoldReason::ResultBond.into(), &liar), 0);
		assert!(events().contains(&Event::ResultRejected { request: id, operator: liar, beneficiary: BOB }));
		assert!(Results::<Test>::get(id).is_none());
		let honest = assignee(id);
		assert_ne!(honest, liar);
		assert!(Inference::propose(RuntimeOrigin::signed(liar), id, vec![1], [0; 32], 1).is_err());
		propose_n(id, 1);
		run_to(System::block_number() + WINDOW);
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		assert_eq!(Inference::result_view(id, true).unwrap().operator, honest);
	});
}

#[test]
fn a_rejected_result_without_attempts_left_is_refunded() {
	new_test_ext().execute_with(|| {
		let (id, _) = submit_assigned(ALICE, 2, 0);
		propose_n(id, 2);
		assert_ok!(disputes_open(id));
		assert_ok!(<D as ResultDisputes<_, _, _>>::reject(id, &BOB));
		propose_n(id, 2);
		assert_ok!(disputes_open(id));
		assert_ok!(<D as ResultDisputes<_, _, _>>::reject(id, &BOB));
		assert!(matches!(status(id), RequestStatus::Refunded { reason: RefundReason::ResultRejected, .. }));
		assert_eq!(free(ALICE), START);
	});
}
