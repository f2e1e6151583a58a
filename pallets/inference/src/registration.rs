//! Checking a model's registration: the configuration must be the one its commitment holds.
//!
//! A model root is the Merkle root of a tree whose leaf 0 is the SCALE-encoded engine configuration
//! (`sibyl_engine::ModelConfig`) and whose other leaves are 1 KiB chunks of the tensors. A registration carries
//! the configuration bytes and the siblings of leaf 0; the chain recomputes the root from them. So the limits it
//! enforces on requests (vocabulary, longest sequence) are the model's own, not the registrant's word.

#[cfg(any(test, feature = "runtime-benchmarks"))]
use alloc::vec::Vec;
use codec::{Decode, Encode};
use sibyl_engine::{
	merkle::{multiroot_with, Blake2, HostBlake2},
	ModelConfig,
};

use crate::types::Root;

/// Longest Merkle proof of leaf 0 accepted: trees deeper than this are not supported.
pub const MAX_PROOF_DEPTH: u32 = 48;

/// The most transformer blocks an encoded configuration of `len` bytes can describe (at least 1, at most the
/// engine's 256): its encoding is at least 80 bytes plus 9 per block (one type byte per tensor), so counting
/// blocks as (length − 76) / 9 never counts fewer than there are. Registration weights are benchmarked per block.
pub const fn layers_for_len(len: u32) -> u32 {
	let l = len.saturating_sub(76) / 9;
	if l < 1 {
		1
	} else if l > 256 {
		256
	} else {
		l
	}
}

/// What the chain keeps from a checked configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedConfig {
	/// Vocabulary size.
	pub n_vocab: u32,
	/// Longest sequence, prompt plus output.
	pub max_seq: u32,
	/// The most bytes a one-step proof of the model can take (`sibyl_engine::proof::size_bound`).
	pub proof_bound: u32,
}

/// Why a registration's configuration is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
	/// The bytes are not a SCALE-encoded configuration (or carry trailing bytes).
	Undecodable,
	/// The engine can not run a model of this shape.
	Unsupported,
	/// The proof's length is not the tree's depth, or it does not lead to the root.
	ProofMismatch,
	/// A one-step proof of the model could be longer than a dispute accepts.
	StepProofTooLarge,
}

/// Checks that `config` is leaf 0 of the model tree with root `root`, proven by `proof` (the siblings from leaf
/// to root), that the engine supports it, and that no one-step proof of the model can be longer than
/// `max_step_proof` bytes: a dispute over any of its results can always end with a proof that fits in a
/// transaction.
pub fn check_config(
	root: &Root,
	config: &[u8],
	proof: &[Root],
	max_step_proof: u32,
) -> Result<CheckedConfig, ConfigError> {
	let mut input = config;
	let cfg = ModelConfig::decode(&mut input).map_err(|_| ConfigError::Undecodable)?;
	if !input.is_empty() || cfg.encode().as_slice() != config {
		return Err(ConfigError::Undecodable);
	}
	cfg.validate().map_err(|_| ConfigError::Unsupported)?;
	let bound = sibyl_engine::proof::size_bound(&cfg).map_err(|_| ConfigError::Unsupported)?;
	if bound > max_step_proof as u64 {
		return Err(ConfigError::StepProofTooLarge);
	}
	let depth = cfg.tree_depth();
	if depth > MAX_PROOF_DEPTH || proof.len() != depth as usize {
		return Err(ConfigError::ProofMismatch);
	}
	let leaf = HostBlake2::leaf(config);
	let computed = multiroot_with::<HostBlake2>(depth, &[(0, leaf)], proof).map_err(|_| ConfigError::ProofMismatch)?;
	if &computed != root {
		return Err(ConfigError::ProofMismatch);
	}
	Ok(CheckedConfig { n_vocab: cfg.n_vocab, max_seq: cfg.max_seq, proof_bound: bound as u32 })
}

#[cfg(any(test, feature = "runtime-benchmarks"))]
/// The siblings of leaf 0 in a tree of `depth` whose leaf 0 is `config` and whose root is the returned one, with
/// every other subtree a hash derived from `salt`: a valid registration for tests and benchmarks, without a
/// model file.
pub fn synthetic_registration(config: &[u8], depth: u32, salt: u8) -> (Root, Vec<Root>) {
	let proof: Vec<Root> = (0..depth).map(|level| HostBlake2::hash(&[salt, level as u8])).collect();
	let leaf = HostBlake2::leaf(config);
	let root = multiroot_with::<HostBlake2>(depth, &[(0, leaf)], &proof).unwrap_or_default();
	(root, proof)
}
