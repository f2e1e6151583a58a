//! `pallet_aigc`'s measured weights live with the pallet (`pallets/aigc/src/weights.rs`, written by
//! `make weights`); the runtime uses them with its own database weights.

/// The measured weights of `pallet_aigc`.
pub type WeightInfo<T> = pallet_aigc::weights::SubstrateWeight<T>;
