//! The program: which operation follows which, how many chunks each has, which leaves a chunk reads and
//! writes, and what it computes. [`apply_chunk`] is the one definition of a chunk's semantics; the node runs
//! it (or a faster equivalent, checked by tests) and the verifier runs it on Merkle-proven leaves.

use alloc::vec::Vec;

use crate::{
	kernels::{self, canon, Activations, Best, HeadPartial},
	model::{LayerTensor, ModelConfig, LEAF_F32, MODEL_CHUNK},
	state::{Layout, Meta, Op, Reg, ATT_BLOCK},
};

/// Why a chunk could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecError {
	/// The run has finished: there is no next step.
	Finished,
	/// The chunk read a leaf that was not provided (a verifier's memory holds only proven leaves).
	Missing(&'static str),
	/// A token id outside the vocabulary.
	BadToken(u32),
	/// The meta is not a state any run can reach.
	BadMeta(&'static str),
}

/// Read access to tensor rows.
pub trait Weights {
	/// Bytes of rows `r0..r1` of canonical tensor `t`.
	fn rows(&self, t: usize, r0: usize, r1: usize) -> Result<&[u8], ExecError>;
}

/// The state a chunk reads and writes.
pub trait Memory {
	/// Where the run is.
	fn meta(&self) -> &Meta;
	/// Mutable meta.
	fn meta_mut(&mut self) -> &mut Meta;
	/// Register `r`, whole.
	fn reg(&self, r: Reg) -> Result<&[f32], ExecError>;
	/// Leaf `i` (32 floats) of register `r`.
	fn reg_leaf(&self, r: Reg, i: usize) -> Result<&[f32], ExecError>;
	/// Register `r` for writing.
	fn reg_mut(&mut self, r: Reg) -> &mut [f32];
	/// Attention partial of head `h`.
	fn partial(&self, h: usize) -> Result<HeadPartial, ExecError>;
	/// Sets the attention partial of head `h`.
	fn set_partial(&mut self, h: usize, p: HeadPartial);
	/// The running argmax.
	fn best(&self) -> Result<Best, ExecError>;
	/// Sets the running argmax.
	fn set_best(&mut self, b: Best);
	/// Token at `pos`.
	fn token(&self, pos: u32) -> Result<u32, ExecError>;
	/// Writes the token at `pos`.
	fn set_token(&mut self, pos: u32, t: u32);
	/// KV leaf of (`layer`, `pos`): K then V.
	fn kv(&self, layer: u32, pos: u32) -> Result<&[f32], ExecError>;
	/// Writes the KV leaf of (`layer`, `pos`).
	fn set_kv(&mut self, layer: u32, pos: u32, kv: Vec<f32>);
}

/// Number of chunks of the step a state with meta `m` is at.
pub fn n_chunks(cfg: &ModelConfig, m: &Meta) -> u32 {
	let rows = |n: usize| (n / LEAF_F32) as u32;
	match m.op {
		Op::MatQ | Op::MatOAdd | Op::MatDownAdd => rows(cfg.n_embd as usize),
		Op::MatK | Op::MatV => rows(cfg.kv_dim()),
		Op::MatGate | Op::MatUpSwiglu => rows(cfg.n_ff as usize),
		Op::Attention => (m.pos + 1).div_ceil(ATT_BLOCK),
		Op::LmHead => cfg.n_vocab.div_ceil(LEAF_F32 as u32),
		_ => 1,
	}
}

/// The matrix, input register and output register of a matrix-multiplication step.
pub fn matmul_of(cfg: &ModelConfig, m: &Meta) -> Option<(usize, Reg, Reg)> {
	let t = |lt| cfg.layer_tensor(m.layer, lt);
	Some(match m.op {
		Op::MatQ => (t(LayerTensor::Q), Reg::XN, Reg::Q),
		Op::MatK => (t(LayerTensor::K), Reg::XN, Reg::K),
		Op::MatV => (t(LayerTensor::V), Reg::XN, Reg::V),
		Op::MatOAdd => (t(LayerTensor::O), Reg::ATT, Reg::X),
		Op::MatGate => (t(LayerTensor::Gate), Reg::XN, Reg::G),
		Op::MatUpSwiglu => (t(LayerTensor::Up), Reg::XN, Reg::H),
		Op::MatDownAdd => (t(LayerTensor::Down), Reg::H, Reg::X),
		_ => return None,
	})
}

/// The leaves a chunk reads and writes: what its proof opens, and all that its execution touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
	/// Tensor byte ranges read: (tensor, start, end).
	pub model: Vec<(usize, usize, usize)>,
	/// Token positions read.
	pub tokens_read: Vec<u64>,
	/// Token positions written.
	pub tokens_write: Vec<u64>,
	/// KV leaves read.
	pub kv_read: Vec<u64>,
	/// KV leaves written.
	pub kv_write: Vec<u64>,
	/// Register leaves read.
	pub regs_read: Vec<u64>,
	/// Register leaves written.
	pub regs_write: Vec<u64>,
}

