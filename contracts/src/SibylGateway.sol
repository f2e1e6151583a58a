// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BeefyClient} from "./BeefyClient.sol";
import {BridgedRevenueToken} from "./BridgedRevenueToken.sol";
import {ISibylConsumer} from "./interfaces/ISibylConsumer.sol";
import {ValidatorSet, MmrLeaf, MmrProof, Message, MerkleProof} from "./lib/BridgeTypes.sol";
import {SubstrateEncoding} from "./lib/SubstrateEncoding.sol";
import {BinaryMerkle} from "./lib/BinaryMerkle.sol";
import {MerkleMountainRange} from "./lib/MerkleMountainRange.sol";

/// Ethereum side of the Sibyl bridge.
///
/// Sibyl -> Ethereum: a block's outbound messages are the leaves abi.encode(nonce, kind, body) of a
/// binary-merkle-tree whose root is that block's MMR leaf `leaf_extra`; once a BEEFY commitment
/// over an MMR containing that leaf is accepted (BeefyClient), anyone can execute the messages.
///   kind 0: inference result  body abi.encode(uint64 ethRequestId, uint64 sibylRequestId,
///           uint32 modelId, uint32[] outputTokens, bytes32 finalStateRoot)
///   kind 1: revenue-share mint body abi.encode(uint32 modelId, address recipient, uint256 amount)
///   kind 2: refund             body abi.encode(uint64 ethRequestId)
///
/// Ethereum -> Sibyl: `request` (InferenceRequested) and `bridgeToSibyl` (TokensToSibyl) emit
/// events that Sibyl's validators attest.
contract SibylGateway is BeefyClient {
    uint8 public constant KIND_INFERENCE_RESULT = 0;
    uint8 public constant KIND_REVENUE_MINT = 1;
    uint8 public constant KIND_REFUND = 2;

    /// Same bounds as the Sibyl runtime (pallet_inference MaxPromptTokens / MaxOutputTokens).
    uint256 public constant MAX_PROMPT_TOKENS = 1024;
    uint256 public constant MAX_NEW_TOKENS = 512;
    uint64 public constant MAX_CALLBACK_GAS = 5_000_000;
    /// Gas the CALL to a consumer needs on top of what it forwards (cold account access, opcodes).
    uint256 public constant CALLBACK_GAS_OVERHEAD = 5_000;
    /// Gas forwarded with a refund; a requester that needs more is credited (withdrawRefund).
    uint256 public constant REFUND_GAS = 30_000;

    enum Status {
        None,
        Pending,
        Fulfilled,
        CallbackFailed,
        Refunded
    }

    struct Request {
        address requester;
        uint64 callbackGasLimit;
        uint32 modelId;
        address consumer;
        Status status;
        uint88 fee;
    }

    struct StoredResult {
        uint64 sibylRequestId;
        bytes32 finalStateRoot;
        uint32[] outputTokens;
    }

    /// Receives the fees of fulfilled requests (withdrawFees).
    address public immutable feeCollector;
    /// Id of the latest request (ids start at 1).
    uint64 public requestCount;
    /// Nonce of the latest TokensToSibyl (nonces start at 1).
    uint64 public bridgeNonce;
    /// Fees of fulfilled requests not yet sent to the fee collector.
    uint256 public accruedFees;

    mapping(uint64 ethRequestId => Request) public requests;
    /// Results whose callback failed, kept until a retry succeeds.
    mapping(uint64 ethRequestId => StoredResult) internal storedResults;
    /// Executed Sibyl message nonces, 256 per word.
    mapping(uint256 word => uint256 bits) internal executedNonces;
    mapping(uint32 modelId => address token) public revenueTokens;
    /// Refunds whose push payment failed, to be withdrawn by the requester.
    mapping(address requester => uint256 amount) public pendingRefunds;

    bool private transient locked;

    event InferenceRequested(
        uint64 indexed id,
        address indexed requester,
        uint32 indexed modelId,
        uint32[] promptTokens,
        uint32 maxNewTokens,
        address consumer,
        uint64 callbackGasLimit,
        uint256 fee
    );
    event TokensToSibyl(
        uint64 indexed nonce, uint32 indexed modelId, address indexed from, bytes32 sibylAccount, uint256 amount
    );
    event MessageExecuted(uint64 indexed nonce, uint8 indexed kind);
    event InferenceResultDelivered(
        uint64 indexed ethRequestId,
        uint64 indexed sibylRequestId,
        uint32 modelId,
        uint32[] outputTokens,
        bytes32 finalStateRoot
    );
    event CallbackFailed(uint64 indexed ethRequestId, address indexed consumer);
    event CallbackRetried(uint64 indexed ethRequestId, address indexed consumer);
    event RevenueTokenDeployed(uint32 indexed modelId, address token);
    event RevenueTokensMinted(uint32 indexed modelId, address indexed recipient, uint256 amount);
    event RequestRefunded(uint64 indexed ethRequestId, address indexed requester, uint256 fee, bool paid);
    event RefundWithdrawn(address indexed requester, uint256 amount);
    event FeesWithdrawn(address indexed feeCollector, uint256 amount);

    error Reentrancy();
    error InvalidFeeCollector();
    error FeeRequired();
    error FeeTooLarge(uint256 fee);
    error InvalidPromptLength(uint256 length);
    error InvalidMaxNewTokens(uint32 maxNewTokens);
    error InvalidCallbackGasLimit(uint64 callbackGasLimit);
    error UnknownMmrRoot(bytes32 mmrRoot);
    error InvalidMessageProof(uint64 nonce);
    error MessageAlreadyExecuted(uint64 nonce);
    error UnknownMessageKind(uint64 nonce, uint8 kind);
    error InvalidMessageBody(uint64 nonce);
    error EmptyBatch();
    error BatchLengthMismatch(uint256 messages, uint256 proofs);
    error UnknownRequest(uint64 ethRequestId);
    error RequestNotPending(uint64 ethRequestId, Status status);
    error ModelMismatch(uint64 ethRequestId, uint32 requested, uint32 delivered);
    error InsufficientGasForCallback(uint256 needed, uint256 available);
    error CallbackNotRetryable(uint64 ethRequestId);
    error CallbackReverted(uint64 ethRequestId);
    error InvalidRecipient();
    error UnknownRevenueToken(uint32 modelId);
    error InvalidAmount();
    error InvalidSibylAccount();
    error NothingToWithdraw();
    error TransferFailed();

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(ValidatorSet memory current, ValidatorSet memory next, uint32 startBlock, address feeCollector_)
        BeefyClient(current, next, startBlock)
    {
        if (feeCollector_ == address(0)) revert InvalidFeeCollector();
        feeCollector = feeCollector_;
    }

    // ---------------------------------------------------------------- Ethereum -> Sibyl

    /// Asks Sibyl to run `modelId` on `promptTokens`. The fee (msg.value) is kept until Sibyl
    /// answers (then it goes to the fee collector) or refuses / times out (then it is refunded).
    /// @param consumer contract called back with the result (ISibylConsumer), or address(0) for
    ///        none (the result is then only in the InferenceResultDelivered event)
    /// @param callbackGasLimit gas the callback gets, exactly; 0 iff consumer is address(0)
    function request(
        uint32 modelId,
        uint32[] calldata promptTokens,
        uint32 maxNewTokens,
        address consumer,
        uint64 callbackGasLimit
    ) external payable returns (uint64 id) {
        if (msg.value == 0) revert FeeRequired();
        if (msg.value > type(uint88).max) revert FeeTooLarge(msg.value);
        if (promptTokens.length == 0 || promptTokens.length > MAX_PROMPT_TOKENS) {
            revert InvalidPromptLength(promptTokens.length);
        }
        if (maxNewTokens == 0 || maxNewTokens > MAX_NEW_TOKENS) revert InvalidMaxNewTokens(maxNewTokens);
        if (
            callbackGasLimit > MAX_CALLBACK_GAS || (consumer == address(0)) != (callbackGasLimit == 0)
        ) revert InvalidCallbackGasLimit(callbackGasLimit);

        id = ++requestCount;
        requests[id] = Request({
            requester: msg.sender,
            callbackGasLimit: callbackGasLimit,
            modelId: modelId,
            consumer: consumer,
            status: Status.Pending,
            fee: uint88(msg.value)
        });
        emit InferenceRequested(
            id, msg.sender, modelId, promptTokens, maxNewTokens, consumer, callbackGasLimit, msg.value
        );
    }

    /// Burns `amount` of the caller's bridged revenue-share tokens of `modelId`; Sibyl releases
    /// them to `sibylAccount` (an AccountId32) once it has attested the TokensToSibyl event.
    function bridgeToSibyl(uint32 modelId, bytes32 sibylAccount, uint256 amount) external returns (uint64 nonce) {
        address token = revenueTokens[modelId];
        if (token == address(0)) revert UnknownRevenueToken(modelId);
        if (amount == 0) revert InvalidAmount();
        if (sibylAccount == bytes32(0)) revert InvalidSibylAccount();
        BridgedRevenueToken(token).burn(msg.sender, amount);
        nonce = ++bridgeNonce;
        emit TokensToSibyl(nonce, modelId, msg.sender, sibylAccount, amount);
    }

    // ---------------------------------------------------------------- Sibyl -> Ethereum

    /// Executes one Sibyl message.
    /// @param mmrRoot an accepted MMR root
    /// @param leaf the MMR leaf of the block that sent the message; its leafExtra is the messages root
    /// @param leafProof the leaf's MMR proof against mmrRoot
    /// @param message the message
    /// @param messageProof its binary-merkle-tree proof against leaf.leafExtra
    function executeMessage(
        bytes32 mmrRoot,
        MmrLeaf calldata leaf,
        MmrProof calldata leafProof,
        Message calldata message,
        MerkleProof calldata messageProof
    ) external nonReentrant {
        _verifyLeaf(mmrRoot, leaf, leafProof);
        _execute(leaf.leafExtra, message, messageProof);
    }

    /// Executes several messages of one block (one MMR leaf): the leaf is proven once.
    /// Reverts as a whole if any message fails (e.g. one already executed).
    function executeMessages(
        bytes32 mmrRoot,
        MmrLeaf calldata leaf,
        MmrProof calldata leafProof,
        Message[] calldata messages,
        MerkleProof[] calldata messageProofs
    ) external nonReentrant {
        uint256 n = messages.length;
        if (n == 0) revert EmptyBatch();
        if (messageProofs.length != n) revert BatchLengthMismatch(n, messageProofs.length);
        _verifyLeaf(mmrRoot, leaf, leafProof);
        bytes32 messagesRoot = leaf.leafExtra;
        for (uint256 i; i < n; ++i) {
            _execute(messagesRoot, messages[i], messageProofs[i]);
        }
    }

    /// Calls the consumer again with a stored result whose callback failed. Anyone may call;
    /// the consumer gets exactly its callback gas limit. Succeeds once.
    function retryCallback(uint64 ethRequestId) external nonReentrant {
        Request storage r = requests[ethRequestId];
        if (r.status != Status.CallbackFailed) revert CallbackNotRetryable(ethRequestId);
        StoredResult storage stored = storedResults[ethRequestId];
        uint32[] memory outputTokens = stored.outputTokens;
        bytes32 finalStateRoot = stored.finalStateRoot;
        address consumer = r.consumer;
        r.status = Status.Fulfilled;
        delete storedResults[ethRequestId];
        if (!_callConsumer(consumer, r.callbackGasLimit, ethRequestId, outputTokens, finalStateRoot)) {
            revert CallbackReverted(ethRequestId);
        }
        emit CallbackRetried(ethRequestId, consumer);
    }

    /// Withdraws refunds that could not be pushed to the caller.
    function withdrawRefund() external nonReentrant {
        uint256 amount = pendingRefunds[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        pendingRefunds[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit RefundWithdrawn(msg.sender, amount);
    }

    /// Sends the fees of fulfilled requests to the fee collector (anyone may call).
    function withdrawFees() external nonReentrant {
        uint256 amount = accruedFees;
        if (amount == 0) revert NothingToWithdraw();
        accruedFees = 0;
        (bool ok,) = feeCollector.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit FeesWithdrawn(feeCollector, amount);
    }

    // ---------------------------------------------------------------- views

    function isExecuted(uint64 nonce) public view returns (bool) {
        return (executedNonces[nonce >> 8] >> (nonce & 0xff)) & 1 == 1;
    }

    /// The result kept for a failed callback (empty once retried).
    function storedResult(uint64 ethRequestId)
        external
        view
        returns (uint64 sibylRequestId, uint32[] memory outputTokens, bytes32 finalStateRoot)
    {
        StoredResult storage s = storedResults[ethRequestId];
        return (s.sibylRequestId, s.outputTokens, s.finalStateRoot);
    }

    /// The leaf bytes of a message in its block's messages tree.
    function messageLeaf(Message calldata message) external pure returns (bytes memory) {
        return abi.encode(message.nonce, message.kind, message.body);
    }

    /// Address of the BridgedRevenueToken of `modelId` (deployed or not yet).
    function revenueTokenAddress(uint32 modelId) public view returns (address) {
        bytes32 initCodeHash =
            keccak256(abi.encodePacked(type(BridgedRevenueToken).creationCode, abi.encode(modelId)));
        return address(
            uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), bytes32(uint256(modelId)), initCodeHash))))
        );
    }

    // ---------------------------------------------------------------- internals

    function _verifyLeaf(bytes32 mmrRoot, MmrLeaf calldata leaf, MmrProof calldata leafProof) private view {
        if (acceptedMmrRoots[mmrRoot] == 0) revert UnknownMmrRoot(mmrRoot);
        if (!MerkleMountainRange.verifyLeaf(
                mmrRoot, SubstrateEncoding.hashMmrLeaf(leaf), leafProof.leafIndex, leafProof.leafCount, leafProof.items
            )) revert InvalidMmrProof();
    }

    function _execute(bytes32 messagesRoot, Message calldata message, MerkleProof calldata proof) private {
        uint64 nonce = message.nonce;
        bytes32 leafHash = keccak256(abi.encode(nonce, message.kind, message.body));
        if (!BinaryMerkle.verify(messagesRoot, leafHash, proof.index, proof.count, proof.items)) {
            revert InvalidMessageProof(nonce);
        }
        // Marked before anything is called out.
        uint256 word = nonce >> 8;
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = executedNonces[word];
        if (bits & bit != 0) revert MessageAlreadyExecuted(nonce);
        executedNonces[word] = bits | bit;

        uint8 kind = message.kind;
        if (kind == KIND_INFERENCE_RESULT) {
            _deliverResult(nonce, message.body);
        } else if (kind == KIND_REVENUE_MINT) {
            _mintRevenueTokens(nonce, message.body);
        } else if (kind == KIND_REFUND) {
            _refund(nonce, message.body);
        } else {
            revert UnknownMessageKind(nonce, kind);
        }
        emit MessageExecuted(nonce, kind);
    }

    function _deliverResult(uint64 nonce, bytes calldata body) private {
        // head (5 words) + array length word at least
        if (body.length < 6 * 32) revert InvalidMessageBody(nonce);
        (uint64 ethRequestId, uint64 sibylRequestId, uint32 modelId, uint32[] memory outputTokens, bytes32 finalStateRoot)
        = abi.decode(body, (uint64, uint64, uint32, uint32[], bytes32));

        Request storage r = requests[ethRequestId];
        Status status = r.status;
        if (status == Status.None) revert UnknownRequest(ethRequestId);
        if (status != Status.Pending) revert RequestNotPending(ethRequestId, status);
        if (r.modelId != modelId) revert ModelMismatch(ethRequestId, r.modelId, modelId);

        r.status = Status.Fulfilled;
        accruedFees += r.fee;
        emit InferenceResultDelivered(ethRequestId, sibylRequestId, modelId, outputTokens, finalStateRoot);

        address consumer = r.consumer;
        if (consumer == address(0)) return;
        if (!_callConsumer(consumer, r.callbackGasLimit, ethRequestId, outputTokens, finalStateRoot)) {
            r.status = Status.CallbackFailed;
            StoredResult storage stored = storedResults[ethRequestId];
            stored.sibylRequestId = sibylRequestId;
            stored.finalStateRoot = finalStateRoot;
            stored.outputTokens = outputTokens;
            emit CallbackFailed(ethRequestId, consumer);
        }
    }

    function _mintRevenueTokens(uint64 nonce, bytes calldata body) private {
        if (body.length != 3 * 32) revert InvalidMessageBody(nonce);
        (uint32 modelId, address recipient, uint256 amount) = abi.decode(body, (uint32, address, uint256));
        if (recipient == address(0)) revert InvalidRecipient();
        address token = revenueTokens[modelId];
        if (token == address(0)) {
            token = address(new BridgedRevenueToken{salt: bytes32(uint256(modelId))}(modelId));
            revenueTokens[modelId] = token;
            emit RevenueTokenDeployed(modelId, token);
        }
        BridgedRevenueToken(token).mint(recipient, amount);
        emit RevenueTokensMinted(modelId, recipient, amount);
    }

    function _refund(uint64 nonce, bytes calldata body) private {
        if (body.length != 32) revert InvalidMessageBody(nonce);
        uint64 ethRequestId = abi.decode(body, (uint64));
        Request storage r = requests[ethRequestId];
        Status status = r.status;
        if (status == Status.None) revert UnknownRequest(ethRequestId);
        if (status != Status.Pending) revert RequestNotPending(ethRequestId, status);
        r.status = Status.Refunded;
        address requester = r.requester;
        uint256 fee = r.fee;
        bool paid;
        assembly ("memory-safe") {
            paid := call(REFUND_GAS, requester, fee, 0, 0, 0, 0)
        }
        if (!paid) pendingRefunds[requester] += fee;
        emit RequestRefunded(ethRequestId, requester, fee, paid);
    }

    /// Calls onSibylResult with exactly `gasLimit` gas. Reverts if the caller did not leave enough
    /// gas for that (EIP-150 forwards at most 63/64 of what is left), so a relayer cannot make a
    /// callback fail by starving it. Return data is not copied (no return bomb).
    function _callConsumer(
        address consumer,
        uint64 gasLimit,
        uint64 ethRequestId,
        uint32[] memory outputTokens,
        bytes32 finalStateRoot
    ) private returns (bool ok) {
        bytes memory data = abi.encodeCall(ISibylConsumer.onSibylResult, (ethRequestId, outputTokens, finalStateRoot));
        uint256 needed = (uint256(gasLimit) * 64) / 63 + CALLBACK_GAS_OVERHEAD;
        uint256 available = gasleft();
        if (available < needed) revert InsufficientGasForCallback(needed, available);
        assembly ("memory-safe") {
            ok := call(gasLimit, consumer, 0, add(data, 0x20), mload(data), 0, 0)
        }
    }
}
