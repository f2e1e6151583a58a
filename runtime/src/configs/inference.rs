//! `pallet_inference`: the inference oracle (models, operators, requests, results).

use frame_support::{
	parameter_types,
	traits::ConstU32,
	PalletId,
};
use codec::Encode;
use sp_runtime::{
	traits::{AccountIdConversion, Verify},
	MultiAddress, Perbill,
};

use crate::{
	AccountId, Balance, Balances, Nonce, Runtime, RuntimeCall, RuntimeHoldReason, Signature, SignedPayload,
	UncheckedExtrinsic, UNIT,
};

/// The longest prompt, in tokens (the Ethereum gateway has the same bound).
pub const MAX_PROMPT_TOKENS: u32 = 1024;
/// The longest answer, in tokens (the Ethereum gateway has the same bound).
pub const MAX_OUTPUT_TOKENS: u32 = 512;

parameter_types! {
	/// Receives the protocol's share of every inference fee.
	pub ProtocolAccount: AccountId = PalletId(*b"sbl/prot").into_account_truncating();
	/// Held from a model's owner while the model is registered.
	pub const ModelDeposit: Balance = 100 * UNIT;
	/// The least bond with which an operator gets requests.
	pub const MinOperatorBond: Balance = 1_000 * UNIT;
	/// Held from a result's proposer until the result is final.
	pub const ResultBond: Balance = 10 * UNIT;
	/// Paid by an operator to the requester for each missed deadline.
	pub const MissPenalty: Balance = 10 * UNIT;
	/// The operator's share of a fee (before the tip, which is all its own).
	pub const OperatorShare: Perbill = Perbill::from_percent(70);
	/// The protocol's share; the model's revenue gets the remaining 25%.
	pub const ProtocolShare: Perbill = Perbill::from_percent(5);
	/// The hook's share of a block: the quarter that normal extrinsics (75%) leave, so a busy hook never
	/// crowds out transactions; what does not fit waits for the next block.
	pub HookWeight: frame_support::weights::Weight =
		Perbill::from_percent(25) * super::system::RuntimeBlockWeights::get().max_block;
	/// The longest one-step proof a dispute accepts (SmolLM2's is bounded at 68,942 bytes): far inside the 3.75 MiB
	/// a normal extrinsic may take, so a registered model's proofs always fit in a transaction.
	pub const MaxStepProofLen: u32 = 256 * 1024;
}

impl pallet_inference::Config for Runtime {
	type AuthorityId = pallet_inference::offchain::crypto::OperatorId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// The model's registered revenue account, until the revenue-share pallet takes it over.
	type Revenue = crate::Revshare;
	/// The Ethereum bridge answers or refunds the requests made on Ethereum.
	type OnEnd = crate::Settlement;
	type ProtocolAccount = ProtocolAccount;
	type ModelDeposit = ModelDeposit;
	type MinOperatorBond = MinOperatorBond;
	type ResultBond = ResultBond;
	type MissPenalty = MissPenalty;
	type OperatorShare = OperatorShare;
	type ProtocolShare = ProtocolShare;
	type MaxPromptTokens = ConstU32<MAX_PROMPT_TOKENS>;
	type MaxOutputTokens = ConstU32<MAX_OUTPUT_TOKENS>;
	type MaxNameLen = ConstU32<64>;
	type MaxConfigLen = ConstU32<4096>;
	type MaxOperatorsPerModel = ConstU32<32>;
	type MaxModelsPerOperator = ConstU32<8>;
	type MaxQueuePerOperator = ConstU32<256>;
	type MaxQueued = ConstU32<8192>;
	type MaxScheduledPerBlock = ConstU32<8192>;
	type HookWeight = HookWeight;
	type MaxAttempts = ConstU32<3>;
	type MaxStepProofLen = MaxStepProofLen;
	type WeightInfo = crate::weights::pallet_inference::WeightInfo<Runtime>;
}

/// Operators' off-chain workers sign their proposals with the operator key (key type `sinf`) as ordinary signed
/// transactions: the same extensions, nonce and fees as any account's.
impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <Signature as Verify>::Signer;
	type Signature = Signature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: <Signature as Verify>::Signer,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		let ext = crate::tx_extension(nonce, 0);
		let payload = SignedPayload::new(call, ext).ok()?;
		let signature = payload.using_encoded(|bytes| A::sign(bytes, public))?;
		let (call, ext, _) = payload.deconstruct();
		Some(UncheckedExtrinsic::new_signed(call, MultiAddress::Id(account), signature, ext))
	}
}
