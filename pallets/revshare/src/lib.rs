//! # Revenue-share pallet: every model owns its revenue (ERC-7641 semantics)
//!
//! A model's owner creates the model's one token, with a fixed supply minted to the owner (the model's
//! builders). From then on, the model's share of every finalized inference fee (paid by the inference pallet
//! through [`pallet_inference::traits::ModelRevenue`]) goes to this pallet's account and belongs to the token's
//! holders: they claim it, redeem part of it by burning tokens, and vote on grants from the model's treasury.
//! The builders can fund the model by selling tokens in an Initial Model Offering.
//!
//! ## Terminology
//! - **Token**: one per model ([`Tokens`]), with a name, symbol, decimals and a fixed supply. Holdings
//!   ([`Holdings`]) move by [`Pallet::transfer`] and by allowances ([`Pallet::approve`],
//!   [`Pallet::transfer_from`]); the pallet implements `fungibles::Inspect`, `fungibles::Mutate` (transfers only:
//!   the supply is fixed), `fungibles::metadata::Inspect` and `fungibles::approvals`, so that other pallets can
//!   use the tokens. A transfer may not leave either side with fewer units than the token's minimum balance
//!   (and more than none).
//! - **Revenue** arrives as *pending*. A **snapshot** (anyone, at most once per
//!   [`Config::MinSnapshotInterval`] blocks per token) splits what is pending: the token's `claim_share` becomes
//!   claimable by the holders at that moment in proportion to their balances, its `treasury_share` goes to the
//!   model's treasury, and the rest backs burns.
//! - **Claim**: a holder takes everything it is owed, from every snapshot since its last claim. Nothing expires
//!   (the ERC-7641 reference lets holders claim only the last two snapshots).
//! - **Burn**: a holder destroys units and receives their share of what backs burns
//!   ([`pool::Pool::redeemable_on_burn`]); what it was owed stays claimable. The last unit can not be burned, so
//!   revenue always has a holder.
//! - **Offering** ([`sale`]): the model's owner sells units at a fixed price during a period, with a minimum to
//!   raise and optionally a vesting period for its own remaining units. Buyers' funds are held; after the period
//!   each buyer is settled on its own (by anyone): units to the buyer and funds to the seller, or, if the minimum
//!   was not raised, funds back.
//! - **Grants** ([`grant`]): a holder proposes paying a beneficiary from the model's treasury; holders vote with
//!   their balances as they were when the proposal was made; after the voting period ([`VotingPeriod`], set at
//!   genesis and by root) anyone closes it,
//!   and it is paid if it passed.
//!
//! ## Costs and rounding
//! The accounting is in [`pool`]: revenue per unit of supply, so a claim, a transfer and a snapshot cost the same
//! whatever the number of holders and snapshots. Shares are kept to 10⁻¹⁸ planck and a claim pays whole planck:
//! the fraction stays with the holding, and the remainder of each division waits for the next snapshot. Nothing
//! is rounded away; `try_state` checks, to the 10⁻¹⁸ planck, that the holdings are owed exactly what snapshots
//! made claimable and was not claimed, that this pallet's account holds every planck received and not paid, and
//! that every held deposit and contribution is what storage says.
//!
//! The balance type is `u128`, for the native currency and the tokens' units alike.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod grant;
mod impl_fungibles;
mod impl_grants;
mod impl_revenue;
mod impl_sale;
mod impl_tokens;
#[cfg(test)]
mod mock;
pub mod pool;
pub mod sale;
#[cfg(test)]
mod tests;
mod try_state;
pub mod types;
mod view;
pub mod weights;

pub use weights::WeightInfo;

/// The holder count the calls whose benchmarks take one (`transfer`, `claim`, `snapshot`) are charged at: the
/// top of the benchmarked range. Their work and their storage accesses do not grow with the number of holders
/// (see [`pool`]); only the storage trie under them gets deeper, which the benchmarks' time shows.
pub const HOLDERS_CHARGED: u32 = 100_000;

/// Most vote records one call removes when a grant is closed or reaped.
pub const REAP_PER_CALL: u32 = 64;

#[frame_support::pallet]
pub mod pallet {
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			BuildGenesisConfig,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use pallet_inference::traits::ModelRegistry;
	use sp_runtime::{traits::Zero, Perbill};

