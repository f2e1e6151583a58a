//! # Sibyl runtime
//!
//! The state transition function of the Sibyl chain: accounts and balances, Aura block production with GRANDPA
//! finality, transaction fees and a sudo key for the early network. Later capabilities (the inference request
//! queue, the opML dispute game, revenue-share tokens and the Ethereum bridge) are added as pallets here.
//!
//! Layout: `configs/` holds one `Config` implementation per pallet, `apis.rs` the runtime APIs the node calls,
//! `genesis_config_presets.rs` the named genesis states (`development`, `local_testnet`), `token.rs` the native
//! token's symbol, decimals and SS58 prefix.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod check_transfer;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod signing;
pub mod token;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node's consensus and networking code need without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: an Aura (sr25519) key to author blocks, a GRANDPA (ed25519) key to
	/// vote on finality and a BEEFY (secp256k1) key to sign the commitments Ethereum verifies.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub beefy: Beefy,
	}
}

/// The runtime's version. `spec_version` must be raised with every change of behaviour.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("sibyl"),
	impl_name: alloc::borrow::Cow::Borrowed("sibyl-node"),
	authoring_version: 1,
	spec_version: 111,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// Target block time in milliseconds. Aura slots have this length; it can not change once the chain runs.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Slot duration of Aura, equal to the block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// One minute of blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// One hour of blocks.
pub const HOURS: BlockNumber = MINUTES * 60;
/// One day of blocks.
pub const DAYS: BlockNumber = HOURS * 24;

/// One whole token (`SBL`), in planck.
pub const UNIT: Balance = 10u128.pow(token::DECIMALS as u32);
/// A thousandth of a token.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of a token.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// The least balance an account must hold to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the public key of its signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance, in planck.
pub type Balance = u128;
/// Number of transactions an account has sent.
pub type Nonce = u32;
/// A block or state hash.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// How extrinsics address an account.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The checks and charges every signed transaction goes through, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions of an immortal transaction with `nonce` and `tip`, without a metadata hash.
pub fn tx_extension(nonce: Nonce, tip: Balance) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(generic::Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// An extrinsic as it appears in a block.
pub type UncheckedExtrinsic = generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations run on a runtime upgrade, besides those of the pallets.
type Migrations = ();

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	/// The Sibyl runtime.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Inference = pallet_inference;

	#[runtime::pallet_index(8)]
	pub type Dispute = pallet_dispute;

	#[runtime::pallet_index(9)]
	pub type Revshare = pallet_revshare;

	#[runtime::pallet_index(10)]
	pub type Nfts = pallet_nfts;

	#[runtime::pallet_index(11)]
	pub type Aigc = pallet_aigc;

	// The validator set and its keys, then BEEFY and the MMR, in this order: a session's rotation changes the
	// next BEEFY set before the block's MMR leaf records it.
	#[runtime::pallet_index(12)]
	pub type Validators = pallet_validators;

	#[runtime::pallet_index(13)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(14)]
	pub type Beefy = pallet_beefy;

	#[runtime::pallet_index(15)]
	pub type Mmr = pallet_mmr;

	#[runtime::pallet_index(16)]
	pub type BeefyMmrLeaf = pallet_beefy_mmr;

	// After the MMR: a block's hook clears the previous block's messages once its leaf has their root.
	#[runtime::pallet_index(17)]
	pub type Settlement = pallet_settlement;
}
