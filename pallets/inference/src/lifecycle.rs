//! The request lifecycle as plain functions over plain types: which state follows which, and what it costs.
//!
//! The pallet's calls and hooks are thin wrappers: they load a request, ask a function here for the next
//! [`RequestStatus`] (or an error), apply the money movements the transition implies, and store the result.
//! Nothing here touches storage, so every rule is tested directly (`tests/lifecycle.rs`).
//!
//! ```text
//!  submit ──► Queued ──assign──► Assigned ──propose──► Proposed ──window ends──► Finalized
//!               │                  │   ▲                  │   ▲
//!               │ no operator      │   │ deadline missed: │   │ every game upheld
//!               ▼                  │   │ reassign         ▼   │
//!            Refunded ◄────────────┘───┘               Disputed ──rejected──► Queued (answered again)
//!               ▲      deadline missed, no attempt left                 or Refunded
//!   cancel (Queued or Assigned) ──► Cancelled
//! ```
//!
//! Money: at submission the requester's [`FeeTerms::max_fee`] is held. Every terminal state releases or pays
//! all of it: `Cancelled` and `Refunded` return it whole; `Finalized` pays [`FeeTerms::fee_for`] the actual
//! output length (split by [`split`]) and returns the rest.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, Saturating, Zero},
	Perbill,
};

pub use sibyl_inference_primitives::{RefundReason, RequestStatus};

/// The price of one request, fixed when it is submitted: later fee changes of the model do not apply to it.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct FeeTerms<Balance> {
	/// The model's fee per request.
	pub base: Balance,
	/// The model's fee per generated token.
	pub per_token: Balance,
	/// Paid whole to the operator that answers.
	pub tip: Balance,
	/// Most tokens the request may generate.
	pub max_new: u32,
}

impl<Balance: Copy + CheckedAdd + CheckedMul + Saturating + Zero + From<u32> + PartialOrd> FeeTerms<Balance> {
	/// The fee of a result with `tokens` output tokens, tip included; `None` on overflow.
	pub fn fee_for(&self, tokens: u32) -> Option<Balance> {
		self.per_token.checked_mul(&Balance::from(tokens))?.checked_add(&self.base)?.checked_add(&self.tip)
	}

	/// What a request holds: the fee of the longest output it allows.
	pub fn max_fee(&self) -> Option<Balance> {
		self.fee_for(self.max_new)
	}
}

/// How a finalized request's fee (tip excluded) is divided.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Split<Balance> {
	/// To the operator that answered (the tip comes on top).
	pub operator: Balance,
	/// To the protocol account.
	pub protocol: Balance,
	/// To the model's revenue: what is left, so that the three parts always add up to the fee.
	pub model: Balance,
}

/// Divides `fee` into the operator's and the protocol's shares (rounded down) and the model's rest.
/// If the two shares add up to more than the whole, the protocol's is cut so the parts still sum to `fee`.
pub fn split<Balance: Copy + Saturating + Zero + sp_runtime::traits::AtLeast32BitUnsigned>(
	fee: Balance,
	operator_share: Perbill,
	protocol_share: Perbill,
) -> Split<Balance> {
	let operator = operator_share.mul_floor(fee);
	let protocol = protocol_share.mul_floor(fee).min(fee.saturating_sub(operator));
	let model = fee.saturating_sub(operator).saturating_sub(protocol);
	Split { operator, protocol, model }
}

/// Why a transition is not allowed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TransitionError {
	/// A result was already proposed (or the request ended): too late to cancel.
	TooLateToCancel,
	/// The caller is not the request's assigned operator.
	NotAssignee,
	/// The request already has a result.
	AlreadyProposed,
	/// The request is not waiting for a result (queued, or ended).
	NotAwaitingResult,
	/// The assignment's deadline has passed.
	DeadlinePassed,
	/// The result is not in its challenge window.
	NotChallengeable,
	/// The result has no open dispute.
	NotDisputed,
	/// The request is not waiting for an operator.
	NotQueued,
}

/// What happens when the window of a proposed result ends.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum WindowOutcome<AccountId> {
	/// The result is final: pay out.
	Finalize {
		/// The operator to pay.
		operator: AccountId,
	},
	/// A dispute is open: the result waits for the games.
	Wait,
	/// Nothing to do (stale wake-up: the request moved on).
	Stale,
}

/// What happens when an assignment's deadline passes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DeadlineOutcome<AccountId> {
	/// The operator missed it: penalise it, then reassign or refund.
	Missed {
		/// The operator that missed.
		operator: AccountId,
	},
	/// Nothing to do (stale wake-up).
	Stale,
}

/// What an upheld game leaves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum UpholdOutcome<AccountId, BlockNumber> {
	/// Other games are still open.
	StillDisputed(RequestStatus<AccountId, BlockNumber>),
	/// No game is open and the window is still running.
	BackInWindow(RequestStatus<AccountId, BlockNumber>),
	/// No game is open and the window is over: final now.
	Finalize {
		/// The operator to pay.
		operator: AccountId,
	},
}

type Status<A, B> = RequestStatus<A, B>;

/// A queued request gets `operator`, who must answer by `deadline`. A request whose operator missed its
/// deadline, or whose result was rejected, is queued again first (see [`requeue`]).
pub fn assign<A, B>(status: &Status<A, B>, operator: A, deadline: B) -> Result<Status<A, B>, TransitionError> {
	match status {
		RequestStatus::Queued => Ok(RequestStatus::Assigned { operator, deadline }),
		_ => Err(TransitionError::NotQueued),
	}
}

