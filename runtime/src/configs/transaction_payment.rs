//! `pallet_transaction_payment`: fees by weight and length, withdrawn before dispatch and partly refunded after.

use frame_support::{
	parameter_types,
	traits::ConstU8,
	weights::{ConstantMultiplier, IdentityFee},
};
use pallet_transaction_payment::{ConstFeeMultiplier, Multiplier};
use sp_runtime::traits::One;

use crate::{check_transfer::CheckTransferBalance, Balance, Runtime, RuntimeEvent, MICRO_UNIT};

parameter_types! {
	/// Fees do not float with congestion yet.
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Price of one byte of an extrinsic.
	pub const TransactionByteFee: Balance = MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are withdrawn from the signer and burned; a transfer the signer can not pay with its fee is refused.
	type OnChargeTransaction = CheckTransferBalance;
	/// One planck per picosecond of reference computation.
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}
