//! Sibyl to Ethereum through the relayer, end to end: the 4-validator network, an anvil node, the gateway
//! compiled by forge and deployed with the relayer's `deploy` functions, and two `sibyl-relayer` processes.
//! - The gateway starts from Sibyl's validator sets at the finalized head (set 0, next set 1, their roots
//!   computed from the validators' Ethereum addresses and checked against the MMR pallet's).
//! - Ferdie bridges 250,000 revenue-share units of model 0 out to an Ethereum address; relayer A submits a
//!   BEEFY commitment past the block and executes the mint: the address holds 250,000 bridged units.
//! - Relayer B starts beside A (another Sibyl node, another key) and scans the same blocks: nothing is
//!   executed twice (one `MessageExecuted` for the nonce, the balance stays 250,000).
//! - At the session change (block 20) set 1 signs, and the gateway hands over to it (current set 1, next 2).
//!
//! - Ethereum to Sibyl: the validators' nodes run with `--eth-rpc` (anvil, a block a second) and root sets the
//!   gateway. A Solidity consumer (`ExampleConsumer`) asks SmolLM2 a question through `gateway.request` with an
//!   ETH fee; the validators attest the event, the request enters the oracle paid from the bridge's account,
//!   is answered and finalized, and its result comes back to the consumer's callback: the same tokens and final
//!   state root as `sibyl-node engine run`. The model's revenue gets its share of the fee on Sibyl; the ETH fee
//!   is the gateway's accrued fees.
//! - The way back for tokens: the Ethereum holder of the bridged units burns 100,000 of them with
//!   `bridgeToSibyl` for Ferdie; once attested, Sibyl releases them, and the units locked on Sibyl equal the
//!   bridged token's supply on Ethereum before and after.
//!
//! - A vote from an account that is no validator's operator is refused, and a validator's vote for the executed
//!   request is a replay.
//!
//! Prints the gas of every `submitCommitment` and `executeMessages` (the relayers' log lines), the latency
//! from the Sibyl block that queued the mint to the Ethereum block that executed it, and the latency from
//! `gateway.request` to the consumer's callback (Sibyl blocks and seconds).
//!
//! Needs the relayer binary beside the test (`cargo build --release -p sibyl-relayer`, or any workspace
//! build; `SIBYL_RELAYER` overrides the path) and the contracts' npm tools (`scripts/setup.sh` installs them;
//! if anvil is missing, this test runs `npm ci` in `contracts/` itself).

use std::{
	path::{Path, PathBuf},
	process::{Child, Command},
	time::{Duration, Instant},
};

use codec::Decode;
use sibyl_client::ask;
use sibyl_e2e::{free_port, inference::engine_run, network_lock, spawn_logged, tx, wait_for, Network};
use sibyl_inference_primitives::RequestStatus;
use sibyl_relayer::{
	alloy::{
		contract::RawCallBuilder,
		eips::BlockNumberOrTag,
		primitives::{Address, Bytes, U256},
		providers::{DynProvider, Provider},
		sol_types::SolConstructor,
	},
	deploy, ethereum,
	gateway::{BridgedRevenueToken, ExampleConsumer, SibylGateway},
	sibyl::SibylRpc,
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;

/// anvil's development keys 0, 1 and 2 (each account holds 10,000 ETH).
const DEPLOYER_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const RELAYER_A_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const RELAYER_B_KEY: &str = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/// anvil's development keys 3 (the consumer's user) and 4 (the holder of the bridged units on Ethereum).
const ASKER_KEY: &str = "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const HOLDER_KEY: &str = "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

/// Units bridged out, and of them, brought back.
const AMOUNT: u128 = 250_000;
const BACK: u128 = 100_000;

/// The question's most new tokens.
const MAX_NEW: u32 = 8;

/// Confirmations the validators wait for on Ethereum (anvil mines a block a second).
const CONFIRMATIONS: u32 = 2;

fn contracts_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts")
}

/// `<target>`, from this test binary's path (`<target>/<profile>/deps/<binary>`).
fn target_dir() -> PathBuf {
	let exe = std::env::current_exe().expect("the test knows its path");
	exe.ancestors().nth(3).expect("the test binary lives in <target>/<profile>/deps").to_path_buf()
}

