//! # Sibyl's deterministic inference engine
//!
//! Runs llama-architecture models (GGUF; tensors in F32, F16, Q4_1, Q8_0) as a sequence of **steps**, one graph
//! node each, with a **state root** after every step that commits to everything later steps can read. The node
//! runs whole requests natively and fast; the runtime (WASM) re-executes a single chunk of a single step from
//! Merkle-proven inputs to referee a dispute. Both produce the same bytes: see [`kernels`] for the arithmetic
//! rules that make this so.
//!
//! - [`gguf`]: the file format reader.
//! - [`model`]: configuration, canonical tensor order, and the model commitment (a Merkle root over the
//!   configuration and 1 KiB chunks of every tensor).
//! - [`state`]: what a state holds and how it is committed.
//! - [`program`]: the step sequence, each step's chunks, their reads and writes ([`program::access`], the one
//!   place that decides what a proof opens), and their semantics.
//! - [`proof`]: what a one-step proof carries.
//! - [`verify`] (runtime side): [`verify::verify_step`], and [`verify::verify_step_with`] to choose the blake2
//!   implementation ([`merkle::Blake2`]).
//! - `trace` (node side, feature `trace`): `trace::run` a request, recompute the root at any step,
//!   `trace::Trace::prove` a chunk.
//! - `tokenizer` (`std`): the model's own BPE tokenizer and chat template.
//!
//! ## Features
//! - `std` (default): threads for the node's fast path, the tokenizer, and `trace`.
//! - `trace`: the node's side (runs, checkpoints, proofs), `no_std` too. A runtime leaves it out: it only verifies.
//! - `host-hashing`: `merkle::HostBlake2`, blake2 through `sp_io`'s host function, for a runtime's
//!   [`verify::verify_step_with`].
//!
//! ## Requests carry token ids
//! Tokenization is not a verified step: a request carries the prompt as token ids (the chat template already
//! applied) and a result is the generated token ids, both committed in the state roots; the chain checks
//! everything from the request's bytes to the result's bytes. Text is a view: the model commitment pins the
//! tokenizer ([`model::ModelConfig::tokenizer_hash`]) so every client turns text into the same ids and back.
//!
//! ## Decoding
//! Greedy: the next token is the argmax of the logits, ties to the lowest token id; generation stops after the
//! end-of-sequence token or `max_new` tokens.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod gguf;
pub mod kernels;
pub mod merkle;
pub mod model;
pub mod program;
pub mod proof;
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
pub mod simd;
pub mod state;
#[cfg(feature = "std")]
pub mod testing;
#[cfg(feature = "std")]
pub mod tokenizer;
#[cfg(feature = "trace")]
pub mod trace;
pub mod verify;

pub use merkle::Hash;
pub use model::{Model, ModelConfig, ModelError};
pub use state::{initial_root, Request, StateHeader};
#[cfg(feature = "trace")]
pub use trace::{run, RunError, RunOutput, Trace};
pub use verify::{verify_step, verify_step_with, StepProof, VerifyError};
