//! The inference oracle on the 4-validator network, with the real SmolLM2 in every node:
//! 1. a prompt submitted over RPC is answered by an operator's off-chain worker and finalized; the output is
//!    what `sibyl-node engine run` gives; requester, operator, model revenue and protocol balances change by
//!    exactly the fee split;
//! 2. meanwhile, every bad input gets its own error and costs only the transaction fee;
//! 3. an operator whose node is down misses its deadline, pays the penalty to the requester, and the request is
//!    answered by another operator (the others stop serving the model while it is drawn, so it is drawn to him);
//! 4. a validator restarted during an inference proposes exactly once.

use std::time::Duration;

use pallet_inference::Event as E;
use sibyl_client::ask;
use sibyl_e2e::{inference::*, network_lock, tx, Network};
use sibyl_inference_primitives::RequestStatus;
use sibyl_runtime::{
	configs::ProtocolAccount,
	genesis_config_presets::{operator_account, SMOLLM2_FEE_BASE, SMOLLM2_FEE_PER_TOKEN},
	AccountId, RuntimeEvent, UNIT,
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::Perbill;

const OPERATOR_SHARE: Perbill = Perbill::from_percent(70);
const PROTOCOL_SHARE: Perbill = Perbill::from_percent(5);

#[test]
fn requests_are_answered_paid_refused_timed_out_and_never_proposed_twice() {
	let _serial = network_lock();
	// This test is about the oracle: no validator re-runs the others' results (the `dispute` test does), and the
	// challenge window is cut from the preset's 8 blocks (time for verifiers) to 3 by sudo.
	let t0 = std::time::Instant::now();
	let part = |what: &str| eprintln!("[{:6.1} s] {what}", t0.elapsed().as_secs_f64());
	let mut net = Network::start_chain_with("local", 4, |_| vec!["--verify-share".into(), "0".into()]);
	net.wait_finalized(0, 1, Duration::from_secs(90));
	let rpc = net.nodes[1].rpc();
	let ctx = net.expect(tx::fetch_context(&rpc));
	sudo_set_params(&net, &rpc, &ctx, &|p| p.challenge_window = 3);
	let eve = Sr25519Keyring::Eve.pair();
	let eve_id: AccountId = eve.public().into();
	let ferdie: AccountId = Sr25519Keyring::Ferdie.to_account_id();
	let protocol: AccountId = ProtocolAccount::get();
	let operators: Vec<AccountId> =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
			.into_iter()
			.map(operator_account)
			.collect();

	// 1. One question, answered and paid exactly.
	part("1. a question");
	let model = net.expect(ask::model(&rpc, 0));
	let prompt = net.expect(ask::tokenize(&rpc, &model.root, "What is the capital of France?", true));
	let max_new = 16;
	let quote = net.expect(ask::quote(&rpc, 0, max_new, 0));
	assert_eq!(quote.total, SMOLLM2_FEE_BASE + 16 * SMOLLM2_FEE_PER_TOKEN);
	let from = net.expect(rpc.best_number());
	let before = net.expect(rpc.block_hash(from)).expect("best block");
	let nonce = net.expect(rpc.next_nonce(&eve_id));
	let xt = ask::signed_submit(&ctx, &eve, nonce, 0, prompt.clone(), max_new, 0);
	net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("request refused: {e}"));
	let (included, inc_hash, index) = net.expect(await_included(&rpc, &xt, from + 1, Duration::from_secs(60)));
	let id = net.expect(ask::submitted_request(&rpc, inc_hash, index)).unwrap_or_else(|e| panic!("submit failed: {e}"));
	let submit_fee = net.expect(fee_paid(&rpc, inc_hash, index, &eve_id));

	// 2. Meanwhile, every bad input (Charlie's): its own error, and only the transaction fee is spent.
	part("2. bad inputs, while the question is answered");
	let charlie = Sr25519Keyring::Charlie.pair();
	let charlie_id: AccountId = charlie.public().into();
	let bad: Vec<(Vec<u32>, u32, u32, &str)> = vec![
		(prompt.clone(), 9, 4, "Inference::UnknownModel"),
		(vec![], 0, 4, "Inference::EmptyPrompt"),
		(vec![1; 1025], 0, 4, "Inference::PromptTooLong"),
		(vec![1; 1024], 0, 1100, "Inference::MaxNewOverLimit"),
		(vec![49_152], 0, 4, "Inference::BadToken"),
		(prompt.clone(), 0, 0, "Inference::ZeroMaxNew"),
		(prompt.clone(), 0, 513, "Inference::MaxNewOverLimit"),
	];
	// All at once (consecutive nonces), so they share a block or two.
	let from = net.expect(rpc.best_number());
	let nonce = net.expect(rpc.next_nonce(&charlie_id));
	let sent: Vec<(Vec<u8>, &str)> = bad
		.into_iter()
		.enumerate()
		.map(|(k, (p, m, max_new, expected))| {
			let xt = ask::signed_submit(&ctx, &charlie, nonce + k as u32, m, p, max_new, 0);
			net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("{expected}: refused by the pool: {e}"));
			(xt, expected)
		})
		.collect();
	for (xt, expected) in sent {
		let (_, h, i) = net.expect(await_included(&rpc, &xt, from + 1, Duration::from_secs(60)));
		let err = net.expect(ask::submitted_request(&rpc, h, i)).expect_err("the request must fail");
		assert_eq!(err, expected);
		// Nothing is held for a failed request: Charlie's holds stay as they were.
		let (_, parent) = net.expect(rpc.header(h));
		let held = |at| net.expect(rpc.account(&charlie_id, Some(at))).data.reserved;
		assert_eq!(held(parent), held(h), "{expected}: nothing held");
		assert!(net.expect(fee_paid(&rpc, h, i, &charlie_id)) > 0, "{expected}: the transaction fee is paid");
	}
	part("1. the answer");
	let status = net.expect(await_status(&rpc, id, "final", Duration::from_secs(180), |s| {
		matches!(s, RequestStatus::Finalized { .. })
	}));
	let RequestStatus::Finalized { at: final_block } = status else { unreachable!() };
	net.wait_finalized(1, final_block, Duration::from_secs(90));
	let answer = net.expect(ask::final_result(&rpc, id, Some(net.expect(rpc.finalized()).1))).expect("final");
	// The same answer as the engine on the command line.
	let (output, root, steps) =
		net.expect(engine_run(&sibyl_e2e::node_binary(), &sibyl_engine::testing::smollm2_path(), &prompt, max_new));
	assert_eq!((answer.output.clone(), answer.final_root, answer.steps), (output, root, steps));
	// Where and when it was proposed and paid.
	let blocks = net.expect(scan(&rpc, included, final_block));
	let (proposed_at, prop_hash, prop_index) = blocks
		.iter()
		.find_map(|(n, h, evs)| {
			evs.iter().find_map(|(i, e)| match e {
				E::ResultProposed { request, .. } if *request == id => Some((*n, *h, i.expect("an extrinsic"))),
				_ => None,
			})
		})
		.expect("a ResultProposed event");
	let assigned_at = blocks
		.iter()
		.find(|(_, _, evs)| evs.iter().any(|(_, e)| matches!(e, E::RequestAssigned { request, .. } if *request == id)))
		.map(|(n, _, _)| *n)
		.expect("a RequestAssigned event");
	let (_, fin_hash, fin_events) = blocks.iter().find(|(n, _, _)| *n == final_block).expect("the final block");
	let (fee, to_operator, to_model, to_protocol, refunded) = fin_events
		.iter()
		.find_map(|(_, e)| match e {
			E::RequestFinalized { request, fee, to_operator, to_model, to_protocol, refunded, .. } if *request == id =>
				Some((*fee, *to_operator, *to_model, *to_protocol, *refunded)),
			_ => None,
		})
		.expect("a RequestFinalized event");
	let n_out = answer.output.len() as u128;
	assert_eq!(fee, SMOLLM2_FEE_BASE + n_out * SMOLLM2_FEE_PER_TOKEN, "fee for {n_out} tokens");
	assert_eq!(refunded, quote.total - fee);
	assert_eq!(to_operator, OPERATOR_SHARE.mul_floor(fee));
	assert_eq!(to_protocol, PROTOCOL_SHARE.mul_floor(fee));
	assert_eq!(to_model, fee - to_operator - to_protocol);
	assert_eq!(answer.fee_paid, fee);
	let op = answer.operator.clone();
	assert!(operators.contains(&op), "answered by a genesis operator");
	let propose_fee = net.expect(fee_paid(&rpc, prop_hash, prop_index, &op));
	let free = |who: &AccountId, at| net.expect(rpc.free_balance(who, Some(at)));
	assert_eq!(free(&eve_id, before) - free(&eve_id, *fin_hash), fee + submit_fee, "requester pays fee + tx fee");
	assert_eq!(free(&ferdie, *fin_hash) - free(&ferdie, before), to_model, "model revenue");
	assert_eq!(free(&protocol, *fin_hash) - free(&protocol, before), to_protocol, "protocol share");
	assert_eq!(free(&op, *fin_hash) + propose_fee - free(&op, before), to_operator, "operator share");
	eprintln!(
		"P2 (4 validators, {} new tokens): included #{included}, assigned #{assigned_at}, proposed #{proposed_at} \
		 (+{} blocks), final #{final_block} (+{} blocks); fee {fee}",
		answer.output.len(),
		proposed_at - included,
		final_block - included
	);

	let eve_held = net.expect(rpc.account(&eve_id, None)).data.reserved;
	assert_eq!(eve_held, 0, "Eve's finished request holds nothing");
	// Cancel by a stranger, and too late (both at once).
	let stranger = Sr25519Keyring::Dave.pair();
	let from = net.expect(rpc.best_number());
	let cancels: Vec<(Vec<u8>, &str)> =
		[(&stranger, id + 100, "Inference::UnknownRequest"), (&eve, id, "Inference::TooLateToCancel")]
			.into_iter()
			.map(|(who, call_id, expected)| {
				let nonce = net.expect(rpc.next_nonce(&who.public().into()));
				let call = sibyl_runtime::RuntimeCall::Inference(pallet_inference::Call::cancel { request: call_id });
				let xt = tx::signed(&ctx, who, nonce, call, None);
				net.expect(rpc.submit(&xt)).expect("in the pool");
				(xt, expected)
			})
			.collect();
	for (xt, expected) in cancels {
		let r = await_success(&rpc, &xt, from + 1, Duration::from_secs(60));
		assert!(r.as_ref().is_err_and(|e| e.ends_with(expected)), "{expected}: {r:?}");
	}


	// 3. Dave's node is down: a request drawn for Dave's operator misses its deadline and is answered by another.
	part("3. a missed deadline");
	net.nodes[3].stop();
	part("   Dave stopped");
	let dave_op = operators[3].clone();
	// Drawn to Dave's operator: the others stop serving the model while the request is drawn, then serve again to
	// answer it when Dave misses his deadline, cut to 3 blocks meanwhile (the redraw gets the usual 6).
	let honest = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
	let timeout = {
		let key = pallet_inference::LifecycleParams::<sibyl_runtime::Runtime>::hashed_key();
		let raw = net.expect(rpc.storage(&key, None)).expect("lifecycle params");
		let params: pallet_inference::types::Params<u32> = codec::Decode::decode(&mut &raw[..]).expect("params");
		params.propose_timeout
	};
	sudo_set_params(&net, &rpc, &ctx, &|p| p.propose_timeout = 3);
	net.expect(set_serving(&rpc, &ctx, &honest, 0, false));
	let rounds_from = net.expect(rpc.best_number());
	let nonce = net.expect(rpc.next_nonce(&eve_id));
	let xt = ask::signed_submit(&ctx, &eve, nonce, 0, prompt.clone(), 2, 0);
	net.expect(rpc.submit(&xt)).expect("in the pool");
	let (_, h, i) = net.expect(await_included(&rpc, &xt, rounds_from + 1, Duration::from_secs(60)));
	let missed = net.expect(ask::submitted_request(&rpc, h, i)).expect("submitted");
	let s = net.expect(await_status(&rpc, missed, "assigned", Duration::from_secs(30), |s| {
		!matches!(s, RequestStatus::Queued)
	}));
	assert!(matches!(&s, RequestStatus::Assigned { operator, .. } if *operator == dave_op), "{s:?}");
	net.expect(set_serving(&rpc, &ctx, &honest, 0, true));
	sudo_set_params(&net, &rpc, &ctx, &|p| p.propose_timeout = timeout);
	// Dave misses his deadline and pays; the request is drawn again and another operator proposes. (Its window
	// runs during part 4; it is checked final at the end.)
	let status = net.expect(await_status(&rpc, missed, "proposed by another operator", Duration::from_secs(180), |s| {
		matches!(s, RequestStatus::Proposed { .. } | RequestStatus::Finalized { .. })
	}));
	let now = net.expect(rpc.best_number());
	let penalty = net
		.expect(scan(&rpc, rounds_from + 1, now))
		.into_iter()
		.flat_map(|(_, _, evs)| evs)
		.find_map(|(_, e)| match e {
			E::DeadlineMissed { request, operator, penalty } if request == missed && operator == dave_op => Some(penalty),
			_ => None,
		})
		.unwrap_or_else(|| panic!("a DeadlineMissed event for Dave's operator (request {missed}: {status:?})"));
	assert_eq!(penalty, 10 * UNIT);

	// 4. A validator restarted during an inference proposes once.
	part("4. a restart during an inference");
	net.start_node(3);
	net.wait_rpc(3, Duration::from_secs(60));
	let from = net.expect(rpc.best_number());
	let nonce = net.expect(rpc.next_nonce(&eve_id));
	let xt = ask::signed_submit(&ctx, &eve, nonce, 0, prompt.clone(), 32, 0);
	net.expect(rpc.submit(&xt)).expect("in the pool");
	let (_, h, i) = net.expect(await_included(&rpc, &xt, from + 1, Duration::from_secs(60)));
	let id = net.expect(ask::submitted_request(&rpc, h, i)).expect("submitted");
	let status = net.expect(await_status(&rpc, id, "assigned", Duration::from_secs(30), |s| {
		!matches!(s, RequestStatus::Queued)
	}));
	let RequestStatus::Assigned { operator, .. } = status else { panic!("not assigned: {status:?}") };
	let node = operators.iter().position(|o| *o == operator).expect("a genesis operator");
	// Let it start the inference, then restart its node.
	std::thread::sleep(Duration::from_secs(3));
	net.nodes[node].stop();
	part("   stopped");
	net.start_node(node);
	let rpc_restarted = net.nodes[node].rpc();
	let _ = rpc_restarted;
	let status = net.expect(await_status(&rpc, id, "final", Duration::from_secs(240), |s| {
		matches!(s, RequestStatus::Finalized { .. } | RequestStatus::Refunded { .. })
	}));
	let RequestStatus::Finalized { at } = status else { panic!("refunded: {status:?}") };
	net.wait_finalized(1, at, Duration::from_secs(90));
	let proposals: usize = net
		.expect(scan(&rpc, from + 1, at))
		.into_iter()
		.flat_map(|(_, _, evs)| evs)
		.filter(|(_, e)| matches!(e, E::ResultProposed { request, .. } if *request == id))
		.count();
	assert_eq!(proposals, 1, "exactly one proposal");
	// No proposal of that request failed either (a second one would fail with AlreadyProposed).
	let failures = net
		.expect(scan(&rpc, from + 1, at))
		.into_iter()
		.map(|(_, h, _)| net.expect(sibyl_e2e::inference::events(&rpc, h)))
		.flatten()
		.filter(|(_, e)| matches!(e, RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { .. })))
		.count();
	assert_eq!(failures, 0, "no failed extrinsic");
	// Part 3's request is final, answered by another operator than Dave's.
	let status = net.expect(await_status(&rpc, missed, "final", Duration::from_secs(120), |s| {
		matches!(s, RequestStatus::Finalized { .. })
	}));
	let RequestStatus::Finalized { at } = status else { unreachable!() };
	net.wait_finalized(1, at, Duration::from_secs(90));
	let answer = net.expect(ask::final_result(&rpc, missed, Some(net.expect(rpc.finalized()).1))).expect("final");
	assert_ne!(answer.operator, dave_op);
	part("done");
}

