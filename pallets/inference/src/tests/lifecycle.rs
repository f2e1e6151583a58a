//! The lifecycle's plain functions: transitions, fees, split and the operator draw.

use sp_runtime::Perbill;

use crate::lifecycle::*;

type S = RequestStatus<u64, u64>;

#[test]
fn fees_are_base_plus_tokens_plus_tip() {
	let t = FeeTerms { base: 100u64, per_token: 10, tip: 5, max_new: 8 };
	assert_eq!(t.max_fee(), Some(185));
	assert_eq!(t.fee_for(3), Some(135));
	assert_eq!(t.fee_for(0), Some(105));
	let huge = FeeTerms { base: 1u64, per_token: u64::MAX / 2, tip: 0, max_new: 3 };
	assert_eq!(huge.max_fee(), None);
}

#[test]
fn split_adds_up_to_the_fee() {
	for fee in [0u64, 1, 7, 99, 100, 12_345, u64::MAX] {
		let s = split(fee, Perbill::from_percent(50), Perbill::from_percent(10));
		assert_eq!(s.operator + s.protocol + s.model, fee, "fee {fee}");
		assert_eq!(s.operator, Perbill::from_percent(50).mul_floor(fee));
	}
	let s = split(1000u64, Perbill::from_percent(50), Perbill::from_percent(10));
	assert_eq!((s.operator, s.protocol, s.model), (500, 100, 400));
	// Shares over the whole: the protocol's is cut.
	let s = split(1000u64, Perbill::from_percent(80), Perbill::from_percent(30));
	assert_eq!((s.operator, s.protocol, s.model), (800, 200, 0));
}

#[test]
fn cancel_only_before_a_result() {
	assert_eq!(cancel(&S::Queued, 5), Ok(S::Cancelled { at: 5 }));
	assert_eq!(cancel(&S::Assigned { operator: 1, deadline: 9 }, 5), Ok(S::Cancelled { at: 5 }));
	for s in [
		S::Proposed { operator: 1, window_end: 9 },
		S::Disputed { operator: 1, games: 1, window_end: 9 },
		S::Finalized { at: 3 },
		S::Cancelled { at: 3 },
		S::Refunded { at: 3, reason: RefundReason::NoOperator },
	] {
		assert_eq!(cancel(&s, 5), Err(TransitionError::TooLateToCancel), "{s:?}");
	}
}

#[test]
fn only_the_assignee_proposes_once_by_its_deadline() {
	let a = S::Assigned { operator: 1, deadline: 9 };
	assert_eq!(propose(&a, &1, 9, 13), Ok(S::Proposed { operator: 1, window_end: 13 }));
	assert_eq!(propose(&a, &2, 5, 13), Err(TransitionError::NotAssignee));
	assert_eq!(propose(&a, &1, 10, 14), Err(TransitionError::DeadlinePassed));
	assert_eq!(propose(&S::Proposed { operator: 1, window_end: 13 }, &1, 5, 13), Err(TransitionError::AlreadyProposed));
	assert_eq!(propose(&S::Finalized { at: 3 }, &1, 5, 13), Err(TransitionError::AlreadyProposed));
	assert_eq!(propose(&S::Queued, &1, 5, 13), Err(TransitionError::NotAwaitingResult));
	assert_eq!(propose(&S::Cancelled { at: 1 }, &1, 5, 13), Err(TransitionError::NotAwaitingResult));
}

#[test]
fn deadline_and_window() {
	let a = S::Assigned { operator: 1, deadline: 9 };
	assert_eq!(deadline_passed(&a, 9), DeadlineOutcome::Stale);
	assert_eq!(deadline_passed(&a, 10), DeadlineOutcome::Missed { operator: 1 });
	let p = S::Proposed { operator: 1, window_end: 13 };
	assert_eq!(window_passed(&p, 12), WindowOutcome::Stale);
	assert_eq!(window_passed(&p, 13), WindowOutcome::Finalize { operator: 1 });
	assert_eq!(window_passed(&S::Disputed { operator: 1, games: 2, window_end: 13 }, 13), WindowOutcome::Wait);
	assert_eq!(requeue(&a), Ok(S::Queued));
	assert_eq!(assign(&S::Queued, 4, 7), Ok(S::Assigned { operator: 4, deadline: 7 }));
	assert_eq!(assign(&a, 4, 7), Err(TransitionError::NotQueued));
}

#[test]
fn disputes_hold_the_result_until_every_game_ends() {
	let p = S::Proposed { operator: 1, window_end: 13 };
	let d1 = open_dispute(&p, 12).unwrap();
	assert_eq!(d1, S::Disputed { operator: 1, games: 1, window_end: 13 });
	assert_eq!(open_dispute(&p, 13), Err(TransitionError::NotChallengeable));
	let d2 = open_dispute(&d1, 12).unwrap();
	assert_eq!(uphold(&d2, 12), Ok(UpholdOutcome::StillDisputed(d1.clone())));
	assert_eq!(uphold(&d1, 12), Ok(UpholdOutcome::BackInWindow(p.clone())));
	assert_eq!(uphold(&d1, 13), Ok(UpholdOutcome::Finalize { operator: 1 }));
	assert_eq!(uphold(&p, 12), Err(TransitionError::NotDisputed));
	assert_eq!(reject(&d2), Ok((1, S::Queued)));
	assert_eq!(reject(&p), Err(TransitionError::NotDisputed));
}

#[test]
fn pick_cycles_from_the_seed_and_skips_the_ineligible() {
	let ops = [10u64, 11, 12, 13];
	assert_eq!(pick(&ops, 6, |_| true), Some(2));
	assert_eq!(pick(&ops, 6, |o| *o != 12), Some(3));
	assert_eq!(pick(&ops, 7, |o| *o == 10), Some(0));
	assert_eq!(pick(&ops, 7, |_| false), None);
	assert_eq!(pick::<u64>(&[], 7, |_| true), None);
	// Every operator is drawn for some seed: the draw spreads over the list.
	let mut seen = [false; 4];
	for seed in 0..16 {
		seen[pick(&ops, seed, |_| true).unwrap()] = true;
	}
	assert_eq!(seen, [true; 4]);
}
