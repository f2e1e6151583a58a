//! Benchmarks of every call and of the revenue hook, each in its worst case.
//!
//! `transfer`, `claim` and `snapshot` take `h`, the number of other holders of the token: the accounting is per
//! unit of supply, so their cost does not grow with it (the weight files show the slope). The calls are charged
//! at [`crate::HOLDERS_CHARGED`], the top of the benchmarked range. Every call that changes a balance does so
//! with `MaxOpenGrants` proposals open, so it records the balance for each of them.

use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use pallet_inference::traits::{ModelRegistry, ModelRevenue};
use sp_core::U256;
use sp_runtime::Perbill;

use crate::{
	pool::{Holding, SCALE},
	types::ModelId,
	*,
};

/// Units of the benchmark token.
const SUPPLY: u128 = 1_000_000_000_000;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let _ = T::Currency::set_balance(&who, u128::MAX / 1_000_000);
	who
}

/// A model with a token of SUPPLY units held by its owner (minimum balance 1), 60% to holders and 10% to the
/// treasury; `h` other holders with one unit each; revenue received and snapshotted once, so that every
/// holding is owed something and the pallet's account can pay. Returns the model and its owner.
fn token_with_holders<T: Config>(h: u32) -> (ModelId, T::AccountId) {
	let owner = funded::<T>("owner", 0);
	let model = T::Models::bench_model(&owner);
	let name = vec![b'n'; T::MaxNameLen::get() as usize];
	let symbol = vec![b's'; T::MaxSymbolLen::get() as usize];
	Pallet::<T>::create_token(
		RawOrigin::Signed(owner.clone()).into(),
		model,
		name,
		symbol,
		12,
		SUPPLY,
		1,
		Perbill::from_percent(60),
		Perbill::from_percent(10),
	)
	.expect("the owner creates the token");
	for i in 0..h {
		Holdings::<T>::insert(model, account::<T::AccountId>("holder", i, 0), Holding { balance: 1, ..Default::default() });
	}
	Holdings::<T>::mutate(model, &owner, |o| {
		if let Some(o) = o {
			o.balance = o.balance.saturating_sub(h as u128);
		}
	});
	revenue::<T>(model, 10_000_000_000_000);
	Pallet::<T>::do_snapshot(model).expect("revenue is pending");
	(model, owner)
}

/// `amount` of revenue for `model`, paid into the pallet's account as the inference pallet pays it.
fn revenue<T: Config>(model: ModelId, amount: u128) {
	let pot = Pallet::<T>::account();
	let _ = T::Currency::set_balance(&pot, T::Currency::balance(&pot).saturating_add(amount));
	<Pallet<T> as ModelRevenue<T::AccountId, u128>>::on_revenue(model, amount);
}

/// Lets a snapshot be taken now.
fn snapshot_due<T: Config>() {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now + T::MinSnapshotInterval::get());
}

/// `who` holds `units` and is owed `halves` half planck (a fraction, so that a claim or a transfer of everything
/// leaves a spent holding to remove); the pool's books stay exact.
fn holder_with_fraction<T: Config>(model: ModelId, owner: &T::AccountId, who: &T::AccountId, units: u128, halves: u128) {
	Pallet::<T>::do_transfer(model, owner, who, units).expect("the owner has units");
	Holdings::<T>::mutate(model, who, |h| {
		if let Some(h) = h {
			h.owed = U256::from(SCALE / 2) * U256::from(halves);
		}
	});
	let whole = halves.div_ceil(2);
	let pot = Pallet::<T>::account();
	let _ = T::Currency::set_balance(&pot, T::Currency::balance(&pot).saturating_add(whole));
	Tokens::<T>::mutate(model, |t| {
		if let Some(t) = t {
			t.pool.outstanding = t.pool.outstanding.saturating_add(whole);
			t.pool.received = t.pool.received.saturating_add(whole);
			t.pool.undivided = t.pool.undivided.saturating_add(U256::from(SCALE / 2) * U256::from(2 * whole - halves));
		}
	});
}

