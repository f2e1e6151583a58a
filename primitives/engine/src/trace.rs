//! The node's side (feature `trace`, part of `std`): run a request step by step at full speed, keep what is
//! needed to recompute the state root at any step (a register checkpoint at the start of every position, plus the
//! write-once token and KV trees), and produce the proof of any chunk of any step. The runtime never needs this
//! module: it only verifies ([`crate::verify`]).

use alloc::{borrow::Cow, vec::Vec};

use crate::{
	kernels::{self, Activations, Best, HeadPartial},
	merkle::{leaf_hash, Hash, Tree},
	model::{LayerTensor, Model, LEAF_F32},
	program::{self, apply_chunk, matmul_of, n_chunks, ExecError, Memory, Weights},
	proof::{StepProof, TreeWitness},
	state::{kv_bytes, token_bytes, Layout, Meta, Op, Reg, Registers, Request, RequestError, StateHeader},
};

impl Weights for Model {
	fn rows(&self, t: usize, r0: usize, r1: usize) -> Result<&[u8], ExecError> {
		let rb = self.config.row_bytes(t);
		self.tensor(t).get(r0 * rb..r1 * rb).ok_or(ExecError::Missing("rows beyond the tensor"))
	}
}

/// A full state in memory. The token sequence and the KV cache are write-once, so a replay borrows the final
/// ones of its run instead of copying them.
#[derive(Clone, Debug)]
pub struct NativeState<'a> {
	/// Where the run is.
	pub meta: Meta,
	/// The registers.
	pub regs: Registers,
	/// Token ids by position (`max_seq` long).
	pub tokens: Cow<'a, [u32]>,
	/// KV leaves, position-major, `kv_leaf_f32` floats each.
	pub kv: Cow<'a, [f32]>,
	layout: Layout,
	/// Register values of coming matrix steps, computed with an earlier one (`matmul_ahead`): (step, values). Not
	/// state: they are what those steps will write, and a state built another way starts without them.
	ahead: Vec<(u32, Vec<f32>)>,
}

impl Memory for NativeState<'_> {
	fn meta(&self) -> &Meta {
		&self.meta
	}
	fn meta_mut(&mut self) -> &mut Meta {
		&mut self.meta
	}
	fn reg(&self, r: Reg) -> Result<&[f32], ExecError> {
		Ok(&self.regs.f[r as usize])
	}
	fn reg_leaf(&self, r: Reg, i: usize) -> Result<&[f32], ExecError> {
		self.regs.f[r as usize].get(i * LEAF_F32..(i + 1) * LEAF_F32).ok_or(ExecError::Missing("register leaf"))
	}
	fn reg_mut(&mut self, r: Reg) -> &mut [f32] {
		&mut self.regs.f[r as usize]
	}
	fn partial(&self, h: usize) -> Result<HeadPartial, ExecError> {
		self.regs.partial.get(h).cloned().ok_or(ExecError::Missing("attention partial"))
	}
	fn set_partial(&mut self, h: usize, p: HeadPartial) {
		self.regs.partial[h] = p;
	}
	fn best(&self) -> Result<Best, ExecError> {
		Ok(self.regs.best)
	}
	fn set_best(&mut self, b: Best) {
		self.regs.best = b;
	}
	fn token(&self, pos: u32) -> Result<u32, ExecError> {
		if (pos as u64) < self.layout.tokens_written(&self.meta) {
			self.tokens.get(pos as usize).copied().ok_or(ExecError::Missing("token"))
		} else {
			Err(ExecError::Missing("token not yet written"))
		}
	}
	fn set_token(&mut self, pos: u32, t: u32) {
		if let Cow::Owned(v) = &mut self.tokens {
			v[pos as usize] = t;
		} else {
			debug_assert_eq!(self.tokens[pos as usize], t, "a replay must reproduce the run");
		}
	}
	fn kv(&self, layer: u32, pos: u32) -> Result<&[f32], ExecError> {
		let i = self.layout.kv_leaf(layer, pos);
		if i >= self.layout.kv_written(&self.meta) {
			return Err(ExecError::Missing("kv not yet written"));
		}
		let n = self.layout.kv_leaf_f32;
		self.kv.get(i as usize * n..(i as usize + 1) * n).ok_or(ExecError::Missing("kv"))
	}
	fn set_kv(&mut self, layer: u32, pos: u32, kv: Vec<f32>) {
		let n = self.layout.kv_leaf_f32;
		let i = self.layout.kv_leaf(layer, pos) as usize;
		match &mut self.kv {
			Cow::Owned(v) => {
				if v.len() < (i + 1) * n {
					v.resize((i + 1) * n, 0.0);
				}
				v[i * n..(i + 1) * n].copy_from_slice(&kv);
			},
			Cow::Borrowed(b) => debug_assert_eq!(&b[i * n..(i + 1) * n], &kv[..], "a replay must reproduce the run"),
		}
	}
}

