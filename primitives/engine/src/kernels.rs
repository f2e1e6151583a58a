//! The numeric kernels every step is made of. They are the single definition of the engine's arithmetic: the
//! node's fast path, its replay for proofs, and the runtime's `verify_step` all call these functions, so the
//! same inputs give the same bytes everywhere.
//!
//! Rules that keep native x86-64 and WASM bit-identical:
//! - quantized matrix rows meet activations quantized to 8 bits per block of 32; the products inside a block
//!   are summed as integers (exact in any order, so the compiler may vectorize them), and blocks are combined
//!   in `f32` in a fixed order with one rounding per written operation (Rust never fuses `a * b + c`);
//! - float reductions use a fixed evaluation order (sequential, or eight lanes combined pairwise);
//! - `exp`, `sin`, `cos`, `pow` come from the pure-Rust `libm` crate; `sqrt` is IEEE-exact everywhere;
//! - every value written to state goes through [`canon`], so a NaN has one bit pattern.

use crate::gguf::TensorType;
use alloc::vec::Vec;

/// Elements per quantization block.
pub const QK: usize = 32;

/// The canonical form of a float for storage: NaNs become the one quiet NaN `0x7fc0_0000`.
#[inline(always)]
pub fn canon(x: f32) -> f32 {
	if x.is_nan() {
		f32::from_bits(0x7fc0_0000)
	} else {
		x
	}
}

/// f16 (little-endian bytes) to f32: exact.
#[inline(always)]
pub fn f16_at(b: &[u8], i: usize) -> f32 {
	half::f16::from_bits(u16::from_le_bytes([b[i], b[i + 1]])).to_f32()
}

/// f32 (little-endian bytes).
#[inline(always)]
fn f32_at(b: &[u8], i: usize) -> f32 {
	f32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// A vector quantized to 8 bits per element in blocks of [`QK`]: `x[i] ≈ d[b] * qs[i]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Q8Vec {
	/// Scale per block.
	pub d: Vec<f32>,
	/// `d[b] * Σ qs` per block (the term a Q4_1 minimum multiplies).
	pub s: Vec<f32>,
	/// Quantized values.
	pub qs: Vec<i8>,
}

/// Quantizes `x` (length a multiple of [`QK`]): per block, `d = max|x| / 127`, `q = round(x * 127 / max|x|)`
/// (half away from zero).
pub fn quantize_q8(x: &[f32]) -> Q8Vec {
	#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
	if let Some(q) = crate::simd::quantize_q8(crate::simd::chosen(), x) {
		return q;
	}
	quantize_q8_portable(x)
}

/// [`quantize_q8`] with portable code only: the reference, and what WASM runs.
pub fn quantize_q8_portable(x: &[f32]) -> Q8Vec {
	let nb = x.len() / QK;
	let mut out = Q8Vec { d: Vec::with_capacity(nb), s: Vec::with_capacity(nb), qs: Vec::with_capacity(x.len()) };
	for blk in x.chunks_exact(QK) {
		let mut amax = 0f32;
		for &v in blk {
			let a = libm::fabsf(v);
			if a > amax {
				amax = a;
			}
		}
		let d = amax / 127.0;
		let id = if amax > 0.0 { 127.0 / amax } else { 0.0 };
		let mut sum: i32 = 0;
		for &v in blk {
			let q = libm::roundf(v * id);
			let q = if q > 127.0 {
				127
			} else if q < -127.0 {
				-127
			} else if q.is_nan() {
				0
			} else {
				q as i32
			};
			sum += q;
			out.qs.push(q as i8);
		}
		out.d.push(d);
		out.s.push(d * sum as f32);
	}
	out
}

/// Integer dot product of a Q4_1 block's 16 packed bytes with 32 quantized activations.
#[inline(always)]
fn idot_q4(packed: &[u8], q: &[i8]) -> i32 {
	let mut lo: i32 = 0;
	let mut hi: i32 = 0;
	for j in 0..16 {
		let b = packed[j];
		lo += (b & 0x0f) as i32 * q[j] as i32;
		hi += (b >> 4) as i32 * q[j + 16] as i32;
	}
	lo + hi
}

/// Integer dot product of 32 i8 weights with 32 quantized activations.
#[inline(always)]
fn idot_q8(w: &[u8], q: &[i8]) -> i32 {
	let mut s: i32 = 0;
	for j in 0..QK {
		s += w[j] as i8 as i32 * q[j] as i32;
	}
	s
}

