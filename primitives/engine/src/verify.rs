//! `verify_step`: recompute one chunk of one step from Merkle-proven inputs and return the resulting state root.
//!
//! This is the one-step proof of the dispute game, and all of the engine the runtime needs. It runs in WASM:
//! memory bounded by the proof and the model's register file, an error (never a panic) for any input, and a cost
//! bounded by the largest chunk of the model. Which leaves a proof must open is [`program::access`]'s decision,
//! the same function the node proves with.
//!
//! Hashing is most of the cost of a verification (the weight chunks, the Merkle paths); [`verify_step_with`]
//! takes the blake2 implementation, so a runtime can hash through `sp_io`'s host function
//! (`merkle::HostBlake2`, feature `host-hashing`).

use alloc::{collections::BTreeMap, vec::Vec};
use codec::Decode;

use crate::{
	kernels::{Best, HeadPartial},
	merkle::{multiroot_with, Blake2, Hash, MerkleError, PureBlake2},
	model::{ModelConfig, MODEL_CHUNK},
	program::{self, ExecError, Memory, Weights},
	state::{floats, kv_bytes, token_bytes, Layout, Meta, Reg, Registers, StateHeader},
};

pub use crate::proof::{StepProof, TreeWitness};

/// Why a proof was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
	/// The proof's pre-state is not the state whose root the caller trusts.
	PreRootMismatch,
	/// The model configuration in the proof does not decode or is not runnable.
	BadConfig,
	/// A leaf has the wrong size, or a witness has the wrong number of leaves.
	Malformed(&'static str),
	/// A witness does not hash to the root in the header.
	RootMismatch(&'static str),
	/// A Merkle proof is ill-formed.
	Merkle(MerkleError),
	/// The chunk could not be computed.
	Exec(ExecError),
}

impl From<ExecError> for VerifyError {
	fn from(e: ExecError) -> Self {
		VerifyError::Exec(e)
	}
}

impl From<MerkleError> for VerifyError {
	fn from(e: MerkleError) -> Self {
		VerifyError::Merkle(e)
	}
}

/// Sorted union of two sorted index lists.
fn union(a: &[u64], b: &[u64]) -> Vec<u64> {
	let mut v: Vec<u64> = a.iter().chain(b).copied().collect();
	v.sort_unstable();
	v.dedup();
	v
}

/// The leaves of one tree that a proof opens: sorted indices, and for each whether its data is read.
struct Opened {
	indices: Vec<u64>,
	read: Vec<bool>,
}

fn opened(reads: &[u64], writes: &[u64]) -> Opened {
	let indices = union(reads, writes);
	let read = indices.iter().map(|i| reads.binary_search(i).is_ok()).collect();
	Opened { indices, read }
}

/// Checks a witness against `root` and returns the read leaves' data by index and the old hash of every opened
/// leaf. `size(i)` is the required byte size of leaf `i` (`None`: any size).
fn check_tree<H: Blake2>(
	what: &'static str,
	depth: u32,
	root: &Hash,
	o: &Opened,
	w: &TreeWitness,
	size: impl Fn(u64) -> Option<usize>,
) -> Result<(BTreeMap<u64, Vec<u8>>, Vec<(u64, Hash)>), VerifyError> {
	let n_reads = o.read.iter().filter(|r| **r).count();
	if w.reads.len() != n_reads || w.writes.len() != o.indices.len() - n_reads {
		return Err(VerifyError::Malformed(what));
	}
	let mut data = BTreeMap::new();
	let mut hashes = Vec::with_capacity(o.indices.len());
	let (mut r, mut wr) = (0, 0);
	for (k, &i) in o.indices.iter().enumerate() {
		if o.read[k] {
			let d = &w.reads[r];
			r += 1;
			if let Some(s) = size(i) {
				if d.len() != s {
					return Err(VerifyError::Malformed(what));
				}
			}
			hashes.push((i, H::leaf(d)));
			data.insert(i, d.clone());
		} else {
			hashes.push((i, w.writes[wr]));
			wr += 1;
		}
	}
	if o.indices.is_empty() {
		if !w.siblings.is_empty() {
			return Err(VerifyError::Malformed(what));
		}
	} else if multiroot_with::<H>(depth, &hashes, &w.siblings)? != *root {
		return Err(VerifyError::RootMismatch(what));
	}
	Ok((data, hashes))
}

/// A root after replacing some opened leaves' hashes.
fn updated_root<H: Blake2>(
	depth: u32,
	root: &Hash,
	mut hashes: Vec<(u64, Hash)>,
	new: &BTreeMap<u64, Hash>,
	siblings: &[Hash],
) -> Result<Hash, VerifyError> {
	if hashes.is_empty() {
		return Ok(*root);
	}
	for (i, h) in hashes.iter_mut() {
		if let Some(n) = new.get(i) {
			*h = *n;
		}
	}
	Ok(multiroot_with::<H>(depth, &hashes, siblings)?)
}

/// Weight rows from proven chunks.
struct ProvenWeights<'a> {
	cfg: &'a ModelConfig,
	/// (tensor, start byte, bytes from start).
	ranges: Vec<(usize, usize, Vec<u8>)>,
}

