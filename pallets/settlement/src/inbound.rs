//! Ethereum to Sibyl as plain types and functions: the gateway's events the validators attest, the tally that
//! makes one final, the order in which attested events are executed, and what an Ethereum request must pay.
//!
//! Every gateway event has a number in its own stream, counting up from 1: `InferenceRequested.id` and
//! `TokensToSibyl.nonce`. Sibyl executes each stream in order, so "already executed" is one number per stream
//! (the highest executed), and a vote for an event at or below it is a replay. Votes are taken only within a
//! window above it, which bounds what a validator can make the chain store.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use sibyl_inference_primitives::ModelId;
use sp_core::{H160, H256};

/// The two kinds of gateway events, each numbered in its own sequence.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum Stream {
	/// `InferenceRequested`, numbered by the gateway's request id.
	Requests,
	/// `TokensToSibyl`, numbered by the gateway's bridge nonce.
	Tokens,
}

/// An event's place: its stream and its number there.
pub type EventKey = (Stream, u64);

/// A gateway event as the validators attest it.
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxPrompt))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub enum EthEvent<AccountId: Clone + PartialEq + Eq + core::fmt::Debug, MaxPrompt: Get<u32>> {
	/// `InferenceRequested`: `requester` asked `model` for at most `max_new` tokens after `prompt`, paying `fee`
	/// wei into the gateway.
	Request {
		/// The gateway's request id (from 1).
		id: u64,
		/// Who called `gateway.request`.
		requester: H160,
		/// The model asked.
		model: ModelId,
		/// The prompt's token ids.
		prompt: BoundedVec<u32, MaxPrompt>,
		/// Most tokens to generate.
		max_new: u32,
		/// The fee paid on Ethereum, in wei (the gateway caps it at `uint88`).
		fee: u128,
	},
	/// `TokensToSibyl`: `from` burned `amount` bridged units of `model` on Ethereum for `to` on Sibyl.
	Tokens {
		/// The gateway's bridge nonce (from 1).
		nonce: u64,
		/// The model whose revenue-share units they are.
		model: ModelId,
		/// Who burned them.
		from: H160,
		/// Who gets them on Sibyl.
		to: AccountId,
		/// How many.
		amount: u128,
	},
}

impl<AccountId: Encode + Clone + PartialEq + Eq + core::fmt::Debug, MaxPrompt: Get<u32>> EthEvent<AccountId, MaxPrompt> {
	/// Its stream and number.
	pub fn key(&self) -> EventKey {
		match self {
			EthEvent::Request { id, .. } => (Stream::Requests, *id),
			EthEvent::Tokens { nonce, .. } => (Stream::Tokens, *nonce),
		}
	}

	/// What validators vote for: the hash of the whole event, so two versions of one event are two claims.
	pub fn claim_hash(&self) -> H256 {
		H256(sp_io::hashing::blake2_256(&self.encode()))
	}
}

/// Where the gateway is and how Sibyl reads and prices it (set by root).
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct EthConfig {
	/// The gateway contract.
	pub gateway: H160,
	/// The Ethereum chain id the gateway lives on (a worker whose endpoint answers another one does nothing).
	pub chain_id: u64,
	/// Blocks an event must be buried under before a validator attests it.
	pub confirmations: u32,
	/// The Ethereum block the gateway was deployed in: workers read events from there.
	pub start_block: u64,
	/// The price of Sibyl's fee in wei: a request whose fee in wei is below `max_fee × wei_per_planck` is
	/// refunded on Ethereum.
	pub wei_per_planck: u128,
}

/// Why a vote is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteError {
	/// The event was executed already (or its number is 0): a replay.
	Executed,
	/// The event is too far ahead of the next one to execute.
	TooFar,
}

/// Whether event `number` may be voted on when `executed` is the highest executed number of its stream and
/// `window` events above it are open.
pub fn check_window(number: u64, executed: u64, window: u32) -> Result<(), VoteError> {
	if number <= executed {
		return Err(VoteError::Executed);
	}
	if number > executed.saturating_add(window as u64) {
		return Err(VoteError::TooFar);
	}
	Ok(())
}

/// Whether `votes` of a set of `set` validators are more than two thirds of it.
pub fn passes(votes: u32, set: u32) -> bool {
	set > 0 && 3 * votes as u64 > 2 * set as u64
}

/// The least fee in wei for a request that holds `max_fee` planck on Sibyl, if it fits in 128 bits.
pub fn required_wei(max_fee: u128, wei_per_planck: u128) -> Option<u128> {
	max_fee.checked_mul(wei_per_planck)
}

/// The 32-byte account named in a `TokensToSibyl` event as an account of this chain, if it decodes as one.
pub fn account_from_bytes<AccountId: Decode>(bytes: &[u8; 32]) -> Option<AccountId> {
	AccountId::decode(&mut &bytes[..]).ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn votes_are_taken_only_above_the_executed_number_and_within_the_window() {
		assert_eq!(check_window(0, 0, 4), Err(VoteError::Executed));
		assert_eq!(check_window(1, 0, 4), Ok(()));
		assert_eq!(check_window(4, 0, 4), Ok(()));
		assert_eq!(check_window(5, 0, 4), Err(VoteError::TooFar));
		assert_eq!(check_window(7, 7, 4), Err(VoteError::Executed));
		assert_eq!(check_window(8, 7, 4), Ok(()));
		assert_eq!(check_window(u64::MAX, u64::MAX - 1, 4), Ok(()));
	}

	#[test]
	fn more_than_two_thirds_pass() {
		assert!(!passes(0, 0));
		assert!(!passes(2, 3));
		assert!(passes(3, 3));
		assert!(!passes(2, 4));
		assert!(passes(3, 4));
		assert!(!passes(4, 6));
		assert!(passes(5, 6));
		assert!(passes(67, 100));
		assert!(!passes(66, 100));
		assert!(passes(1, 1));
	}

	#[test]
	fn the_required_fee_is_the_held_fee_at_the_rate_or_nothing_on_overflow() {
		assert_eq!(required_wei(1_000, 7), Some(7_000));
		assert_eq!(required_wei(u128::MAX, 2), None);
	}

	#[test]
	fn two_versions_of_one_event_are_two_claims_on_one_key() {
		type E = EthEvent<u64, frame_support::traits::ConstU32<4>>;
		let a = E::Tokens { nonce: 3, model: 0, from: H160::zero(), to: 1, amount: 10 };
		let b = E::Tokens { nonce: 3, model: 0, from: H160::zero(), to: 2, amount: 10 };
		assert_eq!(a.key(), (Stream::Tokens, 3));
		assert_eq!(a.key(), b.key());
		assert_ne!(a.claim_hash(), b.claim_hash());
	}
}
