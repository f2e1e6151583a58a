//! # The Sibyl → Ethereum relayer
//!
//! Sibyl's validators sign, with BEEFY, commitments to the root of the chain's Merkle Mountain Range (MMR);
//! each block's MMR leaf carries the next BEEFY validator set and the Merkle root of the messages the previous
//! block queued to Ethereum. The Ethereum gateway (`contracts/src/SibylGateway.sol`, a BEEFY light client)
//! accepts a commitment signed by more than two thirds of its current set, follows validator-set handovers
//! from the leaves, and executes a message once it is proven into a leaf under an accepted root. This crate
//! carries all of that to the gateway and pays the gas. Nothing it sends is trusted by the gateway, and the
//! relayer trusts neither its Sibyl node nor its own memory.
//!
//! ## One round
//!
//! 1. **Read the gateway**: its latest BEEFY block and MMR root, its current and next validator sets (one
//!    Ethereum block for all of them). No local state decides what to send.
//! 2. **Commitments**: if Sibyl's BEEFY-finalized head is beyond the gateway's latest block, submit the head's
//!    justification: as is when the current set signed it; as a handover, with the commitment block's own MMR
//!    leaf (whose `nextAuthoritySetId` is the signing set's id + 1) proven against the commitment's root, when
//!    the gateway's next set signed it; and when a later set signed it, first the handover of the gateway's
//!    next set: its first block is found by bisecting the MMR leaves (the first leaf announcing the set after
//!    it), and that block, which BEEFY always signs, is submitted. Repeat until the gateway has the head.
//!    Each commitment carries just more than two thirds of the set's signatures (see [`SignaturePolicy`]),
//!    each checked here, with its signer's Merkle proof into the set root.
//! 3. **Messages**: for each Sibyl block `n` from the scan position up to the gateway's latest block minus
//!    one, read `SettlementApi_messages` at `n`; skip the nonces the gateway reports executed
//!    (`isExecuted`); prove block `n + 1`'s leaf (which carries `n`'s messages root) against the gateway's
//!    latest root and send the block's remaining messages in one `executeMessages`. If the batch is refused
//!    for a message's content, each message is sent alone, and one the gateway can never execute is logged
//!    and left.
//!
//! Several relayers may run at once, and a relayer may stop and start again at any point: whatever another
//! relayer (or an earlier run) already did, the gateway refuses (`StaleCommitment`, `MmrRootAlreadyAccepted`,
//! `MessageAlreadyExecuted`). Such a refusal at gas estimation costs nothing and is taken as done; a
//! transaction that loses a race (two relayers sent the same thing before either was mined) reverts on chain
//! and costs its gas (about 55,000 for a commitment of 4 validators), and the relayer logs it and goes on.
//! Each relayer needs its own key: the nonce is read from the node for every transaction. The scan position is the only thing kept between rounds, and it only saves
//! work: a restarted relayer scans from `--from-block` (by default the gateway's start block, from its
//! `ValidatorSetsInitialized` event) and skips what is executed.
//!
//! ## Modules
//!
//! - [`sibyl`]: JSON-RPC reads from a Sibyl node (justifications, sets, MMR proofs, messages).
//! - [`encoding`]: Sibyl's types to the gateway's calldata (set roots, signatures and proofs, leaves,
//!   messages), plain functions.
//! - [`gateway`]: the gateway's ABI (`sol!`), its state, and a check of the bindings against forge's artifact.
//! - [`ethereum`]: the Ethereum provider, keys, and sending a call with its outcome classified.
//! - [`relay`]: the rounds above.
//! - [`deploy`]: deploying a gateway initialised from Sibyl's validator sets (for tests and new chains).

pub mod deploy;
pub mod encoding;
pub mod ethereum;
pub mod gateway;
pub mod relay;
pub mod sibyl;

pub use alloy;
pub use encoding::SignaturePolicy;
pub use relay::{Config, Relayer};

/// What can go wrong; every network answer that does not check out is an error value, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
	/// Sibyl's RPC failed or answered something undecodable.
	Sibyl(String),
	/// An Ethereum RPC failed (transport, receipt timeout).
	Ethereum(String),
	/// The gateway refused a call (at estimation or on chain) with this error, for a reason that is not "already
	/// done".
	Rejected {
		/// The function called.
		call: &'static str,
		/// The decoded error, with its fields.
		reason: String,
		/// Whether the refusal is for a message's content, which no relayer can ever execute.
		undeliverable: bool,
	},
	/// Data from Sibyl does not check out (a signature, a set root, a proof, a leaf).
	Invalid(String),
	/// The contract's ABI differs from the bindings.
	Abi(String),
	/// A bad argument: key, URL, artifact.
	Config(String),
}

impl Error {
	/// Wraps an Ethereum error of `what` (for `map_err`).
	pub fn eth<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> Error {
		move |e| Error::Ethereum(format!("{what}: {e}"))
	}
}

impl std::fmt::Display for Error {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		match self {
			Error::Sibyl(e) => write!(f, "Sibyl: {e}"),
			Error::Ethereum(e) => write!(f, "Ethereum: {e}"),
			Error::Rejected { call, reason, .. } => write!(f, "the gateway refused {call}: {reason}"),
			Error::Invalid(e) => write!(f, "invalid data from Sibyl: {e}"),
			Error::Abi(e) => write!(f, "ABI mismatch: {e}"),
			Error::Config(e) => write!(f, "configuration: {e}"),
		}
	}
}

impl std::error::Error for Error {}

/// Prints one log line to stderr: seconds since the Unix epoch, then `line`.
pub fn log(line: impl std::fmt::Display) {
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
	eprintln!("[{}.{:03}] {line}", now.as_secs(), now.subsec_millis());
}
