//! # Dispute pallet: Sibyl's opML dispute game
//!
//! A proposed inference result is final only after its challenge window. Inside the window anyone can challenge
//! it with a bond, claiming another final state root; each challenge is its own game, one challenger against the
//! proposer, so one honest player wins against any number of dishonest ones. The runtime referees: the players
//! narrow their disagreement to one step of the engine, then to one chunk of it, and the runtime recomputes that
//! chunk from a Merkle proof (`sibyl_engine::verify_step`, in WASM) and decides. While any game on a result is
//! open, the result is disputed and not final.
//!
//! ## The game
//! The moves, the narrowing and the clocks are in [`game`], as plain functions. Positions are step counts from
//! the initial state (computed on chain from the request) in phase 1, and chunk counts of the disputed step in
//! phase 2; a dissection move posts up to [`Config::Width`] − 1 roots, so a run of `n` steps needs about
//! `log_width(n)` rounds, each a dissection and a pick.
//!
//! ## Money
//! - The challenger's bond ([`Config::ChallengeBond`]) is held while its game is open.
//! - The challenger loses: its bond goes to the proposer, less [`Config::BurnShare`], which is burned.
//! - The proposer loses: its result is rejected in the inference pallet (its result bond goes to the challenger,
//!   the request is answered again by another operator, or refunded), [`Config::ProposerSlash`] of its operator
//!   bond is burned, and the challenger's bond is released.
//! - A game whose result was rejected by another game (or an output proof) before it ended is void: the bond is
//!   released and no one pays.
//!
//! So challenging oneself never pays: the loser's side always burns something.
//!
//! ## Output proofs
//! A result's output tokens are not hashed into its final root by the proposer's word alone: anyone can show,
//! with the header of the final state and a Merkle proof of one token, that the final state's tokens (or its
//! step count, generated count or request parameters) differ from the proposed result ([`Pallet::prove_output`]).
//! The result is then rejected at once, as if its proposer had lost a game.
//!
//! ## Hooks and bounds
//! A game whose player to move lets its deadline pass loses: `on_initialize` ends such games (at most
//! [`Config::MaxExpiriesPerBlock`] per block, the rest in the next blocks, in order), and anyone can end one
//! sooner with [`Pallet::claim_timeout`]. Ended games stay readable for [`Config::Retention`] blocks.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod game;
#[cfg(test)]
mod mock;
pub mod offchain;
mod settle;
#[cfg(test)]
mod tests;
pub mod weights;

