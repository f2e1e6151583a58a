//! A token's revenue as plain numbers: what arrives, what each snapshot makes claimable, what each holding is
//! owed, and what a burn redeems. The pallet stores a [`Pool`] per token and a [`Holding`] per holder and calls
//! these functions; nothing here touches storage or money.
//!
//! ## Revenue per unit
//! Revenue arrives in [`Pool::pending`]. A [`Pool::snapshot`] splits it: the holders' share is divided among
//! the units of supply by raising [`Pool::per_unit`] (revenue per token unit since the token was created,
//! scaled by [`SCALE`]), the treasury's share goes to [`Pool::treasury`] and the rest backs burns
//! ([`Pool::redeemable`]). A holding remembers the `per_unit` it was last settled at ([`Holding::checkpoint`]):
//! what it is owed since is `balance × (per_unit − checkpoint)`. Settling (before every change of its balance)
//! moves that into [`Holding::owed`]. So a claim, a transfer and a snapshot each cost the same whatever the
//! number of holders or snapshots, and revenue never expires: a holding is owed everything since its last claim.
//!
//! ## Nothing is rounded away
//! `owed` and `per_unit` are kept in units of 10⁻¹⁸ planck. A snapshot divides the holders' share exactly: what
//! the division leaves is kept in [`Pool::undivided`] and added to the next snapshot's share. A claim pays whole
//! planck and the holding keeps the fraction. A holding that is left with no tokens and less than a planck owed
//! is removed, and its fraction goes to `undivided` too. So, at all times and to the 10⁻¹⁸ planck,
//! `SCALE × outstanding = Σ owed + Σ balance × (per_unit − checkpoint) + undivided` ([`Pool::check`]), and
//! every planck received is pending, outstanding, claimed, in the treasury, granted, redeemable or redeemed.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::U256;
use sp_runtime::Perbill;

/// Scale of [`Pool::per_unit`], [`Pool::undivided`] and [`Holding::owed`]: they count 10⁻¹⁸ planck.
pub const SCALE: u128 = 1_000_000_000_000_000_000;

/// A token's supply and revenue. Amounts in planck, except the scaled ones.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, Default)]
pub struct Pool {
	/// Units in existence: minted at creation, less what was burned.
	pub supply: u128,
	/// Holders' revenue per unit since creation, × [`SCALE`].
	pub per_unit: U256,
	/// Holders' revenue (× [`SCALE`]) not yet divided among the units: remainders of divisions and the
	/// fractions of removed holdings. Added to the next snapshot's share.
	pub undivided: U256,
	/// Revenue received since the last snapshot.
	pub pending: u128,
	/// Made claimable by snapshots and not claimed yet.
	pub outstanding: u128,
	/// Backs burns: a burn of `n` units redeems `redeemable × n / supply`.
	pub redeemable: u128,
	/// For grants the holders vote on.
	pub treasury: u128,
	/// Everything ever received.
	pub received: u128,
	/// Everything ever claimed.
	pub claimed: u128,
	/// Everything ever redeemed by burns.
	pub redeemed: u128,
	/// Everything ever paid out of the treasury.
	pub granted: u128,
}

/// One account's tokens and what it is owed.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, Default)]
pub struct Holding {
	/// Units held, frozen ones included.
	pub balance: u128,
	/// Units that can not move (committed to a sale); they still earn revenue.
	pub frozen: u128,
	/// [`Pool::per_unit`] when last settled.
	pub checkpoint: U256,
	/// Revenue owed and not claimed, × [`SCALE`].
	pub owed: U256,
}

/// How a snapshot split the revenue received since the last one.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, Default)]
pub struct SnapshotSplit {
	/// Made claimable by the holders.
	pub claimable: u128,
	/// To the treasury.
	pub treasury: u128,
	/// Added to what backs burns.
	pub redeemable: u128,
}

/// Why a pool operation was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PoolError {
	/// Nothing arrived since the last snapshot.
	NothingPending,
	/// More than the holding has free (unfrozen).
	InsufficientBalance,
	/// A burn may not take the last units: revenue always has a holder.
	LastUnits,
	/// More than the treasury holds.
	TreasuryTooLow,
	/// A number would not fit.
	Overflow,
}

