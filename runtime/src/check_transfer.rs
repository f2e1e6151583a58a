//! [`CheckTransferBalance`]: how the runtime charges transaction fees, refusing at the transaction pool a balance
//! transfer whose value plus fee (tip included) the sender can not pay.
//!
//! Stock Substrate accepts such a transfer into the pool, includes it, lets it fail at dispatch and still takes
//! its fee. Here the check runs where the fee itself is checked, in `ChargeTransactionPayment`'s validation
//! (`OnChargeTransaction::can_withdraw_fee`), which knows the exact fee with the sender's tip. The transaction is
//! invalid with the standard `InvalidTransaction::Payment`: `author_submitExtrinsic` answers
//! `1010: Invalid Transaction: Inability to pay some fees (e.g. account balance too low)` and nothing is
//! charged. Because the check is part of fee payment, wallets see no extension of Sibyl's own: the signed
//! extensions are Substrate's standard ones.
//!
//! What is checked, for a call that *is* a transfer (not one nested in `sudo` or a batch, which is left to
//! dispatch):
//!
//! | call | refused when |
//! |---|---|
//! | `Balances::transfer_allow_death(value)` | `value + fee` > what the sender can spend, letting the account die |
//! | `Balances::transfer_keep_alive(value)` | `value + fee` > what the sender can spend keeping the existential deposit |
//! | `Balances::transfer_all` | the fee can not be paid (it moves whatever is left after the fee) |
//!
//! The fee is always withdrawn keeping the account alive (the standard `FungibleAdapter`), so
//! `transfer_allow_death` can empty an account only when the fee leaves at least the existential deposit.
//!
//! Weight: the check reads the sender's account, which the fee withdrawal reads anyway, so it adds no storage
//! access to `ChargeTransactionPayment`'s benchmarked weight (`weights::pallet_transaction_payment`).
//! Validation runs again when a block is built (`apply_extrinsic` validates before it prepares), so a transfer
//! made unpayable by an earlier transaction of the same block is dropped, not charged.

use frame_support::traits::{
	fungible::Inspect,
	tokens::{Fortitude, Preservation},
};
use pallet_transaction_payment::{FungibleAdapter, OnChargeTransaction, TxCreditHold};
use sp_runtime::{
	traits::{DispatchInfoOf, PostDispatchInfoOf},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
};

use crate::{AccountId, Balance, Balances, Runtime, RuntimeCall};

/// The standard fee payment this wraps: fees are withdrawn from the signer's free balance and burned.
type Fees = FungibleAdapter<Balances, ()>;

/// Charges fees like [`FungibleAdapter`] and refuses a direct transfer the sender can not pay with its fee.
pub struct CheckTransferBalance;

/// The value a call transfers directly out of the signer's account, and what must stay in it: `None` for a call
/// that is no transfer. `transfer_all` moves what is left after the fee, so it needs only the fee.
pub fn direct_transfer(call: &RuntimeCall) -> Option<(Balance, Preservation)> {
	use pallet_balances::Call;
	let keep = |alive: bool| if alive { Preservation::Preserve } else { Preservation::Expendable };
	match call {
		RuntimeCall::Balances(Call::transfer_allow_death { value, .. }) => Some((*value, Preservation::Expendable)),
		RuntimeCall::Balances(Call::transfer_keep_alive { value, .. }) => Some((*value, Preservation::Preserve)),
		RuntimeCall::Balances(Call::transfer_all { keep_alive, .. }) => Some((0, keep(*keep_alive))),
		_ => None,
	}
}

/// `Ok` when `who` can pay the transfer `call` makes and `fee_with_tip`, or when `call` makes no transfer.
pub fn ensure_affordable(
	who: &AccountId,
	call: &RuntimeCall,
	fee_with_tip: Balance,
) -> Result<(), TransactionValidityError> {
	let Some((value, preservation)) = direct_transfer(call) else { return Ok(()) };
	let spendable = <Balances as Inspect<AccountId>>::reducible_balance(who, preservation, Fortitude::Polite);
	match value.checked_add(fee_with_tip) {
		Some(needed) if needed <= spendable => Ok(()),
		_ => Err(InvalidTransaction::Payment.into()),
	}
}

impl TxCreditHold<Runtime> for CheckTransferBalance {
	type Credit = <Fees as TxCreditHold<Runtime>>::Credit;
}

impl OnChargeTransaction<Runtime> for CheckTransferBalance {
	type Balance = Balance;
	type LiquidityInfo = <Fees as OnChargeTransaction<Runtime>>::LiquidityInfo;

	fn withdraw_fee(
		who: &AccountId,
		call: &RuntimeCall,
		info: &DispatchInfoOf<RuntimeCall>,
		fee_with_tip: Balance,
		tip: Balance,
	) -> Result<Self::LiquidityInfo, TransactionValidityError> {
		// `can_withdraw_fee` ran in the same state just before (validation precedes preparation).
		<Fees as OnChargeTransaction<Runtime>>::withdraw_fee(who, call, info, fee_with_tip, tip)
	}

	fn can_withdraw_fee(
		who: &AccountId,
		call: &RuntimeCall,
		info: &DispatchInfoOf<RuntimeCall>,
		fee_with_tip: Balance,
		tip: Balance,
	) -> Result<(), TransactionValidityError> {
		<Fees as OnChargeTransaction<Runtime>>::can_withdraw_fee(who, call, info, fee_with_tip, tip)?;
		ensure_affordable(who, call, fee_with_tip)
	}

	fn correct_and_deposit_fee(
		who: &AccountId,
		info: &DispatchInfoOf<RuntimeCall>,
		post_info: &PostDispatchInfoOf<RuntimeCall>,
		corrected_fee_with_tip: Balance,
		tip: Balance,
		liquidity_info: Self::LiquidityInfo,
	) -> Result<(), TransactionValidityError> {
		<Fees as OnChargeTransaction<Runtime>>::correct_and_deposit_fee(
			who,
			info,
			post_info,
			corrected_fee_with_tip,
			tip,
			liquidity_info,
		)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn endow_account(who: &AccountId, amount: Balance) {
		<Fees as OnChargeTransaction<Runtime>>::endow_account(who, amount)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn minimum_balance() -> Balance {
		<Fees as OnChargeTransaction<Runtime>>::minimum_balance()
	}
}
