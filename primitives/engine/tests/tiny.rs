//! The engine on a tiny generated model: every chunk of every step proves and verifies, a chunk's access set is
//! exactly what it touches, the fast path equals the chunk-by-chunk semantics, results do not depend on thread
//! count, tampering is caught, and the GGUF loader round-trips.

use sibyl_engine::{
	gguf::Gguf,
	initial_root,
	model::{Model, ModelError},
	program::{self, apply_chunk, n_chunks, ExecError, Memory, Weights},
	run,
	state::{Layout, Op, Reg, Request},
	testing::{random_tensors, tiny_config, tiny_model, tiny_request, to_gguf},
	trace::NativeState,
	verify_step, StepProof, VerifyError,
};
use std::{borrow::Cow, cell::RefCell, collections::BTreeSet};

fn request() -> Request {
	// 34 prompt tokens: attention over 33+ positions spans three chunks of 16, within the prompt.
	tiny_request()
}

fn pool(threads: usize) -> rayon::ThreadPool {
	rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

#[test]
fn every_chunk_of_every_step_verifies_to_the_next_root() {
	for tied in [false, true] {
		let model = tiny_model(tied, 7);
		let req = request();
		let trace = run(&model, &req, None, None).expect("valid request");
		assert_eq!(trace.root_at(0, 0).expect("step 0"), initial_root(&model.config, model.root(), &req).unwrap());
		let mut ops = BTreeSet::new();
		let mut chunks_total = 0;
		let bound = sibyl_engine::proof::size_bound(&model.config).expect("a bound");
		let mut largest = 0;
		for step in 0..trace.steps() {
			let n = trace.chunks_of(step).expect("step exists");
			for chunk in 0..n {
				let proof = trace.prove(step, chunk).expect("provable");
				let pre = trace.root_at(step, chunk).unwrap();
				assert_eq!(proof.header.root(), pre, "pre-root at {step}/{chunk}");
				let want = if chunk + 1 < n {
					trace.root_at(step, chunk + 1).unwrap()
				} else {
					trace.root_at(step + 1, 0).unwrap()
				};
				let got = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("step {step} chunk {chunk}: {e:?}"));
				assert_eq!(got, want, "step {step} ({:?}) chunk {chunk}/{n}", proof.header.meta.op);
				ops.insert(proof.header.meta.op as u8);
				chunks_total += 1;
				largest = largest.max(codec::Encode::encoded_size(&proof) as u64);
			}
		}
		assert_eq!(ops.len(), 15, "every operation was proven: {ops:?}");
		assert!(chunks_total > trace.steps(), "phase-2 chunks were proven too");
		// The registration bound holds every proof, and is not loose by more than a few times.
		assert!(largest <= bound && bound < 4 * largest, "largest proof {largest} bytes, bound {bound}");
		assert_eq!(trace.root_at(trace.steps(), 0).unwrap(), trace.output.final_root);
	}
}

#[test]
fn fast_path_equals_chunk_by_chunk_semantics() {
	let model = tiny_model(false, 11);
	let req = request();
	let trace = run(&model, &req, Some(1), None).expect("valid request");
	// Replay from the initial state with nothing but `apply_chunk`, comparing roots at every step.
	let mut st = sibyl_engine::trace::NativeState::initial(&model, &req);
	let mut roots = trace.output.roots.iter();
	let mut step_roots = 0;
	let tokens_tree = |st: &sibyl_engine::trace::NativeState| {
		let l = sibyl_engine::state::Layout::new(&model.config);
		let mut t = sibyl_engine::merkle::Tree::new(l.tokens_depth);
		for p in 0..l.tokens_written(&st.meta) {
			t.set(p, sibyl_engine::merkle::leaf_hash(&st.tokens[p as usize].to_le_bytes()));
		}
		let mut kv = sibyl_engine::merkle::Tree::new(l.kv_depth);
		for i in 0..l.kv_written(&st.meta) {
			let n = l.kv_leaf_f32;
			kv.set(i, sibyl_engine::merkle::leaf_hash(&sibyl_engine::state::kv_bytes(&st.kv[i as usize * n..(i as usize + 1) * n])));
		}
		(t, kv)
	};
	while !st.meta.finished {
		if st.meta.chunk == 0 {
			let (t, kv) = tokens_tree(&st);
			let (step, root) = roots.next().expect("a root per step");
			assert_eq!(*step, st.meta.step);
			assert_eq!(st.header(&model, &t, &kv).root(), *root, "step {step}");
			step_roots += 1;
		}
		apply_chunk(&model.config, &mut st, &model).expect("chunk runs");
	}
	assert_eq!(step_roots, trace.steps());
	let (t, kv) = tokens_tree(&st);
	assert_eq!(st.header(&model, &t, &kv).root(), trace.output.final_root);
	let p = req.prompt.len();
	assert_eq!(&st.tokens[p..p + trace.output.output.len()], &trace.output.output[..]);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
	let model = tiny_model(true, 3);
	let req = request();
	let one = pool(1).install(|| run(&model, &req, Some(5), None).unwrap().output);
	let two = pool(2).install(|| run(&model, &req, Some(5), None).unwrap().output);
	let four = pool(4).install(|| run(&model, &req, Some(5), None).unwrap().output);
	assert_eq!(one, two);
	assert_eq!(one, four);
	assert!(!one.output.is_empty());
}

