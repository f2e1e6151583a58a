//! [`ModelRegistry`] and [`FinalResults`] for other pallets: who owns a model, and finalized answers.

use crate::{
	lifecycle::RequestStatus,
	traits::{FinalResult, FinalResults, ModelRegistry},
	types::{ModelId, RequestId},
	Config, Models, Pallet, Requests, Results,
};

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
