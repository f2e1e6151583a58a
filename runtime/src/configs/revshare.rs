//! `pallet_revshare`: each model's revenue-share token (ERC-7641 semantics), paid the model's share of every fee.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use sp_runtime::Perbill;

use crate::{Balance, Balances, BlockNumber, Inference, Runtime, RuntimeHoldReason, DAYS, MILLI_UNIT, UNIT};

parameter_types! {
	/// The account holding every token's revenue: `modlsbl/rvsh…`.
	pub const RevsharePalletId: PalletId = PalletId(*b"sbl/rvsh");
	/// At most one snapshot of a token per 10 blocks (a minute).
	pub const MinSnapshotInterval: BlockNumber = 10;
	/// Held from a holder for each allowance it grants: 0.1 SBL.
	pub const ApprovalDeposit: Balance = 100 * MILLI_UNIT;
	/// An offering runs for at most 30 days.
	pub const MaxSalePeriod: BlockNumber = 30 * DAYS;
	/// A grant proposal takes votes for 100 blocks (10 minutes) unless a preset or root says otherwise.
	pub const DefaultVotingPeriod: BlockNumber = 100;
	/// A grant passes with ayes of at least a tenth of the supply (and more ayes than nays).
	pub const Quorum: Perbill = Perbill::from_percent(10);
	/// Held from a grant's proposer until it is closed: 10 SBL.
	pub const GrantDeposit: Balance = 10 * UNIT;
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
	type MaxSalePeriod = MaxSalePeriod;
	type DefaultVotingPeriod = DefaultVotingPeriod;
	type Quorum = Quorum;
	type GrantDeposit = GrantDeposit;
	type MaxOpenGrants = ConstU32<8>;
	type WeightInfo = crate::weights::pallet_revshare::WeightInfo<Runtime>;
}
