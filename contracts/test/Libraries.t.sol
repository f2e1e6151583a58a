// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Test} from "./utils/Test.sol";
import {RefScale, RefMerkle, RefMmr} from "./utils/Reference.sol";
import {LibHarness} from "./utils/LibHarness.sol";
import {MmrLeaf} from "../src/lib/BridgeTypes.sol";

/// Encodings and verifiers against the reference builders (and one vector from the Rust crate).
contract LibrariesTest is Test {
    LibHarness internal lib = new LibHarness();

    // ------------------------------------------------------------------ SCALE

    /// sp-consensus-beefy 32.0.0 commitment.rs `commitment_encode_decode`: payload
    /// ("mh", "Hello World!".encode()), block_number 5 (u128 in that test), set id 0.
    function test_referenceScaleMatchesRustCrateVector() external pure {
        bytes memory value = RefScale.bytesVec(bytes("Hello World!"));
        bytes memory encoded = RefScale.commitment(value, 5, 16, 0);
        assertEq(
            encoded,
            hex"046d68343048656c6c6f20576f726c6421050000000000000000000000000000000000000000000000",
            "reference SCALE differs from the crate's test vector"
        );
    }

    function test_commitmentEncodingExplicitBytes() external view {
        bytes32 root = 0x1111111111111111111111111111111111111111111111111111111111111122;
        bytes memory encoded = lib.encodeCommitment(root, 0x01020304, 0x0102030405060708);
        assertEq(
            encoded,
            bytes.concat(hex"046d6880", root, hex"04030201", hex"0807060504030201"),
            "commitment bytes"
        );
        assertEq(encoded.length, 48, "commitment length");
    }

    function testFuzz_commitmentEncodingMatchesReference(bytes32 root, uint32 blockNumber, uint64 setId)
        external
        view
    {
        assertEq(
            lib.encodeCommitment(root, blockNumber, setId),
            RefScale.commitment(abi.encodePacked(root), blockNumber, 4, setId),
            "commitment encoding"
        );
    }

    function test_mmrLeafEncodingExplicitBytes() external view {
        MmrLeaf memory leaf = MmrLeaf({
            version: 0x21,
            parentNumber: 0x0a0b0c0d,
            parentHash: bytes32(uint256(0xaa)),
            nextAuthoritySetId: 0x1122334455667788,
            nextAuthoritySetLen: 0x00000105,
            nextAuthoritySetRoot: bytes32(uint256(0xbb)),
            leafExtra: bytes32(uint256(0xcc))
        });
        bytes memory encoded = lib.encodeMmrLeaf(leaf);
        assertEq(
            encoded,
            bytes.concat(
                hex"21",
                hex"0d0c0b0a",
                bytes32(uint256(0xaa)),
                hex"8877665544332211",
                hex"05010000",
                bytes32(uint256(0xbb)),
                bytes32(uint256(0xcc))
            ),
            "leaf bytes"
        );
        assertEq(encoded.length, 113, "leaf length");
    }

    function testFuzz_mmrLeafEncodingMatchesReference(
        uint8 version,
        uint32 parentNumber,
        bytes32 parentHash,
        uint64 id,
        uint32 len,
        bytes32 root,
        bytes32 extra
    ) external view {
        MmrLeaf memory leaf = MmrLeaf(version, parentNumber, parentHash, id, len, root, extra);
        assertEq(
            lib.encodeMmrLeaf(leaf),
            RefScale.mmrLeaf(version, parentNumber, parentHash, id, len, root, extra),
            "leaf encoding"
        );
    }

    // ------------------------------------------------------------------ binary merkle tree

    function _leaves(uint256 n, uint256 seed) internal pure returns (bytes32[] memory l) {
        l = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            l[i] = keccak256(abi.encodePacked(address(uint160(uint256(keccak256(abi.encode(seed, i)))))));
        }
    }

    function test_merkleAllSizesAndIndices() external view {
        for (uint256 n = 1; n <= 33; ++n) {
            bytes32[] memory leaves = _leaves(n, n);
            bytes32 root = RefMerkle.root(leaves);
            for (uint256 i; i < n; ++i) {
                bytes32[] memory proof = RefMerkle.proof(leaves, i);
                assertTrue(lib.merkleVerify(root, leaves[i], i, n, proof), "valid proof rejected");
                assertTrue(RefMerkle.rustVerifyProof(root, proof, n, i, leaves[i]), "rust port disagrees");
                // the same proof for a different leaf, or at another index, fails
                if (n > 1) assertFalse(lib.merkleVerify(root, leaves[(i + 1) % n], i, n, proof), "wrong leaf accepted");
                for (uint256 j; j < n; ++j) {
                    if (j != i) assertFalse(lib.merkleVerify(root, leaves[i], j, n, proof), "wrong index accepted");
                }
            }
        }
    }

    function test_merkleWidthMatters() external view {
        // 5 leaves: leaf 4 is promoted twice, its proof is a single item.
        bytes32[] memory leaves = _leaves(5, 7);
        bytes32 root = RefMerkle.root(leaves);
        bytes32[] memory proof = RefMerkle.proof(leaves, 4);
        assertEq(proof.length, 1, "proof of the promoted leaf");
        assertTrue(lib.merkleVerify(root, leaves[4], 4, 5, proof), "valid");
        assertFalse(lib.merkleVerify(root, leaves[4], 4, 6, proof), "width 6 accepted");
        assertFalse(lib.merkleVerify(root, leaves[4], 4, 8, proof), "width 8 accepted");
        assertFalse(lib.merkleVerify(root, leaves[4], 4, 4, proof), "index >= width accepted");
    }

    /// binary_merkle_tree::verify_proof does not check the proof length: with 6 leaves the proof
    /// of leaf 5 also verifies at index 3. The gateway's verifier must not accept it (a signer
    /// could otherwise be counted at two indices).
    function test_merkleStrictAgainstShortProofAtAnotherIndex() external view {
        bytes32[] memory leaves = _leaves(6, 11);
        bytes32 root = RefMerkle.root(leaves);
        bytes32[] memory proof5 = RefMerkle.proof(leaves, 5);
        assertTrue(RefMerkle.rustVerifyProof(root, proof5, 6, 3, leaves[5]), "the Rust verifier accepts index 3");
        assertTrue(lib.merkleVerify(root, leaves[5], 5, 6, proof5), "index 5 valid");
        assertFalse(lib.merkleVerify(root, leaves[5], 3, 6, proof5), "index 3 accepted");
    }

    function test_merkleRejectsTampering() external view {
        bytes32[] memory leaves = _leaves(13, 3);
        bytes32 root = RefMerkle.root(leaves);
        bytes32[] memory proof = RefMerkle.proof(leaves, 6);
        assertTrue(lib.merkleVerify(root, leaves[6], 6, 13, proof), "valid");
        bytes32[] memory longer = new bytes32[](proof.length + 1);
        for (uint256 i; i < proof.length; ++i) {
            longer[i] = proof[i];
        }
        assertFalse(lib.merkleVerify(root, leaves[6], 6, 13, longer), "extra item accepted");
        bytes32[] memory shorter = new bytes32[](proof.length - 1);
        for (uint256 i; i < shorter.length; ++i) {
            shorter[i] = proof[i];
        }
        assertFalse(lib.merkleVerify(root, leaves[6], 6, 13, shorter), "missing item accepted");
        proof[1] ^= bytes32(uint256(1));
        assertFalse(lib.merkleVerify(root, leaves[6], 6, 13, proof), "modified item accepted");
        assertFalse(lib.merkleVerify(bytes32(0), leaves[0], 0, 0, new bytes32[](0)), "empty tree");
    }

    function test_merkleSingleLeafAndEmptyRoot() external view {
        bytes32[] memory one = _leaves(1, 5);
        assertEq(RefMerkle.root(one), one[0], "single leaf root is the leaf hash");
        assertTrue(lib.merkleVerify(one[0], one[0], 0, 1, new bytes32[](0)), "single leaf");
        assertEq(RefMerkle.root(new bytes32[](0)), bytes32(0), "empty root is zero");
    }

    // ------------------------------------------------------------------ MMR

    function _mmr(uint256 n, uint256 seed) internal pure returns (RefMmr.Mmr memory m, bytes32[] memory leaves) {
        m = RefMmr.create(n);
        leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = keccak256(abi.encode("leaf", seed, i));
            RefMmr.push(m, leaves[i]);
        }
    }

    function test_mmrShapeMatchesCkb() external pure {
        (RefMmr.Mmr memory m,) = _mmr(11, 1);
        assertEq(m.size, 19, "mmr_size of 11 leaves"); // 2 * 11 - popcount(11)
        uint256[] memory peaks = RefMmr.getPeaks(m.size);
        assertEq(peaks.length, 3, "peaks");
        assertEq(peaks[0], 14, "peak 0");
        assertEq(peaks[1], 17, "peak 1");
        assertEq(peaks[2], 18, "peak 2");
        assertEq(RefMmr.leafIndexToPos(0), 0, "pos 0");
        assertEq(RefMmr.leafIndexToPos(2), 3, "pos 2");
        assertEq(RefMmr.leafIndexToPos(8), 15, "pos 8");
        assertEq(RefMmr.leafIndexToPos(10), 18, "pos 10");
    }

    function test_mmrTwoAndThreeLeavesByHand() external view {
        (RefMmr.Mmr memory m2, bytes32[] memory l2) = _mmr(2, 9);
        bytes32 r2 = keccak256(abi.encodePacked(l2[0], l2[1]));
        assertEq(RefMmr.root(m2), r2, "root of 2");
        bytes32[] memory p = new bytes32[](1);
        p[0] = l2[0];
        assertTrue(lib.mmrVerify(r2, l2[1], 1, 2, p), "leaf 1 of 2");

        (RefMmr.Mmr memory m3, bytes32[] memory l3) = _mmr(3, 9);
        // peaks [H(l0,l1), l2], bagged from the right: keccak(l2 ‖ H(l0,l1))
        bytes32 r3 = keccak256(abi.encodePacked(l3[2], keccak256(abi.encodePacked(l3[0], l3[1]))));
        assertEq(RefMmr.root(m3), r3, "root of 3");
        bytes32[] memory p0 = RefMmr.proof(m3, 0);
        assertEq(p0.length, 2, "proof of leaf 0: sibling, right peak");
        assertEq(p0[0], l3[1], "sibling first");
        assertEq(p0[1], l3[2], "right peak last");
        assertTrue(lib.mmrVerify(r3, l3[0], 0, 3, p0), "leaf 0 of 3");
        bytes32[] memory p2 = RefMmr.proof(m3, 2);
        assertEq(p2.length, 1, "proof of leaf 2: left peak");
        assertTrue(lib.mmrVerify(r3, l3[2], 2, 3, p2), "leaf 2 of 3");
    }

    function test_mmrAllCountsAndIndices() external view {
        for (uint256 n = 1; n <= 40; ++n) {
            (RefMmr.Mmr memory m, bytes32[] memory leaves) = _mmr(n, n);
            bytes32 root = RefMmr.root(m);
            for (uint256 i; i < n; ++i) {
                bytes32[] memory proof = RefMmr.proof(m, i);
                assertTrue(lib.mmrVerify(root, leaves[i], i, n, proof), "valid MMR proof rejected");
                if (n > 1) {
                    assertFalse(lib.mmrVerify(root, leaves[(i + 1) % n], i, n, proof), "wrong leaf accepted");
                }
                if (proof.length > 0) {
                    proof[proof.length - 1] ^= bytes32(uint256(1));
                    assertFalse(lib.mmrVerify(root, leaves[i], i, n, proof), "tampered proof accepted");
                }
            }
            assertFalse(lib.mmrVerify(root, leaves[0], n, n, new bytes32[](0)), "index >= count");
        }
    }

    function testFuzz_mmrLargeCounts(uint256 n, uint256 i) external view {
        n = 1 + (n % 300);
        i = i % n;
        (RefMmr.Mmr memory m, bytes32[] memory leaves) = _mmr(n, 77);
        bytes32 root = RefMmr.root(m);
        bytes32[] memory proof = RefMmr.proof(m, i);
        assertTrue(lib.mmrVerify(root, leaves[i], i, n, proof), "valid MMR proof rejected");
        bytes32[] memory extra = new bytes32[](proof.length + 1);
        for (uint256 k; k < proof.length; ++k) {
            extra[k] = proof[k];
        }
        assertFalse(lib.mmrVerify(root, leaves[i], i, n, extra), "extra item accepted");
    }
}
