//! The game's moves as plain functions over a [`Game`]: who may move, what a move must carry, how the range
//! narrows, and how the clocks run. The pallet's calls check the caller, read what a move needs from storage and
//! the inference pallet, call these, and settle the money; nothing here touches storage.
//!
//! ## The game
//! The proposer claims a root after `steps` steps; the challenger claims another. The root after 0 steps is
//! computed on chain from the request, so it is agreed; the proposer's root after `steps` steps is disputed.
//! 1. **Dissect** (proposer): post the roots at the [`cut_points`] of `lo..hi`, `k - 1` roots for `k` segments.
//! 2. **Pick** (challenger): pick the first segment whose start root it agrees with and whose end root it does
//!    not. The segment becomes `lo..hi`, its roots the agreed and disputed roots.
//! 3. Repeat until one step is left; then **open the step** (proposer): show the header of the agreed root,
//!    from which the chain learns the step's chunk count. Phase 2 dissects `0..chunks` the same way; its end
//!    roots are the phase-1 roots, so phase 2 is linked to phase 1 by construction.
//! 4. One chunk left: **prove** (either player): the runtime recomputes the chunk from the agreed root
//!    (`sibyl_engine::verify_step`, which refuses a proof from any other root). If the result is the proposer's
//!    root, the proposer wins; otherwise the challenger does.
//!
//! A finished run's next state is itself, so the proposer's step count is the range whatever the challenger's:
//! if the true run is shorter, the disputed roots after its end differ from the frozen final state; if longer,
//! the proposer's final state is not the true state after `steps` steps.
//!
//! Why an honest player always wins: an honest proposer posts only true roots, so whatever the challenger picks,
//! the last chunk's proof from a true root gives its true root. An honest challenger picks a segment whose start
//! root is true and whose end root is false (one exists in any range with a true start and a false end), so the
//! last chunk's true pre-state gives a root other than the proposer's.
//!
//! ## Clocks
//! Each player has a budget of blocks for the whole game and at most `move_timeout` blocks per move; the time a
//! move takes is charged to its player's budget only. A turn's deadline is its start plus the smaller of the two,
//! so a move made at the last moment never shortens the other player's time. A player whose deadline has passed
//! has lost.

use sibyl_engine::state::Meta;
use sibyl_inference_primitives::{
	dispute::{cut_points, EndReason, Expected, Game, GameStatus, Phase, Side},
	RequestId, Root,
};
use sp_runtime::traits::Saturating;

/// The game's timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing<B> {
	/// Most blocks for one move.
	pub move_timeout: B,
	/// Blocks each player has for all its moves.
	pub budget: B,
}

/// Why a move is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveError {
	/// The game has ended.
	Ended,
	/// It is the other player's turn.
	NotYourTurn,
	/// The game expects another kind of move now.
	WrongMove,
	/// A dissection must carry exactly one root per cut point.
	WrongRootCount,
	/// No such segment.
	BadSegment,
	/// The mover's deadline has passed.
	TooLate,
	/// The header is not the agreed state's.
	HeaderMismatch,
	/// The deadline has not passed.
	NotTimedOut,
}

/// A new game, the proposer to move. Its range is the proposer's steps, from the on-chain initial root to the
/// proposer's final root.
#[allow(clippy::too_many_arguments)]
pub fn open<A, Bal, B: Copy + Saturating + Ord>(
	request: RequestId,
	proposer: A,
	challenger: A,
	bond: Bal,
	model_root: Root,
	initial_root: Root,
	(result_root, steps): (Root, u32),
	(claimed_root, claimed_steps): (Root, u32),
	now: B,
	t: &Timing<B>,
) -> Game<A, Bal, B> {
	Game {
		request,
		proposer,
		challenger,
		bond,
		model_root,
		result_root,
		steps,
		claimed_root,
		claimed_steps,
		phase: Phase::Steps,
		lo: 0,
		hi: steps,
		lo_root: initial_root,
		hi_root: result_root,
		roots: Default::default(),
		turn: Side::Proposer,
		turn_started: now,
		deadline: now.saturating_add(t.move_timeout.min(t.budget)),
		proposer_clock: t.budget,
		challenger_clock: t.budget,
		moves: 0,
		opened_at: now,
		status: GameStatus::Open,
	}
}

fn check<A, Bal, B: PartialOrd>(g: &Game<A, Bal, B>, side: Side, what: Expected, now: &B) -> Result<(), MoveError> {
	if g.status != GameStatus::Open {
		return Err(MoveError::Ended);
	}
	if *now > g.deadline {
		return Err(MoveError::TooLate);
	}
	// A proof may come from either player; every other move from the player whose turn it is.
	if what != Expected::Prove && g.turn != side {
		return Err(MoveError::NotYourTurn);
	}
	if g.expected() != what {
		return Err(MoveError::WrongMove);
	}
	Ok(())
}

