//! What the pallet stores besides the pool's numbers: a token's description and an allowance.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

use crate::pool::Pool;

pub use sibyl_inference_primitives::ModelId;

/// A model's revenue-share token.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(NameLen, SymbolLen))]
pub struct TokenInfo<AccountId, BlockNumber, NameLen: Get<u32>, SymbolLen: Get<u32>> {
	/// Who created it: the model's owner then, to whom the whole supply was minted (the builders).
	pub creator: AccountId,
	/// Name (UTF-8).
	pub name: BoundedVec<u8, NameLen>,
	/// Ticker symbol (UTF-8).
	pub symbol: BoundedVec<u8, SymbolLen>,
	/// Decimals a wallet shows (units are the smallest part).
	pub decimals: u8,
	/// The least non-zero balance a holding may have, in units.
	pub min_balance: u128,
	/// The holders' share of revenue, made claimable at each snapshot.
	pub claim_share: Perbill,
	/// The treasury's share of revenue, for grants the holders vote on. The rest backs burns.
	pub treasury_share: Perbill,
	/// Block of the last snapshot (or of creation).
	pub last_snapshot: BlockNumber,
	/// Snapshots taken.
	pub snapshots: u32,
	/// Supply and revenue.
	pub pool: Pool,
}

/// An allowance, and the deposit held from the owner while it exists.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug)]
pub struct Approval {
	/// Units the spender may still move.
	pub amount: u128,
	/// Held from the owner.
	pub deposit: u128,
}
