//! Harness for Sibyl's end-to-end tests: starts the built `sibyl-node` binary as a real network of validators
//! on loopback (free ports, temporary base paths), talks JSON-RPC to it, and signs extrinsics with the runtime's
//! own types.
//!
//! Every wait is bounded and fails with a message that says what was expected and what was seen. Node logs are
//! kept in the network's temporary directory; a failed wait prints the tail of each log. Set
//! `SIBYL_E2E_KEEP=1` to keep the directory after the test.

pub mod inference;
pub mod rpc;
pub mod tx;

use std::{
	collections::HashSet,
	fs,
	io::{Read, Seek, SeekFrom},
	net::TcpListener,
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::{Mutex, MutexGuard, OnceLock},
	time::{Duration, Instant},
};

pub use rpc::Rpc;

/// The development validators of the `local` chain, in the order they are started.
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// Serializes the tests of one test binary that start networks: two networks at once on two cores only make
/// both slow.
pub fn network_lock() -> MutexGuard<'static, ()> {
	static LOCK: Mutex<()> = Mutex::new(());
	LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Path of the `sibyl-node` binary: `SIBYL_NODE` if set, else the one beside this test's target directory
/// (`<target>/<profile>/sibyl-node`).
pub fn node_binary() -> PathBuf {
	if let Ok(p) = std::env::var("SIBYL_NODE") {
		return PathBuf::from(p);
	}
	let exe = std::env::current_exe().expect("the test knows its own path");
	// <target>/<profile>/deps/<test-binary>
	let profile_dir = exe.parent().and_then(Path::parent).expect("test binary lives in <target>/<profile>/deps");
	let bin = profile_dir.join("sibyl-node");
	assert!(
		bin.exists(),
		"{} does not exist: build the node first (`cargo build --release --workspace --all-targets`) or set SIBYL_NODE",
		bin.display()
	);
	bin
}

/// A TCP port on 127.0.0.1 that nothing listens on now and that this process has not handed out before.
pub fn free_port() -> u16 {
	static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
	let given = GIVEN.get_or_init(|| Mutex::new(HashSet::new()));
	loop {
		let port = TcpListener::bind("127.0.0.1:0")
			.and_then(|l| l.local_addr())
			.expect("can bind a loopback port")
			.port();
		if given.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
			return port;
		}
	}
}

/// Waits until `f` returns `Some`, polling every `every`, for at most `timeout`; `what` says what is awaited.
pub fn wait_for<T>(
	what: &str,
	timeout: Duration,
	every: Duration,
	mut f: impl FnMut() -> Result<Option<T>, String>,
) -> Result<T, String> {
	let start = Instant::now();
	let mut last = String::from("no answer yet");
	loop {
		match f() {
			Ok(Some(v)) => return Ok(v),
			Ok(None) => {},
			Err(e) => last = e,
		}
		if start.elapsed() > timeout {
			return Err(format!("timed out after {:?} waiting for {what} (last: {last})", timeout));
		}
		std::thread::sleep(every);
	}
}

/// Starts `bin` with `args`, its stdout and stderr appended to `log`. If the test process dies without killing
/// it, the kernel kills it too.
pub fn spawn_logged(bin: &Path, args: &[String], log: &Path) -> Child {
	let log = fs::OpenOptions::new().create(true).append(true).open(log).expect("can open the node log");
	let mut cmd = Command::new(bin);
	cmd.args(args).stdin(Stdio::null()).stdout(log.try_clone().expect("can clone the log handle")).stderr(log);
	unsafe {
		cmd.pre_exec(|| {
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
			Ok(())
		});
	}
	cmd.spawn().unwrap_or_else(|e| panic!("can not start {}: {e}", bin.display()))
}

/// One running (or stopped) node of a [`Network`].
pub struct Node {
	/// Name, also the development key it validates with (`alice`, ...).
	pub name: String,
	/// Its base path (database, keystore, network key): kept across restarts.
	pub base_path: PathBuf,
	/// p2p port.
	pub p2p_port: u16,
	/// JSON-RPC port (HTTP and WebSocket).
	pub rpc_port: u16,
	/// Prometheus port.
	pub prometheus_port: u16,
	/// libp2p peer id, from its fixed node key.
	pub peer_id: String,
	/// Extra command-line arguments, kept across restarts.
	pub args: Vec<String>,
	node_key: String,
	chain: String,
	log: PathBuf,
	child: Option<Child>,
	/// Where this start's output begins in the log, and the IPv4 RPC port it reported (read once).
	log_start: u64,
	bound_rpc: std::cell::Cell<Option<u16>>,
}

impl Node {
	/// RPC client for this node.
	pub fn rpc(&self) -> Rpc {
		Rpc::new(self.rpc_port_now())
	}

