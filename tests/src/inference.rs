//! Helpers for the inference tests: requests over RPC, their events, and `sibyl-node engine run` for the
//! expected answer.

use std::{path::Path, process::Command, time::Duration};

use codec::Encode;
use frame_system::{EventRecord, Phase};
use pallet_inference::Event as InferenceEvent;
use sibyl_client::ask;
use sibyl_inference_primitives::{RequestId, RequestStatus};
use sibyl_runtime::{AccountId, Balance, Hash, RuntimeCall, RuntimeEvent};
use sp_core::{sr25519, Pair};

use crate::{rpc::extrinsic_hash, wait_for, Rpc};

/// An event of a block with the extrinsic index it belongs to (`None`: the block's hooks).
pub type Event = (Option<u32>, RuntimeEvent);

/// The events of block `at`, with their extrinsic index.
pub fn events(rpc: &Rpc, at: Hash) -> Result<Vec<Event>, String> {
	Ok(rpc
		.events(at)?
		.into_iter()
		.map(|EventRecord { phase, event, .. }| {
			(match phase {
				Phase::ApplyExtrinsic(i) => Some(i),
				_ => None,
			}, event)
		})
		.collect())
}

/// The inference pallet's events of block `at`, with their extrinsic index.
pub fn inference_events(rpc: &Rpc, at: Hash) -> Result<Vec<(Option<u32>, InferenceEvent<sibyl_runtime::Runtime>)>, String> {
	Ok(events(rpc, at)?
		.into_iter()
		.filter_map(|(i, e)| match e {
			RuntimeEvent::Inference(ev) => Some((i, ev)),
			_ => None,
		})
		.collect())
}

/// The fee `who` paid for extrinsic `index` of block `at`.
pub fn fee_paid(rpc: &Rpc, at: Hash, index: u32, who: &AccountId) -> Result<Balance, String> {
	events(rpc, at)?
		.into_iter()
		.find_map(|(i, e)| match e {
			RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
				who: w,
				actual_fee,
				..
			}) if i == Some(index) && &w == who => Some(actual_fee),
			_ => None,
		})
		.ok_or_else(|| format!("no fee of {who} for extrinsic {index}"))
}

/// A signed `Inference::submit` of `signer` with `nonce`.
pub fn submit_xt(
	ctx: &crate::tx::ChainContext,
	signer: &sr25519::Pair,
	nonce: u32,
	model: u32,
	prompt: Vec<u32>,
	max_new: u32,
	tip: Balance,
) -> Vec<u8> {
	let call = RuntimeCall::Inference(pallet_inference::Call::submit { model, prompt, max_new, tip });
	sibyl_runtime::signing::sign(ctx, call, sibyl_runtime::signing::tx_extension(nonce, 0), signer, signer)
		.encode()
}

/// Waits for `xt` to be included (scanning from block `from`); returns the block's number, hash and the
/// extrinsic's index.
pub fn await_included(rpc: &Rpc, xt: &[u8], from: u32, timeout: Duration) -> Result<(u32, Hash, u32), String> {
	let tx = extrinsic_hash(xt);
	let mut next = from;
	wait_for("a transaction to be included", timeout, Duration::from_millis(300), || {
		let best = rpc.best_number()?;
		while next <= best {
			let Some(h) = rpc.block_hash(next)? else { return Ok(None) };
			if let Some(i) = rpc.block_extrinsics(h)?.iter().position(|x| extrinsic_hash(x) == tx) {
				return Ok(Some((next, h, i as u32)));
			}
			next += 1;
		}
		Ok(None)
	})
}

/// The request id a block's `RequestSubmitted` event gives extrinsic `index`, or the extrinsic's error.
pub fn submitted_id(rpc: &Rpc, at: Hash, index: u32) -> Result<Result<RequestId, String>, String> {
	for (i, e) in events(rpc, at)? {
		if i != Some(index) {
			continue;
		}
		match e {
			RuntimeEvent::Inference(InferenceEvent::RequestSubmitted { request, .. }) => return Ok(Ok(request)),
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) =>
				return Ok(Err(ask::dispatch_error(&dispatch_error))),
			_ => {},
		}
	}
	Err(format!("extrinsic {index} has neither RequestSubmitted nor ExtrinsicFailed"))
}

/// Waits until request `id`'s status at the best block satisfies `done`; returns it.
pub fn await_status(
	rpc: &Rpc,
	id: RequestId,
	what: &str,
	timeout: Duration,
	done: impl Fn(&RequestStatus<AccountId, u32>) -> bool,
) -> Result<RequestStatus<AccountId, u32>, String> {
	wait_for(&format!("request {id} to be {what}"), timeout, Duration::from_millis(300), || {
		let r = ask::request(rpc, id, None)?.ok_or_else(|| format!("request {id} is not stored"))?;
		Ok(done(&r.status).then_some(r.status))
	})
}

/// Every block from `from` to the best one, with the inference events of each.
pub fn scan(
	rpc: &Rpc,
	from: u32,
	to: u32,
) -> Result<Vec<(u32, Hash, Vec<(Option<u32>, InferenceEvent<sibyl_runtime::Runtime>)>)>, String> {
	let mut out = vec![];
	for n in from..=to {
		let h = rpc.block_hash(n)?.ok_or_else(|| format!("no block #{n}"))?;
		out.push((n, h, inference_events(rpc, h)?));
	}
	Ok(out)
}

/// What `sibyl-node engine run` prints for `tokens` and `max_new`: output tokens, final root, steps.
pub fn engine_run(bin: &Path, model: &Path, tokens: &[u32], max_new: u32) -> Result<(Vec<u32>, [u8; 32], u32), String> {
	let ids: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
	let out = Command::new(bin)
		.args(["engine", "run", "--quiet", "--threads", "1", "--max-new"])
		.arg(max_new.to_string())
		.arg("--model")
		.arg(model)
		.arg("--tokens")
		.arg(ids.join(","))
		.output()
		.map_err(|e| format!("engine run: {e}"))?;
	if !out.status.success() {
		return Err(format!("engine run failed: {}", String::from_utf8_lossy(&out.stderr)));
	}
	let text = String::from_utf8_lossy(&out.stdout);
	let field = |name: &str| -> Result<String, String> {
		text.lines()
			.find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
			.ok_or_else(|| format!("engine run printed no {name:?}: {text}"))
	};
	let output: Vec<u32> = field("output tokens:")?
		.trim_matches(|c| c == '[' || c == ']')
		.split(',')
		.filter(|s| !s.trim().is_empty())
		.map(|s| s.trim().parse::<u32>().map_err(|e| e.to_string()))
		.collect::<Result<_, _>>()?;
	let root_hex = field("final root:")?;
	let root_bytes = crate::rpc::unhex(&root_hex)?;
	let mut root = [0u8; 32];
	root.copy_from_slice(&root_bytes);
	let steps = field("steps:")?.parse::<u32>().map_err(|e| e.to_string())?;
	Ok((output, root, steps))
}

/// The operator account of development validator `name` (`//Name//operator`).
pub fn operator_of(name: &str) -> AccountId {
	let mut c = name.chars();
	let cap: String = c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default();
	sr25519::Pair::from_string(&format!("//{cap}//operator"), None).expect("valid derivation").public().into()
}

/// The SmolLM2 file the nodes serve (`$SIBYL_MODEL_DIR` or `~/.cache/sibyl/models`).
pub fn smollm2_file() -> std::path::PathBuf {
	let dir = std::env::var("SIBYL_MODEL_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| {
		std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/sibyl/models")
	});
	dir.join("SmolLM2-135M-Instruct.Q4_1.gguf")
}
