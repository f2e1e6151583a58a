//! A test runtime: System, Balances, the real inference pallet, the revenue-share pallet (the model's revenue),
//! the real `pallet-nfts` and this pallet, with the engine's tiny model registered, so answers come from real
//! finalized requests.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks},
	PalletId,
};
use pallet_inference::types::{GenesisModel, GenesisOperator, Params};
use sp_runtime::{
	testing::{TestSignature, UintAuthorityId},
	BuildStorage, Perbill,
};

use crate as pallet_aigc;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Inference: pallet_inference,
		Revshare: pallet_revshare,
		Nfts: pallet_nfts,
		Aigc: pallet_aigc,
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
pub const PROTOCOL: AccountId = 99;
pub const START: Balance = 1_000_000_000;
pub const MIN_BOND: Balance = 1_000;
pub const APPROVAL_DEPOSIT: Balance = 7;
pub const SNAPSHOT_INTERVAL: u64 = 3;
pub const ITEM_DEPOSIT: Balance = 5;
pub const MINT_FEE: Balance = 2_000;
pub const VOTING_PERIOD: u64 = 5;
pub const GRANT_DEPOSIT: Balance = 50;

/// The model's owner (who creates its token), its revenue account, requesters and operators.
pub const OWNER: AccountId = 1;
pub const REVENUE: AccountId = 2;
pub const ALICE: AccountId = 10;
pub const BOB: AccountId = 11;
pub const CAROL: AccountId = 12;
pub const DAVE: AccountId = 13;
pub const OP_A: AccountId = 20;
pub const OP_B: AccountId = 21;
pub const OP_C: AccountId = 22;

/// The tiny model's fees: 10,000 per request and 1,000 per token (so shares are not round numbers).
pub const FEE_BASE: Balance = 10_000;
pub const FEE_PER_TOKEN: Balance = 1_000;

parameter_types! {
	pub const ProtocolAccount: AccountId = PROTOCOL;
	pub const OperatorShare: Perbill = Perbill::from_percent(70);
	pub const ProtocolShare: Perbill = Perbill::from_percent(5);
	pub HookWeight: frame_support::weights::Weight = frame_support::weights::Weight::from_parts(500_000_000_000, u64::MAX);
	pub const RevsharePalletId: PalletId = PalletId(*b"sbl/rvsh");
	pub const AigcPalletId: PalletId = PalletId(*b"sbl/aigc");
	pub Features: pallet_nfts::PalletFeatures = pallet_nfts::PalletFeatures::all_enabled();
	/// A grant passes with ayes of at least a fifth of the supply.
	pub const Quorum: Perbill = Perbill::from_percent(20);
}

pallet_inference::impl_test_signing!(Test);

impl pallet_inference::Config for Test {
	type AuthorityId = TestOperatorId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Revenue = Revshare;
	type OnEnd = ();
	type ProtocolAccount = ProtocolAccount;
	type ModelDeposit = ConstU128<500>;
	type MinOperatorBond = ConstU128<MIN_BOND>;
	type ResultBond = ConstU128<100>;
	type MissPenalty = ConstU128<50>;
	type OperatorShare = OperatorShare;
	type ProtocolShare = ProtocolShare;
	type MaxPromptTokens = ConstU32<36>;
	type MaxOutputTokens = ConstU32<8>;
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

impl pallet_nfts::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type CollectionId = u32;
	type ItemId = u64;
	type Currency = Balances;
	// Collections are this pallet's only.
	type CreateOrigin = frame_support::traits::AsEnsureOriginWithArg<frame_system::EnsureNever<AccountId>>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type Locker = ();
	type CollectionDeposit = ConstU128<0>;
	type ItemDeposit = ConstU128<ITEM_DEPOSIT>;
	type MetadataDepositBase = ConstU128<1>;
	type AttributeDepositBase = ConstU128<1>;
	type DepositPerByte = ConstU128<1>;
	type StringLimit = ConstU32<64>;
	type KeyLimit = ConstU32<32>;
	type ValueLimit = ConstU32<64>;
	type ApprovalsLimit = ConstU32<4>;
	type ItemAttributesApprovalsLimit = ConstU32<4>;
	type MaxTips = ConstU32<4>;
	type MaxDeadlineDuration = ConstU64<1000>;
	type MaxAttributesPerCall = ConstU32<4>;
	type Features = Features;
	type OffchainSignature = TestSignature;
	type OffchainPublic = UintAuthorityId;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = NftsHelper;
	type BlockNumberProvider = System;
}

/// `pallet-nfts`' benchmark helper for this test runtime's types (its own benchmarks are not run here).
#[cfg(feature = "runtime-benchmarks")]
pub struct NftsHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_nfts::BenchmarkHelper<u32, u64, UintAuthorityId, AccountId, TestSignature> for NftsHelper {
	fn collection(i: u16) -> u32 {
		i.into()
	}
	fn item(i: u16) -> u64 {
		i.into()
	}
	fn signer() -> (UintAuthorityId, AccountId) {
		(UintAuthorityId(1), 1)
	}
	fn sign(signer: &UintAuthorityId, message: &[u8]) -> TestSignature {
		TestSignature(signer.0, message.to_vec())
	}
}

