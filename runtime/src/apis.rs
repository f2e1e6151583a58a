//! The runtime APIs the node calls: block building and execution, transaction validation and fees, account nonces,
//! metadata, genesis presets, off-chain workers, session keys and the consensus engines' APIs.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_consensus_beefy::ecdsa_crypto::AuthorityId as BeefyId;
use sp_api::impl_runtime_apis;

/// The MMR's leaf: the parent block, the next BEEFY set, and the root of the block's messages to Ethereum.
type MmrLeaf = <<Runtime as pallet_mmr::Config>::LeafData as pallet_mmr::primitives::LeafDataProvider>::LeafData;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use crate::{
	genesis_config_presets, AccountId, Aura, Balance, Block, BlockNumber, Executive, Grandpa, Inference,
	Aigc, Beefy, BeefyMmrLeaf, InherentDataExt, Mmr, Nonce, Revshare, Settlement,
	Runtime, RuntimeCall, RuntimeGenesisConfig, SessionKeys, System, TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Equivocation reports need a session/historical pallet to prove key ownership; none yet.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl sp_consensus_beefy::BeefyApi<Block, BeefyId> for Runtime {
		fn beefy_genesis() -> Option<BlockNumber> {
			pallet_beefy::GenesisBlock::<Runtime>::get()
		}

		fn validator_set() -> Option<sp_consensus_beefy::ValidatorSet<BeefyId>> {
			Beefy::validator_set()
		}

		// Equivocation reports need key-ownership proofs (a historical session pallet) and an offences pallet;
		// neither is in this runtime yet, so none is accepted (as for GRANDPA).
		fn submit_report_double_voting_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_beefy::DoubleVotingProof<
				BlockNumber,
				BeefyId,
				sp_consensus_beefy::ecdsa_crypto::Signature,
			>,
			_key_owner_proof: sp_consensus_beefy::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn submit_report_fork_voting_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_beefy::ForkVotingProof<
				<Block as BlockT>::Header,
				BeefyId,
				sp_runtime::OpaqueValue,
			>,
			_key_owner_proof: sp_consensus_beefy::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn submit_report_future_block_voting_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_beefy::FutureBlockVotingProof<BlockNumber, BeefyId>,
			_key_owner_proof: sp_consensus_beefy::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_beefy::ValidatorSetId,
			_authority_id: BeefyId,
		) -> Option<sp_consensus_beefy::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl pallet_mmr::primitives::MmrApi<Block, sp_consensus_beefy::MmrRootHash, BlockNumber> for Runtime {
		fn mmr_root() -> Result<sp_consensus_beefy::MmrRootHash, pallet_mmr::primitives::Error> {
			Ok(pallet_mmr::RootHash::<Runtime>::get())
		}

		fn mmr_leaf_count() -> Result<pallet_mmr::primitives::LeafIndex, pallet_mmr::primitives::Error> {
			Ok(pallet_mmr::NumberOfLeaves::<Runtime>::get())
		}

		fn generate_proof(
			block_numbers: Vec<BlockNumber>,
			best_known_block_number: Option<BlockNumber>,
		) -> Result<
			(Vec<pallet_mmr::primitives::EncodableOpaqueLeaf>, pallet_mmr::primitives::LeafProof<sp_consensus_beefy::MmrRootHash>),
			pallet_mmr::primitives::Error,
		> {
			Mmr::generate_proof(block_numbers, best_known_block_number).map(|(leaves, proof)| {
				(
					leaves
						.into_iter()
						.map(|leaf| pallet_mmr::primitives::EncodableOpaqueLeaf::from_leaf(&leaf))
						.collect(),
					proof,
				)
			})
		}

		fn generate_ancestry_proof(
			prev_block_number: BlockNumber,
			best_known_block_number: Option<BlockNumber>,
		) -> Result<pallet_mmr::primitives::AncestryProof<sp_consensus_beefy::MmrRootHash>, pallet_mmr::primitives::Error> {
			Mmr::generate_ancestry_proof(prev_block_number, best_known_block_number)
		}

		fn verify_proof(
			leaves: Vec<pallet_mmr::primitives::EncodableOpaqueLeaf>,
			proof: pallet_mmr::primitives::LeafProof<sp_consensus_beefy::MmrRootHash>,
		) -> Result<(), pallet_mmr::primitives::Error> {
			let leaves = leaves
				.into_iter()
				.map(|leaf| {
					leaf.into_opaque_leaf()
						.try_decode()
						.ok_or(pallet_mmr::primitives::Error::Verify)
				})
				.collect::<Result<Vec<MmrLeaf>, pallet_mmr::primitives::Error>>()?;
			Mmr::verify_leaves(leaves, proof)
		}

		fn verify_proof_stateless(
			root: sp_consensus_beefy::MmrRootHash,
			leaves: Vec<pallet_mmr::primitives::EncodableOpaqueLeaf>,
			proof: pallet_mmr::primitives::LeafProof<sp_consensus_beefy::MmrRootHash>,
		) -> Result<(), pallet_mmr::primitives::Error> {
			let nodes = leaves
				.into_iter()
				.map(|leaf| pallet_mmr::primitives::DataOrHash::Data(leaf.into_opaque_leaf()))
				.collect();
			pallet_mmr::verify_leaves_proof::<sp_runtime::traits::Keccak256, _>(root, nodes, proof)
		}
	}

	impl sibyl_inference_primitives::settlement::SettlementApi<Block> for Runtime {
		fn messages() -> Vec<(u64, Vec<u8>)> {
			Settlement::messages()
		}

		fn message_proof(nonce: u64) -> Option<sibyl_inference_primitives::settlement::MessageProof> {
			Settlement::message_proof(nonce)
		}
	}

	impl pallet_beefy_mmr::BeefyMmrApi<Block, sp_consensus_beefy::MmrRootHash> for Runtime {
		fn authority_set_proof() -> sp_consensus_beefy::mmr::BeefyAuthoritySet<sp_consensus_beefy::MmrRootHash> {
			BeefyMmrLeaf::authority_set_proof()
		}

		fn next_authority_set_proof() -> sp_consensus_beefy::mmr::BeefyNextAuthoritySet<sp_consensus_beefy::MmrRootHash> {
			BeefyMmrLeaf::next_authority_set_proof()
		}
	}

	impl sibyl_inference_primitives::InferenceApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn quote(
			model: sibyl_inference_primitives::ModelId,
			max_new: u32,
			tip: Balance,
		) -> Result<sibyl_inference_primitives::Quote<Balance>, sibyl_inference_primitives::QuoteError> {
			Inference::quote(model, max_new, tip)
		}

		fn request(
			id: sibyl_inference_primitives::RequestId,
		) -> Option<sibyl_inference_primitives::RequestView<AccountId, Balance, BlockNumber>> {
			Inference::request_view(id)
		}

		fn final_result(
			id: sibyl_inference_primitives::RequestId,
		) -> Option<sibyl_inference_primitives::ResultView<AccountId, Balance, BlockNumber>> {
			Inference::result_view(id, true)
		}

		fn proposed_result(
			id: sibyl_inference_primitives::RequestId,
		) -> Option<sibyl_inference_primitives::ResultView<AccountId, Balance, BlockNumber>> {
			Inference::result_view(id, false)
		}

		fn operator_queue(operator: AccountId) -> Vec<sibyl_inference_primitives::RequestId> {
			Inference::operator_queue(&operator)
		}

		fn model_by_root(root: sibyl_inference_primitives::Root) -> Option<sibyl_inference_primitives::ModelId> {
			Inference::model_by_root(&root)
		}

		fn model(
			id: sibyl_inference_primitives::ModelId,
		) -> Option<sibyl_inference_primitives::ModelView<AccountId, Balance>> {
			Inference::model_view(id)
		}
	}

	impl sibyl_inference_primitives::dispute::DisputeApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn game(
			id: sibyl_inference_primitives::dispute::GameId,
		) -> Option<sibyl_inference_primitives::dispute::Game<AccountId, Balance, BlockNumber>> {
			pallet_dispute::Games::<Runtime>::get(id)
		}

		fn games_of(request: sibyl_inference_primitives::RequestId) -> Vec<sibyl_inference_primitives::dispute::GameId> {
			pallet_dispute::Pallet::<Runtime>::games_of(request)
		}
	}

	impl sibyl_inference_primitives::revshare::RevshareApi<Block, AccountId, BlockNumber> for Runtime {
		fn token(
			model: sibyl_inference_primitives::ModelId,
		) -> Option<sibyl_inference_primitives::revshare::TokenView<AccountId, BlockNumber>> {
			Revshare::token_view(model)
		}

		fn holding(
			model: sibyl_inference_primitives::ModelId,
			who: AccountId,
		) -> sibyl_inference_primitives::revshare::HoldingView {
			Revshare::holding_view(model, &who)
		}

		fn redeemable_on_burn(model: sibyl_inference_primitives::ModelId, amount: u128) -> u128 {
			Revshare::redeemable_on_burn(model, amount)
		}

		fn allowance(model: sibyl_inference_primitives::ModelId, owner: AccountId, spender: AccountId) -> u128 {
			Revshare::allowance_of(model, &owner, &spender)
		}
	}

	impl sibyl_inference_primitives::aigc::AigcApi<Block, AccountId> for Runtime {
		fn record(
			request: sibyl_inference_primitives::RequestId,
		) -> Option<(sibyl_inference_primitives::aigc::AigcRecord<AccountId>, Option<AccountId>)> {
			Aigc::record(request)
		}

		fn verify(request: sibyl_inference_primitives::RequestId, prompt: Vec<u32>, output: Vec<u32>) -> bool {
			Aigc::verify(request, &prompt, &output)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(
			extra: bool,
		) -> (Vec<frame_benchmarking::BenchmarkList>, Vec<frame_support::traits::StorageInfo>) {
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};

			// `list_benchmarks!` and `add_benchmarks!` come from `define_benchmarks!` in `benchmarks.rs`.
			use super::*;
			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, crate::AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline::Pallet as BaselineBench, BenchmarkBatch};
			use frame_support::traits::WhitelistedStorageKeys;
			use frame_system_benchmarking::{extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench};

			let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			use super::*;
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime tooling only (never in a production build): a failed check must stop the tool with the
			// reason, and this API has no error channel, so it panics with the message.
			let weight = Executive::try_runtime_upgrade(checks)
				.unwrap_or_else(|e| panic!("try-runtime: runtime upgrade checks failed: {e:?}"));
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.unwrap_or_else(|e| panic!("try-runtime: execute-block failed: {e:?}"))
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}
}
