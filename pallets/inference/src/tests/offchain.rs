//! The operator's off-chain worker, with the real engine on the tiny model behind the host function: it runs a
//! request once, proposes the engine's exact outcome once, and resends only a dropped proposal.

use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use sibyl_inference_primitives::host::{InferenceExt, InferenceRunner, Job, JobState, Outcome, TraceAnswer, TraceQuery};
use sp_core::offchain::{
	testing::{PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::testing::UintAuthorityId;

use super::*;
use crate::{offchain::RESEND_AFTER, Call};

/// Runs jobs with the real engine on the tiny model, each on its own thread, as the node does, and waits for
/// them as asked; counts runs. While `hold` is set, finished jobs are not reported (a "long" inference).
#[derive(Default)]
struct TinyRunner {
	jobs: Mutex<HashMap<[u8; 32], Option<Outcome>>>,
	runs: AtomicU32,
	hold: std::sync::atomic::AtomicBool,
}

impl TinyRunner {
	fn state(&self, key: &[u8; 32]) -> Option<JobState> {
		let jobs = self.jobs.lock().unwrap();
		Some(match jobs.get(key)? {
			Some(o) if !self.hold.load(Ordering::SeqCst) => JobState::Done(o.clone()),
			_ => JobState::Running { generated: 0 },
		})
	}
}

impl InferenceRunner for TinyRunner {
	fn infer(&self, job: Job, wait_ms: u32) -> JobState {
		if self.state(&job.key).is_none() {
			let (root, _, _) = tiny_registration(1);
			if job.model != root {
				return JobState::ModelMissing;
			}
			self.jobs.lock().unwrap().insert(job.key, None);
			self.runs.fetch_add(1, Ordering::SeqCst);
			let me = RUNNER.with(|r| r.clone());
			let job = job.clone();
			std::thread::spawn(move || {
				let o = engine_outcome(&job.prompt, job.max_new);
				me.jobs.lock().unwrap().insert(job.key, Some(o));
			});
		}
		let start = Instant::now();
		loop {
			let s = self.state(&job.key).unwrap_or(JobState::Running { generated: 0 });
			if !matches!(s, JobState::Running { .. }) || start.elapsed() >= Duration::from_millis(wait_ms as u64) {
				return s;
			}
			std::thread::sleep(Duration::from_millis(5));
		}
	}

	/// The operator's worker asks only for outcomes (the dispute pallet's tests cover the other queries).
	fn trace(&self, job: Job, query: TraceQuery, wait_ms: u32) -> TraceAnswer {
		assert_eq!(query, TraceQuery::Outcome, "the operator's worker asks only for outcomes");
		match self.infer(job, wait_ms) {
			JobState::Done(o) => TraceAnswer::Outcome(o),
			JobState::Running { generated } => TraceAnswer::Running { generated },
			JobState::ModelMissing => TraceAnswer::ModelMissing,
			JobState::Failed(w) => TraceAnswer::Failed(w),
			JobState::Unavailable => TraceAnswer::Unavailable,
		}
	}
}

thread_local! {
	static RUNNER: Arc<TinyRunner> = Arc::new(TinyRunner::default());
}

fn engine_outcome(prompt: &[u32], max_new: u32) -> Outcome {
	let model = sibyl_engine::testing::tiny_model(false, 1);
	let req = sibyl_engine::Request { prompt: prompt.to_vec(), max_new };
	let t = sibyl_engine::run(&model, &req, None, None).expect("the tiny model runs");
	Outcome { output: t.output.output.clone(), final_root: t.output.final_root, steps: t.output.steps }
}

fn wait_done(runner: &TinyRunner) {
	let until = Instant::now() + Duration::from_secs(60);
	while runner.jobs.lock().unwrap().values().any(|o| o.is_none()) {
		assert!(Instant::now() < until, "the engine did not finish");
		std::thread::sleep(Duration::from_millis(10));
	}
	runner.hold.store(false, Ordering::SeqCst);
}

fn proposals(pool: &Arc<parking_lot::RwLock<PoolState>>) -> Vec<(AccountId, Call<Test>)> {
	pool.read()
		.transactions
		.iter()
		.map(|raw| {
			let xt = Extrinsic::decode(&mut &raw[..]).expect("a test extrinsic");
			let who = match xt.preamble {
				sp_runtime::generic::Preamble::Signed(who, _, _) => who,
				_ => panic!("not signed"),
			};
			match xt.function {
				RuntimeCall::Inference(c) => (who, c),
				other => panic!("not a proposal: {other:?}"),
			}
		})
		.collect()
}

fn with_worker_ext(engine: bool, f: impl FnOnce(Arc<parking_lot::RwLock<PoolState>>, Arc<TinyRunner>)) {
	let (offchain, _) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	let mut ext = new_test_ext();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	let runner = RUNNER.with(|r| r.clone());
	if engine {
		ext.register_extension(InferenceExt(runner.clone()));
	}
	ext.execute_with(|| f(pool_state, runner));
}

#[test]
fn the_worker_runs_once_and_proposes_the_engines_outcome_once() {
	with_worker_ext(true, |pool, runner| {
		// This node holds the three operators' keys.
		UintAuthorityId::set_all_keys([OP_A, OP_B, OP_C]);
		let (id, op) = submit_assigned(ALICE, 5, 0);
		let now = System::block_number();
		// The tiny model answers within the worker's wait: the first worker proposes, signed by the assignee.
		Inference::offchain_worker(now);
		let expected = engine_outcome(&prompt(4), 5);
		let sent = proposals(&pool);
		assert_eq!(sent.len(), 1);
		assert_eq!(sent[0].0, op);
		assert_eq!(
			sent[0].1,
			Call::propose {
				request: id,
				output: expected.output.clone(),
				final_root: expected.final_root,
				steps: expected.steps
			}
		);
		// Workers of this and the next blocks send nothing more; the engine ran once.
		Inference::offchain_worker(now);
		next_block();
		Inference::offchain_worker(now + 1);
		assert_eq!(proposals(&pool).len(), 1);
		assert_eq!(runner.runs.load(Ordering::SeqCst), 1);
		// The proposal lands; the result is the engine's.
		let Call::propose { request, output, final_root, steps } = sent[0].1.clone() else { unreachable!() };
		assert_ok!(Inference::propose(RuntimeOrigin::signed(op), request, output, final_root, steps));
		run_to(System::block_number() + WINDOW);
		let r = Inference::result_view(id, true).unwrap();
		assert_eq!((r.output, r.final_root, r.steps), (expected.output, expected.final_root, expected.steps));
	});
}

#[test]
fn a_long_inference_does_not_hold_the_worker_and_a_later_worker_proposes_it() {
	with_worker_ext(true, |pool, runner| {
		UintAuthorityId::set_all_keys([OP_A, OP_B, OP_C]);
		let (id, _) = submit_assigned(ALICE, 5, 0);
		let now = System::block_number();
		// The inference outlasts the worker's wait: the worker returns after MAX_WAIT_MS, with nothing sent.
		runner.hold.store(true, Ordering::SeqCst);
		let started = Instant::now();
		Inference::offchain_worker(now);
		let took = started.elapsed();
		assert!(took >= Duration::from_millis(crate::offchain::MAX_WAIT_MS as u64), "waited {took:?}");
		assert!(took < Duration::from_millis(crate::offchain::MAX_WAIT_MS as u64 + 2_000), "held {took:?}");
		assert!(proposals(&pool).is_empty());
		wait_done(&runner);
		// The next block's worker proposes it, without running it again.
		next_block();
		Inference::offchain_worker(now + 1);
		let sent = proposals(&pool);
		assert_eq!(sent.len(), 1);
		assert!(matches!(sent[0].1, Call::propose { request, .. } if request == id));
		assert_eq!(runner.runs.load(Ordering::SeqCst), 1);
	});
}

#[test]
fn a_dropped_proposal_is_sent_again_without_running_again() {
	with_worker_ext(true, |pool, runner| {
		UintAuthorityId::set_all_keys([OP_A, OP_B, OP_C]);
		let runs = runner.runs.load(Ordering::SeqCst);
		// A deadline far enough to resend before it.
		crate::LifecycleParams::<Test>::mutate(|p| p.propose_timeout = 4 * RESEND_AFTER as u64);
		let (id, _) = submit_assigned(ALICE, 3, 0);
		let now = System::block_number();
		Inference::offchain_worker(now);
		assert_eq!(proposals(&pool).len(), 1);
		// The transaction is dropped (never included). Before RESEND_AFTER blocks nothing is sent again ...
		pool.write().transactions.clear();
		for b in 1..RESEND_AFTER as u64 {
			Inference::offchain_worker(now + b);
		}
		assert!(proposals(&pool).is_empty());
		// ... then it is, from the stored outcome: the engine does not run again.
		assert!(System::block_number() + (RESEND_AFTER as u64) < 4 * RESEND_AFTER as u64);
		Inference::offchain_worker(now + RESEND_AFTER as u64);
		let sent = proposals(&pool);
		assert_eq!(sent.len(), 1);
		assert!(matches!(sent[0].1, Call::propose { request, .. } if request == id));
		assert_eq!(runner.runs.load(Ordering::SeqCst), runs + 1);
	});
}

#[test]
fn without_the_engine_or_a_key_nothing_is_sent() {
	with_worker_ext(false, |pool, _| {
		UintAuthorityId::set_all_keys([OP_A, OP_B, OP_C]);
		let _ = submit_assigned(ALICE, 3, 0);
		Inference::offchain_worker(System::block_number());
		assert!(proposals(&pool).is_empty());
	});
	with_worker_ext(true, |pool, runner| {
		// Keys of accounts that are not operators.
		UintAuthorityId::set_all_keys([ALICE, BOB]);
		let runs = runner.runs.load(Ordering::SeqCst);
		let _ = submit_assigned(ALICE, 3, 0);
		Inference::offchain_worker(System::block_number());
		assert!(proposals(&pool).is_empty());
		assert_eq!(runner.runs.load(Ordering::SeqCst), runs);
	});
}

#[test]
fn the_host_function_is_unavailable_outside_workers() {
	new_test_ext().execute_with(|| {
		let job = Job { key: [0; 32], model: [0; 32], prompt: vec![1], max_new: 1 };
		assert_eq!(sibyl_inference_primitives::host::sibyl_inference::infer(job, 100), JobState::Unavailable);
	});
}

#[test]
fn outcomes_and_markers_are_removed_after_the_deadline() {
	with_worker_ext(true, |pool, _| {
		use crate::offchain::{job_key, outcome_key, sent_key, KEEP_AFTER_DEADLINE};
		use sp_core::offchain::StorageKind;
		UintAuthorityId::set_all_keys([OP_A, OP_B, OP_C]);
		let (id, op) = submit_assigned(ALICE, 5, 0);
		let now = System::block_number();
		let RequestStatus::Assigned { deadline, .. } = status(id) else { panic!("assigned") };
		Inference::offchain_worker(now);
		assert_eq!(proposals(&pool).len(), 1);
		let root = crate::Models::<Test>::get(0).unwrap().root;
		let outcome = outcome_key(&job_key(id, &root, &prompt(4), 5));
		let sent = sent_key(id, &op);
		let stored = |key: &[u8]| sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, key).is_some();
		assert!(stored(&outcome) && stored(&sent));
		// Kept until KEEP_AFTER_DEADLINE blocks after the deadline ...
		let forget_at = deadline + KEEP_AFTER_DEADLINE as u64;
		for b in now + 1..forget_at {
			Inference::offchain_worker(b);
		}
		assert!(stored(&outcome) && stored(&sent));
		// ... then removed by the worker of that block.
		Inference::offchain_worker(forget_at);
		assert!(!stored(&outcome) && !stored(&sent));
	});
}

/// The signer and nonce of every transaction in the pool, in the order sent.
fn nonces(pool: &Arc<parking_lot::RwLock<PoolState>>) -> Vec<(AccountId, u32)> {
	pool.read()
		.transactions
		.iter()
		.map(|raw| match Extrinsic::decode(&mut &raw[..]).expect("a test extrinsic").preamble {
			sp_runtime::generic::Preamble::Signed(who, _, frame_system::CheckNonce(nonce)) => (who, nonce),
			_ => panic!("not signed"),
		})
		.collect()
}

#[test]
fn overlapping_workers_never_sign_two_transactions_with_one_nonce() {
	with_worker_ext(true, |pool, _| {
		UintAuthorityId::set_all_keys([OP_A]);
		// Only OP_A serves, so both requests are its.
		for op in [OP_B, OP_C] {
			assert_ok!(Inference::stop_serving(RuntimeOrigin::signed(op), 0));
		}
		let (first, op) = submit_assigned(ALICE, 3, 0);
		assert_eq!(op, OP_A);
		Inference::offchain_worker(System::block_number());
		// The proposal is still in the pool when the next block comes (its author did not include it), so the
		// next block's state still has OP_A's nonce at 0.
		let (second, _) = submit_assigned(ALICE, 4, 0);
		assert_eq!(assignee(second), OP_A);
		assert_eq!(frame_system::Pallet::<Test>::account_nonce(OP_A), 0);
		Inference::offchain_worker(System::block_number());
		let sent = proposals(&pool);
		assert!(matches!(sent[0].1, Call::propose { request, .. } if request == first));
		assert!(matches!(sent[1].1, Call::propose { request, .. } if request == second));
		assert_eq!(nonces(&pool), vec![(OP_A, 0), (OP_A, 1)], "the second follows the one in the pool");
		// The worker's view of the account is left as the block has it.
		assert_eq!(frame_system::Pallet::<Test>::account_nonce(OP_A), 0);
	});
}

#[test]
fn nonces_follow_those_in_flight_until_the_chain_stops_moving() {
	use crate::offchain::{next_nonce, NonceRecord, NONCE_STALE_AFTER};
	let stale = NONCE_STALE_AFTER as u64;
	// Nothing known, or nothing in flight: the chain's nonce.
	assert_eq!(next_nonce(5u32, 10u64, None), (5, NonceRecord { next: 6, chain: 5, since: 10 }));
	let idle = NonceRecord { next: 5, chain: 4, since: 3 };
	assert_eq!(next_nonce(5u32, 10u64, Some(idle)).0, 5);
	// Two in flight (5 and 6) while the chain is at 5: the next is 7, and they have been in flight since 10.
	let flying = NonceRecord { next: 7u32, chain: 5u32, since: 10u64 };
	assert_eq!(next_nonce(5, 12, Some(flying)), (7, NonceRecord { next: 8, chain: 5, since: 10 }));
	// The chain moved to 6 (5 landed): still after those in flight, counted from now.
	assert_eq!(next_nonce(6, 12 + stale, Some(flying)), (7, NonceRecord { next: 8, chain: 6, since: 12 + stale }));
	// The chain has not moved for NONCE_STALE_AFTER blocks: a transaction was dropped; start again from the chain.
	assert_eq!(next_nonce(5, 10 + stale - 1, Some(flying)).0, 7);
	assert_eq!(next_nonce(5, 10 + stale, Some(flying)), (5, NonceRecord { next: 6, chain: 5, since: 10 + stale }));
}
