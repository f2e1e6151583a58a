//! `pallet_dispute`: the opML dispute game over proposed inference results.

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Perbill;

use crate::{Balance, Balances, BlockNumber, Inference, Runtime, RuntimeHoldReason, UNIT};

parameter_types! {
	/// Held from a challenger while its game is open.
	pub const ChallengeBond: Balance = 100 * UNIT;
	/// Half of a losing challenger's bond is burned, half goes to the proposer it wrongly challenged.
	pub const BurnShare: Perbill = Perbill::from_percent(50);
	/// Burned from a losing proposer's operator bond, besides its result bond, which goes to the challenger.
	pub const ProposerSlash: Balance = 100 * UNIT;
	/// Segments per dissection move: a SmolLM2 run of 30,000 steps narrows to one step in 3 rounds, and its
	/// largest step (the output head, 1,536 chunks) in 3 more.
	pub const Width: u32 = 32;
	/// At most 20 blocks (2 minutes) per move.
	pub const MoveTimeout: BlockNumber = 20;
	/// 300 blocks (30 minutes) on each player's clock for a whole game.
	pub const ClockBudget: BlockNumber = 300;
	/// Ended games stay readable for a day.
	pub const Retention: BlockNumber = 14_400;
}

impl pallet_dispute::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AuthorityId = pallet_inference::offchain::crypto::OperatorId;
	type Results = Inference;
	type ChallengeBond = ChallengeBond;
	type BurnShare = BurnShare;
	type ProposerSlash = ProposerSlash;
	type Width = Width;
	type MoveTimeout = MoveTimeout;
	type ClockBudget = ClockBudget;
	type Retention = Retention;
	type MaxStepProofLen = super::inference::MaxStepProofLen;
	type MaxExpiriesPerBlock = ConstU32<64>;
	/// Provisional until the pallet's benchmarks generate the runtime's file.
	type WeightInfo = crate::weights::pallet_dispute::WeightInfo<Runtime>;
}
