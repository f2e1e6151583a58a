//! Tests by concern: the pool's plain functions, the tokens (creation, transfers, allowances), revenue from real
//! finalized requests (snapshots, claims, burns), the offering, grants, the `fungibles` traits, and random
//! sequences. The mock checks every book (`try_state` of both pallets) at every block.

mod fungibles;
mod grants;
mod pool;
mod properties;
mod revenue;
mod sale;
mod tokens;

use frame_support::assert_ok;
use sp_runtime::Perbill;

use crate::mock::*;

/// Supply of the test token: 1,000,000 units.
pub const SUPPLY: u128 = 1_000_000;

/// OWNER creates model 0's token: SUPPLY units, minimum balance 10, 60% to holders, 10% to the treasury.
pub fn create() {
	assert_ok!(Revshare::create_token(
		RuntimeOrigin::signed(OWNER),
		0,
		b"Tiny".to_vec(),
		b"TINY".to_vec(),
		6,
		SUPPLY,
		10,
		Perbill::from_percent(60),
		Perbill::from_percent(10),
	));
}

/// `who`'s units.
pub fn units(who: AccountId) -> u128 {
	crate::Holdings::<Test>::get(0, who).map(|h| h.balance).unwrap_or(0)
}

/// What `who` can claim now.
pub fn claimable(who: AccountId) -> u128 {
	Revshare::holding_view(0, &who).claimable
}

/// `amount` of revenue for model 0 paid into this pallet's account the way the inference pallet pays it (from
/// DAVE here), without a request: for tests that need revenue at a given block.
pub fn revenue(amount: u128) {
	use frame_support::traits::{fungible::Mutate, tokens::Preservation};
	use pallet_inference::traits::ModelRevenue;
	assert_ok!(<Balances as Mutate<AccountId>>::transfer(&DAVE, &Revshare::account(), amount, Preservation::Preserve));
	<Revshare as ModelRevenue<AccountId, u128>>::on_revenue(0, amount);
}

/// Native funds `who` has on hold.
pub fn held(who: AccountId) -> u128 {
	<Balances as frame_support::traits::fungible::InspectHold<AccountId>>::total_balance_on_hold(&who)
}

/// `who`'s frozen units.
pub fn frozen(who: AccountId) -> u128 {
	crate::Holdings::<Test>::get(0, who).map(|h| h.frozen).unwrap_or(0)
}
