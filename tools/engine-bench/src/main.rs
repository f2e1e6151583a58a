//! `sibyl-engine-bench`: our engine, candle and (with `--llama-bench PATH`) llama.cpp on the same GGUF, prompts
//! and thread count, each in its own process (so peak memory is per engine), then the ratios and the trace cost.
//!
//! `sibyl-engine-bench [--max-new N] [--threads T] [--llama-bench PATH] [--model FILE]`. The parent tokenizes the
//! prompts (so neither engine's process holds a tokenizer or the other engine's model), pins the children to `T`
//! threads (default: the machine's cores) through `RAYON_NUM_THREADS` and `CANDLE_NUM_THREADS` (llama.cpp: `-t`),
//! runs ours first, and has candle decode exactly as many tokens per prompt as ours did (ours stops at
//! end-of-sequence; candle is made to continue). llama.cpp's `llama-bench` (built once by
//! `scripts/setup-llama.sh`) processes prompts of our prompts' lengths and generates `N` tokens.
//!
//! The children: `sibyl-engine-bench --engine ours|candle --prompts 1,2,3/4,5 --counts N,N,...` print one line:
//! `prefill_tps decode_tps peak_rss_mib loaded_rss_mib threads count,count,...` (peak: `VmHWM`, loading
//! included; loaded: `VmRSS` after the last prompt, the engine still in memory).

use sibyl_engine_bench::{generate, load_model, model_path, peak_rss_mib, prompt_ids, status_mib, Candle, PROMPTS};
use codec::Encode;
use std::{process::Command, time::Instant};

