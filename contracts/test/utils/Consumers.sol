// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ISibylConsumer} from "../../src/interfaces/ISibylConsumer.sol";
import {SibylGateway} from "../../src/SibylGateway.sol";
import {MmrLeaf, MmrProof, Message, MerkleProof} from "../../src/lib/BridgeTypes.sol";

/// Records every callback and the gas it was given.
contract RecordingConsumer is ISibylConsumer {
    address public immutable gateway;
    uint256 public calls;
    uint64 public lastId;
    bytes32 public lastRoot;
    uint256 public lastTokenCount;
    uint256 public gasAtEntry;

    constructor(address gateway_) {
        gateway = gateway_;
    }

    function onSibylResult(uint64 id, uint32[] calldata outputTokens, bytes32 root) external virtual {
        gasAtEntry = gasleft();
        require(msg.sender == gateway, "not gateway");
        calls += 1;
        lastId = id;
        lastRoot = root;
        lastTokenCount = outputTokens.length;
    }
}

/// Burns all the gas it gets while `burn` is set (then behaves).
contract GasBurnerConsumer is RecordingConsumer {
    bool public burn = true;

    constructor(address gateway_) RecordingConsumer(gateway_) {}

    function setBurn(bool b) external {
        burn = b;
    }

    function onSibylResult(uint64 id, uint32[] calldata outputTokens, bytes32 root) external override {
        if (burn) {
            uint256 x;
            while (true) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
        calls += 1;
        lastId = id;
        lastRoot = root;
        lastTokenCount = outputTokens.length;
    }
}

/// Reverts while `fail` is set.
contract RevertingConsumer is RecordingConsumer {
    bool public fail = true;

    constructor(address gateway_) RecordingConsumer(gateway_) {}

    function setFail(bool f) external {
        fail = f;
    }

    function onSibylResult(uint64 id, uint32[] calldata outputTokens, bytes32 root) external override {
        require(!fail, "consumer failure");
        calls += 1;
        lastId = id;
        lastRoot = root;
        lastTokenCount = outputTokens.length;
    }
}

/// Returns `size` bytes from the callback (return bomb).
contract ReturnBombConsumer is ISibylConsumer {
    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    function onSibylResult(uint64, uint32[] calldata, bytes32) external view {
        uint256 n = size;
        assembly {
            return(0, n)
        }
    }
}

/// Tries to re-enter the gateway from its callback.
contract ReentrantConsumer is ISibylConsumer {
    SibylGateway public immutable gateway;
    bytes public attack; // calldata of the re-entrant gateway call
    bool public propagate = true; // revert when the re-entrant call reverts
    bool public reentered;
    bytes public innerRevert;
    uint256 public calls;

    constructor(SibylGateway gateway_) {
        gateway = gateway_;
    }

    function setAttack(bytes calldata data) external {
        attack = data;
    }

    function setPropagate(bool p) external {
        propagate = p;
    }

    function onSibylResult(uint64, uint32[] calldata, bytes32) external {
        calls += 1;
        (bool ok, bytes memory ret) = address(gateway).call(attack);
        reentered = ok;
        innerRevert = ret;
        // Propagate so that the gateway sees the callback fail if the re-entry was refused.
        if (!ok && propagate) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}

/// A requester that refuses ETH (its refunds are credited for withdrawal).
contract EthRejectingRequester {
    SibylGateway public immutable gateway;
    bool public accept;

    constructor(SibylGateway gateway_) {
        gateway = gateway_;
    }

    function ask(uint32 modelId, uint32[] calldata prompt) external payable returns (uint64) {
        return gateway.request{value: msg.value}(modelId, prompt, 16, address(0), 0);
    }

    function setAccept(bool a) external {
        accept = a;
    }

    function withdraw() external {
        gateway.withdrawRefund();
    }

    receive() external payable {
        require(accept, "no ETH");
    }
}
