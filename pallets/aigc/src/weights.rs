// Weights of the Sibyl runtime, measured on this project's reference machine (2 cores, 24 GiB).
// Provisional: `make weights` (scripts/weights.sh) replaces this file with measured weights.

//! Weights of `pallet_aigc` (provisional until measured by `make weights`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// The weight of each call.
pub trait WeightInfo {
	fn mint() -> Weight;
}

/// Provisional weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn mint() -> Weight { Weight::from_parts(300_000_000, 12_000).saturating_add(T::DbWeight::get().reads_writes(12, 14)) }
}

impl WeightInfo for () {
	fn mint() -> Weight { Weight::from_parts(300_000_000, 12_000).saturating_add(ParityDbWeight::get().reads_writes(12, 14)) }
}
