//! The x86_64 kernels: AVX2 (eight rows per iteration) and AVX-512 with VNNI (sixteen); see the parent module for
//! why they give the reference's bytes.

use alloc::vec::Vec;
use core::arch::x86_64::*;

use crate::kernels::{canon, Q8Vec, QK};

/// Prefetches the `span` bytes at `p` (a hint only: it changes no value, and never faults, so `p` may lie past the
/// rows; it is formed with `wrapping_add`).
///
/// Why: a kernel reads its 8 or 16 rows side by side, 20 or 34 bytes of each per block, which the hardware
/// prefetcher does not follow well. The rows of a batch are one contiguous range, and so are the next batch's: with
/// block `b` of this batch, the kernel asks for the `b`-th `span` of the next batch, so the next batch is in cache
/// when it starts (measured on one core over 64 MiB of SmolLM2-shaped Q4_1 rows: see the README).
#[target_feature(enable = "sse")]
#[inline]
fn prefetch(p: *const u8, span: usize) {
	let mut o = 0;
	while o < span {
		// A hint that never faults, whatever the address.
		_mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(o) as *const i8);
		o += 64;
	}
}

/// [`kernels::quantize_q8`] with AVX2, giving the same bytes: per block the largest magnitude (NaNs skipped, as
/// the scalar comparison skips them; a maximum does not depend on order), the scalar scale, then per element the
/// same product `v * id`, rounded half away from zero exactly (truncate, then step away from zero when the
/// fraction, computed exactly, is at least one half: the one correct answer `libm::roundf` gives too), clamped to
/// ±127, NaN to 0; the block's integer sum is exact.
/// # Safety
/// AVX2 must be available.
pub(super) unsafe fn quantize_q8(x: &[f32]) -> Q8Vec {
	let nb = x.len() / QK;
	let mut out = Q8Vec { d: Vec::with_capacity(nb), s: Vec::with_capacity(nb), qs: alloc::vec![0i8; x.len()] };
	for (b, blk) in x.chunks_exact(QK).enumerate() {
		// SAFETY: AVX2 is available (the caller's contract), and `blk` holds 32 floats.
		let amax = unsafe { amax32_avx2(blk.as_ptr()) };
		let d = amax / 127.0;
		let id = if amax > 0.0 { 127.0 / amax } else { 0.0 };
		let mut q = [0i32; QK];
		// SAFETY: as above; `q` has room for 32 values.
		unsafe { round32_avx2(blk.as_ptr(), id, q.as_mut_ptr()) };
		let mut sum: i32 = 0;
		for (o, v) in out.qs[b * QK..(b + 1) * QK].iter_mut().zip(q) {
			sum += v;
			*o = v as i8;
		}
		out.d.push(d);
		out.s.push(d * sum as f32);
	}
	out
}

#[target_feature(enable = "avx2")]
unsafe fn amax32_avx2(p: *const f32) -> f32 {
	let mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
	let mut acc = _mm256_setzero_ps();
	for i in 0..4 {
		let a = _mm256_and_ps(_mm256_loadu_ps(p.add(8 * i)), mask);
		// `maxps` returns its second operand when either is NaN: a NaN element leaves `acc` as it was.
		acc = _mm256_max_ps(a, acc);
	}
	let mut v = [0f32; 8];
	_mm256_storeu_ps(v.as_mut_ptr(), acc);
	let mut m = 0f32;
	for x in v {
		if x > m {
			m = x;
		}
	}
	m
}

#[target_feature(enable = "avx2")]
unsafe fn round32_avx2(p: *const f32, id: f32, out: *mut i32) {
	let idv = _mm256_set1_ps(id);
	let half = _mm256_set1_ps(0.5);
	let one = _mm256_set1_ps(1.0);
	let sign = _mm256_castsi256_ps(_mm256_set1_epi32(i32::MIN));
	let abs = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
	for i in 0..4 {
		let y = _mm256_mul_ps(_mm256_loadu_ps(p.add(8 * i)), idv);
		let t = _mm256_round_ps::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(y);
		// Exact: |y − trunc(y)| < 1 (for |y| ≥ 2^23 it is 0; for ±∞ NaN, so no step).
		let frac = _mm256_and_ps(_mm256_sub_ps(y, t), abs);
		let step = _mm256_and_ps(_mm256_cmp_ps::<_CMP_GE_OQ>(frac, half), _mm256_or_ps(one, _mm256_and_ps(y, sign)));
		let r = _mm256_add_ps(t, step);
		let clamped = _mm256_max_ps(_mm256_min_ps(r, _mm256_set1_ps(127.0)), _mm256_set1_ps(-127.0));
		// NaN (from a NaN input, or ∞ · 0) is 0.
		let ordered = _mm256_cmp_ps::<_CMP_ORD_Q>(r, r);
		let q = _mm256_cvtps_epi32(_mm256_and_ps(clamped, ordered));
		_mm256_storeu_si256(out.add(8 * i) as *mut __m256i, q);
	}
}

