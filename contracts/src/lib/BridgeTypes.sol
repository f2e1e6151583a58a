// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// A BEEFY validator set as the light client keeps it.
/// `root` is the binary-merkle-tree (keccak256) root over the validators' 20-byte Ethereum
/// addresses in authority order, exactly `pallet_beefy_mmr`'s `keyset_commitment`.
struct ValidatorSet {
    uint64 id;
    uint32 len;
    bytes32 root;
}

/// The part of `sp_consensus_beefy::Commitment<u32>` that the gateway accepts: a payload with a
/// single `mh` entry (the SCALE-encoded 32-byte MMR root), the block number and the set id.
/// The gateway rebuilds the SCALE bytes from these fields; raw bytes are never trusted.
struct Commitment {
    bytes32 mmrRoot;
    uint32 blockNumber;
    uint64 validatorSetId;
}

/// One validator's signature over keccak256(SCALE(commitment)), with the proof that `signer` is
/// the validator at `index` of the signing set.
struct ValidatorSignature {
    uint32 index;
    address signer;
    bytes signature; // 65 bytes r ‖ s ‖ v, v in {0, 1, 27, 28}
    bytes32[] proof; // binary-merkle-tree proof of keccak256(signer) at `index` into the set root
}

/// `sp_consensus_beefy::mmr::MmrLeaf<u32, H256, H256, H256>` as produced by `pallet_beefy_mmr`
/// with `LeafExtra = H256` (the block's outbound messages root).
struct MmrLeaf {
    uint8 version;
    uint32 parentNumber;
    bytes32 parentHash;
    uint64 nextAuthoritySetId;
    uint32 nextAuthoritySetLen;
    bytes32 nextAuthoritySetRoot;
    bytes32 leafExtra;
}

/// `sp_mmr_primitives::LeafProof<H256>` for a single leaf (`leaf_indices == [leafIndex]`).
struct MmrProof {
    uint64 leafIndex;
    uint64 leafCount;
    bytes32[] items;
}

/// An outbound Sibyl message; its leaf in the block's messages tree is abi.encode(nonce, kind, body).
struct Message {
    uint64 nonce;
    uint8 kind;
    bytes body;
}

/// A `binary_merkle_tree` proof: leaf position, number of leaves and the sibling hashes.
struct MerkleProof {
    uint32 index;
    uint32 count;
    bytes32[] items;
}