/// The relayer binary: `SIBYL_RELAYER`, else `<target>/<profile>/sibyl-relayer`.
fn relayer_binary() -> PathBuf {
	if let Ok(p) = std::env::var("SIBYL_RELAYER") {
		return PathBuf::from(p);
	}
	let exe = std::env::current_exe().expect("the test knows its path");
	let bin = exe.ancestors().nth(2).expect("<target>/<profile>").join("sibyl-relayer");
	assert!(bin.exists(), "{} does not exist: `cargo build --release -p sibyl-relayer` first", bin.display());
	bin
}

/// Installs the contracts' npm packages (forge, anvil) if they are missing or stale, as `contracts/test.sh`
/// does (same stamp), and returns the anvil and forge binaries.
fn contract_tools() -> (PathBuf, PathBuf) {
	let dir = contracts_dir();
	let platform = |tool: &str| dir.join(format!("node_modules/@foundry-rs/{tool}-linux-amd64/bin/{tool}"));
	let (anvil, forge) = (platform("anvil"), platform("forge"));
	let stamp = dir.join("node_modules/.sibyl-package-lock.json");
	let lock = std::fs::read(dir.join("package-lock.json")).expect("contracts/package-lock.json");
	if !anvil.exists() || !forge.exists() || std::fs::read(&stamp).ok().as_ref() != Some(&lock) {
		let status = Command::new("npm")
			.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
			.current_dir(&dir)
			.status()
			.expect("npm runs");
		assert!(status.success(), "npm ci in contracts/ failed");
		std::fs::write(&stamp, &lock).expect("can write the npm stamp");
	}
	assert!(anvil.exists() && forge.exists(), "no anvil/forge in contracts/node_modules");
	(anvil, forge)
}

