//! Explicit SIMD for the quantized matrix kernels: on x86_64 AVX2, and AVX-512 with VNNI, chosen at run time
//! (`x86`); on aarch64 NEON (`neon`). The node uses them; the runtime (WASM) and every other machine run the
//! portable kernels of [`crate::kernels`].
//!
//! Why the bytes are the same: an x86 kernel computes eight or sixteen rows at once, one row per lane, and does in
//! every lane exactly the operations of the scalar reference ([`kernels::dot_q4_1`], [`kernels::dot_q8_0`]) in the same
//! order. Per block `b` of a row:
//! - the integer dot product of the block's weights with the quantized activations is summed in SIMD in another
//!   order than the scalar loop, which is exact: every partial sum is a small integer (at most 32 · 15 · 127 for
//!   Q4_1, 32 · 128 · 127 for Q8_0), so nothing saturates or wraps;
//! - the f16 scales become f32 exactly (F16C, like `half`);
//! - then the same IEEE single-precision operations on the same values: `(d * xd) * isum`, `m * xs`, their sum,
//!   and the running sum over blocks `b = 0, 1, …` in that order. A lane's `mul`/`add` rounds like a scalar one,
//!   Rust never contracts them into fused multiply-adds, and the default MXCSR (no flush-to-zero) is what scalar
//!   code uses too.
//! - The NEON kernel vectorizes only the integer part (exact) and does the float part of each block with the same
//!   scalar operations as the reference.
//!
//! `kernels::tests` and `tests/simd.rs` compare every kernel here with the scalar reference bit for bit on random
//! and adversarial inputs (NaN, ±∞, subnormal and extreme scales).

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU8, Ordering};

#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(target_arch = "x86_64")]
mod x86;

use crate::{
	gguf::TensorType,
	kernels::{self, canon, Activations, Q8Vec, QK},
};

/// A set of kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
	/// The portable kernels of [`crate::kernels`] (what WASM runs).
	Portable,
	/// AVX2 and F16C: `vpmaddubsw` integer dot products, eight rows per iteration.
	Avx2,
	/// AVX-512 (F, BW, VL) with VNNI: `vpdpbusd` integer dot products, sixteen rows per iteration.
	Avx512Vnni,
	/// aarch64 NEON: `smull`/`sadalp` integer dot products, one row at a time.
	Neon,
}

impl Level {
	/// The name `SIBYL_ENGINE_KERNEL` takes.
	pub fn name(self) -> &'static str {
		match self {
			Level::Portable => "portable",
			Level::Avx2 => "avx2",
			Level::Avx512Vnni => "avx512vnni",
			Level::Neon => "neon",
		}
	}
}

/// Every level this machine can run, portable first.
pub fn available() -> Vec<Level> {
	#[allow(unused_mut)]
	let mut v = alloc::vec![Level::Portable];
	#[cfg(target_arch = "x86_64")]
	if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("f16c") {
		v.push(Level::Avx2);
		if std::arch::is_x86_feature_detected!("avx512f") &&
			std::arch::is_x86_feature_detected!("avx512bw") &&
			std::arch::is_x86_feature_detected!("avx512vl") &&
			std::arch::is_x86_feature_detected!("avx512vnni")
		{
			v.push(Level::Avx512Vnni);
		}
	}
	#[cfg(target_arch = "aarch64")]
	if std::arch::is_aarch64_feature_detected!("neon") {
		v.push(Level::Neon);
	}
	v
}

static CHOSEN: AtomicU8 = AtomicU8::new(u8::MAX);

/// The level the engine uses: the best available, or the one `SIBYL_ENGINE_KERNEL` names (if available), read once.
pub fn chosen() -> Level {
	let code = |l: Level| l as u8;
	let c = CHOSEN.load(Ordering::Relaxed);
	let all = [Level::Portable, Level::Avx2, Level::Avx512Vnni, Level::Neon];
	if let Some(l) = all.iter().find(|l| code(**l) == c) {
		return *l;
	}
	let avail = available();
	let wanted = std::env::var("SIBYL_ENGINE_KERNEL").ok();
	let l = wanted
		.and_then(|w| avail.iter().copied().find(|l| l.name() == w))
		.unwrap_or_else(|| *avail.last().unwrap_or(&Level::Portable));
	CHOSEN.store(code(l), Ordering::Relaxed);
	l
}

