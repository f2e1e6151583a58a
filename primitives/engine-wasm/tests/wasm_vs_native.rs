//! `verify_step` compiled to wasm32 (by the runtime's own toolchain route) and run in wasmtime gives the same roots
//! as native for every operation of a tiny generated model and for sampled steps of SmolLM2, with blake2 compiled
//! to WASM and with blake2 through `sp_io`'s host function; proof sizes and WASM verification times (both ways)
//! are measured on SmolLM2.

use codec::{Decode, Encode};
use sibyl_engine::{
	merkle,
	run,
	state::{Op, Request},
	testing::{tiny_model, tiny_request},
	verify_step, Model, StepProof,
};
use std::{collections::BTreeMap, time::Instant};
use wasmtime::{Caller, Engine, Instance, Linker, Memory, MemoryType, Module, Store};

/// How the guest hashes: its `verify` export (blake2 in WASM) or `verify_host` (`sp_io` host calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hashing {
	Wasm,
	Host,
}

impl Hashing {
	fn export(self) -> &'static str {
		match self {
			Hashing::Wasm => "verify",
			Hashing::Host => "verify_host",
		}
	}
}

/// What the host keeps per instance: the guest's memory and how many hashes it computed for the guest.
struct Host {
	memory: Option<Memory>,
	hash_calls: u64,
}

/// The guest module, compiled once.
struct Guest {
	engine: Engine,
	module: Module,
}

/// One verification in WASM: the result, the time of the call alone, and the number of host hash calls.
struct Verified {
	result: Result<[u8; 32], String>,
	secs: f64,
	hash_calls: u64,
}

impl Guest {
	fn new() -> Guest {
		let wasm = sibyl_engine_wasm::WASM_BINARY_BLOATY.expect("the WASM guest was built");
		let engine = Engine::default();
		let module = Module::new(&engine, wasm).expect("the guest compiles");
		Guest { engine, module }
	}

	/// Runs `verify_step` in a fresh instance, hashing as `hashing` says.
	fn verify_with(&self, pre: &[u8; 32], proof: &StepProof, hashing: Hashing) -> Verified {
		let mut store = Store::new(&self.engine, Host { memory: None, hash_calls: 0 });
		let mut linker = Linker::new(&self.engine);
		let min_pages = self
			.module
			.imports()
			.find_map(|i| i.ty().memory().map(|m| m.minimum()))
			.expect("the guest imports its memory") as u32;
		let memory = Memory::new(&mut store, MemoryType::new(min_pages, None)).expect("memory");
		store.data_mut().memory = Some(memory);
		linker.define(&store, "env", "memory", memory).expect("define memory");
		// sp_io::hashing::blake2_256 as the node provides it (runtime-interface ABI of stable2609): the data as a
		// fat pointer (length in the high 32 bits), the hash returned in guest memory the host allocates (here
		// with the guest's own allocator, which the guest then owns).
		linker
			.func_wrap(
				"env",
				"ext_hashing_blake2_256_version_1",
				|mut caller: Caller<'_, Host>, data: i64| -> wasmtime::Result<i32> {
					let (ptr, len) = ((data as u64 & 0xffff_ffff) as usize, (data as u64 >> 32) as usize);
					let memory = caller.data().memory.expect("memory defined");
					let hash = merkle::blake2(&memory.data(&caller)[ptr..ptr + len]);
					let alloc = caller
						.get_export("alloc")
						.and_then(|e| e.into_func())
						.expect("alloc export")
						.typed::<u32, u32>(&caller)?;
					let out = alloc.call(&mut caller, 32)?;
					memory.write(&mut caller, out as usize, &hash)?;
					caller.data_mut().hash_calls += 1;
					Ok(out as i32)
				},
			)
			.expect("define the hashing host function");
		let instance: Instance = linker.instantiate(&mut store, &self.module).expect("instantiate");
		let alloc = instance.get_typed_func::<u32, u32>(&mut store, "alloc").expect("alloc export");
		let verify =
			instance.get_typed_func::<(u32, u32), u64>(&mut store, hashing.export()).expect("verify export");
		let input = (pre, proof).encode();
		let ptr = alloc.call(&mut store, input.len() as u32).expect("alloc");
		memory.write(&mut store, ptr as usize, &input).expect("write input");
		let t = Instant::now();
		let packed = verify.call(&mut store, (ptr, input.len() as u32)).expect("verify does not trap");
		let secs = t.elapsed().as_secs_f64();
		let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
		let mut out = vec![0u8; out_len];
		memory.read(&store, out_ptr, &mut out).expect("read output");
		let result = Result::<[u8; 32], String>::decode(&mut &out[..]).expect("well-formed output");
		Verified { result, secs, hash_calls: store.data().hash_calls }
	}

	/// Runs `verify_step` (blake2 in WASM) in a fresh instance; returns the result and the time of the call alone.
	fn verify(&self, pre: &[u8; 32], proof: &StepProof) -> (Result<[u8; 32], String>, f64) {
		let v = self.verify_with(pre, proof, Hashing::Wasm);
		assert_eq!(v.hash_calls, 0, "blake2 in WASM makes no host calls");
		(v.result, v.secs)
	}

	/// Runs `verify_step` hashing through the host; returns the result and the time of the call alone.
	fn verify_host(&self, pre: &[u8; 32], proof: &StepProof) -> (Result<[u8; 32], String>, f64) {
		let v = self.verify_with(pre, proof, Hashing::Host);
		assert!(v.hash_calls > 0 || v.result.is_err(), "host hashing hashes on the host");
		(v.result, v.secs)
	}
}