#[test]
fn runs_stop_at_end_of_sequence_or_the_limit() {
	let model = tiny_model(false, 5);
	for max_new in [1, 3, 20] {
		let req = Request { prompt: vec![4, 9, 1], max_new };
		let trace = run(&model, &req, None, None).unwrap();
		let out = &trace.output.output;
		assert!(!out.is_empty() && out.len() <= max_new as usize);
		let eos_at = out.iter().position(|t| *t == model.config.eos);
		match eos_at {
			Some(i) => assert_eq!(i + 1, out.len(), "nothing after end-of-sequence"),
			None => assert_eq!(out.len(), max_new as usize),
		}
		assert!(trace.last.meta.finished);
		// A finished state has no next step.
		assert!(trace.prove(trace.steps(), 0).is_err());
	}
}

#[test]
fn bad_requests_are_refused() {
	let model = tiny_model(false, 5);
	use sibyl_engine::state::RequestError::*;
	let cfg = &model.config;
	assert_eq!(Request { prompt: vec![], max_new: 1 }.validate(cfg), Err(EmptyPrompt));
	assert_eq!(Request { prompt: vec![1], max_new: 0 }.validate(cfg), Err(NothingToGenerate));
	assert_eq!(Request { prompt: vec![80], max_new: 1 }.validate(cfg), Err(BadToken(80)));
	assert!(matches!(Request { prompt: vec![1; 30], max_new: 11 }.validate(cfg), Err(TooLong { .. })));
	assert!(run(&model, &Request { prompt: vec![1; 30], max_new: 11 }, None, None).is_err());
}

#[test]
fn tampered_proofs_are_refused_or_give_another_root() {
	let model = tiny_model(false, 9);
	let trace = run(&model, &request(), None, None).unwrap();
	// A matmul chunk in the middle of the run.
	let step = (0..trace.steps()).find(|s| trace.step_info(*s).unwrap().op == Op::MatGate).expect("a gate step");
	let proof = trace.prove(step, 1).unwrap();
	let pre = trace.root_at(step, 1).unwrap();
	let good = verify_step(&pre, &proof).unwrap();
	assert_eq!(good, trace.root_at(step, 2).unwrap());

	let mut p = proof.clone();
	p.model.reads[1][5] ^= 1; // a weight byte
	assert_eq!(verify_step(&pre, &p), Err(VerifyError::RootMismatch("model")));

	let mut p = proof.clone();
	p.regs.reads[0][0] ^= 1; // an input activation
	assert_eq!(verify_step(&pre, &p), Err(VerifyError::RootMismatch("regs")));

	let mut p = proof.clone();
	p.regs.siblings.pop();
	assert!(verify_step(&pre, &p).is_err());

	let mut p = proof.clone();
	p.regs.reads.pop();
	assert_eq!(verify_step(&pre, &p), Err(VerifyError::Malformed("regs")));

	// Any change to the header is a proof from another state: refused by the pre-root check inside the call.
	for change in [
		(|p: &mut StepProof| p.header.meta.chunk = 0) as fn(&mut StepProof),
		|p| p.header.meta.op = Op::MatDownAdd,
		|p| p.header.regs[0] ^= 1,
		|p| p.header.meta.finished = true,
	] {
		let mut p = proof.clone();
		change(&mut p);
		assert_eq!(verify_step(&pre, &p), Err(VerifyError::PreRootMismatch));
		// Trusting the changed header's own root: another chunk index computes something else from the same
		// leaves, and another op refuses them.
		if !p.header.meta.finished {
			assert!(verify_step(&p.header.root(), &p).map_or(true, |r| r != good));
		}
	}
	// The right proof against another trusted root is refused too.
	assert_eq!(verify_step(&trace.root_at(step, 0).unwrap(), &proof), Err(VerifyError::PreRootMismatch));

	// A hostile meta is refused before any arithmetic on it (found by fuzzing: `pos + generated` overflowed).
	for (pos, generated, step) in [(u32::MAX, u32::MAX, 0), (0, u32::MAX, 0), (u32::MAX, 0, 0), (0, 0, u32::MAX)] {
		let mut p = proof.clone();
		p.header.meta.pos = pos;
		p.header.meta.generated = generated;
		p.header.meta.step = step;
		assert!(matches!(verify_step(&p.header.root(), &p), Err(VerifyError::Exec(_))), "{pos} {generated} {step}");
	}

	// A configuration that does not decode.
	let mut p = proof;
	p.model.reads[0].truncate(3);
	assert_eq!(verify_step(&pre, &p), Err(VerifyError::BadConfig));
}

