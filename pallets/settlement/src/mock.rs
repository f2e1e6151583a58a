//! A test runtime: System, Balances, the real revenue-share pallet (its tokens are what is bridged) with a
//! one-model registry, and this pallet.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use sibyl_inference_primitives::ModelId;
use sp_runtime::{BuildStorage, Perbill};

use crate as pallet_settlement;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Revshare: pallet_revshare,
		Settlement: pallet_settlement,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The model's owner, who creates its token; two holders.
pub const OWNER: AccountId = 1;
pub const ALICE: AccountId = 10;
pub const BOB: AccountId = 11;
pub const MODEL: ModelId = 0;
pub const SUPPLY: u128 = 1_000_000;
pub const MAX_MESSAGES: u32 = 4;
pub const MAX_BODY: u32 = 128;

/// One registered model, owned by [`OWNER`].
pub struct OneModel;
impl pallet_inference::traits::ModelRegistry<AccountId> for OneModel {
	fn owner(model: ModelId) -> Option<AccountId> {
		(model == MODEL).then_some(OWNER)
	}
	fn revenue_account(model: ModelId) -> Option<AccountId> {
		(model == MODEL).then_some(OWNER)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_model(_owner: &AccountId) -> ModelId {
		MODEL
	}
}

parameter_types! {
	pub const RevsharePalletId: PalletId = PalletId(*b"sbl/rvsh");
	pub const SettlementPalletId: PalletId = PalletId(*b"sbl/sttl");
	pub const Quorum: Perbill = Perbill::from_percent(20);
}

impl pallet_revshare::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = OneModel;
	type PalletId = RevsharePalletId;
	type MaxNameLen = ConstU32<16>;
	type MaxSymbolLen = ConstU32<8>;
	type MinSnapshotInterval = ConstU64<3>;
	type ApprovalDeposit = ConstU128<7>;
	type MaxSalePeriod = ConstU64<100>;
	type DefaultVotingPeriod = ConstU64<5>;
	type Quorum = Quorum;
	type GrantDeposit = ConstU128<50>;
	type MaxOpenGrants = ConstU32<2>;
	type WeightInfo = ();
}

impl pallet_settlement::Config for Test {
	type Tokens = Revshare;
	type TransferWeight = ();
	type MaxMessagesPerBlock = ConstU32<MAX_MESSAGES>;
	type MaxBodyLen = ConstU32<MAX_BODY>;
	type PalletId = SettlementPalletId;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Holders;
}

/// Benchmarks bridge Alice's units.
#[cfg(feature = "runtime-benchmarks")]
pub struct Holders;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_settlement::BenchmarkHelper<AccountId> for Holders {
	fn holder() -> (AccountId, ModelId, u128) {
		(ALICE, MODEL, SUPPLY / 10)
	}
}

/// Genesis: the owner and holders funded; the owner creates the model's token and gives Alice 10% of it.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, ALICE, BOB].iter().map(|a| (*a, 1_000_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("balances genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		frame_support::assert_ok!(Revshare::create_token(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			b"Tiny".to_vec(),
			b"TINY".to_vec(),
			0,
			SUPPLY,
			1,
			Perbill::from_percent(60),
			Perbill::from_percent(10),
		));
		frame_support::assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), MODEL, ALICE, SUPPLY / 10));
	});
	ext
}

/// Ends the block (its `on_finalize`) and starts the next (its `on_initialize`), checking the books.
pub fn next_block() {
	use frame_support::traits::Hooks;
	assert_eq!(Settlement::do_try_state(), Ok(()));
	let n = System::block_number();
	Settlement::on_finalize(n);
	System::set_block_number(n + 1);
	System::reset_events();
	Settlement::on_initialize(n + 1);
	assert_eq!(Settlement::do_try_state(), Ok(()));
}

/// Units of the model's token `who` holds.
pub fn units(who: AccountId) -> u128 {
	<Revshare as frame_support::traits::fungibles::Inspect<AccountId>>::balance(MODEL, &who)
}

/// This pallet's events of the current block.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Settlement(ev) => Some(ev),
			_ => None,
		})
		.collect()
}
