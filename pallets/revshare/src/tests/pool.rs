//! The pool's plain functions.

use sp_core::U256;
use sp_runtime::Perbill;

use crate::pool::{Holding, Pool, PoolError, SCALE};

fn pct(n: u32) -> Perbill {
	Perbill::from_percent(n)
}

#[test]
fn a_snapshot_splits_what_is_pending_and_divides_the_holders_share_exactly() {
	let (mut p, mut a) = Pool::new(3);
	let mut b = Holding::default();
	p.transfer(&mut a, &mut b, 1).unwrap();
	assert_eq!(p.snapshot(pct(60), pct(10)), Err(PoolError::NothingPending));
	p.receive(1_000).unwrap();
	let split = p.snapshot(pct(60), pct(10)).unwrap();
	assert_eq!((split.claimable, split.treasury, split.redeemable), (600, 100, 300));
	assert_eq!((p.pending, p.outstanding, p.treasury, p.redeemable), (0, 600, 100, 300));
	// 600 over 3 units: 200 each, exactly; a holds 2 units, b 1.
	assert_eq!((p.claimable(&a), p.claimable(&b)), (400, 200));
	assert_eq!(p.undivided, U256::zero());
	p.check([&a, &b]).unwrap();
	// 100 over 3 units does not divide: the remainder waits, and nothing is lost.
	p.receive(100).unwrap();
	p.snapshot(pct(100), pct(0)).unwrap();
	assert_eq!(p.outstanding, 600 + 100);
	assert!(!p.undivided.is_zero());
	p.check([&a, &b]).unwrap();
	// 66.66… and 33.33…: whole planck claimable now, the fractions kept.
	assert_eq!((p.claimable(&a), p.claimable(&b)), (400 + 66, 200 + 33));
	// Two more such snapshots: with the remainders carried, 300 over 3 units is exactly 100 each.
	for _ in 0..2 {
		p.receive(100).unwrap();
		p.snapshot(pct(100), pct(0)).unwrap();
	}
	assert_eq!((p.claimable(&a), p.claimable(&b)), (400 + 200, 200 + 100));
	assert!(p.undivided.is_zero());
	p.check([&a, &b]).unwrap();
}

#[test]
fn revenue_before_a_transfer_stays_with_the_sender_and_after_it_goes_to_the_receiver() {
	let (mut p, mut a) = Pool::new(100);
	let mut b = Holding::default();
	p.receive(1_000).unwrap();
	p.snapshot(pct(100), pct(0)).unwrap();
	p.transfer(&mut a, &mut b, 50).unwrap();
	assert_eq!((p.claimable(&a), p.claimable(&b)), (1_000, 0));
	p.receive(1_000).unwrap();
	p.snapshot(pct(100), pct(0)).unwrap();
	assert_eq!((p.claimable(&a), p.claimable(&b)), (1_500, 500));
	// b claims; moving its units back does not let them claim again.
	assert_eq!(p.claim(&mut b).unwrap(), 500);
	p.transfer(&mut b, &mut a, 50).unwrap();
	assert_eq!((p.claimable(&a), p.claimable(&b)), (1_500, 0));
	assert_eq!(p.claim(&mut a).unwrap(), 1_500);
	assert_eq!(p.claim(&mut a).unwrap(), 0);
	p.check([&a, &b]).unwrap();
	assert_eq!((p.claimed, p.outstanding), (2_000, 0));
}

#[test]
fn a_burn_redeems_its_share_of_the_backing_and_keeps_what_is_owed() {
	let (mut p, mut a) = Pool::new(1_000);
	let mut b = Holding::default();
	p.transfer(&mut a, &mut b, 100).unwrap();
	p.receive(10_000).unwrap();
	p.snapshot(pct(50), pct(20)).unwrap();
	assert_eq!(p.redeemable, 3_000);
	assert_eq!(p.redeemable_on_burn(100), 300);
	assert_eq!(p.burn(&mut b, 100).unwrap(), 300);
	assert_eq!((p.supply, b.balance, p.redeemable), (900, 0, 2_700));
	// b's claim from before the burn is intact.
	assert_eq!(p.claimable(&b), 500);
	assert!(!p.is_spent(&b));
	assert_eq!(p.claim(&mut b).unwrap(), 500);
	assert!(p.is_spent(&b));
	p.absorb(&b);
	p.check([&a]).unwrap();
	// The last units can not be burned; nor more than one holds.
	assert_eq!(p.burn(&mut a, 900), Err(PoolError::LastUnits));
	assert_eq!(p.burn(&mut a, 901), Err(PoolError::InsufficientBalance));
	assert_eq!(p.burn(&mut a, 899).unwrap(), 2_700 * 899 / 900);
}

#[test]
fn frozen_units_earn_but_do_not_move() {
	let (mut p, mut a) = Pool::new(10);
	let mut b = Holding::default();
	a.frozen = 8;
	assert_eq!(p.transfer(&mut a, &mut b, 3), Err(PoolError::InsufficientBalance));
	assert_eq!(p.burn(&mut a, 3), Err(PoolError::InsufficientBalance));
	p.transfer(&mut a, &mut b, 2).unwrap();
	p.receive(100).unwrap();
	p.snapshot(pct(100), pct(0)).unwrap();
	assert_eq!((p.claimable(&a), p.claimable(&b)), (80, 20));
}

#[test]
fn the_check_catches_books_that_do_not_add_up() {
	let (mut p, a) = Pool::new(10);
	p.receive(100).unwrap();
	p.snapshot(pct(50), pct(0)).unwrap();
	p.check([&a]).unwrap();
	let mut wrong = p.clone();
	wrong.outstanding += 1;
	assert!(wrong.check([&a]).is_err());
	let mut wrong = p.clone();
	wrong.supply += 1;
	assert!(wrong.check([&a]).is_err());
	let mut wrong = p.clone();
	wrong.redeemable -= 1;
	assert!(wrong.check([&a]).is_err());
	let mut owed_more = a.clone();
	owed_more.owed = U256::from(SCALE);
	assert!(p.check([&owed_more]).is_err());
}

#[test]
fn grants_come_out_of_the_treasury_only() {
	let (mut p, a) = Pool::new(10);
	p.receive(1_000).unwrap();
	p.snapshot(pct(50), pct(30)).unwrap();
	assert_eq!(p.grant(301), Err(PoolError::TreasuryTooLow));
	p.grant(300).unwrap();
	assert_eq!((p.treasury, p.granted), (0, 300));
	p.check([&a]).unwrap();
}
