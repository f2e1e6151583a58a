//! The state of a run and its commitment.
//!
//! A state is: the [`Meta`] (where the run is: step, chunk, position, layer, operation, and the request's
//! parameters), the model root, the token sequence, the KV cache, and the registers (the activations the next
//! steps read, plus the running attention and argmax results). Its root is
//! `blake2-256(0x02 ‖ SCALE(StateHeader))`, where the header holds the meta and the roots of the four trees:
//!
//! | tree | leaves | leaf |
//! |---|---|---|
//! | model | configuration, then 1 KiB chunks of each tensor | see [`crate::model`] |
//! | tokens | one per position, `max_seq` | token id, u32 LE |
//! | kv | one per (position, layer), position-major | K then V of all KV heads, f32 LE |
//! | regs | the register leaves below | f32 LE (argmax: value f32, index u32) |
//!
//! Registers, in leaf order: `X` (residual stream), `XN` (normed), `Q`, `K`, `V`, `ATT` (attention output),
//! `G` (FFN gate), `H` (FFN hidden), each in leaves of 32 floats; then one leaf per attention head with its
//! online-softmax partial (`m`, `l`, `acc`), then one leaf with the running argmax.

use alloc::vec::Vec;
use codec::{Decode, Encode};

use crate::{
	kernels::{Best, HeadPartial},
	merkle::{self, depth_for, Hash},
	model::{ModelConfig, LEAF_F32},
};

/// The operation a step performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, codec::DecodeWithMemTracking, scale_info::TypeInfo)]
#[repr(u8)]
pub enum Op {
	/// `X = embedding[token[pos]]`.
	Embed = 0,
	/// `XN = rmsnorm(X) * attn_norm`.
	AttnNorm = 1,
	/// `Q = Wq · XN` (chunks of 32 rows).
	MatQ = 2,
	/// `K = Wk · XN`.
	MatK = 3,
	/// `V = Wv · XN`.
	MatV = 4,
	/// RoPE on `Q` and `K`; the KV leaf of (pos, layer) becomes `rope(K) ‖ V`.
	RopeKv = 5,
	/// `ATT = softmax(Q·K/√d)·V` over positions `0..=pos` (chunks of 16 positions, online softmax).
	Attention = 6,
	/// `X += Wo · ATT`.
	MatOAdd = 7,
	/// `XN = rmsnorm(X) * ffn_norm`.
	FfnNorm = 8,
	/// `G = Wgate · XN`.
	MatGate = 9,
	/// `H = silu(G) * (Wup · XN)`.
	MatUpSwiglu = 10,
	/// `X += Wdown · H`.
	MatDownAdd = 11,
	/// `XN = rmsnorm(X) * output_norm`.
	OutNorm = 12,
	/// Running argmax of `Wout · XN` over the vocabulary (chunks of 32 rows).
	LmHead = 13,
	/// Next position: after the prompt, append the argmax token and stop at end-of-sequence or the limit.
	Next = 14,
}

impl Op {
	/// From its code.
	pub fn from_u8(v: u8) -> Option<Op> {
		use Op::*;
		Some(match v {
			0 => Embed,
			1 => AttnNorm,
			2 => MatQ,
			3 => MatK,
			4 => MatV,
			5 => RopeKv,
			6 => Attention,
			7 => MatOAdd,
			8 => FfnNorm,
			9 => MatGate,
			10 => MatUpSwiglu,
			11 => MatDownAdd,
			12 => OutNorm,
			13 => LmHead,
			14 => Next,
			_ => return None,
		})
	}
}

/// Where a run is, and the request's parameters.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, codec::DecodeWithMemTracking, scale_info::TypeInfo)]
pub struct Meta {
	/// Steps completed.
	pub step: u32,
	/// Chunks of the current step completed (phase-2 progress; 0 between steps).
	pub chunk: u32,
	/// Position of the token being processed.
	pub pos: u32,
	/// Current transformer block.
	pub layer: u32,
	/// Operation of the current step.
	pub op: Op,
	/// Number of prompt tokens.
	pub prompt_len: u32,
	/// Most tokens to generate.
	pub max_new: u32,
	/// Tokens generated so far.
	pub generated: u32,
	/// Whether the run has ended (end-of-sequence produced, or `max_new` reached).
	pub finished: bool,
}

/// What a state root commits to.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, codec::DecodeWithMemTracking, scale_info::TypeInfo)]
pub struct StateHeader {
	/// Where the run is.
	pub meta: Meta,
	/// Model commitment.
	pub model: Hash,
	/// Root of the token tree.
	pub tokens: Hash,
	/// Root of the KV-cache tree.
	pub kv: Hash,
	/// Root of the register tree.
	pub regs: Hash,
}

impl StateHeader {
	/// The state root.
	pub fn root(&self) -> Hash {
		self.root_with::<merkle::PureBlake2>()
	}

