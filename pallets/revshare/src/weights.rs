// Weights of the Sibyl runtime, measured on this project's reference machine (2 cores, 24 GiB).
// Provisional: `make weights` (scripts/weights.sh) replaces this file with measured weights.

//! Weights of `pallet_revshare` (provisional until measured by `make weights`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// The weight of each call and of the revenue hook.
pub trait WeightInfo {
	fn create_token() -> Weight;
	fn transfer(h: u32, ) -> Weight;
	fn approve() -> Weight;
	fn transfer_from() -> Weight;
	fn snapshot(h: u32, ) -> Weight;
	fn claim(h: u32, ) -> Weight;
	fn burn() -> Weight;
	fn on_revenue() -> Weight;
	fn create_sale() -> Weight;
	fn contribute() -> Weight;
	fn settle_sale() -> Weight;
	fn settle_contribution() -> Weight;
	fn vest() -> Weight;
	fn propose_grant() -> Weight;
	fn vote() -> Weight;
	fn close_grant() -> Weight;
	fn reap_grant() -> Weight;
	fn set_voting_period() -> Weight;
}

/// Provisional weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_token() -> Weight { Weight::from_parts(100_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn transfer(_h: u32, ) -> Weight { Weight::from_parts(100_000_000, 6_000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn approve() -> Weight { Weight::from_parts(100_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn transfer_from() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 5)) }
	fn snapshot(_h: u32, ) -> Weight { Weight::from_parts(80_000_000, 3_000).saturating_add(T::DbWeight::get().reads_writes(1, 1)) }
	fn claim(_h: u32, ) -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn burn() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn on_revenue() -> Weight { Weight::from_parts(40_000_000, 3_000).saturating_add(T::DbWeight::get().reads_writes(1, 1)) }
	fn create_sale() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn contribute() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn settle_sale() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn settle_contribution() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(6, 6)) }
	fn vest() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn propose_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn vote() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 2)) }
	fn close_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(6, 134)) }
	fn reap_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(2, 130)) }
	fn set_voting_period() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
}

impl WeightInfo for () {
	fn create_token() -> Weight { Weight::from_parts(100_000_000, 4_000).saturating_add(ParityDbWeight::get().reads_writes(3, 2)) }
	fn transfer(_h: u32, ) -> Weight { Weight::from_parts(100_000_000, 6_000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn approve() -> Weight { Weight::from_parts(100_000_000, 4_000).saturating_add(ParityDbWeight::get().reads_writes(3, 2)) }
	fn transfer_from() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(5, 5)) }
	fn snapshot(_h: u32, ) -> Weight { Weight::from_parts(80_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(1, 1)) }
	fn claim(_h: u32, ) -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn burn() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn on_revenue() -> Weight { Weight::from_parts(40_000_000, 3_000).saturating_add(ParityDbWeight::get().reads_writes(1, 1)) }
	fn create_sale() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(3, 2)) }
	fn contribute() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn settle_sale() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn settle_contribution() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(6, 6)) }
	fn vest() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn propose_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(5, 4)) }
	fn vote() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(4, 2)) }
	fn close_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(6, 134)) }
	fn reap_grant() -> Weight { Weight::from_parts(150_000_000, 8_000).saturating_add(ParityDbWeight::get().reads_writes(2, 130)) }
	fn set_voting_period() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(1)) }
}
