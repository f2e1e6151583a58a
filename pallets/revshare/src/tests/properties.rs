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

proptest! {
	#![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

	/// An offering with random contributions, revenue and transfers meanwhile, and a random minimum: once it is
	/// decided and every buyer settled, nothing is held, the seller received exactly what was sold × price (or
	/// nothing), every buyer holds exactly the units it bought (or got every planck back), and no planck was
	/// created or lost.
	#[test]
	fn every_contribution_is_delivered_or_refunded_exactly_once(
		buys in prop::collection::vec((1..4usize, 10..20_000u128), 1..12),
		min_raise in 0..200_000u128,
		revenue_during in 0..1_000_000u128,
	) {
		new_test_ext().execute_with(|| {
			use frame_support::assert_ok;
			create();
			let issuance = Balances::total_issuance();
			let now = System::block_number();
			let price = 3;
			assert_ok!(Revshare::create_sale(RuntimeOrigin::signed(OWNER), 0, price, 100_000, min_raise, now, now + 5, 0));
			let mut bought = [0u128; 4];
			let start: Vec<u128> = HOLDERS.iter().map(|h| Balances::balance(h)).collect();
			for (k, units) in buys {
				if Revshare::contribute(RuntimeOrigin::signed(HOLDERS[k]), 0, units).is_ok() {
					bought[k] += units;
				}
				check();
			}
			if revenue_during > 0 {
				revenue(revenue_during);
			}
			// The seller's free units move meanwhile.
			assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), 0, CAROL, 1_000));
			run_to(now + 6);
			assert_ok!(Revshare::settle_sale(RuntimeOrigin::signed(DAVE), 0));
			let sold: u128 = bought.iter().sum();
			let succeeded = sold > 0 && sold * price >= min_raise;
			for k in 1..4 {
				if bought[k] > 0 {
					assert_ok!(Revshare::settle_contribution(RuntimeOrigin::signed(DAVE), 0, HOLDERS[k]));
				}
				check();
			}
			prop_assert!(crate::Sales::<Test>::get(0).is_none());
			for k in 0..4 {
				prop_assert_eq!(held(HOLDERS[k]), if k == 0 { 500 } else { 0 }, "only the model deposit stays held");
			}
			prop_assert_eq!(frozen(OWNER), 0);
			for k in 1..4 {
				let got = if succeeded { bought[k] } else { 0 };
				let extra = if HOLDERS[k] == CAROL { 1_000 } else { 0 };
				prop_assert_eq!(units(HOLDERS[k]), got + extra);
				let paid = if succeeded { bought[k] * price } else { 0 };
				prop_assert_eq!(start[k] - Balances::balance(&HOLDERS[k]), paid);
			}
			prop_assert_eq!(Balances::balance(&OWNER) - start[0], if succeeded { sold * price } else { 0 });
			prop_assert_eq!(Balances::total_issuance(), issuance, "no planck created or lost");
			Ok(())
		})?;
	}
}
