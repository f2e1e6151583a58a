//! A test runtime: System, Balances, the real inference pallet (Ethereum requests are real requests, answered
//! and finalized by its hook), the real revenue-share pallet (its tokens are what is bridged) and this pallet,
//! with the engine's tiny model registered and a validator set of four.

use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks},
	PalletId,
};
use pallet_inference::types::{GenesisModel, GenesisOperator, Params};
use sibyl_inference_primitives::ModelId;
use sp_core::H160;
use sp_runtime::{BuildStorage, Perbill};

use crate::{self as pallet_settlement, inbound::EthConfig, EthEventOf};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Inference: pallet_inference,
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
	type ExistentialDeposit = ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ED: Balance = 10;
pub const START: Balance = 1_000_000_000;
pub const MIN_BOND: Balance = 1_000;
pub const PROTOCOL: AccountId = 99;

/// The model's owner, who creates its token; two holders; operators; four validators.
pub const OWNER: AccountId = 1;
pub const ALICE: AccountId = 10;
pub const BOB: AccountId = 11;
pub const CAROL: AccountId = 12;
pub const OP_A: AccountId = 20;
pub const OP_B: AccountId = 21;
pub const VALIDATORS: [AccountId; 4] = [30, 31, 32, 33];
pub const MODEL: ModelId = 0;
pub const SUPPLY: u128 = 1_000_000;
/// The token's least balance.
pub const MIN_UNITS: u128 = 5;
pub const MAX_MESSAGES: u32 = 4;
pub const MAX_BODY: u32 = 512;
pub const MAX_PROMPT: u32 = 36;
pub const MAX_OUTPUT: u32 = 8;
pub const WINDOW: u32 = 4;
pub const MAX_ETH_REQUESTS: u32 = 3;
pub const MAX_EXECUTE: u32 = 2;
/// The tiny model's fees: 10,000 per request and 1,000 per token.
pub const FEE_BASE: Balance = 10_000;
pub const FEE_PER_TOKEN: Balance = 1_000;
/// Wei per planck of the fee.
pub const RATE: u128 = 1_000;
/// The challenge window.
pub const CHALLENGE_WINDOW: u64 = 2;

parameter_types! {
	// The mock's accounts are 8 bytes: "modl" and the id's first 4, so each id starts differently. (This pallet's
	// Ethereum account is its own account here; the runtime's 32-byte accounts tell them apart.)
	pub const RevsharePalletId: PalletId = PalletId(*b"rvsh/sbl");
	pub const SettlementPalletId: PalletId = PalletId(*b"sttl/sbl");
	pub const Quorum: Perbill = Perbill::from_percent(20);
	pub const ProtocolAccount: AccountId = PROTOCOL;
	pub const OperatorShare: Perbill = Perbill::from_percent(70);
	pub const ProtocolShare: Perbill = Perbill::from_percent(5);
	pub HookWeight: frame_support::weights::Weight =
		frame_support::weights::Weight::from_parts(500_000_000_000, u64::MAX);
	/// The validator set (tests change it).
	pub static ValidatorSet: Vec<AccountId> = VALIDATORS.to_vec();
}

pallet_inference::impl_test_signing!(Test);

impl pallet_inference::Config for Test {
	type AuthorityId = TestOperatorId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Revenue = Revshare;
	type OnEnd = Settlement;
	type ProtocolAccount = ProtocolAccount;
	type ModelDeposit = ConstU128<500>;
	type MinOperatorBond = ConstU128<MIN_BOND>;
	type ResultBond = ConstU128<100>;
	type MissPenalty = ConstU128<50>;
	type OperatorShare = OperatorShare;
	type ProtocolShare = ProtocolShare;
	type MaxPromptTokens = ConstU32<MAX_PROMPT>;
	type MaxOutputTokens = ConstU32<MAX_OUTPUT>;
	type MaxNameLen = ConstU32<16>;
	type MaxConfigLen = ConstU32<512>;
	type MaxOperatorsPerModel = ConstU32<4>;
	type MaxModelsPerOperator = ConstU32<2>;
	type MaxQueuePerOperator = ConstU32<8>;
	type MaxQueued = ConstU32<16>;
	type MaxScheduledPerBlock = ConstU32<16>;
	type HookWeight = HookWeight;
	type MaxAttempts = ConstU32<2>;
	type MaxStepProofLen = ConstU32<{ 256 * 1024 }>;
	type WeightInfo = ();
}

impl pallet_revshare::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Inference;
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
	type Oracle = Inference;
	type Validators = ValidatorSet;
	type Attester = OperatorKeys;
	type AuthorityId = TestOperatorId;
	type MaxValidators = ConstU32<8>;
	type MaxPromptTokens = ConstU32<MAX_PROMPT>;
	type MaxOutputTokens = ConstU32<MAX_OUTPUT>;
	type VoteWindow = ConstU32<WINDOW>;
	type MaxEthRequests = ConstU32<MAX_ETH_REQUESTS>;
	type MaxExecutePerBlock = ConstU32<MAX_EXECUTE>;
	type MaxMessagesPerBlock = ConstU32<MAX_MESSAGES>;
	type MaxBodyLen = ConstU32<MAX_BODY>;
	type PalletId = SettlementPalletId;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Helper;
}

/// Validators sign their votes with their own accounts, except validator 33, whose operator key is account 133.
pub struct OperatorKeys;
impl sp_runtime::traits::Convert<AccountId, Option<AccountId>> for OperatorKeys {
	fn convert(signer: AccountId) -> Option<AccountId> {
		match signer {
			133 => Some(33),
			33 => None,
			other => Some(other),
		}
	}
}

/// The account each validator signs votes with.
pub fn signer_of(validator: AccountId) -> AccountId {
	if validator == 33 {
		133
	} else {
		validator
	}
}

