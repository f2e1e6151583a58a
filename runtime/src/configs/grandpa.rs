//! `pallet_grandpa`: the finality gadget's authority set.

use frame_support::traits::{ConstU32, ConstU64};

use super::aura::MaxAuthorities;
use crate::{Runtime, RuntimeEvent};

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No session/staking pallets yet: equivocation reports are not accepted.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