	/// The state root, hashed with the blake2 implementation `H`.
	pub fn root_with<H: merkle::Blake2>(&self) -> Hash {
		let mut b = Vec::with_capacity(1 + 200);
		b.push(2u8);
		self.encode_to(&mut b);
		H::hash(&b)
	}
}

/// The f32 registers, in leaf order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Reg {
	X = 0,
	XN = 1,
	Q = 2,
	K = 3,
	V = 4,
	ATT = 5,
	G = 6,
	H = 7,
}

/// Positions per attention chunk.
pub const ATT_BLOCK: u32 = 16;

/// The register layout of a model: lengths, leaf ranges, depths of the trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
	/// Length of each f32 register, in [`Reg`] order.
	pub len: [usize; 8],
	/// First leaf of each f32 register.
	pub first: [u64; 8],
	/// First partial leaf (one per head).
	pub partial_first: u64,
	/// The argmax leaf.
	pub argmax_leaf: u64,
	/// Number of register leaves.
	pub n_leaves: u64,
	/// Heads.
	pub n_head: usize,
	/// Head size.
	pub head_dim: usize,
	/// Depth of the register tree.
	pub regs_depth: u32,
	/// Depth of the token tree.
	pub tokens_depth: u32,
	/// Depth of the KV tree.
	pub kv_depth: u32,
	/// Floats per KV leaf (K and V of all KV heads).
	pub kv_leaf_f32: usize,
	/// Transformer blocks.
	pub n_layer: u32,
}

impl Layout {
	/// The layout for `cfg` (which must be valid).
	pub fn new(cfg: &ModelConfig) -> Layout {
		let e = cfg.n_embd as usize;
		let kv = cfg.kv_dim();
		let ff = cfg.n_ff as usize;
		let len = [e, e, e, kv, kv, e, ff, ff];
		let mut first = [0u64; 8];
		let mut at = 0u64;
		for i in 0..8 {
			first[i] = at;
			at += (len[i] / LEAF_F32) as u64;
		}
		let partial_first = at;
		let argmax_leaf = partial_first + cfg.n_head as u64;
		let n_leaves = argmax_leaf + 1;
		Layout {
			len,
			first,
			partial_first,
			argmax_leaf,
			n_leaves,
			n_head: cfg.n_head as usize,
			head_dim: cfg.head_dim(),
			regs_depth: depth_for(n_leaves),
			tokens_depth: depth_for(cfg.max_seq as u64),
			kv_depth: depth_for(cfg.n_layer as u64 * cfg.max_seq as u64),
			kv_leaf_f32: 2 * kv,
			n_layer: cfg.n_layer,
		}
	}

	/// Leaves of register `r`.
	pub fn leaves(&self, r: Reg) -> core::ops::Range<u64> {
		let i = r as usize;
		self.first[i]..self.first[i] + (self.len[i] / LEAF_F32) as u64
	}

	/// The f32 register holding leaf `i` (`i` below `partial_first`) and the leaf's first float in it.
	pub fn locate(&self, i: u64) -> (usize, usize) {
		let r = (0..8).rev().find(|&r| self.first[r] <= i).unwrap_or(0);
		(r, (i - self.first[r]) as usize * LEAF_F32)
	}

	/// Byte size of register leaf `i`.
	pub fn leaf_size(&self, i: u64) -> usize {
		if i < self.partial_first {
			4 * LEAF_F32
		} else if i < self.argmax_leaf {
			4 * (2 + self.head_dim)
		} else {
			8
		}
	}

	/// Index of the KV leaf of (`pos`, `layer`).
	pub fn kv_leaf(&self, layer: u32, pos: u32) -> u64 {
		pos as u64 * self.n_layer as u64 + layer as u64
	}

	/// How many KV leaves are written in a state with meta `m`: all layers of earlier positions, and the layers
	/// of `m.pos` whose `RopeKv` step has completed.
	pub fn kv_written(&self, m: &Meta) -> u64 {
		let base = m.pos as u64 * self.n_layer as u64;
		let at_pos = match m.op {
			Op::Embed => 0,
			Op::OutNorm | Op::LmHead | Op::Next => self.n_layer as u64,
			op if (op as u8) <= Op::RopeKv as u8 => m.layer as u64,
			_ => m.layer as u64 + 1,
		};
		base + at_pos
	}

	/// How many tokens are written in a state with meta `m`.
	pub fn tokens_written(&self, m: &Meta) -> u64 {
		(m.prompt_len + m.generated) as u64
	}
}

/// The register file: the f32 registers, the attention partials and the argmax.
#[derive(Clone, Debug, PartialEq)]
pub struct Registers {
	/// f32 registers in [`Reg`] order.
	pub f: [Vec<f32>; 8],
	/// Online-softmax state per head.
	pub partial: Vec<HeadPartial>,
	/// Running argmax.
	pub best: Best,
}

