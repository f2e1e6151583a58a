//! Random sequences of transfers, revenue, snapshots, claims and burns: the books always balance (`try_state`
//! after every step), claims, redemptions and what is still owed never exceed the revenue received, and no
//! account is ever paid more than its units earned while it held them, however often they moved.

use frame_support::traits::fungible::Inspect as _;
use proptest::prelude::*;

use super::*;

const HOLDERS: [AccountId; 4] = [OWNER, ALICE, BOB, CAROL];

#[derive(Clone, Debug)]
enum Op {
	Transfer { from: usize, to: usize, permille: u32 },
	Revenue(u128),
	Snapshot,
	Claim(usize),
	Burn { who: usize, permille: u32 },
	Blocks(u64),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		3 => (0..4usize, 0..4usize, 1..1000u32).prop_map(|(from, to, permille)| Op::Transfer { from, to, permille }),
		3 => (1..5_000_000u128).prop_map(Op::Revenue),
		2 => Just(Op::Snapshot),
		2 => (0..4usize).prop_map(Op::Claim),
		1 => (0..4usize, 1..500u32).prop_map(|(who, permille)| Op::Burn { who, permille }),
		1 => (1..4u64).prop_map(Op::Blocks),
	]
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

	#[test]
	fn the_books_balance_and_nobody_is_paid_more_than_its_units_earned(ops in prop::collection::vec(op(), 1..40)) {
		new_test_ext().execute_with(|| {
			create();
			let mut earned = [0f64; 4];
			let mut paid = [0u128; 4];
			let supply_now = || crate::Tokens::<Test>::get(0).unwrap().pool.supply;
			for op in ops {
				match op {
					Op::Transfer { from, to, permille } => {
						let amount = units(HOLDERS[from]) * permille as u128 / 1000;
						let _ = Revshare::transfer(RuntimeOrigin::signed(HOLDERS[from]), 0, HOLDERS[to], amount);
					},
					Op::Revenue(amount) => revenue(amount),
					Op::Snapshot => {
						let before: Vec<u128> = HOLDERS.iter().map(|h| units(*h)).collect();
						let supply = supply_now();
						if let Ok(split) = Revshare::do_snapshot(0) {
							for (k, b) in before.iter().enumerate() {
								earned[k] += split.claimable as f64 * *b as f64 / supply as f64;
							}
						}
					},
					Op::Claim(k) => {
						let before = Balances::balance(&HOLDERS[k]);
						if Revshare::claim(RuntimeOrigin::signed(HOLDERS[k]), 0).is_ok() {
							paid[k] += Balances::balance(&HOLDERS[k]) - before;
						}
					},
					Op::Burn { who, permille } => {
						let amount = units(HOLDERS[who]) * permille as u128 / 1000;
						let _ = Revshare::burn(RuntimeOrigin::signed(HOLDERS[who]), 0, amount);
					},
					Op::Blocks(n) => run_to(System::block_number() + n),
				}
				check();
				let p = crate::Tokens::<Test>::get(0).unwrap().pool;
				prop_assert!(p.claimed + p.redeemed + p.outstanding + p.pending + p.treasury <= p.received);
				for k in 0..4 {
					// Paid plus still claimable is what the units earned, less under a planck per snapshot of
					// rounding (never more).
					let due = (paid[k] + claimable(HOLDERS[k])) as f64;
					prop_assert!(due <= earned[k] + 1e-6 * earned[k].max(1.0), "{k}: {due} > {}", earned[k]);
					let snapshots = crate::Tokens::<Test>::get(0).unwrap().snapshots as f64;
					prop_assert!(due >= earned[k] - snapshots - 1.0, "{k}: {due} < {}", earned[k]);
				}
			}
			Ok(())
		})?;
	}
}
