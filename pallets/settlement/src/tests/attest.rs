//! Votes on the gateway's events: who may vote, the two-thirds tally, replays, the window, and versions.

use frame_support::{assert_noop, assert_ok};

use crate::{
	inbound::{EthEvent, Stream},
	mock::*,
	Claims, Error, EthSettings, Event, Executed, Ready, Voted,
};

#[test]
fn an_event_becomes_final_with_more_than_two_thirds_and_runs_in_the_next_block() {
	new_test_ext().execute_with(|| {
		let e = eth_request(1, 4, exact_fee(4));
		attest_by(2, &e);
		assert!(!Ready::<Test>::contains_key((Stream::Requests, 1)), "2 of 4 is not more than two thirds");
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[2]), e.clone()));
		let claim = e.claim_hash();
		assert!(events().contains(&Event::EventFinal { key: (Stream::Requests, 1), claim }));
		assert_eq!(Ready::<Test>::get((Stream::Requests, 1)), Some(e.clone()));
		// The tally is gone once final; the late fourth vote is refused.
		assert_eq!(Claims::<Test>::iter_prefix((Stream::Requests, 1)).count(), 0);
		assert_eq!(Voted::<Test>::iter_prefix((Stream::Requests, 1)).count(), 0);
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(signer_of(VALIDATORS[3])), e.clone()), Error::<Test>::AlreadyFinal);
		next_block();
		assert_eq!(Executed::<Test>::get(Stream::Requests), 1);
		assert!(!Ready::<Test>::contains_key((Stream::Requests, 1)));
		// Executed: any vote for it now is a replay.
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(signer_of(VALIDATORS[3])), e), Error::<Test>::AlreadyExecuted);
	});
}

#[test]
fn only_validators_vote_once_each_within_the_window_on_well_formed_events() {
	new_test_ext().execute_with(|| {
		let e = eth_request(1, 4, exact_fee(4));
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(ALICE), e.clone()), Error::<Test>::NotValidator);
		// Validator 33 votes with its operator key (account 133), not with its own account.
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(33), e.clone()), Error::<Test>::NotValidator);
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(133), e.clone()));
		assert_eq!(Voted::<Test>::get((Stream::Requests, 1), 33), Some(e.claim_hash()), "counted for the validator");
		assert_noop!(Settlement::attest(RuntimeOrigin::none(), e.clone()), sp_runtime::DispatchError::BadOrigin);
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), e.clone()));
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), e), Error::<Test>::AlreadyVoted);
		// Another version of the same event from the same validator is a second vote too.
		assert_noop!(
			Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(1, 5, exact_fee(5))),
			Error::<Test>::AlreadyVoted
		);
		assert_noop!(
			Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(0, 4, 1)),
			Error::<Test>::AlreadyExecuted
		);
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(WINDOW as u64, 4, 1)));
		assert_noop!(
			Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(WINDOW as u64 + 1, 4, 1)),
			Error::<Test>::TooFarAhead
		);
		let empty = EthEvent::Request {
			id: 2,
			requester: Default::default(),
			model: MODEL,
			prompt: Default::default(),
			max_new: 4,
			fee: 1,
		};
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[1]), empty), Error::<Test>::MalformedEvent);
		let nothing = EthEvent::Tokens { nonce: 1, model: MODEL, from: Default::default(), to: ALICE, amount: 0 };
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[1]), nothing), Error::<Test>::MalformedEvent);
	});
}

#[test]
fn nothing_is_attested_before_the_gateway_is_configured() {
	new_test_ext().execute_with(|| {
		EthSettings::<Test>::kill();
		assert_noop!(
			Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(1, 4, 1)),
			Error::<Test>::NotConfigured
		);
		assert_noop!(
			Settlement::configure(RuntimeOrigin::signed(ALICE), eth_config()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Settlement::configure(RuntimeOrigin::root(), eth_config()));
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), eth_request(1, 4, 1)));
	});
}

#[test]
fn a_version_one_validator_lies_about_does_not_win_and_the_true_one_does() {
	new_test_ext().execute_with(|| {
		let truth = eth_request(1, 4, exact_fee(4));
		// The liar claims a bigger fee.
		let lie = eth_request(1, 4, exact_fee(4) * 100);
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), lie.clone()));
		for v in &VALIDATORS[1..3] {
			assert_ok!(Settlement::attest(RuntimeOrigin::signed(*v), truth.clone()));
		}
		assert!(!Ready::<Test>::contains_key((Stream::Requests, 1)), "2 true votes and 1 lie of 4: nothing final");
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(signer_of(VALIDATORS[3])), truth.clone()));
		assert_eq!(Ready::<Test>::get((Stream::Requests, 1)), Some(truth));
	});
}

#[test]
fn votes_of_validators_who_left_the_set_do_not_count() {
	new_test_ext().execute_with(|| {
		let e = eth_request(1, 4, exact_fee(4));
		attest_by(2, &e);
		// Validators 0 and 1 leave; 40 and 41 join: the set is 32, 33, 40, 41.
		ValidatorSet::set(vec![VALIDATORS[2], VALIDATORS[3], 40, 41]);
		assert_noop!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), e.clone()), Error::<Test>::NotValidator);
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(VALIDATORS[2]), e.clone()));
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(signer_of(VALIDATORS[3])), e.clone()));
		assert!(!Ready::<Test>::contains_key((Stream::Requests, 1)), "two votes of the current set, not three");
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(40), e.clone()));
		assert_eq!(Ready::<Test>::get((Stream::Requests, 1)), Some(e));
	});
}

#[test]
fn each_stream_executes_in_order_and_a_later_event_waits_for_an_earlier_one() {
	new_test_ext().execute_with(|| {
		let second = eth_request(2, 4, exact_fee(4));
		attest_by(3, &second);
		next_block();
		assert_eq!(Executed::<Test>::get(Stream::Requests), 0, "request 2 waits for request 1");
		assert!(Ready::<Test>::contains_key((Stream::Requests, 2)));
		let first = eth_request(1, 4, exact_fee(4));
		attest_by(3, &first);
		next_block();
		assert_eq!(Executed::<Test>::get(Stream::Requests), 2, "both ran, in order");
		let queued: Vec<u64> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EthRequestQueued { eth_request, .. } => Some(eth_request),
				_ => None,
			})
			.collect();
		assert_eq!(queued, vec![1, 2]);
	});
}

#[test]
fn a_vote_that_counts_is_free_and_one_that_does_not_pays() {
	use frame_support::dispatch::Pays;
	new_test_ext().execute_with(|| {
		let e = eth_request(1, 4, exact_fee(4));
		let ok = Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), e.clone()).expect("counts");
		assert_eq!(ok.pays_fee, Pays::No);
		let err = Settlement::attest(RuntimeOrigin::signed(VALIDATORS[0]), e).expect_err("a second vote");
		assert_eq!(err.post_info.pays_fee, Pays::Yes);
	});
}