/// Rows per parallel task of a matrix multiplication.
#[cfg(feature = "std")]
const ROWS_PER_TASK: usize = 64;

/// `outs[i][r] = rows[r] of tensors[i] · x` for all rows of each tensor, in one parallel region where the `std`
/// feature allows (the activations are quantized once per tensor type). Every row is computed by the same function
/// as in a chunk, so the result depends neither on the number of threads nor on which matrices go together.
fn matvec_group(model: &Model, tensors: &[usize], x: &[f32], outs: &mut [Vec<f32>]) {
	let cfg = &model.config;
	let mut acts: Vec<(crate::gguf::TensorType, Activations)> = Vec::new();
	for &t in tensors {
		let ty = cfg.tensor_types[t];
		if !acts.iter().any(|(a, _)| *a == ty) {
			acts.push((ty, Activations::prepare(ty, x)));
		}
	}
	let act = |ty| acts.iter().find(|(a, _)| *a == ty).map(|(_, act)| act);
	#[cfg(feature = "std")]
	{
		use rayon::prelude::*;
		let mut tasks: Vec<(usize, usize, &mut [f32])> = Vec::new();
		for (i, o) in outs.iter_mut().enumerate() {
			for (c, chunk) in o.chunks_mut(ROWS_PER_TASK).enumerate() {
				tasks.push((tensors[i], c * ROWS_PER_TASK, chunk));
			}
		}
		tasks.into_par_iter().for_each(|(t, r0, o)| {
			let (ty, rb) = (cfg.tensor_types[t], cfg.row_bytes(t));
			if let Some(a) = act(ty) {
				kernels::matvec_rows(ty, &model.tensor(t)[r0 * rb..(r0 + o.len()) * rb], rb, a, o);
			}
		});
	}
	#[cfg(not(feature = "std"))]
	for (i, o) in outs.iter_mut().enumerate() {
		let t = tensors[i];
		if let Some(a) = act(cfg.tensor_types[t]) {
			kernels::matvec_rows(cfg.tensor_types[t], model.tensor(t), cfg.row_bytes(t), a, o);
		}
	}
}

/// `out[r] = canon(silu(g[r]) * u[r])`, in parallel where `std` allows: SwiGLU's gating, as [`program::combine`]
/// does it for `MatUpSwiglu`.
fn swiglu(g: &[f32], u: &[f32], out: &mut [f32]) {
	let f = |o: &mut [f32], g: &[f32], u: &[f32]| {
		for i in 0..o.len() {
			o[i] = program::combine(Op::MatUpSwiglu, 0.0, u[i], g[i]);
		}
	};
	#[cfg(feature = "std")]
	{
		use rayon::prelude::*;
		out.par_chunks_mut(256)
			.zip(g.par_chunks(256))
			.zip(u.par_chunks(256))
			.for_each(|((o, g), u)| f(o, g, u));
	}
	#[cfg(not(feature = "std"))]
	f(out, g, u);
}

