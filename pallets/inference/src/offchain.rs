//! The operator's off-chain worker: runs the requests assigned to this node's operator keys and proposes their
//! results as signed transactions.
//!
//! Each block's worker walks the queues of the operator keys in the node's keystore (key type [`KEY_TYPE`]):
//! 1. For each assigned request whose deadline still allows a proposal, it asks the node to run the inference
//!    ([`sibyl_inference::infer`], a host function only off-chain workers can use). The node runs it on its own
//!    threads. A worker waits for it at most [`MAX_WAIT_MS`] in all, so a short inference is proposed in time
//!    for the next block, and a long one never holds a worker: workers of later blocks see it running, not new.
//! 2. A finished outcome is stored in the node's persistent off-chain storage, so a restarted node proposes it
//!    without running the model again.
//! 3. The proposal is sent once: a marker in persistent off-chain storage (shared by every fork and kept across
//!    restarts), set atomically before sending, stops any later worker from sending it again. Only if the request
//!    is still waiting [`RESEND_AFTER`] blocks later (the transaction was dropped) is it sent again.
//!
//! 4. Outcomes and markers are removed [`KEEP_AFTER_DEADLINE`] blocks after the request's deadline (no proposal
//!    can land after it): each is noted under the block of its removal, and every worker clears the notes of the
//!    blocks that have passed, at most [`MAX_CLEARED_PER_RUN`] blocks' worth per run.
//!
//! Workers of consecutive blocks run at the same time (a worker that waits for inference is still running when
//! the next block's starts), and each sees its own block's state, which does not count the transactions still
//! in the pool. Every signed transaction of this pallet and of the dispute pallet is therefore sent through
//! [`send_with_free_nonce`], which hands out nonces from a record in the node's persistent off-chain storage,
//! one worker at a time.
//!
//! Nothing here runs during block execution: `offchain_worker` is its only caller.

use alloc::vec::Vec;
use codec::Encode;
use frame_system::{
	offchain::{AppCrypto, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sibyl_inference_primitives::host::{sibyl_inference, Job, JobState, Outcome};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::{IdentifyAccount, One, Saturating},
	RuntimeAppPublic,
};

use crate::{lifecycle::RequestStatus, types::RequestId, Call, Config, Models, Operators, Requests};

/// The key type of operator keys (`sibyl-node key insert --key-type sinf --scheme sr25519`).
pub const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"sinf");

/// Most queued requests one worker looks at, per operator key.
pub const MAX_PER_RUN: usize = 16;

/// The longest a worker waits for inference, in all: five of a block's six seconds (a worker starts as its block
/// is imported), so that what finishes within it reaches the next block's author in time.
pub const MAX_WAIT_MS: u32 = 5_000;

/// Blocks after which a proposal that is still not on chain is sent again.
pub const RESEND_AFTER: u32 = 5;

/// Blocks after a request's deadline that its stored outcome and sent marker are kept (past forks' reach).
pub const KEEP_AFTER_DEADLINE: u32 = 32;

/// Most blocks' notes one worker clears.
pub const MAX_CLEARED_PER_RUN: u32 = 16;

/// Blocks after which nonces handed out but never seen on chain are taken to be lost (a dropped transaction
/// leaves a gap that the later ones would wait behind forever), and handing out starts again from the chain's.
pub const NONCE_STALE_AFTER: u32 = 8;

/// Operator keys: sr25519 under [`KEY_TYPE`].
pub mod crypto {
	use super::KEY_TYPE;
	use sp_runtime::{
		app_crypto::{app_crypto, sr25519},
		MultiSignature, MultiSigner,
	};
	app_crypto!(sr25519, KEY_TYPE);

	/// Signs proposals with an operator key, for a runtime whose signatures are `MultiSignature`.
	pub struct OperatorId;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for OperatorId {
		type RuntimeAppPublic = Public;
		type GenericSignature = sp_core::sr25519::Signature;
		type GenericPublic = sp_core::sr25519::Public;
	}
}

/// The job key of request `id`: equal for the same request, prompt and model, so the node runs it once.
pub fn job_key(id: RequestId, model: &[u8; 32], prompt: &[u32], max_new: u32) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(b"sibyl/job", id, model, prompt, max_new).encode())
}

pub(crate) fn outcome_key(job: &[u8; 32]) -> Vec<u8> {
	(b"sibyl/inference/outcome", job).encode()
}

pub(crate) fn sent_key<A: Encode>(id: RequestId, operator: &A) -> Vec<u8> {
	(b"sibyl/inference/sent", id, operator).encode()
}

fn notes_key<B: Encode>(block: B) -> Vec<u8> {
	(b"sibyl/inference/clear-at", block).encode()
}

const CLEARED_UNTIL: &[u8] = b"sibyl/inference/cleared-until";