/// `n` grant proposals on `model` by `owner`, open.
fn open_grants<T: Config>(model: ModelId, owner: &T::AccountId, n: u32) {
	for _ in 0..n {
		Pallet::<T>::do_propose_grant(owner, model, owner.clone(), 1, [1; 32]).expect("the treasury holds it");
	}
}

/// An open offering on `model` of half its supply, at 3 planck per unit, vesting over 100 blocks.
fn open_sale<T: Config>(model: ModelId, owner: &T::AccountId) -> BlockNumberFor<T> {
	let now = frame_system::Pallet::<T>::block_number();
	let end = now + 10u32.into();
	Pallet::<T>::do_create_sale(owner, model, 3, SUPPLY / 2, 1, now, end, 100u32.into()).expect("a valid sale");
	end
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_token() {
		let owner = funded::<T>("owner", 0);
		let model = T::Models::bench_model(&owner);
		let name = vec![b'n'; T::MaxNameLen::get() as usize];
		let symbol = vec![b's'; T::MaxSymbolLen::get() as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, name, symbol, 12, SUPPLY, 1, Perbill::from_percent(60), Perbill::from_percent(10));
		assert_eq!(Holdings::<T>::get(model, &owner).map(|h| h.balance), Some(SUPPLY));
	}

	/// The whole balance of a holding owed a fraction (removed, the token written) to a new holder.
	#[benchmark]
	fn transfer(h: Linear<1, 100_000>) {
		let (model, owner) = token_with_holders::<T>(h);
		open_grants::<T>(model, &owner, T::MaxOpenGrants::get());
		let from = funded::<T>("from", 0);
		holder_with_fraction::<T>(model, &owner, &from, 1_000, 1);
		let to = funded::<T>("to", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(from.clone()), model, to.clone(), 1_000);
		assert!(Holdings::<T>::get(model, &from).is_none());
		assert_eq!(Holdings::<T>::get(model, &to).map(|h| h.balance), Some(1_000));
	}

	/// A new allowance: its deposit is held.
	#[benchmark]
	fn approve() {
		let (model, owner) = token_with_holders::<T>(1);
		let spender = funded::<T>("spender", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, spender.clone(), 1_000);
		assert_eq!(Approvals::<T>::get((model, &owner, &spender)).map(|a| a.amount), Some(1_000));
	}

	/// An allowance used up (its deposit released), moving a whole holding owed a fraction to a new holder.
	#[benchmark]
	fn transfer_from() {
		let (model, owner) = token_with_holders::<T>(1);
		open_grants::<T>(model, &owner, T::MaxOpenGrants::get());
		let from = funded::<T>("from", 0);
		holder_with_fraction::<T>(model, &owner, &from, 1_000, 1);
		let spender = funded::<T>("spender", 0);
		Pallet::<T>::do_approve(model, &from, &spender, 1_000).expect("an allowance");
		let to = funded::<T>("to", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(spender.clone()), model, from.clone(), to.clone(), 1_000);
		assert!(Approvals::<T>::get((model, &from, &spender)).is_none());
		assert!(Holdings::<T>::get(model, &from).is_none());
		assert_eq!(Holdings::<T>::get(model, &to).map(|h| h.balance), Some(1_000));
	}

	#[benchmark]
	fn snapshot(h: Linear<1, 100_000>) {
		let (model, owner) = token_with_holders::<T>(h);
		revenue::<T>(model, 7_777_777);
		snapshot_due::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model);
		assert_eq!(Tokens::<T>::get(model).map(|t| t.snapshots), Some(2));
	}

	/// A claim that pays and leaves a spent holding, removed.
	#[benchmark]
	fn claim(h: Linear<1, 100_000>) {
		let (model, owner) = token_with_holders::<T>(h);
		let who = funded::<T>("claimer", 0);
		holder_with_fraction::<T>(model, &owner, &who, 1_000, 3);
		Pallet::<T>::do_transfer(model, &who, &owner, 1_000).expect("back to the owner");
		let before = T::Currency::balance(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model);
		assert!(T::Currency::balance(&who) > before);
		assert!(Holdings::<T>::get(model, &who).is_none());
	}

	/// A burn that redeems.
	#[benchmark]
	fn burn() {
		let (model, owner) = token_with_holders::<T>(1);
		open_grants::<T>(model, &owner, T::MaxOpenGrants::get());
		let before = T::Currency::balance(&owner);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, SUPPLY / 2);
		assert!(T::Currency::balance(&owner) > before);
	}

	/// The inference pallet's revenue hook for a model with a token: `payee` and `on_revenue`.
	#[benchmark]
	fn on_revenue() {
		let (model, owner) = token_with_holders::<T>(1);
		let received = Tokens::<T>::get(model).map(|t| t.pool.received).unwrap_or(0);
		#[block]
		{
			let payee = <Pallet<T> as ModelRevenue<T::AccountId, u128>>::payee(model, &owner);
			assert!(payee == Pallet::<T>::account());
			<Pallet<T> as ModelRevenue<T::AccountId, u128>>::on_revenue(model, 1_000);
		}
		assert_eq!(Tokens::<T>::get(model).map(|t| t.pool.received), Some(received + 1_000));
	}

	/// An offering with vesting.
	#[benchmark]
	fn create_sale() {
		let (model, owner) = token_with_holders::<T>(1);
		// Starting in the next block: the benchmark may run the call in a later block than its set-up.
		let now = frame_system::Pallet::<T>::block_number();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, 3, SUPPLY / 2, 1, now + 10u32.into(), now + 20u32.into(), 100u32.into());
		assert!(Sales::<T>::contains_key(model));
	}

	/// A buyer's first contribution (held).
	#[benchmark]
	fn contribute() {
		let (model, owner) = token_with_holders::<T>(1);
		open_sale::<T>(model, &owner);
		let buyer = funded::<T>("buyer", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), model, 1_000);
		assert_eq!(Contributions::<T>::get(model, &buyer), Some(1_000));
	}

	/// A successful offering decided, its vesting started.
	#[benchmark]
	fn settle_sale() {
		let (model, owner) = token_with_holders::<T>(1);
		let end = open_sale::<T>(model, &owner);
		let buyer = funded::<T>("buyer", 0);
		Pallet::<T>::do_contribute(&buyer, model, 1_000).expect("in the period");
		frame_system::Pallet::<T>::set_block_number(end + 1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), model);
		assert!(Vestings::<T>::contains_key(model, &owner));
	}

	/// A buyer's units delivered and its funds paid to the seller, with grants open.
	#[benchmark]
	fn settle_contribution() {
		let (model, owner) = token_with_holders::<T>(1);
		open_grants::<T>(model, &owner, T::MaxOpenGrants::get());
		let end = open_sale::<T>(model, &owner);
		let buyer = funded::<T>("buyer", 0);
		Pallet::<T>::do_contribute(&buyer, model, 1_000).expect("in the period");
		let other = funded::<T>("buyer", 1);
		Pallet::<T>::do_contribute(&other, model, 1_000).expect("in the period");
		frame_system::Pallet::<T>::set_block_number(end + 1u32.into());
		Pallet::<T>::do_settle_sale(model).expect("ended");
		#[extrinsic_call]
		_(RawOrigin::Signed(other), model, buyer.clone());
		assert_eq!(Holdings::<T>::get(model, &buyer).map(|h| h.balance), Some(1_000));
	}

	/// Vested units unlocked half way.
	#[benchmark]
	fn vest() {
		let (model, owner) = token_with_holders::<T>(1);
		let end = open_sale::<T>(model, &owner);
		let buyer = funded::<T>("buyer", 0);
		Pallet::<T>::do_contribute(&buyer, model, 1_000).expect("in the period");
		frame_system::Pallet::<T>::set_block_number(end + 1u32.into());
		Pallet::<T>::do_settle_sale(model).expect("ended");
		frame_system::Pallet::<T>::set_block_number(end + 50u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), model, owner.clone());
		assert!(Vestings::<T>::get(model, &owner).is_some_and(|v| v.locked < v.total));
	}

	/// The last proposal there is room for.
	#[benchmark]
	fn propose_grant() {
		let (model, owner) = token_with_holders::<T>(1);
		open_grants::<T>(model, &owner, T::MaxOpenGrants::get() - 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), model, owner.clone(), 1, [2; 32]);
		assert_eq!(OpenGrants::<T>::get(model).len() as u32, T::MaxOpenGrants::get());
	}

	/// A vote replacing an earlier one, with a recorded balance.
	#[benchmark]
	fn vote() {
		let (model, owner) = token_with_holders::<T>(1);
		let voter = funded::<T>("voter", 0);
		Pallet::<T>::do_transfer(model, &owner, &voter, 1_000).expect("units");
		open_grants::<T>(model, &owner, 1);
		// A balance change after the proposal: the voter's weight is the recorded one.
		Pallet::<T>::do_transfer(model, &voter, &owner, 10).expect("units");
		Pallet::<T>::do_vote(&voter, 0, false).expect("weight");
		#[extrinsic_call]
		_(RawOrigin::Signed(voter.clone()), 0, true);
		assert_eq!(Votes::<T>::get(0, &voter).map(|v| v.aye), Some(true));
	}

	/// A passed grant paid, with `REAP_PER_CALL` vote records to remove.
	#[benchmark]
	fn close_grant() {
		let (model, owner) = token_with_holders::<T>(crate::REAP_PER_CALL);
		open_grants::<T>(model, &owner, 1);
		Pallet::<T>::do_vote(&owner, 0, true).expect("the owner holds most units");
		for i in 0..crate::REAP_PER_CALL - 1 {
			Pallet::<T>::do_vote(&account::<T::AccountId>("holder", i, 0), 0, true).expect("a unit");
		}
		let end = Grants::<T>::get(0).map(|g| g.end).expect("proposed");
		frame_system::Pallet::<T>::set_block_number(end + 1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0);
		assert!(Grants::<T>::get(0).is_none());
	}

	/// `REAP_PER_CALL` vote records of a closed grant removed (of twice as many).
	#[benchmark]
	fn reap_grant() {
		let (model, owner) = token_with_holders::<T>(1);
		open_grants::<T>(model, &owner, 1);
		let end = Grants::<T>::get(0).map(|g| g.end).expect("proposed");
		frame_system::Pallet::<T>::set_block_number(end + 1u32.into());
		Pallet::<T>::do_close_grant(0).expect("closed");
		// A closed grant whose vote records are still there.
		let mut g = crate::grant::Grant {
			model,
			proposer: owner.clone(),
			beneficiary: owner.clone(),
			amount: 1,
			purpose: [0; 32],
			supply: SUPPLY,
			ayes: 0,
			nays: 0,
			end,
			status: crate::grant::GrantStatus::Rejected,
		};
		for i in 0..2 * crate::REAP_PER_CALL {
			let who = account::<T::AccountId>("voter", i, 0);
			Votes::<T>::insert(0, &who, crate::grant::Vote { aye: true, weight: 1 });
			VoteBase::<T>::insert(0, &who, 1);
			g.ayes += 1;
		}
		Grants::<T>::insert(0, g);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0);
		assert!(Votes::<T>::iter_prefix(0).count() as u32 <= crate::REAP_PER_CALL);
	}

	#[benchmark]
	fn set_voting_period() {
		#[extrinsic_call]
		_(RawOrigin::Root, 7u32.into());
		assert_eq!(crate::VotingPeriod::<T>::get(), 7u32.into());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

#[cfg(test)]
mod tests {
	/// The benchmarks' set-up keeps the books exact: what they measure is a reachable state.
	#[test]
	fn the_benchmark_states_pass_try_state() {
		crate::mock::new_test_ext().execute_with(|| {
			let (model, owner) = super::token_with_holders::<crate::mock::Test>(50);
			let who = super::funded::<crate::mock::Test>("claimer", 0);
			super::holder_with_fraction::<crate::mock::Test>(model, &owner, &who, 1_000, 3);
			assert_eq!(crate::Pallet::<crate::mock::Test>::do_try_state(), Ok(()));
		});
	}
}