impl<'a> NativeState<'a> {
	/// The initial state of `req` (validated by the caller).
	pub fn initial(model: &Model, req: &Request) -> NativeState<'static> {
		let layout = Layout::new(&model.config);
		let mut tokens = alloc::vec![0u32; model.config.max_seq as usize];
		tokens[..req.prompt.len()].copy_from_slice(&req.prompt);
		NativeState {
			meta: req.initial_meta(),
			regs: Registers::zero(&layout),
			tokens: Cow::Owned(tokens),
			kv: Cow::Owned(Vec::new()),
			layout,
			ahead: Vec::new(),
		}
	}

	/// Runs the current step to its end, all chunks at once: rows of matrix multiplications in parallel,
	/// everything else chunk by chunk. Gives the same bytes as [`apply_chunk`] on every chunk in order.
	pub fn step(&mut self, model: &Model) -> Result<(), ExecError> {
		let cfg = &model.config;
		let m = self.meta.clone();
		program::check_meta(cfg, &m)?;
		// Whole matrix steps in parallel; the rest, and steps a replay stopped in the middle of, chunk by chunk.
		let whole = m.chunk == 0;
		if let Some((t, input, output)) = matmul_of(cfg, &m).filter(|_| whole) {
			let done = self.ahead.iter().position(|a| a.0 == m.step).map(|i| self.ahead.swap_remove(i));
			self.ahead.retain(|a| a.0 > m.step);
			match done {
				// Computed with an earlier step and already combined: the register's new value.
				Some((_, out)) => self.regs.f[output as usize].copy_from_slice(&out),
				None => {
					let out = self.matmul_ahead(model, t, input);
					let gate = if m.op == Op::MatUpSwiglu { self.regs.f[Reg::G as usize].clone() } else { Vec::new() };
					let dst = &mut self.regs.f[output as usize];
					for r in 0..out.len() {
						dst[r] = program::combine(m.op, dst[r], out[r], gate.get(r).copied().unwrap_or(0.0));
					}
				},
			}
			self.meta.chunk = n_chunks(cfg, &m) - 1;
			program::advance(cfg, &mut self.meta);
			return Ok(());
		}
		if m.op == Op::LmHead && whole {
			let t = cfg.output_tensor();
			let x = self.regs.f[Reg::XN as usize].clone();
			let mut logits = [alloc::vec![0f32; cfg.n_vocab as usize]];
			matvec_group(model, &[t], &x, &mut logits);
			let [logits] = logits;
			let mut best = Best::NONE;
			for (i, v) in logits.iter().enumerate() {
				best.consider(*v, i as u32);
			}
			self.regs.best = best;
			self.meta.chunk = n_chunks(cfg, &m) - 1;
			program::advance(cfg, &mut self.meta);
			return Ok(());
		}
		if m.op == Op::Attention && whole {
			self.attention_whole(cfg);
			self.meta.chunk = n_chunks(cfg, &m) - 1;
			program::advance(cfg, &mut self.meta);
			return Ok(());
		}
		while self.meta.step == m.step && !self.meta.finished {
			apply_chunk(cfg, self, model)?;
		}
		Ok(())
	}

	/// A whole attention step, heads in parallel where `std` allows: each head folds positions `0..=pos` into its
	/// online softmax in order, as the step's chunks do one after another (a chunk stores the running state
	/// exactly and the next continues from it), so the partials and the output are the chunks' bytes.
	fn attention_whole(&mut self, cfg: &crate::model::ModelConfig) {
		let m = &self.meta;
		let hd = cfg.head_dim();
		let kv_dim = cfg.kv_dim();
		let group = (cfg.n_head / cfg.n_head_kv) as usize;
		let scale = 1.0 / libm::sqrtf(hd as f32);
		let n = self.layout.kv_leaf_f32;
		let leaves: Vec<&[f32]> = (0..=m.pos)
			.map(|p| {
				let i = self.layout.kv_leaf(m.layer, p) as usize;
				&self.kv[i * n..(i + 1) * n]
			})
			.collect();
		let q = &self.regs.f[Reg::Q as usize];
		let head = |h: usize| {
			let mut part = HeadPartial::new(hd);
			let g = h / group;
			for leaf in &leaves {
				part.update(&q[h * hd..(h + 1) * hd], &leaf[g * hd..(g + 1) * hd], &leaf[kv_dim + g * hd..kv_dim + (g + 1) * hd], scale);
			}
			part
		};
		#[cfg(feature = "std")]
		let parts: Vec<HeadPartial> = {
			use rayon::prelude::*;
			(0..cfg.n_head as usize).into_par_iter().map(head).collect()
		};
		#[cfg(not(feature = "std"))]
		let parts: Vec<HeadPartial> = (0..cfg.n_head as usize).map(head).collect();
		for (h, part) in parts.into_iter().enumerate() {
			part.finish(&mut self.regs.f[Reg::ATT as usize][h * hd..(h + 1) * hd]);
			self.regs.partial[h] = part;
		}
	}

	/// The product of matrix step `m` (tensor `t` times register `input`), computing with it the products of the
	/// steps after it that read the same register before anything writes it: K and V with Q, the up projection with
	/// the gate (K, V and the up projection are then left in `ahead`, and the up projection already gated, since the
	/// gate's product is the `G` its step writes). Values do not change; only how many parallel regions make them.
	/// K and V are plain writes, so what `ahead` holds is each register's new value.
	fn matmul_ahead(&mut self, model: &Model, t: usize, input: Reg) -> Vec<f32> {
		let cfg = &model.config;
		let m = &self.meta;
		let lt = |x| cfg.layer_tensor(m.layer, x);
		let x = &self.regs.f[input as usize];
		let rows = |t: usize| alloc::vec![0f32; cfg.shape(t).0];
		match m.op {
			Op::MatQ => {
				let ts = [t, lt(LayerTensor::K), lt(LayerTensor::V)];
				let mut outs = [rows(ts[0]), rows(ts[1]), rows(ts[2])];
				matvec_group(model, &ts, x, &mut outs);
				let [q, k, v] = outs;
				self.ahead.push((m.step + 1, k));
				self.ahead.push((m.step + 2, v));
				q
			},
			Op::MatGate => {
				let ts = [t, lt(LayerTensor::Up)];
				let mut outs = [rows(ts[0]), rows(ts[1])];
				matvec_group(model, &ts, x, &mut outs);
				let [g, u] = outs;
				let mut h = alloc::vec![0f32; u.len()];
				swiglu(&g, &u, &mut h);
				self.ahead.push((m.step + 1, h));
				g
			},
			_ => {
				let mut outs = [rows(t)];
				matvec_group(model, &[t], x, &mut outs);
				let [out] = outs;
				out
			},
		}
	}

	/// The header of this state, given the run's token and KV trees (prefix views are taken from the meta).
	pub fn header(&self, model: &Model, tokens: &Tree, kv: &Tree) -> StateHeader {
		StateHeader {
			meta: self.meta.clone(),
			model: model.root(),
			tokens: tokens.prefix_root(self.layout.tokens_written(&self.meta)),
			kv: kv.prefix_root(self.layout.kv_written(&self.meta)),
			regs: self.regs.root(&self.layout),
		}
	}
}

