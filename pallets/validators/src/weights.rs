//! Weights of `pallet_validators`. PROVISIONAL (written by hand before the first `make weights` run; replaced by
//! the generated file).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// The weight of each call.
pub trait WeightInfo {
	fn set_validators(v: u32, ) -> Weight;
	fn set_session_length() -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_validators(v: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_500)
			.saturating_add(Weight::from_parts(5_000_000, 2_500).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(v.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same with ParityDB's default database weights, for tests.
impl WeightInfo for () {
	fn set_validators(v: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 1_500)
			.saturating_add(Weight::from_parts(5_000_000, 2_500).saturating_mul(v.into()))
			.saturating_add(ParityDbWeight::get().reads((1_u64).saturating_mul(v.into())))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_session_length() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
