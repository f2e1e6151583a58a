//! `pallet_nfts`: the NFTs of AI-generated content. Only `pallet_aigc` creates collections (one per model, its id
//! the model's); holders transfer, approve, trade and burn their items as with any `pallet-nfts` chain, so
//! wallets show them.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU32},
};
use frame_system::{EnsureNever, EnsureRoot};

use crate::{AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, Signature, System, DAYS, MILLI_UNIT};

parameter_types! {
	pub Features: pallet_nfts::PalletFeatures = pallet_nfts::PalletFeatures::all_enabled();
	/// Collections are created by `pallet_aigc` only: no deposit.
	pub const CollectionDeposit: Balance = 0;
	/// Reserved from an item's minter while it exists.
	pub const ItemDeposit: Balance = 10 * MILLI_UNIT;
	pub const MetadataDepositBase: Balance = 10 * MILLI_UNIT;
	pub const AttributeDepositBase: Balance = 10 * MILLI_UNIT;
	pub const DepositPerByte: Balance = MILLI_UNIT / 10;
	pub const MaxDeadlineDuration: BlockNumber = DAYS;
}

impl pallet_nfts::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type CollectionId = sibyl_inference_primitives::ModelId;
	type ItemId = sibyl_inference_primitives::RequestId;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Locker = ();
	type CollectionDeposit = CollectionDeposit;
	type ItemDeposit = ItemDeposit;
	type MetadataDepositBase = MetadataDepositBase;
	type AttributeDepositBase = AttributeDepositBase;
	type DepositPerByte = DepositPerByte;
	type StringLimit = ConstU32<256>;
	type KeyLimit = ConstU32<32>;
	type ValueLimit = ConstU32<256>;
	type ApprovalsLimit = ConstU32<20>;
	type ItemAttributesApprovalsLimit = ConstU32<20>;
	type MaxTips = ConstU32<10>;
	type MaxDeadlineDuration = MaxDeadlineDuration;
	type MaxAttributesPerCall = ConstU32<10>;
	type Features = Features;
	type OffchainSignature = Signature;
	type OffchainPublic = <Signature as sp_runtime::traits::Verify>::Signer;
	/// `pallet-nfts`' own measured weights (its benchmarks create collections, which this runtime reserves for
	/// `pallet_aigc`).
	type WeightInfo = pallet_nfts::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = ();
	type BlockNumberProvider = System;
}
