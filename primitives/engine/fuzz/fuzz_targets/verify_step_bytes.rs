//! Arbitrary bytes as a SCALE-encoded step proof: decoding and `verify_step` (trusting the proof's own pre-state,
//! so that the fuzzer reaches past the pre-root check) return errors, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::Decode;

fuzz_target!(|data: &[u8]| {
	if let Ok(proof) = sibyl_engine::StepProof::decode(&mut &data[..]) {
		let _ = sibyl_engine::verify_step(&proof.header.root(), &proof);
	}
});