pub use sibyl_inference_primitives::dispute::{EndReason, Expected, Game, GameId, GameStatus, MoveRoots, Phase, Side};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use pallet_inference::traits::ResultDisputes;
	use sibyl_engine::{merkle::HostBlake2, StateHeader};
	use sibyl_inference_primitives::{RequestId, Root};
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	use crate::{
		game::{self, MoveError, Timing},
		EndReason, GameId, MoveRoots, Side, WeightInfo,
	};

	/// The balance type of the pallet's currency.
	pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored game.
	pub type GameOf<T> = crate::Game<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// Most blocks' expiry sets the hook looks at in one block (it normally looks at one).
	pub const MAX_BLOCKS_PER_HOOK: u32 = 16;

	/// The last component of the `prove` benchmark: it runs over one SmolLM2 proof per kind of engine operation,
	/// smallest first, and this is the largest.
	pub const WORST_PROOF: u32 = 14;

	/// The component every proof is charged at: the linear fit taken at twice the benchmark's range. The fit at
	/// [`WORST_PROOF`] (560 µs here) was below the median measured for the two largest proofs (597 and 615 µs);
	/// at twice the range it is 702 µs, above every operation's median.
	pub const PROOF_CHARGED_AT: u32 = 2 * WORST_PROOF;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A challenger's bond, while its game is open.
		ChallengeBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::offchain::CreateSignedTransaction<Call<Self>> + frame_system::Config {
		/// The keys the off-chain worker signs moves and challenges with: the inference pallet's operator keys.
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;
		/// The native currency, with holds.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// The inference pallet: what can be disputed, and the verdicts.
		type Results: ResultDisputes<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;
		/// Held from a challenger while its game is open.
		#[pallet::constant]
		type ChallengeBond: Get<BalanceOf<Self>>;
		/// The share of a losing challenger's bond that is burned (the rest goes to the proposer).
		#[pallet::constant]
		type BurnShare: Get<Perbill>;
		/// Burned from a losing proposer's operator bond, besides its result bond, which goes to the challenger.
		#[pallet::constant]
		type ProposerSlash: Get<BalanceOf<Self>>;
		/// Segments per dissection move (2 is bisection); at most `dispute::MAX_WIDTH`.
		#[pallet::constant]
		type Width: Get<u32>;
		/// Most blocks a player has for one move.
		#[pallet::constant]
		type MoveTimeout: Get<BlockNumberFor<Self>>;
		/// Blocks each player has for all its moves in a game.
		#[pallet::constant]
		type ClockBudget: Get<BlockNumberFor<Self>>;
		/// Blocks an ended game stays readable.
		#[pallet::constant]
		type Retention: Get<BlockNumberFor<Self>>;
		/// Longest one-step proof, in bytes (the inference pallet refuses models whose proofs could be longer).
		#[pallet::constant]
		type MaxStepProofLen: Get<u32>;
		/// Most games the hook ends or prunes in one block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;
		/// Benchmarked weights.
		type WeightInfo: WeightInfo;
	}

	/// The id the next game gets.
	#[pallet::storage]
	pub type NextGameId<T> = StorageValue<_, GameId, ValueQuery>;

	/// Games, open and (until their retention ends) ended.
	#[pallet::storage]
	pub type Games<T: Config> = StorageMap<_, Twox64Concat, GameId, GameOf<T>>;

	/// Each challenger's latest game on a request: a challenger plays at most one open game per result.
	#[pallet::storage]
	pub type GameByChallenger<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RequestId, Blake2_128Concat, T::AccountId, GameId>;

	/// The games the hook looks at in each block: an open game in the block after its deadline, an ended game
	/// when its retention ends. A game is in at most one block's set.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, GameId, (), OptionQuery>;

	/// Each player's open games, and its side in each: what a player's off-chain worker looks at. An entry
	/// exists for both players from a game's opening to its end.
	#[pallet::storage]
	pub type OpenGames<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, GameId, Side, OptionQuery>;

	/// The oldest block whose [`Expiries`] may still hold games.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Every move of a game, and how it ended. (Each variant's doc says what its fields are.)
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// A game opened: `challenger` claims `claimed_root` after `claimed_steps` against the proposer's result
		/// of `steps` steps; the proposer moves first, by `deadline`.
		Challenged {
			game: GameId,
			request: RequestId,
			proposer: T::AccountId,
			challenger: T::AccountId,
			claimed_root: Root,
			claimed_steps: u32,
			steps: u32,
			deadline: BlockNumberFor<T>,
		},
		/// The proposer cut `lo..hi` at the given roots; the challenger picks by `deadline`.
		Dissected { game: GameId, lo: u32, hi: u32, roots: MoveRoots, deadline: BlockNumberFor<T> },
		/// The challenger disputes `lo..hi`; the proposer moves by `deadline`.
		Picked { game: GameId, lo: u32, hi: u32, deadline: BlockNumberFor<T> },
		/// One step was left: it has `chunks` chunks, now dissected; the proposer moves by `deadline`.
		StepOpened { game: GameId, step: u32, chunks: u32, deadline: BlockNumberFor<T> },
		/// The runtime recomputed the last chunk: `post_root` from the agreed root.
		StepVerified { game: GameId, step: u32, chunk: u32, post_root: Root },
		/// A game ended: `to_winner` was paid from the loser's bond and `burned` burned (zero for a void game).
		GameEnded {
			game: GameId,
			request: RequestId,
			winner: Option<Side>,
			reason: EndReason,
			to_winner: BalanceOf<T>,
			burned: BalanceOf<T>,
		},
		/// `prover` showed that a result's final state is not its output: the result was rejected.
		OutputProvenWrong { request: RequestId, prover: T::AccountId, slashed: BalanceOf<T> },
		/// An ended game was removed from storage.
		GamePruned { game: GameId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No result in its challenge window for this request.
		NotChallengeable,
		/// The proposer can not challenge its own result.
		OwnResult,
		/// The claimed root is the proposer's: nothing to dispute.
		NoDisagreement,
		/// This account already plays an open game on this result.
		AlreadyChallenging,
		/// Not enough free balance for the bond.
		InsufficientBalance,
		/// The request's model or result could not be read.
		NoContext,
		/// No game with this id.
		UnknownGame,
		/// The game has ended.
		GameEnded,
		/// Only the proposer and the challenger play.
		NotAPlayer,
		/// It is the other player's turn.
		NotYourTurn,
		/// The game expects another kind of move now (see `Game::expected`).
		WrongMove,
		/// A dissection must carry one root per cut point of the range.
		WrongRootCount,
		/// No such segment.
		BadSegment,
		/// The mover's deadline has passed; the game can only be ended by the clock.
		TooLate,
		/// The header is not the agreed state's, or its meta is not reachable by the model's program.
		HeaderMismatch,
		/// The proof is longer than `MaxStepProofLen`.
		ProofTooLarge,
		/// The proof does not decode.
		ProofUndecodable,
		/// `verify_step` refused the proof (from another root, a wrong leaf, or an impossible step).
		ProofRefused,
		/// The deadline has not passed.
		NotTimedOut,
		/// The output proof shows no difference from the result.
		OutputMatches,
	}

	impl<T> From<MoveError> for Error<T> {
		fn from(e: MoveError) -> Self {
			match e {
				MoveError::Ended => Error::GameEnded,
				MoveError::NotYourTurn => Error::NotYourTurn,
				MoveError::WrongMove => Error::WrongMove,
				MoveError::WrongRootCount => Error::WrongRootCount,
				MoveError::BadSegment => Error::BadSegment,
				MoveError::TooLate => Error::TooLate,
				MoveError::HeaderMismatch => Error::HeaderMismatch,
				MoveError::NotTimedOut => Error::NotTimedOut,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_expiries(now)
		}

		/// Checks other operators' results and plays this node's games (see [`crate::offchain`]).
		fn offchain_worker(now: BlockNumberFor<T>) {
			crate::offchain::run::<T>(now);
		}

		fn integrity_test() {
			let w = T::Width::get();
			assert!(w >= 2 && w <= sibyl_inference_primitives::dispute::MAX_WIDTH, "Width must be 2..=MAX_WIDTH");
			assert!(T::MoveTimeout::get() >= 1u32.into() && T::ClockBudget::get() >= T::MoveTimeout::get());
			assert!(T::MaxExpiriesPerBlock::get() >= 1);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Challenges the result of `request`, claiming the final state root `claimed_root` after `claimed_steps`
		/// steps. Holds [`Config::ChallengeBond`] and opens a game against the proposer, who moves first.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::challenge())]
		pub fn challenge(
			origin: OriginFor<T>,
			request: RequestId,
			claimed_root: Root,
			claimed_steps: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge(who, request, claimed_root, claimed_steps).map(|_| ())
		}

		/// The proposer's dissection of the disputed range: the roots at its cut points
		/// (`dispute::cut_points(lo, hi, Width)`), in order.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::dissect(roots.len() as u32))]
		pub fn dissect(origin: OriginFor<T>, game: GameId, roots: MoveRoots) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::play(game, &who, |g, side, now, t| {
				game::dissect(g, side, &roots, T::Width::get(), now, t).map_err(Error::<T>::from)?;
				Self::deposit_event(Event::Dissected {
					game,
					lo: g.lo,
					hi: g.hi,
					roots: g.roots.clone(),
					deadline: g.deadline,
				});
				Ok(None)
			})
		}

		/// The challenger picks the segment (0-based) of the last dissection that it disputes.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::pick())]
		pub fn pick(origin: OriginFor<T>, game: GameId, segment: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::play(game, &who, |g, side, now, t| {
				game::pick(g, side, segment, T::Width::get(), now, t).map_err(Error::<T>::from)?;
				Self::deposit_event(Event::Picked { game, lo: g.lo, hi: g.hi, deadline: g.deadline });
				Ok(None)
			})
		}

		/// One step is left: the proposer shows the header of the agreed state, and the game moves to that step's
		/// chunks.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::open_step())]
		pub fn open_step(origin: OriginFor<T>, game: GameId, header: StateHeader) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::play(game, &who, |g, side, now, t| {
				let ctx = T::Results::context(g.request).ok_or(Error::<T>::NoContext)?;
				let chunks = game::chunks_of(&ctx.config, &header.meta).ok_or(Error::<T>::HeaderMismatch)?;
				let root = header.root_with::<HostBlake2>();
				game::open_step(g, side, root, &header.meta, chunks, now, t).map_err(Error::<T>::from)?;
				Self::deposit_event(Event::StepOpened {
					game,
					step: header.meta.step,
					chunks,
					deadline: g.deadline,
				});
				Ok(None)
			})
		}

		/// One chunk is left: either player sends the one-step proof (a SCALE-encoded `sibyl_engine::StepProof`
		/// of the agreed state). The runtime recomputes the chunk from the agreed root and the game ends.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::prove(PROOF_CHARGED_AT).saturating_add(T::Results::uphold_extra_weight()))]
		pub fn prove(origin: OriginFor<T>, game: GameId, proof: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(proof.len() <= T::MaxStepProofLen::get() as usize, Error::<T>::ProofTooLarge);
			Self::play(game, &who, |g, _, now, _| {
				game::can_prove(g, &now).map_err(Error::<T>::from)?;
				let proof = <sibyl_engine::StepProof as codec::DecodeAll>::decode_all(&mut &proof[..])
					.map_err(|_| Error::<T>::ProofUndecodable)?;
				let post = sibyl_engine::verify_step_with::<HostBlake2>(&g.lo_root, &proof)
					.map_err(|_| Error::<T>::ProofRefused)?;
				let step = match g.phase {
					crate::Phase::Chunks { step, .. } => step,
					crate::Phase::Steps => g.lo,
				};
				Self::deposit_event(Event::StepVerified { game, step, chunk: g.lo, post_root: post });
				Ok(Some((game::decide(g, &post), EndReason::Proof)))
			})
		}

		/// Ends a game whose player to move let its deadline pass (anyone may call; the hook does it otherwise).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::claim_timeout().saturating_add(T::Results::uphold_extra_weight()))]
		pub fn claim_timeout(origin: OriginFor<T>, game: GameId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut g = Games::<T>::get(game).ok_or(Error::<T>::UnknownGame)?;
			let now = frame_system::Pallet::<T>::block_number();
			let winner = game::timeout(&g, &now).map_err(Error::<T>::from)?;
			Self::finish(game, &mut g, Some(winner), EndReason::Timeout, now);
			Ok(())
		}

		/// Shows that a proposed result is not its own final state: `header` is the state whose root the result
		/// claims, and it differs from the result in its request parameters, step count, generated count, or
		/// (with `siblings`, the Merkle proof of token `token` at `position` in the header's token tree) one of
		/// the output tokens. The result is rejected at once; its bond goes to the prover.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::prove_output())]
		pub fn prove_output(
			origin: OriginFor<T>,
			request: RequestId,
			header: StateHeader,
			position: u32,
			token: u32,
			siblings: BoundedVec<Root, ConstU32<32>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_prove_output(who, request, header, position, token, siblings.into_inner())
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn timing() -> Timing<BlockNumberFor<T>> {
			Timing { move_timeout: T::MoveTimeout::get(), budget: T::ClockBudget::get() }
		}

		/// Opens a game; returns its id.
		pub(crate) fn do_challenge(
			who: T::AccountId,
			request: RequestId,
			claimed_root: Root,
			claimed_steps: u32,
		) -> Result<GameId, DispatchError> {
			let d = T::Results::disputable(request).ok_or(Error::<T>::NotChallengeable)?;
			ensure!(who != d.operator, Error::<T>::OwnResult);
			ensure!(claimed_root != d.final_root, Error::<T>::NoDisagreement);
			if let Some(prev) = GameByChallenger::<T>::get(request, &who) {
				let open = Games::<T>::get(prev).is_some_and(|g| g.status == crate::GameStatus::Open);
				ensure!(!open, Error::<T>::AlreadyChallenging);
			}
			let ctx = T::Results::context(request).ok_or(Error::<T>::NoContext)?;
			let req = sibyl_engine::Request { prompt: ctx.prompt, max_new: ctx.max_new };
			let initial_root =
				sibyl_engine::initial_root(&ctx.config, d.model_root, &req).map_err(|_| Error::<T>::NoContext)?;
			let bond = T::ChallengeBond::get();
			T::Currency::hold(&HoldReason::ChallengeBond.into(), &who, bond)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			T::Results::open_dispute(request)?;
			let now = frame_system::Pallet::<T>::block_number();
			let id = NextGameId::<T>::get();
			NextGameId::<T>::put(id.saturating_add(1));
			let mut g = game::open(
				request,
				d.operator.clone(),
				who.clone(),
				bond,
				d.model_root,
				initial_root,
				(d.final_root, d.steps),
				(claimed_root, claimed_steps),
				now,
				&Self::timing(),
			);
			GameByChallenger::<T>::insert(request, &who, id);
			Self::deposit_event(Event::Challenged {
				game: id,
				request,
				proposer: d.operator,
				challenger: who,
				claimed_root,
				claimed_steps,
				steps: d.steps,
				deadline: g.deadline,
			});
			if d.steps == 0 {
				// No run has zero steps: the proposer's claim is wrong on its face.
				Self::finish(id, &mut g, Some(Side::Challenger), EndReason::NoSteps, now);
			} else {
				Self::set_expiry(id, None, Some(g.deadline.saturating_add(1u32.into())));
				OpenGames::<T>::insert(&g.proposer, id, Side::Proposer);
				OpenGames::<T>::insert(&g.challenger, id, Side::Challenger);
				Games::<T>::insert(id, g);
			}
			Ok(id)
		}

		/// Runs a move of `who` on game `id`: checks that `who` plays it and that it is open, ends it void if its
		/// result is gone, applies `f`, and either ends the game (when `f` returns the winner and why) or stores
		/// it with its new deadline.
		fn play(
			id: GameId,
			who: &T::AccountId,
			f: impl FnOnce(
				&mut GameOf<T>,
				Side,
				BlockNumberFor<T>,
				&Timing<BlockNumberFor<T>>,
			) -> Result<Option<(Side, EndReason)>, DispatchError>,
		) -> DispatchResult {
			let mut g = Games::<T>::get(id).ok_or(Error::<T>::UnknownGame)?;
			let side = g.side_of(who).ok_or(Error::<T>::NotAPlayer)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(g.status == crate::GameStatus::Open, Error::<T>::GameEnded);
			if Self::is_void(&g) {
				Self::finish(id, &mut g, None, EndReason::Void, now);
				return Ok(());
			}
			let old = g.deadline;
			match f(&mut g, side, now, &Self::timing())? {
				Some((winner, reason)) => Self::finish(id, &mut g, Some(winner), reason, now),
				None => {
					Self::set_expiry(
						id,
						Some(old.saturating_add(1u32.into())),
						Some(g.deadline.saturating_add(1u32.into())),
					);
					Games::<T>::insert(id, g);
				},
			}
			Ok(())
		}

		/// Whether the result `g` disputes is gone (rejected by another game or an output proof).
		pub(crate) fn is_void(g: &GameOf<T>) -> bool {
			T::Results::disputed(g.request) != Some((g.proposer.clone(), g.result_root))
		}

		/// Moves game `id` from the expiry set of block `from` to that of block `to`.
		pub(crate) fn set_expiry(id: GameId, from: Option<BlockNumberFor<T>>, to: Option<BlockNumberFor<T>>) {
			if let Some(b) = from {
				Expiries::<T>::remove(b, id);
			}
			if let Some(b) = to {
				Expiries::<T>::insert(b, id, ());
			}
		}

		/// Ends the hook's games: the expiry sets of the blocks from the cursor to `now`, at most
		/// `MaxExpiriesPerBlock` games and [`MAX_BLOCKS_PER_HOOK`] blocks; the rest in the next blocks, in order.
		/// An unset cursor (the pallet added to a running chain) starts at `now`: expiries are only ever set for
		/// later blocks, so no earlier block holds any.
		pub(crate) fn process_expiries(now: BlockNumberFor<T>) -> Weight {
			let max = T::MaxExpiriesPerBlock::get();
			let mut done = 0u32;
			let mut cursor = ExpiryCursor::<T>::get();
			if cursor.is_zero() {
				cursor = now;
			}
			let mut weight = T::DbWeight::get().reads_writes(1, 1);
			let mut blocks = 0u32;
			while cursor <= now && blocks < MAX_BLOCKS_PER_HOOK {
				blocks += 1;
				let due: Vec<GameId> =
					Expiries::<T>::iter_key_prefix(cursor).take((max - done) as usize).collect();
				weight.saturating_accrue(T::DbWeight::get().reads(1));
				for id in &due {
					Expiries::<T>::remove(cursor, id);
					Self::expire(*id, now);
					weight.saturating_accrue(T::WeightInfo::expire().saturating_add(T::Results::uphold_extra_weight()));
					done += 1;
				}
				if done >= max {
					break;
				}
				cursor = cursor.saturating_add(1u32.into());
			}
			ExpiryCursor::<T>::put(cursor);
			weight
		}

		/// An open game past its deadline ends by the clock (or void); an ended game past its retention is
		/// pruned.
		pub(crate) fn expire(id: GameId, now: BlockNumberFor<T>) {
			let Some(mut g) = Games::<T>::get(id) else { return };
			match g.status {
				crate::GameStatus::Open => {
					if Self::is_void(&g) {
						Self::finish(id, &mut g, None, EndReason::Void, now);
					} else if let Ok(winner) = game::timeout(&g, &now) {
						Self::finish(id, &mut g, Some(winner), EndReason::Timeout, now);
					}
				},
				crate::GameStatus::Ended { .. } => {
					Games::<T>::remove(id);
					if GameByChallenger::<T>::get(g.request, &g.challenger) == Some(id) {
						GameByChallenger::<T>::remove(g.request, &g.challenger);
					}
					Self::deposit_event(Event::GamePruned { game: id });
				},
			}
		}

		/// Ends game `id`, settles its bonds and the verdict, and schedules its pruning.
		pub(crate) fn finish(
			id: GameId,
			g: &mut GameOf<T>,
			winner: Option<Side>,
			reason: EndReason,
			now: BlockNumberFor<T>,
		) {
			let old = g.deadline.saturating_add(1u32.into());
			let (to_winner, burned) = crate::settle::settle::<T>(g, winner);
			game::end(g, winner, reason, now);
			OpenGames::<T>::remove(&g.proposer, id);
			OpenGames::<T>::remove(&g.challenger, id);
			let prune_at = now.saturating_add(T::Retention::get()).max(now.saturating_add(1u32.into()));
			Self::set_expiry(id, Some(old), Some(prune_at));
			Self::deposit_event(Event::GameEnded { game: id, request: g.request, winner, reason, to_winner, burned });
			Games::<T>::insert(id, g.clone());
		}

		pub(crate) fn do_prove_output(
			who: T::AccountId,
			request: RequestId,
			header: StateHeader,
			position: u32,
			token: u32,
			siblings: Vec<Root>,
		) -> DispatchResult {
			let d = T::Results::disputable(request).ok_or(Error::<T>::NotChallengeable)?;
			ensure!(who != d.operator, Error::<T>::OwnResult);
			ensure!(header.root_with::<HostBlake2>() == d.final_root, Error::<T>::HeaderMismatch);
			let ctx = T::Results::context(request).ok_or(Error::<T>::NoContext)?;
			let m = &header.meta;
			let out_len = ctx.output.len() as u32;
			let prompt_len = ctx.prompt.len() as u32;
			// The final state of this request's run must be finished, on this model, after the proposed steps,
			// with the proposed number of tokens.
			let mut wrong = !m.finished ||
				header.model != d.model_root ||
				m.step != d.steps ||
				m.prompt_len != prompt_len ||
				m.max_new != ctx.max_new ||
				m.generated != out_len ||
				m.chunk != 0;
			if !wrong {
				// One output token, proven in the final state's token tree, differs from the proposed one.
				let i = position.checked_sub(prompt_len).filter(|i| *i < out_len).ok_or(Error::<T>::OutputMatches)?;
				let l = sibyl_engine::state::Layout::new(&ctx.config);
				let leaf = <HostBlake2 as sibyl_engine::merkle::Blake2>::leaf(&sibyl_engine::state::token_bytes(token));
				let root = sibyl_engine::merkle::multiroot_with::<HostBlake2>(
					l.tokens_depth,
					&[(position as u64, leaf)],
					&siblings,
				)
				.map_err(|_| Error::<T>::HeaderMismatch)?;
				ensure!(root == header.tokens, Error::<T>::HeaderMismatch);
				wrong = ctx.output.get(i as usize) != Some(&token);
			}
			ensure!(wrong, Error::<T>::OutputMatches);
			T::Results::open_dispute(request)?;
			T::Results::reject(request, &who)?;
			let slashed = T::Results::slash_operator(&d.operator, T::ProposerSlash::get(), None);
			Self::deposit_event(Event::OutputProvenWrong { request, prover: who, slashed });
			Ok(())
		}

		/// Checks the books: every stored game's challenger has exactly the bonds of its open games held.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::BTreeMap;
			let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut open = 0usize;
			for (id, g) in Games::<T>::iter() {
				let e = held.entry(g.challenger.clone()).or_default();
				if g.status == crate::GameStatus::Open {
					*e = e.saturating_add(g.bond);
					open += 2;
					ensure!(
						OpenGames::<T>::get(&g.proposer, id) == Some(Side::Proposer) &&
							OpenGames::<T>::get(&g.challenger, id) == Some(Side::Challenger),
						"an open game is missing from its players' index"
					);
				}
			}
			ensure!(OpenGames::<T>::iter_keys().count() == open, "the players' index lists ended games");
			let reason = HoldReason::ChallengeBond.into();
			for (who, amount) in &held {
				ensure!(T::Currency::balance_on_hold(&reason, who) == *amount, "challenge bond held != open games");
			}
			ensure!(NextGameId::<T>::get() >= Games::<T>::iter_keys().count() as u64, "more games than ids");
			Ok(())
		}

		/// The latest game of every challenger of `request`, oldest first (for the runtime API).
		pub fn games_of(request: RequestId) -> Vec<GameId> {
			let mut ids: Vec<GameId> = GameByChallenger::<T>::iter_prefix_values(request).collect();
			ids.sort_unstable();
			ids
		}

		/// Releases a bond (used by settlement).
		pub(crate) fn release_bond(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
			T::Currency::release(&HoldReason::ChallengeBond.into(), who, amount, Precision::BestEffort)
				.unwrap_or_default()
		}
	}
}