impl Registers {
	/// All zero (the initial state).
	pub fn zero(l: &Layout) -> Registers {
		Registers {
			f: core::array::from_fn(|i| alloc::vec![0f32; l.len[i]]),
			partial: (0..l.n_head)
				.map(|_| HeadPartial { m: 0.0, l: 0.0, acc: alloc::vec![0.0; l.head_dim] })
				.collect(),
			best: Best { value: 0.0, index: 0 },
		}
	}

	/// Bytes of register leaf `i`.
	pub fn leaf_bytes(&self, l: &Layout, i: u64) -> Vec<u8> {
		if i < l.partial_first {
			let (r, off) = l.locate(i);
			let mut b = Vec::with_capacity(4 * LEAF_F32);
			for v in &self.f[r][off..off + LEAF_F32] {
				b.extend_from_slice(&v.to_le_bytes());
			}
			b
		} else if i < l.argmax_leaf {
			self.partial[(i - l.partial_first) as usize].to_bytes()
		} else {
			best_bytes(&self.best)
		}
	}

	/// Leaf hashes of every register leaf.
	pub fn leaf_hashes(&self, l: &Layout) -> Vec<Hash> {
		(0..l.n_leaves).map(|i| merkle::leaf_hash(&self.leaf_bytes(l, i))).collect()
	}

	/// Root of the register tree.
	pub fn root(&self, l: &Layout) -> Hash {
		merkle::Tree::from_leaves(l.regs_depth, self.leaf_hashes(l)).root()
	}
}

/// Bytes of the argmax leaf.
pub fn best_bytes(b: &Best) -> Vec<u8> {
	let mut v = Vec::with_capacity(8);
	v.extend_from_slice(&crate::kernels::canon(b.value).to_le_bytes());
	v.extend_from_slice(&b.index.to_le_bytes());
	v
}

/// Bytes of a token leaf.
pub fn token_bytes(t: u32) -> [u8; 4] {
	t.to_le_bytes()
}

/// Bytes of a KV leaf.
pub fn kv_bytes(kv: &[f32]) -> Vec<u8> {
	let mut b = Vec::with_capacity(4 * kv.len());
	for v in kv {
		b.extend_from_slice(&v.to_le_bytes());
	}
	b
}

/// Floats of little-endian bytes.
pub fn floats(b: &[u8]) -> Vec<f32> {
	b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// An inference request: prompt token ids and how many tokens to generate at most.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, scale_info::TypeInfo)]
pub struct Request {
	/// Prompt token ids (the chat template already applied).
	pub prompt: Vec<u32>,
	/// Most tokens to generate (at least 1).
	pub max_new: u32,
}

/// Why a request can not run on a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
	/// No prompt tokens.
	EmptyPrompt,
	/// `max_new` is zero.
	NothingToGenerate,
	/// Prompt plus generated tokens would exceed the model's `max_seq`.
	TooLong {
		/// Prompt length plus `max_new`.
		needed: u64,
		/// The model's limit.
		max_seq: u32,
	},
	/// A token id outside the vocabulary.
	BadToken(u32),
}

impl Request {
	/// Checks the request against the model's configuration.
	pub fn validate(&self, cfg: &ModelConfig) -> Result<(), RequestError> {
		if self.prompt.is_empty() {
			return Err(RequestError::EmptyPrompt);
		}
		if self.max_new == 0 {
			return Err(RequestError::NothingToGenerate);
		}
		let needed = self.prompt.len() as u64 + self.max_new as u64;
		if needed > cfg.max_seq as u64 {
			return Err(RequestError::TooLong { needed, max_seq: cfg.max_seq });
		}
		if let Some(t) = self.prompt.iter().find(|&&t| t >= cfg.n_vocab) {
			return Err(RequestError::BadToken(*t));
		}
		Ok(())
	}

	/// The meta of the initial state.
	pub fn initial_meta(&self) -> Meta {
		Meta {
			step: 0,
			chunk: 0,
			pos: 0,
			layer: 0,
			op: Op::Embed,
			prompt_len: self.prompt.len() as u32,
			max_new: self.max_new,
			generated: 0,
			finished: false,
		}
	}
}

/// The initial state root of `req` on the model with configuration `cfg` and root `model_root`: what the chain
/// computes from a request's bytes, without running anything.
pub fn initial_root(cfg: &ModelConfig, model_root: Hash, req: &Request) -> Result<Hash, RequestError> {
	req.validate(cfg)?;
	let l = Layout::new(cfg);
	let tokens: Vec<Hash> = req.prompt.iter().map(|t| merkle::leaf_hash(&token_bytes(*t))).collect();
	let header = StateHeader {
		meta: req.initial_meta(),
		model: model_root,
		tokens: merkle::Tree::from_leaves(l.tokens_depth, tokens).root(),
		kv: merkle::zero_hash(l.kv_depth),
		regs: Registers::zero(&l).root(&l),
	};
	Ok(header.root())
}
