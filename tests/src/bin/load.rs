//! `sibyl-load`: throughput of inference requests next to balance transfers on one development node (P4).
//!
//! Starts `sibyl-node --dev`, funds `ACCOUNTS` fresh accounts, then in two phases signs `PER_ACCOUNT` transactions
//! per account in advance and submits them all over RPC from several threads: first balance transfers, then
//! `Inference::submit` requests (a short prompt, one new token). For each phase it counts the transactions that
//! the chain included and divides by the time between the first and the last block that included any (block
//! timestamps). Then it waits until every request has ended (answered, or refunded when the single operator can
//! not keep up) and checks that none is lost: every submitted transaction was included, every request ended,
//! nothing stays held.
//!
//! `cargo run --release -p sibyl-e2e --bin sibyl-load [ACCOUNTS] [PER_ACCOUNT]` (defaults 64 and 16).

use std::{
	sync::Arc,
	time::{Duration, Instant},
};

use codec::Decode;
use sibyl_client::ask;
use sibyl_e2e::{rpc::extrinsic_hash, tx, Network, Rpc};
use sibyl_inference_primitives::RequestStatus;
use sibyl_runtime::{AccountId, RuntimeEvent, UNIT};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

fn ok<T>(r: Result<T, String>) -> T {
	r.unwrap_or_else(|e| panic!("{e}"))
}

/// Submits every transaction from `threads` threads; returns how many the pool refused, and why (each distinct
/// reason once).
fn submit_all(rpc: &Rpc, xts: Arc<Vec<Vec<u8>>>, threads: usize) -> (usize, Vec<String>) {
	let handles: Vec<_> = (0..threads)
		.map(|t| {
			let rpc = rpc.clone();
			let xts = xts.clone();
			std::thread::spawn(move || {
				let mut refused = 0;
				let mut why = std::collections::BTreeSet::new();
				for xt in xts.iter().skip(t).step_by(threads) {
					match rpc.submit(xt) {
						Ok(Ok(_)) => {},
						Ok(Err(e)) => {
							refused += 1;
							why.insert(format!("{e:?}"));
						},
						Err(e) => {
							refused += 1;
							why.insert(e);
						},
					}
				}
				(refused, why)
			})
		})
		.collect();
	let mut why = std::collections::BTreeSet::new();
	let mut refused: usize = 0;
	for h in handles {
		let (n, w) = h.join().unwrap_or((usize::MAX, Default::default()));
		refused = refused.saturating_add(n);
		why.extend(w);
	}
	(refused, why.into_iter().collect())
}

/// The timestamp (ms) of block `hash`, from `Timestamp::Now`.
fn timestamp(rpc: &Rpc, hash: sibyl_runtime::Hash) -> u64 {
	let key = [sp_crypto_hashing::twox_128(b"Timestamp"), sp_crypto_hashing::twox_128(b"Now")].concat();
	ok(rpc.storage(&key, Some(hash))).map(|raw| u64::decode(&mut &raw[..]).unwrap_or(0)).unwrap_or(0)
}

/// Waits until every one of `xts` is in a block from `from` on (or `timeout` passes); returns the number found,
/// the blocks that held any, and the request ids their events give.
fn count_included(
	rpc: &Rpc,
	xts: &[Vec<u8>],
	from: u32,
	timeout: Duration,
) -> (usize, Vec<(u32, sibyl_runtime::Hash, usize)>, Vec<u64>) {
	let mut wanted: std::collections::HashSet<_> = xts.iter().map(|x| extrinsic_hash(x)).collect();
	let total = wanted.len();
	let mut blocks = vec![];
	let mut ids = vec![];
	let mut next = from;
	let start = Instant::now();
	while !wanted.is_empty() && start.elapsed() < timeout {
		let best = ok(rpc.best_number());
		while next <= best {
			let hash = ok(rpc.block_hash(next)).expect("a block");
			let mut here = 0;
			for x in ok(rpc.block_extrinsics(hash)) {
				if wanted.remove(&extrinsic_hash(&x)) {
					here += 1;
				}
			}
			if here > 0 {
				blocks.push((next, hash, here));
				for rec in ok(rpc.events(hash)) {
					match rec.event {
						RuntimeEvent::Inference(pallet_inference::Event::RequestSubmitted { request, .. }) =>
							ids.push(request),
						RuntimeEvent::Balances(pallet_balances::Event::Transfer { amount, .. }) if amount == UNIT =>
							ids.push(u64::MAX),
						_ => {},
					}
				}
			}
			next += 1;
		}
		std::thread::sleep(Duration::from_millis(500));
	}
	(total - wanted.len(), blocks, ids)
}

