//! # Revenue-share pallet: every model owns its revenue (ERC-7641 semantics)
//!
//! A model's owner creates the model's one token, with a fixed supply minted to the owner (the model's
//! builders). From then on, the model's share of every finalized inference fee (paid by the inference pallet
//! through [`pallet_inference::traits::ModelRevenue`]) goes to this pallet's account and belongs to the token's
//! holders: they claim it, and they redeem part of it by burning tokens.
//!
//! ## Terminology
//! - **Token**: one per model ([`Tokens`]), with a name, symbol, decimals and a fixed supply. Holdings
//!   ([`Holdings`]) move by [`Pallet::transfer`] and by allowances ([`Pallet::approve`],
//!   [`Pallet::transfer_from`]); the pallet implements `fungibles::Inspect`, `fungibles::Mutate` (transfers only:
//!   the supply is fixed), `fungibles::metadata::Inspect` and `fungibles::approvals`, so that other pallets can
//!   use the tokens.
//! - **Revenue** arrives as *pending*. A **snapshot** (anyone, at most once per
//!   [`Config::MinSnapshotInterval`] blocks per token) splits what is pending: the token's `claim_share` becomes
//!   claimable by the holders at that moment in proportion to their balances, its `treasury_share` goes to the
//!   model's treasury (grants), and the rest backs burns.
//! - **Claim**: a holder takes everything it is owed, from every snapshot since its last claim. Nothing expires
//!   (the ERC-7641 reference lets holders claim only the last two snapshots).
//! - **Burn**: a holder destroys units and receives their share of what backs burns
//!   ([`pool::Pool::redeemable_on_burn`]); what it was owed stays claimable. The last unit can not be burned, so
//!   revenue always has a holder.
//!
//! ## Costs and rounding
//! The accounting is in [`pool`]: revenue per unit of supply, so a claim, a transfer and a snapshot cost the same
//! whatever the number of holders and snapshots. Shares are kept to 10⁻¹⁸ planck and a claim pays whole planck:
//! the fraction stays with the holding, and the remainder of each division waits for the next snapshot. Nothing
//! is rounded away; `try_state` checks, to the 10⁻¹⁸ planck, that the holdings are owed exactly what snapshots
//! made claimable and was not claimed, and that this pallet's account holds every planck received and not paid.
//!
//! The balance type is `u128`, for the native currency and the tokens' units alike.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impl_fungibles;
mod impl_revenue;
#[cfg(test)]
mod mock;
pub mod pool;
#[cfg(test)]
mod tests;
pub mod types;
mod view;
pub mod weights;

pub use weights::WeightInfo;

