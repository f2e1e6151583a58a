//! Every SIMD kernel this machine has gives the portable reference's bits, on random and adversarial inputs:
//! random bytes (so f16 scales and minimums of every kind: NaN, ±∞, subnormal, zero), activations with NaN, ±∞,
//! subnormal and extreme values, and hand-made scales at the edges of f32. Row counts cover whole SIMD batches
//! and the rows left over.
#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

use sibyl_engine::{
	gguf::TensorType,
	kernels::{matvec_rows_portable, quantize_q8, Activations, Q8Vec, QK},
	simd::{self, Level},
	testing::Rng,
};

const SPECIAL_F32: [f32; 12] = [
	f32::NAN,
	f32::INFINITY,
	f32::NEG_INFINITY,
	f32::MAX,
	f32::MIN,
	f32::MIN_POSITIVE,
	1.0e-45,  // the smallest subnormal
	-3.0e-42, // a negative subnormal
	0.0,
	-0.0,
	1.0e30,
	-7.5e-20,
];

const SPECIAL_F16: [u16; 10] = [0x7e00, 0x7c00, 0xfc00, 0x7bff, 0xfbff, 0x0001, 0x83ff, 0x0000, 0x8000, 0x0400];

fn block_bytes(ty: TensorType) -> usize {
	match ty {
		TensorType::Q4_1 => 20,
		_ => 34,
	}
}

/// `rows` random rows of `nb` blocks; with `adversarial`, a third of the scales are special f16 values.
fn random_rows(rng: &mut Rng, ty: TensorType, rows: usize, nb: usize, adversarial: bool) -> Vec<u8> {
	let bb = block_bytes(ty);
	let mut v: Vec<u8> = (0..rows * nb * bb).map(|_| rng.next_u64() as u8).collect();
	for blk in v.chunks_exact_mut(bb) {
		let headers = if ty == TensorType::Q4_1 { 2 } else { 1 };
		for h in 0..headers {
			let bits = if adversarial && rng.next_u64() % 3 == 0 {
				SPECIAL_F16[(rng.next_u64() % SPECIAL_F16.len() as u64) as usize]
			} else if rng.next_u64() % 8 == 0 {
				rng.next_u64() as u16 // anything, NaNs and infinities included
			} else {
				half::f16::from_f32(rng.unit() * 0.05).to_bits()
			};
			blk[2 * h..2 * h + 2].copy_from_slice(&bits.to_le_bytes());
		}
	}
	v
}

fn random_activations(rng: &mut Rng, nb: usize, adversarial: bool) -> Q8Vec {
	let x: Vec<f32> = (0..nb * QK)
		.map(|_| {
			if adversarial && rng.next_u64() % 16 == 0 {
				SPECIAL_F32[(rng.next_u64() % SPECIAL_F32.len() as u64) as usize]
			} else {
				rng.unit() * 4.0
			}
		})
		.collect();
	let mut q = quantize_q8(&x);
	if adversarial {
		// Scales no quantization of finite inputs gives, but a kernel must still agree on.
		for b in 0..nb {
			if rng.next_u64() % 4 == 0 {
				q.d[b] = SPECIAL_F32[(rng.next_u64() % SPECIAL_F32.len() as u64) as usize];
			}
			if rng.next_u64() % 4 == 0 {
				q.s[b] = SPECIAL_F32[(rng.next_u64() % SPECIAL_F32.len() as u64) as usize];
			}
		}
	}
	q
}

fn check(level: Level, ty: TensorType, rows: &[u8], n_rows: usize, nb: usize, q: Q8Vec, what: &str) {
	let rb = nb * block_bytes(ty);
	let act = Activations::Quantized(q);
	let mut want = vec![0f32; n_rows];
	matvec_rows_portable(ty, rows, rb, &act, &mut want);
	let mut got = vec![1f32; n_rows];
	assert!(simd::matvec_rows(level, ty, rows, rb, &act, &mut got), "{level:?} took no {ty:?}");
	for r in 0..n_rows {
		assert_eq!(got[r].to_bits(), want[r].to_bits(), "{level:?} {ty:?} {what}: row {r} of {n_rows}, {nb} blocks: {} vs {}", got[r], want[r]);
	}
}

fn simd_levels() -> Vec<Level> {
	simd::available().into_iter().filter(|l| *l != Level::Portable).collect()
}

