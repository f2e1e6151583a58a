// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Implemented by contracts that receive Sibyl inference results from the SibylGateway.
interface ISibylConsumer {
    /// Called by the gateway, with exactly the callback gas limit given at request time, when
    /// Sibyl's result for `ethRequestId` is delivered (or when a failed callback is retried).
    /// Implementations must check that msg.sender is the gateway.
    function onSibylResult(uint64 ethRequestId, uint32[] calldata outputTokens, bytes32 finalStateRoot) external;
}
