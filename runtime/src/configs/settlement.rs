//! `pallet_settlement`: messages to Ethereum, rooted into the BEEFY MMR leaf.

use frame_support::{parameter_types, traits::ConstU32, PalletId};

use crate::Runtime;

parameter_types! {
	/// The settlement pallet's account: it holds the revenue-share units bridged to Ethereum.
	pub const SettlementPalletId: PalletId = PalletId(*b"sbl/sttl");
}

/// A revenue-share transfer at its worst (the number of holders it is charged for, grant proposals open).
pub struct RevshareTransferWeight;
impl frame_support::traits::Get<frame_support::weights::Weight> for RevshareTransferWeight {
	fn get() -> frame_support::weights::Weight {
		use pallet_revshare::WeightInfo as _;
		crate::weights::pallet_revshare::WeightInfo::<Runtime>::transfer(pallet_revshare::HOLDERS_CHARGED)
	}
}

/// The session's validators: who attests Ethereum events.
pub struct SessionValidators;
impl frame_support::traits::Get<alloc::vec::Vec<crate::AccountId>> for SessionValidators {
	fn get() -> alloc::vec::Vec<crate::AccountId> {
		pallet_session::Validators::<Runtime>::get()
	}
}

impl pallet_settlement::Config for Runtime {
	type Tokens = crate::Revshare;
	type TransferWeight = RevshareTransferWeight;
	type Oracle = crate::Inference;
	type Validators = SessionValidators;
	/// A validator attests with the operator key it named (`validators.set_operator`).
	type Attester = pallet_validators::ValidatorOfOperator<Runtime>;
	/// Validators' nodes sign attestations with their operator key (`sinf`).
	type AuthorityId = pallet_inference::offchain::crypto::OperatorId;
	type MaxValidators = super::aura::MaxAuthorities;
	type MaxPromptTokens = ConstU32<{ super::inference::MAX_PROMPT_TOKENS }>;
	type MaxOutputTokens = ConstU32<{ super::inference::MAX_OUTPUT_TOKENS }>;
	// Votes are taken for up to 16 events of each stream past the last executed one.
	type VoteWindow = ConstU32<16>;
	type MaxEthRequests = ConstU32<256>;
	type MaxExecutePerBlock = ConstU32<8>;
	// A relayer delivers a block's messages in one batch transaction; 64 keeps it within Ethereum's gas limit.
	type MaxMessagesPerBlock = ConstU32<64>;
	// The longest body: an inference result with 512 output tokens (32-byte words) and its fields.
	type MaxBodyLen = ConstU32<{ 32 * (512 + 8) }>;
	type PalletId = SettlementPalletId;
	type WeightInfo = pallet_settlement::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHolder;
}

/// The benchmarks bridge units of a token created for a benchmark model.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHolder;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_settlement::BenchmarkHelper<crate::AccountId> for BenchHolder {
	fn holder() -> (crate::AccountId, sibyl_inference_primitives::ModelId, u128) {
		use pallet_inference::traits::ModelRegistry;
		let owner: crate::AccountId = frame_benchmarking::account("owner", 0, 0);
		let model = <crate::Inference as ModelRegistry<crate::AccountId>>::bench_model(&owner);
		let supply = 1_000_000_000u128;
		let _ = crate::Revshare::create_token(
			crate::RuntimeOrigin::signed(owner.clone()),
			model,
			b"Bench".to_vec(),
			b"BNCH".to_vec(),
			0,
			supply,
			1,
			sp_runtime::Perbill::from_percent(60),
			sp_runtime::Perbill::from_percent(10),
		);
		(owner, model, supply)
	}

	fn set_validators(set: alloc::vec::Vec<crate::AccountId>) {
		// Each signs with its own account as its operator.
		for v in &set {
			pallet_validators::AttesterOf::<Runtime>::insert(v, v);
		}
		pallet_session::Validators::<Runtime>::put(set);
	}
}
