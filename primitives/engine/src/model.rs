//! Models: the configuration of a llama-architecture network, its tensors in a canonical order, and the model
//! commitment, a Merkle root over the configuration and fixed-size chunks of every tensor.

use alloc::{string::String, sync::Arc, vec::Vec};
use codec::{Decode, Encode};

use crate::{
	gguf::{Gguf, GgufError, TensorType},
	merkle::{self, depth_for, leaf_hash, Hash, Tree},
};

/// Bytes of one tensor chunk, a leaf of the model tree. The last chunk of a tensor is zero-padded.
pub const MODEL_CHUNK: usize = 1024;
/// Floats per register leaf, and rows per matrix-multiplication chunk.
pub const LEAF_F32: usize = 32;
/// Longest sequence (prompt and generated tokens) the engine runs.
pub const MAX_SEQ_CAP: u32 = 2048;

/// Tensors of one transformer block, in the canonical order.
pub const LAYER_TENSORS: [&str; 9] = [
	"attn_norm",
	"attn_q",
	"attn_k",
	"attn_v",
	"attn_output",
	"ffn_norm",
	"ffn_gate",
	"ffn_up",
	"ffn_down",
];

/// Index of a block tensor within [`LAYER_TENSORS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum LayerTensor {
	AttnNorm = 0,
	Q = 1,
	K = 2,
	V = 3,
	O = 4,
	FfnNorm = 5,
	Gate = 6,
	Up = 7,
	Down = 8,
}

/// Hyperparameters of a llama-architecture model and the types of its tensors: leaf 0 of the model tree.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, scale_info::TypeInfo)]
pub struct ModelConfig {
	/// Vocabulary size.
	pub n_vocab: u32,
	/// Width of the residual stream.
	pub n_embd: u32,
	/// Number of transformer blocks.
	pub n_layer: u32,
	/// Attention heads.
	pub n_head: u32,
	/// Key/value heads (grouped-query attention).
	pub n_head_kv: u32,
	/// Hidden width of the feed-forward network.
	pub n_ff: u32,
	/// RoPE frequency base, as f32 bits.
	pub rope_base_bits: u32,
	/// RMS-norm epsilon, as f32 bits.
	pub rms_eps_bits: u32,
	/// Longest sequence a request may use (prompt plus generated tokens).
	pub max_seq: u32,
	/// Beginning-of-sequence token.
	pub bos: u32,
	/// End-of-sequence token: generation stops after producing it.
	pub eos: u32,
	/// Whether the output projection is the token embedding (no separate `output` tensor).
	pub tied_output: bool,
	/// Element type of every tensor, in the canonical order.
	pub tensor_types: Vec<TensorType>,
	/// Hash of the tokenizer (vocabulary, merges, special tokens, chat template) that goes with the model.
	pub tokenizer_hash: Hash,
}

/// Why a model can not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
	/// The file is not valid GGUF.
	Gguf(GgufError),
	/// Not the llama architecture.
	UnsupportedArchitecture(String),
	/// Hyperparameters outside what the engine supports.
	BadConfig(&'static str),
	/// A tensor has an unexpected shape.
	BadShape(String),
	/// The model's commitment is not the expected one.
	RootMismatch {
		/// Expected root.
		expected: Hash,
		/// Root of the file.
		actual: Hash,
	},
}

impl From<GgufError> for ModelError {
	fn from(e: GgufError) -> Self {
		ModelError::Gguf(e)
	}
}

impl ModelConfig {
	/// Size of one attention head.
	pub fn head_dim(&self) -> usize {
		(self.n_embd / self.n_head) as usize
	}
	/// Width of the key (and value) vectors of all KV heads.
	pub fn kv_dim(&self) -> usize {
		self.head_dim() * self.n_head_kv as usize
	}
	/// RoPE base.
	pub fn rope_base(&self) -> f32 {
		f32::from_bits(self.rope_base_bits)
	}
	/// RMS-norm epsilon.
	pub fn rms_eps(&self) -> f32 {
		f32::from_bits(self.rms_eps_bits)
	}
	/// Number of tensors in the canonical order.
	pub fn n_tensors(&self) -> usize {
		1 + 9 * self.n_layer as usize + 1 + usize::from(!self.tied_output)
	}
	/// Canonical index of the token embedding.
	pub fn embd_tensor(&self) -> usize {
		0
	}
	/// Canonical index of a block tensor.
	pub fn layer_tensor(&self, layer: u32, t: LayerTensor) -> usize {
		1 + 9 * layer as usize + t as usize
	}
	/// Canonical index of the final norm.
	pub fn out_norm_tensor(&self) -> usize {
		1 + 9 * self.n_layer as usize
	}
	/// Canonical index of the output projection (the embedding when tied).
	pub fn output_tensor(&self) -> usize {
		if self.tied_output {
			0
		} else {
			2 + 9 * self.n_layer as usize
		}
	}