/// Notes that `key` is to be removed at block `at` (by the inference pallet's next worker after it).
pub fn clear_at<B: Encode>(at: B, key: Vec<u8>) {
	let notes_at = notes_key(at);
	let notes = StorageValueRef::persistent(&notes_at);
	// Workers of several blocks may note at once: retry a lost race (each attempt re-reads).
	for _ in 0..3 {
		let done = notes.mutate(|prev: Result<Option<Vec<Vec<u8>>>, _>| -> Result<_, ()> {
			let mut keys = prev.ok().flatten().unwrap_or_default();
			if !keys.contains(&key) {
				keys.push(key.clone());
			}
			Ok(keys)
		});
		if done.is_ok() {
			return;
		}
	}
}

/// Removes what was noted for the blocks up to `now` (resuming where the last worker stopped).
fn clear_passed<T: Config>(now: BlockNumberFor<T>) {
	let cursor = StorageValueRef::persistent(CLEARED_UNTIL);
	let mut block = match cursor.get::<BlockNumberFor<T>>() {
		Ok(Some(b)) => b,
		// A node's first worker: nothing noted before it.
		_ => now,
	};
	let mut cleared = 0;
	while block <= now && cleared < MAX_CLEARED_PER_RUN {
		let notes_at = notes_key(block);
		let mut notes = StorageValueRef::persistent(&notes_at);
		if let Ok(Some(keys)) = notes.get::<Vec<Vec<u8>>>() {
			for key in keys {
				StorageValueRef::persistent(&key).clear();
			}
		}
		notes.clear();
		block = block.saturating_add(1u32.into());
		cleared += 1;
	}
	let _ = cursor.mutate(|prev: Result<Option<BlockNumberFor<T>>, _>| -> Result<_, ()> {
		Ok(match prev {
			Ok(Some(p)) if p > block => p,
			_ => block,
		})
	});
}

/// What this node knows of an account's nonces beyond its block's state: the next one it has not used, the
/// chain's nonce when it last looked, and the block from which transactions have been in flight without the
/// chain's nonce moving.
#[derive(codec::Encode, codec::Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct NonceRecord<Nonce, BlockNumber> {
	/// The next nonce not handed out.
	pub next: Nonce,
	/// The chain's nonce seen last.
	pub chain: Nonce,
	/// The block at which the chain's nonce last moved, or from which nonces are in flight.
	pub since: BlockNumber,
}

/// The nonce to sign with at block `now`, given the chain's nonce (`chain`, from the worker's block) and the
/// node's record; and the record to keep once a transaction with it was accepted by the pool.
///
/// Nonces handed out beyond the chain's are in the pool; the next one follows them. If the chain's nonce has
/// not moved for [`NONCE_STALE_AFTER`] blocks while some are in flight, one of them was dropped: start again
/// from the chain's nonce (the transactions behind the gap are then replaced or become valid in turn).
pub fn next_nonce<N, B>(chain: N, now: B, record: Option<NonceRecord<N, B>>) -> (N, NonceRecord<N, B>)
where
	N: Copy + Ord + One + Saturating,
	B: Copy + Ord + Saturating + From<u32>,
{
	let in_flight = match record {
		// Nonces beyond the chain's are in flight since `since`, or since now if the chain's nonce just moved.
		Some(r) if r.next > chain => Some((r.next, if r.chain == chain { r.since } else { now })),
		_ => None,
	};
	match in_flight {
		Some((next, since)) if now.saturating_sub(since) < B::from(NONCE_STALE_AFTER) =>
			(next, NonceRecord { next: next.saturating_add(N::one()), chain, since }),
		_ => (chain, NonceRecord { next: chain.saturating_add(N::one()), chain, since: now }),
	}
}

/// Sends one signed transaction of `account` with `send`, which signs with the nonce in `frame_system`'s
/// account record (as `frame_system::offchain::Signer` does) and returns whether the pool accepted it.
///
/// The nonce is the next one this node has not used ([`next_nonce`]): written into the worker's own view of
/// the account (never persisted: off-chain workers' state changes are discarded), under a lock in persistent
/// off-chain storage that one worker holds at a time.
pub fn send_with_free_nonce<T: frame_system::Config>(
	account: &T::AccountId,
	now: BlockNumberFor<T>,
	send: impl FnOnce() -> bool,
) -> bool {
	let lock_key = (b"sibyl/nonce-lock", account).encode();
	let mut lock = StorageLock::<Time>::with_deadline(&lock_key, Duration::from_millis(10_000));
	let _guard = lock.lock();
	let record_key = (b"sibyl/nonce", account).encode();
	let stored = StorageValueRef::persistent(&record_key);
	let record = stored.get::<NonceRecord<T::Nonce, BlockNumberFor<T>>>().ok().flatten();
	let chain = frame_system::Pallet::<T>::account_nonce(account);
	let (nonce, next) = next_nonce(chain, now, record);
	frame_system::Account::<T>::mutate(account, |a| a.nonce = nonce);
	let sent = send();
	// Restore the worker's view, whatever happened.
	frame_system::Account::<T>::mutate(account, |a| a.nonce = chain);
	if sent {
		stored.set(&next);
	}
	sent
}

