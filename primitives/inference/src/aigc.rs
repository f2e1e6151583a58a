//! Reading AI-generated content NFTs: what a minted answer commits to, and the [`AigcApi`] runtime API.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{ModelId, RequestId, Root};

/// What the NFT of a finalized answer commits to, checked against the request when it was minted.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
pub struct AigcRecord<AccountId> {
	/// The model that answered (the NFT's collection).
	pub model: ModelId,
	/// The model's engine commitment.
	pub model_root: Root,
	/// `blake2_256` of the SCALE-encoded prompt token ids.
	pub prompt_hash: [u8; 32],
	/// `blake2_256` of the SCALE-encoded output token ids.
	pub output_hash: [u8; 32],
	/// The engine's final state root of the run.
	pub final_root: Root,
	/// Who minted it (the requester).
	pub minted_by: AccountId,
}

sp_api::decl_runtime_apis! {
	/// Reading Sibyl's AI-generated content NFTs.
	pub trait AigcApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// The record of the NFT minted from `request` (item `request` of its model's collection) and its
		/// current owner.
		fn record(request: RequestId) -> Option<(AigcRecord<AccountId>, Option<AccountId>)>;
		/// Whether `prompt` and `output` are exactly the minted answer's (ERC-7007 `verify`).
		fn verify(request: RequestId, prompt: Vec<u32>, output: Vec<u32>) -> bool;
	}
}