impl Access {
	/// The model-tree leaves covering [`Access::model`], plus leaf 0 (the configuration), sorted.
	pub fn model_leaves(&self, cfg: &ModelConfig) -> Vec<u64> {
		let mut v = alloc::vec![0u64];
		for &(t, start, end) in &self.model {
			if end <= start {
				continue;
			}
			let first = cfg.first_leaf(t);
			for c in start / MODEL_CHUNK..=(end - 1) / MODEL_CHUNK {
				v.push(first + c as u64);
			}
		}
		v.sort_unstable();
		v.dedup();
		v
	}
}

fn range(r: core::ops::Range<u64>) -> Vec<u64> {
	r.collect()
}

/// Which leaves chunk `m.chunk` of the step at `m` reads and writes: the one definition, used by the node to
/// build proofs and by the verifier to check them, and tested to be exactly what [`apply_chunk`] touches.
///
/// An `Embed` step reads the embedding row of the token at `m.pos`, so its access depends on that token:
/// `token(pos)` supplies it (the node from its state, the verifier from the proof's token leaf). No other step
/// calls `token`.
pub fn access(
	cfg: &ModelConfig,
	l: &Layout,
	m: &Meta,
	token: impl FnOnce(u32) -> Result<u32, ExecError>,
) -> Result<Access, ExecError> {
	if m.finished {
		return Err(ExecError::Finished);
	}
	let mut a = Access::default();
	let j = m.chunk as usize;
	let norm = |a: &mut Access, t: usize| {
		a.model.push((t, 0, cfg.row_bytes(t)));
		a.regs_read = range(l.leaves(Reg::X));
		a.regs_write = range(l.leaves(Reg::XN));
	};
	match m.op {
		Op::Embed => {
			a.tokens_read.push(m.pos as u64);
			let tok = token(m.pos)?;
			if tok >= cfg.n_vocab {
				return Err(ExecError::BadToken(tok));
			}
			a.model.push(embed_range(cfg, tok));
			a.regs_write = range(l.leaves(Reg::X));
		},
		Op::AttnNorm => norm(&mut a, cfg.layer_tensor(m.layer, LayerTensor::AttnNorm)),
		Op::FfnNorm => norm(&mut a, cfg.layer_tensor(m.layer, LayerTensor::FfnNorm)),
		Op::OutNorm => norm(&mut a, cfg.out_norm_tensor()),
		Op::MatQ | Op::MatK | Op::MatV | Op::MatOAdd | Op::MatGate | Op::MatUpSwiglu | Op::MatDownAdd => {
			let (t, input, output) = matmul_of(cfg, m).ok_or(ExecError::BadMeta("not a matmul"))?;
			let rb = cfg.row_bytes(t);
			a.model.push((t, j * LEAF_F32 * rb, (j + 1) * LEAF_F32 * rb));
			a.regs_read = range(l.leaves(input));
			let out = l.leaves(output).start + j as u64;
			match m.op {
				Op::MatOAdd | Op::MatDownAdd => a.regs_read.push(out),
				Op::MatUpSwiglu => a.regs_read.push(l.leaves(Reg::G).start + j as u64),
				_ => {},
			}
			a.regs_write.push(out);
		},
		Op::RopeKv => {
			a.regs_read = [range(l.leaves(Reg::Q)), range(l.leaves(Reg::K)), range(l.leaves(Reg::V))].concat();
			a.regs_write = range(l.leaves(Reg::Q));
			a.kv_write.push(l.kv_leaf(m.layer, m.pos));
		},
		Op::Attention => {
			let first = m.chunk * ATT_BLOCK;
			let last = (first + ATT_BLOCK).min(m.pos + 1);
			for p in first..last {
				a.kv_read.push(l.kv_leaf(m.layer, p));
			}
			a.regs_read = range(l.leaves(Reg::Q));
			let partials = l.partial_first..l.partial_first + l.n_head as u64;
			if m.chunk > 0 {
				a.regs_read.extend(partials.clone());
			}
			a.regs_write.extend(partials);
			if m.chunk + 1 == n_chunks(cfg, m) {
				a.regs_write.extend(l.leaves(Reg::ATT));
			}
		},
		Op::LmHead => {
			let t = cfg.output_tensor();
			let rb = cfg.row_bytes(t);
			let r0 = j * LEAF_F32;
			let r1 = ((j + 1) * LEAF_F32).min(cfg.n_vocab as usize);
			a.model.push((t, r0 * rb, r1 * rb));
			a.regs_read = range(l.leaves(Reg::XN));
			if m.chunk > 0 {
				a.regs_read.push(l.argmax_leaf);
			}
			a.regs_write.push(l.argmax_leaf);
		},
		Op::Next =>
			if m.pos + 1 >= m.prompt_len {
				a.regs_read.push(l.argmax_leaf);
				a.tokens_write.push(m.pos as u64 + 1);
			},
	}
	a.regs_read.sort_unstable();
	a.regs_write.sort_unstable();
	Ok(a)
}