impl Weights for ProvenWeights<'_> {
	fn rows(&self, t: usize, r0: usize, r1: usize) -> Result<&[u8], ExecError> {
		let rb = self.cfg.row_bytes(t);
		let (s, e) = (r0 * rb, r1 * rb);
		for (tt, start, bytes) in &self.ranges {
			if *tt == t && *start <= s && e <= start + bytes.len() {
				return Ok(&bytes[s - start..e - start]);
			}
		}
		Err(ExecError::Missing("weights"))
	}
}

/// The verifier's memory: only the proven leaves are readable.
struct ProvenMemory {
	meta: Meta,
	layout: Layout,
	regs: Registers,
	known: Vec<bool>,
	tokens: BTreeMap<u32, u32>,
	kv: BTreeMap<u64, Vec<f32>>,
}

impl ProvenMemory {
	fn known_range(&self, r: core::ops::Range<u64>) -> bool {
		r.clone().all(|i| self.known.get(i as usize).copied().unwrap_or(false))
	}
}

impl Memory for ProvenMemory {
	fn meta(&self) -> &Meta {
		&self.meta
	}
	fn meta_mut(&mut self) -> &mut Meta {
		&mut self.meta
	}
	fn reg(&self, r: Reg) -> Result<&[f32], ExecError> {
		if !self.known_range(self.layout.leaves(r)) {
			return Err(ExecError::Missing("register"));
		}
		Ok(&self.regs.f[r as usize])
	}
	fn reg_leaf(&self, r: Reg, i: usize) -> Result<&[f32], ExecError> {
		let leaf = self.layout.leaves(r).start + i as u64;
		if !self.known_range(leaf..leaf + 1) {
			return Err(ExecError::Missing("register leaf"));
		}
		Ok(&self.regs.f[r as usize][i * 32..(i + 1) * 32])
	}
	fn reg_mut(&mut self, r: Reg) -> &mut [f32] {
		&mut self.regs.f[r as usize]
	}
	fn partial(&self, h: usize) -> Result<HeadPartial, ExecError> {
		let leaf = self.layout.partial_first + h as u64;
		if !self.known_range(leaf..leaf + 1) {
			return Err(ExecError::Missing("attention partial"));
		}
		Ok(self.regs.partial[h].clone())
	}
	fn set_partial(&mut self, h: usize, p: HeadPartial) {
		self.regs.partial[h] = p;
	}
	fn best(&self) -> Result<Best, ExecError> {
		let leaf = self.layout.argmax_leaf;
		if !self.known_range(leaf..leaf + 1) {
			return Err(ExecError::Missing("argmax"));
		}
		Ok(self.regs.best)
	}
	fn set_best(&mut self, b: Best) {
		self.regs.best = b;
	}
	fn token(&self, pos: u32) -> Result<u32, ExecError> {
		self.tokens.get(&pos).copied().ok_or(ExecError::Missing("token"))
	}
	fn set_token(&mut self, pos: u32, t: u32) {
		self.tokens.insert(pos, t);
	}
	fn kv(&self, layer: u32, pos: u32) -> Result<&[f32], ExecError> {
		self.kv.get(&self.layout.kv_leaf(layer, pos)).map(|v| v.as_slice()).ok_or(ExecError::Missing("kv"))
	}
	fn set_kv(&mut self, layer: u32, pos: u32, kv: Vec<f32>) {
		let i = self.layout.kv_leaf(layer, pos);
		self.kv.insert(i, kv);
	}
}

