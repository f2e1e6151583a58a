//! `pallet_dispute`'s measured weights live with the pallet (`pallets/dispute/src/weights.rs`, written by
//! `make weights`); the runtime uses them with its own database weights.

/// The measured weights of `pallet_dispute`.
pub type WeightInfo<T> = pallet_dispute::weights::SubstrateWeight<T>;
