//! The node's JSON-RPC methods beyond the standard ones `sc-service` installs (author, chain, state, system,
//! chainHead/transaction v2, ...): `system_accountNextIndex`, `payment_queryInfo`/`payment_queryFeeDetails`,
//! GRANDPA's `grandpa_roundState`, `grandpa_proveFinality` and `grandpa_subscribeJustifications`, BEEFY's
//! `beefy_getFinalizedHead` and `beefy_subscribeJustifications`, the MMR's `mmr_root` and `mmr_generateProof`
//! (what an Ethereum relayer needs), and what only
//! a node with the model files can do: `inference_tokenize` (text to token ids, with the model's chat template)
//! and `inference_detokenize` (token ids to text).

use std::sync::Arc;

use jsonrpsee::RpcModule;
use sc_consensus_grandpa::{
	FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sibyl_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce};
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the GRANDPA RPC methods read.
pub struct GrandpaDeps<B> {
	/// The voter's current state.
	pub shared_voter_state: SharedVoterState,
	/// The current authority set.
	pub shared_authority_set: SharedAuthoritySet<Hash, BlockNumber>,
	/// Justifications as they are imported.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Builds finality proofs.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the BEEFY RPC methods read.
pub struct BeefyDeps {
	/// BEEFY justifications as the voter makes or imports them.
	pub finality_proof_stream: sc_consensus_beefy::communication::notification::BeefyVersionedFinalityProofStream<
		Block,
		sp_consensus_beefy::ecdsa_crypto::AuthorityId,
	>,
	/// The best BEEFY-finalized block as it changes.
	pub best_block_stream: sc_consensus_beefy::communication::notification::BeefyBestBlockStream<Block>,
	/// Runs subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
}

/// What every RPC method reads.
pub struct FullDeps<C, P, B: sc_client_api::Backend<Block>> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's state.
	pub grandpa: GrandpaDeps<B>,
	/// The node's models (their tokenizers).
	pub models: Arc<crate::inference::ModelStore>,
	/// BEEFY's streams.
	pub beefy: BeefyDeps,
	/// Off-chain storage, where the MMR's nodes are (for `mmr_generateProof`).
	pub offchain_storage: Option<<B as sc_client_api::Backend<Block>>::OffchainStorage>,
}

fn rpc_error(msg: String) -> jsonrpsee::types::ErrorObjectOwned {
	jsonrpsee::types::ErrorObject::owned(jsonrpsee::types::error::INVALID_PARAMS_CODE, msg, None::<()>)
}

fn loaded(
	models: &crate::inference::ModelStore,
	root: &str,
) -> Result<Arc<crate::inference::Loaded>, jsonrpsee::types::ErrorObjectOwned> {
	let root = crate::engine_cmd::parse_root(root).map_err(rpc_error)?;
	models.get(&root).ok_or_else(|| {
		let state = if models.loading() { "still loading models" } else { "no such model" };
		rpc_error(format!(
			"this node has no model with commitment {} ({state}): {}",
			crate::engine_cmd::hex(&root),
			models.describe()
		))
	})
}

/// `inference_tokenize(model, text, chat)` and `inference_detokenize(model, ids)`.
pub fn inference_rpc(
	models: Arc<crate::inference::ModelStore>,
) -> Result<RpcModule<Arc<crate::inference::ModelStore>>, Box<dyn std::error::Error + Send + Sync>> {
	let mut module = RpcModule::new(models);
	module.register_method("inference_tokenize", |params, models, _| {
		let (root, text, chat): (String, String, Option<bool>) = params.parse()?;
		let m = loaded(models, &root)?;
		let ids = if chat.unwrap_or(true) { m.tokenizer.encode_chat(&text) } else { m.tokenizer.encode(&text) };
		ids.map_err(|e| rpc_error(e.to_string()))
	})?;
	module.register_method("inference_detokenize", |params, models, _| {
		let (root, ids): (String, Vec<u32>) = params.parse()?;
		let m = loaded(models, &root)?;
		if let Some(bad) = ids.iter().find(|t| **t >= m.model.config.n_vocab) {
			return Err(rpc_error(format!("token id {bad} is outside the vocabulary of {}", m.model.config.n_vocab)));
		}
		m.tokenizer.decode(&ids).map_err(|e| rpc_error(e.to_string()))
	})?;
	Ok(module)
}

/// Builds the RPC methods of a full node.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ sp_mmr_primitives::MmrApi<Block, Hash, BlockNumber>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
	use mmr_rpc::{Mmr, MmrApiServer};
	use sc_consensus_beefy_rpc::{Beefy, BeefyApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, grandpa, models, beefy, offchain_storage } = deps;
	let mut module = RpcModule::new(());
	module.merge(inference_rpc(models)?)?;
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	if let Some(storage) = offchain_storage {
		module.merge(Mmr::new(client, storage).into_rpc())?;
	}
	module.merge(
		Beefy::<Block, sp_consensus_beefy::ecdsa_crypto::AuthorityId>::new(
			beefy.finality_proof_stream,
			beefy.best_block_stream,
			beefy.subscription_executor,
		)?
		.into_rpc(),
	)?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;
	Ok(module)
}
