//! Weights of `pallet_settlement`. PROVISIONAL (written by hand before the first `make weights` run; replaced by
//! the generated file).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// The weight of each call and of the hooks.
pub trait WeightInfo {
	fn bridge_out() -> Weight;
	fn on_initialize() -> Weight;
	fn on_finalize(n: u32, ) -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn bridge_out() -> Weight {
		Weight::from_parts(150_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	fn on_initialize() -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn on_finalize(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(20_000_000, 600).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same with ParityDB's default database weights, for tests.
impl WeightInfo for () {
	fn bridge_out() -> Weight {
		Weight::from_parts(150_000_000, 12_000)
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(14_u64))
	}
	fn on_initialize() -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn on_finalize(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(20_000_000, 600).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
