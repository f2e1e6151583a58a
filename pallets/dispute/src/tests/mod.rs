//! Tests by concern. The players are driven by real runs of the engine's tiny model: an honest player answers
//! from its trace, a dishonest one from a trace whose roots are corrupted from a chosen step on.

mod game;
mod money;
mod moves;
mod offchain;
mod properties;

use codec::Encode;
use frame_support::assert_ok;
use sibyl_engine::{merkle::Hash, run, Request, Trace};
use sibyl_inference_primitives::dispute::{cut_points, Expected, Phase};

use crate::{mock::*, GameId, Games};

pub(crate) fn prompt(n: u32) -> Vec<u32> {
	(0..n).map(|i| (i * 7 + 3) % 80).collect()
}

/// What a player believes: the true trace, and from which step (if any) it lies.
pub(crate) struct Player {
	pub trace: Trace<'static>,
	/// Roots at step counts `>= lie_from` (and phase-2 roots of those steps) are replaced by fakes.
	pub lie_from: Option<u32>,
}

/// A liar's root: different for every position and every liar.
fn fake(lie_from: u32, pos: u32, step: Option<u32>) -> Hash {
	sp_io::hashing::blake2_256(&(b"lie", lie_from, pos, step).encode())
}

impl Player {
	pub fn new(model: &'static sibyl_engine::Model, req: &Request, lie_from: Option<u32>) -> Player {
		Player { trace: run(model, req, None, None).expect("the tiny model runs"), lie_from }
	}

	/// The true root after `step` steps, a finished run staying where it is.
	pub fn true_root(&self, step: u32) -> Hash {
		self.trace.root_at(step.min(self.trace.steps()), 0).expect("a root")
	}

	/// This player's root after `step` steps.
	pub fn root(&self, step: u32) -> Hash {
		match self.lie_from {
			Some(k) if step >= k => fake(k, step, None),
			_ => self.true_root(step),
		}
	}

	/// This player's root at position `pos` of the game's phase.
	pub fn root_at(&self, phase: Phase, pos: u32) -> Hash {
		match phase {
			Phase::Steps => self.root(pos),
			Phase::Chunks { step, chunks } => {
				if pos == 0 {
					self.root(step)
				} else if pos >= chunks {
					self.root(step + 1)
				} else if let Some(k) = self.lie_from.filter(|k| step + 1 >= *k) {
					fake(k, pos, Some(step))
				} else {
					self.trace.root_at(step, pos).expect("a chunk root")
				}
			},
		}
	}

	/// Final root and steps this player claims.
	pub fn claim(&self) -> (Hash, u32) {
		(self.root(self.trace.steps()), self.trace.steps())
	}

	/// Makes this player's move in game `id` as `who`, if it is its turn. Returns whether it moved.
	pub fn play(&self, id: GameId, who: AccountId) -> bool {
		let g = Games::<Test>::get(id).expect("game");
		let me = g.side_of(&who).expect("a player");
		let width = Width::get();
		match g.expected() {
			Expected::Dissect if g.turn == me => {
				let roots: Vec<Hash> =
					cut_points(g.lo, g.hi, width).into_iter().map(|p| self.root_at(g.phase, p)).collect();
				assert_ok!(Dispute::dissect(RuntimeOrigin::signed(who), id, roots.try_into().unwrap()));
				true
			},
			Expected::Pick if g.turn == me => {
				let points = cut_points(g.lo, g.hi, width);
				let ends: Vec<Hash> = g.roots.iter().copied().chain([g.hi_root]).collect();
				let mut starts = vec![g.lo_root];
				starts.extend(g.roots.iter().copied());
				// The first segment whose end this player disputes (its start it then agrees with).
				let mut pos = points.clone();
				pos.push(g.hi);
				let seg = (0..ends.len()).find(|&i| self.root_at(g.phase, pos[i]) != ends[i]).unwrap_or(0);
				assert_ok!(Dispute::pick(RuntimeOrigin::signed(who), id, seg as u32));
				true
			},
			Expected::OpenStep if g.turn == me => {
				let header = self.trace.header_at(g.lo.min(self.trace.steps()), 0).expect("a header");
				assert_ok!(Dispute::open_step(RuntimeOrigin::signed(who), id, header));
				true
			},
			Expected::Prove if self.lie_from.is_none() => {
				let Phase::Chunks { step, .. } = g.phase else { panic!("proof in phase 1") };
				let proof = self.proof(step, g.lo);
				assert_ok!(Dispute::prove(RuntimeOrigin::signed(who), id, proof));
				true
			},
			_ => false,
		}
	}

	/// The encoded one-step proof of chunk `chunk` of step `step` (the identity proof past the end).
	pub fn proof(&self, step: u32, chunk: u32) -> Vec<u8> {
		if step >= self.trace.steps() {
			let header = self.trace.header_at(self.trace.steps(), 0).unwrap();
			return sibyl_engine::StepProof {
				header,
				model: Default::default(),
				tokens: Default::default(),
				kv: Default::default(),
				regs: Default::default(),
			}
			.encode();
		}
		self.trace.prove(step, chunk).expect("provable").encode()
	}
}

/// The tiny model, for the life of the test process.
pub(crate) fn model() -> &'static sibyl_engine::Model {
	use std::sync::OnceLock;
	static M: OnceLock<sibyl_engine::Model> = OnceLock::new();
	M.get_or_init(tiny_model)
}

/// Submits a request (by ALICE) and lets its operator propose what `proposer` claims. Returns the request id,
/// the operator, and the proposing player.
pub(crate) fn proposed(n_prompt: u32, max_new: u32, lie_from: Option<u32>) -> (u64, AccountId, Player) {
	let req = Request { prompt: prompt(n_prompt), max_new };
	assert_ok!(Inference::submit(RuntimeOrigin::signed(ALICE), 0, req.prompt.clone(), max_new, 0));
	let id = pallet_inference::NextRequestId::<Test>::get() - 1;
	next_block();
	let op = match pallet_inference::Requests::<Test>::get(id).unwrap().status {
		pallet_inference::lifecycle::RequestStatus::Assigned { operator, .. } => operator,
		s => panic!("not assigned: {s:?}"),
	};
	let p = Player::new(model(), &req, lie_from);
	let (root, steps) = p.claim();
	let mut output = p.trace.output.output.clone();
	if lie_from.is_some() {
		// A lying proposer's output is whatever it likes; its root is the lie.
		output[0] = (output[0] + 1) % 80;
	}
	assert_ok!(Inference::propose(RuntimeOrigin::signed(op), id, output, root, steps));
	(id, op, p)
}

/// Plays game `id` between two players to its end, one block per move. Returns the moves made.
pub(crate) fn play_out(id: GameId, proposer: (&Player, AccountId), challenger: (&Player, AccountId)) -> u32 {
	let mut moves = 0;
	for _ in 0..200 {
		let Some(g) = Games::<Test>::get(id) else { break };
		if g.expected() == Expected::Nothing {
			break;
		}
		let moved = match g.turn {
			crate::Side::Proposer => proposer.0.play(id, proposer.1) || challenger.0.play(id, challenger.1),
			crate::Side::Challenger => challenger.0.play(id, challenger.1),
		};
		if moved {
			moves += 1;
		}
		next_block();
	}
	moves
}
