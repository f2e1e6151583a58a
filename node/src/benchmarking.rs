//! What the `benchmark overhead` and `benchmark extrinsic` subcommands need from the node: signed extrinsics of
//! the runtime to fill blocks with, and the inherent data of an empty block.

use std::{sync::Arc, time::Duration};

use frame_benchmarking_cli::ExtrinsicBuilder;
use sc_client_api::BlockBackend;
use sibyl_runtime::{
	signing::{self, SigningContext},
	AccountId, Balance, BalancesCall, RuntimeCall, SystemCall,
};
use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{MultiAddress, OpaqueExtrinsic};

use crate::service::FullClient;

/// Builds signed extrinsics of one call, from Bob's development account, with increasing nonces.
pub struct CallBuilder {
	client: Arc<FullClient>,
	pallet: &'static str,
	extrinsic: &'static str,
	call: RuntimeCall,
}

impl CallBuilder {
	/// `System::remark` with an empty remark: the cheapest signed extrinsic (for `benchmark overhead`).
	pub fn remark(client: Arc<FullClient>) -> Self {
		Self { client, pallet: "system", extrinsic: "remark", call: SystemCall::remark { remark: vec![] }.into() }
	}

	/// `Balances::transfer_keep_alive` of `value` to `dest`.
	pub fn transfer_keep_alive(client: Arc<FullClient>, dest: AccountId, value: Balance) -> Self {
		let call = BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(dest), value }.into();
		Self { client, pallet: "balances", extrinsic: "transfer_keep_alive", call }
	}
}

impl ExtrinsicBuilder for CallBuilder {
	fn pallet(&self) -> &str {
		self.pallet
	}

	fn extrinsic(&self) -> &str {
		self.extrinsic
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let genesis = self.client.block_hash(0).ok().flatten().ok_or("the chain has no genesis block")?;
		let bob = Sr25519Keyring::Bob.pair();
		let xt = signing::sign(
			&SigningContext::new(genesis),
			self.call.clone(),
			signing::tx_extension(nonce, 0),
			&bob,
			&bob,
		);
		Ok(xt.into())
	}
}

/// The inherent data of a block: a timestamp (of zero, as the benchmark does not care about time).
pub fn inherent_benchmark_data() -> sc_cli::Result<InherentData> {
	let mut data = InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(Duration::from_millis(0).into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut data))
		.map_err(|e| format!("creating inherent data: {e:?}"))?;
	Ok(data)
}