/// Compiles the contracts (forge through solcjs) into the target directory, with their own cache: the
/// contracts' own tests may be compiling into `contracts/out` beside this test. Returns the gateway's artifact.
fn gateway_artifact(forge: &Path) -> PathBuf {
	let out = target_dir().join("sibyl-contracts");
	let dir = contracts_dir();
	let output = Command::new(forge)
		.arg("build")
		.arg("--use")
		.arg(dir.join("scripts/solc"))
		.arg("--out")
		.arg(out.join("out"))
		.arg("--cache-path")
		.arg(out.join("cache"))
		.args(["--skip", "test"])
		.current_dir(&dir)
		.output()
		.expect("forge runs");
	assert!(
		output.status.success(),
		"forge build failed:\n{}\n{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	out.join("out/SibylGateway.sol/SibylGateway.json")
}

/// Child processes killed when the test ends, however it ends.
struct Children(Vec<(String, Child)>);

impl Children {
	fn alive(&mut self, name: &str) -> bool {
		self.0.iter_mut().any(|(n, c)| n == name && matches!(c.try_wait(), Ok(None)))
	}
}

impl Drop for Children {
	fn drop(&mut self) {
		for (_, c) in &mut self.0 {
			let _ = c.kill();
			let _ = c.wait();
		}
	}
}

/// The relayer's log lines that report a transaction (they end with `gas N, tx 0x..`), and the gas.
fn gas_lines(log: &str) -> Vec<(String, u64)> {
	log.lines()
		.filter(|l| l.contains("submitCommitment") || l.contains("executeMessage"))
		.filter_map(|l| {
			let gas = l.rsplit_once(": gas ")?.1.split(',').next()?.parse().ok()?;
			Some((l.to_string(), gas))
		})
		.collect()
}

/// `pallet_timestamp::Now` (ms) in the state of block `at`.
fn block_time_ms(rpc: &sibyl_e2e::Rpc, at: sibyl_runtime::Hash) -> u64 {
	let key = [sp_crypto_hashing::twox_128(b"Timestamp"), sp_crypto_hashing::twox_128(b"Now")].concat();
	let raw = rpc.storage(&key, Some(at)).expect("state_getStorage").expect("a timestamp");
	u64::decode(&mut &raw[..]).expect("a u64")
}

#[test]
fn a_consumer_gets_sibyls_answer_and_units_go_to_ethereum_and_back_relayed_once_across_a_handover() {
	let _serial = network_lock();
	let started = Instant::now();
	let (anvil_bin, forge) = contract_tools();
	let gateway_json = gateway_artifact(&forge);
	let artifact = deploy::Artifact::load(&gateway_json).expect("the artifact matches the bindings");
	let relayer = relayer_binary();
	let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
	macro_rules! rt {
		($f:expr) => {
			runtime.block_on(async { $f.await })
		};
	}

	// The validators read Ethereum at anvil's port (anvil starts once the network's directory exists). Nobody
	// re-runs the others' results here (the dispute test does): the machine's two cores go to the network.
	let eth_port = free_port();
	let eth_url = format!("http://127.0.0.1:{eth_port}");
	let net = Network::start_chain_with("local", 4, |_| {
		vec!["--eth-rpc".into(), eth_url.clone(), "--verify-share".into(), "0".into()]
	});
	net.wait_finalized(0, 1, Duration::from_secs(90));
	let dir = net.dir().to_path_buf();
	let mut children = Children(Vec::new());

	// Ethereum: anvil on that port, a block a second (so that events get their confirmations).
	let anvil_args: Vec<String> = ["--host", "127.0.0.1", "--port", &eth_port.to_string(), "--block-time", "1"]
		.iter()
		.map(|s| s.to_string())
		.collect();
	children.0.push(("anvil".into(), spawn_logged(&anvil_bin, &anvil_args, &dir.join("anvil.log"))));
	let deployer_key = ethereum::parse_key(DEPLOYER_KEY).expect("a key");
	let deployer_address = deployer_key.address();
	let eth: DynProvider = ethereum::connect(&eth_url, deployer_key).expect("a provider");
	net.expect(wait_for("anvil to answer", Duration::from_secs(30), Duration::from_millis(200), || {
		Ok(rt!(eth.get_chain_id()).ok())
	}));

	let eth_start = rt!(eth.get_block_number()).expect("anvil's block number");
	// The gateway, from the sets at Sibyl's finalized head.
	let sibyl_url = |i: usize| format!("http://127.0.0.1:{}", net.nodes[i].rpc_port_now());
	let sibyl = SibylRpc::new(&sibyl_url(0));
	let at = net.expect(sibyl.finalized_head().map_err(|e| e.to_string()));
	let sets = net.expect(deploy::initial_sets(&sibyl, at).map_err(|e| e.to_string()));
	assert_eq!((sets.current.id, sets.current.len, sets.next.id, sets.next.len), (0, 4, 1, 4), "{sets:?}");
	let (gateway_address, deploy_gas) = rt!(deploy::deploy_gateway(&eth, &artifact, &sets, deployer_address))
		.unwrap_or_else(|e| panic!("deploying the gateway: {e}"));
	let gateway = SibylGateway::new(gateway_address, eth.clone());
	eprintln!(
		"gateway at {gateway_address} (deployment gas {deploy_gas}), start #{}, set 0 root {}",
		sets.start_block, sets.current.root
	);

	// Relayer A (key in a file) reads node 1; relayer B (key on the command line) reads node 2.
	let key_file = dir.join("relayer-a.key");
	std::fs::write(&key_file, format!("0x{RELAYER_A_KEY}\n")).expect("can write the key file");
	let relayer_args = |node: usize, key: [String; 2]| -> Vec<String> {
		let mut a: Vec<String> = vec![
			"--sibyl-rpc".into(),
			sibyl_url(node),
			"--eth-rpc".into(),
			eth_url.clone(),
			"--gateway".into(),
			gateway_address.to_string(),
			"--poll-ms".into(),
			"2000".into(),
		];
		a.extend(key);
		a
	};
	let log_a = dir.join("relayer-a.log");
	let log_b = dir.join("relayer-b.log");
	let args_a = relayer_args(1, ["--key-file".into(), key_file.to_string_lossy().into_owned()]);
	children.0.push(("relayer A".into(), spawn_logged(&relayer, &args_a, &log_a)));

	// Root points Sibyl at the gateway: anvil's chain, 2 confirmations, a wei per planck of the fee.
	let rpc = net.nodes[3].rpc();
	let ctx = net.expect(tx::fetch_context(&rpc));
	let alice = Sr25519Keyring::Alice.pair();
	let config = pallet_settlement::inbound::EthConfig {
		gateway: sp_core::H160(gateway_address.0 .0),
		chain_id: 31337,
		confirmations: CONFIRMATIONS,
		start_block: eth_start,
		wei_per_planck: 1,
	};
	let configure = sibyl_runtime::RuntimeCall::Sudo(pallet_sudo::Call::sudo {
		call: Box::new(sibyl_runtime::RuntimeCall::Settlement(pallet_settlement::Call::configure { config })),
	});
	let from = net.expect(rpc.best_number());
	let xt = tx::signed(&ctx, &alice, net.expect(rpc.next_nonce(&alice.public().into())), configure, None);
	net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("configure refused: {e}"));
	net.expect(sibyl_e2e::inference::await_success(&rpc, &xt, from, Duration::from_secs(60)));

	// A consumer contract asks SmolLM2 a question, paying its price in wei.
	let consumer_code = consumer_bytecode(&gateway_json);
	let consumer_address = deploy_consumer(&runtime, &eth, &consumer_code, gateway_address);
	let asker_key = ethereum::parse_key(ASKER_KEY).expect("a key");
	let asker_address = asker_key.address();
	let asker = ethereum::connect(&eth_url, asker_key).expect("a provider");
	let consumer = ExampleConsumer::new(consumer_address, asker.clone());
	let model = net.expect(ask::model(&rpc, 0));
	let prompt = net.expect(ask::tokenize(&rpc, &model.root, "What is the capital of France?", true));
	let price = net.expect(ask::quote(&rpc, 0, MAX_NEW, 0)).total;
	let asked = rt!(consumer.ask(0, prompt.clone(), MAX_NEW).value(U256::from(price)).send())
		.unwrap_or_else(|e| panic!("consumer.ask: {e}"));
	let asked = rt!(asked.get_receipt()).expect("the request's receipt");
	assert!(asked.status(), "gateway.request reverted");
	let request_eth_block = asked.block_number.expect("mined");
	let request_eth_time = eth_block_time(&runtime, &eth, request_eth_block);
	let request_sibyl_block = net.expect(rpc.best_number());
	let eth_request_id = rt!(gateway.requestCount().call()).expect("requestCount");
	eprintln!(
		"gateway.request #{eth_request_id} in Ethereum block {request_eth_block} (Sibyl at #{request_sibyl_block}), fee {price} wei, gas {}, {:.0} s in",
		asked.gas_used,
		started.elapsed().as_secs_f64()
	);

	// Ferdie, SmolLM2's owner, creates its revenue-share token and bridges 250,000 units out.
	let ferdie = Sr25519Keyring::Ferdie.pair();
	let nonce = net.expect(rpc.next_nonce(&ferdie.public().into()));
	let from = net.expect(rpc.best_number());
	let create = sibyl_runtime::RuntimeCall::Revshare(pallet_revshare::Call::create_token {
		model: 0,
		name: b"SmolLM2 revenue".to_vec(),
		symbol: b"SMOL".to_vec(),
		decimals: 0,
		supply: 1_000_000,
		min_balance: 1,
		claim_share: sp_runtime::Perbill::from_percent(60),
		treasury_share: sp_runtime::Perbill::from_percent(10),
	});
	let holder_key = ethereum::parse_key(HOLDER_KEY).expect("a key");
	let recipient = holder_key.address();
	let bridge = sibyl_runtime::RuntimeCall::Settlement(pallet_settlement::Call::bridge_out {
		model: 0,
		recipient: sp_core::H160(recipient.0 .0),
		amount: AMOUNT,
	});
	let xt1 = tx::signed(&ctx, &ferdie, nonce, create, None);
	let xt2 = tx::signed(&ctx, &ferdie, nonce + 1, bridge, None);
	net.expect(rpc.submit(&xt1)).unwrap_or_else(|e| panic!("create_token refused: {e}"));
	net.expect(rpc.submit(&xt2)).unwrap_or_else(|e| panic!("bridge_out refused: {e}"));
	let (queued_at, queued_hash, _) =
		net.expect(sibyl_e2e::inference::await_success(&rpc, &xt2, from, Duration::from_secs(90)));
	let queued_wall = Instant::now();
	let queued_ms = block_time_ms(&rpc, queued_hash);
	let messages: Vec<(u64, Vec<u8>)> =
		net.expect(rpc.runtime_call_at("SettlementApi_messages", &[], Some(queued_hash)));
	let (msg_nonce, _) = messages.last().cloned().expect("the block queued the mint");
	eprintln!("bridge_out in #{queued_at}: message {msg_nonce}, {:.0} s in", started.elapsed().as_secs_f64());

	// The mint on Ethereum.
	let balance_of = |token: Address| -> Result<U256, String> {
		rt!(BridgedRevenueToken::new(token, eth.clone()).balanceOf(recipient).call()).map_err(|e| e.to_string())
	};
	let token = net.expect(wait_for(
		"the bridged mint on Ethereum",
		Duration::from_secs(150),
		Duration::from_millis(250),
		|| {
			let token = rt!(gateway.revenueTokens(0).call()).map_err(|e| e.to_string())?;
			if token == Address::ZERO {
				return Err(format!("no token yet; relayer A: {}", last_line(&log_a)));
			}
			Ok((balance_of(token)? > U256::ZERO).then_some(token))
		},
	));
	let minted_wall = queued_wall.elapsed();
	assert_eq!(balance_of(token), Ok(U256::from(AMOUNT)));
	assert_eq!(rt!(gateway.isExecuted(msg_nonce).call()).ok(), Some(true));
	let minted = rt!(gateway.RevenueTokensMinted_filter().from_block(0).query()).expect("the mint's event");
	let mint_block = minted.first().and_then(|(_, log)| log.block_number).expect("a mint in a block");
	let mint_time = rt!(eth.get_block_by_number(BlockNumberOrTag::Number(mint_block)))
		.ok()
		.flatten()
		.map(|b| b.header.timestamp)
		.expect("the mint's block");
	let latency_s = mint_time as f64 - queued_ms as f64 / 1000.0;
	eprintln!(
		"minted {AMOUNT} units to {recipient} ({token}) in Ethereum block {mint_block}: {latency_s:.0} s after Sibyl block \
		 #{queued_at} (block timestamps; {:.1} s from seeing the block included to seeing the mint), {:.0} s in",
		minted_wall.as_secs_f64(),
		started.elapsed().as_secs_f64()
	);

	// The holder burns 100,000 of them on Ethereum for Ferdie; the validators attest it and Sibyl releases them.
	let bridged_key = pallet_settlement::Bridged::<sibyl_runtime::Runtime>::hashed_key_for(0u32);
	let bridged_on_sibyl = || -> u128 {
		let raw = net.expect(rpc.storage(&bridged_key, None)).unwrap_or_default();
		if raw.is_empty() { 0 } else { u128::decode(&mut &raw[..]).expect("a u128") }
	};
	let token_supply = || -> U256 {
		rt!(BridgedRevenueToken::new(token, eth.clone()).totalSupply().call()).expect("totalSupply")
	};
	assert_eq!((bridged_on_sibyl(), token_supply()), (AMOUNT, U256::from(AMOUNT)), "supplies match after the mint");
	let holder = ethereum::connect(&eth_url, holder_key).expect("a provider");
	let ferdie_bytes: [u8; 32] = ferdie.public().0;
	let back_from = net.expect(rpc.best_number());
	let burned = rt!(SibylGateway::new(gateway_address, holder.clone())
		.bridgeToSibyl(0, ferdie_bytes.into(), U256::from(BACK))
		.send())
	.unwrap_or_else(|e| panic!("bridgeToSibyl: {e}"));
	let burned = rt!(burned.get_receipt()).expect("bridgeToSibyl's receipt");
	assert!(burned.status(), "bridgeToSibyl reverted");
	let (returned_at, _) = net.expect(wait_for(
		"Sibyl to release the units burned on Ethereum",
		Duration::from_secs(90),
		Duration::from_millis(500),
		|| find_settlement_event(&rpc, back_from, |e| {
			matches!(e, pallet_settlement::Event::TokensReturned { nonce: 1, model: 0, amount, to }
				if *amount == BACK && to == &sibyl_runtime::AccountId::from(ferdie.public()))
		}),
	));
	assert_eq!(
		(bridged_on_sibyl(), token_supply()),
		(AMOUNT - BACK, U256::from(AMOUNT - BACK)),
		"supplies match after the way back"
	);
	eprintln!(
		"bridgeToSibyl {BACK} units in Ethereum block {}: released to Ferdie in Sibyl #{returned_at}, {:.0} s in",
		burned.block_number.unwrap_or_default(),
		started.elapsed().as_secs_f64()
	);

	// Relayer B beside A, from the gateway's start block: it finds the mint executed and leaves it.
	let args_b = relayer_args(2, ["--key".into(), format!("0x{RELAYER_B_KEY}")]);
	children.0.push(("relayer B".into(), spawn_logged(&relayer, &args_b, &log_b)));

	// The handover: set 1 signs the first block of session 1 (block 20), and the gateway follows.
	let handed_over = net.expect(wait_for(
		"the gateway to hand over to set 1",
		Duration::from_secs(200),
		Duration::from_secs(1),
		|| {
			let current = rt!(gateway.currentValidatorSet().call()).map_err(|e| e.to_string())?;
			let latest = rt!(gateway.latestBeefyBlock().call()).map_err(|e| e.to_string())?;
			if current.id >= 1 {
				let next = rt!(gateway.nextValidatorSet().call()).map_err(|e| e.to_string())?;
				return Ok(Some((current.id, next.id, latest)));
			}
			Err(format!("current set {}, latest #{latest}; relayer A: {}", current.id, last_line(&log_a)))
		},
	));
	eprintln!(
		"handover: the gateway's current set is {}, next {}, at #{}, {:.0} s in",
		handed_over.0,
		handed_over.1,
		handed_over.2,
		started.elapsed().as_secs_f64()
	);
	assert_eq!((handed_over.0, handed_over.1), (1, 2));

	// Both relayers go on side by side past the handover: the gateway accepts a later commitment of set 1,
	// relayer B has caught up, and nothing was executed twice.
	let after = handed_over.2;
	net.expect(wait_for("a commitment after the handover", Duration::from_secs(60), Duration::from_secs(1), || {
		let latest = rt!(gateway.latestBeefyBlock().call()).map_err(|e| e.to_string())?;
		let b = std::fs::read_to_string(&log_b).unwrap_or_default();
		Ok((latest > after && b.contains("scanning Sibyl's messages")).then_some(()))
	}));
	std::thread::sleep(Duration::from_secs(5));
	assert!(children.alive("relayer A") && children.alive("relayer B"), "both relayers keep running");
	assert_eq!(balance_of(token), Ok(U256::from(AMOUNT - BACK)), "minted once (less what went back)");
	assert_eq!(rt!(gateway.isExecuted(msg_nonce).call()).ok(), Some(true));
	let executed = rt!(gateway.MessageExecuted_filter().from_block(0).query()).expect("MessageExecuted events");
	assert_eq!(
		executed.iter().filter(|(e, _)| e.nonce == msg_nonce).count(),
		1,
		"one execution of message {msg_nonce}"
	);
	let accepted = rt!(gateway.CommitmentAccepted_filter().from_block(0).query()).expect("CommitmentAccepted events");
	let rotated = rt!(gateway.ValidatorSetRotated_filter().from_block(0).query()).expect("ValidatorSetRotated events");
	assert_eq!(rotated.len(), 1, "one handover");

	// The consumer's answer: SmolLM2's, as the engine gives it on the command line.
	let (received, tokens, final_root) = net.expect(wait_for(
		"the consumer's callback",
		Duration::from_secs(240),
		Duration::from_millis(500),
		|| {
			let a = rt!(consumer.answer(eth_request_id).call()).map_err(|e| e.to_string())?;
			Ok(a.received.then_some((a.received, a.tokens, a.finalStateRoot)))
		},
	));
	let answered_sibyl_block = net.expect(rpc.best_number());
	assert!(received);
	let delivered = rt!(gateway.InferenceResultDelivered_filter().from_block(0).query()).expect("the delivery event");
	let (delivery, delivery_log) = delivered.first().expect("one delivery");
	assert_eq!(delivered.len(), 1, "delivered once");
	let delivered_time = eth_block_time(&runtime, &eth, delivery_log.block_number.expect("mined"));
	let (output, root, _) =
		net.expect(engine_run(&sibyl_e2e::node_binary(), &sibyl_engine::testing::smollm2_path(), &prompt, MAX_NEW));
	assert_eq!(tokens, output, "the callback got the engine's answer");
	assert_eq!(final_root.0, root, "and its final state root");
	let answer_text = net.expect(ask::detokenize(&rpc, &model.root, &tokens));
	// The fee on Sibyl: the bridge's account paid it, and the model's revenue got its share.
	let sibyl_request = delivery.sibylRequestId;
	let status = net.expect(sibyl_e2e::inference::await_status(&rpc, sibyl_request, "final", Duration::from_secs(5), |s| {
		matches!(s, RequestStatus::Finalized { .. })
	}));
	let RequestStatus::Finalized { at: final_block } = status else { unreachable!() };
	let request = net.expect(ask::request(&rpc, sibyl_request, None)).expect("stored");
	assert_eq!(request.requester, pallet_settlement::Pallet::<sibyl_runtime::Runtime>::eth_account());
	let final_hash = net.expect(rpc.block_hash(final_block)).expect("the final block");
	let (fee, to_model) = net
		.expect(sibyl_e2e::inference::inference_events(&rpc, final_hash))
		.into_iter()
		.find_map(|(_, e)| match e {
			pallet_inference::Event::RequestFinalized { request, fee, to_model, .. } if request == sibyl_request =>
				Some((fee, to_model)),
			_ => None,
		})
		.expect("the finalization's event");
	assert!(to_model > 0 && fee <= price, "the model's revenue got {to_model} of the fee {fee}");
	assert_eq!(rt!(gateway.accruedFees().call()).ok(), Some(U256::from(price)), "the ETH fee is the gateway's");
	eprintln!(
		"answer: {:?} ({} tokens) delivered to the consumer in Ethereum block {}: {} Sibyl blocks (#{request_sibyl_block} -> #{answered_sibyl_block}) and {} s after gateway.request (block timestamps); fee {fee} planck on Sibyl, {to_model} to the model's revenue",
		answer_text,
		tokens.len(),
		delivery_log.block_number.unwrap_or_default(),
		answered_sibyl_block - request_sibyl_block,
		delivered_time.saturating_sub(request_eth_time),
	);

	// On the real chain too: a vote from an account that is no validator's operator is refused, and a
	// validator's vote for the executed request is a replay.
	let attested = pallet_settlement::inbound::EthEvent::Request {
		id: eth_request_id,
		requester: sp_core::H160(asker_address.0 .0),
		model: 0,
		prompt: prompt.clone().try_into().expect("a prompt within the bound"),
		max_new: MAX_NEW,
		fee: price,
	};
	let refused = |signer: &sp_core::sr25519::Pair| -> sp_runtime::DispatchError {
		let call = sibyl_runtime::RuntimeCall::Settlement(pallet_settlement::Call::attest { event: attested.clone() });
		let from = net.expect(rpc.best_number());
		let xt = tx::signed(&ctx, signer, net.expect(rpc.next_nonce(&signer.public().into())), call, None);
		net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("attest refused by the pool: {e}"));
		let (_, h, i) = net.expect(sibyl_e2e::inference::await_included(&rpc, &xt, from + 1, Duration::from_secs(60)));
		net.expect(sibyl_e2e::inference::events(&rpc, h))
			.into_iter()
			.find_map(|(index, e)| match e {
				sibyl_runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. })
					if index == Some(i) =>
					Some(dispatch_error),
				_ => None,
			})
			.expect("the vote failed")
	};
	assert_eq!(
		refused(&Sr25519Keyring::Eve.pair()),
		pallet_settlement::Error::<sibyl_runtime::Runtime>::NotValidator.into()
	);
	assert_eq!(
		refused(&sibyl_e2e::inference::operator_pair(Sr25519Keyring::Dave)),
		pallet_settlement::Error::<sibyl_runtime::Runtime>::AlreadyExecuted.into()
	);

	let (a, b) =
		(std::fs::read_to_string(&log_a).unwrap_or_default(), std::fs::read_to_string(&log_b).unwrap_or_default());
	eprintln!("{} commitments accepted; gas of each transaction:", accepted.len());
	for (name, log) in [("A", &a), ("B", &b)] {
		for (line, gas) in gas_lines(log) {
			let action = line.split("] ").nth(1).unwrap_or(&line);
			eprintln!("  relayer {name}: {gas:>9}  {}", action.split(": gas").next().unwrap_or(action));
		}
	}
	// B started after the mint was executed: it never sends it. Messages queued later (the answer) go to
	// whichever relayer is first, and each nonce is executed once.
	let b_mints: Vec<_> = gas_lines(&b)
		.into_iter()
		.filter(|(l, _)| l.contains("executeMessage") && l.contains(&format!("nonces [{msg_nonce}]")))
		.collect();
	assert!(b_mints.is_empty(), "relayer B sent the executed mint: {b_mints:?}");
	let executed = rt!(gateway.MessageExecuted_filter().from_block(0).query()).expect("MessageExecuted events");
	let mut nonces: Vec<u64> = executed.iter().map(|(e, _)| e.nonce).collect();
	nonces.sort();
	assert_eq!(nonces, vec![0, 1], "the mint and the answer, each executed once");
	for (name, log) in [("A", &a), ("B", &b)] {
		assert!(
			!log.contains("invalid data from Sibyl") && !log.contains("refused"),
			"relayer {name} logged a failure:\n{log}"
		);
	}
	eprintln!(
		"latency: Sibyl #{queued_at} (bridge_out) -> Ethereum mint: {latency_s:.0} s; total {:.0} s",
		started.elapsed().as_secs_f64()
	);
}