/// The worker of block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	clear_passed::<T>(now);
	let keys = <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::RuntimeAppPublic::all();
	let mut budget = Budget { left_ms: MAX_WAIT_MS, started: sp_io::offchain::timestamp() };
	for key in keys {
		let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic = key.into();
		let public: T::Public = generic.into();
		let operator = public.clone().into_account();
		let Some(op) = Operators::<T>::get(&operator) else { continue };
		for id in op.queue.iter().take(MAX_PER_RUN) {
			if !serve_one::<T>(now, *id, &operator, &public, &mut budget) {
				return;
			}
		}
	}
}

/// What is left of a worker's waiting time.
struct Budget {
	left_ms: u32,
	started: sp_runtime::offchain::Timestamp,
}

impl Budget {
	/// Milliseconds left, by the node's clock (a wait; nothing committed depends on it).
	fn left(&mut self) -> u32 {
		let spent = sp_io::offchain::timestamp().diff(&self.started).millis();
		self.left_ms = MAX_WAIT_MS.saturating_sub(spent.min(u32::MAX as u64) as u32);
		self.left_ms
	}
}

/// Works on request `id` for `operator`. Returns `false` if this node can not run inference at all.
fn serve_one<T: Config>(
	now: BlockNumberFor<T>,
	id: RequestId,
	operator: &T::AccountId,
	public: &T::Public,
	budget: &mut Budget,
) -> bool {
	let Some(r) = Requests::<T>::get(id) else { return true };
	let RequestStatus::Assigned { operator: assignee, deadline } = &r.status else { return true };
	// A proposal sent now lands in the next block at the earliest.
	if assignee != operator || now.saturating_add(1u32.into()) > *deadline {
		return true;
	}
	let Some(model) = Models::<T>::get(r.model) else { return true };
	let key = job_key(id, &model.root, &r.prompt, r.terms.max_new);
	let stored_key = outcome_key(&key);
	let stored = StorageValueRef::persistent(&stored_key);
	let forget_at = deadline.saturating_add(KEEP_AFTER_DEADLINE.into());
	let outcome = match stored.get::<Outcome>() {
		Ok(Some(o)) => o,
		_ => match sibyl_inference::infer(Job {
			key,
			model: model.root,
			prompt: r.prompt.to_vec(),
			max_new: r.terms.max_new,
		}, budget.left()) {
			JobState::Done(o) => {
				stored.set(&o);
				clear_at(forget_at, stored_key.clone());
				o
			},
			JobState::Running { generated } => {
				log::debug!(target: "runtime::inference", "request {id}: running, {generated} tokens so far");
				return true;
			},
			JobState::ModelMissing => {
				log::warn!(
					target: "runtime::inference",
					"request {id}: this node has no model with commitment 0x{} (see --model-dir)",
					hex(&model.root)
				);
				return true;
			},
			JobState::Failed(why) => {
				log::warn!(
					target: "runtime::inference",
					"request {id}: inference failed: {}",
					core::str::from_utf8(&why).unwrap_or("?")
				);
				return true;
			},
			JobState::Unavailable => {
				log::warn!(target: "runtime::inference", "this node runs no inference engine: operator keys idle");
				return false;
			},
		},
	};
	let sent_at = sent_key(id, operator);
	let sent = StorageValueRef::persistent(&sent_at);
	let resend: BlockNumberFor<T> = RESEND_AFTER.into();
	let claimed = sent.mutate(|prev: Result<Option<BlockNumberFor<T>>, _>| match prev {
		Ok(Some(at)) if now < at.saturating_add(resend) => Err(()),
		_ => Ok(now),
	});
	if claimed.is_err() {
		return true;
	}
	clear_at(forget_at, sent_at.clone());
	let accepted = send_with_free_nonce::<T>(operator, now, || {
		let result = Signer::<T, T::AuthorityId>::any_account()
			.with_filter(alloc::vec![public.clone()])
			.send_signed_transaction(|_| Call::propose {
				request: id,
				output: outcome.output.clone(),
				final_root: outcome.final_root,
				steps: outcome.steps,
			});
		matches!(result, Some((_, Ok(()))))
	});
	if accepted {
		log::info!(
			target: "runtime::inference",
			"request {id}: proposed {} tokens, final root 0x{}, {} steps",
			outcome.output.len(),
			hex(&outcome.final_root),
			outcome.steps
		);
	} else {
		log::warn!(target: "runtime::inference", "request {id}: the proposal could not be sent; retrying next block");
		let mut sent = sent;
		sent.clear();
	}
	true
}

/// A 32-byte root in hex (`HexDisplay` shows anything this short whole).
fn hex(b: &[u8; 32]) -> sp_core::hexdisplay::HexDisplay<'_> {
	sp_core::hexdisplay::HexDisplay::from(b)
}