	/// `(rows, columns)` of canonical tensor `t`.
	pub fn shape(&self, t: usize) -> (usize, usize) {
		let e = self.n_embd as usize;
		let out_norm = self.out_norm_tensor();
		if t == 0 || (t == out_norm + 1) {
			return (self.n_vocab as usize, e);
		}
		if t == out_norm {
			return (1, e);
		}
		match (t - 1) % 9 {
			0 | 5 => (1, e),
			1 | 4 => (e, e),
			2 | 3 => (self.kv_dim(), e),
			6 | 7 => (self.n_ff as usize, e),
			_ => (e, self.n_ff as usize),
		}
	}

	/// Bytes of one row of tensor `t`.
	pub fn row_bytes(&self, t: usize) -> usize {
		self.tensor_types[t].row_bytes(self.shape(t).1)
	}

	/// Bytes of tensor `t`.
	pub fn tensor_bytes(&self, t: usize) -> usize {
		self.shape(t).0 * self.row_bytes(t)
	}

	/// Index of the first model-tree leaf of tensor `t` (leaf 0 is the configuration).
	pub fn first_leaf(&self, t: usize) -> u64 {
		1 + (0..t).map(|i| self.tensor_bytes(i).div_ceil(MODEL_CHUNK) as u64).sum::<u64>()
	}

	/// Number of leaves of the model tree.
	pub fn n_leaves(&self) -> u64 {
		self.first_leaf(self.n_tensors())
	}

	/// Depth of the model tree.
	pub fn tree_depth(&self) -> u32 {
		depth_for(self.n_leaves())
	}

	/// Checks that the engine can run a model of this shape.
	pub fn validate(&self) -> Result<(), ModelError> {
		let bad = |what| Err(ModelError::BadConfig(what));
		if self.n_layer == 0 || self.n_layer > 256 {
			return bad("block count must be 1..=256");
		}
		if self.n_embd == 0 || self.n_embd > 16384 || self.n_embd as usize % LEAF_F32 != 0 {
			return bad("embedding width must be a positive multiple of 32, at most 16384");
		}
		if self.n_ff == 0 || self.n_ff > 65536 || self.n_ff as usize % LEAF_F32 != 0 {
			return bad("feed-forward width must be a positive multiple of 32, at most 65536");
		}
		if self.n_head == 0 || self.n_embd % self.n_head != 0 || self.head_dim() % 2 != 0 {
			return bad("heads must divide the embedding width into even head sizes");
		}
		if self.n_head_kv == 0 || self.n_head % self.n_head_kv != 0 || self.kv_dim() % LEAF_F32 != 0 {
			return bad("KV heads must divide the heads, and their width must be a multiple of 32");
		}
		if self.head_dim() > 1024 {
			return bad("head size at most 1024");
		}
		if self.n_vocab == 0 || self.n_vocab > 1 << 20 {
			return bad("vocabulary must have 1..=2^20 tokens");
		}
		if self.max_seq == 0 || self.max_seq > MAX_SEQ_CAP {
			return bad("maximum sequence must be 1..=2048");
		}
		if self.bos >= self.n_vocab || self.eos >= self.n_vocab {
			return bad("special tokens must be in the vocabulary");
		}
		if self.tensor_types.len() != self.n_tensors() {
			return bad("one tensor type per canonical tensor");
		}
		for t in 0..self.n_tensors() {
			let (rows, cols) = self.shape(t);
			let ty = self.tensor_types[t];
			// Offsets are `usize` in WASM too (32 bits): keep every tensor under 1 GiB.
			let bytes = rows as u64 * (cols / ty.block_elems()) as u64 * ty.block_bytes() as u64;
			if bytes > 1 << 30 {
				return bad("every tensor must be under 1 GiB");
			}
			if cols % ty.block_elems() != 0 {
				return bad("tensor rows must hold whole blocks");
			}
			if rows == 1 && !matches!(ty, TensorType::F32 | TensorType::F16) {
				return bad("norm weights must be F32 or F16");
			}
		}
		Ok(())
	}

