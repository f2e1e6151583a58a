//! How other pallets plug into the oracle: where model revenue goes ([`ModelRevenue`]), who owns a model
//! ([`ModelRegistry`]), how a dispute game holds, upholds or rejects a proposed result ([`ResultDisputes`]), and
//! how a bridge submits requests on its users' behalf ([`Oracle`]) and hears how they end ([`OnRequestEnd`]).

use alloc::vec::Vec;
use sp_runtime::DispatchResult;

use crate::types::{ModelId, RequestId, Root};

/// Receives a model's share of every finalized request's fee.
///
/// The revenue-share pallet implements it to pay holders of the model's token; `()` pays the model's
/// registered revenue account.
pub trait ModelRevenue<AccountId, Balance> {
	/// The account the model's share is paid to.
	fn payee(model: ModelId, revenue_account: &AccountId) -> AccountId;
	/// Called after `amount` was paid to [`Self::payee`].
	fn on_revenue(model: ModelId, amount: Balance);
	/// The most [`Self::payee`] and [`Self::on_revenue`] together cost; every finalization charges it.
	fn revenue_weight() -> frame_support::weights::Weight;
}

impl<AccountId: Clone, Balance> ModelRevenue<AccountId, Balance> for () {
	fn payee(_: ModelId, revenue_account: &AccountId) -> AccountId {
		revenue_account.clone()
	}
	fn on_revenue(_: ModelId, _: Balance) {}
	fn revenue_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Hears how every request ends, for a pallet that submitted requests on someone's behalf (the Ethereum
/// bridge answers or refunds on Ethereum). Called once per request, after its money is settled.
pub trait OnRequestEnd<Balance> {
	/// `request` to `model` was finalized with `output` and `final_root`; `fee` was paid.
	fn on_finalized(request: RequestId, model: ModelId, output: &[u32], final_root: Root, fee: Balance);
	/// `request` ended without an answer (refunded or cancelled); everything held was returned.
	fn on_refunded(request: RequestId);
	/// The most either costs; every path that ends a request charges it.
	fn end_weight() -> frame_support::weights::Weight;
}

impl<Balance> OnRequestEnd<Balance> for () {
	fn on_finalized(_: RequestId, _: ModelId, _: &[u32], _: Root, _: Balance) {}
	fn on_refunded(_: RequestId) {}
	fn end_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Submitting requests from another pallet, as if `who` had signed [`crate::Call::submit`] without a tip.
pub trait Oracle<AccountId, Balance> {
	/// What a request to `model` for at most `max_new` tokens holds from its requester.
	fn max_fee(model: ModelId, max_new: u32) -> Result<Balance, sp_runtime::DispatchError>;
	/// Submits the request (holding [`Self::max_fee`] from `who`); its id.
	fn submit(who: AccountId, model: ModelId, prompt: Vec<u32>, max_new: u32)
		-> Result<RequestId, sp_runtime::DispatchError>;
	/// The weight of [`Self::submit`] with a prompt of `prompt_len` tokens.
	fn submit_weight(prompt_len: u32) -> frame_support::weights::Weight;
	/// Benchmarks only: a model anyone can ask, served by an operator other than `requester`, with the
	/// longest prompt and output allowed.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_servable(requester: &AccountId) -> ModelId;
}

/// Who owns a registered model, for pallets that act on a model's behalf (its revenue-share token).
pub trait ModelRegistry<AccountId> {
	/// The owner of `model`, if it is registered.
	fn owner(model: ModelId) -> Option<AccountId>;
	/// Where `model`'s revenue is paid when it has no revenue-share token.
	fn revenue_account(model: ModelId) -> Option<AccountId>;
	/// Benchmarks only: registers a model owned by `owner` (funding its deposit) and returns its id.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_model(owner: &AccountId) -> ModelId;
}

/// A finalized request and its result, as pallets that build on answers (AI-generated content) read them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FinalResult<AccountId> {
	/// Who asked.
	pub requester: AccountId,
	/// The model asked.
	pub model: ModelId,
	/// The model's engine commitment.
	pub model_root: Root,
	/// The prompt's token ids.
	pub prompt: Vec<u32>,
	/// The answer's token ids.
	pub output: Vec<u32>,
	/// The engine's final state root, which commits to prompt and output.
	pub final_root: Root,
}

/// Finalized results, while their requests are stored (their retention).
pub trait FinalResults<AccountId> {
	/// `request` and its result, only once it is final.
	fn final_result(request: RequestId) -> Option<FinalResult<AccountId>>;
	/// Benchmarks only: a request of `requester` with a prompt of `prompt_len` tokens and an answer of `output_len`
	/// tokens (at most the longest allowed), finalized.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_final(requester: &AccountId, prompt_len: u32, output_len: u32) -> RequestId;
}

/// What a dispute game needs to know about a proposed result.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Disputable<AccountId, BlockNumber> {
	/// The proposer.
	pub operator: AccountId,
	/// Its final state root.
	pub final_root: Root,
	/// Its step count.
	pub steps: u32,
	/// The model's commitment.
	pub model_root: Root,
	/// End of the challenge window.
	pub window_end: BlockNumber,
}

