// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

library Hashing {
    /// keccak256(a ‖ b) using the scratch space.
    function pair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
