//! `sibyl-node ask "PROMPT" --url ws://127.0.0.1:9944 --suri //Alice`: asks the chain's inference oracle and
//! prints the final answer as text, with the request's progress (submitted → in block → assigned → proposed →
//! final; disputed, with each game's moves and outcome, when a validator challenges the result) and the fee paid.

use std::time::Duration;

use sc_cli::Error;
use sibyl_client::{
	ask::{self, AskOptions, Progress},
	Rpc,
};
use sp_core::{sr25519, Pair};

/// `ask`.
#[derive(Debug, clap::Parser)]
pub struct AskCmd {
	/// The question (a user message: the node applies the model's chat template).
	pub prompt: String,
	/// The node's RPC endpoint (ws:// or http://).
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	pub url: String,
	/// The requester's secret URI (it pays the fee). On a development chain, //Alice and the other well-known
	/// accounts work; a request can not be answered by its own requester's operator key.
	#[arg(long, default_value = "//Alice")]
	pub suri: String,
	/// The model's id on chain (0: SmolLM2-135M-Instruct in the genesis presets).
	#[arg(long, default_value_t = 0)]
	pub model: u32,
	/// Most tokens to generate.
	#[arg(long, default_value_t = 64)]
	pub max_new: u32,
	/// Tip for the operator, in planck.
	#[arg(long, default_value_t = 0)]
	pub tip: u128,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 300)]
	pub timeout: u64,
	/// Print the request id, token ids and roots too.
	#[arg(long)]
	pub verbose: bool,
}

fn sbl(planck: u128) -> String {
	let unit = sibyl_runtime::UNIT;
	format!("{}.{:012} SBL", planck / unit, planck % unit)
}

impl AskCmd {
	/// Runs the command.
	pub fn run(&self) -> sc_cli::Result<()> {
		let signer = sr25519::Pair::from_string(&self.suri, None)
			.map_err(|e| Error::Input(format!("bad --suri: {e:?}")))?;
		let rpc = Rpc::with_url(&self.url);
		let opts = AskOptions {
			model: self.model,
			max_new: self.max_new,
			tip: self.tip,
			timeout: Duration::from_secs(self.timeout),
		};
		let started = std::time::Instant::now();
		let show = |p: &Progress| {
			let t = started.elapsed().as_secs_f64();
			let line = match p {
				Progress::Tokenized { tokens } => format!("prompt: {tokens} tokens"),
				Progress::Quoted { quote } => format!("fee held: {} (at most)", sbl(quote.total)),
				Progress::Submitted { tx } => format!("submitted: {tx:?}"),
				Progress::InBlock { number, request } => format!("in block #{number}: request {request}"),
				Progress::Status { name, detail } => format!("{name} {detail}"),
				Progress::Game { id, line } => format!("  game {id}: {line}"),
				Progress::Final { number } => format!("final (finalized head #{number})"),
			};
			eprintln!("[{t:6.1} s] {line}");
		};
		let done = ask::ask(&rpc, &signer, &self.prompt, &opts, show).map_err(|e| Error::Application(e.into()))?;
		println!("{}", done.text);
		eprintln!(
			"fee paid: {} (held {}, refunded {}); answered by {}",
			sbl(done.answer.fee_paid),
			sbl(done.held),
			sbl(done.held.saturating_sub(done.answer.fee_paid)),
			done.answer.operator
		);
		if self.verbose {
			eprintln!("request: {}", done.request);
			eprintln!("prompt tokens: {:?}", done.prompt);
			eprintln!("output tokens: {:?}", done.answer.output);
			eprintln!("final root: {}", crate::engine_cmd::hex(&done.answer.final_root));
			eprintln!("steps: {}", done.answer.steps);
		}
		Ok(())
	}
}
