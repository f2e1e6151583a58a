//! The runtime's fee payment refuses a transfer the sender can not pay with its fee (`check_transfer`), at the
//! boundaries: what the sender can spend minus the fee is accepted and dispatches, one planck more is refused
//! with `InvalidTransaction::Payment`, for `transfer_keep_alive`, `transfer_allow_death` and `transfer_all`, with
//! and without a tip. Every transaction goes through the runtime's whole `TxExtension` pipeline, as in the pool
//! (`validate_only`) and in a block (`dispatch_transaction`).

use frame_support::dispatch::GetDispatchInfo;
use sibyl_runtime::{
	AccountId, Balance, Balances, BalancesCall, BuildStorage, RuntimeCall, RuntimeGenesisConfig,
	RuntimeOrigin, System, SystemCall, TransactionPayment, TxExtension, EXISTENTIAL_DEPOSIT, UNIT,
	signing,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	MultiAddress,
};

/// Encoded length the tests charge for: about a signed transfer's.
const LEN: usize = 150;
/// What the sender holds at the start of every test.
const START: Balance = 10 * UNIT;

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}

/// A chain at block 1 where Alice holds `alice` and Bob holds `START`.
fn chain(alice_balance: Balance) -> sp_io::TestExternalities {
	let mut genesis = RuntimeGenesisConfig::default();
	genesis.balances.balances = vec![(alice(), alice_balance), (bob(), START)];
	let storage = genesis.build_storage().expect("the genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The runtime's transaction extensions, for Alice's next transaction, with `tip`.
fn extensions(tip: Balance) -> TxExtension {
	signing::tx_extension(System::account_nonce(alice()), tip)
}

/// The dispatch info the executive gives `call` (its own weight plus the extensions').
fn info(call: &RuntimeCall, tip: Balance) -> frame_support::dispatch::DispatchInfo {
	let mut info = call.get_dispatch_info();
	info.extension_weight = extensions(tip).weight(call);
	info
}

/// The fee, tip included, Alice's transaction `call` costs before dispatch.
fn fee(call: &RuntimeCall, tip: Balance) -> Balance {
	TransactionPayment::compute_fee(LEN as u32, &info(call, tip), tip)
}

/// Whether the pool accepts `call` from Alice with `tip`.
fn validate(call: &RuntimeCall, tip: Balance) -> Result<(), TransactionValidityError> {
	extensions(tip)
		.validate_only(RuntimeOrigin::signed(alice()), call, &info(call, tip), LEN, TransactionSource::External, 0)
		.map(|_| ())
}

/// Applies `call` from Alice with `tip` as a block would; panics unless it is valid and succeeds.
fn apply(call: RuntimeCall, tip: Balance) {
	let info = info(&call, tip);
	let outcome = extensions(tip).dispatch_transaction(RuntimeOrigin::signed(alice()), call, &info, LEN, 0);
	match outcome {
		Ok(Ok(_)) => {},
		other => panic!("expected a valid, successful transaction, got {other:?}"),
	}
}

const REFUSED: Result<(), TransactionValidityError> =
	Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));

fn keep_alive(value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(bob()), value })
}

fn allow_death(value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_allow_death { dest: MultiAddress::Id(bob()), value })
}

fn transfer_all(keep_alive: bool) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_all { dest: MultiAddress::Id(bob()), keep_alive })
}

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

/// The largest value a `make(value)` transfer can move with `tip`: what Alice can spend minus its fee. The
/// fee does not depend on the value (fixed length, fixed weight), which the test checks.
fn largest(make: fn(Balance) -> RuntimeCall, spendable: Balance, tip: Balance) -> Balance {
	let f = fee(&make(0), tip);
	assert_eq!(f, fee(&make(spendable), tip), "the fee depends on the value");
	spendable - f
}

#[test]
fn keep_alive_can_spend_all_but_the_existential_deposit_and_the_fee() {
	chain(START).execute_with(|| {
		let value = largest(keep_alive, START - EXISTENTIAL_DEPOSIT, 0);
		assert_eq!(validate(&keep_alive(value + 1), 0), REFUSED, "one planck beyond the boundary");
		assert_eq!(validate(&keep_alive(value), 0), Ok(()));
		apply(keep_alive(value), 0);
		assert_eq!(free(&bob()), START + value);
		assert!(free(&alice()) >= EXISTENTIAL_DEPOSIT, "Alice stays alive: {}", free(&alice()));
		assert_eq!(System::account_nonce(alice()), 1);
	});
}

