//! # Validators pallet: who validates, and for how long a session lasts
//!
//! `pallet-session` rotates the keys of Aura (authoring), GRANDPA (finality) and BEEFY (the commitments that
//! Ethereum verifies) at the end of every session. This pallet tells it when a session ends and who validates
//! next:
//! - [`Validators`]: the set that the next rotation queues (it becomes active one session later, as
//!   `pallet-session` queues a set a session ahead so that every node knows the next keys). Root changes it with
//!   [`Pallet::set_validators`]; every member must have set its session keys (`Session::set_keys`).
//! - [`SessionLength`]: blocks per session (genesis, root [`Pallet::set_session_length`]). Each rotation sets
//!   [`NextRotation`] to its block plus the length, so a change takes effect from the next session on and never
//!   ends the current one early. BEEFY starts a new validator set id at every session: a short session makes the
//!   bridge hand over often (each handover costs an Ethereum transaction), a long one keeps a leaving validator's
//!   key trusted longer.
//!
//! - [`OperatorOf`]: the operator account each validator names ([`Pallet::set_operator`], genesis). Its key is what
//!   the validator's node signs with off-chain: inference results, and attestations of Ethereum events, which count
//!   for the validator ([`AttesterOf`] is the way back). It is an account, not a session key: it holds bonds and
//!   pays fees, and a validator changes it at once, without waiting for a rotation.
//!
//! The decisions are plain functions in [`schedule`].

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod schedule;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, traits::Contains};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	use crate::{schedule, WeightInfo};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The most validators a set can have (the consensus pallets' `MaxAuthorities`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The shortest session root can set.
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;
		/// The session length of a genesis that names none.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;
		/// Accounts that have set session keys (`pallet-session`'s `NextKeys`).
		type HasKeys: Contains<Self::AccountId>;
		/// Weights of the calls, measured.
		type WeightInfo: WeightInfo;
		/// Gives the benchmarks' accounts session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What the benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// Makes `who` an account with session keys, so that it can be a validator.
		fn give_keys(who: &AccountId);
	}

	/// The validator set the next rotation queues.
	#[pallet::storage]
	pub type Validators<T: Config> = StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Blocks per session, from the next rotation on.
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The block at which the current session ends.
	#[pallet::storage]
	pub type NextRotation<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The operator account each validator named.
	#[pallet::storage]
	pub type OperatorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// The validator each operator account acts for (the inverse of [`OperatorOf`]).
	#[pallet::storage]
	pub type AttesterOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators (they must also have keys in `pallet-session`'s genesis). None: the validators
		/// of `pallet-session`'s genesis keys stay until root sets a set.
		pub validators: Vec<T::AccountId>,
		/// Blocks per session; [`Config::DefaultSessionLength`] if `None`.
		pub session_length: Option<BlockNumberFor<T>>,
		/// (validator, operator account) pairs.
		pub operators: Vec<(T::AccountId, T::AccountId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let length = self.session_length.unwrap_or_else(T::DefaultSessionLength::get);
			assert!(length >= T::MinSessionLength::get(), "genesis session length below MinSessionLength");
			let set: BoundedVec<_, _> =
				self.validators.clone().try_into().expect("genesis validators over MaxValidators");
			assert!(
				set.is_empty() || schedule::check_set(&set, |_| true).is_ok(),
				"genesis validators must not repeat"
			);
			Validators::<T>::put(set);
			SessionLength::<T>::put(length);
			NextRotation::<T>::put(length);
			for (validator, operator) in &self.operators {
				assert!(Pallet::<T>::do_set_operator(validator, operator).is_ok(), "genesis operators must not repeat");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// The next rotation queues these validators (active one session after it).
		ValidatorsSet { validators: Vec<T::AccountId> },
		/// Sessions from the next one on last `blocks` blocks.
		SessionLengthSet { blocks: BlockNumberFor<T> },
		/// A session started at this block; the next rotation is at `next_rotation`.
		SessionScheduled { next_rotation: BlockNumberFor<T> },
		/// `validator`'s operator account is now `operator`.
		OperatorSet { validator: T::AccountId, operator: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A validator set must not be empty.
		NoValidators,
		/// An account appears twice in the set.
		DuplicateValidator,
		/// A validator has not set its session keys (`Session::set_keys`).
		ValidatorWithoutKeys,
		/// The session length is below `MinSessionLength`.
		SessionTooShort,
		/// That account is already another validator's operator.
		OperatorTaken,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// `pallet-session` asks [`Pallet::should_end_session`] every block, which reads [`NextRotation`]: that
		/// read is charged here (a rotation's own weight is charged by `pallet-session`: the whole block).
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			T::DbWeight::get().reads(1)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			ensure!(set.is_empty() || schedule::check_set(&set, |_| true).is_ok(), "the validator set repeats");
			ensure!(SessionLength::<T>::get() >= T::MinSessionLength::get(), "session length below the minimum");
			for (validator, operator) in OperatorOf::<T>::iter() {
				ensure!(AttesterOf::<T>::get(&operator) == Some(validator), "OperatorOf and AttesterOf disagree");
			}
			ensure!(
				OperatorOf::<T>::iter().count() == AttesterOf::<T>::iter().count(),
				"an operator without its validator"
			);
			ensure!(
				NextRotation::<T>::get() > frame_system::Pallet::<T>::block_number(),
				"the current session should have ended"
			);
			Ok(())
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Root: the next rotation queues `validators`, who validate from the session after it. Each must have
		/// set session keys; the list has no repeats and at most `MaxValidators` entries.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_validators(validators.len() as u32))]
		pub fn set_validators(
			origin: OriginFor<T>,
			validators: BoundedVec<T::AccountId, T::MaxValidators>,
		) -> DispatchResult {
			ensure_root(origin)?;
			schedule::check_set(&validators, |v| T::HasKeys::contains(v)).map_err(|e| match e {
				schedule::SetError::Empty => Error::<T>::NoValidators,
				schedule::SetError::Duplicate(_) => Error::<T>::DuplicateValidator,
				schedule::SetError::NoKeys(_) => Error::<T>::ValidatorWithoutKeys,
			})?;
			Self::deposit_event(Event::ValidatorsSet { validators: validators.to_vec() });
			Validators::<T>::put(validators);
			Ok(())
		}

		/// Root: sessions from the next one on last `blocks` blocks (at least `MinSessionLength`).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(origin: OriginFor<T>, blocks: BlockNumberFor<T>) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(!blocks.is_zero() && blocks >= T::MinSessionLength::get(), Error::<T>::SessionTooShort);
			SessionLength::<T>::put(blocks);
			Self::deposit_event(Event::SessionLengthSet { blocks });
			Ok(())
		}

		/// Names `operator` as the caller's operator account (replacing the one it named before), whose key its
		/// node signs results and attestations with. Any account may name one; it counts while the caller
		/// validates.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_operator())]
		pub fn set_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			let validator = ensure_signed(origin)?;
			Self::do_set_operator(&validator, &operator)?;
			Self::deposit_event(Event::OperatorSet { validator, operator });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_set_operator(validator: &T::AccountId, operator: &T::AccountId) -> DispatchResult {
			if let Some(owner) = AttesterOf::<T>::get(operator) {
				ensure!(&owner == validator, Error::<T>::OperatorTaken);
			}
			if let Some(previous) = OperatorOf::<T>::get(validator) {
				AttesterOf::<T>::remove(previous);
			}
			OperatorOf::<T>::insert(validator, operator);
			AttesterOf::<T>::insert(operator, validator);
			Ok(())
		}
	}

	/// The validator an operator account acts for.
	pub struct ValidatorOfOperator<T>(core::marker::PhantomData<T>);
	impl<T: Config> sp_runtime::traits::Convert<T::AccountId, Option<T::AccountId>> for ValidatorOfOperator<T> {
		fn convert(operator: T::AccountId) -> Option<T::AccountId> {
			AttesterOf::<T>::get(operator)
		}
	}

	impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
		fn should_end_session(now: BlockNumberFor<T>) -> bool {
			schedule::should_rotate(now, NextRotation::<T>::get())
		}
	}

	impl<T: Config> frame_support::traits::EstimateNextSessionRotation<BlockNumberFor<T>> for Pallet<T> {
		fn average_session_length() -> BlockNumberFor<T> {
			SessionLength::<T>::get()
		}

		fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<sp_runtime::Permill>, Weight) {
			let p = schedule::progress(now, NextRotation::<T>::get(), SessionLength::<T>::get());
			(Some(p), T::DbWeight::get().reads(2))
		}

		fn estimate_next_session_rotation(_now: BlockNumberFor<T>) -> (Option<BlockNumberFor<T>>, Weight) {
			(Some(NextRotation::<T>::get()), T::DbWeight::get().reads(1))
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		/// Called by `pallet-session` at each rotation (and twice at genesis): schedules the session that starts
		/// now and returns the set to queue.
		/// (An empty set, only possible before this pallet's genesis is built, keeps the current one.)
		fn new_session(_index: u32) -> Option<Vec<T::AccountId>> {
			let now = frame_system::Pallet::<T>::block_number();
			let next_rotation = schedule::rotation_after(now, SessionLength::<T>::get());
			NextRotation::<T>::put(next_rotation);
			Self::deposit_event(Event::SessionScheduled { next_rotation });
			let set = Validators::<T>::get();
			(!set.is_empty()).then(|| set.into_inner())
		}

		fn end_session(_index: u32) {}

		fn start_session(_index: u32) {}
	}
}