/// Makes the engine use `level` from now on in this process (for tests and benchmarks that compare levels; it must
/// be one of [`available`]).
pub fn force(level: Level) {
	CHOSEN.store(level as u8, Ordering::Relaxed);
}

/// `out[r] = canon(rows[r] · x)` with the kernels of `level`; false if `level` has no kernel for this type (the
/// caller then runs the portable one). `level` must be one of [`available`].
pub fn matvec_rows(level: Level, ty: TensorType, rows: &[u8], row_bytes: usize, x: &Activations, out: &mut [f32]) -> bool {
	let Activations::Quantized(q) = x else { return false };
	let block = match ty {
		TensorType::Q4_1 => 20,
		TensorType::Q8_0 => 34,
		_ => return false,
	};
	let nb = row_bytes / block;
	if level == Level::Portable ||
		nb * block != row_bytes ||
		q.d.len() < nb ||
		q.s.len() < nb ||
		q.qs.len() < nb * QK ||
		// `quantize_q8` never writes −128. With Q8_0 weights it could overflow a kernel's 16-bit pair sums
		// (−128 · −128 twice) or `vpsignb`; Q4_1's nibbles keep those sums small
		(ty == TensorType::Q8_0 && q.qs.contains(&i8::MIN)) ||
		rows.len() < out.len() * row_bytes ||
		// gather offsets are i32
		row_bytes > (i32::MAX as usize) / 16
	{
		return false;
	}
	let width = match level {
		Level::Avx512Vnni => 16,
		Level::Avx2 => 8,
		_ => 1,
	};
	let full = out.len() / width * width;
	// SAFETY: `level` is available on this CPU (the caller's contract, checked by `available`), and every pointer
	// the kernels read is inside `rows` (width rows of `row_bytes` each) and `q` (nb blocks), checked above.
	#[cfg(target_arch = "x86_64")]
	unsafe {
		for r in (0..full).step_by(width) {
			let base = rows.as_ptr().add(r * row_bytes);
			match (level, ty) {
				(Level::Avx2, TensorType::Q4_1) => x86::q4_1_x8_avx2(base, row_bytes, nb, q, &mut out[r..r + 8]),
				(Level::Avx2, _) => x86::q8_0_x8_avx2(base, row_bytes, nb, q, &mut out[r..r + 8]),
				(_, TensorType::Q4_1) => x86::q4_1_x16_vnni(base, row_bytes, nb, q, &mut out[r..r + 16]),
				(_, _) => x86::q8_0_x16_vnni(base, row_bytes, nb, q, &mut out[r..r + 16]),
			}
		}
	}
	#[cfg(target_arch = "aarch64")]
	for (r, o) in out.iter_mut().enumerate().take(full) {
		let row = &rows[r * row_bytes..(r + 1) * row_bytes];
		// SAFETY: NEON is available (checked by `available`); the row holds `nb` whole blocks and `q` `nb` blocks.
		*o = canon(unsafe {
			match ty {
				TensorType::Q4_1 => neon::dot_q4_1(row, q),
				_ => neon::dot_q8_0(row, q),
			}
		});
	}
	// The last rows one at a time, with the reference.
	for (i, o) in out.iter_mut().enumerate().skip(full) {
		let row = &rows[i * row_bytes..(i + 1) * row_bytes];
		*o = canon(match ty {
			TensorType::Q4_1 => kernels::dot_q4_1(row, q),
			_ => kernels::dot_q8_0(row, q),
		});
	}
	true
}

/// [`kernels::quantize_q8`] with the SIMD of `level`, the same bytes; `None` where `level` has none (the caller
/// then runs the portable one). `level` must be one of [`available`].
pub fn quantize_q8(level: Level, x: &[f32]) -> Option<Q8Vec> {
	if x.len() % QK != 0 {
		return None;
	}
	match level {
		#[cfg(target_arch = "x86_64")]
		// SAFETY: AVX2 is available: both x86 levels require it.
		Level::Avx2 | Level::Avx512Vnni => Some(unsafe { x86::quantize_q8(x) }),
		_ => None,
	}
}
