// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ISibylConsumer} from "./interfaces/ISibylConsumer.sol";
import {SibylGateway} from "./SibylGateway.sol";

/// Minimal Sibyl consumer: asks a model a question (token ids) and stores the answer.
contract ExampleConsumer is ISibylConsumer {
    /// Enough to store a few hundred output tokens.
    uint64 public constant CALLBACK_GAS = 1_000_000;

    struct Answer {
        bool received;
        bytes32 finalStateRoot;
        uint32[] tokens;
    }

    SibylGateway public immutable gateway;
    address public immutable owner;

    mapping(uint64 ethRequestId => address asker) public askers;
    mapping(uint64 ethRequestId => Answer) internal answers;

    event Asked(uint64 indexed ethRequestId, address indexed asker);
    event Answered(uint64 indexed ethRequestId, uint256 tokens, bytes32 finalStateRoot);

    error OnlyGateway();
    error OnlyOwner();
    error TransferFailed();

    constructor(SibylGateway gateway_) {
        gateway = gateway_;
        owner = msg.sender;
    }

    /// Pays msg.value as the Sibyl fee. Refunds of refused requests come back to this contract.
    function ask(uint32 modelId, uint32[] calldata prompt, uint32 maxNewTokens) external payable returns (uint64 id) {
        id = gateway.request{value: msg.value}(modelId, prompt, maxNewTokens, address(this), CALLBACK_GAS);
        askers[id] = msg.sender;
        emit Asked(id, msg.sender);
    }

    function onSibylResult(uint64 ethRequestId, uint32[] calldata outputTokens, bytes32 finalStateRoot)
        external
        override
    {
        if (msg.sender != address(gateway)) revert OnlyGateway();
        Answer storage a = answers[ethRequestId];
        a.received = true;
        a.finalStateRoot = finalStateRoot;
        a.tokens = outputTokens;
        emit Answered(ethRequestId, outputTokens.length, finalStateRoot);
    }

    function answer(uint64 ethRequestId)
        external
        view
        returns (bool received, uint32[] memory tokens, bytes32 finalStateRoot)
    {
        Answer storage a = answers[ethRequestId];
        return (a.received, a.tokens, a.finalStateRoot);
    }

    /// Refunds arrive here.
    receive() external payable {}

    function withdraw(address payable to) external {
        if (msg.sender != owner) revert OnlyOwner();
        (bool ok,) = to.call{value: address(this).balance}("");
        if (!ok) revert TransferFailed();
    }
}