/// The result of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
	/// The generated token ids (the end-of-sequence token included if it was produced).
	pub output: Vec<u32>,
	/// The final state root.
	pub final_root: Hash,
	/// Number of steps.
	pub steps: u32,
	/// `(step, root)` every `k` steps, if asked for.
	pub roots: Vec<(u32, Hash)>,
}

/// What a step of a run is: its operation, where, and how many chunks it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepInfo {
	/// Operation.
	pub op: Op,
	/// Transformer block (for block operations).
	pub layer: u32,
	/// Position.
	pub pos: u32,
	/// Number of chunks.
	pub chunks: u32,
}

/// A finished run, with what it takes to recompute any intermediate root and prove any chunk.
pub struct Trace<'m> {
	model: &'m Model,
	layout: Layout,
	/// The final state.
	pub last: NativeState<'static>,
	tokens_tree: Tree,
	kv_tree: Tree,
	/// Register checkpoints at the start of every position (step, meta, registers).
	checkpoints: Vec<(Meta, Registers)>,
	/// Every step's operation, position and chunk count.
	infos: Vec<StepInfo>,
	/// The run's result.
	pub output: RunOutput,
}

/// Progress of a run, for a progress bar: steps done, tokens generated, position.
pub type Progress<'f> = &'f mut dyn FnMut(&Meta);

/// Why a run did not complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
	/// The request does not fit the model.
	Request(RequestError),
	/// A step failed (a bug: every read of a valid request's steps was written before).
	Step {
		/// The step.
		step: u32,
		/// Why.
		error: ExecError,
	},
}

impl From<RequestError> for RunError {
	fn from(e: RequestError) -> Self {
		RunError::Request(e)
	}
}

/// Runs `req` on `model` to its end. `roots_every`: also record the root every that many steps.
///
/// The trace keeps what answers any dissection move quickly: a register checkpoint at the start of every
/// position (a few KiB each), every step's shape, and the write-once token and KV trees, which the final root
/// needs anyway. A root at any step is then a replay of at most one position from its checkpoint.
pub fn run<'m>(
	model: &'m Model,
	req: &Request,
	roots_every: Option<u32>,
	progress: Option<Progress<'_>>,
) -> Result<Trace<'m>, RunError> {
	run_keeping(model, req, roots_every, progress, true)
}

/// The final root and output only: [`run`] without the checkpoints and step shapes (what the cost of keeping
/// them is measured against). The returned trace can not answer for earlier steps.
pub fn run_final_root(model: &Model, req: &Request) -> Result<RunOutput, RunError> {
	Ok(run_keeping(model, req, None, None, false)?.output)
}