	/// The configuration as leaf 0 of the model tree.
	pub fn leaf_bytes(&self) -> Vec<u8> {
		self.encode()
	}
}

/// The GGUF name of canonical tensor `t`.
pub fn tensor_name(cfg: &ModelConfig, t: usize) -> String {
	use alloc::format;
	if t == 0 {
		return "token_embd.weight".into();
	}
	if t == cfg.out_norm_tensor() {
		return "output_norm.weight".into();
	}
	if t == cfg.out_norm_tensor() + 1 {
		return "output.weight".into();
	}
	format!("blk.{}.{}.weight", (t - 1) / 9, LAYER_TENSORS[(t - 1) % 9])
}

/// Bytes a model can be read from in place: a memory-mapped file, or a buffer.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Where a model's tensor bytes are.
#[derive(Clone)]
enum Storage {
	/// One buffer per tensor.
	Tensors(Vec<Vec<u8>>),
	/// A whole GGUF file (memory-mapped by [`Model::open`]) and each tensor's byte range in it: no copy.
	File(SharedBytes, Vec<core::ops::Range<usize>>),
}

impl Storage {
	fn tensor(&self, t: usize) -> &[u8] {
		match self {
			Storage::Tensors(v) => &v[t],
			Storage::File(f, ranges) => &(**f).as_ref()[ranges[t].clone()],
		}
	}
	fn len(&self) -> usize {
		match self {
			Storage::Tensors(v) => v.len(),
			Storage::File(_, ranges) => ranges.len(),
		}
	}
}

/// A loaded model: configuration, tensor bytes in canonical order, and the commitment tree.
#[derive(Clone)]
pub struct Model {
	/// The configuration.
	pub config: ModelConfig,
	tensors: Storage,
	/// First model-tree leaf of each tensor, and the total leaf count last.
	first_leaves: Vec<u64>,
	tree: Tree,
}

impl core::fmt::Debug for Model {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.debug_struct("Model").field("config", &self.config).field("root", &self.root()).finish()
	}
}

/// The leaf hashes of a tensor's chunks.
fn chunk_leaves(bytes: &[u8], out: &mut Vec<Hash>) {
	for c in bytes.chunks(MODEL_CHUNK) {
		if c.len() == MODEL_CHUNK {
			out.push(leaf_hash(c));
		} else {
			let mut padded = [0u8; MODEL_CHUNK];
			padded[..c.len()].copy_from_slice(c);
			out.push(leaf_hash(&padded));
		}
	}
}

impl Model {
	/// A model from its configuration and tensors (canonical order, exact sizes).
	pub fn new(config: ModelConfig, tensors: Vec<Vec<u8>>) -> Result<Model, ModelError> {
		config.validate()?;
		if tensors.len() != config.n_tensors() {
			return Err(ModelError::BadConfig("one byte buffer per canonical tensor"));
		}
		for (t, bytes) in tensors.iter().enumerate() {
			if bytes.len() != config.tensor_bytes(t) {
				return Err(ModelError::BadShape(tensor_name(&config, t)));
			}
		}
		Ok(Model::commit(config, Storage::Tensors(tensors)))
	}

	/// Builds the commitment over tensors of checked sizes.
	fn commit(config: ModelConfig, tensors: Storage) -> Model {
		let mut leaves = Vec::with_capacity(config.n_leaves() as usize);
		leaves.push(leaf_hash(&config.leaf_bytes()));
		let mut first_leaves = Vec::with_capacity(tensors.len() + 1);
		for t in 0..tensors.len() {
			first_leaves.push(leaves.len() as u64);
			chunk_leaves(tensors.tensor(t), &mut leaves);
		}
		first_leaves.push(leaves.len() as u64);
		let tree = Tree::from_leaves(config.tree_depth(), leaves);
		Model { config, tensors, first_leaves, tree }
	}

	/// Like [`Model::from_gguf`], reading the tensors in place from `file` instead of copying them: one copy of
	/// the weights in memory (the page cache's, when `file` is a memory map).
	pub fn from_gguf_shared(file: SharedBytes) -> Result<Model, ModelError> {
		let (config, ranges) = Model::parse_gguf((*file).as_ref())?;
		Ok(Model::commit(config, Storage::File(file, ranges)))
	}

