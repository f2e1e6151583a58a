//! The operator's command line on a real chain: export the blocks of a dev chain, import them into an empty
//! database, check a block, read the chain info, purge the chain; keys in Sibyl's address format; Prometheus
//! metrics while the node runs.

use sibyl_e2e::{network_lock, node_binary, Network};
use std::{path::Path, process::Command, time::Duration};

fn node(args: &[&str]) -> (bool, String, String) {
	let out = Command::new(node_binary()).args(args).output().expect("run sibyl-node");
	(out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn ok(args: &[&str]) -> String {
	let (success, stdout, stderr) = node(args);
	assert!(success, "sibyl-node {args:?} failed:\n{stderr}");
	stdout + &stderr
}

#[test]
fn export_import_check_purge_and_keys() {
	let _serial = network_lock();
	let mut net = Network::dev();
	net.wait_finalized(0, 4, Duration::from_secs(90));

	// Metrics are served while the node runs.
	let metrics = ureq::get(&format!("http://127.0.0.1:{}/metrics", net.nodes[0].prometheus_port))
		.call()
		.expect("Prometheus answers")
		.into_string()
		.expect("text");
	assert!(metrics.contains("substrate_block_height"), "no block height metric");
	let hash4 = net.expect(net.nodes[0].rpc().block_hash(4)).expect("block 4");

	// The database is not shared: stop the node before using its base path.
	net.nodes[0].stop();
	let base = net.nodes[0].base_path.clone();
	let dir = net.dir().to_path_buf();
	let b = |p: &Path| p.to_str().expect("utf-8 path").to_string();
	let export = dir.join("blocks.bin");
	ok(&["export-blocks", "--dev", "--base-path", &b(&base), "--binary", "--from", "1", "--to", "4", &b(&export)]);
	assert!(std::fs::metadata(&export).map(|m| m.len()).unwrap_or(0) > 0, "nothing exported");

	// Into a fresh database: the blocks import and block 4 is the same block.
	let fresh = dir.join("fresh");
	let log = ok(&["import-blocks", "--dev", "--base-path", &b(&fresh), "--binary", &b(&export)]);
	assert!(log.contains("Imported 4 blocks"), "import said: {log}");
	let hex4 = format!("{hash4:?}");
	ok(&["check-block", "--dev", "--base-path", &b(&fresh), &hex4]);
	let (success, stdout, stderr) = node(&["chain-info", "--dev", "--base-path", &b(&fresh)]);
	assert!(success, "chain-info failed: {stderr}");
	let info: serde_json::Value = serde_json::from_str(&stdout).expect("chain-info prints JSON");
	assert_eq!(info["best_number"], 4, "{info}");
	assert_eq!(info["best_hash"].as_str(), Some(hex4.as_str()), "{info}");

	// The import wrote a ParityDB database (the node's default), and purge-chain removes it.
	let db = fresh.join("chains/sibyl_dev/paritydb/full");
	assert!(db.join("metadata").is_file(), "no ParityDB database at {}", db.display());
	ok(&["purge-chain", "--dev", "--base-path", &b(&fresh), "-y"]);
	assert!(!db.exists(), "purge-chain left the database");
	assert!(fresh.join("chains/sibyl_dev").is_dir(), "purge-chain removed more than the database");

	// Keys come out in Sibyl's SS58 format.
	let alice: sibyl_runtime::AccountId = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	let want = sp_core::crypto::Ss58Codec::to_ss58check_with_version(
		&alice,
		sp_core::crypto::Ss58AddressFormat::custom(sibyl_runtime::token::SS58_PREFIX),
	);
	let inspect = ok(&["key", "inspect", "//Alice"]);
	assert!(inspect.contains(&want), "expected {want} in:\n{inspect}");
	let generated = ok(&["key", "generate", "--scheme", "sr25519", "--output-type", "json"]);
	let v: serde_json::Value = serde_json::from_str(&generated).expect("json");
	assert!(v["ss58Address"].as_str().is_some_and(|a| a.len() >= 47));
}
