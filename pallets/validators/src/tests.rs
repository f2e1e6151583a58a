//! The schedule and the validator set through the real `pallet-session`.

use frame_support::{assert_noop, assert_ok, traits::EstimateNextSessionRotation, BoundedVec};
use sp_runtime::{DispatchError, Permill};

use crate::{mock::*, Error, Event, NextRotation, SessionLength};

fn set(v: &[AccountId]) -> BoundedVec<AccountId, frame_support::traits::ConstU32<MAX_VALIDATORS>> {
	v.to_vec().try_into().expect("small set")
}

fn scheduled() -> Vec<u64> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Validators(Event::SessionScheduled { next_rotation }) => Some(next_rotation),
			_ => None,
		})
		.collect()
}

#[test]
fn sessions_last_the_configured_length() {
	new_test_ext().execute_with(|| {
		assert_eq!(NextRotation::<Test>::get(), SESSION);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 0);
		run_to(SESSION - 1);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 0);
		run_to(SESSION);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 1);
		run_to(3 * SESSION);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 3);
		assert_eq!(scheduled(), vec![2 * SESSION, 3 * SESSION, 4 * SESSION]);
		// The genesis set stays while nobody changes it.
		assert!(sets().iter().all(|s| s == &GENESIS.to_vec()), "{:?}", sets());
	});
}

#[test]
fn a_new_set_is_queued_at_the_next_rotation_and_active_one_session_later() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(Validators::set_validators(RuntimeOrigin::root(), set(&[2, 3, 4])));
		System::assert_has_event(Event::ValidatorsSet { validators: vec![2, 3, 4] }.into());
		run_to(SESSION);
		// Rotation 1 activates what genesis queued and queues the new set.
		assert_eq!(Session::validators(), GENESIS.to_vec());
		assert_eq!(Session::queued_keys().iter().map(|(v, _)| *v).collect::<Vec<_>>(), vec![2, 3, 4]);
		run_to(2 * SESSION);
		assert_eq!(Session::validators(), vec![2, 3, 4]);
		assert_eq!(sets().last(), Some(&vec![2, 3, 4]));
	});
}

#[test]
fn bad_sets_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::set_validators(RuntimeOrigin::signed(1), set(&[1, 2])), DispatchError::BadOrigin);
		assert_noop!(Validators::set_validators(RuntimeOrigin::root(), set(&[])), Error::<Test>::NoValidators);
		assert_noop!(
			Validators::set_validators(RuntimeOrigin::root(), set(&[1, 2, 1])),
			Error::<Test>::DuplicateValidator
		);
		// 5 never set keys: it could not author, vote or sign.
		assert_noop!(
			Validators::set_validators(RuntimeOrigin::root(), set(&[1, 5])),
			Error::<Test>::ValidatorWithoutKeys
		);
		run_to(2 * SESSION);
		assert!(sets().iter().all(|s| s == &GENESIS.to_vec()));
	});
}

#[test]
fn a_new_length_applies_from_the_next_session() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::set_session_length(RuntimeOrigin::signed(1), 10), DispatchError::BadOrigin);
		assert_noop!(
			Validators::set_session_length(RuntimeOrigin::root(), MIN_SESSION - 1),
			Error::<Test>::SessionTooShort
		);
		assert_ok!(Validators::set_session_length(RuntimeOrigin::root(), 10));
		System::assert_has_event(Event::SessionLengthSet { blocks: 10 }.into());
		assert_eq!(SessionLength::<Test>::get(), 10);
		// The current session still ends when it was scheduled to.
		run_to(SESSION);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 1);
		assert_eq!(NextRotation::<Test>::get(), SESSION + 10);
		run_to(SESSION + 9);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 1);
		run_to(SESSION + 10);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 2);
	});
}

#[test]
fn the_next_rotation_is_estimated_from_the_schedule() {
	new_test_ext().execute_with(|| {
		assert_eq!(<Validators as EstimateNextSessionRotation<u64>>::average_session_length(), SESSION);
		assert_eq!(<Validators as EstimateNextSessionRotation<u64>>::estimate_next_session_rotation(1).0, Some(SESSION));
		run_to(SESSION);
		let (p, _) = <Validators as EstimateNextSessionRotation<u64>>::estimate_current_session_progress(SESSION);
		assert_eq!(p, Some(Permill::zero()));
		let (p, _) =
			<Validators as EstimateNextSessionRotation<u64>>::estimate_current_session_progress(SESSION + 2);
		assert_eq!(p, Some(Permill::from_percent(40)));
	});
}

#[cfg(feature = "try-runtime")]
#[test]
fn try_state_holds_across_rotations() {
	use frame_support::traits::TryState;
	new_test_ext().execute_with(|| {
		for n in 1..=(3 * SESSION) {
			run_to(n);
			assert_ok!(<Validators as TryState<u64>>::try_state(n, frame_support::traits::TryStateSelect::All));
		}
	});
}

#[test]
fn a_validator_names_its_operator_once_per_account_and_can_replace_it() {
	use crate::{AttesterOf, OperatorOf, ValidatorOfOperator};
	use sp_runtime::traits::Convert;
	new_test_ext().execute_with(|| {
		// Genesis named 101 for validator 1.
		assert_eq!(ValidatorOfOperator::<Test>::convert(101), Some(1));
		assert_eq!(ValidatorOfOperator::<Test>::convert(102), None);
		assert_ok!(Validators::set_operator(RuntimeOrigin::signed(2), 102));
		assert!(System::events()
			.iter()
			.any(|r| r.event == RuntimeEvent::Validators(Event::OperatorSet { validator: 2, operator: 102 })));
		assert_eq!(ValidatorOfOperator::<Test>::convert(102), Some(2));
		// Another validator's operator can not be taken.
		assert_noop!(Validators::set_operator(RuntimeOrigin::signed(3), 101), Error::<Test>::OperatorTaken);
		// Replacing frees the old one.
		assert_ok!(Validators::set_operator(RuntimeOrigin::signed(1), 111));
		assert_eq!(ValidatorOfOperator::<Test>::convert(101), None);
		assert_eq!(ValidatorOfOperator::<Test>::convert(111), Some(1));
		assert_eq!(OperatorOf::<Test>::get(1), Some(111));
		assert_eq!(AttesterOf::<Test>::iter().count(), 2);
		assert_ok!(Validators::set_operator(RuntimeOrigin::signed(3), 101));
		assert_noop!(Validators::set_operator(RuntimeOrigin::none(), 105), DispatchError::BadOrigin);
	});
}