fn arg(name: &str) -> Option<String> {
	let args: Vec<String> = std::env::args().collect();
	args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// `--model FILE`, or SmolLM2.
fn model_file() -> std::path::PathBuf {
	arg("--model").map(std::path::PathBuf::from).unwrap_or_else(model_path)
}

fn list(s: &str) -> Vec<u32> {
	s.split(',').filter(|x| !x.is_empty()).map(|x| x.parse().expect("a number")).collect()
}

fn join(v: &[u32]) -> String {
	v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
}

/// Runs one engine over the prompts: ours generates up to `max_new` tokens, candle exactly `counts[i]`.
fn child(engine: &str, prompts: &[Vec<u32>], max_new: usize, counts: &[u32]) {
	let path = model_file();
	let (mut prefill_tokens, mut prefill_secs, mut decode_tokens, mut decode_secs) = (0usize, 0f64, 0usize, 0f64);
	let mut generated = Vec::new();
	let mut step = |p: &Vec<u32>, g: sibyl_engine_bench::Generation| {
		prefill_tokens += p.len();
		prefill_secs += g.prefill_secs;
		decode_tokens += g.tokens.len().saturating_sub(1);
		decode_secs += g.decode_secs;
		generated.push(g.tokens.len() as u32);
	};
	// Resident memory is read after the last prompt, with the engine still loaded.
	let (threads, rss) = match engine {
		"ours" => {
			let model = load_model(&path);
			for p in prompts {
				step(p, generate(&model, p, max_new).0);
			}
			(rayon::current_num_threads(), status_mib("VmRSS:"))
		},
		"candle" => {
			let mut candle = Candle::load(&path);
			for (p, n) in prompts.iter().zip(counts) {
				step(p, candle.generate_exactly(p, *n as usize));
			}
			(candle_core::utils::get_num_threads(), status_mib("VmRSS:"))
		},
		other => panic!("unknown engine {other}"),
	};
	println!(
		"{:.2} {:.2} {:.1} {rss:.1} {threads} {}",
		prefill_tokens as f64 / prefill_secs,
		decode_tokens as f64 / decode_secs,
		peak_rss_mib(),
		join(&generated)
	);
}

/// One child's figures.
struct Figures {
	prefill_tps: f64,
	decode_tps: f64,
	peak_rss_mib: f64,
	loaded_rss_mib: f64,
	threads: usize,
	counts: Vec<u32>,
}

fn run_child(engine: &str, prompts: &[Vec<u32>], max_new: usize, counts: &[u32], threads: usize) -> Figures {
	let exe = std::env::current_exe().expect("own path");
	let prompts = prompts.iter().map(|p| join(p)).collect::<Vec<_>>().join("/");
	let out = Command::new(exe)
		.args(["--engine", engine, "--max-new", &max_new.to_string(), "--prompts", &prompts, "--counts", &join(counts)])
		.arg("--model")
		.arg(model_file())
		.env("RAYON_NUM_THREADS", threads.to_string())
		.env("CANDLE_NUM_THREADS", threads.to_string())
		.output()
		.expect("run the engine");
	assert!(out.status.success(), "{engine} failed: {}", String::from_utf8_lossy(&out.stderr));
	let line = String::from_utf8_lossy(&out.stdout);
	let v: Vec<&str> = line.split_whitespace().collect();
	assert_eq!(v.len(), 6, "unexpected output of {engine}: {line}");
	let f = |i: usize| v[i].parse::<f64>().expect("a number");
	Figures {
		prefill_tps: f(0),
		decode_tps: f(1),
		peak_rss_mib: f(2),
		loaded_rss_mib: f(3),
		threads: v[4].parse().expect("thread count"),
		counts: list(v[5]),
	}
}

/// llama.cpp's `llama-bench` on the same file and thread count: prompt processing at each of our prompts' lengths
/// (`-p`, random tokens: llama.cpp's speed does not depend on which), and generation of `max_new` tokens (`-n`).
/// Returns (prefill tok/s over all prompts, decode tok/s).
fn llama_cpp(bin: &str, model: &std::path::Path, lens: &[u32], max_new: usize, threads: usize) -> (f64, f64) {
	let out = Command::new(bin)
		.arg("-m")
		.arg(model)
		.args(["-t", &threads.to_string(), "-p", &join(lens), "-n", &max_new.to_string(), "-r", "3", "-o", "json"])
		.output()
		.expect("run llama-bench");
	assert!(out.status.success(), "llama-bench failed: {}", String::from_utf8_lossy(&out.stderr));
	let tests: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("llama-bench's JSON");
	let (mut pp_tokens, mut pp_secs, mut decode) = (0f64, 0f64, None);
	for t in &tests {
		let n_prompt = t["n_prompt"].as_f64().unwrap_or(0.0);
		let n_gen = t["n_gen"].as_f64().unwrap_or(0.0);
		let secs = t["avg_ns"].as_f64().unwrap_or(f64::NAN) / 1e9;
		assert_eq!(t["n_threads"].as_u64(), Some(threads as u64), "llama-bench's thread count");
		if n_gen == 0.0 {
			pp_tokens += n_prompt;
			pp_secs += secs;
		} else {
			decode = Some(n_gen / secs);
		}
	}
	(pp_tokens / pp_secs, decode.expect("a generation test"))
}

/// `sibyl-engine-bench generate-model --out FILE [--layers L --width E --heads H --kv-heads K --ff F --seed S]`:
/// a llama-architecture model with random weights (Q4_1 matrices, Q8_0 tied embedding, F32 norms) and SmolLM2's
/// tokenizer, from the engine's own test-model generator, written tensor by tensor. The defaults make about
/// 1 B parameters (16 blocks of width 2048, 32 heads over 8 KV heads, FFN 8192, vocabulary 49152).
fn generate_model() {
	let num = |k: &str, d: u32| arg(k).map(|v| v.parse().expect("a number")).unwrap_or(d);
	let out = std::path::PathBuf::from(arg("--out").expect("--out FILE"));
	let cfg = sibyl_engine::testing::llama_config(
		num("--layers", 16),
		num("--width", 2048),
		num("--heads", 32),
		num("--kv-heads", 8),
		num("--ff", 8192),
	);
	cfg.validate().expect("a configuration the engine runs");
	let seed = num("--seed", 1) as u64;
	let smollm2 = std::fs::read(model_path()).expect("SmolLM2's GGUF (for its tokenizer)");
	let tokenizer = sibyl_engine::gguf::Gguf::parse(&smollm2).expect("SmolLM2's GGUF");
	let t = Instant::now();
	let tmp = out.with_extension("part");
	let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).expect("create the file"));
	sibyl_engine::testing::write_gguf(&cfg, Some(&tokenizer), |t| sibyl_engine::testing::random_tensor(&cfg, t, seed), &mut w)
		.expect("write the model");
	drop(w);
	std::fs::rename(&tmp, &out).expect("rename the file");
	let model = sibyl_engine::Model::open(&out).expect("the engine loads what it wrote");
	println!(
		"{}: {:.3} B parameters, {} blocks, width {}, FFN {}, {:.0} MiB, root 0x{}, written in {:.0} s",
		out.display(),
		sibyl_engine::testing::parameters(&cfg) as f64 / 1e9,
		cfg.n_layer,
		cfg.n_embd,
		cfg.n_ff,
		std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as f64 / (1 << 20) as f64,
		model.root().iter().map(|b| format!("{b:02x}")).collect::<String>(),
		t.elapsed().as_secs_f64()
	);
}