/// Lane `r` = the sum of the eight i32 lanes of `v[r]` (exact: small integers).
#[target_feature(enable = "avx2")]
#[inline]
fn hsum8(v: &[__m256i; 8]) -> __m256i {
	let h01 = _mm256_hadd_epi32(v[0], v[1]);
	let h23 = _mm256_hadd_epi32(v[2], v[3]);
	let h45 = _mm256_hadd_epi32(v[4], v[5]);
	let h67 = _mm256_hadd_epi32(v[6], v[7]);
	// Per 128-bit half: [v0, v1, v2, v3] and [v4, v5, v6, v7], each the sum of that half of the row's lanes.
	let a = _mm256_hadd_epi32(h01, h23);
	let b = _mm256_hadd_epi32(h45, h67);
	_mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31))
}

/// The 32 weights of a Q4_1 block (16 packed bytes at `p`) as unsigned bytes, in the order of the activations:
/// low nibbles pair with activations 0..16, high nibbles with 16..32.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn q4_weights(p: *const u8) -> __m256i {
	let packed = _mm_loadu_si128(p as *const __m128i);
	let m4 = _mm_set1_epi8(0x0f);
	let lo = _mm_and_si128(packed, m4);
	let hi = _mm_and_si128(_mm_srli_epi16(packed, 4), m4);
	_mm256_set_m128i(hi, lo)
}

/// Eight f16 values (u16 in the low halves of the lanes of `v`) as f32, exactly.
#[target_feature(enable = "avx2,f16c")]
#[inline]
fn f16x8_low(v: __m256i) -> __m256 {
	let lo16 = _mm256_and_si256(v, _mm256_set1_epi32(0xffff));
	// packus per 128-bit half: [l0..l3, l0..l3 | l4..l7, l4..l7]; take qwords 0 and 2.
	let packed = _mm256_packus_epi32(lo16, lo16);
	let ordered = _mm256_permute4x64_epi64(packed, 0b00_00_10_00);
	_mm256_cvtph_ps(_mm256_castsi256_si128(ordered))
}

/// The u32 at `base + b_off + r * row_bytes` for rows r = 0..8.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn gather8(base: *const u8, row_bytes: usize) -> __m256i {
	let rb = row_bytes as i32;
	let idx = _mm256_setr_epi32(0, rb, 2 * rb, 3 * rb, 4 * rb, 5 * rb, 6 * rb, 7 * rb);
	_mm256_i32gather_epi32::<1>(base as *const i32, idx)
}

/// Eight Q4_1 rows starting at `rows` (`row_bytes` apart, `nb` blocks each) times `x`.
#[target_feature(enable = "avx2,f16c")]
pub(super) unsafe fn q4_1_x8_avx2(rows: *const u8, row_bytes: usize, nb: usize, x: &Q8Vec, out: &mut [f32]) {
	let ones = _mm256_set1_epi16(1);
	let mut acc = _mm256_setzero_ps();
	for b in 0..nb {
		let q = _mm256_loadu_si256(x.qs.as_ptr().add(b * QK) as *const __m256i);
		let blk = rows.add(b * 20);
		prefetch(rows.wrapping_add(8 * row_bytes + b * 160), 160);
		let mut dots = [_mm256_setzero_si256(); 8];
		for (r, d) in dots.iter_mut().enumerate() {
			let w = q4_weights(blk.add(r * row_bytes + 4));
			*d = _mm256_madd_epi16(_mm256_maddubs_epi16(w, q), ones);
		}
		let isum = _mm256_cvtepi32_ps(hsum8(&dots));
		let dm = gather8(blk, row_bytes);
		let d = f16x8_low(dm);
		let m = f16x8_low(_mm256_srli_epi32(dm, 16));
		let scaled = _mm256_mul_ps(_mm256_mul_ps(d, _mm256_set1_ps(x.d[b])), isum);
		let offset = _mm256_mul_ps(m, _mm256_set1_ps(x.s[b]));
		acc = _mm256_add_ps(acc, _mm256_add_ps(scaled, offset));
	}
	store_canon8(acc, out);
}

/// Eight Q8_0 rows starting at `rows` times `x`.
#[target_feature(enable = "avx2,f16c")]
pub(super) unsafe fn q8_0_x8_avx2(rows: *const u8, row_bytes: usize, nb: usize, x: &Q8Vec, out: &mut [f32]) {
	let ones = _mm256_set1_epi16(1);
	let mut acc = _mm256_setzero_ps();
	for b in 0..nb {
		let q = _mm256_loadu_si256(x.qs.as_ptr().add(b * QK) as *const __m256i);
		let blk = rows.add(b * 34);
		prefetch(rows.wrapping_add(8 * row_bytes + b * 272), 272);
		let mut dots = [_mm256_setzero_si256(); 8];
		for (r, d) in dots.iter_mut().enumerate() {
			let w = _mm256_loadu_si256(blk.add(r * row_bytes + 2) as *const __m256i);
			// |w| · (q · sign(w)) = w · q; |−128| = 128 read as an unsigned byte.
			let prod = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
			*d = _mm256_madd_epi16(prod, ones);
		}
		let isum = _mm256_cvtepi32_ps(hsum8(&dots));
		let d = f16x8_low(gather8(blk, row_bytes));
		acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_mul_ps(d, _mm256_set1_ps(x.d[b])), isum));
	}
	store_canon8(acc, out);
}

