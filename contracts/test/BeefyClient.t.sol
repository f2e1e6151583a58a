// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BridgeFixture} from "./utils/BridgeFixture.sol";
import {SibylGateway} from "../src/SibylGateway.sol";
import {BeefyClient} from "../src/BeefyClient.sol";
import {ValidatorSet, Commitment, ValidatorSignature, MmrLeaf, MmrProof, Message} from "../src/lib/BridgeTypes.sol";

contract BeefyClientTest is BridgeFixture {
    Validators internal set0;
    Validators internal set1;
    Validators internal set2;
    Validators internal set3;
    SibylGateway internal gw;
    address internal feeCollector = address(0xFEE);

    /// Block of the session change to set 1 (its mandatory BEEFY block, signed by set 1).
    uint32 internal constant SESSION1 = 8;

    function setUp() public {
        set0 = makeValidators(0, 4, 100);
        set1 = makeValidators(1, 4, 101);
        set2 = makeValidators(2, 5, 102);
        set3 = makeValidators(3, 4, 103);
        gw = new SibylGateway(setOf(set0), setOf(set1), 0, feeCollector);
        // Blocks 1..7: current set 0, BeefyNextAuthorities = set 1.
        appendEmptyBlocks(set1, SESSION1 - 1);
        // Block 8 and later: set 1 active, BeefyNextAuthorities = set 2 (already in block 8's leaf).
        appendEmptyBlocks(set2, 6);
    }

    function _args(Validators memory signers, uint32 blockNumber, uint256 count)
        internal
        view
        returns (Commitment memory c, ValidatorSignature[] memory sigs)
    {
        c = commitmentAt(blockNumber, signers.id);
        sigs = signFirst(signers, c, count);
    }

    function _submitRaw(Commitment memory c, ValidatorSignature[] memory sigs) internal {
        (MmrLeaf memory leaf, MmrProof memory proof) = noLeaf();
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    function _expectSubmitRevert(Commitment memory c, ValidatorSignature[] memory sigs, bytes memory err) internal {
        (MmrLeaf memory leaf, MmrProof memory proof) = noLeaf();
        vm.expectRevert(err);
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    // ------------------------------------------------------------------ accepted commitments

    function test_acceptsValidCommitment() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        vm.expectEmit(address(gw));
        emit BeefyClient.CommitmentAccepted(c.mmrRoot, 5, 0, 3);
        _submitRaw(c, sigs);
        assertEq(gw.latestBeefyBlock(), 5, "latest block");
        assertEq(gw.latestMmrRoot(), c.mmrRoot, "latest root");
        assertEq(gw.acceptedMmrRoots(c.mmrRoot), 5, "root remembered");
        (uint64 id,,) = gw.currentValidatorSet();
        assertEq(id, 0, "set unchanged");
    }

    function test_acceptsAllSignersAndEthereumStyleV() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 3, 4);
        for (uint256 i; i < sigs.length; ++i) {
            sigs[i].signature[64] = bytes1(uint8(sigs[i].signature[64]) + 27); // 0/1 -> 27/28
        }
        _submitRaw(c, sigs);
        assertEq(gw.latestBeefyBlock(), 3, "latest block");
    }

    function test_acceptsNonContiguousSigners() external {
        Commitment memory c = commitmentAt(6, 0);
        uint256[] memory idx = new uint256[](3);
        (idx[0], idx[1], idx[2]) = (0, 2, 3);
        _submitRaw(c, signWith(set0, c, idx));
        assertEq(gw.latestBeefyBlock(), 6, "latest block");
    }

    function test_remembersEveryAcceptedRoot() external {
        submit(gw, set0, 2, 3);
        submit(gw, set0, 6, 3);
        assertEq(gw.acceptedMmrRoots(mmrRootAt(2)), 2, "first root");
        assertEq(gw.acceptedMmrRoots(mmrRootAt(6)), 6, "second root");
        assertEq(gw.acceptedMmrRoots(mmrRootAt(4)), 0, "never submitted");
    }

    // ------------------------------------------------------------------ signatures

    function test_rejectsForgedSignature() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        uint256 attacker = 0xBAD;
        sigs[1].signature = substrateSign(attacker, digestOf(c)); // claims to be validator 1
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignature.selector, 1));
    }

    function test_rejectsSignatureOfAnotherCommitment() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        Commitment memory other = commitmentAt(6, 0);
        sigs[2].signature = substrateSign(set0.keys[2], digestOf(other));
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignature.selector, 2));
    }

    function test_rejectsSignerOutsideTheSet() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        uint256 attacker = 0xBAD;
        sigs[1].signer = vm.addr(attacker);
        sigs[1].signature = substrateSign(attacker, digestOf(c)); // valid signature, not a member
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidValidatorProof.selector, 1));
    }

    function test_rejectsMemberProvenAtAnotherIndex() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        // validator 2 signs but claims index 3 (with its own proof)
        sigs[2].index = 3;
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidValidatorProof.selector, 3));
    }

    function test_rejectsDuplicatedSigner() external {
        Commitment memory c = commitmentAt(5, 0);
        uint256[] memory idx = new uint256[](3);
        (idx[0], idx[1], idx[2]) = (0, 1, 1);
        _expectSubmitRevert(
            c, signWith(set0, c, idx), abi.encodeWithSelector(BeefyClient.SignerIndexNotIncreasing.selector, 2, 1)
        );
    }

    function test_rejectsUnorderedSigners() external {
        Commitment memory c = commitmentAt(5, 0);
        uint256[] memory idx = new uint256[](3);
        (idx[0], idx[1], idx[2]) = (1, 0, 2);
        _expectSubmitRevert(
            c, signWith(set0, c, idx), abi.encodeWithSelector(BeefyClient.SignerIndexNotIncreasing.selector, 1, 0)
        );
    }

    function test_rejectsTooFewSigners() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 2);
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.NotEnoughSignatures.selector, 2, 4));
    }

    /// count * 3 > len * 2: exactly two thirds is not enough.
    function test_exactlyTwoThirdsIsNotEnough() external {
        for (uint256 n = 3; n <= 9; n += 3) {
            Validators memory vs = makeValidators(0, n, 200 + n);
            gw = new SibylGateway(setOf(vs), setOf(set1), 0, feeCollector);
            Commitment memory c = commitmentAt(5, 0);
            _expectSubmitRevert(
                c,
                signFirst(vs, c, (2 * n) / 3),
                abi.encodeWithSelector(BeefyClient.NotEnoughSignatures.selector, (2 * n) / 3, n)
            );
            _submitRaw(c, signFirst(vs, c, (2 * n) / 3 + 1));
            assertEq(gw.latestBeefyBlock(), 5, "quorum + 1 accepted");
        }
    }

    function test_rejectsMalleableHighS() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        bytes memory sig = sigs[0].signature;
        bytes32 r;
        bytes32 s;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
        }
        uint8 v = uint8(sig[64]);
        // (r, n - s, v ^ 1) is the other valid signature of the same key and message
        sigs[0].signature = abi.encodePacked(r, bytes32(SECP256K1N - uint256(s)), v ^ 1);
        assertEq(ecrecover(digestOf(c), (v ^ 1) + 27, r, bytes32(SECP256K1N - uint256(s))), set0.addrs[0], "twin");
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.MalleableSignature.selector, 0));
    }

    function test_rejectsBadV() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        sigs[1].signature[64] = bytes1(uint8(2));
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignatureV.selector, 1, 29));
        sigs[1].signature[64] = bytes1(uint8(29));
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignatureV.selector, 1, 29));
    }

    function test_rejectsBadSignatureLength() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        sigs[0].signature = bytes.concat(sigs[0].signature, hex"00");
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignatureLength.selector, 0));
    }

    /// ecrecover returns address(0) for an invalid signature: must not match a claimed address(0).
    function test_rejectsUnrecoverableSignature() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        sigs[0].signer = address(0);
        sigs[0].signature = abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(0));
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.InvalidSignature.selector, 0));
    }

    function test_rejectsIndexOutOfRange() external {
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        sigs[2].index = 4;
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.SignerIndexOutOfRange.selector, 4, 4));
    }

    // ------------------------------------------------------------------ block numbers and set ids

    function test_rejectsOldBlockNumber() external {
        submit(gw, set0, 5, 3);
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 5, 3);
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.StaleCommitment.selector, 5, 5));
        (c, sigs) = _args(set0, 4, 3);
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.StaleCommitment.selector, 4, 5));
    }

    function test_rejectsBlocksUpToStartBlock() external {
        gw = new SibylGateway(setOf(set0), setOf(set1), 6, feeCollector);
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(set0, 6, 3);
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.StaleCommitment.selector, 6, 6));
        submit(gw, set0, 7, 3);
    }

    function test_rejectsUnknownSetId() external {
        Validators memory other = makeValidators(7, 4, 777);
        (Commitment memory c, ValidatorSignature[] memory sigs) = _args(other, 5, 3);
        _expectSubmitRevert(c, sigs, abi.encodeWithSelector(BeefyClient.UnknownValidatorSet.selector, 7, 0, 1));
    }

    /// Set 0's keys signing with set id 1: the signers are checked against set 1's root.
    function test_rejectsCurrentKeysClaimingNextSetId() external {
        Commitment memory c = commitmentAt(SESSION1, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(SESSION1, SESSION1);
        ValidatorSignature[] memory sigs = signFirst(set0, c, 3);
        vm.expectRevert(abi.encodeWithSelector(BeefyClient.InvalidValidatorProof.selector, 0));
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    function test_rejectsReusedMmrRoot() external {
        Commitment memory c = Commitment(keccak256("some root"), 5, 0);
        _submitRaw(c, signFirst(set0, c, 3));
        Commitment memory again = Commitment(c.mmrRoot, 6, 0);
        _expectSubmitRevert(
            again,
            signFirst(set0, again, 3),
            abi.encodeWithSelector(BeefyClient.MmrRootAlreadyAccepted.selector, c.mmrRoot)
        );
    }

    // ------------------------------------------------------------------ handover

    function test_handoverToNextSet() external {
        submit(gw, set0, 5, 3);
        Commitment memory c = commitmentAt(SESSION1, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(SESSION1, SESSION1);
        ValidatorSignature[] memory sigs = signFirst(set1, c, 3);
        vm.expectEmit(address(gw));
        emit BeefyClient.ValidatorSetRotated(setOf(set1), setOf(set2));
        gw.submitCommitment(c, sigs, leaf, proof);

        (uint64 curId, uint32 curLen, bytes32 curRoot) = gw.currentValidatorSet();
        (uint64 nextId, uint32 nextLen, bytes32 nextRoot) = gw.nextValidatorSet();
        assertEq(curId, 1, "current id");
        assertEq(curLen, 4, "current len");
        assertEq(curRoot, set1.root, "current root");
        assertEq(nextId, 2, "next id");
        assertEq(nextLen, 5, "next len");
        assertEq(nextRoot, set2.root, "next root");
        assertEq(gw.latestBeefyBlock(), SESSION1, "latest");

        // the old set is stale now
        (Commitment memory old, ValidatorSignature[] memory oldSigs) = _args(set0, SESSION1 + 1, 3);
        _expectSubmitRevert(old, oldSigs, abi.encodeWithSelector(BeefyClient.UnknownValidatorSet.selector, 0, 1, 2));
        // the new current set signs without a leaf
        submit(gw, set1, SESSION1 + 2, 3);
        assertEq(gw.latestBeefyBlock(), SESSION1 + 2, "set 1 commitment");
    }

    function test_handoverChainOfSets() external {
        submitHandover(gw, set1, SESSION1, SESSION1);
        // session 2 starts at block 15: its leaf already announces set 3
        appendEmptyBlocks(set2, 14 - chain.length);
        uint32 session2 = appendEmptyBlocks(set3, 3) - 2;
        submitHandover(gw, set2, session2, session2);
        (uint64 curId,,) = gw.currentValidatorSet();
        (uint64 nextId,, bytes32 nextRoot) = gw.nextValidatorSet();
        assertEq(curId, 2, "current id");
        assertEq(nextId, 3, "next id");
        assertEq(nextRoot, set3.root, "next root");
        submit(gw, set2, session2 + 2, quorum(5));
    }

    /// Any leaf of the signed MMR that announces next.id + 1 works, not only the last one.
    function test_handoverWithEarlierLeafOfTheSession() external {
        uint32 blockNumber = SESSION1 + 3;
        Commitment memory c = commitmentAt(blockNumber, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(SESSION1 + 1, blockNumber);
        gw.submitCommitment(c, signFirst(set1, c, 3), leaf, proof);
        (uint64 curId,,) = gw.currentValidatorSet();
        assertEq(curId, 1, "rotated");
    }

    function test_handoverRequiresLeafAnnouncingTheSetAfterNext() external {
        Commitment memory c = commitmentAt(SESSION1, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(SESSION1 - 1, SESSION1); // next = set 1
        ValidatorSignature[] memory sigs = signFirst(set1, c, 3);
        vm.expectRevert(abi.encodeWithSelector(BeefyClient.InvalidHandoverLeaf.selector, 2, 1));
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    function test_handoverRejectsWrongMmrProof() external {
        Commitment memory c = commitmentAt(SESSION1, 1);
        ValidatorSignature[] memory sigs = signFirst(set1, c, 3);
        // proof against another MMR (block 9's)
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(SESSION1, SESSION1 + 1);
        vm.expectRevert(BeefyClient.InvalidMmrProof.selector);
        gw.submitCommitment(c, sigs, leaf, proof);
        // a forged next set in an otherwise valid leaf
        (leaf, proof) = leafProof(SESSION1, SESSION1);
        leaf.nextAuthoritySetRoot = keccak256("attacker set");
        vm.expectRevert(BeefyClient.InvalidMmrProof.selector);
        gw.submitCommitment(c, sigs, leaf, proof);
        // no leaf at all
        (leaf, proof) = noLeaf();
        vm.expectRevert(BeefyClient.InvalidMmrProof.selector);
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    function test_handoverRejectsEmptyNextSet() external {
        Validators memory empty = makeValidators(2, 0, 0);
        appendEmptyBlocks(empty, 1);
        uint32 b = uint32(chain.length);
        Commitment memory c = commitmentAt(b, 1);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(b, b);
        ValidatorSignature[] memory sigs = signFirst(set1, c, 3);
        vm.expectRevert(BeefyClient.EmptyNextValidatorSet.selector);
        gw.submitCommitment(c, sigs, leaf, proof);
    }

    function test_currentSetCommitmentIgnoresLeaf() external {
        Commitment memory c = commitmentAt(5, 0);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(3, 4); // unrelated, not even valid
        gw.submitCommitment(c, signFirst(set0, c, 3), leaf, proof);
        (uint64 curId,,) = gw.currentValidatorSet();
        assertEq(curId, 0, "no rotation");
    }

    function test_constructorRejectsInconsistentSets() external {
        vm.expectRevert(BeefyClient.InvalidInitialValidatorSets.selector);
        new SibylGateway(setOf(set0), setOf(set2), 0, feeCollector);
        vm.expectRevert(BeefyClient.InvalidInitialValidatorSets.selector);
        new SibylGateway(ValidatorSet(0, 0, bytes32(0)), setOf(set1), 0, feeCollector);
        vm.expectRevert(SibylGateway.InvalidFeeCollector.selector);
        new SibylGateway(setOf(set0), setOf(set1), 0, address(0));
    }
}