/// Dot product of one Q4_1 row (`row.len() = n/32 * 20`) with quantized activations.
pub fn dot_q4_1(row: &[u8], x: &Q8Vec) -> f32 {
	let mut sum = 0f32;
	for (b, blk) in row.chunks_exact(20).enumerate() {
		let d = f16_at(blk, 0);
		let m = f16_at(blk, 2);
		let isum = idot_q4(&blk[4..20], &x.qs[b * QK..b * QK + QK]);
		let scaled = (d * x.d[b]) * isum as f32;
		let offset = m * x.s[b];
		sum += scaled + offset;
	}
	sum
}

/// Dot product of one Q8_0 row with quantized activations.
pub fn dot_q8_0(row: &[u8], x: &Q8Vec) -> f32 {
	let mut sum = 0f32;
	for (b, blk) in row.chunks_exact(34).enumerate() {
		let d = f16_at(blk, 0);
		let isum = idot_q8(&blk[2..34], &x.qs[b * QK..b * QK + QK]);
		sum += (d * x.d[b]) * isum as f32;
	}
	sum
}

/// Sum of `a[i] * b(i)` in eight lanes combined pairwise: a fixed order the compiler can vectorize.
#[inline(always)]
fn lanes8(n: usize, f: impl Fn(usize) -> f32) -> f32 {
	let mut acc = [0f32; 8];
	let full = n / 8 * 8;
	let mut i = 0;
	while i < full {
		for (l, a) in acc.iter_mut().enumerate() {
			*a += f(i + l);
		}
		i += 8;
	}
	for (l, a) in acc.iter_mut().enumerate().take(n - full) {
		*a += f(full + l);
	}
	((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Dot product of an F32 row (bytes) with `x`.
pub fn dot_f32(row: &[u8], x: &[f32]) -> f32 {
	lanes8(x.len(), |i| f32_at(row, 4 * i) * x[i])
}

/// Dot product of an F16 row (bytes) with `x`.
pub fn dot_f16(row: &[u8], x: &[f32]) -> f32 {
	lanes8(x.len(), |i| f16_at(row, 2 * i) * x[i])
}

/// Dot product of two f32 vectors, in the fixed eight-lane order.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
	lanes8(a.len().min(b.len()), |i| a[i] * b[i])
}

/// The activations a matrix of type `ty` multiplies: quantized for quantized weights, as they are otherwise.
pub enum Activations<'a> {
	/// For Q4_1 and Q8_0 weights.
	Quantized(Q8Vec),
	/// For F32 and F16 weights.
	Float(&'a [f32]),
}

impl<'a> Activations<'a> {
	/// Prepares `x` for a matrix of type `ty`.
	pub fn prepare(ty: TensorType, x: &'a [f32]) -> Activations<'a> {
		match ty {
			TensorType::Q4_1 | TensorType::Q8_0 => Activations::Quantized(quantize_q8(x)),
			TensorType::F32 | TensorType::F16 => Activations::Float(x),
		}
	}
}

/// Dot product of one row of type `ty` with prepared activations.
#[inline]
pub fn dot_row(ty: TensorType, row: &[u8], x: &Activations) -> f32 {
	match (ty, x) {
		(TensorType::Q4_1, Activations::Quantized(q)) => dot_q4_1(row, q),
		(TensorType::Q8_0, Activations::Quantized(q)) => dot_q8_0(row, q),
		(TensorType::F32, Activations::Float(v)) => dot_f32(row, v),
		(TensorType::F16, Activations::Float(v)) => dot_f16(row, v),
		// `Activations::prepare` pairs them; a mismatch is a bug, and gives a NaN rather than a panic.
		_ => f32::NAN,
	}
}

/// `out[r] = canon(rows[r] · x)` for consecutive rows of `row_bytes` bytes: with explicit SIMD where the machine
/// has it (`crate::simd`: x86_64 and aarch64, with `std`), otherwise the portable kernels. The same bytes either way.
pub fn matvec_rows(ty: TensorType, rows: &[u8], row_bytes: usize, x: &Activations, out: &mut [f32]) {
	#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
	if crate::simd::matvec_rows(crate::simd::chosen(), ty, rows, row_bytes, x, out) {
		return;
	}
	matvec_rows_portable(ty, rows, row_bytes, x, out)
}

/// [`matvec_rows`] with the portable kernels only: the reference the SIMD kernels are tested against, and what
/// WASM runs.
pub fn matvec_rows_portable(ty: TensorType, rows: &[u8], row_bytes: usize, x: &Activations, out: &mut [f32]) {
	for (o, row) in out.iter_mut().zip(rows.chunks_exact(row_bytes)) {
		*o = canon(dot_row(ty, row, x));
	}
}

/// Element `i` of a row of type `ty`, as f32.
pub fn dequant(ty: TensorType, row: &[u8], out: &mut [f32]) {
	match ty {
		TensorType::F32 =>
			for (i, o) in out.iter_mut().enumerate() {
				*o = f32_at(row, 4 * i);
			},
		TensorType::F16 =>
			for (i, o) in out.iter_mut().enumerate() {
				*o = f16_at(row, 2 * i);
			},
		TensorType::Q8_0 =>
			for (b, blk) in row.chunks_exact(34).enumerate() {
				let d = f16_at(blk, 0);
				for j in 0..QK {
					out[b * QK + j] = d * (blk[2 + j] as i8 as f32);
				}
			},
		TensorType::Q4_1 =>
			for (b, blk) in row.chunks_exact(20).enumerate() {
				let d = f16_at(blk, 0);
				let m = f16_at(blk, 2);
				for j in 0..16 {
					out[b * QK + j] = d * ((blk[4 + j] & 0x0f) as f32) + m;
					out[b * QK + j + 16] = d * ((blk[4 + j] >> 4) as f32) + m;
				}
			},
	}
	for o in out.iter_mut() {
		*o = canon(*o);
	}
}

/// RMS normalization: `out[i] = (x[i] / sqrt(mean(x²) + eps)) * w[i]`, with `w` an F32 or F16 row.
pub fn rmsnorm(x: &[f32], w_ty: TensorType, w: &[u8], eps: f32, out: &mut [f32]) {
	let mut ss = 0f32;
	for &v in x {
		ss += v * v;
	}
	let mean = ss / x.len() as f32;
	let scale = 1.0 / libm::sqrtf(mean + eps);
	let mut weights = alloc::vec![0f32; x.len()];
	dequant(w_ty, w, &mut weights);
	for i in 0..x.len() {
		out[i] = canon((x[i] * scale) * weights[i]);
	}
}

/// Rotary position embedding in place on each head of `v` (head size `hd`, rotating adjacent pairs), at
/// position `pos` with frequency base `base`.
pub fn rope(v: &mut [f32], hd: usize, pos: u32, base: f32) {
	let half = hd / 2;
	let mut cs = alloc::vec![(0f32, 0f32); half];
	for (i, c) in cs.iter_mut().enumerate() {
		let theta = 1.0 / libm::powf(base, (2 * i) as f32 / hd as f32);
		let angle = pos as f32 * theta;
		*c = (libm::cosf(angle), libm::sinf(angle));
	}
	for head in v.chunks_exact_mut(hd) {
		for (i, &(c, s)) in cs.iter().enumerate() {
			let a = head[2 * i];
			let b = head[2 * i + 1];
			head[2 * i] = canon(a * c - b * s);
			head[2 * i + 1] = canon(a * s + b * c);
		}
	}
}

/// SiLU: `x / (1 + exp(-x))`.
#[inline]
pub fn silu(x: f32) -> f32 {
	x / (1.0 + libm::expf(-x))
}

/// The running state of one attention head's online softmax: the largest score `m`, the sum `l` of
/// `exp(score - m)`, and `acc`, the sum of `exp(score - m) * v`.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadPartial {
	/// Largest score so far (−∞ before the first).
	pub m: f32,
	/// Σ exp(score − m).
	pub l: f32,
	/// Σ exp(score − m) · v.
	pub acc: Vec<f32>,
}

impl HeadPartial {
	/// The state before any position.
	pub fn new(hd: usize) -> HeadPartial {
		HeadPartial { m: f32::NEG_INFINITY, l: 0.0, acc: alloc::vec![0.0; hd] }
	}

	/// Bytes of the state as stored in a register leaf: `m`, `l`, `acc`, little-endian.
	pub fn to_bytes(&self) -> Vec<u8> {
		let mut b = Vec::with_capacity(8 + 4 * self.acc.len());
		b.extend_from_slice(&canon(self.m).to_le_bytes());
		b.extend_from_slice(&canon(self.l).to_le_bytes());
		for a in &self.acc {
			b.extend_from_slice(&canon(*a).to_le_bytes());
		}
		b
	}

	/// The state stored in `b` (as written by [`HeadPartial::to_bytes`]).
	pub fn from_floats(f: &[f32]) -> HeadPartial {
		HeadPartial { m: f[0], l: f[1], acc: f[2..].to_vec() }
	}

	/// Folds in one position with key `k` and value `v` for query `q`, scores scaled by `scale`.
	pub fn update(&mut self, q: &[f32], k: &[f32], v: &[f32], scale: f32) {
		let s = dot(q, k) * scale;
		if s > self.m {
			let c = libm::expf(self.m - s);
			self.l = self.l * c + 1.0;
			for (a, &vv) in self.acc.iter_mut().zip(v) {
				*a = *a * c + vv;
			}
			self.m = s;
		} else {
			let e = libm::expf(s - self.m);
			self.l += e;
			for (a, &vv) in self.acc.iter_mut().zip(v) {
				*a += e * vv;
			}
		}
		self.m = canon(self.m);
		self.l = canon(self.l);
		for a in self.acc.iter_mut() {
			*a = canon(*a);
		}
	}

	/// The attention output: `acc / l`.
	pub fn finish(&self, out: &mut [f32]) {
		for (o, a) in out.iter_mut().zip(&self.acc) {
			*o = canon(*a / self.l);
		}
	}
}

/// The running result of a greedy argmax over logits: the best value and the lowest index that has it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best {
	/// Best logit so far (−∞ before the first).
	pub value: f32,
	/// Its token id.
	pub index: u32,
}

impl Best {
	/// Before any logit.
	pub const NONE: Best = Best { value: f32::NEG_INFINITY, index: 0 };

	/// Considers logit `value` of token `index`; indices must come in increasing order, so a tie keeps the lower.
	#[inline]
	pub fn consider(&mut self, value: f32, index: u32) {
		if value > self.value {
			self.value = value;
			self.index = index;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn quantized_dot_products_track_float_ones() {
		// Q8_0 weights of 1..=64 / 64 scaled, against x = 0.5.
		let x: Vec<f32> = (0..64).map(|i| ((i as f32) - 31.5) / 10.0).collect();
		let q = quantize_q8(&x);
		let mut deq = alloc::vec![0f32; 64];
		for (b, blk) in q.qs.chunks(QK).enumerate() {
			for j in 0..QK {
				deq[b * QK + j] = q.d[b] * blk[j] as f32;
			}
		}
		for (a, b) in x.iter().zip(&deq) {
			assert!((a - b).abs() <= 3.2 / 127.0, "{a} vs {b}");
		}
		// A Q8_0 row with d = 1.0 and q = 1 everywhere: the dot is Σ x (up to quantization).
		let mut row = Vec::new();
		for _ in 0..2 {
			row.extend_from_slice(&half::f16::from_f32(1.0).to_bits().to_le_bytes());
			row.extend_from_slice(&[1u8; 32]);
		}
		let want: f32 = x.iter().sum();
		assert!((dot_q8_0(&row, &q) - want).abs() < 0.2);
		// The same row as Q4_1 with d = 1, m = 0, nibbles 1: same result.
		let mut row41 = Vec::new();
		for _ in 0..2 {
			row41.extend_from_slice(&half::f16::from_f32(1.0).to_bits().to_le_bytes());
			row41.extend_from_slice(&half::f16::from_f32(0.0).to_bits().to_le_bytes());
			row41.extend_from_slice(&[0x11u8; 16]);
		}
		assert_eq!(dot_q4_1(&row41, &q), dot_q8_0(&row, &q));
	}

	#[test]
	fn online_softmax_matches_the_two_pass_formula() {
		let q = [0.3f32, -1.0, 0.5, 2.0];
		let ks = [[1.0f32, 0.0, 0.0, 0.5], [0.0, 1.0, 2.0, 0.0], [0.5, 0.5, 0.5, 0.5]];
		let vs = [[1.0f32, 2.0, 3.0, 4.0], [-1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 10.0]];
		let mut p = HeadPartial::new(4);
		for (k, v) in ks.iter().zip(&vs) {
			p.update(&q, k, v, 0.5);
		}
		let mut out = [0f32; 4];
		p.finish(&mut out);
		let s: Vec<f64> = ks.iter().map(|k| 0.5 * k.iter().zip(&q).map(|(a, b)| (a * b) as f64).sum::<f64>()).collect();
		let m = s.iter().cloned().fold(f64::MIN, f64::max);
		let z: f64 = s.iter().map(|x| (x - m).exp()).sum();
		for d in 0..4 {
			let want: f64 = s.iter().zip(&vs).map(|(x, v)| (x - m).exp() / z * v[d] as f64).sum();
			assert!((out[d] as f64 - want).abs() < 1e-5, "{d}: {} vs {want}", out[d]);
		}
	}

	#[test]
	fn argmax_keeps_the_lowest_index_on_ties_and_skips_nan() {
		let mut b = Best::NONE;
		for (i, v) in [1.0f32, 3.0, f32::NAN, 3.0, 2.0].iter().enumerate() {
			b.consider(*v, i as u32);
		}
		assert_eq!(b, Best { value: 3.0, index: 1 });
		assert_eq!(canon(f32::from_bits(0xffc0_0001)).to_bits(), 0x7fc0_0000);
	}
}
