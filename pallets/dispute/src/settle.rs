//! Paying out a game: the loser's bond to the winner (a share burned), the verdict to the inference pallet.
//! Every challenge bond is released or paid exactly once: here, when its game ends.

use frame_support::traits::{
	Get,
	fungible::MutateHold,
	tokens::{Fortitude, Precision, Restriction},
};
use pallet_inference::traits::ResultDisputes;
use sp_runtime::traits::{Saturating, Zero};

use crate::{BalanceOf, Config, GameOf, HoldReason, Pallet, Side};

/// Settles game `g` for `winner` (`None`: void). Returns (paid to the winner, burned) from the loser's bond.
pub(crate) fn settle<T: Config>(g: &GameOf<T>, winner: Option<Side>) -> (BalanceOf<T>, BalanceOf<T>) {
	let reason = HoldReason::ChallengeBond.into();
	match winner {
		None => {
			Pallet::<T>::release_bond(&g.challenger, g.bond);
			(Zero::zero(), Zero::zero())
		},
		Some(Side::Proposer) => {
			// The challenger was wrong: its bond to the proposer, less the burned share.
			let burn = T::BurnShare::get() * g.bond;
			let pay = g.bond.saturating_sub(burn);
			let paid = T::Currency::transfer_on_hold(
				&reason,
				&g.challenger,
				&g.proposer,
				pay,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			// Whatever did not reach the proposer (e.g. below its existential deposit) is burned too.
			let rest = g.bond.saturating_sub(paid);
			let burned = T::Currency::burn_held(&reason, &g.challenger, rest, Precision::BestEffort, Fortitude::Force)
				.unwrap_or_else(|_| Zero::zero());
			let _ = T::Results::uphold(g.request);
			(paid, burned)
		},
		Some(Side::Challenger) => {
			// The proposer was wrong: the result is rejected (its bond to the challenger) and its operator bond
			// slashed; the challenger's own bond comes back.
			Pallet::<T>::release_bond(&g.challenger, g.bond);
			let to_winner = T::Results::reject(g.request, &g.challenger).unwrap_or_else(|_| Zero::zero());
			let burned = T::Results::slash_operator(&g.proposer, T::ProposerSlash::get(), None);
			(to_winner, burned)
		},
	}
}
