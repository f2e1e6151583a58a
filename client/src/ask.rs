//! Asking the oracle: from a prompt to the final answer.
//!
//! 1. The node tokenizes the prompt with the model's own chat template (`inference_tokenize`).
//! 2. `InferenceApi_quote` gives the exact amount the request holds.
//! 3. `Inference::submit` is signed and submitted; its block's events give the request id.
//! 4. `InferenceApi_request` is followed at the best block (assigned → proposed) and the answer is read with
//!    `InferenceApi_final_result` at the finalized head: a result is used only once it is final there.
//! 5. The node turns the output token ids back into text (`inference_detokenize`).
//!
//! While a result is disputed, `DisputeApi_games_of` and `DisputeApi_game` say how each game stands (whose move,
//! the disputed range, the clocks) and how it ended.

use std::time::{Duration, Instant};

use codec::{Decode, Encode};
use serde_json::json;
use sibyl_inference_primitives::{
	dispute::{Expected, GameId, GameStatus, Phase, Side},
	ModelId, ModelView, Quote, QuoteError, RequestId, RequestStatus, RequestView, ResultView,
};
use sibyl_runtime::{AccountId, Balance, BlockNumber, Hash, Runtime, RuntimeCall, RuntimeEvent};
use sp_core::{sr25519, Pair};

use crate::rpc::{extrinsic_hash, hex, Rpc};

/// A request view of this runtime.
pub type Request = RequestView<AccountId, Balance, BlockNumber>;
/// A result view of this runtime.
pub type Answer = ResultView<AccountId, Balance, BlockNumber>;

/// What to ask.
#[derive(Clone, Debug)]
pub struct AskOptions {
	/// The model's id.
	pub model: ModelId,
	/// Most tokens to generate.
	pub max_new: u32,
	/// Tip for the operator.
	pub tip: Balance,
	/// Give up after this long.
	pub timeout: Duration,
}

/// One step of a request's way, as [`ask`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
	/// The prompt became `tokens` token ids.
	Tokenized { tokens: usize },
	/// The request will hold `quote.total`.
	Quoted { quote: Quote<Balance> },
	/// The transaction is in the pool.
	Submitted { tx: Hash },
	/// The transaction is in block `number`, as request `request`.
	InBlock { number: u32, request: RequestId },
	/// Its status at the best block changed.
	Status { name: &'static str, detail: String },
	/// A dispute game on its result moved or ended ([`describe_game`]).
	Game { id: GameId, line: String },
	/// The result is final at the finalized head `number`.
	Final { number: u32 },
}

/// The final answer.
#[derive(Clone, Debug)]
pub struct Finished {
	/// The request's id.
	pub request: RequestId,
	/// The prompt's token ids.
	pub prompt: Vec<u32>,
	/// The result as the chain holds it.
	pub answer: Answer,
	/// The output as text.
	pub text: String,
	/// The amount held at submission.
	pub held: Balance,
}


/// The model `id`.
pub fn model(rpc: &Rpc, id: ModelId) -> Result<ModelView<AccountId, Balance>, String> {
	rpc.runtime_call_at::<Option<ModelView<AccountId, Balance>>>("InferenceApi_model", &id.encode(), None)?
		.ok_or_else(|| format!("no model {id} on this chain"))
}

/// The node's tokenization of `text` for model `root`, with the chat template if `chat`.
pub fn tokenize(rpc: &Rpc, root: &[u8; 32], text: &str, chat: bool) -> Result<Vec<u32>, String> {
	let v = rpc.call("inference_tokenize", json!([hex(root), text, chat]))?;
	serde_json::from_value(v).map_err(|e| format!("bad inference_tokenize answer: {e}"))
}

/// The node's text for `tokens` of model `root`.
pub fn detokenize(rpc: &Rpc, root: &[u8; 32], tokens: &[u32]) -> Result<String, String> {
	let v = rpc.call("inference_detokenize", json!([hex(root), tokens]))?;
	v.as_str().map(str::to_string).ok_or_else(|| format!("bad inference_detokenize answer: {v}"))
}

/// The exact amount a request holds.
pub fn quote(rpc: &Rpc, model: ModelId, max_new: u32, tip: Balance) -> Result<Quote<Balance>, String> {
	rpc.runtime_call_at::<Result<Quote<Balance>, QuoteError>>("InferenceApi_quote", &(model, max_new, tip).encode(), None)?
	.map_err(|e| format!("no quote: {e:?}"))
}

/// Request `id` at block `at` (best if `None`).
pub fn request(rpc: &Rpc, id: RequestId, at: Option<Hash>) -> Result<Option<Request>, String> {
	rpc.runtime_call_at("InferenceApi_request", &id.encode(), at)
}

/// The final result of request `id` at block `at` (best if `None`).
pub fn final_result(rpc: &Rpc, id: RequestId, at: Option<Hash>) -> Result<Option<Answer>, String> {
	rpc.runtime_call_at("InferenceApi_final_result", &id.encode(), at)
}

