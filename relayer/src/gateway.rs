//! The gateway's ABI (`contracts/src/SibylGateway.sol`, which inherits `contracts/src/BeefyClient.sol`; the
//! structs of `contracts/src/lib/BridgeTypes.sol`), as `sol!` bindings, and what the relayer reads from it.
//!
//! The bindings are written out here rather than generated from the forge artifacts (`contracts/out`, not in
//! the repository), so the crate builds without compiling the contracts first. [`check_artifact`] compares
//! them with an artifact's ABI: every function and error declared here must be in the contract with the same
//! selector, and every error the contract can revert with must be declared here (so that every revert is
//! decoded by name). [`crate::deploy::Artifact::load`] runs it on the artifact it deploys.

use alloy::{
	json_abi::JsonAbi,
	primitives::{FixedBytes, B256},
	providers::DynProvider,
	sol,
	sol_types::{SolCall, SolInterface},
};

use crate::Error;

sol! {
	/// A BEEFY validator set: id, length and the binary-merkle-tree root of the validators' Ethereum
	/// addresses (`pallet_beefy_mmr`'s keyset commitment).
	#[derive(Debug, PartialEq, Eq)]
	struct ValidatorSet {
		uint64 id;
		uint32 len;
		bytes32 root;
	}

	/// A BEEFY commitment with a single `mh` (MMR root) payload entry.
	#[derive(Debug, PartialEq, Eq)]
	struct Commitment {
		bytes32 mmrRoot;
		uint32 blockNumber;
		uint64 validatorSetId;
	}

	/// One validator's signature (r ‖ s ‖ v) with the proof of its address at `index` in the set root.
	#[derive(Debug, PartialEq, Eq)]
	struct ValidatorSignature {
		uint32 index;
		address signer;
		bytes signature;
		bytes32[] proof;
	}

	/// `sp_consensus_beefy::mmr::MmrLeaf` as `pallet_beefy_mmr` builds it (`leafExtra`: the messages root).
	#[derive(Debug, PartialEq, Eq, Default)]
	struct MmrLeaf {
		uint8 version;
		uint32 parentNumber;
		bytes32 parentHash;
		uint64 nextAuthoritySetId;
		uint32 nextAuthoritySetLen;
		bytes32 nextAuthoritySetRoot;
		bytes32 leafExtra;
	}

	/// A single-leaf `sp_mmr_primitives::LeafProof`.
	#[derive(Debug, PartialEq, Eq, Default)]
	struct MmrProof {
		uint64 leafIndex;
		uint64 leafCount;
		bytes32[] items;
	}

	/// An outbound Sibyl message; its leaf is `abi.encode(nonce, kind, body)`.
	#[derive(Debug, PartialEq, Eq)]
	struct Message {
		uint64 nonce;
		uint8 kind;
		bytes body;
	}

	/// A `binary_merkle_tree` proof of a message in its block's messages root.
	#[derive(Debug, PartialEq, Eq)]
	struct MerkleProof {
		uint32 index;
		uint32 count;
		bytes32[] items;
	}

	/// The Sibyl gateway on Ethereum: BEEFY light client and executor of Sibyl's messages.
	#[sol(rpc, abi)]
	#[derive(Debug, PartialEq, Eq)]
	contract SibylGateway {
		constructor(ValidatorSet current, ValidatorSet next, uint32 startBlock, address feeCollector);

		function submitCommitment(
			Commitment commitment,
			ValidatorSignature[] signatures,
			MmrLeaf leaf,
			MmrProof leafProof
		) external;
		function verifyMmrLeaf(bytes32 mmrRoot, MmrLeaf leaf, MmrProof proof) external view returns (bool);
		function encodeCommitment(Commitment commitment) external pure returns (bytes);
		function currentValidatorSet() external view returns (uint64 id, uint32 len, bytes32 root);
		function nextValidatorSet() external view returns (uint64 id, uint32 len, bytes32 root);
		function latestBeefyBlock() external view returns (uint32);
		function latestMmrRoot() external view returns (bytes32);
		function acceptedMmrRoots(bytes32 mmrRoot) external view returns (uint32 blockNumber);

		function executeMessage(
			bytes32 mmrRoot,
			MmrLeaf leaf,
			MmrProof leafProof,
			Message message,
			MerkleProof messageProof
		) external;
		function executeMessages(
			bytes32 mmrRoot,
			MmrLeaf leaf,
			MmrProof leafProof,
			Message[] messages,
			MerkleProof[] messageProofs
		) external;
		function isExecuted(uint64 nonce) external view returns (bool);
		function messageLeaf(Message message) external pure returns (bytes);
		function revenueTokens(uint32 modelId) external view returns (address token);
		function revenueTokenAddress(uint32 modelId) external view returns (address);
		function feeCollector() external view returns (address);
		// Ethereum -> Sibyl (what dApps call; the validators attest the events).
		function request(uint32 modelId, uint32[] promptTokens, uint32 maxNewTokens, address consumer, uint64 callbackGasLimit)
			external payable returns (uint64 id);
		function bridgeToSibyl(uint32 modelId, bytes32 sibylAccount, uint256 amount) external returns (uint64 nonce);
		function requestCount() external view returns (uint64);
		function bridgeNonce() external view returns (uint64);
		function accruedFees() external view returns (uint256);

		event ValidatorSetsInitialized(ValidatorSet current, ValidatorSet next, uint32 startBlock);
		event CommitmentAccepted(bytes32 indexed mmrRoot, uint32 indexed blockNumber, uint64 validatorSetId, uint256 signatures);
		event ValidatorSetRotated(ValidatorSet current, ValidatorSet next);
		event MessageExecuted(uint64 indexed nonce, uint8 indexed kind);
		event RevenueTokensMinted(uint32 indexed modelId, address indexed recipient, uint256 amount);
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
		event TokensToSibyl(uint64 indexed nonce, uint32 indexed modelId, address indexed from, bytes32 sibylAccount, uint256 amount);
		event InferenceResultDelivered(
			uint64 indexed ethRequestId,
			uint64 indexed sibylRequestId,
			uint32 modelId,
			uint32[] outputTokens,
			bytes32 finalStateRoot
		);
		event RequestRefunded(uint64 indexed ethRequestId, address indexed requester, uint256 fee, bool paid);

		// BeefyClient
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
		// SibylGateway
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
		error RequestNotPending(uint64 ethRequestId, uint8 status);
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
	}

	/// The per-model ERC-20 the gateway deploys on a model's first bridged mint (what a relayer's user checks).
	#[sol(rpc)]
	contract BridgedRevenueToken {
		function balanceOf(address account) external view returns (uint256);
		function totalSupply() external view returns (uint256);
		function modelId() external view returns (uint32);
	}

	/// `contracts/src/ExampleConsumer.sol`: asks a model through the gateway and stores the answer its callback
	/// gets (for dApp developers to copy, and for the end-to-end test).
	#[sol(rpc)]
	contract ExampleConsumer {
		constructor(address gateway);
		function ask(uint32 modelId, uint32[] prompt, uint32 maxNewTokens) external payable returns (uint64 id);
		function answer(uint64 ethRequestId) external view returns (bool received, uint32[] tokens, bytes32 finalStateRoot);
		event Answered(uint64 indexed ethRequestId, uint256 tokens, bytes32 finalStateRoot);
	}
}

