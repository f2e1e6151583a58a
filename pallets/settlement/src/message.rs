//! Messages to Ethereum as plain types: their ABI encoding (what the gateway contract decodes), the Merkle
//! root of a block's messages (what the block's MMR leaf carries as `leaf_extra`) and the proof of one of them.
//!
//! A message's leaf is `abi.encode(uint64 nonce, uint8 kind, bytes body)`; the root is `binary-merkle-tree`'s
//! over the leaves with Keccak-256 (leaves hashed first, an odd last node promoted), the zero hash for none.

use alloc::vec::Vec;
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{sol_data, SolType};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sibyl_inference_primitives::ModelId;
use sp_core::{H160, H256};
use sp_runtime::traits::Keccak256;

/// What a message asks the gateway to do; the discriminant is the ABI `kind`.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum Kind {
	/// An inference result for a request made on Ethereum.
	InferenceResult = 0,
	/// Mint bridged revenue-share units to an Ethereum account.
	TokenMint = 1,
	/// Refund an Ethereum request that Sibyl refused or timed out.
	Refund = 2,
}

/// The body of a [`Kind::TokenMint`]: `abi.encode(uint32 modelId, address recipient, uint256 amount)`.
pub fn token_mint_body(model: ModelId, recipient: H160, amount: u128) -> Vec<u8> {
	<(sol_data::Uint<32>, sol_data::Address, sol_data::Uint<256>) as SolType>::abi_encode_params(&(
		model,
		Address::from(recipient.0),
		U256::from(amount),
	))
}

/// The body of a [`Kind::InferenceResult`]: `abi.encode(uint64 ethRequestId, uint64 sibylRequestId,
/// uint32 modelId, uint32[] outputTokens, bytes32 finalStateRoot)`.
pub fn result_body(eth_request: u64, sibyl_request: u64, model: ModelId, output: &[u32], final_root: [u8; 32]) -> Vec<u8> {
	<(
		sol_data::Uint<64>,
		sol_data::Uint<64>,
		sol_data::Uint<32>,
		sol_data::Array<sol_data::Uint<32>>,
		sol_data::FixedBytes<32>,
	) as SolType>::abi_encode_params(&(
		eth_request,
		sibyl_request,
		model,
		output.to_vec(),
		alloy_primitives::FixedBytes(final_root),
	))
}

/// The body of a [`Kind::Refund`]: `abi.encode(uint64 ethRequestId)`.
pub fn refund_body(eth_request: u64) -> Vec<u8> {
	<(sol_data::Uint<64>,) as SolType>::abi_encode_params(&(eth_request,))
}

/// A message's leaf: `abi.encode(uint64 nonce, uint8 kind, bytes body)`.
pub fn leaf(nonce: u64, kind: Kind, body: &[u8]) -> Vec<u8> {
	<(sol_data::Uint<64>, sol_data::Uint<8>, sol_data::Bytes) as SolType>::abi_encode_params(&(
		nonce,
		kind as u8,
		Bytes::copy_from_slice(body),
	))
}

/// The Merkle root of the leaves (the zero hash for none).
pub fn root<L: AsRef<[u8]>>(leaves: &[L]) -> H256 {
	if leaves.is_empty() {
		return H256::zero();
	}
	binary_merkle_tree::merkle_root::<Keccak256, _>(leaves.iter().map(|l| l.as_ref()))
}

pub use sibyl_inference_primitives::settlement::MessageProof;

/// The proof of leaf `index` among `leaves`, if there is one.
pub fn prove<L: AsRef<[u8]>>(leaves: &[L], index: u32) -> Option<MessageProof> {
	let leaf = leaves.get(index as usize)?.as_ref().to_vec();
	let p = binary_merkle_tree::merkle_proof::<Keccak256, _, _>(leaves.iter().map(|l| l.as_ref()), index);
	Some(MessageProof {
		leaf,
		index,
		count: leaves.len() as u32,
		items: p.proof.into_iter().map(|h| h.0).collect(),
		root: p.root.0,
	})
}

