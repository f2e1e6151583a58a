//! Requests made on Ethereum, through the real oracle: queued with the fee held from this pallet's Ethereum
//! account, answered on Ethereum with the finalized result, or refunded on Ethereum when refused or unanswered.

use frame_support::{
	assert_ok,
	traits::{fungible::InspectHold, Hooks},
};
use pallet_inference::{lifecycle::RequestStatus, traits::ModelRevenue, Event as InferenceEvent};

use crate::{
	inbound::Stream,
	message::{self, Kind},
	mock::*,
	Deferred, EthRequests, Event, Executed, Refusal,
};

/// The messages this block queued, as (kind, body).
fn queued() -> Vec<(Kind, Vec<u8>)> {
	crate::Messages::<Test>::get().into_iter().map(|m| (m.kind, m.body.into_inner())).collect()
}

fn inference_events() -> Vec<InferenceEvent<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Inference(ev) => Some(ev),
			_ => None,
		})
		.collect()
}

fn held(who: AccountId) -> Balance {
	<Balances as InspectHold<AccountId>>::total_balance_on_hold(&who)
}

/// Attests `event` by three validators and runs the next block, which executes it.
fn attested(event: &crate::EthEventOf<Test>) {
	attest_by(3, event);
	next_block();
}

#[test]
fn an_answered_request_sends_its_final_result_to_ethereum_and_pays_the_model() {
	new_test_ext().execute_with(|| {
		let pot = Settlement::eth_account();
		let id = pallet_inference::NextRequestId::<Test>::get();
		attested(&eth_request(1, 4, exact_fee(4)));
		let max_fee = FEE_BASE + 4 * FEE_PER_TOKEN;
		assert!(events().contains(&Event::EthRequestQueued { eth_request: 1, request: id, max_fee }));
		assert_eq!(EthRequests::<Test>::get(id), Some(1));
		assert_eq!(held(pot), max_fee, "the fee is held from the Ethereum account like any requester's");
		let r = pallet_inference::Requests::<Test>::get(id).expect("a real request");
		assert_eq!(r.requester, pot);
		assert_eq!(r.prompt.into_inner(), vec![3, 5, 7, 11]);
		next_block();
		answer(id, vec![1, 2, 3]);
		let payee = <Revshare as ModelRevenue<AccountId, Balance>>::payee(MODEL, &OWNER);
		let payee_before = free(payee);
		for _ in 0..=CHALLENGE_WINDOW {
			next_block();
			if EthRequests::<Test>::get(id).is_none() {
				break;
			}
		}
		assert!(matches!(
			pallet_inference::Requests::<Test>::get(id).map(|r| r.status),
			Some(RequestStatus::Finalized { .. })
		));
		let body = message::result_body(1, id, MODEL, &[1, 2, 3], [7; 32]);
		assert_eq!(queued(), vec![(Kind::InferenceResult, body)]);
		assert!(events().contains(&Event::EthRequestEnded { eth_request: 1, request: id, answered: true }));
		let to_model = inference_events()
			.into_iter()
			.find_map(|e| match e {
				InferenceEvent::RequestFinalized { request, to_model, .. } if request == id => Some(to_model),
				_ => None,
			})
			.expect("finalized");
		assert!(to_model > 0);
		assert_eq!(free(payee), payee_before + to_model, "the model's revenue-share pool got its share");
		assert_eq!(held(pot), 0);
		assert_eq!(EthRequests::<Test>::count(), 0);
	});
}

#[test]
fn a_fee_below_the_price_is_refunded_on_ethereum_and_never_queued() {
	new_test_ext().execute_with(|| {
		let next_id = pallet_inference::NextRequestId::<Test>::get();
		attested(&eth_request(1, 4, exact_fee(4) - 1));
		assert!(events().contains(&Event::EthRequestRefused {
			eth_request: 1,
			reason: Refusal::FeeTooLow { required: exact_fee(4) }
		}));
		assert_eq!(queued(), vec![(Kind::Refund, message::refund_body(1))]);
		assert_eq!(pallet_inference::NextRequestId::<Test>::get(), next_id, "nothing entered the oracle");
		assert_eq!(Executed::<Test>::get(Stream::Requests), 1, "executed: it can not be voted again");
	});
}

