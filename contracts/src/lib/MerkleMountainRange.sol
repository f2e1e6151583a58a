// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Hashing} from "./Hashing.sol";

/// Verifier for single-leaf proofs of Substrate's `pallet_mmr` (polkadot-ckb-merkle-mountain-range
/// 0.8.3) with the Keccak256 hasher, i.e. `sp_mmr_primitives::LeafProof { leaf_indices: [i],
/// leaf_count, items }`.
///
/// MMR shape: the leaves are split into perfect binary trees ("peaks"), one per set bit of
/// `leafCount`, the highest first (leftmost). A node is keccak256(left ‖ right). The root bags the
/// peaks from the right: acc = P_last; acc = keccak256(acc ‖ P_i) for i from last-1 down to 0
/// (`merge_peaks(right, left)`).
///
/// Proof item order (ckb `gen_proof` for one leaf):
///   1. the hashes of the peaks left of the leaf's peak, left to right;
///   2. the siblings on the path from the leaf up to its peak, bottom-up;
///   3. if there are peaks right of the leaf's peak, one item: those peaks bagged (or the single
///      peak itself).
/// `calculate_root` would also accept a proof missing item 3 (it then bags fewer peaks); such a
/// proof cannot match a real root, and this verifier requires the exact item count.
library MerkleMountainRange {
    function verifyLeaf(
        bytes32 root,
        bytes32 leafHash,
        uint256 leafIndex,
        uint256 leafCount,
        bytes32[] calldata items
    ) internal pure returns (bool) {
        if (leafIndex >= leafCount) return false;

        // Find the peak holding the leaf: peaks are the set bits of leafCount, highest first.
        uint256 peakStart; // index of the first leaf under the current peak
        uint256 leftPeaks;
        uint256 height;
        uint256 remaining = leafCount;
        while (true) {
            height = _log2(remaining);
            uint256 size = 1 << height;
            if (leafIndex < peakStart + size) {
                remaining -= size;
                break;
            }
            peakStart += size;
            remaining -= size;
            unchecked {
                ++leftPeaks;
            }
        }
        bool hasRight = remaining != 0;

        uint256 expected = leftPeaks + height + (hasRight ? 1 : 0);
        if (items.length != expected) return false;

        // Climb to the peak: bit j of the local index says whether the node is a right child.
        bytes32 node = leafHash;
        uint256 local = leafIndex - peakStart;
        for (uint256 j; j < height; ++j) {
            bytes32 sibling = items[leftPeaks + j];
            node = (local >> j) & 1 == 1 ? Hashing.pair(sibling, node) : Hashing.pair(node, sibling);
        }

        // Bag: right part first, then the left peaks from right to left.
        if (hasRight) node = Hashing.pair(items[expected - 1], node);
        for (uint256 i = leftPeaks; i > 0; --i) {
            node = Hashing.pair(node, items[i - 1]);
        }
        return node == root;
    }

    /// floor(log2(x)) for x > 0.
    function _log2(uint256 x) private pure returns (uint256 r) {
        if (x >= 1 << 128) {
            x >>= 128;
            r += 128;
        }
        if (x >= 1 << 64) {
            x >>= 64;
            r += 64;
        }
        if (x >= 1 << 32) {
            x >>= 32;
            r += 32;
        }
        if (x >= 1 << 16) {
            x >>= 16;
            r += 16;
        }
        if (x >= 1 << 8) {
            x >>= 8;
            r += 8;
        }
        if (x >= 1 << 4) {
            x >>= 4;
            r += 4;
        }
        if (x >= 1 << 2) {
            x >>= 2;
            r += 2;
        }
        if (x >= 1 << 1) r += 1;
    }
}
