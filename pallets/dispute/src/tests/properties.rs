//! Properties: an honest player, against an adversary that chooses its roots and moves at random or
//! adaptively, always wins; and the money adds up (what the challenger and proposer lose is what the winner
//! gains plus what is burned, every bond is released, and the issuance falls by exactly the burn).

use frame_support::{assert_ok, traits::fungible::InspectHold};
use proptest::prelude::*;
use sibyl_engine::Request;
use sibyl_inference_primitives::dispute::{cut_points, Expected, GameStatus, Phase, Side};

use super::*;
use crate::{mock::*, Games, HoldReason};

/// An adversary: lies from step `lie_from` on (adaptive), or posts each root true or false at random; picks
/// the segment its lie implies, or at random.
#[derive(Clone, Debug)]
struct Adversary {
	lie_from: u32,
	random_roots: bool,
	random_picks: bool,
	seed: u64,
}

impl Adversary {
	fn coin(&self, a: u32, b: u32) -> u64 {
		u64::from_le_bytes(sp_io::hashing::blake2_256(&(self.seed, a, b).encode())[..8].try_into().unwrap())
	}

	/// Its root at `pos`: `liar` is the run that lies from `lie_from` on.
	fn root_at(&self, honest: &Player, liar: &Player, phase: Phase, pos: u32) -> [u8; 32] {
		let key = match phase {
			Phase::Steps => (pos, u32::MAX),
			Phase::Chunks { step, .. } => (pos, step),
		};
		let lie = if self.random_roots {
			self.coin(key.0, key.1) % 2 == 0
		} else {
			honest.root_at(phase, pos) != liar.root_at(phase, pos)
		};
		if lie {
			sp_io::hashing::blake2_256(&(b"adv", self.seed, key).encode())
		} else {
			honest.root_at(phase, pos)
		}
	}

	/// Moves if it is the adversary's turn (a liar never proves: it would prove itself wrong).
	fn play(&self, honest: &Player, liar: &Player, id: crate::GameId, who: AccountId) -> bool {
		let g = Games::<Test>::get(id).unwrap();
		let me = g.side_of(&who).unwrap();
		if g.turn != me {
			return false;
		}
		let w = Width::get();
		match g.expected() {
			Expected::Dissect => {
				let roots: Vec<_> = cut_points(g.lo, g.hi, w).into_iter().map(|p| self.root_at(honest, liar, g.phase, p)).collect();
				assert_ok!(Dispute::dissect(RuntimeOrigin::signed(who), id, roots.try_into().unwrap()));
				true
			},
			Expected::Pick => {
				let k = g.roots.len() as u32 + 1;
				let seg = if self.random_picks {
					(self.coin(g.lo, g.hi) % k as u64) as u32
				} else {
					let mut pos = cut_points(g.lo, g.hi, w);
					pos.push(g.hi);
					let ends: Vec<_> = g.roots.iter().copied().chain([g.hi_root]).collect();
					(0..k).find(|&i| self.root_at(honest, liar, g.phase, pos[i as usize]) != ends[i as usize]).unwrap_or(k - 1)
				};
				assert_ok!(Dispute::pick(RuntimeOrigin::signed(who), id, seg));
				true
			},
			Expected::OpenStep => {
				// It opens the step truthfully if the agreed root is true (nothing else would be accepted).
				if g.lo_root == honest.root_at(g.phase, g.lo) {
					honest.play(id, who)
				} else {
					false
				}
			},
			_ => false,
		}
	}
}

fn req() -> Request {
	Request { prompt: prompt(6), max_new: 3 }
}

fn adversary() -> impl Strategy<Value = Adversary> {
	(1u32..3000, any::<bool>(), any::<bool>(), any::<u64>())
		.prop_map(|(lie_from, random_roots, random_picks, seed)| Adversary { lie_from, random_roots, random_picks, seed })
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

	#[test]
	fn the_honest_player_always_wins_and_the_money_adds_up(
		adv in adversary(),
		honest_proposes in any::<bool>(),
		width in 2u32..9,
	) {
		Width::set(width);
		// Lies start somewhere inside the run (a lie from beyond its end is the truth).
		let steps = Player::new(model(), &req(), None).trace.steps();
		let adv = Adversary { lie_from: 1 + adv.lie_from % steps, ..adv };
		new_test_ext().execute_with(|| {
			let lie = if honest_proposes { None } else { Some(adv.lie_from) };
			let (id, op, _) = proposed(6, 3, lie);
			let honest = Player::new(model(), &req(), None);
			let liar = Player::new(model(), &req(), Some(adv.lie_from));
			let issued0 = issuance();
			// Everyone who can hold or receive money here: the accounts and the protocol's.
			let everyone = || ACCOUNTS.iter().chain([&PROTOCOL]).map(|a| total(*a)).sum::<Balance>();
			let before = everyone();
			let claim = if honest_proposes {
				// The adversary claims a root of its own.
				(sp_io::hashing::blake2_256(&(b"claim", adv.seed).encode()), honest.trace.steps())
			} else {
				honest.claim()
			};
			assert_ok!(Dispute::challenge(RuntimeOrigin::signed(CAROL), id, claim.0, claim.1));
			for _ in 0..200 {
				let g = Games::<Test>::get(0).unwrap();
				if g.status != GameStatus::Open {
					break;
				}
				if honest_proposes {
					let _ = honest.play(0, op) || adv.play(&honest, &liar, 0, CAROL);
				} else {
					let _ = adv.play(&honest, &liar, 0, op) || honest.play(0, CAROL);
				}
				next_block();
			}
			let g = Games::<Test>::get(0).unwrap();
			let want = if honest_proposes { Side::Proposer } else { Side::Challenger };
			let GameStatus::Ended { winner, .. } = g.status else { panic!("the game did not end: {g:?}") };
			assert_eq!(winner, Some(want), "{adv:?}, honest proposes: {honest_proposes}");
			// Money: every bond released; what was burned left the issuance; the rest moved between accounts.
			assert_eq!(Balances::balance_on_hold(&HoldReason::ChallengeBond.into(), &CAROL), 0);
			let burned = issued0 - issuance();
			let expected_burn = if honest_proposes { CHALLENGE_BOND / 2 } else { PROPOSER_SLASH };
			assert_eq!(burned, expected_burn);
			// Nothing else was created or lost: fees, bonds and slashes only moved between these accounts.
			assert_eq!(before - everyone(), burned);
			check_books();
		});
		Width::set(DEFAULT_WIDTH);
	}
}
