//! [`ResultDisputes`] for the pallet: the dispute game's way in.

use frame_support::{pallet_prelude::*, traits::{fungible::MutateHold, tokens::{Fortitude, Precision, Restriction}}};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchResult};

use crate::{
	lifecycle::{self, RequestStatus, UpholdOutcome},
	traits::{DisputeContext, Disputable, ResultDisputes, Watched},
	types::{RequestId, Root},
	BalanceOf, Config, Error, Event, HoldReason, LifecycleParams, Models, Pallet, Requests, Results, Schedule,
};

impl<T: Config> ResultDisputes<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn disputable(request: RequestId) -> Option<Disputable<T::AccountId, BlockNumberFor<T>>> {
		let r = Requests::<T>::get(request)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (operator, window_end) = match r.status {
			RequestStatus::Proposed { operator, window_end } |
			RequestStatus::Disputed { operator, window_end, .. } => (operator, window_end),
			_ => return None,
		};
		if now >= window_end {
			return None;
		}
		let res = Results::<T>::get(request)?;
		let model_root = Models::<T>::get(r.model)?.root;
		Some(Disputable { operator, final_root: res.final_root, steps: res.steps, model_root, window_end })
	}

	fn disputed(request: RequestId) -> Option<(T::AccountId, Root)> {
		let r = Requests::<T>::get(request)?;
		match r.status {
			RequestStatus::Disputed { operator, .. } => Some((operator, Results::<T>::get(request)?.final_root)),
			_ => None,
		}
	}

	fn context(request: RequestId) -> Option<DisputeContext> {
		let r = Requests::<T>::get(request)?;
		let res = Results::<T>::get(request)?;
		let m = Models::<T>::get(r.model)?;
		let config = sibyl_engine::ModelConfig::decode(&mut &m.config[..]).ok()?;
		Some(DisputeContext {
			config,
			prompt: r.prompt.into_inner(),
			max_new: r.terms.max_new,
			output: res.output.into_inner(),
		})
	}

	fn open_dispute(request: RequestId) -> DispatchResult {
		let mut r = Requests::<T>::get(request).ok_or(Error::<T>::UnknownRequest)?;
		let now = frame_system::Pallet::<T>::block_number();
		r.status = lifecycle::open_dispute(&r.status, now).map_err(Error::<T>::from)?;
		let games = match r.status {
			RequestStatus::Disputed { games, .. } => games,
			_ => 0,
		};
		Requests::<T>::insert(request, r);
		Self::deposit_event(Event::ResultDisputed { request, games });
		Ok(())
	}

	fn uphold_extra_weight() -> frame_support::weights::Weight {
		crate::apply::end_extra::<T>()
	}

	fn uphold(request: RequestId) -> DispatchResult {
		let mut r = Requests::<T>::get(request).ok_or(Error::<T>::UnknownRequest)?;
		let now = frame_system::Pallet::<T>::block_number();
		match lifecycle::uphold(&r.status, now).map_err(Error::<T>::from)? {
			UpholdOutcome::StillDisputed(s) | UpholdOutcome::BackInWindow(s) => r.status = s,
			UpholdOutcome::Finalize { operator } => {
				// The window ended during the dispute: its wake-up was spent; finalize now.
				Self::unschedule(request, &mut r);
				Self::finalize(request, &mut r, &operator, now);
			},
		}
		Requests::<T>::insert(request, r);
		Self::deposit_event(Event::ResultUpheld { request });
		Ok(())
	}

	fn reject(request: RequestId, beneficiary: &T::AccountId) -> Result<BalanceOf<T>, sp_runtime::DispatchError> {
		let mut r = Requests::<T>::get(request).ok_or(Error::<T>::UnknownRequest)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (operator, queued) = lifecycle::reject(&r.status).map_err(Error::<T>::from)?;
		let res = Results::<T>::take(request).ok_or(Error::<T>::UnknownRequest)?;
		let reason = HoldReason::ResultBond.into();
		let paid = T::Currency::transfer_on_hold(
			&reason,
			&operator,
			beneficiary,
			res.bond,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		);
		let paid = match paid {
			Ok(p) => p,
			Err(_) => {
				T::Currency::burn_held(&reason, &operator, res.bond, Precision::BestEffort, Fortitude::Force)?;
				Default::default()
			},
		};
		Self::close_work(&operator);
		Self::unschedule(request, &mut r);
		Self::deposit_event(Event::ResultRejected {
			request,
			operator: operator.clone(),
			beneficiary: beneficiary.clone(),
		});
		r.status = queued;
		let can_retry = r.failed.try_push(operator).is_ok() && (r.failed.len() as u32) < T::MaxAttempts::get();
		if can_retry {
			Self::assign_or_refund(request, &mut r, now, &Self::draw_seed());
		} else {
			Self::end_with_refund(request, &mut r, now, lifecycle::RefundReason::ResultRejected);
		}
		Requests::<T>::insert(request, r);
		Ok(paid)
	}

	fn watched(max: u32) -> alloc::vec::Vec<Watched<T::AccountId, BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		let p = LifecycleParams::<T>::get();
		// Every waiting or challengeable request is in the schedule of its deadline or window end, at most
		// `LOOKAHEAD` blocks after it.
		let horizon = p.challenge_window.max(p.propose_timeout).saturating_add(crate::schedule::LOOKAHEAD.into());
		let mut out = alloc::vec::Vec::new();
		let mut block = now.saturating_add(1u32.into());
		let last = now.saturating_add(horizon);
		while block <= last && (out.len() as u32) < max {
			for id in Schedule::<T>::get(block) {
				if out.len() as u32 >= max {
					break;
				}
				let Some(r) = Requests::<T>::get(id) else { continue };
				let Some(m) = Models::<T>::get(r.model) else { continue };
				let result = match r.status {
					RequestStatus::Assigned { .. } => None,
					RequestStatus::Proposed { .. } | RequestStatus::Disputed { .. } => {
						let (Some(d), Some(res)) = (Self::disputable(id), Results::<T>::get(id)) else { continue };
						Some((d, res.output.into_inner()))
					},
					_ => continue,
				};
				out.push(Watched {
					request: id,
					model_root: m.root,
					prompt: r.prompt.into_inner(),
					max_new: r.terms.max_new,
					result,
				});
			}
			block = block.saturating_add(1u32.into());
		}
		out
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_proposed(
		config: alloc::vec::Vec<u8>,
		prompt_len: u32,
		max_new: u32,
		steps: u32,
		final_root: impl FnOnce(&Root) -> Root,
	) -> Option<RequestId> {
		crate::benchmarking::proposed_for_dispute::<T>(config, prompt_len, max_new, steps, final_root)
	}

	fn slash_operator(operator: &T::AccountId, amount: BalanceOf<T>, beneficiary: Option<&T::AccountId>) -> BalanceOf<T> {
		Self::do_slash(operator, amount, beneficiary)
	}
}
