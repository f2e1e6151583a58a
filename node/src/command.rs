//! Dispatch of the command line to the node's subcommands.

use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sibyl_runtime::opaque::Block;

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Sibyl Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/sibyl-chain/sibyl/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development()?),
			"" | "local" => Box::new(chain_spec::local_testnet()?),
			path => Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?),
		})
	}
}

impl Cli {
	/// Makes ParityDB the database of every command that opens one and was not told which. Without this, a node
	/// built with `--features rocksdb` would default to RocksDB (sc-cli's rule), and the runtime's database
	/// weights are ParityDB's.
	pub fn default_database(&mut self) {
		let params = match &mut self.subcommand {
			None => &mut self.run.import_params.database_params,
			Some(Subcommand::CheckBlock(cmd)) => &mut cmd.import_params.database_params,
			Some(Subcommand::ImportBlocks(cmd)) => &mut cmd.import_params.database_params,
			Some(Subcommand::ExportBlocks(cmd)) => &mut cmd.database_params,
			Some(Subcommand::ExportState(cmd)) => &mut cmd.database_params,
			Some(Subcommand::PurgeChain(cmd)) => &mut cmd.database_params,
			Some(Subcommand::Revert(cmd)) => &mut cmd.database_params,
			Some(Subcommand::ChainInfo(cmd)) => &mut cmd.database_params,
			_ => return,
		};
		params.database.get_or_insert(sc_cli::Database::ParityDb);
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	// Addresses in logs and `key` output use Sibyl's SS58 prefix.
	sp_core::crypto::set_default_ss58_version(sp_core::crypto::Ss58AddressFormat::custom(
		sibyl_runtime::token::SS58_PREFIX,
	));
	let mut cli = Cli::from_args();
	cli.default_database();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let spec = cli.load_spec(&cmd.chain)?;
			cmd.run(spec)
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } = service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => {
			use crate::benchmarking::{inherent_benchmark_data, CallBuilder};
			use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};

			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| match cmd {
				BenchmarkCmd::Pallet(cmd) =>
					cmd.run_with_spec::<
						sp_runtime::traits::HashingFor<Block>,
						sibyl_inference_primitives::host::sibyl_inference::HostFunctions,
					>(Some(config.chain_spec)),
				BenchmarkCmd::Block(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					cmd.run(client)
				},
				BenchmarkCmd::Storage(cmd) => {
					let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
					let db = backend.expose_db();
					let storage = backend.expose_storage();
					let shared_trie_cache = backend.expose_shared_trie_cache();
					cmd.run(config, client, db, storage, shared_trie_cache)
				},
				BenchmarkCmd::Overhead(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					let remark = CallBuilder::remark(client.clone());
					let name = config.chain_spec.name().into();
					cmd.run(name, client, inherent_benchmark_data()?, Vec::new(), &remark, false)
				},
				BenchmarkCmd::Extrinsic(cmd) => {
					let PartialComponents { client, .. } = service::new_partial(&config)?;
					let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
					let factory = ExtrinsicFactory(vec![
						Box::new(CallBuilder::remark(client.clone())),
						Box::new(CallBuilder::transfer_keep_alive(
							client.clone(),
							alice,
							sibyl_runtime::EXISTENTIAL_DEPOSIT,
						)),
					]);
					cmd.run(client, inherent_benchmark_data()?, Vec::new(), &factory)
				},
				BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
			})
		},
		Some(Subcommand::Engine(cmd)) => cmd.run(),
		Some(Subcommand::Ask(cmd)) => cmd.run(),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let inference = cli.inference.clone();
			let ethereum = cli.ethereum.clone();
			runner.run_node_until_exit(|mut config| async move {
				// The MMR pallet writes its nodes through off-chain indexing; MMR proofs (`mmr_generateProof`,
				// what the Ethereum relayer asks for) read them from there.
				config.offchain_worker.indexing_enabled = true;
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<Block, <Block as sp_runtime::traits::Block>::Hash>,
					>(config, inference, ethereum)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p =>
						service::new_full::<sc_network::Litep2pNetworkBackend>(config, inference, ethereum)
							.map_err(sc_cli::Error::Service),
				}
			})
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;
	use sc_cli::Database;

	fn database(args: &[&str]) -> Option<Database> {
		let mut cli = Cli::try_parse_from(args).expect("valid arguments");
		cli.default_database();
		match &cli.subcommand {
			None => cli.run.import_params.database_params.database,
			Some(Subcommand::PurgeChain(cmd)) => cmd.database_params.database,
			Some(Subcommand::ImportBlocks(cmd)) => cmd.import_params.database_params.database,
			Some(Subcommand::ChainInfo(cmd)) => cmd.database_params.database,
			Some(_) => unreachable!("not asked"),
		}
	}

	#[test]
	fn parity_db_is_the_default_database_of_every_command() {
		for args in [
			&["sibyl-node", "--dev"][..],
			&["sibyl-node", "purge-chain", "--dev"],
			&["sibyl-node", "import-blocks", "--dev", "blocks.bin"],
			&["sibyl-node", "chain-info", "--dev"],
		] {
			assert_eq!(database(args), Some(Database::ParityDb), "{args:?}");
		}
	}

	#[test]
	fn an_explicit_database_is_kept() {
		assert_eq!(database(&["sibyl-node", "--dev", "--database", "auto"]), Some(Database::Auto));
		assert_eq!(database(&["sibyl-node", "purge-chain", "--dev", "--db", "auto"]), Some(Database::Auto));
	}
}
