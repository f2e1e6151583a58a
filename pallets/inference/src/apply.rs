//! The calls' and the hook's work on storage and money: each function applies one transition of
//! [`crate::lifecycle`] and moves exactly the amounts it implies.

use alloc::vec::Vec;

use crate::traits::OnRequestEnd;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{Saturating, Zero};

use crate::{
	lifecycle::{self, FeeTerms, RefundReason, RequestStatus},
	registration,
	traits::ModelRevenue,
	types::*,
	*,
};

/// The most schedule lists (blocks) the hook visits in one block when it has fallen behind.
pub const MAX_LISTS_PER_BLOCK: u32 = 64;

/// The weight of each part of the hook's draws, from the benchmarks.
pub(crate) struct DrawCosts<T> {
	/// Once, if anything is drawn (the cursors, the deadline's schedule list).
	pub base: Weight,
	/// Per request assigned, visiting one operator.
	pub assigned: Weight,
	/// Per request refunded because nobody could take it, visiting one operator.
	pub refunded: Weight,
	/// Per operator visited beyond the first.
	pub probe: Weight,
	/// The most one request can cost.
	pub worst: Weight,
	_t: core::marker::PhantomData<T>,
}

impl<T: Config> DrawCosts<T> {
	pub(crate) fn get() -> Self {
		let base = T::WeightInfo::draws(0).max(T::WeightInfo::draws_refunded(0));
		let assigned = T::WeightInfo::draws(1).saturating_sub(T::WeightInfo::draws(0));
		let refunded = T::WeightInfo::draws_refunded(1)
			.saturating_sub(T::WeightInfo::draws_refunded(0))
			.saturating_add(T::OnEnd::end_weight());
		let probe = T::WeightInfo::probes(2).saturating_sub(T::WeightInfo::probes(1));
		let extra = probe.saturating_mul(T::MaxOperatorsPerModel::get().saturating_sub(1).into());
		let worst = assigned.max(refunded).saturating_add(extra);
		DrawCosts { base, assigned, refunded, probe, worst, _t: Default::default() }
	}
}

/// The most one scheduled item can cost the hook.
pub(crate) fn worst_wake<T: Config>() -> Weight {
	T::WeightInfo::wake_stale()
		.max(T::WeightInfo::wake_prune())
		.max(T::WeightInfo::wake_deadline().saturating_add(T::OnEnd::end_weight()))
		.max(T::WeightInfo::wake_finalize().saturating_add(end_extra::<T>()))
}

/// What finalizing a request costs beyond the benchmarks' `()` hooks: the model's revenue and whoever hears
/// of its end.
pub(crate) fn end_extra<T: Config>() -> Weight {
	T::Revenue::revenue_weight().saturating_add(T::OnEnd::end_weight())
}

