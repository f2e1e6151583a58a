// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BridgeFixture} from "./utils/BridgeFixture.sol";
import {console} from "./utils/Test.sol";
import {SibylGateway} from "../src/SibylGateway.sol";
import {BeefyClient} from "../src/BeefyClient.sol";
import {ExampleConsumer} from "../src/ExampleConsumer.sol";
import {Commitment, ValidatorSignature, MmrLeaf, MmrProof, Message, MerkleProof} from "../src/lib/BridgeTypes.sol";

/// Gas figures, printed with -vv. test.sh runs this suite with --isolate: every call from a test is
/// then its own transaction (cold storage, intrinsic gas included) and the printed "tx gas" is what
/// forge measured. Without --isolate, storage touched earlier in the test is warm and the figure is
/// execution gas only; "tx gas" then adds 21000 and the calldata cost (EIP-7623).
contract GasTest is BridgeFixture {
    uint32 internal constant MODEL = 3;
    /// Size of the simulated chain: MMR proofs for ~1000 leaves have 8-10 items
    /// (a chain at block 10^6 would need ~20, i.e. ~5k gas more per proof).
    uint32 internal constant CHAIN_LENGTH = 1000;

    function _calldataGas(bytes memory data) internal pure returns (uint256 standard, uint256 floor) {
        uint256 zeros;
        for (uint256 i; i < data.length; ++i) {
            if (data[i] == 0) ++zeros;
        }
        uint256 tokensInCalldata = zeros + (data.length - zeros) * 4;
        return (4 * tokensInCalldata, 10 * tokensInCalldata);
    }

    bool private probed;
    bool private isolated;

    /// Whether forge runs each call as its own transaction (--isolate): then even a view call
    /// costs more than the 21000 intrinsic gas.
    function _isolated() internal returns (bool) {
        if (!probed) {
            probed = true;
            lib.touch();
            isolated = vm.lastCallGas().gasTotalUsed > 21000;
            console.log(isolated ? "mode: isolated transactions" : "mode: in-test calls (warm storage)");
        }
        return isolated;
    }

    function _txGas(bytes memory data, uint256 used) internal returns (uint256) {
        if (_isolated()) return used;
        (uint256 standard, uint256 floor) = _calldataGas(data);
        return 21000 + (standard + used > floor ? standard + used : floor);
    }

    function _report(string memory what, bytes memory data, uint256 used) internal {
        uint256 txGas = _txGas(data, used);
        console.log(string.concat(what, ": calldata bytes"), data.length);
        console.log(string.concat(what, ": tx gas"), txGas);
    }

    function _commitmentGas(uint256 n) internal {
        Validators memory vs = makeValidators(0, n, 500 + n);
        Validators memory next = makeValidators(1, n, 600 + n);
        SibylGateway gw = new SibylGateway(setOf(vs), setOf(next), 0, address(0xFEE));
        Commitment memory c = Commitment(keccak256(abi.encode("root", n)), 100, 0);
        ValidatorSignature[] memory sigs = signFirst(vs, c, quorum(n));
        (MmrLeaf memory leaf, MmrProof memory proof) = noLeaf();
        gw.submitCommitment(c, sigs, leaf, proof);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        _report(
            string.concat("submitCommitment ", vm.toString(n), " validators, ", vm.toString(sigs.length), " signatures"),
            abi.encodeCall(BeefyClient.submitCommitment, (c, sigs, leaf, proof)),
            used
        );
    }

    function test_gas_submitCommitment_4() external {
        _commitmentGas(4);
    }

    function test_gas_submitCommitment_16() external {
        _commitmentGas(16);
    }

    function test_gas_submitCommitment_100() external {
        _commitmentGas(100);
    }

    function test_gas_handover_4() external {
        Validators memory set0 = makeValidators(0, 4, 1);
        Validators memory set1 = makeValidators(1, 4, 2);
        Validators memory set2 = makeValidators(2, 4, 3);
        SibylGateway gw = new SibylGateway(setOf(set0), setOf(set1), 0, address(0xFEE));
        appendEmptyBlocks(set1, CHAIN_LENGTH - 1);
        uint32 b = appendEmptyBlocks(set2, 1);
        Commitment memory c = commitmentAt(b, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(b, b);
        ValidatorSignature[] memory sigs = signFirst(set1, c, 3);
        gw.submitCommitment(c, sigs, leaf, proof);
        _report(
            "handover commitment, 4 validators",
            abi.encodeCall(BeefyClient.submitCommitment, (c, sigs, leaf, proof)),
            vm.lastCallGas().gasTotalUsed
        );
    }

    struct Delivery {
        SibylGateway gw;
        ExampleConsumer ec;
        bytes32 root;
        MmrLeaf leaf;
        MmrProof proof;
        Message[] messages;
        MerkleProof[] proofs;
    }

    /// `count` results of `outTokens` tokens each, in one block of a CHAIN_LENGTH-block chain.
    function _prepare(uint256 count, uint256 outTokens, bool withConsumer) internal returns (Delivery memory d) {
        Validators memory set0 = makeValidators(0, 4, 1);
        Validators memory set1 = makeValidators(1, 4, 2);
        d.gw = new SibylGateway(setOf(set0), setOf(set1), 0, address(0xFEE));
        d.ec = new ExampleConsumer(d.gw);
        vm.deal(address(this), 10 ether);
        d.messages = new Message[](count);
        for (uint256 i; i < count; ++i) {
            uint64 id = withConsumer
                ? d.ec.ask{value: 0.001 ether}(MODEL, tokens(16, uint32(i)), 64)
                : d.gw.request{value: 0.001 ether}(MODEL, tokens(16, uint32(i)), 64, address(0), 0);
            d.messages[i] = resultMessage(
                uint64(i + 1), id, 1000 + id, MODEL, tokens(outTokens, uint32(i)), keccak256(abi.encode(i))
            );
        }
        appendEmptyBlocks(set1, CHAIN_LENGTH - 5);
        uint32 b = appendBlock(set1, d.messages);
        appendEmptyBlocks(set1, 4);
        submit(d.gw, set0, CHAIN_LENGTH, 3);
        d.root = mmrRootAt(CHAIN_LENGTH);
        (d.leaf, d.proof) = leafProof(b, CHAIN_LENGTH);
        d.proofs = new MerkleProof[](count);
        for (uint256 i; i < count; ++i) {
            d.proofs[i] = messageProof(b, i);
        }
    }

    function test_gas_deliverOneResult() external {
        Delivery memory d = _prepare(1, 32, true);
        d.gw.executeMessage(d.root, d.leaf, d.proof, d.messages[0], d.proofs[0]);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        (bool received,,) = d.ec.answer(1);
        assertTrue(received, "delivered");
        _report(
            "executeMessage: 1 result (32 tokens) to ExampleConsumer",
            abi.encodeCall(SibylGateway.executeMessage, (d.root, d.leaf, d.proof, d.messages[0], d.proofs[0])),
            used
        );
        console.log("MMR proof items", d.proof.items.length);
    }

    function test_gas_deliverOneResultNoConsumer() external {
        Delivery memory d = _prepare(1, 32, false);
        d.gw.executeMessage(d.root, d.leaf, d.proof, d.messages[0], d.proofs[0]);
        _report(
            "executeMessage: 1 result (32 tokens), no consumer",
            abi.encodeCall(SibylGateway.executeMessage, (d.root, d.leaf, d.proof, d.messages[0], d.proofs[0])),
            vm.lastCallGas().gasTotalUsed
        );
    }

    function test_gas_deliverTenResultsBatch() external {
        Delivery memory d = _prepare(10, 32, true);
        d.gw.executeMessages(d.root, d.leaf, d.proof, d.messages, d.proofs);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        (bool received,,) = d.ec.answer(10);
        assertTrue(received, "delivered");
        _report(
            "executeMessages: 10 results (32 tokens each) to ExampleConsumer",
            abi.encodeCall(SibylGateway.executeMessages, (d.root, d.leaf, d.proof, d.messages, d.proofs)),
            used
        );
    }

    function test_gas_deliverTenResultsOneByOne() external {
        Delivery memory d = _prepare(10, 32, true);
        uint256 totalTx;
        for (uint256 i; i < 10; ++i) {
            d.gw.executeMessage(d.root, d.leaf, d.proof, d.messages[i], d.proofs[i]);
            uint256 used = vm.lastCallGas().gasTotalUsed;
            totalTx += _txGas(
                abi.encodeCall(SibylGateway.executeMessage, (d.root, d.leaf, d.proof, d.messages[i], d.proofs[i])), used
            );
        }
        console.log("10 x executeMessage (32 tokens each): tx gas, total", totalTx);
    }

    function test_gas_requestAndBridge() external {
        Validators memory set0 = makeValidators(0, 4, 1);
        Validators memory set1 = makeValidators(1, 4, 2);
        SibylGateway gw = new SibylGateway(setOf(set0), setOf(set1), 0, address(0xFEE));
        vm.deal(address(this), 1 ether);
        uint32[] memory prompt = tokens(64, 1);
        gw.request{value: 0.01 ether}(MODEL, prompt, 128, address(0xC0), 200_000);
        _report(
            "request: 64 prompt tokens (first request)",
            abi.encodeCall(SibylGateway.request, (MODEL, prompt, 128, address(0xC0), 200_000)),
            vm.lastCallGas().gasTotalUsed
        );
        gw.request{value: 0.01 ether}(MODEL, prompt, 128, address(0xC0), 200_000);
        _report(
            "request: 64 prompt tokens",
            abi.encodeCall(SibylGateway.request, (MODEL, prompt, 128, address(0xC0), 200_000)),
            vm.lastCallGas().gasTotalUsed
        );

        Message[] memory ms = new Message[](2);
        ms[0] = mintMessage(1, MODEL, address(this), 1000);
        ms[1] = mintMessage(2, MODEL, address(this), 1000);
        uint32 b = appendBlock(set1, ms);
        submit(gw, set0, b, 3);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(b, b);
        bytes32 root = mmrRootAt(b);
        MerkleProof memory p0 = messageProof(b, 0);
        gw.executeMessage(root, leaf, proof, ms[0], p0);
        _report(
            "executeMessage: mint, deploys the token",
            abi.encodeCall(SibylGateway.executeMessage, (root, leaf, proof, ms[0], p0)),
            vm.lastCallGas().gasTotalUsed
        );
        MerkleProof memory p1 = messageProof(b, 1);
        gw.executeMessage(root, leaf, proof, ms[1], p1);
        _report(
            "executeMessage: mint",
            abi.encodeCall(SibylGateway.executeMessage, (root, leaf, proof, ms[1], p1)),
            vm.lastCallGas().gasTotalUsed
        );
        gw.bridgeToSibyl(MODEL, keccak256("account"), 500);
        _report(
            "bridgeToSibyl",
            abi.encodeCall(SibylGateway.bridgeToSibyl, (MODEL, keccak256("account"), 500)),
            vm.lastCallGas().gasTotalUsed
        );
    }
}
