//! Command-line arguments.

use sc_cli::RunCmd;

/// `sibyl-node [SUBCOMMAND] [OPTIONS]`: without a subcommand, runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// What to do instead of running the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the node itself.
	#[clap(flatten)]
	pub run: RunCmd,

	/// Inference options.
	#[clap(flatten)]
	pub inference: InferenceParams,

	/// Ethereum bridge options.
	#[clap(flatten)]
	pub ethereum: EthereumParams,
}

/// Where a validator reads the Ethereum gateway's events, to attest them.
#[derive(Debug, Clone, clap::Args)]
pub struct EthereumParams {
	/// JSON-RPC endpoint (HTTP) of an Ethereum node that serves the gateway's chain. A validator's off-chain
	/// worker reads the gateway's `InferenceRequested` and `TokensToSibyl` logs from it and attests them with the
	/// node's operator key; without it, the node attests nothing. Trust: this endpoint decides only this node's
	/// votes; an event needs more than two thirds of the validators.
	#[arg(long, value_name = "URL")]
	pub eth_rpc: Option<String>,
}

/// How the node runs inference for its operator keys' off-chain workers and its `inference_*` RPC methods.
#[derive(Debug, Clone, clap::Args)]
pub struct InferenceParams {
	/// Directory of GGUF model files; each is known by its engine commitment (default: where `scripts/setup.sh`
	/// puts SmolLM2: `$SIBYL_MODEL_DIR` or `~/.cache/sibyl/models`).
	#[arg(long, value_name = "DIR")]
	pub model_dir: Option<std::path::PathBuf>,

	/// Engine threads for inference (the result does not depend on it). Keep it under the core count on a
	/// validator so block production and finality keep their cores.
	#[arg(long, default_value_t = 1, value_name = "N")]
	pub inference_threads: usize,

	/// Percent of other operators' results that this node re-runs to check them, challenging those that differ
	/// (with its operator key, which pays the challenge bond). Each node picks its share at random at start.
	#[arg(long, default_value_t = 100, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
	pub verify_share: u8,

	/// TEST NETWORKS ONLY: make this node a dishonest operator that claims false state roots from step N on (and a
	/// changed first output token): its results are wrong, its challenges are false, and it loses every dispute
	/// game it plays. Refused unless the chain spec is a development or local one.
	#[arg(long, value_name = "N")]
	pub dishonest_from_step: Option<u32>,
}

impl InferenceParams {
	/// The model directory.
	pub fn model_dir(&self) -> std::path::PathBuf {
		self.model_dir.clone().unwrap_or_else(crate::inference::default_model_dir)
	}
}

/// The node's subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys, node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (use `export-chain-spec` for new scripts).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification, plain or raw.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Benchmark the runtime's pallets, the block and extrinsic overhead, the database and the machine (only in a
	/// node built with `--features runtime-benchmarks`; `make weights` builds one and runs them all).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// The deterministic inference engine: model commitments, runs with state roots.
	#[command(subcommand)]
	Engine(crate::engine_cmd::EngineCmd),

	/// Ask a node's chain a question: submit a prompt, follow it until its answer is final, print the answer.
	Ask(crate::ask_cmd::AskCmd),
}
