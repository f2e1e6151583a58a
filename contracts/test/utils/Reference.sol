// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// Test-only reference builders, written independently of the contracts' verifiers:
/// byte-by-byte SCALE, the binary_merkle_tree row algorithm with its proof visitor, and the
/// ckb MMR with node positions (push / get_peaks / gen_proof), as in the Rust crates.

library RefScale {
    function le(uint256 v, uint256 nbytes) internal pure returns (bytes memory out) {
        out = new bytes(nbytes);
        for (uint256 i; i < nbytes; ++i) {
            out[i] = bytes1(uint8(v & 0xff));
            v >>= 8;
        }
        require(v == 0, "RefScale: value does not fit");
    }

    /// parity-scale-codec Compact<u32>-style length prefix (single, two and four byte modes).
    function compact(uint256 v) internal pure returns (bytes memory) {
        if (v < 1 << 6) return le(v << 2, 1);
        if (v < 1 << 14) return le((v << 2) | 1, 2);
        if (v < 1 << 30) return le((v << 2) | 2, 4);
        revert("RefScale: big compact not needed");
    }

    /// SCALE Vec<u8>.
    function bytesVec(bytes memory b) internal pure returns (bytes memory) {
        return bytes.concat(compact(b.length), b);
    }

    /// SCALE(Commitment { payload: Payload(vec![(*b"mh", value)]), block_number, validator_set_id }).
    /// `value` is the payload entry's bytes (for the MMR root: the 32 raw bytes of the H256).
    function commitment(bytes memory value, uint256 blockNumber, uint256 blockNumberBytes, uint64 setId)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(compact(1), bytes2("mh"), bytesVec(value), le(blockNumber, blockNumberBytes), le(setId, 8));
    }

    function mmrLeaf(
        uint8 version,
        uint32 parentNumber,
        bytes32 parentHash,
        uint64 nextId,
        uint32 nextLen,
        bytes32 nextRoot,
        bytes32 leafExtra
    ) internal pure returns (bytes memory) {
        return bytes.concat(
            bytes1(version),
            le(parentNumber, 4),
            abi.encodePacked(parentHash),
            le(nextId, 8),
            le(nextLen, 4),
            abi.encodePacked(nextRoot),
            abi.encodePacked(leafExtra)
        );
    }
}

library RefMerkle {
    function _h(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(a, b));
    }

    /// binary_merkle_tree::merkle_root over already hashed leaves (merkle_root_raw).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        if (leaves.length == 0) return bytes32(0);
        bytes32[] memory row = leaves;
        while (row.length > 1) {
            bytes32[] memory next = new bytes32[]((row.length + 1) / 2);
            for (uint256 i; i < row.length; i += 2) {
                next[i / 2] = i + 1 < row.length ? _h(row[i], row[i + 1]) : row[i];
            }
            row = next;
        }
        return row[0];
    }

    /// binary_merkle_tree::merkle_proof: per row, the sibling of the path node when it has one.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory items) {
        require(index < leaves.length, "RefMerkle: index");
        bytes32[] memory tmp = new bytes32[](256);
        uint256 n;
        bytes32[] memory row = leaves;
        uint256 position = index;
        while (row.length > 1) {
            // visit(index=2k, a, b): position == 2k -> push b; position == 2k+1 -> push a
            for (uint256 i; i < row.length; i += 2) {
                if (position == i && i + 1 < row.length) tmp[n++] = row[i + 1];
                if (position == i + 1) tmp[n++] = row[i];
            }
            bytes32[] memory next = new bytes32[]((row.length + 1) / 2);
            for (uint256 i; i < row.length; i += 2) {
                next[i / 2] = i + 1 < row.length ? _h(row[i], row[i + 1]) : row[i];
            }
            row = next;
            position /= 2;
        }
        items = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            items[i] = tmp[i];
        }
    }

    /// Literal port of binary_merkle_tree::verify_proof (16.1.2), which does not check the
    /// proof length; kept to show where the gateway's stricter verifier differs.
    function rustVerifyProof(bytes32 root_, bytes32[] memory items, uint256 width, uint256 index, bytes32 leafHash)
        internal
        pure
        returns (bool)
    {
        if (index >= width) return false;
        bytes32 a = leafHash;
        uint256 position = index;
        for (uint256 i; i < items.length; ++i) {
            bytes32 b = items[i];
            a = (position % 2 == 1 || position + 1 == width) ? _h(b, a) : _h(a, b);
            position /= 2;
            width = ((width - 1) / 2) + 1;
        }
        return a == root_;
    }
}

