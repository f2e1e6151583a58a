//! The plain game functions: cut points, narrowing, clocks.

use sibyl_inference_primitives::dispute::{cut_points, EndReason, Expected, GameStatus, Phase, Side};

use crate::game::{self, MoveError, Timing};

type G = crate::Game<u64, u64, u64>;

const T: Timing<u64> = Timing { move_timeout: 5, budget: 12 };

fn new_game(steps: u32) -> G {
	game::open(7, 1, 2, 100, [0; 32], [1; 32], ([9; 32], steps), ([8; 32], steps), 10, &T)
}

fn r(i: u8) -> [u8; 32] {
	[i; 32]
}

#[test]
fn cut_points_split_evenly_inside_the_range() {
	assert_eq!(cut_points(0, 100, 4), vec![25, 50, 75]);
	assert_eq!(cut_points(10, 13, 4), vec![11, 12]);
	assert_eq!(cut_points(0, 2, 64), vec![1]);
	assert!(cut_points(5, 6, 4).is_empty());
	for (lo, hi, w) in [(0u32, 1000u32, 2u32), (3, 70, 7), (0, u32::MAX, 64), (100, 164, 64)] {
		let p = cut_points(lo, hi, w);
		assert_eq!(p.len() as u32, w.min(hi - lo) - 1);
		assert!(p.windows(2).all(|x| x[0] < x[1]) && p.iter().all(|x| lo < *x && *x < hi));
	}
}

#[test]
fn a_game_narrows_to_one_chunk_in_log_width_rounds() {
	let mut g = new_game(1000);
	assert_eq!((g.expected(), g.turn, g.deadline), (Expected::Dissect, Side::Proposer, 15));
	let mut now = 10;
	let mut rounds = 0;
	while g.hi - g.lo > 1 {
		now += 1;
		let n = cut_points(g.lo, g.hi, 4).len();
		let roots: Vec<_> = (0..n as u8).map(r).collect();
		game::dissect(&mut g, Side::Proposer, &roots, 4, now, &T).unwrap();
		assert_eq!(g.expected(), Expected::Pick);
		// The challenger disputes the last segment.
		game::pick(&mut g, Side::Challenger, n as u32, 4, now, &T).unwrap();
		rounds += 1;
	}
	assert_eq!(rounds, 5, "⌈log4 1000⌉");
	assert_eq!(g.expected(), Expected::OpenStep);
	assert_eq!((g.hi, g.hi_root), (1000, r(9)), "the last segment keeps the disputed root");
	assert_eq!(g.moves, 10);
}

#[test]
fn picking_a_segment_takes_its_roots() {
	let mut g = new_game(100);
	game::dissect(&mut g, Side::Proposer, &[r(21), r(22), r(23)], 4, 11, &T).unwrap();
	let mut a = g.clone();
	game::pick(&mut a, Side::Challenger, 0, 4, 12, &T).unwrap();
	assert_eq!((a.lo, a.hi, a.lo_root, a.hi_root), (0, 25, r(1), r(21)));
	let mut b = g.clone();
	game::pick(&mut b, Side::Challenger, 2, 4, 12, &T).unwrap();
	assert_eq!((b.lo, b.hi, b.lo_root, b.hi_root), (50, 75, r(22), r(23)));
	assert!(b.roots.is_empty());
	assert_eq!(game::pick(&mut g.clone(), Side::Challenger, 4, 4, 12, &T), Err(MoveError::BadSegment));
}

#[test]
fn bad_moves_are_refused_and_change_nothing() {
	let g = new_game(100);
	// Wrong player, wrong kind of move, wrong number of roots, too late.
	assert_eq!(game::dissect(&mut g.clone(), Side::Challenger, &[r(1); 3], 4, 11, &T), Err(MoveError::NotYourTurn));
	assert_eq!(game::pick(&mut g.clone(), Side::Proposer, 0, 4, 11, &T), Err(MoveError::WrongMove));
	assert_eq!(game::dissect(&mut g.clone(), Side::Proposer, &[r(1); 2], 4, 11, &T), Err(MoveError::WrongRootCount));
	assert_eq!(game::dissect(&mut g.clone(), Side::Proposer, &[r(1); 4], 4, 11, &T), Err(MoveError::WrongRootCount));
	assert_eq!(game::dissect(&mut g.clone(), Side::Proposer, &[r(1); 3], 4, 16, &T), Err(MoveError::TooLate));
	assert_eq!(game::can_prove(&g, &11), Err(MoveError::WrongMove));
	// A game that ended takes no move.
	let mut e = g.clone();
	game::end(&mut e, Some(Side::Challenger), EndReason::Timeout, 11);
	assert_eq!(e.expected(), Expected::Nothing);
	assert_eq!(game::dissect(&mut e, Side::Proposer, &[r(1); 3], 4, 11, &T), Err(MoveError::Ended));
	assert_eq!(game::timeout(&e, &100), Err(MoveError::Ended));
}