/// The requester cancels: allowed until a result is proposed.
pub fn cancel<A, B>(status: &Status<A, B>, now: B) -> Result<Status<A, B>, TransitionError> {
	match status {
		RequestStatus::Queued | RequestStatus::Assigned { .. } => Ok(RequestStatus::Cancelled { at: now }),
		_ => Err(TransitionError::TooLateToCancel),
	}
}

/// `who` proposes a result at `now`; it becomes final at `window_end` unless disputed.
pub fn propose<A: PartialEq + Clone, B: PartialOrd + Copy>(
	status: &Status<A, B>,
	who: &A,
	now: B,
	window_end: B,
) -> Result<Status<A, B>, TransitionError> {
	match status {
		RequestStatus::Assigned { operator, deadline } => {
			if operator != who {
				return Err(TransitionError::NotAssignee);
			}
			if now > *deadline {
				return Err(TransitionError::DeadlinePassed);
			}
			Ok(RequestStatus::Proposed { operator: who.clone(), window_end })
		},
		RequestStatus::Proposed { .. } | RequestStatus::Disputed { .. } | RequestStatus::Finalized { .. } =>
			Err(TransitionError::AlreadyProposed),
		_ => Err(TransitionError::NotAwaitingResult),
	}
}

/// The hook wakes an assigned request at `now`: if its deadline has passed, the operator missed it.
pub fn deadline_passed<A: Clone, B: PartialOrd + Copy>(status: &Status<A, B>, now: B) -> DeadlineOutcome<A> {
	match status {
		RequestStatus::Assigned { operator, deadline } if now > *deadline =>
			DeadlineOutcome::Missed { operator: operator.clone() },
		_ => DeadlineOutcome::Stale,
	}
}

/// The hook wakes a proposed request at `now`.
pub fn window_passed<A: Clone, B: PartialOrd + Copy>(status: &Status<A, B>, now: B) -> WindowOutcome<A> {
	match status {
		RequestStatus::Proposed { operator, window_end } if now >= *window_end =>
			WindowOutcome::Finalize { operator: operator.clone() },
		RequestStatus::Disputed { .. } => WindowOutcome::Wait,
		_ => WindowOutcome::Stale,
	}
}

/// A game opens against the result (only inside its window).
pub fn open_dispute<A: Clone, B: PartialOrd + Copy>(
	status: &Status<A, B>,
	now: B,
) -> Result<Status<A, B>, TransitionError> {
	match status {
		RequestStatus::Proposed { operator, window_end } if now < *window_end =>
			Ok(RequestStatus::Disputed { operator: operator.clone(), games: 1, window_end: *window_end }),
		RequestStatus::Disputed { operator, games, window_end } if now < *window_end =>
			Ok(RequestStatus::Disputed {
				operator: operator.clone(),
				games: games.saturating_add(1),
				window_end: *window_end,
			}),
		_ => Err(TransitionError::NotChallengeable),
	}
}

/// One game on the result ended with the result upheld.
pub fn uphold<A: Clone, B: PartialOrd + Copy>(
	status: &Status<A, B>,
	now: B,
) -> Result<UpholdOutcome<A, B>, TransitionError> {
	match status {
		RequestStatus::Disputed { operator, games, window_end } => {
			let left = games.saturating_sub(1);
			if left > 0 {
				Ok(UpholdOutcome::StillDisputed(RequestStatus::Disputed {
					operator: operator.clone(),
					games: left,
					window_end: *window_end,
				}))
			} else if now < *window_end {
				Ok(UpholdOutcome::BackInWindow(RequestStatus::Proposed {
					operator: operator.clone(),
					window_end: *window_end,
				}))
			} else {
				Ok(UpholdOutcome::Finalize { operator: operator.clone() })
			}
		},
		_ => Err(TransitionError::NotDisputed),
	}
}

/// A game proved the result wrong: the result is dropped and the request waits for another operator.
/// Returns the proposer (to slash) and the new status.
pub fn reject<A: Clone, B>(status: &Status<A, B>) -> Result<(A, Status<A, B>), TransitionError> {
	match status {
		RequestStatus::Disputed { operator, .. } => Ok((operator.clone(), RequestStatus::Queued)),
		_ => Err(TransitionError::NotDisputed),
	}
}

/// An assignment that failed (deadline missed) goes back to the queue for another operator.
pub fn requeue<A, B>(status: &Status<A, B>) -> Result<Status<A, B>, TransitionError> {
	match status {
		RequestStatus::Assigned { .. } => Ok(RequestStatus::Queued),
		_ => Err(TransitionError::NotAwaitingResult),
	}
}

/// The request ends without a result; everything held is returned.
pub fn refund<A, B>(now: B, reason: RefundReason) -> Status<A, B> {
	RequestStatus::Refunded { at: now, reason }
}

/// Which of `candidates` (in their stored order) gets a request: the first eligible one starting at position
/// `seed % len`, cycling once through the list. `eligible` excludes the requester, operators that already
/// failed this request, and operators that can not take more work. `None` if nobody is eligible.
///
/// The seed must be unknown to the requester when it submits (the pallet uses the hash of the block that
/// included the request, drawn at the start of the next block), so a requester can not pick an operator and an
/// operator can not steer requests to itself.
pub fn pick<A>(candidates: &[A], seed: u64, mut eligible: impl FnMut(&A) -> bool) -> Option<usize> {
	let n = candidates.len();
	if n == 0 {
		return None;
	}
	let start = (seed % n as u64) as usize;
	(0..n).map(|k| (start + k) % n).find(|&i| eligible(&candidates[i]))
}
