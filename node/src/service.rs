//! The node's service: client and database, transaction pool, networking, Aura block authoring, GRANDPA
//! finality, BEEFY (the validators' commitments for Ethereum) and the MMR gadget, off-chain workers and RPC, wired
//! in one place.

use std::{sync::Arc, time::Duration};

use futures::FutureExt;
use sc_client_api::{Backend, BlockBackend};
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sibyl_runtime::{apis::RuntimeApi, opaque::Block};
use sp_consensus_aura::sr25519::AuthorityPair as AuraPair;
use sp_consensus_beefy::ecdsa_crypto::AuthorityId as BeefyId;

/// The runtime executes in WASM only; the host functions are Substrate's standard set and Sibyl's inference
/// function (which answers only in off-chain workers, see `crate::inference`).
#[cfg(not(feature = "runtime-benchmarks"))]
pub type HostFunctions =
	(sp_io::SubstrateHostFunctions, sibyl_inference_primitives::host::sibyl_inference::HostFunctions);
/// The runtime executes in WASM only; a benchmarking runtime also imports the benchmarking host functions.
#[cfg(feature = "runtime-benchmarks")]
pub type HostFunctions = (
	sp_io::SubstrateHostFunctions,
	sibyl_inference_primitives::host::sibyl_inference::HostFunctions,
	frame_benchmarking::benchmarking::HostFunctions,
);

/// The full client.
pub type FullClient = sc_service::TFullClient<Block, RuntimeApi, sc_executor::WasmExecutor<HostFunctions>>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport = sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLinkHalf = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;
/// BEEFY's block import wraps GRANDPA's: it checks the BEEFY justifications that come with blocks.
type BeefyBlockImport = sc_consensus_beefy::import::BeefyBlockImport<Block, FullBackend, FullClient, GrandpaBlockImport, BeefyId>;
/// The links from BEEFY's block import to its voter and to its RPC.
type BeefyLinks = (
	sc_consensus_beefy::BeefyVoterLinks<Block, BeefyId>,
	sc_consensus_beefy::BeefyRPCLinks<Block, BeefyId>,
);

/// GRANDPA writes a justification at least every this many blocks, so a syncing node can verify finality.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;
/// BEEFY votes on a new block at least this many blocks after the last one it finalized (besides every session's
/// first block, which it always signs): at most one commitment per 4 blocks (24 s), so that a relayer has a fresh
/// root often without the validators gossiping a vote per block.
const BEEFY_MIN_BLOCK_DELTA: u32 = 4;

/// The parts of the service that the block-import subcommands need too.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
	(BeefyBlockImport, GrandpaLinkHalf, BeefyLinks, Option<Telemetry>),
>;

/// Inherent data for a block: the timestamp and the Aura slot it falls in.
fn slot_and_timestamp(
	slot_duration: sp_consensus_aura::SlotDuration,
) -> (sp_consensus_aura::inherents::InherentDataProvider, sp_timestamp::InherentDataProvider) {
	let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
	let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
		*timestamp,
		slot_duration,
	);
	(slot, timestamp)
}

/// Builds the client, database, transaction pool and import queue.
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<HostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) = sc_service::new_full_parts::<Block, RuntimeApi, _>(
		config,
		telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
		executor,
		Vec::new(),
	)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
		client.clone(),
		GRANDPA_JUSTIFICATION_PERIOD,
		&client,
		select_chain.clone(),
		telemetry.as_ref().map(|x| x.handle()),
	)?;

	let (beefy_block_import, beefy_voter_links, beefy_rpc_links) =
		sc_consensus_beefy::beefy_block_import_and_links(
			grandpa_block_import.clone(),
			backend.clone(),
			client.clone(),
			config.prometheus_registry().cloned(),
		);

	let cidp_client = client.clone();
	let import_queue = sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
		block_import: beefy_block_import.clone(),
		justification_import: Some(Box::new(grandpa_block_import.clone())),
		client: client.clone(),
		create_inherent_data_providers: move |parent_hash, _| {
			let cidp_client = cidp_client.clone();
			async move {
				let slot_duration = sc_consensus_aura::standalone::slot_duration_at(&*cidp_client, parent_hash)?;
				Ok(slot_and_timestamp(slot_duration))
			}
		},
		spawner: &task_manager.spawn_essential_handle(),
		registry: config.prometheus_registry(),
		check_for_equivocation: Default::default(),
		telemetry: telemetry.as_ref().map(|x| x.handle()),
		compatibility_mode: Default::default(),
	})?;

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (beefy_block_import, grandpa_link, (beefy_voter_links, beefy_rpc_links), telemetry),
	})
}