	use crate::{
		grant::{Grant, GrantError, GrantStatus, Vote},
		pool::{Holding, Pool, PoolError},
		sale::{Sale, SaleError, Vesting},
		types::*,
		WeightInfo,
	};

	/// A stored token.
	pub type TokenOf<T> =
		TokenInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, <T as Config>::MaxNameLen, <T as Config>::MaxSymbolLen>;
	/// A stored sale.
	pub type SaleOf<T> = Sale<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A stored grant proposal.
	pub type GrantOf<T> = Grant<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// Identifies a grant proposal.
	pub type GrantId = u32;

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
		/// A buyer's funds committed to an offering, until its contribution is settled.
		SaleContribution,
		/// A grant proposer's deposit, until the proposal is closed.
		GrantDeposit,
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
		/// Longest sale period, in blocks.
		#[pallet::constant]
		type MaxSalePeriod: Get<BlockNumberFor<Self>>;
		/// Blocks a grant proposal takes votes, unless genesis or root set [`VotingPeriod`].
		#[pallet::constant]
		type DefaultVotingPeriod: Get<BlockNumberFor<Self>>;
		/// Share of the supply (when proposed) the ayes must reach for a grant to pass.
		#[pallet::constant]
		type Quorum: Get<Perbill>;
		/// Held from a grant's proposer until the proposal is closed.
		#[pallet::constant]
		type GrantDeposit: Get<u128>;
		/// Most grant proposals open at once on one model.
		#[pallet::constant]
		type MaxOpenGrants: Get<u32>;
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

	/// Allowances: (token, owner, spender) → what the spender may move.
	#[pallet::storage]
	pub type Approvals<T: Config> = StorageNMap<
		_,
		(NMapKey<Blake2_128Concat, ModelId>, NMapKey<Blake2_128Concat, T::AccountId>, NMapKey<Blake2_128Concat, T::AccountId>),
		Approval,
	>;

	/// Each model's offering, from its creation until every buyer is settled (one at a time per model).
	#[pallet::storage]
	pub type Sales<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, SaleOf<T>>;

	/// Units each buyer bought in a model's offering, until its contribution is settled.
	#[pallet::storage]
	pub type Contributions<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ModelId, Blake2_128Concat, T::AccountId, u128>;

	/// Sellers' units locked by a successful offering's vesting, until they are all unlocked.
	#[pallet::storage]
	pub type Vestings<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, ModelId, Blake2_128Concat, T::AccountId, Vesting<BlockNumberFor<T>>>;

	/// The id the next grant proposal gets.
	#[pallet::storage]
	pub type NextGrantId<T> = StorageValue<_, GrantId, ValueQuery>;

	/// Grant proposals, until closed and their votes removed.
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, GrantOf<T>>;

	/// Each model's proposals that take votes.
	#[pallet::storage]
	pub type OpenGrants<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, BoundedVec<GrantId, T::MaxOpenGrants>, ValueQuery>;

	/// Blocks a grant proposal takes votes.
	#[pallet::storage]
	pub type VotingPeriod<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery, T::DefaultVotingPeriod>;

	/// Balances as they were when a proposal was made, recorded for holders whose balance changed since.
	#[pallet::storage]
	pub type VoteBase<T: Config> = StorageDoubleMap<_, Twox64Concat, GrantId, Blake2_128Concat, T::AccountId, u128>;

