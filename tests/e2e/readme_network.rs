//! The README's four-terminal network recipe, run exactly as written: the commands are read from README.md
//! (only `$N` becomes the built node and the `/tmp/...` base paths move into a temporary directory), so the
//! documented commands and the tested ones can not drift apart. The four validators connect, each authors
//! blocks, all finalize one chain, and each serves RPC and Prometheus on its documented port.

use sibyl_e2e::{node_binary, spawn_logged, wait_for, Rpc};
use std::{
	net::TcpListener,
	path::PathBuf,
	process::Child,
	time::Duration,
};

/// The shell lines of the README's "Running a local network" code block.
fn readme_commands() -> Vec<String> {
	let path = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())).join("../README.md");
	let readme = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("can not read {}: {e}", path.display()));
	let section = readme.split("## Running a local network").nth(1).expect("README has the network section");
	let block = section.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("a ```sh block");
	block.lines().filter(|l| l.starts_with("$N ")).map(str::to_string).collect()
}

/// The value after `flag` in `args`.
fn arg<'a>(args: &'a [String], flag: &str) -> &'a str {
	let i = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
	&args[i + 1]
}

/// Kills the nodes when the test ends, however it ends.
struct Nodes(Vec<(String, Child, PathBuf)>);

impl Drop for Nodes {
	fn drop(&mut self) {
		for (_, child, _) in &mut self.0 {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

impl Nodes {
	fn logs(&self) -> String {
		let mut out = String::new();
		for (name, _, log) in &self.0 {
			let text = std::fs::read_to_string(log).unwrap_or_default();
			let tail: String = text.chars().rev().take(3000).collect::<Vec<_>>().into_iter().rev().collect();
			out.push_str(&format!("\n----- {name} ({}) -----\n{tail}", log.display()));
		}
		out
	}

	fn expect<T>(&self, r: Result<T, String>) -> T {
		r.unwrap_or_else(|e| panic!("{e}\n{}", self.logs()))
	}
}

#[test]
fn readme_network_commands_start_four_validators_that_finalize() {
	let commands = readme_commands();
	assert_eq!(commands.len(), 4, "the README's network block has four commands: {commands:#?}");
	let bin = node_binary();
	let dir = tempfile::Builder::new().prefix("sibyl-readme-").tempdir().expect("a temp dir");

	let runs: Vec<(String, Vec<String>)> = commands
		.iter()
		.map(|line| {
			let args: Vec<String> = line
				.split_whitespace()
				.skip(1) // `$N`
				.map(|a| match a.strip_prefix("/tmp/") {
					Some(rest) => dir.path().join(rest).to_string_lossy().into_owned(),
					None => a.to_string(),
				})
				.collect();
			let name = ["--alice", "--bob", "--charlie", "--dave"]
				.iter()
				.find(|f| args.iter().any(|a| a == *f))
				.map(|f| f.trim_start_matches('-').to_string())
				.unwrap_or_else(|| panic!("which validator is `{line}`?"));
			(name, args)
		})
		.collect();

	// The ports are the README's: say so clearly if something else (`make dev`, say) holds one.
	for (name, args) in &runs {
		for flag in ["--port", "--rpc-port", "--prometheus-port"] {
			let port = arg(args, flag);
			if TcpListener::bind(format!("127.0.0.1:{port}")).is_err() {
				panic!("{name}'s {flag} {port} is taken on this machine: stop what listens there and run again");
			}
		}
	}

	let mut nodes = Nodes(Vec::new());
	for (name, args) in &runs {
		let log = dir.path().join(format!("{name}.log"));
		nodes.0.push((name.clone(), spawn_logged(&bin, args, &log), log));
	}

	let rpcs: Vec<(String, Rpc)> =
		runs.iter().map(|(name, args)| (name.clone(), Rpc::new(arg(args, "--rpc-port").parse().expect("port")))).collect();
	for (name, rpc) in &rpcs {
		nodes.expect(wait_for(&format!("{name} to see the three others"), Duration::from_secs(240), Duration::from_millis(500), || {
			let peers = rpc.peers()?;
			if peers >= 3 { Ok(Some(())) } else { Err(format!("{name} sees {peers} peers")) }
		}));
	}
	for (name, rpc) in &rpcs {
		nodes.expect(wait_for(&format!("{name} to finalize block #3"), Duration::from_secs(120), Duration::from_millis(500), || {
			let (fin, _) = rpc.finalized()?;
			if fin >= 3 { Ok(Some(())) } else { Err(format!("{name} finalized #{fin}")) }
		}));
	}
	// One chain: every node has the same block #3.
	let hashes: Vec<_> = rpcs.iter().map(|(_, rpc)| nodes.expect(rpc.block_hash(3))).collect();
	assert!(hashes.iter().all(|h| h.is_some() && *h == hashes[0]), "the nodes disagree on block #3: {hashes:?}");
	// All four author: the finalized chain holds blocks from every one of the four Aura slot owners.
	let alice = &rpcs[0].1;
	let mut authors = std::collections::BTreeSet::new();
	let mut next = 1;
	nodes.expect(wait_for("blocks of all four validators to be finalized", Duration::from_secs(150), Duration::from_secs(1), || {
		let (fin, _) = alice.finalized()?;
		while next <= fin {
			let hash = alice.block_hash(next)?.ok_or_else(|| format!("no block #{next}"))?;
			authors.insert(alice.aura_slot(hash)? % 4);
			next += 1;
		}
		Ok((authors.len() == 4).then_some(()))
	}));
	// Each serves its own metrics on its own Prometheus port.
	for (name, args) in &runs {
		let port = arg(args, "--prometheus-port");
		let metrics = ureq::get(&format!("http://127.0.0.1:{port}/metrics"))
			.call()
			.unwrap_or_else(|e| panic!("{name}'s Prometheus on {port}: {e}\n{}", nodes.logs()))
			.into_string()
			.expect("text");
		assert!(metrics.contains("substrate_block_height"), "{name}: no block height metric on {port}");
	}
	for (name, child, _) in &mut nodes.0 {
		assert!(matches!(child.try_wait(), Ok(None)), "{name} exited\n");
	}
}
