//! The dispute game's stored state, as the chain keeps it and every reader (runtime API, off-chain workers,
//! clients) decodes it.
//!
//! A game is one challenger against the proposer of one result. Both claim a different state root after the
//! proposer's step count; the game narrows the range of steps on which they disagree until one step is left
//! (phase 1, [`Phase::Steps`]), then the range of chunks of that step (phase 2, [`Phase::Chunks`]), and the
//! runtime recomputes the one chunk left from a proof. Positions are step counts in phase 1 and chunk counts of
//! the disputed step in phase 2; the root at position `lo` is agreed, the root at `hi` is disputed.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec};

use crate::{RequestId, Root};

/// Identifies a game; ids are never reused.
pub type GameId = u64;

/// The most segments one dissection move may cut a range into: a move carries at most `MAX_WIDTH - 1` roots.
pub const MAX_WIDTH: u32 = 64;

/// The roots of one dissection move, at most [`MAX_WIDTH`] − 1.
pub type MoveRoots = BoundedVec<Root, ConstU32<{ MAX_WIDTH - 1 }>>;

/// A player.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum Side {
	/// The proposer of the result: it defends its roots, and posts the roots of every dissection.
	Proposer,
	/// The challenger: it picks the segment it disputes.
	Challenger,
}

impl Side {
	/// The other player.
	pub fn other(self) -> Side {
		match self {
			Side::Proposer => Side::Challenger,
			Side::Challenger => Side::Proposer,
		}
	}
}

/// The game's phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum Phase {
	/// Dissection over steps: positions are step counts from the initial state.
	Steps,
	/// Dissection over the chunks of step `step` (the step that starts after `step` steps), which has `chunks`
	/// chunks: position 0 is the phase-1 agreed root (the state after `step` steps), position `chunks` the
	/// phase-1 disputed root (after `step + 1` steps), so phase 2 is linked to phase 1 on chain.
	Chunks {
		/// The disputed step.
		step: u32,
		/// Its number of chunks.
		chunks: u32,
	},
}

/// What the player to move must do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum Expected {
	/// The proposer posts the roots that cut `lo..hi` into segments.
	Dissect,
	/// The challenger picks the segment it disputes among the posted roots.
	Pick,
	/// One step is left: the proposer opens it with the header of its pre-state (phase 1 → phase 2).
	OpenStep,
	/// One chunk is left: a one-step proof decides (either player may send it; the proposer's clock runs).
	Prove,
	/// The game has ended.
	Nothing,
}

/// How a game ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum EndReason {
	/// The runtime recomputed the last chunk from a proof.
	Proof,
	/// The player to move let its clock run out.
	Timeout,
	/// The proposer claimed zero steps: no run has zero steps.
	NoSteps,
	/// The result was rejected by another game or proof before this one ended: no winner, the bond is returned.
	Void,
}

/// A game's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum GameStatus<BlockNumber> {
	/// Being played.
	Open,
	/// Ended in block `at`; `winner` is `None` for a void game.
	Ended {
		/// The winner.
		winner: Option<Side>,
		/// Why it ended.
		reason: EndReason,
		/// The block it ended in.
		at: BlockNumber,
	},
}

/// One dispute game.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Game<AccountId, Balance, BlockNumber> {
	/// The disputed request.
	pub request: RequestId,
	/// The proposer of the result.
	pub proposer: AccountId,
	/// The challenger.
	pub challenger: AccountId,
	/// The challenger's bond, held until the game ends.
	pub bond: Balance,
	/// The model's commitment.
	pub model_root: Root,
	/// The proposer's final root (identifies the disputed result).
	pub result_root: Root,
	/// The proposer's step count.
	pub steps: u32,
	/// The challenger's final root.
	pub claimed_root: Root,
	/// The challenger's step count.
	pub claimed_steps: u32,
	/// Phase 1 or 2.
	pub phase: Phase,
	/// Agreed position.
	pub lo: u32,
	/// Disputed position.
	pub hi: u32,
	/// The agreed root (at `lo`).
	pub lo_root: Root,
	/// The proposer's root at `hi`, which the challenger disputes.
	pub hi_root: Root,
	/// The proposer's roots at the points that cut `lo..hi`, while the challenger picks; empty otherwise.
	pub roots: MoveRoots,
	/// Whose clock runs.
	pub turn: Side,
	/// The block in which the current turn started.
	pub turn_started: BlockNumber,
	/// The last block in which the player to move may move; from the next block, it has lost.
	pub deadline: BlockNumber,
	/// Blocks left on the proposer's clock (not counting the current turn, if it is the proposer's).
	pub proposer_clock: BlockNumber,
	/// Blocks left on the challenger's clock (likewise).
	pub challenger_clock: BlockNumber,
	/// Moves made.
	pub moves: u32,
	/// The block the game opened in.
	pub opened_at: BlockNumber,
	/// Open or ended.
	pub status: GameStatus<BlockNumber>,
}

impl<AccountId, Balance, BlockNumber> Game<AccountId, Balance, BlockNumber> {
	/// What the player to move must do.
	pub fn expected(&self) -> Expected {
		if !matches!(self.status, GameStatus::Open) {
			return Expected::Nothing;
		}
		let width = self.hi.saturating_sub(self.lo);
		match (self.phase, self.turn) {
			(_, Side::Challenger) => Expected::Pick,
			(Phase::Steps, Side::Proposer) if width <= 1 => Expected::OpenStep,
			(Phase::Chunks { .. }, Side::Proposer) if width <= 1 => Expected::Prove,
			_ => Expected::Dissect,
		}
	}

	/// Which side `who` plays, if any.
	pub fn side_of(&self, who: &AccountId) -> Option<Side>
	where
		AccountId: PartialEq,
	{
		if *who == self.proposer {
			Some(Side::Proposer)
		} else if *who == self.challenger {
			Some(Side::Challenger)
		} else {
			None
		}
	}
}

/// The points that cut `lo..hi` into `k = min(width, hi - lo)` segments of nearly equal length: the positions
/// whose roots a dissection move posts (`k - 1` of them, strictly increasing, strictly inside the range).
pub fn cut_points(lo: u32, hi: u32, width: u32) -> alloc::vec::Vec<u32> {
	let len = hi.saturating_sub(lo) as u64;
	let k = (width as u64).min(len).max(1);
	(1..k).map(|i| lo + (len * i / k) as u32).collect()
}

sp_api::decl_runtime_apis! {
	/// Reading Sibyl's dispute games.
	pub trait DisputeApi<AccountId, Balance, BlockNumber>
	where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A game, while it is stored (open, or ended until its retention is over).
		fn game(id: GameId) -> Option<Game<AccountId, Balance, BlockNumber>>;
		/// The games on a request's results, oldest first.
		fn games_of(request: RequestId) -> alloc::vec::Vec<GameId>;
	}
}
