//! `sibyl-engine-bench`: our engine and candle on the same GGUF and prompts, each in its own process (so peak
//! memory is per engine), then the decode ratio and the trace cost.
//!
//! `sibyl-engine-bench [--max-new N] [--threads T]`. The parent tokenizes the prompts (so neither engine's process
//! holds a tokenizer or the other engine's model), pins both children to `T` threads (default: the machine's
//! cores) through `RAYON_NUM_THREADS` and `CANDLE_NUM_THREADS`, runs ours first, and has candle decode exactly as
//! many tokens per prompt as ours did (ours stops at end-of-sequence; candle is made to continue).
//!
//! The children: `sibyl-engine-bench --engine ours|candle --prompts 1,2,3/4,5 --counts N,N,...` print one line:
//! `prefill_tps decode_tps peak_rss_mib loaded_rss_mib threads count,count,...` (peak: `VmHWM`, loading
//! included; loaded: `VmRSS` after the last prompt, the engine still in memory).

use sibyl_engine_bench::{generate, load_model, model_path, peak_rss_mib, prompt_ids, status_mib, Candle, PROMPTS};
use std::{process::Command, time::Instant};

fn arg(name: &str) -> Option<String> {
	let args: Vec<String> = std::env::args().collect();
	args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn list(s: &str) -> Vec<u32> {
	s.split(',').filter(|x| !x.is_empty()).map(|x| x.parse().expect("a number")).collect()
}

fn join(v: &[u32]) -> String {
	v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
}

/// Runs one engine over the prompts: ours generates up to `max_new` tokens, candle exactly `counts[i]`.
fn child(engine: &str, prompts: &[Vec<u32>], max_new: usize, counts: &[u32]) {
	let path = model_path();
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

fn main() {
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
	let path = model_path();
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
	println!("decode ratio sibyl/candle: {:.2}", ours.decode_tps / candle.decode_tps);

	// Trace cost: steps per token and the cost of state roots.
	let model = load_model(&path);
	let prompt = prompts[0].clone();
	let req = sibyl_engine::Request { prompt: prompt.clone(), max_new: max_new as u32 };
	let t = Instant::now();
	let plain = sibyl_engine::run(&model, &req, None, None).expect("run");
	let plain_secs = t.elapsed().as_secs_f64();
	let t = Instant::now();
	let every = sibyl_engine::run(&model, &req, Some(1), None).expect("run");
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
