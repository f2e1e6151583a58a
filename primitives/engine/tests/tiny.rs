//! The engine on a tiny generated model: every chunk of every step proves and verifies, the fast path equals the
//! chunk-by-chunk semantics, results do not depend on thread count, tampering is caught, and the GGUF loader
//! round-trips.

use sibyl_engine::{
	gguf::Gguf,
	initial_root,
	model::{Model, ModelError},
	program::{apply_chunk, n_chunks},
	run,
	state::{Op, Request},
	testing::{random_tensors, tiny_config, tiny_model, tiny_request, to_gguf},
	verify_step, VerifyError,
};
use std::collections::BTreeSet;

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
		for step in 0..trace.steps() {
			let n = trace.chunks_of(step).expect("step exists");
			for chunk in 0..n {
				let proof = trace.prove(step, chunk).expect("provable");
				assert_eq!(proof.header.root(), trace.root_at(step, chunk).unwrap(), "pre-root at {step}/{chunk}");
				let want = if chunk + 1 < n {
					trace.root_at(step, chunk + 1).unwrap()
				} else {
					trace.root_at(step + 1, 0).unwrap()
				};
				let got = verify_step(&proof).unwrap_or_else(|e| panic!("step {step} chunk {chunk}: {e:?}"));
				assert_eq!(got, want, "step {step} ({:?}) chunk {chunk}/{n}", proof.header.meta.op);
				ops.insert(proof.header.meta.op as u8);
				chunks_total += 1;
			}
		}
		assert_eq!(ops.len(), 15, "every operation was proven: {ops:?}");
		assert!(chunks_total > trace.steps(), "phase-2 chunks were proven too");
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
	let good = verify_step(&proof).unwrap();

	let mut p = proof.clone();
	p.model.reads[1][5] ^= 1; // a weight byte
	assert_eq!(verify_step(&p), Err(VerifyError::RootMismatch("model")));

	let mut p = proof.clone();
	p.regs.reads[0][0] ^= 1; // an input activation
	assert_eq!(verify_step(&p), Err(VerifyError::RootMismatch("regs")));

	let mut p = proof.clone();
	p.regs.siblings.pop();
	assert!(verify_step(&p).is_err());

	let mut p = proof.clone();
	p.regs.reads.pop();
	assert_eq!(verify_step(&p), Err(VerifyError::Malformed("regs")));

	// A different chunk index in the header computes something else from the same leaves.
	let mut p = proof.clone();
	p.header.meta.chunk = 0;
	assert!(verify_step(&p).map_or(true, |r| r != good));

	// A header claiming another op refuses the leaves.
	let mut p = proof.clone();
	p.header.meta.op = Op::MatDownAdd;
	assert!(verify_step(&p).map_or(true, |r| r != good));

	// A hostile meta is refused before any arithmetic on it (found by fuzzing: `pos + generated` overflowed).
	for (pos, generated, step) in [(u32::MAX, u32::MAX, 0), (0, u32::MAX, 0), (u32::MAX, 0, 0), (0, 0, u32::MAX)] {
		let mut p = proof.clone();
		p.header.meta.pos = pos;
		p.header.meta.generated = generated;
		p.header.meta.step = step;
		assert!(matches!(verify_step(&p), Err(VerifyError::Exec(_))), "{pos} {generated} {step}");
	}

	// A configuration that does not decode.
	let mut p = proof;
	p.model.reads[0].truncate(3);
	assert_eq!(verify_step(&p), Err(VerifyError::BadConfig));
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
	let loaded = Model::from_gguf(&file, 40).expect("a well-formed file");
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
	assert!(Model::from_gguf_checked(&file, 40, &loaded.root()).is_ok());
	// The tokenizer is part of the commitment: the file (no tokenizer metadata) differs from the direct model.
	assert!(matches!(Model::from_gguf_checked(&file, 40, &direct.root()), Err(ModelError::RootMismatch { .. })));
	let other = Model::from_gguf(&to_gguf(&cfg, &random_tensors(&cfg, 22)), 40).unwrap();
	assert!(matches!(Model::from_gguf_checked(&file, 40, &other.root()), Err(ModelError::RootMismatch { .. })));
	// Every truncation is an error, none a panic; so is a flipped magic.
	for n in (0..file.len()).step_by(97) {
		assert!(Model::from_gguf(&file[..n], 40).is_err(), "a file cut at {n} bytes loaded");
	}
	let mut bad = file.clone();
	bad[1] = b'X';
	assert!(Model::from_gguf(&bad, 40).is_err());
	assert!(Gguf::parse(&file).is_ok());
}
