//! The token calls' work: transfers, allowances, snapshots, claims and burns, over [`crate::pool`].

use frame_support::{
	ensure,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Precision, Preservation},
		Get,
	},
};
use sp_runtime::{traits::AccountIdConversion, DispatchError, DispatchResult, Saturating};

use crate::{
	pool::{Holding, SnapshotSplit},
	types::{Approval, ModelId},
	Approvals, Config, Error, Event, Holdings, HoldReason, Pallet, TokenOf, Tokens,
};

impl<T: Config> Pallet<T> {
	/// The account that holds every token's revenue.
	pub fn account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// `who`'s holding of `model`'s token (an empty one if it has none).
	pub(crate) fn holding(model: ModelId, who: &T::AccountId) -> Holding {
		Holdings::<T>::get(model, who).unwrap_or_default()
	}

	/// Stores `h` as `who`'s holding, or removes it if it is spent (no units, less than a planck owed: that
	/// fraction goes back to the pool). Returns whether `token` changed.
	pub(crate) fn put_holding(model: ModelId, who: &T::AccountId, h: Holding, token: &mut TokenOf<T>) -> bool {
		if token.pool.is_spent(&h) {
			Holdings::<T>::remove(model, who);
			token.pool.absorb(&h);
			!h.owed.is_zero()
		} else {
			Holdings::<T>::insert(model, who, h);
			false
		}
	}

	/// Checks that a transfer may leave a holding with `balance` units of a token with minimum `min`.
	fn check_min(balance: u128, min: u128) -> DispatchResult {
		ensure!(balance == 0 || balance >= min, Error::<T>::BelowMinimum);
		Ok(())
	}

	/// Moves `amount` units from `from` to `to` (both settled first), recording both balances for open grant
	/// votes. With `check_min`, neither side may be left with less than the minimum balance (and more than none).
	pub(crate) fn move_units(
		model: ModelId,
		token: &mut TokenOf<T>,
		from: &T::AccountId,
		to: &T::AccountId,
		amount: u128,
		check_min: bool,
	) -> Result<bool, DispatchError> {
		let mut src = Self::holding(model, from);
		ensure!(src.free() >= amount, Error::<T>::InsufficientBalance);
		if from == to {
			return Ok(false);
		}
		let mut dst = Self::holding(model, to);
		Self::note_balance(model, from, src.balance);
		Self::note_balance(model, to, dst.balance);
		token.pool.transfer(&mut src, &mut dst, amount).map_err(Error::<T>::from)?;
		if check_min {
			Self::check_min(src.balance, token.min_balance)?;
			Self::check_min(dst.balance, token.min_balance)?;
		}
		let changed = Self::put_holding(model, from, src, token);
		Holdings::<T>::insert(model, to, dst);
		Ok(changed)
	}

	pub(crate) fn do_transfer(model: ModelId, from: &T::AccountId, to: &T::AccountId, amount: u128) -> DispatchResult {
		let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		if Self::move_units(model, &mut token, from, to, amount, true)? {
			Tokens::<T>::insert(model, token);
		}
		Self::deposit_event(Event::Transferred { model, from: from.clone(), to: to.clone(), amount });
		Ok(())
	}

	pub(crate) fn do_approve(model: ModelId, owner: &T::AccountId, spender: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(Tokens::<T>::contains_key(model), Error::<T>::NoToken);
		let key = (model, owner, spender);
		let reason = HoldReason::ApprovalDeposit.into();
		match (Approvals::<T>::get(key), amount) {
			(None, 0) => {},
			(Some(a), 0) => {
				T::Currency::release(&reason, owner, a.deposit, Precision::BestEffort)?;
				Approvals::<T>::remove(key);
			},
			(Some(a), _) => Approvals::<T>::insert(key, Approval { amount, deposit: a.deposit }),
			(None, _) => {
				let deposit = T::ApprovalDeposit::get();
				T::Currency::hold(&reason, owner, deposit)?;
				Approvals::<T>::insert(key, Approval { amount, deposit });
			},
		}
		Self::deposit_event(Event::Approved { model, owner: owner.clone(), spender: spender.clone(), amount });
		Ok(())
	}

	pub(crate) fn do_transfer_from(
		model: ModelId,
		owner: &T::AccountId,
		spender: &T::AccountId,
		dest: &T::AccountId,
		amount: u128,
	) -> DispatchResult {
		let key = (model, owner, spender);
		let a = Approvals::<T>::get(key).ok_or(Error::<T>::AllowanceTooLow)?;
		ensure!(a.amount >= amount, Error::<T>::AllowanceTooLow);
		Self::do_transfer(model, owner, dest, amount)?;
		let left = a.amount - amount;
		if left == 0 {
			T::Currency::release(&HoldReason::ApprovalDeposit.into(), owner, a.deposit, Precision::BestEffort)?;
			Approvals::<T>::remove(key);
		} else {
			Approvals::<T>::insert(key, Approval { amount: left, deposit: a.deposit });
		}
		Ok(())
	}

	pub(crate) fn do_snapshot(model: ModelId) -> Result<SnapshotSplit, DispatchError> {
		let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			token.snapshots == 0 || now >= token.last_snapshot.saturating_add(T::MinSnapshotInterval::get()),
			Error::<T>::SnapshotTooSoon
		);
		let split = token.pool.snapshot(token.claim_share, token.treasury_share).map_err(Error::<T>::from)?;
		token.snapshots = token.snapshots.saturating_add(1);
		token.last_snapshot = now;
		let (id, supply) = (token.snapshots, token.pool.supply);
		Tokens::<T>::insert(model, token);
		Self::deposit_event(Event::Snapshot {
			model,
			id,
			claimable: split.claimable,
			to_treasury: split.treasury,
			redeemable: split.redeemable,
			supply,
		});
		Ok(split)
	}

	/// Pays `amount` of revenue to `who` from the pallet's account.
	pub(crate) fn pay(who: &T::AccountId, amount: u128) -> DispatchResult {
		T::Currency::transfer(&Self::account(), who, amount, Preservation::Preserve)
			.map(|_| ())
			.map_err(|_| Error::<T>::PotShort.into())
	}

	pub(crate) fn do_claim(model: ModelId, who: &T::AccountId) -> Result<u128, DispatchError> {
		let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
		let mut h = Holdings::<T>::get(model, who).ok_or(Error::<T>::NothingToClaim)?;
		let amount = token.pool.claim(&mut h).map_err(Error::<T>::from)?;
		ensure!(amount > 0, Error::<T>::NothingToClaim);
		Self::pay(who, amount)?;
		Self::put_holding(model, who, h, &mut token);
		Tokens::<T>::insert(model, token);
		Self::deposit_event(Event::Claimed { model, who: who.clone(), amount });
		Ok(amount)
	}

	pub(crate) fn do_burn(model: ModelId, who: &T::AccountId, amount: u128) -> Result<u128, DispatchError> {
		let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let mut h = Self::holding(model, who);
		Self::note_balance(model, who, h.balance);
		let redeemed = token.pool.burn(&mut h, amount).map_err(Error::<T>::from)?;
		Self::check_min(h.balance, token.min_balance)?;
		if redeemed > 0 {
			Self::pay(who, redeemed)?;
		}
		Self::put_holding(model, who, h, &mut token);
		Tokens::<T>::insert(model, token);
		Self::deposit_event(Event::Burned { model, who: who.clone(), amount, redeemed });
		Ok(redeemed)
	}
}
