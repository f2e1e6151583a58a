//! The session schedule as plain functions: when the current session ends, how far it has come, and whether
//! a proposed validator set is acceptable. The pallet stores the numbers; these decide.

use sp_runtime::{traits::AtLeast32BitUnsigned, Permill};

/// Why a validator set is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetError {
	/// No validator at all: the chain would stop.
	Empty,
	/// The validator at this index appears earlier in the list too.
	Duplicate(u32),
	/// The validator at this index has not set session keys: it could not author, vote or sign.
	NoKeys(u32),
}

/// Checks a proposed set: not empty, no account twice, each with session keys (`has_keys`). Quadratic in the
/// set's length, which the pallet bounds by `MaxValidators`.
pub fn check_set<A: PartialEq>(set: &[A], has_keys: impl Fn(&A) -> bool) -> Result<(), SetError> {
	if set.is_empty() {
		return Err(SetError::Empty);
	}
	for (i, v) in set.iter().enumerate() {
		if set[..i].contains(v) {
			return Err(SetError::Duplicate(i as u32));
		}
		if !has_keys(v) {
			return Err(SetError::NoKeys(i as u32));
		}
	}
	Ok(())
}

/// Whether the session that ends at `next_rotation` ends at block `now`.
pub fn should_rotate<N: PartialOrd>(now: N, next_rotation: N) -> bool {
	now >= next_rotation
}

/// The block at which a session that starts at `now` ends (saturating at the largest block number).
pub fn rotation_after<N: AtLeast32BitUnsigned + Copy>(now: N, length: N) -> N {
	now.saturating_add(length)
}

/// How far the current session (of `length` blocks, ending at `next_rotation`) has come at `now`: 0% at its
/// first block, at most 100%.
pub fn progress<N: AtLeast32BitUnsigned + Copy>(now: N, next_rotation: N, length: N) -> Permill {
	if length.is_zero() {
		return Permill::one();
	}
	let left = next_rotation.saturating_sub(now).min(length);
	Permill::from_rational(length - left, length)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_set_needs_members_without_repeats_and_with_keys() {
		assert_eq!(check_set::<u32>(&[], |_| true), Err(SetError::Empty));
		assert_eq!(check_set(&[1, 2, 1], |_| true), Err(SetError::Duplicate(2)));
		assert_eq!(check_set(&[1, 2, 3], |a| *a != 3), Err(SetError::NoKeys(2)));
		assert_eq!(check_set(&[1, 2, 3], |_| true), Ok(()));
	}

	#[test]
	fn sessions_rotate_at_their_end_and_progress_in_between() {
		assert!(!should_rotate(9u32, 10));
		assert!(should_rotate(10u32, 10));
		assert!(should_rotate(11u32, 10));
		assert_eq!(rotation_after(10u32, 5), 15);
		assert_eq!(rotation_after(u32::MAX - 1, 5), u32::MAX);
		assert_eq!(progress(10u32, 20, 10), Permill::zero());
		assert_eq!(progress(15u32, 20, 10), Permill::from_percent(50));
		assert_eq!(progress(20u32, 20, 10), Permill::one());
		// A session lengthened meanwhile does not go backwards below zero.
		assert_eq!(progress(0u32, 100, 10), Permill::zero());
		assert_eq!(progress(5u32, 10, 0), Permill::one());
	}
}
