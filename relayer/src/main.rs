//! `sibyl-relayer`: carries Sibyl's BEEFY commitments, handovers and messages to the Ethereum gateway.
//!
//! ```text
//! sibyl-relayer --sibyl-rpc URL --eth-rpc URL --gateway 0xADDR (--key-file PATH | --key HEX)
//!               [--from-block N] [--poll-ms N] [--all-signatures] [--once]
//! sibyl-relayer deploy --sibyl-rpc URL --eth-rpc URL (--key-file PATH | --key HEX) --artifact PATH
//!               [--at-block N] [--fee-collector 0xADDR]
//! ```

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use sibyl_relayer::{
	alloy::{primitives::Address, signers::local::PrivateKeySigner},
	deploy, ethereum,
	gateway::SibylGateway,
	log,
	sibyl::SibylRpc,
	Config, Error, Relayer, SignaturePolicy,
};

/// Relays Sibyl's BEEFY commitments, validator-set handovers and outbound messages to the Ethereum gateway,
/// paying the gas. Every action is logged to stderr with the gas it used.
#[derive(Parser, Debug)]
#[command(name = "sibyl-relayer", version, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
	#[command(subcommand)]
	command: Option<Command>,
	#[command(flatten)]
	run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Deploys a gateway initialised with Sibyl's validator sets at a block; prints its address on stdout.
	Deploy(DeployArgs),
}

/// Where to read Sibyl and Ethereum, and the key that pays.
#[derive(Args, Debug)]
struct Endpoints {
	/// A Sibyl node's JSON-RPC (`http://host:port`; `ws://` is read as `http://`).
	#[arg(long, required = true)]
	sibyl_rpc: Option<String>,
	/// An Ethereum node's JSON-RPC (`http://` or `https://`).
	#[arg(long, required = true)]
	eth_rpc: Option<String>,
	/// A file holding the Ethereum private key (hex).
	#[arg(long, conflicts_with = "key")]
	key_file: Option<PathBuf>,
	/// The Ethereum private key (hex).
	#[arg(long)]
	key: Option<String>,
}

#[derive(Args, Debug)]
struct RunArgs {
	#[command(flatten)]
	endpoints: Endpoints,
	/// The gateway's address.
	#[arg(long, required = true)]
	gateway: Option<Address>,
	/// The first Sibyl block whose messages are scanned (default: the gateway's start block).
	#[arg(long)]
	from_block: Option<u32>,
	/// Milliseconds between rounds.
	#[arg(long, default_value_t = 6000)]
	poll_ms: u64,
	/// Send every valid signature instead of just more than two thirds.
	#[arg(long)]
	all_signatures: bool,
	/// One round, then exit (non-zero if it failed).
	#[arg(long)]
	once: bool,
}

#[derive(Args, Debug)]
struct DeployArgs {
	#[command(flatten)]
	endpoints: Endpoints,
	/// forge's artifact of the gateway (`contracts/out/SibylGateway.sol/SibylGateway.json`).
	#[arg(long)]
	artifact: PathBuf,
	/// The Sibyl block whose validator sets the gateway starts from (default: the finalized head).
	#[arg(long)]
	at_block: Option<u32>,
	/// Receives the fees of fulfilled requests (default: the deploying account).
	#[arg(long)]
	fee_collector: Option<Address>,
}

impl Endpoints {
	fn resolve(&self) -> Result<(SibylRpc, String, PrivateKeySigner), Error> {
		let missing = |what: &str| Error::Config(format!("--{what} is required"));
		let sibyl = SibylRpc::new(self.sibyl_rpc.as_deref().ok_or_else(|| missing("sibyl-rpc"))?);
		let eth = self.eth_rpc.clone().ok_or_else(|| missing("eth-rpc"))?;
		let signer = match (&self.key_file, &self.key) {
			(Some(path), _) => ethereum::read_key_file(path)?,
			(None, Some(hex)) => ethereum::parse_key(hex)?,
			(None, None) => return Err(missing("key-file or --key")),
		};
		Ok((sibyl, eth, signer))
	}
}

async fn run(args: RunArgs) -> Result<(), Error> {
	let (sibyl, eth, signer) = args.endpoints.resolve()?;
	let address = signer.address();
	let provider = ethereum::connect(&eth, signer)?;
	let gateway_address = args.gateway.ok_or_else(|| Error::Config("--gateway is required".into()))?;
	let balance = ethereum::balance(&provider, address).await?;
	log(format!(
		"sibyl-relayer: Sibyl {} -> gateway {gateway_address} on {eth}, paying from {address} (balance {balance} wei)",
		sibyl.url()
	));
	let config = Config {
		from_block: args.from_block,
		poll: Duration::from_millis(args.poll_ms),
		signatures: if args.all_signatures { SignaturePolicy::All } else { SignaturePolicy::Minimum },
		..Config::default()
	};
	let gateway = SibylGateway::new(gateway_address, provider);
	Relayer::new(sibyl, gateway, config).run(args.once).await
}

async fn deploy(args: DeployArgs) -> Result<(), Error> {
	let (sibyl, eth, signer) = args.endpoints.resolve()?;
	let fee_collector = args.fee_collector.unwrap_or(signer.address());
	let provider = ethereum::connect(&eth, signer)?;
	let artifact = deploy::Artifact::load(&args.artifact)?;
	let at = match args.at_block {
		Some(n) => sibyl.block_hash(n)?,
		None => sibyl.finalized_head()?,
	};
	let sets = deploy::initial_sets(&sibyl, at)?;
	let (address, gas) = deploy::deploy_gateway(&provider, &artifact, &sets, fee_collector).await?;
	log(format!(
		"deployed the gateway at {address} (gas {gas}): start #{}, current set {:?}, next set {:?}",
		sets.start_block, sets.current, sets.next
	));
	println!("{address}");
	Ok(())
}

fn main() -> ExitCode {
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
		Ok(r) => r,
		Err(e) => {
			eprintln!("sibyl-relayer: can not start the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	let result = runtime.block_on(async {
		match cli.command {
			Some(Command::Deploy(args)) => deploy(args).await,
			None => run(cli.run).await,
		}
	});
	match result {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			log(format!("sibyl-relayer: {e}"));
			ExitCode::FAILURE
		},
	}
}