	/// Memory-maps the GGUF file at `path` and loads it with [`Model::from_gguf_shared`]. The file must not change
	/// while the model is loaded (a model file is never written in place; the commitment is checked at load).
	#[cfg(feature = "std")]
	pub fn open(path: &std::path::Path) -> Result<Model, String> {
		Model::from_gguf_shared(map_file(path)?).map_err(|e| format!("{}: {e:?}", path.display()))
	}

	/// Loads a llama-architecture GGUF file. Everything in the configuration, and so the commitment, comes from
	/// the file alone: the longest sequence is the model's context length capped at [`MAX_SEQ_CAP`].
	pub fn from_gguf(file: &[u8]) -> Result<Model, ModelError> {
		let (config, ranges) = Model::parse_gguf(file)?;
		let bytes = ranges.into_iter().map(|r| file[r].to_vec()).collect();
		Ok(Model::commit(config, Storage::Tensors(bytes)))
	}

	/// The configuration of a GGUF file and the byte range of each canonical tensor in it (checked).
	fn parse_gguf(file: &[u8]) -> Result<(ModelConfig, Vec<core::ops::Range<usize>>), ModelError> {
		let g = Gguf::parse(file)?;
		let arch = g.get("general.architecture").and_then(|v| v.as_str()).unwrap_or_default();
		if arch != "llama" {
			return Err(ModelError::UnsupportedArchitecture(arch.into()));
		}
		let u = |k: &'static str| -> Result<u32, ModelError> {
			g.get(k)
				.and_then(|v| v.as_u64())
				.and_then(|v| u32::try_from(v).ok())
				.ok_or(ModelError::Gguf(GgufError::MissingKey(k)))
		};
		let f = |k: &'static str| -> Result<f32, ModelError> {
			g.get(k).and_then(|v| v.as_f64()).map(|v| v as f32).ok_or(ModelError::Gguf(GgufError::MissingKey(k)))
		};
		let n_embd = u("llama.embedding_length")?;
		let n_head = u("llama.attention.head_count")?;
		let n_vocab = match u("llama.vocab_size") {
			Ok(v) => v,
			Err(_) => g
				.tensor("token_embd.weight")
				.and_then(|t| t.dims.get(1).copied())
				.and_then(|v| u32::try_from(v).ok())
				.ok_or(ModelError::Gguf(GgufError::MissingKey("llama.vocab_size")))?,
		};
		if let Ok(rope_dims) = u("llama.rope.dimension_count") {
			if n_head == 0 || rope_dims != n_embd / n_head {
				return Err(ModelError::BadConfig("partial rotary embeddings are not supported"));
			}
		}
		let context = u("llama.context_length").unwrap_or(MAX_SEQ_CAP);
		let tied_output = g.tensor("output.weight").is_none();
		let mut config = ModelConfig {
			n_vocab,
			n_embd,
			n_layer: u("llama.block_count")?,
			n_head,
			n_head_kv: u("llama.attention.head_count_kv").unwrap_or(n_head),
			n_ff: u("llama.feed_forward_length")?,
			rope_base_bits: f("llama.rope.freq_base").unwrap_or(10_000.0).to_bits(),
			rms_eps_bits: f("llama.attention.layer_norm_rms_epsilon")?.to_bits(),
			max_seq: context.min(MAX_SEQ_CAP),
			bos: u("tokenizer.ggml.bos_token_id").unwrap_or(1),
			eos: u("tokenizer.ggml.eos_token_id").unwrap_or(2),
			tied_output,
			tensor_types: Vec::new(),
			tokenizer_hash: tokenizer_hash(&g),
		};
		let n = 1 + 9 * config.n_layer as usize + 1 + usize::from(!tied_output);
		if config.n_layer == 0 || config.n_layer > 256 {
			return Err(ModelError::BadConfig("block count must be 1..=256"));
		}
		let mut tensors = Vec::with_capacity(n);
		for t in 0..n {
			let name = tensor_name(&config, t);
			let info = g.tensor(&name).ok_or_else(|| ModelError::Gguf(GgufError::MissingTensor(name.clone())))?;
			config.tensor_types.push(info.ty);
			tensors.push((name, info.clone()));
		}
		config.validate()?;
		let mut ranges = Vec::with_capacity(n);
		for (t, (name, info)) in tensors.into_iter().enumerate() {
			let (rows, cols) = config.shape(t);
			let dims_ok = match info.dims.as_slice() {
				[c] => rows == 1 && *c as usize == cols,
				[c, r] => *c as usize == cols && *r as usize == rows,
				_ => false,
			};
			if !dims_ok || info.len != config.tensor_bytes(t) {
				return Err(ModelError::BadShape(name));
			}
			// (`Gguf::parse` checked that the range lies in the file.)
			ranges.push(info.start..info.start + info.len);
		}
		Ok((config, ranges))
	}

	/// Like [`Model::from_gguf`], and refuses a file whose commitment is not `expected`.
	pub fn from_gguf_checked(file: &[u8], expected: &Hash) -> Result<Model, ModelError> {
		Model::from_gguf(file)?.expect_root(expected)
	}

	/// This model, if its commitment is `expected`.
	pub fn expect_root(self, expected: &Hash) -> Result<Model, ModelError> {
		if self.root() != *expected {
			return Err(ModelError::RootMismatch { expected: *expected, actual: self.root() });
		}
		Ok(self)
	}

	/// The model commitment.
	pub fn root(&self) -> Hash {
		self.tree.root()
	}

	/// Bytes of canonical tensor `t`.
	pub fn tensor(&self, t: usize) -> &[u8] {
		self.tensors.tensor(t)
	}

	/// The commitment tree.
	pub fn tree(&self) -> &Tree {
		&self.tree
	}

	/// The bytes of model-tree leaf `i` (padded chunk, or the configuration for leaf 0).
	pub fn leaf_data(&self, i: u64) -> Vec<u8> {
		if i == 0 {
			return self.config.leaf_bytes();
		}
		// The tensor whose leaves include `i`: the last one starting at or before it.
		let t = self.first_leaves.partition_point(|&f| f <= i).saturating_sub(1).min(self.tensors.len() - 1);
		let start = (i - self.first_leaves[t]) as usize * MODEL_CHUNK;
		let mut out = alloc::vec![0u8; MODEL_CHUNK];
		let src = self.tensors.tensor(t);
		let end = (start + MODEL_CHUNK).min(src.len());
		if start < end {
			out[..end - start].copy_from_slice(&src[start..end]);
		}
		out
	}
}