/// Benchmarks bridge Alice's units; validators are added to the static set.
#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_settlement::BenchmarkHelper<AccountId> for Helper {
	fn holder() -> (AccountId, ModelId, u128) {
		(ALICE, MODEL, SUPPLY / 10)
	}
	fn set_validators(set: Vec<AccountId>) {
		ValidatorSet::set(set);
	}
}

/// The gateway settings of the tests.
pub fn eth_config() -> EthConfig {
	EthConfig {
		gateway: H160::repeat_byte(0x99),
		chain_id: 31337,
		confirmations: 2,
		start_block: 1,
		wei_per_planck: RATE,
	}
}

/// Genesis: accounts funded (this pallet's Ethereum account too); the tiny model (id 0) owned by OWNER,
/// served by two operators; the owner creates the model's token and gives Alice 10% of it; the gateway set.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ValidatorSet::set(VALIDATORS.to_vec());
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system genesis");
	let mut funded: Vec<(AccountId, Balance)> =
		[OWNER, ALICE, BOB, OP_A, OP_B, PROTOCOL].iter().map(|a| (*a, START)).collect();
	funded.extend(VALIDATORS.iter().map(|v| (*v, START)));
	funded.push((crate::Pallet::<Test>::eth_account(), START));
	pallet_balances::GenesisConfig::<Test> { balances: funded, ..Default::default() }
		.assimilate_storage(&mut t)
		.expect("balances genesis");
	let model = sibyl_engine::testing::tiny_model(false, 1);
	pallet_inference::GenesisConfig::<Test> {
		params: Some(Params { propose_timeout: 3, challenge_window: CHALLENGE_WINDOW, retention: 50, unbond_delay: 5 }),
		models: vec![GenesisModel {
			owner: OWNER,
			name: b"tiny".to_vec(),
			root: model.root(),
			config: codec::Encode::encode(&model.config),
			config_proof: model.tree().multiproof(&[0], u64::MAX),
			max_new_limit: MAX_OUTPUT,
			fee_base: FEE_BASE,
			fee_per_token: FEE_PER_TOKEN,
			revenue: OWNER,
		}],
		operators: [OP_A, OP_B].iter().map(|o| GenesisOperator { who: *o, bond: MIN_BOND, models: vec![0] }).collect(),
	}
	.assimilate_storage(&mut t)
	.expect("inference genesis");
	pallet_revshare::GenesisConfig::<Test>::default().assimilate_storage(&mut t).expect("revshare genesis");
	pallet_settlement::GenesisConfig::<Test> { eth: Some(eth_config()), _config: Default::default() }
		.assimilate_storage(&mut t)
		.expect("settlement genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		assert_ok!(Revshare::create_token(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			b"Tiny".to_vec(),
			b"TINY".to_vec(),
			0,
			SUPPLY,
			MIN_UNITS,
			Perbill::from_percent(60),
			Perbill::from_percent(10),
		));
		assert_ok!(Revshare::transfer(RuntimeOrigin::signed(OWNER), MODEL, ALICE, SUPPLY / 10));
		check();
	});
	ext
}

/// Every pallet's books.
pub fn check() {
	assert_eq!(pallet_inference::Pallet::<Test>::do_try_state(), Ok(()));
	assert_eq!(pallet_revshare::Pallet::<Test>::do_try_state(), Ok(()));
	assert_eq!(Settlement::do_try_state(), Ok(()));
}

/// Ends the block (this pallet's `on_finalize`, checking the books) and runs the next block's hooks in the
/// runtime's order (inference, then this pallet).
pub fn next_block() {
	check();
	let n = System::block_number();
	Settlement::on_finalize(n);
	let next = n + 1;
	let parent = sp_core::H256::from(sp_io::hashing::blake2_256(&next.to_le_bytes()));
	System::reset_events();
	System::initialize(&next, &parent, &Default::default());
	Inference::on_initialize(next);
	Settlement::on_initialize(next);
	check();
}

/// Units of the model's token `who` holds.
pub fn units(who: AccountId) -> u128 {
	<Revshare as frame_support::traits::fungibles::Inspect<AccountId>>::balance(MODEL, &who)
}

/// Free native balance.
pub fn free(who: AccountId) -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::balance(&who)
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

/// An Ethereum request event: gateway id `id`, `max_new` tokens, paying `fee` wei.
pub fn eth_request(id: u64, max_new: u32, fee: u128) -> EthEventOf<Test> {
	crate::inbound::EthEvent::Request {
		id,
		requester: H160::repeat_byte(0xee),
		model: MODEL,
		prompt: vec![3u32, 5, 7, 11].try_into().expect("short"),
		max_new,
		fee,
	}
}

/// The fee in wei that pays a request for `max_new` tokens exactly.
pub fn exact_fee(max_new: u32) -> u128 {
	(FEE_BASE + FEE_PER_TOKEN * max_new as u128) * RATE
}

/// Votes from the first `n` validators for `event`.
pub fn attest_by(n: usize, event: &EthEventOf<Test>) {
	for v in VALIDATORS.iter().take(n) {
		assert_ok!(Settlement::attest(RuntimeOrigin::signed(signer_of(*v)), event.clone()));
	}
}

/// The request the operator it was assigned to answers with `output`; returns that operator.
pub fn answer(request: u64, output: Vec<u32>) -> AccountId {
	use pallet_inference::lifecycle::RequestStatus;
	let Some(r) = pallet_inference::Requests::<Test>::get(request) else { panic!("no request {request}") };
	let RequestStatus::Assigned { operator, .. } = r.status else { panic!("request {request} is not assigned") };
	assert_ok!(Inference::propose(RuntimeOrigin::signed(operator), request, output, [7; 32], 99));
	operator
}
