//! Reading the oracle (what the runtime API returns) and checking its books (`try_state`).

use alloc::vec::Vec;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
use alloc::collections::btree_map::BTreeMap;
use sibyl_inference_primitives::{ModelView, Quote, QuoteError, RequestView, ResultView};

use crate::{
	lifecycle::RequestStatus,
	types::{ModelId, ModelState, RequestId, Root},
	BalanceOf, Config, ModelByRoot, ModelOperators, Models, Operators, Pallet, Requests, Results,
};
#[cfg(any(feature = "try-runtime", feature = "std", test))]
use crate::{DrawCursor, HoldReason, NextRequestId, Schedule, WakeCursor};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// Exactly what a request for `max_new` tokens with `tip` on `model` holds.
	pub fn quote(model: ModelId, max_new: u32, tip: BalanceOf<T>) -> Result<Quote<BalanceOf<T>>, QuoteError> {
		let m = Models::<T>::get(model).ok_or(QuoteError::UnknownModel)?;
		if m.state != ModelState::Active {
			return Err(QuoteError::ModelRetired);
		}
		if max_new == 0 || max_new > m.max_new_limit {
			return Err(QuoteError::BadMaxNew);
		}
		let terms = crate::lifecycle::FeeTerms { base: m.fee_base, per_token: m.fee_per_token, tip, max_new };
		let total = terms.max_fee().ok_or(QuoteError::Overflow)?;
		let base_and_tip = terms.fee_for(0).ok_or(QuoteError::Overflow)?;
		Ok(Quote { base: m.fee_base, tokens: total - base_and_tip, tip, total })
	}

	/// A request as clients see it.
	pub fn request_view(id: RequestId) -> Option<RequestView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let r = Requests::<T>::get(id)?;
		Some(RequestView {
			requester: r.requester,
			model: r.model,
			prompt: r.prompt.into_inner(),
			max_new: r.terms.max_new,
			max_fee: r.held,
			submitted_at: r.submitted_at,
			status: r.status,
		})
	}

	/// The result of a request in any state; `only_final` keeps it hidden until the request is finalized.
	pub fn result_view(
		id: RequestId,
		only_final: bool,
	) -> Option<ResultView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		if only_final && !matches!(Requests::<T>::get(id)?.status, RequestStatus::Finalized { .. }) {
			return None;
		}
		let res = Results::<T>::get(id)?;
		Some(ResultView {
			operator: res.operator,
			output: res.output.into_inner(),
			final_root: res.final_root,
			steps: res.steps,
			proposed_at: res.proposed_at,
			fee_paid: res.fee_paid,
		})
	}

	/// The requests waiting for `operator`'s proposal, oldest first.
	pub fn operator_queue(operator: &T::AccountId) -> Vec<RequestId> {
		Operators::<T>::get(operator).map(|op| op.queue.into_inner()).unwrap_or_default()
	}

	/// A registered model as clients see it.
	pub fn model_view(id: ModelId) -> Option<ModelView<T::AccountId, BalanceOf<T>>> {
		let m = Models::<T>::get(id)?;
		Some(ModelView {
			name: m.name.into_inner(),
			root: m.root,
			owner: m.owner,
			n_vocab: m.n_vocab,
			max_seq: m.max_seq,
			max_new_limit: m.max_new_limit,
			fee_base: m.fee_base,
			fee_per_token: m.fee_per_token,
			active: m.state == ModelState::Active,
			operators: ModelOperators::<T>::decode_len(id).unwrap_or(0) as u32,
		})
	}

	/// The model registered under `root`.
	pub fn model_by_root(root: &Root) -> Option<ModelId> {
		ModelByRoot::<T>::get(root)
	}
}

#[cfg(any(feature = "try-runtime", feature = "std", test))]
type Books<T> = BTreeMap<<T as frame_system::Config>::AccountId, [BalanceOf<T>; 4]>;