#[test]
fn tiny_model_every_chunk_same_root_in_wasm_and_native() {
	let guest = Guest::new();
	for tied in [false, true] {
		let model = tiny_model(tied, 13);
		let req = tiny_request();
		let trace = run(&model, &req, None, None).expect("valid request");
		let mut ops = std::collections::BTreeSet::new();
		let mut attention_chunks = std::collections::BTreeSet::new();
		for step in 0..trace.steps() {
			for chunk in 0..trace.chunks_of(step).unwrap() {
				let proof = trace.prove(step, chunk).unwrap();
				let pre = trace.root_at(step, chunk).unwrap();
				let native = verify_step(&pre, &proof).expect("native verifies");
				let (wasm, _) = guest.verify(&pre, &proof);
				assert_eq!(wasm, Ok(native), "step {step} chunk {chunk} ({:?})", proof.header.meta.op);
				let (host, _) = guest.verify_host(&pre, &proof);
				assert_eq!(host, Ok(native), "host hashing: step {step} chunk {chunk} ({:?})", proof.header.meta.op);
				ops.insert(proof.header.meta.op as u8);
				if proof.header.meta.op == Op::Attention {
					attention_chunks.insert((trace.chunks_of(step).unwrap(), chunk));
				}
			}
		}
		assert_eq!(ops.len(), 15, "every operation ran in WASM");
		// Attention over three chunks: the middle one both reads and writes the running softmax partials.
		assert!(attention_chunks.contains(&(3, 1)), "three-chunk attention ran in WASM: {attention_chunks:?}");
	}
	// A refused proof is refused the same way in WASM (an error, not a trap), with either hashing.
	let model = tiny_model(false, 13);
	let trace = run(&model, &Request { prompt: vec![5, 6, 7], max_new: 2 }, None, None).unwrap();
	let mut bad = trace.prove(3, 0).unwrap();
	let pre = trace.root_at(3, 0).unwrap();
	bad.regs.siblings.clear();
	assert!(verify_step(&pre, &bad).is_err());
	assert!(guest.verify(&pre, &bad).0.is_err());
	// A proof from another pre-state is refused inside the call, the same way in WASM.
	let other = trace.prove(4, 0).unwrap();
	assert_eq!(verify_step(&pre, &other), Err(sibyl_engine::VerifyError::PreRootMismatch));
	assert_eq!(guest.verify(&pre, &other).0, Err("PreRootMismatch".into()));
	assert!(guest.verify_host(&pre, &bad).0.is_err());
}

/// SmolLM2, or the GGUF `SIBYL_ENGINE_MODEL` names (`make bench-scale` measures a generated 1 B model this way),
/// memory-mapped.
fn model_under_test() -> (Model, bool) {
	let own = std::env::var_os("SIBYL_ENGINE_MODEL").map(std::path::PathBuf::from);
	let path = own.clone().unwrap_or_else(sibyl_engine::testing::smollm2_path);
	let model = Model::open(&path).unwrap_or_else(|e| panic!("{e}"));
	eprintln!("model: {} ({:.0} M parameters)", path.display(), sibyl_engine::testing::parameters(&model.config) as f64 / 1e6);
	(model, own.is_none())
}

/// The runtime's bound on one step proof (`MaxStepProofLen` in `runtime/src/configs/inference.rs`).
const MAX_STEP_PROOF_LEN: usize = 256 * 1024;

