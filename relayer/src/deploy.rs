//! Deploying a gateway that starts from Sibyl's validator sets at a given block (for tests and new
//! deployments): `constructor(ValidatorSet current, ValidatorSet next, uint32 startBlock, address feeCollector)`.
//!
//! At block `b`: `current` is `BeefyApi_validator_set` at `b`, its root computed here from the validators'
//! Ethereum addresses and checked against `BeefyMmrApi_authority_set_proof`; `next` is the set
//! `pallet_beefy_mmr` announces (`BeefyMmrApi_next_authority_set_proof`, what `b`'s MMR leaf carries), id
//! `current + 1`; `startBlock` is `b` (the gateway refuses commitments up to it).

use std::path::Path;

use alloy::{
	contract::RawCallBuilder,
	json_abi::JsonAbi,
	network::ReceiptResponse,
	primitives::{Address, Bytes, B256},
	providers::DynProvider,
	sol_types::SolConstructor,
};
use sp_core::H256;

use crate::{
	encoding::Authorities,
	gateway::{check_artifact, SibylGateway, ValidatorSet},
	sibyl::SibylRpc,
	Error,
};

/// A compiled gateway: forge's artifact (`contracts/out/SibylGateway.sol/SibylGateway.json`).
#[derive(Clone, Debug)]
pub struct Artifact {
	/// The contract's ABI.
	pub abi: JsonAbi,
	/// Its creation bytecode (constructor arguments not appended).
	pub bytecode: Bytes,
}

impl Artifact {
	/// Reads the artifact at `path` and checks that its ABI is the one the relayer's bindings speak
	/// ([`check_artifact`]).
	pub fn load(path: &Path) -> Result<Artifact, Error> {
		let text = std::fs::read_to_string(path).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
		let json: serde_json::Value =
			serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
		let abi: JsonAbi = serde_json::from_value(json["abi"].clone())
			.map_err(|e| Error::Config(format!("{}: no ABI: {e}", path.display())))?;
		let code = json["bytecode"]["object"]
			.as_str()
			.ok_or_else(|| Error::Config(format!("{}: no bytecode.object", path.display())))?;
		let bytecode: Bytes =
			code.parse().map_err(|e| Error::Config(format!("{}: bad bytecode: {e}", path.display())))?;
		if bytecode.is_empty() {
			return Err(Error::Config(format!("{}: empty bytecode", path.display())));
		}
		check_artifact(&abi)?;
		Ok(Artifact { abi, bytecode })
	}
}

/// The constructor's validator sets and start block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialSets {
	/// The set signing at the start block.
	pub current: ValidatorSet,
	/// The set announced after it.
	pub next: ValidatorSet,
	/// The start block.
	pub start_block: u32,
}

/// The sets at Sibyl block `at` (see the module docs), cross-checked between BEEFY and the MMR pallet.
pub fn initial_sets(sibyl: &SibylRpc, at: H256) -> Result<InitialSets, Error> {
	let start_block = sibyl.block_number(at)?;
	let authorities = Authorities::from_set(&sibyl.validator_set(at)?)?;
	let current = authorities.to_abi();
	let (committed, announced) = sibyl.authority_sets(at)?;
	let committed =
		ValidatorSet { id: committed.id, len: committed.len, root: B256::from(committed.keyset_commitment.0) };
	if committed != current {
		return Err(Error::Invalid(format!(
			"at #{start_block} BEEFY's set is {current:?}, the MMR pallet commits to {committed:?}"
		)));
	}
	let next = ValidatorSet { id: announced.id, len: announced.len, root: B256::from(announced.keyset_commitment.0) };
	if next.id != current.id + 1 || next.len == 0 {
		return Err(Error::Invalid(format!("at #{start_block} the next set is {next:?} after set {}", current.id)));
	}
	Ok(InitialSets { current, next, start_block })
}

/// Deploys `artifact` with `sets` and `fee_collector` through `provider` (whose key pays); returns the
/// gateway's address and the deployment's gas.
pub async fn deploy_gateway(
	provider: &DynProvider,
	artifact: &Artifact,
	sets: &InitialSets,
	fee_collector: Address,
) -> Result<(Address, u64), Error> {
	let args = SibylGateway::constructorCall {
		current: sets.current.clone(),
		next: sets.next.clone(),
		startBlock: sets.start_block,
		feeCollector: fee_collector,
	}
	.abi_encode();
	let code: Bytes = [artifact.bytecode.as_ref(), &args].concat().into();
	let receipt = RawCallBuilder::new_raw_deploy(provider, code)
		.send()
		.await
		.map_err(Error::eth("deploying the gateway"))?
		.get_receipt()
		.await
		.map_err(Error::eth("the gateway's deployment receipt"))?;
	if !receipt.status() {
		return Err(Error::Ethereum(format!("the deployment reverted (tx {})", receipt.transaction_hash())));
	}
	let address = receipt
		.contract_address()
		.ok_or_else(|| Error::Ethereum("the deployment receipt has no contract address".into()))?;
	Ok((address, receipt.gas_used()))
}