/// The gateway's errors, decoded from revert data.
pub type GatewayError = SibylGateway::SibylGatewayErrors;

/// A gateway instance over a type-erased provider.
pub type Gateway = SibylGateway::SibylGatewayInstance<DynProvider>;

/// What the relayer reads from the gateway at the start of each step: nothing it sends depends on its own memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayState {
	/// The Ethereum block these values were read at.
	pub eth_block: u64,
	/// The set that signs commitments now.
	pub current: ValidatorSet,
	/// The set announced after it.
	pub next: ValidatorSet,
	/// Block number of the latest accepted commitment.
	pub latest_block: u32,
	/// Its MMR root.
	pub latest_root: B256,
}

impl GatewayState {
	/// Reads the light client's state, every value at one Ethereum block (the latest).
	pub async fn read(gateway: &Gateway) -> Result<GatewayState, Error> {
		use alloy::providers::Provider;
		let eth_block = gateway.provider().get_block_number().await.map_err(Error::eth("eth_blockNumber"))?;
		let at = alloy::eips::BlockId::number(eth_block);
		let current =
			gateway.currentValidatorSet().block(at).call().await.map_err(Error::eth("currentValidatorSet"))?;
		let next = gateway.nextValidatorSet().block(at).call().await.map_err(Error::eth("nextValidatorSet"))?;
		let latest_block = gateway.latestBeefyBlock().block(at).call().await.map_err(Error::eth("latestBeefyBlock"))?;
		let latest_root = gateway.latestMmrRoot().block(at).call().await.map_err(Error::eth("latestMmrRoot"))?;
		Ok(GatewayState {
			eth_block,
			current: ValidatorSet { id: current.id, len: current.len, root: current.root },
			next: ValidatorSet { id: next.id, len: next.len, root: next.root },
			latest_block,
			latest_root,
		})
	}
}

/// Whether a revert means that what the relayer tried is already on chain (another relayer, or an earlier
/// attempt of this one, was first): the relayer then goes on as if it had succeeded.
pub fn is_already_done(error: &GatewayError) -> bool {
	matches!(
		error,
		GatewayError::StaleCommitment(_)
			| GatewayError::MmrRootAlreadyAccepted(_)
			| GatewayError::MessageAlreadyExecuted(_)
	)
}

