//! `pallet_inference`'s measured weights live with the pallet (`pallets/inference/src/weights.rs`, written by
//! `make weights`); the runtime uses them with its own database weights.

/// The measured weights of `pallet_inference`.
pub type WeightInfo<T> = pallet_inference::weights::SubstrateWeight<T>;