/// Loads proven register leaf `i` (its size already checked) into the register file.
fn load_reg_leaf(l: &Layout, regs: &mut Registers, i: u64, d: &[u8]) -> Result<(), VerifyError> {
	let bad = VerifyError::Malformed("regs");
	let f = floats(d);
	if i < l.partial_first {
		let (r, off) = l.locate(i);
		let dst = regs.f.get_mut(r).and_then(|v| v.get_mut(off..off + f.len())).ok_or(bad)?;
		dst.copy_from_slice(&f);
	} else if i < l.argmax_leaf {
		*regs.partial.get_mut((i - l.partial_first) as usize).ok_or(bad)? = HeadPartial::from_floats(&f);
	} else {
		let (value, index) = (f.first().copied(), d.get(4..).and_then(token_of));
		regs.best = Best { value: value.ok_or(bad.clone())?, index: index.ok_or(bad)? };
	}
	Ok(())
}

/// Recomputes the chunk `proof.header.meta.chunk` of step `proof.header.meta.step` from the proven leaves and
/// returns the state root after it, once it has checked that the proof starts from `pre_root`: the root the
/// caller trusts (in a dispute, the root both sides agreed on). Hashes with [`PureBlake2`]; see
/// [`verify_step_with`].
///
/// A finished run stays where it is: the step after a finished state is that state, so a proof whose header is
/// finished (and hashes to `pre_root`) returns `pre_root`. With this, every run is a sequence of any length, and
/// two claims about the state after `n` steps can be compared whichever of them stopped first.
pub fn verify_step(pre_root: &Hash, proof: &StepProof) -> Result<Hash, VerifyError> {
	verify_step_with::<PureBlake2>(pre_root, proof)
}

