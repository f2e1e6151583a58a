//! Games through the pallet's calls with real engine runs: opening, every move, bad moves, proofs.

use frame_support::{assert_noop, assert_ok};
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