/// The embedding row an `Embed` step of `token` reads: (tensor, start byte, end byte).
pub fn embed_range(cfg: &ModelConfig, token: u32) -> (usize, usize, usize) {
	let t = cfg.embd_tensor();
	let rb = cfg.row_bytes(t);
	(t, token as usize * rb, (token as usize + 1) * rb)
}

/// The operation after `op` in the program, updating `m` (layer, position) accordingly.
fn next_op(cfg: &ModelConfig, m: &mut Meta) {
	m.op = match m.op {
		Op::Embed => {
			m.layer = 0;
			Op::AttnNorm
		},
		Op::AttnNorm => Op::MatQ,
		Op::MatQ => Op::MatK,
		Op::MatK => Op::MatV,
		Op::MatV => Op::RopeKv,
		Op::RopeKv => Op::Attention,
		Op::Attention => Op::MatOAdd,
		Op::MatOAdd => Op::FfnNorm,
		Op::FfnNorm => Op::MatGate,
		Op::MatGate => Op::MatUpSwiglu,
		Op::MatUpSwiglu => Op::MatDownAdd,
		Op::MatDownAdd =>
			if m.layer + 1 < cfg.n_layer {
				m.layer += 1;
				Op::AttnNorm
			} else if m.pos + 1 < m.prompt_len {
				Op::Next
			} else {
				Op::OutNorm
			},
		Op::OutNorm => Op::LmHead,
		Op::LmHead => Op::Next,
		Op::Next => {
			m.layer = 0;
			Op::Embed
		},
	};
}

/// Marks chunk `m.chunk` done; after the last chunk, moves to the next step.
pub fn advance(cfg: &ModelConfig, m: &mut Meta) {
	m.chunk += 1;
	if m.chunk >= n_chunks(cfg, m) {
		m.chunk = 0;
		m.step += 1;
		next_op(cfg, m);
	}
}