/// The file at `path`, memory-mapped read-only (for [`Model::from_gguf_shared`], and for reading the tokenizer from
/// the same pages). The file must not change while it is mapped: model files are never written in place.
#[cfg(feature = "std")]
pub fn map_file(path: &std::path::Path) -> Result<SharedBytes, String> {
	let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
	// SAFETY: the map is read-only, and the engine's model files are not modified while in use (see above).
	let map = unsafe { memmap2::Mmap::map(&f) }.map_err(|e| format!("{}: {e}", path.display()))?;
	Ok(Arc::new(map))
}

/// The hash that pins a model's tokenizer: blake2-256 over the SCALE encoding of the tokenizer's GGUF metadata
/// (model, pre-tokenizer, tokens, token types, merges, special ids, chat template), absent keys empty.
pub fn tokenizer_hash(g: &Gguf) -> Hash {
	let s = |k: &str| g.get(k).and_then(|v| v.as_str()).unwrap_or_default();
	let strings = |k: &str| -> Vec<&str> {
		g.get(k).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default()
	};
	let ints = |k: &str| -> Vec<i64> {
		g.get(k)
			.and_then(|v| v.as_array())
			.map(|a| a.iter().map(|v| v.as_f64().unwrap_or(0.0) as i64).collect())
			.unwrap_or_default()
	};
	let id = |k: &str| g.get(k).and_then(|v| v.as_u64()).unwrap_or(u64::MAX);
	let mut enc = Vec::new();
	(s("tokenizer.ggml.model"), s("tokenizer.ggml.pre")).encode_to(&mut enc);
	strings("tokenizer.ggml.tokens").encode_to(&mut enc);
	ints("tokenizer.ggml.token_type").encode_to(&mut enc);
	strings("tokenizer.ggml.merges").encode_to(&mut enc);
	(id("tokenizer.ggml.bos_token_id"), id("tokenizer.ggml.eos_token_id")).encode_to(&mut enc);
	s("tokenizer.chat_template").encode_to(&mut enc);
	merkle::blake2(&enc)
}
