//! The Ethereum side: a provider that signs with the relayer's key, and sending a gateway call with its
//! outcome classified (sent, already done, lost a race, refused).
//!
//! A call is first estimated (`eth_estimateGas`): a revert there costs nothing, and its custom error says
//! why. It is then sent with the estimate plus a fifth (the state may change a little between the two: a
//! consumer callback's gas is exact, the rest is what the gateway itself spends) and its receipt awaited. A
//! transaction that reverts on chain is replayed with `eth_call` at its block to learn why.

use std::{str::FromStr, sync::Once, time::Duration};

use alloy::{
	contract::RawCallBuilder,
	eips::BlockId,
	network::{EthereumWallet, ReceiptResponse},
	primitives::B256,
	providers::{DynProvider, Provider, ProviderBuilder},
	signers::local::PrivateKeySigner,
};

use crate::{
	gateway::{describe, is_already_done, is_undeliverable, GatewayError},
	Error,
};

/// rustls's process-wide crypto provider: `ring` (the node builds it already), installed once.
fn install_crypto_provider() {
	static ONCE: Once = Once::new();
	ONCE.call_once(|| {
		// Fails only if another provider is installed already, which then serves as well.
		let _ = rustls::crypto::ring::default_provider().install_default();
	});
}

/// A provider of the Ethereum node at `url` (`http://` or `https://`) that signs with `signer`: gas and fees
/// estimated, the nonce read from the node for each transaction (so a restart or a dropped transaction never
/// leaves a gap), the chain id fetched.
pub fn connect(url: &str, signer: PrivateKeySigner) -> Result<DynProvider, Error> {
	install_crypto_provider();
	let url = url.parse().map_err(|e| Error::Config(format!("Ethereum RPC URL {url}: {e}")))?;
	Ok(ProviderBuilder::default()
		.with_gas_estimation()
		.with_simple_nonce_management()
		.fetch_chain_id()
		.wallet(EthereumWallet::from(signer))
		.connect_http(url)
		.erased())
}

/// A private key from hex (with or without `0x`, surrounding whitespace ignored).
pub fn parse_key(hex: &str) -> Result<PrivateKeySigner, Error> {
	PrivateKeySigner::from_str(hex.trim()).map_err(|e| Error::Config(format!("bad private key: {e}")))
}

/// A private key from a file holding its hex.
pub fn read_key_file(path: &std::path::Path) -> Result<PrivateKeySigner, Error> {
	let text = std::fs::read_to_string(path).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
	parse_key(&text)
}

/// What became of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
	/// Included and successful.
	Sent {
		/// Gas the transaction used.
		gas_used: u64,
		/// Its hash.
		tx: B256,
	},
	/// Not sent: the gateway already has it (estimation reverted with this "already done" error).
	AlreadyDone(String),
	/// Sent, but another transaction got there first: reverted on chain with this "already done" error, gas
	/// paid.
	LostRace {
		/// Gas the reverted transaction used.
		gas_used: u64,
		/// Its hash.
		tx: B256,
		/// The error the replay gave.
		reason: String,
	},
}

/// Decodes a gateway error from a contract error, if it carries one.
fn gateway_error(e: &alloy::contract::Error) -> Option<GatewayError> {
	e.as_decoded_interface_error::<GatewayError>()
}

/// Classifies a failed estimation or send: an "already done" revert is an outcome, another revert is
/// [`Error::Rejected`], anything else an [`Error::Ethereum`].
fn refused(call: &'static str, e: alloy::contract::Error) -> Result<Outcome, Error> {
	match gateway_error(&e) {
		Some(err) if is_already_done(&err) => Ok(Outcome::AlreadyDone(describe(&err))),
		Some(err) => Err(Error::Rejected { call, reason: describe(&err), undeliverable: is_undeliverable(&err) }),
		None => match e.as_revert_data() {
			Some(data) => Err(Error::Rejected { call, reason: format!("revert data {data}"), undeliverable: false }),
			None => Err(Error::Ethereum(format!("{call}: {e}"))),
		},
	}
}

/// Estimates, sends and awaits `call` (named `name` in errors); see the module docs.
pub async fn send(name: &'static str, call: RawCallBuilder<&DynProvider>, timeout: Duration) -> Result<Outcome, Error> {
	let estimate = match call.estimate_gas().await {
		Ok(gas) => gas,
		Err(e) => return refused(name, e),
	};
	let call = call.gas(estimate + estimate / 5);
	let pending = match call.send().await {
		Ok(p) => p,
		Err(e) => return refused(name, e),
	};
	let receipt = pending
		.with_required_confirmations(1)
		.with_timeout(Some(timeout))
		.get_receipt()
		.await
		.map_err(|e| Error::Ethereum(format!("{name}: waiting for the receipt: {e}")))?;
	let (gas_used, tx) = (receipt.gas_used(), receipt.transaction_hash());
	if receipt.status() {
		return Ok(Outcome::Sent { gas_used, tx });
	}
	// Reverted on chain: replay at the block it was in (its state after the block says why now).
	let at = receipt.block_number().map(BlockId::number).unwrap_or_else(BlockId::latest);
	let reason = match call.call_raw().block(at).await {
		Ok(_) => None,
		Err(e) => gateway_error(&e),
	};
	match reason {
		Some(err) if is_already_done(&err) => Ok(Outcome::LostRace { gas_used, tx, reason: describe(&err) }),
		Some(err) => Err(Error::Rejected {
			call: name,
			reason: format!("{} (on chain, tx {tx}, gas {gas_used})", describe(&err)),
			undeliverable: is_undeliverable(&err),
		}),
		None => Err(Error::Rejected {
			call: name,
			reason: format!("reverted on chain (tx {tx}, gas {gas_used})"),
			undeliverable: false,
		}),
	}
}

/// The balance of `address` (the relayer's account, for its start-up log line).
pub async fn balance(
	provider: &DynProvider,
	address: alloy::primitives::Address,
) -> Result<alloy::primitives::U256, Error> {
	provider.get_balance(address).await.map_err(Error::eth("eth_getBalance"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_parse_with_or_without_0x_and_whitespace() {
		// anvil's first development key.
		let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
		let expected: alloy::primitives::Address =
			"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse().expect("address");
		assert_eq!(parse_key(key).expect("hex").address(), expected);
		assert_eq!(parse_key(&format!("0x{key}\n")).expect("0x hex").address(), expected);
		assert!(parse_key("0x1234").is_err());
	}
}
