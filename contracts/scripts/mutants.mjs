#!/usr/bin/env node
// Mutation check: breaks one check of the contracts at a time, in a temporary copy of contracts/,
// and runs the tests that cover it; every mutant must make them fail.
//
//   node scripts/mutants.mjs            # all mutants (a few minutes: each one recompiles)
//   node scripts/mutants.mjs 3 7        # only mutants 3 and 7
import { cpSync, mkdtempSync, readFileSync, writeFileSync, symlinkSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const B = "src/BeefyClient.sol";
const G = "src/SibylGateway.sol";
const M = "src/lib/BinaryMerkle.sol";
const R = "src/lib/MerkleMountainRange.sol";
const E = "src/lib/SubstrateEncoding.sol";
const T = "src/BridgedRevenueToken.sol";

// [file, exact text, replacement, tests (forge --mt regex) that must fail]
const mutants = [
  [B, "if (commitment.blockNumber <= latest)", "if (commitment.blockNumber < latest)", "test_rejectsOldBlockNumber"],
  [B, "if (count * 3 <= uint256(vset.len) * 2)", "if (count * 3 < uint256(vset.len) * 2)", "test_exactlyTwoThirdsIsNotEnough"],
  [B, "if (index < minIndex)", "if (index + 1 < minIndex)", "test_rejectsDuplicatedSigner"],
  [B, "if (_recover(digest, sig.signature, index) != sig.signer)", "if (_recover(digest, sig.signature, index) == address(1))", "test_rejectsForgedSignature|test_rejectsSignatureOfAnotherCommitment"],
  [B, "if (!BinaryMerkle.verify(", "if (false && !BinaryMerkle.verify(", "test_rejectsSignerOutsideTheSet|test_rejectsMemberProvenAtAnotherIndex"],
  [B, "if (uint256(s) > SECP256K1N_HALF)", "if (false)", "test_rejectsMalleableHighS"],
  [B, "if (v != 27 && v != 28)", "if (false)", "test_rejectsBadV"],
  [B, "if (signer == address(0)) revert", "if (false) revert", "test_rejectsUnrecoverableSignature"],
  [B, "if (v < 27) v += 27;", "", "test_acceptsValidCommitment"],
  [B, "if (index >= vset.len)", "if (false)", "test_rejectsIndexOutOfRange"],
  [B, "} else if (setId == nextValidatorSet.id) {", "} else if (true) {", "test_rejectsUnknownSetId|test_handoverToNextSet"],
  [B, "if (!MerkleMountainRange.verifyLeaf(", "if (false && !MerkleMountainRange.verifyLeaf(", "test_handoverRejectsWrongMmrProof"],
  [B, "if (leaf.nextAuthoritySetId != vset.id + 1)", "if (false)", "test_handoverRequiresLeafAnnouncingTheSetAfterNext"],
  [B, "if (leaf.nextAuthoritySetLen == 0)", "if (false)", "test_handoverRejectsEmptyNextSet"],
  [B, "currentValidatorSet = vset;", "", "test_handoverToNextSet"],
  [B, "if (acceptedMmrRoots[commitment.mmrRoot] != 0)", "if (false)", "test_rejectsReusedMmrRoot"],
  [B, "acceptedMmrRoots[commitment.mmrRoot] = commitment.blockNumber;", "", "test_acceptsValidCommitment|test_remembersEveryAcceptedRoot"],
  [G, "if (acceptedMmrRoots[mmrRoot] == 0) revert UnknownMmrRoot", "if (false) revert UnknownMmrRoot", "test_rejectsUnknownMmrRoot"],
  [G, "if (!MerkleMountainRange.verifyLeaf(", "if (false && !MerkleMountainRange.verifyLeaf(", "test_rejectsWrongMmrProof"],
  [G, "if (!BinaryMerkle.verify(messagesRoot", "if (false && !BinaryMerkle.verify(messagesRoot", "test_rejectsWrongMessageProof|test_rejectsProofReusedForAnotherMessage"],
  [G, "if (bits & bit != 0) revert MessageAlreadyExecuted(nonce);", "", "test_rejectsReplayOfExecutedMessage|test_mintDeploysTokenOnceAndMints|test_refundPaysOnce"],
  [G, "        executedNonces[word] = bits | bit;\n", "", "test_rejectsReplayOfExecutedMessage"],
  [G, "if (locked) revert Reentrancy();", "", "test_reentrancyFromCallbackIsRefused|test_reentrantCallHitsTheGuard"],
  [G, "if (available < needed) revert InsufficientGasForCallback(needed, available);", "", "test_relayerGivingTooLittleGasReverts"],
  [G, "ok := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)", "ok := call(gas(), consumer, 0, add(data, 0x20), mload(data), 0, 0)", "test_callbackGetsExactlyItsGasLimit"],
  [G, "ok := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)", "ok := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)\n            returndatacopy(mload(0x40), 0, returndatasize())", "test_returnBombIsNotCopied"],
  [G, "            r.status = Status.CallbackFailed;\n", "            revert CallbackReverted(ethRequestId);\n", "test_callbackBurningAllGasDoesNotBlockDelivery"],
  [G, "        r.status = Status.Fulfilled;\n        delete storedResults[ethRequestId];", "        delete storedResults[ethRequestId];", "test_callbackBurningAllGasDoesNotBlockDelivery|test_revertingCallbackCanBeRetriedOnce"],
  [G, "            stored.outputTokens = outputTokens;\n", "", "test_callbackBurningAllGasDoesNotBlockDelivery"],
  [G, "if (r.modelId != modelId)", "if (false)", "test_rejectsResultForAnotherModel"],
  [G, "        r.status = Status.Refunded;\n", "", "test_refundPaysOnce|test_noRefundAfterResultNorResultAfterRefund"],
  [G, "        r.status = Status.Fulfilled;\n        accruedFees += r.fee;", "        accruedFees += r.fee;", "test_rejectsSecondResultForTheSameRequest|test_stateIsSettledBeforeTheCallback"],
  [G, "if (!paid) pendingRefunds[requester] += fee;", "", "test_refundToContractRefusingEthIsCredited"],
  [G, "if (token == address(0)) {\n            token = address(new", "if (true) {\n            token = address(new", "test_mintDeploysTokenOnceAndMints"],
  [G, "if (recipient == address(0)) revert InvalidRecipient();", "", "test_mintRejectsZeroRecipient"],
  [G, "if (msg.value == 0) revert FeeRequired();", "", "test_requestRequiresFee"],
  [G, "if (promptTokens.length == 0 || promptTokens.length > MAX_PROMPT_TOKENS)", "if (promptTokens.length > MAX_PROMPT_TOKENS + 1)", "test_requestBoundsPromptLength"],
  [G, "if (maxNewTokens == 0 || maxNewTokens > MAX_NEW_TOKENS)", "if (maxNewTokens > MAX_NEW_TOKENS + 1)", "test_requestBoundsMaxNewTokens"],
  [G, "callbackGasLimit > MAX_CALLBACK_GAS || (consumer == address(0)) != (callbackGasLimit == 0)", "callbackGasLimit > MAX_CALLBACK_GAS + 1", "test_requestBoundsCallbackGas"],
  [G, "BridgedRevenueToken(token).burn(msg.sender, amount);", "", "test_bridgeToSibylBurnsAndEmits|test_bridgeToSibylValidation"],
  [G, "        executedNonces[word] = bits | bit;\n\n        uint8 kind = message.kind;\n        if (kind == KIND_INFERENCE_RESULT) {\n            _deliverResult(nonce, message.body);\n        } else if (kind == KIND_REVENUE_MINT) {\n            _mintRevenueTokens(nonce, message.body);\n        } else if (kind == KIND_REFUND) {\n            _refund(nonce, message.body);\n        } else {\n            revert UnknownMessageKind(nonce, kind);\n        }\n", "        uint8 kind = message.kind;\n        if (kind == KIND_INFERENCE_RESULT) {\n            _deliverResult(nonce, message.body);\n        } else if (kind == KIND_REVENUE_MINT) {\n            _mintRevenueTokens(nonce, message.body);\n        } else if (kind == KIND_REFUND) {\n            _refund(nonce, message.body);\n        } else {\n            revert UnknownMessageKind(nonce, kind);\n        }\n        executedNonces[word] = bits | bit; // mutant: marked after the dispatch\n", "test_stateIsSettledBeforeTheCallback"],
  [G, "            revert CallbackReverted(ethRequestId);\n        }\n        emit CallbackRetried", "        }\n        emit CallbackRetried", "test_callbackBurningAllGasDoesNotBlockDelivery"],
  [B, "            nextValidatorSet = upcoming;\n", "", "test_handoverToNextSet|test_handoverChainOfSets"],
  [G, "if (sibylAccount == bytes32(0)) revert InvalidSibylAccount();", "", "test_bridgeToSibylValidation"],
  [G, "        pendingRefunds[msg.sender] = 0;\n", "", "test_refundToContractRefusingEthIsCredited"],
  [G, "        accruedFees = 0;\n", "", "test_deliversResultToExampleConsumer"],
  [T, "function burn(address from, uint256 value) external onlyGateway {", "function burn(address from, uint256 value) external {", "test_onlyGatewayMintsAndBurns"],
  [T, "function mint(address to, uint256 value) external onlyGateway {", "function mint(address to, uint256 value) external {", "test_onlyGatewayMintsAndBurns"],
  [M, "return used == n && node == root;", "return node == root;", "test_merkleRejectsTampering"],
  [M, "} else if (index + 1 < width) {", "} else {", "test_merkleAllSizesAndIndices|test_merkleWidthMatters"],
  [R, "if (items.length != expected) return false;", "", "testFuzz_mmrLargeCounts"],
  [R, "node = Hashing.pair(node, items[i - 1]);", "node = Hashing.pair(items[i - 1], node);", "test_mmrAllCountsAndIndices|test_jsonVectors"],
  [R, "if (hasRight) node = Hashing.pair(items[expected - 1], node);", "if (hasRight) node = Hashing.pair(node, items[expected - 1]);", "test_mmrAllCountsAndIndices|test_jsonVectors"],
  [E, "bytes4 internal constant MMR_ROOT_PAYLOAD_PREFIX = 0x046d6880;", "bytes4 internal constant MMR_ROOT_PAYLOAD_PREFIX = 0x046d6881;", "test_commitmentEncodingExplicitBytes|test_jsonVectors|test_acceptsValidCommitment"],
  [E, "le32(leaf.parentNumber),", "bytes4(leaf.parentNumber),", "test_mmrLeafEncodingExplicitBytes|test_jsonVectors"],
];

const only = process.argv.slice(2).map(Number);
const work = mkdtempSync(join(tmpdir(), "sibyl-mutants-"));
for (const d of ["src", "test", "scripts"]) cpSync(join(root, d), join(work, d), { recursive: true });
for (const f of ["foundry.toml"]) cpSync(join(root, f), join(work, f));
symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
const forge = join(root, "node_modules", ".bin", "forge");
const solc = join(work, "scripts", "solc");

let survived = 0;
let run = 0;
mutants.forEach(([file, from, to, tests], i) => {
  if (only.length && !only.includes(i)) return;
  const path = join(work, file);
  const original = readFileSync(path, "utf8");
  const hits = original.split(from).length - 1;
  if (hits < 1) { console.log(`#${i} ${file}: text not found: ${from}`); survived++; return; }
  writeFileSync(path, original.replace(from, to));
  const r = spawnSync(forge, ["test", "--use", solc, "--mt", tests], { cwd: work, encoding: "utf8" });
  writeFileSync(path, original);
  const out = r.stdout + r.stderr;
  const compiled = !/Compiler run failed|Error \(\d+\)/.test(out);
  const failed = /\[FAIL/.test(out);
  run++;
  if (compiled && failed) {
    const names = [...out.matchAll(/^\[FAIL.*\] (test\w*)\(/gm)].map((m) => m[1]);
    console.log(`#${i} killed  ${file}: ${JSON.stringify(from).slice(0, 70)} -> ${[...new Set(names)].join(", ")}`);
  } else {
    survived++;
    console.log(`#${i} ${compiled ? "SURVIVED" : "DID NOT COMPILE"} ${file}: ${from}`);
    if (!compiled) console.log(out.split("\n").filter((l) => /Error/.test(l)).slice(0, 3).join("\n"));
  }
});
rmSync(work, { recursive: true, force: true });
console.log(`${run} mutants run, ${run - survived} killed, ${survived} survived`);
process.exit(survived ? 1 : 0);
