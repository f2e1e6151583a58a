//! Settlement: who pays whom, exactly, and nothing is created or lost; void games; output proofs.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sibyl_engine::Request;
use sibyl_inference_primitives::dispute::{EndReason, GameStatus, Side};

use super::*;
use crate::{mock::*, Error, Event, Games, HoldReason};

fn held_bond(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ChallengeBond.into(), &who)
}

fn req() -> Request {
	Request { prompt: prompt(6), max_new: 3 }
}

#[test]
fn a_losing_challenger_pays_the_proposer_and_burns_the_rest() {
	new_test_ext().execute_with(|| {
		let (id, op, honest) = proposed(6, 3, None);
		let liar = Player::new(model(), &req(), Some(50));
		let (op0, carol0, issued0) = (total(op), total(CAROL), issuance());
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, liar.claim().0, liar.claim().1));
		assert_eq!(held_bond(CAROL), CHALLENGE_BOND);
		play_out(0, (&honest, op), (&liar, CAROL));
		let burn = CHALLENGE_BOND / 2;
		assert_eq!(total(CAROL), carol0 - CHALLENGE_BOND);
		// The window ended during the game: the upheld result was finalized at once, paying the operator too.
		let fee = pallet_inference::Results::<Test>::get(id).unwrap().fee_paid;
		assert_eq!(fee, FEE_BASE + 3 * FEE_PER_TOKEN);
		assert_eq!(total(op), op0 + CHALLENGE_BOND - burn + OperatorShare::get() * fee);
		assert_eq!(issuance(), issued0 - burn);
		assert_eq!(held_bond(CAROL), 0);
		// The result is upheld and becomes final after its window as usual.
		run_to(System::block_number() + WINDOW);
		assert!(pallet_inference::Pallet::<Test>::result_view(id, true).is_some());
	});
}

#[test]
fn a_losing_proposer_is_rejected_slashed_and_the_request_is_answered_again() {
	new_test_ext().execute_with(|| {
		let (id, op, liar) = proposed(6, 3, Some(90));
		let honest = Player::new(model(), &req(), None);
		let (op0, carol0, issued0) = (total(op), total(CAROL), issuance());
		let bond0 = pallet_inference::Operators::<Test>::get(op).unwrap().bond;
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, honest.claim().0, honest.claim().1));
		play_out(0, (&liar, op), (&honest, CAROL));
		let g = Games::<Test>::get(0).unwrap();
		assert!(matches!(g.status, GameStatus::Ended { winner: Some(Side::Challenger), reason: EndReason::Proof, .. }));
		// The challenger gets the result bond and its own bond back; the proposer's slash is burned.
		assert_eq!(total(CAROL), carol0 + RESULT_BOND);
		assert_eq!(total(op), op0 - RESULT_BOND - PROPOSER_SLASH);
		assert_eq!(issuance(), issued0 - PROPOSER_SLASH);
		assert_eq!(pallet_inference::Operators::<Test>::get(op).unwrap().bond, bond0 - PROPOSER_SLASH);
		assert_eq!(held_bond(CAROL), 0);
		// The request went to another operator, who is not the liar.
		next_block();
		match pallet_inference::Requests::<Test>::get(id).unwrap().status {
			pallet_inference::lifecycle::RequestStatus::Assigned { operator, .. } => assert_ne!(operator, op),
			s => panic!("not reassigned: {s:?}"),
		}
	});
}

