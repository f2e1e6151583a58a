//! `CheckTransferBalance`: a transaction extension that refuses, at the transaction pool, a balance transfer
//! the sender can not pay at the current state.
//!
//! Without it, such a transfer is accepted by the pool, included, fails at dispatch and still costs its fee. A
//! wallet gets `1010: Invalid Transaction: Custom error: 1` ([`TRANSFER_EXCEEDS_BALANCE`]) from
//! `author_submitExtrinsic` instead, and the sender pays nothing. The check covers direct
//! `Balances::transfer_allow_death` and `transfer_keep_alive` calls: `value + fee` must not exceed what the
//! sender can spend (keeping the existential deposit for `transfer_keep_alive`). Transfers nested in other calls
//! (e.g. `sudo`) are left to dispatch.

use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction},
	traits::{
		fungible::Inspect,
		tokens::{Fortitude, Preservation},
	},
	weights::Weight,
};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{DispatchInfoOf, Implication, TransactionExtension, ValidateResult},
	transaction_validity::TransactionValidity,
};

use crate::{AccountId, Balances, Runtime, RuntimeCall, RuntimeOrigin};

/// `InvalidTransaction::Custom` code: the transfer's value plus its fee exceeds the sender's spendable balance.
pub const TRANSFER_EXCEEDS_BALANCE: u8 = 1;

/// Refuses direct balance transfers whose value plus fee exceeds the sender's spendable balance. It carries no
/// data in the transaction.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo, Default, Debug)]
pub struct CheckTransferBalance;

/// The transfer a call makes directly: destination-independent value and whether the sender must stay alive.
fn direct_transfer(call: &RuntimeCall) -> Option<(u128, Preservation)> {
	match call {
		RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death { value, .. }) =>
			Some((*value, Preservation::Expendable)),
		RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { value, .. }) =>
			Some((*value, Preservation::Preserve)),
		_ => None,
	}
}

/// Checks that `who` can pay `call`'s transfer value plus the fee of a transaction of `len` bytes.
fn check(who: &AccountId, call: &RuntimeCall, info: &DispatchInfoOf<RuntimeCall>, len: usize) -> TransactionValidity {
	let Some((value, preservation)) = direct_transfer(call) else { return Ok(ValidTransaction::default()) };
	let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(len as u32, info, 0);
	let spendable = <Balances as Inspect<AccountId>>::reducible_balance(who, preservation, Fortitude::Polite);
	if value.saturating_add(fee) > spendable {
		return Err(InvalidTransaction::Custom(TRANSFER_EXCEEDS_BALANCE).into());
	}
	Ok(ValidTransaction::default())
}

impl TransactionExtension<RuntimeCall> for CheckTransferBalance {
	const IDENTIFIER: &'static str = "CheckTransferBalance";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &RuntimeCall) -> Weight {
		// One read of the sender's account (already in the overlay after `CheckNonce`, counted anyway).
		match direct_transfer(call) {
			Some(_) => <Runtime as frame_system::Config>::DbWeight::get().reads(1),
			None => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: RuntimeOrigin,
		call: &RuntimeCall,
		info: &DispatchInfoOf<RuntimeCall>,
		len: usize,
		_self_implicit: (),
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<(), RuntimeCall> {
		let valid = match frame_system::ensure_signed(origin.clone()) {
			Ok(who) => check(&who, call, info, len)?,
			Err(_) => ValidTransaction::default(),
		};
		Ok((valid, (), origin))
	}

	fn prepare(
		self,
		_val: (),
		_origin: &RuntimeOrigin,
		_call: &RuntimeCall,
		_info: &DispatchInfoOf<RuntimeCall>,
		_len: usize,
	) -> Result<(), TransactionValidityError> {
		Ok(())
	}
}
