//! # Settlement pallet: messages to Ethereum
//!
//! What Sibyl tells Ethereum leaves as messages, committed by the validators through BEEFY:
//! - A message is `(nonce, kind, body)`, ABI-encoded (see [`message`]); nonces count up from 0 over the chain's
//!   life, so the gateway executes each once.
//! - The messages queued in block `n` ([`Messages`]) are Merkle-rooted (Keccak-256) in `n`'s `on_finalize`
//!   ([`MessagesRoot`]); block `n + 1`'s MMR leaf carries that root as `leaf_extra` (this pallet is the runtime's
//!   `BeefyDataProvider`), and `n + 1` clears them. A relayer reads a message's proof at block `n`
//!   ([`Pallet::message_proof`], the `SettlementApi`), the leaf of `n + 1` from the MMR and a BEEFY commitment to
//!   a root that includes it.
//! - At most [`Config::MaxMessagesPerBlock`] per block: a call that would queue one more fails (nothing is
//!   dropped).
//!
//! Producers so far: [`Pallet::bridge_out`] locks revenue-share units in this pallet's account and asks the
//! gateway to mint as many bridged units to an Ethereum address ([`Bridged`] counts them per model).

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod message;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungibles::Mutate,
			tokens::Preservation,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sibyl_inference_primitives::ModelId;
	use sp_core::{H160, H256};
	use sp_runtime::traits::AccountIdConversion;

	use crate::{
		message::{self, Kind, MessageProof},
		WeightInfo,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Models' revenue-share units (the revenue-share pallet's `fungibles`).
		type Tokens: Mutate<Self::AccountId, AssetId = ModelId, Balance = u128>;
		/// The worst-case weight of one transfer of [`Config::Tokens`] (the token pallet's own benchmark), added
		/// to this pallet's measured part of a call that moves units.
		type TransferWeight: Get<Weight>;
		/// Most messages one block may queue.
		#[pallet::constant]
		type MaxMessagesPerBlock: Get<u32>;
		/// Longest message body, in bytes.
		#[pallet::constant]
		type MaxBodyLen: Get<u32>;
		/// This pallet's id: its account holds the units bridged to Ethereum.
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

	/// The nonce of the next message.
	#[pallet::storage]
	pub type NextNonce<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// The messages this block queued, in nonce order (cleared at the start of the next block).
	#[pallet::storage]
	pub type Messages<T: Config> =
		StorageValue<_, BoundedVec<Outbound<T::MaxBodyLen>, T::MaxMessagesPerBlock>, ValueQuery>;

	/// The Merkle root of the last finished block's messages: the next block's MMR leaf carries it.
	#[pallet::storage]
	pub type MessagesRoot<T: Config> = StorageValue<_, H256, ValueQuery>;

	/// Units of each model's token locked here while they are on Ethereum.
	#[pallet::storage]
	pub type Bridged<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, u128, ValueQuery>;

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
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Clears the last block's messages (their root is already in this block's MMR leaf: the MMR pallet's
		/// hook runs before this one) and charges `on_finalize` for a block without messages: each message's
		/// share of the root is charged to the call that queues it ([`Pallet::queue_weight`]).
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Messages::<T>::kill();
			T::WeightInfo::on_initialize().saturating_add(T::WeightInfo::on_finalize(0))
		}

		fn on_finalize(_n: BlockNumberFor<T>) {
			let queued = Messages::<T>::get();
			let leaves: Vec<Vec<u8>> = queued.iter().map(|m| m.leaf()).collect();
			let root = message::root(&leaves);
			MessagesRoot::<T>::put(root);
			if !leaves.is_empty() {
				Self::deposit_event(Event::MessagesCommitted { root, count: leaves.len() as u32 });
			}
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
	}

	impl<T: Config> Pallet<T> {
		/// This pallet's account.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
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
			let nonce = NextNonce::<T>::get();
			let m = Outbound { nonce, kind, body };
			let leaf = m.leaf();
			Messages::<T>::try_mutate(|q| q.try_push(m)).map_err(|_| Error::<T>::TooManyMessages)?;
			NextNonce::<T>::put(nonce.saturating_add(1));
			Self::deposit_event(Event::MessageQueued { nonce, kind, leaf });
			Ok(nonce)
		}

		/// The leaves of this block's messages, in order.
		pub fn leaves() -> Vec<Vec<u8>> {
			Messages::<T>::get().iter().map(|m| m.leaf()).collect()
		}

		/// The proof of message `nonce`, at the block that queued it (the `SettlementApi`).
		pub fn message_proof(nonce: u64) -> Option<MessageProof> {
			let queued = Messages::<T>::get();
			let index = queued.iter().position(|m| m.nonce == nonce)?;
			let leaves: Vec<Vec<u8>> = queued.iter().map(|m| m.leaf()).collect();
			message::prove(&leaves, index as u32)
		}

		/// The money invariant: the units this pallet holds of each model are the units bridged out.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let me = Self::account();
			for (model, bridged) in Bridged::<T>::iter() {
				let held = <T::Tokens as frame_support::traits::fungibles::Inspect<T::AccountId>>::balance(model, &me);
				ensure!(held == bridged, "the bridge account holds other than Bridged");
			}
			let queued = Messages::<T>::get();
			let next = NextNonce::<T>::get();
			for (i, m) in queued.iter().enumerate() {
				let expect = next.saturating_sub(queued.len() as u64).saturating_add(i as u64);
				ensure!(m.nonce == expect, "this block's messages do not have the last nonces in order");
			}
			Ok(())
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
