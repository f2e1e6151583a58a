//! [`ModelRegistry`] for other pallets: who owns a model.

use crate::{traits::ModelRegistry, types::ModelId, Config, Models, Pallet};

impl<T: Config> ModelRegistry<T::AccountId> for Pallet<T> {
	fn owner(model: ModelId) -> Option<T::AccountId> {
		Models::<T>::get(model).map(|m| m.owner)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_model(owner: &T::AccountId) -> ModelId {
		crate::benchmarking::model_owned_by::<T>(owner)
	}
}
