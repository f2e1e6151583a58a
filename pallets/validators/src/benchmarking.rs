//! Benchmarks (v2): the two root calls, `set_validators` over the set's length, and naming an operator.

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;

use crate::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_validators(v: Linear<1, { T::MaxValidators::get() }>) {
		let set: Vec<T::AccountId> = (0..v).map(|i| account("validator", i, 0)).collect();
		for who in &set {
			T::BenchmarkHelper::give_keys(who);
		}
		let set: BoundedVec<_, T::MaxValidators> = set.try_into().expect("v <= MaxValidators");
		#[extrinsic_call]
		_(RawOrigin::Root, set.clone());
		assert_eq!(Validators::<T>::get(), set);
	}

	/// Replacing an operator the validator named before.
	#[benchmark]
	fn set_operator() {
		let validator: T::AccountId = account("validator", 0, 0);
		let old: T::AccountId = account("operator", 0, 0);
		let new: T::AccountId = account("operator", 1, 0);
		Pallet::<T>::do_set_operator(&validator, &old).expect("free");
		#[extrinsic_call]
		_(RawOrigin::Signed(validator.clone()), new.clone());
		assert_eq!(AttesterOf::<T>::get(&new), Some(validator));
		assert!(AttesterOf::<T>::get(&old).is_none());
	}

	#[benchmark]
	fn set_session_length() {
		let blocks = T::MinSessionLength::get() + 7u32.into();
		#[extrinsic_call]
		_(RawOrigin::Root, blocks);
		assert_eq!(SessionLength::<T>::get(), blocks);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