/// Checks that a meta is one the program can reach for this model (cheap structural checks). The order matters:
/// each check bounds the fields the next one computes with, so no arithmetic on a hostile meta can overflow.
pub fn check_meta(cfg: &ModelConfig, m: &Meta) -> Result<(), ExecError> {
	if m.finished {
		return Err(ExecError::Finished);
	}
	if m.step == u32::MAX {
		return Err(ExecError::BadMeta("step counter exhausted"));
	}
	if m.layer >= cfg.n_layer {
		return Err(ExecError::BadMeta("layer beyond the model"));
	}
	if m.prompt_len == 0 || m.max_new == 0 || m.prompt_len as u64 + m.max_new as u64 > cfg.max_seq as u64 {
		return Err(ExecError::BadMeta("request parameters out of range"));
	}
	// From here on prompt_len + max_new <= max_seq <= 2048.
	if m.generated >= m.max_new || m.pos >= m.prompt_len + m.generated {
		return Err(ExecError::BadMeta("position beyond the tokens"));
	}
	if m.pos + 1 < m.prompt_len && m.generated > 0 {
		return Err(ExecError::BadMeta("generated tokens during the prompt"));
	}
	if matches!(m.op, Op::OutNorm | Op::LmHead) && m.pos + 1 < m.prompt_len {
		return Err(ExecError::BadMeta("output head during the prompt"));
	}
	if m.chunk >= n_chunks(cfg, m) {
		return Err(ExecError::BadMeta("chunk beyond the step"));
	}
	Ok(())
}

/// Rows `r0..r1` of the matrix of a matmul chunk and the rows of its output register.
fn chunk_rows(j: u32, n: usize) -> (usize, usize) {
	let r0 = j as usize * LEAF_F32;
	(r0, (r0 + LEAF_F32).min(n))
}

/// Computes rows `r0..r1` of the matmul step at `m` into `out` (no residual or gating applied).
pub fn matmul_chunk<W: Weights + ?Sized>(
	cfg: &ModelConfig,
	w: &W,
	t: usize,
	input: &[f32],
	r0: usize,
	r1: usize,
	out: &mut [f32],
) -> Result<(), ExecError> {
	let ty = cfg.tensor_types[t];
	let act = Activations::prepare(ty, input);
	let rows = w.rows(t, r0, r1)?;
	kernels::matvec_rows(ty, rows, cfg.row_bytes(t), &act, out);
	Ok(())
}

/// Folds a matmul output row into the output register as the step requires: plain write, residual add, or
/// SwiGLU gating (`g` is the gate value).
#[inline]
pub fn combine(op: Op, old: f32, new: f32, g: f32) -> f32 {
	match op {
		Op::MatOAdd | Op::MatDownAdd => canon(old + new),
		Op::MatUpSwiglu => canon(kernels::silu(g) * new),
		_ => new,
	}
}

