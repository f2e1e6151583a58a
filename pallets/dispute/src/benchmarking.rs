//! Benchmarks of every call and of the hook's work per game, each in its worst case, on a model with SmolLM2's
//! engine configuration.
//!
//! `prove` runs over the real SmolLM2 proofs of `fixtures/smollm2_proofs.scale` (one per kind of engine
//! operation, its largest chunk; `tests/fixtures.rs` checks that the file is what the engine gives), smallest
//! first: the component `o` picks the fixture. Each is accepted, the runtime's post-state root is the engine's,
//! and the same proof with one byte changed is refused without ending the game. The call is charged
//! `prove(PROOF_CHARGED_AT)`, above every operation's measured time (see its documentation).

use alloc::{vec, vec::Vec};
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, ConstU32, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use pallet_inference::traits::ResultDisputes;
use sibyl_engine::{merkle::Blake2, state::Layout, ModelConfig, StateHeader, StepProof};
use sibyl_inference_primitives::Root;
use sp_runtime::traits::{Bounded, Saturating};

use crate::*;

/// The SmolLM2 proofs: (operation, pre-state root, post-state root, encoded proof), smallest first.
pub type Fixture = (u8, Root, Root, Vec<u8>);

/// How many fixtures there are (one per operation).
pub const FIXTURES: u32 = WORST_PROOF + 1;

/// SmolLM2's encoded engine configuration and the fixtures.
pub fn fixtures() -> (Vec<u8>, Vec<Fixture>) {
	Decode::decode(&mut &include_bytes!("../fixtures/smollm2_proofs.scale")[..]).expect("the committed fixtures")
}

fn rich<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

fn player<T: Config>(name: &'static str) -> T::AccountId {
	let a = account(name, 0, 0);
	rich::<T>(&a);
	a
}

/// A proposed SmolLM2 result of a run with a `prompt_len`-token prompt, and a game on it; returns the game.
fn game<T: Config>(prompt_len: u32) -> (GameId, T::AccountId) {
	let (config, _) = fixtures();
	let request = T::Results::bench_proposed(config, prompt_len, 1, 1_000_000, |_| [7; 32]).expect("a result");
	let challenger = player::<T>("challenger");
	let id = Pallet::<T>::do_challenge(challenger.clone(), request, [8; 32], 1_000_000).expect("a game");
	(id, challenger)
}

fn proposer<T: Config>(id: GameId) -> T::AccountId {
	Games::<T>::get(id).expect("a game").proposer
}

fn update<T: Config>(id: GameId, f: impl FnOnce(&mut GameOf<T>)) {
	Games::<T>::mutate(id, |g| {
		if let Some(g) = g {
			f(g)
		}
	});
}

