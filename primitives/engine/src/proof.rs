//! The one-step proof: what the node sends and the runtime checks. [`program::access`] decides which leaves a
//! chunk opens; this module only says how they travel. The node builds proofs (`trace::Trace::prove`,
//! feature `trace`), the runtime checks them ([`crate::verify::verify_step`]).
//!
//! [`program::access`]: crate::program::access

use alloc::vec::Vec;
use codec::{Decode, Encode};

use crate::{merkle::Hash, state::StateHeader};

/// The opened leaves of one tree: the data of the leaves the chunk reads, the old hashes of the leaves it only
/// writes, and the sibling hashes that connect them to the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, scale_info::TypeInfo)]
pub struct TreeWitness {
	/// Data of the read leaves, in increasing leaf order.
	pub reads: Vec<Vec<u8>>,
	/// Old hashes of the leaves written but not read, in increasing leaf order.
	pub writes: Vec<Hash>,
	/// Siblings, in the order [`crate::merkle::multiroot`] consumes them.
	pub siblings: Vec<Hash>,
}

/// Everything needed to recompute one chunk of one step: the pre-state's header and its opened leaves.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, scale_info::TypeInfo)]
pub struct StepProof {
	/// The state before the chunk; its root is the root the proof starts from.
	pub header: StateHeader,
	/// Model leaves: the configuration (leaf 0) and the weight chunks read.
	pub model: TreeWitness,
	/// Token leaves.
	pub tokens: TreeWitness,
	/// KV-cache leaves.
	pub kv: TreeWitness,
	/// Register leaves.
	pub regs: TreeWitness,
}
