//! `pallet_aigc`: a finalized answer minted as an NFT of its model's collection (ERC-7007 semantics).

use frame_support::{parameter_types, PalletId};

use crate::{Balance, Balances, Inference, Revshare, Runtime, MILLI_UNIT};

parameter_types! {
	/// The account that owns every model's collection: `modlsbl/aigc…`.
	pub const AigcPalletId: PalletId = PalletId(*b"sbl/aigc");
	/// Paid by the minter to the model's revenue: 0.1 SBL.
	pub const MintFee: Balance = 100 * MILLI_UNIT;
}

impl pallet_aigc::Config for Runtime {
	type Fees = Balances;
	type Results = Inference;
	type Models = Inference;
	type Revenue = Revshare;
	type PalletId = AigcPalletId;
	type MintFee = MintFee;
	type WeightInfo = crate::weights::pallet_aigc::WeightInfo<Runtime>;
}
