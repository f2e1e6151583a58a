//! Benchmarks (v2): bridging units out; the hooks over a full block of messages; a vote at the largest set; each
//! kind of attested event executed at its worst; a request's end sending its longest result.

use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Get, Hooks},
	BoundedVec,
};
use frame_system::RawOrigin;
use pallet_inference::traits::{OnRequestEnd, Oracle};
use sp_core::H160;

use crate::{inbound::EthEvent, *};

fn config() -> inbound::EthConfig {
	inbound::EthConfig {
		gateway: H160::repeat_byte(0x99),
		chain_id: 1,
		confirmations: 12,
		start_block: 1,
		wei_per_planck: 0,
	}
}

/// A validator set of `n`.
fn validators<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	T::BenchmarkHelper::set_validators(set.clone());
	set
}

/// An attested request of the longest prompt to a model that serves it, waiting its turn.
fn ready_request<T: Config>(prompt_len: u32, valid: bool) -> u64 {
	EthSettings::<T>::put(config());
	let model = if valid { T::Oracle::bench_servable(&Pallet::<T>::eth_account()) } else { u32::MAX };
	let prompt: BoundedVec<u32, T::MaxPromptTokens> =
		BoundedVec::truncate_from(vec![1u32; prompt_len as usize]);
	let id = Executed::<T>::get(inbound::Stream::Requests) + 1;
	let max_new = T::MaxOutputTokens::get().min(2048u32.saturating_sub(prompt_len)).max(1);
	Ready::<T>::insert(
		(inbound::Stream::Requests, id),
		EthEvent::Request { id, requester: H160::repeat_byte(2), model, prompt, max_new, fee: u128::MAX },
	);
	id
}

/// Fills this block's queue up to one free slot, so what is queued next pays the longest root.
fn queue_all_but_one<T: Config>() {
	for _ in 1..T::MaxMessagesPerBlock::get() {
		let _ = Pallet::<T>::queue(message::Kind::Refund, vec![7; T::MaxBodyLen::get() as usize]);
	}
}

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
	fn on_initialize_idle() {
		#[block]
		{
			Pallet::<T>::process_inbound();
		}
	}

	#[benchmark]
	fn on_finalize(n: Linear<0, { T::MaxMessagesPerBlock::get() }>) {
		for _ in 0..n {
			let _ = Pallet::<T>::queue(message::Kind::Refund, vec![7; T::MaxBodyLen::get() as usize]);
		}
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::on_finalize(now);
		}
		assert_eq!(n == 0, MessagesRoot::<T>::get() == sp_core::H256::zero());
	}

	#[benchmark]
	fn configure() {
		#[extrinsic_call]
		_(RawOrigin::Root, config());
		assert!(EthSettings::<T>::exists());
	}

	/// The vote that makes an event final in a set of `v`, the others' votes cleared.
	#[benchmark]
	fn attest(v: Linear<1, { T::MaxValidators::get() }>) {
		EthSettings::<T>::put(config());
		let set = validators::<T>(v);
		let prompt: BoundedVec<u32, T::MaxPromptTokens> =
			BoundedVec::truncate_from(vec![1u32; T::MaxPromptTokens::get() as usize]);
		let event = EthEvent::Request { id: 1, requester: H160::repeat_byte(2), model: 0, prompt, max_new: 1, fee: 1 };
		let needed = (2 * v) / 3 + 1;
		for who in set.iter().take(needed.saturating_sub(1) as usize) {
			Pallet::<T>::do_attest(who.clone(), event.clone()).expect("a validator's first vote");
		}
		let last = set[needed as usize - 1].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), event);
		assert!(Ready::<T>::contains_key((inbound::Stream::Requests, 1)));
	}

	#[benchmark]
	fn claim_stranded() {
		let (holder, model, units) = T::BenchmarkHelper::holder();
		Pallet::<T>::bridge_out(RawOrigin::Signed(holder.clone()).into(), model, H160::repeat_byte(1), units / 2)
			.expect("bridged");
		Bridged::<T>::mutate(model, |b| *b -= units / 4);
		Stranded::<T>::insert(model, &holder, units / 4);
		#[extrinsic_call]
		_(RawOrigin::Signed(holder.clone()), model);
		assert_eq!(Stranded::<T>::get(model, &holder), 0);
	}

	/// One deferred message sent, into a block with one free slot.
	#[benchmark]
	fn send_deferred() {
		queue_all_but_one::<T>();
		let body = BoundedVec::truncate_from(vec![7; T::MaxBodyLen::get() as usize]);
		Deferred::<T>::insert(1, (message::Kind::InferenceResult, body));
		#[block]
		{
			Pallet::<T>::process_inbound();
		}
		assert_eq!(Deferred::<T>::count(), 0);
	}

	/// An Ethereum request with a prompt of `p` tokens submitted to the oracle.
	#[benchmark]
	fn execute_request(p: Linear<1, { T::MaxPromptTokens::get() }>) {
		let id = ready_request::<T>(p, true);
		#[block]
		{
			Pallet::<T>::process_inbound();
		}
		assert_eq!(Executed::<T>::get(inbound::Stream::Requests), id);
		assert_eq!(EthRequests::<T>::count(), 1);
	}

	/// An Ethereum request the oracle refuses, its refund queued.
	#[benchmark]
	fn execute_request_refused() {
		let id = ready_request::<T>(T::MaxPromptTokens::get(), false);
		#[block]
		{
			Pallet::<T>::process_inbound();
		}
		assert_eq!(Executed::<T>::get(inbound::Stream::Requests), id);
		assert_eq!(EthRequests::<T>::count(), 0);
	}

	/// Units coming back (the transfer itself is charged as `TransferWeight`).
	#[benchmark]
	fn execute_tokens() {
		let (holder, model, units) = T::BenchmarkHelper::holder();
		Pallet::<T>::bridge_out(RawOrigin::Signed(holder.clone()).into(), model, H160::repeat_byte(1), units / 2)
			.expect("bridged");
		let to: T::AccountId = account("returning", 0, 0);
		Ready::<T>::insert(
			(inbound::Stream::Tokens, 1),
			EthEvent::Tokens { nonce: 1, model, from: H160::repeat_byte(1), to, amount: units / 4 },
		);
		#[block]
		{
			Pallet::<T>::process_inbound();
		}
		assert_eq!(Executed::<T>::get(inbound::Stream::Tokens), 1);
		assert_eq!(Bridged::<T>::get(model), units / 2 - units / 4);
	}

	/// A request made on Ethereum finalized with the longest answer: its result queued (into the last free slot,
	/// the root's share charged apart).
	#[benchmark]
	fn on_request_end() {
		EthRequests::<T>::insert(5, 9);
		queue_all_but_one::<T>();
		let output = vec![1u32; T::MaxOutputTokens::get() as usize];
		#[block]
		{
			<Pallet<T> as OnRequestEnd<u128>>::on_finalized(5, 0, &output, [3; 32], 1);
		}
		assert_eq!(EthRequests::<T>::count(), 0);
		assert_eq!(Deferred::<T>::count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