	/// The port the node's JSON-RPC server listens on at 127.0.0.1. Usually [`Node::rpc_port`]; but when another
	/// process took that port between [`free_port`] and the node's start (tests run side by side), Substrate binds
	/// another one and says so in its log (`Running JSON-RPC server: addr=127.0.0.1:PORT,...`): that one, then.
	pub fn rpc_port_now(&self) -> u16 {
		if let Some(p) = self.bound_rpc.get() {
			return p;
		}
		let Ok(mut f) = fs::File::open(&self.log) else { return self.rpc_port };
		let _ = f.seek(SeekFrom::Start(self.log_start));
		let mut head = Vec::new();
		let _ = f.take(256 * 1024).read_to_end(&mut head);
		let head = String::from_utf8_lossy(&head);
		let found = head.lines().find_map(|l| {
			let rest = l.split("Running JSON-RPC server: addr=127.0.0.1:").nth(1)?;
			rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u16>().ok()
		});
		match found {
			Some(p) => {
				self.bound_rpc.set(Some(p));
				p
			},
			None => self.rpc_port,
		}
	}

	/// The node's process id, while it runs.
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|c| c.id())
	}

	/// Whether the process is alive (not exited).
	pub fn is_running(&mut self) -> bool {
		match self.child.as_mut() {
			Some(c) => matches!(c.try_wait(), Ok(None)),
			None => false,
		}
	}

	/// The last `bytes` bytes of the node's log.
	pub fn log_tail(&self, bytes: u64) -> String {
		let Ok(mut f) = fs::File::open(&self.log) else { return String::from("<no log>") };
		let len = f.metadata().map(|m| m.len()).unwrap_or(0);
		let _ = f.seek(SeekFrom::Start(len.saturating_sub(bytes)));
		let mut s = String::new();
		let _ = f.read_to_string(&mut s);
		s
	}

	/// The whole log.
	pub fn log(&self) -> String {
		fs::read_to_string(&self.log).unwrap_or_default()
	}

	fn start(&mut self, bin: &Path, bootnodes: &[String]) {
		assert!(self.child.is_none(), "{} is already running", self.name);
		let mut args: Vec<String> =
			["--chain", &self.chain, "--validator", "--no-telemetry", "--no-mdns", "--allow-private-ip"]
				.iter()
				.map(|s| s.to_string())
				.collect();
		args.push(format!("--{}", self.name));
		args.extend(["--base-path".into(), self.base_path.to_string_lossy().into_owned()]);
		args.extend(["--listen-addr".into(), format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port)]);
		args.extend(["--rpc-port".into(), self.rpc_port.to_string()]);
		args.extend(["--prometheus-port".into(), self.prometheus_port.to_string()]);
		args.extend(["--node-key".into(), self.node_key.clone()]);
		for b in bootnodes {
			args.extend(["--bootnodes".into(), b.clone()]);
		}
		args.extend(self.args.iter().cloned());
		self.log_start = fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
		self.bound_rpc.set(None);
		self.child = Some(spawn_logged(bin, &args, &self.log));
	}

	/// Kills the process (SIGKILL, as a crash would) and reaps it.
	pub fn kill(&mut self) {
		if let Some(mut c) = self.child.take() {
			let _ = c.kill();
			let _ = c.wait();
		}
	}

	/// Stops the process gracefully (SIGTERM), waiting up to 20 s before killing it.
	pub fn stop(&mut self) {
		if let Some(mut c) = self.child.take() {
			unsafe {
				libc::kill(c.id() as i32, libc::SIGTERM);
			}
			let start = Instant::now();
			while start.elapsed() < Duration::from_secs(20) {
				if let Ok(Some(_)) = c.try_wait() {
					return;
				}
				std::thread::sleep(Duration::from_millis(100));
			}
			let _ = c.kill();
			let _ = c.wait();
		}
	}
}

/// A network of `sibyl-node` validators of the `local` chain on loopback.
pub struct Network {
	/// The nodes, in [`VALIDATORS`] order.
	pub nodes: Vec<Node>,
	dir: Option<tempfile::TempDir>,
	bin: PathBuf,
}

/// The ed25519 node key (hex) of the `i`th node: fixed, so peer ids are known before start.
fn node_key(i: usize) -> String {
	format!("{:064x}", i + 1)
}

