//! Benchmarks of every call and of each kind of work the block hook does, each in its worst case.

use alloc::{vec, vec::Vec};
use codec::{Decode, Encode};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sibyl_engine::{gguf::TensorType, ModelConfig};
use sp_runtime::traits::Bounded;

use crate::{
	lifecycle::RequestStatus, registration::synthetic_registration, types::*, *,
};

/// A valid engine configuration with `layers` blocks (SmolLM2's shape otherwise): its encoding grows with it.
fn config(layers: u32) -> ModelConfig {
	use TensorType::*;
	let mut types = vec![Q8_0];
	for _ in 0..layers {
		types.extend([F32, Q4_1, Q4_1, Q4_1, Q4_1, F32, Q4_1, Q4_1, Q4_1]);
	}
	types.push(F32);
	ModelConfig {
		n_vocab: 49152,
		n_embd: 576,
		n_layer: layers,
		n_head: 9,
		n_head_kv: 3,
		n_ff: 1536,
		rope_base_bits: 10_000f32.to_bits(),
		rms_eps_bits: 1e-5f32.to_bits(),
		max_seq: 2048,
		bos: 1,
		eos: 2,
		tied_output: true,
		tensor_types: types,
		tokenizer_hash: [0; 32],
	}
}

fn rich<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

fn account<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let a = frame_benchmarking::account(name, i, 0);
	rich::<T>(&a);
	a
}

/// Registers a model (`salt` makes its root unique) and returns its id.
fn model<T: Config>(salt: u32) -> ModelId {
	let owner = account::<T>("owner", salt);
	let mut cfg = config(2);
	cfg.tokenizer_hash[..4].copy_from_slice(&salt.to_le_bytes());
	let bytes = cfg.encode();
	let (root, proof) = synthetic_registration(&bytes, cfg.tree_depth(), 7);
	let limit = T::MaxOutputTokens::get().min(2047);
	Pallet::<T>::do_register_model(owner.clone(), b"bench".to_vec(), root, bytes, proof, limit, 1u32.into(), 1u32.into(), owner)
		.expect("a valid registration")
}

/// Registers a model owned by `owner` (funded for its deposit), for other pallets' benchmarks.
pub(crate) fn model_owned_by<T: Config>(owner: &T::AccountId) -> ModelId {
	rich::<T>(owner);
	let salt = crate::NextModelId::<T>::get();
	let mut cfg = config(2);
	cfg.tokenizer_hash[..4].copy_from_slice(&salt.to_le_bytes());
	cfg.tokenizer_hash[4] = 0xee;
	let bytes = cfg.encode();
	let (root, proof) = synthetic_registration(&bytes, cfg.tree_depth(), 7);
	let limit = T::MaxOutputTokens::get().min(2047);
	Pallet::<T>::do_register_model(owner.clone(), b"bench".to_vec(), root, bytes, proof, limit, 1u32.into(), 1u32.into(), owner.clone())
		.expect("a valid registration")
}

/// A finalized request of `requester` (funded) with a prompt of `prompt_len` and an answer of `output_len`
/// tokens (each at most the longest allowed), for other pallets' benchmarks.
pub(crate) fn finalized_for<T: Config>(requester: &T::AccountId, prompt_len: u32, output_len: u32) -> RequestId {
	rich::<T>(requester);
	let owner: T::AccountId = frame_benchmarking::account("final-owner", 0, 0);
	let m = model_owned_by::<T>(&owner);
	operators::<T>(m, 1);
	let prompt = vec![1u32; prompt_len.min(T::MaxPromptTokens::get()) as usize];
	let max_new = output_len.clamp(1, T::MaxOutputTokens::get().min(2047));
	let id = Pallet::<T>::do_submit(requester.clone(), m, prompt, max_new, 0u32.into()).expect("a valid request");
	DrawCursor::<T>::put(id + 1);
	let mut r = Requests::<T>::get(id).expect("submitted");
	let _ = Pallet::<T>::assign_or_refund(id, &mut r, block::<T>(), &[5; 32]);
	let RequestStatus::Assigned { operator, .. } = r.status.clone() else { panic!("not assigned") };
	Requests::<T>::insert(id, r);
	Pallet::<T>::do_propose(&operator, id, vec![1; max_new as usize], [3; 32], 1).expect("assigned");
	let wake = Requests::<T>::get(id).and_then(|r| r.wake).expect("scheduled");
	at_block::<T>(wake);
	Pallet::<T>::process_block(wake);
	id
}

