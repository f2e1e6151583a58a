//! A test runtime: System, Balances, the inference pallet (with the engine's tiny test model registered from its
//! real commitment) and the dispute pallet, with a narrow dissection so that games take several rounds.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
use pallet_inference::types::Root;
use sp_runtime::{
	BuildStorage, Perbill,
};

use crate as pallet_dispute;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Inference: pallet_inference,
		Dispute: pallet_dispute,
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

pallet_inference::impl_test_signing!(Test);

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


pub const CHALLENGE_BOND: Balance = 200;
pub const PROPOSER_SLASH: Balance = 300;
/// Segments per dissection in the tests.
pub const DEFAULT_WIDTH: u32 = 4;
pub const MOVE_TIMEOUT: u64 = 3;
pub const BUDGET: u64 = 40;
pub const GAME_RETENTION: u64 = 5;

parameter_types! {
	pub const BurnShare: Perbill = Perbill::from_percent(50);
	pub static MaxExpiriesPerBlock: u32 = 8;
	pub static Width: u32 = DEFAULT_WIDTH;
}

impl pallet_dispute::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AuthorityId = TestOperatorId;
	type Results = Inference;
	type ChallengeBond = ConstU64<CHALLENGE_BOND>;
	type BurnShare = BurnShare;
	type ProposerSlash = ConstU64<PROPOSER_SLASH>;
	type Width = Width;
	type MoveTimeout = ConstU64<MOVE_TIMEOUT>;
	type ClockBudget = ConstU64<BUDGET>;
	type Retention = ConstU64<GAME_RETENTION>;
	type MaxStepProofLen = MaxStepProofLen;
	type MaxExpiriesPerBlock = MaxExpiriesPerBlock;
	type WeightInfo = ();
}

/// Lifecycle timing of the inference pallet in the tests: a long enough window to challenge in.
pub const TIMEOUT: u64 = 3;
pub const WINDOW: u64 = 6;
pub const RETENTION: u64 = 50;
pub const UNBOND_DELAY: u64 = 6;

/// The tiny model (seed 1) and its registration: root, encoded configuration, proof of leaf 0.
pub fn tiny_model() -> sibyl_engine::Model {
	sibyl_engine::testing::tiny_model(false, 1)
}

/// Genesis: endowed accounts, the tiny model (id 0, `max_new_limit` 8) and operators A, B and C serving it.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: ACCOUNTS.iter().map(|a| (*a, START)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let model = tiny_model();
	let config_proof: Vec<Root> = model.tree().multiproof(&[0], u64::MAX);
	pallet_inference::GenesisConfig::<Test> {
		params: Some(pallet_inference::types::Params {
			propose_timeout: TIMEOUT,
			challenge_window: WINDOW,
			retention: RETENTION,
			unbond_delay: UNBOND_DELAY,
		}),
		models: vec![pallet_inference::types::GenesisModel {
			owner: OWNER,
			name: b"tiny".to_vec(),
			root: model.root(),
			config: codec::Encode::encode(&model.config),
			config_proof,
			max_new_limit: 8,
			fee_base: FEE_BASE,
			fee_per_token: FEE_PER_TOKEN,
			revenue: REVENUE,
		}],
		operators: [OP_A, OP_B, OP_C]
			.iter()
			.map(|o| pallet_inference::types::GenesisOperator { who: *o, bond: MIN_BOND, models: vec![0] })
			.collect(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		check_books();
	});
	ext
}

/// Every endowed account.
pub const ACCOUNTS: [AccountId; 10] = [OWNER, REVENUE, ALICE, BOB, OP_A, OP_B, OP_C, OP_D, OP_E, CAROL];
pub const CAROL: AccountId = 12;

/// Both pallets' books.
pub fn check_books() {
	assert_eq!(pallet_inference::Pallet::<Test>::do_try_state(), Ok(()), "inference books");
	assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()), "dispute books");
}

/// Ends the current block (checking the books) and runs the next block's hooks.
pub fn next_block() {
	check_books();
	let n = System::block_number() + 1;
	let parent = sp_core::H256::from(sp_io::hashing::blake2_256(&n.to_le_bytes()));
	System::reset_events();
	System::initialize(&n, &parent, &Default::default());
	Inference::on_initialize(n);
	Dispute::on_initialize(n);
	check_books();
}

/// Runs blocks until (and including the hooks of) block `n`.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		next_block();
	}
}

/// The dispute pallet's events in this block.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Dispute(ev) => Some(ev),
			_ => None,
		})
		.collect()
}

/// Everything the account owns: free plus held.
pub fn total(who: AccountId) -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::total_balance(&who)
}

/// Total issuance.
pub fn issuance() -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::total_issuance()
}
