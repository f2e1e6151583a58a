//! The aarch64 kernels: NEON integer dot products (`smull`, `smlal`, `sadalp`-style pairwise sums, `addv`), one
//! row at a time. Only the integer part of a block is vectorized, which is exact in any order (every partial sum is
//! a small integer: two products per 16-bit lane, at most 2 · 128 · 127 = 32,512); the float part of each block is
//! the reference's own scalar operations in its order.

use core::arch::aarch64::*;

use crate::kernels::{f16_at, Q8Vec, QK};

/// Σ w · q over 32 signed bytes (`w0`, `w1` against `q0`, `q1`), exactly.
#[target_feature(enable = "neon")]
#[inline]
fn idot(w0: int8x16_t, w1: int8x16_t, q0: int8x16_t, q1: int8x16_t) -> i32 {
	let p0 = vmlal_s8(vmull_s8(vget_low_s8(w0), vget_low_s8(q0)), vget_high_s8(w0), vget_high_s8(q0));
	let p1 = vmlal_s8(vmull_s8(vget_low_s8(w1), vget_low_s8(q1)), vget_high_s8(w1), vget_high_s8(q1));
	vaddvq_s32(vaddq_s32(vpaddlq_s16(p0), vpaddlq_s16(p1)))
}

/// [`crate::kernels::dot_q4_1`] with NEON.
///
/// # Safety
/// NEON must be available; `row` holds whole 20-byte blocks and `x` at least as many blocks.
#[target_feature(enable = "neon")]
pub(super) unsafe fn dot_q4_1(row: &[u8], x: &Q8Vec) -> f32 {
	let mask = vdupq_n_u8(0x0f);
	let mut sum = 0f32;
	for (b, blk) in row.chunks_exact(20).enumerate() {
		let d = f16_at(blk, 0);
		let m = f16_at(blk, 2);
		// SAFETY: the block has 16 packed bytes after its two scales, and `x` 32 values for block `b`.
		let (packed, q0, q1) = unsafe {
			(vld1q_u8(blk.as_ptr().add(4)), vld1q_s8(x.qs.as_ptr().add(b * QK)), vld1q_s8(x.qs.as_ptr().add(b * QK + 16)))
		};
		// Nibbles 0..=15 are non-negative as signed bytes too.
		let lo = vreinterpretq_s8_u8(vandq_u8(packed, mask));
		let hi = vreinterpretq_s8_u8(vshrq_n_u8::<4>(packed));
		let isum = idot(lo, hi, q0, q1);
		let scaled = (d * x.d[b]) * isum as f32;
		let offset = m * x.s[b];
		sum += scaled + offset;
	}
	sum
}

/// [`crate::kernels::dot_q8_0`] with NEON.
///
/// # Safety
/// NEON must be available; `row` holds whole 34-byte blocks and `x` at least as many blocks.
#[target_feature(enable = "neon")]
pub(super) unsafe fn dot_q8_0(row: &[u8], x: &Q8Vec) -> f32 {
	let mut sum = 0f32;
	for (b, blk) in row.chunks_exact(34).enumerate() {
		let d = f16_at(blk, 0);
		// SAFETY: the block has 32 weights after its scale, and `x` 32 values for block `b`.
		let (w0, w1, q0, q1) = unsafe {
			(
				vld1q_s8(blk.as_ptr().add(2) as *const i8),
				vld1q_s8(blk.as_ptr().add(18) as *const i8),
				vld1q_s8(x.qs.as_ptr().add(b * QK)),
				vld1q_s8(x.qs.as_ptr().add(b * QK + 16)),
			)
		};
		let isum = idot(w0, w1, q0, q1);
		sum += (d * x.d[b]) * isum as f32;
	}
	sum
}
