//! How other pallets plug into the oracle: where model revenue goes ([`ModelRevenue`]) and how a dispute game
//! holds, upholds or rejects a proposed result ([`ResultDisputes`]).

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
}

impl<AccountId: Clone, Balance> ModelRevenue<AccountId, Balance> for () {
	fn payee(_: ModelId, revenue_account: &AccountId) -> AccountId {
		revenue_account.clone()
	}
	fn on_revenue(_: ModelId, _: Balance) {}
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

/// The dispute game's way in: a result in its challenge window can be held (disputed), and each game on it
/// later upholds or rejects it. A result is not final while any game on it is open.
pub trait ResultDisputes<AccountId, Balance, BlockNumber> {
	/// The result of `request` if it can be challenged now (proposed or disputed, window running).
	fn disputable(request: RequestId) -> Option<Disputable<AccountId, BlockNumber>>;
	/// A game on the result opened.
	fn open_dispute(request: RequestId) -> DispatchResult;
	/// A game ended with the result upheld; when no game is left it finalizes as usual.
	fn uphold(request: RequestId) -> DispatchResult;
	/// A game proved the result wrong: the result bond goes to `beneficiary`, the proposer is penalised, and
	/// the request is answered again by another operator (or refunded).
	fn reject(request: RequestId, beneficiary: &AccountId) -> DispatchResult;
	/// Slashes up to `amount` of `operator`'s bond to `beneficiary` (burned if `None`); returns what was taken.
	fn slash_operator(operator: &AccountId, amount: Balance, beneficiary: Option<&AccountId>) -> Balance;
}
