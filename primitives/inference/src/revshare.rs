//! Reading revenue-share tokens: the [`RevshareApi`] runtime API and the views it returns.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

use crate::ModelId;

/// A model's token as clients see it. Amounts in planck of the native currency, balances in token units.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TokenView<AccountId, BlockNumber> {
	/// Who created it (the model's owner then).
	pub creator: AccountId,
	/// Name (UTF-8).
	pub name: Vec<u8>,
	/// Symbol (UTF-8).
	pub symbol: Vec<u8>,
	/// Decimals a wallet shows.
	pub decimals: u8,
	/// Units in existence.
	pub supply: u128,
	/// Least non-zero balance of a holding.
	pub min_balance: u128,
	/// The holders' share of revenue.
	pub claim_share: Perbill,
	/// The treasury's share of revenue.
	pub treasury_share: Perbill,
	/// Snapshots taken.
	pub snapshots: u32,
	/// Block of the last snapshot (or of creation).
	pub last_snapshot: BlockNumber,
	/// Revenue received since the last snapshot.
	pub pending: u128,
	/// Claimable by holders and not claimed yet.
	pub outstanding: u128,
	/// What backs burns.
	pub redeemable: u128,
	/// The treasury, for grants.
	pub treasury: u128,
	/// Every planck ever received.
	pub received: u128,
	/// Every planck ever claimed.
	pub claimed: u128,
	/// Every planck ever redeemed by burns.
	pub redeemed: u128,
	/// Every planck ever paid out of the treasury.
	pub granted: u128,
}

/// An account's holding of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct HoldingView {
	/// Units held.
	pub balance: u128,
	/// Units that can not move now.
	pub frozen: u128,
	/// Planck it can claim now.
	pub claimable: u128,
}

sp_api::decl_runtime_apis! {
	/// Reading Sibyl's revenue-share tokens.
	pub trait RevshareApi<AccountId, BlockNumber>
	where
		AccountId: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A model's token.
		fn token(model: ModelId) -> Option<TokenView<AccountId, BlockNumber>>;
		/// `who`'s holding of a model's token (all zero if it holds none).
		fn holding(model: ModelId, who: AccountId) -> HoldingView;
		/// What burning `amount` units of a model's token redeems now.
		fn redeemable_on_burn(model: ModelId, amount: u128) -> u128;
		/// What `spender` may move of `owner`'s units.
		fn allowance(model: ModelId, owner: AccountId, spender: AccountId) -> u128;
	}
}
