//! The block hook: draws, missed deadlines, finalization, pruning, and the schedule's bounds.

use frame_support::{assert_ok, traits::{fungible::InspectHold, Hooks}};

use super::*;
use crate::{
	apply::{worst_wake, DrawCosts},
	lifecycle::RefundReason,
	mock::HookWeight,
	weights::WeightInfo,
	DrawCursor, Event, HoldReason, NextRequestId, Operators, Results, Schedule, WakeCursor,
};

#[test]
fn a_missed_deadline_penalises_and_reassigns_then_refunds() {
	new_test_ext().execute_with(|| {
		let (id, first) = submit_assigned(ALICE, 4, 0);
		let deadline = System::block_number() + TIMEOUT;
		run_to(deadline);
		assert_eq!(assignee(id), first);
		next_block();
		let second = assignee(id);
		assert_ne!(second, first);
		let ev = events();
		assert_eq!(ev[0..2], [
			Event::OperatorSlashed { operator: first, amount: MISS_PENALTY, beneficiary: Some(ALICE) },
			Event::DeadlineMissed { request: id, operator: first, penalty: MISS_PENALTY },
		]);
		assert!(ev.contains(&Event::RequestAssigned { request: id, operator: second, deadline: System::block_number() + TIMEOUT }));
		assert!(Operators::<Test>::get(first).unwrap().queue.is_empty());
		assert_eq!(Operators::<Test>::get(first).unwrap().open, 0);
		assert_eq!(Operators::<Test>::get(first).unwrap().bond, MIN_BOND - MISS_PENALTY);
		// The first operator's answer is now refused.
		assert!(Inference::propose(RuntimeOrigin::signed(first), id, vec![1], [0; 32], 1).is_err());
		// The second misses too: MaxAttempts (2) reached, everything held comes back, plus both penalties.
		run_to(System::block_number() + TIMEOUT + 1);
		assert!(events().contains(&Event::RequestRefunded {
			request: id,
			refunded: FEE_BASE + 4 * FEE_PER_TOKEN,
			reason: RefundReason::DeadlineMissed
		}));
		assert!(matches!(status(id), RequestStatus::Refunded { reason: RefundReason::DeadlineMissed, .. }));
		assert_eq!(free(ALICE), START + 2 * MISS_PENALTY);
		assert_eq!(Balances::balance_on_hold(&HoldReason::RequestFee.into(), &ALICE), 0);
	});
}

#[test]
fn a_request_whose_operators_left_before_the_draw_is_refunded() {
	new_test_ext().execute_with(|| {
		let id = submit(ALICE, 4, 0);
		for op in [OP_A, OP_B, OP_C] {
			assert_ok!(Inference::stop_serving(RuntimeOrigin::signed(op), 0));
		}
		next_block();
		assert_eq!(
			events(),
			vec![Event::RequestRefunded { request: id, refunded: FEE_BASE + 4 * FEE_PER_TOKEN, reason: RefundReason::NoOperator }]
		);
		assert_eq!(free(ALICE), START);
	});
}

#[test]
fn full_operator_queues_are_skipped() {
	new_test_ext().execute_with(|| {
		// Three operators with queues of three: nine requests fit; the tenth finds nobody and is refunded.
		let mut ids = vec![];
		for _ in 0..5 {
			ids.push(submit(ALICE, 1, 0));
		}
		next_block();
		for _ in 0..5 {
			ids.push(submit(BOB, 1, 0));
		}
		next_block();
		let assigned = ids.iter().filter(|id| matches!(status(**id), RequestStatus::Assigned { .. })).count();
		assert_eq!(assigned, 9);
		for op in [OP_A, OP_B, OP_C] {
			assert_eq!(Operators::<Test>::get(op).unwrap().queue.len(), 3);
		}
		let refunded = ids.iter().filter(|id| matches!(status(**id), RequestStatus::Refunded { .. })).count();
		assert_eq!(refunded, 1);
	});
}

#[test]
fn ended_requests_are_pruned_after_retention() {
	new_test_ext().execute_with(|| {
		let (id, _) = submit_assigned(ALICE, 2, 0);
		propose_n(id, 2);
		run_to(System::block_number() + WINDOW);
		let finalized_at = System::block_number();
		assert!(matches!(status(id), RequestStatus::Finalized { .. }));
		run_to(finalized_at + RETENTION - 1);
		assert!(Inference::request_view(id).is_some());
		next_block();
		assert_eq!(events(), vec![Event::RequestPruned { request: id }]);
		assert!(Inference::request_view(id).is_none());
		assert!(Results::<Test>::get(id).is_none());
		assert_eq!(Schedule::<Test>::iter().count(), 0);
		// A cancelled one too.
		let id = submit(ALICE, 2, 0);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), id));
		run_to(System::block_number() + RETENTION);
		assert!(Inference::request_view(id).is_none());
	});
}

