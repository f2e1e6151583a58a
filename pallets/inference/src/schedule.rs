//! The schedule: which requests the hook looks at in which block.
//!
//! Each block has a bounded list ([`Config::MaxScheduledPerBlock`]). A request is in at most one list, the one its
//! `wake` field names: its deadline (the block after it), its window's end, or the end of its retention. If the
//! wanted block's list is full, the next blocks are tried, up to [`LOOKAHEAD`] of them: a deadline or window
//! that ends a few blocks later than asked is harmless, and the block found is the one recorded.
//!
//! The hook works through the lists from [`crate::WakeCursor`] on, within its weight: a list it could not finish
//! stays in storage, with the requests not yet looked at, and is finished first in the next block. Requests are
//! only ever scheduled after the current block, so no list behind the cursor gets new entries.

use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

use crate::{types::RequestId, Config, Error, Pallet, RequestOf, Schedule};

/// How many blocks after the wanted one are tried when its list is full.
pub const LOOKAHEAD: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Puts request `id` in the list of block `at` (at the earliest the next block), or of the first later block
	/// (within [`LOOKAHEAD`]) with room; records and returns that block.
	pub(crate) fn schedule(
		id: RequestId,
		r: &mut RequestOf<T>,
		at: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let mut block = at.max(frame_system::Pallet::<T>::block_number().saturating_add(1u32.into()));
		for _ in 0..=LOOKAHEAD {
			if Schedule::<T>::try_mutate(block, |list| list.try_push(id)).is_ok() {
				r.wake = Some(block);
				return Ok(block);
			}
			block = block.saturating_add(1u32.into());
		}
		Err(Error::<T>::ScheduleFull)
	}

	/// Takes request `id` out of the list it is in, if any.
	pub(crate) fn unschedule(id: RequestId, r: &mut RequestOf<T>) {
		if let Some(block) = r.wake.take() {
			Schedule::<T>::mutate_exists(block, |list| {
				if let Some(l) = list {
					l.retain(|x| *x != id);
					if l.is_empty() {
						*list = None;
					}
				}
			});
		}
	}
}
