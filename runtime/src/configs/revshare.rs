//! `pallet_revshare`: each model's revenue-share token (ERC-7641 semantics), paid the model's share of every fee.

use frame_support::{parameter_types, traits::ConstU32, PalletId};

use crate::{Balance, Balances, BlockNumber, Inference, Runtime, RuntimeHoldReason, MILLI_UNIT};

parameter_types! {
	/// The account holding every token's revenue: `modlsbl/rvsh…`.
	pub const RevsharePalletId: PalletId = PalletId(*b"sbl/rvsh");
	/// At most one snapshot of a token per 10 blocks (a minute).
	pub const MinSnapshotInterval: BlockNumber = 10;
	/// Held from a holder for each allowance it grants: 0.1 SBL.
	pub const ApprovalDeposit: Balance = 100 * MILLI_UNIT;
}

impl pallet_revshare::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Inference;
	type PalletId = RevsharePalletId;
	type MaxNameLen = ConstU32<64>;
	type MaxSymbolLen = ConstU32<16>;
	type MinSnapshotInterval = MinSnapshotInterval;
	type ApprovalDeposit = ApprovalDeposit;
	type WeightInfo = crate::weights::pallet_revshare::WeightInfo<Runtime>;
}
