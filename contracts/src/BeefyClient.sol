// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ValidatorSet, Commitment, ValidatorSignature, MmrLeaf, MmrProof} from "./lib/BridgeTypes.sol";
import {SubstrateEncoding} from "./lib/SubstrateEncoding.sol";
import {BinaryMerkle} from "./lib/BinaryMerkle.sol";
import {MerkleMountainRange} from "./lib/MerkleMountainRange.sol";

/// BEEFY light client of the Sibyl chain (ECDSA BEEFY keys, Keccak256 MMR, pallet_beefy_mmr leaves).
///
/// It follows the current and the next validator set, accepts commitments signed by more than
/// two thirds of one of them and remembers every accepted MMR root, against which the
/// gateway verifies MMR leaves (and, through their `leaf_extra`, outbound messages).
///
/// Handover: a commitment signed by the *next* set (id = next.id) must come with an MMR leaf,
/// proven against that commitment's own MMR root, whose `beefy_next_authority_set.id` is
/// next.id + 1; the light client then moves current := next and next := that leaf's set.
/// `pallet_beefy_mmr` puts `BeefyNextAuthorities` into every leaf, and it holds set k+2 from the
/// block where set k+1 became active (pallet_beefy `change_authorities` -> `on_new_validator_set`)
/// until the next rotation, so every leaf with next id k+2 carries the same set. Any such leaf
/// of the signed MMR is accepted; the relayer normally proves the commitment block's own leaf
/// (the last leaf of that MMR). See README.md "Handover".
abstract contract BeefyClient {
    /// secp256k1n / 2: signatures with a larger s are rejected (malleability).
    uint256 internal constant SECP256K1N_HALF = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// The set that signs commitments now.
    ValidatorSet public currentValidatorSet;
    /// The set announced to follow it (signs from the next session on).
    ValidatorSet public nextValidatorSet;
    /// Block number of the latest accepted commitment.
    uint32 public latestBeefyBlock;
    /// MMR root of the latest accepted commitment.
    bytes32 public latestMmrRoot;
    /// Every accepted MMR root -> the block number of its commitment (0: not accepted).
    mapping(bytes32 mmrRoot => uint32 blockNumber) public acceptedMmrRoots;

    event ValidatorSetsInitialized(ValidatorSet current, ValidatorSet next, uint32 startBlock);
    event CommitmentAccepted(bytes32 indexed mmrRoot, uint32 indexed blockNumber, uint64 validatorSetId, uint256 signatures);
    event ValidatorSetRotated(ValidatorSet current, ValidatorSet next);

    error InvalidInitialValidatorSets();
    error StaleCommitment(uint32 blockNumber, uint32 latestBlock);
    error UnknownValidatorSet(uint64 validatorSetId, uint64 currentId, uint64 nextId);
    error NotEnoughSignatures(uint256 signatures, uint32 setLength);
    error SignerIndexNotIncreasing(uint256 position, uint32 index);
    error SignerIndexOutOfRange(uint32 index, uint32 setLength);
    error InvalidSignatureLength(uint32 index);
    error InvalidSignatureV(uint32 index, uint8 v);
    error MalleableSignature(uint32 index);
    error InvalidSignature(uint32 index);
    error InvalidValidatorProof(uint32 index);
    error InvalidMmrProof();
    error InvalidHandoverLeaf(uint64 expectedNextId, uint64 leafNextId);
    error EmptyNextValidatorSet();
    error MmrRootAlreadyAccepted(bytes32 mmrRoot);

    /// @param current the set signing at `startBlock`
    /// @param next the set announced after it (id must be current.id + 1)
    /// @param startBlock commitments for blocks <= startBlock are rejected
    constructor(ValidatorSet memory current, ValidatorSet memory next, uint32 startBlock) {
        if (current.len == 0 || next.len == 0 || next.id != current.id + 1) revert InvalidInitialValidatorSets();
        currentValidatorSet = current;
        nextValidatorSet = next;
        latestBeefyBlock = startBlock;
        emit ValidatorSetsInitialized(current, next, startBlock);
    }

    /// Imports a signed BEEFY commitment.
    /// @param commitment the commitment (the SCALE bytes are rebuilt from it)
    /// @param signatures the signatures, with strictly increasing validator indices
    /// @param leaf for a handover (commitment signed by the next set): an MMR leaf of the
    ///        commitment's MMR with `nextAuthoritySetId == next.id + 1`; ignored otherwise
    /// @param leafProof its MMR proof against `commitment.mmrRoot`; ignored if not a handover
    function submitCommitment(
        Commitment calldata commitment,
        ValidatorSignature[] calldata signatures,
        MmrLeaf calldata leaf,
        MmrProof calldata leafProof
    ) external {
        uint32 latest = latestBeefyBlock;
        if (commitment.blockNumber <= latest) revert StaleCommitment(commitment.blockNumber, latest);

        bool handover;
        ValidatorSet memory vset;
        uint64 setId = commitment.validatorSetId;
        if (setId == currentValidatorSet.id) {
            vset = currentValidatorSet;
        } else if (setId == nextValidatorSet.id) {
            vset = nextValidatorSet;
            handover = true;
        } else {
            revert UnknownValidatorSet(setId, currentValidatorSet.id, nextValidatorSet.id);
        }

        _verifySignatures(commitment, signatures, vset);

        if (handover) {
            if (!MerkleMountainRange.verifyLeaf(
                    commitment.mmrRoot,
                    SubstrateEncoding.hashMmrLeaf(leaf),
                    leafProof.leafIndex,
                    leafProof.leafCount,
                    leafProof.items
                )) revert InvalidMmrProof();
            if (leaf.nextAuthoritySetId != vset.id + 1) {
                revert InvalidHandoverLeaf(vset.id + 1, leaf.nextAuthoritySetId);
            }
            if (leaf.nextAuthoritySetLen == 0) revert EmptyNextValidatorSet();
            ValidatorSet memory upcoming =
                ValidatorSet(leaf.nextAuthoritySetId, leaf.nextAuthoritySetLen, leaf.nextAuthoritySetRoot);
            currentValidatorSet = vset;
            nextValidatorSet = upcoming;
            emit ValidatorSetRotated(vset, upcoming);
        }

        // An MMR root commits to its leaf count, so a root can only belong to one block.
        if (acceptedMmrRoots[commitment.mmrRoot] != 0) revert MmrRootAlreadyAccepted(commitment.mmrRoot);
        latestBeefyBlock = commitment.blockNumber;
        latestMmrRoot = commitment.mmrRoot;
        acceptedMmrRoots[commitment.mmrRoot] = commitment.blockNumber;
        emit CommitmentAccepted(commitment.mmrRoot, commitment.blockNumber, setId, signatures.length);
    }

    /// Whether `leaf` is in the MMR under the accepted root `mmrRoot`.
    function verifyMmrLeaf(bytes32 mmrRoot, MmrLeaf calldata leaf, MmrProof calldata proof)
        external
        view
        returns (bool)
    {
        return acceptedMmrRoots[mmrRoot] != 0
            && MerkleMountainRange.verifyLeaf(
                mmrRoot, SubstrateEncoding.hashMmrLeaf(leaf), proof.leafIndex, proof.leafCount, proof.items
            );
    }

    /// SCALE(Commitment) as the validators sign it (keccak256 of these bytes).
    function encodeCommitment(Commitment calldata commitment) external pure returns (bytes memory) {
        return SubstrateEncoding.encodeCommitment(commitment.mmrRoot, commitment.blockNumber, commitment.validatorSetId);
    }

    function _verifySignatures(
        Commitment calldata commitment,
        ValidatorSignature[] calldata signatures,
        ValidatorSet memory vset
    ) private pure {
        uint256 count = signatures.length;
        // More than two thirds: count * 3 > len * 2 (exactly two thirds is not enough).
        if (count * 3 <= uint256(vset.len) * 2) revert NotEnoughSignatures(count, vset.len);

        bytes32 digest = SubstrateEncoding.commitmentHash(
            commitment.mmrRoot, commitment.blockNumber, commitment.validatorSetId
        );
        uint256 minIndex; // strictly increasing indices: no validator counted twice
        for (uint256 i; i < count; ++i) {
            ValidatorSignature calldata sig = signatures[i];
            uint32 index = sig.index;
            if (index < minIndex) revert SignerIndexNotIncreasing(i, index);
            if (index >= vset.len) revert SignerIndexOutOfRange(index, vset.len);
            minIndex = uint256(index) + 1;

            if (_recover(digest, sig.signature, index) != sig.signer) revert InvalidSignature(index);
            if (!BinaryMerkle.verify(
                    vset.root, keccak256(abi.encodePacked(sig.signer)), index, vset.len, sig.proof
                )) revert InvalidValidatorProof(index);
        }
    }

    /// ecrecover of a 65-byte r ‖ s ‖ v signature; v is Substrate's recovery id (0/1) or 27/28.
    function _recover(bytes32 digest, bytes calldata signature, uint32 index) private pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignatureLength(index);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        if (v < 27) v += 27;
        if (v != 27 && v != 28) revert InvalidSignatureV(index, v);
        if (uint256(s) > SECP256K1N_HALF) revert MalleableSignature(index);
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature(index);
    }
}
