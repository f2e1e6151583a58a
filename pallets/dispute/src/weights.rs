//! Weights of the dispute pallet.
//!
//! PROVISIONAL: the `()` implementation below is an estimate (the database accesses each call makes, and the
//! proof's bytes at the cost measured for `verify_step` in WASM by the engine's tests), used until
//! `scripts/weights.sh` generates the runtime's file from the benchmarks in `benchmarking.rs`.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of the dispute pallet.
pub trait WeightInfo {
	fn challenge() -> Weight;
	fn dissect(r: u32) -> Weight;
	fn pick() -> Weight;
	fn open_step() -> Weight;
	fn prove(l: u32) -> Weight;
	fn claim_timeout() -> Weight;
	fn prove_output() -> Weight;
	fn expire() -> Weight;
}

impl WeightInfo for () {
	fn challenge() -> Weight {
		Weight::from_parts(5_000_000_000, 20_000).saturating_add(ParityDbWeight::get().reads_writes(10, 8))
	}
	fn dissect(r: u32) -> Weight {
		Weight::from_parts(100_000_000, 4_000)
			.saturating_add(Weight::from_parts(1_000_000, 32).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(4, 3))
	}
	fn pick() -> Weight {
		Weight::from_parts(100_000_000, 4_000).saturating_add(ParityDbWeight::get().reads_writes(4, 3))
	}
	fn open_step() -> Weight {
		Weight::from_parts(2_000_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(8, 3))
	}
	fn prove(l: u32) -> Weight {
		Weight::from_parts(2_000_000_000, 10_000)
			.saturating_add(Weight::from_parts(20_000, 1).saturating_mul(l.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn claim_timeout() -> Weight {
		Weight::from_parts(500_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn prove_output() -> Weight {
		Weight::from_parts(5_000_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn expire() -> Weight {
		Weight::from_parts(500_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
}
