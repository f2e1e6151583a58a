//! Games through the pallet's calls with real engine runs: opening, every move, bad moves, proofs.

use frame_support::{assert_noop, assert_ok};
use sibyl_engine::Request;
use sibyl_inference_primitives::dispute::{EndReason, Expected, GameStatus, Side};

use super::*;
use crate::{mock::*, Error, Event, Games};

#[test]
fn an_honest_challenger_beats_a_lying_proposer_down_to_the_one_step_proof() {
	new_test_ext().execute_with(|| {
		let (req, op, liar) = proposed(6, 3, Some(40));
		let honest = Player::new(model(), &Request { prompt: prompt(6), max_new: 3 }, None);
		let (root, steps) = honest.claim();
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, root, steps));
		let id = 0;
		assert!(matches!(
			pallet_inference::Requests::<Test>::get(req).unwrap().status,
			pallet_inference::lifecycle::RequestStatus::Disputed { games: 1, .. }
		));
		let moves = play_out(id, (&liar, op), (&honest, CAROL));
		let g = Games::<Test>::get(id).unwrap();
		assert!(matches!(g.status, GameStatus::Ended { winner: Some(Side::Challenger), reason: EndReason::Proof, .. }));
		assert!(moves > 4, "{moves} moves");
	});
}

#[test]
fn a_lying_challenger_loses_to_an_honest_proposer_whatever_it_picks() {
	let total = Player::new(model(), &Request { prompt: prompt(6), max_new: 3 }, None).trace.steps();
	for (lie_from, extra) in [(1, 0), (37, 0), (150, 0), (total, 0), (total, 7), (total - 3, u32::MAX - total)] {
		new_test_ext().execute_with(|| {
			let (req, op, honest) = proposed(6, 3, None);
			let liar = Player::new(model(), &Request { prompt: prompt(6), max_new: 3 }, Some(lie_from));
			let (root, steps) = liar.claim();
			// The liar may claim any step count: the game is over the proposer's.
			let steps = steps.saturating_add(extra);
			assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, root, steps));
			play_out(0, (&honest, op), (&liar, CAROL));
			let g = Games::<Test>::get(0).unwrap();
			assert!(
				matches!(g.status, GameStatus::Ended { winner: Some(Side::Proposer), .. }),
				"lie from {lie_from}: {:?}",
				g.status
			);
		});
	}
}

#[test]
fn challenge_refuses_every_bad_input() {
	new_test_ext().execute_with(|| {
		let (req, op, p) = proposed(6, 3, None);
		let (root, steps) = p.claim();
		let other = [7u8; 32];
		// Unknown request, the proposer itself, the proposer's own root, no funds.
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(CAROL), 99, other, steps), Error::<Test>::NotChallengeable);
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(op), req, other, steps), Error::<Test>::OwnResult);
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, root, steps), Error::<Test>::NoDisagreement);
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(77), req, other, steps), Error::<Test>::InsufficientBalance);
		// One open game per challenger and result; another challenger opens its own game.
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, other, steps));
		assert_noop!(
			Dispute::challenge(RuntimeOrigin::signed(CAROL), req, [8; 32], steps),
			Error::<Test>::AlreadyChallenging
		);
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(BOB), req, [8; 32], steps));
		assert!(matches!(
			pallet_inference::Requests::<Test>::get(req).unwrap().status,
			pallet_inference::lifecycle::RequestStatus::Disputed { games: 2, .. }
		));
		// After the window, nothing more can be opened, but the open games go on and the result is not final.
		run_to(System::block_number() + WINDOW);
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(OP_D), req, other, steps), Error::<Test>::NotChallengeable);
		assert!(pallet_inference::Pallet::<Test>::result_view(req, true).is_none());
	});
}

