//! Bad input to `author_submitExtrinsic` gets a clear RPC error, and the node keeps running: garbage bytes, an
//! invalid signature, a stale nonce, a transfer beyond the balance.

use sibyl_e2e::{network_lock, rpc::RpcError, tx, wait_for, Network};
use sibyl_runtime::{AccountId, EXISTENTIAL_DEPOSIT, UNIT};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use std::time::Duration;

fn refused(what: &str, r: Result<Result<sibyl_runtime::Hash, RpcError>, String>) -> RpcError {
	match r {
		Ok(Err(e)) => {
			eprintln!("{what}: {e}");
			e
		},
		Ok(Ok(h)) => panic!("{what} was accepted into the pool as {h:?}"),
		Err(e) => panic!("{what}: no JSON-RPC answer: {e}"),
	}
}

fn data(e: &RpcError) -> String {
	e.data.as_ref().map(|d| d.to_string()).unwrap_or_default()
}

#[test]
fn bad_extrinsics_get_clear_errors_and_the_node_keeps_running() {
	let _serial = network_lock();
	let mut net = Network::dev();
	net.wait_finalized(0, 1, Duration::from_secs(90));
	let rpc = net.nodes[0].rpc();
	let ctx = net.expect(tx::fetch_context(&rpc));
	let alice = Sr25519Keyring::Alice.pair();
	let alice_id: AccountId = alice.public().into();
	let bob: AccountId = Sr25519Keyring::Bob.to_account_id();

	// Garbage bytes: not even a length-prefixed byte string.
	let e = refused("garbage", rpc.submit(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
	assert!(e.message.contains("Could not decode") || e.message.contains("invalid format"), "unclear: {e}");
	// Well-framed garbage: a byte string that is no extrinsic of this runtime.
	let e = refused("framed garbage", rpc.submit(&[0x10, 0xde, 0xad, 0xbe, 0xef]));
	assert_eq!(e.code, 1002, "{e}");
	assert!(e.message.contains("Bad input data provided to validate_transaction"), "unclear: {e}");

	// An extrinsic that names Alice but is signed by Bob's key.
	let nonce = net.expect(rpc.next_nonce(&alice_id));
	let forged =
		tx::signed(&ctx, &alice, nonce, tx::transfer_call(&bob, UNIT), Some(&Sr25519Keyring::Bob.pair()));
	let e = refused("bad signature", rpc.submit(&forged));
	assert_eq!(e.code, 1010, "{e}");
	assert!(data(&e).contains("bad signature"), "unclear: {e}");

	// A stale nonce: one transfer goes in with nonce n; once it is final, the same nonce again is outdated.
	// (While the first is only in a best block, the fork-aware pool still holds it for the other forks, and
	// the node answers "priority too low to replace" instead: CI saw that once.)
	let ok = tx::transfer(&ctx, &alice, nonce, &bob, UNIT);
	net.expect(rpc.submit(&ok)).unwrap_or_else(|e| panic!("valid transfer refused: {e}"));
	net.expect(wait_for("the first transfer to be finalized", Duration::from_secs(90), Duration::from_millis(500), || {
		let (_, fin) = rpc.finalized()?;
		Ok((rpc.account(&alice_id, Some(fin))?.nonce > nonce).then_some(()))
	}));
	let stale = tx::transfer(&ctx, &alice, nonce, &bob, 2 * UNIT);
	// The pool drops a finalized transaction a moment after the finality notification: until then it may still
	// answer 1014 for the old one. Anything else is the answer.
	let e = net.expect(wait_for("the pool to forget the finalized transfer", Duration::from_secs(30), Duration::from_millis(500), || {
		let e = refused("stale nonce", rpc.submit(&stale));
		Ok((e.code != 1014).then_some(e))
	}));
	assert_eq!(e.code, 1010, "{e}");
	assert!(data(&e).contains("outdated"), "unclear: {e}");

	// A transfer one planck beyond what Alice can send keeping her account alive (all but the existential
	// deposit and the fee): refused before it costs her anything, with the standard "can not pay" error.
	let balance = net.expect(rpc.free_balance(&alice_id, None));
	let next = net.expect(rpc.next_nonce(&alice_id));
	let fee = net.expect(rpc.query_fee(&tx::transfer(&ctx, &alice, next, &bob, balance)));
	let too_much = tx::transfer(&ctx, &alice, next, &bob, balance - EXISTENTIAL_DEPOSIT - fee + 1);
	let e = refused("transfer beyond balance", rpc.submit(&too_much));
	assert_eq!(e.code, 1010, "{e}");
	assert!(data(&e).contains("Inability to pay some fees"), "unclear: {e}");
	// An account with nothing can not pay even the fee.
	let pauper = sp_core::sr25519::Pair::from_string("//Sibyl//e2e//pauper", None).expect("valid derivation");
	let e = refused("transfer from an empty account", rpc.submit(&tx::transfer(&ctx, &pauper, 0, &bob, 1)));
	assert_eq!(e.code, 1010, "{e}");
	assert!(data(&e).contains("Inability to pay some fees"), "unclear: {e}");

	// The node is still alive and still producing and finalizing blocks.
	assert!(net.nodes[0].is_running(), "the node exited:\n{}", net.nodes[0].log_tail(4000));
	let (fin, _) = net.expect(rpc.finalized());
	net.wait_finalized(0, fin + 2, Duration::from_secs(60));
	// Nothing was charged for the refused transactions: only the one valid transfer happened.
	let info = net.expect(rpc.account(&alice_id, None));
	assert_eq!(info.nonce, nonce + 1, "exactly one of Alice's transactions was executed");
}