#[test]
fn allow_death_can_spend_everything_but_the_fee() {
	chain(START).execute_with(|| {
		let value = largest(allow_death, START, 0);
		assert_eq!(validate(&allow_death(value + 1), 0), REFUSED, "one planck beyond the boundary");
		// What allow-death may move, keep-alive may not.
		assert_eq!(validate(&keep_alive(value), 0), REFUSED);
		assert_eq!(validate(&allow_death(value), 0), Ok(()));
		apply(allow_death(value), 0);
		assert_eq!(free(&bob()), START + value);
		assert!(free(&alice()) < EXISTENTIAL_DEPOSIT, "Alice's account is emptied: {}", free(&alice()));
	});
}

#[test]
fn the_tip_counts_towards_what_a_transfer_costs() {
	let tip = 3 * UNIT / 100;
	chain(START).execute_with(|| {
		let spendable = START - EXISTENTIAL_DEPOSIT;
		let untipped = largest(keep_alive, spendable, 0);
		let tipped = largest(keep_alive, spendable, tip);
		assert!(tipped + tip <= untipped, "a tip raises the fee: {tipped} + {tip} > {untipped}");
		// Payable without the tip, not with it.
		assert_eq!(validate(&keep_alive(untipped), tip), REFUSED);
		assert_eq!(validate(&keep_alive(tipped + 1), tip), REFUSED);
		assert_eq!(validate(&keep_alive(tipped), tip), Ok(()));
		apply(keep_alive(tipped), tip);
		assert_eq!(free(&bob()), START + tipped);
		assert!(free(&alice()) >= EXISTENTIAL_DEPOSIT);
	});
	// The same with allow-death.
	chain(START).execute_with(|| {
		let tipped = largest(allow_death, START, tip);
		assert_eq!(validate(&allow_death(tipped + 1), tip), REFUSED);
		assert_eq!(validate(&allow_death(tipped), tip), Ok(()));
	});
}

#[test]
fn transfer_all_moves_what_is_left_after_the_fee() {
	for keep in [false, true] {
		chain(START).execute_with(|| {
			let f = fee(&transfer_all(keep), 0);
			assert_eq!(validate(&transfer_all(keep), 0), Ok(()));
			apply(transfer_all(keep), 0);
			let left = free(&alice());
			if keep {
				// The existential deposit, plus whatever part of the fee post-dispatch refunds.
				assert!(left >= EXISTENTIAL_DEPOSIT && left < EXISTENTIAL_DEPOSIT + f, "keep-alive left {left}");
			} else {
				assert_eq!(left, 0, "allow-death empties the account");
			}
			// Bob got everything but the fee actually charged (at most the fee before dispatch) and what stays.
			let got = free(&bob()) - START;
			assert!(got + left + f >= START && got + left < START, "Bob got {got}, fee {f}, left {left}");
		});
	}
	// An account that can not pay the fee (it must also stay alive) can not send it.
	let f = chain(START).execute_with(|| fee(&transfer_all(false), 0));
	chain(EXISTENTIAL_DEPOSIT + f - 1).execute_with(|| {
		assert_eq!(validate(&transfer_all(false), 0), REFUSED);
	});
	chain(EXISTENTIAL_DEPOSIT + f).execute_with(|| {
		assert_eq!(validate(&transfer_all(false), 0), Ok(()));
	});
}

#[test]
fn other_calls_need_only_their_fee() {
	let remark = RuntimeCall::System(SystemCall::remark { remark: vec![0; 8] });
	let f = chain(START).execute_with(|| fee(&remark, 0));
	chain(EXISTENTIAL_DEPOSIT + f).execute_with(|| {
		assert_eq!(validate(&remark, 0), Ok(()));
		apply(remark.clone(), 0);
	});
	chain(EXISTENTIAL_DEPOSIT + f - 1).execute_with(|| assert_eq!(validate(&remark, 0), REFUSED));
}
