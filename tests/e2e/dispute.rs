//! The dispute game on the 4-validator network, with the real SmolLM2 in every node and nothing played by hand:
//! Dave's node runs with `--dishonest-from-step`, so every result it proposes is wrong from that step on, and
//! every result it checks looks wrong to it.
//! 1. A request drawn to Dave (the others' operators stop serving the model while it is drawn): the honest validators' off-chain workers re-run it, challenge it, play the
//!    dissection from their traces and end the game with the one-step proof verified in the runtime; Dave's
//!    result is rejected and he is slashed; the request is answered again by an honest operator, and the final
//!    answer is what `sibyl-node engine run` gives.
//! 2. Dave challenges the honest result that replaces his (his re-run differs): each of those games ends with the
//!    honest proposer's proof, and Dave loses his bond.
//! 3. Every balance change of Dave and of the winning challenger is explained, to the planck, by the events.
//! 4. P3: moves and blocks from challenge to decision for a 32-token generation.

use std::{collections::BTreeMap, time::Duration};

use pallet_dispute::Event as D;
use pallet_inference::Event as E;
use sibyl_client::ask;
use sibyl_e2e::{inference::*, network_lock, tx, Network};
use sibyl_inference_primitives::{
	dispute::{EndReason, GameId, GameStatus, Side},
	RequestId, RequestStatus,
};
use sibyl_runtime::{genesis_config_presets::operator_account, AccountId, Hash, RuntimeEvent};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;

/// Dave's roots are false from this step on (a 32-token SmolLM2 run has about 15,000 steps).
const LIE_FROM: u32 = 2_000;
const MAX_NEW: u32 = 32;

/// The players of every game, from its `Challenged` event.
type Players = BTreeMap<GameId, (RequestId, AccountId, AccountId)>;

/// What the events say `who`'s total balance (free and held) changed by.
fn explained(events: &[(u32, Option<u32>, RuntimeEvent)], players: &Players, who: &AccountId) -> i128 {
	let mut sum = 0i128;
	for (_, _, e) in events {
		match e {
			RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
				who: w,
				actual_fee,
				..
			}) if w == who => sum -= *actual_fee as i128,
			RuntimeEvent::Inference(E::RequestFinalized { operator, to_operator, .. }) if operator == who =>
				sum += *to_operator as i128,
			RuntimeEvent::Inference(E::DeadlineMissed { operator, penalty, .. }) if operator == who =>
				sum -= *penalty as i128,
			RuntimeEvent::Dispute(D::GameEnded { game, winner: Some(winner), to_winner, burned, .. }) => {
				let (_, proposer, challenger) = &players[game];
				let (w, l) = match winner {
					Side::Proposer => (proposer, challenger),
					Side::Challenger => (challenger, proposer),
				};
				if w == who {
					sum += *to_winner as i128;
				}
				if l == who {
					sum -= (*to_winner + *burned) as i128;
				}
			},
			RuntimeEvent::Balances(pallet_balances::Event::Transfer { from, to, amount }) => {
				if from == who {
					sum -= *amount as i128;
				}
				if to == who {
					sum += *amount as i128;
				}
			},
			_ => {},
		}
	}
	sum
}

