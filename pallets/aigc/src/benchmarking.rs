//! Benchmark of `mint` in its worst case: the model's first mint (its collection created), the longest prompt
//! and output hashed. The revenue hook is charged on top (`ModelRevenue::revenue_weight`).

use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use pallet_inference::traits::FinalResults;

use crate::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn mint() {
		let who: T::AccountId = whitelisted_caller();
		let _ = T::Fees::set_balance(&who, u128::MAX / 1_000_000);
		let id = T::Results::bench_final(&who, u32::MAX, u32::MAX);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id);
		assert!(Records::<T>::contains_key(id));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