fn scaled(amount: u128) -> U256 {
	U256::from(amount).saturating_mul(U256::from(SCALE))
}

/// `v` as planck, if it fits.
fn to_u128(v: U256) -> Result<u128, PoolError> {
	if v > U256::from(u128::MAX) {
		return Err(PoolError::Overflow);
	}
	Ok(v.low_u128())
}

impl Holding {
	/// Units that can move.
	pub fn free(&self) -> u128 {
		self.balance.saturating_sub(self.frozen)
	}
}

impl Pool {
	/// A pool of `supply` units, all held by one holding.
	pub fn new(supply: u128) -> (Pool, Holding) {
		(Pool { supply, ..Default::default() }, Holding { balance: supply, ..Default::default() })
	}

	/// Revenue `amount` arrived; it waits for the next snapshot.
	pub fn receive(&mut self, amount: u128) -> Result<(), PoolError> {
		self.pending = self.pending.checked_add(amount).ok_or(PoolError::Overflow)?;
		self.received = self.received.checked_add(amount).ok_or(PoolError::Overflow)?;
		Ok(())
	}

	/// Splits what is pending: `claim_share` to the holders, `treasury_share` to the treasury, the rest to what
	/// backs burns. The holders' part is divided exactly among the units (the remainder waits in
	/// [`Pool::undivided`]).
	pub fn snapshot(&mut self, claim_share: Perbill, treasury_share: Perbill) -> Result<SnapshotSplit, PoolError> {
		if self.pending == 0 {
			return Err(PoolError::NothingPending);
		}
		let claimable = claim_share.mul_floor(self.pending);
		let treasury = treasury_share.mul_floor(self.pending).min(self.pending - claimable);
		let redeemable = self.pending - claimable - treasury;
		// `supply` is never zero: a burn keeps at least one unit.
		let supply = U256::from(self.supply.max(1));
		let share = scaled(claimable).checked_add(self.undivided).ok_or(PoolError::Overflow)?;
		let per_unit = self.per_unit.checked_add(share / supply).ok_or(PoolError::Overflow)?;
		let next = Pool {
			per_unit,
			undivided: share % supply,
			pending: 0,
			outstanding: self.outstanding.checked_add(claimable).ok_or(PoolError::Overflow)?,
			treasury: self.treasury.checked_add(treasury).ok_or(PoolError::Overflow)?,
			redeemable: self.redeemable.checked_add(redeemable).ok_or(PoolError::Overflow)?,
			..self.clone()
		};
		*self = next;
		Ok(SnapshotSplit { claimable, treasury, redeemable })
	}

	/// What `h` is owed now, × [`SCALE`].
	fn owed_now(&self, h: &Holding) -> Result<U256, PoolError> {
		let since = self.per_unit.saturating_sub(h.checkpoint);
		U256::from(h.balance)
			.checked_mul(since)
			.and_then(|v| v.checked_add(h.owed))
			.ok_or(PoolError::Overflow)
	}

	/// Moves what `h` earned since its checkpoint into [`Holding::owed`]. Done before every change of its balance.
	pub fn settle(&self, h: &mut Holding) -> Result<(), PoolError> {
		h.owed = self.owed_now(h)?;
		h.checkpoint = self.per_unit;
		Ok(())
	}

	/// Whole planck `h` can claim now.
	pub fn claimable(&self, h: &Holding) -> u128 {
		self.owed_now(h).ok().and_then(|v| to_u128(v / U256::from(SCALE)).ok()).unwrap_or(0)
	}

	/// Settles `h` and takes the whole planck it is owed (the fraction stays). Returns the amount to pay.
	pub fn claim(&mut self, h: &mut Holding) -> Result<u128, PoolError> {
		self.settle(h)?;
		let amount = to_u128(h.owed / U256::from(SCALE))?;
		// `outstanding` covers every holding's owed (the invariant), so this never saturates.
		let outstanding = self.outstanding.checked_sub(amount).ok_or(PoolError::Overflow)?;
		let claimed = self.claimed.checked_add(amount).ok_or(PoolError::Overflow)?;
		h.owed = h.owed - scaled(amount);
		self.outstanding = outstanding;
		self.claimed = claimed;
		Ok(amount)
	}

