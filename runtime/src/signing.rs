//! How a client signs a transaction for this runtime (std only): the transaction extensions, in the order of
//! [`TxExtension`](crate::TxExtension), with the data a signature commits to. The node's benchmarks, the runtime's
//! tests and the end-to-end tests all sign through here, so a change of the extensions is made in one place.

use codec::Encode;
use sp_core::{sr25519, Pair};
use sp_runtime::{MultiAddress, MultiSignature};

use crate::{AccountId, Hash, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION};

/// What a signature commits to besides the call and the extensions' own data: the chain and runtime it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningContext {
	/// The chain's genesis hash.
	pub genesis: Hash,
	/// The runtime's `spec_version`.
	pub spec_version: u32,
	/// The runtime's `transaction_version`.
	pub transaction_version: u32,
}

impl SigningContext {
	/// The context of the chain with `genesis` running this runtime's version.
	pub fn new(genesis: Hash) -> Self {
		Self { genesis, spec_version: VERSION.spec_version, transaction_version: VERSION.transaction_version }
	}
}

pub use crate::tx_extension;

/// `call` with the extensions `ext`, sent by `sender` and signed with `key` (the sender's own key, or another to
/// make a transaction with a bad signature).
pub fn sign(
	ctx: &SigningContext,
	call: RuntimeCall,
	ext: TxExtension,
	sender: &sr25519::Pair,
	key: &sr25519::Pair,
) -> UncheckedExtrinsic {
	// The implicit data of each extension, in order: versions, genesis, the immortal era's birth block (genesis),
	// and no metadata hash.
	let implicit =
		((), ctx.spec_version, ctx.transaction_version, ctx.genesis, ctx.genesis, (), (), (), None, ());
	let payload = SignedPayload::from_raw(call.clone(), ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| key.sign(bytes));
	let who: AccountId = sender.public().into();
	UncheckedExtrinsic::new_signed(call, MultiAddress::Id(who), MultiSignature::Sr25519(signature), ext)
}