/// Every hold of every account the pallet knows equals what its storage says is held, reason by reason, and the
/// indices (queue, schedule, operator queues, model operators, open counts) agree with the records.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
pub fn check_holds<T: Config>() -> Result<(), sp_runtime::TryRuntimeError> {
	use frame_support::traits::fungible::InspectHold;
	use sp_runtime::traits::Zero;
	let mut books: Books<T> = BTreeMap::new();
	let mut add = |who: &T::AccountId, slot: usize, amount: BalanceOf<T>| {
		let e = books.entry(who.clone()).or_insert([Zero::zero(); 4]);
		e[slot] += amount;
	};
	for (id, m) in Models::<T>::iter() {
		add(&m.owner, 0, m.deposit);
		ensure(ModelByRoot::<T>::get(m.root) == Some(id), "model index disagrees")?;
		ensure(m.state == ModelState::Active || m.deposit.is_zero(), "retired model still holds a deposit")?;
	}
	let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
	for (who, op) in Operators::<T>::iter() {
		add(&who, 1, op.bond);
		open.insert(who.clone(), 0);
		for m in op.models.iter() {
			ensure(ModelOperators::<T>::get(m).contains(&who), "operator serves a model that does not list it")?;
		}
	}
	for (m, ops) in ModelOperators::<T>::iter() {
		for o in ops.iter() {
			let serves = Operators::<T>::get(o).map(|op| op.models.contains(&m)).unwrap_or(false);
			ensure(serves, "model lists an operator that does not serve it")?;
		}
	}
	let (draw_from, next_id) = (DrawCursor::<T>::get(), NextRequestId::<T>::get());
	ensure(draw_from <= next_id, "the draw cursor is past the last request")?;
	let max_queued = <T::MaxQueued as frame_support::traits::Get<u32>>::get() as u64;
	ensure(next_id - draw_from <= max_queued, "more requests wait for a draw than MaxQueued")?;
	let mut queues: BTreeMap<T::AccountId, Vec<RequestId>> = BTreeMap::new();
	for (id, r) in Requests::<T>::iter() {
		if !r.status.is_terminal() {
			add(&r.requester, 2, r.held);
			ensure(
				r.terms.max_fee() == Some(r.held),
				"a request holds other than its maximum fee",
			)?;
		}
		if let Some(b) = r.wake {
			ensure(Schedule::<T>::get(b).contains(&id), "request not in the schedule of its wake block")?;
		}
		match &r.status {
			RequestStatus::Queued => ensure(id >= draw_from, "a waiting request is behind the draw cursor")?,
			RequestStatus::Assigned { operator, .. } => {
				queues.entry(operator.clone()).or_default().push(id);
				*open.entry(operator.clone()).or_insert(0) += 1;
			},
			RequestStatus::Proposed { operator, .. } | RequestStatus::Disputed { operator, .. } => {
				let res = Results::<T>::get(id).ok_or("proposed request without a result")?;
				ensure(&res.operator == operator, "result by another than the proposer")?;
				add(operator, 3, res.bond);
				*open.entry(operator.clone()).or_insert(0) += 1;
			},
			_ => {},
		}
	}
	for (who, n) in open.iter() {
		let recorded = Operators::<T>::get(who).map(|op| op.open).unwrap_or(0);
		ensure(recorded == *n, "operator's open count disagrees with its requests")?;
	}
	for (who, op) in Operators::<T>::iter() {
		let mut queue = op.queue.into_inner();
		queue.sort();
		let mut assigned = queues.remove(&who).unwrap_or_default();
		assigned.sort();
		ensure(queue == assigned, "an operator's queue differs from the requests assigned to it")?;
	}
	ensure(queues.is_empty(), "a request is assigned to an account that is not an operator")?;
	let wake_from = WakeCursor::<T>::get();
	for (block, list) in Schedule::<T>::iter() {
		ensure(block >= wake_from, "a schedule list behind the wake cursor")?;
		for id in list.iter() {
			let wakes = Requests::<T>::get(id).map(|r| r.wake == Some(block)).unwrap_or(false);
			ensure(wakes, "schedule holds a request that does not wake then")?;
		}
	}
	let reasons = [HoldReason::ModelDeposit, HoldReason::OperatorBond, HoldReason::RequestFee, HoldReason::ResultBond];
	for (who, expected) in books.iter() {
		for (slot, reason) in reasons.iter().enumerate() {
			let held = T::Currency::balance_on_hold(&(*reason).into(), who);
			ensure(held == expected[slot], "a hold differs from what storage says is held")?;
		}
	}
	Ok(())
}

#[cfg(any(feature = "try-runtime", feature = "std", test))]
fn ensure(cond: bool, msg: &'static str) -> Result<(), sp_runtime::TryRuntimeError> {
	if cond {
		Ok(())
	} else {
		Err(msg.into())
	}
}
