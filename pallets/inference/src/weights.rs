//! PROVISIONAL: replaced by `make weights` output.
#![allow(unused_parens, unused_imports, missing_docs)]
use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

pub trait WeightInfo {
	fn register_model(l: u32) -> Weight;
	fn set_model_fees() -> Weight;
	fn retire_model() -> Weight;
	fn bond() -> Weight;
	fn serve() -> Weight;
	fn stop_serving() -> Weight;
	fn unbond() -> Weight;
	fn withdraw() -> Weight;
	fn submit(p: u32) -> Weight;
	fn cancel() -> Weight;
	fn propose(o: u32) -> Weight;
	fn set_params() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn assign_one() -> Weight;
	fn wake_stale() -> Weight;
	fn wake_prune() -> Weight;
	fn wake_deadline() -> Weight;
	fn wake_finalize() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_model(_l: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn set_model_fees() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn retire_model() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn bond() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn serve() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn stop_serving() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn unbond() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn withdraw() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn submit(_p: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn cancel() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn propose(_o: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn set_params() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn on_initialize_idle() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn assign_one() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_stale() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_prune() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_deadline() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_finalize() -> Weight { Weight::from_parts(1_000_000, 0) }
}

impl WeightInfo for () {
	fn register_model(_l: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn set_model_fees() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn retire_model() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn bond() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn serve() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn stop_serving() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn unbond() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn withdraw() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn submit(_p: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn cancel() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn propose(_o: u32) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn set_params() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn on_initialize_idle() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn assign_one() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_stale() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_prune() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_deadline() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn wake_finalize() -> Weight { Weight::from_parts(1_000_000, 0) }
}
