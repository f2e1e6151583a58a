//! [`ModelRevenue`] for the inference pallet: a model with a token has its share of every fee paid to this
//! pallet's account, where it belongs to the token's holders; a model without one is paid as before.

use frame_support::weights::Weight;
use pallet_inference::traits::ModelRevenue;

use crate::{types::ModelId, Config, Event, Pallet, Tokens, WeightInfo};

impl<T: Config> ModelRevenue<T::AccountId, u128> for Pallet<T> {
	fn payee(model: ModelId, revenue_account: &T::AccountId) -> T::AccountId {
		if Tokens::<T>::contains_key(model) {
			Self::account()
		} else {
			revenue_account.clone()
		}
	}

	fn on_revenue(model: ModelId, amount: u128) {
		Tokens::<T>::mutate(model, |t| {
			let Some(t) = t else { return };
			match t.pool.receive(amount) {
				Ok(()) => Self::deposit_event(Event::RevenueReceived { model, amount }),
				// Only past `u128::MAX` planck received: the amount stays in the account, unaccounted.
				Err(e) => log::error!(target: "runtime::revshare", "revenue of model {model} not recorded: {e:?}"),
			}
		});
	}

	fn revenue_weight() -> Weight {
		T::WeightInfo::on_revenue()
	}
}
