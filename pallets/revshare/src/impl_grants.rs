//! The grant calls' work, over [`crate::grant`]: proposals on a model's treasury, votes weighted by balances
//! as they were when the proposal was made ([`crate::VoteBase`]), and closing.

use frame_support::{
	ensure,
	traits::{fungible::MutateHold, tokens::Precision, Get},
};
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

use crate::{
	grant::{Grant, GrantStatus, Vote},
	types::ModelId,
	Config, Error, Event, GrantId, Grants, HoldReason, NextGrantId, OpenGrants, Pallet, Tokens, VoteBase, Votes,
};

impl<T: Config> Pallet<T> {
	/// Before `who`'s balance of `model`'s token changes from `before`: for each open proposal on the model that
	/// has no record of `who` yet, records `before` (its balance when the proposal was made).
	pub(crate) fn note_balance(model: ModelId, who: &T::AccountId, before: u128) {
		for id in OpenGrants::<T>::get(model) {
			if !VoteBase::<T>::contains_key(id, who) {
				VoteBase::<T>::insert(id, who, before);
			}
		}
	}

	/// `who`'s voting weight on `grant`: its balance when the grant was proposed.
	pub fn vote_weight(grant: GrantId, model: ModelId, who: &T::AccountId) -> u128 {
		VoteBase::<T>::get(grant, who).unwrap_or_else(|| Self::holding(model, who).balance)
	}

	pub(crate) fn do_propose_grant(
		who: &T::AccountId,
		model: ModelId,
		beneficiary: T::AccountId,
		amount: u128,
		purpose: [u8; 32],
	) -> Result<GrantId, DispatchError> {
		let token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
		ensure!(Self::holding(model, who).balance > 0, Error::<T>::NotAHolder);
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(amount <= token.pool.treasury, Error::<T>::TreasuryTooLow);
		let id = NextGrantId::<T>::get();
		OpenGrants::<T>::try_mutate(model, |open| open.try_push(id)).map_err(|_| Error::<T>::TooManyGrants)?;
		T::Currency::hold(&HoldReason::GrantDeposit.into(), who, T::GrantDeposit::get())?;
		let end = frame_system::Pallet::<T>::block_number().saturating_add(crate::VotingPeriod::<T>::get());
		Grants::<T>::insert(
			id,
			Grant {
				model,
				proposer: who.clone(),
				beneficiary: beneficiary.clone(),
				amount,
				purpose,
				supply: token.pool.supply,
				ayes: 0,
				nays: 0,
				end,
				status: GrantStatus::Voting,
			},
		);
		NextGrantId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::GrantProposed { grant: id, model, proposer: who.clone(), beneficiary, amount, end });
		Ok(id)
	}

	pub(crate) fn do_vote(who: &T::AccountId, grant: GrantId, aye: bool) -> DispatchResult {
		let mut g = Grants::<T>::get(grant).ok_or(Error::<T>::UnknownGrant)?;
		let weight = Self::vote_weight(grant, g.model, who);
		let vote = Vote { aye, weight };
		let now = frame_system::Pallet::<T>::block_number();
		g.vote(vote, Votes::<T>::get(grant, who), now).map_err(Error::<T>::from)?;
		Votes::<T>::insert(grant, who, vote);
		Grants::<T>::insert(grant, g);
		Self::deposit_event(Event::Voted { grant, who: who.clone(), aye, weight });
		Ok(())
	}

	pub(crate) fn do_close_grant(grant: GrantId) -> DispatchResult {
		let mut g = Grants::<T>::get(grant).ok_or(Error::<T>::UnknownGrant)?;
		let mut token = Tokens::<T>::get(g.model).ok_or(Error::<T>::NoToken)?;
		let now = frame_system::Pallet::<T>::block_number();
		let status = g.close(T::Quorum::get(), token.pool.treasury, now).map_err(Error::<T>::from)?;
		if status == GrantStatus::Paid {
			token.pool.grant(g.amount).map_err(Error::<T>::from)?;
			Self::pay(&g.beneficiary, g.amount)?;
			Tokens::<T>::insert(g.model, token);
		}
		T::Currency::release(&HoldReason::GrantDeposit.into(), &g.proposer, T::GrantDeposit::get(), Precision::BestEffort)?;
		OpenGrants::<T>::mutate(g.model, |open| open.retain(|i| *i != grant));
		Self::deposit_event(Event::GrantClosed { grant, model: g.model, status, ayes: g.ayes, nays: g.nays, paid: if status == GrantStatus::Paid { g.amount } else { 0 } });
		Grants::<T>::insert(grant, g);
		Self::reap(grant);
		Ok(())
	}

	/// Removes up to [`crate::REAP_PER_CALL`] of a closed grant's vote records, and the grant once none is left.
	/// Returns whether it is gone.
	pub(crate) fn reap(grant: GrantId) -> bool {
		let limit = crate::REAP_PER_CALL;
		let votes = Votes::<T>::clear_prefix(grant, limit, None);
		let bases = VoteBase::<T>::clear_prefix(grant, limit.saturating_sub(votes.unique), None);
		let done = votes.maybe_cursor.is_none() && bases.maybe_cursor.is_none();
		if done {
			Grants::<T>::remove(grant);
		}
		done
	}

	pub(crate) fn do_reap_grant(grant: GrantId) -> DispatchResult {
		let g = Grants::<T>::get(grant).ok_or(Error::<T>::UnknownGrant)?;
		ensure!(g.status != GrantStatus::Voting, Error::<T>::GrantOpen);
		Self::reap(grant);
		Ok(())
	}
}
