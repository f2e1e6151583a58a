//! One validator killed: the other three keep finalizing. Restarted on the same base path, it catches up and
//! has lost nothing it had finalized.

use sibyl_e2e::{network_lock, wait_for, Network};
use std::time::Duration;

#[test]
fn killed_validator_catches_up_after_restart_and_loses_nothing() {
	let _serial = network_lock();
	let mut net = Network::local();
	for i in 0..4 {
		net.wait_finalized(i, 2, Duration::from_secs(120));
	}

	// Dave crashes (SIGKILL, no clean shutdown).
	let dave = 3;
	let (dave_final, dave_final_hash) = net.expect(net.nodes[dave].rpc().finalized());
	net.nodes[dave].kill();

	// Three of four validators are more than two thirds: they keep finalizing.
	let (at_kill, _) = net.expect(net.nodes[0].rpc().finalized());
	let target = at_kill + 3;
	for i in 0..3 {
		net.wait_finalized(i, target, Duration::from_secs(120));
	}

	// Dave comes back on the same base path and catches up with the others.
	net.start_node(dave);
	net.wait_rpc(dave, Duration::from_secs(60));
	let (others_final, _) = net.expect(net.nodes[0].rpc().finalized());
	net.wait_finalized(dave, others_final, Duration::from_secs(180));

	// What Dave had finalized before the crash is still there, unchanged.
	let rpc = net.nodes[dave].rpc();
	assert_eq!(
		net.expect(rpc.block_hash(dave_final)),
		Some(dave_final_hash),
		"Dave lost or changed block #{dave_final} it had finalized before the crash"
	);
	// And Dave is on the same chain as the others.
	let common = net.expect(rpc.finalized()).0.min(others_final);
	let mine = net.expect(rpc.block_hash(common));
	let theirs = net.expect(net.nodes[0].rpc().block_hash(common));
	assert_eq!(mine, theirs, "Dave's block #{common} differs from Alice's");

	// Dave takes part again: the network, Dave included, keeps finalizing.
	let next = common + 2;
	let dave_rpc = net.nodes[dave].rpc();
	net.expect(wait_for("Dave to see peers again", Duration::from_secs(60), Duration::from_millis(500), || {
		Ok((dave_rpc.peers()? >= 3).then_some(()))
	}));
	for i in 0..4 {
		net.wait_finalized(i, next, Duration::from_secs(120));
	}
}
