//! Properties over random Ethereum requests: each ends in exactly one message to Ethereum (its result or its
//! refund), and every unit held from the bridge's Ethereum account is paid or released exactly once.

use proptest::prelude::*;

use crate::{message::Kind, mock::*, EthRequests};
use pallet_inference::{lifecycle::RequestStatus, Event as InferenceEvent};

#[derive(Clone, Debug)]
struct Ask {
	max_new: u32,
	/// 0: a wei short of the price; 1: exactly; 2: ten times.
	fee: u8,
	/// Whether its operator answers (else deadlines pass and it is refunded).
	answered: bool,
}

fn ask() -> impl Strategy<Value = Ask> {
	(1u32..=MAX_OUTPUT + 1, 0u8..3, any::<bool>()).prop_map(|(max_new, fee, answered)| Ask { max_new, fee, answered })
}

fn first_word(body: &[u8]) -> u64 {
	let mut b = [0u8; 8];
	b.copy_from_slice(&body[24..32]);
	u64::from_be_bytes(b)
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(24))]

	#[test]
	fn every_ethereum_request_gets_one_answer_or_refund_and_the_books_balance(asks in proptest::collection::vec(ask(), 1..=MAX_ETH_REQUESTS as usize)) {
		new_test_ext().execute_with(|| {
			let pot = Settlement::eth_account();
			let start = free(pot);
			for (i, a) in asks.iter().enumerate() {
				let price = exact_fee(a.max_new);
				let fee = match a.fee { 0 => price - 1, 1 => price, _ => price * 10 };
				attest_by(3, &eth_request(i as u64 + 1, a.max_new, fee));
			}
			let mut messages: Vec<(u64, Kind)> = Vec::new();
			let (mut paid, mut penalties) = (0u128, 0u128);
			let mut answered_ids = std::collections::BTreeMap::new();
			for _ in 0..40 {
				next_block();
				for e in System::events() {
					match e.event {
						RuntimeEvent::Settlement(crate::Event::MessageQueued { kind, leaf, .. }) => {
							// The body starts at the leaf's fifth word (nonce, kind, offset, length).
							messages.push((first_word(&leaf[128..]), kind));
						},
						RuntimeEvent::Settlement(crate::Event::EthRequestQueued { eth_request, request, .. }) => {
							answered_ids.insert(request, asks[eth_request as usize - 1].answered);
						},
						RuntimeEvent::Inference(InferenceEvent::RequestFinalized { fee, .. }) => paid += fee,
						RuntimeEvent::Inference(InferenceEvent::DeadlineMissed { penalty, .. }) => penalties += penalty,
						_ => {},
					}
				}
				// Operators answer what they are asked to, if the request is to be answered.
				for (request, yes) in answered_ids.iter() {
					let assigned = matches!(
						pallet_inference::Requests::<Test>::get(request).map(|r| r.status),
						Some(RequestStatus::Assigned { .. })
					);
					if *yes && assigned {
						answer(*request, vec![1]);
					}
				}
			}
			messages.sort();
			let ids: Vec<u64> = messages.iter().map(|(id, _)| *id).collect();
			let expected: Vec<u64> = (1..=asks.len() as u64).collect();
			prop_assert_eq!(ids, expected, "one message per Ethereum request: {:?}", messages);
			prop_assert_eq!(EthRequests::<Test>::count(), 0);
			prop_assert_eq!(
				<Balances as frame_support::traits::fungible::InspectHold<AccountId>>::total_balance_on_hold(&pot),
				0
			);
			prop_assert_eq!(free(pot), start - paid + penalties);
			for (id, kind) in messages {
				let a = &asks[id as usize - 1];
				let valid = a.fee > 0 && a.max_new <= MAX_OUTPUT;
				let want = if valid && a.answered { Kind::InferenceResult } else { Kind::Refund };
				prop_assert_eq!(kind, want, "request {}: {:?}", id, a);
			}
			Ok(())
		})?;
	}
}
