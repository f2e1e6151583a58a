//! The host function through which an operator's off-chain worker runs inference natively.
//!
//! The runtime (WASM) can not run a 135 M-parameter model at a useful speed, and must not: block execution has to
//! be deterministic and cheap. So the node offers one host function, [`sibyl_inference::infer`], backed by an
//! externalities extension ([`InferenceExt`]) that the node registers **only for off-chain workers**. Anywhere
//! else (block import, block building, RPC calls) the extension is missing and the function answers
//! [`JobState::Unavailable`]: runtime code can not reach the engine during block execution even by mistake.
//!
//! Inference can take longer than a block, and off-chain workers of later blocks run while it does. So the
//! function waits at most the given time: the first call with a [`Job`] starts it on the node's inference threads
//! and answers [`JobState::Done`] if it ends within that time, [`JobState::Running`] otherwise; calls with the
//! same job (from the same or later workers) answer `Running` until it ends, then `Done` with the outcome. A
//! job is identified by its [`Job::key`], so the same request is never run twice at once, however many workers
//! ask.
//!
//! The dispute game needs more of a run than its outcome: the roots at the positions a dissection cuts, the
//! header of an agreed state, a one-step proof, a token's Merkle proof. [`sibyl_inference::trace`] asks those of
//! the same job: the node keeps the run's trace (its checkpoints) while it is used, and runs the job again if it
//! was forgotten or the node restarted, which gives the same bytes. [`answer`] computes every answer from a trace;
//! the node and the pallets' tests share it.

use alloc::vec::Vec;
use codec::{Decode, Encode};
#[cfg(not(substrate_runtime))]
use sp_externalities::ExternalitiesExt;
use sp_runtime_interface::{
	pass_by::{AllocateAndReturnByCodec, PassFatPointerAndDecode},
	runtime_interface,
};

use crate::Root;

/// One inference to run: the prompt's token ids on the model with commitment `model`, at most `max_new` tokens.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Job {
	/// Identifies the job: equal keys mean the same work (the pallet derives it from the request).
	pub key: [u8; 32],
	/// The model's engine commitment.
	pub model: Root,
	/// Prompt token ids.
	pub prompt: Vec<u32>,
	/// Most tokens to generate.
	pub max_new: u32,
}

/// What the engine produced.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Outcome {
	/// Generated token ids.
	pub output: Vec<u32>,
	/// The final state root.
	pub final_root: Root,
	/// Number of steps.
	pub steps: u32,
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum JobState {
	/// No inference here: not in an off-chain worker, or the node runs no engine.
	Unavailable,
	/// The node has no model file with this commitment (its log says what it has).
	ModelMissing,
	/// Queued or running; `generated` tokens so far.
	Running {
		/// Tokens generated so far.
		generated: u32,
	},
	/// Finished.
	Done(Outcome),
	/// The engine refused or failed (e.g. the request does not fit the model); the reason, for logs.
	Failed(Vec<u8>),
}

/// A position in a run: the state after `step` steps and `chunk` chunks of the next step. A step at or past the
/// run's end means its final state (a finished state's next state is itself).
pub type Position = (u32, u32);

/// What an off-chain worker asks of a job's run.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum TraceQuery {
	/// The outcome, to propose it.
	Outcome,
	/// The outcome, to check another operator's result with it. The node verifies a share of the results
	/// (`--verify-share`) and declines the others.
	Verify,
	/// The state roots at these positions, in order.
	Roots(Vec<Position>),
	/// The SCALE-encoded header (`sibyl_engine::StateHeader`) of the state at a position.
	Header(Position),
	/// The one-step proof of the chunk that starts at a position.
	Proof(Position),
	/// The final state's token at a position of the token sequence, with its Merkle siblings.
	Token(u32),
}

/// The node's answer to a [`TraceQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum TraceAnswer {
	/// No inference here: not in an off-chain worker, or the node runs no engine.
	Unavailable,
	/// The node has no model file with this commitment.
	ModelMissing,
	/// The run is queued or running, or the answer is being computed: ask again later.
	Running {
		/// Tokens generated so far.
		generated: u32,
	},
	/// The run failed, or the query does not fit it; the reason, for logs.
	Failed(Vec<u8>),
	/// This node does not verify this job (it is outside the node's share).
	Declined,
	/// The run's outcome.
	Outcome(Outcome),
	/// Roots, one per asked position.
	Roots(Vec<Root>),
	/// An encoded `sibyl_engine::StateHeader`.
	Header(Vec<u8>),
	/// An encoded `sibyl_engine::StepProof`, and the root of the state it proves the chunk leads to.
	Proof {
		/// The encoded proof.
		proof: Vec<u8>,
		/// The post-state root (`verify_step` of the proof, computed by the node).
		post_root: Root,
	},
	/// A token of the final state and its Merkle siblings.
	Token {
		/// The token id.
		token: u32,
		/// Siblings, as `sibyl_engine::merkle::multiroot` takes them.
		siblings: Vec<Root>,
	},
}

/// The node's side: runs jobs. Implemented by the node; tests may register any implementation.
#[cfg(not(substrate_runtime))]
pub trait InferenceRunner: Send + Sync {
	/// Starts `job` if it is new, waits up to `wait_ms` milliseconds for it to end, and reports its state.
	fn infer(&self, job: Job, wait_ms: u32) -> JobState;
	/// Starts `job` if it is new (unless `query` is a verification the node declines), waits up to `wait_ms`
	/// milliseconds in all for the run and the answer, and answers `query` ([`TraceAnswer::Running`] if that
	/// was not enough).
	fn trace(&self, job: Job, query: TraceQuery, wait_ms: u32) -> TraceAnswer;
}