/// The creation bytecode of `ExampleConsumer`, from the artifacts beside the gateway's.
fn consumer_bytecode(gateway_artifact: &Path) -> Bytes {
	let path = gateway_artifact
		.ancestors()
		.nth(2)
		.expect("<out>/SibylGateway.sol/SibylGateway.json")
		.join("ExampleConsumer.sol/ExampleConsumer.json");
	let json: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(&path).expect("the consumer's artifact")).expect("json");
	json["bytecode"]["object"].as_str().expect("bytecode.object").parse().expect("hex bytecode")
}

/// Deploys `ExampleConsumer(gateway)`; its address.
fn deploy_consumer(runtime: &tokio::runtime::Runtime, eth: &DynProvider, code: &Bytes, gateway: Address) -> Address {
	let args = ExampleConsumer::constructorCall { gateway }.abi_encode();
	let code: Bytes = [code.as_ref(), &args].concat().into();
	let receipt = runtime
		.block_on(async {
			let pending = RawCallBuilder::new_raw_deploy(eth, code).send().await.map_err(|e| e.to_string())?;
			pending.get_receipt().await.map_err(|e| e.to_string())
		})
		.unwrap_or_else(|e| panic!("the consumer's deployment: {e}"));
	assert!(receipt.status(), "the consumer's deployment reverted");
	receipt.contract_address.expect("a contract address")
}

