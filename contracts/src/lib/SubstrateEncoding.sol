// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MmrLeaf} from "./BridgeTypes.sol";

/// SCALE encodings of the two BEEFY structures the gateway hashes.
library SubstrateEncoding {
    /// SCALE prefix of `Payload(vec![(*b"mh", mmr_root.encode())])`:
    /// 0x04 = compact(1) entries, 0x6d68 = "mh", 0x80 = compact(32) bytes of value.
    bytes4 internal constant MMR_ROOT_PAYLOAD_PREFIX = 0x046d6880;

    /// Length in bytes of SCALE(Commitment<u32>) with the single `mh` payload entry.
    uint256 internal constant COMMITMENT_LENGTH = 48;
    /// Length in bytes of SCALE(MmrLeaf<u32, H256, H256, H256>).
    uint256 internal constant MMR_LEAF_LENGTH = 113;

    /// Byte-swaps a u32 (big-endian in the EVM word, little-endian in SCALE).
    function le32(uint32 v) internal pure returns (bytes4) {
        v = ((v & 0xFF00FF00) >> 8) | ((v & 0x00FF00FF) << 8);
        v = (v >> 16) | (v << 16);
        return bytes4(v);
    }

    /// Byte-swaps a u64.
    function le64(uint64 v) internal pure returns (bytes8) {
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | (v << 32);
        return bytes8(v);
    }

    /// SCALE(Commitment { payload: [("mh", SCALE(mmrRoot))], block_number: u32, validator_set_id: u64 }).
    function encodeCommitment(bytes32 mmrRoot, uint32 blockNumber, uint64 validatorSetId)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(MMR_ROOT_PAYLOAD_PREFIX, mmrRoot, le32(blockNumber), le64(validatorSetId));
    }

    /// The message BEEFY validators sign (they sign keccak256 of the SCALE-encoded commitment).
    function commitmentHash(bytes32 mmrRoot, uint32 blockNumber, uint64 validatorSetId)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(encodeCommitment(mmrRoot, blockNumber, validatorSetId));
    }

    /// SCALE(MmrLeaf): version u8, (parent number u32, parent hash H256),
    /// BeefyAuthoritySet { id u64, len u32, keyset_commitment H256 }, leaf_extra H256.
    function encodeMmrLeaf(MmrLeaf memory leaf) internal pure returns (bytes memory) {
        return abi.encodePacked(
            leaf.version,
            le32(leaf.parentNumber),
            leaf.parentHash,
            le64(leaf.nextAuthoritySetId),
            le32(leaf.nextAuthoritySetLen),
            leaf.nextAuthoritySetRoot,
            leaf.leafExtra
        );
    }

    /// MMR leaf hash = keccak256(SCALE(leaf)) (pallet-mmr `DataOrHash::Data(leaf).hash()`).
    function hashMmrLeaf(MmrLeaf memory leaf) internal pure returns (bytes32) {
        return keccak256(encodeMmrLeaf(leaf));
    }
}