/// [`verify_step`] hashing with `H`: every implementation gives the same result, only the cost differs (a runtime
/// passes `merkle::HostBlake2`).
pub fn verify_step_with<H: Blake2>(pre_root: &Hash, proof: &StepProof) -> Result<Hash, VerifyError> {
	let header = &proof.header;
	if header.root_with::<H>() != *pre_root {
		return Err(VerifyError::PreRootMismatch);
	}
	let meta = &header.meta;
	if meta.finished {
		return Ok(*pre_root);
	}
	let cfg_bytes = proof.model.reads.first().ok_or(VerifyError::BadConfig)?;
	let cfg = ModelConfig::decode(&mut &cfg_bytes[..]).map_err(|_| VerifyError::BadConfig)?;
	cfg.validate().map_err(|_| VerifyError::BadConfig)?;
	program::check_meta(&cfg, meta)?;
	let l = Layout::new(&cfg);

	// What the chunk opens. Only an `Embed` step's access depends on data: the token at `meta.pos`, which is its
	// one token leaf, `proof.tokens.reads[0]`. That leaf is proven to be the token at `meta.pos` right below.
	let mut embed_token = None;
	let access = program::access(&cfg, &l, meta, |pos| {
		let t = proof.tokens.reads.first().and_then(|d| token_of(d)).ok_or(ExecError::Missing("token"))?;
		embed_token = Some((pos, t));
		Ok(t)
	})?;

	// Tokens.
	let tok_open = opened(&access.tokens_read, &access.tokens_write);
	let (tok_data, tok_hashes) =
		check_tree::<H>("tokens", l.tokens_depth, &header.tokens, &tok_open, &proof.tokens, |_| Some(4))?;
	let tokens: BTreeMap<u32, u32> =
		tok_data.iter().filter_map(|(i, d)| Some((u32::try_from(*i).ok()?, token_of(d)?))).collect();
	if let Some((pos, t)) = embed_token {
		if tokens.get(&pos) != Some(&t) {
			return Err(VerifyError::Malformed("tokens"));
		}
	}

	// Model: configuration and weight chunks.
	let leaves = access.model_leaves(&cfg);
	let model_open = Opened { read: alloc::vec![true; leaves.len()], indices: leaves };
	let (model_data, _) =
		check_tree::<H>("model", cfg.tree_depth(), &header.model, &model_open, &proof.model, |i| {
			if i == 0 {
				None
			} else {
				Some(MODEL_CHUNK)
			}
		})?;
	let mut ranges = Vec::new();
	for &(t, start, end) in access.model.iter().filter(|(_, s, e)| e > s) {
		let first = cfg.first_leaf(t);
		let c0 = start / MODEL_CHUNK;
		let mut bytes = Vec::with_capacity(end - c0 * MODEL_CHUNK);
		for c in c0..=(end - 1) / MODEL_CHUNK {
			let d = model_data.get(&(first + c as u64)).ok_or(VerifyError::Malformed("model"))?;
			bytes.extend_from_slice(d);
		}
		ranges.push((t, c0 * MODEL_CHUNK, bytes));
	}
	let weights = ProvenWeights { cfg: &cfg, ranges };

	// KV cache and registers.
	let kv_open = opened(&access.kv_read, &access.kv_write);
	let kv_size = 4 * l.kv_leaf_f32;
	let (kv_data, kv_hashes) =
		check_tree::<H>("kv", l.kv_depth, &header.kv, &kv_open, &proof.kv, |_| Some(kv_size))?;
	let regs_open = opened(&access.regs_read, &access.regs_write);
	let (regs_data, regs_hashes) =
		check_tree::<H>("regs", l.regs_depth, &header.regs, &regs_open, &proof.regs, |i| Some(l.leaf_size(i)))?;

	let mut mem = ProvenMemory {
		meta: meta.clone(),
		regs: Registers::zero(&l),
		known: alloc::vec![false; l.n_leaves as usize],
		tokens,
		kv: kv_data.iter().map(|(i, d)| (*i, floats(d))).collect(),
		layout: l.clone(),
	};
	for (i, d) in &regs_data {
		load_reg_leaf(&l, &mut mem.regs, *i, d)?;
		if let Some(k) = mem.known.get_mut(*i as usize) {
			*k = true;
		}
	}

	program::apply_chunk(&cfg, &mut mem, &weights)?;

	// New leaves of everything written.
	let mut new_tokens = BTreeMap::new();
	for &p in &access.tokens_write {
		let t = u32::try_from(p)
			.ok()
			.and_then(|p| mem.tokens.get(&p).copied())
			.ok_or(VerifyError::Exec(ExecError::Missing("token")))?;
		new_tokens.insert(p, H::leaf(&token_bytes(t)));
	}
	let mut new_kv = BTreeMap::new();
	for &i in &access.kv_write {
		let v = mem.kv.get(&i).ok_or(VerifyError::Exec(ExecError::Missing("kv")))?;
		new_kv.insert(i, H::leaf(&kv_bytes(v)));
	}
	let mut new_regs = BTreeMap::new();
	for &i in &access.regs_write {
		new_regs.insert(i, H::leaf(&mem.regs.leaf_bytes(&l, i)));
	}

	let post = StateHeader {
		meta: mem.meta.clone(),
		model: header.model,
		tokens: updated_root::<H>(l.tokens_depth, &header.tokens, tok_hashes, &new_tokens, &proof.tokens.siblings)?,
		kv: updated_root::<H>(l.kv_depth, &header.kv, kv_hashes, &new_kv, &proof.kv.siblings)?,
		regs: updated_root::<H>(l.regs_depth, &header.regs, regs_hashes, &new_regs, &proof.regs.siblings)?,
	};
	Ok(post.root_with::<H>())
}

/// A token id from a 4-byte token leaf.
fn token_of(d: &[u8]) -> Option<u32> {
	Some(u32::from_le_bytes(d.get(..4)?.try_into().ok()?))
}