#[target_feature(enable = "avx2")]
#[inline]
fn store_canon8(acc: __m256, out: &mut [f32]) {
	let mut v = [0f32; 8];
	// SAFETY: `v` has room for eight floats.
	unsafe { _mm256_storeu_ps(v.as_mut_ptr(), acc) };
	for (o, x) in out.iter_mut().zip(v) {
		*o = canon(x);
	}
}

/// Sixteen f16 values (the low halves of the lanes of `v`) as f32, exactly.
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
fn f16x16_low(v: __m512i) -> __m512 {
	_mm512_cvtph_ps(_mm512_cvtepi32_epi16(v))
}

/// The u32 at `base + r * row_bytes` for rows r = 0..16.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn gather16(base: *const u8, row_bytes: usize) -> __m512i {
	let rb = row_bytes as i32;
	let idx = _mm512_mullo_epi32(
		_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
		_mm512_set1_epi32(rb),
	);
	_mm512_i32gather_epi32::<1>(idx, base as *const i32)
}

/// Lane `r` = the sum of the lanes of `v[r]`, for sixteen rows.
#[target_feature(enable = "avx2,avx512f")]
#[inline]
fn hsum16(lo: &[__m256i; 8], hi: &[__m256i; 8]) -> __m512i {
	_mm512_inserti64x4::<1>(_mm512_castsi256_si512(hsum8(lo)), hsum8(hi))
}

/// Sixteen Q4_1 rows times `x`, with `vpdpbusd` (unsigned nibbles × signed activations, no saturation).
#[target_feature(enable = "avx2,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q4_1_x16_vnni(rows: *const u8, row_bytes: usize, nb: usize, x: &Q8Vec, out: &mut [f32]) {
	let mut acc = _mm512_setzero_ps();
	for b in 0..nb {
		let q = _mm256_loadu_si256(x.qs.as_ptr().add(b * QK) as *const __m256i);
		let blk = rows.add(b * 20);
		prefetch(rows.wrapping_add(16 * row_bytes + b * 320), 320);
		let mut lo = [_mm256_setzero_si256(); 8];
		let mut hi = [_mm256_setzero_si256(); 8];
		for r in 0..8 {
			let w = q4_weights(blk.add(r * row_bytes + 4));
			lo[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, q);
			let w = q4_weights(blk.add((r + 8) * row_bytes + 4));
			hi[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, q);
		}
		let isum = _mm512_cvtepi32_ps(hsum16(&lo, &hi));
		let dm = gather16(blk, row_bytes);
		let d = f16x16_low(dm);
		let m = f16x16_low(_mm512_srli_epi32::<16>(dm));
		let scaled = _mm512_mul_ps(_mm512_mul_ps(d, _mm512_set1_ps(x.d[b])), isum);
		let offset = _mm512_mul_ps(m, _mm512_set1_ps(x.s[b]));
		acc = _mm512_add_ps(acc, _mm512_add_ps(scaled, offset));
	}
	store_canon16(acc, out);
}

/// Sixteen Q8_0 rows times `x`, with `vpdpbusd` on |w| and q · sign(w).
#[target_feature(enable = "avx2,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q8_0_x16_vnni(rows: *const u8, row_bytes: usize, nb: usize, x: &Q8Vec, out: &mut [f32]) {
	let mut acc = _mm512_setzero_ps();
	for b in 0..nb {
		let q = _mm256_loadu_si256(x.qs.as_ptr().add(b * QK) as *const __m256i);
		let blk = rows.add(b * 34);
		prefetch(rows.wrapping_add(16 * row_bytes + b * 544), 544);
		let mut lo = [_mm256_setzero_si256(); 8];
		let mut hi = [_mm256_setzero_si256(); 8];
		for r in 0..8 {
			let w = _mm256_loadu_si256(blk.add(r * row_bytes + 2) as *const __m256i);
			lo[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
			let w = _mm256_loadu_si256(blk.add((r + 8) * row_bytes + 2) as *const __m256i);
			hi[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
		}
		let isum = _mm512_cvtepi32_ps(hsum16(&lo, &hi));
		let d = f16x16_low(gather16(blk, row_bytes));
		acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_mul_ps(d, _mm512_set1_ps(x.d[b])), isum));
	}
	store_canon16(acc, out);
}

#[target_feature(enable = "avx512f")]
#[inline]
fn store_canon16(acc: __m512, out: &mut [f32]) {
	let mut v = [0f32; 16];
	// SAFETY: `v` has room for sixteen floats.
	unsafe { _mm512_storeu_ps(v.as_mut_ptr(), acc) };
	for (o, x) in out.iter_mut().zip(v) {
		*o = canon(x);
	}
}