/// Asks the node binary for the peer id of a node key.
fn peer_id(bin: &Path, dir: &Path, key_hex: &str) -> String {
	let key_file = dir.join(format!("node-key-{key_hex}"));
	fs::write(&key_file, key_hex).expect("can write a node key file");
	let out = Command::new(bin)
		.args(["key", "inspect-node-key", "--file"])
		.arg(&key_file)
		.output()
		.expect("can run `sibyl-node key inspect-node-key`");
	assert!(out.status.success(), "inspect-node-key failed: {}", String::from_utf8_lossy(&out.stderr));
	String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Network {
	/// Starts the four validators of the `local` chain, each with every other as a bootnode, and waits until
	/// each one answers RPC and sees the three others.
	pub fn local() -> Network {
		Self::start_chain("local", 4)
	}

	/// Starts Alice alone on the `dev` chain (where she is the only validator).
	pub fn dev() -> Network {
		Self::start_chain("dev", 1)
	}

	/// Starts the first `n` of [`VALIDATORS`] on `chain`.
	pub fn start_chain(chain: &str, n: usize) -> Network {
		Self::start_chain_with(chain, n, |_| vec![])
	}

	/// Starts the first `n` of [`VALIDATORS`] on `chain`, node `i` with the extra arguments `args(i)`.
	pub fn start_chain_with(chain: &str, n: usize, args: impl Fn(usize) -> Vec<String>) -> Network {
		assert!(n >= 1 && n <= VALIDATORS.len());
		let bin = node_binary();
		let dir = tempfile::Builder::new().prefix("sibyl-e2e-").tempdir().expect("can create a temp dir");
		let nodes: Vec<Node> = (0..n)
			.map(|i| {
				let name = VALIDATORS[i].to_string();
				let key = node_key(i);
				Node {
					base_path: dir.path().join(&name),
					log: dir.path().join(format!("{name}.log")),
					p2p_port: free_port(),
					rpc_port: free_port(),
					prometheus_port: free_port(),
					peer_id: peer_id(&bin, dir.path(), &key),
					node_key: key,
					chain: chain.to_string(),
					name,
					args: args(i),
					child: None,
					log_start: 0,
					bound_rpc: std::cell::Cell::new(None),
				}
			})
			.collect();
		let mut net = Network { nodes, dir: Some(dir), bin };
		for i in 0..n {
			net.start_node(i);
		}
		// A node compiles the runtime and builds its genesis before it answers RPC: seconds alone, but `make test`
		// starts a dozen nodes at once on two cores (each compiling the same WASM), so allow minutes.
		for i in 0..n {
			net.wait_rpc(i, Duration::from_secs(240));
		}
		if n > 1 {
			for i in 0..n {
				let rpc = net.nodes[i].rpc();
				let name = net.nodes[i].name.clone();
				net.expect(wait_for(
					&format!("{name} to see {} peers", n - 1),
					Duration::from_secs(60),
					Duration::from_millis(500),
					|| {
						let peers = rpc.peers()?;
						Ok((peers >= n - 1).then_some(()))
					},
				));
			}
		}
		net
	}

	fn bootnodes_for(&self, i: usize) -> Vec<String> {
		self.nodes
			.iter()
			.enumerate()
			.filter(|(j, _)| *j != i)
			.map(|(_, n)| format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", n.p2p_port, n.peer_id))
			.collect()
	}

	/// Starts node `i` (again), on its existing base path.
	pub fn start_node(&mut self, i: usize) {
		let boot = self.bootnodes_for(i);
		let bin = self.bin.clone();
		self.nodes[i].start(&bin, &boot);
	}

	/// Waits until node `i` answers `system_health`; fails at once if the process exits.
	pub fn wait_rpc(&mut self, i: usize, timeout: Duration) {
		let rpc = self.nodes[i].rpc();
		let name = self.nodes[i].name.clone();
		let start = Instant::now();
		loop {
			match rpc.call("system_health", serde_json::json!([])) {
				Ok(_) => return,
				Err(e) if start.elapsed() > timeout => {
					self.expect::<()>(Err(format!("timed out after {timeout:?} waiting for {name} to answer RPC: {e}")));
				},
				Err(_) => {},
			}
			if !self.nodes[i].is_running() {
				self.expect::<()>(Err(format!("{name} exited before answering RPC")));
			}
			std::thread::sleep(Duration::from_millis(250));
		}
	}

	/// Unwraps `r`, or panics with the error and the tail of every node's log.
	pub fn expect<T>(&self, r: Result<T, String>) -> T {
		match r {
			Ok(v) => v,
			Err(e) => {
				let mut msg = format!("{e}\n");
				for n in &self.nodes {
					msg.push_str(&format!("\n----- last lines of {} ({}) -----\n", n.name, n.log.display()));
					msg.push_str(&n.log_tail(3000));
				}
				panic!("{msg}");
			},
		}
	}

	/// Waits until node `i` has finalized block `number` or later; returns its finalized number.
	pub fn wait_finalized(&self, i: usize, number: u32, timeout: Duration) -> u32 {
		let rpc = self.nodes[i].rpc();
		let name = &self.nodes[i].name;
		self.expect(wait_for(
			&format!("{name} to finalize block #{number}"),
			timeout,
			Duration::from_millis(500),
			|| {
				let (fin, _) = rpc.finalized()?;
				let best = rpc.best_number()?;
				if fin >= number {
					Ok(Some(fin))
				} else {
					Err(format!("{name}: finalized #{fin}, best #{best}"))
				}
			},
		))
	}

	/// The network's temporary directory.
	pub fn dir(&self) -> &Path {
		self.dir.as_ref().map(|d| d.path()).unwrap_or_else(|| Path::new("."))
	}
}

impl Drop for Network {
	fn drop(&mut self) {
		for n in &mut self.nodes {
			n.kill();
		}
		if std::env::var("SIBYL_E2E_KEEP").is_ok_and(|v| v == "1") || std::thread::panicking() {
			if let Some(d) = self.dir.take() {
				let p = d.keep();
				eprintln!("node logs and databases kept in {}", p.display());
			}
		}
	}
}