#[test]
fn when_one_game_rejects_the_result_the_others_are_void_and_bonds_return() {
	new_test_ext().execute_with(|| {
		let (id, op, liar) = proposed(6, 3, Some(90));
		let honest = Player::new(model(), &req(), None);
		let other_liar = Player::new(model(), &req(), Some(10));
		let bob0 = total(BOB);
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, honest.claim().0, honest.claim().1));
		// Game 0 reaches its proof within this block; then BOB opens a game on the same result.
		while Games::<Test>::get(0).unwrap().expected() != sibyl_inference_primitives::dispute::Expected::Prove {
			let _ = liar.play(0, op) || honest.play(0, CAROL);
		}
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(BOB), id, other_liar.claim().0, other_liar.claim().1));
		assert!(honest.play(0, CAROL));
		assert!(matches!(Games::<Test>::get(0).unwrap().status, GameStatus::Ended { winner: Some(Side::Challenger), .. }));
		// BOB's game is void at its next move, or its deadline: its bond comes back whole.
		assert_eq!(Games::<Test>::get(1).unwrap().status, GameStatus::Open);
		next_block();
		// The proposer's move finds the result gone and ends the game void instead.
		assert!(liar.play(1, op));
		let g = Games::<Test>::get(1).unwrap();
		assert!(matches!(g.status, GameStatus::Ended { winner: None, reason: EndReason::Void, .. }), "{:?}", g.status);
		assert_eq!(total(BOB), bob0);
		assert_eq!(held_bond(BOB), 0);
	});
}

#[test]
fn challenging_oneself_never_pays() {
	new_test_ext().execute_with(|| {
		// An honest proposer's friend challenges it and loses: the pair lose the burned share.
		let (id, op, honest) = proposed(6, 3, None);
		let friend = Player::new(model(), &req(), Some(5));
		let pair0 = total(op) + total(CAROL);
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, friend.claim().0, friend.claim().1));
		play_out(0, (&honest, op), (&friend, CAROL));
		assert!(total(op) + total(CAROL) < pair0);
	});
	new_test_ext().execute_with(|| {
		// A lying proposer's friend wins: the result bond moves within the pair, the slash is burned.
		let (id, op, liar) = proposed(6, 3, Some(60));
		let friend = Player::new(model(), &req(), None);
		let pair0 = total(op) + total(CAROL);
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, friend.claim().0, friend.claim().1));
		play_out(0, (&liar, op), (&friend, CAROL));
		assert_eq!(total(op) + total(CAROL), pair0 - PROPOSER_SLASH);
	});
}

#[test]
fn a_player_that_never_moves_loses_by_the_clock_in_the_hook() {
	new_test_ext().execute_with(|| {
		let (id, op, _) = proposed(6, 3, None);
		let liar = Player::new(model(), &req(), Some(5));
		assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, liar.claim().0, liar.claim().1));
		let deadline = Games::<Test>::get(0).unwrap().deadline;
		run_to(deadline);
		assert_eq!(Games::<Test>::get(0).unwrap().status, GameStatus::Open);
		next_block();
		let g = Games::<Test>::get(0).unwrap();
		assert!(matches!(g.status, GameStatus::Ended { winner: Some(Side::Challenger), reason: EndReason::Timeout, .. }));
		assert!(events().iter().any(|e| matches!(e, Event::GameEnded { game: 0, .. })));
		let _ = op;
		// Pruned after the retention.
		run_to(System::block_number() + GAME_RETENTION);
		assert!(Games::<Test>::get(0).is_none());
		assert!(crate::GameByChallenger::<Test>::get(id, CAROL).is_none());
	});
}

#[test]
fn the_hook_ends_at_most_its_limit_per_block_and_the_rest_later() {
	new_test_ext().execute_with(|| {
		MaxExpiriesPerBlock::set(1);
		let (id, _, _) = proposed(6, 3, None);
		for (who, x) in [(CAROL, 1u8), (BOB, 2), (OP_D, 3)] {
			assert_ok!(Dispute::challenge(RuntimeOrigin::signed(who), id, [x; 32], 5));
		}
		let deadline = Games::<Test>::get(0).unwrap().deadline;
		run_to(deadline + 1);
		let ended = |n: u64| (0..n).filter(|g| Games::<Test>::get(g).unwrap().status != GameStatus::Open).count();
		assert_eq!(ended(3), 1);
		next_block();
		assert_eq!(ended(3), 2);
		next_block();
		assert_eq!(ended(3), 3);
		MaxExpiriesPerBlock::set(8);
	});
}

