//! `sibyl-node engine ...`: the deterministic inference engine from the command line.
//!
//! - `engine commit --model FILE`: prints the model commitment (the root a model is registered under on chain);
//!   with `--registration OUT`, also writes what `register_model` takes besides names and fees: the SCALE
//!   encoding of `(root, configuration bytes, Merkle proof of the configuration as leaf 0)`.
//! - `engine run --model FILE --prompt TEXT`: runs a chat prompt to its end and prints the output text, the
//!   final state root and the step count, with a progress bar.

use std::{path::PathBuf, time::Instant};

use indicatif::{ProgressBar, ProgressStyle};
use sibyl_engine::{gguf::Gguf, state::Request, tokenizer::Tokenizer, Model};

/// Engine subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EngineCmd {
	/// Print the commitment (Merkle root) of a GGUF model.
	Commit(CommitCmd),
	/// Run a prompt and print the output, the final state root and the step count.
	Run(RunCmd),
}

/// `engine commit`.
#[derive(Debug, clap::Parser)]
pub struct CommitCmd {
	/// The GGUF file.
	#[arg(long)]
	pub model: PathBuf,
	/// Write the registration data (SCALE: root, configuration, proof of the configuration) to this file.
	#[arg(long)]
	pub registration: Option<PathBuf>,
}

/// `engine run`.
#[derive(Debug, clap::Parser)]
pub struct RunCmd {
	/// The GGUF file.
	#[arg(long)]
	pub model: PathBuf,
	/// The user's message; the model's chat template wraps it.
	#[arg(long, conflicts_with = "tokens")]
	pub prompt: Option<String>,
	/// The prompt as comma-separated token ids, used as they are (no template).
	#[arg(long)]
	pub tokens: Option<String>,
	/// Most tokens to generate.
	#[arg(long, default_value_t = 64)]
	pub max_new: u32,
	/// Refuse the file unless its commitment is this root (hex).
	#[arg(long)]
	pub expect_root: Option<String>,
	/// Worker threads (0: one per core). The result does not depend on it.
	#[arg(long, default_value_t = 0)]
	pub threads: usize,
	/// Also print the state root every this many steps.
	#[arg(long)]
	pub roots_every: Option<u32>,
	/// No progress bar.
	#[arg(long)]
	pub quiet: bool,
}

/// `0x` and every byte in hex.
pub(crate) fn hex(h: &[u8]) -> String {
	sp_core::bytes::to_hex(h, false)
}

/// A 32-byte root from hex, with or without `0x`.
pub(crate) fn parse_root(s: &str) -> Result<[u8; 32], String> {
	let bytes = sp_core::bytes::from_hex(s).map_err(|e| format!("bad hex {s:?}: {e}"))?;
	let n = bytes.len();
	bytes.try_into().map_err(|_| format!("a root is 32 bytes (64 hex digits), got {n} bytes"))
}

fn load(path: &PathBuf, expect: Option<&str>) -> Result<(Model, Tokenizer), String> {
	// Memory-mapped: the weights are in memory once, as the file's pages.
	let file = sibyl_engine::model::map_file(path)?;
	let expected = expect.map(parse_root).transpose()?;
	let model = match expected {
		Some(root) => Model::from_gguf_shared(file.clone()).and_then(|m| m.expect_root(&root)),
		None => Model::from_gguf_shared(file.clone()),
	}
	.map_err(|e| format!("{}: {e:?}", path.display()))?;
	let gguf = Gguf::parse((*file).as_ref()).map_err(|e| format!("{e:?}"))?;
	let tokenizer = Tokenizer::from_gguf(&gguf).map_err(|e| e.to_string())?;
	Ok((model, tokenizer))
}

impl EngineCmd {
	/// Runs the subcommand.
	pub fn run(&self) -> sc_cli::Result<()> {
		match self {
			EngineCmd::Commit(c) => {
				let (model, _) = load(&c.model, None)?;
				let cfg = &model.config;
				println!("root: {}", hex(&model.root()));
				println!(
					"llama: {} blocks, width {}, {} heads / {} KV heads, FFN {}, vocabulary {}, max sequence {}",
					cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.n_head_kv, cfg.n_ff, cfg.n_vocab, cfg.max_seq
				);
				println!("tokenizer: {}", hex(&cfg.tokenizer_hash));
				println!("leaves: {} (depth {})", cfg.n_leaves(), cfg.tree_depth());
				if let Some(out) = &c.registration {
					let config = codec::Encode::encode(cfg);
					let proof = model.tree().multiproof(&[0], u64::MAX);
					let bytes = codec::Encode::encode(&(model.root(), config, proof));
					std::fs::write(out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
					println!("registration: {} ({} bytes)", out.display(), bytes.len());
				}
				Ok(())
			},
			EngineCmd::Run(c) => c.run(),
		}
	}
}

impl RunCmd {
	fn run(&self) -> sc_cli::Result<()> {
		let (model, tokenizer) = load(&self.model, self.expect_root.as_deref())?;
		let prompt: Vec<u32> = match (&self.prompt, &self.tokens) {
			(Some(p), _) => tokenizer.encode_chat(p).map_err(|e| e.to_string())?,
			(None, Some(t)) => t
				.split(',')
				.map(|x| x.trim().parse::<u32>().map_err(|e| format!("bad token id {x:?}: {e}")))
				.collect::<Result<_, _>>()?,
			(None, None) => return Err("give --prompt TEXT or --tokens IDS".into()),
		};
		let req = Request { prompt, max_new: self.max_new };
		req.validate(&model.config).map_err(|e| format!("{e:?}"))?;
		let pool = rayon::ThreadPoolBuilder::new()
			.num_threads(self.threads)
			.build()
			.map_err(|e| format!("threads: {e}"))?;

		let bar = if self.quiet { ProgressBar::hidden() } else { ProgressBar::new(self.max_new as u64) };
		bar.set_style(
			ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} tokens, {elapsed}")
				.unwrap_or_else(|_| ProgressStyle::default_bar())
				.progress_chars("=> "),
		);
		let prompt_len = req.prompt.len() as u32;
		let start = Instant::now();
		let mut progress = |m: &sibyl_engine::state::Meta| {
			if m.op == sibyl_engine::state::Op::Embed && m.chunk == 0 {
				if m.pos < prompt_len {
					bar.set_message(format!("prompt {}/{}", m.pos, prompt_len));
				} else {
					bar.set_message(format!("step {}", m.step));
				}
				bar.set_position(m.generated as u64);
			}
		};
		let trace = pool
			.install(|| sibyl_engine::run(&model, &req, self.roots_every, Some(&mut progress)))
			.map_err(|e| format!("{e:?}"))?;
		bar.finish_and_clear();
		let secs = start.elapsed().as_secs_f64();
		let out = &trace.output;
		let text = tokenizer.decode(&out.output).map_err(|e| e.to_string())?;
		println!("{text}");
		println!("---");
		println!("model root: {}", hex(&model.root()));
		println!("prompt tokens: {}", req.prompt.len());
		println!("output tokens: {:?}", out.output);
		println!("final root: {}", hex(&out.final_root));
		println!("steps: {}", out.steps);
		println!(
			"time: {:.2} s ({:.1} tokens/s over prompt and output)",
			secs,
			(req.prompt.len() + out.output.len()) as f64 / secs
		);
		for (step, root) in &out.roots {
			println!("root at step {step}: {}", hex(root));
		}
		Ok(())
	}
}
