//! `pallet_validators` and `pallet_session`: who validates, sessions' length, and the session keys (Aura,
//! GRANDPA, BEEFY) each validator registers.

use frame_support::{parameter_types, traits::Contains};
use sp_runtime::traits::ConvertInto;

use super::aura::MaxAuthorities;
use crate::{AccountId, BlockNumber, Runtime, RuntimeEvent, SessionKeys, MINUTES, UNIT};

parameter_types! {
	/// Sessions root can set are at least this long: BEEFY hands over to a new validator set id every session,
	/// and each handover is a transaction on Ethereum.
	pub const MinSessionLength: BlockNumber = 10;
	/// Held from an account while it has session keys registered (their storage).
	pub const KeyDeposit: crate::Balance = 10 * UNIT;
}

/// The session length of a chain whose genesis says nothing else (presets set their own).
pub const DEFAULT_SESSION_LENGTH: BlockNumber = 10 * MINUTES;

/// Accounts that registered session keys.
pub struct HasSessionKeys;
impl Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

impl pallet_validators::Config for Runtime {
	type MaxValidators = MaxAuthorities;
	type MinSessionLength = MinSessionLength;
	type DefaultSessionLength = frame_support::traits::ConstU32<DEFAULT_SESSION_LENGTH>;
	type HasKeys = HasSessionKeys;
	type WeightInfo = pallet_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchKeys;
}

/// The benchmarks' validators get generated session keys.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchKeys;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<AccountId> for BenchKeys {
	fn give_keys(who: &AccountId) {
		// Public keys only (the benchmark signs nothing), distinct per account.
		let seed = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&codec::Encode::encode(who)).0;
		let mut ecdsa = [2u8; 33];
		ecdsa[1..].copy_from_slice(&seed);
		let keys = SessionKeys {
			aura: sp_core::sr25519::Public::from_raw(seed).into(),
			grandpa: sp_core::ed25519::Public::from_raw(seed).into(),
			beefy: sp_core::ecdsa::Public::from_raw(ecdsa).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	// Any account may register keys (with the deposit); only those root puts in the set validate.
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = crate::Validators;
	type NextSessionRotation = crate::Validators;
	type SessionManager = crate::Validators;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No slashing or disabling yet: offences are not reported (see the consensus pallets' KeyOwnerProof).
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = crate::Balances;
	type KeyDeposit = KeyDeposit;
}