/// Alice (sudo) changes the lifecycle parameters with `change`; waits until it took effect.
fn sudo_set_params(
	net: &Network,
	rpc: &sibyl_client::Rpc,
	ctx: &tx::ChainContext,
	change: &dyn Fn(&mut pallet_inference::types::Params<u32>),
) {
	let key = pallet_inference::LifecycleParams::<sibyl_runtime::Runtime>::hashed_key();
	let raw = net.expect(rpc.storage(&key, None)).expect("the preset sets the lifecycle params");
	let mut params: pallet_inference::types::Params<u32> =
		codec::Decode::decode(&mut &raw[..]).expect("lifecycle params");
	change(&mut params);
	let call = sibyl_runtime::RuntimeCall::Sudo(pallet_sudo::Call::sudo {
		call: Box::new(sibyl_runtime::RuntimeCall::Inference(pallet_inference::Call::set_params { params })),
	});
	let alice = Sr25519Keyring::Alice.pair();
	let from = net.expect(rpc.best_number());
	let nonce = net.expect(rpc.next_nonce(&alice.public().into()));
	let xt = tx::signed(ctx, &alice, nonce, call, None);
	net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("set_params refused: {e}"));
	let (_, h, _) = net.expect(await_included(rpc, &xt, from + 1, Duration::from_secs(60)));
	assert!(net.expect(inference_events(rpc, h)).iter().any(|(_, e)| matches!(e, E::ParamsChanged { .. })));
}
