//! Benchmarks (v2): bridging units out, and the hooks over a full block of messages.

use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{Get, Hooks};
use frame_system::RawOrigin;
use sp_core::H160;

use crate::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bridge_out() {
		let (holder, model, units) = T::BenchmarkHelper::holder();
		let amount = units / 2;
		#[extrinsic_call]
		_(RawOrigin::Signed(holder), model, H160::repeat_byte(1), amount);
		assert_eq!(Bridged::<T>::get(model), amount);
	}

	#[benchmark]
	fn on_initialize() {
		for _ in 0..T::MaxMessagesPerBlock::get() {
			let _ = Pallet::<T>::queue(message::Kind::Refund, vec![7; T::MaxBodyLen::get() as usize]);
		}
		#[block]
		{
			Pallet::<T>::on_initialize(1u32.into());
		}
		assert!(Messages::<T>::get().is_empty());
	}

	#[benchmark]
	fn on_finalize(n: Linear<0, { T::MaxMessagesPerBlock::get() }>) {
		for _ in 0..n {
			let _ = Pallet::<T>::queue(message::Kind::Refund, vec![7; T::MaxBodyLen::get() as usize]);
		}
		#[block]
		{
			Pallet::<T>::on_finalize(1u32.into());
		}
		assert_eq!(n == 0, MessagesRoot::<T>::get() == sp_core::H256::zero());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
