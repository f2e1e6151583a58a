//! Valid proofs of every step of a tiny model, with bytes of their encoding changed: `verify_step` never panics,
//! and a proof it accepts after a change, against the unchanged proof's pre-state root, gives the same root.
#![no_main]
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::{Decode, Encode};
use std::sync::OnceLock;

fn proofs() -> &'static Vec<(Vec<u8>, [u8; 32], [u8; 32])> {
	static P: OnceLock<Vec<(Vec<u8>, [u8; 32], [u8; 32])>> = OnceLock::new();
	P.get_or_init(|| {
		let model = Box::leak(Box::new(sibyl_engine::testing::tiny_model(false, 3)));
		let req = sibyl_engine::Request { prompt: (0..17).map(|i| (i * 3) % 80).collect(), max_new: 3 };
		let trace = sibyl_engine::run(model, &req, None, None).expect("valid");
		let mut out = Vec::new();
		for s in 0..trace.steps() {
			for c in 0..trace.chunks_of(s).unwrap() {
				let p = trace.prove(s, c).unwrap();
				let pre = trace.root_at(s, c).unwrap();
				let root = sibyl_engine::verify_step(&pre, &p).unwrap();
				out.push((p.encode(), pre, root));
			}
		}
		out
	})
}

fuzz_target!(|data: &[u8]| {
	if data.len() < 4 {
		return;
	}
	let all = proofs();
	let (bytes, pre, root) = &all[u16::from_le_bytes([data[0], data[1]]) as usize % all.len()];
	let mut b = bytes.clone();
	// The rest of the input: (position, xor) pairs.
	for pair in data[2..].chunks(3) {
		if pair.len() < 3 {
			break;
		}
		let at = u16::from_le_bytes([pair[0], pair[1]]) as usize % b.len();
		b[at] ^= pair[2];
	}
	if let Ok(proof) = sibyl_engine::StepProof::decode(&mut &b[..]) {
		if let Ok(r) = sibyl_engine::verify_step(pre, &proof) {
			// Accepted after a change, from the same trusted pre-state: the change was to nothing the result
			// depends on, so the result is the original one.
			assert_eq!(r, *root, "same pre-state, different result");
		}
	}
});