/// `Inference::submit` signed by `signer` with `nonce` for the chain of `ctx` (immortal, no tip).
pub fn signed_submit(
	ctx: &sibyl_runtime::signing::SigningContext,
	signer: &sr25519::Pair,
	nonce: u32,
	model: ModelId,
	prompt: Vec<u32>,
	max_new: u32,
	tip: Balance,
) -> Vec<u8> {
	let call = RuntimeCall::Inference(pallet_inference::Call::submit { model, prompt, max_new, tip });
	let ext = sibyl_runtime::signing::tx_extension(nonce, 0);
	sibyl_runtime::signing::sign(ctx, call, ext, signer, signer).encode()
}

/// A signed `Inference::submit` with the chain's context and the signer's next nonce read from the node.
pub fn submit_xt(
	rpc: &Rpc,
	signer: &sr25519::Pair,
	model: ModelId,
	prompt: Vec<u32>,
	max_new: u32,
	tip: Balance,
) -> Result<Vec<u8>, String> {
	let (spec_version, transaction_version) = rpc.runtime_version()?;
	let ctx = sibyl_runtime::signing::SigningContext { genesis: rpc.genesis_hash()?, spec_version, transaction_version };
	let who: AccountId = signer.public().into();
	let nonce = rpc.next_nonce(&who)?;
	Ok(signed_submit(&ctx, signer, nonce, model, prompt, max_new, tip))
}

/// Why an extrinsic failed, in words: the inference pallet's error name, or the raw dispatch error.
pub fn dispatch_error(err: &sp_runtime::DispatchError) -> String {
	use frame_support::traits::PalletInfoAccess;
	if let sp_runtime::DispatchError::Module(m) = err {
		if m.index as usize == <sibyl_runtime::Inference as PalletInfoAccess>::index() {
			if let Ok(e) = pallet_inference::Error::<Runtime>::decode(&mut &m.error[..]) {
				return format!("Inference::{e:?}");
			}
		}
	}
	format!("{err:?}")
}

/// Finds the block (from `from` on) that includes the transaction with hash `tx`: its number, hash and the
/// extrinsic's index. Waits until `deadline`.
pub fn find_inclusion(rpc: &Rpc, tx: Hash, from: u32, deadline: Instant) -> Result<(u32, Hash, u32), String> {
	let mut next = from;
	loop {
		let best = rpc.best_number()?;
		while next <= best {
			let Some(hash) = rpc.block_hash(next)? else { break };
			if let Some(index) = rpc.block_extrinsics(hash)?.iter().position(|x| extrinsic_hash(x) == tx) {
				return Ok((next, hash, index as u32));
			}
			next += 1;
		}
		if Instant::now() > deadline {
			return Err(format!("the transaction was not included by block #{best}"));
		}
		std::thread::sleep(Duration::from_millis(300));
	}
}

/// The request id that extrinsic `index` of block `at` submitted, or (inner `Err`) why it failed.
pub fn submitted_request(rpc: &Rpc, at: Hash, index: u32) -> Result<Result<RequestId, String>, String> {
	for record in rpc.events(at)? {
		if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
			continue;
		}
		match record.event {
			RuntimeEvent::Inference(pallet_inference::Event::RequestSubmitted { request, .. }) => return Ok(Ok(request)),
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error: e, .. }) =>
				return Ok(Err(dispatch_error(&e))),
			_ => {},
		}
	}
	Err(format!("extrinsic {index} has neither RequestSubmitted nor ExtrinsicFailed"))
}

