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

/// The node's side: runs jobs. Implemented by the node; tests may register any implementation.
#[cfg(not(substrate_runtime))]
pub trait InferenceRunner: Send + Sync {
	/// Starts `job` if it is new, waits up to `wait_ms` milliseconds for it to end, and reports its state.
	fn infer(&self, job: Job, wait_ms: u32) -> JobState;
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
}
