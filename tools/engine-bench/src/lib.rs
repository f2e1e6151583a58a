//! Shared by the benchmark binary and the agreement tests: the model file, the fixed prompts, greedy generation
//! with candle (the reference) and with Sibyl's engine, with timings.

use std::{path::PathBuf, time::Instant};

use candle_core::{quantized::gguf_file, Device, Tensor};
use candle_transformers::models::quantized_llama::ModelWeights;
use sibyl_engine::{gguf::Gguf, state::Request, tokenizer::Tokenizer, Model, RunOutput};

/// The five fixed instruction prompts of the quality test and the benchmark.
pub const PROMPTS: [&str; 5] = [
	"Write a haiku about the ocean.",
	"Explain photosynthesis in one sentence.",
	"Why is the sky blue?",
	"Describe a cat in one sentence.",
	"Why do we need sleep?",
];

/// A word an on-topic answer to each of [`PROMPTS`] contains.
pub const TOPIC_WORDS: [&str; 5] = ["ocean", "sunlight", "light", "cat", "sleep"];

pub use sibyl_engine::testing::smollm2_path as model_path;

/// Greedy generation with timings.
#[derive(Clone, Debug)]
pub struct Generation {
	/// Generated token ids.
	pub tokens: Vec<u32>,
	/// Seconds from the start to the first generated token (the prompt's forward pass).
	pub prefill_secs: f64,
	/// Seconds for the remaining generated tokens.
	pub decode_secs: f64,
}

impl Generation {
	/// Prompt tokens per second.
	pub fn prefill_tps(&self, prompt_len: usize) -> f64 {
		prompt_len as f64 / self.prefill_secs
	}
	/// Generated tokens per second after the first.
	pub fn decode_tps(&self) -> f64 {
		(self.tokens.len().saturating_sub(1)) as f64 / self.decode_secs
	}
}

/// Candle's quantized llama on the CPU.
pub struct Candle {
	model: ModelWeights,
}

impl Candle {
	/// Loads the GGUF at `path`.
	pub fn load(path: &PathBuf) -> Candle {
		let mut f = std::fs::File::open(path).expect("model file");
		let content = gguf_file::Content::read(&mut f).expect("candle reads the GGUF");
		let model = ModelWeights::from_gguf(content, &mut f, &Device::Cpu).expect("candle loads the model");
		Candle { model }
	}

	/// Greedy generation of up to `max_new` tokens after `prompt`, stopping after `eos`.
	pub fn generate(&mut self, prompt: &[u32], max_new: usize, eos: u32) -> Generation {
		self.generate_until(prompt, max_new, Some(eos))
	}

	/// Greedy generation of exactly `n` tokens after `prompt`, end-of-sequence or not (so a benchmark decodes as
	/// many tokens as the engine it is compared with).
	pub fn generate_exactly(&mut self, prompt: &[u32], n: usize) -> Generation {
		self.generate_until(prompt, n, None)
	}

	/// Greedy generation of up to `max_new` tokens, stopping after `eos` if given.
	fn generate_until(&mut self, prompt: &[u32], max_new: usize, eos: Option<u32>) -> Generation {
		self.model.clear_kv_cache();
		let argmax = |logits: &Tensor| -> u32 {
			let v: Vec<f32> = logits.squeeze(0).expect("batch of one").to_vec1().expect("f32 logits");
			let mut best = (f32::NEG_INFINITY, 0u32);
			for (i, x) in v.iter().enumerate() {
				if *x > best.0 {
					best = (*x, i as u32);
				}
			}
			best.1
		};
		let start = Instant::now();
		let input = Tensor::new(prompt, &Device::Cpu).and_then(|t| t.unsqueeze(0)).expect("input");
		let logits = self.model.forward(&input, 0).expect("prefill");
		let mut next = argmax(&logits);
		let prefill_secs = start.elapsed().as_secs_f64();
		let mut tokens = vec![next];
		let t1 = Instant::now();
		while tokens.len() < max_new && Some(next) != eos {
			let input = Tensor::new(&[next], &Device::Cpu).and_then(|t| t.unsqueeze(0)).expect("input");
			let logits = self.model.forward(&input, prompt.len() + tokens.len() - 1).expect("decode");
			next = argmax(&logits);
			tokens.push(next);
		}
		Generation { tokens, prefill_secs, decode_secs: t1.elapsed().as_secs_f64() }
	}
}

/// Sibyl's engine, with its tokenizer.
pub struct Sibyl {
	/// The model.
	pub model: Model,
	/// Its tokenizer.
	pub tokenizer: Tokenizer,
}

impl Sibyl {
	/// Loads the GGUF at `path`.
	pub fn load(path: &PathBuf) -> Sibyl {
		let bytes = std::fs::read(path).expect("model file");
		let model = Model::from_gguf(&bytes).expect("the engine loads the model");
		let tokenizer = Tokenizer::from_gguf(&Gguf::parse(&bytes).expect("GGUF")).expect("tokenizer");
		Sibyl { model, tokenizer }
	}

	/// Greedy generation through a full traced run (state roots included).
	pub fn generate(&self, prompt: &[u32], max_new: usize) -> (Generation, RunOutput) {
		generate(&self.model, prompt, max_new)
	}
}

/// Loads only the engine's model (no tokenizer): what a benchmark's engine process holds.
/// (Memory-mapped: the weights are in memory once, as the file's pages.)
pub fn load_model(path: &PathBuf) -> Model {
	Model::open(path).expect("the engine loads the model")
}

/// Greedy generation with Sibyl's engine through a full traced run (state roots included), with timings.
pub fn generate(model: &Model, prompt: &[u32], max_new: usize) -> (Generation, RunOutput) {
	let req = Request { prompt: prompt.to_vec(), max_new: max_new as u32 };
	let start = Instant::now();
	let mut first: Option<f64> = None;
	let mut progress = |m: &sibyl_engine::state::Meta| {
		if m.generated >= 1 && first.is_none() {
			first = Some(start.elapsed().as_secs_f64());
		}
	};
	// On a worker of the thread pool, as the node runs it (`pool.install`): the steps between matrix products run
	// on a thread that takes part in them, not on one that waits while the pool's threads spin.
	let trace = rayon::scope(|_| sibyl_engine::run(model, &req, None, Some(&mut progress))).expect("valid request");
	let total = start.elapsed().as_secs_f64();
	let prefill_secs = first.unwrap_or(total);
	let out = trace.output.clone();
	(Generation { tokens: out.output.clone(), prefill_secs, decode_secs: total - prefill_secs }, out)
}

/// The token ids of [`PROMPTS`] in the chat template, from the GGUF's tokenizer alone (no model loaded).
pub fn prompt_ids(path: &PathBuf) -> Vec<Vec<u32>> {
	let bytes = std::fs::read(path).expect("model file");
	let tokenizer = Tokenizer::from_gguf(&Gguf::parse(&bytes).expect("GGUF")).expect("tokenizer");
	PROMPTS.iter().map(|p| tokenizer.encode_chat(p).expect("tokenize")).collect()
}

/// A value of this process's `/proc/self/status` in MiB (`VmHWM`: peak resident memory, `VmRSS`: current).
pub fn status_mib(key: &str) -> f64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.to_string()))
		.and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
		.map(|kib| kib / 1024.0)
		.unwrap_or(0.0)
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
	status_mib("VmHWM:")
}