#[test]
fn every_simd_kernel_gives_the_reference_bits() {
	let levels = simd_levels();
	eprintln!("kernels on this machine: {:?}", simd::available());
	let mut rng = Rng::new(0x51b1);
	let mut cases = 0;
	for level in &levels {
		for ty in [TensorType::Q4_1, TensorType::Q8_0] {
			for round in 0..120 {
				let adversarial = round % 2 == 1;
				let n_rows = [1, 7, 8, 9, 15, 16, 17, 33, 64, 70][round % 10];
				let nb = 1 + (rng.next_u64() % 48) as usize;
				let rows = random_rows(&mut rng, ty, n_rows, nb, adversarial);
				let q = random_activations(&mut rng, nb, adversarial);
				check(*level, ty, &rows, n_rows, nb, q, if adversarial { "adversarial" } else { "random" });
				cases += 1;
			}
		}
	}
	eprintln!("{cases} cases compared bit for bit");
}

#[test]
fn extreme_integer_sums_stay_exact() {
	// The largest block sums each kernel can meet: every nibble 15 (Q4_1) or every weight −128 / 127 (Q8_0) against
	// activations all ±127. A saturating or wrapping integer step would show here.
	let mut rng = Rng::new(7);
	for level in simd_levels() {
		for ty in [TensorType::Q4_1, TensorType::Q8_0] {
			for (wbyte, qv) in [(0xffu8, 127i8), (0xff, -127), (0x80, 127), (0x80, -127), (0x7f, -127), (0x7f, 127)] {
				let nb = 18;
				let n_rows = 24;
				let mut rows = random_rows(&mut rng, ty, n_rows, nb, false);
				let bb = block_bytes(ty);
				let first = if ty == TensorType::Q4_1 { 4 } else { 2 };
				for blk in rows.chunks_exact_mut(bb) {
					blk[first..].fill(wbyte);
					blk[0..2].copy_from_slice(&half::f16::from_f32(1.0).to_bits().to_le_bytes());
				}
				let q = Q8Vec { d: vec![1.0; nb], s: vec![0.5; nb], qs: vec![qv; nb * QK] };
				check(level, ty, &rows, n_rows, nb, q, "extreme sums");
			}
		}
	}
}

#[test]
fn float_weights_and_minus_128_fall_back_to_the_reference() {
	// No SIMD kernel for F32 rows, nor for activations holding −128 (which `quantize_q8` never writes): the
	// dispatcher says so, and the engine's `matvec_rows` then runs the portable kernel.
	for level in simd_levels() {
		let x = vec![0.25f32; 64];
		let rows = vec![0u8; 4 * 64 * 4];
		let mut out = vec![0f32; 4];
		assert!(!simd::matvec_rows(level, TensorType::F32, &rows, 256, &Activations::Float(&x), &mut out));
		let q = Q8Vec { d: vec![1.0; 2], s: vec![0.0; 2], qs: vec![i8::MIN; 64] };
		let rows = vec![0u8; 4 * 68];
		assert!(!simd::matvec_rows(level, TensorType::Q8_0, &rows, 68, &Activations::Quantized(q), &mut out));
	}
}

#[test]
fn simd_quantization_gives_the_reference_bytes() {
	use sibyl_engine::kernels::quantize_q8_portable;
	let mut rng = Rng::new(0xa11);
	let levels = simd_levels();
	let mut blocks = 0;
	let mut compared = 0;
	for round in 0..400 {
		let nb = 1 + (rng.next_u64() % 48) as usize;
		let x: Vec<f32> = (0..nb * QK)
			.map(|i| match round % 4 {
				// Ties: with a block maximum of 127 the scale is 1, so k + 0.5 must round away from zero.
				0 if i % QK == 0 => 127.0,
				0 => ((rng.next_u64() % 254) as f32 - 127.0) + 0.5,
				1 if rng.next_u64() % 8 == 0 => SPECIAL_F32[(rng.next_u64() % SPECIAL_F32.len() as u64) as usize],
				2 => rng.unit() * 1e-38, // subnormal scales
				_ => rng.unit() * 10.0,
			})
			.collect();
		let want = quantize_q8_portable(&x);
		for level in &levels {
			// (NEON has no quantization kernel: the portable one runs there.)
			let Some(got) = simd::quantize_q8(*level, &x) else { continue };
			compared += 1;
			let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
			assert_eq!(bits(&got.d), bits(&want.d), "{level:?} round {round}: scales");
			assert_eq!(bits(&got.s), bits(&want.s), "{level:?} round {round}: sums");
			assert_eq!(got.qs, want.qs, "{level:?} round {round}: values");
		}
		blocks += nb;
	}
	eprintln!("{blocks} blocks quantized alike by {levels:?}");
	#[cfg(target_arch = "x86_64")]
	assert!(compared > 0 || levels.is_empty(), "an x86 SIMD level quantized");
}