/// Runs chunk `m.chunk` of the step at the memory's meta, and advances the meta.
pub fn apply_chunk<M: Memory + ?Sized, W: Weights + ?Sized>(
	cfg: &ModelConfig,
	mem: &mut M,
	w: &W,
) -> Result<(), ExecError> {
	let m = mem.meta().clone();
	check_meta(cfg, &m)?;
	let hd = cfg.head_dim();
	match m.op {
		Op::Embed => {
			let tok = mem.token(m.pos)?;
			if tok >= cfg.n_vocab {
				return Err(ExecError::BadToken(tok));
			}
			let t = cfg.embd_tensor();
			let row = w.rows(t, tok as usize, tok as usize + 1)?;
			kernels::dequant(cfg.tensor_types[t], row, mem.reg_mut(Reg::X));
		},
		Op::AttnNorm | Op::FfnNorm | Op::OutNorm => {
			let t = match m.op {
				Op::AttnNorm => cfg.layer_tensor(m.layer, LayerTensor::AttnNorm),
				Op::FfnNorm => cfg.layer_tensor(m.layer, LayerTensor::FfnNorm),
				_ => cfg.out_norm_tensor(),
			};
			let x = mem.reg(Reg::X)?.to_vec();
			let wrow = w.rows(t, 0, 1)?;
			kernels::rmsnorm(&x, cfg.tensor_types[t], wrow, cfg.rms_eps(), mem.reg_mut(Reg::XN));
		},
		Op::MatQ | Op::MatK | Op::MatV | Op::MatOAdd | Op::MatGate | Op::MatUpSwiglu | Op::MatDownAdd => {
			let (t, input, output) = matmul_of(cfg, &m).ok_or(ExecError::BadMeta("not a matmul"))?;
			let x = mem.reg(input)?.to_vec();
			let (r0, r1) = chunk_rows(m.chunk, cfg.shape(t).0);
			let mut out = alloc::vec![0f32; r1 - r0];
			matmul_chunk(cfg, w, t, &x, r0, r1, &mut out)?;
			let old = match m.op {
				Op::MatOAdd | Op::MatDownAdd => mem.reg_leaf(output, m.chunk as usize)?.to_vec(),
				_ => alloc::vec![0f32; r1 - r0],
			};
			let gate = match m.op {
				Op::MatUpSwiglu => mem.reg_leaf(Reg::G, m.chunk as usize)?.to_vec(),
				_ => alloc::vec![0f32; r1 - r0],
			};
			let dst = &mut mem.reg_mut(output)[r0..r1];
			for i in 0..dst.len() {
				dst[i] = combine(m.op, old[i], out[i], gate[i]);
			}
		},
		Op::RopeKv => {
			let mut q = mem.reg(Reg::Q)?.to_vec();
			let mut k = mem.reg(Reg::K)?.to_vec();
			let v = mem.reg(Reg::V)?.to_vec();
			kernels::rope(&mut q, hd, m.pos, cfg.rope_base());
			kernels::rope(&mut k, hd, m.pos, cfg.rope_base());
			mem.reg_mut(Reg::Q).copy_from_slice(&q);
			k.extend_from_slice(&v);
			mem.set_kv(m.layer, m.pos, k);
		},
		Op::Attention => {
			let q = mem.reg(Reg::Q)?.to_vec();
			let kv_dim = cfg.kv_dim();
			let group = (cfg.n_head / cfg.n_head_kv) as usize;
			let scale = 1.0 / libm::sqrtf(hd as f32);
			let first = m.chunk * ATT_BLOCK;
			let last = (first + ATT_BLOCK).min(m.pos + 1);
			let mut parts = Vec::with_capacity(cfg.n_head as usize);
			for h in 0..cfg.n_head as usize {
				parts.push(if m.chunk == 0 { HeadPartial::new(hd) } else { mem.partial(h)? });
			}
			for p in first..last {
				let leaf = mem.kv(m.layer, p)?;
				for (h, part) in parts.iter_mut().enumerate() {
					let g = h / group;
					let k = &leaf[g * hd..(g + 1) * hd];
					let v = &leaf[kv_dim + g * hd..kv_dim + (g + 1) * hd];
					part.update(&q[h * hd..(h + 1) * hd], k, v, scale);
				}
			}
			let last_chunk = m.chunk + 1 == n_chunks(cfg, &m);
			for (h, part) in parts.into_iter().enumerate() {
				if last_chunk {
					part.finish(&mut mem.reg_mut(Reg::ATT)[h * hd..(h + 1) * hd]);
				}
				mem.set_partial(h, part);
			}
		},
		Op::LmHead => {
			let t = cfg.output_tensor();
			let x = mem.reg(Reg::XN)?.to_vec();
			let (r0, r1) = chunk_rows(m.chunk, cfg.n_vocab as usize);
			let mut logits = alloc::vec![0f32; r1 - r0];
			matmul_chunk(cfg, w, t, &x, r0, r1, &mut logits)?;
			let mut best = if m.chunk == 0 { Best::NONE } else { mem.best()? };
			for (i, v) in logits.iter().enumerate() {
				best.consider(*v, (r0 + i) as u32);
			}
			mem.set_best(best);
		},
		Op::Next =>
			if m.pos + 1 >= m.prompt_len {
				let tok = mem.best()?.index;
				mem.set_token(m.pos + 1, tok);
				let meta = mem.meta_mut();
				meta.generated += 1;
				meta.finished = tok == cfg.eos || meta.generated >= meta.max_new;
			},
	}
	let meta = mem.meta_mut();
	let was_next = meta.op == Op::Next;
	advance(cfg, meta);
	if was_next {
		meta.pos += 1;
	}
	Ok(())
}