/// Builds and starts a full node: networking, RPC, off-chain workers, and, for a validator, Aura authoring and
/// the GRANDPA voter.
pub fn new_full<N: sc_network::NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>>(
	config: Configuration,
	inference: crate::cli::InferenceParams,
	ethereum: crate::cli::EthereumParams,
) -> Result<TaskManager, ServiceError> {
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (block_import, grandpa_link, (beefy_voter_links, beefy_rpc_links), mut telemetry),
	} = new_partial(&config)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as sp_runtime::traits::Block>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let genesis_hash = client
		.block_hash(0)?
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let grandpa_protocol_name = sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	// BEEFY: votes are gossiped; justifications a node missed are asked of its peers.
	let fork_id = config.chain_spec.fork_id();
	let beefy_gossip_protocol_name =
		sc_consensus_beefy::gossip_protocol_name(genesis_hash, fork_id);
	let (beefy_gossip_config, beefy_notification_service) =
		sc_consensus_beefy::communication::beefy_peers_set_config::<_, N>(
			beefy_gossip_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(beefy_gossip_config);
	let (beefy_on_demand_handler, beefy_req_resp_config) =
		sc_consensus_beefy::communication::request_response::BeefyJustifsRequestHandler::new::<_, N>(
			genesis_hash,
			fork_id,
			client.clone(),
			config.prometheus_registry().cloned(),
		);
	net_config.add_request_response_protocol(beefy_req_resp_config);

	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		grandpa_link.shared_authority_set().clone(),
		Vec::new(),
	));

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	// The development validators' operator keys (`//Alice//operator`, ...), which the genesis presets bond.
	if let Some(seed) = config.dev_key_seed.as_deref() {
		let operator_seed = format!("{seed}//operator");
		sp_keystore::Keystore::sr25519_generate_new(
			&*keystore_container.keystore(),
			pallet_inference::offchain::KEY_TYPE,
			Some(&operator_seed),
		)
		.map_err(|e| ServiceError::Other(format!("operator key {operator_seed}: {e:?}")))?;
	}

	// The Ethereum endpoint, for the settlement pallet's off-chain worker (its persistent off-chain storage).
	if let Some(mut storage) = backend.offchain_storage() {
		use sp_core::offchain::OffchainStorage;
		let key = pallet_settlement::offchain::ETH_RPC_KEY;
		match &ethereum.eth_rpc {
			Some(url) => {
				if !(url.starts_with("http://") || url.starts_with("https://")) {
					return Err(ServiceError::Other(format!("--eth-rpc {url}: an http:// or https:// URL")));
				}
				storage.set(sp_core::offchain::STORAGE_PREFIX, key, url.as_bytes());
				log::info!("Ethereum endpoint for attestations: {url}");
			},
			None => storage.remove(sp_core::offchain::STORAGE_PREFIX, key),
		}
	}

	let models = crate::inference::ModelStore::open(inference.model_dir());
	if config.offchain_worker.enabled {
		let lie = match inference.dishonest_from_step {
			None => None,
			Some(from_step) => {
				if config.chain_spec.chain_type() == sc_service::ChainType::Live {
					return Err(ServiceError::Other(
						"--dishonest-from-step is for test networks: this chain spec is a live one".into(),
					));
				}
				log::warn!("DISHONEST OPERATOR (test network): claiming false state roots from step {from_step} on");
				Some(sibyl_inference_primitives::host::Lie { from_step })
			},
		};
		let policy = crate::inference::Policy { verify_share: inference.verify_share, lie };
		let runner = crate::inference::Runner::start(models.clone(), inference.inference_threads, policy)
			.map_err(ServiceError::Other)?;
		let runner: Arc<dyn sibyl_inference_primitives::host::InferenceRunner> = runner;
		let offchain_workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
			runtime_api_provider: client.clone(),
			is_validator: config.role.is_authority(),
			keystore: Some(keystore_container.keystore()),
			offchain_db: backend.offchain_storage(),
			transaction_pool: Some(OffchainTransactionPoolFactory::new(transaction_pool.clone())),
			network_provider: Arc::new(network.clone()),
			enable_http_requests: true,
			// Only off-chain workers get the inference engine.
			custom_extensions: move |_| {
				vec![Box::new(sibyl_inference_primitives::host::InferenceExt(runner.clone())) as Box<_>]
			},
		})?;
		task_manager.spawn_handle().spawn(
			"offchain-workers-runner",
			"offchain-worker",
			offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
		);
	}

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa;
	let prometheus_registry = config.prometheus_registry().cloned();

	// The voter's state, shared with the `grandpa_roundState` RPC.
	let shared_voter_state = SharedVoterState::empty();

	let rpc_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		let backend = backend.clone();
		let shared_authority_set = grandpa_link.shared_authority_set().clone();
		let justification_stream = grandpa_link.justification_stream();
		let voter_state_for_rpc = shared_voter_state.clone();
		let beefy_rpc_links = beefy_rpc_links;
		let offchain_storage = backend.offchain_storage();

		Box::new(move |subscription_executor: sc_rpc::SubscriptionTaskExecutor| {
			let subscription_executor_for_beefy = subscription_executor.clone();
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				models: models.clone(),
				grandpa: crate::rpc::GrandpaDeps {
					shared_voter_state: voter_state_for_rpc.clone(),
					shared_authority_set: shared_authority_set.clone(),
					justification_stream: justification_stream.clone(),
					subscription_executor,
					finality_provider: sc_consensus_grandpa::FinalityProofProvider::new_for_service(
						backend.clone(),
						Some(shared_authority_set.clone()),
					),
				},
				beefy: crate::rpc::BeefyDeps {
					finality_proof_stream: beefy_rpc_links.from_voter_justif_stream.clone(),
					best_block_stream: beefy_rpc_links.from_voter_best_beefy_stream.clone(),
					subscription_executor: subscription_executor_for_beefy.clone(),
				},
				offchain_storage: offchain_storage.clone(),
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	let backend_for_mmr = backend.clone();
	let backend_for_beefy = backend.clone();
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	if role.is_authority() {
		let proposer_factory = sc_basic_authorship::ProposerFactory::new(
			task_manager.spawn_handle(),
			client.clone(),
			transaction_pool.clone(),
			prometheus_registry.as_ref(),
			telemetry.as_ref().map(|x| x.handle()),
		);

		let slot_duration = sc_consensus_aura::slot_duration(&*client)?;
		let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(StartAuraParams {
			slot_duration,
			client: client.clone(),
			select_chain,
			block_import,
			proposer_factory,
			create_inherent_data_providers: move |_, ()| async move { Ok(slot_and_timestamp(slot_duration)) },
			force_authoring,
			backoff_authoring_blocks: Option::<()>::None,
			keystore: keystore_container.keystore(),
			sync_oracle: sync_service.clone(),
			justification_sync_link: sync_service.clone(),
			block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
			max_block_proposal_slot_portion: None,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			compatibility_mode: Default::default(),
		})?;
		// Authoring is essential: if it fails, the node stops.
		task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	}

	// BEEFY signs commitments to the MMR root of finalized blocks with the validators' secp256k1 keys (what
	// Ethereum verifies); it runs beside GRANDPA, on every node, voting only on a validator's.
	if enable_grandpa {
		let is_authority = role.is_authority();
		let beefy_params = sc_consensus_beefy::BeefyParams {
			client: client.clone(),
			backend: backend_for_beefy,
			payload_provider: sp_consensus_beefy::mmr::MmrRootProvider::new(client.clone()),
			runtime: client.clone(),
			key_store: if is_authority { Some(keystore_container.keystore()) } else { None },
			network_params: sc_consensus_beefy::BeefyNetworkParams {
				network: Arc::new(network.clone()),
				sync: sync_service.clone(),
				notification_service: beefy_notification_service,
				gossip_protocol_name: beefy_gossip_protocol_name,
				justifications_protocol_name: beefy_on_demand_handler.protocol_name(),
				_phantom: core::marker::PhantomData::<Block>,
			},
			min_block_delta: BEEFY_MIN_BLOCK_DELTA,
			prometheus_registry: prometheus_registry.clone(),
			links: beefy_voter_links,
			on_demand_justifications_handler: beefy_on_demand_handler,
			is_authority,
		};
		let gadget = sc_consensus_beefy::start_beefy_gadget::<_, _, _, _, _, _, _, BeefyId>(beefy_params);
		// Not essential: a BEEFY failure must not stop block production and finality.
		task_manager.spawn_handle().spawn_blocking("beefy-gadget", None, gadget);
	}
	// The MMR gadget moves the MMR's nodes of finalized blocks to canonical off-chain storage (and prunes forks).
	task_manager.spawn_essential_handle().spawn_blocking(
		"mmr-gadget",
		None,
		mmr_gadget::MmrGadget::start(client.clone(), backend_for_mmr, sp_mmr_primitives::INDEXING_PREFIX.to_vec()),
	);

	if enable_grandpa {
		// Only an authority votes, so only an authority needs the keystore.
		let keystore = if role.is_authority() { Some(keystore_container.keystore()) } else { None };
		let grandpa_config = sc_consensus_grandpa::Config {
			gossip_duration: Duration::from_millis(333),
			justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
			name: Some(name),
			observer_enabled: false,
			keystore,
			local_role: role,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			protocol_name: grandpa_protocol_name,
		};
		let grandpa_params = sc_consensus_grandpa::GrandpaParams {
			config: grandpa_config,
			link: grandpa_link,
			network,
			sync: Arc::new(sync_service),
			notification_service: grandpa_notification_service,
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
			prometheus_registry,
			shared_voter_state,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};
		// The voter is essential too.
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa_params)?,
		);
	}

	Ok(task_manager)
}