fn proof_of(f: &Fixture) -> StepProof {
	StepProof::decode(&mut &f.3[..]).expect("a fixture decodes")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The initial root of the longest prompt the inference pallet takes.
	#[benchmark]
	fn challenge() {
		let (config, _) = fixtures();
		let request = T::Results::bench_proposed(config, u32::MAX, 1, 1_000_000, |_| [7; 32]).expect("a result");
		let challenger = player::<T>("challenger");
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger.clone()), request, [8; 32], 1_000_000);
		assert!(GameByChallenger::<T>::contains_key(request, &challenger));
	}

	#[benchmark]
	fn dissect(r: Linear<1, { sibyl_inference_primitives::dispute::MAX_WIDTH - 1 }>) {
		let (id, _) = game::<T>(1);
		let n = r.min(T::Width::get() - 1);
		update::<T>(id, |g| g.hi = g.lo + n + 1);
		let roots: MoveRoots = vec![[3u8; 32]; n as usize].try_into().expect("bounded");
		#[extrinsic_call]
		_(RawOrigin::Signed(proposer::<T>(id)), id, roots);
		assert_eq!(Games::<T>::get(id).map(|g| g.expected()), Some(Expected::Pick));
	}

	#[benchmark]
	fn pick() {
		let (id, challenger) = game::<T>(1);
		let n = T::Width::get() - 1;
		let roots: MoveRoots = vec![[3u8; 32]; n as usize].try_into().expect("bounded");
		Pallet::<T>::dissect(RawOrigin::Signed(proposer::<T>(id)).into(), id, roots).expect("a dissection");
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), id, n / 2);
		assert_eq!(Games::<T>::get(id).map(|g| g.expected()), Some(Expected::Dissect));
	}

	/// The header of a SmolLM2 state between two steps (the dearest to check: the last block's).
	#[benchmark]
	fn open_step() {
		let (id, _) = game::<T>(1);
		let (_, fx) = fixtures();
		let header = fx
			.iter()
			.map(|f| proof_of(f).header)
			.filter(|h| h.meta.chunk == 0)
			.max_by_key(|h| h.meta.layer)
			.expect("a header between steps");
		update::<T>(id, |g| {
			g.lo = header.meta.step;
			g.hi = header.meta.step + 1;
			g.lo_root = header.root();
		});
		#[extrinsic_call]
		_(RawOrigin::Signed(proposer::<T>(id)), id, header);
		assert!(matches!(Games::<T>::get(id).map(|g| g.phase), Some(Phase::Chunks { .. })));
	}

	/// Fixture `o` (its pre-state agreed, the proposer's post-state root wrong): accepted, and the game ends
	/// with the result rejected and the request drawn again. One byte changed is refused first.
	#[benchmark]
	fn prove(o: Linear<0, { FIXTURES - 1 }>) {
		let (id, challenger) = game::<T>(1);
		let (_, fx) = fixtures();
		let f = fx[o as usize].clone();
		let header = proof_of(&f).header;
		update::<T>(id, |g| {
			g.phase = Phase::Chunks { step: header.meta.step, chunks: header.meta.chunk + 1 };
			g.lo = header.meta.chunk;
			g.hi = header.meta.chunk + 1;
			g.lo_root = f.1;
			g.hi_root = [0xEE; 32];
		});
		let mut tampered = f.3.clone();
		let mid = tampered.len() / 2;
		tampered[mid] ^= 1;
		assert!(Pallet::<T>::prove(RawOrigin::Signed(challenger.clone()).into(), id, tampered).is_err());
		assert_eq!(Games::<T>::get(id).map(|g| g.status), Some(GameStatus::Open));
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), id, f.3.clone());
		// The runtime's post-state root is the engine's.
		frame_system::Pallet::<T>::assert_has_event(
			Event::<T>::StepVerified { game: id, step: header.meta.step, chunk: header.meta.chunk, post_root: f.2 }
				.into(),
		);
		assert!(matches!(
			Games::<T>::get(id).map(|g| g.status),
			Some(GameStatus::Ended { winner: Some(Side::Challenger), .. })
		));
	}

	/// The proposer's clock ran out: the result is rejected and the request drawn again.
	#[benchmark]
	fn claim_timeout() {
		let (id, _) = game::<T>(1);
		let deadline = Games::<T>::get(id).expect("a game").deadline;
		frame_system::Pallet::<T>::set_block_number(deadline.saturating_add(1u32.into()));
		let caller = player::<T>("anyone");
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(matches!(Games::<T>::get(id).map(|g| g.status), Some(GameStatus::Ended { .. })));
	}

	/// A token proof of the token tree's full depth that shows one output token differs.
	#[benchmark]
	fn prove_output() {
		let (config, _) = fixtures();
		let cfg = ModelConfig::decode(&mut &config[..]).expect("SmolLM2's configuration");
		let depth = Layout::new(&cfg).tokens_depth;
		let (prompt_len, max_new, steps) = (4u32, 4u32, 5_000u32);
		let position = prompt_len;
		let token = 2u32;
		let siblings: Vec<Root> = (0..depth).map(|i| [i as u8; 32]).collect();
		let leaf = sibyl_engine::merkle::HostBlake2::leaf(&sibyl_engine::state::token_bytes(token));
		let tokens =
			sibyl_engine::merkle::multiroot_with::<sibyl_engine::merkle::HostBlake2>(depth, &[(position as u64, leaf)], &siblings)
				.expect("a root");
		let header = |model: &Root| StateHeader {
			meta: sibyl_engine::state::Meta {
				step: steps,
				chunk: 0,
				pos: prompt_len + max_new - 1,
				layer: 0,
				op: sibyl_engine::state::Op::Embed,
				prompt_len,
				max_new,
				generated: max_new,
				finished: true,
			},
			model: *model,
			tokens,
			kv: [1; 32],
			regs: [2; 32],
		};
		let mut final_header = None;
		let request = T::Results::bench_proposed(config, prompt_len, max_new, steps, |model| {
			let h = header(model);
			final_header = Some(h.clone());
			h.root()
		})
		.expect("a result");
		let header = final_header.expect("built");
		let prover = player::<T>("prover");
		let siblings: BoundedVec<Root, ConstU32<32>> = siblings.try_into().expect("bounded");
		#[extrinsic_call]
		_(RawOrigin::Signed(prover), request, header, position, token, siblings);
		assert!(T::Results::disputable(request).is_none());
	}

	/// One game ended by the hook's clock, the worst way: the proposer loses.
	#[benchmark]
	fn expire() {
		let (id, _) = game::<T>(1);
		let now = Games::<T>::get(id).expect("a game").deadline.saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::expire(id, now);
		}
		assert!(matches!(Games::<T>::get(id).map(|g| g.status), Some(GameStatus::Ended { .. })));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

/// Every fixture, in the mock: accepted with the engine's post-root, and refused with any one of 64 bytes spread
/// over the proof changed (the benchmark itself changes one).
#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::*;
	use frame_support::assert_ok;

	#[test]
	fn every_smollm2_fixture_is_accepted_and_refused_with_one_byte_changed() {
		let (_, fx) = fixtures();
		assert_eq!(fx.len() as u32, FIXTURES);
		let ops: alloc::collections::BTreeSet<u8> = fx.iter().map(|f| f.0).collect();
		assert_eq!(ops.len(), 15, "every kind of operation");
		for f in &fx {
			new_test_ext().execute_with(|| {
				let (id, challenger) = game::<Test>(1);
				let header = proof_of(f).header;
				update::<Test>(id, |g| {
					g.phase = Phase::Chunks { step: header.meta.step, chunks: header.meta.chunk + 1 };
					g.lo = header.meta.chunk;
					g.hi = header.meta.chunk + 1;
					g.lo_root = f.1;
					g.hi_root = f.2;
				});
				let n = f.3.len();
				for k in 0..64 {
					let mut bad = f.3.clone();
					bad[k * n / 64] ^= 0x10;
					assert!(
						Dispute::prove(RuntimeOrigin::signed(challenger), id, bad).is_err(),
						"op {}: byte {} changed was accepted",
						f.0,
						k * n / 64
					);
				}
				assert_eq!(Games::<Test>::get(id).map(|g| g.status), Some(GameStatus::Open));
				assert_ok!(Dispute::prove(RuntimeOrigin::signed(challenger), id, f.3.clone()));
				// The post-root is the proposer's: the proposer wins.
				assert!(matches!(
					Games::<Test>::get(id).map(|g| g.status),
					Some(GameStatus::Ended { winner: Some(Side::Proposer), reason: EndReason::Proof, .. })
				));
			});
		}
	}
}