#[test]
fn clocks_charge_each_player_only_for_its_own_turns() {
	let mut g = new_game(100);
	// The proposer takes 4 blocks: 8 left on its clock; the challenger's turn gets the full 5-block move time.
	game::dissect(&mut g, Side::Proposer, &[r(1); 3], 4, 14, &T).unwrap();
	assert_eq!((g.proposer_clock, g.challenger_clock, g.deadline), (8, 12, 19));
	// A pick at the challenger's last block leaves the proposer its own time, not less.
	game::pick(&mut g, Side::Challenger, 1, 4, 19, &T).unwrap();
	assert_eq!((g.proposer_clock, g.challenger_clock, g.deadline), (8, 7, 24));
	// Another 5-block dissection: the proposer's budget now limits its next turn's time to 3 blocks.
	game::dissect(&mut g, Side::Proposer, &[r(1); 3], 4, 24, &T).unwrap();
	game::pick(&mut g, Side::Challenger, 1, 4, 25, &T).unwrap();
	assert_eq!((g.proposer_clock, g.deadline), (3, 28));
	assert_eq!(game::timeout(&g, &28), Err(MoveError::NotTimedOut));
	assert_eq!(game::timeout(&g, &29), Ok(Side::Challenger), "the proposer ran out: the challenger wins");
	assert_eq!(g.status, GameStatus::Open);
}

#[test]
fn opening_a_step_links_phase_two_to_phase_one() {
	let mut g = new_game(2);
	game::dissect(&mut g, Side::Proposer, &[r(5)], 4, 11, &T).unwrap();
	game::pick(&mut g, Side::Challenger, 1, 4, 12, &T).unwrap();
	assert_eq!((g.lo, g.hi, g.lo_root, g.hi_root, g.expected()), (1, 2, r(5), r(9), Expected::OpenStep));
	let mut meta = sibyl_engine::state::Meta {
		step: 1,
		chunk: 0,
		pos: 0,
		layer: 0,
		op: sibyl_engine::state::Op::MatQ,
		prompt_len: 3,
		max_new: 2,
		generated: 0,
		finished: false,
	};
	// Another root, another step, a mid-step chunk: refused.
	assert_eq!(game::open_step(&mut g.clone(), Side::Proposer, r(6), &meta, 4, 13, &T), Err(MoveError::HeaderMismatch));
	meta.step = 2;
	assert_eq!(game::open_step(&mut g.clone(), Side::Proposer, r(5), &meta, 4, 13, &T), Err(MoveError::HeaderMismatch));
	meta.step = 1;
	meta.chunk = 1;
	assert_eq!(game::open_step(&mut g.clone(), Side::Proposer, r(5), &meta, 4, 13, &T), Err(MoveError::HeaderMismatch));
	meta.chunk = 0;
	game::open_step(&mut g, Side::Proposer, r(5), &meta, 4, 13, &T).unwrap();
	assert_eq!(g.phase, Phase::Chunks { step: 1, chunks: 4 });
	// Phase 2's ends are phase 1's roots.
	assert_eq!((g.lo, g.hi, g.lo_root, g.hi_root, g.turn), (0, 4, r(5), r(9), Side::Proposer));
	game::dissect(&mut g, Side::Proposer, &[r(30), r(31), r(32)], 4, 14, &T).unwrap();
	game::pick(&mut g, Side::Challenger, 3, 4, 15, &T).unwrap();
	assert_eq!((g.lo, g.hi, g.lo_root, g.hi_root, g.expected()), (3, 4, r(32), r(9), Expected::Prove));
	assert_eq!(game::can_prove(&g, &15), Ok(()));
	assert_eq!(game::decide(&g, &r(9)), Side::Proposer);
	assert_eq!(game::decide(&g, &r(10)), Side::Challenger);
}
