//! `pallet_aura`: round-robin block authoring in fixed slots.

use frame_support::traits::{ConstBool, ConstU32};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::Runtime;

/// The most validators the chain can have.
pub type MaxAuthorities = ConstU32<100>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type MaxAuthorities = MaxAuthorities;
	type DisabledValidators = ();
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}
