//! Grants from a model's treasury as plain functions: a holder proposes paying an amount to a beneficiary; the
//! holders vote with their balances as they were when the proposal was made; after the voting period the
//! proposal passes if the ayes outweigh the nays and reach the quorum, and then it is paid if the treasury still
//! holds the amount.
//!
//! Balances "as they were when the proposal was made" are kept without iterating holders: while a proposal is
//! open, the first change of any holding's balance records the balance before it (the pallet's `VoteBase`).
//! A vote counts that record, or the current balance if the holding has not changed since. So units moved to
//! another account after the proposal was made carry no weight there: nobody votes twice with the same units.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Where a proposal is.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub enum GrantStatus {
	/// Votes are taken until the end.
	Voting,
	/// Passed and paid.
	Paid,
	/// Passed, but the treasury no longer held the amount.
	Unfunded,
	/// Did not pass.
	Rejected,
}

/// A grant proposal.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct Grant<AccountId, BlockNumber> {
	/// The model whose treasury pays.
	pub model: u32,
	/// Who proposed it (its deposit is held until the proposal ends).
	pub proposer: AccountId,
	/// Who is paid if it passes.
	pub beneficiary: AccountId,
	/// Planck to pay.
	pub amount: u128,
	/// A hash of what the grant is for (the text lives off chain).
	pub purpose: [u8; 32],
	/// The supply when it was proposed: the quorum is a share of it.
	pub supply: u128,
	/// Weight for.
	pub ayes: u128,
	/// Weight against.
	pub nays: u128,
	/// Last block of voting.
	pub end: BlockNumber,
	/// Voting, paid, unfunded or rejected.
	pub status: GrantStatus,
}

/// A holder's vote on a grant: for or against, with its weight.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct Vote {
	/// For (`true`) or against.
	pub aye: bool,
	/// Units counted.
	pub weight: u128,
}

/// Why a grant operation was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GrantError {
	/// Voting has ended.
	VotingEnded,
	/// Voting has not ended.
	VotingOpen,
	/// The proposal is already decided.
	Decided,
	/// The voter had no units when the proposal was made.
	NoWeight,
}

impl<AccountId, BlockNumber: Copy + Ord> Grant<AccountId, BlockNumber> {
	/// Counts `vote` at `now`, replacing the voter's earlier vote `previous` if any.
	pub fn vote(&mut self, vote: Vote, previous: Option<Vote>, now: BlockNumber) -> Result<(), GrantError> {
		if self.status != GrantStatus::Voting {
			return Err(GrantError::Decided);
		}
		if now > self.end {
			return Err(GrantError::VotingEnded);
		}
		if vote.weight == 0 {
			return Err(GrantError::NoWeight);
		}
		if let Some(p) = previous {
			let side = if p.aye { &mut self.ayes } else { &mut self.nays };
			*side = side.saturating_sub(p.weight);
		}
		let side = if vote.aye { &mut self.ayes } else { &mut self.nays };
		*side = side.saturating_add(vote.weight);
		Ok(())
	}

	/// Whether it passes: more ayes than nays, and ayes of at least `quorum` of the supply when proposed.
	pub fn passes(&self, quorum: Perbill) -> bool {
		self.ayes > self.nays && self.ayes >= quorum.mul_ceil(self.supply)
	}

	/// Decides it after its end: `Paid` if it passes and `treasury` holds the amount, `Unfunded` if it passes
	/// and does not, `Rejected` otherwise.
	pub fn close(&mut self, quorum: Perbill, treasury: u128, now: BlockNumber) -> Result<GrantStatus, GrantError> {
		if self.status != GrantStatus::Voting {
			return Err(GrantError::Decided);
		}
		if now <= self.end {
			return Err(GrantError::VotingOpen);
		}
		self.status = match (self.passes(quorum), treasury >= self.amount) {
			(true, true) => GrantStatus::Paid,
			(true, false) => GrantStatus::Unfunded,
			(false, _) => GrantStatus::Rejected,
		};
		Ok(self.status)
	}
}
