//! A test runtime: System, Balances and the inference pallet, with small bounds so every limit is reachable,
//! and a real engine model (the engine's tiny test model) registered from its real commitment.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
use sp_runtime::{
	BuildStorage, Perbill,
};

use crate::{self as pallet_inference, types::Root};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Inference: pallet_inference,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	// What the pallet's `()` weights use: the hook's own database charges (e.g. the request counters) count.
	type DbWeight = frame_support::weights::constants::ParityDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Existential deposit.
pub const ED: Balance = 10;
pub const MODEL_DEPOSIT: Balance = 500;
pub const MIN_BOND: Balance = 1_000;
pub const RESULT_BOND: Balance = 100;
pub const MISS_PENALTY: Balance = 50;
pub const PROTOCOL: AccountId = 99;
/// Every endowed account starts with this.
pub const START: Balance = 100_000;

/// Model owner, revenue account, requesters and operators.
pub const OWNER: AccountId = 1;
pub const REVENUE: AccountId = 2;
pub const ALICE: AccountId = 10;
pub const BOB: AccountId = 11;
pub const OP_A: AccountId = 20;
pub const OP_B: AccountId = 21;
pub const OP_C: AccountId = 22;
pub const OP_D: AccountId = 23;
pub const OP_E: AccountId = 24;

/// The tiny model's fees.
pub const FEE_BASE: Balance = 100;
pub const FEE_PER_TOKEN: Balance = 10;

parameter_types! {
	pub const ProtocolAccount: AccountId = PROTOCOL;
	pub const OperatorShare: Perbill = Perbill::from_percent(50);
	pub const ProtocolShare: Perbill = Perbill::from_percent(10);
	/// The hook's weight per block: a quarter of a two-second block unless a test lowers it.
	pub static HookWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(500_000_000_000, u64::MAX);
	/// The longest one-step proof accepted: 256 KiB unless a test lowers it.
	pub static MaxStepProofLen: u32 = 256 * 1024;
}

crate::impl_test_signing!(Test);

impl pallet_inference::Config for Test {
	type AuthorityId = TestOperatorId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Revenue = ();
	type OnEnd = ();
	type ProtocolAccount = ProtocolAccount;
	type ModelDeposit = ConstU64<MODEL_DEPOSIT>;
	type MinOperatorBond = ConstU64<MIN_BOND>;
	type ResultBond = ConstU64<RESULT_BOND>;
	type MissPenalty = ConstU64<MISS_PENALTY>;
	type OperatorShare = OperatorShare;
	type ProtocolShare = ProtocolShare;
	type MaxPromptTokens = ConstU32<36>;
	type MaxOutputTokens = ConstU32<8>;
	type MaxNameLen = ConstU32<16>;
	type MaxConfigLen = ConstU32<512>;
	type MaxOperatorsPerModel = ConstU32<4>;
	type MaxModelsPerOperator = ConstU32<2>;
	type MaxQueuePerOperator = ConstU32<3>;
	type MaxQueued = ConstU32<6>;
	type MaxScheduledPerBlock = ConstU32<12>;
	type HookWeight = HookWeight;
	type MaxAttempts = ConstU32<2>;
	type MaxStepProofLen = MaxStepProofLen;
	type WeightInfo = ();
}

/// Lifecycle timing in the tests.
pub const TIMEOUT: u64 = 3;
pub const WINDOW: u64 = 4;
pub const RETENTION: u64 = 5;
pub const UNBOND_DELAY: u64 = 6;

/// A registration of the engine's tiny test model (seed `seed`): root, encoded configuration, proof of leaf 0.
pub fn tiny_registration(seed: u64) -> (Root, Vec<u8>, Vec<Root>) {
	let model = sibyl_engine::testing::tiny_model(false, seed);
	let proof = model.tree().multiproof(&[0], u64::MAX);
	(model.root(), codec::Encode::encode(&model.config), proof)
}

/// Genesis: endowed accounts, the tiny model (id 0, `max_new_limit` 8) and operators A, B and C serving it.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, REVENUE, ALICE, BOB, OP_A, OP_B, OP_C, OP_D, OP_E].iter().map(|a| (*a, START)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let (root, config, config_proof) = tiny_registration(1);
	pallet_inference::GenesisConfig::<Test> {
		params: Some(crate::types::Params {
			propose_timeout: TIMEOUT,
			challenge_window: WINDOW,
			retention: RETENTION,
			unbond_delay: UNBOND_DELAY,
		}),
		models: vec![crate::types::GenesisModel {
			owner: OWNER,
			name: b"tiny".to_vec(),
			root,
			config,
			config_proof,
			max_new_limit: 8,
			fee_base: FEE_BASE,
			fee_per_token: FEE_PER_TOKEN,
			revenue: REVENUE,
		}],
		operators: [OP_A, OP_B, OP_C]
			.iter()
			.map(|o| crate::types::GenesisOperator { who: *o, bond: MIN_BOND, models: vec![0] })
			.collect(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()));
	});
	ext
}

/// Ends the current block (checking the books) and runs the next block's hook, like a real chain: a fresh
/// parent hash each block, so operator draws vary.
pub fn next_block() {
	assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()), "books at the end of block {}", System::block_number());
	let n = System::block_number() + 1;
	let parent = sp_core::H256::from(sp_io::hashing::blake2_256(&n.to_le_bytes()));
	System::reset_events();
	System::initialize(&n, &parent, &Default::default());
	Inference::on_initialize(n);
	assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()), "books after the hook of block {n}");
}

/// Runs blocks until (and including the hook of) block `n`.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		next_block();
	}
}

/// The events of the inference pallet deposited in this block.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Inference(ev) => Some(ev),
			_ => None,
		})
		.collect()
}

/// A valid prompt of `n` tokens for the tiny model (vocabulary 80).
pub fn prompt(n: u32) -> Vec<u32> {
	(0..n).map(|i| (i * 7 + 3) % 80).collect()
}

/// Free balance.
pub fn free(who: AccountId) -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::balance(&who)
}

/// Everything the account owns: free plus held.
pub fn total(who: AccountId) -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::total_balance(&who)
}
