//! `sibyl-engine-bench`: our engine and candle on the same GGUF and prompts, each in its own process (so peak
//! memory is per engine), then the decode ratio and the trace cost.
//!
//! `sibyl-engine-bench [--max-new N]`; `sibyl-engine-bench --engine ours|candle` runs one engine and prints one
//! line of figures (used by the parent).

use sibyl_engine_bench::{model_path, peak_rss_mib, Candle, Sibyl, PROMPTS};
use std::{process::Command, time::Instant};

fn arg(name: &str) -> Option<String> {
	let args: Vec<String> = std::env::args().collect();
	args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// Runs one engine over all prompts; prints `prefill_tps decode_tps peak_rss_mib`.
fn child(engine: &str, max_new: usize) {
	let path = model_path();
	let sibyl = Sibyl::load(&path);
	let prompts: Vec<Vec<u32>> = PROMPTS.iter().map(|p| sibyl.tokenizer.encode_chat(p).expect("tokenize")).collect();
	let eos = sibyl.model.config.eos;
	let (mut prefill_tokens, mut prefill_secs, mut decode_tokens, mut decode_secs) = (0usize, 0f64, 0usize, 0f64);
	let mut candle = if engine == "candle" { Some(Candle::load(&path)) } else { None };
	let ours = if engine == "ours" { Some(sibyl) } else { drop(sibyl); None };
	for p in &prompts {
		let g = match (&mut candle, &ours) {
			(Some(c), _) => c.generate(p, max_new, eos),
			(_, Some(o)) => o.generate(p, max_new).0,
			_ => unreachable!("one engine is chosen"),
		};
		prefill_tokens += p.len();
		prefill_secs += g.prefill_secs;
		decode_tokens += g.tokens.len().saturating_sub(1);
		decode_secs += g.decode_secs;
	}
	println!(
		"{:.2} {:.2} {:.1}",
		prefill_tokens as f64 / prefill_secs,
		decode_tokens as f64 / decode_secs,
		peak_rss_mib()
	);
}

fn run_child(engine: &str, max_new: usize) -> (f64, f64, f64) {
	let exe = std::env::current_exe().expect("own path");
	let out = Command::new(exe)
		.args(["--engine", engine, "--max-new", &max_new.to_string()])
		.output()
		.expect("run the engine");
	assert!(out.status.success(), "{engine} failed: {}", String::from_utf8_lossy(&out.stderr));
	let line = String::from_utf8_lossy(&out.stdout);
	let v: Vec<f64> = line.split_whitespace().filter_map(|x| x.parse().ok()).collect();
	assert_eq!(v.len(), 3, "unexpected output of {engine}: {line}");
	(v[0], v[1], v[2])
}

fn main() {
	let max_new: usize = arg("--max-new").and_then(|v| v.parse().ok()).unwrap_or(32);
	if let Some(engine) = arg("--engine") {
		return child(&engine, max_new);
	}
	println!("model: {}", model_path().display());
	println!("threads: {} (rayon)  prompts: {}  max new tokens: {max_new}", rayon::current_num_threads(), PROMPTS.len());
	println!("{:<8} {:>14} {:>14} {:>14}", "engine", "prefill tok/s", "decode tok/s", "peak RSS MiB");
	let ours = run_child("ours", max_new);
	println!("{:<8} {:>14.1} {:>14.1} {:>14.0}", "sibyl", ours.0, ours.1, ours.2);
	let candle = run_child("candle", max_new);
	println!("{:<8} {:>14.1} {:>14.1} {:>14.0}", "candle", candle.0, candle.1, candle.2);
	println!("decode ratio sibyl/candle: {:.2}", ours.1 / candle.1);

	// Trace cost: steps per token and the cost of state roots.
	let sibyl = Sibyl::load(&model_path());
	let prompt = sibyl.tokenizer.encode_chat(PROMPTS[0]).expect("tokenize");
	let req = sibyl_engine::Request { prompt: prompt.clone(), max_new: max_new as u32 };
	let t = Instant::now();
	let plain = sibyl_engine::run(&sibyl.model, &req, None, None).expect("run");
	let plain_secs = t.elapsed().as_secs_f64();
	let t = Instant::now();
	let every = sibyl_engine::run(&sibyl.model, &req, Some(1), None).expect("run");
	let every_secs = t.elapsed().as_secs_f64();
	assert_eq!(plain.output.final_root, every.output.final_root);
	let tokens = prompt.len() + plain.output.output.len();
	let steps = plain.steps();
	let samples: Vec<u32> = (0..20).map(|i| (steps as u64 * (2 * i + 1) / 40) as u32).collect();
	let t = Instant::now();
	for s in &samples {
		plain.root_at(*s, 0).expect("root");
	}
	let root_at_ms = t.elapsed().as_secs_f64() * 1000.0 / samples.len() as f64;
	println!(
		"trace: {steps} steps for {tokens} tokens ({:.0} steps/token); run {:.2} s with the final root only, {:.2} s with a root after every step (+{:.0}%); root at an arbitrary step {:.1} ms",
		steps as f64 / tokens as f64,
		plain_secs,
		every_secs,
		(every_secs / plain_secs - 1.0) * 100.0,
		root_at_ms
	);
}
