//! The one-step proof: what the node sends and the runtime checks. [`program::access`] decides which leaves a
//! chunk opens; this module only says how they travel. The node builds proofs (`trace::Trace::prove`,
//! feature `trace`), the runtime checks them ([`crate::verify::verify_step`]).
//!
//! [`program::access`]: crate::program::access

use alloc::vec::Vec;
use codec::{Decode, Encode};

use crate::{
	merkle::Hash,
	model::{ModelConfig, MODEL_CHUNK},
	program,
	state::{Layout, Meta, Op, StateHeader, ATT_BLOCK},
};

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

/// Why a model has no proof-size bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoundError {
	/// The configuration is not runnable.
	BadConfig,
}

/// An upper bound on the SCALE-encoded size of any one-step proof of a model with configuration `cfg`,
/// computed from the configuration alone (the chain calls it at registration to refuse a model whose proofs
/// would not fit in an extrinsic).
///
/// For each operation and each block it takes [`program::access`] of the chunk that opens the most leaves (a
/// matmul's chunks all open the same byte length; attention's fullest chunk after the first reads every KV leaf
/// of its block and the running partials; the output head's chunks after the first read the running argmax), and
/// counts, for each tree: the data of every read leaf, 32 bytes for every leaf only written, `depth` siblings of
/// 32 bytes for every opened leaf (a multiproof never needs more), and every length prefix at its largest. A
/// tensor byte range of `n` bytes is counted as `⌈n / 1024⌉ + 1` model chunks whatever its alignment, and an
/// embedding row at its largest (every row of a tensor has the same length).
///
/// [`program::access`]: crate::program::access
pub fn size_bound(cfg: &ModelConfig) -> Result<u64, BoundError> {
	cfg.validate().map_err(|_| BoundError::BadConfig)?;
	let l = Layout::new(cfg);
	// A compact length prefix of a vector: at most 5 bytes for any length below 2^32.
	const PREFIX: u64 = 5;
	const HASH: u64 = 32;
	let header = StateHeader {
		meta: Meta {
			step: u32::MAX,
			chunk: u32::MAX,
			pos: u32::MAX,
			layer: u32::MAX,
			op: Op::Embed,
			prompt_len: u32::MAX,
			max_new: u32::MAX,
			generated: u32::MAX,
			finished: false,
		},
		model: [0; 32],
		tokens: [0; 32],
		kv: [0; 32],
		regs: [0; 32],
	}
	.encoded_size() as u64;
	// A tree's witness: read leaves of the given sizes, `written` leaves only written, at `depth`.
	let tree = |read_sizes: &mut dyn Iterator<Item = u64>, written: u64, depth: u32| -> u64 {
		let (mut n, mut data) = (0u64, 0u64);
		for s in read_sizes {
			n += 1;
			data += PREFIX + s;
		}
		let opened = n + written;
		3 * PREFIX + data + HASH * written + HASH * opened * depth as u64
	};
	let config_leaf = cfg.leaf_bytes().len() as u64;
	let kv_leaf = 4 * l.kv_leaf_f32 as u64;
	// Leaves only written (a leaf both read and written travels once, as read data).
	let only_written = |reads: &[u64], writes: &[u64]| writes.iter().filter(|i| !reads.contains(i)).count() as u64;

	let max_pos = cfg.max_seq.saturating_sub(1);
	let mut worst = 0u64;
	for op in 0..=14u8 {
		let op = Op::from_u8(op).ok_or(BoundError::BadConfig)?;
		let layers = match op {
			Op::Embed | Op::OutNorm | Op::LmHead | Op::Next => 0..1,
			_ => 0..cfg.n_layer,
		};
		for layer in layers {
			// Attention: the last chunk of a position with at least two full blocks (or the longest there is).
			let pos = match op {
				Op::Attention => max_pos.min(2 * ATT_BLOCK - 1),
				_ => max_pos,
			};
			let mut meta = Meta {
				step: 0,
				chunk: 0,
				pos,
				layer,
				op,
				prompt_len: pos + 1,
				max_new: 1,
				generated: 0,
				finished: false,
			};
			let chunks = program::n_chunks(cfg, &meta);
			meta.chunk = match op {
				Op::Attention => chunks - 1,
				Op::LmHead => chunks.min(2) - 1,
				_ => 0,
			};
			let a = program::access(cfg, &l, &meta, |_| Ok(0)).map_err(|_| BoundError::BadConfig)?;
			// Model: the configuration and the chunks of each range; an embedding row counts at full length.
			let model_chunks: u64 = a
				.model
				.iter()
				.map(|&(_, s, e)| (e.saturating_sub(s) as u64).div_ceil(MODEL_CHUNK as u64) + 1)
				.sum();
			let model = tree(
				&mut core::iter::once(config_leaf)
					.chain(core::iter::repeat(MODEL_CHUNK as u64).take(model_chunks as usize)),
				0,
				cfg.tree_depth(),
			);
			let tokens = tree(
				&mut a.tokens_read.iter().map(|_| 4),
				only_written(&a.tokens_read, &a.tokens_write),
				l.tokens_depth,
			);
			let kv = tree(&mut a.kv_read.iter().map(|_| kv_leaf), only_written(&a.kv_read, &a.kv_write), l.kv_depth);
			let regs = tree(
				&mut a.regs_read.iter().map(|i| l.leaf_size(*i) as u64),
				only_written(&a.regs_read, &a.regs_write),
				l.regs_depth,
			);
			worst = worst.max(header + model + tokens + kv + regs);
		}
	}
	Ok(worst)
}
