// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MmrLeaf} from "../../src/lib/BridgeTypes.sol";
import {BinaryMerkle} from "../../src/lib/BinaryMerkle.sol";
import {MerkleMountainRange} from "../../src/lib/MerkleMountainRange.sol";
import {SubstrateEncoding} from "../../src/lib/SubstrateEncoding.sol";

/// Exposes the gateway's internal libraries (calldata arguments) to the tests.
contract LibHarness {
    event Touched();

    /// A cheap non-static call (used to detect forge's --isolate mode).
    function touch() external {
        emit Touched();
    }

    function merkleVerify(bytes32 root, bytes32 leafHash, uint256 index, uint256 width, bytes32[] calldata items)
        external
        pure
        returns (bool)
    {
        return BinaryMerkle.verify(root, leafHash, index, width, items);
    }

    function mmrVerify(bytes32 root, bytes32 leafHash, uint256 leafIndex, uint256 leafCount, bytes32[] calldata items)
        external
        pure
        returns (bool)
    {
        return MerkleMountainRange.verifyLeaf(root, leafHash, leafIndex, leafCount, items);
    }

    function encodeCommitment(bytes32 mmrRoot, uint32 blockNumber, uint64 setId) external pure returns (bytes memory) {
        return SubstrateEncoding.encodeCommitment(mmrRoot, blockNumber, setId);
    }

    function encodeMmrLeaf(MmrLeaf calldata leaf) external pure returns (bytes memory) {
        return SubstrateEncoding.encodeMmrLeaf(leaf);
    }
}
