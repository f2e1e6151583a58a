//! The runtime's weights, measured on the project's reference machine (2 cores) by `make weights`
//! (`scripts/weights.sh`), which regenerates every file here but this one and those of our own pallets (below):
//!
//! - one file per benchmarked pallet (`benchmark pallet`, 50 steps, 20 repeats), implementing its `WeightInfo`;
//! - `block_weights` and `extrinsic_weights` (`benchmark overhead`): the cost of an empty block and of including
//!   one extrinsic, the base of every block's and every extrinsic's weight;
//! - `paritydb_weights` (`benchmark storage`): the cost of a read and a write in ParityDB, the node's default
//!   database, that every benchmarked weight adds per storage access.
//!
//! Our own pallets keep their measured weights in their crate (`pallets/<name>/src/weights.rs`, also written by
//! `make weights`); their files here only name them. `pallet_aura` has no dispatchables and `pallet_grandpa`
//! keeps its default weights (see `benchmarks.rs`).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod pallet_aigc;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_beefy_mmr;
pub mod pallet_dispute;
pub mod pallet_inference;
pub mod pallet_mmr;
pub mod pallet_revshare;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;
// The CLI documents each field of the weight constant, which rustc does not count as documentation.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;