/// What a test network's dishonest operator says instead of the truth (`sibyl-node --dishonest-from-step N`, refused
/// on chains whose spec is not a test spec): every state root from step `from_step` on is replaced by a fake one,
/// and when the final root is fake, the first output token is changed too. Headers and proofs stay true (they
/// could not be faked: the chain hashes them), so a liar loses every game it plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lie {
	/// The first step whose root is a lie.
	pub from_step: u32,
}

impl Lie {
	/// The root the liar claims at a position whose true root is `root`.
	pub fn root(&self, (step, _): Position, steps: u32, root: Root) -> Root {
		if step.min(steps) >= self.from_step {
			<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash_of(&(b"sibyl/dishonest", root)).0
		} else {
			root
		}
	}

	/// The outcome the liar claims for the true `outcome`.
	pub fn outcome(&self, outcome: &Outcome) -> Outcome {
		let mut o = outcome.clone();
		let final_root = self.root((o.steps, 0), o.steps, o.final_root);
		if final_root != o.final_root {
			o.final_root = final_root;
			if let Some(t) = o.output.first_mut() {
				*t = if *t == 0 { 1 } else { *t - 1 };
			}
		}
		o
	}
}

/// Answers `query` from a finished run (the node's side of [`sibyl_inference::trace`]), as a liar if `lie` is set.
/// A position past the run's end is its final state.
#[cfg(feature = "answer")]
pub fn answer(trace: &sibyl_engine::Trace<'_>, query: &TraceQuery, lie: Option<Lie>) -> TraceAnswer {
	use sibyl_engine::trace::TraceError;
	let steps = trace.steps();
	let clamp = |(step, chunk): Position| if step >= steps { (steps, 0) } else { (step, chunk) };
	let failed = |e: TraceError| TraceAnswer::Failed(alloc::format!("{e:?}").into_bytes());
	let outcome = Outcome { output: trace.output.output.clone(), final_root: trace.output.final_root, steps };
	match query {
		TraceQuery::Outcome | TraceQuery::Verify => TraceAnswer::Outcome(match lie {
			Some(l) => l.outcome(&outcome),
			None => outcome,
		}),
		TraceQuery::Roots(positions) => {
			let mut roots = Vec::with_capacity(positions.len());
			for p in positions {
				let p = clamp(*p);
				let root = match trace.root_at(p.0, p.1) {
					Ok(r) => r,
					Err(e) => return failed(e),
				};
				roots.push(match lie {
					Some(l) => l.root(p, steps, root),
					None => root,
				});
			}
			TraceAnswer::Roots(roots)
		},
		TraceQuery::Header(p) => {
			let p = clamp(*p);
			match trace.header_at(p.0, p.1) {
				Ok(h) => TraceAnswer::Header(h.encode()),
				Err(e) => failed(e),
			}
		},
		TraceQuery::Proof(p) => {
			let (step, chunk) = clamp(*p);
			let proof = if step >= steps {
				// A finished state's next state is itself: its proof is its header alone.
				match trace.header_at(steps, 0) {
					Ok(header) => sibyl_engine::StepProof {
						header,
						model: Default::default(),
						tokens: Default::default(),
						kv: Default::default(),
						regs: Default::default(),
					},
					Err(e) => return failed(e),
				}
			} else {
				match trace.prove(step, chunk) {
					Ok(p) => p,
					Err(e) => return failed(e),
				}
			};
			let pre = proof.header.root();
			match sibyl_engine::verify_step(&pre, &proof) {
				Ok(post_root) => TraceAnswer::Proof { proof: proof.encode(), post_root },
				Err(e) => TraceAnswer::Failed(alloc::format!("{e:?}").into_bytes()),
			}
		},
		TraceQuery::Token(position) => match trace.token_proof(*position) {
			Ok((token, siblings)) => TraceAnswer::Token { token, siblings },
			Err(e) => failed(e),
		},
	}
}

#[cfg(not(substrate_runtime))]
sp_externalities::decl_extension! {
	/// The node's inference engine, registered only for off-chain workers.
	pub struct InferenceExt(alloc::sync::Arc<dyn InferenceRunner>);
}

/// Inference for off-chain workers.
#[runtime_interface]
pub trait SibylInference {
	/// Starts `job` if it is new, waits up to `wait_ms` milliseconds for it to end, and reports its state;
	/// [`JobState::Unavailable`] outside off-chain workers.
	fn infer(&mut self, job: PassFatPointerAndDecode<Job>, wait_ms: u32) -> AllocateAndReturnByCodec<JobState> {
		match self.extension::<InferenceExt>() {
			Some(ext) => ext.0.infer(job, wait_ms),
			None => JobState::Unavailable,
		}
	}

	/// Answers `query` about `job`'s run, starting the run if it is new; waits up to `wait_ms` milliseconds;
	/// [`TraceAnswer::Unavailable`] outside off-chain workers.
	fn trace(
		&mut self,
		job: PassFatPointerAndDecode<Job>,
		query: PassFatPointerAndDecode<TraceQuery>,
		wait_ms: u32,
	) -> AllocateAndReturnByCodec<TraceAnswer> {
		match self.extension::<InferenceExt>() {
			Some(ext) => ext.0.trace(job, query, wait_ms),
			None => TraceAnswer::Unavailable,
		}
	}
}