/// ckb-merkle-mountain-range (polkadot fork 0.8.3) with Keccak256 merge, by node positions.
library RefMmr {
    struct Mmr {
        bytes32[] nodes; // by position, capacity fixed at creation
        uint256 size; // mmr_size (number of nodes)
        uint256 leaves;
    }

    function create(uint256 maxLeaves) internal pure returns (Mmr memory m) {
        m.nodes = new bytes32[](2 * maxLeaves + 1);
    }

    function _merge(bytes32 l, bytes32 r) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(l, r));
    }

    function _bitLength(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            ++n;
            x >>= 1;
        }
    }

    function _popcount(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            n += x & 1;
            x >>= 1;
        }
    }

    function _trailingZeros(uint256 x) private pure returns (uint256 n) {
        while (x & 1 == 0) {
            ++n;
            x >>= 1;
        }
    }

    function leafIndexToMmrSize(uint256 index) internal pure returns (uint256) {
        uint256 leavesCount = index + 1;
        return leavesCount + (leavesCount - _popcount(leavesCount));
    }

    function leafIndexToPos(uint256 index) internal pure returns (uint256) {
        return leafIndexToMmrSize(index) - _trailingZeros(index + 1) - 1;
    }

    function posHeightInTree(uint256 pos) internal pure returns (uint256) {
        if (pos == 0) return 0;
        uint256 peakSize = (1 << _bitLength(pos)) - 1;
        while (peakSize > 0) {
            if (pos >= peakSize) pos -= peakSize;
            peakSize >>= 1;
        }
        return pos;
    }

    function getPeakMap(uint256 mmrSize) internal pure returns (uint256 peakMap) {
        if (mmrSize == 0) return 0;
        uint256 pos = mmrSize;
        uint256 peakSize = (1 << _bitLength(pos)) - 1;
        while (peakSize > 0) {
            peakMap <<= 1;
            if (pos >= peakSize) {
                pos -= peakSize;
                peakMap |= 1;
            }
            peakSize >>= 1;
        }
    }

    function getPeaks(uint256 mmrSize) internal pure returns (uint256[] memory peaks) {
        uint256[] memory tmp = new uint256[](64);
        uint256 n;
        uint256 pos = mmrSize;
        uint256 peakSize = (1 << _bitLength(pos)) - 1;
        uint256 sum;
        while (peakSize > 0) {
            if (pos >= peakSize) {
                pos -= peakSize;
                tmp[n++] = sum + peakSize - 1;
                sum += peakSize;
            }
            peakSize >>= 1;
        }
        peaks = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            peaks[i] = tmp[i];
        }
    }

    /// MMR::push
    function push(Mmr memory m, bytes32 leafHash) internal pure {
        uint256 peakMap = getPeakMap(m.size);
        uint256 pos = m.size;
        m.nodes[pos] = leafHash;
        uint256 peak = 1;
        while (peakMap & peak != 0) {
            peak <<= 1;
            pos += 1;
            uint256 leftPos = pos - peak;
            m.nodes[pos] = _merge(m.nodes[leftPos], m.nodes[pos - 1]);
        }
        m.size = pos + 1;
        m.leaves += 1;
    }

    function _bag(bytes32[] memory hashes) private pure returns (bytes32) {
        uint256 n = hashes.length;
        while (n > 1) {
            bytes32 right = hashes[n - 1];
            bytes32 left = hashes[n - 2];
            hashes[n - 2] = _merge(right, left); // merge_peaks(right, left)
            n -= 1;
        }
        return hashes[0];
    }

    /// MMR::get_root
    function root(Mmr memory m) internal pure returns (bytes32) {
        uint256[] memory peaks = getPeaks(m.size);
        bytes32[] memory hashes = new bytes32[](peaks.length);
        for (uint256 i; i < peaks.length; ++i) {
            hashes[i] = m.nodes[peaks[i]];
        }
        return _bag(hashes);
    }

    /// MMR::gen_proof for a single leaf index.
    function proof(Mmr memory m, uint256 leafIndex) internal pure returns (bytes32[] memory items) {
        uint256 pos = leafIndexToPos(leafIndex);
        require(pos < m.size, "RefMmr: leaf");
        uint256[] memory peaks = getPeaks(m.size);
        bytes32[] memory tmp = new bytes32[](128);
        uint256 n;
        uint256 baggingTrack;
        bool done;
        for (uint256 p; p < peaks.length; ++p) {
            uint256 peakPos = peaks[p];
            if (!done && pos <= peakPos) {
                done = true;
                baggingTrack = 0;
                // gen_proof_for_peak([pos], peakPos)
                uint256 height;
                uint256 cur = pos;
                while (cur != peakPos) {
                    uint256 nextHeight = posHeightInTree(cur + 1);
                    uint256 sib;
                    uint256 parent;
                    if (nextHeight > height) {
                        sib = cur - ((2 << height) - 1);
                        parent = cur + 1;
                    } else {
                        sib = cur + ((2 << height) - 1);
                        parent = cur + (2 << height);
                    }
                    tmp[n++] = m.nodes[sib];
                    cur = parent;
                    height += 1;
                }
            } else {
                tmp[n++] = m.nodes[peakPos];
                baggingTrack += 1;
            }
        }
        if (baggingTrack > 1) {
            bytes32[] memory rhs = new bytes32[](baggingTrack);
            for (uint256 i; i < baggingTrack; ++i) {
                rhs[i] = tmp[n - baggingTrack + i];
            }
            n -= baggingTrack;
            tmp[n++] = _bag(rhs);
        }
        items = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            items[i] = tmp[i];
        }
    }
}
