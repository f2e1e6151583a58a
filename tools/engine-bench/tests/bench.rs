//! The benchmark compares like with like: each engine in its own process holding only its own model (the parent
//! tokenizes), both on the same number of threads, both decoding the same number of tokens per prompt.

use std::process::Command;

/// One row of the benchmark's table: prefill tok/s, decode tok/s, peak RSS, loaded RSS, tokens decoded.
fn row(table: &str, engine: &str) -> Vec<f64> {
	let line = table.lines().find(|l| l.starts_with(engine)).unwrap_or_else(|| panic!("no {engine} row in {table}"));
	line.split_whitespace().skip(1).map(|v| v.parse().expect("a number")).collect()
}

#[test]
fn each_engine_runs_alone_on_the_same_threads_and_token_counts() {
	// One thread: not the machine's default for either engine, so an unpinned child would show.
	let out = Command::new(env!("CARGO_BIN_EXE_sibyl-engine-bench"))
		.args(["--max-new", "3", "--threads", "1"])
		.output()
		.expect("the benchmark runs");
	let table = String::from_utf8_lossy(&out.stdout);
	eprintln!("{table}");
	// The binary itself refuses to print a result unless both children report the pinned thread count and the
	// same number of generated tokens per prompt.
	assert!(out.status.success(), "the benchmark failed: {}", String::from_utf8_lossy(&out.stderr));
	let (ours, candle) = (row(&table, "sibyl"), row(&table, "candle"));
	assert_eq!(ours[4], candle[4], "tokens decoded");
	assert!(ours[4] >= 5.0, "at least one token per prompt");
	// Peak memory is each engine's own. Ours maps the file, so it holds the weights once (the file's pages, about
	// the file's size, plus a few MiB of state); candle holds its own copy and its working buffers (about 2.3 times
	// the file): a candle process that also loaded our model (to tokenize, as it once did) carries another file's
	// worth on top, and one of ours that copied the weights would show two.
	let file_mib = std::fs::metadata(sibyl_engine_bench::model_path()).expect("the model file").len() as f64 / 1048576.0;
	let (ours_peak, candle_peak) = (ours[2], candle[2]);
	assert!(ours_peak < 1.5 * file_mib, "our peak RSS {ours_peak:.0} MiB holds more than one copy of {file_mib:.0} MiB");
	assert!(
		candle_peak < 2.9 * file_mib,
		"candle's peak RSS {candle_peak:.0} MiB includes another copy of the {file_mib:.0} MiB model"
	);
}
