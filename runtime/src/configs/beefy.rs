//! BEEFY and the MMR: what Ethereum verifies. `pallet_mmr` appends one leaf per block (Keccak-256, so that
//! Solidity verifies it cheaply); `pallet_beefy_mmr` makes that leaf the parent block's number and hash, the next
//! BEEFY validator set (a Merkle root of their Ethereum addresses) and `leaf_extra`; `pallet_beefy` keeps the
//! validator set whose secp256k1 keys sign commitments to the MMR root (the node's BEEFY gadget signs them).

use frame_support::parameter_types;
use sp_consensus_beefy::{ecdsa_crypto::AuthorityId as BeefyId, mmr::MmrLeafVersion};
use sp_core::H256;
use sp_runtime::traits::Keccak256;

use super::aura::MaxAuthorities;
use crate::{BeefyMmrLeaf, Runtime};

impl pallet_beefy::Config for Runtime {
	type BeefyId = BeefyId;
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = frame_support::traits::ConstU32<0>;
	type MaxSetIdSessionEntries = frame_support::traits::ConstU64<0>;
	type OnNewValidatorSet = BeefyMmrLeaf;
	type AncestryHelper = BeefyMmrLeaf;
	type WeightInfo = ();
	// As for GRANDPA: no offences pallet yet, so equivocation reports are not accepted.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_mmr::Config for Runtime {
	const INDEXING_PREFIX: &'static [u8] = b"mmr";
	type Hashing = Keccak256;
	type LeafData = BeefyMmrLeaf;
	type OnNewRoot = pallet_beefy_mmr::DepositBeefyDigest<Runtime>;
	type BlockHashProvider = pallet_mmr::DefaultBlockHashProvider<Runtime>;
	type WeightInfo = crate::weights::pallet_mmr::WeightInfo<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// Version 0.0 of the leaf format.
	pub LeafVersion: MmrLeafVersion = MmrLeafVersion::new(0, 0);
}

impl pallet_beefy_mmr::Config for Runtime {
	type LeafVersion = LeafVersion;
	type BeefyAuthorityToMerkleLeaf = pallet_beefy_mmr::BeefyEcdsaToEthereum;
	type LeafExtra = H256;
	// `leaf_extra`: the Merkle root of the previous block's messages to Ethereum.
	type BeefyDataProvider = crate::Settlement;
	type WeightInfo = crate::weights::pallet_beefy_mmr::WeightInfo<Runtime>;
}
