//! Submitting and cancelling requests.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

use super::*;
use crate::{DrawCursor, Error, Event, HoldReason, NextRequestId, Operators};

fn fee_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::RequestFee.into(), &who)
}

#[test]
fn submit_holds_exactly_the_quote() {
	new_test_ext().execute_with(|| {
		let q = Inference::quote(0, 5, 7).unwrap();
		assert_eq!((q.base, q.tokens, q.tip, q.total), (FEE_BASE, 5 * FEE_PER_TOKEN, 7, FEE_BASE + 5 * FEE_PER_TOKEN + 7));
		let id = submit(ALICE, 5, 7);
		assert_eq!(fee_held(ALICE), q.total);
		assert_eq!(free(ALICE), START - q.total);
		assert_eq!(
			events(),
			vec![Event::RequestSubmitted { request: id, requester: ALICE, model: 0, max_fee: q.total }]
		);
		assert_eq!(status(id), RequestStatus::Queued);
		// It waits for its draw: the only request between the draw cursor and the next id.
		assert_eq!((DrawCursor::<Test>::get(), NextRequestId::<Test>::get()), (id, id + 1));
		let v = Inference::request_view(id).unwrap();
		assert_eq!((v.requester, v.model, v.prompt, v.max_new, v.max_fee), (ALICE, 0, prompt(4), 5, q.total));
		// Drawn at the start of the next block, with a deadline TIMEOUT blocks later.
		next_block();
		let op = assignee(id);
		assert_eq!(
			events(),
			vec![Event::RequestAssigned { request: id, operator: op, deadline: 2 + TIMEOUT }]
		);
		assert_eq!(Operators::<Test>::get(op).unwrap().queue.into_inner(), vec![id]);
		assert_eq!(DrawCursor::<Test>::get(), id + 1);
		assert_eq!(Inference::operator_queue(&op), vec![id]);
	});
}

#[test]
fn quote_errors() {
	new_test_ext().execute_with(|| {
		use sibyl_inference_primitives::QuoteError;
		assert_eq!(Inference::quote(9, 1, 0), Err(QuoteError::UnknownModel));
		assert_eq!(Inference::quote(0, 0, 0), Err(QuoteError::BadMaxNew));
		assert_eq!(Inference::quote(0, 9, 0), Err(QuoteError::BadMaxNew));
		assert_ok!(Inference::set_model_fees(RuntimeOrigin::signed(OWNER), 0, u64::MAX, 1));
		assert_eq!(Inference::quote(0, 1, 0), Err(QuoteError::Overflow));
	});
}

#[test]
fn submit_refuses_every_bad_input_and_takes_nothing() {
	new_test_ext().execute_with(|| {
		let s = |model, prompt: Vec<u32>, max_new, tip| {
			Inference::submit(RuntimeOrigin::signed(ALICE), model, prompt, max_new, tip)
		};
		assert_noop!(s(5, prompt(4), 4, 0), Error::<Test>::UnknownModel);
		assert_noop!(s(0, vec![], 4, 0), Error::<Test>::EmptyPrompt);
		assert_noop!(s(0, prompt(37), 1, 0), Error::<Test>::PromptTooLong);
		// Prompt plus output over the model's sequence of 40.
		assert_noop!(s(0, prompt(36), 5, 0), Error::<Test>::PromptTooLong);
		assert_ok!(s(0, prompt(36), 4, 0));
		assert_noop!(s(0, vec![1, 80], 4, 0), Error::<Test>::BadToken);
		assert_noop!(s(0, prompt(4), 0, 0), Error::<Test>::ZeroMaxNew);
		assert_noop!(s(0, prompt(4), 9, 0), Error::<Test>::MaxNewOverLimit);
		assert_noop!(s(0, prompt(4), 4, u64::MAX), Error::<Test>::FeeOverflow);
		assert_noop!(s(0, prompt(4), 4, START), Error::<Test>::InsufficientBalance);
		assert_noop!(
			Inference::submit(RuntimeOrigin::signed(77), 0, prompt(4), 4, 0),
			Error::<Test>::InsufficientBalance
		);
		// Five more make six waiting for their draw, the most there may be.
		for _ in 0..5 {
			assert_ok!(s(0, prompt(2), 1, 0));
		}
		assert_noop!(s(0, prompt(2), 1, 0), Error::<Test>::QueueFull);
		// The next block's hook draws them all: there is room again.
		next_block();
		assert_eq!(DrawCursor::<Test>::get(), NextRequestId::<Test>::get());
		assert_ok!(s(0, prompt(2), 1, 0));
	});
}

#[test]
fn a_model_without_other_operators_is_refused() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_tiny(OWNER, 2));
		assert_noop!(Inference::submit(RuntimeOrigin::signed(ALICE), 1, prompt(2), 1, 0), Error::<Test>::NoOperator);
		// The only operator can not ask its own model: it would answer itself.
		assert_ok!(Inference::serve(RuntimeOrigin::signed(OP_A), 1));
		assert_noop!(Inference::submit(RuntimeOrigin::signed(OP_A), 1, prompt(2), 1, 0), Error::<Test>::NoOperator);
		assert_ok!(Inference::serve(RuntimeOrigin::signed(OP_B), 1));
		// With two, a request of OP_A always goes to OP_B, whatever the draw.
		for _ in 0..3 {
			let id = crate::NextRequestId::<Test>::get();
			assert_ok!(Inference::submit(RuntimeOrigin::signed(OP_A), 1, prompt(2), 1, 0));
			next_block();
			assert_eq!(assignee(id), OP_B);
		}
	});
}

#[test]
fn cancel_before_a_result_refunds_everything() {
	new_test_ext().execute_with(|| {
		// Queued.
		let id = submit(ALICE, 4, 3);
		assert_noop!(Inference::cancel(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotRequester);
		assert_noop!(Inference::cancel(RuntimeOrigin::signed(ALICE), 42), Error::<Test>::UnknownRequest);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(free(ALICE), START);
		assert_eq!(fee_held(ALICE), 0);
		assert!(events().contains(&Event::RequestCancelled { request: id, refunded: FEE_BASE + 4 * FEE_PER_TOKEN + 3 }));
		assert_noop!(Inference::cancel(RuntimeOrigin::signed(ALICE), id), Error::<Test>::TooLateToCancel);
		// The draw passes over it.
		next_block();
		assert_eq!(DrawCursor::<Test>::get(), id + 1);
		assert!(!events().iter().any(|e| matches!(e, Event::RequestAssigned { request, .. } if *request == id)));
		assert!(matches!(status(id), RequestStatus::Cancelled { .. }));
		// Assigned.
		let (id, op) = submit_assigned(ALICE, 4, 0);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(free(ALICE), START);
		assert!(Operators::<Test>::get(op).unwrap().queue.is_empty());
		assert_eq!(crate::Operators::<Test>::get(op).unwrap().open, 0);
		// Its operator's late answer is refused.
		assert_noop!(
			Inference::propose(RuntimeOrigin::signed(op), id, vec![1], [0; 32], 1),
			Error::<Test>::NotAwaitingResult
		);
		// Proposed: too late.
		let (id, _) = submit_assigned(ALICE, 4, 0);
		propose_n(id, 2);
		assert_noop!(Inference::cancel(RuntimeOrigin::signed(ALICE), id), Error::<Test>::TooLateToCancel);
	});
}