/// What a dispute game checks a result against: the request and result as the chain has them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DisputeContext {
	/// The model's engine configuration (the registered one, proven against its root).
	pub config: sibyl_engine::ModelConfig,
	/// The request's prompt token ids.
	pub prompt: Vec<u32>,
	/// The request's most tokens to generate.
	pub max_new: u32,
	/// The proposed output tokens.
	pub output: Vec<u32>,
}

/// A request that off-chain verifiers watch: its job, and its result once one is proposed and challengeable.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Watched<AccountId, BlockNumber> {
	/// The request.
	pub request: RequestId,
	/// The model's commitment.
	pub model_root: Root,
	/// The prompt's token ids.
	pub prompt: Vec<u32>,
	/// Most tokens to generate.
	pub max_new: u32,
	/// The proposed result and its output, while it can be challenged; `None` while the request waits for one.
	pub result: Option<(Disputable<AccountId, BlockNumber>, Vec<u32>)>,
}

/// The dispute game's way in: a result in its challenge window can be held (disputed), and each game on it
/// later upholds or rejects it. A result is not final while any game on it is open.
pub trait ResultDisputes<AccountId, Balance, BlockNumber> {
	/// The result of `request` if it can be challenged now (proposed or disputed, window running).
	fn disputable(request: RequestId) -> Option<Disputable<AccountId, BlockNumber>>;
	/// The proposer and final root of `request`'s result while it is disputed (whatever the window): a game
	/// whose result is no longer this one (another game rejected it) is void.
	fn disputed(request: RequestId) -> Option<(AccountId, Root)>;
	/// The model configuration, the request and the output of `request`'s result.
	fn context(request: RequestId) -> Option<DisputeContext>;
	/// A game on the result opened.
	fn open_dispute(request: RequestId) -> DispatchResult;
	/// A game ended with the result upheld; when no game is left it finalizes as usual.
	fn uphold(request: RequestId) -> DispatchResult;
	/// What ending a request through [`Self::uphold`] or [`Self::reject`] may cost beyond what a benchmark's model
	/// shows: the model's revenue hook ([`ModelRevenue::revenue_weight`]) and [`OnRequestEnd::end_weight`].
	fn uphold_extra_weight() -> frame_support::weights::Weight;
	/// A game proved the result wrong: the result bond goes to `beneficiary`, the proposer is penalised, and
	/// the request is answered again by another operator (or refunded). Returns what `beneficiary` received.
	fn reject(request: RequestId, beneficiary: &AccountId) -> Result<Balance, sp_runtime::DispatchError>;
	/// For off-chain workers: at most `max` requests that wait for a result or whose result can be challenged,
	/// soonest deadline first.
	fn watched(max: u32) -> Vec<Watched<AccountId, BlockNumber>>;
	/// Benchmarks only: a model with the engine configuration `config`, served by several operators, and a
	/// request with a prompt of `prompt_len` tokens (at most the longest allowed) and `max_new`, whose result
	/// (`max_new` tokens, `steps` steps, the final root `final_root` gives from the model's commitment) is
	/// proposed and in its window.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_proposed(
		config: Vec<u8>,
		prompt_len: u32,
		max_new: u32,
		steps: u32,
		final_root: impl FnOnce(&Root) -> Root,
	) -> Option<RequestId>;
	/// Slashes up to `amount` of `operator`'s bond to `beneficiary` (burned if `None`); returns what was taken.
	fn slash_operator(operator: &AccountId, amount: Balance, beneficiary: Option<&AccountId>) -> Balance;
}
