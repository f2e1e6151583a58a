//! The model's own tokenizer, built from its GGUF metadata with Hugging Face's `tokenizers` crate: byte-level BPE
//! (`tokenizer.ggml.model = gpt2`) with the pre-tokenizer the metadata names, control tokens matched as special
//! tokens, and the ChatML chat template instruction models of this family use.
//!
//! Tokenization runs on the client and the node, never in the runtime: requests carry token ids.

use tokenizers::{
	decoders::byte_level::ByteLevel as ByteLevelDecoder,
	models::bpe::{Vocab, BPE},
	pre_tokenizers::{byte_level::ByteLevel, digits::Digits, sequence::Sequence, PreTokenizerWrapper},
	AddedToken, Tokenizer as HfTokenizer,
};

use crate::gguf::{Gguf, GgufError};

/// Why a tokenizer could not be built or used.
#[derive(Debug)]
pub enum TokenizerError {
	/// The GGUF file could not be read.
	Gguf(GgufError),
	/// The metadata describes a tokenizer this engine does not support.
	Unsupported(String),
	/// The tokenizer library failed.
	Library(String),
}

impl std::fmt::Display for TokenizerError {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		match self {
			TokenizerError::Gguf(e) => write!(f, "GGUF: {e:?}"),
			TokenizerError::Unsupported(s) => write!(f, "unsupported tokenizer: {s}"),
			TokenizerError::Library(s) => write!(f, "tokenizer: {s}"),
		}
	}
}

impl std::error::Error for TokenizerError {}

/// A model's tokenizer and chat template.
pub struct Tokenizer {
	inner: HfTokenizer,
	chat_template: String,
	/// End-of-sequence token id.
	pub eos: u32,
}

/// The system prompt the SmolLM2 chat template inserts when a conversation has none.
pub const DEFAULT_SYSTEM: &str = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

impl Tokenizer {
	/// Builds the tokenizer described by a GGUF file's metadata.
	pub fn from_gguf(g: &Gguf) -> Result<Tokenizer, TokenizerError> {
		let s = |k: &str| g.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
		let model = s("tokenizer.ggml.model");
		if model != "gpt2" {
			return Err(TokenizerError::Unsupported(format!("tokenizer model {model:?} (only gpt2 BPE)")));
		}
		let pre = s("tokenizer.ggml.pre");
		let tokens: Vec<String> = g
			.get("tokenizer.ggml.tokens")
			.and_then(|v| v.as_array())
			.ok_or(TokenizerError::Gguf(GgufError::MissingKey("tokenizer.ggml.tokens")))?
			.iter()
			.map(|v| v.as_str().unwrap_or_default().to_string())
			.collect();
		let types: Vec<i64> = g
			.get("tokenizer.ggml.token_type")
			.and_then(|v| v.as_array())
			.map(|a| a.iter().map(|v| v.as_f64().unwrap_or(1.0) as i64).collect())
			.unwrap_or_default();
		let merges: Vec<(String, String)> = g
			.get("tokenizer.ggml.merges")
			.and_then(|v| v.as_array())
			.ok_or(TokenizerError::Gguf(GgufError::MissingKey("tokenizer.ggml.merges")))?
			.iter()
			.filter_map(|v| v.as_str())
			.filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())))
			.collect();
		let vocab: Vocab = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
		let bpe = BPE::builder()
			.vocab_and_merges(vocab, merges)
			.build()
			.map_err(|e| TokenizerError::Library(e.to_string()))?;
		let mut inner = HfTokenizer::new(bpe);
		let byte_level = ByteLevel::new(false, true, true);
		let pre_tokenizer: PreTokenizerWrapper = match pre.as_str() {
			// SmolLM and StarCoder split every digit, then apply GPT-2's byte-level regex.
			"smollm" | "starcoder" | "refact" =>
				Sequence::new(vec![Digits::new(true).into(), byte_level.into()]).into(),
			"gpt-2" | "default" | "" => byte_level.into(),
			other => return Err(TokenizerError::Unsupported(format!("pre-tokenizer {other:?}"))),
		};
		inner.with_pre_tokenizer(Some(pre_tokenizer));
		inner.with_decoder(Some(ByteLevelDecoder::default()));
		// Control tokens (type 3) are written literally in prompts (`<|im_start|>`); match them as specials.
		let specials: Vec<AddedToken> = tokens
			.iter()
			.zip(types.iter().chain(std::iter::repeat(&1)))
			.filter(|(_, t)| **t == 3)
			.map(|(tok, _)| AddedToken::from(tok.clone(), true))
			.collect();
		inner.add_special_tokens(specials).map_err(|e| TokenizerError::Library(e.to_string()))?;
		let eos = g.get("tokenizer.ggml.eos_token_id").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
		Ok(Tokenizer { inner, chat_template: s("tokenizer.chat_template"), eos })
	}

	/// Token ids of `text` (special tokens written in the text are recognized).
	pub fn encode(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
		let enc = self.inner.encode(text, false).map_err(|e| TokenizerError::Library(e.to_string()))?;
		Ok(enc.get_ids().to_vec())
	}

	/// Text of `ids`; special tokens are dropped.
	pub fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
		self.inner.decode(ids, true).map_err(|e| TokenizerError::Library(e.to_string()))
	}

	/// Text of `ids` with special tokens kept (for round-trip checks).
	pub fn inner_decode_keep_specials(&self, ids: &[u32]) -> String {
		self.inner.decode(ids, false).unwrap_or_default()
	}

	/// The prompt text of a one-turn chat: the model's ChatML template with its default system prompt and the
	/// assistant's turn opened.
	pub fn chat_prompt(&self, user: &str) -> Result<String, TokenizerError> {
		if !self.chat_template.contains("<|im_start|>") {
			return Err(TokenizerError::Unsupported("chat template is not ChatML".into()));
		}
		let system = if self.chat_template.contains(DEFAULT_SYSTEM) { DEFAULT_SYSTEM } else { "" };
		let mut p = String::new();
		if !system.is_empty() {
			p.push_str(&format!("<|im_start|>system\n{system}<|im_end|>\n"));
		}
		p.push_str(&format!("<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"));
		Ok(p)
	}

	/// Token ids of a one-turn chat prompt.
	pub fn encode_chat(&self, user: &str) -> Result<Vec<u32>, TokenizerError> {
		self.encode(&self.chat_prompt(user)?)
	}
}
