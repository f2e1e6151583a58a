// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BridgeFixture} from "./utils/BridgeFixture.sol";
import {Vm} from "./utils/Test.sol";
import {
    RecordingConsumer,
    GasBurnerConsumer,
    RevertingConsumer,
    ReturnBombConsumer,
    ReentrantConsumer,
    EthRejectingRequester
} from "./utils/Consumers.sol";
import {SibylGateway} from "../src/SibylGateway.sol";
import {BeefyClient} from "../src/BeefyClient.sol";
import {BridgedRevenueToken} from "../src/BridgedRevenueToken.sol";
import {ExampleConsumer} from "../src/ExampleConsumer.sol";
import {MmrLeaf, MmrProof, Message, MerkleProof} from "../src/lib/BridgeTypes.sol";

contract MessagesTest is BridgeFixture {
    Validators internal set0;
    Validators internal set1;
    SibylGateway internal gw;
    address internal feeCollector = address(0xFEE);
    address internal user = address(0xA11CE);
    address internal relayer = address(0x4E1A);
    uint32 internal constant MODEL = 3;

    struct Exec {
        bytes32 root;
        MmrLeaf leaf;
        MmrProof proof;
        MerkleProof messageProof;
    }

    function setUp() public {
        set0 = makeValidators(0, 4, 100);
        set1 = makeValidators(1, 4, 101);
        gw = new SibylGateway(setOf(set0), setOf(set1), 0, feeCollector);
        vm.deal(user, 100 ether);
    }

    // ------------------------------------------------------------------ helpers

    /// A new Sibyl block carrying `messages`, finalized by a commitment for that block.
    function _commitBlock(Message[] memory messages) internal returns (uint32 b) {
        b = appendBlock(set1, messages);
        submit(gw, set0, b, 3);
    }

    function _one(Message memory m) internal pure returns (Message[] memory ms) {
        ms = new Message[](1);
        ms[0] = m;
    }

    function _two(Message memory a, Message memory b) internal pure returns (Message[] memory ms) {
        ms = new Message[](2);
        ms[0] = a;
        ms[1] = b;
    }

    function _args(uint32 b, uint256 index) internal view returns (Exec memory e) {
        return _argsAt(b, index, b);
    }

    function _argsAt(uint32 b, uint256 index, uint32 atBlock) internal view returns (Exec memory e) {
        e.root = mmrRootAt(atBlock);
        (e.leaf, e.proof) = leafProof(b, atBlock);
        e.messageProof = messageProof(b, index);
    }

    function _exec(Exec memory e, Message memory m) internal {
        vm.prank(relayer);
        gw.executeMessage(e.root, e.leaf, e.proof, m, e.messageProof);
    }

    function _expectExecRevert(Exec memory e, Message memory m, bytes memory err) internal {
        vm.expectRevert(err);
        gw.executeMessage(e.root, e.leaf, e.proof, m, e.messageProof);
    }

    function _request(address consumer, uint64 gasLimit, uint256 fee) internal returns (uint64 id) {
        vm.prank(user);
        id = gw.request{value: fee}(MODEL, tokens(8, 1), 32, consumer, gasLimit);
    }

    function _status(uint64 id) internal view returns (SibylGateway.Status status) {
        (,,,, status,) = gw.requests(id);
    }

    // ------------------------------------------------------------------ inference results

    function test_deliversResultToExampleConsumer() external {
        ExampleConsumer ec = new ExampleConsumer(gw);
        vm.prank(user);
        uint64 id = ec.ask{value: 0.01 ether}(MODEL, tokens(12, 2), 64);
        assertEq(id, 1, "first request id");
        assertEq(ec.askers(id), user, "asker");

        uint32[] memory out = tokens(20, 3);
        Message memory m = resultMessage(1, id, 77, MODEL, out, keccak256("final state"));
        uint32 b = _commitBlock(_one(m));
        Exec memory e = _args(b, 0);

        vm.expectEmit(address(gw));
        emit SibylGateway.InferenceResultDelivered(id, 77, MODEL, out, keccak256("final state"));
        vm.expectEmit(address(gw));
        emit SibylGateway.MessageExecuted(1, 0);
        _exec(e, m);

        (bool received, uint32[] memory answer, bytes32 finalRoot) = ec.answer(id);
        assertTrue(received, "answered");
        assertEq(keccak256(abi.encode(answer)), keccak256(abi.encode(out)), "tokens");
        assertEq(finalRoot, keccak256("final state"), "final root");
        assertTrue(gw.isExecuted(1), "executed");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Fulfilled), "fulfilled");
        assertEq(gw.accruedFees(), 0.01 ether, "fee accrued");

        gw.withdrawFees();
        assertEq(feeCollector.balance, 0.01 ether, "fees withdrawn");
        vm.expectRevert(SibylGateway.NothingToWithdraw.selector);
        gw.withdrawFees();
    }

    function test_consumerlessRequestOnlyEmits() external {
        uint64 id = _request(address(0), 0, 1 gwei);
        Message memory m = resultMessage(1, id, 5, MODEL, tokens(3, 4), bytes32(uint256(1)));
        uint32 b = _commitBlock(_one(m));
        _exec(_args(b, 0), m);
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Fulfilled), "fulfilled");
    }

    function test_callbackGetsExactlyItsGasLimit() external {
        RecordingConsumer c = new RecordingConsumer(address(gw));
        uint64 id = _request(address(c), 300_000, 1 gwei);
        Message memory m = resultMessage(1, id, 5, MODEL, tokens(3, 4), bytes32(uint256(1)));
        uint32 b = _commitBlock(_one(m));
        _exec(_args(b, 0), m);
        assertEq(c.calls(), 1, "called");
        assertLe(c.gasAtEntry(), 300_000, "more than the limit");
        assertGt(c.gasAtEntry(), 300_000 - 500, "less than the limit");
    }

    // ------------------------------------------------------------------ proofs

    function test_rejectsUnknownMmrRoot() external {
        Message memory m = mintMessage(1, MODEL, user, 5);
        uint32 b = appendBlock(set1, _one(m)); // never committed
        Exec memory e = _args(b, 0);
        _expectExecRevert(e, m, abi.encodeWithSelector(SibylGateway.UnknownMmrRoot.selector, e.root));
    }

    function test_rejectsWrongMmrProof() external {
        Message memory m = mintMessage(1, MODEL, user, 5);
        appendEmptyBlocks(set1, 2);
        uint32 b = _commitBlock(_one(m));
        Exec memory e = _args(b, 0);
        e.proof.items[0] ^= bytes32(uint256(1));
        _expectExecRevert(e, m, abi.encodeWithSelector(BeefyClient.InvalidMmrProof.selector));
        e = _args(b, 0);
        e.proof.leafIndex -= 1;
        _expectExecRevert(e, m, abi.encodeWithSelector(BeefyClient.InvalidMmrProof.selector));
        e = _args(b, 0);
        e.leaf.leafExtra = keccak256("forged messages root");
        _expectExecRevert(e, m, abi.encodeWithSelector(BeefyClient.InvalidMmrProof.selector));
        _exec(_args(b, 0), m);
    }

    function test_rejectsWrongMessageProof() external {
        Message memory a = mintMessage(1, MODEL, user, 5);
        Message memory c = mintMessage(2, MODEL, user, 6);
        uint32 b = _commitBlock(_two(a, c));
        Exec memory e = _args(b, 0);
        Message memory forged = mintMessage(1, MODEL, user, 5_000_000);
        _expectExecRevert(e, forged, abi.encodeWithSelector(SibylGateway.InvalidMessageProof.selector, 1));
        e.messageProof.index = 1;
        _expectExecRevert(e, a, abi.encodeWithSelector(SibylGateway.InvalidMessageProof.selector, 1));
        e = _args(b, 0);
        e.messageProof.count = 3;
        _expectExecRevert(e, a, abi.encodeWithSelector(SibylGateway.InvalidMessageProof.selector, 1));
        // a block without messages has a zero messages root: nothing verifies against it
        uint32 empty = _commitBlock(new Message[](0));
        e.root = mmrRootAt(empty);
        (e.leaf, e.proof) = leafProof(empty, empty);
        assertEq(e.leaf.leafExtra, bytes32(0), "no messages");
        e.messageProof = MerkleProof(0, 1, new bytes32[](0));
        _expectExecRevert(e, a, abi.encodeWithSelector(SibylGateway.InvalidMessageProof.selector, 1));
    }

    /// The proof of one message does not carry another one.
    function test_rejectsProofReusedForAnotherMessage() external {
        Message memory a = mintMessage(1, MODEL, user, 5);
        Message memory c = mintMessage(2, MODEL, user, 6);
        uint32 b = _commitBlock(_two(a, c));
        Exec memory forA = _args(b, 0);
        _exec(forA, a);
        _expectExecRevert(forA, c, abi.encodeWithSelector(SibylGateway.InvalidMessageProof.selector, 2));
        _exec(_args(b, 1), c);
    }

    function test_rejectsReplayOfExecutedMessage() external {
        Message memory m = mintMessage(1, MODEL, user, 5);
        uint32 b = _commitBlock(_one(m));
        Exec memory e = _args(b, 0);
        _exec(e, m);
        _expectExecRevert(e, m, abi.encodeWithSelector(SibylGateway.MessageAlreadyExecuted.selector, 1));
        // the same message proven again through a later accepted root
        appendEmptyBlocks(set1, 3);
        uint32 later = _commitBlock(new Message[](0));
        Exec memory again = _argsAt(b, 0, later);
        assertTrue(gw.verifyMmrLeaf(again.root, again.leaf, again.proof), "leaf in the later MMR");
        _expectExecRevert(again, m, abi.encodeWithSelector(SibylGateway.MessageAlreadyExecuted.selector, 1));
        address token = gw.revenueTokens(MODEL);
        assertEq(BridgedRevenueToken(token).balanceOf(user), 5, "minted once");
    }

    function test_executesThroughAnyAcceptedRoot() external {
        Message memory m = mintMessage(9, MODEL, user, 5);
        uint32 b = _commitBlock(_one(m));
        appendEmptyBlocks(set1, 4);
        uint32 later = _commitBlock(new Message[](0));
        _exec(_argsAt(b, 0, later), m);
        assertTrue(gw.isExecuted(9), "executed");
    }

    // ------------------------------------------------------------------ hostile consumers

    /// The callback has gas enough (3M) for the re-entered call to succeed if it were allowed.
    function test_reentrancyFromCallbackIsRefused() external {
        ReentrantConsumer rc = new ReentrantConsumer(gw);
        uint64 id = _request(address(rc), 3_000_000, 1 gwei);
        Message memory result = resultMessage(1, id, 5, MODEL, tokens(4, 5), bytes32(uint256(7)));
        Message memory mint = mintMessage(2, MODEL, address(rc), 1000);
        uint32 b = _commitBlock(_two(result, mint));
        Exec memory e0 = _args(b, 0);
        Exec memory e1 = _args(b, 1);

        // from the callback: execute the other message, or replay its own
        rc.setAttack(abi.encodeCall(SibylGateway.executeMessage, (e1.root, e1.leaf, e1.proof, mint, e1.messageProof)));
        vm.expectEmit(address(gw));
        emit SibylGateway.CallbackFailed(id, address(rc));
        _exec(e0, result);
        assertEq(rc.calls(), 0, "callback state reverted");
        assertEq(keccak256(rc.innerRevert()), keccak256(""), "reverted frame leaves nothing");
        assertTrue(gw.isExecuted(1), "result delivered");
        assertFalse(gw.isExecuted(2), "re-entered message not executed");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.CallbackFailed), "stored for retry");

        // the retry refuses re-entry as well
        rc.setAttack(abi.encodeCall(SibylGateway.retryCallback, (id)));
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackReverted.selector, id));
        gw.retryCallback(id);
        rc.setAttack(abi.encodeCall(SibylGateway.executeMessage, (e0.root, e0.leaf, e0.proof, result, e0.messageProof)));
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackReverted.selector, id));
        gw.retryCallback(id);

        // a harmless call in the callback: the retry succeeds
        rc.setAttack(abi.encodeCall(SibylGateway.isExecuted, (2)));
        gw.retryCallback(id);
        assertEq(rc.calls(), 1, "callback done once");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Fulfilled), "fulfilled");
        _exec(e1, mint);
        assertTrue(gw.isExecuted(2), "other message executed normally");
    }

    /// The re-entrant call itself fails with Reentrancy().
    function test_reentrantCallHitsTheGuard() external {
        ReentrantConsumer rc = new ReentrantConsumer(gw);
        rc.setPropagate(false);
        uint64 id = _request(address(rc), 3_000_000, 1 gwei);
        Message memory result = resultMessage(1, id, 5, MODEL, tokens(4, 5), bytes32(uint256(7)));
        Message memory mint = mintMessage(2, MODEL, address(rc), 1000);
        uint32 b = _commitBlock(_two(result, mint));
        Exec memory e1 = _args(b, 1);
        rc.setAttack(abi.encodeCall(SibylGateway.executeMessage, (e1.root, e1.leaf, e1.proof, mint, e1.messageProof)));
        _exec(_args(b, 0), result);
        assertEq(rc.calls(), 1, "callback ran");
        assertFalse(rc.reentered(), "re-entry succeeded");
        assertEq(bytes4(rc.innerRevert()), SibylGateway.Reentrancy.selector, "guard");
        assertFalse(gw.isExecuted(2), "re-entered message not executed");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Fulfilled), "callback returned normally");
    }

    /// While the consumer runs, the message is already marked executed and the request settled.
    function test_stateIsSettledBeforeTheCallback() external {
        ReentrantConsumer rc = new ReentrantConsumer(gw);
        rc.setPropagate(false);
        uint64 id = _request(address(rc), 500_000, 1 gwei);
        Message memory result = resultMessage(1, id, 5, MODEL, tokens(4, 5), bytes32(uint256(7)));
        uint32 b = _commitBlock(_one(result));
        rc.setAttack(abi.encodeCall(SibylGateway.isExecuted, (1)));
        _exec(_args(b, 0), result);
        assertTrue(rc.reentered(), "view call failed");
        assertTrue(abi.decode(rc.innerRevert(), (bool)), "not marked executed before the callback");
        uint64 id2 = _request(address(rc), 500_000, 1 gwei);
        rc.setAttack(abi.encodeWithSignature("requests(uint64)", id2));
        Message memory second = resultMessage(2, id2, 5, MODEL, tokens(1, 5), 0);
        uint32 b2 = _commitBlock(_one(second));
        _exec(_args(b2, 0), second);
        (,,,, SibylGateway.Status during,) =
            abi.decode(rc.innerRevert(), (address, uint64, uint32, address, SibylGateway.Status, uint88));
        assertEq(uint8(during), uint8(SibylGateway.Status.Fulfilled), "request not settled before the callback");
    }

    function test_callbackBurningAllGasDoesNotBlockDelivery() external {
        GasBurnerConsumer burner = new GasBurnerConsumer(address(gw));
        uint64 id = _request(address(burner), 400_000, 1 gwei);
        uint32[] memory out = tokens(10, 6);
        Message memory m = resultMessage(1, id, 5, MODEL, out, bytes32(uint256(8)));
        uint32 b = _commitBlock(_one(m));

        vm.expectEmit(address(gw));
        emit SibylGateway.CallbackFailed(id, address(burner));
        _exec(_args(b, 0), m);
        assertTrue(gw.isExecuted(1), "delivered");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.CallbackFailed), "failed callback");
        (uint64 sibylId, uint32[] memory stored, bytes32 root) = gw.storedResult(id);
        assertEq(sibylId, 5, "stored sibyl id");
        assertEq(keccak256(abi.encode(stored)), keccak256(abi.encode(out)), "stored tokens");
        assertEq(root, bytes32(uint256(8)), "stored root");

        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackReverted.selector, id));
        gw.retryCallback(id);

        burner.setBurn(false);
        vm.expectEmit(address(gw));
        emit SibylGateway.CallbackRetried(id, address(burner));
        vm.prank(address(0xBEEF)); // anyone may retry
        gw.retryCallback(id);
        assertEq(burner.calls(), 1, "callback ran");
        assertEq(burner.lastTokenCount(), 10, "tokens passed");
        (, stored,) = gw.storedResult(id);
        assertEq(stored.length, 0, "stored result cleared");

        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackNotRetryable.selector, id));
        gw.retryCallback(id);
    }

    function test_revertingCallbackCanBeRetriedOnce() external {
        RevertingConsumer rc = new RevertingConsumer(address(gw));
        uint64 id = _request(address(rc), 200_000, 1 gwei);
        Message memory m = resultMessage(1, id, 5, MODEL, tokens(2, 6), bytes32(uint256(8)));
        uint32 b = _commitBlock(_one(m));
        _exec(_args(b, 0), m);
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.CallbackFailed), "failed");
        rc.setFail(false);
        gw.retryCallback(id);
        assertEq(rc.calls(), 1, "retried");
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackNotRetryable.selector, id));
        gw.retryCallback(id);
    }

    function test_retryOfUnknownOrFulfilledRequestFails() external {
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackNotRetryable.selector, 42));
        gw.retryCallback(42);
        RecordingConsumer c = new RecordingConsumer(address(gw));
        uint64 id = _request(address(c), 100_000, 1 gwei);
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.CallbackNotRetryable.selector, id));
        gw.retryCallback(id); // pending
    }

    /// A relayer cannot make a callback fail by sending too little gas: the delivery reverts.
    function test_relayerGivingTooLittleGasReverts() external {
        RecordingConsumer c = new RecordingConsumer(address(gw));
        uint64 gasLimit = 1_000_000;
        uint64 id = _request(address(c), gasLimit, 1 gwei);
        Message memory m = resultMessage(1, id, 5, MODEL, tokens(4, 6), bytes32(uint256(8)));
        uint32 b = _commitBlock(_one(m));
        Exec memory e = _args(b, 0);

        // Enough for the proofs and for gasLimit itself, not for gasLimit after the 63/64 rule.
        vm.expectRevert(); // InsufficientGasForCallback(needed, available)
        gw.executeMessage{gas: gasLimit + 60_000}(e.root, e.leaf, e.proof, m, e.messageProof);
        vm.expectRevert();
        gw.executeMessage{gas: 300_000}(e.root, e.leaf, e.proof, m, e.messageProof);
        assertFalse(gw.isExecuted(1), "not executed");
        assertEq(c.calls(), 0, "not called");

        // check the revert reason with an exact figure
        try gw.executeMessage{gas: gasLimit}(e.root, e.leaf, e.proof, m, e.messageProof) {
            revert("should have reverted");
        } catch (bytes memory err) {
            assertEq(bytes4(err), SibylGateway.InsufficientGasForCallback.selector, "reason");
        }

        gw.executeMessage{gas: gasLimit + 200_000}(e.root, e.leaf, e.proof, m, e.messageProof);
        assertEq(c.calls(), 1, "called with enough gas");
        assertGt(c.gasAtEntry(), gasLimit - 500, "full limit");
    }

    function _deliveryGas(address consumer) internal returns (uint256) {
        uint64 id = _request(consumer, 500_000, 1 gwei);
        Message memory m = resultMessage(id, id, 5, MODEL, tokens(2, 6), bytes32(uint256(8)));
        uint32 b = _commitBlock(_one(m));
        Exec memory e = _args(b, 0);
        gw.executeMessage(e.root, e.leaf, e.proof, m, e.messageProof);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Fulfilled), "fulfilled");
        return used;
    }

    /// 200 KB of return data cost the consumer ~95k gas of memory; copying them would cost the
    /// gateway as much again.
    function test_returnBombIsNotCopied() external {
        _deliveryGas(address(new ReturnBombConsumer(0))); // warm up the gateway's storage
        uint256 quiet = _deliveryGas(address(new ReturnBombConsumer(0)));
        uint256 bomb = _deliveryGas(address(new ReturnBombConsumer(200_000)));
        assertGt(bomb, quiet + 80_000, "the consumer pays for its memory");
        assertLt(bomb, quiet + 130_000, "return data copied");
    }

    // ------------------------------------------------------------------ results: consistency

    function test_rejectsResultForUnknownRequest() external {
        Message memory m = resultMessage(1, 99, 5, MODEL, tokens(2, 6), bytes32(0));
        uint32 b = _commitBlock(_one(m));
        _expectExecRevert(_args(b, 0), m, abi.encodeWithSelector(SibylGateway.UnknownRequest.selector, 99));
    }

    function test_rejectsResultForAnotherModel() external {
        uint64 id = _request(address(0), 0, 1 gwei);
        Message memory m = resultMessage(1, id, 5, MODEL + 1, tokens(2, 6), bytes32(0));
        uint32 b = _commitBlock(_one(m));
        _expectExecRevert(
            _args(b, 0), m, abi.encodeWithSelector(SibylGateway.ModelMismatch.selector, id, MODEL, MODEL + 1)
        );
    }

    function test_rejectsSecondResultForTheSameRequest() external {
        uint64 id = _request(address(0), 0, 1 gwei);
        Message memory a = resultMessage(1, id, 5, MODEL, tokens(2, 6), bytes32(0));
        Message memory c = resultMessage(2, id, 5, MODEL, tokens(3, 6), bytes32(0));
        uint32 b = _commitBlock(_two(a, c));
        _exec(_args(b, 0), a);
        _expectExecRevert(
            _args(b, 1),
            c,
            abi.encodeWithSelector(SibylGateway.RequestNotPending.selector, id, SibylGateway.Status.Fulfilled)
        );
    }

    function test_rejectsUnknownKindAndMalformedBodies() external {
        Message memory unknown = Message(1, 7, hex"00");
        Message memory shortResult = Message(2, 0, abi.encode(uint64(1)));
        Message memory longMint = Message(3, 1, abi.encode(uint32(1), user, uint256(1), uint256(2)));
        Message memory badRefund = Message(4, 2, hex"01");
        Message[] memory ms = new Message[](4);
        (ms[0], ms[1], ms[2], ms[3]) = (unknown, shortResult, longMint, badRefund);
        uint32 b = _commitBlock(ms);
        _expectExecRevert(_args(b, 0), unknown, abi.encodeWithSelector(SibylGateway.UnknownMessageKind.selector, 1, 7));
        _expectExecRevert(_args(b, 1), shortResult, abi.encodeWithSelector(SibylGateway.InvalidMessageBody.selector, 2));
        _expectExecRevert(_args(b, 2), longMint, abi.encodeWithSelector(SibylGateway.InvalidMessageBody.selector, 3));
        _expectExecRevert(_args(b, 3), badRefund, abi.encodeWithSelector(SibylGateway.InvalidMessageBody.selector, 4));
    }

    // ------------------------------------------------------------------ mints

    function test_mintDeploysTokenOnceAndMints() external {
        address predicted = gw.revenueTokenAddress(MODEL);
        Message memory a = mintMessage(1, MODEL, user, 1000);
        Message memory c = mintMessage(2, MODEL, relayer, 250);
        uint32 b = _commitBlock(_two(a, c));
        vm.expectEmit(address(gw));
        emit SibylGateway.RevenueTokenDeployed(MODEL, predicted);
        _exec(_args(b, 0), a);
        assertEq(gw.revenueTokens(MODEL), predicted, "CREATE2 address");
        BridgedRevenueToken t = BridgedRevenueToken(predicted);
        assertEq(t.balanceOf(user), 1000, "minted");
        assertEq(t.gateway(), address(gw), "gateway");
        assertEq(t.modelId(), MODEL, "model");
        assertEq(keccak256(bytes(t.symbol())), keccak256("SRS3"), "symbol");
        assertEq(keccak256(bytes(t.name())), keccak256("Sibyl model 3 revenue share"), "name");

        _exec(_args(b, 1), c);
        assertEq(t.totalSupply(), 1250, "same token, second mint");
        // double mint: the same message again
        _expectExecRevert(_args(b, 0), a, abi.encodeWithSelector(SibylGateway.MessageAlreadyExecuted.selector, 1));
        assertEq(t.balanceOf(user), 1000, "no double mint");
    }

    function test_mintRejectsZeroRecipient() external {
        Message memory m = mintMessage(1, MODEL, address(0), 1000);
        uint32 b = _commitBlock(_one(m));
        _expectExecRevert(_args(b, 0), m, abi.encodeWithSelector(SibylGateway.InvalidRecipient.selector));
    }

    function test_onlyGatewayMintsAndBurns() external {
        Message memory m = mintMessage(1, MODEL, user, 1000);
        uint32 b = _commitBlock(_one(m));
        _exec(_args(b, 0), m);
        BridgedRevenueToken t = BridgedRevenueToken(gw.revenueTokens(MODEL));
        vm.expectRevert(BridgedRevenueToken.OnlyGateway.selector);
        t.mint(user, 1);
        vm.prank(user);
        vm.expectRevert(BridgedRevenueToken.OnlyGateway.selector);
        t.burn(user, 1);
    }

    // ------------------------------------------------------------------ refunds

    function test_refundPaysOnce() external {
        uint64 id = _request(address(0), 0, 1 ether);
        uint256 before = user.balance;
        Message memory r1 = refundMessage(1, id);
        Message memory r2 = refundMessage(2, id);
        uint32 b = _commitBlock(_two(r1, r2));
        vm.expectEmit(address(gw));
        emit SibylGateway.RequestRefunded(id, user, 1 ether, true);
        _exec(_args(b, 0), r1);
        assertEq(user.balance, before + 1 ether, "refunded");
        assertEq(uint8(_status(id)), uint8(SibylGateway.Status.Refunded), "refunded status");
        _expectExecRevert(_args(b, 0), r1, abi.encodeWithSelector(SibylGateway.MessageAlreadyExecuted.selector, 1));
        _expectExecRevert(
            _args(b, 1),
            r2,
            abi.encodeWithSelector(SibylGateway.RequestNotPending.selector, id, SibylGateway.Status.Refunded)
        );
        assertEq(user.balance, before + 1 ether, "refunded once");
        assertEq(address(gw).balance, 0, "nothing left");
    }

    function test_noRefundAfterResultNorResultAfterRefund() external {
        uint64 a = _request(address(0), 0, 1 ether);
        uint64 c = _request(address(0), 0, 1 ether);
        Message memory resA = resultMessage(1, a, 5, MODEL, tokens(2, 6), bytes32(0));
        Message memory refA = refundMessage(2, a);
        Message memory refC = refundMessage(3, c);
        Message memory resC = resultMessage(4, c, 6, MODEL, tokens(2, 6), bytes32(0));
        Message[] memory ms = new Message[](4);
        (ms[0], ms[1], ms[2], ms[3]) = (resA, refA, refC, resC);
        uint32 b = _commitBlock(ms);
        _exec(_args(b, 0), resA);
        _expectExecRevert(
            _args(b, 1), refA, abi.encodeWithSelector(SibylGateway.RequestNotPending.selector, a, SibylGateway.Status.Fulfilled)
        );
        _exec(_args(b, 2), refC);
        _expectExecRevert(
            _args(b, 3), resC, abi.encodeWithSelector(SibylGateway.RequestNotPending.selector, c, SibylGateway.Status.Refunded)
        );
        Message memory refUnknown = refundMessage(5, 77);
        uint32 b2 = _commitBlock(_one(refUnknown));
        Exec memory e = _args(b2, 0);
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.UnknownRequest.selector, 77));
        gw.executeMessage(e.root, e.leaf, e.proof, refUnknown, e.messageProof);
    }

    function test_refundToContractRefusingEthIsCredited() external {
        EthRejectingRequester r = new EthRejectingRequester(gw);
        vm.deal(address(r), 0);
        uint64 id = r.ask{value: 0.5 ether}(MODEL, tokens(3, 9));
        Message memory m = refundMessage(1, id);
        uint32 b = _commitBlock(_one(m));
        vm.expectEmit(address(gw));
        emit SibylGateway.RequestRefunded(id, address(r), 0.5 ether, false);
        _exec(_args(b, 0), m);
        assertEq(gw.pendingRefunds(address(r)), 0.5 ether, "credited");
        vm.expectRevert(SibylGateway.TransferFailed.selector);
        r.withdraw();
        r.setAccept(true);
        r.withdraw();
        assertEq(address(r).balance, 0.5 ether, "withdrawn");
        vm.expectRevert(SibylGateway.NothingToWithdraw.selector);
        r.withdraw();
    }

    // ------------------------------------------------------------------ batches

    function test_batchOfTenResults() external {
        ExampleConsumer ec = new ExampleConsumer(gw);
        vm.deal(address(this), 1 ether);
        Message[] memory ms = new Message[](10);
        for (uint64 i; i < 10; ++i) {
            uint64 id = ec.ask{value: 0.001 ether}(MODEL, tokens(8, uint32(i)), 32);
            ms[i] = resultMessage(i + 1, id, 100 + i, MODEL, tokens(32, uint32(i)), keccak256(abi.encode(i)));
        }
        uint32 b = _commitBlock(ms);
        MerkleProof[] memory proofs = new MerkleProof[](10);
        for (uint256 i; i < 10; ++i) {
            proofs[i] = messageProof(b, i);
        }
        Exec memory e = _args(b, 0);
        gw.executeMessages(e.root, e.leaf, e.proof, ms, proofs);
        for (uint64 i = 1; i <= 10; ++i) {
            (bool received, uint32[] memory answer,) = ec.answer(i);
            assertTrue(received, "answered");
            assertEq(answer.length, 32, "tokens");
            assertTrue(gw.isExecuted(i), "executed");
        }
        assertEq(gw.accruedFees(), 0.01 ether, "fees");
    }

    function test_batchIsAtomic() external {
        Message memory a = mintMessage(1, MODEL, user, 1);
        Message memory c = mintMessage(2, MODEL, user, 2);
        uint32 b = _commitBlock(_two(a, c));
        Exec memory e = _args(b, 0);
        Message[] memory ms = new Message[](3);
        (ms[0], ms[1], ms[2]) = (a, c, a);
        MerkleProof[] memory ps = new MerkleProof[](3);
        (ps[0], ps[1], ps[2]) = (messageProof(b, 0), messageProof(b, 1), messageProof(b, 0));
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.MessageAlreadyExecuted.selector, 1));
        gw.executeMessages(e.root, e.leaf, e.proof, ms, ps);
        assertFalse(gw.isExecuted(1), "rolled back");
        assertFalse(gw.isExecuted(2), "rolled back");

        MerkleProof[] memory two = new MerkleProof[](2);
        (two[0], two[1]) = (messageProof(b, 0), messageProof(b, 1));
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.BatchLengthMismatch.selector, 3, 2));
        gw.executeMessages(e.root, e.leaf, e.proof, ms, two);
        vm.expectRevert(SibylGateway.EmptyBatch.selector);
        gw.executeMessages(e.root, e.leaf, e.proof, new Message[](0), new MerkleProof[](0));

        Message[] memory ok = new Message[](2);
        (ok[0], ok[1]) = (a, c);
        gw.executeMessages(e.root, e.leaf, e.proof, ok, two);
        assertTrue(gw.isExecuted(1) && gw.isExecuted(2), "executed");
    }

    function test_nonceBitmapAcrossWords() external {
        Message memory a = mintMessage(255, MODEL, user, 1);
        Message memory c = mintMessage(256, MODEL, user, 2);
        uint32 b = _commitBlock(_two(a, c));
        _exec(_args(b, 0), a);
        assertTrue(gw.isExecuted(255), "255");
        assertFalse(gw.isExecuted(256), "256 not yet");
        assertFalse(gw.isExecuted(254), "254");
        _exec(_args(b, 1), c);
        assertTrue(gw.isExecuted(256), "256");
        assertFalse(gw.isExecuted(257), "257");
    }
}