#[test]
fn a_dishonest_operator_is_caught_by_the_validators_and_its_false_challenges_lose() {
	let _serial = network_lock();
	let dave_args = vec!["--dishonest-from-step".to_string(), LIE_FROM.to_string()];
	let net = Network::start_chain_with("local", 4, |i| if i == 3 { dave_args.clone() } else { vec![] });
	net.wait_finalized(0, 1, Duration::from_secs(90));
	assert!(net.nodes[3].log().contains("DISHONEST OPERATOR"), "Dave's node says what it is");
	let rpc = net.nodes[0].rpc();
	let ctx = net.expect(tx::fetch_context(&rpc));
	let eve = Sr25519Keyring::Eve.pair();
	let eve_id: AccountId = eve.public().into();
	let ops: Vec<AccountId> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
		.into_iter()
		.map(operator_account)
		.collect();
	let dave = ops[3].clone();
	let model = net.expect(ask::model(&rpc, 0));
	let prompt = net.expect(ask::tokenize(&rpc, &model.root, "Why is the sky blue?", true));
	let start = net.expect(rpc.best_number());
	let before = net.expect(rpc.block_hash(start)).expect("a block");

	// A request drawn to Dave: only his operator serves the model while it is drawn, and the honest ones serve
	// it again at once, so that they can answer it when his result is rejected. (Each validator re-runs it.)
	let honest = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
	net.expect(set_serving(&rpc, &ctx, &honest, 0, false));
	let from = net.expect(rpc.best_number());
	let nonce = net.expect(rpc.next_nonce(&eve_id));
	let xt = ask::signed_submit(&ctx, &eve, nonce, 0, prompt.clone(), MAX_NEW, 0);
	net.expect(rpc.submit(&xt)).unwrap_or_else(|e| panic!("request refused: {e}"));
	let (included, hash, index) = net.expect(await_included(&rpc, &xt, from + 1, Duration::from_secs(60)));
	let dave_request = net.expect(ask::submitted_request(&rpc, hash, index)).unwrap_or_else(|e| panic!("submit: {e}"));
	let status = net.expect(await_status(&rpc, dave_request, "assigned", Duration::from_secs(60), |s| {
		!matches!(s, RequestStatus::Queued)
	}));
	assert!(matches!(&status, RequestStatus::Assigned { operator, .. } if *operator == dave), "{status:?}");
	net.expect(set_serving(&rpc, &ctx, &honest, 0, true));
	net.expect(await_status(&rpc, dave_request, "proposed", Duration::from_secs(120), |s| {
		!matches!(s, RequestStatus::Assigned { operator, .. } if *operator == dave)
	}));
	let now = net.expect(rpc.best_number());
	let proposed_by_dave = net.expect(scan(&rpc, included, now)).into_iter().flat_map(|(_, _, evs)| evs).any(
		|(_, e)| matches!(e, E::ResultProposed { request, operator, .. } if request == dave_request && operator == dave),
	);
	assert!(proposed_by_dave, "Dave proposed his result by his deadline");
	let requests: Vec<(RequestId, u32)> = vec![(dave_request, included)];

	// Every request ends final, every game ends.
	let mut last = 0;
	for (id, _) in &requests {
		let status = net.expect(await_status(&rpc, *id, "final", Duration::from_secs(900), |s| {
			matches!(s, RequestStatus::Finalized { .. })
		}));
		let RequestStatus::Finalized { at } = status else { unreachable!() };
		last = last.max(at);
	}
	let last = net.expect(sibyl_e2e::wait_for("every game to end", Duration::from_secs(600), Duration::from_secs(1), || {
		for (id, _) in &requests {
			if ask::games(&rpc, *id, None)?.iter().any(|(_, g)| g.status == GameStatus::Open) {
				return Ok(None);
			}
		}
		Ok(Some(rpc.best_number()?))
	}))
	.max(last);
	net.wait_finalized(0, last, Duration::from_secs(120));
	let end: Hash = net.expect(rpc.block_hash(last)).expect("the last block");

	// Every event from the first request on.
	let mut events: Vec<(u32, Option<u32>, RuntimeEvent)> = vec![];
	for n in start + 1..=last {
		let h = net.expect(rpc.block_hash(n)).expect("a block");
		events.extend(net.expect(events_at(&rpc, h)).into_iter().map(|(i, e)| (n, i, e)));
	}
	let mut players: Players = BTreeMap::new();
	let mut opened: BTreeMap<GameId, u32> = BTreeMap::new();
	let mut ends: BTreeMap<GameId, (u32, Option<Side>, EndReason)> = BTreeMap::new();
	let mut dissections: BTreeMap<GameId, u32> = BTreeMap::new();
	let mut verified: BTreeMap<GameId, u32> = BTreeMap::new();
	for (n, _, e) in &events {
		match e {
			RuntimeEvent::Dispute(D::Challenged { game, request, proposer, challenger, .. }) => {
				players.insert(*game, (*request, proposer.clone(), challenger.clone()));
				opened.insert(*game, *n);
			},
			RuntimeEvent::Dispute(D::Dissected { game, .. }) => *dissections.entry(*game).or_default() += 1,
			RuntimeEvent::Dispute(D::StepVerified { game, step, .. }) => {
				verified.insert(*game, *step);
			},
			RuntimeEvent::Dispute(D::GameEnded { game, winner, reason, .. }) => {
				ends.insert(*game, (*n, *winner, *reason));
			},
			RuntimeEvent::Dispute(D::OutputProvenWrong { .. }) => panic!("no output proof was expected"),
			_ => {},
		}
	}
	assert_eq!(players.keys().collect::<Vec<_>>(), ends.keys().collect::<Vec<_>>(), "every game ended");

	// 1. Dave's result: challenged by honest validators, the proof decided against him, rejected.
	let against_dave: Vec<GameId> =
		players.iter().filter(|(_, (r, p, _))| *r == dave_request && *p == dave).map(|(g, _)| *g).collect();
	assert!(!against_dave.is_empty(), "Dave's result was challenged");
	let won: Vec<GameId> = against_dave
		.iter()
		.copied()
		.filter(|g| matches!(ends[g], (_, Some(Side::Challenger), EndReason::Proof)))
		.collect();
	assert_eq!(won.len(), 1, "one game decided it: {ends:?}");
	for g in &against_dave {
		let (_, _, c) = &players[g];
		assert!(ops[..3].contains(c), "challenged by an honest validator's operator key");
		if !won.contains(g) {
			assert_eq!(ends[g].2, EndReason::Void, "the other games on the rejected result are void");
		}
	}
	let winner_game = won[0];
	let winner = players[&winner_game].2.clone();
	assert!(verified.contains_key(&winner_game), "the runtime verified the last step");
	assert!(events.iter().any(|(_, _, e)| matches!(e,
		RuntimeEvent::Inference(E::ResultRejected { request, operator, beneficiary })
			if *request == dave_request && *operator == dave && *beneficiary == winner)));
	assert!(events.iter().any(|(_, _, e)| matches!(e,
		RuntimeEvent::Inference(E::OperatorSlashed { operator, beneficiary: None, .. }) if *operator == dave)));
	// The requester gets the honest answer: the engine's, from another operator.
	let answer = net.expect(ask::final_result(&rpc, dave_request, Some(end))).expect("a final answer");
	let (output, root, steps) =
		net.expect(engine_run(&sibyl_e2e::node_binary(), &sibyl_engine::testing::smollm2_path(), &prompt, MAX_NEW));
	assert_eq!((answer.output.clone(), answer.final_root, answer.steps), (output, root, steps));
	assert_ne!(answer.operator, dave);
	assert_eq!(answer.output.len() as u32, MAX_NEW, "a {MAX_NEW}-token generation");

	// 2. Dave's challenges of honest results all lost to the proposer's proof.
	let by_dave: Vec<GameId> = players.iter().filter(|(_, (_, _, c))| *c == dave).map(|(g, _)| *g).collect();
	assert!(!by_dave.is_empty(), "Dave challenged the honest answers");
	for g in &by_dave {
		assert!(matches!(ends[g], (_, Some(Side::Proposer), EndReason::Proof)), "game {g}: {:?}", ends[g]);
	}

	// 3. Exact balances: every change of Dave and of the winner, from the events.
	for who in [&dave, &winner] {
		let total = |at| {
			let a = net.expect(rpc.account(who, Some(at))).data;
			(a.free + a.reserved) as i128
		};
		let change = total(end) - total(before);
		assert_eq!(change, explained(&events, &players, who), "{who}'s balance");
		eprintln!(
			"balance change of {}: {change} planck ({:.3} SBL)",
			if *who == dave { "Dave (dishonest)" } else { "the winning challenger" },
			change as f64 / sibyl_runtime::UNIT as f64
		);
	}

	// What `sibyl-node ask` shows of the games on Dave's result.
	let shown: Vec<String> = net
		.expect(ask::games(&rpc, dave_request, Some(end)))
		.iter()
		.filter(|(_, g)| g.proposer == dave)
		.map(|(_, g)| ask::describe_game(g))
		.collect();
	assert!(shown.iter().any(|l| l.starts_with("the challenger won (Proof)")), "{shown:?}");

	// 4. P3.
	let (opened_at, (ended_at, _, _)) = (opened[&winner_game], ends[&winner_game]);
	let g = net.expect(ask::games(&rpc, dave_request, Some(end))).into_iter().find(|(id, _)| *id == winner_game);
	let moves = g.map(|(_, g)| g.moves + 1);
	let rounds = dissections.get(&winner_game).copied().unwrap_or(0);
	eprintln!(
		"P3 (4 validators, {}-token SmolLM2 generation of {steps} steps, width 32): challenge #{opened_at}, \
		 decision #{ended_at}: {} blocks, {rounds} dissections, {moves:?} moves (with the proof); disputed step {:?}; \
		 {} games in all, {} by Dave",
		answer.output.len(),
		ended_at - opened_at,
		verified.get(&winner_game),
		players.len(),
		by_dave.len()
	);
	// The goal is 2·(rounds + 1) blocks (a move per block); a few blocks of slack for a loaded machine.
	assert!(ended_at - opened_at <= 2 * (rounds + 1) + 4, "minutes, not days");
}

/// A block's events with their extrinsic index.
fn events_at(rpc: &sibyl_client::Rpc, at: Hash) -> Result<Vec<(Option<u32>, RuntimeEvent)>, String> {
	events(rpc, at)
}
