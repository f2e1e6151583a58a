//! The offering calls' work, over [`crate::sale`]: the seller's units frozen in its holding, buyers' funds held
//! from them, each buyer settled on its own (by anyone) once the sale is decided.

use frame_support::{
	ensure,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_inference::traits::ModelRegistry;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

use crate::{
	sale::{Sale, SaleStatus, Vesting},
	types::ModelId,
	Config, Contributions, Error, Event, Holdings, HoldReason, Pallet, Sales, Tokens, Vestings,
};

impl<T: Config> Pallet<T> {
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_create_sale(
		who: &T::AccountId,
		model: ModelId,
		price: u128,
		amount: u128,
		min_raise: u128,
		start: BlockNumberFor<T>,
		end: BlockNumberFor<T>,
		vesting: BlockNumberFor<T>,
	) -> DispatchResult {
		let owner = T::Models::owner(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(owner == *who, Error::<T>::NotModelOwner);
		ensure!(Tokens::<T>::contains_key(model), Error::<T>::NoToken);
		ensure!(!Sales::<T>::contains_key(model), Error::<T>::SaleOverlaps);
		ensure!(vesting.is_zero() || !Vestings::<T>::contains_key(model, who), Error::<T>::VestingActive);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(end.saturating_sub(start) <= T::MaxSalePeriod::get(), Error::<T>::BadSaleTerms);
		let sale = Sale::new(who.clone(), price, amount, min_raise, start, end, vesting, now).map_err(Error::<T>::from)?;
		let mut h = Self::holding(model, who);
		ensure!(h.free() >= amount, Error::<T>::InsufficientBalance);
		h.frozen += amount;
		Holdings::<T>::insert(model, who, h);
		Sales::<T>::insert(model, sale);
		Self::deposit_event(Event::SaleCreated { model, seller: who.clone(), price, amount, min_raise, start, end, vesting });
		Ok(())
	}

	pub(crate) fn do_contribute(who: &T::AccountId, model: ModelId, units: u128) -> DispatchResult {
		let mut sale = Sales::<T>::get(model).ok_or(Error::<T>::NoSale)?;
		ensure!(units > 0, Error::<T>::ZeroAmount);
		ensure!(*who != sale.seller, Error::<T>::SellerCannotBuy);
		let before = Contributions::<T>::get(model, who).unwrap_or(0);
		let min = Tokens::<T>::get(model).map(|t| t.min_balance).unwrap_or(1);
		ensure!(before > 0 || units >= min, Error::<T>::BelowMinimum);
		let now = frame_system::Pallet::<T>::block_number();
		let cost = sale.contribute(units, before == 0, now).map_err(Error::<T>::from)?;
		T::Currency::hold(&HoldReason::SaleContribution.into(), who, cost)?;
		Contributions::<T>::insert(model, who, before + units);
		Sales::<T>::insert(model, sale);
		Self::deposit_event(Event::Contributed { model, who: who.clone(), units, paid: cost });
		Ok(())
	}

	pub(crate) fn do_settle_sale(model: ModelId) -> DispatchResult {
		let mut sale = Sales::<T>::get(model).ok_or(Error::<T>::NoSale)?;
		let now = frame_system::Pallet::<T>::block_number();
		let unfreeze = sale.settle(now).map_err(Error::<T>::from)?;
		let mut h = Self::holding(model, &sale.seller);
		h.frozen = h.frozen.saturating_sub(unfreeze);
		let succeeded = sale.status == SaleStatus::Succeeded;
		if succeeded && !sale.vesting.is_zero() {
			// The seller's units other than those sold (still frozen until delivered) vest from the end.
			let lock = h.free();
			h.frozen += lock;
			Vestings::<T>::insert(model, &sale.seller, Vesting { total: lock, locked: lock, start: sale.end, duration: sale.vesting });
		}
		Holdings::<T>::insert(model, &sale.seller, h);
		Self::deposit_event(Event::SaleSettled { model, succeeded, sold: sale.sold, raised: sale.raised() });
		if sale.buyers == 0 {
			Sales::<T>::remove(model);
		} else {
			Sales::<T>::insert(model, sale);
		}
		Ok(())
	}

	pub(crate) fn do_settle_contribution(model: ModelId, buyer: &T::AccountId) -> DispatchResult {
		let mut sale = Sales::<T>::get(model).ok_or(Error::<T>::NoSale)?;
		ensure!(sale.status != SaleStatus::Open, Error::<T>::SaleNotSettled);
		let units = Contributions::<T>::take(model, buyer).ok_or(Error::<T>::NoContribution)?;
		let paid = units.saturating_mul(sale.price);
		let reason = HoldReason::SaleContribution.into();
		let delivered = if sale.status == SaleStatus::Succeeded {
			// The buyer's funds to the seller, the units (unfrozen first) to the buyer.
			T::Currency::transfer_on_hold(&reason, buyer, &sale.seller, paid, Precision::Exact, Restriction::Free, Fortitude::Force)?;
			let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
			Holdings::<T>::mutate(model, &sale.seller, |h| {
				if let Some(h) = h {
					h.frozen = h.frozen.saturating_sub(units);
				}
			});
			// A delivery never fails on the minimum balance: the buyer bought at least it, and the seller's
			// remaining units are whatever the sale left.
			if Self::move_units(model, &mut token, &sale.seller, buyer, units, false)? {
				Tokens::<T>::insert(model, token);
			}
			true
		} else {
			T::Currency::release(&reason, buyer, paid, Precision::Exact)?;
			false
		};
		Self::deposit_event(Event::ContributionSettled { model, buyer: buyer.clone(), units, paid, delivered });
		if sale.settle_buyer().map_err(Error::<T>::from)? {
			Sales::<T>::remove(model);
		} else {
			Sales::<T>::insert(model, sale);
		}
		Ok(())
	}

	pub(crate) fn do_vest(model: ModelId, who: &T::AccountId) -> DispatchResult {
		let mut v = Vestings::<T>::get(model, who).ok_or(Error::<T>::NoVesting)?;
		let now = frame_system::Pallet::<T>::block_number();
		let locked = v.locked_at(now);
		let unlocked = v.locked.saturating_sub(locked);
		ensure!(unlocked > 0, Error::<T>::NothingVested);
		Holdings::<T>::mutate(model, who, |h| {
			if let Some(h) = h {
				h.frozen = h.frozen.saturating_sub(unlocked);
			}
		});
		v.locked = locked;
		if locked == 0 {
			Vestings::<T>::remove(model, who);
		} else {
			Vestings::<T>::insert(model, who, v);
		}
		Self::deposit_event(Event::Vested { model, who: who.clone(), unlocked, locked });
		Ok(())
	}
}
