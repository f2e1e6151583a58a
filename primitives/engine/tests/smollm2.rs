//! The engine on the real SmolLM2-135M-Instruct (Q4_1 GGUF, fetched by `scripts/setup.sh`): bit-identical runs
//! with 1 and 2 threads, roots recomputed from checkpoints equal the roots of the run, the commitment pins the
//! file, the tokenizer round-trips, and one run's result and state root are pinned.

use sibyl_engine::{gguf::Gguf, run, tokenizer::Tokenizer, Model, ModelError, Request};

fn model_bytes() -> Vec<u8> {
	let path = sibyl_engine::testing::smollm2_path();
	std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pool(n: usize) -> rayon::ThreadPool {
	rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool")
}

#[test]
fn one_and_two_threads_give_identical_bytes_and_roots() {
	let bytes = model_bytes();
	let model = Model::from_gguf(&bytes).expect("SmolLM2 loads");
	let tok = Tokenizer::from_gguf(&Gguf::parse(&bytes).unwrap()).unwrap();
	let req = Request { prompt: tok.encode_chat("Describe a cat in one sentence.").unwrap(), max_new: 12 };
	let one = pool(1).install(|| run(&model, &req, Some(250), None).unwrap());
	let two = pool(2).install(|| run(&model, &req, Some(250), None).unwrap());
	assert_eq!(one.output, two.output, "outputs, final roots, step counts and every 250th root");
	assert!(one.output.roots.len() > 10);
	// Recomputing a root from the checkpoints gives the root the run recorded.
	for (step, root) in one.output.roots.iter().step_by(7) {
		assert_eq!(two.root_at(*step, 0).unwrap(), *root, "step {step}");
	}
	// Steps per token: 1 embedding, 11 per block, then 1 (prompt) or 3 (generated) per position.
	let positions = (req.prompt.len() + one.output.output.len() - 1) as u32;
	let generated = one.output.output.len() as u32;
	assert_eq!(one.steps(), positions * (1 + 30 * 11) + (positions - generated) + 3 * generated);
}

#[test]
fn the_commitment_pins_the_file() {
	let bytes = model_bytes();
	let model = Model::from_gguf(&bytes).unwrap();
	assert!(Model::from_gguf_checked(&bytes, &model.root()).is_ok());
	// One weight byte changed: another root, and a checked load refuses it.
	let mut changed = bytes.clone();
	let g = Gguf::parse(&bytes).unwrap();
	let t = g.tensor("blk.17.ffn_down.weight").unwrap();
	changed[t.start + 1000] ^= 0x10;
	let other = Model::from_gguf(&changed).unwrap();
	assert_ne!(other.root(), model.root());
	assert!(matches!(Model::from_gguf_checked(&changed, &model.root()), Err(ModelError::RootMismatch { .. })));
	// A truncated file is an error.
	assert!(Model::from_gguf(&bytes[..bytes.len() - 1]).is_err());
	assert!(Model::from_gguf(&bytes[..1 << 20]).is_err());
}

#[test]
fn the_tokenizer_round_trips_and_pins_the_chat_ids() {
	let bytes = model_bytes();
	let tok = Tokenizer::from_gguf(&Gguf::parse(&bytes).unwrap()).unwrap();
	for text in ["Hello world!", "  spaces,\ttabs\nand 12345 digits", "Émoji 🦀 and ünïcödé", "<|im_start|>user"] {
		let ids = tok.encode(text).unwrap();
		let back = tok.inner_decode_keep_specials(&ids);
		assert_eq!(back, text);
	}
	// Digits are split one by one (the `smollm` pre-tokenizer); special tokens are single ids.
	let ids = tok.encode("2024").unwrap();
	assert_eq!(ids.len(), 4);
	assert_eq!(tok.encode("<|im_start|><|im_end|>").unwrap(), vec![1, 2]);
	// Pinned: the ids of a chat prompt. Requests carry token ids, so a change here changes what every client
	// sends for the same text; it must be deliberate. (They decode back to the template, checked above.)
	assert_eq!(
		tok.encode_chat("What is the capital of France?").unwrap(),
		vec![
			1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411, 407, 19712, 8182,
			2, 198, 1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198, 1, 520, 9531, 198
		]
	);
}

fn hex(h: &[u8]) -> String {
	h.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_pinned_run_gives_the_pinned_state_root() {
	// Everywhere else native and WASM are compared with each other; this pins what they both compute, so that a
	// change of the arithmetic (a kernel, a rounding, the order of a sum, the state layout) that moves both alike
	// is noticed. Such a change must be deliberate: it changes the result and final root of every request, so a
	// node running the old engine would lose every dispute against one running the new. Update the values below
	// only together with a version bump of the engine the chain accepts.
	let model = Model::from_gguf(&model_bytes()).expect("SmolLM2 loads");
	assert_eq!(hex(&model.root()), "233cff8e455314b035a207062bf8fa75436c465cfe6f0d5376e47dee1ebb4691", "model root");
	// "What is the capital of France?" in the chat template: 37 tokens, so attention spans three chunks.
	let prompt = vec![
		1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411, 407, 19712, 8182, 2,
		198, 1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198, 1, 520, 9531, 198,
	];
	// With every set of kernels this machine has (portable, AVX2, AVX-512 VNNI). Other tests of this binary may
	// run meanwhile under the forced level: they must give the same bytes anyway.
	for level in kernel_levels() {
		force_kernels(level);
		let trace = run(&model, &Request { prompt: prompt.clone(), max_new: 8 }, None, None).expect("valid request");
		eprintln!(
			"{level}: output {:?}, {} steps, final root {}",
			trace.output.output,
			trace.steps(),
			hex(&trace.output.final_root)
		);
		// (The output reads "The capital of France is Paris." and goes on.)
		assert_eq!(trace.output.output, PINNED_OUTPUT, "{level}: generated tokens");
		assert_eq!(trace.steps(), PINNED_STEPS, "{level}: step count");
		assert_eq!(hex(&trace.output.final_root), PINNED_ROOT, "{level}: final state root");
	}
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn kernel_levels() -> Vec<&'static str> {
	sibyl_engine::simd::available().into_iter().map(|l| l.name()).collect()
}
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn force_kernels(name: &str) {
	let level = sibyl_engine::simd::available().into_iter().find(|l| l.name() == name).expect("available");
	sibyl_engine::simd::force(level);
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn kernel_levels() -> Vec<&'static str> {
	vec!["portable"]
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn force_kernels(_: &str) {}

/// The pinned run's generated tokens, step count and final state root.
const PINNED_OUTPUT: &[u32] = &[60, 23, 39614, 1141, 552, 28, 2618, 2828];
const PINNED_STEPS: u32 = 14624;
const PINNED_ROOT: &str = "ccf35d168828968ccb5835bd430547fcbdc414e17fef4873258d11e27ea23ef0";
