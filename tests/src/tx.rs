//! Signed extrinsics built with the runtime's own types, the way a wallet builds them.

use codec::Encode;
use sibyl_runtime::{
	check_transfer::CheckTransferBalance, AccountId, Balance, BalancesCall, Hash, Nonce, RuntimeCall,
	SignedPayload, TxExtension, UncheckedExtrinsic,
};
use sp_core::{sr25519, Pair};
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

/// What a signature commits to besides the call: the chain and runtime it is meant for.
#[derive(Clone, Copy, Debug)]
pub struct ChainContext {
	/// Genesis hash.
	pub genesis: Hash,
	/// Runtime `spec_version`.
	pub spec_version: u32,
	/// Runtime `transaction_version`.
	pub tx_version: u32,
}

impl ChainContext {
	/// Reads the context from a node.
	pub fn fetch(rpc: &crate::Rpc) -> Result<ChainContext, String> {
		let (spec_version, tx_version) = rpc.runtime_version()?;
		Ok(ChainContext { genesis: rpc.genesis_hash()?, spec_version, tx_version })
	}
}

fn extension(nonce: Nonce) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		CheckTransferBalance,
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// `call` signed by `signer` with `nonce`, immortal, no tip; `sign_with` (if given) makes the signature with a
/// different key than the one the extrinsic names, which the chain must refuse.
pub fn signed(
	ctx: &ChainContext,
	signer: &sr25519::Pair,
	nonce: Nonce,
	call: RuntimeCall,
	sign_with: Option<&sr25519::Pair>,
) -> Vec<u8> {
	let ext = extension(nonce);
	let implicit = (
		(),
		ctx.spec_version,
		ctx.tx_version,
		ctx.genesis,
		ctx.genesis,
		(),
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), ext.clone(), implicit);
	let key = sign_with.unwrap_or(signer);
	let signature = payload.using_encoded(|bytes| key.sign(bytes));
	let who: AccountId = signer.public().into();
	UncheckedExtrinsic::new_signed(call, MultiAddress::Id(who), MultiSignature::Sr25519(signature), ext).encode()
}

/// `Balances::transfer_keep_alive(dest, value)`.
pub fn transfer_call(dest: &AccountId, value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(dest.clone()), value })
}

/// A signed `transfer_keep_alive` from `signer` to `dest`.
pub fn transfer(ctx: &ChainContext, signer: &sr25519::Pair, nonce: Nonce, dest: &AccountId, value: Balance) -> Vec<u8> {
	signed(ctx, signer, nonce, transfer_call(dest, value), None)
}
