//! # Types of Sibyl's inference oracle shared outside the runtime
//!
//! The inference pallet keeps requests, results, models and operators in storage; clients (polkadot.js, the
//! node's `ask` command, the operator's off-chain worker) read them through the runtime API
//! [`InferenceApi`] declared here, in the plain types below, so that every reader decodes the same bytes.
//!
//! - A **model** is registered under its engine commitment (a 32-byte Merkle root over its configuration and
//!   tensors) and gets a [`ModelId`].
//! - A **request** asks one model for at most `max_new` tokens after a prompt of token ids; it gets a
//!   [`RequestId`] and moves through the [`RequestStatus`] states.
//! - The node runs inference for its off-chain worker through the host function in [`host`].
//! - A **result** is the assigned operator's answer: output token ids, the engine's final state root and its step
//!   count. It becomes final after a challenge window; [`InferenceApi::final_result`] returns only final results.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod aigc;
pub mod dispute;
pub mod revshare;
pub mod settlement;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifies a registered model.
pub type ModelId = u32;
/// Identifies a request; ids are never reused.
pub type RequestId = u64;
/// A 32-byte commitment (model root, state root).
pub type Root = [u8; 32];

/// Why a request was refunded without a final result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum RefundReason {
	/// No bonded operator other than the requester served the model.
	NoOperator,
	/// Every allowed attempt missed its deadline, or no other operator could take it over.
	DeadlineMissed,
	/// A rejected result could not be answered again.
	ResultRejected,
}

/// Where a request is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub enum RequestStatus<AccountId, BlockNumber> {
	/// Submitted; an operator is drawn at the start of the next block.
	Queued,
	/// An operator must propose a result by `deadline`.
	Assigned {
		/// The operator that must answer.
		operator: AccountId,
		/// Last block in which its proposal is accepted.
		deadline: BlockNumber,
	},
	/// A result is in its challenge window.
	Proposed {
		/// The proposer.
		operator: AccountId,
		/// The result becomes final at the start of this block if no dispute is open.
		window_end: BlockNumber,
	},
	/// The result is challenged; it is not final while any game on it is open.
	Disputed {
		/// The proposer.
		operator: AccountId,
		/// Number of open games.
		games: u32,
		/// End of the challenge window.
		window_end: BlockNumber,
	},
	/// The result is final and the fee was paid out.
	Finalized {
		/// Block of finalization.
		at: BlockNumber,
	},
	/// The requester cancelled before a result was proposed; the whole fee was refunded.
	Cancelled {
		/// Block of the cancellation.
		at: BlockNumber,
	},
	/// The request ended without a result; the whole fee was refunded.
	Refunded {
		/// Block of the refund.
		at: BlockNumber,
		/// Why.
		reason: RefundReason,
	},
}

impl<A, B> RequestStatus<A, B> {
	/// A short lower-case name of the state (`queued`, `assigned`, `proposed`, `disputed`, `finalized`,
	/// `cancelled`, `refunded`), as clients show it.
	pub fn name(&self) -> &'static str {
		match self {
			RequestStatus::Queued => "queued",
			RequestStatus::Assigned { .. } => "assigned",
			RequestStatus::Proposed { .. } => "proposed",
			RequestStatus::Disputed { .. } => "disputed",
			RequestStatus::Finalized { .. } => "finalized",
			RequestStatus::Cancelled { .. } => "cancelled",
			RequestStatus::Refunded { .. } => "refunded",
		}
	}

	/// Whether the request has ended (finalized, cancelled or refunded): nothing is held for it any more.
	pub fn is_terminal(&self) -> bool {
		matches!(
			self,
			RequestStatus::Finalized { .. } | RequestStatus::Cancelled { .. } | RequestStatus::Refunded { .. }
		)
	}
}

/// A request as clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RequestView<AccountId, Balance, BlockNumber> {
	/// Who asked and pays.
	pub requester: AccountId,
	/// The model asked.
	pub model: ModelId,
	/// Prompt token ids.
	pub prompt: Vec<u32>,
	/// Most tokens to generate.
	pub max_new: u32,
	/// The amount held from the requester: the most the request can cost, tip included.
	pub max_fee: Balance,
	/// Block in which the request was submitted.
	pub submitted_at: BlockNumber,
	/// Where the request is.
	pub status: RequestStatus<AccountId, BlockNumber>,
}

/// A result as clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ResultView<AccountId, Balance, BlockNumber> {
	/// The operator that proposed it.
	pub operator: AccountId,
	/// Generated token ids.
	pub output: Vec<u32>,
	/// The engine's final state root.
	pub final_root: Root,
	/// Number of engine steps.
	pub steps: u32,
	/// Block of the proposal.
	pub proposed_at: BlockNumber,
	/// The fee the requester paid (tip included); the rest of what was held was refunded.
	pub fee_paid: Balance,
}

/// What a fee quote is made of: [`Quote::total`] is exactly what a request holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Quote<Balance> {
	/// The model's fee per request.
	pub base: Balance,
	/// The model's fee per output token, times `max_new`.
	pub tokens: Balance,
	/// The tip, paid whole to the operator.
	pub tip: Balance,
	/// Sum of the three: held at submission. A result with fewer tokens than `max_new` costs less, and the
	/// difference is refunded at finalization.
	pub total: Balance,
}

/// Why a quote can not be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum QuoteError {
	/// No model with this id.
	UnknownModel,
	/// The model is retired.
	ModelRetired,
	/// `max_new` is zero or over the model's limit.
	BadMaxNew,
	/// The fee does not fit in a balance.
	Overflow,
}

sp_api::decl_runtime_apis! {
	/// Reading Sibyl's inference oracle.
	pub trait InferenceApi<AccountId, Balance, BlockNumber>
	where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// The exact amount a request for `max_new` tokens with `tip` holds on `model`.
		fn quote(model: ModelId, max_new: u32, tip: Balance) -> Result<Quote<Balance>, QuoteError>;
		/// A request and its status, while it is stored (until its retention period ends).
		fn request(id: RequestId) -> Option<RequestView<AccountId, Balance, BlockNumber>>;
		/// The result of a request, only once it is final.
		fn final_result(id: RequestId) -> Option<ResultView<AccountId, Balance, BlockNumber>>;
		/// The result of a request whatever its state (proposed, disputed or final).
		fn proposed_result(id: RequestId) -> Option<ResultView<AccountId, Balance, BlockNumber>>;
		/// The requests assigned to `operator` that still wait for its proposal, oldest first.
		fn operator_queue(operator: AccountId) -> Vec<RequestId>;
		/// The model registered under `root`, if any.
		fn model_by_root(root: Root) -> Option<ModelId>;
		/// A registered model.
		fn model(id: ModelId) -> Option<ModelView<AccountId, Balance>>;
	}
}

/// A model as clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ModelView<AccountId, Balance> {
	/// Human-readable name.
	pub name: Vec<u8>,
	/// The engine commitment.
	pub root: Root,
	/// Owner.
	pub owner: AccountId,
	/// Vocabulary size.
	pub n_vocab: u32,
	/// Longest prompt plus output.
	pub max_seq: u32,
	/// Most tokens per request.
	pub max_new_limit: u32,
	/// Fee per request.
	pub fee_base: Balance,
	/// Fee per generated token.
	pub fee_per_token: Balance,
	/// Whether it takes requests.
	pub active: bool,
	/// Operators serving it.
	pub operators: u32,
}

pub mod host;
