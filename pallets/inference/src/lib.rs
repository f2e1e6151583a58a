//! # Inference pallet: Sibyl's oracle for AI inference
//!
//! Developers and wallets ask a registered model a question and get the answer back on chain, final and paid
//! for. Bonded operators run the model with Sibyl's deterministic engine in their nodes' off-chain workers and
//! propose results; a result becomes final after a challenge window, during which the dispute game (another
//! pallet, through [`traits::ResultDisputes`]) can hold it and later uphold or reject it.
//!
//! ## Terminology
//! - **Model**: registered under its engine commitment (`root`, a Merkle root over its configuration and
//!   tensors) with its configuration proven against that root ([`registration`]), a name, a fee per request
//!   and per generated token, an owner and a revenue account. A deposit is held from the owner while it is
//!   registered. Retiring a model stops new requests and releases the deposit.
//! - **Operator**: an account with a held bond of at least [`Config::MinOperatorBond`] that declares which
//!   models it serves. It unbonds with a delay and can withdraw only once its open work has ended. A missed
//!   deadline costs it [`Config::MissPenalty`], paid to the requester.
//! - **Request**: a prompt as token ids, the most tokens to generate and an optional tip. The fee
//!   ([`lifecycle::FeeTerms`]) is computed on chain and held; it is fixed at submission.
//! - **Result**: output token ids, the engine's final state root and its step count, proposed by the assigned
//!   operator with a bond of [`Config::ResultBond`].
//!
//! ## The lifecycle
//! The states and transitions are in [`lifecycle`], as plain functions:
//! 1. `submit` holds the request's maximum fee and queues it.
//! 2. At the start of the next block (or a later one, if the hook's weight is spent), an operator serving the
//!    model is drawn with the hash of the previous block as the seed ([`lifecycle::pick`]), skipping the
//!    requester itself, operators that already failed this request and operators with a full queue. Nobody,
//!    requester or operator, knows that hash when the request is signed. (The author of that block could grind
//!    its contents to bias the draw for requests it includes; a VRF-based randomness source would close that.)
//! 3. The operator proposes by its deadline (`propose_timeout` blocks), holding a result bond. If it misses,
//!    it pays the penalty and the request is drawn again among the others, up to [`Config::MaxAttempts`]
//!    operators; after that, or with nobody left, the fee is refunded whole.
//! 4. After `challenge_window` blocks with no open dispute, the result is final: the fee for the actual output
//!    length is split between the operator (plus the whole tip), the model's revenue ([`traits::ModelRevenue`])
//!    and the protocol account; the rest of the held fee goes back to the requester and the result bond to
//!    the operator.
//! 5. Before a result is proposed, the requester can cancel and gets everything back.
//! 6. Ended requests and their results stay readable for `retention` blocks, then are pruned.
//!
//! Every amount held (model deposit, operator bond, request fee, result bond) is released or paid exactly
//! once on every path; `try_state` checks that the holds equal what storage says is held.
//!
//! ## Hooks and bounds
//! `on_initialize` first handles the requests whose deadline, window or retention has come ([`Schedule`], at
//! most [`Config::MaxScheduledPerBlock`] per block), then draws operators for the waiting requests
//! ([`DrawCursor`], at most [`Config::MaxQueued`] waiting). It spends at most [`Config::HookWeight`]: before
//! each item it checks that the item's worst case still fits, and charges the item's benchmarked weight. What
//! does not fit is done in the next blocks, oldest first ([`WakeCursor`], [`DrawCursor`]); nothing is dropped.
//! Every storage item is bounded.
//!
//! ## Reading
//! The runtime API `InferenceApi` (crate `sibyl-inference-primitives`) quotes fees exactly, shows a request's
//! status, returns a result only once final, and lists an operator's queue; events mark every transition.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod apply;
mod impl_disputes;
mod impl_registry;
pub mod lifecycle;
#[cfg(test)]
mod mock;
pub mod offchain;
pub mod registration;
mod schedule;
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;
pub mod traits;
pub mod types;
mod view;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::Precision,
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	use crate::{
		lifecycle::{RefundReason, RequestStatus, TransitionError},
		registration::ConfigError,
		traits::{ModelRevenue, OnRequestEnd},
		types::*,
		WeightInfo,
	};

	/// The balance type of the pallet's currency.
	pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored model.
	pub type ModelOf<T> = ModelInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		<T as Config>::MaxNameLen,
		<T as Config>::MaxConfigLen,
	>;
	/// A stored operator.
	pub type OperatorOf<T> = OperatorInfo<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxModelsPerOperator,
		<T as Config>::MaxQueuePerOperator,
	>;
	/// A stored request.
	pub type RequestOf<T> = RequestInfo<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxPromptTokens,
		<T as Config>::MaxAttempts,
	>;
	/// A stored result.
	pub type ResultOf<T> =
		ResultInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxOutputTokens>;
	/// A request's status.
	pub type StatusOf<T> = RequestStatus<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A model's registration deposit.
		ModelDeposit,
		/// An operator's bond.
		OperatorBond,
		/// A request's fee, until the request ends.
		RequestFee,
		/// A proposed result's bond, until the result is final or rejected.
		ResultBond,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// The operator keys the off-chain worker signs proposals with ([`crate::offchain::crypto::OperatorId`]).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;
		/// The native currency, with holds.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Where a model's revenue goes.
		type Revenue: ModelRevenue<Self::AccountId, BalanceOf<Self>>;
		/// Hears how each request ends (the Ethereum bridge); `()` for nobody.
		type OnEnd: crate::traits::OnRequestEnd<BalanceOf<Self>>;
		/// Receives the protocol's share of every fee; must exist (endowed at genesis).
		#[pallet::constant]
		type ProtocolAccount: Get<Self::AccountId>;
		/// Held from a model's owner while the model is registered.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;
		/// The least bond with which an operator gets requests.
		#[pallet::constant]
		type MinOperatorBond: Get<BalanceOf<Self>>;
		/// Held from the proposer of a result until it is final.
		#[pallet::constant]
		type ResultBond: Get<BalanceOf<Self>>;
		/// Taken from an operator's bond, and paid to the requester, for each missed deadline.
		#[pallet::constant]
		type MissPenalty: Get<BalanceOf<Self>>;
		/// The operator's share of a fee (before the tip, which is all its own).
		#[pallet::constant]
		type OperatorShare: Get<Perbill>;
		/// The protocol's share of a fee; the model gets the rest.
		#[pallet::constant]
		type ProtocolShare: Get<Perbill>;
		/// Longest prompt, in tokens.
		#[pallet::constant]
		type MaxPromptTokens: Get<u32>;
		/// Longest output, in tokens; also the highest `max_new_limit` a model may set.
		#[pallet::constant]
		type MaxOutputTokens: Get<u32>;
		/// Longest model name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		/// Longest encoded model configuration, in bytes.
		#[pallet::constant]
		type MaxConfigLen: Get<u32>;
		/// Most operators serving one model.
		#[pallet::constant]
		type MaxOperatorsPerModel: Get<u32>;
		/// Most models one operator serves.
		#[pallet::constant]
		type MaxModelsPerOperator: Get<u32>;
		/// Most requests waiting for one operator's proposal.
		#[pallet::constant]
		type MaxQueuePerOperator: Get<u32>;
		/// Most requests waiting for their operator draw; a submission beyond it is refused (`QueueFull`).
		#[pallet::constant]
		type MaxQueued: Get<u32>;
		/// Most requests whose deadline, window or retention ends in one block.
		#[pallet::constant]
		type MaxScheduledPerBlock: Get<u32>;
		/// The most weight the block hook spends in one block (draws and scheduled work). What does not fit waits
		/// for the next block, oldest first. It must fit at least one item of each kind (`integrity_test`).
		#[pallet::constant]
		type HookWeight: Get<Weight>;
		/// Most operators a request is assigned to before it is refunded.
		#[pallet::constant]
		type MaxAttempts: Get<u32>;
		/// The longest one-step proof a dispute accepts, in bytes: a model whose proofs could be longer is refused
		/// at registration (`sibyl_engine::proof::size_bound`), so every dispute over its results can end.
		#[pallet::constant]
		type MaxStepProofLen: Get<u32>;
		/// Benchmarked weights.
		type WeightInfo: WeightInfo;
	}

	/// The id the next model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// Registered models (retired ones stay, for the requests that still refer to them).
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, ModelOf<T>>;

	/// The model registered under each engine commitment: one registration per commitment.
	#[pallet::storage]
	pub type ModelByRoot<T: Config> = StorageMap<_, Identity, Root, ModelId>;

	/// The operators serving each model, in the order they joined.
	#[pallet::storage]
	pub type ModelOperators<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, BoundedVec<T::AccountId, T::MaxOperatorsPerModel>, ValueQuery>;

	/// Bonded operators.
	#[pallet::storage]
	pub type Operators<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, OperatorOf<T>>;

	/// The id the next request gets.
	///
	/// Whitelisted in benchmarks, like `DrawCursor`: every block's hook reads both, so a call's later reads come
	/// from memory, and however many requests a block takes, the counter reaches the database as one write. The
	/// hook charges these two reads and two writes once per block ([`Pallet::counters_weight`]), and no call
	/// charges them again.
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type NextRequestId<T> = StorageValue<_, RequestId, ValueQuery>;

	/// Requests, until their retention ends.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, RequestOf<T>>;

	/// Proposed results, until their request is pruned.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, RequestId, ResultOf<T>>;

	/// The oldest request whose operator has not been drawn yet: requests `DrawCursor..NextRequestId` wait for
	/// their draw (those cancelled meanwhile are skipped), at most [`Config::MaxQueued`] of them. Whitelisted in
	/// benchmarks (see [`NextRequestId`]).
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type DrawCursor<T> = StorageValue<_, RequestId, ValueQuery>;

	/// The oldest block whose [`Schedule`] list may still hold work: the hook works from it up to the current
	/// block, so work that did not fit in a block's hook is done in the next ones.
	#[pallet::storage]
	pub type WakeCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The requests the hook looks at in each block (a deadline, a window end or a retention end). A request is
	/// in at most one block's list, the one in its `wake` field.
	#[pallet::storage]
	pub type Schedule<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, BoundedVec<RequestId, T::MaxScheduledPerBlock>, ValueQuery>;

	/// The lifecycle's timing.
	#[pallet::storage]
	pub type LifecycleParams<T: Config> = StorageValue<_, Params<BlockNumberFor<T>>, ValueQuery, DefaultParams<T>>;

	/// Default timing: 10-minute deadlines, 1-hour challenge window, 7-day retention and unbonding delay at
	/// 6-second blocks.
	#[pallet::type_value]
	pub fn DefaultParams<T: Config>() -> Params<BlockNumberFor<T>> {
		Params {
			propose_timeout: 100u32.into(),
			challenge_window: 600u32.into(),
			retention: 100_800u32.into(),
			unbond_delay: 100_800u32.into(),
		}
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Timing; the defaults if `None`.
		pub params: Option<Params<BlockNumberFor<T>>>,
		/// Models registered at genesis (ids from 0 in this order).
		pub models: Vec<GenesisModel<T::AccountId, BalanceOf<T>>>,
		/// Operators bonded at genesis.
		pub operators: Vec<GenesisOperator<T::AccountId, BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(p) = self.params {
				LifecycleParams::<T>::put(p);
			}
			// The protocol account must exist to receive shares smaller than the existential deposit.
			let protocol = T::ProtocolAccount::get();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&protocol) < ed {
				let _ = T::Currency::mint_into(&protocol, ed);
			}
			for m in &self.models {
				let r = Pallet::<T>::do_register_model(
					m.owner.clone(),
					m.name.clone(),
					m.root,
					m.config.clone(),
					m.config_proof.clone(),
					m.max_new_limit,
					m.fee_base,
					m.fee_per_token,
					m.revenue.clone(),
				);
				assert!(r.is_ok(), "genesis model {:?} refused: {:?}", m.name, r);
			}
			for o in &self.operators {
				let r = Pallet::<T>::do_bond(&o.who, o.bond);
				assert!(r.is_ok(), "genesis operator bond refused: {r:?}");
				for model in &o.models {
					let r = Pallet::<T>::do_serve(&o.who, *model);
					assert!(r.is_ok(), "genesis operator can not serve model {model}: {r:?}");
				}
			}
		}
	}

	/// Every transition of a model, operator or request. (Each variant's doc says what its fields are.)
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// A model was registered.
		ModelRegistered { model: ModelId, owner: T::AccountId, root: Root },
		/// A model's fees changed (for requests submitted from now on).
		ModelFeesChanged { model: ModelId, fee_base: BalanceOf<T>, fee_per_token: BalanceOf<T> },
		/// A model was retired; its deposit was released.
		ModelRetired { model: ModelId },
		/// An operator's bond grew to `total`.
		Bonded { operator: T::AccountId, total: BalanceOf<T> },
		/// An operator serves a model.
		Serving { operator: T::AccountId, model: ModelId },
		/// An operator stopped serving a model.
		StoppedServing { operator: T::AccountId, model: ModelId },
		/// An operator is leaving; its bond can be withdrawn from block `until`.
		Unbonding { operator: T::AccountId, until: BlockNumberFor<T> },
		/// An operator's bond was released.
		Withdrawn { operator: T::AccountId, amount: BalanceOf<T> },
		/// Part of an operator's bond was taken (to `beneficiary`, or burned if `None`).
		OperatorSlashed { operator: T::AccountId, amount: BalanceOf<T>, beneficiary: Option<T::AccountId> },
		/// A request was submitted; `max_fee` is held.
		RequestSubmitted { request: RequestId, requester: T::AccountId, model: ModelId, max_fee: BalanceOf<T> },
		/// An operator was drawn for a request.
		RequestAssigned { request: RequestId, operator: T::AccountId, deadline: BlockNumberFor<T> },
		/// The requester cancelled; everything held was returned.
		RequestCancelled { request: RequestId, refunded: BalanceOf<T> },
		/// The assigned operator missed its deadline and paid `penalty` to the requester.
		DeadlineMissed { request: RequestId, operator: T::AccountId, penalty: BalanceOf<T> },
		/// The request ended without a result; everything held was returned.
		RequestRefunded { request: RequestId, refunded: BalanceOf<T>, reason: RefundReason },
		/// A result was proposed; it is final at the start of block `window_end` unless disputed.
		ResultProposed {
			request: RequestId,
			operator: T::AccountId,
			output_tokens: u32,
			final_root: Root,
			steps: u32,
			window_end: BlockNumberFor<T>,
		},
		/// A dispute game opened on a result.
		ResultDisputed { request: RequestId, games: u32 },
		/// A dispute game ended with the result upheld.
		ResultUpheld { request: RequestId },
		/// A dispute game proved a result wrong; its bond went to `beneficiary`.
		ResultRejected { request: RequestId, operator: T::AccountId, beneficiary: T::AccountId },
		/// A result is final and the fee was paid: `fee` in all (tip included), of which `to_operator`,
		/// `to_model` and `to_protocol`; `refunded` of the held amount went back to the requester.
		RequestFinalized {
			request: RequestId,
			operator: T::AccountId,
			fee: BalanceOf<T>,
			to_operator: BalanceOf<T>,
			to_model: BalanceOf<T>,
			to_protocol: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// An ended request and its result were removed from storage.
		RequestPruned { request: RequestId },
		/// The lifecycle timing changed.
		ParamsChanged { params: Params<BlockNumberFor<T>> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model with this id.
		UnknownModel,
		/// The model is retired.
		ModelRetired,
		/// A model with this commitment is already registered.
		ModelAlreadyRegistered,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// The model name is empty or longer than `MaxNameLen`.
		BadName,
		/// The configuration is longer than `MaxConfigLen` or not a SCALE-encoded engine configuration.
		ConfigUndecodable,
		/// The engine can not run a model with this configuration.
		ConfigUnsupported,
		/// The configuration proof does not lead to the model's commitment.
		ConfigProofMismatch,
		/// A one-step proof of this model could be longer than `MaxStepProofLen`: its results could not be
		/// disputed to the end.
		StepProofTooLarge,
		/// `max_new_limit` is zero, over `MaxOutputTokens`, or leaves no room for a prompt.
		BadMaxNewLimit,
		/// Not enough free balance for the deposit, bond or fee.
		InsufficientBalance,
		/// The account is not a bonded operator.
		NotOperator,
		/// The bond would be under `MinOperatorBond`.
		BondTooLow,
		/// The operator is unbonding.
		OperatorUnbonding,
		/// The operator already serves this model.
		AlreadyServing,
		/// The operator does not serve this model.
		NotServing,
		/// The model already has `MaxOperatorsPerModel` operators.
		TooManyOperators,
		/// The operator already serves `MaxModelsPerOperator` models.
		TooManyModels,
		/// The unbonding delay has not passed.
		StillUnbonding,
		/// The operator still has requests that have not ended.
		OpenWork,
		/// The operator is not unbonding.
		NotUnbonding,
		/// The prompt has no tokens.
		EmptyPrompt,
		/// The prompt is longer than `MaxPromptTokens`, or prompt plus `max_new` exceeds the model's sequence.
		PromptTooLong,
		/// A prompt or output token id is outside the model's vocabulary.
		BadToken,
		/// `max_new` is zero.
		ZeroMaxNew,
		/// `max_new` is over the model's limit.
		MaxNewOverLimit,
		/// The fee does not fit in a balance.
		FeeOverflow,
		/// No operator other than the requester serves the model.
		NoOperator,
		/// `MaxQueued` requests already wait for their operator draw; try again in a few blocks.
		QueueFull,
		/// No request with this id (never submitted, or pruned).
		UnknownRequest,
		/// Only the requester may cancel.
		NotRequester,
		/// A result was already proposed, or the request ended.
		TooLateToCancel,
		/// Only the assigned operator may propose.
		NotAssignee,
		/// The request already has a result.
		AlreadyProposed,
		/// The request is not waiting for a result.
		NotAwaitingResult,
		/// The assignment's deadline has passed.
		DeadlinePassed,
		/// The output has no tokens.
		EmptyOutput,
		/// The output is longer than the request's `max_new`.
		OutputTooLong,
		/// The result can not be disputed (not proposed, or its window is over).
		NotChallengeable,
		/// The result has no open dispute.
		NotDisputed,
		/// No room in the schedule for the next blocks.
		ScheduleFull,
		/// The parameters are out of range (every period at least one block).
		BadParams,
	}

	impl<T> From<TransitionError> for Error<T> {
		fn from(e: TransitionError) -> Self {
			match e {
				TransitionError::TooLateToCancel => Error::TooLateToCancel,
				TransitionError::NotAssignee => Error::NotAssignee,
				TransitionError::AlreadyProposed => Error::AlreadyProposed,
				TransitionError::NotAwaitingResult | TransitionError::NotQueued => Error::NotAwaitingResult,
				TransitionError::DeadlinePassed => Error::DeadlinePassed,
				TransitionError::NotChallengeable => Error::NotChallengeable,
				TransitionError::NotDisputed => Error::NotDisputed,
			}
		}
	}

	impl<T> From<ConfigError> for Error<T> {
		fn from(e: ConfigError) -> Self {
			match e {
				ConfigError::Undecodable => Error::ConfigUndecodable,
				ConfigError::Unsupported => Error::ConfigUnsupported,
				ConfigError::ProofMismatch => Error::ConfigProofMismatch,
				ConfigError::StepProofTooLarge => Error::StepProofTooLarge,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_block(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			crate::offchain::run::<T>(now);
		}

		fn integrity_test() {
			assert!(T::MaxQueued::get() >= 1 && T::MaxScheduledPerBlock::get() >= 1);
			assert!(
				crate::apply::hook_floor::<T>().all_lte(T::HookWeight::get()),
				"the hook's weight can not fit one draw and one scheduled item"
			);
			assert!(T::MaxAttempts::get() >= 1);
			assert!(T::MaxOutputTokens::get() >= 1);
			assert!(
				T::OperatorShare::get().saturating_add(T::ProtocolShare::get()) <= Perbill::one(),
				"operator and protocol shares exceed the whole fee"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model under its engine commitment `root`. `config` is the SCALE-encoded engine
		/// configuration and `config_proof` the Merkle siblings proving it is leaf 0 of `root`
		/// (`sibyl-node engine commit --registration` prints both). Holds [`Config::ModelDeposit`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model(crate::registration::layers_for_len(
			config.len().min(T::MaxConfigLen::get() as usize) as u32
		)))]
		pub fn register_model(
			origin: OriginFor<T>,
			name: Vec<u8>,
			root: Root,
			config: Vec<u8>,
			config_proof: Vec<Root>,
			max_new_limit: u32,
			fee_base: BalanceOf<T>,
			fee_per_token: BalanceOf<T>,
			revenue: T::AccountId,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register_model(
				owner,
				name,
				root,
				config,
				config_proof,
				max_new_limit,
				fee_base,
				fee_per_token,
				revenue,
			)
			.map(|_| ())
		}

		/// Sets a model's fees for requests submitted from now on (owner only).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_model_fees())]
		pub fn set_model_fees(
			origin: OriginFor<T>,
			model: ModelId,
			fee_base: BalanceOf<T>,
			fee_per_token: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Models::<T>::try_mutate(model, |m| -> DispatchResult {
				let m = m.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(m.owner == who, Error::<T>::NotModelOwner);
				ensure!(m.state == ModelState::Active, Error::<T>::ModelRetired);
				m.fee_base = fee_base;
				m.fee_per_token = fee_per_token;
				Ok(())
			})?;
			Self::deposit_event(Event::ModelFeesChanged { model, fee_base, fee_per_token });
			Ok(())
		}

		/// Retires a model (owner only): no new requests; its deposit is released. Requests already made run
		/// to their end and pay its revenue account.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire_model())]
		pub fn retire_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(m.owner == who, Error::<T>::NotModelOwner);
			ensure!(m.state == ModelState::Active, Error::<T>::ModelRetired);
			T::Currency::release(&HoldReason::ModelDeposit.into(), &who, m.deposit, Precision::Exact)?;
			m.state = ModelState::Retired;
			m.deposit = Zero::zero();
			Models::<T>::insert(model, m);
			Self::deposit_event(Event::ModelRetired { model });
			Ok(())
		}

		/// Bonds `amount` more as an operator (the first bond must reach [`Config::MinOperatorBond`]).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, amount)
		}

		/// Starts serving `model`: the operator can be drawn for its requests.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::serve())]
		pub fn serve(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_serve(&who, model)
		}

		/// Stops serving `model`; requests already assigned stay assigned.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::stop_serving())]
		pub fn stop_serving(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut op = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			let pos = op.models.iter().position(|m| *m == model).ok_or(Error::<T>::NotServing)?;
			op.models.remove(pos);
			ModelOperators::<T>::mutate(model, |ops| ops.retain(|o| o != &who));
			Operators::<T>::insert(&who, op);
			Self::deposit_event(Event::StoppedServing { operator: who, model });
			Ok(())
		}

		/// Leaves: stops serving every model; the bond can be withdrawn after the unbonding delay once every
		/// open request of the operator has ended. It stays slashable until then.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut op = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			ensure!(op.state == OperatorState::Active, Error::<T>::OperatorUnbonding);
			for model in op.models.iter() {
				ModelOperators::<T>::mutate(model, |ops| ops.retain(|o| o != &who));
			}
			op.models = Default::default();
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(LifecycleParams::<T>::get().unbond_delay);
			op.state = OperatorState::Unbonding { until };
			Operators::<T>::insert(&who, op);
			Self::deposit_event(Event::Unbonding { operator: who, until });
			Ok(())
		}

		/// Releases an unbonding operator's whole bond once the delay has passed and its open work has ended.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let op = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			let OperatorState::Unbonding { until } = op.state else {
				return Err(Error::<T>::NotUnbonding.into());
			};
			ensure!(frame_system::Pallet::<T>::block_number() >= until, Error::<T>::StillUnbonding);
			ensure!(op.open == 0, Error::<T>::OpenWork);
			T::Currency::release(&HoldReason::OperatorBond.into(), &who, op.bond, Precision::Exact)?;
			Operators::<T>::remove(&who);
			Self::deposit_event(Event::Withdrawn { operator: who, amount: op.bond });
			Ok(())
		}

		/// Asks `model` for at most `max_new` tokens after `prompt` (token ids, the chat template applied).
		/// Holds the fee for `max_new` tokens plus `tip` (the runtime API's `quote` gives it exactly).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::submit(prompt.len().min(T::MaxPromptTokens::get() as usize) as u32))]
		pub fn submit(
			origin: OriginFor<T>,
			model: ModelId,
			prompt: Vec<u32>,
			max_new: u32,
			tip: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit(who, model, prompt, max_new, tip).map(|_| ())
		}

		/// Cancels a request before a result is proposed (requester only); everything held is returned.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::cancel().saturating_add(T::OnEnd::end_weight()))]
		pub fn cancel(origin: OriginFor<T>, request: RequestId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel(&who, request)
		}

		/// The assigned operator's result: the generated token ids, the engine's final state root and its step
		/// count. Holds [`Config::ResultBond`] until the result is final.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::propose(output.len().min(T::MaxOutputTokens::get() as usize) as u32))]
		pub fn propose(
			origin: OriginFor<T>,
			request: RequestId,
			output: Vec<u32>,
			final_root: Root,
			steps: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose(&who, request, output, final_root, steps)
		}

		/// Sets the lifecycle timing (root only). Applies to deadlines and windows started from now on.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: Params<BlockNumberFor<T>>) -> DispatchResult {
			ensure_root(origin)?;
			let one: BlockNumberFor<T> = 1u32.into();
			ensure!(
				params.propose_timeout >= one &&
					params.challenge_window >= one &&
					params.retention >= one &&
					params.unbond_delay >= one,
				Error::<T>::BadParams
			);
			LifecycleParams::<T>::put(params);
			Self::deposit_event(Event::ParamsChanged { params });
			Ok(())
		}
	}
}