/// A model `requester` (funded) can ask, with every operator slot taken, for other pallets' benchmarks.
pub(crate) fn servable_for<T: Config>(requester: &T::AccountId) -> ModelId {
	rich::<T>(requester);
	let owner: T::AccountId = frame_benchmarking::account("servable-owner", 0, 0);
	let m = model_owned_by::<T>(&owner);
	operators::<T>(m, T::MaxOperatorsPerModel::get());
	m
}

/// Bonds `n` operators for `model` (up to the model's limit); returns them.
fn operators<T: Config>(model: ModelId, n: u32) -> Vec<T::AccountId> {
	let have = ModelOperators::<T>::decode_len(model).unwrap_or(0) as u32;
	let mut out = vec![];
	for i in 0..n.min(T::MaxOperatorsPerModel::get().saturating_sub(have)) {
		let op = account::<T>("operator", model * 1000 + i);
		let _ = Pallet::<T>::do_bond(&op, T::MinOperatorBond::get());
		let _ = Pallet::<T>::do_serve(&op, model);
		out.push(op);
	}
	out
}

fn block<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// Moves to block `now` with the hook's schedule caught up to it.
fn at_block<T: Config>(now: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(now);
	WakeCursor::<T>::put(now);
}

/// `n` requests waiting for their draw, each by its own requester for its own model served by one operator;
/// with `eligible` false, that operator can not take it.
fn waiting<T: Config>(n: u32, eligible: bool) -> Vec<RequestId> {
	let prompt = vec![1u32; T::MaxPromptTokens::get().min(1024) as usize];
	let mut ids = vec![];
	for i in 0..n {
		let m = model::<T>(1000 + i);
		let ops = operators::<T>(m, 1);
		if !eligible {
			for op in ops.iter() {
				Operators::<T>::mutate(op, |o| {
					if let Some(o) = o {
						o.bond = 0u32.into();
					}
				});
			}
		}
		let requester = account::<T>("requester", i);
		ids.push(Pallet::<T>::do_submit(requester, m, prompt.clone(), 1, 1u32.into()).expect("valid"));
	}
	ids
}

/// A request with the longest prompt, assigned to an operator: returns (id, requester, operator).
fn assigned<T: Config>(model: ModelId) -> (RequestId, T::AccountId, T::AccountId) {
	assigned_by::<T>(model, account::<T>("requester", 0))
}

/// The signer of a benchmarked call: its account is already read and written by the transaction's own
/// extensions (nonce, fee), so the framework does not count it again.
fn signer<T: Config>() -> T::AccountId {
	let who = whitelisted_caller();
	rich::<T>(&who);
	who
}

/// As [`assigned`], asked by `requester`.
fn assigned_by<T: Config>(model: ModelId, requester: T::AccountId) -> (RequestId, T::AccountId, T::AccountId) {
	let prompt = vec![1u32; T::MaxPromptTokens::get().min(1024) as usize];
	let max_new = T::MaxOutputTokens::get().min(1024);
	let id = Pallet::<T>::do_submit(requester.clone(), model, prompt, max_new, 1u32.into()).unwrap_or_default();
	DrawCursor::<T>::put(id + 1);
	let mut r = Requests::<T>::get(id).expect("submitted");
	let _ = Pallet::<T>::assign_or_refund(id, &mut r, block::<T>(), &[3; 32]);
	let operator = match &r.status {
		RequestStatus::Assigned { operator, .. } => operator.clone(),
		_ => requester.clone(),
	};
	Requests::<T>::insert(id, r);
	(id, requester, operator)
}

/// Fills the schedule list of block `at` with placeholders up to one short of full.
fn crowd_schedule<T: Config>(at: BlockNumberFor<T>) {
	let room = T::MaxScheduledPerBlock::get().saturating_sub(1 + Schedule::<T>::decode_len(at).unwrap_or(0) as u32);
	Schedule::<T>::mutate(at, |l| {
		for i in 0..room {
			let _ = l.try_insert(0, u64::MAX - i as u64);
		}
	});
}