#[test]
fn a_finished_run_stays_where_it_is() {
	let model = tiny_model(false, 5);
	let trace = run(&model, &request(), None, None).unwrap();
	let end = trace.steps();
	let last = trace.header_at(end, 0).unwrap();
	assert!(last.meta.finished);
	// The step after the final state is the final state: the proof needs only the header.
	let proof = StepProof {
		header: last.clone(),
		model: Default::default(),
		tokens: Default::default(),
		kv: Default::default(),
		regs: Default::default(),
	};
	assert_eq!(verify_step(&trace.output.final_root, &proof), Ok(trace.output.final_root));
	// The last real step is not the identity, and a state one step before the end is not finished.
	let before = trace.prove(end - 1, trace.chunks_of(end - 1).unwrap() - 1).unwrap();
	assert!(!before.header.meta.finished);
	let pre = before.header.root();
	assert_eq!(verify_step(&pre, &before), Ok(trace.output.final_root));
	assert_ne!(pre, trace.output.final_root);
}

#[test]
fn the_chunk_count_of_attention_grows_with_the_position() {
	let model = tiny_model(false, 1);
	let trace = run(&model, &request(), None, None).unwrap();
	let mut seen = BTreeSet::new();
	for s in 0..trace.steps() {
		let info = trace.step_info(s).unwrap();
		let st = trace.state_at(s, 0).unwrap();
		assert_eq!((info.op, info.pos, info.layer), (st.meta.op, st.meta.pos, st.meta.layer));
		assert_eq!(info.chunks, n_chunks(&model.config, &st.meta));
		if info.op == Op::Attention {
			assert_eq!(info.chunks, (info.pos + 1).div_ceil(16));
			seen.insert(info.chunks);
		}
	}
	assert_eq!(seen, BTreeSet::from([1, 2, 3]));
}

#[test]
fn gguf_files_load_to_the_same_model_and_bad_files_are_errors() {
	let cfg = tiny_config(false);
	let tensors = random_tensors(&cfg, 21);
	let direct = Model::new(cfg.clone(), tensors.clone()).unwrap();
	let file = to_gguf(&cfg, &tensors);
	let loaded = Model::from_gguf(&file).expect("a well-formed file");
	let mut a = loaded.config.clone();
	a.tokenizer_hash = cfg.tokenizer_hash;
	assert_eq!(a, cfg);
	for t in 0..cfg.n_tensors() {
		assert_eq!(loaded.tensor(t), direct.tensor(t));
	}
	// Every leaf's data (what proofs carry) hashes to the committed leaf.
	for i in 0..loaded.config.n_leaves() {
		assert_eq!(sibyl_engine::merkle::leaf_hash(&loaded.leaf_data(i)), loaded.tree().leaf(i), "leaf {i}");
	}
	// The root pins the file: checked loading accepts it and refuses another root.
	assert!(Model::from_gguf_checked(&file, &loaded.root()).is_ok());
	// The tokenizer is part of the commitment: the file (no tokenizer metadata) differs from the direct model.
	assert!(matches!(Model::from_gguf_checked(&file, &direct.root()), Err(ModelError::RootMismatch { .. })));
	let other = Model::from_gguf(&to_gguf(&cfg, &random_tensors(&cfg, 22))).unwrap();
	assert!(matches!(Model::from_gguf_checked(&file, &other.root()), Err(ModelError::RootMismatch { .. })));
	// Every truncation is an error, none a panic; so is a flipped magic.
	for n in (0..file.len()).step_by(97) {
		assert!(Model::from_gguf(&file[..n]).is_err(), "a file cut at {n} bytes loaded");
	}
	let mut bad = file.clone();
	bad[1] = b'X';
	assert!(Model::from_gguf(&bad).is_err());
	assert!(Gguf::parse(&file).is_ok());
}

