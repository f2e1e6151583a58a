//! [`ModelRegistry`], [`FinalResults`] and [`Oracle`] for other pallets: who owns a model, finalized answers, and
//! submitting requests.

use crate::{
	lifecycle::RequestStatus,
	traits::{FinalResult, FinalResults, ModelRegistry, Oracle},
	types::{ModelId, RequestId},
	BalanceOf, Config, Error, Models, Pallet, Requests, Results, WeightInfo,
};
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_runtime::{traits::Zero, DispatchError};

impl<T: Config> Oracle<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn max_fee(model: ModelId, max_new: u32) -> Result<BalanceOf<T>, DispatchError> {
		let m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		let terms = Self::terms(&m, max_new, Zero::zero())?;
		Ok(terms.max_fee().ok_or(Error::<T>::FeeOverflow)?)
	}

	fn submit(who: T::AccountId, model: ModelId, prompt: Vec<u32>, max_new: u32) -> Result<RequestId, DispatchError> {
		Self::do_submit(who, model, prompt, max_new, Zero::zero())
	}

	fn submit_weight(prompt_len: u32) -> frame_support::weights::Weight {
		T::WeightInfo::submit(prompt_len.min(T::MaxPromptTokens::get()))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_servable(requester: &T::AccountId) -> ModelId {
		crate::benchmarking::servable_for::<T>(requester)
	}
}

impl<T: Config> ModelRegistry<T::AccountId> for Pallet<T> {
	fn owner(model: ModelId) -> Option<T::AccountId> {
		Models::<T>::get(model).map(|m| m.owner)
	}

	fn revenue_account(model: ModelId) -> Option<T::AccountId> {
		Models::<T>::get(model).map(|m| m.revenue)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_model(owner: &T::AccountId) -> ModelId {
		crate::benchmarking::model_owned_by::<T>(owner)
	}
}

impl<T: Config> FinalResults<T::AccountId> for Pallet<T> {
	fn final_result(request: RequestId) -> Option<FinalResult<T::AccountId>> {
		let r = Requests::<T>::get(request)?;
		if !matches!(r.status, RequestStatus::Finalized { .. }) {
			return None;
		}
		let res = Results::<T>::get(request)?;
		let model_root = Models::<T>::get(r.model)?.root;
		Some(FinalResult {
			requester: r.requester,
			model: r.model,
			model_root,
			prompt: r.prompt.into_inner(),
			output: res.output.into_inner(),
			final_root: res.final_root,
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_final(requester: &T::AccountId, prompt_len: u32, output_len: u32) -> RequestId {
		crate::benchmarking::finalized_for::<T>(requester, prompt_len, output_len)
	}
}
