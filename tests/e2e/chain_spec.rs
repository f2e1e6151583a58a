//! The committed chain specification of the local testnet is what the node's presets produce.

use serde_json::Value;
use sibyl_e2e::node_binary;
use std::process::Command;

fn export(raw: bool) -> Value {
	let mut cmd = Command::new(node_binary());
	cmd.args(["export-chain-spec", "--chain", "local"]);
	if raw {
		cmd.arg("--raw");
	}
	let out = cmd.output().expect("can run sibyl-node export-chain-spec");
	assert!(out.status.success(), "export-chain-spec failed: {}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("the node exports JSON")
}

fn committed(name: &str) -> Value {
	let path = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())).join("../chain-specs").join(name);
	let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
	serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The spec without the runtime code, which depends on the compiler that built it.
fn without_code(mut v: Value) -> Value {
	if let Some(g) = v.pointer_mut("/genesis/runtimeGenesis") {
		g.as_object_mut().expect("runtimeGenesis is an object").remove("code");
	}
	if let Some(top) = v.pointer_mut("/genesis/raw/top") {
		top.as_object_mut().expect("raw top is an object").remove("0x3a636f6465"); // `:code`
	}
	v
}

#[test]
fn committed_local_testnet_spec_matches_the_presets() {
	let fresh = export(false);
	assert_eq!(
		without_code(committed("local_testnet.json")),
		without_code(fresh.clone()),
		"chain-specs/local_testnet.json is stale: run `make chain-specs`"
	);
	let props = &fresh["properties"];
	assert_eq!(props["tokenSymbol"], "SBL");
	assert_eq!(props["tokenDecimals"], 12);
	assert_eq!(props["ss58Format"], sibyl_runtime::token::SS58_PREFIX);
	assert_eq!(
		without_code(committed("local_testnet_raw.json")),
		without_code(export(true)),
		"chain-specs/local_testnet_raw.json is stale: run `make chain-specs`"
	);
}
