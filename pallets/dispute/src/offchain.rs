//! The validators' automatic play: every block's off-chain worker checks other operators' results and plays
//! this node's games, signing with the node's operator keys (key type `sinf`, the keys that pay the bonds).
//!
//! 1. **Games first** (they have deadlines): for each open game of a local key ([`crate::OpenGames`]), if the
//!    game waits for this key's move, the worker asks the node about the disputed run
//!    ([`sibyl_inference::trace`]: the node keeps the run's trace, or runs the job again, which gives the same
//!    bytes) and sends the move:
//!    - a dissection: the roots at the cut points (phase 1: after that many steps; phase 2: after that many
//!      chunks of the disputed step, the last position being the next step's start);
//!    - a pick: the first segment whose end root the node computes differently from the proposer;
//!    - opening the step: the header of the agreed state;
//!    - the proof of the last chunk, only if the runtime's verdict on it goes this key's way (the node verifies
//!      it natively first), so a player never pays for a proof that loses.
//! 2. **Then results**: the requests that wait for a result or whose result can be challenged
//!    ([`ResultDisputes::watched`]). A waiting request's job is started early, so its outcome is ready when the
//!    result comes; the node verifies a share of them (`--verify-share`) and declines the others. A result
//!    whose final root differs from the node's is challenged; one with the same root and a different output is
//!    proven wrong at once ([`crate::Pallet::prove_output`]).
//!
//! Nothing is sent twice: before sending, a marker in the node's persistent off-chain storage (shared by every
//! fork, kept across restarts) is set atomically for the move (a game and its move count) or the challenge; only
//! if the chain has not moved on [`RESEND_AFTER`] blocks later (the transaction was dropped) is it sent again.
//! Markers are removed by the inference pallet's worker once they can no longer matter. A restarted node finds
//! its games in [`crate::OpenGames`] and its markers where it left them.
//!
//! Proofs fit in a transaction by construction: the inference pallet registers no model whose worst one-step
//! proof exceeds `MaxStepProofLen` (`sibyl_engine::proof::size_bound`), which the runtime keeps far below its
//! largest extrinsic.

