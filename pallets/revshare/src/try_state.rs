//! The pallet's books, checked against storage and against the currency (`try_state`, and after every block in
//! the tests): every money invariant in one place.

use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sp_runtime::TryRuntimeError;

use crate::{
	grant::GrantStatus, pool::Holding, sale::SaleStatus, Approvals, Config, Contributions, Grants, HoldReason,
	Holdings, OpenGrants, Pallet, Sales, Tokens, Vestings,
};

impl<T: Config> Pallet<T> {
	/// Checks, for every token: its pool against its holdings ([`crate::pool::Pool::check`], to the 10⁻¹⁸
	/// planck); that this pallet's account holds at least every pool's [`crate::pool::Pool::held`] and its
	/// existential deposit; that every held deposit and contribution equals what storage says; that every frozen
	/// unit is frozen for a sale or a vesting; and that the open grant lists agree with the grants.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut held = 0u128;
		for (model, token) in Tokens::<T>::iter() {
			let holdings: Vec<Holding> = Holdings::<T>::iter_prefix_values(model).collect();
			token.pool.check(holdings.iter()).map_err(TryRuntimeError::Other)?;
			held = held.saturating_add(token.pool.held());
		}
		for (model, _) in Holdings::<T>::iter_keys() {
			ensure!(Tokens::<T>::contains_key(model), "a holding of a token that does not exist");
		}
		let pot = T::Currency::balance(&Self::account());
		ensure!(pot >= held.saturating_add(T::Currency::minimum_balance()), "the pallet's account holds less than the books");

		// Holds: the sum of each owner's deposits and contributions is what is held from it under each reason.
		let mut expected: BTreeMap<(T::AccountId, u8), u128> = BTreeMap::new();
		for ((model, owner, _), a) in Approvals::<T>::iter() {
			ensure!(Tokens::<T>::contains_key(model), "an allowance of a token that does not exist");
			ensure!(a.amount > 0, "an empty allowance");
			*expected.entry((owner, 0)).or_default() += a.deposit;
		}
		// Frozen units: for a sale (all offered while open, the undelivered after a success) and for vesting.
		let mut frozen: BTreeMap<(u32, T::AccountId), u128> = BTreeMap::new();
		for (model, sale) in Sales::<T>::iter() {
			let contributions: Vec<(T::AccountId, u128)> = Contributions::<T>::iter_prefix(model).collect();
			let units: u128 = contributions.iter().map(|(_, u)| *u).sum();
			ensure!(contributions.len() as u32 == sale.buyers, "a sale's buyer count differs from its contributions");
			ensure!(units <= sale.sold, "more contributed than a sale sold");
			if sale.status == SaleStatus::Open {
				ensure!(units == sale.sold, "an open sale's contributions differ from what it sold");
			}
			for (buyer, u) in contributions {
				*expected.entry((buyer, 1)).or_default() += u * sale.price;
			}
			*frozen.entry((model, sale.seller.clone())).or_default() += match sale.status {
				SaleStatus::Open => sale.amount,
				SaleStatus::Succeeded => units,
				SaleStatus::Failed => 0,
			};
		}
		for (model, _) in Contributions::<T>::iter_keys() {
			ensure!(Sales::<T>::contains_key(model), "a contribution to a sale that does not exist");
		}
		for (model, who, v) in Vestings::<T>::iter() {
			ensure!(v.locked <= v.total && v.locked > 0, "a vesting's locked units are out of range");
			*frozen.entry((model, who)).or_default() += v.locked;
		}
		for (model, who, h) in Holdings::<T>::iter() {
			let want = frozen.remove(&(model, who)).unwrap_or(0);
			ensure!(h.frozen == want, "a holding's frozen units are not those of its sales and vesting");
		}
		ensure!(frozen.values().all(|f| *f == 0), "units frozen for an account that holds none");
		// Grants: open ones are listed on their model, and their proposers' deposits are held.
		for (id, g) in Grants::<T>::iter() {
			let listed = OpenGrants::<T>::get(g.model).contains(&id);
			ensure!(listed == (g.status == GrantStatus::Voting), "the open grants list differs from the grants");
			if g.status == GrantStatus::Voting {
				*expected.entry((g.proposer, 2)).or_default() += T::GrantDeposit::get();
			}
		}
		for (_, open) in OpenGrants::<T>::iter() {
			for id in open {
				ensure!(Grants::<T>::contains_key(id), "an open grant that does not exist");
			}
		}
		for ((who, reason), sum) in expected {
			let reason = match reason {
				0 => HoldReason::ApprovalDeposit,
				1 => HoldReason::SaleContribution,
				_ => HoldReason::GrantDeposit,
			};
			ensure!(T::Currency::balance_on_hold(&reason.into(), &who) == sum, "a hold differs from what storage says");
		}
		Ok(())
	}
}