#[test]
fn a_full_block_schedule_moves_to_the_next_block() {
	new_test_ext().execute_with(|| {
		// Twelve entries per block: fill the block after the next draw's deadline with placeholders.
		let wake = 2 + TIMEOUT + 1;
		Schedule::<Test>::insert(wake, frame_support::BoundedVec::try_from(vec![1000u64; 12]).unwrap());
		let id = submit(ALICE, 1, 0);
		System::set_block_number(2);
		Inference::on_initialize(2);
		assert_eq!(Requests::<Test>::get(id).unwrap().wake, Some(wake + 1));
		assert_eq!(status(id), RequestStatus::Assigned { operator: assignee(id), deadline: wake });
		assert_eq!(Schedule::<Test>::get(wake + 1).into_inner(), vec![id]);
		Schedule::<Test>::remove(wake);
		assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()));
		// Every block in reach full: the draw refunds rather than leave a request without a deadline.
		for b in 0..=crate::schedule::LOOKAHEAD as u64 {
			Schedule::<Test>::insert(3 + TIMEOUT + 1 + b, frame_support::BoundedVec::try_from(vec![1000u64; 12]).unwrap());
		}
		let id = submit(BOB, 1, 0);
		System::set_block_number(3);
		Inference::on_initialize(3);
		assert!(matches!(status(id), RequestStatus::Refunded { .. }));
		assert_eq!(free(BOB), START);
	});
}

#[test]
fn the_hook_charges_for_what_it_did() {
	new_test_ext().execute_with(|| {
		// The idle hook, and the request counters' one read and write each per block (whitelisted in the calls).
		let idle = <() as WeightInfo>::on_initialize_idle() + Inference::counters_weight();
		// The wake cursor starts at block 0: the first hook also takes block 0's (empty) list.
		let one_more_list = <Test as frame_system::Config>::DbWeight::get().reads_writes(1, 1);
		assert_eq!(Inference::on_initialize(1), idle + one_more_list);
		System::set_block_number(2);
		assert_eq!(Inference::on_initialize(2), idle);
		submit(ALICE, 1, 0);
		submit(BOB, 1, 0);
		System::set_block_number(3);
		// Two draws, each visiting one operator (the first one visited is eligible).
		let costs = DrawCosts::<Test>::get();
		assert_eq!(Inference::on_initialize(3), idle + costs.base + costs.assigned * 2);
	});
}

#[test]
fn draws_that_do_not_fit_wait_for_the_next_block_in_order() {
	new_test_ext().execute_with(|| {
		let costs = DrawCosts::<Test>::get();
		let budget =
			<() as WeightInfo>::on_initialize_idle() + Inference::counters_weight() + costs.base + costs.worst * 2;
		HookWeight::set(budget);
		let ids: Vec<_> = (0..5).map(|_| submit(ALICE, 1, 0)).collect();
		for drawn in [2, 4, 5] {
			let n = System::block_number() + 1;
			System::set_block_number(n);
			let used = Inference::on_initialize(n);
			assert!(used.all_lte(budget), "block {n} used {used:?} of {budget:?}");
			assert_eq!(DrawCursor::<Test>::get(), ids[0] + drawn);
			for (k, id) in ids.iter().enumerate() {
				let assigned = matches!(status(*id), RequestStatus::Assigned { .. });
				assert_eq!(assigned, (k as u64) < drawn, "request {id} after block {n}");
			}
			assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()));
		}
		// Each waited for its own draw: deadlines one block apart for the carried ones.
		let deadline = |id| match status(id) {
			RequestStatus::Assigned { deadline, .. } => deadline,
			other => panic!("{other:?}"),
		};
		assert_eq!(deadline(ids[1]) + 1, deadline(ids[2]));
		assert_eq!(deadline(ids[3]) + 1, deadline(ids[4]));
	});
}

#[test]
fn scheduled_work_that_does_not_fit_waits_for_the_next_block() {
	new_test_ext().execute_with(|| {
		let ids: Vec<_> = (0..3).map(|_| submit(ALICE, 1, 0)).collect();
		next_block();
		let first: Vec<_> = ids.iter().map(|id| assignee(*id)).collect();
		let wake = Requests::<Test>::get(ids[0]).unwrap().wake.unwrap();
		run_to(wake - 1);
		// Room for two of the three missed deadlines in each block.
		let budget =
			<() as WeightInfo>::on_initialize_idle() + Inference::counters_weight() + worst_wake::<Test>() * 2;
		HookWeight::set(budget);
		next_block();
		let missed = |ev: &[Event<Test>]| {
			ev.iter().filter(|e| matches!(e, Event::DeadlineMissed { .. })).count()
		};
		assert_eq!(missed(&events()), 2);
		// The third waits in its list, which the cursor still points at.
		assert_eq!(WakeCursor::<Test>::get(), wake);
		assert_eq!(Schedule::<Test>::get(wake).into_inner(), vec![ids[2]]);
		assert_eq!(assignee(ids[2]), first[2]);
		assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()));
		next_block();
		assert_eq!(missed(&events()), 1);
		assert_ne!(assignee(ids[2]), first[2]);
		assert!(WakeCursor::<Test>::get() > wake);
		assert!(Schedule::<Test>::get(wake).is_empty());
		// Nothing is waiting for a draw meanwhile.
		assert_eq!(DrawCursor::<Test>::get(), NextRequestId::<Test>::get());
	});
}
