//! The node's JSON-RPC methods beyond the standard ones `sc-service` installs (author, chain, state, system,
//! chainHead/transaction v2, ...): `system_accountNextIndex`, `payment_queryInfo`/`payment_queryFeeDetails`,
//! and GRANDPA's `grandpa_roundState`, `grandpa_proveFinality` and `grandpa_subscribeJustifications`.

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

/// What every RPC method reads.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's state.
	pub grandpa: GrandpaDeps<B>,
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
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, grandpa } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;
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