impl pallet_aigc::Config for Test {
	type Fees = Balances;
	type Results = Inference;
	type Models = Inference;
	type Revenue = Revshare;
	type PalletId = AigcPalletId;
	type MintFee = ConstU128<MINT_FEE>;
	type WeightInfo = ();
}

impl pallet_revshare::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Inference;
	type PalletId = RevsharePalletId;
	type MaxNameLen = ConstU32<16>;
	type MaxSymbolLen = ConstU32<8>;
	type MinSnapshotInterval = ConstU64<SNAPSHOT_INTERVAL>;
	type ApprovalDeposit = ConstU128<APPROVAL_DEPOSIT>;
	type MaxSalePeriod = ConstU64<100>;
	type DefaultVotingPeriod = ConstU64<VOTING_PERIOD>;
	type Quorum = Quorum;
	type GrantDeposit = ConstU128<GRANT_DEPOSIT>;
	type MaxOpenGrants = ConstU32<2>;
	type WeightInfo = ();
}

/// Lifecycle timing: 3-block deadline, 2-block window.
pub const WINDOW: u64 = 2;

/// Genesis: endowed accounts, the tiny model (id 0) owned by OWNER and served by operators A, B and C.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, REVENUE, ALICE, BOB, CAROL, DAVE, OP_A, OP_B, OP_C].iter().map(|a| (*a, START)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	// Two tiny models (ids 0 and 1), both served by every operator.
	let models = [1, 2].map(|seed| sibyl_engine::testing::tiny_model(false, seed));
	pallet_inference::GenesisConfig::<Test> {
		params: Some(Params { propose_timeout: 3, challenge_window: WINDOW, retention: 50, unbond_delay: 5 }),
		models: models
			.iter()
			.map(|model| GenesisModel {
				owner: OWNER,
				name: b"tiny".to_vec(),
				root: model.root(),
				config: codec::Encode::encode(&model.config),
				config_proof: model.tree().multiproof(&[0], u64::MAX),
				max_new_limit: 8,
				fee_base: FEE_BASE,
				fee_per_token: FEE_PER_TOKEN,
				revenue: REVENUE,
			})
			.collect(),
		operators: [OP_A, OP_B, OP_C]
			.iter()
			.map(|o| GenesisOperator { who: *o, bond: MIN_BOND, models: vec![0, 1] })
			.collect(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_revshare::GenesisConfig::<Test>::default().assimilate_storage(&mut t).unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		check();
	});
	ext
}

/// Every pallet's books.
pub fn check() {
	assert_eq!(pallet_inference::Pallet::<Test>::do_try_state(), Ok(()));
	assert_eq!(pallet_revshare::Pallet::<Test>::do_try_state(), Ok(()));
	assert_eq!(crate::Pallet::<Test>::do_try_state(), Ok(()));
}

/// Ends the block (checking the books) and runs the next block's hooks.
pub fn next_block() {
	check();
	let n = System::block_number() + 1;
	let parent = sp_core::H256::from(sp_io::hashing::blake2_256(&n.to_le_bytes()));
	System::reset_events();
	System::initialize(&n, &parent, &Default::default());
	Inference::on_initialize(n);
	check();
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
			RuntimeEvent::Aigc(ev) => Some(ev),
			_ => None,
		})
		.collect()
}

/// The inference pallet's events of the current block.
pub fn inference_events() -> Vec<pallet_inference::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Inference(ev) => Some(ev),
			_ => None,
		})
		.collect()
}

/// A real request of `requester` to model 0 for `tokens` tokens, answered and finalized; returns its id.
pub fn finalized_request(requester: AccountId, tokens: u32) -> u64 {
	finalized_request_on(0, requester, tokens)
}

/// A real request of `requester` to `model` for `tokens` tokens, answered and finalized; returns its id.
pub fn finalized_request_on(model: u32, requester: AccountId, tokens: u32) -> u64 {
	use frame_support::assert_ok;
	use pallet_inference::lifecycle::RequestStatus;
	let id = pallet_inference::NextRequestId::<Test>::get();
	let prompt: Vec<u32> = (0..4).map(|i| (i * 7 + 3) % 80).collect();
	assert_ok!(Inference::submit(RuntimeOrigin::signed(requester), model, prompt, tokens, 0));
	next_block();
	let RequestStatus::Assigned { operator, .. } = pallet_inference::Requests::<Test>::get(id).unwrap().status else {
		panic!("request {id} not assigned")
	};
	let output: Vec<u32> = (0..tokens).collect();
	assert_ok!(Inference::propose(RuntimeOrigin::signed(operator), id, output, [7; 32], 99));
	let mut to_model = None;
	for _ in 0..=WINDOW {
		next_block();
		to_model = to_model.or(inference_events().into_iter().find_map(|e| match e {
			pallet_inference::Event::RequestFinalized { request, to_model, .. } if request == id => Some(to_model),
			_ => None,
		}));
	}
	to_model.unwrap_or_else(|| panic!("request {id} was not finalized"));
	id
}

/// The prompt every test request asks.
pub fn test_prompt() -> Vec<u32> {
	(0..4).map(|i| (i * 7 + 3) % 80).collect()
}
