//! Signed extrinsics built with the runtime's own types, the way a wallet builds them.

use codec::Encode;
use sibyl_runtime::{
	signing::{self, SigningContext},
	AccountId, Balance, BalancesCall, Nonce, RuntimeCall,
};
use sp_core::sr25519;
use sp_runtime::MultiAddress;

/// What a signature commits to besides the call: the chain and runtime it is meant for.
pub type ChainContext = SigningContext;

/// Reads the signing context from a node.
pub fn fetch_context(rpc: &crate::Rpc) -> Result<ChainContext, String> {
	let (spec_version, transaction_version) = rpc.runtime_version()?;
	Ok(SigningContext { genesis: rpc.genesis_hash()?, spec_version, transaction_version })
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
	signing::sign(ctx, call, signing::tx_extension(nonce, 0), signer, sign_with.unwrap_or(signer)).encode()
}

/// `Balances::transfer_keep_alive(dest, value)`.
pub fn transfer_call(dest: &AccountId, value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(dest.clone()), value })
}

/// A signed `transfer_keep_alive` from `signer` to `dest`.
pub fn transfer(ctx: &ChainContext, signer: &sr25519::Pair, nonce: Nonce, dest: &AccountId, value: Balance) -> Vec<u8> {
	signed(ctx, signer, nonce, transfer_call(dest, value), None)
}