#[test]
fn a_request_the_oracle_refuses_is_refunded_on_ethereum() {
	new_test_ext().execute_with(|| {
		let mut unknown = eth_request(1, 4, u128::MAX);
		if let crate::inbound::EthEvent::Request { model, .. } = &mut unknown {
			*model = 5;
		}
		attested(&unknown);
		let refused = events().into_iter().find_map(|e| match e {
			Event::EthRequestRefused { eth_request: 1, reason: Refusal::Oracle(e) } => Some(e),
			_ => None,
		});
		assert_eq!(refused, Some(pallet_inference::Error::<Test>::UnknownModel.into()));
		assert_eq!(queued(), vec![(Kind::Refund, message::refund_body(1))]);
		// Too many tokens for the model: the oracle's own check.
		attested(&eth_request(2, MAX_OUTPUT + 1, u128::MAX));
		assert!(events().iter().any(|e| matches!(e, Event::EthRequestRefused { eth_request: 2, .. })));
		assert_eq!(queued(), vec![(Kind::Refund, message::refund_body(2))]);
	});
}

#[test]
fn an_unanswered_request_is_refunded_on_both_chains() {
	new_test_ext().execute_with(|| {
		let pot = Settlement::eth_account();
		let before = free(pot);
		let id = pallet_inference::NextRequestId::<Test>::get();
		attested(&eth_request(1, 4, exact_fee(4)));
		// Nobody answers: two missed deadlines (3 blocks each) and the oracle refunds.
		let mut sent = false;
		for _ in 0..12 {
			next_block();
			if queued() == vec![(Kind::Refund, message::refund_body(1))] {
				sent = true;
				break;
			}
		}
		assert!(sent, "the refund went to Ethereum");
		assert!(events().contains(&Event::EthRequestEnded { eth_request: 1, request: id, answered: false }));
		assert!(matches!(
			pallet_inference::Requests::<Test>::get(id).map(|r| r.status),
			Some(RequestStatus::Refunded { .. })
		));
		assert_eq!(held(pot), 0);
		assert!(free(pot) >= before, "the fee came back (with the operators' miss penalties)");
	});
}

#[test]
fn beyond_the_open_limit_a_request_is_refunded() {
	new_test_ext().execute_with(|| {
		for id in 1..=MAX_ETH_REQUESTS as u64 + 1 {
			attest_by(3, &eth_request(id, 4, exact_fee(4)));
		}
		// Two per block.
		next_block();
		next_block();
		assert_eq!(Executed::<Test>::get(Stream::Requests), MAX_ETH_REQUESTS as u64 + 1);
		assert_eq!(EthRequests::<Test>::count(), MAX_ETH_REQUESTS);
		assert!(events().contains(&Event::EthRequestRefused {
			eth_request: MAX_ETH_REQUESTS as u64 + 1,
			reason: Refusal::TooManyOpen
		}));
	});
}

#[test]
fn a_refund_that_does_not_fit_its_block_is_sent_in_the_next_one() {
	new_test_ext().execute_with(|| {
		attest_by(3, &eth_request(1, 4, 1));
		// The next block, step by step: the oracle's hook, then a full queue, then this pallet's hook.
		Settlement::on_finalize(1);
		System::reset_events();
		System::initialize(&2, &Default::default(), &Default::default());
		Inference::on_initialize(2);
		for _ in 0..MAX_MESSAGES {
			assert_ok!(Settlement::bridge_out(RuntimeOrigin::signed(ALICE), MODEL, sp_core::H160::repeat_byte(1), 10));
		}
		Settlement::on_initialize(2);
		assert!(events().contains(&Event::MessageDeferred { eth_request: 1 }));
		assert_eq!(Deferred::<Test>::count(), 1);
		assert!(queued().iter().all(|(k, _)| *k == Kind::TokenMint));
		check();
		next_block();
		assert_eq!(queued(), vec![(Kind::Refund, message::refund_body(1))]);
		assert_eq!(Deferred::<Test>::count(), 0);
	});
}
