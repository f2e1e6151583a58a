//! `pallet_revshare`'s measured weights live with the pallet (`pallets/revshare/src/weights.rs`, written by
//! `make weights`); the runtime uses them with its own database weights.

/// The measured weights of `pallet_revshare`.
pub type WeightInfo<T> = pallet_revshare::weights::SubstrateWeight<T>;
