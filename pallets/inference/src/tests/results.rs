//! Proposing results and their finalization: who gets what, exactly.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

use super::*;
use crate::{Error, Event, HoldReason, Operators, Results};

#[test]
fn propose_refuses_every_bad_input() {
	new_test_ext().execute_with(|| {
		let (id, op) = submit_assigned(ALICE, 3, 0);
		let other = [OP_A, OP_B, OP_C].into_iter().find(|o| *o != op).unwrap();
		let p = |who, id, out: Vec<u32>| Inference::propose(RuntimeOrigin::signed(who), id, out, [1; 32], 10);
		assert_noop!(p(op, 99, vec![1]), Error::<Test>::UnknownRequest);
		assert_noop!(p(other, id, vec![1]), Error::<Test>::NotAssignee);
		assert_noop!(p(ALICE, id, vec![1]), Error::<Test>::NotAssignee);
		assert_noop!(p(op, id, vec![]), Error::<Test>::EmptyOutput);
		assert_noop!(p(op, id, vec![1, 2, 3, 4]), Error::<Test>::OutputTooLong);
		assert_noop!(p(op, id, vec![1; 9]), Error::<Test>::OutputTooLong);
		assert_noop!(p(op, id, vec![1, 80]), Error::<Test>::BadToken);
		// An operator without free funds for the result bond.
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), op, ED + RESULT_BOND - 1));
		assert_noop!(p(op, id, vec![1]), Error::<Test>::InsufficientBalance);
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), op, START));
		assert_ok!(p(op, id, vec![1, 2, 3]));
		assert_noop!(p(op, id, vec![1]), Error::<Test>::AlreadyProposed);
		assert_noop!(p(other, id, vec![1]), Error::<Test>::AlreadyProposed);
		// A queued request has no assignee yet.
		let queued = submit(ALICE, 3, 0);
		assert_noop!(p(op, queued, vec![1]), Error::<Test>::NotAwaitingResult);
	});
}

#[test]
fn a_result_is_final_after_the_window_and_the_fee_is_split_exactly() {
	new_test_ext().execute_with(|| {
		let issuance = <Balances as frame_support::traits::fungible::Inspect<_>>::total_issuance();
		let (id, op) = submit_assigned(ALICE, 5, 7);
		let held = FEE_BASE + 5 * FEE_PER_TOKEN + 7;
		let op_free = free(op);
		let (revenue, protocol) = (free(REVENUE), free(PROTOCOL));
		assert_ok!(Inference::propose(RuntimeOrigin::signed(op), id, vec![5, 6, 2], [3; 32], 777));
		let proposed_at = System::block_number();
		let window_end = proposed_at + WINDOW;
		assert_eq!(
			events().last(),
			Some(&Event::ResultProposed {
				request: id,
				operator: op,
				output_tokens: 3,
				final_root: [3; 32],
				steps: 777,
				window_end
			})
		);
		assert_eq!(status(id), RequestStatus::Proposed { operator: op, window_end });
		assert_eq!(Balances::balance_on_hold(&HoldReason::ResultBond.into(), &op), RESULT_BOND);
		assert!(Operators::<Test>::get(op).unwrap().queue.is_empty());
		// Visible as proposed, not as final.
		assert!(Inference::result_view(id, true).is_none());
		assert_eq!(Inference::result_view(id, false).unwrap().output, vec![5, 6, 2]);
		run_to(window_end - 1);
		assert!(matches!(status(id), RequestStatus::Proposed { .. }));
		next_block();
		// fee = 100 + 3 × 10 + 7 = 137; of the 130 before the tip: operator 50% = 65 (+ tip 7), protocol 10% = 13,
		// model the rest = 52; the requester gets 157 − 137 = 20 back.
		let fee = FEE_BASE + 3 * FEE_PER_TOKEN + 7;
		assert_eq!(
			events(),
			vec![Event::RequestFinalized {
				request: id,
				operator: op,
				fee,
				to_operator: 72,
				to_model: 52,
				to_protocol: 13,
				refunded: held - fee
			}]
		);
		assert_eq!(free(ALICE), START - fee);
		assert_eq!(free(op), op_free + 72);
		assert_eq!(free(REVENUE), revenue + 52);
		assert_eq!(free(PROTOCOL), protocol + 13);
		assert_eq!(Balances::balance_on_hold(&HoldReason::ResultBond.into(), &op), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::RequestFee.into(), &ALICE), 0);
		assert_eq!(<Balances as frame_support::traits::fungible::Inspect<_>>::total_issuance(), issuance);
		let r = Inference::result_view(id, true).unwrap();
		assert_eq!((r.operator, r.output, r.final_root, r.steps, r.proposed_at, r.fee_paid), (op, vec![5, 6, 2], [3; 32], 777, proposed_at, fee));
		assert!(Results::<Test>::get(id).is_some());
	});
}

#[test]
fn shares_below_the_existential_deposit_reach_a_new_account_through_the_protocol() {
	new_test_ext().execute_with(|| {
		// A model whose revenue account does not exist and gets less than ED: the share goes to the protocol.
		assert_ok!(Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 0, 10, 0));
		crate::Models::<Test>::mutate(0, |m| m.as_mut().unwrap().revenue = 555);
		let protocol = free(PROTOCOL);
		let (id, _) = submit_assigned(ALICE, 1, 0);
		propose_n(id, 1);
		run_to(System::block_number() + WINDOW);
		// fee 10: operator 5, protocol 1, model 4 (< ED 10, so to the protocol as well).
		assert_eq!(free(555), 0);
		assert_eq!(free(PROTOCOL), protocol + 5);
		assert_eq!(free(ALICE), START - 10);
	});
}
