//! The pallets whose benchmarks the runtime runs (feature `runtime-benchmarks`), for `make weights`.
//!
//! `frame_benchmarking` is the baseline (empty blocks, hashing, storage); `frame_system_extensions` measures the
//! transaction extensions `frame_system` provides; the others are the pallets of the runtime with benchmarks.
//! `pallet_aura` has none, and `pallet_grandpa`'s only dispatchables (equivocation reports, `note_stalled`) keep
//! their default weights: reports are not accepted by this runtime. `pallet_nfts` keeps its own measured weights:
//! its benchmarks create collections, which this runtime lets only `pallet_aigc` do.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_inference, Inference]
	[pallet_dispute, Dispute]
	[pallet_revshare, Revshare]
	[pallet_aigc, Aigc]
	[pallet_validators, Validators]
	[pallet_settlement, Settlement]
	[pallet_mmr, Mmr]
	[pallet_beefy_mmr, BeefyMmrLeaf]
);

use crate::Runtime;

impl frame_benchmarking::baseline::Config for Runtime {}
impl frame_system_benchmarking::Config for Runtime {}
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}