fn run_keeping<'m>(
	model: &'m Model,
	req: &Request,
	roots_every: Option<u32>,
	progress: Option<Progress<'_>>,
	keep: bool,
) -> Result<Trace<'m>, RunError> {
	req.validate(&model.config)?;
	let layout = Layout::new(&model.config);
	let mut st = NativeState::initial(model, req);
	let mut tokens_tree = Tree::new(layout.tokens_depth);
	for (i, t) in req.prompt.iter().enumerate() {
		tokens_tree.set(i as u64, leaf_hash(&token_bytes(*t)));
	}
	let mut kv_tree = Tree::new(layout.kv_depth);
	let mut checkpoints = Vec::new();
	let mut infos = Vec::new();
	let mut roots = Vec::new();
	let mut progress = progress;
	while !st.meta.finished {
		if keep && st.meta.op == Op::Embed {
			checkpoints.push((st.meta.clone(), st.regs.clone()));
		}
		if let Some(k) = roots_every {
			if k > 0 && st.meta.step % k == 0 {
				roots.push((st.meta.step, st.header(model, &tokens_tree, &kv_tree).root()));
			}
		}
		let before = st.meta.clone();
		if keep {
			infos.push(StepInfo {
				op: before.op,
				layer: before.layer,
				pos: before.pos,
				chunks: n_chunks(&model.config, &before),
			});
		}
		st.step(model).map_err(|error| RunError::Step { step: before.step, error })?;
		match before.op {
			Op::RopeKv => {
				let i = layout.kv_leaf(before.layer, before.pos);
				let n = layout.kv_leaf_f32;
				kv_tree.set(i, leaf_hash(&kv_bytes(&st.kv[i as usize * n..(i as usize + 1) * n])));
			},
			Op::Next if before.pos + 1 >= before.prompt_len => {
				let p = before.pos + 1;
				tokens_tree.set(p as u64, leaf_hash(&token_bytes(st.tokens[p as usize])));
			},
			_ => {},
		}
		if let Some(f) = progress.as_mut() {
			f(&st.meta);
		}
	}
	let final_root = st.header(model, &tokens_tree, &kv_tree).root();
	if let Some(k) = roots_every {
		if k > 0 && st.meta.step % k == 0 {
			roots.push((st.meta.step, final_root));
		}
	}
	let p = req.prompt.len();
	let output = st.tokens[p..p + st.meta.generated as usize].to_vec();
	let steps = st.meta.step;
	Ok(Trace {
		model,
		layout,
		last: st,
		tokens_tree,
		kv_tree,
		checkpoints,
		infos,
		output: RunOutput { output, final_root, steps, roots },
	})
}

/// Why a trace can not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceError {
	/// The step is beyond the run.
	NoSuchStep(u32),
	/// The chunk is beyond its step.
	NoSuchChunk(u32),
	/// No token at this position in the final state.
	NoSuchPosition(u32),
	/// Replaying failed (a bug: a run's own replay must succeed).
	Replay(ExecError),
}

impl<'m> Trace<'m> {
	/// Number of steps of the run.
	pub fn steps(&self) -> u32 {
		self.output.steps
	}

