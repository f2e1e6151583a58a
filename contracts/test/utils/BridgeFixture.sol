// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Test, Vm} from "./Test.sol";
import {RefScale, RefMerkle, RefMmr} from "./Reference.sol";
import {LibHarness} from "./LibHarness.sol";
import {SibylGateway} from "../../src/SibylGateway.sol";
import {
    ValidatorSet,
    Commitment,
    ValidatorSignature,
    MmrLeaf,
    MmrProof,
    Message,
    MerkleProof
} from "../../src/lib/BridgeTypes.sol";

/// Keys, signatures and a simulated Sibyl chain (MMR leaves as pallet_beefy_mmr builds them),
/// all built with the reference builders, never with the contracts' own code.
abstract contract BridgeFixture is Test {
    uint256 internal constant SECP256K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct Validators {
        uint64 id;
        uint256[] keys;
        address[] addrs;
        bytes32[] leafHashes; // keccak256(address) in authority order
        bytes32 root;
    }

    LibHarness internal lib = new LibHarness();

    // ------------------------------------------------------------------ validators

    function makeValidators(uint64 id, uint256 n, uint256 seed) internal pure returns (Validators memory v) {
        v.id = id;
        v.keys = new uint256[](n);
        v.addrs = new address[](n);
        v.leafHashes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            uint256 key = uint256(keccak256(abi.encode("sibyl validator", seed, i))) % (SECP256K1N - 1) + 1;
            v.keys[i] = key;
            v.addrs[i] = vm.addr(key);
            v.leafHashes[i] = keccak256(abi.encodePacked(v.addrs[i]));
        }
        v.root = RefMerkle.root(v.leafHashes);
    }

    function setOf(Validators memory v) internal pure returns (ValidatorSet memory) {
        return ValidatorSet(v.id, uint32(v.keys.length), v.root);
    }

    /// What validators sign: keccak256 of SCALE(Commitment) built by the reference encoder.
    function digestOf(Commitment memory c) internal pure returns (bytes32) {
        return keccak256(RefScale.commitment(abi.encodePacked(c.mmrRoot), c.blockNumber, 4, c.validatorSetId));
    }

    /// A Substrate-style 65-byte signature (v = recovery id 0/1).
    function substrateSign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v - 27);
    }

    function signWith(Validators memory v, Commitment memory c, uint256[] memory indices)
        internal
        pure
        returns (ValidatorSignature[] memory sigs)
    {
        bytes32 digest = digestOf(c);
        sigs = new ValidatorSignature[](indices.length);
        for (uint256 i; i < indices.length; ++i) {
            uint256 idx = indices[i];
            sigs[i] = ValidatorSignature({
                index: uint32(idx),
                signer: v.addrs[idx],
                signature: substrateSign(v.keys[idx], digest),
                proof: RefMerkle.proof(v.leafHashes, idx)
            });
        }
    }

    function signFirst(Validators memory v, Commitment memory c, uint256 count)
        internal
        pure
        returns (ValidatorSignature[] memory)
    {
        return signWith(v, c, range(0, count));
    }

    /// Minimal supermajority: floor(2n/3) + 1.
    function quorum(uint256 n) internal pure returns (uint256) {
        return (2 * n) / 3 + 1;
    }

    function range(uint256 from, uint256 to) internal pure returns (uint256[] memory r) {
        r = new uint256[](to - from);
        for (uint256 i; i < r.length; ++i) {
            r[i] = from + i;
        }
    }

    // ------------------------------------------------------------------ simulated chain

    /// Leaves by leaf index; the leaf of block b (first MMR block 1) has index b - 1.
    MmrLeaf[] internal chain;
    /// Message leaf hashes by block.
    mapping(uint256 blockNumber => bytes32[]) internal blockMessages;

    /// Appends the leaf of the next block: its parent, the next authority set as
    /// pallet_beefy_mmr has it in that block, and the block's messages root as leaf_extra.
    function appendBlock(Validators memory nextSet, Message[] memory messages) internal returns (uint32 blockNumber) {
        blockNumber = uint32(chain.length + 1);
        bytes32[] memory hashes = new bytes32[](messages.length);
        for (uint256 i; i < messages.length; ++i) {
            hashes[i] = keccak256(messageLeafBytes(messages[i]));
            blockMessages[blockNumber].push(hashes[i]);
        }
        chain.push(
            MmrLeaf({
                version: 0,
                parentNumber: blockNumber - 1,
                parentHash: keccak256(abi.encode("block hash", blockNumber - 1)),
                nextAuthoritySetId: nextSet.id,
                nextAuthoritySetLen: uint32(nextSet.keys.length),
                nextAuthoritySetRoot: nextSet.root,
                leafExtra: RefMerkle.root(hashes)
            })
        );
    }

    function appendEmptyBlocks(Validators memory nextSet, uint256 count) internal returns (uint32 last) {
        Message[] memory none = new Message[](0);
        for (uint256 i; i < count; ++i) {
            last = appendBlock(nextSet, none);
        }
    }

    function leafHashOf(MmrLeaf memory l) internal pure returns (bytes32) {
        return keccak256(
            RefScale.mmrLeaf(
                l.version,
                l.parentNumber,
                l.parentHash,
                l.nextAuthoritySetId,
                l.nextAuthoritySetLen,
                l.nextAuthoritySetRoot,
                l.leafExtra
            )
        );
    }

    /// The MMR as it is at the end of `blockNumber` (leafCount = blockNumber).
    function mmrAt(uint256 blockNumber) internal view returns (RefMmr.Mmr memory m) {
        m = RefMmr.create(blockNumber);
        for (uint256 i; i < blockNumber; ++i) {
            RefMmr.push(m, leafHashOf(chain[i]));
        }
    }

    function mmrRootAt(uint256 blockNumber) internal view returns (bytes32) {
        return RefMmr.root(mmrAt(blockNumber));
    }

    /// The leaf of block `leafBlock` and its proof in the MMR at block `atBlock`.
    function leafProof(uint256 leafBlock, uint256 atBlock)
        internal
        view
        returns (MmrLeaf memory leaf, MmrProof memory proof)
    {
        leaf = chain[leafBlock - 1];
        proof = MmrProof({
            leafIndex: uint64(leafBlock - 1),
            leafCount: uint64(atBlock),
            items: RefMmr.proof(mmrAt(atBlock), leafBlock - 1)
        });
    }

    function commitmentAt(uint32 blockNumber, uint64 setId) internal view returns (Commitment memory) {
        return Commitment({mmrRoot: mmrRootAt(blockNumber), blockNumber: blockNumber, validatorSetId: setId});
    }

    // ------------------------------------------------------------------ messages

    function messageLeafBytes(Message memory m) internal pure returns (bytes memory) {
        return abi.encode(m.nonce, m.kind, m.body);
    }

    function messageProof(uint256 blockNumber, uint256 index) internal view returns (MerkleProof memory) {
        bytes32[] memory hashes = blockMessages[blockNumber];
        return MerkleProof(uint32(index), uint32(hashes.length), RefMerkle.proof(hashes, index));
    }

    function resultMessage(
        uint64 nonce,
        uint64 ethRequestId,
        uint64 sibylRequestId,
        uint32 modelId,
        uint32[] memory outputTokens,
        bytes32 finalRoot
    ) internal pure returns (Message memory) {
        return Message(nonce, 0, abi.encode(ethRequestId, sibylRequestId, modelId, outputTokens, finalRoot));
    }

    function mintMessage(uint64 nonce, uint32 modelId, address recipient, uint256 amount)
        internal
        pure
        returns (Message memory)
    {
        return Message(nonce, 1, abi.encode(modelId, recipient, amount));
    }

    function refundMessage(uint64 nonce, uint64 ethRequestId) internal pure returns (Message memory) {
        return Message(nonce, 2, abi.encode(ethRequestId));
    }

    function tokens(uint256 n, uint32 seed) internal pure returns (uint32[] memory t) {
        t = new uint32[](n);
        for (uint256 i; i < n; ++i) {
            t[i] = uint32(uint256(keccak256(abi.encode(seed, i))) % 49152);
        }
    }

    // ------------------------------------------------------------------ gateway

    function noLeaf() internal pure returns (MmrLeaf memory leaf, MmrProof memory proof) {}

    /// Submits a commitment of `signers` for `blockNumber` (no handover leaf).
    function submit(SibylGateway gw, Validators memory signers, uint32 blockNumber, uint256 count) internal {
        Commitment memory c = commitmentAt(blockNumber, signers.id);
        (MmrLeaf memory leaf, MmrProof memory proof) = noLeaf();
        gw.submitCommitment(c, signFirst(signers, c, count), leaf, proof);
    }

    /// Submits a handover commitment of `signers` for `blockNumber` with the leaf of `leafBlock`.
    function submitHandover(SibylGateway gw, Validators memory signers, uint32 blockNumber, uint256 leafBlock)
        internal
    {
        Commitment memory c = commitmentAt(blockNumber, signers.id);
        (MmrLeaf memory leaf, MmrProof memory proof) = leafProof(leafBlock, blockNumber);
        gw.submitCommitment(c, signFirst(signers, c, quorum(signers.keys.length)), leaf, proof);
    }
}
