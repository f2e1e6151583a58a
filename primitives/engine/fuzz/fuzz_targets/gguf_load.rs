//! Arbitrary bytes as a GGUF file: the parser and the model loader return errors, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let _ = sibyl_engine::gguf::Gguf::parse(data);
	let _ = sibyl_engine::Model::from_gguf(data);
});