/// Whether `proof` proves its leaf under its root.
pub fn verify(proof: &MessageProof) -> bool {
	binary_merkle_tree::verify_proof::<Keccak256, _, _>(
		&H256(proof.root),
		proof.items.iter().map(|h| H256(*h)),
		proof.count,
		proof.index,
		&proof.leaf,
	)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn word(n: u64) -> [u8; 32] {
		let mut w = [0u8; 32];
		w[24..].copy_from_slice(&n.to_be_bytes());
		w
	}

	#[test]
	fn a_leaf_is_the_solidity_abi_encoding_of_nonce_kind_and_body() {
		// abi.encode(uint64 7, uint8 1, bytes 0xabcdef): three head words (the body as an offset), then the
		// body's length and its bytes right-padded to a word.
		let got = leaf(7, Kind::TokenMint, &[0xab, 0xcd, 0xef]);
		let mut want = Vec::new();
		want.extend_from_slice(&word(7));
		want.extend_from_slice(&word(1));
		want.extend_from_slice(&word(0x60));
		want.extend_from_slice(&word(3));
		let mut tail = [0u8; 32];
		tail[..3].copy_from_slice(&[0xab, 0xcd, 0xef]);
		want.extend_from_slice(&tail);
		assert_eq!(got, want);
	}

	#[test]
	fn a_mint_body_is_model_recipient_and_amount_in_words() {
		let recipient = H160::repeat_byte(0x11);
		let got = token_mint_body(5, recipient, 1_000_000_000_000_000_000_000);
		assert_eq!(got.len(), 96);
		assert_eq!(got[..32], word(5));
		assert_eq!(got[32..44], [0u8; 12]);
		assert_eq!(got[44..64], recipient.0);
		assert_eq!(U256::from_be_slice(&got[64..]), U256::from(1_000_000_000_000_000_000_000u128));
	}

	#[test]
	fn a_result_body_has_five_head_words_then_the_output_array() {
		let got = result_body(9, 4, 2, &[5, 6, 7], [0xaa; 32]);
		assert_eq!(got.len(), 5 * 32 + 32 + 3 * 32);
		assert_eq!(got[..32], word(9));
		assert_eq!(got[32..64], word(4));
		assert_eq!(got[64..96], word(2));
		assert_eq!(got[96..128], word(5 * 32), "the array's offset");
		assert_eq!(got[128..160], [0xaa; 32]);
		assert_eq!(got[160..192], word(3));
		assert_eq!(got[192..224], word(5));
		assert_eq!(got[256..288], word(7));
		assert_eq!(refund_body(9), word(9).to_vec());
	}

	#[test]
	fn roots_and_proofs_follow_binary_merkle_tree_with_keccak() {
		assert_eq!(root::<Vec<u8>>(&[]), H256::zero());
		let leaves: Vec<Vec<u8>> = (0..5u64).map(|n| leaf(n, Kind::TokenMint, &[n as u8])).collect();
		// One leaf: its hash is the root.
		assert_eq!(root(&leaves[..1]), H256(sp_io::hashing::keccak_256(&leaves[0])));
		// Two: the hash of the two hashes, in order.
		let pair = [sp_io::hashing::keccak_256(&leaves[0]), sp_io::hashing::keccak_256(&leaves[1])].concat();
		assert_eq!(root(&leaves[..2]), H256(sp_io::hashing::keccak_256(&pair)));
		let r = root(&leaves);
		for i in 0..5 {
			let p = prove(&leaves, i).expect("a leaf");
			assert_eq!(H256(p.root), r);
			assert!(verify(&p), "leaf {i}");
			let mut wrong = p.clone();
			wrong.leaf[0] ^= 1;
			assert!(!verify(&wrong), "a changed leaf {i}");
		}
		assert!(prove(&leaves, 5).is_none());
	}
}