fn rate(rpc: &Rpc, blocks: &[(u32, sibyl_runtime::Hash, usize)]) -> (f64, usize) {
	let n: usize = blocks.iter().map(|b| b.2).sum();
	if blocks.len() < 2 {
		return (0.0, n);
	}
	// From the block before the first inclusion to the last inclusion: the time the chain took.
	let (first, _, _) = blocks[0];
	let before = ok(rpc.block_hash(first - 1)).expect("parent");
	let t0 = timestamp(rpc, before);
	let t1 = timestamp(rpc, blocks[blocks.len() - 1].1);
	(n as f64 / ((t1 - t0) as f64 / 1000.0), n)
}

/// How long the node took to build block `number` (its `Prepared block for proposing at N (X ms)` log line): the
/// real execution time of a block, to set beside the weight it was filled to.
fn prepared_ms(log: &str, number: u32) -> Option<u64> {
	let needle = format!("Prepared block for proposing at {number} (");
	let at = log.find(&needle)? + needle.len();
	log[at..].split(' ').next()?.parse().ok()
}

fn main() {
	let args: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
	let accounts = *args.first().unwrap_or(&64) as usize;
	let per_account = *args.get(1).unwrap_or(&16);
	let net = Network::dev();
	net.wait_finalized(0, 1, Duration::from_secs(60));
	let rpc = net.nodes[0].rpc();
	let ctx = ok(tx::fetch_context(&rpc));

	// Fund the accounts from Bob (Alice's operator key serves; Alice herself stays out of it).
	let bob = Sr25519Keyring::Bob.pair();
	let bob_id: AccountId = bob.public().into();
	let keys: Vec<sr25519::Pair> =
		(0..accounts).map(|i| sr25519::Pair::from_string(&format!("//load//{i}"), None).expect("derivation")).collect();
	let nonce = ok(rpc.next_nonce(&bob_id));
	let from = ok(rpc.best_number()) + 1;
	let funding: Vec<Vec<u8>> = keys
		.iter()
		.enumerate()
		.map(|(i, k)| tx::transfer(&ctx, &bob, nonce + i as u32, &k.public().into(), 1_000 * UNIT))
		.collect();
	let (refused, why) = submit_all(&rpc, Arc::new(funding.clone()), 4);
	assert_eq!(refused, 0, "funding refused: {why:?}");
	let (n, _, _) = count_included(&rpc, &funding, from, Duration::from_secs(120));
	assert_eq!(n, accounts, "every account funded");
	eprintln!("funded {accounts} accounts");

	let dest: AccountId = Sr25519Keyring::Charlie.to_account_id();
	let prompt = vec![1u32, 9690, 198, 2683, 359];
	let mut results = vec![];
	for phase in ["transfers", "requests"] {
		let nonces: Vec<u32> =
			keys.iter().map(|k| ok(rpc.next_nonce(&AccountId::from(k.public())))).collect();
		// Round-robin over the accounts, each with consecutive nonces.
		let mut xts = Vec::with_capacity(accounts * per_account as usize);
		for j in 0..per_account {
			for (k, nonce) in keys.iter().zip(&nonces) {
				xts.push(if phase == "transfers" {
					tx::transfer(&ctx, k, nonce + j, &dest, UNIT)
				} else {
					ask::signed_submit(&ctx, k, nonce + j, 0, prompt.clone(), 1, 0)
				});
			}
		}
		let xts = Arc::new(xts);
		let from = ok(rpc.best_number()) + 1;
		let t = Instant::now();
		let (refused, why) = submit_all(&rpc, xts.clone(), 8);
		if refused > 0 {
			eprintln!("{phase}: the pool refused {refused}: {why:?}");
		}
		let submit_secs = t.elapsed().as_secs_f64();
		let (n, blocks, ids) = count_included(&rpc, &xts, from, Duration::from_secs(300));
		let (per_sec, _) = rate(&rpc, &blocks);
		let most = blocks.iter().map(|b| b.2).max().unwrap_or(0);
		let log = net.nodes[0].log();
		let built: Vec<String> = blocks
			.iter()
			.map(|(number, _, n)| {
				let ms = prepared_ms(&log, *number).map_or_else(|| "?".into(), |ms| ms.to_string());
				format!("#{number}: {n} in {ms} ms")
			})
			.collect();
		eprintln!("{phase}: blocks built (the node's own timing): {}", built.join(", "));
		let succeeded = ids.len();
		let ok_per_sec = per_sec * succeeded as f64 / n.max(1) as f64;
		eprintln!(
			"{phase}: {} signed, {refused} refused by the pool, {n} included in {} blocks (most in one: {most}), \
			 {succeeded} succeeded; submitted in {submit_secs:.1} s; {per_sec:.1} included/s, {ok_per_sec:.1} succeeded/s \
			 by block timestamps",
			xts.len(),
			blocks.len()
		);
		// The pool keeps transactions until their block is final: let the next phase start with an empty one.
		if let Some((last, _, _)) = blocks.last() {
			net.wait_finalized(0, *last, Duration::from_secs(120));
		}
		let ids: Vec<u64> = ids.into_iter().filter(|i| *i != u64::MAX).collect();
		results.push((phase, xts.len(), succeeded, ok_per_sec, ids, most));
	}
	// Every request ends: answered, or refunded when the operator could not keep up.
	let ids = results[1].4.clone();
	let start = Instant::now();
	let mut open = ids.clone();
	while !open.is_empty() && start.elapsed() < Duration::from_secs(600) {
		open.retain(|id| {
			let r = sibyl_client::ask::request(&rpc, *id, None).ok().flatten();
			!matches!(
				r.map(|r| r.status),
				Some(RequestStatus::Finalized { .. } | RequestStatus::Refunded { .. } | RequestStatus::Cancelled { .. })
			)
		});
		std::thread::sleep(Duration::from_secs(3));
	}
	let (mut finalized, mut refunded) = (0, 0);
	for id in &ids {
		match sibyl_client::ask::request(&rpc, *id, None).ok().flatten().map(|r| r.status) {
			Some(RequestStatus::Finalized { .. }) => finalized += 1,
			Some(RequestStatus::Refunded { .. }) => refunded += 1,
			_ => {},
		}
	}
	let held: u128 = keys.iter().map(|k| ok(rpc.account(&k.public().into(), None)).data.reserved).sum();
	let (t, r) = (&results[0], &results[1]);
	println!(
		"P4 one dev node: transfers {:.1}/s ({} of {} succeeded), requests {:.1}/s ({} of {} succeeded), ratio {:.2}; \
		 requests answered {finalized}, refunded {refunded}, still open {}, held afterwards {held}",
		t.3,
		t.2,
		t.1,
		r.3,
		r.2,
		r.1,
		r.3 / t.3,
		open.len()
	);
	// The rate above counts whole blocks, so a run that ends early in its last block looks faster than the chain
	// can sustain: the fullest block of each phase says what a block holds.
	let block_secs = sibyl_runtime::MILLI_SECS_PER_BLOCK as f64 / 1000.0;
	println!(
		"P4 per full block: transfers {} ({:.1}/s), requests {} ({:.1}/s), ratio {:.2}",
		t.5,
		t.5 as f64 / block_secs,
		r.5,
		r.5 as f64 / block_secs,
		r.5 as f64 / t.5.max(1) as f64
	);
}