/// Charges the time since the turn started to the player to move, and starts `next`'s turn.
fn start_turn<A, Bal, B: Copy + Saturating + Ord>(g: &mut Game<A, Bal, B>, next: Side, now: B, t: &Timing<B>) {
	let used = now.saturating_sub(g.turn_started);
	match g.turn {
		Side::Proposer => g.proposer_clock = g.proposer_clock.saturating_sub(used),
		Side::Challenger => g.challenger_clock = g.challenger_clock.saturating_sub(used),
	}
	let left = match next {
		Side::Proposer => g.proposer_clock,
		Side::Challenger => g.challenger_clock,
	};
	g.turn = next;
	g.turn_started = now;
	g.deadline = now.saturating_add(t.move_timeout.min(left));
	g.moves = g.moves.saturating_add(1);
}

/// The proposer posts the roots at the cut points of `lo..hi`; the challenger picks next.
pub fn dissect<A, Bal, B: Copy + Saturating + Ord>(
	g: &mut Game<A, Bal, B>,
	side: Side,
	roots: &[Root],
	width: u32,
	now: B,
	t: &Timing<B>,
) -> Result<(), MoveError> {
	check(g, side, Expected::Dissect, &now)?;
	if roots.len() != cut_points(g.lo, g.hi, width).len() {
		return Err(MoveError::WrongRootCount);
	}
	g.roots = roots.to_vec().try_into().map_err(|_| MoveError::WrongRootCount)?;
	start_turn(g, Side::Challenger, now, t);
	Ok(())
}

/// The challenger disputes segment `segment` (0-based) of the last dissection: it agrees with the root at its
/// start and disputes the proposer's root at its end. The proposer moves next.
pub fn pick<A, Bal, B: Copy + Saturating + Ord>(
	g: &mut Game<A, Bal, B>,
	side: Side,
	segment: u32,
	width: u32,
	now: B,
	t: &Timing<B>,
) -> Result<(), MoveError> {
	check(g, side, Expected::Pick, &now)?;
	let points = cut_points(g.lo, g.hi, width);
	let k = points.len() as u32 + 1;
	if segment >= k || g.roots.len() != points.len() {
		return Err(MoveError::BadSegment);
	}
	let s = segment as usize;
	let (lo, lo_root) = if s == 0 { (g.lo, g.lo_root) } else { (points[s - 1], g.roots[s - 1]) };
	let (hi, hi_root) = if s + 1 == k as usize { (g.hi, g.hi_root) } else { (points[s], g.roots[s]) };
	g.lo = lo;
	g.lo_root = lo_root;
	g.hi = hi;
	g.hi_root = hi_root;
	g.roots = Default::default();
	start_turn(g, Side::Proposer, now, t);
	Ok(())
}

/// The number of chunks of the step a state with `meta` starts, for a state whose header is `meta`: 1 for a
/// finished state (its next state is itself), `None` for a meta the model's program can not reach.
pub fn chunks_of(cfg: &sibyl_engine::ModelConfig, meta: &Meta) -> Option<u32> {
	if meta.finished {
		return Some(1);
	}
	sibyl_engine::program::check_meta(cfg, meta).ok()?;
	Some(sibyl_engine::program::n_chunks(cfg, meta))
}

/// One step is left: the proposer shows the header of the agreed state (`header_root` is its root, `meta` its
/// meta) and the game moves to the chunks of that step, from the agreed root to the disputed one. The proposer
/// moves again (it dissects the chunks, or a proof decides if there is one chunk).
pub fn open_step<A, Bal, B: Copy + Saturating + Ord>(
	g: &mut Game<A, Bal, B>,
	side: Side,
	header_root: Root,
	meta: &Meta,
	chunks: u32,
	now: B,
	t: &Timing<B>,
) -> Result<(), MoveError> {
	check(g, side, Expected::OpenStep, &now)?;
	if header_root != g.lo_root || !(meta.finished || (meta.step == g.lo && meta.chunk == 0)) || chunks == 0 {
		return Err(MoveError::HeaderMismatch);
	}
	g.phase = Phase::Chunks { step: g.lo, chunks };
	g.lo = 0;
	g.hi = chunks;
	start_turn(g, Side::Proposer, now, t);
	Ok(())
}

/// Whether a proof may be sent now; the caller then runs `verify_step` from [`Game::lo_root`].
pub fn can_prove<A, Bal, B: PartialOrd>(g: &Game<A, Bal, B>, now: &B) -> Result<(), MoveError> {
	check(g, Side::Proposer, Expected::Prove, now)
}

/// Who wins once the last chunk's post-state root is known.
pub fn decide<A, Bal, B>(g: &Game<A, Bal, B>, post_root: &Root) -> Side {
	if *post_root == g.hi_root {
		Side::Proposer
	} else {
		Side::Challenger
	}
}

/// Who wins by the clock: the player to move, once its deadline has passed, loses.
pub fn timeout<A, Bal, B: PartialOrd>(g: &Game<A, Bal, B>, now: &B) -> Result<Side, MoveError> {
	if g.status != GameStatus::Open {
		return Err(MoveError::Ended);
	}
	if *now <= g.deadline {
		return Err(MoveError::NotTimedOut);
	}
	Ok(g.turn.other())
}

/// Marks the game ended (the caller settles the money).
pub fn end<A, Bal, B>(g: &mut Game<A, Bal, B>, winner: Option<Side>, reason: EndReason, now: B) {
	g.status = GameStatus::Ended { winner, reason, at: now };
	g.roots = Default::default();
}
