//! Four validators on loopback produce blocks and GRANDPA finalizes them on every node, all on one chain.

use sibyl_e2e::{network_lock, wait_for, Network};
use std::time::Duration;

#[test]
fn four_validators_produce_and_finalize_blocks_on_every_node() {
	let _serial = network_lock();
	let net = Network::local();

	// Every node finalizes at least block 3 (Aura slots are 6 s; GRANDPA follows a block or two behind).
	let finalized: Vec<u32> =
		(0..4).map(|i| net.wait_finalized(i, 3, Duration::from_secs(120))).collect();

	// They agree: at the lowest finalized height, every node has the same block.
	let h = *finalized.iter().min().expect("four nodes");
	let hashes: Vec<_> = net
		.nodes
		.iter()
		.map(|n| net.expect(n.rpc().block_hash(h)).expect("a finalized block exists"))
		.collect();
	assert!(
		hashes.windows(2).all(|w| w[0] == w[1]),
		"nodes disagree on finalized block #{h}: {hashes:?}"
	);

	// Every validator authored some of the blocks (round-robin Aura, nobody is left out for long).
	let authors_seen = net.expect(wait_for(
		"each validator to author a block",
		Duration::from_secs(90),
		Duration::from_secs(2),
		|| {
			let mut seen = 0;
			for n in &net.nodes {
				if n.log().contains("Pre-sealed block for proposal") {
					seen += 1;
				}
			}
			Ok((seen == 4).then_some(seen))
		},
	));
	assert_eq!(authors_seen, 4);

	// The GRANDPA RPC sees the live voter: four voters of weight 1, three needed.
	let round = net.expect(net.nodes[0].rpc().call("grandpa_roundState", serde_json::json!([])));
	assert_eq!(round["setId"], 0, "{round}");
	assert_eq!(round["best"]["totalWeight"], 4, "{round}");
	assert_eq!(round["best"]["thresholdWeight"], 3, "{round}");

	// Finality keeps moving.
	let target = h + 2;
	for i in 0..4 {
		net.wait_finalized(i, target, Duration::from_secs(60));
	}
}
