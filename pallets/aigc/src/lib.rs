//! # AIGC pallet: an answer becomes an NFT (ERC-7007 semantics)
//!
//! The requester of a finalized inference request can mint it as a non-fungible token: AI-generated content
//! whose prompt and output anyone can verify against what the chain finalized.
//!
//! ## How it is bound
//! - Each model has one `pallet-nfts` collection, created by this pallet on the model's first mint, with the
//!   model's id as its collection id (the runtime lets nobody else create collections); the item id is the
//!   request id. So a token is bound to its model and its request: two models' answers to the same prompt are
//!   two tokens (ERC-7007's reference derives the id from the prompt alone, so two models collide).
//! - The NFT is an ordinary `pallet-nfts` item, so wallets that show NFTs show it; its attributes (namespace
//!   `Pallet`) carry the request id, the model's commitment, the hashes of prompt and output and the engine's
//!   final state root.
//! - [`Records`] keeps what was verified at mint, so [`Pallet::verify`] (the runtime API) answers after the
//!   request itself is pruned: `blake2_256` of the SCALE-encoded prompt and output token ids.
//!
//! ## Money
//! Minting costs [`Config::MintFee`], paid to the model's revenue (its revenue-share token's holders when it has
//! one, through [`pallet_inference::traits::ModelRevenue`]), and `pallet-nfts`' item deposit, reserved from the
//! minter while the item exists.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use codec::Encode;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::Mutate,
			tokens::{
				nonfungibles_v2::{Create, Mutate as NftMutate},
				Preservation,
			},
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use pallet_inference::traits::{FinalResults, ModelRegistry, ModelRevenue};
	use pallet_nfts::{CollectionConfig, CollectionSettings, ItemConfig, MintSettings};
	use sibyl_inference_primitives::{aigc::AigcRecord, ModelId, RequestId};
	use sp_runtime::traits::AccountIdConversion;

	use crate::WeightInfo;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config + pallet_nfts::Config<CollectionId = ModelId, ItemId = RequestId>
	{
		/// The native currency the mint fee is paid in.
		type Fees: Mutate<Self::AccountId, Balance = u128>;
		/// Finalized requests (the inference pallet).
		type Results: FinalResults<Self::AccountId>;
		/// Models' revenue accounts (the inference pallet).
		type Models: ModelRegistry<Self::AccountId>;
		/// Where a model's revenue goes (the revenue-share pallet).
		type Revenue: ModelRevenue<Self::AccountId, u128>;
		/// This pallet's id: its account owns the collections.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Paid by the minter to the model's revenue.
		#[pallet::constant]
		type MintFee: Get<u128>;
		/// Benchmarked weights.
		type WeightInfo: WeightInfo;
	}

	/// What each minted answer's NFT commits to, kept for verification.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RequestId, AigcRecord<T::AccountId>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// A model's collection was created (on its first mint).
		CollectionCreated { model: ModelId },
		/// An answer was minted: item `request` of collection `model`, to `owner`; `fee` went to the model's revenue.
		Minted { model: ModelId, request: RequestId, owner: T::AccountId, prompt_hash: [u8; 32], output_hash: [u8; 32], final_root: [u8; 32], fee: u128 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The request is not finalized (or no longer stored).
		NotFinal,
		/// Only the requester can mint its answer.
		NotRequester,
		/// This answer is already minted.
		AlreadyMinted,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Mints the answer of the caller's finalized `request` as an NFT: item `request` of the model's
		/// collection, to the caller, who pays [`Config::MintFee`] to the model's revenue and the item deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::mint().saturating_add(T::Revenue::revenue_weight()))]
		pub fn mint(origin: OriginFor<T>, request: RequestId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_mint(&who, request)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account that owns every model's collection.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// `blake2_256` of SCALE-encoded token ids, as records keep them.
		pub fn hash_tokens(tokens: &[u32]) -> [u8; 32] {
			sp_io::hashing::blake2_256(&tokens.encode())
		}

		/// The model's collection, created if this is its first mint: owned and issued by this pallet's account,
		/// items transferable, no supply limit.
		fn ensure_collection(model: ModelId) -> DispatchResult {
			if pallet_nfts::Collection::<T>::contains_key(model) {
				return Ok(());
			}
			let pallet = Self::account();
			let config = CollectionConfig {
				settings: CollectionSettings::all_enabled(),
				max_supply: None,
				mint_settings: MintSettings::default(),
			};
			<pallet_nfts::Pallet<T> as Create<T::AccountId, _>>::create_collection_with_id(model, &pallet, &pallet, &config)?;
			Self::deposit_event(Event::CollectionCreated { model });
			Ok(())
		}

		pub(crate) fn do_mint(who: &T::AccountId, request: RequestId) -> DispatchResult {
			let r = T::Results::final_result(request).ok_or(Error::<T>::NotFinal)?;
			ensure!(r.requester == *who, Error::<T>::NotRequester);
			ensure!(!Records::<T>::contains_key(request), Error::<T>::AlreadyMinted);
			Self::ensure_collection(r.model)?;
			<pallet_nfts::Pallet<T> as NftMutate<T::AccountId, ItemConfig>>::mint_into(
				&r.model,
				&request,
				who,
				&ItemConfig::default(),
				false,
			)?;
			let record = AigcRecord {
				model: r.model,
				model_root: r.model_root,
				prompt_hash: Self::hash_tokens(&r.prompt),
				output_hash: Self::hash_tokens(&r.output),
				final_root: r.final_root,
				minted_by: who.clone(),
			};
			for (key, value) in [
				(&b"request"[..], &request.to_le_bytes()[..]),
				(b"model_root", &record.model_root),
				(b"prompt_hash", &record.prompt_hash),
				(b"output_hash", &record.output_hash),
				(b"final_root", &record.final_root),
			] {
				<pallet_nfts::Pallet<T> as NftMutate<T::AccountId, ItemConfig>>::set_attribute(&r.model, &request, key, value)?;
			}
			let fee = T::MintFee::get();
			if fee > 0 {
				let revenue_account = T::Models::revenue_account(r.model).unwrap_or_else(Self::account);
				let payee = T::Revenue::payee(r.model, &revenue_account);
				T::Fees::transfer(who, &payee, fee, Preservation::Preserve)?;
				T::Revenue::on_revenue(r.model, fee);
			}
			Self::deposit_event(Event::Minted {
				model: r.model,
				request,
				owner: who.clone(),
				prompt_hash: record.prompt_hash,
				output_hash: record.output_hash,
				final_root: record.final_root,
				fee,
			});
			Records::<T>::insert(request, record);
			Ok(())
		}

		/// Whether `prompt` and `output` are exactly those of the answer minted as item `request` (ERC-7007's
		/// `verify`).
		pub fn verify(request: RequestId, prompt: &[u32], output: &[u32]) -> bool {
			Records::<T>::get(request)
				.is_some_and(|r| r.prompt_hash == Self::hash_tokens(prompt) && r.output_hash == Self::hash_tokens(output))
		}

		/// The record of item `request` and its current owner, if minted.
		pub fn record(request: RequestId) -> Option<(AigcRecord<T::AccountId>, Option<T::AccountId>)> {
			let r = Records::<T>::get(request)?;
			let owner = pallet_nfts::Pallet::<T>::owner(r.model, request);
			Some((r, owner))
		}

		/// Every record has its NFT's collection.
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (_, r) in Records::<T>::iter() {
				ensure!(pallet_nfts::Collection::<T>::contains_key(r.model), "a record without its model's collection");
			}
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}
