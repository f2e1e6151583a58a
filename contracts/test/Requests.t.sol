// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BridgeFixture} from "./utils/BridgeFixture.sol";
import {SibylGateway} from "../src/SibylGateway.sol";
import {BridgedRevenueToken} from "../src/BridgedRevenueToken.sol";
import {Message, MmrLeaf, MmrProof} from "../src/lib/BridgeTypes.sol";

/// Ethereum -> Sibyl: inference requests and revenue-share tokens going back.
contract RequestsTest is BridgeFixture {
    Validators internal set0;
    Validators internal set1;
    SibylGateway internal gw;
    address internal user = address(0xA11CE);
    address internal consumer = address(0xC0);
    uint32 internal constant MODEL = 3;

    function setUp() public {
        set0 = makeValidators(0, 4, 100);
        set1 = makeValidators(1, 4, 101);
        gw = new SibylGateway(setOf(set0), setOf(set1), 0, address(0xFEE));
        vm.deal(user, 100 ether);
    }

    function _ask(uint256 fee, uint256 promptLen, uint32 maxNew, address to, uint64 gasLimit) internal returns (uint64) {
        vm.prank(user);
        return gw.request{value: fee}(MODEL, tokens(promptLen, 1), maxNew, to, gasLimit);
    }

    function test_requestStoresAndEmits() external {
        uint32[] memory prompt = tokens(5, 1);
        vm.expectEmit(address(gw));
        emit SibylGateway.InferenceRequested(1, user, MODEL, prompt, 64, consumer, 250_000, 0.02 ether);
        uint64 id = _ask(0.02 ether, 5, 64, consumer, 250_000);
        assertEq(id, 1, "id");
        (
            address requester,
            uint64 gasLimit,
            uint32 modelId,
            address storedConsumer,
            SibylGateway.Status status,
            uint88 fee
        ) = gw.requests(id);
        assertEq(requester, user, "requester");
        assertEq(gasLimit, 250_000, "gas limit");
        assertEq(modelId, MODEL, "model");
        assertEq(storedConsumer, consumer, "consumer");
        assertEq(uint8(status), uint8(SibylGateway.Status.Pending), "pending");
        assertEq(fee, 0.02 ether, "fee");
        assertEq(address(gw).balance, 0.02 ether, "fee held");
        assertEq(_ask(1, 1, 1, address(0), 0), 2, "ids increase");
        assertEq(gw.requestCount(), 2, "count");
    }

    function test_requestAcceptsBounds() external {
        _ask(1, gw.MAX_PROMPT_TOKENS(), uint32(gw.MAX_NEW_TOKENS()), consumer, gw.MAX_CALLBACK_GAS());
        _ask(1, 1, 1, consumer, 1);
    }

    function test_requestRequiresFee() external {
        vm.expectRevert(SibylGateway.FeeRequired.selector);
        _ask(0, 5, 64, consumer, 100_000);
    }

    function test_requestRejectsHugeFee() external {
        uint256 fee = uint256(type(uint88).max) + 1;
        vm.deal(user, fee);
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.FeeTooLarge.selector, fee));
        _ask(fee, 5, 64, consumer, 100_000);
    }

    function test_requestBoundsPromptLength() external {
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidPromptLength.selector, 0));
        _ask(1, 0, 64, consumer, 100_000);
        uint256 tooLong = gw.MAX_PROMPT_TOKENS() + 1;
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidPromptLength.selector, tooLong));
        _ask(1, tooLong, 64, consumer, 100_000);
    }

    function test_requestBoundsMaxNewTokens() external {
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidMaxNewTokens.selector, 0));
        _ask(1, 5, 0, consumer, 100_000);
        uint32 tooMany = uint32(gw.MAX_NEW_TOKENS()) + 1;
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidMaxNewTokens.selector, tooMany));
        _ask(1, 5, tooMany, consumer, 100_000);
    }

    function test_requestBoundsCallbackGas() external {
        uint64 tooMuch = gw.MAX_CALLBACK_GAS() + 1;
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidCallbackGasLimit.selector, tooMuch));
        _ask(1, 5, 64, consumer, tooMuch);
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidCallbackGasLimit.selector, 0));
        _ask(1, 5, 64, consumer, 0); // a consumer needs gas
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.InvalidCallbackGasLimit.selector, 5));
        _ask(1, 5, 64, address(0), 5); // no consumer, no gas
    }

    // ------------------------------------------------------------------ tokens back to Sibyl

    function _mintTo(address to, uint256 amount) internal returns (BridgedRevenueToken) {
        Message[] memory ms = new Message[](1);
        ms[0] = mintMessage(1, MODEL, to, amount);
        uint32 b = appendBlock(set1, ms);
        submit(gw, set0, b, 3);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(b, b);
        gw.executeMessage(mmrRootAt(b), leaf, proof, ms[0], messageProof(b, 0));
        return BridgedRevenueToken(gw.revenueTokens(MODEL));
    }

    function test_bridgeToSibylBurnsAndEmits() external {
        BridgedRevenueToken t = _mintTo(user, 1000);
        bytes32 account = keccak256("sibyl account");
        vm.expectEmit(address(gw));
        emit SibylGateway.TokensToSibyl(1, MODEL, user, account, 400);
        vm.prank(user);
        uint64 nonce = gw.bridgeToSibyl(MODEL, account, 400);
        assertEq(nonce, 1, "nonce");
        assertEq(t.balanceOf(user), 600, "burned");
        assertEq(t.totalSupply(), 600, "supply");
        vm.prank(user);
        assertEq(gw.bridgeToSibyl(MODEL, account, 600), 2, "next nonce");
        assertEq(t.totalSupply(), 0, "all back on Sibyl");
    }

    function test_bridgeToSibylValidation() external {
        bytes32 account = keccak256("sibyl account");
        vm.expectRevert(abi.encodeWithSelector(SibylGateway.UnknownRevenueToken.selector, MODEL));
        gw.bridgeToSibyl(MODEL, account, 1);
        _mintTo(user, 10);
        vm.startPrank(user);
        vm.expectRevert(SibylGateway.InvalidAmount.selector);
        gw.bridgeToSibyl(MODEL, account, 0);
        vm.expectRevert(SibylGateway.InvalidSibylAccount.selector);
        gw.bridgeToSibyl(MODEL, bytes32(0), 1);
        vm.expectRevert(abi.encodeWithSelector(BridgedRevenueToken.InsufficientBalance.selector, user, 10, 11));
        gw.bridgeToSibyl(MODEL, account, 11);
        vm.stopPrank();
    }

    function test_tokenTransfers() external {
        BridgedRevenueToken t = _mintTo(user, 100);
        assertEq(t.decimals(), 0, "decimals");
        vm.prank(user);
        t.transfer(consumer, 30);
        vm.prank(user);
        t.approve(address(this), 50);
        t.transferFrom(user, consumer, 20);
        assertEq(t.balanceOf(consumer), 50, "received");
        assertEq(t.allowance(user, address(this)), 30, "allowance left");
        vm.expectRevert(abi.encodeWithSelector(BridgedRevenueToken.InsufficientAllowance.selector, address(this), 30, 31));
        t.transferFrom(user, consumer, 31);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BridgedRevenueToken.InvalidReceiver.selector, address(0)));
        t.transfer(address(0), 1);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(BridgedRevenueToken.InsufficientBalance.selector, user, 50, 51));
        t.transfer(consumer, 51);
    }
}