/// The least [`Config::HookWeight`] that lets the hook make progress: an idle hook, one scheduled item and one
/// draw.
pub(crate) fn hook_floor<T: Config>() -> Weight {
	let d = DrawCosts::<T>::get();
	T::WeightInfo::on_initialize_idle()
		.saturating_add(Pallet::<T>::counters_weight())
		.saturating_add(worst_wake::<T>())
		.saturating_add(d.base)
		.saturating_add(d.worst)
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_model(
		owner: T::AccountId,
		name: Vec<u8>,
		root: Root,
		config: Vec<u8>,
		config_proof: Vec<Root>,
		max_new_limit: u32,
		fee_base: BalanceOf<T>,
		fee_per_token: BalanceOf<T>,
		revenue: T::AccountId,
	) -> Result<ModelId, DispatchError> {
		let name: BoundedVec<u8, T::MaxNameLen> = name.try_into().map_err(|_| Error::<T>::BadName)?;
		ensure!(!name.is_empty(), Error::<T>::BadName);
		let config: BoundedVec<u8, T::MaxConfigLen> =
			config.try_into().map_err(|_| Error::<T>::ConfigUndecodable)?;
		ensure!(!ModelByRoot::<T>::contains_key(root), Error::<T>::ModelAlreadyRegistered);
		let checked = registration::check_config(&root, &config, &config_proof, T::MaxStepProofLen::get()).map_err(Error::<T>::from)?;
		ensure!(
			max_new_limit >= 1 &&
				max_new_limit <= T::MaxOutputTokens::get() &&
				max_new_limit < checked.max_seq,
			Error::<T>::BadMaxNewLimit
		);
		let deposit = T::ModelDeposit::get();
		T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let id = NextModelId::<T>::get();
		NextModelId::<T>::put(id.saturating_add(1));
		Models::<T>::insert(
			id,
			ModelInfo {
				owner: owner.clone(),
				root,
				name,
				config,
				n_vocab: checked.n_vocab,
				max_seq: checked.max_seq,
				max_new_limit,
				fee_base,
				fee_per_token,
				revenue,
				deposit,
				state: ModelState::Active,
			},
		);
		ModelByRoot::<T>::insert(root, id);
		Self::deposit_event(Event::ModelRegistered { model: id, owner, root });
		Ok(id)
	}

	pub(crate) fn do_bond(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut op = Operators::<T>::get(who).unwrap_or(OperatorInfo {
			bond: Zero::zero(),
			state: OperatorState::Active,
			models: Default::default(),
			queue: Default::default(),
			open: 0,
		});
		ensure!(op.state == OperatorState::Active, Error::<T>::OperatorUnbonding);
		let total = op.bond.saturating_add(amount);
		ensure!(total >= T::MinOperatorBond::get(), Error::<T>::BondTooLow);
		T::Currency::hold(&HoldReason::OperatorBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		op.bond = total;
		Operators::<T>::insert(who, op);
		Self::deposit_event(Event::Bonded { operator: who.clone(), total });
		Ok(())
	}

	pub(crate) fn do_serve(who: &T::AccountId, model: ModelId) -> DispatchResult {
		let mut op = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		ensure!(op.state == OperatorState::Active, Error::<T>::OperatorUnbonding);
		ensure!(op.bond >= T::MinOperatorBond::get(), Error::<T>::BondTooLow);
		let m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(m.state == ModelState::Active, Error::<T>::ModelRetired);
		ensure!(!op.models.contains(&model), Error::<T>::AlreadyServing);
		op.models.try_push(model).map_err(|_| Error::<T>::TooManyModels)?;
		ModelOperators::<T>::try_mutate(model, |ops| ops.try_push(who.clone()))
			.map_err(|_| Error::<T>::TooManyOperators)?;
		Operators::<T>::insert(who, op);
		Self::deposit_event(Event::Serving { operator: who.clone(), model });
		Ok(())
	}

	/// The fee terms of a request for `max_new` tokens with `tip` on `model`, checked against the model.
	pub(crate) fn terms(
		m: &ModelOf<T>,
		max_new: u32,
		tip: BalanceOf<T>,
	) -> Result<FeeTerms<BalanceOf<T>>, Error<T>> {
		ensure!(m.state == ModelState::Active, Error::<T>::ModelRetired);
		ensure!(max_new >= 1, Error::<T>::ZeroMaxNew);
		ensure!(max_new <= m.max_new_limit, Error::<T>::MaxNewOverLimit);
		let terms = FeeTerms { base: m.fee_base, per_token: m.fee_per_token, tip, max_new };
		terms.max_fee().ok_or(Error::<T>::FeeOverflow)?;
		Ok(terms)
	}

	pub(crate) fn do_submit(
		who: T::AccountId,
		model: ModelId,
		prompt: Vec<u32>,
		max_new: u32,
		tip: BalanceOf<T>,
	) -> Result<RequestId, DispatchError> {
		let m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		let terms = Self::terms(&m, max_new, tip)?;
		ensure!(!prompt.is_empty(), Error::<T>::EmptyPrompt);
		let prompt: BoundedVec<u32, T::MaxPromptTokens> =
			prompt.try_into().map_err(|_| Error::<T>::PromptTooLong)?;
		ensure!(
			prompt.len() as u64 + max_new as u64 <= m.max_seq as u64,
			Error::<T>::PromptTooLong
		);
		ensure!(prompt.iter().all(|t| *t < m.n_vocab), Error::<T>::BadToken);
		ensure!(ModelOperators::<T>::get(model).iter().any(|o| o != &who), Error::<T>::NoOperator);
		let held = terms.max_fee().ok_or(Error::<T>::FeeOverflow)?;
		let id = NextRequestId::<T>::get();
		ensure!(id.saturating_sub(DrawCursor::<T>::get()) < T::MaxQueued::get() as u64, Error::<T>::QueueFull);
		T::Currency::hold(&HoldReason::RequestFee.into(), &who, held)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		NextRequestId::<T>::put(id.saturating_add(1));
		Requests::<T>::insert(
			id,
			RequestInfo {
				requester: who.clone(),
				model,
				prompt,
				terms,
				held,
				submitted_at: frame_system::Pallet::<T>::block_number(),
				status: RequestStatus::Queued,
				failed: Default::default(),
				wake: None,
			},
		);
		Self::deposit_event(Event::RequestSubmitted { request: id, requester: who, model, max_fee: held });
		Ok(id)
	}

	pub(crate) fn do_cancel(who: &T::AccountId, id: RequestId) -> DispatchResult {
		let mut r = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
		ensure!(&r.requester == who, Error::<T>::NotRequester);
		let now = frame_system::Pallet::<T>::block_number();
		let next = lifecycle::cancel(&r.status, now).map_err(Error::<T>::from)?;
		// A queued request is skipped by the draw once cancelled.
		if let RequestStatus::Assigned { operator, .. } = &r.status {
			Self::drop_assignment(id, operator);
		}
		Self::unschedule(id, &mut r);
		let refunded = Self::refund_all(&r)?;
		r.status = next;
		Self::schedule_prune(id, &mut r, now);
		Requests::<T>::insert(id, r);
		Self::deposit_event(Event::RequestCancelled { request: id, refunded });
		T::OnEnd::on_refunded(id);
		Ok(())
	}

	pub(crate) fn do_propose(
		who: &T::AccountId,
		id: RequestId,
		output: Vec<u32>,
		final_root: Root,
		steps: u32,
	) -> DispatchResult {
		let mut r = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
		let now = frame_system::Pallet::<T>::block_number();
		let window_end = now.saturating_add(LifecycleParams::<T>::get().challenge_window);
		let next = lifecycle::propose(&r.status, who, now, window_end).map_err(Error::<T>::from)?;
		ensure!(!output.is_empty(), Error::<T>::EmptyOutput);
		ensure!(output.len() as u64 <= r.terms.max_new as u64, Error::<T>::OutputTooLong);
		let output: BoundedVec<u32, T::MaxOutputTokens> =
			output.try_into().map_err(|_| Error::<T>::OutputTooLong)?;
		let n_vocab = Models::<T>::get(r.model).map(|m| m.n_vocab).unwrap_or(0);
		ensure!(output.iter().all(|t| *t < n_vocab), Error::<T>::BadToken);
		let bond = T::ResultBond::get();
		T::Currency::hold(&HoldReason::ResultBond.into(), who, bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Self::unschedule(id, &mut r);
		let window_end = Self::schedule(id, &mut r, window_end)?;
		let next = match next {
			RequestStatus::Proposed { operator, .. } => RequestStatus::Proposed { operator, window_end },
			other => other,
		};
		// Answered: out of the queue the worker runs, still open until the request ends.
		Self::update_operator(who, |op| op.queue.retain(|x| *x != id));
		let output_tokens = output.len() as u32;
		Results::<T>::insert(
			id,
			ResultInfo {
				operator: who.clone(),
				output,
				final_root,
				steps,
				proposed_at: now,
				bond,
				fee_paid: Zero::zero(),
			},
		);
		r.status = next;
		Requests::<T>::insert(id, r);
		Self::deposit_event(Event::ResultProposed {
			request: id,
			operator: who.clone(),
			output_tokens,
			final_root,
			steps,
			window_end,
		});
		Ok(())
	}

	/// Returns everything held for `r` to its requester.
	pub(crate) fn refund_all(r: &RequestOf<T>) -> Result<BalanceOf<T>, DispatchError> {
		T::Currency::release(&HoldReason::RequestFee.into(), &r.requester, r.held, Precision::Exact)
	}

	/// Removes request `id` from `operator`'s queue and open count (the assignment ended without a result).
	pub(crate) fn drop_assignment(id: RequestId, operator: &T::AccountId) {
		Self::update_operator(operator, |op| {
			op.queue.retain(|x| *x != id);
			op.open = op.open.saturating_sub(1);
		});
	}

	/// One of `operator`'s open requests ended.
	pub(crate) fn close_work(operator: &T::AccountId) {
		Self::update_operator(operator, |op| op.open = op.open.saturating_sub(1));
	}

	/// Changes `operator`'s record, if it has one.
	fn update_operator(operator: &T::AccountId, f: impl FnOnce(&mut OperatorOf<T>)) {
		Operators::<T>::mutate(operator, |op| {
			if let Some(op) = op {
				f(op);
			}
		});
	}

	/// Pays `amount` held for the request of `requester` to the first of `payees` that can receive it, or
	/// back to the requester if none can (an account that does not exist can not receive less than the
	/// existential deposit). Returns who got it.
	pub(crate) fn pay_held(
		requester: &T::AccountId,
		payees: &[&T::AccountId],
		amount: BalanceOf<T>,
	) -> Result<T::AccountId, DispatchError> {
		if amount.is_zero() {
			return Ok(payees.first().map(|p| (*p).clone()).unwrap_or_else(|| requester.clone()));
		}
		for payee in payees {
			if T::Currency::transfer_on_hold(
				&HoldReason::RequestFee.into(),
				requester,
				payee,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)
			.is_ok()
			{
				return Ok((*payee).clone());
			}
		}
		T::Currency::release(&HoldReason::RequestFee.into(), requester, amount, Precision::Exact)?;
		Ok(requester.clone())
	}

	/// Takes up to `amount` of `operator`'s bond, to `beneficiary` or burned; returns what was taken.
	pub(crate) fn do_slash(
		operator: &T::AccountId,
		amount: BalanceOf<T>,
		beneficiary: Option<&T::AccountId>,
	) -> BalanceOf<T> {
		let Some(mut op) = Operators::<T>::get(operator) else { return Zero::zero() };
		let want = amount.min(op.bond);
		if want.is_zero() {
			return want;
		}
		let reason = HoldReason::OperatorBond.into();
		let taken = match beneficiary {
			Some(b) => T::Currency::transfer_on_hold(
				&reason,
				operator,
				b,
				want,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
			.or_else(|_| T::Currency::burn_held(&reason, operator, want, Precision::BestEffort, Fortitude::Force)),
			None => T::Currency::burn_held(&reason, operator, want, Precision::BestEffort, Fortitude::Force),
		}
		.unwrap_or_else(|_| Zero::zero());
		op.bond = op.bond.saturating_sub(taken);
		Operators::<T>::insert(operator, op);
		Self::deposit_event(Event::OperatorSlashed {
			operator: operator.clone(),
			amount: taken,
			beneficiary: beneficiary.cloned(),
		});
		taken
	}

	/// Whether `who` can be drawn for a request of `requester` that `failed` already failed.
	pub(crate) fn eligible(who: &T::AccountId, requester: &T::AccountId, failed: &[T::AccountId]) -> bool {
		if who == requester || failed.contains(who) {
			return false;
		}
		let Some(op) = Operators::<T>::get(who) else { return false };
		op.state == OperatorState::Active &&
			op.bond >= T::MinOperatorBond::get() &&
			(op.queue.len() as u32) < T::MaxQueuePerOperator::get()
	}

	/// Draws an operator for queued request `r` (id `id`) at `now` with `seed`, and schedules its deadline.
	/// Refunds the request if nobody can take it. Returns whether an operator was assigned, and how many
	/// operators' records the draw read.
	pub(crate) fn assign_or_refund(
		id: RequestId,
		r: &mut RequestOf<T>,
		now: BlockNumberFor<T>,
		seed: &[u8; 32],
	) -> (bool, u32) {
		let ops = ModelOperators::<T>::get(r.model);
		let requester = r.requester.clone();
		let failed = r.failed.clone();
		let mut probes = 0u32;
		let picked = lifecycle::pick(&ops, Self::draw_value(id, seed), |o| {
			probes = probes.saturating_add(1);
			Self::eligible(o, &requester, &failed)
		});
		(Self::assign_picked(id, r, now, picked.and_then(|i| ops.get(i).cloned())), probes)
	}

	/// Assigns `r` to `picked` and schedules its deadline, or refunds it if nobody was picked.
	fn assign_picked(id: RequestId, r: &mut RequestOf<T>, now: BlockNumberFor<T>, picked: Option<T::AccountId>) -> bool {
		let reason = if r.failed.is_empty() { RefundReason::NoOperator } else { RefundReason::DeadlineMissed };
		let Some(operator) = picked else {
			Self::end_with_refund(id, r, now, reason);
			return false;
		};
		let deadline = now.saturating_add(LifecycleParams::<T>::get().propose_timeout);
		// The hook wakes the request the block after its deadline.
		let Ok(wake) = Self::schedule(id, r, deadline.saturating_add(1u32.into())) else {
			Self::end_with_refund(id, r, now, RefundReason::NoOperator);
			return false;
		};
		let deadline = wake.saturating_sub(1u32.into());
		match lifecycle::assign(&r.status, operator.clone(), deadline) {
			Ok(next) => r.status = next,
			Err(_) => {
				Self::unschedule(id, r);
				return false;
			},
		}
		let taken = Operators::<T>::try_mutate(&operator, |op| -> Result<(), ()> {
			let op = op.as_mut().ok_or(())?;
			op.queue.try_push(id).map_err(|_| ())?;
			op.open = op.open.saturating_add(1);
			Ok(())
		});
		if taken.is_err() {
			// `eligible` checked there is room; keep the books straight anyway.
			Self::unschedule(id, r);
			r.status = RequestStatus::Queued;
			Self::end_with_refund(id, r, now, reason);
			return false;
		}
		Self::deposit_event(Event::RequestAssigned { request: id, operator, deadline });
		true
	}

	/// Ends `r` with a full refund and schedules its pruning.
	pub(crate) fn end_with_refund(id: RequestId, r: &mut RequestOf<T>, now: BlockNumberFor<T>, reason: RefundReason) {
		let refunded = Self::refund_all(r).unwrap_or_else(|e| {
			log::error!(target: "runtime::inference", "refund of request {id} failed: {e:?}");
			Zero::zero()
		});
		r.status = lifecycle::refund(now, reason);
		Self::schedule_prune(id, r, now);
		Self::deposit_event(Event::RequestRefunded { request: id, refunded, reason });
		T::OnEnd::on_refunded(id);
	}

	/// Pays out a final result: the fee for its output length split between operator, model and protocol;
	/// the rest back to the requester; the result bond back to the operator.
	pub(crate) fn finalize(id: RequestId, r: &mut RequestOf<T>, operator: &T::AccountId, now: BlockNumberFor<T>) {
		let Some(mut res) = Results::<T>::get(id) else {
			log::error!(target: "runtime::inference", "request {id} finalizes without a result");
			return;
		};
		let fee = r.terms.fee_for(res.output.len() as u32).unwrap_or(r.held).min(r.held);
		let refund = r.held.saturating_sub(fee);
		let tip = r.terms.tip.min(fee);
		let parts = lifecycle::split(fee.saturating_sub(tip), T::OperatorShare::get(), T::ProtocolShare::get());
		let protocol = T::ProtocolAccount::get();
		let (model_payee, model_id) = match Models::<T>::get(r.model) {
			Some(m) => (T::Revenue::payee(r.model, &m.revenue), r.model),
			None => (protocol.clone(), r.model),
		};
		let pay = |to: &[&T::AccountId], amount: BalanceOf<T>| -> Option<T::AccountId> {
			Self::pay_held(&r.requester, to, amount)
				.map_err(|e| log::error!(target: "runtime::inference", "payment for request {id} failed: {e:?}"))
				.ok()
		};
		pay(&[operator, &protocol], parts.operator.saturating_add(tip));
		if pay(&[&model_payee, &protocol], parts.model).as_ref() == Some(&model_payee) {
			T::Revenue::on_revenue(model_id, parts.model);
		}
		pay(&[&protocol], parts.protocol);
		if let Err(e) = T::Currency::release(&HoldReason::RequestFee.into(), &r.requester, refund, Precision::Exact) {
			log::error!(target: "runtime::inference", "refund of request {id} failed: {e:?}");
		}
		if let Err(e) = T::Currency::release(&HoldReason::ResultBond.into(), operator, res.bond, Precision::BestEffort) {
			log::error!(target: "runtime::inference", "result bond of request {id} not released: {e:?}");
		}
		Self::close_work(operator);
		res.fee_paid = fee;
		T::OnEnd::on_finalized(id, r.model, &res.output, res.final_root, fee);
		Results::<T>::insert(id, res);
		r.status = RequestStatus::Finalized { at: now };
		Self::schedule_prune(id, r, now);
		Self::deposit_event(Event::RequestFinalized {
			request: id,
			operator: operator.clone(),
			fee,
			to_operator: parts.operator.saturating_add(tip),
			to_model: parts.model,
			to_protocol: parts.protocol,
			refunded: refund,
		});
	}

	/// The hook's work for block `now`, within [`Config::HookWeight`]: first the scheduled requests of the blocks
	/// from [`WakeCursor`] to `now`, then operator draws for the waiting requests from [`DrawCursor`]. Each item
	/// is done only if its worst case still fits; what is left waits for the next block, in the same order.
	pub(crate) fn process_block(now: BlockNumberFor<T>) -> Weight {
		let budget = T::HookWeight::get();
		let mut used = T::WeightInfo::on_initialize_idle().saturating_add(Self::counters_weight());
		let fits = |used: Weight, next: Weight| used.saturating_add(next).all_lte(budget);
		let seed = Self::draw_seed();

		let wake_max = worst_wake::<T>();
		let list_cost = T::DbWeight::get().reads_writes(1, 1);
		let mut block = WakeCursor::<T>::get();
		let mut lists = 0u32;
		'blocks: while block <= now && lists < MAX_LISTS_PER_BLOCK {
			if lists > 0 {
				if !fits(used, list_cost.saturating_add(wake_max)) {
					break;
				}
				used = used.saturating_add(list_cost);
			}
			lists = lists.saturating_add(1);
			let list = Schedule::<T>::take(block);
			for (i, id) in list.iter().enumerate() {
				if !fits(used, wake_max) {
					let rest: BoundedVec<RequestId, T::MaxScheduledPerBlock> =
						BoundedVec::truncate_from(list[i..].to_vec());
					Schedule::<T>::insert(block, rest);
					used = used.saturating_add(T::DbWeight::get().writes(1));
					break 'blocks;
				}
				used = used.saturating_add(Self::wake(*id, block, now, &seed));
			}
			block = block.saturating_add(1u32.into());
		}
		WakeCursor::<T>::put(block);

		let costs = DrawCosts::<T>::get();
		let end = NextRequestId::<T>::get();
		let mut next = DrawCursor::<T>::get();
		if next < end && fits(used, costs.base.saturating_add(costs.worst)) {
			used = used.saturating_add(costs.base);
			while next < end && fits(used, costs.worst) {
				used = used.saturating_add(Self::draw(next, now, &seed, &costs));
				next = next.saturating_add(1);
			}
			DrawCursor::<T>::put(next);
		}
		used
	}

	/// The request counters' database cost in one block, charged by its hook: [`NextRequestId`] and
	/// [`DrawCursor`] are read by the hook and written at most once each to the database (by the block's
	/// submissions and by the hook's draws), whatever the number of requests. The benchmarks whitelist both.
	pub(crate) fn counters_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 2)
	}

	/// Draws an operator for waiting request `id` (skipped if it was cancelled); returns the weight charged.
	fn draw(id: RequestId, now: BlockNumberFor<T>, seed: &[u8; 32], costs: &DrawCosts<T>) -> Weight {
		let Some(mut r) = Requests::<T>::get(id) else { return T::WeightInfo::wake_stale() };
		if r.status != RequestStatus::Queued {
			return T::WeightInfo::wake_stale();
		}
		let (assigned, probes) = Self::assign_or_refund(id, &mut r, now, seed);
		Requests::<T>::insert(id, r);
		let one = if assigned { costs.assigned } else { costs.refunded };
		one.saturating_add(costs.probe.saturating_mul(probes.saturating_sub(1).into()))
	}

	/// The hook looks at request `id`, taken from the schedule of block `block`, at `now`: a missed deadline, an
	/// ended window, or the end of its retention.
	fn wake(id: RequestId, block: BlockNumberFor<T>, now: BlockNumberFor<T>, seed: &[u8; 32]) -> Weight {
		let Some(mut r) = Requests::<T>::get(id) else { return T::WeightInfo::wake_stale() };
		if r.wake != Some(block) {
			return T::WeightInfo::wake_stale();
		}
		r.wake = None;
		if r.status.is_terminal() {
			Requests::<T>::remove(id);
			Results::<T>::remove(id);
			Self::deposit_event(Event::RequestPruned { request: id });
			return T::WeightInfo::wake_prune();
		}
		if let lifecycle::DeadlineOutcome::Missed { operator } = lifecycle::deadline_passed(&r.status, now) {
			Self::drop_assignment(id, &operator);
			let penalty = Self::do_slash(&operator, T::MissPenalty::get(), Some(&r.requester));
			Self::deposit_event(Event::DeadlineMissed { request: id, operator: operator.clone(), penalty });
			let can_retry = r.failed.try_push(operator).is_ok() &&
				(r.failed.len() as u32) < T::MaxAttempts::get();
			match lifecycle::requeue(&r.status) {
				Ok(q) if can_retry => {
					r.status = q;
					let _ = Self::assign_or_refund(id, &mut r, now, seed);
				},
				_ => Self::end_with_refund(id, &mut r, now, RefundReason::DeadlineMissed),
			}
			Requests::<T>::insert(id, r);
			return T::WeightInfo::wake_deadline().saturating_add(T::OnEnd::end_weight());
		}
		match lifecycle::window_passed(&r.status, now) {
			lifecycle::WindowOutcome::Finalize { operator } => {
				Self::finalize(id, &mut r, &operator, now);
			},
			// A dispute holds the result; the game's end finalizes or rejects it.
			lifecycle::WindowOutcome::Wait | lifecycle::WindowOutcome::Stale => {},
		}
		Requests::<T>::insert(id, r);
		T::WeightInfo::wake_finalize().saturating_add(end_extra::<T>())
	}

	/// The seed of this block's operator draws: the hash of the previous block, which includes the requests
	/// drawn for and which nobody knew when they were signed.
	pub(crate) fn draw_seed() -> [u8; 32] {
		let h = frame_system::Pallet::<T>::parent_hash();
		let mut s = [0u8; 32];
		let b = h.as_ref();
		let n = b.len().min(32);
		s[..n].copy_from_slice(&b[..n]);
		s
	}

	/// The draw for request `id` with `seed`: `blake2_256(seed ‖ id)`, its first 8 bytes as a number.
	pub(crate) fn draw_value(id: RequestId, seed: &[u8; 32]) -> u64 {
		let mut draw = [0u8; 40];
		draw[..32].copy_from_slice(seed);
		draw[32..].copy_from_slice(&id.to_le_bytes());
		let h = sp_io::hashing::blake2_256(&draw);
		u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
	}

	/// Where the draw for request `id` starts in a list of `n` operators.
	#[cfg(feature = "runtime-benchmarks")]
	pub(crate) fn draw_start(id: RequestId, n: usize, seed: &[u8; 32]) -> usize {
		(Self::draw_value(id, seed) % n.max(1) as u64) as usize
	}

	/// Schedules the pruning of ended request `r` after the retention period.
	pub(crate) fn schedule_prune(id: RequestId, r: &mut RequestOf<T>, now: BlockNumberFor<T>) {
		let at = now.saturating_add(LifecycleParams::<T>::get().retention);
		if Self::schedule(id, r, at).is_err() {
			// Every block in reach is full: the request stays until it can be pruned by a later one.
			log::warn!(target: "runtime::inference", "request {id} could not be scheduled for pruning");
		}
	}

	/// Every hold matches what storage says is held, and every index agrees with the records.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		crate::view::check_holds::<T>()
	}
}
