//! `verify_step` compiled to wasm32 (by the runtime's own toolchain route) and run in wasmtime gives the same roots
//! as native for every operation of a tiny generated model and for sampled steps of SmolLM2; proof sizes and
//! WASM verification times are measured on SmolLM2.

use codec::{Decode, Encode};
use sibyl_engine::{
	run,
	state::{Op, Request},
	testing::{tiny_model, tiny_request},
	verify_step, Model, StepProof,
};
use std::{collections::BTreeMap, time::Instant};
use wasmtime::{Engine, Instance, Linker, Memory, MemoryType, Module, Store};

/// The guest module, compiled once.
struct Guest {
	engine: Engine,
	module: Module,
}

impl Guest {
	fn new() -> Guest {
		let wasm = sibyl_engine_wasm::WASM_BINARY_BLOATY.expect("the WASM guest was built");
		let engine = Engine::default();
		let module = Module::new(&engine, wasm).expect("the guest compiles");
		Guest { engine, module }
	}

	/// Runs `verify_step` in a fresh instance; returns the result and the time of the call alone.
	fn verify(&self, proof: &StepProof) -> (Result<[u8; 32], String>, f64) {
		let mut store = Store::new(&self.engine, ());
		let mut linker = Linker::new(&self.engine);
		let min_pages = self
			.module
			.imports()
			.find_map(|i| i.ty().memory().map(|m| m.minimum()))
			.expect("the guest imports its memory") as u32;
		let memory = Memory::new(&mut store, MemoryType::new(min_pages, None)).expect("memory");
		linker.define(&store, "env", "memory", memory).expect("define memory");
		let instance: Instance = linker.instantiate(&mut store, &self.module).expect("instantiate");
		let alloc = instance.get_typed_func::<u32, u32>(&mut store, "alloc").expect("alloc export");
		let verify = instance.get_typed_func::<(u32, u32), u64>(&mut store, "verify").expect("verify export");
		let input = proof.encode();
		let ptr = alloc.call(&mut store, input.len() as u32).expect("alloc");
		memory.write(&mut store, ptr as usize, &input).expect("write input");
		let t = Instant::now();
		let packed = verify.call(&mut store, (ptr, input.len() as u32)).expect("verify does not trap");
		let secs = t.elapsed().as_secs_f64();
		let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
		let mut out = vec![0u8; out_len];
		memory.read(&store, out_ptr, &mut out).expect("read output");
		(Result::<[u8; 32], String>::decode(&mut &out[..]).expect("well-formed output"), secs)
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
				let native = verify_step(&proof).expect("native verifies");
				let (wasm, _) = guest.verify(&proof);
				assert_eq!(wasm, Ok(native), "step {step} chunk {chunk} ({:?})", proof.header.meta.op);
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
	// A refused proof is refused the same way in WASM (an error, not a trap).
	let model = tiny_model(false, 13);
	let trace = run(&model, &Request { prompt: vec![5, 6, 7], max_new: 2 }, None, None).unwrap();
	let mut bad = trace.prove(3, 0).unwrap();
	bad.regs.siblings.clear();
	assert!(verify_step(&bad).is_err());
	assert!(guest.verify(&bad).0.is_err());
}

fn smollm2() -> Model {
	let path = sibyl_engine::testing::smollm2_path();
	let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
	Model::from_gguf(&bytes, 2048).expect("SmolLM2 loads")
}

#[test]
fn smollm2_sampled_steps_same_root_in_wasm_and_native() {
	let guest = Guest::new();
	let model = smollm2();
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
	let mut by_op: BTreeMap<u8, (usize, usize, f64, f64)> = BTreeMap::new(); // count, max bytes, max wasm s, max native s
	for (s, c) in picked {
		let proof = trace.prove(s, c).unwrap();
		let want =
			if c + 1 < trace.chunks_of(s).unwrap() { trace.root_at(s, c + 1).unwrap() } else { trace.root_at(s + 1, 0).unwrap() };
		let t = Instant::now();
		let native = verify_step(&proof).unwrap_or_else(|e| panic!("step {s} chunk {c}: {e:?}"));
		let native_secs = t.elapsed().as_secs_f64();
		assert_eq!(native, want, "native step {s} chunk {c} ({:?})", proof.header.meta.op);
		let (wasm, wasm_secs) = guest.verify(&proof);
		assert_eq!(wasm, Ok(native), "wasm step {s} chunk {c} ({:?})", proof.header.meta.op);
		let e = by_op.entry(proof.header.meta.op as u8).or_default();
		e.0 += 1;
		e.1 = e.1.max(proof.encoded_size());
		e.2 = e.2.max(wasm_secs);
		e.3 = e.3.max(native_secs);
	}
	assert_eq!(by_op.len(), 15, "every operation of SmolLM2 was checked: {:?}", by_op.keys());
	eprintln!("{:<12} {:>6} {:>16} {:>14} {:>14}", "op", "proofs", "max proof bytes", "max wasm ms", "max native ms");
	let (mut worst_bytes, mut worst_ms) = (0, 0f64);
	for (op, (n, bytes, wasm, native)) in &by_op {
		eprintln!(
			"{:<12} {:>6} {:>16} {:>14.3} {:>14.3}",
			format!("{:?}", Op::from_u8(*op).unwrap()),
			n,
			bytes,
			wasm * 1e3,
			native * 1e3
		);
		worst_bytes = worst_bytes.max(*bytes);
		worst_ms = worst_ms.max(wasm * 1e3);
	}
	eprintln!("worst case: {worst_bytes} bytes, {worst_ms:.2} ms in WASM (wasmtime)");
	// The bounds the dispute pallet relies on (documented in the README).
	assert!(worst_bytes < 64 * 1024, "a step proof must stay under 64 KiB, got {worst_bytes}");
	assert!(worst_ms < 50.0, "a step verification must stay under 50 ms in WASM, got {worst_ms:.2}");
}