#[test]
fn bad_moves_through_the_calls_are_refused() {
	new_test_ext().execute_with(|| {
		let (req, op, honest) = proposed(6, 3, None);
		let liar = Player::new(model(), &Request { prompt: prompt(6), max_new: 3 }, Some(20));
		let (root, steps) = liar.claim();
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, root, steps));
		let roots = |n: usize| -> crate::MoveRoots { vec![[1u8; 32]; n].try_into().unwrap() };
		// A stranger, the wrong player, the wrong number of roots, the wrong kind of move, an unknown game.
		assert_noop!(Dispute::dissect(RuntimeOrigin::signed(BOB), 0, roots(3)), Error::<Test>::NotAPlayer);
		assert_noop!(Dispute::dissect(RuntimeOrigin::signed(CAROL), 0, roots(3)), Error::<Test>::NotYourTurn);
		assert_noop!(Dispute::dissect(RuntimeOrigin::signed(op), 0, roots(2)), Error::<Test>::WrongRootCount);
		assert_noop!(Dispute::pick(RuntimeOrigin::signed(CAROL), 0, 0), Error::<Test>::NotYourTurn);
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, vec![0]), Error::<Test>::WrongMove);
		assert_noop!(Dispute::dissect(RuntimeOrigin::signed(op), 5, roots(3)), Error::<Test>::UnknownGame);
		assert_noop!(Dispute::claim_timeout(RuntimeOrigin::signed(BOB), 0), Error::<Test>::NotTimedOut);
		// Play to the proof.
		while Games::<Test>::get(0).unwrap().expected() != Expected::Prove {
			let g = Games::<Test>::get(0).unwrap();
			if g.turn == Side::Proposer {
				honest.play(0, op);
			} else {
				liar.play(0, CAROL);
			}
		}
		let g = Games::<Test>::get(0).unwrap();
		let crate::Phase::Chunks { step, .. } = g.phase else { panic!() };
		let good = honest.proof(step, g.lo);
		// Too long, undecodable, a proof of another chunk (another pre-state), one byte changed.
		MaxStepProofLen::set(good.len() as u32 - 1);
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, good.clone()), Error::<Test>::ProofTooLarge);
		MaxStepProofLen::set(256 * 1024);
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, good[..good.len() - 1].to_vec()), Error::<Test>::ProofUndecodable);
		let other = if step > 0 { honest.proof(step - 1, 0) } else { honest.proof(step + 1, 0) };
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, other), Error::<Test>::ProofRefused);
		let mut flipped = good.clone();
		let at = flipped.len() - 40;
		flipped[at] ^= 1;
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, flipped), Error::<Test>::ProofRefused);
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(BOB), 0, good.clone()), Error::<Test>::NotAPlayer);
		// After the deadline only the clock decides.
		run_to(g.deadline + 1);
		assert!(matches!(
			Games::<Test>::get(0).unwrap().status,
			GameStatus::Ended { winner: Some(Side::Challenger), reason: EndReason::Timeout, .. }
		), "the honest proposer waited too long and lost by the clock");
		assert_noop!(Dispute::prove(RuntimeOrigin::signed(op), 0, good), Error::<Test>::GameEnded);
	});
}

#[test]
fn a_step_is_opened_only_with_the_agreed_header() {
	new_test_ext().execute_with(|| {
		let (req, op, honest) = proposed(6, 3, None);
		let liar = Player::new(model(), &Request { prompt: prompt(6), max_new: 3 }, Some(20));
		let (root, steps) = liar.claim();
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), req, root, steps));
		while Games::<Test>::get(0).unwrap().expected() != Expected::OpenStep {
			let g = Games::<Test>::get(0).unwrap();
			if g.turn == Side::Proposer { honest.play(0, op) } else { liar.play(0, CAROL) };
		}
		let g = Games::<Test>::get(0).unwrap();
		assert_eq!(g.hi - g.lo, 1);
		let next = honest.trace.header_at(g.hi, 0).unwrap();
		assert_noop!(Dispute::open_step(RuntimeOrigin::signed(op), 0, next), Error::<Test>::HeaderMismatch);
		let mut bad = honest.trace.header_at(g.lo, 0).unwrap();
		bad.meta.pos = u32::MAX;
		assert_noop!(Dispute::open_step(RuntimeOrigin::signed(op), 0, bad), Error::<Test>::HeaderMismatch);
		assert!(honest.play(0, op));
		assert!(matches!(events().last(), Some(Event::StepOpened { .. })));
	});
}