use alloc::{vec, vec::Vec};
use codec::{Decode, Encode};
use frame_support::traits::Get;
use frame_system::{
	offchain::{AppCrypto, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use pallet_inference::{
	offchain::{clear_at, job_key, send_with_free_nonce},
	traits::{ResultDisputes, Watched},
};
use sibyl_inference_primitives::{
	dispute::{cut_points, Expected, GameId, Phase, Side},
	host::{sibyl_inference, Job, Position, TraceAnswer, TraceQuery},
	Root,
};
use sp_runtime::{
	offchain::storage::StorageValueRef,
	traits::{IdentifyAccount, Saturating},
	RuntimeAppPublic,
};

use crate::{game, Call, Config, GameByChallenger, GameOf, GameStatus, Games, OpenGames};

const LOG: &str = "runtime::dispute";

/// The longest a worker waits for the node's answers, in all (a worker starts as its block is imported; what
/// is ready within this reaches the next block's author).
pub const MAX_WAIT_MS: u32 = 4_000;

/// Blocks after which a move or challenge that has not taken effect is sent again.
pub const RESEND_AFTER: u32 = 4;

/// Blocks a marker is kept after it can no longer matter (past forks' reach).
pub const KEEP_MARKERS: u32 = 32;

/// Most games one worker looks at, per key.
pub const MAX_GAMES_PER_RUN: usize = 16;

/// Most requests one worker looks at.
pub const MAX_WATCHED: u32 = 32;

/// What is left of a worker's waiting time.
struct Budget {
	started: sp_runtime::offchain::Timestamp,
}

impl Budget {
	fn new() -> Self {
		Budget { started: sp_io::offchain::timestamp() }
	}

	/// Milliseconds left, by the node's clock (a wait; nothing committed depends on it).
	fn left(&self) -> u32 {
		let spent = sp_io::offchain::timestamp().diff(&self.started).millis();
		MAX_WAIT_MS.saturating_sub(spent.min(u32::MAX as u64) as u32)
	}
}

/// What a worker's attempt came to; `NoEngine` stops the worker (the node runs no inference).
enum Step {
	Done,
	NoEngine,
}

/// The worker of block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let keys: Vec<(T::Public, T::AccountId)> =
		<T::AuthorityId as AppCrypto<T::Public, T::Signature>>::RuntimeAppPublic::all()
			.into_iter()
			.map(|key| {
				let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic = key.into();
				let public: T::Public = generic.into();
				let account = public.clone().into_account();
				(public, account)
			})
			.collect();
	if keys.is_empty() {
		return;
	}
	let budget = Budget::new();
	for (public, account) in &keys {
		let games: Vec<(GameId, Side)> = OpenGames::<T>::iter_prefix(account).take(MAX_GAMES_PER_RUN).collect();
		for (id, side) in games {
			if let Step::NoEngine = play::<T>(now, id, side, public, &budget) {
				return;
			}
		}
	}
	for w in T::Results::watched(MAX_WATCHED) {
		if let Step::NoEngine = verify::<T>(now, &w, &keys, &budget) {
			return;
		}
	}
}

/// Asks the node about `job`; logs and maps what is not an answer.
fn ask(job: &Job, query: TraceQuery, wait_ms: u32) -> Result<TraceAnswer, Step> {
	match sibyl_inference::trace(job.clone(), query, wait_ms) {
		TraceAnswer::Unavailable => {
			log::warn!(target: LOG, "this node runs no inference engine: it neither verifies nor plays games");
			Err(Step::NoEngine)
		},
		TraceAnswer::ModelMissing => {
			log::warn!(target: LOG, "no model file with commitment 0x{} (see --model-dir)", hex(&job.model));
			Err(Step::Done)
		},
		TraceAnswer::Running { .. } => Err(Step::Done),
		TraceAnswer::Failed(why) => {
			log::warn!(target: LOG, "the engine could not answer: {}", core::str::from_utf8(&why).unwrap_or("?"));
			Err(Step::Done)
		},
		a => Ok(a),
	}
}

/// The position of point `p` of game `g`'s current range.
fn position<A, B, N>(g: &sibyl_inference_primitives::dispute::Game<A, B, N>, p: u32) -> Position {
	match g.phase {
		Phase::Steps => (p, 0),
		Phase::Chunks { step, chunks } if p < chunks => (step, p),
		Phase::Chunks { step, .. } => (step.saturating_add(1), 0),
	}
}

/// Claims the marker `key` for block `now`: `false` if it was set less than [`RESEND_AFTER`] blocks ago.
fn claim<T: Config>(key: &[u8], now: BlockNumberFor<T>, forget_at: BlockNumberFor<T>) -> bool {
	let marker = StorageValueRef::persistent(key);
	let resend: BlockNumberFor<T> = RESEND_AFTER.into();
	let claimed = marker.mutate(|prev: Result<Option<BlockNumberFor<T>>, _>| match prev {
		Ok(Some(at)) if now < at.saturating_add(resend) => Err(()),
		_ => Ok(now),
	});
	if claimed.is_ok() {
		clear_at(forget_at, key.to_vec());
	}
	claimed.is_ok()
}

/// Sends `call` signed by `public` at block `now` (with the next nonce this node has not used); on failure,
/// releases the marker `key` so the next worker tries again.
fn send<T: Config>(now: BlockNumberFor<T>, public: &T::Public, call: Call<T>, key: &[u8], what: &str) {
	let account = public.clone().into_account();
	let accepted = send_with_free_nonce::<T>(&account, now, || {
		let result = Signer::<T, T::AuthorityId>::any_account()
			.with_filter(vec![public.clone()])
			.send_signed_transaction(|_| call.clone());
		matches!(result, Some((_, Ok(()))))
	});
	if accepted {
		log::info!(target: LOG, "{what}");
	} else {
		log::warn!(target: LOG, "{what}: could not be sent; retrying next block");
		StorageValueRef::persistent(key).clear();
	}
}

/// Plays game `id` for the local key `public` (side `side`) if it waits for this key's move.
fn play<T: Config>(now: BlockNumberFor<T>, id: GameId, side: Side, public: &T::Public, budget: &Budget) -> Step {
	let Some(g) = Games::<T>::get(id) else { return Step::Done };
	if g.status != GameStatus::Open || now > g.deadline {
		return Step::Done;
	}
	let expected = g.expected();
	let mine = match expected {
		Expected::Prove => true,
		Expected::Pick => side == Side::Challenger,
		Expected::Dissect | Expected::OpenStep => side == Side::Proposer,
		Expected::Nothing => false,
	};
	if !mine {
		return Step::Done;
	}
	let Some(ctx) = T::Results::context(g.request) else { return Step::Done };
	let job = Job {
		key: job_key(g.request, &g.model_root, &ctx.prompt, ctx.max_new),
		model: g.model_root,
		prompt: ctx.prompt,
		max_new: ctx.max_new,
	};
	let call = match next_move::<T>(id, &g, side, expected, &job, budget) {
		Ok(Some(c)) => c,
		Ok(None) => return Step::Done,
		Err(s) => return s,
	};
	let key = (b"sibyl/dispute/moved", id, g.moves).encode();
	if !claim::<T>(&key, now, g.deadline.saturating_add(KEEP_MARKERS.into())) {
		return Step::Done;
	}
	send::<T>(now, public, call, &key, &alloc::format!("game {id}: move {} ({expected:?}) sent", g.moves + 1));
	Step::Done
}

/// The move of `side` in game `g`, from the node's run; `None` if it has none to make (a proof that would lose).
fn next_move<T: Config>(
	id: GameId,
	g: &GameOf<T>,
	side: Side,
	expected: Expected,
	job: &Job,
	budget: &Budget,
) -> Result<Option<Call<T>>, Step> {
	let width = T::Width::get();
	Ok(Some(match expected {
		Expected::Dissect => {
			let points = cut_points(g.lo, g.hi, width);
			let query = TraceQuery::Roots(points.iter().map(|p| position(g, *p)).collect());
			let TraceAnswer::Roots(roots) = ask(job, query, budget.left())? else { return Ok(None) };
			let Ok(roots) = roots.try_into() else { return Ok(None) };
			Call::dissect { game: id, roots }
		},
		Expected::Pick => {
			let mut points = cut_points(g.lo, g.hi, width);
			points.push(g.hi);
			let query = TraceQuery::Roots(points.iter().map(|p| position(g, *p)).collect());
			let TraceAnswer::Roots(mine) = ask(job, query, budget.left())? else { return Ok(None) };
			let theirs = g.roots.iter().chain(core::iter::once(&g.hi_root));
			// The first segment whose end this node computes differently; the start of the range is agreed.
			let segment = mine.iter().zip(theirs).position(|(a, b)| a != b).unwrap_or(points.len() - 1);
			Call::pick { game: id, segment: segment as u32 }
		},
		Expected::OpenStep => {
			let TraceAnswer::Header(bytes) = ask(job, TraceQuery::Header((g.lo, 0)), budget.left())? else {
				return Ok(None);
			};
			let Ok(header) = sibyl_engine::StateHeader::decode(&mut &bytes[..]) else { return Ok(None) };
			Call::open_step { game: id, header }
		},
		Expected::Prove => {
			let query = TraceQuery::Proof(position(g, g.lo));
			let TraceAnswer::Proof { proof, post_root } = ask(job, query, budget.left())? else { return Ok(None) };
			if game::decide(g, &post_root) != side {
				log::info!(target: LOG, "game {id}: the last chunk's proof would not win; not sending it");
				return Ok(None);
			}
			if proof.len() > T::MaxStepProofLen::get() as usize {
				log::error!(target: LOG, "game {id}: a proof of {} bytes is over the limit", proof.len());
				return Ok(None);
			}
			Call::prove { game: id, proof }
		},
		Expected::Nothing => return Ok(None),
	}))
}

/// Checks one watched request with a local key that did not propose it.
fn verify<T: Config>(
	now: BlockNumberFor<T>,
	w: &Watched<T::AccountId, BlockNumberFor<T>>,
	keys: &[(T::Public, T::AccountId)],
	budget: &Budget,
) -> Step {
	let job = Job {
		key: job_key(w.request, &w.model_root, &w.prompt, w.max_new),
		model: w.model_root,
		prompt: w.prompt.clone(),
		max_new: w.max_new,
	};
	let Some((d, output)) = &w.result else {
		// No result yet: start the run now, so that the outcome is ready when the result comes.
		return match ask(&job, TraceQuery::Verify, 0) {
			Err(s) => s,
			Ok(_) => Step::Done,
		};
	};
	let Some((public, account)) = keys.iter().find(|(_, a)| *a != d.operator) else { return Step::Done };
	// One game per challenger and result: a game on this very result (open, won or lost) is enough.
	if let Some(prev) = GameByChallenger::<T>::get(w.request, account) {
		if Games::<T>::get(prev).is_some_and(|g| g.result_root == d.final_root) {
			return Step::Done;
		}
	}
	let mine = match ask(&job, TraceQuery::Verify, budget.left()) {
		Ok(TraceAnswer::Outcome(o)) => o,
		Ok(_) => return Step::Done,
		Err(s) => return s,
	};
	let call = if mine.final_root != d.final_root {
		Call::challenge { request: w.request, claimed_root: mine.final_root, claimed_steps: mine.steps }
	} else if mine.output != *output {
		match output_proof::<T>(w, &job, &mine.output, mine.steps, budget) {
			Ok(Some(c)) => c,
			Ok(None) => return Step::Done,
			Err(s) => return s,
		}
	} else {
		return Step::Done;
	};
	let key = (b"sibyl/dispute/challenged", w.request, account, d.final_root).encode();
	if !claim::<T>(&key, now, d.window_end.saturating_add(KEEP_MARKERS.into())) {
		return Step::Done;
	}
	let what = match &call {
		Call::challenge { .. } => alloc::format!(
			"request {}: challenged the result of {} steps, final root 0x{}: this node's is 0x{} after {} steps",
			w.request,
			d.steps,
			hex(&d.final_root),
			hex(&mine.final_root),
			mine.steps
		),
		_ => alloc::format!("request {}: the result's output is not its final state: proof sent", w.request),
	};
	send::<T>(now, public, call, &key, &what);
	Step::Done
}

/// The output proof against a result whose final root is the node's but whose output `proposed` is not: the
/// final header, and the first token that differs with its Merkle proof (none if the counts differ).
fn output_proof<T: Config>(
	w: &Watched<T::AccountId, BlockNumberFor<T>>,
	job: &Job,
	mine: &[u32],
	steps: u32,
	budget: &Budget,
) -> Result<Option<Call<T>>, Step> {
	let Some((_, proposed)) = &w.result else { return Ok(None) };
	let TraceAnswer::Header(bytes) = ask(job, TraceQuery::Header((steps, 0)), budget.left())? else {
		return Ok(None);
	};
	let Ok(header) = sibyl_engine::StateHeader::decode(&mut &bytes[..]) else { return Ok(None) };
	let (position, token, siblings) = match mine.iter().zip(proposed.iter()).position(|(a, b)| a != b) {
		Some(i) => {
			let position = w.prompt.len() as u32 + i as u32;
			let TraceAnswer::Token { token, siblings } = ask(job, TraceQuery::Token(position), budget.left())? else {
				return Ok(None);
			};
			(position, token, siblings)
		},
		// Same prefix, different lengths: the header's generated count shows it.
		None => (0, 0, Vec::new()),
	};
	let Ok(siblings) = siblings.try_into() else { return Ok(None) };
	Ok(Some(Call::prove_output { request: w.request, header, position, token, siblings }))
}

/// A 32-byte root in hex (`HexDisplay` shows anything this short whole).
fn hex(b: &Root) -> sp_core::hexdisplay::HexDisplay<'_> {
	sp_core::hexdisplay::HexDisplay::from(b)
}
