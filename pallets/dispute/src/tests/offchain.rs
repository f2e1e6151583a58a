//! The validators' automatic play, with the real engine on the tiny model behind the host functions: each "node"
//! is a set of local keys and a runner (honest, or lying from a step on, as `--dishonest-from-step` makes the
//! node's runner), and every block each node's off-chain workers run and their transactions are applied. Nothing
//! is played by hand.

use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc, Mutex,
	},
};

use codec::Decode;
use frame_support::traits::Hooks;
use sibyl_engine::{Request, Trace};
use sibyl_inference_primitives::host::{
	answer, InferenceExt, InferenceRunner, Job, JobState, Lie, TraceAnswer, TraceQuery,
};
use sp_core::offchain::{
	testing::{OffchainState, PoolState, TestOffchainExt, TestPersistentOffchainDB, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::{testing::UintAuthorityId, traits::Dispatchable};

use super::*;
use crate::{EndReason, Event, GameStatus, OpenGames, Side};

/// The runner of the node whose workers run now: its traces (forgotten on a "restart"), and whether it lies.
#[derive(Default)]
struct Runner {
	traces: Mutex<HashMap<[u8; 32], Arc<Trace<'static>>>>,
	lie: Mutex<Option<Lie>>,
	runs: AtomicU32,
}

impl Runner {
	fn trace_of(&self, job: &Job) -> Arc<Trace<'static>> {
		let mut traces = self.traces.lock().unwrap();
		traces
			.entry(job.key)
			.or_insert_with(|| {
				self.runs.fetch_add(1, Ordering::SeqCst);
				let req = Request { prompt: job.prompt.clone(), max_new: job.max_new };
				Arc::new(sibyl_engine::run(model(), &req, None, None).expect("the tiny model runs"))
			})
			.clone()
	}
}

impl InferenceRunner for Runner {
	fn infer(&self, job: Job, wait_ms: u32) -> JobState {
		match self.trace(job, TraceQuery::Outcome, wait_ms) {
			TraceAnswer::Outcome(o) => JobState::Done(o),
			a => panic!("no outcome: {a:?}"),
		}
	}

	fn trace(&self, job: Job, query: TraceQuery, _wait_ms: u32) -> TraceAnswer {
		assert_eq!(job.model, model().root(), "the job's model is the registered one");
		let t = self.trace_of(&job);
		answer(&t, &query, *self.lie.lock().unwrap())
	}
}

thread_local! {
	static RUNNER: Arc<Runner> = Arc::new(Runner::default());
}

/// A validator node: its operator key, whether its runner lies, and its own off-chain database.
#[derive(Clone)]
struct Node {
	key: AccountId,
	lie: Option<Lie>,
	db: TestPersistentOffchainDB,
}

fn node(key: AccountId, lie: Option<Lie>) -> Node {
	Node { key, lie, db: Default::default() }
}

thread_local! {
	/// Every game's last state seen by [`run_network`] (ended games are pruned after a while).
	static SEEN: std::cell::RefCell<std::collections::BTreeMap<crate::GameId, crate::GameOf<Test>>> = Default::default();
	static OFFCHAIN: std::cell::RefCell<Option<Arc<parking_lot::RwLock<OffchainState>>>> = Default::default();
}

fn with_nodes(f: impl FnOnce(Arc<parking_lot::RwLock<PoolState>>, Arc<Runner>)) {
	let (offchain, state) = TestOffchainExt::new();
	OFFCHAIN.with(|o| *o.borrow_mut() = Some(state));
	let (pool, pool_state) = TestTransactionPoolExt::new();
	let mut ext = new_test_ext();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	let runner = RUNNER.with(|r| r.clone());
	ext.register_extension(InferenceExt(runner.clone()));
	ext.execute_with(|| f(pool_state, runner));
}

/// Runs `node`'s off-chain workers (the inference pallet's, then this pallet's) for the current block.
///
/// The runner's traces are shared by the nodes (they are the same runs); only the lie differs.
fn run_workers(node: &Node, runner: &Runner) {
	UintAuthorityId::set_all_keys([node.key]);
	OFFCHAIN.with(|o| o.borrow().as_ref().expect("offchain state").write().persistent_storage = node.db.clone());
	*runner.lie.lock().unwrap() = node.lie;
	let now = System::block_number();
	Inference::offchain_worker(now);
	Dispute::offchain_worker(now);
}

/// Applies the pool's transactions as a block would (each must succeed): each signer's in the order of its
/// nonces, each nonce exactly the account's next one, which it then increments. Empties the pool and returns them.
fn apply(pool: &Arc<parking_lot::RwLock<PoolState>>) -> Vec<(AccountId, RuntimeCall)> {
	let mut txs: Vec<Extrinsic> = std::mem::take(&mut pool.write().transactions)
		.into_iter()
		.map(|raw| Extrinsic::decode(&mut &raw[..]).expect("a test extrinsic"))
		.collect();
	let signer = |xt: &Extrinsic| match xt.preamble {
		sp_runtime::generic::Preamble::Signed(who, _, frame_system::CheckNonce(nonce)) => (who, nonce),
		_ => panic!("not signed"),
	};
	let mut applied = vec![];
	while !txs.is_empty() {
		let Some(k) = txs.iter().position(|xt| {
			let (who, nonce) = signer(xt);
			nonce == System::account_nonce(who)
		}) else {
			let left: Vec<_> = txs.iter().map(|xt| (signer(xt), System::account_nonce(signer(xt).0))).collect();
			panic!("transactions whose nonce is not their signer's next ((signer, nonce), next): {left:?}");
		};
		let xt = txs.remove(k);
		let (who, _) = signer(&xt);
		System::inc_account_nonce(who);
		let call = xt.function.clone();
		let r = xt.function.dispatch(RuntimeOrigin::signed(who));
		assert!(r.is_ok(), "{call:?} by {who} failed: {r:?}");
		applied.push((who, call));
	}
	applied
}

/// Every block: each node's workers run (twice, as overlapping workers would), then what they sent is applied and
/// the next block starts. Stops when no game is open and nothing was sent, or after `max` blocks. Returns every
/// transaction sent, with its block.
fn run_network(
	nodes: &[Node],
	pool: &Arc<parking_lot::RwLock<PoolState>>,
	runner: &Runner,
	max: u64,
) -> Vec<(u64, AccountId, RuntimeCall)> {
	run_network_including_every(nodes, pool, runner, max, 1)
}

/// [`run_network`], where only every `every`th block includes the pool's transactions: the others are built
/// without them, so the next blocks' workers run while they are still in the pool.
fn run_network_including_every(
	nodes: &[Node],
	pool: &Arc<parking_lot::RwLock<PoolState>>,
	runner: &Runner,
	max: u64,
	every: u64,
) -> Vec<(u64, AccountId, RuntimeCall)> {
	let mut sent = vec![];
	for _ in 0..max {
		for n in nodes {
			run_workers(n, runner);
			run_workers(n, runner);
		}
		let now = System::block_number();
		let txs = if now % every == 0 || pool.read().transactions.is_empty() { apply(pool) } else { vec![] };
		let quiet = txs.is_empty() && pool.read().transactions.is_empty();
		sent.extend(txs.into_iter().map(|(w, c)| (now, w, c)));
		let open = OpenGames::<Test>::iter().count();
		SEEN.with(|seen| seen.borrow_mut().extend(crate::Games::<Test>::iter()));
		next_block();
		if quiet && open == 0 && sent.iter().any(|(_, _, c)| matches!(c, RuntimeCall::Dispute(_))) {
			break;
		}
	}
	sent
}

/// Submits a request and returns it with its assignee.
fn submit(n_prompt: u32, max_new: u32) -> (u64, AccountId) {
	assert_ok!(Inference::submit(RuntimeOrigin::signed(ALICE), 0, prompt(n_prompt), max_new, 0));
	let id = pallet_inference::NextRequestId::<Test>::get() - 1;
	next_block();
	match pallet_inference::Requests::<Test>::get(id).unwrap().status {
		pallet_inference::lifecycle::RequestStatus::Assigned { operator, .. } => (id, operator),
		s => panic!("not assigned: {s:?}"),
	}
}

fn others(op: AccountId) -> Vec<AccountId> {
	[OP_A, OP_B, OP_C].into_iter().filter(|o| *o != op).collect()
}

fn dispute_calls(sent: &[(u64, AccountId, RuntimeCall)]) -> Vec<(u64, AccountId, crate::Call<Test>)> {
	sent.iter()
		.filter_map(|(b, w, c)| match c {
			RuntimeCall::Dispute(c) => Some((*b, *w, c.clone())),
			_ => None,
		})
		.collect()
}

fn game_of(c: &crate::Call<Test>) -> Option<crate::GameId> {
	use crate::Call::*;
	match c {
		dissect { game, .. } | pick { game, .. } | open_step { game, .. } | prove { game, .. } => Some(*game),
		_ => None,
	}
}

/// Every game seen, by id.
fn seen() -> Vec<(crate::GameId, crate::GameOf<Test>)> {
	SEEN.with(|seen| seen.borrow().clone().into_iter().collect())
}

fn ended() -> Vec<(Option<Side>, EndReason)> {
	seen()
		.into_iter()
		.map(|(_, g)| g)
		.filter_map(|g| match g.status {
			GameStatus::Ended { winner, reason, .. } => Some((winner, reason)),
			GameStatus::Open => None,
		})
		.collect()
}

#[test]
fn a_dishonest_operator_is_challenged_and_loses_to_the_one_step_proof_without_a_hand_on_it() {
	dishonest_operator_loses(1);
}

#[test]
fn the_same_when_blocks_include_the_workers_transactions_only_every_other_block() {
	// The workers of the next block send while the last ones' transactions are still in the pool: their nonces
	// follow those (`apply` refuses a nonce that is not the signer's next).
	dishonest_operator_loses(2);
}

/// A dishonest operator's result, with honest nodes verifying it, where blocks include what the pool holds only
/// every `every`th block.
fn dishonest_operator_loses(every: u64) {
	with_nodes(|pool, runner| {
		let (id, liar) = submit(4, 6);
		let lie = Lie { from_step: 40 };
		let mut nodes = vec![node(liar, Some(lie))];
		nodes.extend(others(liar).into_iter().map(|key| node(key, None)));
		let truth = Player::new(model(), &Request { prompt: prompt(4), max_new: 6 }, None);
		assert!(truth.trace.steps() > 40, "the lie is inside the run");
		let liar_before = total(liar);
		let sent = run_network_including_every(&nodes, &pool, &runner, 240, every);

		// The liar proposed its lie; both honest nodes challenged it, each in its own game.
		let proposals: Vec<_> = sent
			.iter()
			.filter_map(|(_, w, c)| match c {
				RuntimeCall::Inference(pallet_inference::Call::propose { request, final_root, output, .. })
					if *request == id =>
					Some((*w, *final_root, output.clone())),
				_ => None,
			})
			.collect();
		assert_eq!(proposals[0].0, liar);
		assert_ne!(proposals[0].1, truth.trace.output.final_root);
		assert_ne!(proposals[0].2, truth.trace.output.output);
		let calls = dispute_calls(&sent);
		let challengers: Vec<AccountId> = calls
			.iter()
			.filter(|(_, _, c)| matches!(c, crate::Call::challenge { request, .. } if *request == id))
			.map(|(_, w, _)| *w)
			.collect();
		let mut expected = others(liar);
		// The liar also challenged the honest answer that replaced its own, and lost that game too.
		expected.push(liar);
		assert_eq!(challengers, expected, "each honest node challenged the lie once, then the liar the truth");
		let mut against_liar = vec![];
		for (gid, g) in seen() {
			let GameStatus::Ended { winner, reason, .. } = g.status else { panic!("game {gid} still open") };
			if g.proposer == liar {
				against_liar.push((winner, reason));
			} else {
				assert_eq!((g.challenger, winner, reason), (liar, Some(Side::Proposer), EndReason::Proof));
			}
			if reason == EndReason::Proof {
				// One call per move, and the proof: nothing was sent twice (and `apply` saw every call succeed).
				let made = calls.iter().filter(|(_, _, c)| game_of(c) == Some(gid)).count() as u32;
				assert_eq!(made, g.moves + 1, "game {gid}");
			}
		}
		against_liar.sort_by_key(|(_, r)| *r as u8);
		assert_eq!(against_liar, vec![(Some(Side::Challenger), EndReason::Proof), (None, EndReason::Void)]);
		// The liar was slashed; the request was answered again by an honest operator, with the true answer.
		assert!(total(liar) < liar_before - PROPOSER_SLASH, "the liar lost its result bond and the slash");
		let r = pallet_inference::Requests::<Test>::get(id).unwrap();
		assert!(r.failed.contains(&liar));
		let res = pallet_inference::Results::<Test>::get(id).expect("an honest result");
		assert_eq!(res.final_root, truth.trace.output.final_root);
		assert_eq!(res.output.to_vec(), truth.trace.output.output);
		assert!(OpenGames::<Test>::iter().next().is_none());
	});
}

#[test]
fn a_false_challenge_of_an_honest_result_loses() {
	with_nodes(|pool, runner| {
		let (id, op) = submit(3, 5);
		let liar = others(op)[0];
		let nodes = [node(op, None), node(liar, Some(Lie { from_step: 25 }))];
		let (op_before, liar_before) = (total(op), total(liar));
		let sent = run_network(&nodes, &pool, &runner, 120);
		let calls = dispute_calls(&sent);
		assert!(calls.iter().any(|(_, w, c)| *w == liar && matches!(c, crate::Call::challenge { .. })));
		assert_eq!(ended(), vec![(Some(Side::Proposer), EndReason::Proof)]);
		// The liar lost its bond: half to the proposer, half burned; the honest result stands and is final.
		assert_eq!(total(liar), liar_before - CHALLENGE_BOND);
		assert!(total(op) >= op_before + CHALLENGE_BOND / 2);
		run_to(System::block_number() + WINDOW + 1);
		let r = pallet_inference::Requests::<Test>::get(id).unwrap();
		assert!(matches!(r.status, pallet_inference::lifecycle::RequestStatus::Finalized { .. }), "{:?}", r.status);
	});
}

#[test]
fn a_restarted_node_resumes_its_game_and_sends_no_move_twice() {
	with_nodes(|pool, runner| {
		let (_, liar) = submit(4, 6);
		let nodes = [node(liar, Some(Lie { from_step: 30 })), node(others(liar)[0], None)];
		// Play until the game is under way; this block's workers send their move.
		let mut sent = run_network(&nodes, &pool, &runner, 4);
		let g = seen().pop().expect("a game").1;
		assert_eq!(g.status, GameStatus::Open);
		for n in &nodes {
			run_workers(n, &runner);
		}
		let pending = pool.read().transactions.len();
		assert_eq!(pending, 1, "one move is due");
		// The nodes restart: their runs are forgotten (the off-chain storage, on disk, is not). A worker of the same
		// block runs the job again and sends nothing it already sent.
		runner.traces.lock().unwrap().clear();
		let runs = runner.runs.load(Ordering::SeqCst);
		for n in &nodes {
			run_workers(n, &runner);
		}
		assert_eq!(pool.read().transactions.len(), pending, "a move was sent twice");
		apply(&pool);
		next_block();
		sent.extend(run_network(&nodes, &pool, &runner, 120));
		assert!(runner.runs.load(Ordering::SeqCst) > runs, "the job was run again");
		assert_eq!(ended(), vec![(Some(Side::Challenger), EndReason::Proof)]);
	});
}

#[test]
fn a_result_with_the_true_root_and_a_false_output_is_proven_wrong_at_once() {
	with_nodes(|pool, runner| {
		let (id, op) = submit(3, 5);
		let truth = Player::new(model(), &Request { prompt: prompt(3), max_new: 5 }, None);
		let mut output = truth.trace.output.output.clone();
		output[2] = (output[2] + 1) % 80;
		assert_ok!(Inference::propose(
			RuntimeOrigin::signed(op),
			id,
			output,
			truth.trace.output.final_root,
			truth.trace.steps()
		));
		let verifier = node(others(op)[0], None);
		run_workers(&verifier, &runner);
		let sent = apply(&pool);
		assert_eq!(sent.len(), 1);
		assert!(matches!(
			&sent[0].1,
			RuntimeCall::Dispute(crate::Call::prove_output { request, position, .. }) if *request == id && *position == 3 + 2
		));
		assert!(System::events().iter().any(|e| matches!(
			e.event,
			RuntimeEvent::Dispute(Event::OutputProvenWrong { request, prover, .. }) if request == id && prover == verifier.key
		)));
	});
}

#[test]
fn nodes_that_agree_with_a_result_send_nothing() {
	with_nodes(|pool, runner| {
		let (_, op) = submit(3, 4);
		let nodes = [node(op, None), node(others(op)[0], None)];
		let sent = run_network(&nodes, &pool, &runner, 8);
		assert!(dispute_calls(&sent).is_empty(), "{sent:?}");
		assert!(seen().is_empty());
	});
}