	/// What burning `units` redeems now: their share of [`Pool::redeemable`] (rounded down).
	pub fn redeemable_on_burn(&self, units: u128) -> u128 {
		if units == 0 || self.supply == 0 {
			return 0;
		}
		let v = U256::from(self.redeemable).saturating_mul(U256::from(units.min(self.supply))) / U256::from(self.supply);
		v.low_u128()
	}

	/// Burns `units` of `h` (settled first, so what it is owed stays claimable). Returns what they redeem.
	pub fn burn(&mut self, h: &mut Holding, units: u128) -> Result<u128, PoolError> {
		if units > h.free() {
			return Err(PoolError::InsufficientBalance);
		}
		if units >= self.supply {
			return Err(PoolError::LastUnits);
		}
		self.settle(h)?;
		let out = self.redeemable_on_burn(units);
		self.redeemable -= out;
		self.redeemed = self.redeemed.checked_add(out).ok_or(PoolError::Overflow)?;
		self.supply -= units;
		h.balance -= units;
		Ok(out)
	}

	/// Moves `units` from `from` to `to`, settling both first.
	pub fn transfer(&self, from: &mut Holding, to: &mut Holding, units: u128) -> Result<(), PoolError> {
		if units > from.free() {
			return Err(PoolError::InsufficientBalance);
		}
		let to_balance = to.balance.checked_add(units).ok_or(PoolError::Overflow)?;
		self.settle(from)?;
		self.settle(to)?;
		from.balance -= units;
		to.balance = to_balance;
		Ok(())
	}

	/// Whether `h` can be removed: no tokens and less than a planck owed.
	pub fn is_spent(&self, h: &Holding) -> bool {
		h.balance == 0 && self.owed_now(h).map(|o| o < U256::from(SCALE)).unwrap_or(false)
	}

	/// Takes the fraction of a spent holding that is being removed: it will be divided at the next snapshot.
	pub fn absorb(&mut self, h: &Holding) {
		self.undivided = self.undivided.saturating_add(h.owed);
	}

	/// Pays `amount` out of the treasury.
	pub fn grant(&mut self, amount: u128) -> Result<(), PoolError> {
		self.treasury = self.treasury.checked_sub(amount).ok_or(PoolError::TreasuryTooLow)?;
		self.granted = self.granted.checked_add(amount).ok_or(PoolError::Overflow)?;
		Ok(())
	}

	/// The planck the pallet's account must hold for this pool: everything received and not yet paid out.
	pub fn held(&self) -> u128 {
		self.pending
			.saturating_add(self.outstanding)
			.saturating_add(self.redeemable)
			.saturating_add(self.treasury)
	}

	/// Checks the pool against all of its holdings: the balances add up to the supply, the holdings are owed
	/// exactly what is outstanding (to the 10⁻¹⁸ planck), and every planck received is accounted for.
	pub fn check<'a>(&self, holdings: impl IntoIterator<Item = &'a Holding>) -> Result<(), &'static str> {
		let mut units = 0u128;
		let mut owed = self.undivided;
		for h in holdings {
			if h.frozen > h.balance {
				return Err("a holding has more frozen than it holds");
			}
			units = units.checked_add(h.balance).ok_or("the balances overflow")?;
			owed = owed.checked_add(self.owed_now(h).map_err(|_| "a holding's due overflows")?).ok_or("owed overflows")?;
		}
		if units != self.supply {
			return Err("the balances do not add up to the supply");
		}
		if owed != scaled(self.outstanding) {
			return Err("the holdings are not owed exactly what is outstanding");
		}
		let accounted = [self.pending, self.outstanding, self.claimed, self.redeemable, self.redeemed, self.treasury, self.granted]
			.iter()
			.try_fold(0u128, |a, b| a.checked_add(*b))
			.ok_or("the pool's totals overflow")?;
		if accounted != self.received {
			return Err("received is not pending + outstanding + claimed + redeemable + redeemed + treasury + granted");
		}
		Ok(())
	}
}
