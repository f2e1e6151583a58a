//! Reading messages to Ethereum: the proof a relayer gives the gateway, and the [`SettlementApi`] runtime API.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A message to Ethereum with its place in its block's Merkle tree (Keccak-256, `binary-merkle-tree`): the
/// gateway checks `leaf` under `root`, and `root` in the next block's MMR leaf.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct MessageProof {
	/// The message's leaf: `abi.encode(uint64 nonce, uint8 kind, bytes body)`.
	pub leaf: Vec<u8>,
	/// Its index among the block's messages.
	pub index: u32,
	/// How many messages the block queued.
	pub count: u32,
	/// The sibling hashes from the leaf up.
	pub items: Vec<[u8; 32]>,
	/// The block's messages root.
	pub root: [u8; 32],
}

sp_api::decl_runtime_apis! {
	/// Reading Sibyl's messages to Ethereum, at the block that queued them.
	pub trait SettlementApi {
		/// This block's messages: each nonce with its leaf, in order.
		fn messages() -> Vec<(u64, Vec<u8>)>;
		/// The proof of message `nonce`, if this block queued it.
		fn message_proof(nonce: u64) -> Option<MessageProof>;
	}
}
