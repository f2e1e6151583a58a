//! What the runtime API returns (`sibyl_inference_primitives::revshare::RevshareApi`).

use frame_system::pallet_prelude::BlockNumberFor;
use sibyl_inference_primitives::revshare::{HoldingView, TokenView};

use crate::{types::ModelId, Config, Holdings, Pallet, Tokens};

impl<T: Config> Pallet<T> {
	/// A model's token.
	pub fn token_view(model: ModelId) -> Option<TokenView<T::AccountId, BlockNumberFor<T>>> {
		let t = Tokens::<T>::get(model)?;
		let p = &t.pool;
		Some(TokenView {
			creator: t.creator.clone(),
			name: t.name.to_vec(),
			symbol: t.symbol.to_vec(),
			decimals: t.decimals,
			supply: p.supply,
			min_balance: t.min_balance,
			claim_share: t.claim_share,
			treasury_share: t.treasury_share,
			snapshots: t.snapshots,
			last_snapshot: t.last_snapshot,
			pending: p.pending,
			outstanding: p.outstanding,
			redeemable: p.redeemable,
			treasury: p.treasury,
			received: p.received,
			claimed: p.claimed,
			redeemed: p.redeemed,
			granted: p.granted,
		})
	}

	/// `who`'s holding of a model's token.
	pub fn holding_view(model: ModelId, who: &T::AccountId) -> HoldingView {
		let (Some(t), Some(h)) = (Tokens::<T>::get(model), Holdings::<T>::get(model, who)) else {
			return HoldingView::default();
		};
		HoldingView { balance: h.balance, frozen: h.frozen, claimable: t.pool.claimable(&h) }
	}

	/// What burning `amount` units of a model's token redeems now.
	pub fn redeemable_on_burn(model: ModelId, amount: u128) -> u128 {
		Tokens::<T>::get(model).map(|t| t.pool.redeemable_on_burn(amount)).unwrap_or(0)
	}

	/// What `spender` may move of `owner`'s units.
	pub fn allowance_of(model: ModelId, owner: &T::AccountId, spender: &T::AccountId) -> u128 {
		<Self as frame_support::traits::tokens::fungibles::approvals::Inspect<T::AccountId>>::allowance(model, owner, spender)
	}
}
