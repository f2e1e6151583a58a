//! The tokens through the `fungibles` traits, for other pallets: balances, metadata, allowances and transfers.
//!
//! The supply is fixed, so the traits mint nothing and burn nothing: `mint_into`, `burn_from`, `shelve`,
//! `restore` and the raw `Unbalanced` writes are refused (`TokenError::Unsupported`); a holder burns with the
//! pallet's `burn`, which redeems. Transfers go through the pallet's own transfer, which settles both holdings'
//! revenue first, so a token moved through the traits never loses or doubles what it earned.

use frame_support::traits::tokens::{
	fungibles, DepositConsequence, Fortitude, Precision, Preservation, Provenance, WithdrawConsequence,
};
use sp_runtime::{DispatchError, DispatchResult, TokenError};

use crate::{types::ModelId, Approvals, Config, Holdings, Pallet, Tokens};

impl<T: Config> fungibles::Inspect<T::AccountId> for Pallet<T> {
	type AssetId = ModelId;
	type Balance = u128;

	fn total_issuance(asset: ModelId) -> u128 {
		Tokens::<T>::get(asset).map(|t| t.pool.supply).unwrap_or(0)
	}

	fn minimum_balance(asset: ModelId) -> u128 {
		Tokens::<T>::get(asset).map(|t| t.min_balance).unwrap_or(0)
	}

	fn total_balance(asset: ModelId, who: &T::AccountId) -> u128 {
		Self::balance(asset, who)
	}

	fn balance(asset: ModelId, who: &T::AccountId) -> u128 {
		Holdings::<T>::get(asset, who).map(|h| h.balance).unwrap_or(0)
	}

	fn reducible_balance(asset: ModelId, who: &T::AccountId, preservation: Preservation, _: Fortitude) -> u128 {
		let h = Self::holding(asset, who);
		match preservation {
			Preservation::Expendable => h.free(),
			// Keep at least the minimum balance.
			Preservation::Protect | Preservation::Preserve =>
				h.free().min(h.balance.saturating_sub(Self::minimum_balance(asset))),
		}
	}

	fn can_deposit(asset: ModelId, who: &T::AccountId, amount: u128, provenance: Provenance) -> DepositConsequence {
		let Some(token) = Tokens::<T>::get(asset) else { return DepositConsequence::UnknownAsset };
		if provenance == Provenance::Minted {
			return DepositConsequence::Blocked;
		}
		match Self::balance(asset, who).checked_add(amount) {
			None => DepositConsequence::Overflow,
			Some(b) if b > 0 && b < token.min_balance => DepositConsequence::BelowMinimum,
			Some(_) => DepositConsequence::Success,
		}
	}

	fn can_withdraw(asset: ModelId, who: &T::AccountId, amount: u128) -> WithdrawConsequence<u128> {
		let Some(token) = Tokens::<T>::get(asset) else { return WithdrawConsequence::UnknownAsset };
		let h = Self::holding(asset, who);
		if amount > h.balance {
			return WithdrawConsequence::BalanceLow;
		}
		if amount > h.free() {
			return WithdrawConsequence::Frozen;
		}
		match h.balance - amount {
			0 => WithdrawConsequence::Success,
			// A holding can not be left below the minimum: it is refused, not reaped.
			left if left < token.min_balance => WithdrawConsequence::WouldDie,
			_ => WithdrawConsequence::Success,
		}
	}

	fn asset_exists(asset: ModelId) -> bool {
		Tokens::<T>::contains_key(asset)
	}
}

impl<T: Config> fungibles::Unbalanced<T::AccountId> for Pallet<T> {
	fn handle_dust(_: fungibles::Dust<T::AccountId, Self>) {}

	fn write_balance(_: ModelId, _: &T::AccountId, _: u128) -> Result<Option<u128>, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn set_total_issuance(_: ModelId, _: u128) {}

	fn decrease_balance(
		_: ModelId,
		_: &T::AccountId,
		_: u128,
		_: Precision,
		_: Preservation,
		_: Fortitude,
	) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn increase_balance(_: ModelId, _: &T::AccountId, _: u128, _: Precision) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}
}

impl<T: Config> fungibles::Mutate<T::AccountId> for Pallet<T> {
	fn mint_into(_: ModelId, _: &T::AccountId, _: u128) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn burn_from(
		_: ModelId,
		_: &T::AccountId,
		_: u128,
		_: Preservation,
		_: Precision,
		_: Fortitude,
	) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn shelve(_: ModelId, _: &T::AccountId, _: u128) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn restore(_: ModelId, _: &T::AccountId, _: u128) -> Result<u128, DispatchError> {
		Err(TokenError::Unsupported.into())
	}

	fn transfer(
		asset: ModelId,
		source: &T::AccountId,
		dest: &T::AccountId,
		amount: u128,
		preservation: Preservation,
	) -> Result<u128, DispatchError> {
		if preservation != Preservation::Expendable && source != dest {
			frame_support::ensure!(
				<Self as fungibles::Inspect<T::AccountId>>::balance(asset, source) > amount,
				TokenError::NotExpendable
			);
		}
		Self::do_transfer(asset, source, dest, amount)?;
		Ok(amount)
	}
}

impl<T: Config> fungibles::metadata::Inspect<T::AccountId> for Pallet<T> {
	fn name(asset: ModelId) -> alloc::vec::Vec<u8> {
		Tokens::<T>::get(asset).map(|t| t.name.into_inner()).unwrap_or_default()
	}

	fn symbol(asset: ModelId) -> alloc::vec::Vec<u8> {
		Tokens::<T>::get(asset).map(|t| t.symbol.into_inner()).unwrap_or_default()
	}

	fn decimals(asset: ModelId) -> u8 {
		Tokens::<T>::get(asset).map(|t| t.decimals).unwrap_or(0)
	}
}

impl<T: Config> fungibles::approvals::Inspect<T::AccountId> for Pallet<T> {
	fn allowance(asset: ModelId, owner: &T::AccountId, delegate: &T::AccountId) -> u128 {
		Approvals::<T>::get((asset, owner, delegate)).map(|a| a.amount).unwrap_or(0)
	}
}

impl<T: Config> fungibles::approvals::Mutate<T::AccountId> for Pallet<T> {
	fn approve(asset: ModelId, owner: &T::AccountId, delegate: &T::AccountId, amount: u128) -> DispatchResult {
		Self::do_approve(asset, owner, delegate, amount)
	}

	fn transfer_from(
		asset: ModelId,
		owner: &T::AccountId,
		delegate: &T::AccountId,
		dest: &T::AccountId,
		amount: u128,
	) -> DispatchResult {
		Self::do_transfer_from(asset, owner, delegate, dest, amount)
	}
}