fn main() {
	if std::env::args().nth(1).as_deref() == Some("generate-model") {
		return generate_model();
	}
	let max_new: usize = arg("--max-new").and_then(|v| v.parse().ok()).unwrap_or(32);
	if let Some(engine) = arg("--engine") {
		let prompts: Vec<Vec<u32>> = arg("--prompts").expect("--prompts").split('/').map(list).collect();
		let counts = arg("--counts").map(|c| list(&c)).unwrap_or_default();
		return child(&engine, &prompts, max_new, &counts);
	}
	let threads: usize = arg("--threads")
		.and_then(|v| v.parse().ok())
		.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
	// The parent's own runs below (trace cost) use the same number of threads.
	rayon::ThreadPoolBuilder::new().num_threads(threads).build_global().expect("thread pool");
	let path = model_file();
	let prompts = prompt_ids(&path);
	println!("model: {}", path.display());
	println!("threads: {threads} (both engines)  prompts: {}  max new tokens: {max_new}", PROMPTS.len());
	println!(
		"{:<8} {:>14} {:>14} {:>14} {:>14} {:>16}",
		"engine", "prefill tok/s", "decode tok/s", "peak RSS MiB", "RSS loaded MiB", "tokens decoded"
	);
	let row = |name: &str, f: &Figures| {
		println!(
			"{:<8} {:>14.1} {:>14.1} {:>14.0} {:>14.0} {:>16}",
			name,
			f.prefill_tps,
			f.decode_tps,
			f.peak_rss_mib,
			f.loaded_rss_mib,
			f.counts.iter().sum::<u32>()
		);
	};
	let ours = run_child("ours", &prompts, max_new, &[], threads);
	row("sibyl", &ours);
	let candle = run_child("candle", &prompts, max_new, &ours.counts, threads);
	row("candle", &candle);
	assert_eq!(ours.threads, threads, "our engine ran on {} threads", ours.threads);
	assert_eq!(candle.threads, threads, "candle ran on {} threads", candle.threads);
	assert_eq!(ours.counts, candle.counts, "both engines generated the same number of tokens per prompt");
	let llama = arg("--llama-bench").map(|bin| {
		let lens: Vec<u32> = prompts.iter().map(|p| p.len() as u32).collect();
		let f = llama_cpp(&bin, &path, &lens, max_new, threads);
		println!(
			"{:<8} {:>14.1} {:>14.1} {:>14} {:>14} {:>16}",
			"llama.cpp",
			f.0,
			f.1,
			"-",
			"-",
			format!("{} x {}", lens.len(), max_new)
		);
		f
	});
	println!(
		"ratio sibyl/candle:    prefill {:.2}  decode {:.2}",
		ours.prefill_tps / candle.prefill_tps,
		ours.decode_tps / candle.decode_tps
	);
	if let Some((prefill, decode)) = llama {
		println!("ratio sibyl/llama.cpp: prefill {:.2}  decode {:.2}", ours.prefill_tps / prefill, ours.decode_tps / decode);
	}

	// The cost of keeping state: the run with the final root only, the run the node makes (checkpoints at every
	// position: what answers any dissection move), and a root after every step; then what answering a move costs.
	let model = load_model(&path);
	let prompt = prompts[0].clone();
	let req = sibyl_engine::Request { prompt: prompt.clone(), max_new: max_new as u32 };
	let timed = |f: &mut dyn FnMut()| {
		let t = Instant::now();
		f();
		t.elapsed().as_secs_f64()
	};
	// Each run is short: five of each, alternating, and the medians.
	let median = |mut v: Vec<f64>| {
		v.sort_by(f64::total_cmp);
		v[v.len() / 2]
	};
	let (mut bare, mut plain, mut every) = (None, None, None);
	let (mut bare_t, mut plain_t, mut every_t) = (Vec::new(), Vec::new(), Vec::new());
	for round in 0..5 {
		bare_t.push(timed(&mut || bare = Some(rayon::scope(|_| sibyl_engine::trace::run_final_root(&model, &req)).expect("run"))));
		plain_t.push(timed(&mut || plain = Some(rayon::scope(|_| sibyl_engine::run(&model, &req, None, None)).expect("run"))));
		if round < 3 {
			every_t.push(timed(&mut || every = Some(rayon::scope(|_| sibyl_engine::run(&model, &req, Some(1), None)).expect("run"))));
		}
	}
	let (bare_secs, plain_secs, every_secs) = (median(bare_t), median(plain_t), median(every_t));
	let (bare, plain, every) = (bare.expect("ran"), plain.expect("ran"), every.expect("ran"));
	assert_eq!(bare.final_root, plain.output.final_root);
	assert_eq!(plain.output.final_root, every.output.final_root);
	let tokens = prompt.len() + plain.output.output.len();
	let steps = plain.steps();
	let samples: Vec<u32> = (0..20).map(|i| (steps as u64 * (2 * i + 1) / 40) as u32).collect();
	let root_at_ms = timed(&mut || {
		for s in &samples {
			plain.root_at(*s, 0).expect("root");
		}
	}) * 1000.0 / samples.len() as f64;
	let mut worst_proof = 0usize;
	let prove_ms = timed(&mut || {
		for s in &samples {
			worst_proof = worst_proof.max(plain.prove(*s, 0).expect("proof").encoded_size());
		}
	}) * 1000.0 / samples.len() as f64;
	println!(
		"state (medians): {steps} steps for {tokens} tokens ({:.0} steps/token); run {:.3} s with the final root only, {:.3} s \
		 with a checkpoint at every position ({:+.1}%, what the node keeps), {:.3} s with a root after every step ({:+.0}%)",
		steps as f64 / tokens as f64,
		bare_secs,
		plain_secs,
		(plain_secs / bare_secs - 1.0) * 100.0,
		every_secs,
		(every_secs / bare_secs - 1.0) * 100.0,
	);
	println!(
		"dissection answers from the checkpoints: root at an arbitrary step {root_at_ms:.1} ms, its one-step proof \
		 {prove_ms:.1} ms (largest of {} sampled: {worst_proof} bytes)",
		samples.len()
	);
}