/// Every leaf a chunk reads, and every leaf it may write, as seen through the `Memory` and `Weights` it runs on.
#[derive(Default)]
struct Touched {
	tokens_read: BTreeSet<u64>,
	kv_read: BTreeSet<u64>,
	regs_read: BTreeSet<u64>,
	/// Leaves handed out for writing (a whole register for `reg_mut`).
	tokens_write: BTreeSet<u64>,
	kv_write: BTreeSet<u64>,
	regs_write: BTreeSet<u64>,
}

/// A state that records what `apply_chunk` touches.
struct Recorder<'s, 'a> {
	st: &'s mut NativeState<'a>,
	l: Layout,
	t: RefCell<Touched>,
}

impl Recorder<'_, '_> {
	fn regs_read(&self, r: std::ops::Range<u64>) {
		self.t.borrow_mut().regs_read.extend(r);
	}
}

impl Memory for Recorder<'_, '_> {
	fn meta(&self) -> &sibyl_engine::state::Meta {
		self.st.meta()
	}
	fn meta_mut(&mut self) -> &mut sibyl_engine::state::Meta {
		self.st.meta_mut()
	}
	fn reg(&self, r: Reg) -> Result<&[f32], ExecError> {
		self.regs_read(self.l.leaves(r));
		self.st.reg(r)
	}
	fn reg_leaf(&self, r: Reg, i: usize) -> Result<&[f32], ExecError> {
		let leaf = self.l.leaves(r).start + i as u64;
		self.regs_read(leaf..leaf + 1);
		self.st.reg_leaf(r, i)
	}
	fn reg_mut(&mut self, r: Reg) -> &mut [f32] {
		self.t.get_mut().regs_write.extend(self.l.leaves(r));
		self.st.reg_mut(r)
	}
	fn partial(&self, h: usize) -> Result<sibyl_engine::kernels::HeadPartial, ExecError> {
		let leaf = self.l.partial_first + h as u64;
		self.regs_read(leaf..leaf + 1);
		self.st.partial(h)
	}
	fn set_partial(&mut self, h: usize, p: sibyl_engine::kernels::HeadPartial) {
		self.t.get_mut().regs_write.insert(self.l.partial_first + h as u64);
		self.st.set_partial(h, p)
	}
	fn best(&self) -> Result<sibyl_engine::kernels::Best, ExecError> {
		self.regs_read(self.l.argmax_leaf..self.l.argmax_leaf + 1);
		self.st.best()
	}
	fn set_best(&mut self, b: sibyl_engine::kernels::Best) {
		self.t.get_mut().regs_write.insert(self.l.argmax_leaf);
		self.st.set_best(b)
	}
	fn token(&self, pos: u32) -> Result<u32, ExecError> {
		self.t.borrow_mut().tokens_read.insert(pos as u64);
		self.st.token(pos)
	}
	fn set_token(&mut self, pos: u32, t: u32) {
		self.t.get_mut().tokens_write.insert(pos as u64);
		self.st.set_token(pos, t)
	}
	fn kv(&self, layer: u32, pos: u32) -> Result<&[f32], ExecError> {
		self.t.borrow_mut().kv_read.insert(self.l.kv_leaf(layer, pos));
		self.st.kv(layer, pos)
	}
	fn set_kv(&mut self, layer: u32, pos: u32, kv: Vec<f32>) {
		self.t.get_mut().kv_write.insert(self.l.kv_leaf(layer, pos));
		self.st.set_kv(layer, pos, kv)
	}
}

/// Weights that record the byte ranges read.
struct RecordingWeights<'m> {
	model: &'m Model,
	read: RefCell<BTreeSet<(usize, usize, usize)>>,
}

impl Weights for RecordingWeights<'_> {
	fn rows(&self, t: usize, r0: usize, r1: usize) -> Result<&[u8], ExecError> {
		let rb = self.model.config.row_bytes(t);
		self.read.borrow_mut().insert((t, r0 * rb, r1 * rb));
		self.model.rows(t, r0, r1)
	}
}

