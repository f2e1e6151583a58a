//! What the pallet stores: models, operators, requests, results and the chain's timing parameters.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, Deserialize, Serialize};
use scale_info::TypeInfo;


pub use sibyl_inference_primitives::{ModelId, RequestId, Root};

use crate::lifecycle::{FeeTerms, RequestStatus};

/// Whether a model takes new requests.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub enum ModelState {
	/// Takes requests.
	Active,
	/// Retired by its owner: no new requests; requests already made run to their end.
	Retired,
}

/// A registered model.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(NameLen, ConfigLen))]
pub struct ModelInfo<AccountId, Balance, NameLen: frame_support::traits::Get<u32>, ConfigLen: frame_support::traits::Get<u32>> {
	/// Who registered it: may change its fees and retire it.
	pub owner: AccountId,
	/// The engine commitment: a Merkle root over the configuration and every tensor.
	pub root: Root,
	/// A human-readable name (UTF-8).
	pub name: BoundedVec<u8, NameLen>,
	/// The engine configuration (`sibyl_engine::ModelConfig`), SCALE-encoded; proven to be leaf 0 of `root`.
	pub config: BoundedVec<u8, ConfigLen>,
	/// Vocabulary size, from the configuration.
	pub n_vocab: u32,
	/// Longest sequence (prompt plus output), from the configuration.
	pub max_seq: u32,
	/// Most tokens one request may ask for (at most `max_seq - 1`).
	pub max_new_limit: u32,
	/// Fee per request.
	pub fee_base: Balance,
	/// Fee per generated token.
	pub fee_per_token: Balance,
	/// Where the model's share of fees goes (until a revenue-share token takes it over).
	pub revenue: AccountId,
	/// Held from the owner while the model is registered.
	pub deposit: Balance,
	/// Active or retired.
	pub state: ModelState,
}

/// Whether an operator takes new work.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum OperatorState<BlockNumber> {
	/// Bonded; gets requests for the models it serves while its bond is at least the minimum.
	Active,
	/// Leaving: gets no new work; its bond can be withdrawn from block `until` once its open work has ended.
	Unbonding {
		/// First block in which the bond can be withdrawn.
		until: BlockNumber,
	},
}

/// A bonded operator.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxModels, MaxQueue))]
pub struct OperatorInfo<
	Balance,
	BlockNumber,
	MaxModels: frame_support::traits::Get<u32>,
	MaxQueue: frame_support::traits::Get<u32>,
> {
	/// Held bond (slashable).
	pub bond: Balance,
	/// Active or unbonding.
	pub state: OperatorState<BlockNumber>,
	/// The models it serves.
	pub models: BoundedVec<ModelId, MaxModels>,
	/// The requests assigned to it that wait for its proposal, oldest first: what its off-chain worker runs.
	/// An operator whose queue is full is not drawn.
	pub queue: BoundedVec<RequestId, MaxQueue>,
	/// Requests assigned to it or answered by it that have not ended: it can not withdraw while any is open.
	pub open: u32,
}

/// A request in storage.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxPrompt, MaxAttempts))]
pub struct RequestInfo<
	AccountId,
	Balance,
	BlockNumber,
	MaxPrompt: frame_support::traits::Get<u32>,
	MaxAttempts: frame_support::traits::Get<u32>,
> {
	/// Who asked and pays.
	pub requester: AccountId,
	/// The model asked.
	pub model: ModelId,
	/// Prompt token ids (the chat template applied).
	pub prompt: BoundedVec<u32, MaxPrompt>,
	/// The price, fixed at submission.
	pub terms: FeeTerms<Balance>,
	/// Held from the requester: `terms.max_fee()`.
	pub held: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Where it is.
	pub status: RequestStatus<AccountId, BlockNumber>,
	/// Operators that were assigned this request and failed it (missed the deadline or had their result
	/// rejected); they are not drawn again for it. Its length is the number of failed attempts.
	pub failed: BoundedVec<AccountId, MaxAttempts>,
	/// The block whose hook next looks at this request (deadline, window end or pruning), if any.
	pub wake: Option<BlockNumber>,
}

/// A proposed result.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxOutput))]
pub struct ResultInfo<AccountId, Balance, BlockNumber, MaxOutput: frame_support::traits::Get<u32>> {
	/// The proposer.
	pub operator: AccountId,
	/// Generated token ids.
	pub output: BoundedVec<u32, MaxOutput>,
	/// The engine's final state root.
	pub final_root: Root,
	/// Engine steps from the initial state to the final one.
	pub steps: u32,
	/// Block of the proposal.
	pub proposed_at: BlockNumber,
	/// Held from the proposer until the result is final or rejected.
	pub bond: Balance,
	/// What the requester paid, set at finalization (zero before).
	pub fee_paid: Balance,
}

/// Timing of the request lifecycle, in blocks. Set in genesis (short on development chains) and by root.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct Params<BlockNumber> {
	/// Blocks an assigned operator has to propose a result (its deadline is assignment block + this).
	pub propose_timeout: BlockNumber,
	/// Blocks a proposed result can be challenged before it is final.
	pub challenge_window: BlockNumber,
	/// Blocks a request and its result stay readable after they end.
	pub retention: BlockNumber,
	/// Blocks between an operator's unbonding and the earliest withdrawal of its bond.
	pub unbond_delay: BlockNumber,
}

/// A model registered in the genesis block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct GenesisModel<AccountId, Balance> {
	/// Owner (pays the deposit).
	pub owner: AccountId,
	/// Name.
	pub name: alloc::vec::Vec<u8>,
	/// Engine commitment.
	pub root: Root,
	/// SCALE-encoded engine configuration.
	pub config: alloc::vec::Vec<u8>,
	/// Merkle siblings proving `config` is leaf 0 of `root`.
	pub config_proof: alloc::vec::Vec<Root>,
	/// Most tokens per request.
	pub max_new_limit: u32,
	/// Fee per request.
	pub fee_base: Balance,
	/// Fee per generated token.
	pub fee_per_token: Balance,
	/// Revenue account.
	pub revenue: AccountId,
}

/// An operator bonded in the genesis block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct GenesisOperator<AccountId, Balance> {
	/// The operator's account (its off-chain worker signs with this key).
	pub who: AccountId,
	/// Bond.
	pub bond: Balance,
	/// Ids of the models it serves (of the genesis models, numbered from 0 in their order).
	pub models: alloc::vec::Vec<ModelId>,
}