#[test]
fn an_output_that_is_not_the_final_state_is_rejected_at_once() {
	new_test_ext().execute_with(|| {
		// The proposer posts the true final root and step count with a wrong first token.
		let r = req();
		assert_ok!(Inference::submit(RuntimeOrigin::signed(ALICE), 0, r.prompt.clone(), 3, 0));
		let id = pallet_inference::NextRequestId::<Test>::get() - 1;
		next_block();
		let op = match pallet_inference::Requests::<Test>::get(id).unwrap().status {
			pallet_inference::lifecycle::RequestStatus::Assigned { operator, .. } => operator,
			s => panic!("{s:?}"),
		};
		let honest = Player::new(model(), &r, None);
		let mut output = honest.trace.output.output.clone();
		output[0] = (output[0] + 1) % 80;
		let (root, steps) = honest.claim();
		assert_ok!(Inference::propose(RuntimeOrigin::signed(op), id, output.clone(), root, steps));
		// No game can win against the true root.
		assert_noop!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, root, steps), Error::<Test>::NoDisagreement);
		let header = honest.trace.header_at(steps, 0).unwrap();
		let pos = r.prompt.len() as u32;
		let tokens_depth = sibyl_engine::state::Layout::new(&model().config).tokens_depth;
		let full: Vec<[u8; 32]> = (0..pos + output.len() as u32)
			.map(|i| {
				let t = if i < pos { r.prompt[i as usize] } else { honest.trace.output.output[(i - pos) as usize] };
				sibyl_engine::merkle::leaf_hash(&sibyl_engine::state::token_bytes(t))
			})
			.collect();
		let tree = sibyl_engine::merkle::Tree::from_leaves(tokens_depth, full);
		let siblings = |p: u32| tree.multiproof(&[p as u64], u64::MAX).try_into().unwrap();
		let true_token = honest.trace.output.output[0];
		// A true token where the output agrees, a false token, a position outside the output: refused.
		assert_noop!(
			Dispute::prove_output(RuntimeOrigin::signed(CAROL), id, header.clone(), pos + 1, honest.trace.output.output[1], siblings(pos + 1)),
			Error::<Test>::OutputMatches
		);
		assert_noop!(
			Dispute::prove_output(RuntimeOrigin::signed(CAROL), id, header.clone(), pos, output[0], siblings(pos)),
			Error::<Test>::HeaderMismatch
		);
		assert_noop!(
			Dispute::prove_output(RuntimeOrigin::signed(CAROL), id, header.clone(), 0, r.prompt[0], siblings(0)),
			Error::<Test>::OutputMatches
		);
		let carol0 = total(CAROL);
		assert_ok!(Dispute::prove_output(RuntimeOrigin::signed(CAROL), id, header, pos, true_token, siblings(pos)));
		assert_eq!(total(CAROL), carol0 + RESULT_BOND);
		assert!(events().iter().any(|e| matches!(e, Event::OutputProvenWrong { slashed: PROPOSER_SLASH, .. })));
	});
}

#[test]
fn the_hook_looks_at_a_bounded_number_of_blocks_and_starts_an_unset_cursor_at_now() {
	new_test_ext().execute_with(|| {
		run_to(200);
		// Unset (the pallet added to a running chain): the hook starts at the current block.
		crate::ExpiryCursor::<Test>::kill();
		next_block();
		assert_eq!(crate::ExpiryCursor::<Test>::get(), 202);
		// Far behind: at most MAX_BLOCKS_PER_HOOK blocks per hook, in order.
		crate::ExpiryCursor::<Test>::put(100);
		next_block();
		assert_eq!(crate::ExpiryCursor::<Test>::get(), 100 + crate::MAX_BLOCKS_PER_HOOK as u64);
	});
}