/// Asks model `opts.model` `prompt` (a user message: the node applies the chat template) as `signer`, and
/// waits for the final answer, calling `progress` at each step.
pub fn ask(
	rpc: &Rpc,
	signer: &sr25519::Pair,
	prompt: &str,
	opts: &AskOptions,
	mut progress: impl FnMut(&Progress),
) -> Result<Finished, String> {
	let deadline = Instant::now() + opts.timeout;
	let m = model(rpc, opts.model)?;
	let tokens = tokenize(rpc, &m.root, prompt, true)?;
	progress(&Progress::Tokenized { tokens: tokens.len() });
	let q = quote(rpc, opts.model, opts.max_new, opts.tip)?;
	progress(&Progress::Quoted { quote: q });
	let from = rpc.best_number()? + 1;
	let xt = submit_xt(rpc, signer, opts.model, tokens.clone(), opts.max_new, opts.tip)?;
	let tx = rpc.submit(&xt)?.map_err(|e| format!("the node refused the request: {e}"))?;
	progress(&Progress::Submitted { tx });
	let (number, hash, index) = find_inclusion(rpc, tx, from, deadline)?;
	let id = submitted_request(rpc, hash, index)?.map_err(|e| format!("the request failed in block #{number}: {e}"))?;
	progress(&Progress::InBlock { number, request: id });
	let mut shown = String::new();
	let mut disputed = false;
	let mut games_shown: std::collections::BTreeMap<GameId, String> = Default::default();
	loop {
		if let Some(r) = request(rpc, id, None)? {
			let (name, detail) = describe(&r.status);
			let line = format!("{name} {detail}");
			if line != shown {
				progress(&Progress::Status { name, detail });
				shown = line;
			}
			disputed |= matches!(r.status, RequestStatus::Disputed { .. });
			if disputed {
				for (g, game) in games(rpc, id, None)? {
					let line = describe_game(&game);
					if games_shown.get(&g) != Some(&line) {
						progress(&Progress::Game { id: g, line: line.clone() });
						games_shown.insert(g, line);
					}
				}
			}
			match r.status {
				RequestStatus::Cancelled { .. } => return Err(format!("request {id} was cancelled")),
				RequestStatus::Refunded { reason, .. } =>
					return Err(format!("request {id} was refunded without an answer: {reason:?}")),
				_ => {},
			}
		}
		let (fin_number, fin_hash) = rpc.finalized()?;
		if let Some(answer) = final_result(rpc, id, Some(fin_hash))? {
			progress(&Progress::Final { number: fin_number });
			let held = request(rpc, id, Some(fin_hash))?.map(|r| r.max_fee).unwrap_or_default();
			let text = detokenize(rpc, &m.root, &answer.output)?;
			return Ok(Finished { request: id, prompt: tokens, answer, text, held });
		}
		if Instant::now() > deadline {
			return Err(format!("no final answer to request {id} in {:?}", opts.timeout));
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

/// A status's name and what goes with it.
pub fn describe(s: &RequestStatus<AccountId, BlockNumber>) -> (&'static str, String) {
	let detail = match s {
		RequestStatus::Queued => String::new(),
		RequestStatus::Assigned { operator, deadline } => format!("to {operator}, deadline #{deadline}"),
		RequestStatus::Proposed { operator, window_end } => format!("by {operator}, final at #{window_end}"),
		RequestStatus::Disputed { games, window_end, .. } => format!("{games} game(s) open, window ends #{window_end}"),
		RequestStatus::Finalized { at } => format!("at #{at}"),
		RequestStatus::Cancelled { at } => format!("at #{at}"),
		RequestStatus::Refunded { at, reason } => format!("at #{at}: {reason:?}"),
	};
	(s.name(), detail)
}

/// A dispute game of this runtime.
pub type Game = sibyl_inference_primitives::dispute::Game<AccountId, Balance, BlockNumber>;

/// The games on request `id`'s results (each challenger's latest), oldest first, at block `at` (best if `None`).
pub fn games(rpc: &Rpc, id: RequestId, at: Option<Hash>) -> Result<Vec<(GameId, Game)>, String> {
	let ids: Vec<GameId> = rpc.runtime_call_at("DisputeApi_games_of", &id.encode(), at)?;
	let mut out = vec![];
	for g in ids {
		if let Some(game) = rpc.runtime_call_at::<Option<Game>>("DisputeApi_game", &g.encode(), at)? {
			out.push((g, game));
		}
	}
	Ok(out)
}

/// A game in one line: who plays, where it stands, or how it ended.
pub fn describe_game(g: &Game) -> String {
	let side = |s: Side| match s {
		Side::Proposer => "the proposer",
		Side::Challenger => "the challenger",
	};
	match g.status {
		GameStatus::Ended { winner, reason, at } => format!(
			"{} won ({reason:?}) at #{at} after {} moves; challenger {} against proposer {}",
			winner.map(side).unwrap_or("no one"),
			g.moves,
			g.challenger,
			g.proposer
		),
		GameStatus::Open => {
			let range = match g.phase {
				Phase::Steps => format!("steps {}..{} of {}", g.lo, g.hi, g.steps),
				Phase::Chunks { step, chunks } => format!("chunks {}..{} of {chunks} in step {step}", g.lo, g.hi),
			};
			let what = match g.expected() {
				Expected::Dissect => "dissect",
				Expected::Pick => "pick a segment",
				Expected::OpenStep => "open the step",
				Expected::Prove => "prove the last chunk",
				Expected::Nothing => "nothing",
			};
			format!(
				"{range}: {} to {what} by #{} (move {}; clocks {} / {} blocks)",
				side(g.turn),
				g.deadline,
				g.moves + 1,
				g.proposer_clock,
				g.challenger_clock
			)
		},
	}
}

/// The result of request `id` in any state, at block `at` (best if `None`).
pub fn proposed_result(rpc: &Rpc, id: RequestId, at: Option<Hash>) -> Result<Option<Answer>, String> {
	rpc.runtime_call_at("InferenceApi_proposed_result", &id.encode(), at)
}
