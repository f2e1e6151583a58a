//! # Settlement pallet: Sibyl and Ethereum
//!
//! **To Ethereum**, what Sibyl tells the gateway contract leaves as messages, committed by the validators through
//! BEEFY:
//! - A message is `(nonce, kind, body)`, ABI-encoded (see [`message`]); nonces count up from 0 over the chain's
//!   life, so the gateway executes each once.
//! - The messages queued in block `n` ([`Messages`]) are Merkle-rooted (Keccak-256) in `n`'s `on_finalize`
//!   ([`MessagesRoot`]); block `n + 1`'s MMR leaf carries that root as `leaf_extra` (this pallet is the runtime's
//!   `BeefyDataProvider`). A relayer reads a message's proof at block `n` ([`Pallet::message_proof`], the
//!   `SettlementApi`), the leaf of `n + 1` from the MMR and a BEEFY commitment to a root that includes it.
//! - At most [`Config::MaxMessagesPerBlock`] per block: a call that would queue one more fails (nothing is
//!   dropped); a hook's message that does not fit waits in [`Deferred`] for a later block.
//! - Producers: [`Pallet::bridge_out`] locks revenue-share units in this pallet's account and asks the gateway to
//!   mint as many bridged units to an Ethereum address ([`Bridged`] counts them per model); the end of each
//!   request made on Ethereum sends its result or its refund.
//!
//! **From Ethereum**, the gateway's events are attested by the validators (see [`inbound`]):
//! - Each validator's off-chain worker reads the gateway's logs from the Ethereum endpoint given to its node
//!   (`--eth-rpc`), [`inbound::EthConfig::confirmations`] blocks deep, and signs [`Pallet::attest`] with its
//!   operator key (the account it validates with).
//! - Once more than two thirds of the current validator set voted for the same event, it is final
//!   ([`Ready`]); the next blocks execute each stream in order ([`Executed`]), so no event runs twice.
//! - `InferenceRequested`: the request enters the inference queue, its fee held from this pallet's Ethereum
//!   account (the fee in wei stays in the gateway for the fee collector), unless the fee in wei is below the
//!   request's price at [`inbound::EthConfig::wei_per_planck`] or the request is invalid: then it is refunded on
//!   Ethereum. `TokensToSibyl`: the units burned on Ethereum are released from this pallet's account.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod inbound;
pub mod message;
#[cfg(test)]
mod mock;
pub mod offchain;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		dispatch::{DispatchResultWithPostInfo, Pays},
		pallet_prelude::*,
		storage::with_storage_layer,
		traits::{fungibles::Mutate, tokens::Preservation},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use pallet_inference::traits::{OnRequestEnd, Oracle};
	use sibyl_inference_primitives::{ModelId, RequestId};
	use sp_core::{H160, H256};
	use sp_runtime::traits::{AccountIdConversion, Convert};

	use crate::{
		inbound::{self, EthConfig, EthEvent, EventKey, Stream, VoteError},
		message::{self, Kind, MessageProof},
		WeightInfo,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// Models' revenue-share units (the revenue-share pallet's `fungibles`).
		type Tokens: Mutate<Self::AccountId, AssetId = ModelId, Balance = u128>;
		/// The worst-case weight of one transfer of [`Config::Tokens`] (the token pallet's own benchmark), added
		/// to this pallet's measured part of a call that moves units.
		type TransferWeight: Get<Weight>;
		/// The inference oracle Ethereum requests are submitted to.
		type Oracle: Oracle<Self::AccountId, u128>;
		/// The current validator set: who may attest Ethereum events.
		type Validators: Get<Vec<Self::AccountId>>;
		/// The validator an attestation's signer attests for, if any (in the runtime: the validator whose
		/// session keys include the signer's operator key).
		type Attester: Convert<Self::AccountId, Option<Self::AccountId>>;
		/// The keys the off-chain worker signs attestations with (the operator keys, `sinf`).
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;
		/// Most validators in a set (votes kept per event).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// Longest prompt of an Ethereum request, in tokens (the oracle's own bound).
		#[pallet::constant]
		type MaxPromptTokens: Get<u32>;
		/// Longest answer, in tokens (the oracle's own bound): a result's body must fit [`Config::MaxBodyLen`].
		#[pallet::constant]
		type MaxOutputTokens: Get<u32>;
		/// How many events of each stream above the last executed one take votes.
		#[pallet::constant]
		type VoteWindow: Get<u32>;
		/// Most Ethereum requests open on Sibyl at once; one beyond it is refunded.
		#[pallet::constant]
		type MaxEthRequests: Get<u32>;
		/// Most attested events of each stream, and most deferred messages, one block executes.
		#[pallet::constant]
		type MaxExecutePerBlock: Get<u32>;
		/// Most messages one block may queue.
		#[pallet::constant]
		type MaxMessagesPerBlock: Get<u32>;
		/// Longest message body, in bytes.
		#[pallet::constant]
		type MaxBodyLen: Get<u32>;
		/// This pallet's id: its account holds the units bridged to Ethereum; its `eth` sub-account pays for
		/// Ethereum requests.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Weights of the calls and the hooks, measured.
		type WeightInfo: WeightInfo;
		/// Gives the benchmarks an account holding units of a model's token.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What the benchmarks need from the runtime.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId> {
		/// An account holding units of a model's token: (account, model, units held).
		fn holder() -> (AccountId, ModelId, u128);
		/// Makes `set` the validator set read by [`Config::Validators`].
		fn set_validators(set: Vec<AccountId>);
	}

	/// A queued message.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
	#[scale_info(skip_type_params(MaxBody))]
	pub struct Outbound<MaxBody: Get<u32>> {
		/// Its nonce.
		pub nonce: u64,
		/// What it asks.
		pub kind: Kind,
		/// Its ABI-encoded body.
		pub body: BoundedVec<u8, MaxBody>,
	}

	impl<MaxBody: Get<u32>> Outbound<MaxBody> {
		/// Its leaf in the block's tree.
		pub fn leaf(&self) -> Vec<u8> {
			message::leaf(self.nonce, self.kind, &self.body)
		}
	}

	/// A gateway event as this runtime bounds it.
	pub type EthEventOf<T> = EthEvent<<T as frame_system::Config>::AccountId, <T as Config>::MaxPromptTokens>;

	/// One version of an event and the validators who voted for it.
	#[derive(
		frame_support::CloneNoBound,
		frame_support::PartialEqNoBound,
		frame_support::EqNoBound,
		frame_support::DebugNoBound,
		Encode,
		Decode,
		MaxEncodedLen,
		TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	#[codec(mel_bound())]
	pub struct Claim<T: Config> {
		/// The event as they saw it.
		pub event: EthEventOf<T>,
		/// Who voted for it.
		pub voters: BoundedVec<T::AccountId, T::MaxValidators>,
	}

	/// Why an Ethereum request did not enter the queue (it is refunded on Ethereum).
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
	pub enum Refusal {
		/// [`Config::MaxEthRequests`] are open.
		TooManyOpen,
		/// The fee paid on Ethereum is below the request's price.
		FeeTooLow {
			/// The least fee, in wei.
			required: u128,
		},
		/// The oracle refused the request (unknown or retired model, bad tokens, prompt too long, no operator,
		/// queue full, or this pallet's Ethereum account can not pay).
		Oracle(DispatchError),
	}

	/// The nonce of the next message.
	#[pallet::storage]
	pub type NextNonce<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// The messages queued in block [`MessagesAt`], in nonce order (replaced by the next block that queues one).
	#[pallet::storage]
	pub type Messages<T: Config> =
		StorageValue<_, BoundedVec<Outbound<T::MaxBodyLen>, T::MaxMessagesPerBlock>, ValueQuery>;

	/// The block whose messages [`Messages`] holds.
	#[pallet::storage]
	pub type MessagesAt<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The Merkle root of the last finished block's messages: the next block's MMR leaf carries it.
	#[pallet::storage]
	pub type MessagesRoot<T: Config> = StorageValue<_, H256, ValueQuery>;

	/// Units of each model's token locked here while they are on Ethereum.
	#[pallet::storage]
	pub type Bridged<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, u128, ValueQuery>;

	/// Units that came back from Ethereum but could not be paid to their recipient (e.g. below the token's
	/// least balance): the recipient claims them ([`Pallet::claim_stranded`]).
	#[pallet::storage]
	pub type Stranded<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ModelId, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

	/// The gateway and how it is read and priced; nothing is attested until it is set.
	#[pallet::storage]
	pub type EthSettings<T: Config> = StorageValue<_, EthConfig, OptionQuery>;

	/// The highest executed event number of each stream (numbers start at 1).
	#[pallet::storage]
	pub type Executed<T: Config> = StorageMap<_, Twox64Concat, Stream, u64, ValueQuery>;

	/// The versions of each open event that have votes, by their hash.
	#[pallet::storage]
	pub type Claims<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, EventKey, Identity, H256, Claim<T>, OptionQuery>;

	/// Which version each validator voted for, per open event.
	#[pallet::storage]
	pub type Voted<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, EventKey, Blake2_128Concat, T::AccountId, H256, OptionQuery>;

	/// Attested events waiting for their turn.
	#[pallet::storage]
	pub type Ready<T: Config> = StorageMap<_, Blake2_128Concat, EventKey, EthEventOf<T>, OptionQuery>;

	/// Open requests made on Ethereum: the gateway's request id of each.
	#[pallet::storage]
	pub type EthRequests<T: Config> = CountedStorageMap<_, Twox64Concat, RequestId, u64, OptionQuery>;

	/// Messages for Ethereum requests that did not fit their block, by the gateway's request id.
	#[pallet::storage]
	pub type Deferred<T: Config> =
		CountedStorageMap<_, Twox64Concat, u64, (Kind, BoundedVec<u8, T::MaxBodyLen>), OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The gateway, if it is known at genesis.
		pub eth: Option<EthConfig>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(eth) = &self.eth {
				EthSettings::<T>::put(eth.clone());
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// A message to Ethereum, with its leaf (the ABI encoding the gateway checks).
		MessageQueued { nonce: u64, kind: Kind, leaf: Vec<u8> },
		/// `amount` units of `model` were locked from `from`; message `nonce` mints them to `recipient`.
		TokensBridgedOut { model: ModelId, from: T::AccountId, recipient: H160, amount: u128, nonce: u64 },
		/// The root of this block's `count` messages, which the next block's MMR leaf carries.
		MessagesCommitted { root: H256, count: u32 },
		/// The gateway settings changed.
		EthConfigured { config: EthConfig },
		/// `validator` voted (through its operator key) for version `claim` of event `key`, which now has `votes`
		/// votes of the set.
		Attested { key: EventKey, validator: T::AccountId, claim: H256, votes: u32 },
		/// More than two thirds of the set attested version `claim` of event `key`: it runs in its turn.
		EventFinal { key: EventKey, claim: H256 },
		/// Ethereum request `eth_request` entered the queue as request `request`, holding `max_fee`.
		EthRequestQueued { eth_request: u64, request: RequestId, max_fee: u128 },
		/// Ethereum request `eth_request` was refused; a refund message goes to Ethereum.
		EthRequestRefused { eth_request: u64, reason: Refusal },
		/// Request `request` (Ethereum's `eth_request`) ended: its result (or its refund) goes to Ethereum.
		EthRequestEnded { eth_request: u64, request: RequestId, answered: bool },
		/// A message for Ethereum request `eth_request` did not fit this block; it is sent in a later one.
		MessageDeferred { eth_request: u64 },
		/// `amount` units of `model` burned on Ethereum (bridge nonce `nonce`) were released to `to`.
		TokensReturned { nonce: u64, model: ModelId, to: T::AccountId, amount: u128 },
		/// The units of bridge nonce `nonce` could not be paid to `to`; it can claim them.
		TokensStranded { nonce: u64, model: ModelId, to: T::AccountId, amount: u128 },
		/// `who` claimed `amount` stranded units of `model`.
		StrandedClaimed { model: ModelId, who: T::AccountId, amount: u128 },
		/// Bridge nonce `nonce` names more units than are bridged out: nothing was released.
		TokensInRefused { nonce: u64, model: ModelId, amount: u128, bridged: u128 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This block already queued `MaxMessagesPerBlock` messages: try in the next one.
		TooManyMessages,
		/// The message body is longer than `MaxBodyLen`.
		BodyTooLong,
		/// Nothing to bridge.
		ZeroAmount,
		/// The zero address would burn the units on Ethereum.
		ZeroRecipient,
		/// The gateway is not configured yet.
		NotConfigured,
		/// Only members of the current validator set attest, each with the operator key in its session keys.
		NotValidator,
		/// This event was executed already: a replay.
		AlreadyExecuted,
		/// This event is too far ahead of the next one to execute; vote again later.
		TooFarAhead,
		/// This event is already final.
		AlreadyFinal,
		/// This validator already voted on this event.
		AlreadyVoted,
		/// The event carries an empty prompt, no tokens to generate or a zero amount.
		MalformedEvent,
		/// Nothing stranded for this account and model.
		NothingStranded,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Sends deferred messages, then executes attested events in order; charges what it did and an empty
		/// block's `on_finalize` (each queued message's share of the root is charged where it is queued).
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::process_inbound().saturating_add(T::WeightInfo::on_finalize(0))
		}

		fn on_finalize(n: BlockNumberFor<T>) {
			let queued = if MessagesAt::<T>::get() == n { Messages::<T>::get() } else { Default::default() };
			let leaves: Vec<Vec<u8>> = queued.iter().map(|m| m.leaf()).collect();
			let root = message::root(&leaves);
			MessagesRoot::<T>::put(root);
			if !leaves.is_empty() {
				Self::deposit_event(Event::MessagesCommitted { root, count: leaves.len() as u32 });
			}
		}

		fn offchain_worker(n: BlockNumberFor<T>) {
			crate::offchain::run::<T>(n);
		}

		fn integrity_test() {
			let longest = message::result_body(0, 0, 0, &alloc::vec![0; T::MaxOutputTokens::get() as usize], [0; 32]);
			assert!(longest.len() as u32 <= T::MaxBodyLen::get(), "MaxBodyLen does not fit the longest result");
			assert!(T::MaxMessagesPerBlock::get() >= 1 && T::VoteWindow::get() >= 1);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			crate::pallet::Pallet::<T>::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Locks `amount` units of `model`'s revenue-share token from the caller here and queues a message that
		/// mints as many bridged units to `recipient` on Ethereum.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::bridge_out().saturating_add(T::TransferWeight::get()).saturating_add(Pallet::<T>::queue_weight())
		)]
		pub fn bridge_out(origin: OriginFor<T>, model: ModelId, recipient: H160, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(amount > 0, Error::<T>::ZeroAmount);
			ensure!(recipient != H160::zero(), Error::<T>::ZeroRecipient);
			T::Tokens::transfer(model, &who, &Self::account(), amount, Preservation::Expendable)?;
			let nonce = Self::queue(Kind::TokenMint, message::token_mint_body(model, recipient, amount))?;
			Bridged::<T>::mutate(model, |b| *b = b.saturating_add(amount));
			Self::deposit_event(Event::TokensBridgedOut { model, from: who, recipient, amount, nonce });
			Ok(())
		}

		/// Sets the gateway, how deep its events must be and the price of a request in wei (root only).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::configure())]
		pub fn configure(origin: OriginFor<T>, config: EthConfig) -> DispatchResult {
			ensure_root(origin)?;
			EthSettings::<T>::put(config.clone());
			Self::deposit_event(Event::EthConfigured { config });
			Ok(())
		}

		/// A validator's vote that the gateway emitted `event`, signed with the operator key in its session keys (its
		/// off-chain worker sends it). Free when it counts.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::attest(T::MaxValidators::get()))]
		pub fn attest(origin: OriginFor<T>, event: EthEventOf<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_attest(who, event)?;
			Ok(Pays::No.into())
		}

		/// Pays the caller the units of `model` that came back from Ethereum for it but could not be paid then.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::claim_stranded().saturating_add(T::TransferWeight::get()))]
		pub fn claim_stranded(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let amount = Stranded::<T>::get(model, &who);
			ensure!(amount > 0, Error::<T>::NothingStranded);
			T::Tokens::transfer(model, &Self::account(), &who, amount, Preservation::Expendable)?;
			Stranded::<T>::remove(model, &who);
			Self::deposit_event(Event::StrandedClaimed { model, who, amount });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// This pallet's account: it holds the units on Ethereum.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// The account that pays Sibyl's fee for requests made on Ethereum (funded by governance).
		pub fn eth_account() -> T::AccountId {
			T::PalletId::get().into_sub_account_truncating(*b"eth-requests")
		}

		/// What one queued message adds to the block's `on_finalize` (its leaf encoded and hashed into the root,
		/// at the longest body). A call that queues messages adds this to its weight for each.
		pub fn queue_weight() -> Weight {
			T::WeightInfo::on_finalize(1).saturating_sub(T::WeightInfo::on_finalize(0))
		}

		/// Queues a message in this block; returns its nonce. Fails, queuing nothing, when the block is full or
		/// the body too long (so a caller's whole call fails and nothing is half done). The caller's weight must
		/// include [`Pallet::queue_weight`].
		pub fn queue(kind: Kind, body: Vec<u8>) -> Result<u64, DispatchError> {
			let body: BoundedVec<u8, T::MaxBodyLen> = body.try_into().map_err(|_| Error::<T>::BodyTooLong)?;
			let now = frame_system::Pallet::<T>::block_number();
			let nonce = NextNonce::<T>::get();
			let m = Outbound { nonce, kind, body };
			let leaf = m.leaf();
			let mut queued = if MessagesAt::<T>::get() == now { Messages::<T>::get() } else { Default::default() };
			queued.try_push(m).map_err(|_| Error::<T>::TooManyMessages)?;
			Messages::<T>::put(queued);
			MessagesAt::<T>::put(now);
			NextNonce::<T>::put(nonce.saturating_add(1));
			Self::deposit_event(Event::MessageQueued { nonce, kind, leaf });
			Ok(nonce)
		}

		/// This block's messages.
		fn this_blocks() -> BoundedVec<Outbound<T::MaxBodyLen>, T::MaxMessagesPerBlock> {
			if MessagesAt::<T>::get() == frame_system::Pallet::<T>::block_number() {
				Messages::<T>::get()
			} else {
				Default::default()
			}
		}

		/// The leaves of this block's messages, in order.
		pub fn leaves() -> Vec<Vec<u8>> {
			Self::this_blocks().iter().map(|m| m.leaf()).collect()
		}

		/// This block's messages: each nonce with its leaf (the `SettlementApi`).
		pub fn messages() -> Vec<(u64, Vec<u8>)> {
			Self::this_blocks().iter().map(|m| (m.nonce, m.leaf())).collect()
		}

		/// The proof of message `nonce`, at the block that queued it (the `SettlementApi`).
		pub fn message_proof(nonce: u64) -> Option<MessageProof> {
			let queued = Self::this_blocks();
			let index = queued.iter().position(|m| m.nonce == nonce)?;
			let leaves: Vec<Vec<u8>> = queued.iter().map(|m| m.leaf()).collect();
			message::prove(&leaves, index as u32)
		}

		/// A message for Ethereum request `eth_request`, in this block if it fits, else in a later one.
		pub(crate) fn queue_or_defer(eth_request: u64, kind: Kind, body: Vec<u8>) {
			let Ok(bounded) = BoundedVec::<u8, T::MaxBodyLen>::try_from(body.clone()) else {
				// `integrity_test` makes every result fit.
				log::error!(target: "runtime::settlement", "the message for Ethereum request {eth_request} is too long");
				return;
			};
			if Self::queue(kind, body).is_err() {
				Deferred::<T>::insert(eth_request, (kind, bounded));
				Self::deposit_event(Event::MessageDeferred { eth_request });
			}
		}

		/// The vote `signer` sends for `event`, counted for the validator it attests for.
		pub(crate) fn do_attest(signer: T::AccountId, event: EthEventOf<T>) -> DispatchResult {
			ensure!(EthSettings::<T>::exists(), Error::<T>::NotConfigured);
			let set = T::Validators::get();
			let who = T::Attester::convert(signer).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.contains(&who), Error::<T>::NotValidator);
			let well_formed = match &event {
				EthEvent::Request { prompt, max_new, .. } => !prompt.is_empty() && *max_new > 0,
				EthEvent::Tokens { amount, .. } => *amount > 0,
			};
			ensure!(well_formed, Error::<T>::MalformedEvent);
			let key = event.key();
			inbound::check_window(key.1, Executed::<T>::get(key.0), T::VoteWindow::get()).map_err(|e| match e {
				VoteError::Executed => Error::<T>::AlreadyExecuted,
				VoteError::TooFar => Error::<T>::TooFarAhead,
			})?;
			ensure!(!Ready::<T>::contains_key(key), Error::<T>::AlreadyFinal);
			ensure!(!Voted::<T>::contains_key(key, &who), Error::<T>::AlreadyVoted);
			let hash = event.claim_hash();
			let mut claim = Claims::<T>::get(key, hash).unwrap_or(Claim { event, voters: Default::default() });
			// Votes of validators who left the set no longer count; make room for the current ones.
			claim.voters.retain(|v| set.contains(v));
			claim.voters.try_push(who.clone()).map_err(|_| Error::<T>::NotValidator)?;
			let votes = claim.voters.len() as u32;
			Voted::<T>::insert(key, &who, hash);
			Self::deposit_event(Event::Attested { key, validator: who, claim: hash, votes });
			if inbound::passes(votes, set.len() as u32) {
				Ready::<T>::insert(key, claim.event);
				let limit = T::MaxValidators::get().saturating_mul(2);
				let _ = Claims::<T>::clear_prefix(key, limit, None);
				let _ = Voted::<T>::clear_prefix(key, limit, None);
				Self::deposit_event(Event::EventFinal { key, claim: hash });
			} else {
				Claims::<T>::insert(key, hash, claim);
			}
			Ok(())
		}

		/// The hook's inbound work: deferred messages first, then each stream's attested events in order, up to
		/// [`Config::MaxExecutePerBlock`] of each.
		pub(crate) fn process_inbound() -> Weight {
			let mut used = T::WeightInfo::on_initialize_idle();
			let max = T::MaxExecutePerBlock::get();
			if Deferred::<T>::count() > 0 {
				let waiting: Vec<(u64, (Kind, BoundedVec<u8, T::MaxBodyLen>))> =
					Deferred::<T>::iter().take(max as usize).collect();
				for (eth_request, (kind, body)) in waiting {
					used = used.saturating_add(T::WeightInfo::send_deferred()).saturating_add(Self::queue_weight());
					if Self::queue(kind, body.into_inner()).is_err() {
						break;
					}
					Deferred::<T>::remove(eth_request);
				}
			}
			// A refusal may defer its refund: requests wait while the deferred messages are many.
			let requests = if Deferred::<T>::count() < T::MaxEthRequests::get() { max } else { 0 };
			for _ in 0..requests {
				let next = Executed::<T>::get(Stream::Requests).saturating_add(1);
				let Some(event) = Ready::<T>::take((Stream::Requests, next)) else { break };
				Executed::<T>::insert(Stream::Requests, next);
				used = used.saturating_add(Self::request_weight());
				Self::execute(event);
			}
			for _ in 0..max {
				let next = Executed::<T>::get(Stream::Tokens).saturating_add(1);
				let Some(event) = Ready::<T>::take((Stream::Tokens, next)) else { break };
				Executed::<T>::insert(Stream::Tokens, next);
				used = used.saturating_add(T::WeightInfo::execute_tokens()).saturating_add(T::TransferWeight::get());
				Self::execute(event);
			}
			used
		}

		/// The most executing one Ethereum request costs: submitted, or refused with a refund message.
		fn request_weight() -> Weight {
			T::WeightInfo::execute_request(T::MaxPromptTokens::get())
				.max(T::WeightInfo::execute_request_refused())
				.saturating_add(Self::queue_weight())
		}

		/// Executes an attested event (its turn came).
		fn execute(event: EthEventOf<T>) {
			match event {
				EthEvent::Request { id, model, prompt, max_new, fee, .. } => {
					let refuse = |reason: Refusal| {
						Self::queue_or_defer(id, Kind::Refund, message::refund_body(id));
						Self::deposit_event(Event::EthRequestRefused { eth_request: id, reason });
					};
					if EthRequests::<T>::count() >= T::MaxEthRequests::get() {
						return refuse(Refusal::TooManyOpen);
					}
					let rate = EthSettings::<T>::get().map(|c| c.wei_per_planck).unwrap_or(u128::MAX);
					let max_fee = match T::Oracle::max_fee(model, max_new) {
						Ok(f) => f,
						Err(e) => return refuse(Refusal::Oracle(e)),
					};
					let required = inbound::required_wei(max_fee, rate).unwrap_or(u128::MAX);
					if fee < required {
						return refuse(Refusal::FeeTooLow { required });
					}
					let submitted =
						with_storage_layer(|| T::Oracle::submit(Self::eth_account(), model, prompt.into_inner(), max_new));
					match submitted {
						Ok(request) => {
							EthRequests::<T>::insert(request, id);
							Self::deposit_event(Event::EthRequestQueued { eth_request: id, request, max_fee });
						},
						Err(e) => refuse(Refusal::Oracle(e)),
					}
				},
				EthEvent::Tokens { nonce, model, to, amount, .. } => {
					let bridged = Bridged::<T>::get(model);
					if amount > bridged {
						Self::deposit_event(Event::TokensInRefused { nonce, model, amount, bridged });
						return;
					}
					Bridged::<T>::insert(model, bridged.saturating_sub(amount));
					let paid = with_storage_layer(|| {
						T::Tokens::transfer(model, &Self::account(), &to, amount, Preservation::Expendable)
					});
					if paid.is_ok() {
						Self::deposit_event(Event::TokensReturned { nonce, model, to, amount });
					} else {
						Stranded::<T>::mutate(model, &to, |s| *s = s.saturating_add(amount));
						Self::deposit_event(Event::TokensStranded { nonce, model, to, amount });
					}
				},
			}
		}

		/// The books: the units this pallet holds of each model are those bridged out plus those stranded; the
		/// messages of the block have the last nonces in order; the open Ethereum requests and deferred messages
		/// are within their bounds; attested events wait above what was executed.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::BTreeMap;
			let me = Self::account();
			let mut owed: BTreeMap<ModelId, u128> = BTreeMap::new();
			for (model, bridged) in Bridged::<T>::iter() {
				*owed.entry(model).or_default() += bridged;
			}
			for (model, _, amount) in Stranded::<T>::iter() {
				*owed.entry(model).or_default() += amount;
			}
			for (model, amount) in owed {
				let held = <T::Tokens as frame_support::traits::fungibles::Inspect<T::AccountId>>::balance(model, &me);
				ensure!(held == amount, "the bridge account holds other than Bridged and Stranded");
			}
			let queued = Messages::<T>::get();
			let next = NextNonce::<T>::get();
			for (i, m) in queued.iter().enumerate() {
				let expect = next.saturating_sub(queued.len() as u64).saturating_add(i as u64);
				ensure!(m.nonce == expect, "the last block's messages do not have the last nonces in order");
			}
			ensure!(EthRequests::<T>::count() <= T::MaxEthRequests::get(), "too many open Ethereum requests");
			ensure!(
				Deferred::<T>::count() <= T::MaxEthRequests::get().saturating_add(T::MaxEthRequests::get()),
				"too many deferred messages"
			);
			for ((stream, number), _) in Ready::<T>::iter() {
				ensure!(number > Executed::<T>::get(stream), "an attested event at or below the executed one");
			}
			Ok(())
		}
	}

	impl<T: Config> OnRequestEnd<u128> for Pallet<T> {
		fn on_finalized(request: RequestId, model: ModelId, output: &[u32], final_root: [u8; 32], _fee: u128) {
			if let Some(eth_request) = EthRequests::<T>::take(request) {
				let body = message::result_body(eth_request, request, model, output, final_root);
				Self::queue_or_defer(eth_request, Kind::InferenceResult, body);
				Self::deposit_event(Event::EthRequestEnded { eth_request, request, answered: true });
			}
		}

		fn on_refunded(request: RequestId) {
			if let Some(eth_request) = EthRequests::<T>::take(request) {
				Self::queue_or_defer(eth_request, Kind::Refund, message::refund_body(eth_request));
				Self::deposit_event(Event::EthRequestEnded { eth_request, request, answered: false });
			}
		}

		fn end_weight() -> Weight {
			T::WeightInfo::on_request_end().saturating_add(Self::queue_weight())
		}
	}

	impl<T: Config> sp_consensus_beefy::mmr::BeefyDataProvider<H256> for Pallet<T> {
		/// The root of the last finished block's messages (this block's MMR leaf is built before this block
		/// queues any).
		fn extra_data() -> H256 {
			MessagesRoot::<T>::get()
		}
	}
}