#[test]
fn smollm2_sampled_steps_same_root_in_wasm_and_native() {
	let guest = Guest::new();
	let (model, is_smollm2) = model_under_test();
	// A prompt long enough for attention to span two chunks (positions 16 and beyond), then generation.
	let prompt: Vec<u32> = vec![
		1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411, 407, 19712, 8182, 2,
		198, 1, 4093, 198, 1780, 314, 260, 6245, 2367, 47, 2, 198, 1, 520, 9531, 198,
	];
	let req = Request { prompt: prompt.clone(), max_new: 2 };
	let trace = run(&model, &req, None, None).expect("valid request");
	let steps = trace.steps();

	// Per operation: the steps of the first and last layer at three positions (start, deep in the prompt, the
	// first generated token), and for each, its first, middle and last chunk.
	let positions = [0u32, 20, prompt.len() as u32 - 1];
	let mut picked: Vec<(u32, u32)> = Vec::new();
	for s in 0..steps {
		let m = trace.step_info(s).unwrap();
		if !positions.contains(&m.pos) || !(m.layer == 0 || m.layer == model.config.n_layer - 1) {
			continue;
		}
		let n = m.chunks;
		for c in [0, n / 2, n - 1] {
			if !picked.contains(&(s, c)) {
				picked.push((s, c));
			}
		}
	}
	// count, max bytes, max wasm s (blake2 in WASM), max wasm s (host hashing), max native s
	let mut by_op: BTreeMap<u8, (usize, usize, f64, f64, f64)> = BTreeMap::new();
	// The largest proof of each operation, timed again below.
	let mut largest: BTreeMap<u8, StepProof> = BTreeMap::new();
	for (s, c) in picked {
		let proof = trace.prove(s, c).unwrap();
		let want =
			if c + 1 < trace.chunks_of(s).unwrap() { trace.root_at(s, c + 1).unwrap() } else { trace.root_at(s + 1, 0).unwrap() };
		let t = Instant::now();
		let pre = trace.root_at(s, c).unwrap();
		let native = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("step {s} chunk {c}: {e:?}"));
		let native_secs = t.elapsed().as_secs_f64();
		assert_eq!(native, want, "native step {s} chunk {c} ({:?})", proof.header.meta.op);
		let (wasm, wasm_secs) = guest.verify(&pre, &proof);
		assert_eq!(wasm, Ok(native), "wasm step {s} chunk {c} ({:?})", proof.header.meta.op);
		let (host, host_secs) = guest.verify_host(&pre, &proof);
		assert_eq!(host, Ok(native), "wasm with host hashing, step {s} chunk {c} ({:?})", proof.header.meta.op);
		let e = by_op.entry(proof.header.meta.op as u8).or_default();
		e.0 += 1;
		e.1 = e.1.max(proof.encoded_size());
		e.2 = e.2.max(wasm_secs);
		e.3 = e.3.max(host_secs);
		e.4 = e.4.max(native_secs);
		let op = proof.header.meta.op as u8;
		if largest.get(&op).map_or(true, |p| p.encoded_size() < proof.encoded_size()) {
			largest.insert(op, proof);
		}
	}
	assert_eq!(by_op.len(), 15, "every operation of SmolLM2 was checked: {:?}", by_op.keys());
	eprintln!(
		"{:<12} {:>6} {:>16} {:>14} {:>14} {:>14}",
		"op", "proofs", "max proof bytes", "max wasm ms", "max host-h ms", "max native ms"
	);
	let (mut worst_bytes, mut worst_ms, mut worst_host_ms) = (0, 0f64, 0f64);
	for (op, (n, bytes, wasm, host, native)) in &by_op {
		eprintln!(
			"{:<12} {:>6} {:>16} {:>14.3} {:>14.3} {:>14.3}",
			format!("{:?}", Op::from_u8(*op).unwrap()),
			n,
			bytes,
			wasm * 1e3,
			host * 1e3,
			native * 1e3
		);
		worst_bytes = worst_bytes.max(*bytes);
		worst_ms = worst_ms.max(wasm * 1e3);
		worst_host_ms = worst_host_ms.max(host * 1e3);
	}
	eprintln!(
		"worst case: {worst_bytes} bytes, {worst_ms:.2} ms in WASM (wasmtime) with blake2 in WASM, \
		 {worst_host_ms:.2} ms with sp_io host hashing"
	);
	// Stable figures for the README: the largest proof of each operation, median of 9 fresh instances each way.
	let median = |mut v: Vec<f64>| {
		v.sort_by(f64::total_cmp);
		v[v.len() / 2]
	};
	eprintln!("{:<12} {:>16} {:>22} {:>22}", "op", "proof bytes", "median wasm-blake2 ms", "median host-blake2 ms");
	let mut rows: Vec<(f64, String)> = Vec::new();
	for (op, proof) in &largest {
		let wasm = median((0..9).map(|_| guest.verify(&proof.header.root(), proof).1).collect());
		let host = median((0..9).map(|_| guest.verify_host(&proof.header.root(), proof).1).collect());
		let name = format!("{:?}", Op::from_u8(*op).unwrap());
		eprintln!("{:<12} {:>16} {:>22.3} {:>22.3}", name, proof.encoded_size(), wasm * 1e3, host * 1e3);
		rows.push((wasm, name));
	}
	rows.sort_by(|a, b| b.0.total_cmp(&a.0));
	eprintln!("slowest in WASM: {:?}", rows.iter().take(3).map(|r| &r.1).collect::<Vec<_>>());

	// The bounds the dispute pallet relies on (documented in the README): SmolLM2's, and the chain's for any model.
	assert!(worst_bytes <= MAX_STEP_PROOF_LEN, "a step proof must fit MaxStepProofLen, got {worst_bytes}");
	if is_smollm2 {
		assert!(worst_bytes < 64 * 1024, "a step proof must stay under 64 KiB, got {worst_bytes}");
		assert!(worst_ms < 50.0, "a step verification must stay under 50 ms in WASM, got {worst_ms:.2}");
		assert!(worst_host_ms < 50.0, "a step verification must stay under 50 ms in WASM, got {worst_host_ms:.2}");
	}
}
