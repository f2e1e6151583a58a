// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Hashing} from "./Hashing.sol";

/// Verifier for `binary_merkle_tree` (Substrate, with the Keccak256 hasher) proofs.
///
/// Tree: leaves are hashed first (keccak256(leaf)); each row is paired left to right and a
/// pair (a, b) becomes keccak256(a ‖ b); an odd last node is promoted to the next row unchanged.
/// A proof lists, bottom-up, the sibling of the path node at every row where it has one
/// (`merkle_proof` skips the rows where the node is promoted).
///
/// The root computed here equals `binary_merkle_tree::verify_proof` for every proof that
/// `merkle_proof` produces, but this verifier is stricter: it walks the rows one by one with the
/// exact width, so it knows where promotions happen, and it requires the proof to have exactly
/// the expected number of items. `verify_proof` does not check the length, which lets a proof
/// for one leaf verify at another index (e.g. with 6 leaves, the proof of leaf 5 also verifies
/// at index 3). The light client relies on index <-> leaf being one-to-one to count distinct
/// signers, hence the strictness.
library BinaryMerkle {
    function verify(bytes32 root, bytes32 leafHash, uint256 index, uint256 width, bytes32[] calldata items)
        internal
        pure
        returns (bool)
    {
        if (index >= width) return false;
        bytes32 node = leafHash;
        uint256 used;
        uint256 n = items.length;
        while (width > 1) {
            if (index & 1 == 1) {
                // right child: sibling on the left
                if (used == n) return false;
                node = Hashing.pair(items[used], node);
                unchecked {
                    ++used;
                }
            } else if (index + 1 < width) {
                // left child with a right sibling
                if (used == n) return false;
                node = Hashing.pair(node, items[used]);
                unchecked {
                    ++used;
                }
            }
            // else: last node of an odd row, promoted unchanged
            index >>= 1;
            width = (width + 1) >> 1;
        }
        return used == n && node == root;
    }
}