/// The timestamp (s) of Ethereum block `n`.
fn eth_block_time(runtime: &tokio::runtime::Runtime, eth: &DynProvider, n: u64) -> u64 {
	runtime
		.block_on(async { eth.get_block_by_number(BlockNumberOrTag::Number(n)).await })
		.ok()
		.flatten()
		.map(|b| b.header.timestamp)
		.expect("the block")
}

/// The first block from `from` to the best one with a settlement event that `matches`: its number and hash.
fn find_settlement_event(
	rpc: &sibyl_e2e::Rpc,
	from: u32,
	matches: impl Fn(&pallet_settlement::Event<sibyl_runtime::Runtime>) -> bool,
) -> Result<Option<(u32, sibyl_runtime::Hash)>, String> {
	let best = rpc.best_number()?;
	for n in from..=best {
		let h = rpc.block_hash(n)?.ok_or_else(|| format!("no block #{n}"))?;
		for (_, e) in sibyl_e2e::inference::events(rpc, h)? {
			if let sibyl_runtime::RuntimeEvent::Settlement(ev) = &e {
				if matches(ev) {
					return Ok(Some((n, h)));
				}
			}
		}
	}
	Ok(None)
}

/// The last line of a log file, for wait messages.
fn last_line(path: &Path) -> String {
	std::fs::read_to_string(path).ok().and_then(|s| s.lines().last().map(str::to_string)).unwrap_or_default()
}

#[test]
fn gas_lines_read_the_relayers_log_format() {
	let log = "[1.000] submitCommitment #9 (set 0, 3 of 4 signatures): gas 128458, tx 0xab\n\
	           [2.000] executeMessages #8 (nonces [1], leaf #9, root of #9): gas 827145, tx 0xcd\n\
	           [3.000] BEEFY head #10 has no justification (yet)";
	let lines = gas_lines(log);
	assert_eq!(lines.iter().map(|(_, g)| *g).collect::<Vec<_>>(), vec![128_458, 827_145]);
}
