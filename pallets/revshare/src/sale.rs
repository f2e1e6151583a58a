//! The Initial Model Offering as plain functions: a model's builders sell units of its token at a fixed price
//! during a period; buyers commit funds (held, not paid); after the period the sale succeeds if it raised at
//! least its minimum, and then each buyer's funds go to the builders and the units to the buyer, or it fails and
//! every buyer gets its funds back.
//!
//! The units on sale stay in the seller's holding, frozen (they earn revenue for the seller until they are
//! sold), so nothing is minted and the supply stays fixed. A successful sale can lock the seller's remaining
//! units too, released linearly over a vesting period ([`Vesting`]), so builders can not sell out right after
//! their offering.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto, Zero};

/// Where a sale is.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub enum SaleStatus {
	/// Before or during its period: takes contributions while the period runs.
	Open,
	/// Ended with at least the minimum raised: buyers' funds go to the seller, units to the buyers.
	Succeeded,
	/// Ended under the minimum: every buyer is refunded.
	Failed,
}

/// A sale of a model's token units.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct Sale<AccountId, BlockNumber> {
	/// Who sells (the model's owner): its units are frozen for the sale; it receives the proceeds.
	pub seller: AccountId,
	/// Planck per unit.
	pub price: u128,
	/// Units on sale (the cap: at most `amount × price` can be raised).
	pub amount: u128,
	/// The sale succeeds only if it raises at least this, in planck.
	pub min_raise: u128,
	/// First block in which contributions are taken.
	pub start: BlockNumber,
	/// Last block in which contributions are taken.
	pub end: BlockNumber,
	/// After a success, the seller's other units vest over this many blocks from `end` (none if zero).
	pub vesting: BlockNumber,
	/// Units bought so far.
	pub sold: u128,
	/// Buyers whose contribution is not settled yet.
	pub buyers: u32,
	/// Open, succeeded or failed.
	pub status: SaleStatus,
}

/// Units of a seller that unlock linearly from `start` over `duration` blocks.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct Vesting<BlockNumber> {
	/// Units locked at the start.
	pub total: u128,
	/// Units still locked when last updated.
	pub locked: u128,
	/// When unlocking starts.
	pub start: BlockNumber,
	/// Blocks until everything is unlocked.
	pub duration: BlockNumber,
}

/// Why a sale operation was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SaleError {
	/// The period is empty, starts in the past, or the price or amount is zero.
	BadTerms,
	/// The minimum can not be reached even by selling everything.
	MinAboveCap,
	/// Not during the sale's period.
	NotInPeriod,
	/// The period has not ended yet.
	NotEnded,
	/// More units than are left.
	OverCap,
	/// The sale is already decided.
	AlreadySettled,
	/// The sale is not decided yet.
	NotSettled,
	/// A number would overflow.
	Overflow,
}

impl<AccountId, BlockNumber: Copy + Ord + Saturating + Zero> Sale<AccountId, BlockNumber> {
	/// A sale of `amount` units at `price` from `start` to `end` (inclusive) at block `now`.
	#[allow(clippy::too_many_arguments)]
	pub fn new(
		seller: AccountId,
		price: u128,
		amount: u128,
		min_raise: u128,
		start: BlockNumber,
		end: BlockNumber,
		vesting: BlockNumber,
		now: BlockNumber,
	) -> Result<Self, SaleError> {
		if price == 0 || amount == 0 || start < now || end < start {
			return Err(SaleError::BadTerms);
		}
		let cap = price.checked_mul(amount).ok_or(SaleError::Overflow)?;
		if min_raise > cap {
			return Err(SaleError::MinAboveCap);
		}
		Ok(Sale { seller, price, amount, min_raise, start, end, vesting, sold: 0, buyers: 0, status: SaleStatus::Open })
	}

	/// Planck raised so far.
	pub fn raised(&self) -> u128 {
		self.sold.saturating_mul(self.price)
	}

	/// A buyer takes `units` at `now` (`first`: it had none of this sale yet). Returns what it pays (to hold).
	pub fn contribute(&mut self, units: u128, first: bool, now: BlockNumber) -> Result<u128, SaleError> {
		if self.status != SaleStatus::Open {
			return Err(SaleError::AlreadySettled);
		}
		if now < self.start || now > self.end {
			return Err(SaleError::NotInPeriod);
		}
		if units == 0 {
			return Err(SaleError::BadTerms);
		}
		let sold = self.sold.checked_add(units).ok_or(SaleError::Overflow)?;
		if sold > self.amount {
			return Err(SaleError::OverCap);
		}
		let cost = units.checked_mul(self.price).ok_or(SaleError::Overflow)?;
		self.sold = sold;
		if first {
			self.buyers = self.buyers.saturating_add(1);
		}
		Ok(cost)
	}

	/// Decides the sale once its period has ended: succeeded if it raised at least its minimum (and sold
	/// anything). Returns the units to unfreeze in the seller's holding (those not sold, or all if it failed).
	pub fn settle(&mut self, now: BlockNumber) -> Result<u128, SaleError> {
		if self.status != SaleStatus::Open {
			return Err(SaleError::AlreadySettled);
		}
		if now <= self.end {
			return Err(SaleError::NotEnded);
		}
		if self.sold > 0 && self.raised() >= self.min_raise {
			self.status = SaleStatus::Succeeded;
			Ok(self.amount - self.sold)
		} else {
			self.status = SaleStatus::Failed;
			Ok(self.amount)
		}
	}

	/// One buyer's contribution is settled (its units delivered, or its funds refunded). Returns whether every
	/// buyer is now settled (the sale can be removed).
	pub fn settle_buyer(&mut self) -> Result<bool, SaleError> {
		if self.status == SaleStatus::Open {
			return Err(SaleError::NotSettled);
		}
		self.buyers = self.buyers.saturating_sub(1);
		Ok(self.buyers == 0)
	}
}

impl<BlockNumber: Copy + Ord + Saturating + Zero + UniqueSaturatedInto<u128>> Vesting<BlockNumber> {
	/// Units still locked at `now`: all before `start`, none after `start + duration`, linear in between
	/// (rounded up, so nothing unlocks early).
	pub fn locked_at(&self, now: BlockNumber) -> u128 {
		if now <= self.start {
			return self.total;
		}
		let elapsed: u128 = now.saturating_sub(self.start).unique_saturated_into();
		let duration: u128 = self.duration.unique_saturated_into();
		if duration == 0 || elapsed >= duration {
			return 0;
		}
		// total × (duration − elapsed) / duration, rounded up.
		let left = duration - elapsed;
		let num = sp_core::U256::from(self.total) * sp_core::U256::from(left);
		let d = sp_core::U256::from(duration);
		((num + d - 1) / d).low_u128()
	}
}
