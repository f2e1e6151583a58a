//! A test runtime: System, Balances (session key deposits), the real `pallet-session` with this pallet as its
//! schedule and validator source, and a session handler that records the sets it is given.

use core::cell::RefCell;

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, OnFinalize, OnInitialize},
};
use sp_runtime::{
	impl_opaque_keys,
	testing::UintAuthorityId,
	traits::{ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, RuntimeAppPublic,
};

use crate as pallet_validators;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Validators: pallet_validators,
		Session: pallet_session,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl_opaque_keys! {
	pub struct MockKeys {
		pub dummy: UintAuthorityId,
	}
}

thread_local! {
	/// The active set each session change handed to the handler, in order.
	pub static SETS: RefCell<Vec<Vec<AccountId>>> = const { RefCell::new(Vec::new()) };
}

/// Records the validators of each new session.
pub struct RecordingHandler;
impl pallet_session::SessionHandler<AccountId> for RecordingHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];
	fn on_genesis_session<K: OpaqueKeys>(validators: &[(AccountId, K)]) {
		SETS.with(|s| s.borrow_mut().push(validators.iter().map(|(v, _)| *v).collect()));
	}
	fn on_new_session<K: OpaqueKeys>(_: bool, validators: &[(AccountId, K)], _: &[(AccountId, K)]) {
		SETS.with(|s| s.borrow_mut().push(validators.iter().map(|(v, _)| *v).collect()));
	}
	fn on_disabled(_: u32) {}
}

/// Accounts with keys in `pallet-session`.
pub struct HasSessionKeys;
impl frame_support::traits::Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Test>::contains_key(who)
	}
}

parameter_types! {
	pub const KeyDeposit: u64 = 5;
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Validators;
	type NextSessionRotation = Validators;
	type SessionManager = Validators;
	type SessionHandler = RecordingHandler;
	type Keys = MockKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = KeyDeposit;
}

pub const MIN_SESSION: u64 = 3;
pub const SESSION: u64 = 5;
pub const MAX_VALIDATORS: u32 = 8;

impl pallet_validators::Config for Test {
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinSessionLength = ConstU64<MIN_SESSION>;
	type DefaultSessionLength = ConstU64<SESSION>;
	type HasKeys = HasSessionKeys;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = GiveKeys;
}

/// Benchmarks' accounts get keys as `Session::set_keys` gives them.
#[cfg(feature = "runtime-benchmarks")]
pub struct GiveKeys;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<AccountId> for GiveKeys {
	fn give_keys(who: &AccountId) {
		let keys = MockKeys { dummy: UintAuthorityId(*who) };
		pallet_session::NextKeys::<Test>::insert(who, keys);
	}
}

/// The genesis validators.
pub const GENESIS: [AccountId; 3] = [1, 2, 3];

pub fn new_test_ext() -> sp_io::TestExternalities {
	SETS.with(|s| s.borrow_mut().clear());
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
	pallet_balances::GenesisConfig::<Test> { balances: (1..=9).map(|a| (a, 100)).collect(), ..Default::default() }
		.assimilate_storage(&mut t)
		.expect("balances genesis");
	pallet_validators::GenesisConfig::<Test> { validators: GENESIS.to_vec(), session_length: Some(SESSION), operators: vec![(1, 101)] }
		.assimilate_storage(&mut t)
		.expect("validators genesis");
	pallet_session::GenesisConfig::<Test> {
		keys: GENESIS.iter().map(|&a| (a, a, MockKeys { dummy: UintAuthorityId(a) })).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("session genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs blocks up to and including `n`, with every pallet's hooks.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let b = System::block_number();
		<AllPalletsWithSystem as OnFinalize<u64>>::on_finalize(b);
		System::set_block_number(b + 1);
		<AllPalletsWithSystem as OnInitialize<u64>>::on_initialize(b + 1);
	}
}

/// The sets the session handler was given so far.
pub fn sets() -> Vec<Vec<AccountId>> {
	SETS.with(|s| s.borrow().clone())
}

/// `who` sets session keys, as a validator does with `Session::set_keys`.
pub fn set_keys(who: AccountId) {
	let keys = MockKeys { dummy: UintAuthorityId(who) };
	let proof = UintAuthorityId(who).sign(&codec::Encode::encode(&who)).map(|s| codec::Encode::encode(&s));
	frame_support::assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), keys, proof.unwrap_or_default()));
}