fn remove_placeholders<T: Config>() {
	let blocks: Vec<_> = Schedule::<T>::iter_keys().collect();
	for b in blocks {
		Schedule::<T>::mutate_exists(b, |l| {
			if let Some(v) = l {
				v.retain(|id| *id < u64::MAX - 100_000);
				if v.is_empty() {
					*l = None;
				}
			}
		});
	}
}

/// For the dispute pallet's benchmarks: see `ResultDisputes::bench_proposed`.
pub(crate) fn proposed_for_dispute<T: Config>(
	config: Vec<u8>,
	prompt_len: u32,
	max_new: u32,
	steps: u32,
	final_root: impl FnOnce(&Root) -> Root,
) -> Option<RequestId> {
	let owner = account::<T>("dispute-owner", 0);
	let depth = ModelConfig::decode(&mut &config[..]).ok()?.tree_depth();
	let (root, proof) = synthetic_registration(&config, depth, 9);
	let limit = T::MaxOutputTokens::get().min(2047);
	let m = Pallet::<T>::do_register_model(
		owner.clone(),
		b"dispute".to_vec(),
		root,
		config,
		proof,
		limit,
		1u32.into(),
		1u32.into(),
		owner,
	)
	.ok()?;
	operators::<T>(m, 3);
	let prompt = vec![1u32; prompt_len.min(T::MaxPromptTokens::get()) as usize];
	let id = Pallet::<T>::do_submit(account::<T>("dispute-requester", 0), m, prompt, max_new, 1u32.into()).ok()?;
	DrawCursor::<T>::put(id + 1);
	let mut r = Requests::<T>::get(id)?;
	let _ = Pallet::<T>::assign_or_refund(id, &mut r, block::<T>(), &[5; 32]);
	let RequestStatus::Assigned { operator, .. } = r.status.clone() else { return None };
	Requests::<T>::insert(id, r);
	Pallet::<T>::do_propose(&operator, id, vec![1; max_new as usize], final_root(&root), steps).ok()?;
	Some(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model(l: Linear<1, { crate::registration::layers_for_len(T::MaxConfigLen::get() - 12) }>) {
		let owner = account::<T>("owner", 0);
		let cfg = config(l);
		let bytes = cfg.encode();
		let (root, proof) = synthetic_registration(&bytes, cfg.tree_depth(), 1);
		let limit = T::MaxOutputTokens::get().min(2047);
		let revenue = owner.clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), b"a model name".to_vec(), root, bytes, proof, limit, 1u32.into(), 1u32.into(), revenue);
		assert!(ModelByRoot::<T>::contains_key(root));
	}

	#[benchmark]
	fn set_model_fees() {
		let m = model::<T>(1);
		let owner = Models::<T>::get(m).expect("registered").owner;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), m, 5u32.into(), 6u32.into());
	}

	#[benchmark]
	fn retire_model() {
		let m = model::<T>(1);
		let owner = Models::<T>::get(m).expect("registered").owner;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), m);
		assert_eq!(Models::<T>::get(m).map(|m| m.state), Some(ModelState::Retired));
	}

	#[benchmark]
	fn bond() {
		let who = account::<T>("operator", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinOperatorBond::get());
		assert!(Operators::<T>::contains_key(&who));
	}

	#[benchmark]
	fn serve() {
		let m = model::<T>(1);
		operators::<T>(m, T::MaxOperatorsPerModel::get() - 1);
		let who = account::<T>("newcomer", 0);
		Pallet::<T>::do_bond(&who, T::MinOperatorBond::get()).expect("rich");
		for i in 0..T::MaxModelsPerOperator::get() - 1 {
			let other = model::<T>(100 + i);
			Pallet::<T>::do_serve(&who, other).expect("room");
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), m);
		assert!(ModelOperators::<T>::get(m).contains(&who));
	}

	#[benchmark]
	fn stop_serving() {
		let m = model::<T>(1);
		let ops = operators::<T>(m, T::MaxOperatorsPerModel::get());
		let who = ops.last().cloned().expect("at least one");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), m);
		assert!(!ModelOperators::<T>::get(m).contains(&who));
	}

	#[benchmark]
	fn unbond() {
		let who = account::<T>("leaver", 0);
		Pallet::<T>::do_bond(&who, T::MinOperatorBond::get()).expect("rich");
		for i in 0..T::MaxModelsPerOperator::get() {
			let m = model::<T>(200 + i);
			operators::<T>(m, T::MaxOperatorsPerModel::get() - 1);
			Pallet::<T>::do_serve(&who, m).expect("room");
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).map(|o| o.models.is_empty()).unwrap_or(false));
	}

	#[benchmark]
	fn withdraw() {
		let who = account::<T>("leaver", 0);
		Pallet::<T>::do_bond(&who, T::MinOperatorBond::get()).expect("rich");
		Pallet::<T>::unbond(RawOrigin::Signed(who.clone()).into()).expect("bonded");
		let later = block::<T>() + LifecycleParams::<T>::get().unbond_delay;
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Operators::<T>::contains_key(&who));
	}

	#[benchmark]
	fn submit(p: Linear<1, { T::MaxPromptTokens::get() }>) {
		let m = model::<T>(1);
		operators::<T>(m, T::MaxOperatorsPerModel::get());
		let who = signer::<T>();
		let max_new = T::MaxOutputTokens::get().min(2048 - p);
		let id = NextRequestId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), m, vec![1u32; p as usize], max_new, 1u32.into());
		assert!(Requests::<T>::contains_key(id));
	}

	#[benchmark]
	fn cancel() {
		let m = model::<T>(1);
		operators::<T>(m, 1);
		let (id, requester, _) = assigned_by::<T>(m, signer::<T>());
		let wake = Requests::<T>::get(id).and_then(|r| r.wake).expect("scheduled");
		crowd_schedule::<T>(wake);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), id);
		assert!(matches!(Requests::<T>::get(id).map(|r| r.status), Some(RequestStatus::Cancelled { .. })));
		remove_placeholders::<T>();
	}

	#[benchmark]
	fn propose(o: Linear<1, { T::MaxOutputTokens::get().min(1024) }>) {
		let m = model::<T>(1);
		let operator = signer::<T>();
		Pallet::<T>::do_bond(&operator, T::MinOperatorBond::get()).expect("rich");
		Pallet::<T>::do_serve(&operator, m).expect("room");
		let (id, _, assignee) = assigned::<T>(m);
		assert_eq!(assignee, operator);
		let wake = Requests::<T>::get(id).and_then(|r| r.wake).expect("scheduled");
		crowd_schedule::<T>(wake);
		let window_end = block::<T>() + LifecycleParams::<T>::get().challenge_window;
		crowd_schedule::<T>(window_end);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, vec![5u32; o as usize], [9; 32], 1_000_000);
		assert!(Results::<T>::contains_key(id));
		remove_placeholders::<T>();
	}

	#[benchmark]
	fn set_params() {
		let p = Params {
			propose_timeout: 5u32.into(),
			challenge_window: 6u32.into(),
			retention: 7u32.into(),
			unbond_delay: 8u32.into(),
		};
		#[extrinsic_call]
		_(RawOrigin::Root, p);
		assert_eq!(LifecycleParams::<T>::get(), p);
	}

	#[benchmark]
	fn on_initialize_idle() {
		let now = block::<T>() + 1u32.into();
		at_block::<T>(now);
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
	}

	/// `n` waiting requests, each drawn to its own operator (visiting one).
	#[benchmark]
	fn draws(n: Linear<1, { T::MaxQueued::get().min(100) }>) {
		let ids = waiting::<T>(n, true);
		let now = block::<T>() + 1u32.into();
		at_block::<T>(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		for id in ids {
			assert!(matches!(Requests::<T>::get(id).map(|r| r.status), Some(RequestStatus::Assigned { .. })));
		}
	}

	/// `n` waiting requests that nobody can take (visiting one operator each): each is refunded.
	#[benchmark]
	fn draws_refunded(n: Linear<1, { T::MaxQueued::get().min(100) }>) {
		let ids = waiting::<T>(n, false);
		let now = block::<T>() + 1u32.into();
		at_block::<T>(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		for id in ids {
			assert!(matches!(Requests::<T>::get(id).map(|r| r.status), Some(RequestStatus::Refunded { .. })));
		}
	}

	/// One waiting request whose draw visits `c` operators: only the last one visited can take it.
	#[benchmark]
	fn probes(c: Linear<1, { T::MaxOperatorsPerModel::get() }>) {
		let m = model::<T>(1);
		operators::<T>(m, c);
		let requester = account::<T>("requester", 0);
		let prompt = vec![1u32; T::MaxPromptTokens::get().min(1024) as usize];
		let id = Pallet::<T>::do_submit(requester, m, prompt, 1, 1u32.into()).expect("valid");
		make_all_but_last_visited_ineligible::<T>(m, id);
		let now = block::<T>() + 1u32.into();
		at_block::<T>(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		assert!(matches!(Requests::<T>::get(id).map(|r| r.status), Some(RequestStatus::Assigned { .. })));
	}

	#[benchmark]
	fn wake_stale() {
		let now = block::<T>() + 1u32.into();
		at_block::<T>(now);
		Schedule::<T>::insert(now, BoundedVec::truncate_from(vec![u64::MAX]));
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
	}

	#[benchmark]
	fn wake_prune() {
		let m = model::<T>(1);
		operators::<T>(m, 1);
		let (id, _, operator) = assigned::<T>(m);
		let out = vec![5u32; T::MaxOutputTokens::get().min(1024) as usize];
		Pallet::<T>::do_propose(&operator, id, out, [1; 32], 1).expect("assigned");
		let mut r = Requests::<T>::get(id).expect("stored");
		Pallet::<T>::unschedule(id, &mut r);
		r.status = RequestStatus::Cancelled { at: block::<T>() };
		let now = block::<T>() + 1u32.into();
		Pallet::<T>::schedule(id, &mut r, now).expect("room");
		Requests::<T>::insert(id, r);
		at_block::<T>(now);
		#[block]
		{
			Pallet::<T>::process_block(now);
		}
		assert!(!Requests::<T>::contains_key(id));
	}

	/// A missed deadline: penalty, then a new draw over a full list where only the last one visited is eligible.
	#[benchmark]
	fn wake_deadline() {
		let m = model::<T>(1);
		operators::<T>(m, T::MaxOperatorsPerModel::get());
		let (id, _, first) = assigned::<T>(m);
		let wake = Requests::<T>::get(id).and_then(|r| r.wake).expect("scheduled");
		make_all_but_last_visited_ineligible_except::<T>(m, id, &first);
		at_block::<T>(wake);
		#[block]
		{
			Pallet::<T>::process_block(wake);
		}
		let status = Requests::<T>::get(id).map(|r| r.status);
		assert!(matches!(status, Some(RequestStatus::Assigned { ref operator, .. }) if *operator != first));
	}

	/// A result whose window ends: four payments, a refund and the bond's release.
	#[benchmark]
	fn wake_finalize() {
		let m = model::<T>(1);
		operators::<T>(m, 1);
		let (id, _, operator) = assigned::<T>(m);
		Pallet::<T>::do_propose(&operator, id, vec![5u32], [1; 32], 1).expect("assigned");
		let wake = Requests::<T>::get(id).and_then(|r| r.wake).expect("scheduled");
		at_block::<T>(wake);
		#[block]
		{
			Pallet::<T>::process_block(wake);
		}
		assert!(matches!(Requests::<T>::get(id).map(|r| r.status), Some(RequestStatus::Finalized { .. })));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

/// Leaves only one operator of `model` eligible for request `id`: the last one the draw visits.
fn make_all_but_last_visited_ineligible<T: Config>(model: ModelId, id: RequestId) {
	let ops = ModelOperators::<T>::get(model);
	let n = ops.len();
	if n == 0 {
		return;
	}
	let start = Pallet::<T>::draw_start(id, n, &Pallet::<T>::draw_seed());
	let last = (start + n - 1) % n;
	for (i, op) in ops.iter().enumerate() {
		if i != last {
			Operators::<T>::mutate(op, |o| {
				if let Some(o) = o {
					o.bond = 0u32.into();
				}
			});
		}
	}
}

/// As above for a reassignment, where `failed` is skipped as well.
fn make_all_but_last_visited_ineligible_except<T: Config>(model: ModelId, id: RequestId, failed: &T::AccountId) {
	let ops = ModelOperators::<T>::get(model);
	let n = ops.len();
	if n < 2 {
		return;
	}
	let start = Pallet::<T>::draw_start(id, n, &Pallet::<T>::draw_seed());
	// The last visited that is not the failed one.
	let mut last = (start + n - 1) % n;
	if &ops[last] == failed {
		last = (start + n - 2) % n;
	}
	for (i, op) in ops.iter().enumerate() {
		if i != last && op != failed {
			Operators::<T>::mutate(op, |o| {
				if let Some(o) = o {
					o.bond = 0u32.into();
				}
			});
		}
	}
}
