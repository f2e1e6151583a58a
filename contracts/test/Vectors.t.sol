// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BridgeFixture} from "./utils/BridgeFixture.sol";
import {console} from "./utils/Test.sol";
import {RefMerkle} from "./utils/Reference.sol";
import {SibylGateway} from "../src/SibylGateway.sol";
import {BridgedRevenueToken} from "../src/BridgedRevenueToken.sol";
import {
    ValidatorSet,
    Commitment,
    ValidatorSignature,
    MmrLeaf,
    MmrProof,
    Message,
    MerkleProof
} from "../src/lib/BridgeTypes.sol";

/// Runs every JSON vector in test/vectors/ (schema: README.md, "Test vectors") through the
/// encoders, the verifiers and a fresh gateway. No vectors: nothing to do.
contract VectorsTest is BridgeFixture {
    string internal constant DIR = "test/vectors";

    struct Loaded {
        string json;
        string file;
        ValidatorSet current;
        ValidatorSet next;
        address[] currentAddrs;
        address[] nextAddrs;
        bool hasCommitment;
        Commitment commitment;
        bool hasLeaf;
        MmrLeaf leaf;
        MmrProof leafProof;
        bytes32 leafMmrRoot;
    }

    function test_jsonVectors() external {
        if (!vm.exists(DIR)) {
            console.log("no test/vectors directory: nothing to check");
            return;
        }
        Vm_DirEntry[] memory entries = _dir();
        uint256 checked;
        for (uint256 i; i < entries.length; ++i) {
            string memory path = entries[i].path;
            if (entries[i].isDir || !_endsWith(path, ".json")) continue;
            _check(path);
            ++checked;
        }
        console.log("JSON vectors checked", checked);
    }

    // forge's DirEntry, re-declared to keep the call site short
    struct Vm_DirEntry {
        string path;
        bool isDir;
    }

    function _dir() internal view returns (Vm_DirEntry[] memory out) {
        (bool ok, bytes memory ret) = address(vm).staticcall(abi.encodeWithSignature("readDir(string)", DIR));
        require(ok, "readDir");
        VmDirEntry[] memory raw = abi.decode(ret, (VmDirEntry[]));
        out = new Vm_DirEntry[](raw.length);
        for (uint256 i; i < raw.length; ++i) {
            out[i] = Vm_DirEntry(raw[i].path, raw[i].isDir);
        }
    }

    struct VmDirEntry {
        string errorMessage;
        string path;
        uint64 depth;
        bool isDir;
        bool isSymlink;
    }

    function _endsWith(string memory s, string memory suffix) internal pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory b = bytes(suffix);
        if (a.length < b.length) return false;
        for (uint256 i; i < b.length; ++i) {
            if (a[a.length - b.length + i] != b[i]) return false;
        }
        return true;
    }

    function _has(string memory json, string memory key) internal view returns (bool) {
        return vm.keyExistsJson(json, key);
    }

    function _u(string memory json, string memory key) internal pure returns (uint256) {
        return vm.parseJsonUint(json, key);
    }

    function _b32(string memory json, string memory key) internal pure returns (bytes32) {
        return vm.parseJsonBytes32(json, key);
    }

    function _msg(string memory file, string memory what) internal pure returns (string memory) {
        return string.concat(file, ": ", what);
    }

    // ------------------------------------------------------------------ one file

    function _check(string memory file) internal {
        console.log(string.concat("vector ", file));
        Loaded memory v;
        v.file = file;
        v.json = vm.readFile(file);
        (v.current, v.currentAddrs) = _set(v, ".validatorSet");
        (v.next, v.nextAddrs) = _set(v, ".nextValidatorSet");
        if (_has(v.json, ".mmrLeaf")) _loadLeaf(v);
        SibylGateway gw;
        if (_has(v.json, ".commitment")) gw = _checkCommitment(v);
        if (_has(v.json, ".messages")) _checkMessages(v, gw);
    }

    function _set(Loaded memory v, string memory key) internal view returns (ValidatorSet memory s, address[] memory addrs) {
        if (!_has(v.json, key)) return (s, addrs);
        s.id = uint64(_u(v.json, string.concat(key, ".id")));
        s.len = uint32(_u(v.json, string.concat(key, ".len")));
        s.root = _b32(v.json, string.concat(key, ".root"));
        if (_has(v.json, string.concat(key, ".addresses"))) {
            addrs = vm.parseJsonAddressArray(v.json, string.concat(key, ".addresses"));
            assertEq(addrs.length, s.len, _msg(v.file, "set length"));
            bytes32[] memory hashes = new bytes32[](addrs.length);
            for (uint256 i; i < addrs.length; ++i) {
                hashes[i] = keccak256(abi.encodePacked(addrs[i]));
            }
            assertEq(RefMerkle.root(hashes), s.root, _msg(v.file, string.concat(key, " root of the addresses")));
        }
    }

    function _loadLeaf(Loaded memory v) internal view {
        string memory j = v.json;
        v.hasLeaf = true;
        v.leaf = MmrLeaf({
            version: uint8(_u(j, ".mmrLeaf.version")),
            parentNumber: uint32(_u(j, ".mmrLeaf.parentNumber")),
            parentHash: _b32(j, ".mmrLeaf.parentHash"),
            nextAuthoritySetId: uint64(_u(j, ".mmrLeaf.nextAuthoritySetId")),
            nextAuthoritySetLen: uint32(_u(j, ".mmrLeaf.nextAuthoritySetLen")),
            nextAuthoritySetRoot: _b32(j, ".mmrLeaf.nextAuthoritySetRoot"),
            leafExtra: _b32(j, ".mmrLeaf.leafExtra")
        });
        v.leafProof = MmrProof({
            leafIndex: uint64(_u(j, ".mmrLeaf.leafIndex")),
            leafCount: uint64(_u(j, ".mmrLeaf.leafCount")),
            items: vm.parseJsonBytes32Array(j, ".mmrLeaf.items")
        });
        v.leafMmrRoot = _b32(j, ".mmrLeaf.mmrRoot");
        bytes memory encoded = lib.encodeMmrLeaf(v.leaf);
        if (_has(j, ".mmrLeaf.encoded")) {
            assertEq(encoded, vm.parseJsonBytes(j, ".mmrLeaf.encoded"), _msg(v.file, "SCALE(MmrLeaf)"));
        }
        if (_has(j, ".mmrLeaf.hash")) {
            assertEq(keccak256(encoded), _b32(j, ".mmrLeaf.hash"), _msg(v.file, "leaf hash"));
        }
        assertTrue(
            lib.mmrVerify(v.leafMmrRoot, keccak256(encoded), v.leafProof.leafIndex, v.leafProof.leafCount, v.leafProof.items),
            _msg(v.file, "MMR proof")
        );
    }

    function _checkCommitment(Loaded memory v) internal returns (SibylGateway gw) {
        string memory j = v.json;
        v.hasCommitment = true;
        v.commitment = Commitment({
            mmrRoot: _b32(j, ".commitment.mmrRoot"),
            blockNumber: uint32(_u(j, ".commitment.blockNumber")),
            validatorSetId: uint64(_u(j, ".commitment.validatorSetId"))
        });
        bytes memory encoded =
            lib.encodeCommitment(v.commitment.mmrRoot, v.commitment.blockNumber, v.commitment.validatorSetId);
        if (_has(j, ".commitment.encoded")) {
            assertEq(encoded, vm.parseJsonBytes(j, ".commitment.encoded"), _msg(v.file, "SCALE(Commitment)"));
        }
        if (_has(j, ".commitment.hash")) {
            assertEq(keccak256(encoded), _b32(j, ".commitment.hash"), _msg(v.file, "commitment hash"));
        }

        bool handover = v.commitment.validatorSetId == v.next.id;
        ValidatorSignature[] memory sigs =
            _signatures(v, keccak256(encoded), handover ? v.nextAddrs : v.currentAddrs, handover ? v.next : v.current);

        gw = new SibylGateway(v.current, v.next, v.commitment.blockNumber - 1, address(0xFEE));
        MmrLeaf memory leaf;
        MmrProof memory proof;
        if (handover) {
            assertTrue(v.hasLeaf && v.leafMmrRoot == v.commitment.mmrRoot, _msg(v.file, "handover needs the leaf"));
            (leaf, proof) = (v.leaf, v.leafProof);
        }
        gw.submitCommitment(v.commitment, sigs, leaf, proof);
        assertEq(gw.latestBeefyBlock(), v.commitment.blockNumber, _msg(v.file, "commitment accepted"));
        if (handover) {
            (uint64 curId,,) = gw.currentValidatorSet();
            (uint64 nextId,, bytes32 nextRoot) = gw.nextValidatorSet();
            assertEq(curId, v.next.id, _msg(v.file, "rotated"));
            assertEq(nextId, v.leaf.nextAuthoritySetId, _msg(v.file, "next id"));
            assertEq(nextRoot, v.leaf.nextAuthoritySetRoot, _msg(v.file, "next root"));
        }
        if (v.hasLeaf && v.leafMmrRoot == v.commitment.mmrRoot) {
            assertTrue(gw.verifyMmrLeaf(v.leafMmrRoot, v.leaf, v.leafProof), _msg(v.file, "leaf under accepted root"));
        }
    }

    function _signatures(Loaded memory v, bytes32 digest, address[] memory addrs, ValidatorSet memory set)
        internal
        view
        returns (ValidatorSignature[] memory sigs)
    {
        uint256 n;
        while (_has(v.json, string.concat(".commitment.signatures[", vm.toString(n), "]"))) ++n;
        sigs = new ValidatorSignature[](n);
        bytes32[] memory hashes = new bytes32[](addrs.length);
        for (uint256 i; i < addrs.length; ++i) {
            hashes[i] = keccak256(abi.encodePacked(addrs[i]));
        }
        for (uint256 i; i < n; ++i) {
            sigs[i] = _signature(v, digest, addrs, hashes, set, i);
        }
    }

    function _signature(
        Loaded memory v,
        bytes32 digest,
        address[] memory addrs,
        bytes32[] memory hashes,
        ValidatorSet memory set,
        uint256 i
    ) internal view returns (ValidatorSignature memory sig) {
        string memory key = string.concat(".commitment.signatures[", vm.toString(i), "]");
        sig.index = uint32(_u(v.json, string.concat(key, ".index")));
        sig.signature = vm.parseJsonBytes(v.json, string.concat(key, ".signature"));
        sig.signer = _recover(digest, sig.signature);
        if (addrs.length > 0) assertEq(sig.signer, addrs[sig.index], _msg(v.file, "signature recovers the validator"));
        if (_has(v.json, string.concat(key, ".proof"))) {
            sig.proof = vm.parseJsonBytes32Array(v.json, string.concat(key, ".proof"));
        } else {
            require(addrs.length > 0, "a signature needs its proof or the set's addresses");
            sig.proof = RefMerkle.proof(hashes, sig.index);
        }
        assertTrue(
            lib.merkleVerify(set.root, keccak256(abi.encodePacked(sig.signer)), sig.index, set.len, sig.proof),
            _msg(v.file, "validator proof")
        );
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 s;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
        }
        uint8 v = uint8(sig[64]);
        return ecrecover(digest, v < 27 ? v + 27 : v, r, s);
    }

    // ------------------------------------------------------------------ messages

    function _checkMessages(Loaded memory v, SibylGateway gw) internal {
        string memory j = v.json;
        uint256 n;
        while (_has(j, string.concat(".messages[", vm.toString(n), "]"))) ++n;
        Message[] memory ms = new Message[](n);
        MerkleProof[] memory ps = new MerkleProof[](n);
        for (uint256 i; i < n; ++i) {
            string memory key = string.concat(".messages[", vm.toString(i), "]");
            ms[i] = Message(
                uint64(_u(j, string.concat(key, ".nonce"))),
                uint8(_u(j, string.concat(key, ".kind"))),
                vm.parseJsonBytes(j, string.concat(key, ".body"))
            );
            ps[i] = MerkleProof(
                uint32(_u(j, string.concat(key, ".index"))),
                uint32(_u(j, string.concat(key, ".count"))),
                vm.parseJsonBytes32Array(j, string.concat(key, ".items"))
            );
            bytes memory encoded = abi.encode(ms[i].nonce, ms[i].kind, ms[i].body);
            if (_has(j, string.concat(key, ".encoded"))) {
                assertEq(encoded, vm.parseJsonBytes(j, string.concat(key, ".encoded")), _msg(v.file, "message leaf bytes"));
            }
            assertTrue(v.hasLeaf, _msg(v.file, "messages need the MMR leaf"));
            assertTrue(
                lib.merkleVerify(v.leaf.leafExtra, keccak256(encoded), ps[i].index, ps[i].count, ps[i].items),
                _msg(v.file, "message proof into leaf_extra")
            );
        }
        // Execute them on the gateway when the leaf is under the accepted root.
        if (address(gw) == address(0) || !v.hasCommitment || v.leafMmrRoot != v.commitment.mmrRoot) return;
        _openRequests(gw, ms);
        for (uint256 i; i < n; ++i) {
            gw.executeMessage(v.leafMmrRoot, v.leaf, v.leafProof, ms[i], ps[i]);
            assertTrue(gw.isExecuted(ms[i].nonce), _msg(v.file, "executed"));
            _checkEffect(v, gw, ms[i]);
        }
    }

    /// Results and refunds refer to Ethereum request ids: open requests 1..max on the fresh gateway
    /// (with the model id each result expects).
    function _openRequests(SibylGateway gw, Message[] memory ms) internal {
        uint256 maxId;
        uint32[] memory models = new uint32[](65);
        for (uint256 i; i < ms.length; ++i) {
            uint64 id;
            if (ms[i].kind == 0) {
                uint32 model;
                (id,, model,,) = abi.decode(ms[i].body, (uint64, uint64, uint32, uint32[], bytes32));
                require(id <= 64, "vector request ids above 64 are not supported");
                models[id] = model;
            } else if (ms[i].kind == 2) {
                id = abi.decode(ms[i].body, (uint64));
                require(id <= 64, "vector request ids above 64 are not supported");
            }
            if (id > maxId) maxId = id;
        }
        vm.deal(address(this), 1 ether);
        for (uint64 id = 1; id <= maxId; ++id) {
            uint32[] memory prompt = new uint32[](1);
            gw.request{value: 1 gwei}(models[id], prompt, 1, address(0), 0);
        }
    }

    function _checkEffect(Loaded memory v, SibylGateway gw, Message memory m) internal view {
        if (m.kind == 1) {
            (uint32 model, address to, uint256 amount) = abi.decode(m.body, (uint32, address, uint256));
            BridgedRevenueToken t = BridgedRevenueToken(gw.revenueTokens(model));
            assertGe(t.balanceOf(to), amount, _msg(v.file, "minted"));
        } else if (m.kind == 0 || m.kind == 2) {
            uint64 id = abi.decode(_head(m.body), (uint64));
            (,,,, SibylGateway.Status status,) = gw.requests(id);
            assertEq(
                uint8(status),
                uint8(m.kind == 0 ? SibylGateway.Status.Fulfilled : SibylGateway.Status.Refunded),
                _msg(v.file, "request settled")
            );
        }
    }

    function _head(bytes memory body) internal pure returns (bytes memory w) {
        w = new bytes(32);
        for (uint256 i; i < 32; ++i) {
            w[i] = body[i];
        }
    }

    function assertGe(uint256 a, uint256 b, string memory err) internal pure {
        vm.assertGe(a, b, err);
    }
}
