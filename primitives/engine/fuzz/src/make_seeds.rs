//! Writes seed inputs for the fuzz targets: a tiny GGUF file and a few encoded step proofs.
use parity_scale_codec::Encode;

fn main() {
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
	let cfg = sibyl_engine::testing::tiny_config(false);
	let tensors = sibyl_engine::testing::random_tensors(&cfg, 1);
	let gguf = dir.join("gguf_load");
	std::fs::create_dir_all(&gguf).unwrap();
	std::fs::write(gguf.join("tiny.gguf"), sibyl_engine::testing::to_gguf(&cfg, &tensors)).unwrap();
	let model = sibyl_engine::Model::new(cfg, tensors).unwrap();
	let req = sibyl_engine::Request { prompt: vec![3, 1, 4, 1, 5], max_new: 2 };
	let trace = sibyl_engine::run(&model, &req, None, None).unwrap();
	let bytes = dir.join("verify_step_bytes");
	std::fs::create_dir_all(&bytes).unwrap();
	for s in (0..trace.steps()).step_by(7) {
		std::fs::write(bytes.join(format!("step-{s}")), trace.prove(s, 0).unwrap().encode()).unwrap();
	}
	println!("seeds written to {}", dir.display());
}