/// Whether a message revert is for the message's content, so that no relayer can ever execute it (Sibyl must
/// not send such messages; see `contracts/README.md`): the relayer logs it and leaves it. Any other refusal
/// (a proof, the gas for a callback, ...) is retried in the next round.
pub fn is_undeliverable(error: &GatewayError) -> bool {
	matches!(
		error,
		GatewayError::UnknownRequest(_)
			| GatewayError::RequestNotPending(_)
			| GatewayError::ModelMismatch(_)
			| GatewayError::UnknownMessageKind(_)
			| GatewayError::InvalidMessageBody(_)
			| GatewayError::InvalidRecipient(_)
	)
}

/// A short description of a gateway error: its name and fields.
pub fn describe(error: &GatewayError) -> String {
	format!("{error:?}")
}

/// Checks these bindings against a forge artifact's ABI (its `abi` field): every function declared here exists
/// in the contract with the same selector, every error is the same both ways, and the constructor takes the
/// same inputs.
pub fn check_artifact(abi: &JsonAbi) -> Result<(), Error> {
	let artifact_functions: Vec<FixedBytes<4>> = abi.functions().map(|f| f.selector()).collect();
	for (selector, name) in
		SibylGateway::SibylGatewayCalls::SELECTORS.iter().zip(SibylGateway::SibylGatewayCalls::SIGNATURES)
	{
		if !artifact_functions.contains(&FixedBytes(*selector)) {
			return Err(Error::Abi(format!("the artifact has no function {name}")));
		}
	}
	let artifact_errors: Vec<FixedBytes<4>> = abi.errors().map(|e| e.selector()).collect();
	for (selector, name) in
		SibylGateway::SibylGatewayErrors::SELECTORS.iter().zip(SibylGateway::SibylGatewayErrors::SIGNATURES)
	{
		if !artifact_errors.contains(&FixedBytes(*selector)) {
			return Err(Error::Abi(format!("the artifact has no error {name}")));
		}
	}
	for error in abi.errors() {
		if !SibylGateway::SibylGatewayErrors::valid_selector(error.selector().0) {
			return Err(Error::Abi(format!("the bindings do not declare the error {}", error.signature())));
		}
	}
	let constructor = abi.constructor().ok_or_else(|| Error::Abi("the artifact has no constructor".into()))?;
	let inputs: Vec<String> = constructor.inputs.iter().map(|p| p.selector_type().into_owned()).collect();
	let expected = ["(uint64,uint32,bytes32)", "(uint64,uint32,bytes32)", "uint32", "address"];
	if inputs != expected {
		return Err(Error::Abi(format!(
			"constructor takes ({}), the bindings ({})",
			inputs.join(","),
			expected.join(",")
		)));
	}
	// The handover's calldata layout is the one the relayer encodes.
	let submit = abi
		.functions()
		.find(|f| f.name == "submitCommitment")
		.ok_or_else(|| Error::Abi("the artifact has no submitCommitment".into()))?;
	if submit.selector() != SibylGateway::submitCommitmentCall::SELECTOR {
		return Err(Error::Abi(format!("submitCommitment is {} in the artifact", submit.signature())));
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_bindings_pass_their_own_check_and_a_partial_abi_fails_it() {
		check_artifact(&SibylGateway::abi::contract()).expect("the bindings' own ABI");
		let partial: JsonAbi = serde_json::from_str(
			r#"[{"type":"function","name":"latestBeefyBlock","inputs":[],"outputs":[{"name":"","type":"uint32"}],"stateMutability":"view"}]"#,
		)
		.expect("a JSON ABI");
		let err = check_artifact(&partial).expect_err("most functions are missing");
		assert!(err.to_string().contains("has no function"), "{err}");

		let mut extra_error = SibylGateway::abi::contract();
		let unknown: alloy::json_abi::Error =
			serde_json::from_str(r#"{"type":"error","name":"Surprise","inputs":[]}"#).expect("an error entry");
		extra_error.errors.insert("Surprise".into(), vec![unknown]);
		let err = check_artifact(&extra_error).expect_err("an error the bindings can not decode");
		assert!(err.to_string().contains("Surprise()"), "{err}");
	}

	#[test]
	fn reverts_are_sorted_into_already_done_undeliverable_and_other() {
		let stale = GatewayError::StaleCommitment(SibylGateway::StaleCommitment { blockNumber: 3, latestBlock: 9 });
		let executed = GatewayError::MessageAlreadyExecuted(SibylGateway::MessageAlreadyExecuted { nonce: 1 });
		let unknown = GatewayError::UnknownRequest(SibylGateway::UnknownRequest { ethRequestId: 7 });
		let proof = GatewayError::InvalidMmrProof(SibylGateway::InvalidMmrProof {});
		assert!(is_already_done(&stale) && is_already_done(&executed));
		assert!(!is_already_done(&unknown) && !is_already_done(&proof));
		assert!(is_undeliverable(&unknown));
		assert!(!is_undeliverable(&proof) && !is_undeliverable(&executed));
	}
}
