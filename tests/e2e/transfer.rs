//! A balance transfer signed by Alice, submitted over RPC, is included and finalized on every node, and the
//! balances change by exactly the amount and the fee.

use sibyl_e2e::{network_lock, rpc::extrinsic_hash, tx, wait_for, Network};
use sibyl_runtime::{AccountId, RuntimeEvent, UNIT};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use std::time::Duration;

#[test]
fn transfer_is_finalized_and_balances_change_by_amount_plus_fee() {
	let _serial = network_lock();
	let net = Network::local();
	net.wait_finalized(0, 1, Duration::from_secs(90));
	let rpc = net.nodes[1].rpc(); // submit to Bob's node: the transaction must travel to the authors

	let alice = Sr25519Keyring::Alice.pair();
	let alice_id: AccountId = alice.public().into();
	// A fresh account: it exists only after the transfer.
	let dest_pair = sp_core::sr25519::Pair::from_string("//Sibyl//e2e//transfer", None).expect("valid derivation");
	let dest: AccountId = dest_pair.public().into();
	let amount = 12 * UNIT + 345;

	let ctx = net.expect(tx::fetch_context(&rpc));
	let nonce = net.expect(rpc.next_nonce(&alice_id));
	let xt = tx::transfer(&ctx, &alice, nonce, &dest, amount);
	let estimated_fee = net.expect(rpc.query_fee(&xt));
	let hash = net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("transfer refused: {e}"));
	assert_eq!(hash, extrinsic_hash(&xt), "the pool names the transaction by its blake2-256 hash");

	// Find the finalized block that includes it: scan the finalized chain from the block it was submitted at.
	let start = net.expect(rpc.best_number()).saturating_sub(1);
	let mut scanned = start;
	let (block_hash, block_number, index) = net.expect(wait_for(
		"the transfer to be included in a finalized block",
		Duration::from_secs(120),
		Duration::from_millis(500),
		|| {
			let (fin, _) = rpc.finalized()?;
			for n in scanned..=fin {
				let Some(h) = rpc.block_hash(n)? else { return Err(format!("no finalized block #{n}")) };
				if let Some(i) = rpc.block_extrinsics(h)?.iter().position(|x| *x == xt) {
					return Ok(Some((h, n, i as u32)));
				}
				scanned = n + 1;
			}
			Ok(None)
		},
	));

	// Every node has finalized that block, with the same hash.
	for (i, node) in net.nodes.iter().enumerate() {
		net.wait_finalized(i, block_number, Duration::from_secs(90));
		let h = net.expect(node.rpc().block_hash(block_number));
		assert_eq!(h, Some(block_hash), "{} finalized a different block #{block_number}", node.name);
	}

	// The fee the chain charged, from the block's events.
	let events = net.expect(rpc.events(block_hash));
	let mine = |e: &&frame_system::EventRecord<RuntimeEvent, _>| {
		e.phase == frame_system::Phase::ApplyExtrinsic(index)
	};
	let fee = events
		.iter()
		.filter(mine)
		.find_map(|e| match &e.event {
			RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
				who,
				actual_fee,
				tip,
			}) if *who == alice_id => {
				assert_eq!(*tip, 0);
				Some(*actual_fee)
			},
			_ => None,
		})
		.unwrap_or_else(|| panic!("no TransactionFeePaid event for extrinsic {index}: {events:?}"));
	assert!(
		events.iter().filter(mine).any(|e| matches!(
			&e.event,
			RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. })
		)),
		"the transfer did not succeed: {events:?}"
	);
	assert!(fee > 0, "a signed transfer costs a fee");
	assert!(fee <= estimated_fee, "charged {fee} > estimated {estimated_fee}");

	let (_, parent) = net.expect(rpc.header(block_hash));
	let alice_before = net.expect(rpc.free_balance(&alice_id, Some(parent)));
	let alice_after = net.expect(rpc.free_balance(&alice_id, Some(block_hash)));
	let dest_before = net.expect(rpc.free_balance(&dest, Some(parent)));
	let dest_after = net.expect(rpc.free_balance(&dest, Some(block_hash)));
	assert_eq!(alice_before - alice_after, amount + fee, "Alice pays exactly amount + fee");
	assert_eq!(dest_before, 0, "the destination is a fresh account");
	assert_eq!(dest_after, amount, "the destination receives exactly the amount");
	// Every node reports the same balances at the finalized block.
	for node in &net.nodes {
		assert_eq!(net.expect(node.rpc().free_balance(&dest, Some(block_hash))), amount, "{}", node.name);
	}
	eprintln!("transfer of {amount} included in #{block_number}, fee {fee} (estimated {estimated_fee})");
}