#[test]
fn access_is_exactly_what_each_chunk_reads_and_writes() {
	// `program::access` is what a proof opens (the node proves with it, the verifier checks with it): it must
	// list every leaf the chunk reads, nothing it does not read, and every leaf it changes.
	for tied in [false, true] {
		let model = tiny_model(tied, 17);
		let cfg = &model.config;
		let l = Layout::new(cfg);
		let trace = run(&model, &request(), None, None).expect("valid request");
		for step in 0..trace.steps() {
			for chunk in 0..trace.chunks_of(step).unwrap() {
				let mut st = trace.state_at(step, chunk).unwrap();
				st.tokens = Cow::Owned(st.tokens.to_vec());
				st.kv = Cow::Owned(st.kv.to_vec());
				let access = program::access(cfg, &l, &st.meta, |p| st.token(p)).expect("access");
				let what = format!("step {step} ({:?}) chunk {chunk}", st.meta.op);
				let (regs_before, tokens_before, kv_before) = (st.regs.clone(), st.tokens.to_vec(), st.kv.to_vec());
				let weights = RecordingWeights { model: &model, read: RefCell::default() };
				let mut rec = Recorder { st: &mut st, l: l.clone(), t: RefCell::default() };
				apply_chunk(cfg, &mut rec, &weights).expect("chunk runs");
				let t = rec.t.into_inner();
				let set = |v: &[u64]| v.iter().copied().collect::<BTreeSet<u64>>();

				// Reads: exactly.
				let model_read: BTreeSet<_> = access.model.iter().copied().collect();
				assert_eq!(weights.read.into_inner(), model_read, "{what}: weights");
				assert_eq!(t.tokens_read, set(&access.tokens_read), "{what}: tokens read");
				assert_eq!(t.kv_read, set(&access.kv_read), "{what}: kv read");
				assert_eq!(t.regs_read, set(&access.regs_read), "{what}: registers read");

				// Writes: every leaf declared is one the chunk may write, and every leaf that changed is declared.
				assert!(set(&access.tokens_write).is_subset(&t.tokens_write), "{what}: tokens written");
				assert!(set(&access.kv_write).is_subset(&t.kv_write), "{what}: kv written");
				assert!(set(&access.regs_write).is_subset(&t.regs_write), "{what}: registers written");
				for i in 0..l.n_leaves {
					if regs_before.leaf_bytes(&l, i) != st.regs.leaf_bytes(&l, i) {
						assert!(access.regs_write.contains(&i), "{what}: register leaf {i} changed undeclared");
					}
				}
				for (p, (a, b)) in tokens_before.iter().zip(st.tokens.iter()).enumerate() {
					assert!(a == b || access.tokens_write.contains(&(p as u64)), "{what}: token {p} changed");
				}
				let n = l.kv_leaf_f32;
				for i in 0..st.kv.len() / n {
					let changed = kv_before.get(i * n..(i + 1) * n) != Some(&st.kv[i * n..(i + 1) * n]);
					assert!(!changed || access.kv_write.contains(&(i as u64)), "{what}: kv leaf {i} changed");
				}
			}
		}
	}
}

#[test]
fn what_a_run_keeps_replays_every_root_of_a_rooted_run() {
	// A run without roots keeps only checkpoints (its fast path fuses Q/K/V and gate/up products and runs heads in
	// parallel); a run with a root after every step computes them all. Every root replayed from the checkpoints,
	// every step's shape and the result agree.
	for tied in [false, true] {
		let model = tiny_model(tied, 21);
		let req = request();
		let kept = run(&model, &req, None, None).expect("valid request");
		let rooted = run(&model, &req, Some(1), None).expect("valid request");
		assert_eq!(kept.output.final_root, rooted.output.final_root);
		assert_eq!(kept.output.output, rooted.output.output);
		assert_eq!(kept.steps(), rooted.steps());
		for (step, root) in &rooted.output.roots {
			if *step < kept.steps() {
				assert_eq!(kept.root_at(*step, 0).unwrap(), *root, "step {step}");
				assert_eq!(kept.step_info(*step).unwrap(), rooted.step_info(*step).unwrap(), "step {step}");
			}
		}
		// The state at the start of the prompt's last position, register by register.
		let last_pos_start = (0..kept.steps())
			.find(|s| {
				let i = kept.step_info(*s).unwrap();
				i.pos == req.prompt.len() as u32 - 1 && i.op == Op::Embed
			})
			.expect("the last prompt position");
		let a = kept.state_at(last_pos_start, 0).unwrap();
		let b = rooted.state_at(last_pos_start, 0).unwrap();
		assert_eq!(a.regs, b.regs);
		assert_eq!(a.meta, b.meta);
	}
}
