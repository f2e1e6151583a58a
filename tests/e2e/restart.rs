//! One validator killed: the other three keep finalizing. Restarted on the same base path, it catches up, has
//! lost nothing it had finalized, and authors blocks again that the network finalizes.

use sibyl_e2e::{network_lock, wait_for, Network};
use sp_keyring::Sr25519Keyring;
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

	// Dave takes part again. Three of four validators finalize without him, so finality alone proves nothing:
	// a block from one of his own Aura slots after the restart must be authored and finalized.
	let dave_rpc = net.nodes[dave].rpc();
	net.expect(wait_for("Dave to see peers again", Duration::from_secs(60), Duration::from_millis(500), || {
		Ok((dave_rpc.peers()? >= 3).then_some(()))
	}));
	let alice_rpc = net.nodes[0].rpc();
	let authorities: Vec<sp_core::sr25519::Public> = net.expect(alice_rpc.runtime_call("AuraApi_authorities", &[]));
	let dave_key = Sr25519Keyring::Dave.public();
	let dave_index = authorities.iter().position(|a| *a == dave_key).expect("Dave is an Aura authority") as u64;
	let n_auth = authorities.len() as u64;
	let mut scanned = net.expect(alice_rpc.best_number());
	let (authored, slot) = net.expect(wait_for(
		"a block of Dave's after his restart to be finalized",
		Duration::from_secs(180),
		Duration::from_secs(1),
		|| {
			let (fin, _) = alice_rpc.finalized()?;
			for n in scanned + 1..=fin {
				let Some(h) = alice_rpc.block_hash(n)? else { continue };
				let slot = alice_rpc.aura_slot(h)?;
				if slot % n_auth == dave_index {
					return Ok(Some((n, slot)));
				}
				scanned = n;
			}
			Ok(None)
		},
	));
	eprintln!("Dave authored #{authored} (slot {slot}) after his restart; it is finalized");
	for i in 0..4 {
		net.wait_finalized(i, authored + 1, Duration::from_secs(120));
	}
}