/// The holder count the calls whose benchmarks take one (`transfer`, `claim`, `snapshot`) are charged at: the
/// top of the benchmarked range. Their cost does not grow with the number of holders (see [`pool`]).
pub const HOLDERS_CHARGED: u32 = 10_000;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Precision, Preservation},
			BuildGenesisConfig,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use pallet_inference::traits::ModelRegistry;
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating},
		Perbill,
	};

	use crate::{
		pool::{Holding, Pool, PoolError, SnapshotSplit},
		types::*,
		WeightInfo,
	};

	/// A stored token.
	pub type TokenOf<T> =
		TokenInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, <T as Config>::MaxNameLen, <T as Config>::MaxSymbolLen>;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for an allowance, while it exists.
		ApprovalDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency, with holds; revenue is paid in it.
		type Currency: Mutate<Self::AccountId, Balance = u128>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who owns a model (the inference pallet).
		type Models: ModelRegistry<Self::AccountId>;
		/// This pallet's id: its account holds every token's revenue.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Longest token name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		/// Longest token symbol, in bytes.
		#[pallet::constant]
		type MaxSymbolLen: Get<u32>;
		/// Fewest blocks between two snapshots of one token.
		#[pallet::constant]
		type MinSnapshotInterval: Get<BlockNumberFor<Self>>;
		/// Held from a token holder for each allowance it grants, while the allowance exists.
		#[pallet::constant]
		type ApprovalDeposit: Get<u128>;
		/// Benchmarked weights.
		type WeightInfo: WeightInfo;
	}

	/// Each model's token.
	#[pallet::storage]
	pub type Tokens<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, TokenOf<T>>;

	/// Each holder's tokens and what it is owed. A holding with no tokens and less than a planck owed is removed.
	#[pallet::storage]
	pub type Holdings<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ModelId, Blake2_128Concat, T::AccountId, Holding>;

	/// Allowances: (token, owner) → spender → what it may move.
	#[pallet::storage]
	pub type Approvals<T: Config> = StorageNMap<
		_,
		(NMapKey<Blake2_128Concat, ModelId>, NMapKey<Blake2_128Concat, T::AccountId>, NMapKey<Blake2_128Concat, T::AccountId>),
		Approval,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	#[allow(missing_docs)]
	pub enum Event<T: Config> {
		/// A model's token was created; its whole supply is the creator's.
		TokenCreated { model: ModelId, creator: T::AccountId, supply: u128, claim_share: Perbill, treasury_share: Perbill },
		/// Units moved.
		Transferred { model: ModelId, from: T::AccountId, to: T::AccountId, amount: u128 },
		/// `owner` allowed `spender` to move `amount` of its units (0: the allowance ended, its deposit released).
		Approved { model: ModelId, owner: T::AccountId, spender: T::AccountId, amount: u128 },
		/// The model's share of a fee arrived; it waits for the next snapshot.
		RevenueReceived { model: ModelId, amount: u128 },
		/// Snapshot `id` split what was pending over a supply of `supply` units.
		Snapshot { model: ModelId, id: u32, claimable: u128, to_treasury: u128, redeemable: u128, supply: u128 },
		/// A holder claimed what it was owed.
		Claimed { model: ModelId, who: T::AccountId, amount: u128 },
		/// A holder burned units and received their share of what backs burns.
		Burned { model: ModelId, who: T::AccountId, amount: u128, redeemed: u128 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model with this id.
		UnknownModel,
		/// Only the model's owner can do this.
		NotModelOwner,
		/// The model already has its token.
		TokenExists,
		/// The model has no token.
		NoToken,
		/// The supply must be at least one unit, and at least the minimum balance.
		BadSupply,
		/// The claim and treasury shares add up to more than the whole revenue.
		BadShares,
		/// The name is longer than `MaxNameLen`.
		NameTooLong,
		/// The symbol is longer than `MaxSymbolLen`.
		SymbolTooLong,
		/// The minimum balance must be at least one unit.
		BadMinBalance,
		/// More than the holding can move (frozen units can not).
		InsufficientBalance,
		/// A holding would be left with less than the token's minimum balance (and more than none).
		BelowMinimum,
		/// More than the allowance.
		AllowanceTooLow,
		/// A snapshot of this token was taken less than `MinSnapshotInterval` blocks ago.
		SnapshotTooSoon,
		/// No revenue arrived since the last snapshot.
		NothingPending,
		/// Nothing to claim.
		NothingToClaim,
		/// The last units of a token can not be burned.
		LastUnits,
		/// Nothing to do with zero units.
		ZeroAmount,
		/// A number would overflow.
		Overflow,
		/// The pallet's account can not pay what the books say it holds (a broken invariant; see `try_state`).
		PotShort,
	}

	impl<T> From<PoolError> for Error<T> {
		fn from(e: PoolError) -> Self {
			match e {
				PoolError::NothingPending => Error::NothingPending,
				PoolError::InsufficientBalance => Error::InsufficientBalance,
				PoolError::LastUnits => Error::LastUnits,
				PoolError::TreasuryTooLow | PoolError::Overflow => Error::Overflow,
			}
		}
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		_config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The pallet's account must exist to receive revenue shares smaller than the existential deposit.
			let pot = Pallet::<T>::account();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&pot) < ed {
				let _ = T::Currency::mint_into(&pot, ed);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates `model`'s token: `supply` units, all to the caller, who must own the model. Each snapshot makes
		/// `claim_share` of the revenue claimable by the holders and gives `treasury_share` to the treasury; the
		/// rest backs burns. Holdings are zero or at least `min_balance` units.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_token())]
		pub fn create_token(
			origin: OriginFor<T>,
			model: ModelId,
			name: Vec<u8>,
			symbol: Vec<u8>,
			decimals: u8,
			supply: u128,
			min_balance: u128,
			claim_share: Perbill,
			treasury_share: Perbill,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let owner = T::Models::owner(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(owner == who, Error::<T>::NotModelOwner);
			ensure!(!Tokens::<T>::contains_key(model), Error::<T>::TokenExists);
			ensure!(min_balance >= 1, Error::<T>::BadMinBalance);
			ensure!(supply >= 1 && supply >= min_balance, Error::<T>::BadSupply);
			ensure!(
				claim_share.deconstruct() as u64 + treasury_share.deconstruct() as u64 <= Perbill::one().deconstruct() as u64,
				Error::<T>::BadShares
			);
			let name: BoundedVec<u8, T::MaxNameLen> = name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
			let symbol: BoundedVec<u8, T::MaxSymbolLen> = symbol.try_into().map_err(|_| Error::<T>::SymbolTooLong)?;
			let (pool, holding) = Pool::new(supply);
			Tokens::<T>::insert(
				model,
				TokenInfo {
					creator: who.clone(),
					name,
					symbol,
					decimals,
					min_balance,
					claim_share,
					treasury_share,
					last_snapshot: frame_system::Pallet::<T>::block_number(),
					snapshots: 0,
					pool,
				},
			);
			Holdings::<T>::insert(model, &who, holding);
			Self::deposit_event(Event::TokenCreated { model, creator: who, supply, claim_share, treasury_share });
			Ok(())
		}

		/// Moves `amount` of the caller's units of `model`'s token to `dest`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::transfer(crate::HOLDERS_CHARGED))]
		pub fn transfer(origin: OriginFor<T>, model: ModelId, dest: T::AccountId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_transfer(model, &who, &dest, amount)
		}

		/// Allows `spender` to move up to `amount` of the caller's units (replacing any earlier allowance; 0 ends
		/// it). [`Config::ApprovalDeposit`] is held from the caller while an allowance exists.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(origin: OriginFor<T>, model: ModelId, spender: T::AccountId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_approve(model, &who, &spender, amount)
		}

		/// Moves `amount` of `owner`'s units to `dest` within the caller's allowance.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::transfer_from())]
		pub fn transfer_from(
			origin: OriginFor<T>,
			model: ModelId,
			owner: T::AccountId,
			dest: T::AccountId,
			amount: u128,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_transfer_from(model, &owner, &who, &dest, amount)
		}

		/// Takes a snapshot of `model`'s token: what arrived since the last one is split between the holders (as
		/// their balances are now), the treasury and what backs burns. Anyone can; at most once per
		/// [`Config::MinSnapshotInterval`] blocks.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::snapshot(crate::HOLDERS_CHARGED))]
		pub fn snapshot(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_snapshot(model).map(|_| ())
		}

		/// Pays the caller everything it is owed by `model`'s token.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::claim(crate::HOLDERS_CHARGED))]
		pub fn claim(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(model, &who).map(|_| ())
		}

		/// Burns `amount` of the caller's units and pays it their share of what backs burns
		/// ([`Pallet::redeemable_on_burn`]); what the caller is owed stays claimable.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::burn())]
		pub fn burn(origin: OriginFor<T>, model: ModelId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_burn(model, &who, amount).map(|_| ())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account that holds every token's revenue.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// `who`'s holding of `model`'s token (an empty one if it has none).
		pub(crate) fn holding(model: ModelId, who: &T::AccountId) -> Holding {
			Holdings::<T>::get(model, who).unwrap_or_default()
		}

		/// Stores `h` as `who`'s holding, or removes it if it is spent (no units, less than a planck owed: that
		/// fraction goes back to the pool). Returns whether `token` changed.
		pub(crate) fn put_holding(model: ModelId, who: &T::AccountId, h: Holding, token: &mut TokenOf<T>) -> bool {
			if token.pool.is_spent(&h) {
				Holdings::<T>::remove(model, who);
				token.pool.absorb(&h);
				!h.owed.is_zero()
			} else {
				Holdings::<T>::insert(model, who, h);
				false
			}
		}

		/// Checks that a holding may have `balance` units of a token with minimum `min`.
		fn check_min(balance: u128, min: u128) -> DispatchResult {
			ensure!(balance == 0 || balance >= min, Error::<T>::BelowMinimum);
			Ok(())
		}

		pub(crate) fn do_transfer(model: ModelId, from: &T::AccountId, to: &T::AccountId, amount: u128) -> DispatchResult {
			let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
			ensure!(amount > 0, Error::<T>::ZeroAmount);
			let mut src = Self::holding(model, from);
			ensure!(src.free() >= amount, Error::<T>::InsufficientBalance);
			if from != to {
				let mut dst = Self::holding(model, to);
				token.pool.transfer(&mut src, &mut dst, amount).map_err(Error::<T>::from)?;
				Self::check_min(src.balance, token.min_balance)?;
				Self::check_min(dst.balance, token.min_balance)?;
				let changed = Self::put_holding(model, from, src, &mut token);
				Holdings::<T>::insert(model, to, dst);
				if changed {
					Tokens::<T>::insert(model, token);
				}
			}
			Self::deposit_event(Event::Transferred { model, from: from.clone(), to: to.clone(), amount });
			Ok(())
		}

		pub(crate) fn do_approve(model: ModelId, owner: &T::AccountId, spender: &T::AccountId, amount: u128) -> DispatchResult {
			ensure!(Tokens::<T>::contains_key(model), Error::<T>::NoToken);
			let key = (model, owner, spender);
			let reason = HoldReason::ApprovalDeposit.into();
			match (Approvals::<T>::get(key), amount) {
				(None, 0) => {},
				(Some(a), 0) => {
					T::Currency::release(&reason, owner, a.deposit, Precision::BestEffort)?;
					Approvals::<T>::remove(key);
				},
				(Some(a), _) => Approvals::<T>::insert(key, Approval { amount, deposit: a.deposit }),
				(None, _) => {
					let deposit = T::ApprovalDeposit::get();
					T::Currency::hold(&reason, owner, deposit)?;
					Approvals::<T>::insert(key, Approval { amount, deposit });
				},
			}
			Self::deposit_event(Event::Approved { model, owner: owner.clone(), spender: spender.clone(), amount });
			Ok(())
		}

		pub(crate) fn do_transfer_from(
			model: ModelId,
			owner: &T::AccountId,
			spender: &T::AccountId,
			dest: &T::AccountId,
			amount: u128,
		) -> DispatchResult {
			let key = (model, owner, spender);
			let a = Approvals::<T>::get(key).ok_or(Error::<T>::AllowanceTooLow)?;
			ensure!(a.amount >= amount, Error::<T>::AllowanceTooLow);
			Self::do_transfer(model, owner, dest, amount)?;
			let left = a.amount - amount;
			if left == 0 {
				T::Currency::release(&HoldReason::ApprovalDeposit.into(), owner, a.deposit, Precision::BestEffort)?;
				Approvals::<T>::remove(key);
			} else {
				Approvals::<T>::insert(key, Approval { amount: left, deposit: a.deposit });
			}
			Ok(())
		}

		pub(crate) fn do_snapshot(model: ModelId) -> Result<SnapshotSplit, DispatchError> {
			let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				token.snapshots == 0 || now >= token.last_snapshot.saturating_add(T::MinSnapshotInterval::get()),
				Error::<T>::SnapshotTooSoon
			);
			let split = token.pool.snapshot(token.claim_share, token.treasury_share).map_err(Error::<T>::from)?;
			token.snapshots = token.snapshots.saturating_add(1);
			token.last_snapshot = now;
			let (id, supply) = (token.snapshots, token.pool.supply);
			Tokens::<T>::insert(model, token);
			Self::deposit_event(Event::Snapshot {
				model,
				id,
				claimable: split.claimable,
				to_treasury: split.treasury,
				redeemable: split.redeemable,
				supply,
			});
			Ok(split)
		}

		/// Pays `amount` of revenue to `who` from the pallet's account.
		fn pay(who: &T::AccountId, amount: u128) -> DispatchResult {
			T::Currency::transfer(&Self::account(), who, amount, Preservation::Preserve)
				.map(|_| ())
				.map_err(|_| Error::<T>::PotShort.into())
		}

		pub(crate) fn do_claim(model: ModelId, who: &T::AccountId) -> Result<u128, DispatchError> {
			let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
			let mut h = Holdings::<T>::get(model, who).ok_or(Error::<T>::NothingToClaim)?;
			let amount = token.pool.claim(&mut h).map_err(Error::<T>::from)?;
			ensure!(amount > 0, Error::<T>::NothingToClaim);
			Self::pay(who, amount)?;
			Self::put_holding(model, who, h, &mut token);
			Tokens::<T>::insert(model, token);
			Self::deposit_event(Event::Claimed { model, who: who.clone(), amount });
			Ok(amount)
		}

		pub(crate) fn do_burn(model: ModelId, who: &T::AccountId, amount: u128) -> Result<u128, DispatchError> {
			let mut token = Tokens::<T>::get(model).ok_or(Error::<T>::NoToken)?;
			ensure!(amount > 0, Error::<T>::ZeroAmount);
			let mut h = Self::holding(model, who);
			let redeemed = token.pool.burn(&mut h, amount).map_err(Error::<T>::from)?;
			Self::check_min(h.balance, token.min_balance)?;
			if redeemed > 0 {
				Self::pay(who, redeemed)?;
			}
			Self::put_holding(model, who, h, &mut token);
			Tokens::<T>::insert(model, token);
			Self::deposit_event(Event::Burned { model, who: who.clone(), amount, redeemed });
			Ok(redeemed)
		}

		/// Checks every token's books against its holdings and the pallet's account against every token: see
		/// [`crate::pool::Pool::check`].
		#[cfg(any(feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut held = 0u128;
			for (model, token) in Tokens::<T>::iter() {
				let holdings: Vec<Holding> = Holdings::<T>::iter_prefix_values(model).collect();
				token.pool.check(holdings.iter()).map_err(sp_runtime::TryRuntimeError::Other)?;
				for h in &holdings {
					ensure!(h.balance == 0 || h.balance >= token.min_balance, "a holding below the minimum balance");
				}
				held = held.saturating_add(token.pool.held());
			}
			for (model, _) in Holdings::<T>::iter_keys() {
				ensure!(Tokens::<T>::contains_key(model), "a holding of a token that does not exist");
			}
			let pot = T::Currency::balance(&Self::account());
			ensure!(pot >= held.saturating_add(T::Currency::minimum_balance()), "the pallet's account holds less than the books");
			// Every allowance's deposit is held from its owner, and nothing else under this reason.
			let mut deposits = alloc::collections::BTreeMap::<T::AccountId, u128>::new();
			for ((model, owner, _), a) in Approvals::<T>::iter() {
				ensure!(Tokens::<T>::contains_key(model), "an allowance of a token that does not exist");
				ensure!(a.amount > 0, "an empty allowance");
				*deposits.entry(owner).or_default() += a.deposit;
			}
			for (owner, sum) in deposits {
				let held = T::Currency::balance_on_hold(&HoldReason::ApprovalDeposit.into(), &owner);
				ensure!(held == sum, "an owner's allowance deposits differ from what is held for them");
			}
			Ok(())
		}
	}
}