	/// Votes on each proposal.
	#[pallet::storage]
	pub type Votes<T: Config> = StorageDoubleMap<_, Twox64Concat, GrantId, Blake2_128Concat, T::AccountId, Vote>;

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
		/// An offering was created; `amount` of the seller's units are frozen for it.
		SaleCreated {
			model: ModelId,
			seller: T::AccountId,
			price: u128,
			amount: u128,
			min_raise: u128,
			start: BlockNumberFor<T>,
			end: BlockNumberFor<T>,
			vesting: BlockNumberFor<T>,
		},
		/// A buyer committed `paid` (held) for `units`.
		Contributed { model: ModelId, who: T::AccountId, units: u128, paid: u128 },
		/// An offering was decided.
		SaleSettled { model: ModelId, succeeded: bool, sold: u128, raised: u128 },
		/// A buyer's contribution was settled: `units` delivered and `paid` to the seller, or `paid` refunded.
		ContributionSettled { model: ModelId, buyer: T::AccountId, units: u128, paid: u128, delivered: bool },
		/// Vested units were unlocked; `locked` remain.
		Vested { model: ModelId, who: T::AccountId, unlocked: u128, locked: u128 },
		/// A grant was proposed; votes are taken until `end`.
		GrantProposed { grant: GrantId, model: ModelId, proposer: T::AccountId, beneficiary: T::AccountId, amount: u128, end: BlockNumberFor<T> },
		/// A holder voted with `weight` units (its balance when the grant was proposed).
		Voted { grant: GrantId, who: T::AccountId, aye: bool, weight: u128 },
		/// A grant was closed; `paid` went to its beneficiary.
		GrantClosed { grant: GrantId, model: ModelId, status: GrantStatus, ayes: u128, nays: u128, paid: u128 },
		/// Grant proposals made from now on take votes for `blocks` blocks.
		VotingPeriodSet { blocks: BlockNumberFor<T> },
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
		/// A holding would be left with less than the token's minimum balance (and more than none), or a buyer's
		/// first contribution is under it.
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
		/// The model has an offering that is not over (one at a time).
		SaleOverlaps,
		/// A zero price or amount, a period that is empty, starts in the past or is longer than `MaxSalePeriod`.
		BadSaleTerms,
		/// The minimum to raise is more than selling every unit would raise.
		MinAboveCap,
		/// The model has no offering.
		NoSale,
		/// Outside the offering's period.
		NotInPeriod,
		/// The offering's period has not ended.
		SaleNotEnded,
		/// The offering is already decided.
		SaleSettled,
		/// The offering is not decided yet.
		SaleNotSettled,
		/// More units than the offering has left.
		OverCap,
		/// The seller can not buy its own units.
		SellerCannotBuy,
		/// No contribution of this buyer to settle.
		NoContribution,
		/// The seller's units from an earlier offering are still vesting.
		VestingActive,
		/// No vesting of this account.
		NoVesting,
		/// Nothing has vested since the last unlock.
		NothingVested,
		/// Only a holder can propose a grant.
		NotAHolder,
		/// The treasury holds less than the grant.
		TreasuryTooLow,
		/// The model has `MaxOpenGrants` proposals taking votes.
		TooManyGrants,
		/// No grant proposal with this id.
		UnknownGrant,
		/// The proposal's voting has ended.
		VotingEnded,
		/// The proposal's voting has not ended.
		VotingOpen,
		/// The proposal is already closed.
		GrantClosed,
		/// The proposal still takes votes.
		GrantOpen,
		/// The voter held no units when the proposal was made.
		NoVotingWeight,
		/// A voting period must be at least one block.
		BadVotingPeriod,
	}

	impl<T> From<PoolError> for Error<T> {
		fn from(e: PoolError) -> Self {
			match e {
				PoolError::NothingPending => Error::NothingPending,
				PoolError::InsufficientBalance => Error::InsufficientBalance,
				PoolError::LastUnits => Error::LastUnits,
				PoolError::TreasuryTooLow => Error::TreasuryTooLow,
				PoolError::Overflow => Error::Overflow,
			}
		}
	}

	impl<T> From<SaleError> for Error<T> {
		fn from(e: SaleError) -> Self {
			match e {
				SaleError::BadTerms => Error::BadSaleTerms,
				SaleError::MinAboveCap => Error::MinAboveCap,
				SaleError::NotInPeriod => Error::NotInPeriod,
				SaleError::NotEnded => Error::SaleNotEnded,
				SaleError::OverCap => Error::OverCap,
				SaleError::AlreadySettled => Error::SaleSettled,
				SaleError::NotSettled => Error::SaleNotSettled,
				SaleError::Overflow => Error::Overflow,
			}
		}
	}

	impl<T> From<GrantError> for Error<T> {
		fn from(e: GrantError) -> Self {
			match e {
				GrantError::VotingEnded => Error::VotingEnded,
				GrantError::VotingOpen => Error::VotingOpen,
				GrantError::Decided => Error::GrantClosed,
				GrantError::NoWeight => Error::NoVotingWeight,
			}
		}
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Blocks a grant proposal takes votes; [`Config::DefaultVotingPeriod`] if `None`.
		pub voting_period: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(p) = self.voting_period {
				VotingPeriod::<T>::put(p);
			}
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
		fn integrity_test() {
			assert!(T::MaxOpenGrants::get() >= 1, "at least one grant proposal can be open");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates `model`'s token: `supply` units, all to the caller, who must own the model. Each snapshot makes
		/// `claim_share` of the revenue claimable by the holders and gives `treasury_share` to the treasury; the
		/// rest backs burns. Transfers leave holdings with none or at least `min_balance` units.
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

		/// Offers `amount` of the caller's units of `model`'s token (it must own the model) at `price` planck per
		/// unit, from block `start` to block `end`; the sale succeeds if it raises at least `min_raise`. With a
		/// non-zero `vesting`, a successful sale locks the caller's remaining units, which unlock linearly over
		/// `vesting` blocks from `end`. The offered units are frozen until the sale is decided.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::create_sale())]
		pub fn create_sale(
			origin: OriginFor<T>,
			model: ModelId,
			price: u128,
			amount: u128,
			min_raise: u128,
			start: BlockNumberFor<T>,
			end: BlockNumberFor<T>,
			vesting: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_sale(&who, model, price, amount, min_raise, start, end, vesting)
		}

		/// Buys `units` in `model`'s offering during its period: `units × price` is held from the caller until
		/// its contribution is settled. A buyer's first contribution is at least the token's minimum balance.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::contribute())]
		pub fn contribute(origin: OriginFor<T>, model: ModelId, units: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_contribute(&who, model, units)
		}

		/// Decides `model`'s offering after its period (anyone): succeeded if it raised at least its minimum.
		/// Unsold units (all, if it failed) are unfrozen.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::settle_sale())]
		pub fn settle_sale(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle_sale(model)
		}

		/// Settles `buyer`'s contribution to a decided offering (anyone): its units and the seller's proceeds, or
		/// its refund.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::settle_contribution())]
		pub fn settle_contribution(origin: OriginFor<T>, model: ModelId, buyer: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle_contribution(model, &buyer)
		}

		/// Unlocks what has vested of `who`'s units of `model`'s token (anyone).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::vest())]
		pub fn vest(origin: OriginFor<T>, model: ModelId, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_vest(model, &who)
		}

		/// Proposes paying `amount` from `model`'s treasury to `beneficiary` for `purpose` (the hash of a text
		/// kept off chain). The caller must hold units; [`Config::GrantDeposit`] is held until the proposal is
		/// closed. Votes are taken for [`VotingPeriod`] blocks.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::propose_grant())]
		pub fn propose_grant(
			origin: OriginFor<T>,
			model: ModelId,
			beneficiary: T::AccountId,
			amount: u128,
			purpose: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose_grant(&who, model, beneficiary, amount, purpose).map(|_| ())
		}

		/// Votes for or against `grant` with the caller's balance as it was when the grant was proposed (a second
		/// vote replaces the first).
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::vote())]
		pub fn vote(origin: OriginFor<T>, grant: GrantId, aye: bool) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_vote(&who, grant, aye)
		}

		/// Closes `grant` after its voting (anyone): it is paid if the ayes outweigh the nays and reach the quorum
		/// and the treasury holds the amount. The proposer's deposit is released.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::close_grant())]
		pub fn close_grant(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close_grant(grant)
		}

		/// Removes more of a closed grant's vote records (anyone), and the grant once none is left.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::reap_grant())]
		pub fn reap_grant(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_reap_grant(grant)
		}

		/// Root: grant proposals made from now on take votes for `blocks` blocks (at least one).
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::set_voting_period())]
		pub fn set_voting_period(origin: OriginFor<T>, blocks: BlockNumberFor<T>) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(!blocks.is_zero(), Error::<T>::BadVotingPeriod);
			VotingPeriod::<T>::put(blocks);
			Self::deposit_event(Event::VotingPeriodSet { blocks });
			Ok(())
		}
	}
}