	/// The state after `step` steps and `chunk` chunks of the next one, replayed from the nearest checkpoint.
	pub fn state_at(&self, step: u32, chunk: u32) -> Result<NativeState<'_>, TraceError> {
		if step > self.steps() || (step == self.steps() && chunk > 0) {
			return Err(TraceError::NoSuchStep(step));
		}
		if step == self.steps() {
			return Ok(NativeState {
				meta: self.last.meta.clone(),
				regs: self.last.regs.clone(),
				tokens: Cow::Borrowed(&self.last.tokens),
				kv: Cow::Borrowed(&self.last.kv),
				layout: self.layout.clone(),
				ahead: Vec::new(),
			});
		}
		let i = self.checkpoints.partition_point(|(m, _)| m.step <= step).saturating_sub(1);
		let (meta, regs) = &self.checkpoints[i];
		let mut st = NativeState {
			meta: meta.clone(),
			regs: regs.clone(),
			tokens: Cow::Borrowed(&self.last.tokens),
			kv: Cow::Borrowed(&self.last.kv),
			layout: self.layout.clone(),
			ahead: Vec::new(),
		};
		while st.meta.step < step {
			st.step(self.model).map_err(TraceError::Replay)?;
		}
		if chunk >= n_chunks(&self.model.config, &st.meta) {
			return Err(TraceError::NoSuchChunk(chunk));
		}
		while st.meta.chunk < chunk {
			apply_chunk(&self.model.config, &mut st, self.model).map_err(TraceError::Replay)?;
		}
		Ok(st)
	}

	/// The state root after `step` steps (and `chunk` chunks of the next step).
	pub fn root_at(&self, step: u32, chunk: u32) -> Result<Hash, TraceError> {
		Ok(self.header_at(step, chunk)?.root())
	}

	/// The state header after `step` steps (and `chunk` chunks of the next step).
	pub fn header_at(&self, step: u32, chunk: u32) -> Result<StateHeader, TraceError> {
		let st = self.state_at(step, chunk)?;
		Ok(st.header(self.model, &self.tokens_tree, &self.kv_tree))
	}

	/// Operation, position and chunk count of step `step` (the step that starts after `step` steps).
	pub fn step_info(&self, step: u32) -> Result<StepInfo, TraceError> {
		self.infos.get(step as usize).copied().ok_or(TraceError::NoSuchStep(step))
	}

	/// Number of chunks of step `step`.
	pub fn chunks_of(&self, step: u32) -> Result<u32, TraceError> {
		Ok(self.step_info(step)?.chunks)
	}

	/// The final state's token at `position` and the Merkle siblings that connect it to the final header's token
	/// root (what the chain's output proof checks).
	pub fn token_proof(&self, position: u32) -> Result<(u32, Vec<Hash>), TraceError> {
		let n = self.layout.tokens_written(&self.last.meta);
		let token = *self.last.tokens.get(position as usize).filter(|_| (position as u64) < n).ok_or(TraceError::NoSuchPosition(position))?;
		Ok((token, self.tokens_tree.multiproof(&[position as u64], n)))
	}

	/// The proof of chunk `chunk` of the step that starts after `step` steps.
	pub fn prove(&self, step: u32, chunk: u32) -> Result<StepProof, TraceError> {
		let st = self.state_at(step, chunk)?;
		let cfg = &self.model.config;
		let l = &self.layout;
		let header = st.header(self.model, &self.tokens_tree, &self.kv_tree);
		let access = program::access(cfg, l, &st.meta, |pos| st.token(pos)).map_err(TraceError::Replay)?;

		let model_idx = access.model_leaves(cfg);
		let model = TreeWitness {
			reads: model_idx.iter().map(|i| self.model.leaf_data(*i)).collect(),
			writes: Vec::new(),
			siblings: self.model.tree().multiproof(&model_idx, u64::MAX),
		};

		let n_tok = l.tokens_written(&st.meta);
		let tokens = witness(
			&self.tokens_tree,
			n_tok,
			&access.tokens_read,
			&access.tokens_write,
			|i| token_bytes(st.tokens[i as usize]).to_vec(),
		);
		let n_kv = l.kv_written(&st.meta);
		let n = l.kv_leaf_f32;
		let kv = witness(&self.kv_tree, n_kv, &access.kv_read, &access.kv_write, |i| {
			kv_bytes(&st.kv[i as usize * n..(i as usize + 1) * n])
		});
		let regs_tree = Tree::from_leaves(l.regs_depth, st.regs.leaf_hashes(l));
		let regs = witness(&regs_tree, u64::MAX, &access.regs_read, &access.regs_write, |i| {
			st.regs.leaf_bytes(l, i)
		});
		Ok(StepProof { header, model, tokens, kv, regs })
	}
}

/// The witness of the leaves `reads` ∪ `writes` of `tree` seen with only its first `n` leaves.
fn witness(tree: &Tree, n: u64, reads: &[u64], writes: &[u64], data: impl Fn(u64) -> Vec<u8>) -> TreeWitness {
	let mut all: Vec<u64> = reads.iter().chain(writes).copied().collect();
	all.sort_unstable();
	all.dedup();
	let mut w = TreeWitness::default();
	for &i in &all {
		if reads.binary_search(&i).is_ok() {
			w.reads.push(data(i));
		} else {
			w.writes.push(if i < n { tree.leaf(i) } else { crate::merkle::EMPTY });
		}
	}
	if !all.is_empty() {
		w.siblings = tree.multiproof(&all, n);
	}
	w
}
