//! The benchmarks' SmolLM2 proofs (`fixtures/smollm2_proofs.scale`): for every kind of engine operation, the
//! one-step proof of its largest chunk in a real SmolLM2 run, with its pre- and post-state roots, and SmolLM2's
//! engine configuration. This test checks that the committed file is exactly what the engine gives today;
//! `SIBYL_WRITE_FIXTURES=1` rewrites it.
//!
//! The run: a 20-token prompt and 1 new token, so that attention's first chunk reads a full block of 16 positions.
//! Each operation's proof is taken at its last step (the last position, the last block), over its first, second
//! and last chunk, and the largest is kept.

use codec::Encode;
use sibyl_engine::{state::Op, Model, Request};

fn path() -> std::path::PathBuf {
	std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())).join("fixtures/smollm2_proofs.scale")
}

#[test]
fn the_benchmark_fixtures_are_the_engines_smollm2_proofs() {
	let bytes = std::fs::read(sibyl_engine::testing::smollm2_path()).expect("the SmolLM2 file");
	let model = Model::from_gguf(&bytes).expect("SmolLM2 loads");
	let req = Request { prompt: (0..20).map(|i| 1000 + i * 37).collect(), max_new: 1 };
	let trace = sibyl_engine::run(&model, &req, None, None).expect("runs");
	let mut fixtures: Vec<(u8, [u8; 32], [u8; 32], Vec<u8>)> = vec![];
	for op in 0u8..=14 {
		let op = Op::from_u8(op).expect("an op");
		let step = (0..trace.steps()).rev().find(|s| trace.step_info(*s).map(|i| i.op) == Ok(op)).expect("every op runs");
		let chunks = trace.chunks_of(step).expect("a step");
		let mut best: Option<(u8, [u8; 32], [u8; 32], Vec<u8>)> = None;
		for chunk in [0, 1.min(chunks - 1), chunks - 1] {
			let proof = trace.prove(step, chunk).expect("provable");
			let pre = proof.header.root();
			let post = sibyl_engine::verify_step(&pre, &proof).expect("the engine's proof verifies");
			let encoded = proof.encode();
			if best.as_ref().map_or(true, |b| encoded.len() > b.3.len()) {
				best = Some((op as u8, pre, post, encoded));
			}
		}
		fixtures.push(best.expect("a proof"));
	}
	// Smallest first: the benchmark's component runs over them in this order.
	fixtures.sort_by_key(|f| f.3.len());
	for (op, _, _, p) in &fixtures {
		eprintln!("{:?}: {} bytes", Op::from_u8(*op), p.len());
	}
	let file = (model.config.encode(), fixtures).encode();
	if std::env::var("SIBYL_WRITE_FIXTURES").is_ok() {
		std::fs::create_dir_all(path().parent().expect("a directory")).expect("can create fixtures/");
		std::fs::write(path(), &file).expect("can write the fixtures");
	}
	let committed = std::fs::read(path()).expect("fixtures/smollm2_proofs.scale (SIBYL_WRITE_FIXTURES=1 writes it)");
	assert!(committed == file, "the committed fixtures differ from the engine's proofs: rerun with SIBYL_WRITE_FIXTURES=1");
}
