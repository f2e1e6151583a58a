//! Tests by concern: the plain lifecycle functions, then each part of the pallet, then random sequences.

mod disputes;
mod hooks;
mod lifecycle;
mod models;
mod offchain;
mod operators;
mod properties;
mod requests;
mod results;

use crate::{lifecycle::RequestStatus, mock::*, types::RequestId, Requests};
use frame_support::assert_ok;

/// `who` registers the tiny model made with `seed` (limit 4 tokens, fees 1 + 1 per token, revenue to REVENUE).
pub fn register_tiny(who: AccountId, seed: u64) -> frame_support::dispatch::DispatchResult {
	let (root, config, proof) = tiny_registration(seed);
	Inference::register_model(RuntimeOrigin::signed(who), b"m".to_vec(), root, config, proof, 4, 1, 1, REVENUE)
}

/// Alice asks the tiny model for `max_new` tokens after a 4-token prompt with `tip`; returns the id.
pub fn submit(who: AccountId, max_new: u32, tip: Balance) -> RequestId {
	let id = crate::NextRequestId::<Test>::get();
	assert_ok!(Inference::submit(RuntimeOrigin::signed(who), 0, prompt(4), max_new, tip));
	id
}

/// The operator request `id` is assigned to.
pub fn assignee(id: RequestId) -> AccountId {
	match Requests::<Test>::get(id).expect("request exists").status {
		RequestStatus::Assigned { operator, .. } => operator,
		s => panic!("request {id} is not assigned: {s:?}"),
	}
}

/// The status of request `id`.
pub fn status(id: RequestId) -> RequestStatus<AccountId, u64> {
	Requests::<Test>::get(id).expect("request exists").status
}

/// Submits and moves to the next block, where an operator is drawn; returns the id and the operator.
pub fn submit_assigned(who: AccountId, max_new: u32, tip: Balance) -> (RequestId, AccountId) {
	let id = submit(who, max_new, tip);
	next_block();
	(id, assignee(id))
}

/// The assignee of `id` proposes `n` output tokens.
pub fn propose_n(id: RequestId, n: u32) -> AccountId {
	let op = assignee(id);
	assert_ok!(Inference::propose(RuntimeOrigin::signed(op), id, prompt(n), [7u8; 32], 1234));
	op
}
